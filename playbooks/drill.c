/* SPDX-License-Identifier: Apache-2.0
 *
 * Tabletop drills: a playbook played against a scenario on a simulated
 * clock (man casefile-drill(1), casefile-drill-scenario(5)). This file
 * keeps the drill folder's state and the verbs that move the drill on
 * (start, inject, decide); drill_scenario.c loads scenarios and
 * drill_report.c scores the drill and writes the after-action report;
 * drill_int.h is what the three share.
 *
 * The scenario lists timed injects (offsets such as PT2H from the
 * simulated start) and the actions expected of the team: a playbook step,
 * the time it must be done within, and for decisions the right answer.
 * The drill folder holds drill.json, replaced atomically after every
 * command, so a drill can be stopped and carried on.
 *
 * Must never: touch a case or the custody log (a drill is an exercise), or
 * let the simulated clock run backwards.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "casefile/alloc.h"
#include "casefile/atomic.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "casefile/time.h"
#include "drill_int.h"

/* ---- drill state ------------------------------------------------------------ */

void drill_release(struct drill *D)
{
	free(D->state_path);
	cJSON_Delete(D->state);
	pb_scenario_free(D->sc);
	pb_free(D->pb);
}

/* Common exit of the drill verbs: the report only on success. */
int drill_finish(int rc, cJSON **out, struct drill *D)
{
	if (rc != CF_OK) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	drill_release(D);
	return rc;
}

int drill_save(struct cf_ctx *ctx, struct drill *D)
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

int drill_open(struct cf_ctx *ctx, const char *dir, struct drill *D)
{
	memset(D, 0, sizeof *D);
	if (!(D->state_path = cf_path_join(dir, "drill.json")))
		return cf_set_nomem(ctx, dir);
	if (cf_json_parse_file(ctx, D->state_path, 16u << 20, &D->state) != CF_OK)
		return cf_error_prefix(ctx, "no drill in '%s'", dir);
	return load_pair(ctx, D, cf_json_str(D->state, "scenario", ""),
			 cf_json_str(D->state, "playbook", ""), NULL);
}

int64_t drill_clock(const struct drill *D)
{
	return cf_json_int(D->state, "clock_us", 0);
}

void drill_offset(int64_t us, char *out, size_t n)
{
	int64_t m = us / (60 * CF_US_PER_SEC);
	snprintf(out, n, "T+%lld:%02lld", (long long)(m / 60), (long long)(m % 60));
}

/* Reveals injects due at the current clock; adds them to `shown`. */
static int reveal(struct cf_ctx *ctx, struct drill *D, cJSON *shown)
{
	cJSON *rev = cJSON_GetObjectItemCaseSensitive(D->state, "revealed");
	int64_t clk = drill_clock(D), sim0 = D->sc->start;
	size_t done = (size_t)cJSON_GetArraySize(rev);

	for (size_t i = done; i < D->sc->ninj && D->sc->inj[i].at <= clk; i++) {
		const struct inject *in = &D->sc->inj[i];
		cJSON *e = cJSON_CreateObject();
		char off[32];
		drill_offset(in->at, off, sizeof off);
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

int drill_report_common(struct cf_ctx *ctx, struct drill *D, cJSON *j)
{
	char off[32];

	drill_offset(drill_clock(D), off, sizeof off);
	if (cf_json_add_str(j, "scenario", D->sc->id) || cf_json_add_str(j, "playbook", D->pb->id) ||
	    cf_json_add_str(j, "clock", off) ||
	    cf_json_add_time(j, "simulated_time", D->sc->start + drill_clock(D)))
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
	if (reveal(ctx, &D, shown) != CF_OK || drill_report_common(ctx, &D, *out) != CF_OK ||
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

int drill_not_ended(struct cf_ctx *ctx, const struct drill *D)
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
	if (drill_open(ctx, dir, &D) != CF_OK || drill_not_ended(ctx, &D) != CF_OK)
		goto out;
	clk = drill_clock(&D);
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
	if (reveal(ctx, &D, shown) != CF_OK || drill_report_common(ctx, &D, *out) != CF_OK ||
	    cf_json_add_int(*out, "remaining",
			    (int64_t)D.sc->ninj - cJSON_GetArraySize(
				    cJSON_GetObjectItemCaseSensitive(D.state, "revealed"))) ||
	    drill_save(ctx, &D) != CF_OK)
		goto out;
	rc = CF_OK;
out:
	return drill_finish(rc, out, &D);
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
	if (drill_open(ctx, dir, &D) != CF_OK || drill_not_ended(ctx, &D) != CF_OK)
		goto out;
	when = drill_clock(&D);
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
		if (when > drill_clock(&D)) {
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
	drill_offset(when, off, sizeof off);
	if (!(e = cJSON_CreateObject()) ||
	    !cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(D.state, "decisions"), e) ||
	    cf_json_add_str(e, "step", step) || cf_json_add_str(e, "offset", off) ||
	    cf_json_add_int(e, "at_us", when) || cf_json_add_time(e, "time", D.sc->start + when) ||
	    (ans >= 0 && cf_json_add_str(e, "answer", ans ? "yes" : "no")) ||
	    cf_json_add_str(e, "participant", participant) || cf_json_add_str(e, "role", role) ||
	    cf_json_add_str(e, "note", note) || !(*out = cJSON_CreateObject()) ||
	    drill_report_common(ctx, &D, *out) != CF_OK ||
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
	return drill_finish(rc, out, &D);
}
