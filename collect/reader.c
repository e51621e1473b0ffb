/* SPDX-License-Identifier: Apache-2.0
 *
 * Reading one source file exactly once: open, fstat, read while hashing,
 * type with libmagic, fstat again.
 *
 * Forensic rules kept here: the file is opened O_RDONLY|O_NOFOLLOW|
 * O_NOATIME (without O_NOATIME when the kernel refuses it to a non-owner,
 * EPERM), so a source is never written, a symlink never followed and access
 * times left alone where the kernel allows; a change of size, mtime or ctime
 * between the two fstat calls, or a length that differs from the first
 * fstat, flags the item as changed during reading; a read error is recorded
 * with its offset and the bytes before it are kept. A file is read up to
 * its size at the first fstat (to its end when that size is 0, as in /proc).
 *
 * The archive's pax header needs the SHA-256 before the data, and each byte
 * is read from the source only once, so the bytes read are kept: in memory
 * up to mem_max (4 MiB by default), beyond that in an unlinked spool file
 * in the output's folder, copied into the archive after the header. Memory
 * stays bounded whatever the file size. libmagic types the first block
 * already read (at most 64 KiB of it) instead of opening the file again.
 * Typing stays on the collecting thread: libmagic 5.44 writes a global
 * variable inside magic_buffer() (helgrind), so two handles on two threads
 * would race.
 *
 * Typing costs one full libmagic pass per item, not two. The full pass
 * (soft magic: thousands of rules, regular expressions over text) is what
 * costs; the description is taken with it. libmagic's checks other than
 * soft magic (empty, JSON, CSV, tar, CDF, text encodings, "data") cost a
 * few per cent of it, so they are asked again without soft magic
 * (MAGIC_NO_CHECK_SOFT). When that description is the full one, no soft
 * rule printed anything, and the MIME type is the one those checks give
 * (soft rules are tested alike whatever is printed, so none would have
 * matched in MIME mode either); otherwise a soft rule typed the item and a
 * full MIME pass is made, as before. The result is the two full calls'
 * (tests/unit/test_collect_magic.c compares them on every fixture). One
 * handle serves every call, its flags changed between calls: each handle
 * holds its own copy of the magic database (megabytes).
 */
#include <errno.h>
#include <fcntl.h>
#include <magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "reader.h"
#include "writer.h"

#define BLOCK (256 * 1024)
#define MAGIC_BYTES (64 * 1024)

struct cf_reader {
	uint8_t *block;
	uint8_t *mem;
	size_t mem_max;
	cf_sha256 *h;
	magic_t magic;
	char *dir;
};

#define MAGIC_FLAGS MAGIC_ERROR

static magic_t magic_cookie(void)
{
	size_t max = MAGIC_BYTES;
	magic_t m = magic_open(MAGIC_FLAGS);

	if (!m)
		return NULL;
	if (magic_load(m, NULL) != 0) {
		magic_close(m);
		return NULL;
	}
	magic_setparam(m, MAGIC_PARAM_BYTES_MAX, &max);
	return m;
}

int cf_reader_new(struct cf_ctx *ctx, const char *spool_dir, size_t mem_max,
		  cf_reader **out)
{
	cf_reader *r = cf_calloc(1, sizeof *r);

	*out = NULL;
	if (!r)
		return cf_set_nomem(ctx, "reader");
	r->mem_max = mem_max;
	if (!(r->block = cf_malloc(BLOCK)) || !(r->mem = cf_malloc(mem_max ? mem_max : 1)) ||
	    !(r->dir = cf_strdup(spool_dir))) {
		cf_reader_free(r);
		return cf_set_nomem(ctx, "reader");
	}
	if (!(r->h = cf_sha256_new(ctx))) {
		cf_reader_free(r);
		return CF_FATAL;
	}
	/* Without a magic database items get an empty type, not a failure:
	 * the evidence itself does not depend on it. */
	r->magic = magic_cookie();
	*out = r;
	return CF_OK;
}

void cf_reader_free(cf_reader *r)
{
	if (!r)
		return;
	if (r->magic)
		magic_close(r->magic);
	cf_sha256_free(r->h);
	free(r->block);
	if (r->mem)
		cf_free_secret(r->mem, r->mem_max); /* may hold PHI */
	free(r->dir);
	free(r);
}

/* libmagic's answer for p with flags, "" when it has none. */
static const char *magic_as(magic_t m, int flags, const void *p, size_t n)
{
	const char *s;

	if (magic_setflags(m, MAGIC_FLAGS | flags) < 0)
		return "";
	s = magic_buffer(m, p, n);
	return s ? s : "";
}

void cf_reader_magic(cf_reader *r, const void *p, size_t n, struct cf_item *it)
{
	const char *s;

	it->mime[0] = it->desc[0] = '\0';
	if (!r->magic)
		return;
	if (n > MAGIC_BYTES)
		n = MAGIC_BYTES;
	/* libmagic's answer lives in the handle until the next call */
	snprintf(it->desc, sizeof it->desc, "%s", magic_as(r->magic, MAGIC_NONE, p, n));
	s = magic_as(r->magic, MAGIC_NONE | MAGIC_NO_CHECK_SOFT, p, n);
	if (!strcmp(s, it->desc))
		s = magic_as(r->magic, MAGIC_MIME_TYPE | MAGIC_NO_CHECK_SOFT, p, n);
	else
		s = magic_as(r->magic, MAGIC_MIME_TYPE, p, n);
	snprintf(it->mime, sizeof it->mime, "%s", s);
}

