/* SPDX-License-Identifier: Apache-2.0
 *
 * Atomic file writing: "<path>.partial", fsync, rename, fsync of the folder.
 *
 * Evidence archives, keys, seals and reports must never exist half-written
 * under their final name: a reader (or a court) would take a truncated file
 * for a complete one. Nothing here follows a symlink at the partial name.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/atomic.h"
#include "casefile/error.h"

int cf_atomic_begin(struct cf_ctx *ctx, struct cf_atomic *a, const char *path,
		    mode_t mode, int flags)
{
	struct stat st;
	size_t l = strlen(path);

	a->fd = -1;
	a->tmp = NULL;
	a->path = NULL;
	a->no_replace = !!(flags & CF_ATOMIC_NO_REPLACE);
	if (a->no_replace && lstat(path, &st) == 0)
		return cf_set_error(ctx, EEXIST, "'%s'", path);
	a->path = cf_strdup(path);
	a->tmp = cf_malloc(l + sizeof ".partial");
	if (!a->path || !a->tmp) {
		/* Not cf_atomic_abort(): tmp holds no name yet, and unlinking
		 * whatever its bytes spell could delete an unrelated file. */
		free(a->path);
		free(a->tmp);
		a->path = a->tmp = NULL;
		return cf_set_nomem(ctx, path);
	}
	memcpy(a->tmp, path, l);
	memcpy(a->tmp + l, ".partial", sizeof ".partial");
	/* A stale partial file from a killed run is replaced; a symlink
	 * planted there is not followed (O_NOFOLLOW fails on it). Open for
	 * reading too, so that what was written can be checked through the
	 * same open file before the commit (`add` verifies its copy so). */
	a->fd = open(a->tmp, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		     mode);
	if (a->fd < 0) {
		int e = errno;
		cf_set_error(ctx, e, "cannot create '%s'", a->tmp);
		free(a->tmp);
		free(a->path);
		a->tmp = a->path = NULL;
		return CF_FAILED;
	}
	/* open() honours the umask; the caller's mode (0600 for keys) is
	 * what must hold. */
	if (fchmod(a->fd, mode) < 0) {
		int e = errno;
		cf_atomic_abort(a);
		return cf_set_error(ctx, e, "cannot set mode of '%s'", path);
	}
	return CF_OK;
}

int cf_atomic_write(struct cf_ctx *ctx, struct cf_atomic *a, const void *p,
		    size_t n)
{
	/* Only between a successful cf_atomic_begin() and the commit. */
	assert(a->fd >= 0 && a->tmp && a->path);
	if (cf_write_all(a->fd, p, n) < 0)
		return cf_set_error(ctx, errno, "cannot write '%s'", a->tmp);
	return CF_OK;
}

int cf_fsync_parent(struct cf_ctx *ctx, const char *path)
{
	char *copy = cf_strdup(path);
	int fd, rc = CF_OK;

	if (!copy)
		return cf_set_nomem(ctx, path);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		rc = cf_set_error(ctx, errno, "cannot open folder of '%s'", path);
	else if (cf_fsync(fd) < 0 && errno != EINVAL)
		rc = cf_set_error(ctx, errno, "cannot sync folder of '%s'", path);
	if (fd >= 0)
		close(fd);
	free(copy);
	return rc;
}

int cf_atomic_commit(struct cf_ctx *ctx, struct cf_atomic *a)
{
	struct stat st;
	int rc;

	if (a->fd < 0)
		return cf_set_error(ctx, EBADF, "atomic write not open");
	/* An open partial file always has both names (cf_atomic_begin). */
	assert(a->tmp && a->path);
	if (cf_fsync(a->fd) < 0) {
		rc = cf_set_error(ctx, errno, "cannot sync '%s'", a->tmp);
		goto fail;
	}
	if (close(a->fd) < 0) {
		a->fd = -1;
		rc = cf_set_error(ctx, errno, "cannot close '%s'", a->tmp);
		goto fail;
	}
	a->fd = -1;
	if (a->no_replace && lstat(a->path, &st) == 0) {
		rc = cf_set_error(ctx, EEXIST, "'%s'", a->path);
		goto fail;
	}
	if (rename(a->tmp, a->path) < 0) {
		rc = cf_set_error(ctx, errno, "cannot rename '%s' to '%s'", a->tmp,
				  a->path);
		goto fail;
	}
	free(a->tmp);
	a->tmp = NULL;
	assert(a->fd < 0 && a->path);
	/* Without the folder's fsync the rename may not survive a power cut.
	 * The caller is told the write failed, so the file must not stay
	 * under its final name looking complete. */
	rc = cf_fsync_parent(ctx, a->path);
	if (rc != CF_OK)
		unlink(a->path);
	free(a->path);
	a->path = NULL;
	return rc;
fail:
	cf_atomic_abort(a);
	return rc;
}

void cf_atomic_abort(struct cf_atomic *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	if (a->tmp)
		unlink(a->tmp);
	free(a->tmp);
	free(a->path);
	a->tmp = a->path = NULL;
}

int cf_write_file_atomic(struct cf_ctx *ctx, const char *path, const void *p,
			 size_t n, mode_t mode, int flags)
{
	struct cf_atomic a;
	int rc;

	rc = cf_atomic_begin(ctx, &a, path, mode, flags);
	if (rc != CF_OK)
		return rc;
	rc = cf_atomic_write(ctx, &a, p, n);
	if (rc != CF_OK) {
		cf_atomic_abort(&a);
		return rc;
	}
	return cf_atomic_commit(ctx, &a);
}
