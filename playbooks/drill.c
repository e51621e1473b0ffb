/* SPDX-License-Identifier: Apache-2.0
 *
 * Tabletop drills: a playbook played against a scenario on a simulated
 * clock (man casefile-drill(1), casefile-drill-scenario(5)).
 *
 * The scenario lists timed injects (offsets such as PT2H from the
 * simulated start) and the actions expected of the team: a playbook step,
 * the time it must be done within, and for decisions the right answer.
 * The drill folder holds drill.json, replaced atomically after every
 * command, so a drill can be stopped and carried on. Scoring per expected
 * action: on time (full points), late (half), wrong answer (none), missed
 * (none); the score is the percentage of points earned. `end` writes the
 * after-action report in Markdown and JSON with an improvement plan whose
 * items are owned by the playbook role responsible for the step.
 *
 * Must never: touch a case or the custody log (a drill is an exercise), or
 * let the simulated clock run backwards.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "casefile/alloc.h"
#include "casefile/atomic.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/hash.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "casefile/time.h"
#include "casefile/yaml.h"
#include "playbook.h"

#define DAY_US (86400LL * CF_US_PER_SEC)

struct inject { char *id, *title, *text; int64_t at; };
struct expect { char *step; int64_t within; int answer; /* -1 none */ int points; };
struct participant { char *name, *role; };

struct pb_scenario {
	char *path, *id, *title, *description, *playbook;
	int64_t start, improvement_due;
	struct inject *inj; size_t ninj;
	struct expect *exp; size_t nexp;
	struct participant *who; size_t nwho;
	int *exp_line, *exp_col;
};

void pb_scenario_free(struct pb_scenario *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ninj; i++) {
		free(s->inj[i].id); free(s->inj[i].title); free(s->inj[i].text);
	}
	for (size_t i = 0; i < s->nexp; i++)
		free(s->exp[i].step);
	for (size_t i = 0; i < s->nwho; i++) {
		free(s->who[i].name); free(s->who[i].role);
	}
	free(s->inj); free(s->exp); free(s->who); free(s->exp_line); free(s->exp_col);
	free(s->path); free(s->id); free(s->title); free(s->description); free(s->playbook);
	free(s);
}

const char *pb_scenario_playbook(const struct pb_scenario *s)
{
	return s->playbook;
}

/* ---- loading ------------------------------------------------------------ */

struct sl { struct cf_ctx *ctx; const char *file; struct pb_diag *diag; int errors, nomem; };

