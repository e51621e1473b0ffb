/* SPDX-License-Identifier: Apache-2.0
 *
 * Growable, NUL-terminated byte buffer (see include/casefile/buf.h).
 *
 * Capacity doubles from 256 bytes so appending n bytes costs O(n) amortised;
 * an optional limit turns "grow without end on a hostile 4 GB line" into an
 * E2BIG error the caller can report. cf_buf_reserve() is the one place
 * that can fail, so it is where the first failure is recorded (b->err)
 * and where every later append is refused: the error is sticky until
 * cf_buf_reset().
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/error.h"

void cf_buf_init(struct cf_buf *b)
{
	memset(b, 0, sizeof *b);
}

void cf_buf_release(struct cf_buf *b)
{
	free(b->data);
	cf_buf_init(b);
}

void cf_buf_release_secret(struct cf_buf *b)
{
	cf_free_secret(b->data, b->cap);
	cf_buf_init(b);
}

void cf_buf_reset(struct cf_buf *b)
{
	b->len = 0;
	b->err = 0;
	if (b->data)
		b->data[0] = '\0';
}

int cf_buf_error(const struct cf_buf *b)
{
	return b->err;
}

/* Records the first failure; returns -1 with errno set to it. */
static int fail(struct cf_buf *b, int err)
{
	if (!b->err)
		b->err = err;
	errno = b->err;
	return -1;
}

int cf_buf_reserve(struct cf_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->err)
		return fail(b, b->err);
	if (extra > SIZE_MAX - b->len - 1)
		return fail(b, ENOMEM);
	need = b->len + extra + 1;
	if (b->limit && b->len + extra > b->limit)
		return fail(b, E2BIG);
	/* Whenever there is storage, it holds the text and its NUL. */
	assert(!b->data || b->len < b->cap);
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = cf_realloc(b->data, cap);
	if (!p)
		return fail(b, ENOMEM);
	b->data = p;
	b->cap = cap;
	return 0;
}

int cf_buf_append(struct cf_buf *b, const void *p, size_t n)
{
	if (cf_buf_reserve(b, n) < 0)
		return -1;
	assert(p || !n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	assert(b->len < b->cap);
	b->data[b->len] = '\0';
	return 0;
}

int cf_buf_puts(struct cf_buf *b, const char *s)
{
	return cf_buf_append(b, s, strlen(s));
}

int cf_buf_putc(struct cf_buf *b, char c)
{
	return cf_buf_append(b, &c, 1);
}

int cf_buf_vprintf(struct cf_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return fail(b, errno ? errno : EINVAL);
	if (cf_buf_reserve(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	assert(b->len < b->cap && b->data[b->len] == '\0');
	return 0;
}

int cf_buf_printf(struct cf_buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = cf_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

char *cf_buf_detach(struct cf_buf *b)
{
	char *p;

	if (!b->data) {
		if (cf_buf_reserve(b, 0) < 0)
			return NULL;
		b->data[0] = '\0'; /* fresh storage is not yet a string */
	}
	p = b->data;
	cf_buf_init(b);
	return p;
}

int cf_buf_read_file(struct cf_ctx *ctx, struct cf_buf *b, const char *path,
		     size_t max)
{
	char chunk[65536];
	int fd, rc = CF_OK;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return cf_set_error(ctx, errno, "cannot open '%s'", path);
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof chunk);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = cf_set_error(ctx, errno, "cannot read '%s'", path);
			break;
		}
		if (r == 0)
			break;
		if (max && b->len + (size_t)r > max) {
			rc = cf_set_error(ctx, 0, "'%s' is larger than %zu bytes",
					  path, max);
			break;
		}
		if (cf_buf_append(b, chunk, (size_t)r) < 0) {
			rc = cf_set_nomem(ctx, path);
			break;
		}
	}
	close(fd);
	return rc;
}
