/* SPDX-License-Identifier: Apache-2.0
 *
 * Suspects from findings (casefile/suspects.h): the actors, source
 * addresses and model versions of the events that the stored findings of
 * chosen rules point at become suspects of the incident, each finding
 * recorded with what it named and its evidence, so that a report can say
 * which rule led to which suspect.
 */
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/scope.h"
#include "casefile/suspects.h"

struct walk {
	struct cf_ctx *ctx;
	cf_db *db;
	struct cf_incident *inc;
	const char *const *rules;
	size_t nrules;
	unsigned char *used;  /* per rule: a finding was seen */
	cJSON *prov;
	int rc;
};

/* The fields of one event looked up by id (copies: the row is the
 * store's only during the callback). */
struct ev_fields {
	char *actor, *src_ip, *model, *version;
	int found, nomem;
};

static int on_event(void *arg, const struct cf_event *ev)
{
	struct ev_fields *x = arg;

	x->found = 1;
	if ((ev->actor && *ev->actor && !(x->actor = cf_strdup(ev->actor))) ||
	    (ev->src_ip && *ev->src_ip && !(x->src_ip = cf_strdup(ev->src_ip))) ||
	    (ev->model && *ev->model && !(x->model = cf_strdup(ev->model))) ||
	    (ev->model_version && *ev->model_version &&
	     !(x->version = cf_strdup(ev->model_version))))
		x->nomem = 1;
	return 1;
}

static void ev_fields_free(struct ev_fields *x)
{
	free(x->actor);
	free(x->src_ip);
	free(x->model);
	free(x->version);
}