static void serr(struct sl *L, struct fy_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void serr(struct sl *L, struct fy_node *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pb_diag_error(L->ctx, L->file, L->diag, &L->errors, &L->nomem, n, fmt, ap);
	va_end(ap);
}

static char *sstr(struct sl *L, struct fy_node *map, const char *key, int required)
{
	struct fy_node *n = cf_yaml_get(map, key);
	char *s;

	if (!n) {
		if (required)
			serr(L, map, "missing '%s'", key);
		return NULL;
	}
	if (!fy_node_is_scalar(n)) {
		serr(L, n, "'%s' must be a string", key);
		return NULL;
	}
	if (!(s = cf_yaml_strdup(n)))
		L->nomem = 1;
	return s;
}

static int64_t sdur(struct sl *L, struct fy_node *map, const char *key, int required)
{
	char *s = sstr(L, map, key, required);
	int64_t us = -1;

	if (s && cf_duration_parse(s, &us)) {
		serr(L, cf_yaml_get(map, key), "bad duration '%s' (e.g. PT2H, P1D)", s);
		us = -1;
	}
	free(s);
	return us;
}

static void *seq_alloc(struct sl *L, struct fy_node *seq, size_t size)
{
	void *p = cf_calloc((size_t)fy_node_sequence_item_count(seq) + 1, size);
	if (!p)
		L->nomem = 1;
	return p;
}

int pb_scenario_load(struct cf_ctx *ctx, const char *path, struct pb_diag *diag,
		     struct pb_scenario **out)
{
	static const char *const top[] = {"id", "title", "description", "playbook", "start",
					  "participants", "injects", "expected",
					  "improvement_due", NULL};
	static const char *const ik[] = {"id", "at", "title", "text", NULL};
	static const char *const ek[] = {"step", "within", "answer", "points", NULL};
	static const char *const pk[] = {"name", "role", NULL};
	struct sl L = {ctx, path, diag, 0, 0};
	struct fy_document *doc = NULL;
	struct fy_node *root, *seq, *it;
	struct pb_scenario *s;
	void *iter;
	char *t;
	int rc;

	*out = NULL;
	if (cf_yaml_load(ctx, path, &doc) != CF_OK) {
		pb_diag_take(diag, ctx);
		return CF_FAILED;
	}
	if (!(s = cf_calloc(1, sizeof *s)) || !(s->path = cf_strdup(path))) {
		free(s);
		fy_document_destroy(doc);
		return cf_set_nomem(ctx, path);
	}
	root = fy_document_root(doc);
	if (!root || !fy_node_is_mapping(root)) {
		serr(&L, root, "a scenario must be a mapping");
		goto done;
	}
	{
		struct fy_node_pair *p;
		iter = NULL;
		while ((p = fy_node_mapping_iterate(root, &iter))) {
			char *k = cf_yaml_strdup(fy_node_pair_key(p));
			int ok = 0;
			for (const char *const *q = top; k && *q; q++)
				ok |= !strcmp(*q, k);
			if (!ok)
				serr(&L, fy_node_pair_key(p), "unknown key '%s'", k);
			free(k);
		}
	}
	s->id = sstr(&L, root, "id", 1);
	s->title = sstr(&L, root, "title", 1);
	s->description = sstr(&L, root, "description", 0);
	s->playbook = sstr(&L, root, "playbook", 1);
	s->improvement_due = sdur(&L, root, "improvement_due", 0);
	if (s->improvement_due < 0)
		s->improvement_due = 30 * DAY_US;
	if ((t = sstr(&L, root, "start", 1)) && cf_time_parse(t, -1, &s->start, NULL))
		serr(&L, cf_yaml_get(root, "start"), "'start' must be an RFC 3339 time, not '%s'", t);
	free(t);
	seq = cf_yaml_get(root, "participants");
	if (seq && fy_node_is_sequence(seq) && (s->who = seq_alloc(&L, seq, sizeof *s->who))) {
		iter = NULL;
		while ((it = fy_node_sequence_iterate(seq, &iter))) {
			struct participant *w = &s->who[s->nwho++];
			if (!fy_node_is_mapping(it)) {
				serr(&L, it, "a participant is a mapping with name and role");
				continue;
			}
			if (cf_yaml_check_keys(ctx, path, it, pk) != CF_OK) {
				pb_diag_take(diag, ctx);
				L.errors++;
			}
			w->name = sstr(&L, it, "name", 1);
			w->role = sstr(&L, it, "role", 1);
		}
	} else if (seq)
		serr(&L, seq, "'participants' must be a list");
	seq = cf_yaml_get(root, "injects");
	if (!seq || !fy_node_is_sequence(seq))
		serr(&L, seq ? seq : root, "'injects' must be a list of timed injects");
	else if ((s->inj = seq_alloc(&L, seq, sizeof *s->inj))) {
		int64_t last = 0;
		iter = NULL;
		while ((it = fy_node_sequence_iterate(seq, &iter))) {
			struct inject *in = &s->inj[s->ninj++];
			if (!fy_node_is_mapping(it)) {
				serr(&L, it, "an inject is a mapping");
				continue;
			}
			if (cf_yaml_check_keys(ctx, path, it, ik) != CF_OK) {
				pb_diag_take(diag, ctx);
				L.errors++;
			}
			in->id = sstr(&L, it, "id", 1);
			in->title = sstr(&L, it, "title", 1);
			in->text = sstr(&L, it, "text", 0);
			in->at = sdur(&L, it, "at", 1);
			if (in->at >= 0 && in->at < last)
				serr(&L, cf_yaml_get(it, "at"), "injects must be in time order");
			if (in->at >= 0)
				last = in->at;
		}
	}
	seq = cf_yaml_get(root, "expected");
	if (!seq || !fy_node_is_sequence(seq) || !fy_node_sequence_item_count(seq))
		serr(&L, seq ? seq : root, "'expected' must list the expected actions");
	else if ((s->exp = seq_alloc(&L, seq, sizeof *s->exp)) &&
		 (s->exp_line = seq_alloc(&L, seq, sizeof(int))) &&
		 (s->exp_col = seq_alloc(&L, seq, sizeof(int)))) {
		iter = NULL;
		while ((it = fy_node_sequence_iterate(seq, &iter))) {
			struct expect *e = &s->exp[s->nexp];
			int64_t pts = 10;
			cf_yaml_mark(it, &s->exp_line[s->nexp], &s->exp_col[s->nexp]);
			s->nexp++;
			e->answer = -1;
			if (!fy_node_is_mapping(it)) {
				serr(&L, it, "an expected action is a mapping");
				continue;
			}
			if (cf_yaml_check_keys(ctx, path, it, ek) != CF_OK) {
				pb_diag_take(diag, ctx);
				L.errors++;
			}
			e->step = sstr(&L, it, "step", 1);
			e->within = sdur(&L, it, "within", 1);
			if ((t = sstr(&L, it, "answer", 0))) {
				if (!strcmp(t, "yes") || !strcmp(t, "true"))
					e->answer = 1;
				else if (!strcmp(t, "no") || !strcmp(t, "false"))
					e->answer = 0;
				else
					serr(&L, cf_yaml_get(it, "answer"), "'answer' must be yes or no, not '%s'", t);
				free(t);
			}
			rc = cf_yaml_int(ctx, path, it, "points", &pts);
			if (rc == CF_FAILED || pts < 0 || pts > 1000) {
				if (rc != CF_FAILED)
					cf_yaml_error(ctx, path, cf_yaml_get(it, "points"),
						      "'points' must be 0-1000");
				pb_diag_take(diag, ctx);
				L.errors++;
			}
			e->points = (int)pts;
		}
	}
done:
	fy_document_destroy(doc);
	if (L.nomem) {
		pb_scenario_free(s);
		return cf_set_nomem(ctx, path);
	}
	if (L.errors) {
		if (diag && diag->n)
			cf_set_error(ctx, 0, "%s", diag->msg[diag->n - (size_t)L.errors]);
		pb_scenario_free(s);
		return CF_FAILED;
	}
	*out = s;
	return CF_OK;
}

int pb_scenario_check(struct cf_ctx *ctx, const struct pb_scenario *s,
		      const struct pb_playbook *pb, struct pb_diag *diag)
{
	int errors = 0;

	if (strcmp(s->playbook, pb->id)) {
		cf_set_error(ctx, 0, "%s: scenario is for playbook '%s', not '%s'", s->path,
			     s->playbook, pb->id);
		pb_diag_take(diag, ctx);
		errors++;
	}
	for (size_t i = 0; i < s->nexp; i++) {
		size_t k = pb_find(pb, s->exp[i].step);
		if (k == PB_NONE) {
			cf_set_error(ctx, 0, "%s:%d:%d: expected step '%s' is not in playbook '%s'",
				     s->path, s->exp_line[i], s->exp_col[i], s->exp[i].step, pb->id);
		} else if (s->exp[i].answer >= 0 && pb->steps[k].kind != PB_DECISION) {
			cf_set_error(ctx, 0, "%s:%d:%d: step '%s' is not a decision: it has no answer",
				     s->path, s->exp_line[i], s->exp_col[i], s->exp[i].step);
		} else
			continue;
		pb_diag_take(diag, ctx);
		errors++;
	}
	for (size_t i = 0; i < s->nwho; i++) {
		int ok = 0;
		for (size_t r = 0; r < pb->nroles; r++)
			ok |= s->who[i].role && !strcmp(s->who[i].role, pb->roles[r]);
		if (!ok) {
			cf_set_error(ctx, 0, "%s: participant '%s' has role '%s', which playbook '%s' lacks",
				     s->path, s->who[i].name, s->who[i].role, pb->id);
			pb_diag_take(diag, ctx);
			errors++;
		}
	}
	if (errors && diag && diag->n)
		cf_set_error(ctx, 0, "%s", diag->msg[diag->n - (size_t)errors]);
	return errors ? CF_FAILED : CF_OK;
}

/* ---- drill state ------------------------------------------------------------ */

struct drill {
	char *state_path;
	cJSON *state;
	struct pb_scenario *sc;
	struct pb_playbook *pb;
};

static void drill_release(struct drill *D)
{
	free(D->state_path);
	cJSON_Delete(D->state);
	pb_scenario_free(D->sc);
	pb_free(D->pb);
}

/* Common exit of the drill verbs: the report only on success. */
static int finish(int rc, cJSON **out, struct drill *D)
{
	if (rc != CF_OK) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	drill_release(D);
	return rc;
}

static int drill_save(struct cf_ctx *ctx, struct drill *D)
{
	char *text = cJSON_Print(D->state);
	int rc;

	if (!text)
		return cf_set_nomem(ctx, D->state_path);
	rc = cf_write_file_atomic(ctx, D->state_path, text, strlen(text), 0640, 0);
	free(text);
	return rc;
}

/* Loads and cross-checks the scenario and its playbook; every problem
 * goes to diag (which may be NULL). */
static int load_pair(struct cf_ctx *ctx, struct drill *D, const char *sc_path,
		     const char *pb_path, struct pb_diag *diag)
{
	int rc;

	rc = pb_scenario_load(ctx, sc_path, diag, &D->sc);
	if (rc == CF_OK)
		rc = pb_load(ctx, pb_path, diag, &D->pb);
	if (rc == CF_OK)
		rc = pb_scenario_check(ctx, D->sc, D->pb, diag);
	return rc;
}

static int drill_open(struct cf_ctx *ctx, const char *dir, struct drill *D)
{
	memset(D, 0, sizeof *D);
	if (!(D->state_path = cf_path_join(dir, "drill.json")))
		return cf_set_nomem(ctx, dir);
	if (cf_json_parse_file(ctx, D->state_path, 16u << 20, &D->state) != CF_OK)
		return cf_error_prefix(ctx, "no drill in '%s'", dir);
	return load_pair(ctx, D, cf_json_str(D->state, "scenario", ""),
			 cf_json_str(D->state, "playbook", ""), NULL);
}

static int64_t clock_of(const struct drill *D)
{
	return cf_json_int(D->state, "clock_us", 0);
}

static void offset_str(int64_t us, char *out, size_t n)
{
	int64_t m = us / (60 * CF_US_PER_SEC);
	snprintf(out, n, "T+%lld:%02lld", (long long)(m / 60), (long long)(m % 60));
}

/* Reveals injects due at the current clock; adds them to `shown`. */
static int reveal(struct cf_ctx *ctx, struct drill *D, cJSON *shown)
{
	cJSON *rev = cJSON_GetObjectItemCaseSensitive(D->state, "revealed");
	int64_t clk = clock_of(D), sim0 = D->sc->start;
	size_t done = (size_t)cJSON_GetArraySize(rev);

	for (size_t i = done; i < D->sc->ninj && D->sc->inj[i].at <= clk; i++) {
		const struct inject *in = &D->sc->inj[i];
		cJSON *e = cJSON_CreateObject();
		char off[32];
		offset_str(in->at, off, sizeof off);
		if (!e || !cJSON_AddItemToArray(rev, e) || cf_json_add_str(e, "id", in->id) ||
		    cf_json_add_str(e, "offset", off) || cf_json_add_int(e, "at_us", in->at) ||
		    cf_json_add_time(e, "time", sim0 + in->at) ||
		    cf_json_add_str(e, "title", in->title) || cf_json_add_str(e, "text", in->text))
			return cf_set_nomem(ctx, "drill");
		if (shown) {
			/* a copy: the state (and e with it) is freed before printing */
			cJSON *copy = cJSON_Duplicate(e, 1);
			if (!copy || !cJSON_AddItemToArray(shown, copy)) {
				cJSON_Delete(copy);
				return cf_set_nomem(ctx, "drill");
			}
		}
	}
	return CF_OK;
}

static int report_common(struct cf_ctx *ctx, struct drill *D, cJSON *j)
{
	char off[32];

	offset_str(clock_of(D), off, sizeof off);
	if (cf_json_add_str(j, "scenario", D->sc->id) || cf_json_add_str(j, "playbook", D->pb->id) ||
	    cf_json_add_str(j, "clock", off) ||
	    cf_json_add_time(j, "simulated_time", D->sc->start + clock_of(D)))
		return cf_set_nomem(ctx, "drill");
	return CF_OK;
}

int pb_drill_start(struct cf_ctx *ctx, const char *dir, const char *scenario_path,
		   const char *playbook_path, struct pb_diag *diag, cJSON **out)
{
	struct drill D;
	char *abs_sc = NULL, *abs_pb = NULL;
	struct stat st;
	cJSON *shown;
	int rc = CF_FAILED;

	memset(&D, 0, sizeof D);
	*out = NULL;
	if (load_pair(ctx, &D, scenario_path, playbook_path, diag) != CF_OK)
		goto out;
	/* absolute, so that the drill folder can be used from anywhere */
	if (!(abs_sc = realpath(scenario_path, NULL)) || !(abs_pb = realpath(playbook_path, NULL))) {
		rc = cf_set_error(ctx, errno, "cannot resolve '%s'",
				  abs_sc ? playbook_path : scenario_path);
		goto out;
	}
	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		rc = cf_set_error(ctx, errno, "cannot create '%s'", dir);
		goto out;
	}
	if (!(D.state_path = cf_path_join(dir, "drill.json"))) {
		rc = cf_set_nomem(ctx, dir);
		goto out;
	}
	if (stat(D.state_path, &st) == 0) {
		rc = cf_set_error(ctx, EEXIST, "'%s' already holds a drill", dir);
		goto out;
	}
	if (!(D.state = cJSON_CreateObject()) || cf_json_add_int(D.state, "format", 1) ||
	    cf_json_add_str(D.state, "scenario", abs_sc) ||
	    cf_json_add_str(D.state, "playbook", abs_pb) ||
	    cf_json_add_time(D.state, "simulated_start", D.sc->start) ||
	    cf_json_add_int(D.state, "clock_us", 0) ||
	    !cJSON_AddArrayToObject(D.state, "revealed") ||
	    !cJSON_AddArrayToObject(D.state, "decisions") ||
	    !cJSON_AddNullToObject(D.state, "ended") ||
	    !(*out = cJSON_CreateObject()) || !(shown = cJSON_AddArrayToObject(*out, "injects"))) {
		rc = cf_set_nomem(ctx, "drill");
		goto out;
	}
	if (reveal(ctx, &D, shown) != CF_OK || report_common(ctx, &D, *out) != CF_OK ||
	    cf_json_add_str(*out, "title", D.sc->title) ||
	    drill_save(ctx, &D) != CF_OK)
		goto out;
	rc = CF_OK;
out:
	if (rc != CF_OK) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	free(abs_sc);
	free(abs_pb);
	drill_release(&D);
	return rc;
}

