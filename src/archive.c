/* SPDX-License-Identifier: Apache-2.0
 *
 * The evidence-archive member iterator: one pass, front to back, never
 * extracting anything.
 *
 * Two libarchive handles are stacked. The first ("raw") opens the file with
 * every decompression filter and the raw format, so it yields the
 * decompressed tar stream; the second ("tar") reads tar/pax headers from the
 * blocks the first hands over, without copying them. Owning the seam between
 * the two is what lets this file count the uncompressed bytes against the
 * compressed ones (refusing a decompression bomb after CF_ARCHIVE_RATIO_FREE
 * bytes once it expands more than CF_ARCHIVE_MAX_RATIO times), see a stream
 * that ends without the end-of-archive marker (truncation at a member
 * boundary, which libarchive accepts silently) and inspect what follows the
 * marker (trailing data). Member data is hashed as it is handed out, with one
 * SHA-256 context reused for every member.
 *
 * Decompression runs in a thread of its own, ahead of the tar reader and
 * the hashing, through a ring of RING_SLOTS buffers of RING_BUF bytes: on
 * two cores a zstd archive is verified in about the time `zstd -d` takes
 * alone, and memory stays bounded by the ring (the producer waits when it
 * is full). Only the producer touches the raw handle once it runs. A side
 * that has to wait sleeps until half the ring has turned over, not one slot,
 * so that the threads hand over rarely: on a busy machine every sleep costs
 * a time slice.
 *
 * Two walkers see the bytes on their way: src/archive_container.c the
 * compressed container's framing, src/archive_headers.c the tar headers
 * between members (both refuse what no signature covers). The handle's
 * state, shared with the latter, is in src/archive_int.h.
 *
 * It must never write anywhere, never follow a member name to the file
 * system, and never hold more than a few read-ahead blocks of member data.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/archive.h"
#include "casefile/error.h"
#include "casefile/evidence.h"
#include "casefile/path.h"
#include "archive_int.h"

#define ZERO_CHUNK 65536       /* longest run of hole bytes handed out at once */

static const uint8_t zeros[ZERO_CHUNK];

/* The raw handle's read callback: the file's next block, through the
 * walker. */
static la_ssize_t raw_read(struct archive *ar, void *ud, const void **buf)
{
	cf_archive *a = ud;
	ssize_t n;

	do
		n = read(a->fd, a->tap.buf, RAW_BLOCK);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(ar, errno, "read error");
		return -1;
	}
	if (cf_tap_feed(&a->tap, a->tap.buf, (size_t)n, n == 0) < 0) {
		archive_set_error(ar, EINVAL, "%s", a->tap.why);
		return -1;
	}
	*buf = a->tap.buf;
	return n;
}

/* ---- the seam: decompressed blocks from raw to tar ---------------------- */

static int seam_fail(cf_archive *a, const char *kind, const char *what,
		     const char *detail)
{
	snprintf(a->why, sizeof a->why, "%s: %s", what, detail);
	a->kind = kind;
	return -1;
}

/* The expansion bound, counting what sparse members make up as well
 * beyond the first CF_ARCHIVE_HOLES_FREE bytes of holes: a pax sparse
 * member of a terabyte of holes is a bomb too. */
static int over_ratio(cf_archive *a)
{
	uint64_t out = a->fed, packed;

	if (a->holes > CF_ARCHIVE_HOLES_FREE)
		out += a->holes - CF_ARCHIVE_HOLES_FREE;
	char msg[128];

	if (out <= CF_ARCHIVE_RATIO_FREE)
		return 0;
	packed = a->packed;
	if (out / CF_ARCHIVE_MAX_RATIO <= packed)
		return 0;
	snprintf(msg, sizeof msg, "%llu bytes from %llu compressed bytes",
		 (unsigned long long)out, (unsigned long long)packed);
	seam_fail(a, "limit",
		  "refused: the archive expands beyond 1000:1 (possible "
		  "decompression bomb)",
		  msg);
	return 1;
}

