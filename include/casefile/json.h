/* SPDX-License-Identifier: Apache-2.0
 *
 * JSON helpers over cJSON, and the writer behind every `--json`.
 *
 * cJSON does the parsing and printing; these helpers add what the project
 * needs around it: bounded reads of files, typed getters that tell "absent"
 * from "wrong type", a nesting-depth check for hostile input, and printing
 * one compact object per line to a stream with the error checked, which is
 * what `--json` (exactly one object on stdout) and JSON-lines files need.
 */
#ifndef CASEFILE_JSON_H
#define CASEFILE_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cjson/cJSON.h>

struct cf_ctx;
struct cf_buf;

#define CF_JSON_MAX_DEPTH 64

/* Parses len bytes (need not be NUL-terminated). Refuses nesting deeper
 * than CF_JSON_MAX_DEPTH. On error the message gives the byte offset. */
int cf_json_parse(struct cf_ctx *ctx, const char *text, size_t len,
		  cJSON **out);
/* Reads and parses a file of at most max bytes; errors name the file. */
int cf_json_parse_file(struct cf_ctx *ctx, const char *path, size_t max,
		       cJSON **out);

/* An arena for the nodes of short-lived documents (src/json_arena.c):
 * cf_json_parse_in parses as cf_json_parse with the nodes carved from the
 * arena, reset first, so the tree it returned before must have been
 * deleted (cJSON_Delete, on the same thread; it frees nothing of the
 * arena). Nodes that do not fit in cap bytes come from malloc. */
struct cf_json_arena {
	char *mem;
	size_t cap, used;
};
int cf_json_arena_init(struct cf_ctx *ctx, struct cf_json_arena *a,
		       size_t cap);
void cf_json_arena_release(struct cf_json_arena *a);
int cf_json_parse_in(struct cf_ctx *ctx, struct cf_json_arena *a,
		     const char *text, size_t len, cJSON **out);
/* cJSON's allocator hooks (cf_core_init installs them). */
void *cf_json_hook_malloc(size_t n);
void cf_json_hook_free(void *p);

/* cJSON_GetObjectItemCaseSensitive and cJSON_HasObjectItem (names case
 * folded), same answers, quicker on wide objects. */
cJSON *cf_json_get(const cJSON *obj, const char *key);
int cf_json_has(const cJSON *obj, const char *key);

/* Getters: the member's value, or dflt when absent or of another type. */
const char *cf_json_str(const cJSON *obj, const char *key, const char *dflt);
double cf_json_num(const cJSON *obj, const char *key, double dflt);
int64_t cf_json_int(const cJSON *obj, const char *key, int64_t dflt);
int cf_json_bool(const cJSON *obj, const char *key, int dflt);

/* Adders that report failure (cJSON's return NULL on no memory).
 * cf_json_add_str keeps every file casefile writes valid UTF-8 JSON: a
 * value that is not UTF-8 (a file name or a log line from a host) is
 * stored in the escaped form of cf_utf8_escape. */
int cf_json_add_str(cJSON *obj, const char *key, const char *val); /* NULL -> null */
/* A host path: as cf_json_add_str, and when the path is not valid UTF-8
 * its exact bytes are added in hex under "<key>_hex", so an examiner can
 * tell the escaped form from a name that really holds "%XX". */
int cf_json_add_path(cJSON *obj, const char *key, const char *path);
int cf_json_add_int(cJSON *obj, const char *key, int64_t val);
int cf_json_add_num(cJSON *obj, const char *key, double val);
int cf_json_add_bool(cJSON *obj, const char *key, int val);
/* Adds item (NULL: a JSON null) under key; on failure frees item and
 * returns -1, so that `if (cf_json_add_item(o, k, make()))` neither leaks
 * nor drops a field when memory runs out. */
int cf_json_add_item(cJSON *obj, const char *key, cJSON *item);
/* Adds an RFC 3339 UTC time string. */
int cf_json_add_time(cJSON *obj, const char *key, int64_t us);