static int not_ended(struct cf_ctx *ctx, const struct drill *D)
{
	if (cf_json_str(D->state, "ended", NULL))
		return cf_set_error(ctx, 0, "the drill has ended (%s)",
				    cf_json_str(D->state, "ended", ""));
	return CF_OK;
}

int pb_drill_inject(struct cf_ctx *ctx, const char *dir, const char *advance,
		    cJSON **out)
{
	struct drill D;
	int64_t clk, step = 0;
	cJSON *shown;
	size_t shown_before;
	int rc = CF_FAILED;

	*out = NULL;
	if (drill_open(ctx, dir, &D) != CF_OK || not_ended(ctx, &D) != CF_OK)
		goto out;
	clk = clock_of(&D);
	shown_before = (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(D.state, "revealed"));
	if (advance) {
		if (cf_duration_parse(advance, &step)) {
			rc = cf_set_error(ctx, 0, "bad duration '%s' (e.g. PT30M, PT2H)", advance);
			goto out;
		}
		clk += step;
	} else if (shown_before < D.sc->ninj) {
		if (D.sc->inj[shown_before].at > clk)
			clk = D.sc->inj[shown_before].at;
	} else {
		rc = cf_set_error(ctx, 0, "no injects left; advance the clock with --advance or end the drill");
		goto out;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(D.state, "clock_us");
	if (cf_json_add_int(D.state, "clock_us", clk) || !(*out = cJSON_CreateObject()) ||
	    !(shown = cJSON_AddArrayToObject(*out, "injects"))) {
		rc = cf_set_nomem(ctx, "drill");
		goto out;
	}
	if (reveal(ctx, &D, shown) != CF_OK || report_common(ctx, &D, *out) != CF_OK ||
	    cf_json_add_int(*out, "remaining",
			    (int64_t)D.sc->ninj - cJSON_GetArraySize(
				    cJSON_GetObjectItemCaseSensitive(D.state, "revealed"))) ||
	    drill_save(ctx, &D) != CF_OK)
		goto out;
	rc = CF_OK;
out:
	return finish(rc, out, &D);
}

int pb_drill_decide(struct cf_ctx *ctx, const char *dir, const char *step,
		    const char *answer, const char *participant, const char *note,
		    const char *at, cJSON **out)
{
	struct drill D;
	const char *role = NULL;
	int64_t when;
	size_t k;
	cJSON *e;
	char off[32];
	int rc = CF_FAILED, ans = -1;

	*out = NULL;
	if (drill_open(ctx, dir, &D) != CF_OK || not_ended(ctx, &D) != CF_OK)
		goto out;
	when = clock_of(&D);
	if ((k = pb_find(D.pb, step)) == PB_NONE) {
		rc = cf_set_error(ctx, 0, "playbook '%s' has no step '%s'", D.pb->id, step);
		goto out;
	}
	if (answer) {
		if (D.pb->steps[k].kind != PB_DECISION) {
			rc = cf_set_error(ctx, 0, "step '%s' is not a decision: give no answer", step);
			goto out;
		}
		if (!strcmp(answer, "yes"))
			ans = 1;
		else if (!strcmp(answer, "no"))
			ans = 0;
		else {
			rc = cf_set_error(ctx, 0, "an answer is yes or no, not '%s'", answer);
			goto out;
		}
	} else if (D.pb->steps[k].kind == PB_DECISION) {
		rc = cf_set_error(ctx, 0, "step '%s' is a decision: give --answer yes|no", step);
		goto out;
	}
	if (at) {
		if (cf_duration_parse(at, &when)) {
			rc = cf_set_error(ctx, 0, "bad duration '%s'", at);
			goto out;
		}
		if (when > clock_of(&D)) {
			rc = cf_set_error(ctx, 0, "--at %s is after the simulated clock; advance it first", at);
			goto out;
		}
	}
	for (size_t i = 0; participant && i < D.sc->nwho; i++)
		if (D.sc->who[i].name && !strcmp(D.sc->who[i].name, participant))
			role = D.sc->who[i].role;
	if (participant && D.sc->nwho && !role) {
		rc = cf_set_error(ctx, 0, "'%s' is not a participant of this drill", participant);
		goto out;
	}
	offset_str(when, off, sizeof off);
	if (!(e = cJSON_CreateObject()) ||
	    !cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(D.state, "decisions"), e) ||
	    cf_json_add_str(e, "step", step) || cf_json_add_str(e, "offset", off) ||
	    cf_json_add_int(e, "at_us", when) || cf_json_add_time(e, "time", D.sc->start + when) ||
	    (ans >= 0 && cf_json_add_str(e, "answer", ans ? "yes" : "no")) ||
	    cf_json_add_str(e, "participant", participant) || cf_json_add_str(e, "role", role) ||
	    cf_json_add_str(e, "note", note) || !(*out = cJSON_CreateObject()) ||
	    report_common(ctx, &D, *out) != CF_OK ||
	    !cJSON_AddItemReferenceToObject(*out, "recorded", e)) {
		rc = cf_set_nomem(ctx, "drill");
		goto out;
	}
	if (drill_save(ctx, &D) != CF_OK)
		goto out;
	/* detach the reference from the state before it is freed */
	{
		cJSON *copy = cJSON_Duplicate(e, 1);
		cJSON_DeleteItemFromObjectCaseSensitive(*out, "recorded");
		if (!copy || !cJSON_AddItemToObject(*out, "recorded", copy)) {
			cJSON_Delete(copy);
			rc = cf_set_nomem(ctx, "drill");
			goto out;
		}
	}
	rc = CF_OK;
out:
	return finish(rc, out, &D);
}

