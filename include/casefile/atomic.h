/* SPDX-License-Identifier: Apache-2.0
 *
 * Atomic file writing: a file appears under its final name complete or not
 * at all.
 *
 * cf_atomic_begin() creates "<path>.partial" beside the target (same folder,
 * so rename(2) is atomic), cf_atomic_commit() fsyncs it, renames it over the
 * target and fsyncs the folder so the rename survives a power cut;
 * cf_atomic_abort() unlinks the partial file. A crash at any point leaves
 * at worst a ".partial" file, never a truncated file under the final name.
 */
#ifndef CASEFILE_ATOMIC_H
#define CASEFILE_ATOMIC_H

#include <stddef.h>
#include <sys/types.h>

struct cf_ctx;

struct cf_atomic {
	int fd;        /* open for writing, -1 when closed */
	char *tmp;     /* "<path>.partial" */
	char *path;    /* final name */
	int no_replace;/* refuse to replace an existing target at commit */
};

/* Opens the partial file with `mode`. flags: CF_ATOMIC_NO_REPLACE fails at
 * begin (and again at commit) when the target exists. */
#define CF_ATOMIC_NO_REPLACE 1
int cf_atomic_begin(struct cf_ctx *ctx, struct cf_atomic *a, const char *path,
		    mode_t mode, int flags);
int cf_atomic_write(struct cf_ctx *ctx, struct cf_atomic *a, const void *p,
		    size_t n);
int cf_atomic_commit(struct cf_ctx *ctx, struct cf_atomic *a);
/* Safe to call after a failed begin or after commit (then a no-op). */
void cf_atomic_abort(struct cf_atomic *a);

/* Writes a whole file atomically in one call. */
int cf_write_file_atomic(struct cf_ctx *ctx, const char *path, const void *p,
			 size_t n, mode_t mode, int flags);

/* fsyncs the folder that holds `path`. */
int cf_fsync_parent(struct cf_ctx *ctx, const char *path);

#endif
