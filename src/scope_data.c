/* SPDX-License-Identifier: Apache-2.0
 *
 * Population scoping for data at rest (issue "AI incidents" item 5): when
 * an incident exposed a training dataset, an export, a bucket, a model
 * artifact or a host's database (`exposed_data`, casefile-incident(5)),
 * the affected individuals are the patients in that data, not the patients
 * someone was seen reading. They are taken from the evidence that holds the
 * data: the rows of a dataset file (the timeline's `dataset` events, one per
 * row naming a patient, src "timeline/dataset.c"), the rows of a host's
 * SQLite database (`database` events, cited by table and rowid, src
 * "timeline/sqlitedb.c"; an item may narrow them to a `table` and a
 * `patient_column`) and the Patient resources of a FHIR NDJSON export (its
 * `fhir-patient` record events, one per line; the store's patients table,
 * which keeps only the first record that ever named a patient, only for a
 * resource without such an event), each cited to the archive member and
 * line of the exposed data that names the patient: every such line, for a
 * CSV row, a database row and an NDJSON line alike. An item may name the
 * data by its original path (a glob) or by the MLflow run that took it as
 * input: the run's datasets (name, digest, source) are read from its
 * lineage event and their sources become the paths.
 *
 * Records are handed to the scope (src/scope.c) through a callback, so
 * they are counted, listed by state and cited exactly like accesses; this
 * file adds the "data_at_rest" block that says which data, which members
 * and how many records and patients each item matched. Nothing prints.
 */
#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/scope.h"
#include "scope_count.h"

/* At most this many source patterns per item (an MLflow run's inputs). */
#define MAX_PATTERNS 64

struct item {
	const struct cf_exposed_data *d;
	char *pat[MAX_PATTERNS];
	size_t npat;
	cJSON *out;          /* this item's row of "sources" */
	cJSON *members;      /* member -> records */
	cJSON *patients;     /* patient -> true */
	int64_t records;
};

struct data {
	struct item *it;
	size_t n;
	int (*add)(void *arg, const struct cf_event *e);
	void *arg;
	cJSON *all;          /* patient -> true, over every item */
	int nomem, rc;
};

/* The original path of an evidence member ("evidence/SRC/a/b" ->
 * "/a/b"), or NULL when the member is not one of the collected files. */
static const char *orig_path(const char *member)
{
	const char *p;

	if (!member || strncmp(member, "evidence/", 9))
		return NULL;
	p = strchr(member + 9, '/');
	return p;
}

static int matches(const struct item *it, const char *member)
{
	const char *o = orig_path(member);

	for (size_t i = 0; i < it->npat; i++)
		if ((o && !fnmatch(it->pat[i], o, 0)) || !fnmatch(it->pat[i], member, 0))
			return 1;
	return 0;
}

static int add_pattern(struct item *it, const char *p)
{
	if (it->npat == MAX_PATTERNS)
		return 0;
	if (!(it->pat[it->npat] = cf_strdup(p)))
		return -1;
	it->npat++;
	return 0;
}

/* The path an MLflow dataset source names: {"uri": U} or {"path": P} (as
 * MLflow writes it) or the text itself; "file://" is dropped, and a
 * source in another store (s3://, gs://, ...) matches by its file name. */
static int source_pattern(struct item *it, const char *src)
{
	unsigned long refused = cf_alloc_failures();
	cJSON *j = cJSON_Parse(src);
	const char *s = src, *scheme;
	char *pat;
	int rc;

	if (!j && cf_alloc_failures() != refused)
		return -1;
	if (j && cJSON_IsObject(j))
		s = cf_json_str(j, "uri", cf_json_str(j, "path", src));
	if (!strncmp(s, "file://", 7))
		s += 7;
	if ((scheme = strstr(s, "://"))) {
		const char *base = strrchr(scheme + 3, '/');
		base = base ? base + 1 : scheme + 3;
		pat = *base ? cf_strdup("*/") : NULL;
		if (pat) {
			char *t = cf_realloc(pat, 3 + strlen(base));
			if (t)
				strcpy(t + 2, base);
			else
				free(pat);
			pat = t;
		}
	} else {
		pat = *s ? cf_strdup(s) : NULL;
	}
	rc = pat || !*s ? 0 : -1;
	if (pat && add_pattern(it, pat))
		rc = -1;
	free(pat);
	cJSON_Delete(j);
	return rc;
}

