/* SPDX-License-Identifier: Apache-2.0
 *
 * The state of a playbook run (see engine.c): CASE/playbooks/<id>/
 * state.json and its accessors, the custody entries written exactly once
 * (an entry is marked owed in the state before it is appended, and looked
 * for in the log before a resumed run appends it again), the first state
 * of a run (playbook digest, discovery time, incident file, variables),
 * completing a step, and pb_status, the report of a run with its
 * deadlines and HIPAA clocks.
 *
 * Must never: write the state other than by an atomic replace, or append
 * a custody entry twice.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/rand.h>

#include "casefile/alloc.h"
#include "casefile/atomic.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/hash.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "casefile/scope.h"
#include "casefile/time.h"
#include "casefile/yaml.h"
#include "engine_int.h"

char *pb_state_dir(const char *case_dir, const char *playbook_id)
{
	char *a = cf_path_join(case_dir, "playbooks"), *b;

	if (!a)
		return NULL;
	b = cf_path_join(a, playbook_id);
	free(a);
	return b;
}

char *eng_in_dir(const struct eng *E, const char *id, const char *suffix)
{
	size_t n = strlen(E->dir) + strlen(id) + strlen(suffix) + 2;
	char *p = cf_malloc(n);

	if (p)
		snprintf(p, n, "%s/%s%s", E->dir, id, suffix);
	return p;
}

int eng_save(struct eng *E)
{
	char *text = cJSON_Print(E->state);
	int rc;

	if (!text)
		return cf_set_nomem(E->ctx, E->state_path);
	rc = cf_write_file_atomic(E->ctx, E->state_path, text, strlen(text), 0640, 0);
	free(text);
	return rc;
}

cJSON *eng_step_state(struct eng *E, const char *id)
{
	cJSON *s = cJSON_GetObjectItemCaseSensitive(E->steps, id);

	if (!s && (s = cJSON_CreateObject()) &&
	    !cJSON_AddItemToObject(E->steps, id, s)) {
		cJSON_Delete(s);
		s = NULL;
	}
	return s;
}

const char *eng_step_status(const struct eng *E, const char *id)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(E->steps, id);
	return cf_json_str(s, "status", "pending");
}

int eng_set_str(cJSON *o, const char *k, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, k);
	return cf_json_add_str(o, k, v);
}

int eng_set_int(cJSON *o, const char *k, int64_t v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, k);
	return cf_json_add_int(o, k, v);
}

int eng_set_time(cJSON *o, const char *k, int64_t v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, k);
	return cf_json_add_time(o, k, v);
}

/* ---- custody, exactly once -------------------------------------------- */

/* 1 when the custody log already holds a line containing marker. */
static int custody_has(const char *log, const char *marker)
{
	FILE *f = log ? fopen(log, "re") : NULL;
	char *line = NULL;
	size_t cap = 0;
	int found = 0;

	if (!f)
		return 0;
	while (!found && getline(&line, &cap, f) > 0)
		found = strstr(line, marker) != NULL;
	free(line);
	fclose(f);
	return found;
}

/* The part of a custody note that identifies one visit of one step. */
static void marker_of(const struct eng *E, const char *key, const cJSON *st,
		      char *out, size_t n)
{
	snprintf(out, n, "run=%s step=%s visit=%lld attempt=%lld ", E->run_id, key,
		 (long long)cf_json_int(st, "visit", 1),
		 (long long)cf_json_int(st, "attempt", 1));
}

/* Appends the entry owed for step `key` unless it is already in the log.
 * The note is built from the step's state so that a resumed run writes
 * exactly what the interrupted one would have. */
int eng_log_owed(struct eng *E, const char *key, const char *action)
{
	cJSON *st = eng_step_state(E, key);
	char marker[512];
	struct cf_buf note;
	const char *s;
	int rc;

	if (!st)
		return cf_set_nomem(E->ctx, "state");
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "owed")))
		return CF_OK;
	marker_of(E, key, st, marker, sizeof marker);
	cf_buf_init(&note);
	cf_buf_printf(&note, "playbook=%s %skind=%s status=%s", E->pb->id, marker,
		      cf_json_str(st, "kind", "-"), cf_json_str(st, "status", "-"));
	if (cJSON_GetObjectItemCaseSensitive(st, "exit"))
		cf_buf_printf(&note, " exit=%lld", (long long)cf_json_int(st, "exit", -1));
	if (cJSON_GetObjectItemCaseSensitive(st, "answer"))
		cf_buf_printf(&note, " answer=%s", cf_json_bool(st, "answer", 0) ? "yes" : "no");
	if ((s = cf_json_str(st, "by", NULL)))
		cf_buf_printf(&note, " by=%s", s);
	if ((s = cf_json_str(st, "note", NULL)) && *s)
		cf_buf_printf(&note, " note=%s", s);
	if (cf_buf_error(&note)) {
		cf_buf_release(&note);
		return cf_set_nomem(E->ctx, "custody note");
	}
	if (custody_has(E->cust->log_path, marker))
		rc = CF_OK;
	else
		rc = E->cust->append(E->cust->arg, E->ctx, action,
				     cf_json_str(st, "subject", NULL), note.data);
	cf_buf_release(&note);
	if (rc != CF_OK)
		return rc;
	cJSON_DeleteItemFromObjectCaseSensitive(st, "owed");
	return eng_save(E);
}

