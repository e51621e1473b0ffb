/* SPDX-License-Identifier: Apache-2.0
 *
 * Growable byte buffer, always NUL-terminated so it can serve as a string.
 *
 * Used to build messages, manifests and JSON text without fixed-size arrays.
 * Growth doubles the capacity; a buffer that would pass `limit` (when set)
 * fails instead of growing, which is how callers bound memory on hostile
 * input.
 *
 * The first failure is sticky, as SQLite's sqlite3_str keeps accError:
 * every later append is a no-op that fails the same way, so a function
 * that builds a document writes its appends plainly and asks
 * cf_buf_error() once at the end (or once per section) instead of
 * checking each call. The appends still return -1 on failure for callers
 * that want to stop at once.
 */
#ifndef CASEFILE_BUF_H
#define CASEFILE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct cf_buf {
	char *data;    /* NUL-terminated; NULL until the first growth */
	size_t len;    /* bytes used, not counting the NUL */
	size_t cap;    /* bytes allocated */
	size_t limit;  /* maximum len, 0 = unbounded */
	int err;       /* first failure: 0, ENOMEM, E2BIG (cf_buf_error) */
};

void cf_buf_init(struct cf_buf *b);
/* Frees the storage; the buffer may be reused after cf_buf_init(). */
void cf_buf_release(struct cf_buf *b);
/* Wipes then frees (for secrets and PHI). */
void cf_buf_release_secret(struct cf_buf *b);
/* Empties without freeing, and forgets an earlier failure. */
void cf_buf_reset(struct cf_buf *b);
/* The first failure of an append or reserve since cf_buf_init or
 * cf_buf_reset: 0, ENOMEM or E2BIG (or the errno of a format that
 * vsnprintf refused). While it is set, the buffer keeps the
 * text appended before the failure and every append is a no-op. */
int cf_buf_error(const struct cf_buf *b);
/* Each returns 0, or -1 with errno ENOMEM (or E2BIG past the limit), and
 * after a failure -1 with errno cf_buf_error(b) without appending. */
int cf_buf_reserve(struct cf_buf *b, size_t extra);
int cf_buf_append(struct cf_buf *b, const void *p, size_t n);
int cf_buf_puts(struct cf_buf *b, const char *s);
int cf_buf_putc(struct cf_buf *b, char c);
int cf_buf_printf(struct cf_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int cf_buf_vprintf(struct cf_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Hands the storage to the caller (who frees it with free()); the buffer is
 * left empty. Returns "" (heap) for an empty buffer, NULL on no memory. */
char *cf_buf_detach(struct cf_buf *b);
/* Reads a whole file into b, refusing more than max bytes (0 = no limit). */
struct cf_ctx;
int cf_buf_read_file(struct cf_ctx *ctx, struct cf_buf *b, const char *path,
		     size_t max);

#endif
