/* SPDX-License-Identifier: Apache-2.0
 *
 * JSON helpers over cJSON (see include/casefile/json.h).
 *
 * cJSON recurses once per nesting level and has its own limit
 * (CJSON_NESTING_LIMIT, 1000); hostile evidence is refused earlier, at
 * CF_JSON_MAX_DEPTH, by a cheap pre-scan that skips strings, so a deeply
 * nested document costs a linear scan and never a deep recursion (and a
 * document with no more brackets than the limit, strings included, costs
 * only a count of them). Member lookups for evidence (cf_json_get,
 * cf_json_has) give cJSON's answers with less work per member; trees of
 * short-lived lines can come from an arena (src/json_arena.c).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/array.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/hash.h"
#include "casefile/json.h"
#include "casefile/time.h"
#include "casefile/utf8.h"

/* Offset of the first byte that opens level max+1, or -1 if none. */
static long too_deep(const char *t, size_t len, int max)
{
	int depth = 0, in_str = 0;
	size_t opens = 0;

	/* Fewer than max+1 opening brackets in all (strings included) cannot
	 * reach level max+1: a branch-free count ('{' and '[' differ only in
	 * the bit 0x20) settles most documents without the walk below. */
	for (size_t i = 0; i < len; i++)
		opens += ((unsigned char)t[i] | 0x20) == '{';
	if (opens <= (size_t)max)
		return -1;
	for (size_t i = 0; i < len; i++) {
		char c = t[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			if (++depth > max)
				return (long)i;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return -1;
}

int cf_json_parse(struct cf_ctx *ctx, const char *text, size_t len,
		  cJSON **out)
{
	const char *end = NULL;
	long deep = too_deep(text, len, CF_JSON_MAX_DEPTH);

	unsigned long refused = cf_alloc_failures();

	*out = NULL;
	if (deep >= 0)
		return cf_set_error(ctx, 0,
				    "JSON nested deeper than %d levels at byte %ld",
				    CF_JSON_MAX_DEPTH, deep);
	*out = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!*out) {
		/* cJSON reports a refused allocation as a syntax error */
		if (cf_alloc_failures() != refused)
			return cf_set_error(ctx, ENOMEM, "cannot parse JSON");
		if (!end || (end >= text && end <= text + len))
			return cf_set_error(ctx, 0, "invalid JSON at byte %ld",
					    end ? (long)(end - text) : 0L);
		return cf_set_error(ctx, ENOMEM, "cannot parse JSON");
	}
	/* Only white space may follow the value; a NUL byte is data too (a
	 * value must not hide bytes after it). */
	while (end < text + len && (*end == ' ' || *end == '\t' ||
				    *end == '\n' || *end == '\r'))
		end++;
	if (end < text + len) {
		long off = (long)(end - text);
		cJSON_Delete(*out);
		*out = NULL;
		return cf_set_error(ctx, 0, "trailing data after JSON at byte %ld",
				    off);
	}
	return CF_OK;
}

int cf_json_parse_file(struct cf_ctx *ctx, const char *path, size_t max,
		       cJSON **out)
{
	struct cf_buf b;
	int rc;

	cf_buf_init(&b);
	*out = NULL;
	rc = cf_buf_read_file(ctx, &b, path, max);
	if (rc == CF_OK) {
		rc = cf_json_parse(ctx, b.data ? b.data : "", b.len, out);
		if (rc != CF_OK)
			cf_error_prefix(ctx, "%s", path);
	}
	cf_buf_release(&b);
	return rc;
}

/* As cJSON_GetObjectItemCaseSensitive (the first member of that name; the
 * walk stops at a nameless child, as in an array), with the first byte
 * compared here: most members differ there, and strcmp is a call. */
cJSON *cf_json_get(const cJSON *obj, const char *key)
{
	cJSON *c;

	if (!obj || !key)
		return NULL;
	for (c = obj->child; c && c->string; c = c->next)
		if (c->string[0] == key[0] && !strcmp(c->string, key))
			return c;
	return NULL;
}

/* As cJSON_HasObjectItem: names compared as cJSON does (tolower on each
 * byte), nameless children skipped. */
int cf_json_has(const cJSON *obj, const char *key)
{
	const unsigned char *k = (const unsigned char *)key;

	if (!obj || !key)
		return 0;
	for (const cJSON *c = obj->child; c; c = c->next) {
		const unsigned char *n = (const unsigned char *)c->string;
		if (!n)
			continue;
		while (tolower(*n) == tolower(*k)) {
			if (!*n)
				return 1;
			n++;
			k++;
		}
		k = (const unsigned char *)key;
	}
	return 0;
}

const char *cf_json_str(const cJSON *obj, const char *key, const char *dflt)
{
	const cJSON *v = cf_json_get(obj, key);

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : dflt;
}

double cf_json_num(const cJSON *obj, const char *key, double dflt)
{
	const cJSON *v = cf_json_get(obj, key);

	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

int64_t cf_json_int(const cJSON *obj, const char *key, int64_t dflt)
{
	const cJSON *v = cf_json_get(obj, key);

	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
	    v->valuedouble < -9.2e18 || v->valuedouble > 9.2e18)
		return dflt;
	return (int64_t)v->valuedouble;
}

int cf_json_bool(const cJSON *obj, const char *key, int dflt)
{
	const cJSON *v = cf_json_get(obj, key);

	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : dflt;
}

int cf_json_add_item(cJSON *obj, const char *key, cJSON *item)
{
	if (!item)
		return cJSON_AddNullToObject(obj, key) ? 0 : -1;
	if (!cJSON_AddItemToObject(obj, key, item)) {
		cJSON_Delete(item);
		return -1;
	}
	return 0;
}

int cf_json_add_str(cJSON *obj, const char *key, const char *val)
{
	char *esc;
	int r;

	if (!val)
		return cJSON_AddNullToObject(obj, key) ? 0 : -1;
	if (cf_utf8_invalid(val, strlen(val)) < 0)
		return cJSON_AddStringToObject(obj, key, val) ? 0 : -1;
	if (!(esc = cf_utf8_escape(val)))
		return -1;
	r = cJSON_AddStringToObject(obj, key, esc) ? 0 : -1;
	free(esc);
	return r;
}

int cf_json_add_path(cJSON *obj, const char *key, const char *path)
{
	size_t n = path ? strlen(path) : 0;
	char hkey[64], *hex;
	int r;

	if (cf_json_add_str(obj, key, path))
		return -1;
	if (!path || cf_utf8_invalid(path, n) < 0)
		return 0;
	if (snprintf(hkey, sizeof hkey, "%s_hex", key) >= (int)sizeof hkey ||
	    !(hex = cf_malloc(2 * n + 1)))
		return -1;
	cf_hex((const uint8_t *)path, n, hex);
	r = cJSON_AddStringToObject(obj, hkey, hex) ? 0 : -1;
	free(hex);
	return r;
}

int cf_json_add_int(cJSON *obj, const char *key, int64_t val)
{
	/* Doubles hold integers exactly up to 2^53, but cJSON prints 15
	 * significant digits unless that visibly changes the value, which
	 * keeps integers exact up to 2^52: enough for sizes, offsets and
	 * microsecond times until the year 2112. */
	return cJSON_AddNumberToObject(obj, key, (double)val) ? 0 : -1;
}

int cf_json_add_num(cJSON *obj, const char *key, double val)
{
	return cJSON_AddNumberToObject(obj, key, val) ? 0 : -1;
}

int cf_json_add_bool(cJSON *obj, const char *key, int val)
{
	return cJSON_AddBoolToObject(obj, key, val) ? 0 : -1;
}

int cf_json_add_time(cJSON *obj, const char *key, int64_t us)
{
	char t[CF_TIME_STR];

	return cf_json_add_str(obj, key, cf_time_format(us, t));
}

/* ---- sticky building ----------------------------------------------------- */

cJSON *cf_jb_init(struct cf_jb *jb)
{
	jb->root = cJSON_CreateObject();
	jb->err = jb->root ? 0 : -1;
	return jb->root;
}

/* One add: nothing after a failure; obj NULL (a child that could not be
 * made) or the add failing makes the failure. */
#define JB_ADD(jb, obj, add) \
	do { \
		if (!(jb)->err && (!(obj) || (add))) \
			(jb)->err = -1; \
	} while (0)

void cf_jb_str(struct cf_jb *jb, cJSON *obj, const char *key, const char *val)
{
	JB_ADD(jb, obj, cf_json_add_str(obj, key, val));
}

void cf_jb_path(struct cf_jb *jb, cJSON *obj, const char *key, const char *path)
{
	JB_ADD(jb, obj, cf_json_add_path(obj, key, path));
}

void cf_jb_int(struct cf_jb *jb, cJSON *obj, const char *key, int64_t val)
{
	JB_ADD(jb, obj, cf_json_add_int(obj, key, val));
}

void cf_jb_num(struct cf_jb *jb, cJSON *obj, const char *key, double val)
{
	JB_ADD(jb, obj, cf_json_add_num(obj, key, val));
}

void cf_jb_bool(struct cf_jb *jb, cJSON *obj, const char *key, int val)
{
	JB_ADD(jb, obj, cf_json_add_bool(obj, key, val));
}

void cf_jb_time(struct cf_jb *jb, cJSON *obj, const char *key, int64_t us)
{
	JB_ADD(jb, obj, cf_json_add_time(obj, key, us));
}

/* Adds the new child (NULL: no memory) under key, or to the end of an
 * array; the child, or NULL with the failure kept. */
static cJSON *jb_child(struct cf_jb *jb, cJSON *obj, const char *key,
		       cJSON *child)
{
	if (jb->err || !obj || !child) {
		cJSON_Delete(child);
		jb->err = -1;
		return NULL;
	}
	if (cJSON_IsArray(obj) ? !cJSON_AddItemToArray(obj, child)
			       : !cJSON_AddItemToObject(obj, key, child)) {
		cJSON_Delete(child);
		jb->err = -1;
		return NULL;
	}
	return child;
}

void cf_jb_item(struct cf_jb *jb, cJSON *obj, const char *key, cJSON *item)
{
	/* NULL is a JSON null (and a null that cannot be made, no memory) */
	if (!item && !jb->err && obj)
		item = cJSON_CreateNull();
	jb_child(jb, obj, key, item);
}

void cf_jb_made(struct cf_jb *jb, cJSON *obj, const char *key, cJSON *item)
{
	if (!item)
		jb->err = -1;
	cf_jb_item(jb, obj, key, item);
}

cJSON *cf_jb_object(struct cf_jb *jb, cJSON *obj, const char *key)
{
	return jb_child(jb, obj, key, jb->err ? NULL : cJSON_CreateObject());
}

cJSON *cf_jb_array(struct cf_jb *jb, cJSON *obj, const char *key)
{
	return jb_child(jb, obj, key, jb->err ? NULL : cJSON_CreateArray());
}

cJSON *cf_jb_finish(struct cf_jb *jb)
{
	cJSON *j = jb->root;

	jb->root = NULL;
	if (!jb->err)
		return j;
	cJSON_Delete(j);
	return NULL;
}

int cf_json_append_line(struct cf_buf *b, const cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);
	int r;

	if (!s)
		return -1;
	r = cf_buf_puts(b, s);
	if (r == 0)
		r = cf_buf_putc(b, '\n');
	cJSON_free(s);
	return r;
}

