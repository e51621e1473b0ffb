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

/* Appends the compact form of j and a newline to b. 0 or -1 (ENOMEM). */
int cf_json_append_line(struct cf_buf *b, const cJSON *j);
/* Prints the compact form of j and a newline to f, flushes it and checks
 * for write errors (full disk). CF_OK or CF_FAILED. */
int cf_json_emit(struct cf_ctx *ctx, FILE *f, const cJSON *j);

#endif
