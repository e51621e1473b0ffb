/* SPDX-License-Identifier: Apache-2.0
 *
 * YAML loading over libfyaml, with file:line:column in every error.
 *
 * Profiles, playbooks, incident files, mappings and scenarios are YAML
 * written by people under pressure: an error must point at the exact place.
 * cf_yaml_load() parses a file into a libfyaml document and collects
 * libfyaml's diagnostics into the context instead of letting it print.
 * cf_yaml_error() formats "FILE:LINE:COL: message" for a node that parsed
 * but means something wrong (unknown key, bad value), so every part reports
 * schema errors the same way.
 */
#ifndef CASEFILE_YAML_H
#define CASEFILE_YAML_H

#include <stddef.h>
#include <stdint.h>
#include <libfyaml.h>

struct cf_ctx;

#define CF_YAML_MAX_BYTES (16u << 20) /* refuse larger documents */

/* Loads a YAML file (one document). On a syntax error the context holds
 * "FILE:LINE:COL: message" (1-based). *doc is freed with fy_document_destroy. */
int cf_yaml_load(struct cf_ctx *ctx, const char *path,
		 struct fy_document **doc);
/* Same for a string in memory; `name` stands for the file in messages. */
int cf_yaml_load_string(struct cf_ctx *ctx, const char *name, const char *text,
			size_t len, struct fy_document **doc);

/* 1-based line and column of a node (0, 0 when unknown). */
void cf_yaml_mark(struct fy_node *n, int *line, int *col);
/* Sets "FILE:LINE:COL: message" for node n; returns CF_FAILED. */
int cf_yaml_error(struct cf_ctx *ctx, const char *file, struct fy_node *n,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Mapping lookup by key (NULL when n is not a mapping or key is absent). */
struct fy_node *cf_yaml_get(struct fy_node *map, const char *key);
/* 1 when n is YAML's null: a plain (unquoted) scalar that is empty, "~",
 * "null", "Null" or "NULL" (YAML 1.2 core schema). A quoted "null" is the
 * string. */
int cf_yaml_is_null(struct fy_node *n);

/* A node and everything below it as a new cJSON tree (the caller frees it
 * with cJSON_Delete): mappings as objects (keys as written), sequences as
 * arrays, cf_yaml_is_null scalars and a NULL node as null, and other
 * scalars as strings. With CF_YAML_JSON_TYPED, a plain scalar that is
 * "null", "~" or empty is null, "true"/"false" a boolean and a number
 * strtod reads whole a number instead, and "Null"/"NULL" stay strings. Nesting deeper
 * than CF_YAML_JSON_DEPTH is a null. NULL without memory, or when a key is
 * not a scalar. (src/yaml_json.c) */
#define CF_YAML_JSON_TYPED 1u
#define CF_YAML_JSON_DEPTH 32
struct cJSON;
struct cJSON *cf_yaml_to_json(struct fy_node *n, unsigned flags);

/* A scalar's text as a heap string (NULL when n is not a scalar or NULL). */
char *cf_yaml_strdup(struct fy_node *n);
/* Scalar helpers returning CF_OK, CF_EOF when absent (out untouched), or
 * CF_FAILED with a file:line:col message when present but invalid. */
int cf_yaml_str(struct cf_ctx *ctx, const char *file, struct fy_node *map,
		const char *key, char **out);
int cf_yaml_int(struct cf_ctx *ctx, const char *file, struct fy_node *map,
		const char *key, int64_t *out);
int cf_yaml_bool(struct cf_ctx *ctx, const char *file, struct fy_node *map,
		 const char *key, int *out);
/* Fails with file:line:col on the first key of `map` not in the NULL-ended
 * list `known`. */
int cf_yaml_check_keys(struct cf_ctx *ctx, const char *file,
		       struct fy_node *map, const char *const *known);

#endif