/* ---- sticky building -----------------------------------------------------
 * As sqlite3_str keeps accError: a struct cf_jb holds the first failure of
 * a document being built, every add after it does nothing, and the caller
 * checks once, at the end. One cf_jb serves the root and every object and
 * array below it (cJSON itself has nowhere to keep an error). The adders
 * are those above; obj NULL (a child that could not be made) is a failure.
 *
 *	struct cf_jb jb;
 *	cJSON *j = cf_jb_init(&jb), *o;
 *	cf_jb_str(&jb, j, "path", path);
 *	o = cf_jb_object(&jb, j, "clock");
 *	cf_jb_int(&jb, o, "offset_us", off);
 *	return cf_jb_finish(&jb);        (NULL when anything failed)
 *
 * To add to an object made elsewhere: struct cf_jb jb = CF_JB_INIT; ...;
 * then test jb.err. */
struct cf_jb {
	cJSON *root; /* the object cf_jb_init made (NULL: none, or no memory) */
	int err;     /* 0, or -1 from the first add that failed (no memory) */
};
#define CF_JB_INIT {NULL, 0}

/* Starts a document: a new empty object, also returned (NULL and err set
 * on no memory). */
cJSON *cf_jb_init(struct cf_jb *jb);
void cf_jb_str(struct cf_jb *jb, cJSON *obj, const char *key, const char *val);
void cf_jb_path(struct cf_jb *jb, cJSON *obj, const char *key, const char *path);
void cf_jb_int(struct cf_jb *jb, cJSON *obj, const char *key, int64_t val);
void cf_jb_num(struct cf_jb *jb, cJSON *obj, const char *key, double val);
void cf_jb_bool(struct cf_jb *jb, cJSON *obj, const char *key, int val);
void cf_jb_time(struct cf_jb *jb, cJSON *obj, const char *key, int64_t us);
/* Adds item (NULL: a JSON null) under key, or appends it when obj is an
 * array (key unused); frees item when it is not added (an earlier
 * failure, or no memory). */
void cf_jb_item(struct cf_jb *jb, cJSON *obj, const char *key, cJSON *item);
/* As cf_jb_item, for the result of a function that gives NULL when it
 * runs out of memory: there NULL is the failure, not a null. */
void cf_jb_made(struct cf_jb *jb, cJSON *obj, const char *key, cJSON *item);
/* A new empty object or array under key in obj, or appended when obj is
 * an array (key unused); NULL after a failure (the adders then do
 * nothing). */
cJSON *cf_jb_object(struct cf_jb *jb, cJSON *obj, const char *key);
cJSON *cf_jb_array(struct cf_jb *jb, cJSON *obj, const char *key);
/* The root, or NULL after freeing it when anything failed. */
cJSON *cf_jb_finish(struct cf_jb *jb);

/* Values found by name in O(log n). cJSON's own lookup scans an object,
 * and a scope's objects hold one member per patient: a loop over the
 * patients that looks each one up would be quadratic. Initialise with
 * {0}; add, sort once, then find; release. Among equal names, the one
 * added first is found (as cJSON finds an object's first member). */
struct cf_json_index {
	struct cf_json_entry {
		const char *name;
		const cJSON *item;
		size_t seq;
	} *v;
	size_t n, cap;
};
/* 0, or -1 on no memory (the index as it was). name must outlive it. */
int cf_json_index_add(struct cf_json_index *x, const char *name,
		      const cJSON *item);
/* Adds every named member of obj (nothing when it is not an object). */
int cf_json_index_members(struct cf_json_index *x, const cJSON *obj);
void cf_json_index_sort(struct cf_json_index *x);
const cJSON *cf_json_index_find(const struct cf_json_index *x,
				const char *name);
void cf_json_index_release(struct cf_json_index *x);

/* Appends the compact form of j and a newline to b. 0 or -1 (ENOMEM). */
int cf_json_append_line(struct cf_buf *b, const cJSON *j);
/* Prints the compact form of j and a newline to f, flushes it and checks
 * for write errors (full disk). CF_OK or CF_FAILED. */
int cf_json_emit(struct cf_ctx *ctx, FILE *f, const cJSON *j);

#endif