/* The producer: fills free slots with decompressed bytes until the end of
 * the stream, a failure, or the consumer's leaving. */
static void *produce(void *ud)
{
	cf_archive *a = ud;
	struct ring *g = &a->ring;
	const uint8_t *blk = NULL;
	size_t blen = 0;
	int end = 0;

	while (!end) {
		unsigned slot;
		size_t len = 0;

		pthread_mutex_lock(&g->mu);
		if (g->filled + g->inuse == RING_SLOTS) {
			g->pwait = 1;
			while (!g->stop && g->filled + g->inuse > RING_SLOTS - RING_HALF)
				pthread_cond_wait(&g->cv_free, &g->mu);
			g->pwait = 0;
		}
		slot = g->wr;
		end = g->stop;
		pthread_mutex_unlock(&g->mu);
		if (end)
			break;
		while (len < RING_BUF) {
			if (!blen) {
				const void *b;
				la_int64_t off;
				int r = archive_read_data_block(a->raw, &b, &blen,
								&off);
				if (r == ARCHIVE_EOF) {
					end = 1;
					break;
				}
				if (r < ARCHIVE_WARN) {
					const char *m = archive_error_string(a->raw);
					snprintf(g->msg, sizeof g->msg, "%s",
						 a->tap.kind ? a->tap.why
						 : m ? m : "unknown error");
					g->kind = a->tap.kind ? a->tap.kind
						  : m && strstr(m, "runcat")
							  ? "truncated"
							  : "decompression-error";
					end = 1;
					break;
				}
				blk = b;
			}
			size_t k = blen < RING_BUF - len ? blen : RING_BUF - len;
			memcpy(g->buf[slot] + len, blk, k);
			len += k;
			blk += k;
			blen -= k;
		}
		pthread_mutex_lock(&g->mu);
		if (len) {
			g->len[slot] = len;
			g->packed[slot] = (uint64_t)archive_filter_bytes(a->raw, -1);
			g->wr = (g->wr + 1) % RING_SLOTS;
			g->filled++;
		}
		g->done = end;
		if (g->cwait && (g->filled >= RING_HALF || end))
			pthread_cond_signal(&g->cv_full);
		pthread_mutex_unlock(&g->mu);
	}
	return NULL;
}

/* tar's read callback: the next filled slot; the previous one goes free. */
static la_ssize_t feed(struct archive *t, void *ud, const void **buf)
{
	cf_archive *a = ud;
	struct ring *g = &a->ring;
	unsigned slot;
	size_t n;

	(void)t;
	if (a->raw_eof || a->why[0])
		return a->why[0] ? -1 : 0;
	if (a->hdr_active && a->last)
		cf_archive_int_capture(a);
	pthread_mutex_lock(&g->mu);
	if (g->inuse) {
		g->inuse = 0;
		g->rd = (g->rd + 1) % RING_SLOTS;
		if (g->pwait && g->filled <= RING_SLOTS - RING_HALF)
			pthread_cond_signal(&g->cv_free);
	}
	if (!g->filled && !g->done) {
		g->cwait = 1;
		while (g->filled < RING_HALF && !g->done)
			pthread_cond_wait(&g->cv_full, &g->mu);
		g->cwait = 0;
	}
	if (!g->filled) {
		pthread_mutex_unlock(&g->mu);
		a->last = NULL;
		a->last_len = 0;
		if (g->kind)
			return seam_fail(a, g->kind, "decompression failed",
					 g->msg);
		a->raw_eof = 1;
		return 0;
	}
	slot = g->rd;
	g->filled--;
	g->inuse = 1;
	pthread_mutex_unlock(&g->mu);

	n = g->len[slot];
	a->packed = g->packed[slot];
	a->fed += n;
	if (over_ratio(a))
		return -1;
	a->last = g->buf[slot];
	a->last_len = n;
	*buf = g->buf[slot];
	return (la_ssize_t)n;
}

