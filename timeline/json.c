/* SPDX-License-Identifier: Apache-2.0
 *
 * JSON evidence: JSON lines (one object per line) or one JSON document
 * (pretty-printed resource, Bundle, CloudTrail `Records[]` file, array).
 *
 * The first non-empty line decides: if it parses on its own the member is
 * JSON lines and every later line must too (a line that does not is a
 * reject: truncated, binary, ...); if it does not but opens an object or an
 * array, the member is one document, read whole up to TL_DOC_MAX bytes and
 * parsed once at the end. Each object goes to the handler its content
 * names: FHIR (resourceType), CloudTrail (eventVersion, Records,
 * CloudTrailEvent), a model decision (model + output, or the member's
 * category), or the field mapping. cJSON parses; nothing here is a parser.
 */
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/evidence.h"
#include "casefile/json.h"
#include "tl.h"

enum { MODE_UNKNOWN, MODE_LINES, MODE_DOC, MODE_TOO_BIG };

struct js_state {
	int mode;
	struct cf_buf doc;
	uint64_t doc_line, doc_off, doc_lines;
};

static int js_start(struct tl_run *r)
{
	struct js_state *st = cf_calloc(1, sizeof *st);

	if (!st)
		return cf_set_nomem(r->ctx, "JSON");
	cf_buf_init(&st->doc);
	st->doc.limit = TL_DOC_MAX;
	r->state = st;
	return CF_OK;
}

static void js_free(struct tl_run *r)
{
	struct js_state *st = r->state;

	if (st)
		cf_buf_release(&st->doc);
	free(st);
	r->state = NULL;
}

static int is_decision(struct tl_run *r, const cJSON *o)
{
	if (r->meta->category && !strcmp(r->meta->category, CF_CAT_MODEL_DECISION))
		return 1;
	return cJSON_HasObjectItem(o, "model") &&
	       (cJSON_HasObjectItem(o, "output") ||
		cJSON_HasObjectItem(o, "model_version"));
}

/* Routes one object to its handler. */
static int dispatch(struct tl_run *r, const cJSON *o, uint64_t ln, uint64_t off)
{
	const struct tl_mapping *m = r->meta->mapping;

	if (!cJSON_IsObject(o))
		return tl_reject(r, ln, off, "JSON value is not an object");
	if (cJSON_HasObjectItem(o, "resourceType"))
		return tl_fhir_object(r, o, ln, off);
	if (cJSON_HasObjectItem(o, "eventVersion") ||
	    cJSON_HasObjectItem(o, "Records") ||
	    cJSON_HasObjectItem(o, "CloudTrailEvent"))
		return tl_cloudtrail_object(r, o, ln, off);
	if ((m && m->kind && !strcmp(m->kind, "decisions")) || is_decision(r, o))
		return tl_decision_object(r, o, ln, off);
	return tl_mapped_object(r, o, ln, off);
}

static int only_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

static int js_line(struct tl_run *r, const char *s, size_t n, uint64_t ln,
		   uint64_t off)
{
	struct js_state *st = r->state;
	struct cf_ctx jctx;
	cJSON *o = NULL;
	int rc;

	if (st->mode == MODE_DOC || st->mode == MODE_TOO_BIG) {
		st->doc_lines++;
		if (st->mode == MODE_TOO_BIG)
			return CF_OK;
		if (cf_buf_append(&st->doc, s, n) || cf_buf_putc(&st->doc, '\n')) {
			st->mode = MODE_TOO_BIG;
			cf_buf_release(&st->doc);
		}
		return CF_OK;
	}
	if (only_space(s, n))
		return st->mode == MODE_UNKNOWN ? CF_OK :
						  tl_reject(r, ln, off, "empty line");
	if (memchr(s, '\0', n))
		return tl_reject(r, ln, off, "NUL byte in line");
	cf_ctx_init(&jctx);
	if (cf_json_parse(&jctx, s, n, &o) != CF_OK) {
		size_t i = 0;
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (st->mode == MODE_UNKNOWN && i < n && (s[i] == '{' || s[i] == '[')) {
			st->mode = MODE_DOC;
			st->doc_line = ln;
			st->doc_off = off;
			st->doc_lines = 1;
			if (cf_buf_append(&st->doc, s, n) || cf_buf_putc(&st->doc, '\n'))
				st->mode = MODE_TOO_BIG;
			return CF_OK;
		}
		return tl_reject(r, ln, off, "invalid JSON: %s", cf_errmsg(&jctx));
	}
	st->mode = MODE_LINES;
	if (cJSON_IsArray(o)) {
		const cJSON *e;
		rc = CF_OK;
		cJSON_ArrayForEach(e, o) if ((rc = dispatch(r, e, ln, off))) break;
	} else {
		rc = dispatch(r, o, ln, off);
	}
	cJSON_Delete(o);
	return rc;
}

static int js_end(struct tl_run *r)
{
	struct js_state *st = r->state;
	struct cf_ctx jctx;
	cJSON *o = NULL, *e;
	int rc = CF_OK;

	if (st->mode == MODE_TOO_BIG)
		return tl_reject(r, st->doc_line, st->doc_off,
				 "JSON document larger than %u bytes",
				 TL_DOC_MAX);
	if (st->mode != MODE_DOC)
		return CF_OK;
	cf_ctx_init(&jctx);
	if (cf_json_parse(&jctx, st->doc.data, st->doc.len, &o) != CF_OK)
		return tl_reject(r, st->doc_line, st->doc_off,
				 "invalid JSON document (%llu lines): %s",
				 (unsigned long long)st->doc_lines, cf_errmsg(&jctx));
	cf_buf_release(&st->doc);
	if (cJSON_IsArray(o)) {
		cJSON_ArrayForEach(e, o) if ((rc = dispatch(r, e, st->doc_line,
							    st->doc_off))) break;
	} else {
		rc = dispatch(r, o, st->doc_line, st->doc_off);
	}
	cJSON_Delete(o);
	return rc;
}

const struct tl_parser tl_json = {
	.name = "json",
	.start = js_start,
	.line = js_line,
	.end = js_end,
	.free = js_free,
};
