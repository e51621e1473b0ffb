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
 *
 * A document that holds records (a top-level array, a CloudTrail
 * `{"Records":[...]}` file, a FHIR Bundle's entry[]) names each one: its
 * events get the record's 0-based index in the array as the attribute
 * "record", and the byte offset and line of the record's first byte (not
 * those of the document). cJSON gives no positions, so a small scanner
 * walks the same bytes (strings and their escapes, nesting) to where each
 * element of that array starts: linear in the document, no allocation.
 * The document is buffered by timeline/doc.c, which keeps its bytes the
 * member's.
 */
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/evidence.h"
#include "casefile/json.h"
#include "tl.h"

enum { MODE_UNKNOWN, MODE_LINES, MODE_DOC };

/* Nodes of one line's tree: a FHIR AuditEvent line needs about 2 KiB. */
#define JS_ARENA (64u << 10)

struct js_state {
	int mode;
	struct cf_json_arena arena; /* the tree of one JSON line */
};

/* ---- where the records of a document start --------------------------------- */

struct jscan {
	const char *s;
	size_t n, i;      /* text, its length, the scan position */
	size_t lpos;      /* position up to which lines were counted */
	uint64_t line;    /* line number at lpos */
};

static size_t skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

/* s[i] is '"': the index after the closing quote. */
static size_t skip_string(const char *s, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return n;
}

/* The index after the value starting at s[i]. */
static size_t skip_value(const char *s, size_t n, size_t i)
{
	size_t depth = 0;

	while (i < n) {
		char c = s[i];
		if (c == '"') {
			i = skip_string(s, n, i);
			if (!depth)
				return i;
			continue;
		}
		if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (!depth)
				return i;
			if (!--depth)
				return i + 1;
		} else if (!depth && (c == ',' || c == ' ' || c == '\t' || c == '\n' ||
				      c == '\r')) {
			return i;
		}
		i++;
	}
	return n;
}

/* Places the scan just inside the array that is the value of `key` in the
 * top-level object (key NULL: the top-level array). 0 when there is none. */
static int scan_open(struct jscan *j, const char *key)
{
	const char *s = j->s;
	size_t n = j->n, i = skip_ws(s, n, 0), kl = key ? strlen(key) : 0;

	if (!key) {
		if (i >= n || s[i] != '[')
			return 0;
		j->i = i + 1;
		return 1;
	}
	if (i >= n || s[i] != '{')
		return 0;
	for (i++;;) {
		size_t kb = skip_ws(s, n, i), ke;
		if (kb >= n || s[kb] != '"')
			return 0;
		ke = skip_string(s, n, kb);
		i = skip_ws(s, n, ke);
		if (i >= n || s[i] != ':')
			return 0;
		i = skip_ws(s, n, i + 1);
		if (ke - kb == kl + 2 && !memcmp(s + kb + 1, key, kl))
			break;
		i = skip_ws(s, n, skip_value(s, n, i));
		if (i >= n || s[i] != ',')
			return 0;
		i++;
	}
	if (i >= n || s[i] != '[')
		return 0;
	j->i = i + 1;
	return 1;
}

/* The position of the next element of the array, 0 after the last. */
static int scan_next(struct jscan *j, size_t *start)
{
	j->i = skip_ws(j->s, j->n, j->i);
	if (j->i < j->n && j->s[j->i] == ',')
		j->i = skip_ws(j->s, j->n, j->i + 1);
	if (j->i >= j->n || j->s[j->i] == ']')
		return 0;
	*start = j->i;
	j->i = skip_value(j->s, j->n, j->i);
	return 1;
}

/* The line of position p (not before the last one asked). */
static uint64_t scan_line(struct jscan *j, size_t p)
{
	const char *q;

	while (j->lpos < p && (q = memchr(j->s + j->lpos, '\n', p - j->lpos))) {
		j->line++;
		j->lpos = (size_t)(q - j->s) + 1;
	}
	j->lpos = p;
	return j->line;
}

static int js_start(struct tl_run *r)
{
	struct js_state *st = r->state;

	return cf_json_arena_init(r->ctx, &st->arena, JS_ARENA);
}

static void js_free(struct tl_run *r)
{
	struct js_state *st = r->state;

	cf_json_arena_release(&st->arena);
}

static int is_decision(struct tl_run *r, const cJSON *o)
{
	if (r->meta->category && !strcmp(r->meta->category, CF_CAT_MODEL_DECISION))
		return 1;
	return cf_json_has(o, "model") &&
	       (cf_json_has(o, "output") ||
		cf_json_has(o, "model_version"));
}

