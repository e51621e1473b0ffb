/* SPDX-License-Identifier: Apache-2.0
 *
 * Running a playbook in a case folder, resumable after any interruption.
 *
 * The state of a run lives in CASE/playbooks/<id>/state.json, replaced
 * atomically after every change, so a crash leaves the previous complete
 * state. A run step is executed by a helper process forked before the
 * command: the helper holds a lock on the step for as long as the command
 * runs, waits for it and writes its exit status to <step>.result
 * atomically. If the engine itself is killed, the helper survives and still
 * records the result; the resumed engine waits on the lock and takes the
 * result instead of running the command again. A step whose command never
 * finished (no result once the lock is free) is run again: it was never
 * completed, so that is not a repetition, and skipping it would be worse.
 *
 * Every step is recorded in the custody log exactly once: the state marks
 * an entry as owed before appending it, and a resumed run that finds an
 * owed entry looks for it in the custody log before appending, so a crash
 * between the append and the state update neither loses nor doubles it.
 *
 * Must never: run a command through a shell, repeat a completed run step,
 * move past a step that has not completed, or write outside the case.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <strings.h>

#include <openssl/rand.h>

#include "casefile/alloc.h"
#include "casefile/atomic.h"
#include "casefile/buf.h"
#include "casefile/datadir.h"
#include "casefile/error.h"
#include "casefile/hash.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "casefile/time.h"
#include "casefile/yaml.h"
#include "playbook.h"

#define MAX_OUTPUT (64u << 20) /* saved JSON output of a run step */
#define MAX_STATE (16u << 20)

struct eng {
	struct cf_ctx *ctx;
	const struct pb_playbook *pb;
	const struct pb_run_opts *o;
	const struct pb_custody *cust;
	char *dir;          /* CASE/playbooks/<id> */
	char *state_path;
	cJSON *state, *steps, *values;
	const char *run_id;
	struct cf_buf waiting;
	int run_lock;       /* held by this process only, never by a helper */
};

enum { STEP_ADVANCE, STEP_WAIT, STEP_ERROR };

static int64_t now_us(const struct eng *E)
{
	return E->o->now ? E->o->now : cf_time_now();
}

char *pb_state_dir(const char *case_dir, const char *playbook_id)
{
	char *a = cf_path_join(case_dir, "playbooks"), *b;

	if (!a)
		return NULL;
	b = cf_path_join(a, playbook_id);
	free(a);
	return b;
}

static char *in_dir(const struct eng *E, const char *id, const char *suffix)
{
	size_t n = strlen(E->dir) + strlen(id) + strlen(suffix) + 2;
	char *p = cf_malloc(n);

	if (p)
		snprintf(p, n, "%s/%s%s", E->dir, id, suffix);
	return p;
}

static int save(struct eng *E)
{
	char *text = cJSON_Print(E->state);
	int rc;

	if (!text)
		return cf_set_nomem(E->ctx, E->state_path);
	rc = cf_write_file_atomic(E->ctx, E->state_path, text, strlen(text), 0640, 0);
	free(text);
	return rc;
}

static cJSON *step_state(struct eng *E, const char *id)
{
	cJSON *s = cJSON_GetObjectItemCaseSensitive(E->steps, id);

	if (!s && (s = cJSON_CreateObject()) &&
	    !cJSON_AddItemToObject(E->steps, id, s)) {
		cJSON_Delete(s);
		s = NULL;
	}
	return s;
}

static const char *step_status(const struct eng *E, const char *id)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(E->steps, id);
	return cf_json_str(s, "status", "pending");
}

static int set_str(cJSON *o, const char *k, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, k);
	return cf_json_add_str(o, k, v);
}

static int set_int(cJSON *o, const char *k, int64_t v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, k);
	return cf_json_add_int(o, k, v);
}

