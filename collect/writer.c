/* SPDX-License-Identifier: Apache-2.0
 *
 * The evidence-archive writer (SPEC section 2): pax tar through libarchive,
 * zstd (default), gzip or no compression, written to OUT.partial and renamed
 * to OUT only once complete, fsynced and signed.
 *
 * Every member's pax header carries its content SHA-256 as
 * SCHILY.xattr.user.casefile.sha256. libarchive's pax writer would also
 * emit a LIBARCHIVE.xattr.* copy of each extended attribute, which GNU tar
 * does not know and warns about; the format option xattrheader=SCHILY keeps
 * only the SCHILY form, which GNU tar and bsdtar accept silently and
 * `tar --xattrs` restores. The header must precede the data, so callers
 * hand over bytes already hashed (in memory, or in a spool file: see
 * reader.c); this file never reads a source.
 *
 * A sparse source (its holes found by reader.c) becomes a pax sparse
 * member in GNU's format 1.0, which GNU tar and bsdtar extract as the same
 * bytes (holes read as zeros): the holes are described by a map and never
 * stored, compressed or made to count against verify's expansion bound as
 * data (see casefile-verify(1) on the bound for holes).
 *
 * Compression uses libzstd's worker threads (libarchive's zstd `threads`
 * option): the collecting thread reads and hashes while the workers
 * compress, which is how collection uses both cores.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/atomic.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/evidence.h"
#include "casefile/path.h"
#include "casefile/sums.h"
#include "casefile/time.h"
#include "writer.h"

#define COPY_BLOCK (256 * 1024)
/* zstd level 3 (zstd's default) compresses the JSON-lines and syslog text
 * that dominates evidence about as well as level 9 at several times the
 * speed; incompressible model weights pass through as raw blocks.
 * bench/collect measures this. */
#define ZSTD_LEVEL "1"
#define ZSTD_THREADS "2"

struct cf_ewriter {
	struct archive *a;
	struct cf_atomic at;
	struct cf_sums sums;
	char *dir;
	uint8_t *buf;
	uint64_t bytes;
	int open;
};

static int la_error(struct cf_ctx *ctx, cf_ewriter *w, const char *what)
{
	const char *m = archive_error_string(w->a);
	int e = archive_errno(w->a);

	return cf_set_fatal(ctx, e > 0 ? e : 0, "cannot write '%s' (%s)%s%s",
			    w->at.tmp ? w->at.tmp : "archive", what,
			    m ? ": " : "", m ? m : "");
}

const char *cf_ewriter_dir(const cf_ewriter *w)
{
	return w->dir;
}

uint64_t cf_ewriter_bytes(const cf_ewriter *w)
{
	return w->bytes;
}

int cf_spool_open(struct cf_ctx *ctx, const char *dir)
{
	char *tmpl;
	int fd;

	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
		cf_set_fatal(ctx, errno, "cannot create a temporary file in '%s'", dir);
		return -1;
	}
	/* File systems without O_TMPFILE: a named file, unlinked at once. */
	if (!(tmpl = cf_path_join(dir, ".casefile-spool.XXXXXX"))) {
		cf_set_nomem(ctx, dir);
		return -1;
	}
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0)
		cf_set_fatal(ctx, errno, "cannot create a temporary file in '%s'", dir);
	else
		unlink(tmpl);
	free(tmpl);
	return fd;
}

static int setup_filter(struct cf_ctx *ctx, cf_ewriter *w, enum cf_compress c)
{
	switch (c) {
	case CF_COMPRESS_ZSTD:
		if (archive_write_add_filter_zstd(w->a) != ARCHIVE_OK ||
		    archive_write_set_filter_option(w->a, "zstd", "compression-level",
						    ZSTD_LEVEL) != ARCHIVE_OK)
			return la_error(ctx, w, "zstd");
		/* Older libzstd builds without threads refuse the option;
		 * compression then runs on the collecting thread. */
		archive_write_set_filter_option(w->a, "zstd", "threads", ZSTD_THREADS);
		break;
	case CF_COMPRESS_GZIP:
		if (archive_write_add_filter_gzip(w->a) != ARCHIVE_OK)
			return la_error(ctx, w, "gzip");
		break;
	case CF_COMPRESS_NONE:
		break;
	}
	return CF_OK;
}