/* Routes one object to its handler. */
static int dispatch(struct tl_run *r, const cJSON *o, uint64_t ln, uint64_t off)
{
	const struct tl_mapping *m = r->meta->mapping;

	if (!cJSON_IsObject(o))
		return tl_reject(r, ln, off, "JSON value is not an object");
	if (cf_json_has(o, "resourceType"))
		return tl_fhir_object(r, o, ln, off);
	if (cf_json_has(o, "eventVersion") ||
	    cf_json_has(o, "Records") ||
	    cf_json_has(o, "CloudTrailEvent"))
		return tl_cloudtrail_object(r, o, ln, off);
	if ((m && m->kind && !strcmp(m->kind, "decisions")) || is_decision(r, o))
		return tl_decision_object(r, o, ln, off);
	return tl_mapped_object(r, o, ln, off);
}

enum { REC_ANY, REC_ENTRY, REC_CLOUDTRAIL };

/* The elements of `arr` (found at `key` in the text, see scan_open), each
 * at its own line and offset with its index. */
static int each_record(struct tl_run *r, const cJSON *arr, int kind,
		       const char *key, const char *text, size_t len,
		       uint64_t ln, uint64_t off)
{
	struct jscan j = {text, len, 0, 0, ln};
	const cJSON *e;
	int64_t k = 0;
	int rc = CF_OK, placed = scan_open(&j, key);

	cJSON_ArrayForEach(e, arr) {
		size_t at = 0;
		uint64_t eln = ln, eoff = off;
		if (placed && (placed = scan_next(&j, &at))) {
			eln = scan_line(&j, at);
			eoff = off + at;
		}
		tl_event_reset(r);
		tl_attr_int(r, "record", k++);
		if (kind == REC_ENTRY)
			rc = tl_fhir_entry(r, e, eln, eoff);
		else if (kind == REC_CLOUDTRAIL && !cJSON_IsObject(e))
			rc = tl_reject(r, eln, eoff, "CloudTrail record is not an object");
		else if (kind == REC_CLOUDTRAIL)
			rc = tl_cloudtrail_object(r, e, eln, eoff);
		else
			rc = dispatch(r, e, eln, eoff);
		if (rc)
			break;
	}
	tl_event_reset(r);
	return rc;
}

/* A parsed document or line (text: its bytes, starting at line ln and
 * member offset off): its records one by one, or the object whole. */
static int dispatch_doc(struct tl_run *r, const cJSON *o, const char *text,
			size_t len, uint64_t ln, uint64_t off)
{
	const cJSON *a;

	if (cJSON_IsArray(o))
		return each_record(r, o, REC_ANY, NULL, text, len, ln, off);
	if (!strcmp(cf_json_str(o, "resourceType", ""), "Bundle") &&
	    cJSON_IsArray(a = cf_json_get(o, "entry")))
		return each_record(r, a, REC_ENTRY, "entry", text, len, ln, off);
	if (!cf_json_has(o, "resourceType") &&
	    cJSON_IsArray(a = cf_json_get(o, "Records")))
		return each_record(r, a, REC_CLOUDTRAIL, "Records", text, len, ln, off);
	return dispatch(r, o, ln, off);
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

	if (st->mode == MODE_DOC) {
		tl_doc_line(&r->doc, s, n, ln, off);
		return CF_OK;
	}
	if (only_space(s, n))
		return st->mode == MODE_UNKNOWN ? CF_OK :
						  tl_reject(r, ln, off, "empty line");
	if (memchr(s, '\0', n))
		return tl_reject(r, ln, off, "NUL byte in line");
	cf_ctx_init(&jctx);
	if (cf_json_parse_in(&jctx, &st->arena, s, n, &o) != CF_OK) {
		size_t i = 0;
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (st->mode == MODE_UNKNOWN && i < n && (s[i] == '{' || s[i] == '[')) {
			st->mode = MODE_DOC;
			tl_doc_line(&r->doc, s, n, ln, off);
			return CF_OK;
		}
		return tl_reject(r, ln, off, "invalid JSON: %s", cf_errmsg(&jctx));
	}
	st->mode = MODE_LINES;
	rc = dispatch_doc(r, o, s, n, ln, off);
	cJSON_Delete(o);
	return rc;
}

static int js_document(struct tl_run *r, const cJSON *o, const struct tl_doc *d)
{
	return dispatch_doc(r, o, d->b.data, d->b.len, d->line, d->off);
}

static int js_end(struct tl_run *r)
{
	struct js_state *st = r->state;

	return st->mode == MODE_DOC ? tl_doc_end(r, "JSON document", js_document)
				    : CF_OK;
}

const struct tl_parser tl_json = {
	.name = "json",
	.state_size = sizeof(struct js_state),
	.start = js_start,
	.line = js_line,
	.end = js_end,
	.free = js_free,
};
