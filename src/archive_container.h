/* SPDX-License-Identifier: Apache-2.0
 *
 * Private to the archive reader (src/archive.c): the walker over the
 * compressed container (src/archive_container.c), which sees every byte of
 * the file on its way to libarchive and refuses what no signature covers.
 */
#ifndef CASEFILE_ARCHIVE_CONTAINER_H
#define CASEFILE_ARCHIVE_CONTAINER_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#define RAW_BLOCK (128 * 1024) /* read(2) size for the compressed file */

/* The walker over the compressed container (see below). */
struct tap {
	int state;
	uint8_t acc[16];      /* a header field being assembled */
	size_t nacc, need;
	uint64_t skip;        /* bytes to pass over */
	uint64_t total;       /* compressed bytes seen */
	int gzflags, zsum, frames;
	size_t namelen;
	z_stream z;
	int zinit;
	const char *kind;     /* problem kind, or NULL */
	char why[300];
	uint8_t buf[RAW_BLOCK];
};

void cf_tap_init(struct tap *t);
/* The next n bytes of the file (eof: there are no more). 0, or -1 with the
 * problem on t (kind, why). */
int cf_tap_feed(struct tap *t, const uint8_t *p, size_t n, int eof);
void cf_tap_release(struct tap *t);

#endif
