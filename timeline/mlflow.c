/* SPDX-License-Identifier: Apache-2.0
 *
 * MLflow model lineage: when each model version was created, from which
 * run, when its stage or alias changed, and when the runs started and ended.
 *
 * Read from the lineage.json the collector writes (format in
 * casefile-timeline(1)) or, when only the tracking store was collected,
 * from its SQLite snapshot: that file is opened read-only, on a private
 * copy, as untrusted input (cf_sqlite_open_untrusted: defensive mode,
 * trusted_schema off, quick_check first), and only MLflow's own tables are
 * read. Both give the same cJSON shape, turned into events by
 * one function. MLflow stores times as milliseconds since the epoch.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/sqlite_safe.h"
#include "tl.h"

/* ms since the epoch (MLflow) or an RFC 3339 string. */
static int ml_time(const cJSON *v, int64_t *us)
{
	int tz;

	if (cJSON_IsNumber(v)) {
		if (v->valuedouble < 0 || v->valuedouble > 253402300799000.0)
			return -1;
		*us = (int64_t)v->valuedouble * 1000;
		return 0;
	}
	return tl_json_time(v, us, &tz);
}

static const char *num_text(struct tl_run *r, const cJSON *v)
{
	if (cJSON_IsString(v))
		return tl_str(r, v->valuestring, (size_t)-1);
	if (cJSON_IsNumber(v))
		return tl_strf(r, "%.0f", v->valuedouble);
	return NULL;
}

static int ml_event(struct tl_run *r, const cJSON *o, const char *timekey,
		    const char *action, const char *desc, uint64_t ln,
		    uint64_t off)
{
	struct cf_event ev = {.ts_desc = desc, .source = "mlflow", .action = action};
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, timekey);
	const char *run;

	if (!t || cJSON_IsNull(t))
		return CF_OK;
	if (ml_time(t, &ev.ts_us))
		return tl_reject(r, ln, off, "MLflow: bad %s", timekey);
	ev.model = tl_str(r, cf_json_str(o, "name", NULL), (size_t)-1);
	ev.model_version = num_text(r, cJSON_GetObjectItemCaseSensitive(o, "version"));
	ev.actor = tl_str(r, cf_json_str(o, "user_id", cf_json_str(o, "user", NULL)),
			  (size_t)-1);
	run = cf_json_str(o, "run_id", cf_json_str(o, "run_uuid", NULL));
	tl_attr_str(r, "run_id", run, (size_t)-1);
	tl_attr_str(r, "source", cf_json_str(o, "source", NULL), (size_t)-1);
	tl_attr_str(r, "status", cf_json_str(o, "status", NULL), (size_t)-1);
	if (!strcmp(action, "stage-changed")) {
		ev.decision = tl_str(r, cf_json_str(o, "current_stage",
						    cf_json_str(o, "stage",
								cf_json_str(o, "to", NULL))),
				     (size_t)-1);
		tl_attr_str(r, "from", cf_json_str(o, "from", NULL), (size_t)-1);
	}
	if (!strcmp(action, "alias-set")) {
		ev.decision = tl_str(r, cf_json_str(o, "alias", NULL), (size_t)-1);
		tl_attr_bool(r, "time_is_last_update", 1);
	}
	if (!strncmp(action, "run-", 4)) {
		ev.resource = tl_str(r, run, (size_t)-1);
		tl_attr_json(r, "params", cJSON_GetObjectItemCaseSensitive(o, "params"));
		tl_attr_json(r, "metrics", cJSON_GetObjectItemCaseSensitive(o, "metrics"));
	} else if (run) {
		ev.resource = tl_strf(r, "runs:/%s", run);
	}
	ev.message = tl_strf(r, "%s %s%s%s", action, ev.model ? ev.model :
			     (run ? run : "?"), ev.model_version ? "@" : "",
			     ev.model_version ? ev.model_version : "");
	return tl_emit(r, &ev, ln, off);
}

static int version(struct tl_run *r, const cJSON *l, const cJSON *e,
		   uint64_t ln, uint64_t off)
{
	const char *stage = cf_json_str(e, "current_stage", cf_json_str(e, "stage", NULL));
	int rc;

	if ((rc = ml_event(r, e, "creation_time", "version-created",
			   "Creation Time", ln, off)))
		return rc;
	if (stage && strcmp(stage, "None") &&
	    !cJSON_HasObjectItem(l, "stage_transitions"))
		return ml_event(r, e, "last_updated_time", "stage-changed",
				"Last Update Time", ln, off);
	return CF_OK;
}