int cf_json_emit(struct cf_ctx *ctx, FILE *f, const cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);
	int bad;

	if (!s)
		return cf_set_nomem(ctx, "JSON output");
	bad = fputs(s, f) < 0 || fputc('\n', f) == EOF;
	cJSON_free(s);
	if (bad || fflush(f) == EOF || ferror(f))
		return cf_set_error(ctx, errno, "cannot write JSON output");
	return CF_OK;
}

/* ---- an index of values by name ------------------------------------------- */

int cf_json_index_add(struct cf_json_index *x, const char *name,
		      const cJSON *item)
{
	struct cf_json_entry *v;

	if (!(v = cf_array_add(x->v, &x->cap, x->n, sizeof *v, 64)))
		return -1;
	x->v = v;
	v[x->n] = (struct cf_json_entry){name, item, x->n};
	x->n++;
	return 0;
}

int cf_json_index_members(struct cf_json_index *x, const cJSON *obj)
{
	if (!cJSON_IsObject(obj))
		return 0;
	for (const cJSON *e = obj->child; e; e = e->next)
		if (e->string && cf_json_index_add(x, e->string, e))
			return -1;
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct cf_json_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

void cf_json_index_sort(struct cf_json_index *x)
{
	if (x->n)
		qsort(x->v, x->n, sizeof *x->v, entry_cmp);
}

const cJSON *cf_json_index_find(const struct cf_json_index *x,
				const char *name)
{
	size_t lo = 0, hi = x->n;

	while (lo < hi) { /* the first entry of that name */
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(x->v[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < x->n && !strcmp(x->v[lo].name, name) ? x->v[lo].item : NULL;
}

void cf_json_index_release(struct cf_json_index *x)
{
	free(x->v);
	memset(x, 0, sizeof *x);
}
