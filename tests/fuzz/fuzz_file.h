/* SPDX-License-Identifier: Apache-2.0
 *
 * For fuzz targets whose entry point reads a file by path (custody logs,
 * seals, proofs, incident files): writes the input to a fresh temporary
 * file (a real file: the readers refuse to follow symlinks such as
 * /proc/self/fd/N) and removes it afterwards. Header-only: each target is
 * one program.
 */
#ifndef CASEFILE_FUZZ_FILE_H
#define CASEFILE_FUZZ_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "casefile/core.h"
#include "casefile/error.h"
#include "casefile/sign.h"

/* Writes data to a new temporary file whose name goes to path; the caller
 * calls fuzz_file_done(path). Returns 0, or -1 (nothing to remove). */
static inline int fuzz_file(const uint8_t *data, size_t size, char path[64])
{
	const char *tmp = getenv("TMPDIR");
	size_t off = 0;
	int fd;

	snprintf(path, 64, "%s/casefile-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if ((fd = mkstemp(path)) < 0)
		return -1;
	while (off < size) {
		ssize_t w = write(fd, data + off, size - off);
		if (w <= 0) {
			close(fd);
			unlink(path);
			return -1;
		}
		off += (size_t)w;
	}
	close(fd);
	return 0;
}

static inline void fuzz_file_done(const char *path)
{
	unlink(path);
}

/* The start of a target that checks a signed file (custody log, seal,
 * proof): the core and ctx ready, *key generated on the first call (the
 * target keeps it in a static), the input in a temporary file as by
 * fuzz_file(). Returns 0, or -1 when there is nothing to check. */
static inline int fuzz_signed_file(const uint8_t *data, size_t size,
				   char path[64], cf_key **key,
				   struct cf_ctx *ctx)
{
	cf_core_init();
	cf_ctx_init(ctx);
	if (!*key && !(*key = cf_key_generate(ctx)))
		abort();
	return fuzz_file(data, size, path);
}

#endif