/* ---- scoring ------------------------------------------------------------------ */

/* First recorded decision for a step, or NULL. */
static const cJSON *decision_for(const struct drill *D, const char *step)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(D->state, "decisions"))
		if (!strcmp(cf_json_str(e, "step", ""), step))
			return e;
	return NULL;
}

/* Scores every expected action; final = the drill is over (a pending
 * action is then missed). Returns the score table; *score in 0-100. */
static cJSON *score(const struct drill *D, int final, double *score_out, int *earned_out,
		    int *total_out)
{
	cJSON *arr = cJSON_CreateArray();
	int64_t clk = clock_of(D);
	int earned = 0, total = 0;

	if (!arr)
		return NULL;
	for (size_t i = 0; i < D->sc->nexp; i++) {
		const struct expect *x = &D->sc->exp[i];
		const cJSON *d = decision_for(D, x->step);
		size_t k = pb_find(D->pb, x->step);
		const char *result, *owner = k != PB_NONE ? D->pb->steps[k].owner : NULL;
		int pts = 0;
		char off[32];
		cJSON *e = cJSON_CreateObject();

		if (!e || !cJSON_AddItemToArray(arr, e)) {
			cJSON_Delete(e);
			cJSON_Delete(arr);
			return NULL;
		}
		total += x->points;
		if (!d)
			result = final || clk > x->within ? "missed" : "pending";
		else if (x->answer >= 0 &&
			 strcmp(cf_json_str(d, "answer", ""), x->answer ? "yes" : "no"))
			result = "wrong";
		else if (cf_json_int(d, "at_us", 0) > x->within) {
			result = "late";
			pts = x->points / 2;
		} else {
			result = "on time";
			pts = x->points;
		}
		earned += pts;
		offset_str(x->within, off, sizeof off);
		if (cf_json_add_str(e, "step", x->step) ||
		    cf_json_add_str(e, "title", k != PB_NONE ? D->pb->steps[k].title : NULL) ||
		    cf_json_add_str(e, "owner", owner) || cf_json_add_str(e, "due", off) ||
		    (x->answer >= 0 && cf_json_add_str(e, "expected_answer", x->answer ? "yes" : "no")) ||
		    cf_json_add_str(e, "recorded", d ? cf_json_str(d, "offset", NULL) : NULL) ||
		    (d && cf_json_str(d, "answer", NULL) &&
		     cf_json_add_str(e, "answer", cf_json_str(d, "answer", NULL))) ||
		    (d && cf_json_add_str(e, "by", cf_json_str(d, "participant", NULL))) ||
		    cf_json_add_str(e, "result", result) || cf_json_add_int(e, "points", pts) ||
		    cf_json_add_int(e, "max_points", x->points)) {
			cJSON_Delete(arr);
			return NULL;
		}
	}
	*score_out = total ? floor(1000.0 * earned / total + 0.5) / 10.0 : 0;
	*earned_out = earned;
	*total_out = total;
	return arr;
}

