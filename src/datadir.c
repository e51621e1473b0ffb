/* SPDX-License-Identifier: Apache-2.0
 *
 * Locating shipped data (see include/casefile/datadir.h). The table below
 * maps each kind to the folder it lives in in the source tree; installing
 * (CMake) copies that folder to DATADIR/casefile/<kind>.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/datadir.h"
#include "casefile/error.h"
#include "casefile/path.h"

#ifndef CASEFILE_DATADIR
#define CASEFILE_DATADIR "/usr/local/share/casefile"
#endif
#ifndef CASEFILE_SRCDIR
#define CASEFILE_SRCDIR "."
#endif

static const struct {
	const char *kind, *src;
} kinds[] = {
	{"profiles", "collect/profiles"},
	{"playbooks", "playbooks/library"},
	{"scenarios", "playbooks/scenarios"},
	{"templates", "reports/templates"},
	{"states", "reports/states"},
	{"schemas", "demo/schemas"},
	{"sigma", "timeline/sigma"},
	{"view", "view/assets"},
};

static int is_dir(const char *p)
{
	struct stat st;

	return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Folder of the running binary + "/../share/casefile", or NULL. */
static char *beside_binary(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	if (!(slash = strrchr(exe, '/')))
		return NULL;
	*slash = '\0';
	return cf_path_join(exe, "../share/casefile");
}

char *cf_data_dir(struct cf_ctx *ctx, const char *kind)
{
	const char *src = NULL, *env = getenv("CASEFILE_DATA");
	char *cand[4] = {NULL, NULL, NULL, NULL}, *found = NULL, *base;

	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (!strcmp(kinds[i].kind, kind))
			src = kinds[i].src;
	if (!src) {
		cf_set_error(ctx, 0, "unknown data kind '%s'", kind);
		return NULL;
	}
	if (env && *env)
		cand[0] = cf_path_join(env, kind);
	if ((base = beside_binary())) {
		cand[1] = cf_path_join(base, kind);
		free(base);
	}
	cand[2] = cf_path_join(CASEFILE_DATADIR, kind);
	cand[3] = cf_path_join(CASEFILE_SRCDIR, src);
	for (int i = 0; i < 4; i++) {
		if (!found && is_dir(cand[i])) {
			found = cand[i];
			continue;
		}
		free(cand[i]);
	}
	if (!found)
		cf_set_error(ctx, ENOENT, "cannot find the shipped %s", kind);
	return found;
}

char *cf_data_file(struct cf_ctx *ctx, const char *kind, const char *name)
{
	char *dir = cf_data_dir(ctx, kind), *p;
	struct stat st;

	if (!dir)
		return NULL;
	p = cf_path_join(dir, name);
	free(dir);
	if (!p) {
		cf_set_nomem(ctx, name);
		return NULL;
	}
	if (stat(p, &st) < 0) {
		cf_set_error(ctx, errno, "no shipped %s '%s'", kind, name);
		free(p);
		return NULL;
	}
	return p;
}