/* A version or alias nested in its registered model: given the model's
 * name (and, for an alias, the model's last update as its time). */
static int nested(struct tl_run *r, const cJSON *l, const cJSON *model,
		  const cJSON *v, const char *kind, uint64_t ln, uint64_t off)
{
	cJSON *c = cJSON_Duplicate(v, 1);
	int rc;

	if (!c || !cJSON_AddStringToObject(c, "name", cf_json_str(model, "name", "")) ||
	    (!strcmp(kind, "alias") && !cJSON_HasObjectItem(c, "last_updated_time") &&
	     !cJSON_AddNumberToObject(c, "last_updated_time",
				      cf_json_num(model, "last_updated_time", 0)))) {
		cJSON_Delete(c);
		return cf_set_nomem(r->ctx, "lineage");
	}
	if (!strcmp(kind, "alias"))
		rc = ml_event(r, c, "last_updated_time", "alias-set", "Alias Time", ln, off);
	else
		rc = version(r, l, c, ln, off);
	cJSON_Delete(c);
	return rc;
}

/* Turns a lineage object into events. */
static int lineage(struct tl_run *r, const cJSON *l, uint64_t ln, uint64_t off)
{
	const cJSON *e;
	int rc = CF_OK;

	if (!cJSON_IsObject(l))
		return tl_reject(r, ln, off, "lineage is not a JSON object");
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(l, "registered_models")) {
		const cJSON *v;
		if ((rc = ml_event(r, e, "creation_time", "model-registered",
				   "Creation Time", ln, off)))
			return rc;
		/* the collector nests versions and aliases under their model */
		cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(e, "versions"))
			if ((rc = nested(r, l, e, v, "version", ln, off)))
				return rc;
		cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(e, "aliases"))
			if ((rc = nested(r, l, e, v, "alias", ln, off)))
				return rc;
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(l, "model_versions"))
		if ((rc = version(r, l, e, ln, off)))
			return rc;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(l, "stage_transitions"))
		if ((rc = ml_event(r, e, "time", "stage-changed", "Stage Change Time",
				   ln, off)))
			return rc;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(l, "aliases"))
		if ((rc = ml_event(r, e, cJSON_HasObjectItem(e, "time") ? "time" :
					 "last_updated_time",
				   "alias-set", "Alias Time", ln, off)))
			return rc;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(l, "runs")) {
		if ((rc = ml_event(r, e, "start_time", "run-started", "Start Time", ln,
				   off)) ||
		    (rc = ml_event(r, e, "end_time", "run-ended", "End Time", ln, off)))
			return rc;
	}
	/* The collector marks a lineage it could not read whole: the events
	 * above stand, and the gap is recorded beside them. */
	if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(l, "complete")))
		return tl_reject(r, ln, off, "lineage is incomplete: the tracking store "
				 "could not be read to the end (%s)",
				 cf_json_str(l, "read_error", "no reason given"));
	return CF_OK;
}

/* ---- lineage.json ------------------------------------------------------- */

struct doc {
	struct cf_buf b;
	int too_big;
};

static int lj_start(struct tl_run *r)
{
	struct doc *d = cf_calloc(1, sizeof *d);

	if (!d)
		return cf_set_nomem(r->ctx, "lineage");
	cf_buf_init(&d->b);
	d->b.limit = TL_DOC_MAX;
	r->state = d;
	return CF_OK;
}

static void lj_free(struct tl_run *r)
{
	struct doc *d = r->state;

	if (d)
		cf_buf_release(&d->b);
	free(d);
	r->state = NULL;
}

static int lj_line(struct tl_run *r, const char *s, size_t n, uint64_t ln,
		   uint64_t off)
{
	struct doc *d = r->state;

	(void)ln;
	(void)off;
	if (!d->too_big && (cf_buf_append(&d->b, s, n) || cf_buf_putc(&d->b, '\n')))
		d->too_big = 1;
	return CF_OK;
}

