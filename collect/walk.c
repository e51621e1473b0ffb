/* SPDX-License-Identifier: Apache-2.0
 *
 * Directory and glob walking (see walk.h): a host path pattern is matched
 * one component at a time from the root - literal components by fstatat,
 * without listing, the others against sorted folder listings - so that the
 * archive's order does not depend on the file system's, and so that a
 * symlink anywhere on the way is recorded as an item and never followed
 * (/var/run -> /run would leave the tree; under --root an absolute link
 * would leave the image). "**" matches any number of folders, at most
 * MAX_DEPTH levels deep. Its own file because every source that takes
 * files (files, system, mlflow) walks the same way.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/array.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "collector.h"
#include "items.h"
#include "source.h"
#include "walk.h"

#define MAX_DEPTH 48           /* folder levels walked below a pattern */

struct walk {
	struct cf_srcrun *sr;
	const char *category;
	char **comp;
	size_t ncomp;
	int (*each)(void *, const char *, const struct cf_item_result *);
	void *arg;
	uint64_t matched;
};

static int has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static int excluded(const struct cf_source *src, const char *host_path)
{
	const char *base = strrchr(host_path, '/');

	base = base ? base + 1 : host_path;
	for (size_t i = 0; i < src->nexclude; i++) {
		const char *p = src->exclude[i];
		if (strchr(p, '/') ? fnmatch(p, host_path, 0) == 0
				   : fnmatch(p, base, FNM_PERIOD) == 0)
			return 1;
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of a folder (readdir order is the file system's whim; the
 * archive's order must not be). */
static int list_dir(int fd, char ***out, size_t *n)
{
	size_t cap = 0;
	struct dirent *de;
	DIR *d;
	int dfd = dup(fd);

	*out = NULL;
	*n = 0;
	if (dfd < 0 || !(d = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	/* The dup shares the file offset: a folder listed before (a "**"
	 * visits it twice) must be read from its start again. */
	rewinddir(d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (*n == cap) {
			char **v = cf_realloc(*out, (cap = cap ? cap * 2 : 32) * sizeof *v);
			if (!v)
				goto nomem;
			*out = v;
		}
		if (!((*out)[*n] = cf_strdup(de->d_name)))
			goto nomem;
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(*out, *n, sizeof **out, cmp_names);
	return 0;
nomem:
	closedir(d);
	for (size_t i = 0; i < *n; i++)
		free((*out)[i]);
	free(*out);
	*out = NULL;
	*n = 0;
	errno = ENOMEM;
	return -1;
}

static int walk_tree(struct walk *wk, int dirfd, const char *host, int depth);

static int join_host(struct cf_buf *b, const char *host, const char *name)
{
	cf_buf_reset(b);
	return cf_buf_printf(b, "%s/%s", strcmp(host, "/") ? host : "", name);
}

/* One entry that a pattern matched (or that a folder walk found). */
static int take(struct walk *wk, int dirfd, const char *name, const char *host,
		const struct stat *st, int depth)
{
	struct cf_srcrun *sr = wk->sr;
	struct cf_item_result res;
	int rc;

	if (cf_collector_stopped(sr->c))
		return cf_set_fatal(sr->ctx, EINTR, "interrupted by signal %d",
				    cf_collector_stopped(sr->c));
	wk->matched++;
	if (excluded(sr->src, host))
		return cf_collector_take_name(sr->c, host) == 1
			       ? CF_OK
			       : cf_collect_record(sr, host, wk->category, "excluded",
						   NULL, st);
	if (S_ISDIR(st->st_mode)) {
		int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return cf_collect_record(sr, host, wk->category, "unreadable",
						 strerror(errno), st);
		rc = walk_tree(wk, fd, host, depth + 1);
		close(fd);
		return rc;
	}
	rc = cf_collect_file(sr, dirfd, name, host, st, wk->category, &res);
	if (rc == CF_OK && wk->each && res.sha[0])
		rc = wk->each(wk->arg, host, &res);
	return rc;
}

static int walk_tree(struct walk *wk, int dirfd, const char *host, int depth)
{
	struct cf_buf b;
	char **names;
	size_t n;
	int rc = CF_OK;

	if (depth > MAX_DEPTH)
		return cf_collect_record(wk->sr, host, wk->category, "too-deep", NULL, NULL);
	if (list_dir(dirfd, &names, &n) < 0) {
		struct stat st;
		int e = errno;
		if (e == ENOMEM)
			return cf_set_nomem(wk->sr->ctx, host);
		return cf_collect_record(wk->sr, host, wk->category, "unreadable",
					 strerror(e), fstat(dirfd, &st) ? NULL : &st);
	}
	cf_buf_init(&b);
	for (size_t i = 0; i < n && rc == CF_OK; i++) {
		struct stat st;
		if (join_host(&b, host, names[i]) < 0) {
			rc = cf_set_nomem(wk->sr->ctx, host);
			break;
		}
		if (fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = cf_collect_record(wk->sr, b.data, wk->category, "unreadable",
					       strerror(errno), NULL);
			continue;
		}
		rc = take(wk, dirfd, names[i], b.data, &st, depth);
	}
	cf_buf_release(&b);
	cf_strv_free(names, n);
	return rc;
}

/* Matches components comp[i..] below folder dirfd (host path `host`). */
static int walk_glob(struct walk *wk, int dirfd, const char *host, size_t i,
		     int depth)
{
	const char *pat = wk->comp[i];
	int last = i + 1 == wk->ncomp, rc = CF_OK;
	struct cf_buf b;
	struct stat st;
	char **names = NULL;
	size_t n = 0;

	if (depth > MAX_DEPTH)
		return CF_OK;
	cf_buf_init(&b);
	if (!has_glob(pat)) {
		if (fstatat(dirfd, pat, &st, AT_SYMLINK_NOFOLLOW) < 0)
			goto out; /* nothing there: not an item */
		if (join_host(&b, host, pat) < 0)
			goto nomem;
		/* A symlink in the middle of a pattern is recorded, not
		 * followed (/var/run -> /run would leave the tree). */
		if (last || S_ISLNK(st.st_mode))
			rc = take(wk, dirfd, pat, b.data, &st, depth);
		else if (S_ISDIR(st.st_mode)) {
			int fd = openat(dirfd, pat, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				rc = cf_collect_record(wk->sr, b.data, wk->category,
						       "unreadable", strerror(errno), &st);
			else {
				rc = walk_glob(wk, fd, b.data, i + 1, depth + 1);
				close(fd);
			}
		}
		goto out;
	}
	if (list_dir(dirfd, &names, &n) < 0) {
		if (errno == ENOMEM)
			goto nomem;
		rc = cf_collect_record(wk->sr, host, wk->category, "unreadable",
				       strerror(errno), NULL);
		goto out;
	}
	if (!strcmp(pat, "**") && !last) /* zero folders */
		rc = walk_glob(wk, dirfd, host, i + 1, depth);
	for (size_t k = 0; k < n && rc == CF_OK; k++) {
		int dstar = !strcmp(pat, "**");
		if (!dstar && fnmatch(pat, names[k], FNM_PERIOD) != 0)
			continue;
		if (fstatat(dirfd, names[k], &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (join_host(&b, host, names[k]) < 0)
			goto nomem;
		if (last) {
			rc = take(wk, dirfd, names[k], b.data, &st, depth);
		} else if (S_ISDIR(st.st_mode)) {
			int fd;
			if (excluded(wk->sr->src, b.data))
				continue;
			fd = openat(dirfd, names[k], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0) {
				rc = cf_collect_record(wk->sr, b.data, wk->category,
						       "unreadable", strerror(errno), &st);
				continue;
			}
			/* "**" stays on the same component to match deeper. */
			rc = walk_glob(wk, fd, b.data, dstar ? i : i + 1, depth + 1);
			close(fd);
		}
	}
	goto out;
nomem:
	rc = cf_set_nomem(wk->sr->ctx, host);
out:
	cf_strv_free(names, n);
	cf_buf_release(&b);
	return rc;
}

int cf_collect_glob(struct cf_srcrun *sr, const char *pattern,
		    const char *category,
		    int (*each)(void *, const char *, const struct cf_item_result *),
		    void *arg)
{
	struct walk wk = {sr, category, NULL, 0, each, arg, 0};
	char *norm = NULL, *copy = NULL, *p, *save = NULL;
	int fd = -1, rc, open_err = ENOENT;

	if ((rc = cf_path_normalise(sr->ctx, pattern, &norm)) != CF_OK)
		return rc;
	if (!(copy = cf_strdup(norm)) ||
	    !(wk.comp = cf_calloc(strlen(norm) / 2 + 2, sizeof *wk.comp))) {
		rc = cf_set_nomem(sr->ctx, pattern);
		goto out;
	}
	for (p = strtok_r(copy, "/", &save); p; p = strtok_r(NULL, "/", &save))
		wk.comp[wk.ncomp++] = p;
	if (wk.ncomp == 0) {
		rc = cf_collect_log(sr->c, "warning", "bad-pattern", sr->src->id,
				    "refusing to collect the whole file system", NULL);
		goto out;
	}
	/* From the root, one component at a time (literal ones by fstatat,
	 * without listing): a symlink anywhere on the way is recorded as an
	 * item and not followed. */
	fd = cf_open_dir_nofollow(sr->c, "/");
	open_err = fd < 0 ? errno : ENOENT;
	if (fd < 0 && sr->src->explicit_paths)
		goto missing;
	if (fd < 0)
		goto nomatch;
	rc = walk_glob(&wk, fd, "/", 0, 0);
	if (rc == CF_OK && wk.matched == 0 && sr->src->explicit_paths)
		goto missing;
	if (rc == CF_OK && wk.matched == 0)
		goto nomatch;
	goto out;
missing:
	/* A path the user named that is not there is an unreadable item;
	 * a profile pattern that matches nothing on this host is not. */
	{
		char msg[300];
		snprintf(msg, sizeof msg, "open: %s", strerror(open_err));
		rc = cf_collect_record(sr, norm, NULL, "unreadable", msg, NULL);
	}
	goto out;
nomatch:
	{
		cJSON *x = cJSON_CreateObject();
		if (!x || cf_json_add_str(x, "pattern", pattern) ||
		    (fd < 0 && cf_json_add_str(x, "reason", strerror(open_err)))) {
			cJSON_Delete(x);
			rc = cf_set_nomem(sr->ctx, pattern);
		} else {
			rc = cf_collect_log(sr->c, "info", "no-match", sr->src->id,
					    "nothing matched the pattern", x);
		}
	}
out:
	if (fd >= 0)
		close(fd);
	free(wk.comp);
	free(copy);
	free(norm);
	return rc;
}

int cf_source_files(struct cf_srcrun *sr)
{
	int rc = CF_OK;

	for (size_t i = 0; i < sr->src->npaths && rc == CF_OK; i++)
		rc = cf_collect_glob(sr, sr->src->paths[i], NULL, NULL, NULL);
	return rc;
}