int pb_drill_status(struct cf_ctx *ctx, const char *dir, cJSON **out)
{
	struct drill D;
	double sc;
	int earned, total, rc = CF_FAILED;
	cJSON *tab;

	*out = NULL;
	if (drill_open(ctx, dir, &D) != CF_OK)
		goto out;
	if (!(*out = cJSON_CreateObject()) || report_common(ctx, &D, *out) != CF_OK ||
	    !(tab = score(&D, cf_json_str(D.state, "ended", NULL) != NULL, &sc, &earned, &total)) ||
	    !cJSON_AddItemToObject(*out, "expected", tab) ||
	    cf_json_add_num(*out, "score", sc) ||
	    cf_json_add_int(*out, "remaining_injects",
			    (int64_t)D.sc->ninj - cJSON_GetArraySize(
				    cJSON_GetObjectItemCaseSensitive(D.state, "revealed"))) ||
	    !cJSON_AddItemToObject(*out, "injects", cJSON_Duplicate(
		    cJSON_GetObjectItemCaseSensitive(D.state, "revealed"), 1)) ||
	    !cJSON_AddItemToObject(*out, "decisions", cJSON_Duplicate(
		    cJSON_GetObjectItemCaseSensitive(D.state, "decisions"), 1)) ||
	    cf_json_add_str(*out, "ended", cf_json_str(D.state, "ended", NULL))) {
		rc = cf_set_nomem(ctx, "drill");
		goto out;
	}
	rc = CF_OK;
out:
	return finish(rc, out, &D);
}