static int set_time(cJSON *o, const char *k, int64_t v)
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
static int log_owed(struct eng *E, const char *key, const char *action)
{
	cJSON *st = step_state(E, key);
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
	if (cf_buf_printf(&note, "playbook=%s %skind=%s status=%s", E->pb->id, marker,
			  cf_json_str(st, "kind", "-"), cf_json_str(st, "status", "-")) ||
	    (cJSON_GetObjectItemCaseSensitive(st, "exit") &&
	     cf_buf_printf(&note, " exit=%lld", (long long)cf_json_int(st, "exit", -1))) ||
	    (cJSON_GetObjectItemCaseSensitive(st, "answer") &&
	     cf_buf_printf(&note, " answer=%s",
			   cf_json_bool(st, "answer", 0) ? "yes" : "no")) ||
	    ((s = cf_json_str(st, "by", NULL)) && cf_buf_printf(&note, " by=%s", s)) ||
	    ((s = cf_json_str(st, "note", NULL)) && *s &&
	     cf_buf_printf(&note, " note=%s", s))) {
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
	return save(E);
}

/* ---- state set-up -------------------------------------------------------- */

/* A YAML node as JSON: plain scalars that look like numbers, booleans or
 * null become those; everything else stays a string. */
static cJSON *yaml_to_json(struct fy_node *n, int depth)
{
	void *iter = NULL;
	cJSON *j;

	if (!n || depth > 32)
		return cJSON_CreateNull();
	if (fy_node_is_scalar(n)) {
		size_t len;
		const char *s = fy_node_get_scalar(n, &len);
		char buf[64], *end;
		if (fy_node_get_style(n) == FYNS_PLAIN && len < sizeof buf) {
			memcpy(buf, s, len);
			buf[len] = '\0';
			if (!strcmp(buf, "null") || !strcmp(buf, "~") || !len)
				return cJSON_CreateNull();
			if (!strcmp(buf, "true") || !strcmp(buf, "false"))
				return cJSON_CreateBool(buf[0] == 't');
			double d = strtod(buf, &end);
			if (end != buf && !*end)
				return cJSON_CreateNumber(d);
		}
		char *c = cf_strndup(s, len);
		j = c ? cJSON_CreateString(c) : NULL;
		free(c);
		return j;
	}
	if (fy_node_is_sequence(n)) {
		struct fy_node *it;
		if (!(j = cJSON_CreateArray()))
			return NULL;
		while ((it = fy_node_sequence_iterate(n, &iter))) {
			cJSON *c = yaml_to_json(it, depth + 1);
			if (!c || !cJSON_AddItemToArray(j, c)) {
				cJSON_Delete(c);
				cJSON_Delete(j);
				return NULL;
			}
		}
		return j;
	}
	if (!(j = cJSON_CreateObject()))
		return NULL;
	struct fy_node_pair *p;
	while ((p = fy_node_mapping_iterate(n, &iter))) {
		char *k = cf_yaml_strdup(fy_node_pair_key(p));
		cJSON *c = k ? yaml_to_json(fy_node_pair_value(p), depth + 1) : NULL;
		if (!c || !cJSON_AddItemToObject(j, k, c)) {
			free(k);
			cJSON_Delete(c);
			cJSON_Delete(j);
			return NULL;
		}
		free(k);
	}
	return j;
}

static int load_incident(struct cf_ctx *ctx, const char *path, cJSON **out)
{
	struct fy_document *doc = NULL;
	int rc;

	if (cf_yaml_load(ctx, path, &doc) != CF_OK)
		return CF_FAILED;
	*out = yaml_to_json(fy_document_root(doc), 0);
	rc = *out && cJSON_IsObject(*out) ? CF_OK
		: cf_set_error(ctx, 0, "%s: an incident file must be a mapping", path);
	if (rc != CF_OK) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	fy_document_destroy(doc);
	return rc;
}

static int file_digest(struct cf_ctx *ctx, const char *path, char hex[CF_SHA256_HEX])
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
	bad = set_str(vars, name, abs);
	free(abs);
	return bad ? cf_set_nomem(E->ctx, "state") : CF_OK;
}

/* values.vars: the playbook's defaults, then what the case knows (its
 * key, the incident file), then --set. Paths are made absolute because
 * run steps execute in the case folder. */
static int make_vars(struct eng *E)
{
	const struct pb_run_opts *o = E->o;
	cJSON *vars = cJSON_AddObjectToObject(E->values, "vars");

	if (!vars)
		return cf_set_nomem(E->ctx, "state");
	for (size_t i = 0; i < E->pb->nvars; i++)
		if (set_str(vars, E->pb->var_names[i], E->pb->var_values[i]))
			return cf_set_nomem(E->ctx, "state");
	/* where the outputs of run steps are kept, relative to the case
	 * folder in which run steps execute: ${playbook_dir}/STEP.out */
	{
		char rel[300];
		snprintf(rel, sizeof rel, "playbooks/%s", E->pb->id);
		if (set_str(vars, "playbook_dir", rel))
			return cf_set_nomem(E->ctx, "state");
	}
	if ((o->case_key && set_abs(E, vars, "key", o->case_key) != CF_OK) ||
	    (o->incident_path &&
	     set_abs(E, vars, "incident_file", o->incident_path) != CF_OK))
		return CF_FAILED;
	for (size_t i = 0; i < o->nset; i++) {
		const char *eq = strchr(o->set[i], '=');
		char name[256];
		if (!eq || eq == o->set[i] || (size_t)(eq - o->set[i]) >= sizeof name)
			return cf_set_error(E->ctx, 0, "--set takes NAME=VALUE, not '%s'", o->set[i]);
		memcpy(name, o->set[i], (size_t)(eq - o->set[i]));
		name[eq - o->set[i]] = '\0';
		if (set_str(vars, name, eq + 1))
			return cf_set_nomem(E->ctx, "state");
	}
	return CF_OK;
}

static int start_state(struct eng *E)
{
	char hex[CF_SHA256_HEX], runid[33];
	uint8_t rnd[16];
	cJSON *incident = NULL;
	int64_t discovered = E->o->discovered, delay = 0;
	const struct pb_run_opts *o = E->o;

	if (file_digest(E->ctx, E->pb->path, hex) != CF_OK)
		return CF_FAILED;
	if (o->incident_path) {
		const char *d;
		if (load_incident(E->ctx, o->incident_path, &incident) != CF_OK)
			return CF_FAILED;
		d = cf_json_str(incident, "discovered", NULL);
		if (!discovered && (!d || cf_time_parse(d, -1, &discovered, NULL))) {
			cJSON_Delete(incident);
			return cf_set_error(E->ctx, 0, "%s: 'discovered' must be an RFC 3339 time",
					    o->incident_path);
		}
		d = cf_json_str(incident, "law_enforcement_delay_until", NULL);
		if (d && cf_time_parse(d, -1, &delay, NULL)) {
			cJSON_Delete(incident);
			return cf_set_error(E->ctx, 0,
					    "%s: 'law_enforcement_delay_until' must be an RFC 3339 time",
					    o->incident_path);
		}
	}
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
		cJSON *st = step_state(E, "@start");
		if (!st || set_str(st, "kind", "start") || set_str(st, "status", "done") ||
		    set_str(st, "subject", hex) || !cJSON_AddTrueToObject(st, "owed"))
			return cf_set_nomem(E->ctx, "state");
	}
	if (save(E) != CF_OK)
		return CF_FAILED;
	return log_owed(E, "@start", "playbook-start");
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
	if (!(st = step_state(E, id)) || set_int(st, "visit", visit))
		return cf_set_nomem(E->ctx, "state");
	for (size_t c = 0; i != PB_NONE && c < E->pb->steps[i].nchildren; c++)
		if (revisit(E, E->pb->steps[E->pb->steps[i].children[c]].id) != CF_OK)
			return CF_FAILED;
	return CF_OK;
}

