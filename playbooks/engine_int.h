/* SPDX-License-Identifier: Apache-2.0
 *
 * The playbook engine's private interface, shared by its three files:
 * engine.c (the run loop and the dispatch of one step), engine_state.c
 * (the run's state in CASE/playbooks/<id>/state.json, the exactly-once
 * custody entries, the first state and pb_status) and engine_steps.c (the
 * step kinds that do work: manual steps, notices and run steps). Nothing
 * outside these files includes it.
 */
#ifndef CF_PLAYBOOKS_ENGINE_INT_H
#define CF_PLAYBOOKS_ENGINE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/hash.h"
#include "casefile/json.h"
#include "casefile/time.h"
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

static inline int64_t now_us(const struct eng *E)
{
	return E->o->now ? E->o->now : cf_time_now();
}

/* ---- engine_state.c ---- */

/* E->dir/<id><suffix>, or NULL when out of memory. */
char *eng_in_dir(const struct eng *E, const char *id, const char *suffix);
/* Replaces state.json atomically with E->state. */
int eng_save(struct eng *E);
/* The state object of step id, created when missing; NULL out of memory. */
cJSON *eng_step_state(struct eng *E, const char *id);
const char *eng_step_status(const struct eng *E, const char *id);
/* o[k] = v, replacing any earlier value; nonzero when out of memory. */
int eng_set_str(cJSON *o, const char *k, const char *v);
int eng_set_int(cJSON *o, const char *k, int64_t v);
int eng_set_time(cJSON *o, const char *k, int64_t v);
/* Appends the custody entry owed for step key, exactly once. */
int eng_log_owed(struct eng *E, const char *key, const char *action);
int eng_file_digest(struct cf_ctx *ctx, const char *path, char hex[CF_SHA256_HEX]);
/* The first state of a run: digest, discovery, vars; logs the start. */
int eng_start_state(struct eng *E);
/* Marks step i done, moves the run on, saves and logs it. */
int eng_complete(struct eng *E, size_t i, int answer);

/* ---- engine_steps.c ---- */

/* Asks a person to complete (or answer) a step. 1 done, 0 waiting. */
int eng_manual(struct eng *E, const struct pb_step *s, const char **note,
	       int *answer, char *buf, size_t n);
/* Adds id to the list of steps the run waits on. */
int eng_add_waiting(struct eng *E, const char *id);
/* Drafts the notice of a notify step (kept if already drafted). */
int eng_draft_notice(struct eng *E, const struct pb_step *s, char hex[CF_SHA256_HEX]);
/* Runs a run step through a helper process; *outcome is a STEP_ value. */
int eng_run_step(struct eng *E, size_t i, int *outcome);

/* Applies --set NAME=VALUE to values.vars: at the start of a run and
 * when a run resumes (a value asked for by a stopped step is given then). */
int eng_apply_set(struct eng *E);

#endif
