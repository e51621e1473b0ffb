/* SPDX-License-Identifier: Apache-2.0
 *
 * Atomic file writing: "<path>.partial", fsync, rename, fsync of the folder.
 *
 * Evidence archives, keys, seals and reports must never exist half-written
 * under their final name: a reader (or a court) would take a truncated file
 * for a complete one. Nothing here follows a symlink at the partial name.
 * A set of files published together (a report package) goes through a
 * hidden staging folder in the output folder and is renamed into place
 * only once every file is written and synced (cf_atomic_dir_*).
 */
#include <assert.h>
#include <dirent.h>
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
#include "casefile/path.h"

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
	int rc, replaced;

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
	replaced = lstat(a->path, &st) == 0;
	if (rename(a->tmp, a->path) < 0) {
		rc = cf_set_error(ctx, errno, "cannot rename '%s' to '%s'", a->tmp,
				  a->path);
		goto fail;
	}
	free(a->tmp);
	a->tmp = NULL;
	assert(a->fd < 0 && a->path);
	/* Without the folder's fsync the rename may not survive a power cut.
	 * The caller is told the write failed, so a new file must not stay
	 * under its final name looking complete. A file that replaced one
	 * (a state file rewritten in place) stays: its bytes are whole and
	 * synced, and removing it would lose the old version too, which the
	 * rename already took; after a power cut the folder holds either. */
	rc = cf_fsync_parent(ctx, a->path);
	if (rc != CF_OK && !replaced)
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

/* ---- publishing a set of files into a folder ---------------------------- */

/* A name the staging folder and the output folder can both hold as one
 * file of their own: no '/', not "." or "..", not empty. */
static int plain_name(struct cf_ctx *ctx, const char *name)
{
	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return cf_set_error(ctx, EINVAL, "'%s' is not a file name", name);
	return CF_OK;
}

int cf_atomic_dir_begin(struct cf_ctx *ctx, struct cf_atomic_dir *d,
			const char *dir, mode_t mode, const char *tag)
{
	struct stat st;
	char name[64];

	d->dir = d->stage = NULL;
	cf_buf_init(&d->names);
	if (mkdir(dir, mode) < 0 &&
	    !(errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)))
		return cf_set_error(ctx, errno, "cannot create '%s'", dir);
	snprintf(name, sizeof name, ".casefile-%s-XXXXXX", tag);
	if (!(d->dir = cf_strdup(dir)) || !(d->stage = cf_path_join(dir, name))) {
		cf_atomic_dir_abort(d);
		return cf_set_nomem(ctx, dir);
	}
	if (!mkdtemp(d->stage)) {
		int e = errno;
		free(d->stage);
		d->stage = NULL; /* nothing made: nothing to remove */
		cf_atomic_dir_abort(d);
		return cf_set_error(ctx, e, "cannot create a folder in '%s'", dir);
	}
	return CF_OK;
}

char *cf_atomic_dir_path(struct cf_ctx *ctx, struct cf_atomic_dir *d,
			 const char *name)
{
	char *path;

	/* Only between a successful begin and the commit. */
	assert(d->dir && d->stage);
	if (plain_name(ctx, name) != CF_OK)
		return NULL;
	if (!(path = cf_path_join(d->stage, name)) ||
	    cf_buf_append(&d->names, name, strlen(name) + 1)) {
		free(path);
		cf_set_nomem(ctx, name);
		return NULL;
	}
	return path;
}

int cf_atomic_dir_add(struct cf_ctx *ctx, struct cf_atomic_dir *d,
		      const char *name, const void *p, size_t n, mode_t mode)
{
	char *path = cf_atomic_dir_path(ctx, d, name);
	int rc;

	if (!path)
		return CF_FAILED;
	rc = cf_write_file_atomic(ctx, path, n ? p : "", n, mode, 0);
	free(path);
	return rc;
}

int cf_atomic_dir_commit(struct cf_ctx *ctx, struct cf_atomic_dir *d,
			 int *unsynced)
{
	const char *end = d->names.data + d->names.len, *name;
	char *from = NULL, *to = NULL;
	size_t max = 0, ls = strlen(d->stage), ld = strlen(d->dir);
	int rc = CF_OK, dfd = -1;

	*unsynced = 0;
	assert(d->dir && d->stage);
	if (cf_buf_error(&d->names)) {
		rc = cf_set_nomem(ctx, d->dir);
		goto out;
	}
	for (name = d->names.data; name && name < end; name += strlen(name) + 1)
		if (strlen(name) > max)
			max = strlen(name);
	if ((dfd = open(d->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = cf_set_error(ctx, errno, "cannot open '%s'", d->dir);
		goto out;
	}
	/* Both names of every file in two buffers made before the first
	 * rename, spelt as cf_path_join() does: "DIR/NAME". */
	from = cf_malloc(ls + max + 2);
	to = cf_malloc(ld + max + 2);
	if (!from || !to) {
		rc = cf_set_nomem(ctx, d->stage);
		goto out;
	}
	while (ld > 1 && d->dir[ld - 1] == '/')
		ld--;
	memcpy(from, d->stage, ls);
	from[ls++] = '/';
	memcpy(to, d->dir, ld);
	if (to[ld - 1] != '/')
		to[ld++] = '/';
	for (name = d->names.data; name && name < end; name += strlen(name) + 1) {
		strcpy(from + ls, name);
		strcpy(to + ld, name);
		if (rename(from, to) < 0) {
			rc = cf_set_error(ctx, errno, "cannot move '%s' into place", to);
			goto out;
		}
	}
	if (cf_fsync(dfd) < 0 && errno != EINVAL)
		*unsynced = errno ? errno : EIO;
out:
	if (dfd >= 0)
		close(dfd);
	free(from);
	free(to);
	cf_atomic_dir_abort(d);
	return rc;
}

void cf_atomic_dir_abort(struct cf_atomic_dir *d)
{
	DIR *dh = d->stage ? opendir(d->stage) : NULL;
	struct dirent *de;

	/* Only files: the package's, and the .partial files of an
	 * interrupted write. */
	if (dh) {
		while ((de = readdir(dh)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				unlinkat(dirfd(dh), de->d_name, 0);
		closedir(dh);
	}
	if (d->stage)
		rmdir(d->stage);
	free(d->stage);
	free(d->dir);
	d->stage = d->dir = NULL;
	cf_buf_release(&d->names);
}
