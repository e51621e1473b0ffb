/* SPDX-License-Identifier: Apache-2.0
 *
 * MLflow model lineage: when each model version was created, from which
 * run, when its stage or alias changed, and when the runs started and ended
 * (with their params, metrics, tags and input datasets).
 *
 * Read from the tracking store's SQLite snapshot: that file is opened
 * read-only, on a private copy, as untrusted input (cf_sqlite_open_untrusted:
 * defensive mode, trusted_schema off, quick_check first), and only MLflow's
 * own tables are read. The lineage.json the collector writes beside it
 * (format in casefile-timeline(1)) is its summary: the builder does not
 * count it when the archive holds the snapshot it summarises (one source of
 * truth per store), and reads it only when it stands alone. Both give the
 * same cJSON shape, turned into events by one function. MLflow stores times
 * as milliseconds since the epoch, and leaves some unset: no event is ever
 * dated 0. A time the store does not record (an alias's, above all) is
 * taken from the nearest time it does record and labelled inferred, or the
 * fact becomes a reject "no time recorded".
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

/* ms since the epoch (MLflow) or an RFC 3339 string; 0 when known. MLflow
 * leaves a time it never set as NULL (or, from some clients, 0): both are
 * unknown, never 1970-01-01. */
static int ml_time(const cJSON *v, int64_t *us)
{
	int tz;

	if (!v || cJSON_IsNull(v))
		return -1;
	if (cJSON_IsNumber(v)) {
		if (v->valuedouble <= 0 || v->valuedouble > 253402300799000.0)
			return -1;
		*us = (int64_t)v->valuedouble * 1000;
		return 0;
	}
	if (tl_json_time(v, us, &tz) || *us <= 0)
		return -1;
	return 0;
}

static const char *num_text(struct tl_run *r, const cJSON *v)
{
	if (cJSON_IsString(v))
		return tl_str(r, v->valuestring, (size_t)-1);
	if (cJSON_IsNumber(v))
		return tl_strf(r, "%.0f", v->valuedouble);
	return NULL;
}

/* Where an event's time comes from: the object's own field `key`, else,
 * when that is unknown, the nearest time the store does record (`basis`
 * says which and how it bounds the real one). */
struct ml_when {
	const char *key, *desc;
	const cJSON *alt;      /* the fallback time, or NULL */
	const char *basis;     /* what alt is, for the attribute time_basis */
};

/* One lineage event. A time the store never recorded is taken from w->alt
 * and labelled (ts_desc "... (inferred)", attributes time_inferred and
 * time_basis); without one either, the fact is a reject "no time", never
 * an event dated 0. `known`: the object's time is absent by design (the
 * end of a run still running): nothing is emitted. */