static int ring_start(cf_archive *a, struct cf_ctx *ctx)
{
	struct ring *g = &a->ring;
	int e;

	for (int i = 0; i < RING_SLOTS; i++)
		if (!(g->buf[i] = cf_malloc(RING_BUF)))
			return cf_set_nomem(ctx, "opening an archive");
	if ((e = pthread_create(&g->thread, NULL, produce, a)) != 0)
		return cf_set_fatal(ctx, e, "cannot start the decompression thread");
	g->started = 1;
	return CF_OK;
}

static void ring_stop(cf_archive *a)
{
	struct ring *g = &a->ring;

	if (g->started) {
		pthread_mutex_lock(&g->mu);
		g->stop = 1;
		pthread_cond_broadcast(&g->cv_free);
		pthread_mutex_unlock(&g->mu);
		pthread_join(g->thread, NULL);
		g->started = 0;
	}
	for (int i = 0; i < RING_SLOTS; i++) {
		free(g->buf[i]);
		g->buf[i] = NULL;
	}
}

/* ---- decoders ------------------------------------------------------------ */

int cf_archive_support_filters(struct cf_ctx *ctx, struct archive *la,
			       int which)
{
	static const struct {
		const char *name;
		int (*enable)(struct archive *);
		int sets;
	} tab[] = {
		{"gzip", archive_read_support_filter_gzip,
		 CF_FILTERS_ARCHIVE | CF_FILTERS_LOGS},
		{"zstd", archive_read_support_filter_zstd,
		 CF_FILTERS_ARCHIVE | CF_FILTERS_LOGS},
		{"bzip2", archive_read_support_filter_bzip2, CF_FILTERS_LOGS},
		{"xz", archive_read_support_filter_xz, CF_FILTERS_LOGS},
	};

	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
		if (!(tab[i].sets & which))
			continue;
		/* ARCHIVE_WARN means "will run the external program": refused */
		if (tab[i].enable(la) != ARCHIVE_OK)
			return cf_set_fatal(ctx, 0,
					    "this libarchive has no built-in %s "
					    "decoder (casefile never runs an "
					    "external one)",
					    tab[i].name);
	}
	return CF_OK;
}

/* ---- open and close ---------------------------------------------------- */

static int open_fd(struct cf_ctx *ctx, int fd, int own_fd, const char *path,
		   cf_archive **out, const char **kind);

int cf_archive_open(struct cf_ctx *ctx, const char *path, cf_archive **out)
{
	return cf_archive_open_ex(ctx, path, out, NULL);
}

int cf_archive_open_ex(struct cf_ctx *ctx, const char *path, cf_archive **out,
		       const char **kind)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	if (kind)
		*kind = NULL;
	if (fd < 0)
		return cf_set_fatal(ctx, errno, "cannot open '%s'", path);
	return open_fd(ctx, fd, 1, path, out, kind); /* closes fd on failure */
}

int cf_archive_open_fd(struct cf_ctx *ctx, int fd, const char *label,
		       cf_archive **out, const char **kind)
{
	*out = NULL;
	if (kind)
		*kind = NULL;
	return open_fd(ctx, fd, 0, label, out, kind);
}

