/* SPDX-License-Identifier: Apache-2.0
 *
 * Directory and glob walking (walk.c): what a host path pattern matches,
 * found one component at a time from the root without following a
 * symlink, in sorted order, with the source's excludes; and the `files`
 * source, which is nothing more than that for each of its patterns.
 */
#ifndef CASEFILE_COLLECT_WALK_H
#define CASEFILE_COLLECT_WALK_H

#include "items.h"

/* Collects what host path `pattern` (glob, ** allowed) matches, applying
 * the source's excludes and max_size. category overrides the source's when
 * not NULL; each (may be NULL) is called for every item hashed. */
int cf_collect_glob(struct cf_srcrun *sr, const char *pattern,
		    const char *category,
		    int (*each)(void *, const char *, const struct cf_item_result *),
		    void *arg);
/* The `files` source: every pattern of sr->src->paths. */
int cf_source_files(struct cf_srcrun *sr);

#endif