/* Marks step i done (fields already set on its state by the caller), moves
 * the run on when it is a top-level step, saves, and logs it. */
static int complete(struct eng *E, size_t i, int answer)
{
	const struct pb_step *s = &E->pb->steps[i];
	cJSON *st = step_state(E, s->id);
	const char *next = NULL;

	if (!st || set_str(st, "kind", pb_kind_name(s->kind)) ||
	    set_str(st, "status", "done") || set_time(st, "finished", now_us(E)) ||
	    (s->owner && !cJSON_GetObjectItemCaseSensitive(st, "by") &&
	     set_str(st, "by", s->owner)) ||
	    (cJSON_DeleteItemFromObjectCaseSensitive(st, "owed"),
	     !cJSON_AddTrueToObject(st, "owed")))
		return cf_set_nomem(E->ctx, "state");
	if (s->parent == PB_NONE) {
		next = pb_successor(E->pb, i, answer);
		if (next && !strcmp(step_status(E, next), "done") && revisit(E, next) != CF_OK)
			return CF_FAILED;
		if ((next ? set_str(E->state, "current", next)
			  : (cJSON_DeleteItemFromObjectCaseSensitive(E->state, "current"),
			     !cJSON_AddNullToObject(E->state, "current"))))
			return cf_set_nomem(E->ctx, "state");
		if (!next && set_time(E->state, "finished", now_us(E)))
			return cf_set_nomem(E->ctx, "state");
	}
	if (save(E) != CF_OK)
		return CF_FAILED;
	return log_owed(E, s->id, "playbook-step");
}

/* ---- manual steps ---------------------------------------------------------- */

/* Looks STEP or STEP=value up in a list; *val gets the value or "". */
static int given(char **list, size_t n, const char *id, const char **val)
{
	size_t len = strlen(id);

	for (size_t k = 0; k < n; k++)
		if (!strncmp(list[k], id, len) && (list[k][len] == '=' || !list[k][len])) {
			*val = list[k][len] ? list[k] + len + 1 : "";
			return 1;
		}
	return 0;
}

static void describe(const struct eng *E, const struct pb_step *s)
{
	FILE *f = E->o->out;

	fprintf(f, "\n== %s: %s%s%s%s\n", s->id, s->title ? s->title : "",
		s->owner ? " [" : "", s->owner ? s->owner : "", s->owner ? "]" : "");
	if (s->description)
		fprintf(f, "%s\n", s->description);
	for (size_t k = 0; k < s->nchecklist; k++)
		fprintf(f, "  [ ] %s\n", s->checklist[k]);
	for (size_t k = 0; k < s->nevidence; k++)
		fprintf(f, "  evidence: %s\n", s->evidence[k]);
	if (s->question)
		fprintf(f, "  question: %s\n", s->question);
}

/* Reads one line from the terminal into buf; 0, or -1 at end of input. */
static int ask(const struct eng *E, const char *prompt, char *buf, size_t n)
{
	fputs(prompt, E->o->out);
	fflush(E->o->out);
	if (!fgets(buf, (int)n, E->o->in))
		return -1;
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

/* Asks a person to complete (or answer) a step. 1 done, 0 waiting. */
static int manual(struct eng *E, const struct pb_step *s, const char **note,
		  int *answer, char *buf, size_t n)
{
	const char *v;

	*note = "";
	if (s->kind == PB_DECISION) {
		if (given(E->o->answer, E->o->nanswer, s->id, &v)) {
			*answer = !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "y");
			return 1;
		}
	} else if (given(E->o->done, E->o->ndone, s->id, &v)) {
		*note = v;
		return 1;
	}
	if (!E->o->interactive || !E->o->in)
		return 0;
	describe(E, s);
	for (;;) {
		if (ask(E, s->kind == PB_DECISION ? "Answer yes or no (empty: stop here): "
						  : "Done? yes or no (no: stop here): ",
			buf, n))
			return 0;
		if (!buf[0] || !strcmp(buf, "no") || !strcmp(buf, "n")) {
			if (s->kind != PB_DECISION || !buf[0])
				return 0;
			*answer = 0;
			break;
		}
		if (!strcmp(buf, "yes") || !strcmp(buf, "y")) {
			*answer = 1;
			break;
		}
	}
	if (ask(E, "Note for the custody log (optional): ", buf, n) == 0)
		*note = buf;
	return 1;
}

static int add_waiting(struct eng *E, const char *id)
{
	if ((E->waiting.len && cf_buf_putc(&E->waiting, ' ')) ||
	    cf_buf_puts(&E->waiting, id))
		return cf_set_nomem(E->ctx, "waiting list");
	return CF_OK;
}

/* ---- notices --------------------------------------------------------------- */

