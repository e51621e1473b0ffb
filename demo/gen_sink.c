/* SPDX-License-Identifier: Apache-2.0
 *
 * Output sinks of the generator: per-hour line buffers sorted by time, then
 * written through one large buffer (plain files) or zlib (".gz" files).
 *
 * Why sort: several modules feed one file (the web log gets EHR, inference
 * and static requests) and each makes its lines in its own order; logs on a
 * real host are in time order. Lines live in one arena per sink that is
 * reused every hour, so there is no allocation per line. A sink never writes
 * outside the path it is given and never appends to an existing file: the
 * generator's folder is new.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "gen.h"

#define OUT_CHUNK (1u << 20)

int gen_grow(void *arr, size_t *cap, size_t n, size_t size, size_t first)
{
	void **p = arr, *q;
	size_t c = *cap ? *cap * 2 : first;

	if (n < *cap)
		return 0;
	if (!(q = cf_realloc(*p, c * size)))
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

void gen_sink_init(struct gen_sink *s, const char *name)
{
	memset(s, 0, sizeof *s);
	s->name = name;
	s->fd = -1;
	cf_buf_init(&s->arena);
	cf_buf_init(&s->out);
}

static int write_out(struct cf_ctx *ctx, struct gen_sink *s)
{
	if (!s->out.len)
		return CF_OK;
	if (s->gz) {
		if (gzwrite(s->gz, s->out.data, (unsigned)s->out.len) !=
		    (int)s->out.len)
			return cf_set_error(ctx, errno, "cannot write '%s'", s->path);
	} else {
		if (cf_write_all(s->fd, s->out.data, s->out.len) < 0)
			return cf_set_error(ctx, errno, "cannot write '%s'", s->path);
		s->bytes += s->out.len;
	}
	cf_buf_reset(&s->out);
	return CF_OK;
}

int gen_sink_close(struct cf_ctx *ctx, struct gen_sink *s)
{
	int rc = CF_OK;

	if (!s->path)
		return CF_OK;
	if (s->n)
		rc = gen_sink_flush(ctx, s);
	if (rc == CF_OK)
		rc = write_out(ctx, s);
	if (s->gz) {
		if (gzclose(s->gz) != Z_OK && rc == CF_OK)
			rc = cf_set_error(ctx, errno, "cannot write '%s'", s->path);
		s->gz = NULL;
		struct stat st;
		if (rc == CF_OK && stat(s->path, &st) == 0)
			s->bytes += (uint64_t)st.st_size;
	} else if (s->fd >= 0) {
		if (close(s->fd) < 0 && rc == CF_OK)
			rc = cf_set_error(ctx, errno, "cannot write '%s'", s->path);
	}
	s->fd = -1;
	if (rc == CF_OK && s->last_t > 0) {
		/* A log's mtime is its last write: collectors record it and the
		 * timeline infers the year of year-less lines from it. */
		struct timespec ts[2];
		ts[0].tv_sec = ts[1].tv_sec = (time_t)(s->last_t / 1000000);
		ts[0].tv_nsec = ts[1].tv_nsec = (long)(s->last_t % 1000000) * 1000;
		if (utimensat(AT_FDCWD, s->path, ts, 0) < 0)
			rc = cf_set_error(ctx, errno, "cannot set the times of '%s'",
					  s->path);
	}
	free(s->path);
	s->path = NULL;
	s->last_t = 0;
	return rc;
}

int gen_sink_switch(struct cf_ctx *ctx, struct gen_sink *s, const char *path)
{
	size_t n = strlen(path);
	int rc;

	if (s->path && !strcmp(s->path, path))
		return CF_OK;
	if ((rc = gen_sink_close(ctx, s)) != CF_OK)
		return rc;
	if (!(s->path = cf_strdup(path)))
		return cf_set_nomem(ctx, path);
	s->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		     0640);
	if (s->fd < 0)
		return cf_set_error(ctx, errno, "cannot create '%s'", path);
	if (n > 3 && !strcmp(path + n - 3, ".gz")) {
		/* Level 1: rotated logs are a third of the web log and the
		 * benchmark inputs must be quick to make; the format is the same. */
		if (!(s->gz = gzdopen(s->fd, "wb1")))
			return cf_set_error(ctx, ENOMEM, "cannot start gzip on '%s'",
					    path);
		s->fd = -1; /* owned by zlib now */
	}
	s->files++;
	return CF_OK;
}

int gen_sink_printf(struct gen_sink *s, int64_t t, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	/* One vsnprintf in the common case: reserve, format, retry only when a
	 * line is longer than the reserve. */
	for (size_t want = 1024;; want = (size_t)n + 2) {
		if (cf_buf_reserve(&s->arena, want) < 0)
			return -1;
		room = s->arena.cap - s->arena.len;
		va_start(ap, fmt);
		n = vsnprintf(s->arena.data + s->arena.len, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -1;
		if ((size_t)n + 1 < room)
			break;
	}
	if (gen_grow(&s->lines, &s->cap, s->n, sizeof *s->lines, 4096) < 0)
		return -1;
	s->arena.data[s->arena.len + (size_t)n] = '\n';
	s->lines[s->n++] = (struct gen_line){t, s->seq++, (uint32_t)s->arena.len,
					     (uint32_t)n + 1};
	s->arena.len += (size_t)n + 1;
	s->arena.data[s->arena.len] = '\0';
	return 0;
}

static int cmp_line(const void *a, const void *b)
{
	const struct gen_line *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int gen_sink_flush(struct cf_ctx *ctx, struct gen_sink *s)
{
	int rc;

	if (!s->n)
		return CF_OK;
	if (!s->path)
		return cf_set_error(ctx, 0, "%s: no file open", s->name);
	qsort(s->lines, s->n, sizeof *s->lines, cmp_line);
	for (size_t i = 0; i < s->n; i++) {
		const struct gen_line *l = &s->lines[i];
		if (cf_buf_append(&s->out, s->arena.data + l->off, l->len) < 0)
			return cf_set_nomem(ctx, s->path);
		if (s->out.len >= OUT_CHUNK && (rc = write_out(ctx, s)) != CF_OK)
			return rc;
	}
	s->last_t = s->lines[s->n - 1].t;
	s->events += s->n;
	s->n = 0;
	cf_buf_reset(&s->arena);
	return CF_OK;
}

void gen_sink_release(struct gen_sink *s)
{
	if (s->gz)
		gzclose(s->gz);
	if (s->fd >= 0)
		close(s->fd);
	free(s->path);
	free(s->lines);
	cf_buf_release(&s->arena);
	cf_buf_release(&s->out);
	gen_sink_init(s, s->name);
}