/* ---- state set-up -------------------------------------------------------- */

/* The incident as JSON, and the covered entity's calendar as the core
 * reads it (cf_incident_calendar: time zone, the offset written in
 * `discovered`, the discovery counted from, and the end of the
 * law-enforcement delay, the instant the day after its last day begins, 0
 * for none), the meaning the report uses. */
static int load_incident(struct cf_ctx *ctx, const char *path, cJSON **out,
			 struct cf_incident_calendar *cal)
{
	struct fy_document *doc = NULL;
	int rc;

	*out = NULL;
	if (cf_yaml_load(ctx, path, &doc) != CF_OK)
		return CF_FAILED;
	if (cf_incident_calendar(ctx, path, doc, cal) != CF_OK) {
		fy_document_destroy(doc);
		return CF_FAILED;
	}
	/* plain numbers and booleans typed: conditions compare them */
	*out = cf_yaml_to_json(fy_document_root(doc), CF_YAML_JSON_TYPED);
	rc = *out && cJSON_IsObject(*out) ? CF_OK
		: cf_set_error(ctx, 0, "%s: an incident file must be a mapping", path);
	if (rc != CF_OK) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	fy_document_destroy(doc);
	return rc;
}

int eng_file_digest(struct cf_ctx *ctx, const char *path, char hex[CF_SHA256_HEX])
{
	uint8_t d[CF_SHA256_LEN];
	uint64_t size;

	if (cf_sha256_file(ctx, path, d, &size) != CF_OK)
		return CF_FAILED;
	cf_hex(d, sizeof d, hex);
	return CF_OK;
}

int pb_state_load(struct cf_ctx *ctx, const char *case_dir,
		  const char *playbook_id, cJSON **state)
{
	char *dir = pb_state_dir(case_dir, playbook_id), *p;
	struct stat st;
	int rc;

	*state = NULL;
	if (!dir || !(p = cf_path_join(dir, "state.json"))) {
		free(dir);
		return cf_set_nomem(ctx, "state");
	}
	free(dir);
	if (stat(p, &st) < 0 && errno == ENOENT) {
		free(p);
		return CF_EOF;
	}
	rc = cf_json_parse_file(ctx, p, MAX_STATE, state);
	free(p);
	return rc;
}

/* vars[name] = the absolute form of path. */
static int set_abs(struct eng *E, cJSON *vars, const char *name, const char *path)
{
	char *abs = realpath(path, NULL);
	int bad;

	if (!abs)
		return cf_set_error(E->ctx, errno, "cannot resolve '%s'", path);
	bad = eng_set_str(vars, name, abs);
	free(abs);
	return bad ? cf_set_nomem(E->ctx, "state") : CF_OK;
}

/* values.vars: the playbook's defaults, then what the case knows (its id
 * and examiner, its key, the incident file), then --set. Paths are made absolute because
 * run steps execute in the case folder. */
static int make_vars(struct eng *E)
{
	const struct pb_run_opts *o = E->o;
	cJSON *vars = cJSON_AddObjectToObject(E->values, "vars");

	if (!vars)
		return cf_set_nomem(E->ctx, "state");
	for (size_t i = 0; i < E->pb->nvars; i++)
		if (eng_set_str(vars, E->pb->var_names[i], E->pb->var_values[i]))
			return cf_set_nomem(E->ctx, "state");
	/* where the outputs of run steps are kept, relative to the case
	 * folder in which run steps execute: ${playbook_dir}/STEP.out */
	{
		char rel[300];
		snprintf(rel, sizeof rel, "playbooks/%s", E->pb->id);
		if (eng_set_str(vars, "playbook_dir", rel))
			return cf_set_nomem(E->ctx, "state");
	}
	/* who collects and for which case: the case says, not a role name;
	 * a case that names no examiner gives an empty one (a collect step
	 * with neither is refused, engine_steps.c) */
	if (o->case_id && (eng_set_str(vars, "case_id", o->case_id) ||
			   eng_set_str(vars, "examiner", o->case_examiner ? o->case_examiner : "")))
		return cf_set_nomem(E->ctx, "state");
	if ((o->case_key && set_abs(E, vars, "key", o->case_key) != CF_OK) ||
	    (o->incident_path &&
	     set_abs(E, vars, "incident_file", o->incident_path) != CF_OK))
		return CF_FAILED;
	return eng_apply_set(E);
}