static int ml_event(struct tl_run *r, const cJSON *o, const struct ml_when *w,
		    const char *action, uint64_t ln, uint64_t off)
{
	struct cf_event ev = {.ts_desc = w->desc, .source = "mlflow", .action = action};
	const char *run, *name = cf_json_str(o, "name", NULL);
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(o, "version");
	int inferred = 0;

	if (ml_time(cJSON_GetObjectItemCaseSensitive(o, w->key), &ev.ts_us)) {
		if (!strcmp(action, "run-ended") &&
		    !cf_json_str(o, "end_time", NULL) &&
		    strcmp(cf_json_str(o, "status", "RUNNING"), "FINISHED") &&
		    strcmp(cf_json_str(o, "status", "RUNNING"), "FAILED") &&
		    strcmp(cf_json_str(o, "status", "RUNNING"), "KILLED"))
			return CF_OK; /* not ended yet */
		if (!w->alt || ml_time(w->alt, &ev.ts_us))
			return tl_reject(r, ln, off, "MLflow: %s %s%s%.0f: no time recorded "
					 "(%s is unknown)", action,
					 name ? name : cf_json_str(o, "run_id", "?"),
					 cJSON_IsNumber(ver) ? "@" : "",
					 cJSON_IsNumber(ver) ? ver->valuedouble : 0.0, w->key);
		inferred = 1;
		ev.ts_desc = tl_strf(r, "%s (inferred)", w->desc);
	}
	ev.model = tl_str(r, name, (size_t)-1);
	ev.model_version = num_text(r, ver);
	run = cf_json_str(o, "run_id", cf_json_str(o, "run_uuid", NULL));
	/* model_versions.user_id is who registered the version: the actor of
	 * its creation only (MLflow does not record who changed a stage) */
	if (!strcmp(action, "version-created") || !strncmp(action, "run-", 4) ||
	    cJSON_HasObjectItem(o, "time"))
		ev.actor = tl_str(r, cf_json_str(o, "user_id", cf_json_str(o, "user", NULL)),
				  (size_t)-1);
	else
		tl_attr_str(r, "version_registered_by", cf_json_str(o, "user_id", NULL),
			    (size_t)-1);
	if (inferred) {
		tl_attr_bool(r, "time_inferred", 1);
		tl_attr_str(r, "time_basis", w->basis, (size_t)-1);
	}
	tl_attr_str(r, "run_id", run, (size_t)-1);
	tl_attr_str(r, "source", cf_json_str(o, "source", NULL), (size_t)-1);
	tl_attr_str(r, "status", cf_json_str(o, "status", NULL), (size_t)-1);
	if (!strcmp(action, "stage-changed")) {
		ev.decision = tl_str(r, cf_json_str(o, "current_stage",
						    cf_json_str(o, "stage",
								cf_json_str(o, "to", NULL))),
				     (size_t)-1);
		tl_attr_str(r, "from", cf_json_str(o, "from", NULL), (size_t)-1);
		if (!strcmp(w->key, "last_updated_time"))
			tl_attr_bool(r, "time_is_last_update", 1);
	}
	if (!strcmp(action, "alias-set"))
		ev.decision = tl_str(r, cf_json_str(o, "alias", NULL), (size_t)-1);
	if (!strcmp(action, "version-created")) {
		tl_attr_json(r, "aliases", cJSON_GetObjectItemCaseSensitive(o, "aliases"));
		tl_attr_json(r, "tags", cJSON_GetObjectItemCaseSensitive(o, "tags"));
	}
	if (!strncmp(action, "run-", 4)) {
		ev.resource = tl_str(r, run, (size_t)-1);
		tl_attr_str(r, "run_name", cf_json_str(o, "run_name",
						       cf_json_str(o, "name", NULL)),
			    (size_t)-1);
		tl_attr_str(r, "experiment", cf_json_str(o, "experiment", NULL), (size_t)-1);
		tl_attr_json(r, "params", cJSON_GetObjectItemCaseSensitive(o, "params"));
		tl_attr_json(r, "metrics", cJSON_GetObjectItemCaseSensitive(o, "metrics"));
		tl_attr_json(r, "tags", cJSON_GetObjectItemCaseSensitive(o, "tags"));
		tl_attr_json(r, "datasets", cJSON_GetObjectItemCaseSensitive(o, "datasets"));
		ev.model = NULL; /* a run's "name" is the run's, not a model's */
	} else if (run) {
		ev.resource = tl_strf(r, "runs:/%s", run);
	}
	ev.message = tl_strf(r, "%s %s%s%s", action, ev.model ? ev.model :
			     (run ? run : "?"), ev.model_version ? "@" : "",
			     ev.model_version ? ev.model_version : "");
	return tl_emit(r, &ev, ln, off);
}

static int ml_at(struct tl_run *r, const cJSON *o, const char *key,
		 const char *desc, const char *action, uint64_t ln, uint64_t off)
{
	struct ml_when w = {key, desc, NULL, NULL};

	if (!cJSON_HasObjectItem(o, key) && strcmp(action, "run-ended"))
		return CF_OK; /* a layout without that fact */
	return ml_event(r, o, &w, action, ln, off);
}

/* A version's creation, and its current stage as of its last update (the
 * registry keeps no stage history: when the lineage carries an explicit
 * one, stage_transitions, that stands instead). */
