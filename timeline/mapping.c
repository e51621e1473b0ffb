/* SPDX-License-Identifier: Apache-2.0
 *
 * JSON lines through a field mapping, and model decision logs.
 *
 * A mapping (YAML, documented in casefile-timeline(1)) names, for each
 * event column, up to four dotted paths into the object, tried in order.
 * Without one, JSON lines use the built-in mapping below (ts/time/
 * timestamp/@timestamp, msg/message, user, ...). Decision logs have their
 * own default schema (casefile-decision-log(5)); a mapping of kind
 * "decisions" reads other layouts into the same columns. A time may be an
 * RFC 3339 string or a number of seconds (or milliseconds when above 1e11)
 * since the epoch; an object without a usable time is a reject.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/scope.h"
#include "casefile/time.h"
#include "casefile/yaml.h"
#include "tl.h"

static const char *const field_names[TL_F_N] = {
	[TL_F_TIME] = "time",         [TL_F_ACTOR] = "actor",
	[TL_F_ACTOR_ROLE] = "actor_role", [TL_F_ACTION] = "action",
	[TL_F_OUTCOME] = "outcome",   [TL_F_PATIENT] = "patient",
	[TL_F_RESOURCE] = "resource", [TL_F_SRC_IP] = "src_ip",
	[TL_F_HOST] = "host",         [TL_F_MODEL] = "model",
	[TL_F_MODEL_VERSION] = "model_version", [TL_F_DECISION] = "decision",
	[TL_F_SCORE] = "score",       [TL_F_MESSAGE] = "message",
};

static const struct tl_mapping default_mapping = {
	.name = "jsonl",
	.kind = "events",
	.fields = {
		[TL_F_TIME] = {"time", "timestamp", "ts", "@timestamp"},
		[TL_F_ACTOR] = {"user", "username", "user_id", "actor"},
		[TL_F_ACTION] = {"action", "event", "event_type", "operation"},
		[TL_F_OUTCOME] = {"outcome", "result", "status"},
		[TL_F_PATIENT] = {"patient", "patient_id"},
		[TL_F_RESOURCE] = {"resource", "path", "url", "uri"},
		[TL_F_SRC_IP] = {"src_ip", "client_ip", "ip", "remote_addr"},
		[TL_F_HOST] = {"host", "hostname"},
		[TL_F_MESSAGE] = {"message", "msg"},
	},
};

const struct tl_mapping *tl_mapping_default(void)
{
	return &default_mapping;
}

const cJSON *tl_json_path(const cJSON *o, const char *path)
{
	char key[256];

	while (o && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof key)
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		o = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
		path += n + (path[n] == '.');
	}
	return o;
}

static const cJSON *lookup(const struct tl_mapping *m, enum tl_field f,
			   const cJSON *o)
{
	for (int i = 0; i < 4 && m->fields[f][i]; i++) {
		const cJSON *v = tl_json_path(o, m->fields[f][i]);
		if (v && !cJSON_IsNull(v))
			return v;
	}
	return NULL;
}

/* A scalar as text (numbers and booleans printed). */
static const char *text(struct tl_run *r, const cJSON *v)
{
	if (!v)
		return NULL;
	if (cJSON_IsString(v))
		return tl_str(r, v->valuestring, (size_t)-1);
	if (cJSON_IsNumber(v)) {
		if (v->valuedouble == floor(v->valuedouble) && fabs(v->valuedouble) < 1e15)
			return tl_strf(r, "%.0f", v->valuedouble);
		return tl_strf(r, "%.17g", v->valuedouble);
	}
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v) ? "true" : "false";
	return NULL;
}

/* RFC 3339 string or epoch seconds/milliseconds; 0 or -1. */
int tl_json_time(const cJSON *v, int64_t *us, int *tz)
{
	*tz = 0;
	if (cJSON_IsString(v))
		return cf_time_parse(v->valuestring, -1, us, tz);
	if (cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble >= 0) {
		double s = v->valuedouble > 1e11 ? v->valuedouble / 1000 : v->valuedouble;
		if (s > 253402300799.0)
			return -1;
		*us = (int64_t)llround(s * 1e6);
		return 0;
	}
	return -1;
}

static void fill(struct tl_run *r, const struct tl_mapping *m, const cJSON *o,
		 struct cf_event *ev)
{
	const cJSON *v;