int cf_ewriter_open(struct cf_ctx *ctx, const char *out, enum cf_compress c,
		    cf_ewriter **wp)
{
	cf_ewriter *w;
	char *copy = NULL;
	int rc;

	*wp = NULL;
	if (!(w = cf_calloc(1, sizeof *w)))
		return cf_set_nomem(ctx, out);
	w->at.fd = -1;
	cf_sums_init(&w->sums);
	if (!(copy = cf_strdup(out)) || !(w->dir = cf_strdup(dirname(copy))) ||
	    !(w->buf = cf_malloc(COPY_BLOCK))) {
		rc = cf_set_nomem(ctx, out);
		goto fail;
	}
	if ((rc = cf_atomic_begin(ctx, &w->at, out, 0644,
				  CF_ATOMIC_NO_REPLACE)) != CF_OK)
		goto fail;
	w->open = 1;
	if (!(w->a = archive_write_new())) {
		rc = cf_set_nomem(ctx, out);
		goto fail;
	}
	if (archive_write_set_format_pax(w->a) != ARCHIVE_OK ||
	    archive_write_set_format_option(w->a, "pax", "xattrheader", "SCHILY") !=
		    ARCHIVE_OK) {
		rc = la_error(ctx, w, "pax format");
		goto fail;
	}
	if ((rc = setup_filter(ctx, w, c)) != CF_OK)
		goto fail;
	/* No padding of the compressed stream to a 10 KiB block. */
	if (c != CF_COMPRESS_NONE)
		archive_write_set_bytes_in_last_block(w->a, 1);
	if (archive_write_open_fd(w->a, w->at.fd) != ARCHIVE_OK) {
		rc = la_error(ctx, w, "open");
		goto fail;
	}
	free(copy);
	*wp = w;
	return CF_OK;
fail:
	free(copy);
	cf_ewriter_free(w);
	return rc;
}

static int write_header(cf_ewriter *w, struct cf_ctx *ctx,
			const struct cf_member_meta *m, uint64_t len,
			const uint8_t sha[CF_SHA256_LEN])
{
	struct archive_entry *e;
	char hex[CF_SHA256_HEX];
	int rc = CF_OK;

	if (!w->open)
		return cf_set_fatal(ctx, 0, "archive writer is closed");
	if (cf_path_check_member(ctx, m->name) != CF_OK) {
		cf_error_prefix(ctx, "member name '%s'", m->name);
		return CF_FATAL;
	}
	if (cf_sums_add(ctx, &w->sums, m->name, sha) != CF_OK)
		return CF_FATAL;
	if (!(e = archive_entry_new()))
		return cf_set_nomem(ctx, m->name);
	cf_hex(sha, CF_SHA256_LEN, hex);
	archive_entry_set_pathname(e, m->name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, m->mode & 07777);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_uid(e, m->uid);
	archive_entry_set_gid(e, m->gid);
	if (m->uname)
		archive_entry_set_uname(e, m->uname);
	if (m->gname)
		archive_entry_set_gname(e, m->gname);
	archive_entry_set_mtime(e, (time_t)m->mtime_s, m->mtime_ns);
	archive_entry_xattr_add_entry(e, CF_XATTR_SHA256, hex, 64);
	if (m->nholes) {
		/* libarchive takes the data runs: those between the holes,
		 * and an empty one at the end when the file ends in a hole */
		uint64_t at = 0;
		for (size_t i = 0; i < m->nholes; i++) {
			if (m->holes[i].off > at)
				archive_entry_sparse_add_entry(e, (la_int64_t)at,
							       (la_int64_t)(m->holes[i].off - at));
			at = m->holes[i].off + m->holes[i].len;
		}
		archive_entry_sparse_add_entry(e, (la_int64_t)at, (la_int64_t)(len - at));
	}
	if (archive_write_header(w->a, e) != ARCHIVE_OK)
		rc = la_error(ctx, w, m->name);
	archive_entry_free(e);
	return rc;
}

static int write_data(cf_ewriter *w, struct cf_ctx *ctx, const char *name,
		      const void *p, size_t n)
{
	const uint8_t *q = p;

	while (n) {
		la_ssize_t r = archive_write_data(w->a, q, n);
		if (r <= 0)
			return la_error(ctx, w, name);
		q += r;
		n -= (size_t)r;
		w->bytes += (uint64_t)r;
	}
	return CF_OK;
}

