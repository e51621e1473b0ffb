/* SPDX-License-Identifier: Apache-2.0
 *
 * Collection profiles (profile.c, format in man/casefile-profile.5): YAML
 * files listing the sources to collect, checked against the table of source
 * types, every error as FILE:LINE:COL. The run loop loads one; the unit
 * tests and the profile fuzzer load them from memory.
 */
#ifndef CASEFILE_COLLECT_PROFILE_H
#define CASEFILE_COLLECT_PROFILE_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "casefile/hash.h"
#include "source.h"

struct cf_ctx;

struct cf_profile {
	char *name;           /* profile name (the `profile:` key or file name) */
	char *path;           /* file it came from, NULL for PATH arguments */
	char sha256[CF_SHA256_HEX]; /* SHA-256 of the profile file bytes */
	struct cf_source *v;
	size_t n;
};

/* Loads and validates a profile file. Every error is "FILE:LINE:COL: what".
 * The caller releases *p with cf_profile_release(). */
int cf_profile_load(struct cf_ctx *ctx, const char *path, struct cf_profile *p);
/* Same for text in memory; `name` stands for the file in messages. */
int cf_profile_load_string(struct cf_ctx *ctx, const char *name,
			   const char *text, size_t len, struct cf_profile *p);
void cf_profile_release(struct cf_profile *p);
/* Resolves a profile argument: an existing path, or the id of a shipped
 * profile (file name without .yaml). Heap string. */
char *cf_profile_find(struct cf_ctx *ctx, const char *arg);
/* Lists shipped profiles as [{"id","path","description"}]. */
int cf_profile_list(struct cf_ctx *ctx, cJSON **out);
/* 1 when s is a category of SPEC section 2 (returns the static string). */
const char *cf_category_lookup(const char *s);
/* The row of the source type called name, NULL when there is none. */
const struct cf_source_type *cf_source_type_find(const char *name);

#endif
