/* SPDX-License-Identifier: Apache-2.0
 *
 * The lineage of each implicated model version (issue "AI incidents" item
 * 6): the registry entry (when the version was created, by whom, from
 * which run and artifact source), its stage changes and aliases, the
 * source run (parameters, metrics, tags such as the git commit, and its
 * input datasets with their digests), when it was promoted (the stage
 * Production or the alias champion) and by whom the store says, and the
 * version that replaced it. A version is implicated when a suspect names
 * it, when it decided in the window (the scope's cohorts), or when its run
 * took exposed data as input (`exposed_data.mlflow_run`).
 *
 * Read from the timeline's MLflow lineage events (source "mlflow", one
 * source of truth per store: timeline/mlflow.c), each fact cited to its
 * archive and member. MLflow's SQLite store keeps no history of stage
 * transitions, only the current stage and the time of the last update, and
 * records no one for a transition: "promoted" says so (basis), and names
 * the user who registered the version. Nothing here prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/scope.h"
#include "casefile/time.h"
#include "scope_count.h"

/* The attributes of an event; NULL when there are none or they do not
 * parse, and *nomem set when they did not parse for lack of memory (cJSON
 * then fails as on bad input: only the allocator's count tells). */
static cJSON *attrs_of(const struct cf_event *e, int *nomem)
{
	unsigned long refused = cf_alloc_failures();
	cJSON *a = e->attrs ? cJSON_Parse(e->attrs) : NULL;

	if (e->attrs && !a && cf_alloc_failures() != refused)
		*nomem = 1;
	return a;
}

struct lin {
	cJSON *out;        /* the "lineage" array, one row per version */
	cJSON *runs;       /* run id -> run object */
	cJSON *versions;   /* "model\nversion" -> created (for replaced_by) */
	int nomem;
};

static cJSON *row_of(cJSON *arr, const char *model, const char *version)
{
	cJSON *r;

	cJSON_ArrayForEach(r, arr)
		if (!strcmp(cf_json_str(r, "model", ""), model) &&
		    !strcmp(cf_json_str(r, "version", ""), version))
			return r;
	return NULL;
}

static int add_row(cJSON *arr, const char *model, const char *version)
{
	cJSON *r;

	if (!model || !*model || !version || !*version || row_of(arr, model, version))
		return 0;
	if (!(r = cJSON_CreateObject()) || !cJSON_AddItemToArray(arr, r)) {
		cJSON_Delete(r);
		return -1;
	}
	return cf_json_add_str(r, "model", model) || cf_json_add_str(r, "version", version) ||
	       !cJSON_AddArrayToObject(r, "stages") || !cJSON_AddArrayToObject(r, "aliases");
}

/* {time, archive, member, line} of an event, plus what it says. */
static cJSON *fact(const struct cf_event *e)
{
	struct cf_jb jb;
	cJSON *j = cf_jb_init(&jb);

	cf_jb_time(&jb, j, "time", e->ts_us);
	if (e->ts_desc && strstr(e->ts_desc, "inferred"))
		cf_jb_bool(&jb, j, "time_inferred", 1);
	cf_jb_str(&jb, j, "archive", e->archive);
	cf_jb_str(&jb, j, "member", e->member);
	cf_jb_int(&jb, j, "line", (int64_t)e->line);
	return cf_jb_finish(&jb);
}

static int add_attr(cJSON *o, const char *key, const cJSON *attrs, const char *akey)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(attrs, akey);
	cJSON *d;

	if (!v)
		return 0;
	if (!(d = cJSON_Duplicate(v, 1)))
		return -1;
	return cf_json_add_item(o, key, d);
}

/* Adds the fact of e under key; -1 on no memory. */
static int add_fact(cJSON *o, const char *key, const struct cf_event *e)
{
	cJSON *f = fact(e);

	return !f || cf_json_add_item(o, key, f);
}

/* Attaches f to arr (the array owns it from then on); -1 on no memory,
 * with f freed. */
static int attach(cJSON *arr, cJSON *f)
{
	if (!f || !cJSON_AddItemToArray(arr, f)) {
		cJSON_Delete(f);
		return -1;
	}
	return 0;
}

/* First pass: every version's creation time and run, for replaced_by and
 * for the versions whose run took exposed data. */