static int draft_notice(struct eng *E, const struct pb_step *s, char hex[CF_SHA256_HEX])
{
	char *ndir = cf_path_join(E->dir, "notices"), *path = NULL, *tpl = NULL;
	char t1[CF_TIME_STR], t2[CF_TIME_STR], name[300];
	struct cf_ctx tctx;
	struct pb_clocks c;
	struct cf_buf b, body;
	const cJSON *inc = cJSON_GetObjectItemCaseSensitive(E->values, "incident");
	int64_t disc = 0, delay = 0, due;
	struct stat st;
	int rc = CF_FAILED;

	cf_buf_init(&b);
	cf_buf_init(&body);
	snprintf(name, sizeof name, "%s.md", s->id);
	if (!ndir || !(path = cf_path_join(ndir, name))) {
		rc = cf_set_nomem(E->ctx, "notice");
		goto out;
	}
	if (stat(path, &st) == 0) /* drafted before an interruption: keep it */
		goto digest;
	if (cf_path_mkdirs(E->ctx, ndir, 0750) != CF_OK)
		goto out;
	cf_time_parse(cf_json_str(E->state, "discovered", ""), -1, &disc, NULL);
	cf_time_parse(cf_json_str(E->state, "law_enforcement_delay_until", ""), -1, &delay, NULL);
	pb_clocks_compute(&c, disc, delay, E->values);
	due = !strcmp(s->audience, "hhs") ? c.hhs : !strcmp(s->audience, "media") && c.media
		? c.media : c.individuals;
	if (s->deadline_us >= 0)
		due = disc + s->deadline_us;
	if (cf_buf_printf(&b, "# DRAFT notice: %s\n\n"
			  "- Audience: %s\n- Incident: %s\n- Discovered: %s\n"
			  "- Due no later than: %s\n- Individuals affected: %ld%s\n"
			  "- Drafted by playbook %s, step %s\n\n",
			  s->title, s->audience, cf_json_str(inc, "id", "(no incident file)"),
			  cf_time_format(disc, t1), cf_time_format(due, t2), c.affected,
			  c.affected < 0 ? " (not known yet: run the scoping step)" : "",
			  E->pb->id, s->id))
		goto nomem;
	if (s->template_name) {
		snprintf(name, sizeof name, "notices/%s.md", s->template_name);
		cf_ctx_init(&tctx);
		if ((tpl = cf_data_file(&tctx, "playbooks", name)) &&
		    cf_buf_read_file(&tctx, &body, tpl, 1u << 20) == CF_OK) {
			if (cf_buf_append(&b, body.data, body.len))
				goto nomem;
		} else if (cf_buf_printf(&b, "(template '%s' not found: %s)\n",
					 s->template_name, cf_errmsg(&tctx)))
			goto nomem;
	}
	if (cf_write_file_atomic(E->ctx, path, b.data, b.len, 0640, CF_ATOMIC_NO_REPLACE) != CF_OK)
		goto out;
digest:
	rc = file_digest(E->ctx, path, hex);
	goto out;
nomem:
	rc = cf_set_nomem(E->ctx, "notice");
out:
	cf_buf_release(&b);
	cf_buf_release(&body);
	free(tpl);
	free(path);
	free(ndir);
	return rc;
}

/* ---- run steps ------------------------------------------------------------- */

/* Appends arg as a shell word a person can read and paste: bare when it
 * holds only safe characters, else quoted; control bytes are shown as
 * \xNN (in $'...') so that none can redraw the line on a terminal. */
static int quote_arg(struct cf_buf *b, const char *a)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789_@%+=:,./-";
	int ctl = 0;

	if (*a && strspn(a, safe) == strlen(a))
		return cf_buf_puts(b, a);
	for (const char *p = a; *p; p++)
		ctl |= (unsigned char)*p < 0x20 || *p == 0x7f;
	if (!ctl) {
		if (cf_buf_putc(b, '\''))
			return -1;
		for (const char *p = a; *p; p++)
			if (*p == '\'' ? cf_buf_puts(b, "'\\''") : cf_buf_putc(b, *p))
				return -1;
		return cf_buf_putc(b, '\'');
	}
	if (cf_buf_puts(b, "$'"))
		return -1;
	for (const char *p = a; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c < 0x20 || c == 0x7f) ? cf_buf_printf(b, "\\x%02x", c)
		    : (c == '\'' || c == '\\') ? cf_buf_printf(b, "\\%c", c)
		    : cf_buf_putc(b, (char)c))
			return -1;
	}
	return cf_buf_putc(b, '\'');
}

/* 1 when host (as in a clickhouse:// URL, "[::1]" for IPv6) is loopback:
 * localhost, 127.0.0.0/8 or ::1. */
static int loopback_host(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char h[64];
	size_t n = strlen(host);

	if (!strcmp(host, "localhost"))
		return 1;
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof h) {
		memcpy(h, host + 1, n - 2);
		h[n - 2] = '\0';
		return inet_pton(AF_INET6, h, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
	}
	return inet_pton(AF_INET, host, &a4) == 1 &&
	       (ntohl(a4.s_addr) >> 24) == 127;
}

/* Checks one HOST[:PORT] of a clickhouse:// URL against loopback and the
 * case's clickhouse_hosts. */
static int check_db_host(struct eng *E, const struct pb_step *s, const char *url,
			 const char *p, size_t n)
{
	char host[256];
	size_t hl = n;

	if (n && p[0] == '[') {               /* [v6]:port */
		const char *e = memchr(p, ']', n);
		hl = e ? (size_t)(e - p) + 1 : n;
	} else {
		const char *c = memchr(p, ':', n);
		hl = c ? (size_t)(c - p) : n;
	}
	if (!hl || hl >= sizeof host)
		return cf_set_error(E->ctx, 0, "step '%s': bad host in '%s'; not run",
				    s->id, url);
	memcpy(host, p, hl);
	host[hl] = '\0';
	if (loopback_host(host))
		return CF_OK;
	for (size_t i = 0; i < E->o->ndb_hosts; i++)
		if (!strcasecmp(E->o->db_hosts[i], host))
			return CF_OK;
	return cf_set_error(E->ctx, 0, "step '%s': '%s' names the database host "
			    "'%s', which is neither loopback nor listed in the case's "
			    "%s (clickhouse_hosts); not run", s->id, url, host,
			    "case.json");
}