	ev->actor = text(r, lookup(m, TL_F_ACTOR, o));
	ev->actor_role = text(r, lookup(m, TL_F_ACTOR_ROLE, o));
	ev->action = text(r, lookup(m, TL_F_ACTION, o));
	ev->resource = text(r, lookup(m, TL_F_RESOURCE, o));
	ev->src_ip = text(r, lookup(m, TL_F_SRC_IP, o));
	ev->host = text(r, lookup(m, TL_F_HOST, o));
	ev->model = text(r, lookup(m, TL_F_MODEL, o));
	ev->model_version = text(r, lookup(m, TL_F_MODEL_VERSION, o));
	ev->decision = text(r, lookup(m, TL_F_DECISION, o));
	ev->message = text(r, lookup(m, TL_F_MESSAGE, o));
	if ((v = lookup(m, TL_F_PATIENT, o)))
		ev->patient = tl_patient_id(r, text(r, v));
	if ((v = lookup(m, TL_F_SCORE, o)) && cJSON_IsNumber(v)) {
		ev->score = v->valuedouble;
		ev->has_score = 1;
	}
	if ((v = lookup(m, TL_F_OUTCOME, o))) {
		const char *t = text(r, v);
		if (m->success && t)
			ev->outcome = !strcmp(t, m->success) ? "success" : "failure";
		else
			ev->outcome = t;
	}
}

int tl_mapped_object(struct tl_run *r, const cJSON *o, uint64_t ln, uint64_t off)
{
	const struct tl_mapping *m = r->meta->mapping;

	if (!m || (m->kind && strcmp(m->kind, "events")))
		m = &default_mapping;
	return tl_mapped_with(r, m, o, ln, off);
}

int tl_mapped_with(struct tl_run *r, const struct tl_mapping *m,
		   const cJSON *o, uint64_t ln, uint64_t off)
{
	struct cf_event ev = {.ts_desc = "Event Recorded"};
	const cJSON *t = lookup(m, TL_F_TIME, o), *c;
	int tz;

	if (!t)
		return tl_reject(r, ln, off, "JSON object without a time field");
	if (tl_json_time(t, &ev.ts_us, &tz))
		return tl_reject(r, ln, off, "JSON: bad or out-of-range time");
	ev.source = m->name ? m->name : "jsonl";
	fill(r, m, o, &ev);
	tl_attr_tz(r, tz);
	/* keep the fields the mapping did not place (bounded by TL_FIELD_MAX) */
	cJSON_ArrayForEach(c, o) {
		int used = 0;
		for (int f = 0; f < TL_F_N && !used; f++)
			for (int i = 0; i < 4 && m->fields[f][i]; i++)
				if (!strcmp(m->fields[f][i], c->string))
					used = 1;
		if (!used && c->string && strlen(c->string) < 64 &&
		    tl_utf8_ok(c->string, strlen(c->string)) &&
		    !strpbrk(c->string, "\"\\") && r->attrs.len < TL_FIELD_MAX) {
			char key[80];
			snprintf(key, sizeof key, "f.%s", c->string);
			tl_attr_json(r, key, c);
		}
	}
	return tl_emit(r, &ev, ln, off);
}

/* ---- decision logs ------------------------------------------------------ */

static int has_str(const cJSON *arr, const char *s)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, arr)
		if (cJSON_IsString(e) && !strcmp(e->valuestring, s))
			return 1;
	return 0;
}

/* The PHI categories of a decision's inputs: input_ref is a FHIR reference
 * ("Observation/vs-1", a full URL, "Observation?patient=...") or an array
 * of them; each resource type goes through the same table as `timeline
 * scope` (cf_phi_category): attributes input_types and phi_categories
 * (each once, in order of appearance). */
