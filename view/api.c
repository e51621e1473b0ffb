/* SPDX-License-Identifier: Apache-2.0
 *
 * The JSON API of `casefile view` (man/casefile-view.1): events a filter
 * selects, one page at a time; a histogram of them over time; the findings
 * of `timeline detect --store`; one event with its evidence pointer; the
 * scope of the incident file when one was given.
 *
 * Every request is bounded: a page holds at most VIEW_PAGE_MAX events, a
 * histogram at most VIEW_BUCKETS_MAX buckets, and each query runs under a
 * time limit in the store (cf_db_filter.timeout_ms), so that a browser
 * scrolling through millions of rows never makes the server read the
 * whole table at once. Parameter values reach the store only through
 * cf_db_filter, whose backends bind or quote them: nothing here builds
 * SQL. This file never prints and never writes.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/db.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/scope.h"
#include "casefile/time.h"
#include "view.h"

/* ---- parameters ----------------------------------------------------------- */

static int bad(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* An unsigned number no larger than max; dflt when absent. */
static int param_count(view_param_fn get, void *arg, const char *name,
		       uint64_t dflt, uint64_t max, uint64_t *out, char *err,
		       size_t errlen)
{
	const char *s = get(arg, name);
	char *end;

	*out = dflt;
	if (!s || !*s)
		return 0;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (*end || errno || *s == '-' || *out > max)
		return bad(err, errlen, "%s: '%s' is not a number in range", name, s);
	return 0;
}

/* An empty parameter is an absent one: a form sends every field. */
static const char *param(view_param_fn get, void *arg, const char *name)
{
	const char *s = get(arg, name);

	return s && *s ? s : NULL;
}

int view_filter(view_param_fn get, void *arg, struct cf_db_filter *f,
		char **model_buf, char *err, size_t errlen)
{
	const char *s;
	char *at;

	memset(f, 0, sizeof *f);
	*model_buf = NULL;
	f->actor = param(get, arg, "actor");
	f->patient = param(get, arg, "patient");
	if (f->patient && !strncmp(f->patient, "Patient/", 8))
		f->patient += 8;
	f->src_ip = param(get, arg, "ip");
	f->host = param(get, arg, "host");
	f->outcome = param(get, arg, "outcome");
	f->source = param(get, arg, "source");
	f->action = param(get, arg, "action");
	f->text = param(get, arg, "q");
	f->model = param(get, arg, "model");
	f->model_version = param(get, arg, "version");
	if (f->model && (at = strrchr(f->model, '@'))) {
		if (!(*model_buf = cf_strdup(f->model)))
			return bad(err, errlen, "out of memory");
		at = *model_buf + (at - f->model);
		*at = '\0';
		f->model = *model_buf;
		if (!f->model_version)
			f->model_version = at + 1;
	}
	if ((s = param(get, arg, "from"))) {
		if (cf_time_parse_bound(s, 0, &f->from_us))
			return bad(err, errlen, "%s: '%s' is not an RFC 3339 time"
				   " or a date", "from", s);
		f->has_from = 1;
	}
	if ((s = param(get, arg, "to"))) {
		if (cf_time_parse_bound(s, 1, &f->to_us))
			return bad(err, errlen, "%s: '%s' is not an RFC 3339 time"
				   " or a date", "to", s);
		f->has_to = 1;
	}
	return 0;
}

/* ---- answers -------------------------------------------------------------- */

struct page {
	struct cf_jb *jb;
	cJSON *arr;
	cJSON *one;   /* /api/event/ID: the event */
};

static int on_event(void *arg, const struct cf_event *e)
{
	struct page *p = arg;
	cJSON *j = cf_event_json(e, 1);

	if (!j) {
		p->jb->err = -1;
		return CF_FATAL;
	}
	if (p->arr && !cJSON_AddItemToArray(p->arr, j)) {
		cJSON_Delete(j);
		p->jb->err = -1;
		return CF_FATAL;
	}
	if (!p->arr) {
		cJSON_Delete(p->one);
		p->one = j;
	}
	return p->jb->err ? CF_FATAL : 0;
}

static int events(const struct view_src *src, struct cf_ctx *ctx,
		  struct cf_db_filter *f, view_param_fn get, void *arg,
		  struct cf_jb *jb, char *err, size_t errlen)
{
	struct page p = {.jb = jb};

	if (param_count(get, arg, "limit", VIEW_PAGE_DEFAULT, VIEW_PAGE_MAX,
			&f->limit, err, errlen) ||
	    param_count(get, arg, "offset", 0, INT64_MAX, &f->offset, err,
			errlen))
		return 400;
	if (!f->limit)
		f->limit = VIEW_PAGE_DEFAULT;
	cf_jb_int(jb, jb->root, "offset", (int64_t)f->offset);
	cf_jb_int(jb, jb->root, "limit", (int64_t)f->limit);
	if (!(p.arr = cf_jb_array(jb, jb->root, "events")))
		return 0;
	return cf_db_query_events(src->db, ctx, f, on_event, &p) == CF_OK ? 200 : 503;
}

static int histogram(const struct view_src *src, struct cf_ctx *ctx,
		     const struct cf_db_filter *f, view_param_fn get, void *arg,
		     struct cf_jb *jb, char *err, size_t errlen)
{
	int64_t total, first, last, start, end, width, *counts = NULL;
	uint64_t n;
	cJSON *arr;
	int status = 503;

	if (param_count(get, arg, "buckets", VIEW_BUCKETS_DEFAULT,
			VIEW_BUCKETS_MAX, &n, err, errlen))
		return 400;
	if (!n)
		n = VIEW_BUCKETS_DEFAULT;
	/* the first and last times without counting: the buckets, which
	 * cover the whole range, add up to the total */
	if (cf_db_event_span(src->db, ctx, f, NULL, &first, &last) != CF_OK)
		return 503;
	/* the range asked for, else the events' own */
	start = f->has_from ? f->from_us : first;
	end = f->has_to ? f->to_us : last;
	if (end < start)
		end = start;
	width = (int64_t)(((uint64_t)end - (uint64_t)start) / n + 1);
	if (!(counts = cf_calloc(n, sizeof *counts))) {
		jb->err = -1;
		return 0;
	}
	if (cf_db_histogram(src->db, ctx, f, start, width, n, counts) != CF_OK)
		goto out;
	total = 0;
	for (uint64_t i = 0; i < n; i++)
		total += counts[i];
	cf_jb_int(jb, jb->root, "total", total);
	if (total) {
		cf_jb_time(jb, jb->root, "first", first);
		cf_jb_time(jb, jb->root, "last", last);
	}
	cf_jb_time(jb, jb->root, "start", start);
	cf_jb_int(jb, jb->root, "start_us", start);
	cf_jb_int(jb, jb->root, "width_us", width);
	if ((arr = cf_jb_array(jb, jb->root, "buckets")))
		for (uint64_t i = 0; i < n; i++)
			if (!cJSON_AddItemToArray(arr, cJSON_CreateNumber(
						     (double)counts[i])))
				jb->err = -1;
	status = 200;
out:
	free(counts);
	return status;
}

static int on_finding(void *arg, const struct cf_finding *x)
{
	struct cf_jb *jb = ((struct page *)arg)->jb;
	cJSON *arr = ((struct page *)arg)->arr, *o = cJSON_CreateObject(), *ev;

	if (!o || !cJSON_AddItemToArray(arr, o)) {
		cJSON_Delete(o);
		jb->err = -1;
		return CF_FATAL;
	}
	cf_jb_str(jb, o, "rule_id", x->rule_id);
	cf_jb_str(jb, o, "title", x->title);
	cf_jb_str(jb, o, "level", x->level);
	if (x->group_key)
		cf_jb_str(jb, o, "group", x->group_key);
	cf_jb_int(jb, o, "count", x->count);
	cf_jb_time(jb, o, "first", x->first_us);
	cf_jb_time(jb, o, "last", x->last_us);
	cf_jb_time(jb, o, "detected_at", x->detected_at);
	ev = x->events ? cJSON_Parse(x->events) : NULL;
	cf_jb_item(jb, o, "events", ev && cJSON_IsArray(ev) ? ev :
		   (cJSON_Delete(ev), cJSON_CreateArray()));
	return jb->err ? CF_FATAL : 0;
}

struct archive_find {
	const char *digest;
	struct cf_jb *jb;
	cJSON *out;
	char *path;   /* the store's path of the archive (heap) */
};

static int on_archive(void *arg, const struct cf_db_archive *a)
{
	struct archive_find *f = arg;

	if (strcmp(a->sha256sums, f->digest))
		return 0;
	cf_jb_str(f->jb, f->out, "archive_path", a->path);
	cf_jb_bool(f->jb, f->out, "archive_verified", a->verified);
	if (a->signer)
		cf_jb_str(f->jb, f->out, "signer", a->signer);
	if (a->path && !(f->path = cf_strdup(a->path)))
		f->jb->err = -1;
	return 1; /* found: stop */
}

/* One event and its evidence pointer: the archive's digest and where the
 * store says it was (its path when built, whether it was verified), the
 * member, the line and its byte offset. idtext is "ID", or "ID/raw" for
 * the line itself as well, read from the verified archive (view/raw.c). */
static int one_event(const struct view_src *src, struct cf_ctx *ctx,
		     const char *idtext, struct cf_jb *jb, char *err,
		     size_t errlen)
{
	struct cf_db_filter f = {.has_id = 1, .timeout_ms = src->timeout_ms};
	struct page p = {.jb = jb};
	struct archive_find af = {.jb = jb};
	cJSON *ev;
	char *end;
	int rc, raw = 0;

	errno = 0;
	f.id = strtoll(idtext, &end, 10);
	raw = end != idtext && !strcmp(end, "/raw");
	if (!isdigit((unsigned char)*idtext) || (*end && !raw) || errno) {
		bad(err, errlen, "%s '%.*s' is not a number", "event",
		    (int)strcspn(idtext, "/"), idtext);
		return 400;
	}
	if (cf_db_query_events(src->db, ctx, &f, on_event, &p) != CF_OK) {
		cJSON_Delete(p.one);
		return 503;
	}
	if (!p.one) {
		bad(err, errlen, "%s %lld not found", "event", (long long)f.id);
		return 404;
	}
	/* the pointer first: p.one belongs to the answer once added */
	if ((ev = cf_jb_object(jb, jb->root, "evidence"))) {
		const char *digest = cf_json_str(p.one, "archive", NULL);

		cf_jb_str(jb, ev, "archive", digest);
		cf_jb_str(jb, ev, "member", cf_json_str(p.one, "member", NULL));
		cf_jb_int(jb, ev, "line", cf_json_int(p.one, "line", 0));
		cf_jb_int(jb, ev, "offset", cf_json_int(p.one, "offset", 0));
		if (digest) {
			af.digest = digest;
			af.out = ev;
			rc = cf_db_query_archives(src->db, ctx, on_archive, &af);
			if (rc != CF_OK && rc != 1) {
				cJSON_Delete(p.one);
				free(af.path);
				return 503;
			}
		}
		if (raw)
			view_raw(src, digest, af.path,
				 cf_json_str(p.one, "member", NULL),
				 (uint64_t)cf_json_int(p.one, "line", 0),
				 (uint64_t)cf_json_int(p.one, "offset", 0), jb, ev);
	}
	free(af.path);
	cf_jb_made(jb, jb->root, "event", p.one);
	return 200;
}

static int scope(const struct view_src *src, struct cf_ctx *ctx,
		 struct cf_jb *jb)
{
	cJSON *s = NULL;

	if (!src->inc) {
		cf_jb_bool(jb, jb->root, "incident", 0);
		return 200;
	}
	if (cf_scope_compute(ctx, src->db, src->inc, 0, &s) != CF_OK)
		return 503;
	cf_jb_bool(jb, jb->root, "incident", 1);
	cf_jb_str(jb, jb->root, "id", src->inc->id);
	cf_jb_str(jb, jb->root, "title", src->inc->title);
	cf_jb_time(jb, jb->root, "from", src->inc->from_us);
	cf_jb_time(jb, jb->root, "to", src->inc->to_us);
	cf_jb_made(jb, jb->root, "scope", s);
	return 200;
}

int view_api(const struct view_src *src, const char *path, view_param_fn get,
	     void *arg, char **body, int *status)
{
	struct cf_jb jb = CF_JB_INIT;
	struct cf_db_filter f;
	struct cf_ctx ctx;
	struct page p = {.jb = &jb};
	char err[512] = "", *model = NULL;
	cJSON *j;

	*body = NULL;
	*status = 404;
	cf_ctx_init(&ctx);
	if (!cf_jb_init(&jb))
		return CF_FATAL;
	if (!strncmp(path, "event/", 6)) {
		*status = one_event(src, &ctx, path + 6, &jb, err, sizeof err);
	} else if (!strcmp(path, "findings")) {
		if ((p.arr = cf_jb_array(&jb, jb.root, "findings")))
			*status = cf_db_query_findings(src->db, &ctx, on_finding,
						       &p) == CF_OK ? 200 : 503;
	} else if (!strcmp(path, "scope")) {
		*status = scope(src, &ctx, &jb);
	} else if (!strcmp(path, "events") || !strcmp(path, "histogram")) {
		if (view_filter(get, arg, &f, &model, err, sizeof err)) {
			*status = 400;
		} else {
			f.timeout_ms = src->timeout_ms ? src->timeout_ms :
							 VIEW_TIMEOUT_MS;
			*status = path[0] == 'e' ?
				  events(src, &ctx, &f, get, arg, &jb, err, sizeof err) :
				  histogram(src, &ctx, &f, get, arg, &jb, err, sizeof err);
		}
	} else {
		snprintf(err, sizeof err, "no such API: %.200s", path);
	}
	free(model);
	if (*status == 503 && !err[0])
		snprintf(err, sizeof err, "%s", cf_errmsg(&ctx));
	if (*status != 200) {
		/* the answer is the error alone */
		cJSON_Delete(cf_jb_finish(&jb));
		jb = (struct cf_jb)CF_JB_INIT;
		if (!cf_jb_init(&jb))
			return CF_FATAL;
		cf_jb_str(&jb, jb.root, "error", err[0] ? err : "failed");
	}
	if (!(j = cf_jb_finish(&jb)))
		return CF_FATAL;
	*body = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return *body ? CF_OK : CF_FATAL;
}