static int lj_end(struct tl_run *r)
{
	struct doc *d = r->state;
	struct cf_ctx jctx;
	cJSON *o = NULL;
	int rc;

	if (d->too_big)
		return tl_reject(r, 1, 0, "lineage larger than %u bytes", TL_DOC_MAX);
	cf_ctx_init(&jctx);
	if (cf_json_parse(&jctx, d->b.data ? d->b.data : "", d->b.len, &o) != CF_OK)
		return tl_reject(r, 1, 0, "invalid lineage JSON: %s", cf_errmsg(&jctx));
	rc = lineage(r, o, 1, 0);
	cJSON_Delete(o);
	return rc;
}

const struct tl_parser tl_mlflow_lineage = {
	.name = "mlflow",
	.start = lj_start,
	.line = lj_line,
	.end = lj_end,
	.free = lj_free,
};

/* ---- SQLite snapshot ---------------------------------------------------- */

/* Rows of a query as an array of objects keyed by column name; what
 * cannot be read is noted in why (cf_sqlite_prepare_optional), so that the
 * member is rejected rather than read in part. */
static cJSON *rows(sqlite3 *db, const char *sql, char *why)
{
	sqlite3_stmt *s = NULL;
	cJSON *arr = cJSON_CreateArray();
	int rc;

	if (!arr || !cf_sqlite_prepare_optional(db, sql, &s, why))
		return arr;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();
		if (!o)
			break;
		for (int i = 0; i < sqlite3_column_count(s); i++) {
			const char *name = sqlite3_column_name(s, i);
			switch (sqlite3_column_type(s, i)) {
			case SQLITE_INTEGER:
			case SQLITE_FLOAT:
				cJSON_AddNumberToObject(o, name, sqlite3_column_double(s, i));
				break;
			case SQLITE_TEXT:
				cJSON_AddStringToObject(o, name,
							(const char *)sqlite3_column_text(s, i));
				break;
			default:
				break;
			}
		}
		cJSON_AddItemToArray(arr, o);
	}
	cf_sqlite_note_step(db, rc, why);
	sqlite3_finalize(s);
	return arr;
}

int tl_mlflow_sqlite(struct tl_run *r, const char *path)
{
	sqlite3 *db = NULL;
	cJSON *l = NULL;
	int rc;

	{
		struct cf_ctx sub;
		cf_ctx_init(&sub);
		if (cf_sqlite_open_untrusted(&sub, path, CF_SQLITE_QUICK_CHECK, &db) !=
		    CF_OK)
			return tl_reject(r, 0, 0,
					 "MLflow store: the SQLite snapshot is not usable "
					 "(cannot open it, or it fails quick_check)");
	}
	if (!(l = cJSON_CreateObject())) {
		sqlite3_close(db);
		return cf_set_nomem(r->ctx, "MLflow");
	}
	/* A row or field lost for lack of memory fails the member through
	 * tl_run.refused (cJSON allocates through casefile's allocator). */
	char why[CF_SQLITE_WHY] = "";
	if (cf_json_add_item(l, "registered_models",
			      rows(db, "SELECT name, creation_time FROM main.registered_models",
				   why)) ||
	    cf_json_add_item(l, "model_versions",
			      rows(db, "SELECT name, version, creation_time, last_updated_time,"
				       " current_stage, source, run_id, user_id, status"
				       " FROM main.model_versions", why)) ||
	    cf_json_add_item(l, "aliases",
			      rows(db, "SELECT a.name, a.alias, a.version, m.last_updated_time"
				       " FROM main.registered_model_aliases a JOIN"
				       " main.registered_models m ON m.name = a.name", why)) ||
	    cf_json_add_item(l, "runs",
			      rows(db, "SELECT run_uuid AS run_id, name AS run_name, user_id,"
				       " status, start_time, end_time FROM main.runs", why))) {
		sqlite3_close(db);
		cJSON_Delete(l);
		return cf_set_nomem(r->ctx, "MLflow");
	}
	if (why[0]) {
		rc = tl_reject(r, 0, 0, "MLflow store: the SQLite snapshot could not be "
			       "read to the end (%s)", why);
		sqlite3_close(db);
		cJSON_Delete(l);
		return rc;
	}
	sqlite3_close(db);
	rc = lineage(r, l, 0, 0);
	cJSON_Delete(l);
	return rc;
}