static void decision_inputs(struct tl_run *r, const cJSON *ref)
{
	cJSON *types = cJSON_CreateArray(), *cats = cJSON_CreateArray();
	const cJSON *one = cJSON_IsArray(ref) ? ref->child : ref;

	for (; one && types && cats; one = cJSON_IsArray(ref) ? one->next : NULL) {
		const char *s = cJSON_IsString(one) ? one->valuestring : NULL;
		const char *end, *slash;
		char type[64];
		const char *cat;
		if (!s)
			continue;
		/* the type is the path segment before the id: "[base/]Type/id" */
		end = s + strcspn(s, "?#");
		slash = NULL;
		for (const char *p = s; p < end; p++)
			if (*p == '/' && p + 1 < end)
				slash = p;
		if (slash) {
			const char *b = slash;
			while (b > s && b[-1] != '/')
				b--;
			snprintf(type, sizeof type, "%.*s", (int)(slash - b), b);
		} else {
			snprintf(type, sizeof type, "%.*s", (int)(end - s), s);
		}
		if (!(cat = cf_phi_category(type)))
			continue;
		if (!has_str(types, type))
			cJSON_AddItemToArray(types, cJSON_CreateString(type));
		if (!has_str(cats, cat))
			cJSON_AddItemToArray(cats, cJSON_CreateString(cat));
	}
	if (cJSON_GetArraySize(types)) {
		tl_attr_json(r, "input_types", types);
		tl_attr_json(r, "phi_categories", cats);
	}
	cJSON_Delete(types);
	cJSON_Delete(cats);
}

/* ---- in-service interval, inferred from the decisions ------------------- */

/* A decision cited by its time, line and offset. */
struct dec_at {
	int64_t ts;
	uint64_t ln, off;
};

struct tl_inservice {
	struct inservice_version {
		char *model, *version;
		struct dec_at first, last;
	} *v;
	size_t n, cap;
};

void tl_inservice_free(struct tl_inservice *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].model);
		free(s->v[i].version);
	}
	free(s->v);
	free(s);
}

/* Notes a decision of ev->model at ev->model_version: the earliest time
 * (the first line on a tie) and the latest (the last line on a tie). */
static int inservice_note(struct tl_run *r, const struct cf_event *ev,
			  uint64_t ln, uint64_t off)
{
	struct tl_inservice *s = r->inservice;
	struct dec_at at = {ev->ts_us, ln, off};
	struct inservice_version *e = NULL;

	if (!ev->model || !ev->model_version)
		return CF_OK; /* no version named: nothing to date */
	if (!s && !(s = r->inservice = cf_calloc(1, sizeof *s)))
		return cf_set_nomem(r->ctx, "decisions");
	for (size_t i = 0; i < s->n && !e; i++)
		if (!strcmp(s->v[i].model, ev->model) &&
		    !strcmp(s->v[i].version, ev->model_version))
			e = &s->v[i];
	if (e) {
		if (at.ts < e->first.ts)
			e->first = at;
		if (at.ts >= e->last.ts)
			e->last = at;
		return CF_OK;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4;
		struct inservice_version *v = cf_realloc(s->v, cap * sizeof *v);
		if (!v)
			return cf_set_nomem(r->ctx, "decisions");
		s->v = v;
		s->cap = cap;
	}
	e = &s->v[s->n];
	e->model = cf_strdup(ev->model);
	e->version = cf_strdup(ev->model_version);
	if (!e->model || !e->version) {
		free(e->model);
		free(e->version);
		return cf_set_nomem(r->ctx, "decisions");
	}
	e->first = e->last = at;
	s->n++;
	return CF_OK;
}

static int decision_emit(struct tl_run *r, struct cf_event *ev, uint64_t ln,
			 uint64_t off)
{
	if (inservice_note(r, ev, ln, off) != CF_OK) {
		tl_event_reset(r);
		return CF_FAILED;
	}
	return tl_emit(r, ev, ln, off);
}

/* One event per end of the interval, in the order the versions were
 * first seen: the same member always gives the same events, wherever it
 * is stored. */