int cf_ewriter_add_mem(cf_ewriter *w, struct cf_ctx *ctx,
		       const struct cf_member_meta *m, const void *data,
		       size_t len, const uint8_t sha[CF_SHA256_LEN])
{
	int rc = write_header(w, ctx, m, len, sha);

	if (rc == CF_OK && len)
		rc = write_data(w, ctx, m->name, data, len);
	if (rc != CF_OK)
		w->open = 0;
	return rc;
}

int cf_ewriter_add_fd(cf_ewriter *w, struct cf_ctx *ctx,
		      const struct cf_member_meta *m, int fd, uint64_t len,
		      const uint8_t sha[CF_SHA256_LEN])
{
	uint64_t off = 0;
	int rc = write_header(w, ctx, m, len, sha);

	size_t hole = 0;

	while (rc == CF_OK && off < len) {
		size_t want = len - off < COPY_BLOCK ? (size_t)(len - off) : COPY_BLOCK;
		ssize_t r;

		/* a hole is not in the spool: libarchive skips its bytes */
		while (hole < m->nholes && m->holes[hole].off + m->holes[hole].len <= off)
			hole++;
		if (hole < m->nholes && m->holes[hole].off <= off) {
			uint64_t end = m->holes[hole].off + m->holes[hole].len;
			if (end - off < want)
				want = (size_t)(end - off);
			memset(w->buf, 0, want);
			rc = write_data(w, ctx, m->name, w->buf, want);
			off += want;
			continue;
		}
		if (hole < m->nholes && m->holes[hole].off - off < want)
			want = (size_t)(m->holes[hole].off - off);
		r = pread(fd, w->buf, want, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = cf_set_fatal(ctx, r < 0 ? errno : EIO,
					  "cannot read back the spool of '%s'", m->name);
			break;
		}
		rc = write_data(w, ctx, m->name, w->buf, (size_t)r);
		off += (uint64_t)r;
	}
	if (rc != CF_OK)
		w->open = 0;
	return rc;
}

int cf_ewriter_finish(cf_ewriter *w, struct cf_ctx *ctx, const cf_key *key,
		      char sums_hex[CF_SHA256_HEX])
{
	struct cf_member_meta m = {0};
	uint8_t d[CF_SHA256_LEN], sig[CF_ED25519_SIG_LEN], sd[CF_SHA256_LEN];
	int64_t now = cf_time_now();
	struct cf_buf b;
	int rc;

	cf_buf_init(&b);
	if ((rc = cf_sums_format(ctx, &w->sums, &b)) != CF_OK ||
	    (rc = cf_sha256_buf(ctx, b.data ? b.data : "", b.len, d)) != CF_OK ||
	    (rc = cf_key_sign(ctx, key, b.data ? b.data : "", b.len, sig)) != CF_OK ||
	    (rc = cf_sha256_buf(ctx, sig, sizeof sig, sd)) != CF_OK)
		goto out;
	cf_hex(d, sizeof d, sums_hex);
	m.mtime_s = now / CF_US_PER_SEC;
	m.mtime_ns = (long)(now % CF_US_PER_SEC) * 1000;
	m.mode = 0644;
	m.uid = 0;
	m.gid = 0;
	m.uname = "root";
	m.gname = "root";
	m.name = CF_MEMBER_SUMS;
	if ((rc = cf_ewriter_add_mem(w, ctx, &m, b.data, b.len, d)) != CF_OK)
		goto out;
	m.name = CF_MEMBER_SIG;
	if ((rc = cf_ewriter_add_mem(w, ctx, &m, sig, sizeof sig, sd)) != CF_OK)
		goto out;
	w->open = 0;
	if (archive_write_close(w->a) != ARCHIVE_OK) {
		rc = la_error(ctx, w, "close");
		goto out;
	}
	rc = cf_atomic_commit(ctx, &w->at);
out:
	cf_buf_release(&b);
	return rc;
}

void cf_ewriter_free(cf_ewriter *w)
{
	if (!w)
		return;
	if (w->a)
		archive_write_free(w->a); /* closes the stream if still open */
	cf_atomic_abort(&w->at);          /* no-op after a commit */
	cf_sums_release(&w->sums);
	free(w->dir);
	free(w->buf);
	free(w);
}