static int version(struct tl_run *r, const cJSON *l, const cJSON *e,
		   uint64_t ln, uint64_t off)
{
	const char *stage = cf_json_str(e, "current_stage", cf_json_str(e, "stage", NULL));
	struct ml_when w = {"last_updated_time", "Last Update Time",
			    cJSON_GetObjectItemCaseSensitive(e, "creation_time"),
			    "version creation (no last update recorded)"};
	int rc;

	if ((rc = ml_at(r, e, "creation_time", "Creation Time", "version-created",
			ln, off)))
		return rc;
	if (stage && strcmp(stage, "None") &&
	    !cJSON_HasObjectItem(l, "stage_transitions"))
		return ml_event(r, e, &w, "stage-changed", ln, off);
	return CF_OK;
}

/* An alias: MLflow records no time for one. It was set after its version's
 * creation; casefile places it at the registered model's last update when
 * that is known and not earlier, else at the version's creation, labelled
 * inferred either way. `model` and `ver` may be NULL. */
static int alias(struct tl_run *r, const cJSON *a, const cJSON *model,
		 const cJSON *ver, uint64_t ln, uint64_t off)
{
	const cJSON *mt = cJSON_GetObjectItemCaseSensitive(a, "model_last_updated_time");
	const cJSON *vt = cJSON_GetObjectItemCaseSensitive(a, "version_creation_time");
	struct ml_when w = {"time", "Alias Time", NULL, NULL};
	int64_t m_us, v_us;

	if (!mt && model)
		mt = cJSON_GetObjectItemCaseSensitive(model, "last_updated_time");
	if (!vt && ver)
		vt = cJSON_GetObjectItemCaseSensitive(ver, "creation_time");
	if (!ml_time(mt, &m_us) && (ml_time(vt, &v_us) || m_us >= v_us)) {
		w.alt = mt;
		w.basis = "registered model last update (MLflow records no time "
			  "for an alias)";
	} else if (!ml_time(vt, &v_us)) {
		w.alt = vt;
		w.basis = "version creation: set at or after it (MLflow records "
			  "no time for an alias)";
	}
	return ml_event(r, a, &w, "alias-set", ln, off);
}

/* The version object of `model` numbered like `a`'s "version", or NULL. */
static const cJSON *version_of(const cJSON *versions, const cJSON *a)
{
	const cJSON *v;
	double n = cf_json_num(a, "version", -1);

	cJSON_ArrayForEach(v, versions)
		if (cf_json_num(v, "version", -2) == n)
			return v;
	return NULL;
}

/* A version or alias nested in its registered model (the collector's
 * lineage.json): given the model's name. */
static int nested(struct tl_run *r, const cJSON *l, const cJSON *model,
		  const cJSON *v, const char *kind, uint64_t ln, uint64_t off)
{
	cJSON *c = cJSON_Duplicate(v, 1);
	int rc;

	if (!c || !cJSON_AddStringToObject(c, "name", cf_json_str(model, "name", ""))) {
		cJSON_Delete(c);
		return cf_set_nomem(r->ctx, "lineage");
	}
	if (!strcmp(kind, "alias"))
		rc = alias(r, c, model,
			   version_of(cJSON_GetObjectItemCaseSensitive(model, "versions"), v),
			   ln, off);
	else
		rc = version(r, l, c, ln, off);
	cJSON_Delete(c);
	return rc;
}

/* The model of `name` in the lineage's flat registered_models, or NULL. */
static const cJSON *model_named(const cJSON *l, const char *name)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(l, "registered_models"))
		if (name && !strcmp(cf_json_str(m, "name", ""), name))
			return m;
	return NULL;
}