/* Opens the archive on fd (taken over and closed when own_fd). */
static int open_fd(struct cf_ctx *ctx, int fd, int own_fd, const char *path,
		   cf_archive **out, const char **kind)
{
	cf_archive *a;
	struct stat st;
	int rc = CF_FATAL;

	if (!(a = cf_calloc(1, sizeof *a))) {
		if (own_fd)
			close(fd);
		return cf_set_nomem(ctx, "opening an archive");
	}
	pthread_mutex_init(&a->ring.mu, NULL);
	pthread_cond_init(&a->ring.cv_free, NULL);
	pthread_cond_init(&a->ring.cv_full, NULL);
	a->fd = fd;
	a->own_fd = own_fd;
	cf_tap_init(&a->tap);
	if (fstat(a->fd, &st) < 0) {
		rc = cf_set_fatal(ctx, errno, "cannot stat '%s'", path);
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = cf_set_fatal(ctx, EISDIR, "cannot read '%s'", path);
		goto fail;
	}
	if (S_ISREG(st.st_mode) && st.st_size == 0) {
		a->kind = "truncated";
		rc = cf_set_error(ctx, 0, "'%s' is empty", path);
		goto fail;
	}
	if (!(a->h = cf_sha256_new(ctx)))
		goto fail;
	if (!(a->raw = archive_read_new()) || !(a->tar = archive_read_new())) {
		rc = cf_set_nomem(ctx, "opening an archive");
		goto fail;
	}
	if ((rc = cf_archive_support_filters(ctx, a->raw,
					     CF_FILTERS_ARCHIVE)) != CF_OK)
		goto fail;
	rc = CF_FATAL;
	if (archive_read_support_format_raw(a->raw) != ARCHIVE_OK ||
	    archive_read_support_format_tar(a->tar) != ARCHIVE_OK) {
		rc = cf_set_fatal(ctx, 0, "'%s': libarchive lacks tar or filter "
				  "support", path);
		goto fail;
	}
	{
		struct archive_entry *e;
		/* The raw format has one entry: the whole decompressed stream. */
		if (archive_read_open(a->raw, a, NULL, raw_read, NULL) !=
			    ARCHIVE_OK ||
		    archive_read_next_header(a->raw, &e) != ARCHIVE_OK) {
			const char *m = archive_error_string(a->raw);
			rc = cf_set_error(ctx, 0, "'%s': %s", path,
					  a->tap.kind ? a->tap.why
					  : m	      ? m
						      : "cannot decompress");
			a->kind = a->tap.kind ? a->tap.kind : "decompression-error";
			goto fail;
		}
	}
	if ((rc = ring_start(a, ctx)) != CF_OK)
		goto fail;
	rc = CF_FATAL;
	/* libarchive recognises the format here, reading the first header */
	if (archive_read_open(a->tar, a, NULL, feed, NULL) != ARCHIVE_OK) {
		if (a->why[0]) {
			rc = cf_set_error(ctx, 0, "'%s': %s", path, a->why);
		} else if (a->raw_eof && a->fed < 1024) {
			a->kind = "truncated";
			rc = cf_set_error(ctx, 0,
					  "'%s': truncated or not a tar archive: "
					  "%llu bytes, less than a tar header and "
					  "end marker",
					  path, (unsigned long long)a->fed);
		} else {
			a->kind = "bad-format";
			const char *m = archive_error_string(a->tar);
			rc = cf_set_error(ctx, 0, "'%s': not a tar archive: %s",
					  path, m ? m : "unrecognised format");
		}
		goto fail;
	}
	*out = a;
	return CF_OK;
fail:
	if (kind)
		*kind = a->kind;
	cf_archive_close(a);
	return rc;
}

void cf_archive_close(cf_archive *a)
{
	if (!a)
		return;
	/* tar first (it may call back into the ring), then the producer */
	if (a->tar)
		archive_read_free(a->tar);
	a->tar = NULL;
	ring_stop(a);
	pthread_mutex_destroy(&a->ring.mu);
	pthread_cond_destroy(&a->ring.cv_free);
	pthread_cond_destroy(&a->ring.cv_full);
	if (a->raw)
		archive_read_free(a->raw);
	cf_tap_release(&a->tap);
	if (a->fd >= 0 && a->own_fd)
		close(a->fd);
	cf_sha256_free(a->h);
	free(a->name);
	free(a->cap);
	free(a);
}

uint64_t cf_archive_position(const cf_archive *a)
{
	return a->packed;
}

uint64_t cf_archive_uncompressed(const cf_archive *a)
{
	return a->fed;
}

const char *cf_archive_error_kind(const cf_archive *a)
{
	return a ? a->kind : NULL;
}

/* ---- errors ------------------------------------------------------------- */