/* An MLflow run's lineage event: the datasets of the items naming it. */
static int on_run(void *arg, const struct cf_event *e)
{
	struct data *D = arg;
	unsigned long refused = cf_alloc_failures();
	cJSON *a;
	const cJSON *ds;

	if (!e->attrs)
		return 0;
	if (!(a = cJSON_Parse(e->attrs)))
		return cf_alloc_failures() != refused ? (D->nomem = 1) : 0;
	for (size_t i = 0; i < D->n && !D->nomem; i++) {
		struct item *it = &D->it[i];
		cJSON *arr;

		if (!it->d->mlflow_run || strcmp(it->d->mlflow_run, cf_json_str(a, "run_id", "")))
			continue;
		arr = cJSON_GetObjectItemCaseSensitive(it->out, "datasets");
		cJSON_ArrayForEach(ds, cJSON_GetObjectItemCaseSensitive(a, "datasets")) {
			const char *name = cf_json_str(ds, "name", "");
			cJSON *o;

			if (it->d->dataset && strcmp(it->d->dataset, name))
				continue;
			if (!(o = cJSON_CreateObject()) || !cJSON_AddItemToArray(arr, o) ||
			    cf_json_add_str(o, "name", name) ||
			    cf_json_add_str(o, "digest", cf_json_str(ds, "digest", NULL)) ||
			    cf_json_add_str(o, "source", cf_json_str(ds, "source", NULL)) ||
			    cf_json_add_str(o, "context", cf_json_str(ds, "context", NULL)) ||
			    cf_json_add_str(o, "archive", e->archive) ||
			    cf_json_add_str(o, "member", e->member) ||
			    (!it->d->path && source_pattern(it, cf_json_str(ds, "source", ""))))
				D->nomem = 1;
		}
		if (!cJSON_ReplaceItemInObjectCaseSensitive(it->out, "run_found",
							    cJSON_CreateTrue()))
			D->nomem = 1;
	}
	cJSON_Delete(a);
	return D->nomem;
}

static int count_in(cJSON *set, const char *key, int64_t by)
{
	cJSON *n = cJSON_GetObjectItemCaseSensitive(set, key);

	if (n) {
		cJSON_SetNumberValue(n, n->valuedouble + (double)by);
		return 0;
	}
	return cJSON_AddNumberToObject(set, key, (double)by) ? 0 : -1;
}

/* 1 when a record may count for the item: an item that names a table or
 * a patient column takes only the rows of a host's database (source
 * "database", timeline/sqlitedb.c) read from them, whose attributes `a`
 * (NULL for any other record) name that table and column; SQLite compares
 * identifiers without regard to ASCII case, and so does this. */
static int rows_match(const struct item *it, const cJSON *a)
{
	if (!it->d->table && !it->d->patient_column)
		return 1;
	return a && (!it->d->table || !strcasecmp(it->d->table, cf_json_str(a, "table", ""))) &&
	       (!it->d->patient_column ||
		!strcasecmp(it->d->patient_column, cf_json_str(a, "column", "")));
}

/* The attributes of a host database's row, parsed once for all the items
 * (only when one narrows to a table or column); NULL for any other record,
 * or when they do not parse (*nomem set when that was for want of
 * memory). */
static cJSON *row_attrs(const struct cf_event *e, int *nomem)
{
	unsigned long refused = cf_alloc_failures();
	cJSON *a;

	if (!e->source || strcmp(e->source, "database") || !e->attrs)
		return NULL;
	if (!(a = cJSON_Parse(e->attrs)))
		*nomem = cf_alloc_failures() != refused;
	return a;
}