/* A run step may only reach a ClickHouse server on this machine or one the
 * case names: every argument holding "clickhouse://" is checked, whatever
 * option carries it (--db, --db=, an abbreviation), shards included. */
static int check_db_urls(struct eng *E, const struct pb_step *s, char **args)
{
	for (size_t k = 0; k < s->argc; k++) {
		const char *u, *p, *end, *q;

		for (u = strstr(args[k], "clickhouse://"); u;
		     u = strstr(u + 13, "clickhouse://")) {
			p = u + 13;
			end = p + strcspn(p, "/?");
			if (check_db_host(E, s, args[k], p, (size_t)(end - p)) != CF_OK)
				return CF_FAILED;
			for (q = strstr(end, "shards="); q; q = strstr(q, "shards=")) {
				q += 7;
				while (*q && *q != '&') {
					size_t m = strcspn(q, ",&");
					if (check_db_host(E, s, args[k], q, m) != CF_OK)
						return CF_FAILED;
					q += m + (q[m] == ',');
				}
			}
		}
	}
	return CF_OK;
}

/* Shows a run step and what it will run, then, unless --yes, asks on the
 * terminal. 1 to run it, 0 when the person said no (or input ended). */
static int confirm_step(struct eng *E, const struct pb_step *s, char **args)
{
	struct cf_buf b;
	char ans[64];
	int go = 0;

	cf_buf_init(&b);
	if (cf_buf_puts(&b, "casefile"))
		goto nomem;
	for (size_t k = 0; k < s->argc; k++)
		if (cf_buf_putc(&b, ' ') || quote_arg(&b, args[k]))
			goto nomem;
	if (E->o->out) {
		fprintf(E->o->out, "step %s: %s\n  runs, in %s:\n  %s\n", s->id,
			s->title ? s->title : "", E->o->case_dir, b.data);
		fflush(E->o->out);
	}
	cf_buf_release(&b);
	if (!E->o->confirm)
		return 1;
	while (E->o->in && E->o->out &&
	       ask(E, "Run it? yes or no (no: stop here): ", ans, sizeof ans) == 0) {
		if (!strcmp(ans, "yes") || !strcmp(ans, "y")) {
			go = 1;
			break;
		}
		if (!ans[0] || !strcmp(ans, "no") || !strcmp(ans, "n"))
			break;
	}
	return go;
nomem:
	cf_buf_release(&b);
	return cf_set_nomem(E->ctx, s->id);
}

/* Shows what a finished step printed: the file itself up to SHOW_MAX
 * bytes, else where it is. */
#define SHOW_MAX (64u << 10)
static void show_output(const struct eng *E, const struct pb_step *s,
			const char *path, const char *what)
{
	struct cf_buf b;
	struct cf_ctx ctx;
	struct stat st;

	if (!E->o->out || stat(path, &st) != 0 || !st.st_size)
		return;
	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	if ((uint64_t)st.st_size <= SHOW_MAX &&
	    cf_buf_read_file(&ctx, &b, path, SHOW_MAX) == CF_OK && b.len) {
		fprintf(E->o->out, "--- %s %s ---\n", s->id, what);
		fwrite(b.data, 1, b.len, E->o->out);
		if (b.data[b.len - 1] != '\n')
			fputc('\n', E->o->out);
	} else {
		fprintf(E->o->out, "--- %s %s: %llu bytes in %s ---\n", s->id, what,
			(unsigned long long)st.st_size, path);
	}
	fflush(E->o->out);
	cf_buf_release(&b);
}

/* The helper: runs the command, then records its exit status. Never
 * returns. Runs in the forked child with the step lock inherited. */
static void helper(const struct eng *E, const struct pb_step *s, char **args,
		   const char *outp, const char *errp, const char *resp)
{
	char **argv = cf_calloc(s->argc + 2, sizeof *argv);
	struct cf_ctx ctx;
	char text[128], t[CF_TIME_STR];
	int status = 0, code;
	pid_t pid;

	/* The helper may outlive the engine: it must not keep the run lock,
	 * or the resumed run would think this one still runs. It keeps the
	 * step lock, inherited, until the command's result is written. */
	if (E->run_lock >= 0)
		close(E->run_lock);
	if (!argv)
		_exit(127);
	argv[0] = "casefile";
	for (size_t k = 0; k < s->argc; k++)
		argv[k + 1] = args[k];
	pid = fork();
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int out = open(outp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0640);
		int err = open(errp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0640);
		if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
		    dup2(err, 2) < 0 || chdir(E->o->case_dir) < 0)
			_exit(127);
		execv(E->o->self_exe, argv);
		_exit(127);
	}
	if (pid < 0)
		_exit(126);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			_exit(126);
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	snprintf(text, sizeof text, "{\"exit\":%d,\"finished\":\"%s\"}\n", code,
		 cf_time_format(cf_time_now(), t));
	cf_ctx_init(&ctx);
	_exit(cf_write_file_atomic(&ctx, resp, text, strlen(text), 0640, 0) == CF_OK ? 0 : 125);
}