/* Turns a libarchive failure on the tar handle into our message and kind,
 * preferring what the seam recorded (libarchive reports a failed read
 * callback as a plain truncation). */
static int tar_fail(cf_archive *a, struct cf_ctx *ctx, const char *doing)
{
	const char *m = archive_error_string(a->tar);

	if (a->why[0])
		return cf_set_error(ctx, 0, "%s", a->why);
	if (!m)
		m = "unknown error";
	if (a->raw_eof || strstr(m, "runcat") || strstr(m, "remature")) {
		a->kind = "truncated";
		return cf_set_error(ctx, 0, "%s: the archive is truncated (%s)",
				    doing, m);
	}
	a->kind = "bad-header";
	return cf_set_error(ctx, 0, "%s: %s", doing, m);
}

/* After the end-of-archive marker: the marker must be whole, and whatever
 * follows must be zero padding (GNU tar and bsdtar pad to a record). */
static int check_end(cf_archive *a, struct cf_ctx *ctx)
{
	uint64_t pos = (uint64_t)archive_filter_bytes(a->tar, 0);
	uint64_t at;
	size_t i, skip;

	if (pos < a->padded_end + 1024) {
		a->kind = "truncated";
		return cf_set_error(ctx, 0,
				    "the archive is truncated: it ends at byte %llu "
				    "without the end-of-archive marker",
				    (unsigned long long)pos);
	}
	/* Bytes of the last block that tar has not consumed. */
	at = pos;
	skip = a->last_len - (size_t)(a->fed - pos > a->last_len
					       ? a->last_len
					       : a->fed - pos);
	for (;;) {
		for (i = skip; a->last && i < a->last_len; i++)
			if (a->last[i]) {
				a->kind = "trailing-data";
				return cf_set_error(
					ctx, 0,
					"data after the end-of-archive marker, at byte %llu "
					"of the tar stream",
					(unsigned long long)(at + (i - skip)));
			}
		at += a->last ? a->last_len - skip : 0;
		skip = 0;
		{
			const void *b;
			if (feed(a->tar, a, &b) < 0)
				return cf_set_error(ctx, 0, "%s", a->why);
		}
		if (a->raw_eof)
			break;
	}
	return CF_OK;
}

