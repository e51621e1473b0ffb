/* SPDX-License-Identifier: Apache-2.0
 *
 * Running a playbook in a case folder, resumable after any interruption:
 * the run loop (pb_run) and the dispatch of one step by its kind. The
 * run's state and custody entries are kept by engine_state.c, the step
 * kinds that do work (manual steps, notices, run steps) by
 * engine_steps.c; engine_int.h is what the three share.
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
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "casefile/time.h"
#include "engine_int.h"

/* ---- one step ---------------------------------------------------------------- */

static int do_step(struct eng *E, size_t i, int *outcome)
{
	const struct pb_step *s = &E->pb->steps[i];
	cJSON *st = eng_step_state(E, s->id);
	char buf[1024], hex[CF_SHA256_HEX];
	const char *note = "";
	int answer = 0;

	*outcome = STEP_ERROR;
	if (!st)
		return cf_set_nomem(E->ctx, "state");
	if (!strcmp(cf_json_str(st, "status", ""), "done")) {
		/* done before an interruption: make sure it was logged */
		if (eng_log_owed(E, s->id, "playbook-step") != CF_OK)
			return CF_FAILED;
		*outcome = STEP_ADVANCE;
		return CF_OK;
	}
	switch (s->kind) {
	case PB_RUN:
		return eng_run_step(E, i, outcome);
	case PB_DEADLINE: {
		int64_t disc = 0, delay = 0, due;
		struct pb_cal cal;
		cf_time_parse(cf_json_str(E->state, "discovered", ""), -1, &disc, NULL);
		cf_time_parse(cf_json_str(E->state, "law_enforcement_delay_until", ""), -1,
			      &delay, NULL);
		if (pb_cal_from_state(E->ctx, E->state, &cal) != CF_OK)
			return CF_FAILED;
		due = pb_step_due(s, &cal, disc, delay);
		pb_cal_release(&cal);
		if (eng_set_str(st, "note", now_us(E) < due ? "met" : "missed"))
			return cf_set_nomem(E->ctx, "state");
		break;
	}
	case PB_DECISION:
		if (s->condition) {
			if (pb_expr_eval(E->ctx, s->condition, E->values, &answer) != CF_OK)
				return cf_error_prefix(E->ctx, "step '%s'", s->id);
			if (eng_set_str(st, "note", s->condition))
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
			if (eng_draft_notice(E, s, hex) != CF_OK)
				return CF_FAILED;
			if (eng_set_str(st, "subject", hex) || eng_set_str(st, "draft", rel))
				return cf_set_nomem(E->ctx, "state");
			if (E->o->out)
				fprintf(E->o->out, "%s: draft notice in %s\n", s->id, rel);
		}
		if (!eng_manual(E, s, &note, &answer, buf, sizeof buf)) {
			*outcome = STEP_WAIT;
			return eng_add_waiting(E, s->id);
		}
		if (eng_set_str(st, "note", note))
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
	if (eng_complete(E, i, answer) != CF_OK)
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

/* The plan, before anything runs: every step in order with its kind, its
 * state in this run and its title, and for a run step the command it
 * runs (with the run's values; a value not set yet is shown as written). */
static void show_plan(struct eng *E)
{
	const struct pb_playbook *pb = E->pb;
	FILE *f = E->o->out;

	if (!f)
		return;
	fprintf(f, "plan of %s (%zu steps), run %s in %s:\n", pb->id, pb->nsteps,
		E->run_id ? E->run_id : cf_json_str(E->state, "run_id", "?"), E->o->case_dir);
	for (size_t i = 0; i < pb->nsteps; i++) {
		const struct pb_step *s = &pb->steps[i];
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(E->steps, s->id);

		fprintf(f, "  %2zu. %-28s %-9s %-8s %s\n", i + 1, s->id, pb_kind_name(s->kind),
			cf_json_str(st, "status", "pending"), s->title ? s->title : "");
		if (s->kind != PB_RUN || !s->argc)
			continue;
		fputs("        casefile", f);
		for (size_t k = 0; k < s->argc; k++) {
			struct cf_ctx scratch;
			char *v = NULL;

			cf_ctx_init(&scratch);
			if (pb_expand(&scratch, s->argv[k], E->values, &v) != CF_OK)
				v = NULL;
			fprintf(f, " %s", v ? v : s->argv[k]);
			free(v);
		}
		fputc('\n', f);
	}
	fflush(f);
}

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
		if (eng_start_state(&E) != CF_OK) {
			rc = CF_FAILED;
			goto out;
		}
	} else if (rc != CF_OK)
		goto out;
	else {
		rc = CF_FAILED;
		if (eng_file_digest(ctx, pb->path, hex) != CF_OK)
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
		if (eng_log_owed(&E, "@start", "playbook-start") != CF_OK)
			goto out;
		if (o->nset && (eng_apply_set(&E) != CF_OK || eng_save(&E) != CF_OK))
			goto out;
	}
	show_plan(&E);
	rc = CF_FAILED;
	for (;;) {
		const char *cur = cf_json_str(E.state, "current", NULL);
		size_t i;
		int outcome;

		if (!cur) {
			cJSON *st = eng_step_state(&E, "@end");
			if (!st)
				goto out;
			if (!cJSON_GetObjectItemCaseSensitive(st, "status")) {
				if (eng_set_str(st, "kind", "end") || eng_set_str(st, "status", "done") ||
				    !cJSON_AddTrueToObject(st, "owed") || eng_save(&E) != CF_OK)
					goto out;
			}
			if (eng_log_owed(&E, "@end", "playbook-end") != CF_OK)
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