/* One record of data at rest (an event, or a patients-table row when
 * `fallback`): counted by every item whose data holds its member, handed
 * to the scope once. A patients-table row stands for a Patient resource
 * that carried no record event of its own: an item that already holds the
 * patient from a record of its data does not count it again. */
static int record(struct data *D, const struct cf_event *e, int fallback)
{
	cJSON *a;
	int hit = 0, nomem = 0, narrow = 0;

	if (!e->patient || !*e->patient || !e->member)
		return 0;
	for (size_t i = 0; i < D->n; i++)
		narrow |= D->it[i].d->table || D->it[i].d->patient_column;
	if (!(a = narrow ? row_attrs(e, &nomem) : NULL) && nomem)
		return D->nomem = 1;
	for (size_t i = 0; i < D->n && !nomem; i++) {
		struct item *it = &D->it[i];

		if (!matches(it, e->member) || !rows_match(it, a))
			continue;
		if (fallback && cJSON_GetObjectItemCaseSensitive(it->patients, e->patient))
			continue;
		hit = 1;
		it->records++;
		if (count_in(it->members, e->member, 1) ||
		    (!cJSON_GetObjectItemCaseSensitive(it->patients, e->patient) &&
		     !cJSON_AddTrueToObject(it->patients, e->patient)))
			nomem = 1;
	}
	cJSON_Delete(a);
	if (nomem)
		return D->nomem = 1;
	if (!hit)
		return 0;
	if (!cJSON_GetObjectItemCaseSensitive(D->all, e->patient) &&
	    !cJSON_AddTrueToObject(D->all, e->patient))
		return D->nomem = 1;
	if ((D->rc = D->add(D->arg, e)))
		return 1;
	return 0;
}

static int on_record(void *arg, const struct cf_event *e)
{
	return record(arg, e, 0);
}

static int on_patient_row(void *arg, const struct cf_patient *p)
{
	struct cf_event e = {.ts_us = INT64_MIN, .source = "patients",
			     .action = "record", .patient = p->id,
			     .archive = p->archive, .member = p->member,
			     .line = p->line};

	return record(arg, &e, 1);
}

static int item_init(struct item *it, const struct cf_exposed_data *d)
{
	it->d = d;
	if (!(it->out = cJSON_CreateObject()) || !(it->members = cJSON_CreateObject()) ||
	    !(it->patients = cJSON_CreateObject()) ||
	    cf_json_add_str(it->out, "path", d->path) ||
	    cf_json_add_str(it->out, "what", d->what) ||
	    cf_json_add_str(it->out, "mlflow_run", d->mlflow_run) ||
	    cf_json_add_str(it->out, "dataset", d->dataset) ||
	    cf_json_add_str(it->out, "table", d->table) ||
	    cf_json_add_str(it->out, "patient_column", d->patient_column) ||
	    !cJSON_AddArrayToObject(it->out, "datasets") ||
	    (d->path && add_pattern(it, d->path)))
		return -1;
	if (d->mlflow_run && cf_json_add_bool(it->out, "run_found", 0))
		return -1;
	return 0;
}