static int run_step(struct eng *E, size_t i, int *outcome)
{
	const struct pb_step *s = &E->pb->steps[i];
	char *outp = in_dir(E, s->id, ".out"), *errp = in_dir(E, s->id, ".err");
	char *resp = in_dir(E, s->id, ".result"), *lockp = in_dir(E, s->id, ".lock");
	char hex[CF_SHA256_HEX];
	cJSON *st = step_state(E, s->id), *res = NULL, *saved = NULL;
	char **args = cf_calloc(s->argc + 1, sizeof *args);
	struct cf_buf cmd;
	struct stat sb;
	int lock = -1, rc = CF_FAILED, code;
	pid_t pid;

	*outcome = STEP_ERROR;
	cf_buf_init(&cmd);
	if (!outp || !errp || !resp || !lockp || !st || !args) {
		rc = cf_set_nomem(E->ctx, s->id);
		goto out;
	}
	/* ${NAME} from the run's values, before anything is started */
	for (size_t k = 0; k < s->argc; k++) {
		if (pb_expand(E->ctx, s->argv[k], E->values, &args[k]) != CF_OK) {
			rc = cf_error_prefix(E->ctx, "step '%s'", s->id);
			goto out;
		}
		if (cf_buf_puts(&cmd, k ? " " : "casefile ") || cf_buf_puts(&cmd, args[k])) {
			rc = cf_set_nomem(E->ctx, s->id);
			goto out;
		}
	}
	lock = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (lock < 0) {
		rc = cf_set_error(E->ctx, errno, "cannot open '%s'", lockp);
		goto out;
	}
	/* Blocks while a helper from an interrupted run is still working. */
	while (flock(lock, LOCK_EX) < 0)
		if (errno != EINTR) {
			rc = cf_set_error(E->ctx, errno, "cannot lock '%s'", lockp);
			goto out;
		}
	if (!strcmp(cf_json_str(st, "status", ""), "started") && stat(resp, &sb) == 0) {
		if (E->o->out)
			fprintf(E->o->out, "%s: taking the result of the interrupted run\n", s->id);
		goto finished;
	}
	/* Nothing runs unseen: the host check, the exact command, and (unless
	 * --yes) the person's yes. */
	if (check_db_urls(E, s, args) != CF_OK)
		goto out;
	if ((code = confirm_step(E, s, args)) != 1) {
		if (code == 0) {
			*outcome = STEP_WAIT;
			rc = add_waiting(E, s->id);
		}
		goto out;
	}
	unlink(resp);
	if (set_str(st, "kind", "run") || set_str(st, "status", "started") ||
	    set_str(st, "command", cmd.data) ||
	    set_int(st, "attempt", cf_json_int(st, "attempt", 0) + 1) ||
	    set_time(st, "started", now_us(E))) {
		rc = cf_set_nomem(E->ctx, "state");
		goto out;
	}
	if (save(E) != CF_OK)
		goto out;
	if (E->o->out) {
		fprintf(E->o->out, "%s: %s\n", s->id, cmd.data);
		fflush(E->o->out);
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		rc = cf_set_error(E->ctx, errno, "cannot fork");
		goto out;
	}
	if (pid == 0)
		helper(E, s, args, outp, errp, resp);
	{
		int status;
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR) {
				rc = cf_set_error(E->ctx, errno, "waiting for step '%s'", s->id);
				goto out;
			}
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			rc = cf_set_error(E->ctx, 0, "step '%s': could not run '%s' (helper status %d)",
					  s->id, E->o->self_exe, status);
			goto out;
		}
	}
finished:
	show_output(E, s, outp, "output");
	show_output(E, s, errp, "messages");
	if (cf_json_parse_file(E->ctx, resp, 4096, &res) != CF_OK)
		goto out;
	code = (int)cf_json_int(res, "exit", -1);
	if (set_int(st, "exit", code) || file_digest(E->ctx, outp, hex) != CF_OK ||
	    set_str(st, "subject", hex)) {
		rc = CF_FAILED;
		goto out;
	}
	if (code != 0) {
		struct cf_buf eb;
		cf_buf_init(&eb);
		cf_buf_read_file(E->ctx, &eb, errp, 4096);
		if (set_str(st, "status", "failed") ||
		    (cJSON_DeleteItemFromObjectCaseSensitive(st, "owed"),
		     !cJSON_AddTrueToObject(st, "owed")) || save(E) != CF_OK ||
		    log_owed(E, s->id, "playbook-step") != CF_OK) {
			cf_buf_release(&eb);
			goto out;
		}
		if (eb.len && eb.data[eb.len - 1] == '\n')
			eb.data[--eb.len] = '\0';
		rc = cf_set_error(E->ctx, 0, "step '%s' failed (exit %d)%s%s", s->id, code,
				  eb.len ? ": " : "", eb.len ? eb.data : "");
		cf_buf_release(&eb);
		goto out;
	}
	if (s->save) {
		if (cf_json_parse_file(E->ctx, outp, MAX_OUTPUT, &saved) != CF_OK) {
			cf_error_prefix(E->ctx, "step '%s': output to save as '%s' is not JSON",
					s->id, s->save);
			goto out;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(E->values, s->save);
		if (!cJSON_AddItemToObject(E->values, s->save, saved)) {
			cJSON_Delete(saved);
			rc = cf_set_nomem(E->ctx, "values");
			goto out;
		}
	}
	rc = complete(E, i, 0);
	if (rc == CF_OK)
		*outcome = STEP_ADVANCE;
out:
	if (lock >= 0)
		close(lock);
	for (size_t k = 0; args && k < s->argc; k++)
		free(args[k]);
	free(args);
	cf_buf_release(&cmd);
	cJSON_Delete(res);
	free(outp);
	free(errp);
	free(resp);
	free(lockp);
	return rc;
}