int tl_decisions_end(struct tl_run *r)
{
	struct tl_inservice *s = r->inservice;
	int rc = CF_OK;

	for (size_t i = 0; s && i < s->n && rc == CF_OK; i++) {
		for (int last = 0; last < 2 && rc == CF_OK; last++) {
			const struct dec_at *at = last ? &s->v[i].last : &s->v[i].first;
			struct cf_event ev = {
				/* not "model-decision": these are no decisions,
				 * and the registry join (cf_db_link_lineage)
				 * leaves them as they are */
				.ts_us = at->ts, .source = "decision",
				.ts_desc = last ? "Last Decision (inferred)" :
						  "First Decision (inferred)",
				.action = last ? "model-in-service-last" :
						 "model-in-service-first",
			};
			tl_event_reset(r);
			ev.model = tl_str(r, s->v[i].model, (size_t)-1);
			ev.model_version = tl_str(r, s->v[i].version, (size_t)-1);
			tl_attr_bool(r, "inferred", 1);
			tl_attr_str(r, "basis", last ? "last decision in this log" :
					       "first decision in this log", (size_t)-1);
			ev.message = tl_strf(r, last ?
					     "%s@%s still in service at its last decision "
					     "in this log (inferred)" :
					     "%s@%s in service by its first decision "
					     "in this log (inferred)", ev.model,
					     ev.model_version);
			rc = tl_emit(r, &ev, at->ln, at->off);
		}
	}
	tl_inservice_free(s);
	r->inservice = NULL;
	return rc;
}

int tl_decision_object(struct tl_run *r, const cJSON *o, uint64_t ln,
		       uint64_t off)
{
	const struct tl_mapping *m = r->meta->mapping;
	struct cf_event ev = {.ts_desc = "Decision Time", .source = "model-decision",
			      .action = "decision"};
	const cJSON *t, *v, *ov;
	int tz;

	if (m && (!m->kind || strcmp(m->kind, "decisions")))
		m = NULL;
	if (m) {
		if (!(t = lookup(m, TL_F_TIME, o)))
			return tl_reject(r, ln, off, "decision without a time field");
		if (tl_json_time(t, &ev.ts_us, &tz))
			return tl_reject(r, ln, off, "decision: bad or out-of-range time");
		fill(r, m, o, &ev);
		if (!ev.action)
			ev.action = "decision";
		ev.source = "model-decision";
		tl_attr_tz(r, tz);
		return decision_emit(r, &ev, ln, off);
	}
	if (!(t = cJSON_GetObjectItemCaseSensitive(o, "time")))
		return tl_reject(r, ln, off, "decision without \"time\"");
	if (tl_json_time(t, &ev.ts_us, &tz))
		return tl_reject(r, ln, off, "decision: bad or out-of-range time");
	if (!cf_json_str(o, "model", NULL))
		return tl_reject(r, ln, off, "decision without \"model\"");
	tl_attr_tz(r, tz);
	ev.model = tl_str(r, cf_json_str(o, "model", NULL), (size_t)-1);
	ev.model_version = text(r, cJSON_GetObjectItemCaseSensitive(o, "model_version"));
	ev.patient = tl_patient_id(r, text(r, cJSON_GetObjectItemCaseSensitive(o, "patient")));
	ev.actor = text(r, cJSON_GetObjectItemCaseSensitive(o, "user"));
	ev.decision = text(r, cJSON_GetObjectItemCaseSensitive(o, "output"));
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "score")) && cJSON_IsNumber(v)) {
		ev.score = v->valuedouble;
		ev.has_score = 1;
	}
	ev.outcome = "success"; /* acted on: no human set it aside */
	tl_attr_str(r, "requested_by", ev.actor, (size_t)-1);
	tl_attr_str(r, "input_ref", cf_json_str(o, "input_ref", NULL), (size_t)-1);
	decision_inputs(r, cJSON_GetObjectItemCaseSensitive(o, "input_ref"));
	tl_attr_str(r, "request_id", cf_json_str(o, "request_id", NULL), (size_t)-1);
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "threshold")) && cJSON_IsNumber(v))
		tl_attr_json(r, "threshold", v);
	ov = cJSON_GetObjectItemCaseSensitive(o, "override");
	if (cJSON_IsObject(ov)) {
		/* a human set the output aside: its own outcome, never counted
		 * with the decisions acted on */
		tl_attr_json(r, "override", ov);
		ev.outcome = "overridden";
		tl_attr_str(r, "override_by", cf_json_str(ov, "by", NULL), (size_t)-1);
		tl_attr_str(r, "override_reason", cf_json_str(ov, "reason", NULL),
			    (size_t)-1);
		tl_attr_str(r, "override_decision", cf_json_str(ov, "decision", NULL),
			    (size_t)-1);
	}
	ev.message = tl_strf(r, "%s@%s -> %s%s%s", ev.model,
			     ev.model_version ? ev.model_version : "?",
			     ev.decision ? ev.decision : "?",
			     ev.patient ? " for " : "", ev.patient ? ev.patient : "");
	return decision_emit(r, &ev, ln, off);
}