/* The item's row: patterns, members with their record counts, totals. */
static int item_finish(struct item *it, cJSON *sources)
{
	cJSON *pats = cJSON_AddArrayToObject(it->out, "patterns"), *m, *arr;

	if (!pats)
		return -1;
	for (size_t i = 0; i < it->npat; i++)
		if (!cJSON_AddItemToArray(pats, cJSON_CreateString(it->pat[i])))
			return -1;
	if (!(arr = cJSON_AddArrayToObject(it->out, "members")))
		return -1;
	cJSON_ArrayForEach(m, it->members) {
		cJSON *o = cJSON_CreateObject();
		if (!o || !cJSON_AddItemToArray(arr, o) ||
		    cf_json_add_str(o, "member", m->string) ||
		    cf_json_add_int(o, "records", (int64_t)m->valuedouble))
			return -1;
	}
	if (cf_json_add_int(it->out, "records", it->records) ||
	    cf_json_add_int(it->out, "patients", cJSON_GetArraySize(it->patients)))
		return -1;
	/* a table or column the build did not read gives no row: say so
	 * rather than let an empty population pass for an empty table */
	if (!it->records && (it->d->table || it->d->patient_column) &&
	    cf_json_add_str(it->out, "note", "no row of this table and column was "
			    "read from the database: the timeline reads the column "
			    "patient_id, patient, subject_id, person_id or mrn of "
			    "any table, and the id of a table named patient or "
			    "patients (casefile-timeline(1))"))
		return -1;
	if (!cJSON_AddItemToArray(sources, it->out))
		return -1;
	it->out = NULL;
	return 0;
}

int cf_scope_data_at_rest(struct cf_ctx *ctx, cf_db *db,
			  const struct cf_incident *inc,
			  int (*add)(void *arg, const struct cf_event *e),
			  void *arg, cJSON *scope)
{
	const struct cf_exposure *x = &inc->exposure;
	struct data D = {.n = x->ndata, .add = add, .arg = arg};
	struct cf_db_filter runs = {.source = "mlflow", .action = "run-started"};
	/* the records of data at rest: rows of dataset files and of hosts'
	 * databases, and the Patient resources of FHIR exports, each cited
	 * to its own member and line; then the patients table, for a Patient
	 * resource that carried no record event (no identifying element) */
	static const struct cf_db_filter recs[] = {
		{.source = "dataset"},
		{.source = "database", .action = "record"},
		{.source = "fhir-patient", .action = "patient-record"},
	};
	cJSON *blk = NULL, *sources;
	int rc = CF_OK;

	if (!x->ndata)
		return CF_OK;
	if (!(D.it = cf_calloc(x->ndata, sizeof *D.it)) || !(D.all = cJSON_CreateObject()))
		goto nomem;
	for (size_t i = 0; i < D.n; i++)
		if (item_init(&D.it[i], &x->data[i]))
			goto nomem;
	rc = cf_db_query_events(db, ctx, &runs, on_run, &D);
	if (D.nomem)
		goto nomem;
	for (size_t i = 0; rc == CF_OK && !D.nomem && !D.rc &&
			   i < sizeof recs / sizeof recs[0]; i++)
		rc = cf_db_query_events(db, ctx, &recs[i], on_record, &D);
	if (D.nomem)
		goto nomem;
	if (rc == CF_OK)
		rc = cf_db_query_patients(db, ctx, on_patient_row, &D);
	if (D.nomem)
		goto nomem;
	if (D.rc)
		rc = D.rc;
	if (rc != CF_OK)
		goto out;
	if (!(blk = cJSON_CreateObject()) || !(sources = cJSON_AddArrayToObject(blk, "sources")))
		goto nomem;
	for (size_t i = 0; i < D.n; i++)
		if (item_finish(&D.it[i], sources))
			goto nomem;
	if (cf_json_add_int(blk, "patients", cJSON_GetArraySize(D.all)) ||
	    !cJSON_AddItemToObject(scope, "data_at_rest", blk))
		goto nomem;
	blk = NULL;
	goto out;
nomem:
	rc = cf_set_nomem(ctx, "data at rest");
out:
	for (size_t i = 0; D.it && i < D.n; i++) {
		for (size_t k = 0; k < D.it[i].npat; k++)
			free(D.it[i].pat[k]);
		cJSON_Delete(D.it[i].out);
		cJSON_Delete(D.it[i].members);
		cJSON_Delete(D.it[i].patients);
	}
	free(D.it);
	cJSON_Delete(D.all);
	cJSON_Delete(blk);
	return rc;
}