/* ---- one step ---------------------------------------------------------------- */

static int do_step(struct eng *E, size_t i, int *outcome)
{
	const struct pb_step *s = &E->pb->steps[i];
	cJSON *st = step_state(E, s->id);
	char buf[1024], hex[CF_SHA256_HEX];
	const char *note = "";
	int answer = 0;

	*outcome = STEP_ERROR;
	if (!st)
		return cf_set_nomem(E->ctx, "state");
	if (!strcmp(cf_json_str(st, "status", ""), "done")) {
		/* done before an interruption: make sure it was logged */
		if (log_owed(E, s->id, "playbook-step") != CF_OK)
			return CF_FAILED;
		*outcome = STEP_ADVANCE;
		return CF_OK;
	}
	switch (s->kind) {
	case PB_RUN:
		return run_step(E, i, outcome);
	case PB_DEADLINE: {
		int64_t disc = 0;
		cf_time_parse(cf_json_str(E->state, "discovered", ""), -1, &disc, NULL);
		if (set_str(st, "note", now_us(E) <= disc + s->deadline_us ? "met" : "missed"))
			return cf_set_nomem(E->ctx, "state");
		break;
	}
	case PB_DECISION:
		if (s->condition) {
			if (pb_expr_eval(E->ctx, s->condition, E->values, &answer) != CF_OK)
				return cf_error_prefix(E->ctx, "step '%s'", s->id);
			if (set_str(st, "note", s->condition))
				return cf_set_nomem(E->ctx, "state");
			break;
		}
		/* a question for a person */
		__attribute__((fallthrough));
	case PB_ACTION:
	case PB_NOTIFY:
		if (s->kind == PB_NOTIFY) {
			char rel[600];
			snprintf(rel, sizeof rel, "playbooks/%s/notices/%s.md", E->pb->id, s->id);
			if (draft_notice(E, s, hex) != CF_OK)
				return CF_FAILED;
			if (set_str(st, "subject", hex) || set_str(st, "draft", rel))
				return cf_set_nomem(E->ctx, "state");
			if (E->o->out)
				fprintf(E->o->out, "%s: draft notice in %s\n", s->id, rel);
		}
		if (!manual(E, s, &note, &answer, buf, sizeof buf)) {
			*outcome = STEP_WAIT;
			return add_waiting(E, s->id);
		}
		if (set_str(st, "note", note))
			return cf_set_nomem(E->ctx, "state");
		break;
	case PB_PARALLEL: {
		int all = 1;
		for (size_t c = 0; c < s->nchildren; c++) {
			int o;
			if (do_step(E, s->children[c], &o) != CF_OK)
				return CF_FAILED;
			all &= o == STEP_ADVANCE;
		}
		if (!all) {
			*outcome = STEP_WAIT;
			return CF_OK;
		}
		break;
	}
	default:
		return cf_set_error(E->ctx, 0, "step '%s' has no kind", s->id);
	}
	if (s->kind == PB_DECISION &&
	    (cJSON_DeleteItemFromObjectCaseSensitive(st, "answer"),
	     cf_json_add_bool(st, "answer", answer) ||
	     (cJSON_DeleteItemFromObjectCaseSensitive(E->values, s->id),
	      cf_json_add_bool(E->values, s->id, answer))))
		return cf_set_nomem(E->ctx, "state");
	if (complete(E, i, answer) != CF_OK)
		return CF_FAILED;
	if (E->o->out)
		fprintf(E->o->out, "%s: done%s%s\n", s->id,
			s->kind == PB_DECISION ? (answer ? " (yes)" : " (no)") : "",
			s->kind == PB_DEADLINE ? (strcmp(cf_json_str(st, "note", ""), "met")
						  ? " (missed)" : " (met)") : "");
	*outcome = STEP_ADVANCE;
	return CF_OK;
}

/* ---- the run ----------------------------------------------------------------- */

int pb_run(struct cf_ctx *ctx, const struct pb_playbook *pb,
	   const struct pb_run_opts *o, const struct pb_custody *cust,
	   enum pb_run_result *result, char **waiting)
{
	struct eng E = {ctx, pb, o, cust, NULL, NULL, NULL, NULL, NULL, NULL, {0}, -1};
	char *runlock = NULL, hex[CF_SHA256_HEX];
	int lockfd = -1, rc = CF_FAILED;