/* ---- after-action report ------------------------------------------------------ */

static const char *who_has(const struct drill *D, const char *role)
{
	for (size_t i = 0; role && i < D->sc->nwho; i++)
		if (D->sc->who[i].role && !strcmp(D->sc->who[i].role, role))
			return D->sc->who[i].name;
	return NULL;
}

/* Markdown table cells: no pipes or newlines from user text. */
static int cell(struct cf_buf *b, const char *s)
{
	for (; s && *s; s++)
		if (cf_buf_putc(b, *s == '|' ? '/' : *s == '\n' ? ' ' : *s))
			return -1;
	return 0;
}

static int write_md(struct cf_ctx *ctx, const char *path, struct drill *D,
		    const cJSON *tab, double sc, int earned, int total, cJSON *plan,
		    int64_t now)
{
	struct cf_buf b;
	const cJSON *e, *inj = cJSON_GetObjectItemCaseSensitive(D->state, "revealed");
	const cJSON *dec = cJSON_GetObjectItemCaseSensitive(D->state, "decisions");
	char t1[CF_TIME_STR], t2[CF_TIME_STR], t3[CF_TIME_STR], off[32];
	int n, rc, counts[4] = {0, 0, 0, 0};
	static const char *const names[4] = {"on time", "late", "wrong", "missed"};

	cJSON_ArrayForEach(e, tab)
		for (int r = 0; r < 4; r++)
			counts[r] += !strcmp(cf_json_str(e, "result", ""), names[r]);
	cf_buf_init(&b);
	offset_str(clock_of(D), off, sizeof off);
	if (cf_buf_printf(&b, "# After-action report: %s\n\n## Summary\n\n"
			  "- Scenario: %s (`%s`)\n- Playbook: %s (`%s`)\n"
			  "- Simulated start: %s; exercise ended at %s (%s)\n"
			  "- Report written: %s\n- Participants:",
			  D->sc->title, D->sc->title, D->sc->id, D->pb->title, D->pb->id,
			  cf_time_format(D->sc->start, t1),
			  cf_time_format(D->sc->start + clock_of(D), t2), off,
			  cf_time_format(now, t3)))
		goto nomem;
	for (size_t i = 0; i < D->sc->nwho; i++)
		if (cf_buf_printf(&b, "%s %s (%s)", i ? "," : "", D->sc->who[i].name,
				  D->sc->who[i].role))
			goto nomem;
	if (cf_buf_printf(&b, "%s\n- **Score: %.1f / 100** (%d of %d points): %d on time, "
			  "%d late, %d wrong, %d missed of %zu expected actions\n",
			  D->sc->nwho ? "" : " none recorded", sc, earned, total, counts[0],
			  counts[1], counts[2], counts[3], D->sc->nexp) ||
	    (D->sc->description && cf_buf_printf(&b, "\n%s\n", D->sc->description)))
		goto nomem;
	if (cf_buf_puts(&b, "\n## Timeline of injects and decisions\n\n"
			    "| Simulated time | Offset | Event | Detail |\n|---|---|---|---|\n"))
		goto nomem;
	{
		/* merge the two lists, both ordered by time */
		const cJSON *i = inj ? inj->child : NULL, *d = dec ? dec->child : NULL;
		while (i || d) {
			int take_inj = i && (!d || cf_json_int(i, "at_us", 0) <= cf_json_int(d, "at_us", 0));
			const cJSON *x = take_inj ? i : d;
			if (cf_buf_printf(&b, "| %s | %s | ", cf_json_str(x, "time", ""),
					  cf_json_str(x, "offset", "")))
				goto nomem;
			if (take_inj) {
				if (cf_buf_puts(&b, "inject: ") || cell(&b, cf_json_str(x, "title", "")) ||
				    cf_buf_puts(&b, " | ") || cell(&b, cf_json_str(x, "text", "")))
					goto nomem;
				i = i->next;
			} else {
				if (cf_buf_puts(&b, "decision: `") || cell(&b, cf_json_str(x, "step", "")) ||
				    cf_buf_puts(&b, "`") ||
				    (cf_json_str(x, "answer", NULL) &&
				     cf_buf_printf(&b, " = %s", cf_json_str(x, "answer", ""))) ||
				    cf_buf_puts(&b, " | ") ||
				    (cf_json_str(x, "participant", NULL) &&
				     (cell(&b, cf_json_str(x, "participant", "")) ||
				      cf_buf_printf(&b, " (%s) ", cf_json_str(x, "role", "?")))) ||
				    cell(&b, cf_json_str(x, "note", "")))
					goto nomem;
				d = d->next;
			}
			if (cf_buf_puts(&b, " |\n"))
				goto nomem;
		}
	}
	if (cf_buf_puts(&b, "\n## Score\n\n| Expected action | Owner | Due by | Expected answer | "
			    "Recorded | Answer | Result | Points |\n|---|---|---|---|---|---|---|---|\n"))
		goto nomem;
	cJSON_ArrayForEach(e, tab)
		if (cf_buf_puts(&b, "| `") || cell(&b, cf_json_str(e, "step", "")) ||
		    cf_buf_puts(&b, "` ") || cell(&b, cf_json_str(e, "title", "")) ||
		    cf_buf_printf(&b, " | %s | %s | %s | %s | %s | %s | %lld / %lld |\n",
				  cf_json_str(e, "owner", "-"), cf_json_str(e, "due", "-"),
				  cf_json_str(e, "expected_answer", "-"),
				  cf_json_str(e, "recorded", "-"), cf_json_str(e, "answer", "-"),
				  cf_json_str(e, "result", ""), (long long)cf_json_int(e, "points", 0),
				  (long long)cf_json_int(e, "max_points", 0)))
			goto nomem;
	if (cf_buf_puts(&b, "\n## Strengths\n\n"))
		goto nomem;
	n = 0;
	cJSON_ArrayForEach(e, tab)
		if (!strcmp(cf_json_str(e, "result", ""), "on time") &&
		    cf_buf_printf(&b, "- `%s` %s: done at %s, within %s%s%s.\n",
				  cf_json_str(e, "step", ""), cf_json_str(e, "title", ""),
				  cf_json_str(e, "recorded", ""), cf_json_str(e, "due", ""),
				  cf_json_str(e, "expected_answer", NULL) ? " with the right answer: " : "",
				  cf_json_str(e, "expected_answer", "")) == 0)
			n++;
		else if (!strcmp(cf_json_str(e, "result", ""), "on time"))
			goto nomem;
	if (!n && cf_buf_puts(&b, "- No expected action was completed on time.\n"))
		goto nomem;
	if (cf_buf_puts(&b, "\n## Gaps\n\n"))
		goto nomem;
	n = 0;
	cJSON_ArrayForEach(e, tab) {
		const char *r = cf_json_str(e, "result", "");
		if (!strcmp(r, "on time") || !strcmp(r, "pending"))
			continue;
		n++;
		if (!strcmp(r, "missed") ? cf_buf_printf(&b, "- `%s` %s: never done (due by %s).\n",
							cf_json_str(e, "step", ""), cf_json_str(e, "title", ""),
							cf_json_str(e, "due", ""))
		    : !strcmp(r, "late") ? cf_buf_printf(&b, "- `%s` %s: done at %s, after the %s limit.\n",
							 cf_json_str(e, "step", ""), cf_json_str(e, "title", ""),
							 cf_json_str(e, "recorded", ""), cf_json_str(e, "due", ""))
		    : cf_buf_printf(&b, "- `%s` %s: answered %s, the right answer was %s.\n",
				    cf_json_str(e, "step", ""), cf_json_str(e, "title", ""),
				    cf_json_str(e, "answer", "-"), cf_json_str(e, "expected_answer", "-")))
			goto nomem;
	}
	if (!n && cf_buf_puts(&b, "- None: every expected action was done on time.\n"))
		goto nomem;
	if (cf_buf_puts(&b, "\n## Improvement plan\n\n| # | Action | Owner | Due |\n|---|---|---|---|\n"))
		goto nomem;
	n = 0;
	cJSON_ArrayForEach(e, plan)
		if (cf_buf_printf(&b, "| %d | ", ++n) || cell(&b, cf_json_str(e, "action", "")) ||
		    cf_buf_printf(&b, " | %s | %s |\n", cf_json_str(e, "owner", ""),
				  cf_json_str(e, "due", "")))
			goto nomem;
	if (!n && cf_buf_puts(&b, "| 1 | Keep the playbook current and repeat this drill with new participants | "
			      "incident-commander | next exercise cycle |\n"))
		goto nomem;
	rc = cf_write_file_atomic(ctx, path, b.data, b.len, 0640, 0);
	cf_buf_release(&b);
	return rc;
nomem:
	cf_buf_release(&b);
	return cf_set_nomem(ctx, "after-action report");
}