int eng_apply_set(struct eng *E)
{
	const struct pb_run_opts *o = E->o;
	cJSON *vars = cJSON_GetObjectItemCaseSensitive(E->values, "vars");

	if (!vars && !(vars = cJSON_AddObjectToObject(E->values, "vars")))
		return cf_set_nomem(E->ctx, "state");
	for (size_t i = 0; i < o->nset; i++) {
		const char *eq = strchr(o->set[i], '=');
		char name[256];
		if (!eq || eq == o->set[i] || (size_t)(eq - o->set[i]) >= sizeof name)
			return cf_set_error(E->ctx, 0, "--set takes NAME=VALUE, not '%s'", o->set[i]);
		memcpy(name, o->set[i], (size_t)(eq - o->set[i]));
		name[eq - o->set[i]] = '\0';
		if (eng_set_str(vars, name, eq + 1))
			return cf_set_nomem(E->ctx, "state");
	}
	return CF_OK;
}

int eng_start_state(struct eng *E)
{
	char hex[CF_SHA256_HEX], runid[33];
	uint8_t rnd[16];
	cJSON *incident = NULL;
	int64_t discovered = E->o->discovered, delay = 0;
	const struct pb_run_opts *o = E->o;
	struct cf_incident_calendar cal;
	cJSON *calendar;

	if (eng_file_digest(E->ctx, E->pb->path, hex) != CF_OK)
		return CF_FAILED;
	if (o->incident_path) {
		const char *d;
		if (load_incident(E->ctx, o->incident_path, &incident, &cal) != CF_OK)
			return CF_FAILED;
		delay = cal.delay_end_us;
		d = cf_json_str(incident, "discovered", NULL);
		/* the discovery the breach report counts from: an agent's */
		if (!discovered && d && cal.discovered_us)
			discovered = cal.discovered_us;
		if (!discovered && (!d || cf_time_parse(d, -1, &discovered, NULL))) {
			cJSON_Delete(incident);
			return cf_set_error(E->ctx, 0, "%s: 'discovered' must be an RFC 3339 time",
					    o->incident_path);
		}
	}
	else
		memset(&cal, 0, sizeof cal);
	if (!discovered) {
		cJSON_Delete(incident);
		return cf_set_error(E->ctx, 0,
				    "the first run needs the discovery time: give --incident FILE or --discovered TIME");
	}
	if (RAND_bytes(rnd, sizeof rnd) != 1) {
		cJSON_Delete(incident);
		return cf_set_error(E->ctx, 0, "no randomness for the run id");
	}
	cf_hex(rnd, sizeof rnd, runid);
	if (!(E->state = cJSON_CreateObject()) || cf_json_add_int(E->state, "format", 1) ||
	    cf_json_add_str(E->state, "playbook", E->pb->id) ||
	    cf_json_add_str(E->state, "playbook_path", E->pb->path) ||
	    cf_json_add_str(E->state, "playbook_sha256", hex) ||
	    cf_json_add_str(E->state, "run_id", runid) ||
	    cf_json_add_time(E->state, "started", now_us(E)) ||
	    cf_json_add_time(E->state, "discovered", discovered) ||
	    (delay ? cf_json_add_time(E->state, "law_enforcement_delay_until", delay)
		   : !cJSON_AddNullToObject(E->state, "law_enforcement_delay_until")) ||
	    !(calendar = cJSON_AddObjectToObject(E->state, "calendar")) ||
	    (cal.time_zone[0] && cf_json_add_str(calendar, "time_zone", cal.time_zone)) ||
	    cf_json_add_int(calendar, "offset_s", cal.offset_s) ||
	    cf_json_add_str(E->state, "current", E->pb->steps[E->pb->first].id) ||
	    !cJSON_AddNullToObject(E->state, "finished") ||
	    !(E->values = cJSON_AddObjectToObject(E->state, "values")) ||
	    !(E->steps = cJSON_AddObjectToObject(E->state, "steps")) ||
	    !cJSON_AddArrayToObject(E->state, "history")) {
		cJSON_Delete(incident);
		return cf_set_nomem(E->ctx, "state");
	}
	if (incident && !cJSON_AddItemToObject(E->values, "incident", incident)) {
		cJSON_Delete(incident);
		return cf_set_nomem(E->ctx, "state");
	}
	if (make_vars(E) != CF_OK)
		return CF_FAILED;
	E->run_id = cf_json_str(E->state, "run_id", "");
	{
		cJSON *st = eng_step_state(E, "@start");
		if (!st || eng_set_str(st, "kind", "start") || eng_set_str(st, "status", "done") ||
		    eng_set_str(st, "subject", hex) || !cJSON_AddTrueToObject(st, "owed"))
			return cf_set_nomem(E->ctx, "state");
	}
	if (eng_save(E) != CF_OK)
		return CF_FAILED;
	return eng_log_owed(E, "@start", "playbook-start");
}