void cf_reader_done(cf_reader *r, struct cf_item *it)
{
	(void)r;
	if (it->spool_fd >= 0)
		close(it->spool_fd);
	it->spool_fd = -1;
	it->mem = NULL;
}

static void set_err(struct cf_item *it, int e, uint64_t off, const char *what)
{
	if (it->err)
		return;
	it->err = e ? e : EIO;
	it->err_offset = off;
	snprintf(it->errtext, sizeof it->errtext, "%s: %s", what, strerror(it->err));
}

static int open_source(int dirfd, const char *path)
{
	int base = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	int fd = openat(dirfd, path, base | O_NOATIME);

	/* O_NOATIME is only for the owner (or CAP_FOWNER). */
	if (fd < 0 && errno == EPERM)
		fd = openat(dirfd, path, base);
	return fd;
}

/* Moves what is in memory to a new spool; further blocks go there. */
static int start_spool(cf_reader *r, struct cf_ctx *ctx, struct cf_item *it)
{
	if ((it->spool_fd = cf_spool_open(ctx, r->dir)) < 0)
		return CF_FATAL;
	if (it->size && cf_write_all(it->spool_fd, r->mem, (size_t)it->size) < 0)
		return cf_set_fatal(ctx, errno, "cannot write a temporary file in '%s'",
				    r->dir);
	return CF_OK;
}

int cf_reader_read(cf_reader *r, struct cf_ctx *ctx, int dirfd,
		   const char *path, int64_t max_size, struct cf_item *it,
		   cf_progress *progress)
{
	struct stat after;
	uint64_t limit;
	int fd, rc = CF_OK, typed = 0;

	memset(it, 0, sizeof *it);
	it->spool_fd = -1;
	if ((fd = open_source(dirfd, path)) < 0) {
		set_err(it, errno, 0, "open");
		return CF_OK;
	}
	if (fstat(fd, &it->st) < 0) {
		set_err(it, errno, 0, "fstat");
		goto out;
	}
	it->have_stat = 1;
	if (!S_ISREG(it->st.st_mode)) {
		set_err(it, EINVAL, 0, "not a regular file");
		goto out;
	}
	it->hash_only = max_size > 0 && it->st.st_size > max_size;
	if (!it->hash_only && (uint64_t)it->st.st_size > r->mem_max &&
	    (rc = start_spool(r, ctx, it)) != CF_OK)
		goto out;
	if ((rc = cf_sha256_reset(r->h, ctx)) != CF_OK)
		goto out;
	limit = (uint64_t)it->st.st_size;
	for (;;) {
		int in_mem = !it->hash_only && it->spool_fd < 0 && it->size < r->mem_max;
		uint8_t *dst = in_mem ? r->mem + it->size : r->block;
		size_t want = in_mem ? r->mem_max - (size_t)it->size : BLOCK;
		ssize_t n;

		if (want > BLOCK)
			want = BLOCK;
		/* Up to the size at open: a log that keeps growing cannot
		 * make the read endless, and the member is the file as it was
		 * when opened (growth sets `changed`). Files that report size 0
		 * (/proc) are read to their end. */
		if (limit && limit - it->size < want)
			want = (size_t)(limit - it->size);
		if (limit && want == 0)
			break;
		n = read(fd, dst, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			set_err(it, errno, it->size, "read");
			break;
		}
		if (!typed) {
			/* An empty file, or the first block read. */
			cf_reader_magic(r, dst, (size_t)n, it);
			typed = 1;
		}
		if (n == 0)
			break;
		if ((rc = cf_sha256_update(r->h, ctx, dst, (size_t)n)) != CF_OK)
			goto out;
		if (!in_mem && !it->hash_only) {
			if (it->spool_fd < 0 && (rc = start_spool(r, ctx, it)) != CF_OK)
				goto out;
			if (cf_write_all(it->spool_fd, dst, (size_t)n) < 0) {
				rc = cf_set_fatal(ctx, errno,
						  "cannot write a temporary file in '%s'", r->dir);
				goto out;
			}
		}
		it->size += (uint64_t)n;
		cf_progress_add(progress, (uint64_t)n, 0);
	}
	if ((rc = cf_sha256_final(r->h, ctx, it->sha)) != CF_OK)
		goto out;
	it->hashed = 1;
	if (fstat(fd, &after) < 0)
		set_err(it, errno, it->size, "fstat");
	else if (after.st_size != it->st.st_size ||
		 after.st_mtim.tv_sec != it->st.st_mtim.tv_sec ||
		 after.st_mtim.tv_nsec != it->st.st_mtim.tv_nsec ||
		 after.st_ctim.tv_sec != it->st.st_ctim.tv_sec ||
		 after.st_ctim.tv_nsec != it->st.st_ctim.tv_nsec ||
		 (!it->err && it->size != (uint64_t)it->st.st_size))
		it->changed = 1;
	if (!it->hash_only && it->spool_fd < 0)
		it->mem = r->mem;
out:
	close(fd);
	if (rc != CF_OK)
		cf_reader_done(r, it);
	return rc;
}