/* The flat version of (name, version) in the lineage, or NULL. */
static const cJSON *flat_version(const cJSON *l, const cJSON *a)
{
	const cJSON *v;
	const char *name = cf_json_str(a, "name", "");

	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(l, "model_versions"))
		if (!strcmp(cf_json_str(v, "name", ""), name) &&
		    cf_json_num(v, "version", -1) == cf_json_num(a, "version", -2))
			return v;
	return NULL;
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
		if ((rc = ml_at(r, e, "creation_time", "Creation Time", "model-registered",
				ln, off)))
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
		if ((rc = ml_at(r, e, "time", "Stage Change Time", "stage-changed",
				ln, off)))
			return rc;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(l, "aliases"))
		if ((rc = alias(r, e, model_named(l, cf_json_str(e, "name", NULL)),
				flat_version(l, e), ln, off)))
			return rc;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(l, "runs")) {
		if ((rc = ml_at(r, e, "start_time", "Start Time", "run-started", ln, off)) ||
		    (rc = ml_at(r, e, "end_time", "End Time", "run-ended", ln, off)))
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

static int lj_document(struct tl_run *r, const cJSON *o, const struct tl_doc *d)
{
	return lineage(r, o, d->line, d->off);
}

const struct tl_parser tl_mlflow_lineage = {
	.name = "mlflow",
	.document = lj_document,
	.doc_name = "lineage JSON",
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
			case SQLITE_TEXT: {
				const char *t = (const char *)sqlite3_column_text(s, i);
				size_t nl = strlen(name);
				/* json_group_object() columns, named *_json */
				if (nl > 5 && !strcmp(name + nl - 5, "_json")) {
					char key[64];
					snprintf(key, sizeof key, "%.*s", (int)(nl - 5), name);
					cJSON_AddItemToObject(o, key, cJSON_Parse(t));
				} else {
					cJSON_AddStringToObject(o, name, t);
				}
				break;
			}
			default: /* NULL: a time never set stays unknown */
				cJSON_AddNullToObject(o, name);
				break;
			}
		}
		cJSON_AddItemToArray(arr, o);
	}
	cf_sqlite_note_step(db, rc, why);
	sqlite3_finalize(s);
	return arr;
}

/* Facts of runs (rows of q_run_facts) into their run's object: a key/value
 * under the object named by "what", or the value itself when key is null.
 * -1 without memory. */
static int run_attach(cJSON *runs, const cJSON *facts)
{
	const cJSON *f;

	cJSON_ArrayForEach(f, facts) {
		cJSON *run, *obj, *val;
		const char *what = cf_json_str(f, "what", "?");
		cJSON_ArrayForEach(run, runs)
			if (!strcmp(cf_json_str(run, "run_id", ""), cf_json_str(f, "run_id", "?")))
				break;
		if (!run || !(val = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(f, "value"), 1)))
			continue;
		if (!cf_json_str(f, "key", NULL)) {
			cJSON_AddItemToObject(run, what, val);
			continue;
		}
		if (!(obj = cJSON_GetObjectItemCaseSensitive(run, what)) &&
		    !(obj = cJSON_AddObjectToObject(run, what))) {
			cJSON_Delete(val);
			return -1;
		}
		cJSON_AddItemToObject(obj, cf_json_str(f, "key", ""), val);
	}
	return 0;
}

/* The datasets each run took as input (MLflow 2.4+: datasets, inputs and
 * input_tags; an older store has none) under the run's "datasets". */
static int run_datasets(cJSON *runs, cJSON *ds)
{
	cJSON *d;

	while ((d = cJSON_DetachItemFromArray(ds, 0))) {
		cJSON *run, *arr = NULL;
		cJSON_ArrayForEach(run, runs)
			if (!strcmp(cf_json_str(run, "run_id", ""), cf_json_str(d, "run_id", "?")))
				break;
		cJSON_DeleteItemFromObjectCaseSensitive(d, "run_id");
		if (run && !(arr = cJSON_GetObjectItemCaseSensitive(run, "datasets")))
			arr = cJSON_AddArrayToObject(run, "datasets");
		if (!arr) {
			cJSON_Delete(d);
			if (run)
				return -1;
			continue;
		}
		cJSON_AddItemToArray(arr, d);
	}
	return 0;
}

static int run_facts(sqlite3 *db, cJSON *runs, char *why);

/* MLflow's own tables into the shape lineage() reads: every version (with
 * its tags and aliases), every alias (with the times that bound it), every
 * run (with params, latest metrics, tags and input datasets). */