/* ---- completing steps ------------------------------------------------------ */

/* A step reached again through a loop starts afresh; its earlier record
 * moves to the history (the custody log keeps both visits). */
static int revisit(struct eng *E, const char *id)
{
	cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(E->steps, id);
	cJSON *hist = cJSON_GetObjectItemCaseSensitive(E->state, "history"), *st;
	int64_t visit;
	size_t i = pb_find(E->pb, id);

	if (!old)
		return CF_OK;
	visit = cf_json_int(old, "visit", 1) + 1;
	if (cf_json_add_str(old, "step", id) || !cJSON_AddItemToArray(hist, old)) {
		cJSON_Delete(old);
		return cf_set_nomem(E->ctx, "state");
	}
	if (!(st = eng_step_state(E, id)) || eng_set_int(st, "visit", visit))
		return cf_set_nomem(E->ctx, "state");
	for (size_t c = 0; i != PB_NONE && c < E->pb->steps[i].nchildren; c++)
		if (revisit(E, E->pb->steps[E->pb->steps[i].children[c]].id) != CF_OK)
			return CF_FAILED;
	return CF_OK;
}

/* Marks step i done (fields already set on its state by the caller), moves
 * the run on when it is a top-level step, saves, and logs it. */
int eng_complete(struct eng *E, size_t i, int answer)
{
	const struct pb_step *s = &E->pb->steps[i];
	cJSON *st = eng_step_state(E, s->id);
	const char *next = NULL;

	if (!st || eng_set_str(st, "kind", pb_kind_name(s->kind)) ||
	    eng_set_str(st, "status", "done") || eng_set_time(st, "finished", now_us(E)) ||
	    (s->owner && !cJSON_GetObjectItemCaseSensitive(st, "by") &&
	     eng_set_str(st, "by", s->owner)) ||
	    (cJSON_DeleteItemFromObjectCaseSensitive(st, "owed"),
	     !cJSON_AddTrueToObject(st, "owed")))
		return cf_set_nomem(E->ctx, "state");
	if (s->parent == PB_NONE) {
		next = pb_successor(E->pb, i, answer);
		if (next && !strcmp(eng_step_status(E, next), "done") && revisit(E, next) != CF_OK)
			return CF_FAILED;
		if ((next ? eng_set_str(E->state, "current", next)
			  : (cJSON_DeleteItemFromObjectCaseSensitive(E->state, "current"),
			     !cJSON_AddNullToObject(E->state, "current"))))
			return cf_set_nomem(E->ctx, "state");
		if (!next && eng_set_time(E->state, "finished", now_us(E)))
			return cf_set_nomem(E->ctx, "state");
	}
	if (eng_save(E) != CF_OK)
		return CF_FAILED;
	return eng_log_owed(E, s->id, "playbook-step");
}

/* ---- status ------------------------------------------------------------------ */

/* A clock: "due" is the instant it is over, "due_date" the local date of
 * its last day, as the breach report prints it. */
static int add_clock(cJSON *clocks, const struct pb_cal *cal, const char *name,
		     int64_t due, const char *basis, int done, int64_t now)
{
	cJSON *c = cJSON_AddObjectToObject(clocks, name);
	char day[PB_DATE_STR];

	if (!c)
		return -1;
	if (!due)
		return cf_json_add_str(c, "status", "not-required") ||
		       cf_json_add_str(c, "basis", basis);
	return cf_json_add_time(c, "due", due) ||
	       cf_json_add_str(c, "due_date", pb_due_date(cal, due, day)) ||
	       cf_json_add_str(c, "basis", basis) ||
	       cf_json_add_str(c, "status", done ? "done" : now >= due ? "overdue" : "due");
}