int pb_drill_end(struct cf_ctx *ctx, const char *dir, int64_t now, cJSON **out)
{
	struct drill D;
	double sc;
	int earned, total, rc = CF_FAILED;
	char *md = NULL, *js = NULL, *text = NULL, t[CF_TIME_STR], due[12];
	cJSON *tab = NULL, *plan, *e;
	int64_t y;
	unsigned m, d;

	*out = NULL;
	if (drill_open(ctx, dir, &D) != CF_OK || not_ended(ctx, &D) != CF_OK)
		goto out;
	if (!(md = cf_path_join(dir, "after-action.md")) ||
	    !(js = cf_path_join(dir, "after-action.json")) ||
	    !(tab = score(&D, 1, &sc, &earned, &total)) || !(*out = cJSON_CreateObject()) ||
	    report_common(ctx, &D, *out) != CF_OK || cf_json_add_str(*out, "title", D.sc->title) ||
	    cf_json_add_num(*out, "score", sc) || cf_json_add_int(*out, "points", earned) ||
	    cf_json_add_int(*out, "max_points", total) ||
	    !cJSON_AddItemToObject(*out, "expected", tab) ||
	    !(plan = cJSON_AddArrayToObject(*out, "improvement_plan")))
		goto nomem;
	tab = cJSON_GetObjectItemCaseSensitive(*out, "expected");
	cf_civil_from_days((now + D.sc->improvement_due) / DAY_US, &y, &m, &d);
	snprintf(due, sizeof due, "%04lld-%02u-%02u", (long long)y, m, d);
	cJSON_ArrayForEach(e, tab) {
		const char *r = cf_json_str(e, "result", ""), *owner = cf_json_str(e, "owner", NULL);
		const char *name = who_has(&D, owner);
		char action[600], who[200];
		cJSON *p;
		if (!strcmp(r, "on time"))
			continue;
		snprintf(action, sizeof action,
			 !strcmp(r, "wrong")
			 ? "Review the decision criteria of `%s` (%s) with the team and add the deciding facts to the playbook"
			 : !strcmp(r, "late")
			 ? "Shorten the path to `%s` (%s): pre-assign the task, prepare its checklist and rehearse it"
			 : "Make `%s` (%s) an explicit, assigned task in the response and rehearse it",
			 cf_json_str(e, "step", ""), cf_json_str(e, "title", ""));
		snprintf(who, sizeof who, "%s%s%s%s", owner ? owner : "incident-commander",
			 name ? " (" : "", name ? name : "", name ? ")" : "");
		if (!(p = cJSON_CreateObject()) || !cJSON_AddItemToArray(plan, p) ||
		    cf_json_add_str(p, "step", cf_json_str(e, "step", "")) ||
		    cf_json_add_str(p, "action", action) || cf_json_add_str(p, "owner", who) ||
		    cf_json_add_str(p, "due", due))
			goto nomem;
	}
	if (!cJSON_AddItemToObject(*out, "injects", cJSON_Duplicate(
		    cJSON_GetObjectItemCaseSensitive(D.state, "revealed"), 1)) ||
	    !cJSON_AddItemToObject(*out, "decisions", cJSON_Duplicate(
		    cJSON_GetObjectItemCaseSensitive(D.state, "decisions"), 1)) ||
	    cf_json_add_str(*out, "report", md) || cf_json_add_str(*out, "report_json", js))
		goto nomem;
	if (write_md(ctx, md, &D, tab, sc, earned, total, plan, now) != CF_OK)
		goto out;
	if (!(text = cJSON_Print(*out)))
		goto nomem;
	if (cf_write_file_atomic(ctx, js, text, strlen(text), 0640, 0) != CF_OK)
		goto out;
	cJSON_DeleteItemFromObjectCaseSensitive(D.state, "ended");
	if (cf_json_add_str(D.state, "ended", cf_time_format(now, t)) ||
	    drill_save(ctx, &D) != CF_OK)
		goto out;
	rc = CF_OK;
	goto out;
nomem:
	if (!cJSON_GetObjectItemCaseSensitive(*out, "expected"))
		cJSON_Delete(tab);
	rc = cf_set_nomem(ctx, "drill");
out:
	if (rc != CF_OK) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	free(text);
	free(md);
	free(js);
	drill_release(&D);
	return rc;
}
