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
 * cf_atomic_dir_*() do the same for a set of files published together
 * into one folder.
 */
#ifndef CASEFILE_ATOMIC_H
#define CASEFILE_ATOMIC_H

#include <stddef.h>
#include <sys/types.h>

#include "casefile/buf.h"

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

/* ---- publishing a set of files into a folder -----------------------------
 * For a package of files (a breach notification package) that must appear
 * whole or not at all, never as half a package or a mix of a new package
 * and an earlier one in the same folder:
 *
 *	struct cf_atomic_dir d;
 *	if (cf_atomic_dir_begin(ctx, &d, out, 0700, "report") != CF_OK) ...
 *	cf_atomic_dir_add(ctx, &d, "report.md", text, len, 0600);  (each file)
 *	rc = ok ? cf_atomic_dir_commit(ctx, &d, &unsynced) : CF_FAILED;
 *	cf_atomic_dir_abort(&d);                    (always; no-op after commit)
 *
 * The files are written (atomically, synced) into a hidden staging folder
 * inside the output folder, "<dir>/.casefile-<tag>-XXXXXX", and renamed
 * into place only at the commit, once every one is there. Everything that
 * can fail for lack of memory or space comes before the first rename;
 * renames within one folder do not fail for either. */
struct cf_atomic_dir {
	char *dir;           /* the output folder */
	char *stage;         /* the staging folder inside it */
	struct cf_buf names; /* the files added: NUL-ended names, in order */
};

/* Creates dir with mode when absent (one level, as mkdir(2)), then the
 * staging folder in it. On failure d needs no abort (it may have one). */
int cf_atomic_dir_begin(struct cf_ctx *ctx, struct cf_atomic_dir *d,
			const char *dir, mode_t mode, const char *tag);
/* Writes the file name (a plain name, no '/') into the staging folder,
 * atomically and synced, with mode. */
int cf_atomic_dir_add(struct cf_ctx *ctx, struct cf_atomic_dir *d,
		      const char *name, const void *p, size_t n, mode_t mode);
/* For a file another writer makes itself: the path in the staging folder
 * to write name at (the caller frees it; NULL with the error set), and the
 * name is published at the commit. */
char *cf_atomic_dir_path(struct cf_ctx *ctx, struct cf_atomic_dir *d,
			 const char *name);
/* Renames every file added into place, then syncs the output folder. A
 * failed sync of the folder, once the files are in place, cannot be undone
 * without losing the earlier package too: it is a warning (*unsynced gets
 * the errno), not an error. Removes the staging folder either way; a
 * failed rename leaves the files not yet moved out of the output folder. */
int cf_atomic_dir_commit(struct cf_ctx *ctx, struct cf_atomic_dir *d,
			 int *unsynced);
/* Removes the staging folder and whatever is in it, and frees d. Safe
 * after a failed begin and after the commit. */
void cf_atomic_dir_abort(struct cf_atomic_dir *d);

#endif
