/* SPDX-License-Identifier: Apache-2.0
 *
 * Scoring a drill and its after-action report (see drill.c). Scoring per
 * expected action: on time (full points), late (half), wrong answer
 * (none), missed (none), pending (not yet due at the drill clock: not
 * scored); the score is the percentage of the points of the scored
 * actions that were earned.
 * `status` shows the score so far; `end` writes the after-action report
 * in Markdown and JSON with an improvement plan whose items are owned by
 * the playbook role responsible for the step.
 *
 * Must never: score an action as missed before it is due at the drill
 * clock, even when the drill is ended early.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/atomic.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "casefile/time.h"
#include "drill_int.h"

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

/* Scores every expected action at the drill clock: one not recorded is
 * missed once its time is past, else pending, and a pending action counts
 * neither for nor against (its points stay out of *total_out). Returns
 * the score table; *score in 0-100. */
static cJSON *score(const struct drill *D, double *score_out, int *earned_out,
		    int *total_out)
{
	cJSON *arr = cJSON_CreateArray();
	int64_t clk = drill_clock(D);
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
		if (!d)
			result = clk > x->within ? "missed" : "pending";
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
		total += strcmp(result, "pending") ? x->points : 0;
		drill_offset(x->within, off, sizeof off);
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
	if (!(*out = cJSON_CreateObject()) || drill_report_common(ctx, &D, *out) != CF_OK ||
	    !(tab = score(&D, &sc, &earned, &total)) ||
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
	return drill_finish(rc, out, &D);
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
static void cell(struct cf_buf *b, const char *s)
{
	for (; s && *s; s++)
		cf_buf_putc(b, *s == '|' ? '/' : *s == '\n' ? ' ' : *s);
}

/* What the sections of the after-action report are written from. */
struct aar {
	const struct drill *D;
	const cJSON *tab, *plan;
	double score;
	int earned, total;
	int64_t now;
};

static void aar_summary(struct cf_buf *b, const struct aar *A)
{
	const struct drill *D = A->D;
	char t1[CF_TIME_STR], t2[CF_TIME_STR], t3[CF_TIME_STR], off[32];
	int counts[5] = {0, 0, 0, 0, 0};
	static const char *const names[5] = {"on time", "late", "wrong", "missed", "pending"};
	const cJSON *e;

	cJSON_ArrayForEach(e, A->tab)
		for (int r = 0; r < 5; r++)
			counts[r] += !strcmp(cf_json_str(e, "result", ""), names[r]);
	drill_offset(drill_clock(D), off, sizeof off);
	cf_buf_printf(b, "# After-action report: %s\n\n## Summary\n\n"
		      "- Scenario: %s (`%s`)\n- Playbook: %s (`%s`)\n"
		      "- Simulated start: %s; exercise ended at %s (%s)\n"
		      "- Report written: %s\n- Participants:",
		      D->sc->title, D->sc->title, D->sc->id, D->pb->title, D->pb->id,
		      cf_time_format(D->sc->start, t1),
		      cf_time_format(D->sc->start + drill_clock(D), t2), off,
		      cf_time_format(A->now, t3));
	for (size_t i = 0; i < D->sc->nwho; i++)
		cf_buf_printf(b, "%s %s (%s)", i ? "," : "", D->sc->who[i].name,
			      D->sc->who[i].role);
	cf_buf_printf(b, "%s\n- **Score: %.1f / 100** (%d of %d points): %d on time, "
		      "%d late, %d wrong, %d missed of %zu expected actions; %d not yet due "
		      "when the exercise ended (not scored)\n",
		      D->sc->nwho ? "" : " none recorded", A->score, A->earned, A->total,
		      counts[0], counts[1], counts[2], counts[3], D->sc->nexp, counts[4]);
	if (D->sc->description)
		cf_buf_printf(b, "\n%s\n", D->sc->description);
}

/* The injects and decisions merged, both lists being ordered by time. */
static void aar_timeline(struct cf_buf *b, const struct aar *A)
{
	const cJSON *inj = cJSON_GetObjectItemCaseSensitive(A->D->state, "revealed");
	const cJSON *dec = cJSON_GetObjectItemCaseSensitive(A->D->state, "decisions");
	const cJSON *i = inj ? inj->child : NULL, *d = dec ? dec->child : NULL;

	cf_buf_puts(b, "\n## Timeline of injects and decisions\n\n"
		       "| Simulated time | Offset | Event | Detail |\n|---|---|---|---|\n");
	while (i || d) {
		int take_inj = i && (!d || cf_json_int(i, "at_us", 0) <= cf_json_int(d, "at_us", 0));
		const cJSON *x = take_inj ? i : d;
		cf_buf_printf(b, "| %s | %s | ", cf_json_str(x, "time", ""),
			      cf_json_str(x, "offset", ""));
		if (take_inj) {
			cf_buf_puts(b, "inject: ");
			cell(b, cf_json_str(x, "title", ""));
			cf_buf_puts(b, " | ");
			cell(b, cf_json_str(x, "text", ""));
			i = i->next;
		} else {
			cf_buf_puts(b, "decision: `");
			cell(b, cf_json_str(x, "step", ""));
			cf_buf_puts(b, "`");
			if (cf_json_str(x, "answer", NULL))
				cf_buf_printf(b, " = %s", cf_json_str(x, "answer", ""));
			cf_buf_puts(b, " | ");
			if (cf_json_str(x, "participant", NULL)) {
				cell(b, cf_json_str(x, "participant", ""));
				cf_buf_printf(b, " (%s) ", cf_json_str(x, "role", "?"));
			}
			cell(b, cf_json_str(x, "note", ""));
			d = d->next;
		}
		cf_buf_puts(b, " |\n");
	}
}

static void aar_score(struct cf_buf *b, const struct aar *A)
{
	const cJSON *e;

	cf_buf_puts(b, "\n## Score\n\n| Expected action | Owner | Due by | Expected answer | "
		       "Recorded | Answer | Result | Points |\n|---|---|---|---|---|---|---|---|\n");
	cJSON_ArrayForEach(e, A->tab) {
		cf_buf_puts(b, "| `");
		cell(b, cf_json_str(e, "step", ""));
		cf_buf_puts(b, "` ");
		cell(b, cf_json_str(e, "title", ""));
		cf_buf_printf(b, " | %s | %s | %s | %s | %s | %s | %lld / %lld |\n",
			      cf_json_str(e, "owner", "-"), cf_json_str(e, "due", "-"),
			      cf_json_str(e, "expected_answer", "-"),
			      cf_json_str(e, "recorded", "-"), cf_json_str(e, "answer", "-"),
			      cf_json_str(e, "result", ""), (long long)cf_json_int(e, "points", 0),
			      (long long)cf_json_int(e, "max_points", 0));
	}
}

/* Strengths (the actions done on time) or gaps (those missed, late or
 * answered wrongly): one bullet per action, or one line saying there is
 * none. An action not yet due is neither. */
static void aar_results(struct cf_buf *b, const struct aar *A, int gaps)
{
	const cJSON *e;
	int n = 0;

	cf_buf_puts(b, gaps ? "\n## Gaps\n\n" : "\n## Strengths\n\n");
	cJSON_ArrayForEach(e, A->tab) {
		const char *r = cf_json_str(e, "result", "");
		const char *due = cf_json_str(e, "due", ""), *at = cf_json_str(e, "recorded", "");
		int on_time = !strcmp(r, "on time");

		if (!strcmp(r, "pending") || on_time == gaps)
			continue;
		n++;
		cf_buf_printf(b, "- `%s` %s: ", cf_json_str(e, "step", ""),
			      cf_json_str(e, "title", ""));
		if (!gaps)
			cf_buf_printf(b, "done at %s, within %s%s%s.\n", at, due,
				      cf_json_str(e, "expected_answer", NULL) ?
				      " with the right answer: " : "",
				      cf_json_str(e, "expected_answer", ""));
		else if (!strcmp(r, "missed"))
			cf_buf_printf(b, "never done (due by %s).\n", due);
		else if (!strcmp(r, "late"))
			cf_buf_printf(b, "done at %s, after the %s limit.\n", at, due);
		else
			cf_buf_printf(b, "answered %s, the right answer was %s.\n",
				      cf_json_str(e, "answer", "-"),
				      cf_json_str(e, "expected_answer", "-"));
	}
	if (!n)
		cf_buf_puts(b, gaps ? "- None: every expected action was done on time.\n"
				    : "- No expected action was completed on time.\n");
}

static void aar_strengths(struct cf_buf *b, const struct aar *A)
{
	aar_results(b, A, 0);
}

static void aar_gaps(struct cf_buf *b, const struct aar *A)
{
	aar_results(b, A, 1);
}

static void aar_plan(struct cf_buf *b, const struct aar *A)
{
	const cJSON *e;
	int n = 0;

	cf_buf_puts(b, "\n## Improvement plan\n\n| # | Action | Owner | Due |\n|---|---|---|---|\n");
	cJSON_ArrayForEach(e, A->plan) {
		cf_buf_printf(b, "| %d | ", ++n);
		cell(b, cf_json_str(e, "action", ""));
		cf_buf_printf(b, " | %s | %s |\n", cf_json_str(e, "owner", ""),
			      cf_json_str(e, "due", ""));
	}
	if (!n)
		cf_buf_puts(b, "| 1 | Keep the playbook current and repeat this drill with new "
			       "participants | incident-commander | next exercise cycle |\n");
}

/* The sections of after-action.md, in order. */
static void (*const aar_sections[])(struct cf_buf *, const struct aar *) = {
	aar_summary, aar_timeline, aar_score, aar_strengths, aar_gaps, aar_plan,
};

static int write_md(struct cf_ctx *ctx, const char *path, const struct aar *A)
{
	struct cf_buf b;
	int rc;

	cf_buf_init(&b);
	for (size_t i = 0; i < sizeof aar_sections / sizeof *aar_sections; i++)
		aar_sections[i](&b, A);
	rc = cf_buf_error(&b) ? cf_set_nomem(ctx, "after-action report")
		: cf_write_file_atomic(ctx, path, b.data, b.len, 0640, 0);
	cf_buf_release(&b);
	return rc;
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
	if (drill_open(ctx, dir, &D) != CF_OK || drill_not_ended(ctx, &D) != CF_OK)
		goto out;
	if (!(md = cf_path_join(dir, "after-action.md")) ||
	    !(js = cf_path_join(dir, "after-action.json")) ||
	    !(tab = score(&D, &sc, &earned, &total)) || !(*out = cJSON_CreateObject()) ||
	    drill_report_common(ctx, &D, *out) != CF_OK || cf_json_add_str(*out, "title", D.sc->title) ||
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
		if (!strcmp(r, "on time") || !strcmp(r, "pending"))
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
	{
		struct aar A = {&D, tab, plan, sc, earned, total, now};
		if (write_md(ctx, md, &A) != CF_OK)
			goto out;
	}
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
