/* SPDX-License-Identifier: Apache-2.0
 *
 * One source of a profile and its type: the data that the profile parser
 * (profile.c) fills and the runners (walk.c, sources.c, system.c) read.
 * Types only, no code: a runner includes this header, not the profile's,
 * so that the profile's table of source types can name the runners
 * without an include cycle.
 */
#ifndef CASEFILE_COLLECT_SOURCE_H
#define CASEFILE_COLLECT_SOURCE_H

#include <stddef.h>
#include <stdint.h>

struct cf_ctx;
struct cf_source;
struct cf_srcrun;
struct fy_node;

/* A row of the table of source types (profile.c). Adding a source type is
 * adding a row: its name in profiles, its default category, the keys its
 * entry accepts, the parser of those keys and the runner. */
struct cf_source_type {
	const char *name;             /* the `type:` value */
	const char *category;         /* default category, NULL: required */
	const char *const keys[10];   /* accepted keys, NULL-terminated */
	/* Reads the type's own keys of entry `map` into s (id and category
	 * are read already); FILE:LINE:COL errors. NULL: no keys of its own. */
	int (*parse)(struct cf_ctx *ctx, const char *file, struct fy_node *map,
		     struct cf_source *s);
	/* Collects the source; CF_FATAL only when the archive failed. */
	int (*run)(struct cf_srcrun *sr);
};

struct cf_source {
	char *id;             /* [a-z0-9][a-z0-9._-]*, unique in the profile */
	const struct cf_source_type *type;
	const char *category; /* one of the CF_CAT_* strings */
	char **paths;         /* files: absolute globs; sqlite: one absolute path */
	size_t npaths;
	char **exclude;       /* fnmatch patterns (with '/': whole path) */
	size_t nexclude;
	int64_t max_size;     /* bytes; larger files are hashed only; 0 = none */
	char **argv;          /* command: argv, NULL-terminated */
	size_t nargv;
	int64_t timeout_s;    /* command: seconds before SIGKILL (default 30) */
	char *store;          /* mlflow: SQLite tracking database */
	char *artifacts;      /* mlflow: artifact root folder */
	int explicit_paths;   /* files: PATH arguments, a missing one is an item */
};

#endif
