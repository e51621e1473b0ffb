/* SPDX-License-Identifier: Apache-2.0
 *
 * The last line of an append-only file, read backwards from its end.
 *
 * Append-only logs (the custody log, seal files) chain each new line to the
 * previous one; reading the whole file to find that line would make every
 * append cost as much as the log is long. Reading backwards in blocks costs
 * one line, bounded by `max` so that a hostile file cannot make it allocate
 * without limit.
 */
#ifndef CASEFILE_LINES_H
#define CASEFILE_LINES_H

#include <stddef.h>
#include <sys/types.h>

struct cf_ctx;
struct cf_buf;

/* For a file of `size` bytes whose last byte (at size - 1) ends a line,
 * puts that line without its newline into b (replacing its content) and its
 * start offset into *start (may be NULL). Fails (naming path) when the line
 * is longer than max or cannot be read. */
int cf_last_line(struct cf_ctx *ctx, int fd, off_t size, size_t max,
		 const char *path, struct cf_buf *b, off_t *start);
/* Offset just after the last '\n' of the file's first `size` bytes (0 when
 * there is none): the length of its complete lines. */
int cf_complete_length(struct cf_ctx *ctx, int fd, off_t size,
		       const char *path, off_t *len);

#endif