static int in_list(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

/* Appends a copy of s to *v unless listed; -1 on no memory. */
static int add_str(char ***v, size_t *n, const char *s)
{
	char **nv, *c;

	if (in_list(*v, *n, s))
		return 0;
	if (!(c = cf_strdup(s)))
		return -1;
	if (!(nv = cf_realloc(*v, (*n + 1) * sizeof *nv))) {
		free(c);
		return -1;
	}
	nv[(*n)++] = c;
	*v = nv;
	return 0;
}

static int add_model(struct cf_incident *inc, const char *name, const char *version)
{
	struct cf_suspect_model *nm;
	char *n = NULL, *v = NULL;

	for (size_t i = 0; i < inc->nmodels; i++)
		if (!strcmp(inc->models[i].name, name) &&
		    (!inc->models[i].version ||
		     (version && !strcmp(inc->models[i].version, version))))
			return 0;
	if (!(n = cf_strdup(name)) || (version && !(v = cf_strdup(version))) ||
	    !(nm = cf_realloc(inc->models, (inc->nmodels + 1) * sizeof *nm))) {
		free(n);
		free(v);
		return -1;
	}
	nm[inc->nmodels].name = n;
	nm[inc->nmodels].version = v;
	inc->models = nm;
	inc->nmodels++;
	return 0;
}

/* Adds s to the provenance array unless there; -1 on no memory. */
static int add_named(cJSON *arr, const char *s)
{
	const cJSON *e;
	cJSON *x;

	cJSON_ArrayForEach(e, arr)
		if (cJSON_IsString(e) && !strcmp(e->valuestring, s))
			return 0;
	if (!(x = cJSON_CreateString(s)) || !cJSON_AddItemToArray(arr, x)) {
		cJSON_Delete(x);
		return -1;
	}
	return 0;
}

/* One evidence event of a finding: its suspects into inc and p. */
static int take_event(struct walk *w, const cJSON *e, cJSON *actors, cJSON *ips,
		      cJSON *models, cJSON *evs)
{
	struct cf_db_filter f = {0};
	struct ev_fields x = {0};
	const char *actor, *ip;
	cJSON *o;
	int rc = CF_OK;

	f.id = cf_json_int(e, "id", -1);
	f.has_id = 1;
	if (f.id >= 0 && cf_db_query_events(w->db, w->ctx, &f, on_event, &x) == CF_FAILED) {
		ev_fields_free(&x);
		return CF_FAILED;
	}
	if (x.nomem) {
		ev_fields_free(&x);
		return cf_set_nomem(w->ctx, "suspects");
	}
	actor = x.found ? x.actor : cf_json_str(e, "actor", NULL);
	ip = x.found ? x.src_ip : cf_json_str(e, "src_ip", NULL);
	if ((actor && *actor && (add_str(&w->inc->actors, &w->inc->nactors, actor) ||
				 add_named(actors, actor))) ||
	    (ip && *ip && (add_str(&w->inc->ips, &w->inc->nips, ip) ||
			   add_named(ips, ip))))
		rc = cf_set_nomem(w->ctx, "suspects");
	if (rc == CF_OK && x.model) {
		size_t len = strlen(x.model) + (x.version ? strlen(x.version) + 1 : 0) + 1;
		char *mv = cf_malloc(len);
		if (!mv || add_model(w->inc, x.model, x.version))
			rc = cf_set_nomem(w->ctx, "suspects");
		else {
			strcpy(mv, x.model);
			if (x.version) {
				strcat(mv, "@");
				strcat(mv, x.version);
			}
			if (add_named(models, mv))
				rc = cf_set_nomem(w->ctx, "suspects");
		}
		free(mv);
	}
	ev_fields_free(&x);
	if (rc != CF_OK)
		return rc;
	if (!(o = cJSON_CreateObject()) || !cJSON_AddItemToArray(evs, o)) {
		cJSON_Delete(o);
		return cf_set_nomem(w->ctx, "suspects");
	}
	if (cf_json_add_int(o, "id", cf_json_int(e, "id", -1)) ||
	    cf_json_add_str(o, "ts", cf_json_str(e, "ts", NULL)) ||
	    cf_json_add_str(o, "archive", cf_json_str(e, "archive", NULL)) ||
	    cf_json_add_str(o, "member", cf_json_str(e, "member", NULL)) ||
	    cf_json_add_int(o, "line", cf_json_int(e, "line", 0)))
		return cf_set_nomem(w->ctx, "suspects");
	return CF_OK;
}

static int on_finding(void *arg, const struct cf_finding *fd)
{
	struct walk *w = arg;
	cJSON *events = NULL, *p, *actors, *ips, *models, *evs;
	const cJSON *e;
	size_t k;

	for (k = 0; k < w->nrules && strcmp(w->rules[k], fd->rule_id); k++)
		;
	if (k == w->nrules)
		return 0;
	w->used[k] = 1;
	if (cf_json_parse(w->ctx, fd->events ? fd->events : "[]",
			  strlen(fd->events ? fd->events : "[]"), &events) != CF_OK ||
	    !cJSON_IsArray(events)) {
		cJSON_Delete(events);
		if (events)
			cf_set_error(w->ctx, 0, "finding of rule '%s': its events "
				     "are not a JSON array", fd->rule_id);
		return w->rc = CF_FAILED;
	}
	if (!(p = cJSON_CreateObject()) || !cJSON_AddItemToArray(w->prov, p)) {
		cJSON_Delete(p);
		cJSON_Delete(events);
		return w->rc = cf_set_nomem(w->ctx, "suspects");
	}
	if (cf_json_add_str(p, "rule_id", fd->rule_id) ||
	    cf_json_add_str(p, "title", fd->title) ||
	    cf_json_add_str(p, "level", fd->level) ||
	    cf_json_add_int(p, "count", fd->count) ||
	    cf_json_add_str(p, "group", fd->group_key) ||
	    cf_json_add_time(p, "first", fd->first_us) ||
	    cf_json_add_time(p, "last", fd->last_us) ||
	    !(actors = cJSON_AddArrayToObject(p, "actors")) ||
	    !(ips = cJSON_AddArrayToObject(p, "ips")) ||
	    !(models = cJSON_AddArrayToObject(p, "models")) ||
	    !(evs = cJSON_AddArrayToObject(p, "events"))) {
		cJSON_Delete(events);
		return w->rc = cf_set_nomem(w->ctx, "suspects");
	}
	cJSON_ArrayForEach(e, events)
		if ((w->rc = take_event(w, e, actors, ips, models, evs)) != CF_OK)
			break;
	cJSON_Delete(events);
	return w->rc != CF_OK;
}

int cf_suspects_from_findings(struct cf_ctx *ctx, cf_db *db,
			      struct cf_incident *inc,
			      const char *const *rules, size_t nrules,
			      cJSON **out)
{
	struct walk w = {ctx, db, inc, rules, nrules, NULL, NULL, CF_OK};
	int rc;

	if (out)
		*out = NULL;
	if (!(w.used = cf_calloc(nrules ? nrules : 1, 1)) ||
	    !(w.prov = cJSON_CreateArray())) {
		free(w.used);
		return cf_set_nomem(ctx, "suspects");
	}
	rc = cf_db_query_findings(db, ctx, on_finding, &w);
	if (w.rc != CF_OK)
		rc = w.rc;
	else if (rc != CF_OK)
		rc = CF_FAILED;
	for (size_t k = 0; rc == CF_OK && k < nrules; k++)
		if (!w.used[k])
			rc = cf_set_error(ctx, 0, "no finding of rule '%s' in the "
					  "store (`timeline detect --store` stores them; a "
					  "rule that found nothing names no suspect)",
					  rules[k]);
	free(w.used);
	if (rc == CF_OK && out)
		*out = w.prov;
	else
		cJSON_Delete(w.prov);
	return rc;
}

int cf_scope_with_findings(struct cf_ctx *ctx, cf_db *db,
			   struct cf_incident *inc, const char *const *rules,
			   size_t nrules, unsigned flags, cJSON **out)
{
	cJSON *prov = NULL;
	int rc;

	*out = NULL;
	if (nrules && (rc = cf_suspects_from_findings(ctx, db, inc, rules, nrules,
						      &prov)) != CF_OK)
		return rc;
	if ((rc = cf_scope_compute(ctx, db, inc, flags, out)) != CF_OK) {
		cJSON_Delete(prov);
		return rc;
	}
	if (nrules && cf_json_add_item(*out, "suspects_from_findings", prov)) {
		cJSON_Delete(*out);
		*out = NULL;
		return cf_set_nomem(ctx, "scope");
	}
	return CF_OK;
}