int pb_status(struct cf_ctx *ctx, const struct pb_playbook *pb,
	      const cJSON *state, int64_t now, cJSON **out)
{
	const cJSON *steps = cJSON_GetObjectItemCaseSensitive(state, "steps");
	const cJSON *values = cJSON_GetObjectItemCaseSensitive(state, "values");
	int64_t disc = 0, delay = 0;
	int done_aud[3] = {0, 0, 0};
	struct pb_clocks c;
	struct pb_cal cal;
	cJSON *j, *arr, *clocks;

	*out = NULL;
	if (pb_cal_from_state(ctx, state, &cal) != CF_OK)
		return CF_FAILED;
	cf_time_parse(cf_json_str(state, "discovered", ""), -1, &disc, NULL);
	cf_time_parse(cf_json_str(state, "law_enforcement_delay_until", ""), -1, &delay, NULL);
	if (!(j = cJSON_CreateObject()) || cf_json_add_str(j, "playbook", pb->id) ||
	    cf_json_add_str(j, "title", pb->title) ||
	    cf_json_add_str(j, "run_id", cf_json_str(state, "run_id", NULL)) ||
	    cf_json_add_str(j, "discovered", cf_json_str(state, "discovered", NULL)) ||
	    cf_json_add_str(j, "current", cf_json_str(state, "current", NULL)) ||
	    cf_json_add_str(j, "finished", cf_json_str(state, "finished", NULL)) ||
	    cf_json_add_time(j, "now", now) || !(arr = cJSON_AddArrayToObject(j, "steps")))
		goto nomem;
	for (size_t i = 0; i < pb->nsteps; i++) {
		const struct pb_step *s = &pb->steps[i];
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(steps, s->id);
		const char *status = cf_json_str(st, "status", "pending");
		int64_t due = pb_step_due(s, &cal, disc, delay), fin = 0;
		char day[PB_DATE_STR];
		cJSON *e = cJSON_CreateObject();

		if (!e || !cJSON_AddItemToArray(arr, e))
			goto nomem_e;
		if (!strcmp(status, "done")) {
			cf_time_parse(cf_json_str(st, "finished", ""), -1, &fin, NULL);
			if (due && fin >= due)
				status = "done-late";
			if (s->kind == PB_NOTIFY && s->audience) {
				done_aud[0] |= !strcmp(s->audience, "individuals");
				done_aud[1] |= !strcmp(s->audience, "hhs");
				done_aud[2] |= !strcmp(s->audience, "media");
			}
		} else if (strcmp(status, "started") && strcmp(status, "failed")) {
			if (cf_json_str(state, "finished", NULL))
				status = "not-taken";
			else if (due)
				status = now >= due ? "overdue" : "due";
		}
		if (cf_json_add_str(e, "id", s->id) ||
		    cf_json_add_str(e, "kind", pb_kind_name(s->kind)) ||
		    cf_json_add_str(e, "title", s->title) ||
		    cf_json_add_str(e, "owner", s->owner) ||
		    cf_json_add_str(e, "status", status) ||
		    (due && cf_json_add_time(e, "deadline", due)) ||
		    (due && cf_json_add_str(e, "deadline_date", pb_due_date(&cal, due, day))) ||
		    (fin && cf_json_add_time(e, "finished", fin)) ||
		    (s->parent != PB_NONE &&
		     cf_json_add_str(e, "group", pb->steps[s->parent].id)) ||
		    (cJSON_GetObjectItemCaseSensitive(st, "answer") &&
		     cf_json_add_bool(e, "answer", cf_json_bool(st, "answer", 0))))
			goto nomem;
		continue;
nomem_e:
		cJSON_Delete(e);
		goto nomem;
	}
	pb_clocks_compute(&c, &cal, disc, delay, values);
	if (!(clocks = cJSON_AddObjectToObject(j, "hipaa")) ||
	    (c.affected >= 0 && cf_json_add_int(clocks, "affected", c.affected)) ||
	    (c.delay_until && cf_json_add_time(clocks, "law_enforcement_delay_until",
					       c.delay_until)) ||
	    add_clock(clocks, &cal, "individuals", c.individuals,
		      "60 calendar days after discovery (164.404(b))", done_aud[0], now) ||
	    add_clock(clocks, &cal, "hhs", c.hhs, c.hhs_basis, done_aud[1], now) ||
	    add_clock(clocks, &cal, "media", c.media, c.media_basis, done_aud[2], now))
		goto nomem;
	pb_cal_release(&cal);
	*out = j;
	return CF_OK;
nomem:
	pb_cal_release(&cal);
	cJSON_Delete(j);
	return cf_set_nomem(ctx, "status");
}