static const char *const q_models =
	"SELECT * FROM main.registered_models"; /* older stores lack columns */
static const char *const q_versions =
	"SELECT v.name, v.version, v.creation_time, v.last_updated_time,"
	" v.current_stage, v.source, v.run_id, v.user_id, v.status,"
	" (SELECT json_group_object(t.key, t.value) FROM main.model_version_tags t"
	"  WHERE t.name = v.name AND t.version = v.version) AS tags_json,"
	" (SELECT json_group_array(a.alias) FROM main.registered_model_aliases a"
	"  WHERE a.name = v.name AND a.version = v.version) AS aliases_json"
	" FROM main.model_versions v";
static const char *const q_aliases =
	"SELECT a.name, a.alias, a.version, m.last_updated_time AS"
	" model_last_updated_time, v.creation_time AS version_creation_time"
	" FROM main.registered_model_aliases a"
	" LEFT JOIN main.registered_models m ON m.name = a.name"
	" LEFT JOIN main.model_versions v ON v.name = a.name AND v.version = a.version";
static const char *const q_runs =
	"SELECT run_uuid AS run_id, name AS run_name, user_id, status, start_time,"
	" end_time FROM main.runs";
/* (run_id, what, key, value) rows attached to the runs by run_attach; a
 * table an older store lacks gives none */
static const char *const q_run_facts[] = {
	"SELECT r.run_uuid AS run_id, 'experiment' AS what, NULL AS key, e.name AS"
	" value FROM main.runs r JOIN main.experiments e ON e.experiment_id ="
	" r.experiment_id",
	"SELECT run_uuid AS run_id, 'params' AS what, key, value FROM main.params"
	" ORDER BY run_uuid, key",
	"SELECT run_uuid AS run_id, 'metrics' AS what, key, value FROM"
	" main.latest_metrics ORDER BY run_uuid, key",
	"SELECT run_uuid AS run_id, 'tags' AS what, key, value FROM main.tags"
	" ORDER BY run_uuid, key",
};
static const char *const q_datasets =
	"SELECT i.destination_id AS run_id, d.name, d.digest,"
	" d.dataset_source_type AS source_type, d.dataset_source AS source,"
	" (SELECT t.value FROM main.input_tags t WHERE t.input_uuid = i.input_uuid"
	"  AND t.name = 'mlflow.data.context') AS context"
	" FROM main.inputs i JOIN main.datasets d ON d.dataset_uuid = i.source_id"
	" WHERE i.source_type = 'DATASET' AND i.destination_type = 'RUN'"
	" ORDER BY i.destination_id, d.name, d.digest";

static int run_facts(sqlite3 *db, cJSON *runs, char *why)
{
	for (size_t i = 0; i < sizeof q_run_facts / sizeof q_run_facts[0]; i++) {
		cJSON *f = rows(db, q_run_facts[i], why);
		int bad = !f || run_attach(runs, f);
		cJSON_Delete(f);
		if (bad)
			return -1;
	}
	return 0;
}

int tl_mlflow_sqlite(struct tl_run *r, const char *path)
{
	sqlite3 *db = NULL;
	cJSON *l = NULL, *ds = NULL;
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
	if (cf_json_add_item(l, "registered_models", rows(db, q_models, why)) ||
	    cf_json_add_item(l, "model_versions", rows(db, q_versions, why)) ||
	    cf_json_add_item(l, "aliases", rows(db, q_aliases, why)) ||
	    cf_json_add_item(l, "runs", rows(db, q_runs, why)) ||
	    run_facts(db, cJSON_GetObjectItemCaseSensitive(l, "runs"), why) ||
	    !(ds = rows(db, q_datasets, why)) ||
	    run_datasets(cJSON_GetObjectItemCaseSensitive(l, "runs"), ds)) {
		sqlite3_close(db);
		cJSON_Delete(ds);
		cJSON_Delete(l);
		return cf_set_nomem(r->ctx, "MLflow");
	}
	cJSON_Delete(ds);
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