static int on_version(void *arg, const struct cf_event *e)
{
	struct lin *L = arg;
	cJSON *a, *o;
	char key[512];

	if (!e->model || !e->model_version || !e->action ||
	    strcmp(e->action, "version-created"))
		return 0;
	snprintf(key, sizeof key, "%s\n%s", e->model, e->model_version);
	if (cJSON_GetObjectItemCaseSensitive(L->versions, key))
		return 0;
	a = attrs_of(e, &L->nomem);
	if (L->nomem || !(o = cJSON_AddObjectToObject(L->versions, key)) ||
	    cf_json_add_num(o, "created", (double)e->ts_us) ||
	    cf_json_add_str(o, "run_id", cf_json_str(a, "run_id", NULL)))
		L->nomem = 1;
	cJSON_Delete(a);
	return L->nomem;
}

static int on_run(struct lin *L, const struct cf_event *e, const cJSON *a)
{
	const char *run = cf_json_str(a, "run_id", e->resource ? e->resource : "");
	cJSON *o = cJSON_GetObjectItemCaseSensitive(L->runs, run);

	if (!*run)
		return 0;
	if (!o && !(o = cJSON_AddObjectToObject(L->runs, run)))
		return -1;
	if (!strcmp(e->action, "run-ended")) {
		cJSON *f = fact(e);
		return !f || cf_json_add_item(o, "ended", f);
	}
	return cf_json_add_str(o, "run_id", run) || cf_json_add_str(o, "user", e->actor) ||
	       add_attr(o, "name", a, "run_name") || add_attr(o, "experiment", a, "experiment") ||
	       add_attr(o, "params", a, "params") || add_attr(o, "metrics", a, "metrics") ||
	       add_attr(o, "tags", a, "tags") || add_attr(o, "datasets", a, "datasets") ||
	       add_fact(o, "started", e);
}

/* Second pass: the facts of the implicated versions and every run. */
static int on_mlflow(void *arg, const struct cf_event *e)
{
	struct lin *L = arg;
	cJSON *a = attrs_of(e, &L->nomem), *r, *f;
	const char *act = e->action ? e->action : "";
	int bad = 0;

	if (L->nomem)
		bad = 1;
	else if (!strcmp(act, "run-started") || !strcmp(act, "run-ended")) {
		bad = on_run(L, e, a);
	} else if (e->model && e->model_version &&
		   (r = row_of(L->out, e->model, e->model_version))) {
		if (!strcmp(act, "version-created")) {
			bad = cf_json_add_item(r, "registered", (f = fact(e))) || !f ||
			      cf_json_add_str(f, "by", e->actor) ||
			      add_attr(f, "run_id", a, "run_id") ||
			      add_attr(f, "source", a, "source") ||
			      add_attr(f, "status", a, "status") || add_attr(f, "tags", a, "tags");
		} else if (!strcmp(act, "stage-changed")) {
			bad = attach(cJSON_GetObjectItemCaseSensitive(r, "stages"), (f = fact(e))) ||
			      cf_json_add_str(f, "stage", e->decision) ||
			      add_attr(f, "registered_by", a, "version_registered_by") ||
			      add_attr(f, "time_is_last_update", a, "time_is_last_update");
		} else if (!strcmp(act, "alias-set")) {
			bad = attach(cJSON_GetObjectItemCaseSensitive(r, "aliases"), (f = fact(e))) ||
			      cf_json_add_str(f, "alias", e->decision);
		}
	}
	cJSON_Delete(a);
	if (bad)
		L->nomem = 1;
	return L->nomem;
}

/* The version of the same model created next after this one, if any. */
static int replaced_by(struct lin *L, cJSON *r)
{
	const char *m = cf_json_str(r, "model", ""), *v = cf_json_str(r, "version", "");
	char key[512];
	const cJSON *mine, *c, *best = NULL;
	size_t ml = strlen(m);

	snprintf(key, sizeof key, "%s\n%s", m, v);
	if (!(mine = cJSON_GetObjectItemCaseSensitive(L->versions, key)))
		return cf_json_add_item(r, "replaced_by", NULL);
	cJSON_ArrayForEach(c, L->versions)
		if (!strncmp(c->string, m, ml) && c->string[ml] == '\n' &&
		    cf_json_num(c, "created", 0) > cf_json_num(mine, "created", 0) &&
		    (!best || cf_json_num(c, "created", 0) < cf_json_num(best, "created", 0)))
			best = c;
	if (best) {
		cJSON *o = cJSON_AddObjectToObject(r, "replaced_by");
		return !o || cf_json_add_str(o, "version", best->string + ml + 1) ||
		       cf_json_add_time(o, "created", (int64_t)cf_json_num(best, "created", 0));
	}
	return cf_json_add_item(r, "replaced_by", NULL);
}