	cf_buf_init(&E.waiting);
	*result = PB_RUN_WAITING;
	if (waiting)
		*waiting = NULL;
	if (!(E.dir = pb_state_dir(o->case_dir, pb->id)) ||
	    !(E.state_path = cf_path_join(E.dir, "state.json")) ||
	    !(runlock = cf_path_join(E.dir, "run.lock"))) {
		rc = cf_set_nomem(ctx, "state");
		goto out;
	}
	if (cf_path_mkdirs(ctx, E.dir, 0750) != CF_OK)
		goto out;
	/* One run of a playbook at a time in a case. */
	lockfd = open(runlock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	E.run_lock = lockfd;
	if (lockfd < 0 || flock(lockfd, LOCK_EX | LOCK_NB) < 0) {
		rc = cf_set_error(ctx, errno, "another run of '%s' is in progress in '%s'",
				  pb->id, o->case_dir);
		goto out;
	}
	rc = pb_state_load(ctx, o->case_dir, pb->id, &E.state);
	if (rc == CF_EOF) {
		if (start_state(&E) != CF_OK) {
			rc = CF_FAILED;
			goto out;
		}
	} else if (rc != CF_OK)
		goto out;
	else {
		rc = CF_FAILED;
		if (file_digest(ctx, pb->path, hex) != CF_OK)
			goto out;
		if (strcmp(cf_json_str(E.state, "playbook_sha256", ""), hex)) {
			cf_set_error(ctx, 0,
				     "'%s' changed since this run started (%s); a run follows one version of a playbook",
				     pb->path, cf_json_str(E.state, "started", "?"));
			goto out;
		}
		E.values = cJSON_GetObjectItemCaseSensitive(E.state, "values");
		E.steps = cJSON_GetObjectItemCaseSensitive(E.state, "steps");
		E.run_id = cf_json_str(E.state, "run_id", "");
		if (!cJSON_IsObject(E.values) || !cJSON_IsObject(E.steps) || !*E.run_id) {
			cf_set_error(ctx, 0, "'%s' is not a playbook state", E.state_path);
			goto out;
		}
		if (log_owed(&E, "@start", "playbook-start") != CF_OK)
			goto out;
	}
	rc = CF_FAILED;
	for (;;) {
		const char *cur = cf_json_str(E.state, "current", NULL);
		size_t i;
		int outcome;

		if (!cur) {
			cJSON *st = step_state(&E, "@end");
			if (!st)
				goto out;
			if (!cJSON_GetObjectItemCaseSensitive(st, "status")) {
				if (set_str(st, "kind", "end") || set_str(st, "status", "done") ||
				    !cJSON_AddTrueToObject(st, "owed") || save(&E) != CF_OK)
					goto out;
			}
			if (log_owed(&E, "@end", "playbook-end") != CF_OK)
				goto out;
			*result = PB_RUN_FINISHED;
			break;
		}
		if (o->until && !strcmp(cur, o->until)) {
			*result = PB_RUN_STOPPED;
			break;
		}
		if ((i = pb_find(pb, cur)) == PB_NONE) {
			cf_set_error(ctx, 0, "state names step '%s', which the playbook lacks", cur);
			goto out;
		}
		if (do_step(&E, i, &outcome) != CF_OK)
			goto out;
		if (outcome == STEP_WAIT) {
			*result = PB_RUN_WAITING;
			break;
		}
	}
	if (waiting && E.waiting.len && !(*waiting = cf_buf_detach(&E.waiting))) {
		rc = cf_set_nomem(ctx, "waiting list");
		goto out;
	}
	rc = CF_OK;
out:
	if (lockfd >= 0)
		close(lockfd);
	cf_buf_release(&E.waiting);
	cJSON_Delete(E.state);
	free(E.dir);
	free(E.state_path);
	free(runlock);
	return rc;
}

/* ---- status ------------------------------------------------------------------ */

static int add_clock(cJSON *clocks, const char *name, int64_t due, const char *basis,
		     int done, int64_t now)
{
	cJSON *c = cJSON_AddObjectToObject(clocks, name);

	if (!c)
		return -1;
	if (!due)
		return cf_json_add_str(c, "status", "not-required") ||
		       cf_json_add_str(c, "basis", basis);
	return cf_json_add_time(c, "due", due) || cf_json_add_str(c, "basis", basis) ||
	       cf_json_add_str(c, "status", done ? "done" : now > due ? "overdue" : "due");
}

int pb_status(struct cf_ctx *ctx, const struct pb_playbook *pb,
	      const cJSON *state, int64_t now, cJSON **out)
{
	const cJSON *steps = cJSON_GetObjectItemCaseSensitive(state, "steps");
	const cJSON *values = cJSON_GetObjectItemCaseSensitive(state, "values");
	int64_t disc = 0, delay = 0;
	int done_aud[3] = {0, 0, 0};
	struct pb_clocks c;
	cJSON *j, *arr, *clocks;

	*out = NULL;
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
		int64_t due = s->deadline_us >= 0 ? disc + s->deadline_us : 0, fin = 0;
		cJSON *e = cJSON_CreateObject();

		if (!e || !cJSON_AddItemToArray(arr, e))
			goto nomem_e;
		if (!strcmp(status, "done")) {
			cf_time_parse(cf_json_str(st, "finished", ""), -1, &fin, NULL);
			if (due && fin > due)
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
				status = now > due ? "overdue" : "due";
		}
		if (cf_json_add_str(e, "id", s->id) ||
		    cf_json_add_str(e, "kind", pb_kind_name(s->kind)) ||
		    cf_json_add_str(e, "title", s->title) ||
		    cf_json_add_str(e, "owner", s->owner) ||
		    cf_json_add_str(e, "status", status) ||
		    (due && cf_json_add_time(e, "deadline", due)) ||
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
	pb_clocks_compute(&c, disc, delay, values);
	if (!(clocks = cJSON_AddObjectToObject(j, "hipaa")) ||
	    (c.affected >= 0 && cf_json_add_int(clocks, "affected", c.affected)) ||
	    (c.delay_until && cf_json_add_time(clocks, "law_enforcement_delay_until",
					       c.delay_until)) ||
	    add_clock(clocks, "individuals", c.individuals,
		      "60 calendar days after discovery (164.404(b))", done_aud[0], now) ||
	    add_clock(clocks, "hhs", c.hhs, c.hhs_basis, done_aud[1], now) ||
	    add_clock(clocks, "media", c.media, c.media_basis, done_aud[2], now))
		goto nomem;
	*out = j;
	return CF_OK;
nomem:
	cJSON_Delete(j);
	return cf_set_nomem(ctx, "status");
}