/* A bound archive that is no longer what was verified. */
static int changed(cf_archive *a, struct cf_ctx *ctx, const char *member,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int changed(cf_archive *a, struct cf_ctx *ctx, const char *member,
		   const char *fmt, ...)
{
	char detail[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	a->kind = CF_KIND_CHANGED;
	return cf_set_error(ctx, 0, "%s%s%s: the archive changed after it "
			    "was verified: %s",
			    member ? "'" : "", member ? member : "",
			    member ? "'" : "", detail);
}

/* ---- iteration ---------------------------------------------------------- */

/* Finishes the current member so that the next header can be read. Once
 * the caller moves on nobody can ask for this member's digest, so the rest
 * is skipped without hashing (a large member a reader does not want costs
 * decompression only). */
static int skip_rest(cf_archive *a, struct cf_ctx *ctx)
{
	uint8_t d[CF_SHA256_LEN];

	/* Bound: what a caller read of a member must be what was verified,
	 * so a member it began is hashed to its end and compared. */
	if (a->seen && a->name && (a->off || a->digested))
		return cf_archive_member_digest(a, ctx, d);
	if (!a->name || a->digested || a->data_eof)
		return CF_OK;
	a->pend = NULL;
	a->pend_len = 0;
	if (archive_read_data_skip(a->tar) != ARCHIVE_OK) {
		tar_fail(a, ctx, "skipping member data");
		return cf_error_prefix(ctx, "'%s'", a->name);
	}
	a->data_eof = 1;
	a->padded_end = ((uint64_t)archive_filter_bytes(a->tar, 0) + 511) &
			~(uint64_t)511;
	return CF_OK;
}

int cf_archive_next(cf_archive *a, struct cf_ctx *ctx, struct cf_member *m)
{
	struct archive_entry *e;
	const char *name;
	uint64_t before, pad_from;
	int r, rc = CF_OK;

	memset(m, 0, sizeof *m);
	if (a->ended)
		return CF_EOF;
	if (a->kind)
		return cf_set_error(ctx, 0, "the archive cannot be read further");
	if ((r = skip_rest(a, ctx)) != CF_OK)
		return r;
	before = (uint64_t)archive_filter_bytes(a->tar, 0);
	/* where the previous member's data ended (its padding follows) */
	pad_from = a->count ? a->pad_from : 0;
	a->hdr_from = pad_from;
	a->ncap = 0;
	a->cap_over = 0;
	a->hidden[0] = '\0';
	a->hdr_active = 1;
	r = archive_read_next_header(a->tar, &e);
	a->hdr_active = 0;
	free(a->name);
	a->name = NULL;
	if (r == ARCHIVE_EOF) {
		if (a->why[0])
			return cf_set_error(ctx, 0, "%s", a->why);
		if ((r = check_end(a, ctx)) != CF_OK)
			return r;
		if (a->seen && a->count != a->nseen)
			return changed(a, ctx, NULL,
				       "it now ends after %llu members, the "
				       "verified one had %zu",
				       (unsigned long long)a->count, a->nseen);
		a->ended = 1;
		return CF_EOF;
	}
	if (r < ARCHIVE_WARN)
		return tar_fail(a, ctx, "reading a member header");
	if (r == ARCHIVE_WARN) {
		rc = CF_WARN;
		const char *w = archive_error_string(a->tar);
		cf_set_error(ctx, 0, "member header: %s", w ? w : "warning");
	}
	if (a->count >= CF_ARCHIVE_MAX_MEMBERS) {
		a->kind = "limit";
		return cf_set_error(ctx, 0, "refused: more than %d members",
				    CF_ARCHIVE_MAX_MEMBERS);
	}
	a->data_start = (uint64_t)archive_filter_bytes(a->tar, 0);
	if (a->data_start - before > CF_ARCHIVE_MAX_HEADER + 512 * 3) {
		a->kind = "limit";
		return cf_set_error(ctx, 0,
				    "refused: a member header of %llu bytes "
				    "(limit %d)",
				    (unsigned long long)(a->data_start - before),
				    CF_ARCHIVE_MAX_HEADER);
	}
	name = archive_entry_pathname_utf8(e);
	if (!name)
		name = archive_entry_pathname(e);
	if (!(a->name = cf_strdup(name ? name : ""))) {
		a->kind = "limit";
		return cf_set_nomem(ctx, "reading a member header");
	}
	cf_archive_int_read_pax_digest(a, e);
	if (!a->cap_over)
		cf_archive_int_walk_headers(a, pad_from, a->data_start);
	if (a->seen && (a->count >= a->nseen ||
			strcmp(a->seen[a->count].name, a->name)))
		return changed(a, ctx, a->name,
			       "member %llu is not the one verified there (%s)",
			       (unsigned long long)a->count + 1,
			       a->count < a->nseen ? a->seen[a->count].name
						   : "none");

	a->size = archive_entry_size_is_set(e) && archive_entry_size(e) > 0
			  ? (uint64_t)archive_entry_size(e)
			  : 0;
	a->padded_end = a->data_start + ((a->size + 511) & ~(uint64_t)511);
	a->pad_from = archive_entry_sparse_count(e) ? a->padded_end
						     : a->data_start + a->size;
	a->off = 0;
	a->pend = NULL;
	a->pend_len = 0;
	a->digested = 0;
	a->data_eof = 0;
	a->has_data = archive_entry_filetype(e) == AE_IFREG &&
		      !archive_entry_hardlink(e);
	if (a->has_data == 0)
		a->data_eof = 1;
	if (cf_sha256_reset(a->h, ctx) != CF_OK)
		return CF_FATAL;

	m->name = a->name;
	m->size = a->size;
	m->type = (int)archive_entry_filetype(e);
	{
		/* saturate: a hostile header may claim any time */
		int64_t sec = (int64_t)archive_entry_mtime(e);
		if (sec > INT64_MAX / 1000000000 - 1)
			sec = INT64_MAX / 1000000000 - 1;
		if (sec < INT64_MIN / 1000000000 + 1)
			sec = INT64_MIN / 1000000000 + 1;
		m->mtime_ns = sec * 1000000000 + archive_entry_mtime_nsec(e);
	}
	m->pax_sha256 = a->pax_hex[0] ? a->pax_hex : NULL;
	m->mode = (unsigned)archive_entry_mode(e) & 07777;
	m->uid = archive_entry_uid(e);
	m->gid = archive_entry_gid(e);
	m->hidden = a->hidden[0] ? a->hidden : NULL;
	m->index = a->count++;
	m->link = archive_entry_hardlink(e);
	m->hardlink = m->link != NULL;
	if (!m->link)
		m->link = archive_entry_symlink(e);

	/* Unsafe members: the caller decides; the message says why. */
	if (cf_path_check_member(ctx, a->name) != CF_OK)
		return CF_WARN;
	if (m->hardlink)
		return cf_set_error(ctx, 0, "'%s' is a hard link", a->name),
		       CF_WARN;
	if (m->type != AE_IFREG) {
		const char *what = m->type == AE_IFLNK	 ? "a symbolic link"
				   : m->type == AE_IFDIR ? "a directory"
				   : m->type == AE_IFCHR ? "a character device"
				   : m->type == AE_IFBLK ? "a block device"
				   : m->type == AE_IFIFO ? "a fifo"
				   : m->type == AE_IFSOCK ? "a socket"
							  : "not a regular file";
		cf_set_error(ctx, 0, "'%s' is %s", a->name, what);
		return CF_WARN;
	}
	return rc;
}

/* ---- member data -------------------------------------------------------- */

/* Fetches the next data block from libarchive into pend. 1, 0 at the end of
 * the member's blocks, -1 on failure. */
static int fetch(cf_archive *a, struct cf_ctx *ctx)
{
	const void *b;
	size_t n;
	la_int64_t off;
	int r = archive_read_data_block(a->tar, &b, &n, &off);

	if (r == ARCHIVE_EOF)
		return 0;
	if (r < ARCHIVE_WARN) {
		tar_fail(a, ctx, "reading member data");
		cf_error_prefix(ctx, "'%s'", a->name);
		return -1;
	}
	if (off < 0 || (uint64_t)off < a->off || (uint64_t)off > a->size ||
	    n > a->size - (uint64_t)off) {
		a->kind = "bad-header";
		cf_set_error(ctx, 0, "'%s': data block out of place", a->name);
		return -1;
	}
	a->pend = b;
	a->pend_len = n;
	a->pend_off = (uint64_t)off;
	return 1;
}

/* Hands out up to max bytes of the current member at *p, hashing exactly
 * them: a piece of the pending block, or zeros for a hole of a sparse
 * member. Bytes, 0 at the end, -1 on failure. */
static long piece(cf_archive *a, struct cf_ctx *ctx, size_t max,
		  const void **p)
{
	size_t n;
	int r;

	*p = NULL;
	if (!a->name)
		return cf_set_error(ctx, 0, "no current member"), -1;
	if (a->digested || a->data_eof || max == 0)
		return 0;
	if (!a->pend) {
		if ((r = fetch(a, ctx)) < 0)
			return -1;
		if (r == 0) {
			/* libarchive has consumed the data and its padding;
			 * for a sparse member this is less than the size */
			uint64_t end = (uint64_t)archive_filter_bytes(a->tar, 0);
			a->padded_end = (end + 511) & ~(uint64_t)511;
		}
		if (r == 0 && a->off >= a->size) {
			a->data_eof = 1;
			return 0;
		}
		if (r == 0) {
			/* a trailing hole */
			a->pend = zeros;
			a->pend_len = 0;
			a->pend_off = a->size;
		}
	}
	if (a->pend_off > a->off) {
		/* a hole of a sparse member reads as zeros */
		uint64_t gap = a->pend_off - a->off;
		n = gap > ZERO_CHUNK ? ZERO_CHUNK : (size_t)gap;
		if (n > max)
			n = max;
		a->holes += n;
		if (over_ratio(a))
			return cf_set_error(ctx, 0, "'%s': %s", a->name, a->why),
			       -1;
		*p = zeros;
	} else {
		n = a->pend_len < max ? a->pend_len : max;
		*p = a->pend;
		a->pend += n;
		a->pend_len -= n;
		a->pend_off += n;
	}
	if (cf_sha256_update(a->h, ctx, *p, n) != CF_OK)
		return -1;
	a->off += n;
	if (a->pend && a->pend_len == 0 && a->pend_off <= a->off)
		a->pend = NULL;
	return (long)n;
}

long cf_archive_read_block(cf_archive *a, struct cf_ctx *ctx, const void **p)
{
	long n;

	/* A block may be empty (libarchive hands out 0-byte blocks at times). */
	while ((n = piece(a, ctx, (size_t)-1 / 2, p)) == 0 && !a->data_eof &&
	       !a->digested && a->name)
		;
	return n;
}

long cf_archive_read(cf_archive *a, struct cf_ctx *ctx, void *buf, size_t n)
{
	const void *p;
	long got;

	if (n > (size_t)LONG_MAX)
		n = (size_t)LONG_MAX;
	while ((got = piece(a, ctx, n, &p)) == 0 && n && !a->data_eof &&
	       !a->digested && a->name)
		;
	if (got > 0)
		memcpy(buf, p, (size_t)got);
	return got;
}

int cf_archive_member_digest(cf_archive *a, struct cf_ctx *ctx,
			     uint8_t out[CF_SHA256_LEN])
{
	const void *p;
	long n;

	if (!a->name)
		return cf_set_error(ctx, 0, "no current member");
	if (!a->digested) {
		while ((n = cf_archive_read_block(a, ctx, &p)) > 0)
			;
		if (n < 0)
			return CF_FAILED;
		if (cf_sha256_final(a->h, ctx, a->digest) != CF_OK)
			return CF_FATAL;
		a->digested = 1;
	}
	if (a->seen) {
		/* next() checked the name at this position */
		const struct cf_seen *v = &a->seen[a->count - 1];
		if (!v->hashed)
			return changed(a, ctx, a->name,
				       "its data was not verified");
		if (memcmp(v->digest, a->digest, CF_SHA256_LEN))
			return changed(a, ctx, a->name,
				       "its data differs from the bytes "
				       "verified");
	}
	memcpy(out, a->digest, CF_SHA256_LEN);
	return CF_OK;
}

int cf_archive_reopen(struct cf_ctx *ctx, const struct cf_verify_result *vr,
		      cf_archive **out)
{
	int rc;

	*out = NULL;
	if (vr->fd < 0 || !vr->seen)
		return cf_set_fatal(ctx, EINVAL, "'%s' was not verified for "
				    "reading again", vr->path);
	/* The same open file, never the path again: a file renamed over it,
	 * or a FIFO serving a second archive, is never what gets read. */
	if (lseek(vr->fd, 0, SEEK_SET) != 0)
		return cf_set_fatal(ctx, errno == ESPIPE ? 0 : errno,
				    "'%s' cannot be read a second time from "
				    "the start (%s): copy it to a regular "
				    "file first",
				    vr->path,
				    errno == ESPIPE ? "not a regular file"
						    : strerror(errno));
	if ((rc = open_fd(ctx, vr->fd, 0, vr->path, out, NULL)) != CF_OK)
		return rc;
	(*out)->seen = vr->seen;
	(*out)->nseen = vr->nseen;
	return CF_OK;
}