static const cJSON *obj_get(const cJSON *o, const char *k)
{
	return o ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static const cJSON *obj_reg(const cJSON *r)
{
	return cJSON_GetObjectItemCaseSensitive(r, "registered");
}

/* Promoted: the stage Production, else the alias champion. */
static int promoted(cJSON *r)
{
	const cJSON *s, *hit = NULL;
	const char *how = NULL;
	cJSON *o;

	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(r, "stages"))
		if (!strcmp(cf_json_str(s, "stage", ""), "Production"))
			hit = s, how = "stage Production";
	if (!hit)
		cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(r, "aliases"))
			if (!strcmp(cf_json_str(s, "alias", ""), "champion"))
				hit = s, how = "alias champion";
	if (!hit) {
		/* the version left Production since: the registry's own tag,
		 * when the team records the deployment there */
		const char *dep = cf_json_str(obj_get(obj_reg(r), "tags"), "deployed_at", NULL);
		if (!dep)
			return cf_json_add_item(r, "promoted", NULL);
		if (!(o = cJSON_AddObjectToObject(r, "promoted")) ||
		    cf_json_add_str(o, "time", dep) ||
		    cf_json_add_str(o, "archive", cf_json_str(obj_reg(r), "archive", NULL)) ||
		    cf_json_add_str(o, "member", cf_json_str(obj_reg(r), "member", NULL)))
			return -1;
		how = "version tag deployed_at (its stage is no longer Production)";
	} else if (!(o = cJSON_Duplicate(hit, 1)) || cf_json_add_item(r, "promoted", o)) {
		return -1;
	}
	return cf_json_add_str(o, "how", how) ||
	       cf_json_add_str(o, "by", cf_json_str(obj_reg(r), "by", NULL)) ||
	       cf_json_add_str(o, "basis", "MLflow's store keeps the current stage "
			       "and the time of the version's last update, and no "
			       "one for a transition: 'by' is who registered the "
			       "version");
}

/* Hands every registry event (source "mlflow") to fn: CF_OK, or the
 * failure on ctx (a lack of memory fn noted in L->nomem said here). */
static int walk_registry(struct cf_ctx *ctx, cf_db *db, cf_db_event_fn fn,
			 struct lin *L)
{
	struct cf_db_filter f = {.source = "mlflow"};
	int rc = cf_db_query_events(db, ctx, &f, fn, L);

	return L->nomem ? cf_set_nomem(ctx, "model lineage") : rc;
}

int cf_scope_lineage(struct cf_ctx *ctx, cf_db *db, const struct cf_incident *inc,
		     cJSON *scope)
{
	struct lin L = {0};
	const cJSON *c;
	cJSON *r;
	int rc;

	if (!(L.out = cJSON_CreateArray()) || !(L.runs = cJSON_CreateObject()) ||
	    !(L.versions = cJSON_CreateObject()))
		goto nomem;
	for (size_t i = 0; i < inc->nmodels; i++)
		if (add_row(L.out, inc->models[i].name, inc->models[i].version))
			goto nomem;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(scope, "cohorts"))
		if (add_row(L.out, cf_json_str(c, "model", NULL), cf_json_str(c, "version", NULL)))
			goto nomem;
	if ((rc = walk_registry(ctx, db, on_version, &L)) != CF_OK)
		goto out;
	/* versions whose run took exposed data are implicated too */
	for (size_t i = 0; i < inc->exposure.ndata; i++) {
		const char *run = inc->exposure.data[i].mlflow_run;
		cJSON *v;
		cJSON_ArrayForEach(v, L.versions) {
			char m[512], *nl;
			if (!run || strcmp(cf_json_str(v, "run_id", ""), run))
				continue;
			snprintf(m, sizeof m, "%s", v->string);
			if ((nl = strchr(m, '\n'))) {
				*nl = '\0';
				if (add_row(L.out, m, nl + 1))
					goto nomem;
			}
		}
	}
	if ((rc = walk_registry(ctx, db, on_mlflow, &L)) != CF_OK)
		goto out;
	cJSON_ArrayForEach(r, L.out) {
		const cJSON *run_id = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(r, "registered"), "run_id");
		const cJSON *run = cJSON_IsString(run_id)
			? cJSON_GetObjectItemCaseSensitive(L.runs, run_id->valuestring) : NULL;
		cJSON *d = run ? cJSON_Duplicate(run, 1) : NULL;
		if ((run && !d) || cf_json_add_item(r, "run", d) || promoted(r) ||
		    replaced_by(&L, r))
			goto nomem;
	}
	if (!cJSON_AddItemToObject(scope, "lineage", L.out))
		goto nomem;
	L.out = NULL;
	goto out;
nomem:
	rc = cf_set_nomem(ctx, "model lineage");
out:
	cJSON_Delete(L.out);
	cJSON_Delete(L.runs);
	cJSON_Delete(L.versions);
	return rc;
}