/* ---- mapping files ------------------------------------------------------ */

void tl_mapping_free(struct tl_mapping *m)
{
	if (!m)
		return;
	free(m->name);
	free(m->kind);
	free(m->success);
	for (int f = 0; f < TL_F_N; f++)
		for (int i = 0; i < 4; i++)
			free(m->fields[f][i]);
	free(m);
}

static int load_field(struct cf_ctx *ctx, const char *path, struct fy_node *n,
		      char *out[4])
{
	if (fy_node_is_scalar(n)) {
		if (!(out[0] = cf_yaml_strdup(n)))
			return cf_set_nomem(ctx, "mapping");
		return CF_OK;
	}
	if (fy_node_is_sequence(n)) {
		void *it = NULL;
		struct fy_node *e;
		int i = 0;
		while ((e = fy_node_sequence_iterate(n, &it))) {
			if (i >= 4)
				return cf_yaml_error(ctx, path, e, "at most 4 paths per field");
			if (!fy_node_is_scalar(e))
				return cf_yaml_error(ctx, path, e, "a path must be a string");
			if (!(out[i++] = cf_yaml_strdup(e)))
				return cf_set_nomem(ctx, "mapping");
		}
		return CF_OK;
	}
	return cf_yaml_error(ctx, path, n, "a field maps to a path or a list of paths");
}

int tl_mapping_load(struct cf_ctx *ctx, const char *path, struct tl_mapping **out)
{
	static const char *const top[] = {"name", "kind", "fields", "success", NULL};
	struct fy_document *doc = NULL;
	struct fy_node *root, *fields, *k, *v;
	struct fy_node_pair *pair;
	struct tl_mapping *m = NULL;
	void *it = NULL;
	int rc = CF_FAILED;

	*out = NULL;
	if (cf_yaml_load(ctx, path, &doc) != CF_OK)
		return CF_FAILED;
	root = fy_document_root(doc);
	if (!root || !fy_node_is_mapping(root)) {
		cf_yaml_error(ctx, path, root, "a mapping file is a YAML mapping");
		goto out;
	}
	if (cf_yaml_check_keys(ctx, path, root, top) != CF_OK)
		goto out;
	if (!(m = cf_calloc(1, sizeof *m))) {
		cf_set_nomem(ctx, "mapping");
		goto out;
	}
	if (cf_yaml_str(ctx, path, root, "name", &m->name) < 0 ||
	    cf_yaml_str(ctx, path, root, "kind", &m->kind) < 0 ||
	    cf_yaml_str(ctx, path, root, "success", &m->success) < 0)
		goto out;
	if (m->kind && strcmp(m->kind, "events") && strcmp(m->kind, "decisions")) {
		cf_yaml_error(ctx, path, cf_yaml_get(root, "kind"),
			      "kind is \"events\" or \"decisions\"");
		goto out;
	}
	if (!(fields = cf_yaml_get(root, "fields")) || !fy_node_is_mapping(fields)) {
		cf_yaml_error(ctx, path, fields ? fields : root,
			      "\"fields\" (a mapping) is required");
		goto out;
	}
	while ((pair = fy_node_mapping_iterate(fields, &it))) {
		char *key;
		int f;
		k = fy_node_pair_key(pair);
		v = fy_node_pair_value(pair);
		if (!(key = cf_yaml_strdup(k))) {
			cf_yaml_error(ctx, path, k, "bad field name");
			goto out;
		}
		for (f = 0; f < TL_F_N && strcmp(field_names[f], key); f++)
			;
		free(key);
		if (f == TL_F_N) {
			cf_yaml_error(ctx, path, k, "unknown field (see casefile-timeline(1))");
			goto out;
		}
		if (load_field(ctx, path, v, m->fields[f]) != CF_OK)
			goto out;
	}
	if (!m->fields[TL_F_TIME][0]) {
		cf_yaml_error(ctx, path, fields, "the \"time\" field is required");
		goto out;
	}
	*out = m;
	m = NULL;
	rc = CF_OK;
out:
	tl_mapping_free(m);
	fy_document_destroy(doc);
	return rc;
}
