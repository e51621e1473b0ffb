/* SPDX-License-Identifier: Apache-2.0
 *
 * Reading the end of append-only line files backwards (see lines.h).
 *
 * Only pread(2) is used, so the file offset of a descriptor opened with
 * O_APPEND by the caller is never disturbed; nothing here writes.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/lines.h"

#define BLOCK 4096

/* Offset after the last '\n' in [floor, size), or -1 when there is none
 * there (-2 with ctx set on a read error). */
static off_t after_last_nl(struct cf_ctx *ctx, int fd, off_t size, off_t floor,
			   const char *path)
{
	char blk[BLOCK];
	off_t pos = size;

	while (pos > floor) {
		size_t n = pos - floor > BLOCK ? BLOCK : (size_t)(pos - floor);
		ssize_t r = pread(fd, blk, n, pos - (off_t)n);
		char *nl;
		if (r != (ssize_t)n) {
			cf_set_error(ctx, r < 0 ? errno : EIO, "cannot read '%s'",
				     path);
			return -2;
		}
		if ((nl = memrchr(blk, '\n', n)))
			return pos - (off_t)n + (nl - blk) + 1;
		pos -= (off_t)n;
	}
	return -1;
}

int cf_complete_length(struct cf_ctx *ctx, int fd, off_t size,
		       const char *path, off_t *len)
{
	off_t r = after_last_nl(ctx, fd, size, 0, path);

	if (r == -2)
		return CF_FAILED;
	*len = r < 0 ? 0 : r;
	return CF_OK;
}

int cf_last_line(struct cf_ctx *ctx, int fd, off_t size, size_t max,
		 const char *path, struct cf_buf *b, off_t *start)
{
	off_t end = size - 1, pos, floor;

	if (size <= 0)
		return cf_set_error(ctx, 0, "'%s' is empty", path);
	/* The line starts after the last '\n' before the final one; looking
	 * further back than max bytes is pointless. */
	floor = end > (off_t)max ? end - (off_t)max - 1 : 0;
	pos = after_last_nl(ctx, fd, end, floor, path);
	if (pos == -2)
		return CF_FAILED;
	if (pos == -1)
		pos = floor == 0 ? 0 : -1;
	if (pos < 0 || (size_t)(end - pos) > max)
		return cf_set_error(ctx, 0, "'%s': last line longer than %zu bytes",
				    path, max);
	cf_buf_reset(b);
	if (cf_buf_reserve(b, (size_t)(end - pos) + 1))
		return cf_set_nomem(ctx, path);
	if (pread(fd, b->data, (size_t)(end - pos), pos) != end - pos)
		return cf_set_error(ctx, errno ? errno : EIO, "cannot read '%s'", path);
	b->len = (size_t)(end - pos);
	b->data[b->len] = '\0';
	if (start)
		*start = pos;
	return CF_OK;
}
