/* SPDX-License-Identifier: Apache-2.0
 *
 * Playbooks and drills (SPEC section 7): the part's internal interface.
 *
 * A playbook is a YAML file (man casefile-playbook(5)) loaded into a flat
 * array of steps; parallel groups own child steps stored in the same array.
 * Loading never stops at the first mistake: every schema error, with its
 * FILE:LINE:COL, is collected in a pb_diag so that an author fixes them all
 * in one pass. The engine walks a loaded playbook in a case folder, keeps
 * its progress in a state file written atomically and logs every step in
 * the custody log through one callback; the drill module plays a playbook
 * against a scenario on a simulated clock. Nothing here prints: only
 * cmd_playbook.c and cmd_drill.c do.
 */
#ifndef CASEFILE_PLAYBOOK_H
#define CASEFILE_PLAYBOOK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cjson/cJSON.h>

struct cf_ctx;

/* ---- diagnostics ------------------------------------------------------ */

/* Every error found, each "FILE:LINE:COL: message", in file order. */
struct pb_diag {
	char **msg;
	size_t n;
};
void pb_diag_init(struct pb_diag *d);
void pb_diag_release(struct pb_diag *d);
/* Copies the context's current message into the list. 0 or -1 (ENOMEM). */
int pb_diag_take(struct pb_diag *d, const struct cf_ctx *ctx);
/* Where a loader of playbooks or drill scenarios reports: the file it
 * reads, the list the messages go to (through ctx), how many errors it
 * found, and whether the list could not grow (nomem). */
struct pb_diag_sink {
	struct cf_ctx *ctx;
	const char *file;
	struct pb_diag *diag;
	int errors, nomem;
};
/* Records "FILE:LINE:COL: message" for node n in k->diag and counts it in
 * k->errors; k->nomem is set when the list cannot grow. The loaders of
 * playbooks and drill scenarios report every error this way. */
struct fy_node;
void pb_diag_at(struct pb_diag_sink *k, struct fy_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- model ------------------------------------------------------------ */

enum pb_kind {
	PB_ACTION,   /* manual task with an owner, checklist and evidence */
	PB_RUN,      /* a casefile command line */
	PB_DECISION, /* a question to a person or a computed condition */
	PB_PARALLEL, /* a group of steps that may proceed together */
	PB_NOTIFY,   /* drafts a notice to an audience */
	PB_DEADLINE, /* a milestone: a clock relative to discovery */
	PB_KINDS
};
const char *pb_kind_name(enum pb_kind k);

#define PB_NONE ((size_t)-1)
#define PB_END "end" /* the step id that ends the playbook */

struct pb_step {
	char *id, *title, *description, *owner;
	enum pb_kind kind;
	char **checklist;  size_t nchecklist;
	char **evidence;   size_t nevidence;
	char **argv;       size_t argc;      /* run: casefile argv, no "casefile" */
	char *save;        /* run: keep stdout (JSON) as values.<save> */
	char *question;    /* decision asked of a person (owner answers) */
	char *condition;   /* decision computed (see pb_expr_eval) */
	char *on_true, *on_false; /* decision branches (step ids or "end") */
	char *next;        /* following step; NULL = the next one in the list */
	char *audience;    /* notify: individuals|hhs|media|business-associate */
	char *template_name; /* notify: notice template in the playbook library */
	char *deadline;    /* ISO 8601 duration after discovery, or NULL */
	int64_t deadline_us; /* parsed deadline, -1 when none */
	size_t parent;     /* index of the parallel group, PB_NONE at top level */
	size_t *children;  size_t nchildren; /* parallel: indices of members */
	int line, col;     /* where the step starts in the file */
};

struct pb_playbook {
	char *path;        /* file it was read from */
	char *id, *title, *description;
	char **roles;      size_t nroles;
	char **var_names, **var_values; size_t nvars; /* `vars`: defaults */
	struct pb_step *steps; size_t nsteps;
	size_t first;      /* index of the first top-level step */
};

/* Loads and validates a playbook. Returns CF_OK with *out set when it is
 * valid; CF_FAILED when not, with every problem in diag (and the first on
 * ctx) and *out NULL. The caller frees *out with pb_free. */
int pb_load(struct cf_ctx *ctx, const char *path, struct pb_diag *diag,
	    struct pb_playbook **out);
/* Same from memory; `name` stands for the file in messages. */
int pb_load_string(struct cf_ctx *ctx, const char *name, const char *text,
		   size_t len, struct pb_diag *diag, struct pb_playbook **out);
void pb_free(struct pb_playbook *pb);
/* Index of the step with that id, or PB_NONE. */
size_t pb_find(const struct pb_playbook *pb, const char *id);
/* The step a top-level step continues to when it completes (for decisions:
 * the branch taken by `answer`); NULL when the playbook ends there. */
const char *pb_successor(const struct pb_playbook *pb, size_t i, int answer);
/* 1 when argv names a casefile command (and subcommand) that exists. */
int pb_command_known(char *const *argv, size_t argc);

/* Resolves an argument naming a YAML file: a path to a file that exists,
 * else the id of a shipped one, ID.yaml in the data folder `folder`
 * ("playbooks", "scenarios"); `what` ("playbook") names it in the error.
 * Heap path or NULL with ctx set. */
char *pb_resolve_file(struct cf_ctx *ctx, const char *folder, const char *what,
		      const char *arg);
/* pb_resolve_file() for a PLAYBOOK argument. */
char *pb_resolve(struct cf_ctx *ctx, const char *arg);
/* Lists the shipped playbooks as a JSON array of {"id","title","path"},
 * sorted by id. Invalid files are listed with an "error" member. */
int pb_list_shipped(struct cf_ctx *ctx, cJSON **out);
/* Adds "id" and "title" (and anything else worth listing) of the YAML
 * file at path to e. CF_OK; CF_FAILED when the file is invalid (message
 * on ctx); CF_FATAL when out of memory. */
typedef int (*pb_describe_fn)(struct cf_ctx *ctx, const char *path, cJSON *e);
/* Lists the *.yaml files of the shipped data folder `kind` (see
 * cf_data_dir) as a JSON array of describe's objects plus "path", sorted
 * by id; an invalid file keeps its file name as id and has an "error". */
int pb_list_data(struct cf_ctx *ctx, const char *kind, pb_describe_fn describe,
		 cJSON **out);
/* Writes the playbook back as YAML (the canonical form import produces). */
int pb_write_yaml(struct cf_ctx *ctx, const struct pb_playbook *pb, FILE *f);

/* ---- decision expressions --------------------------------------------- */

/* Checks syntax only; on error *pos is the 0-based offset of the problem
 * and err the message. 0 or -1. */
int pb_expr_check(const char *expr, size_t *pos, char *err, size_t errlen);
/* Evaluates expr against values (a JSON object). Names are dotted paths
 * looked up from the root of values and, when absent there, inside each of
 * its object members in order, so "affected" finds values.scope.affected.
 * *result gets 0 or 1. CF_FAILED when a name is missing or types clash. */
int pb_expr_eval(struct cf_ctx *ctx, const char *expr, const cJSON *values,
		 int *result);
/* Looks a dotted name up as pb_expr_eval does; NULL when absent. */
const cJSON *pb_value_lookup(const cJSON *values, const char *name);
/* Replaces every ${NAME} in s by the value NAME (a string, number or
 * boolean) into a heap string. CF_FAILED naming a missing or unusable
 * value, or an unterminated ${. With values NULL, only checks syntax. */
int pb_expand(struct cf_ctx *ctx, const char *s, const cJSON *values,
	      char **out);

/* ---- HIPAA clocks ----------------------------------------------------- */

struct pb_clocks {
	int64_t discovered;     /* microseconds UTC */
	int64_t delay_until;    /* law-enforcement delay (164.412), 0 = none */
	int64_t individuals;    /* 164.404: 60 days after discovery */
	int64_t hhs;            /* 164.408: with individuals if >= 500, else
				 * 60 days after the calendar year ends */
	int64_t media;          /* 164.406: when > 500 residents of a state, else 0 */
	long affected;          /* -1 when not known yet */
	long max_state;         /* largest per-state count, -1 when unknown */
	const char *hhs_basis, *media_basis;
};
/* The covered entity's calendar for the clocks: its zone (NULL: the fixed
 * offset offset_s, seconds east of UTC). A NULL struct pb_cal * is UTC. */
struct cf_tz;
struct pb_cal {
	struct cf_tz *tz;
	int offset_s;
};
/* The calendar a run keeps in its state ("calendar": {"time_zone",
 * "offset_s"}, from the incident file); a state without one counts UTC
 * days. CF_FAILED when the zone cannot be loaded. */
int pb_cal_from_state(struct cf_ctx *ctx, const cJSON *state, struct pb_cal *cal);
void pb_cal_release(struct pb_cal *cal);
/* The local calendar date (YYYY-MM-DD) of the last day of a deadline that
 * is over at instant `due`, the date the breach report prints. */
#define PB_DATE_STR 16
char *pb_due_date(const struct pb_cal *cal, int64_t due, char out[PB_DATE_STR]);
/* Computes the clocks from discovery, the delay and the scope values
 * (affected, by_state), any of which may be absent from values. Every
 * clock is the instant its last local day is over: a notice is late from
 * that instant on. */
void pb_clocks_compute(struct pb_clocks *c, const struct pb_cal *cal,
		       int64_t discovered, int64_t delay_until, const cJSON *values);
/* A step's deadline: discovery + s->deadline_us, counted in local calendar
 * days to the end of the last one when it is whole days; for notify and
 * deadline steps a law-enforcement delay (delay_until: the instant it is
 * over, 0 = none) that covers it moves it to the end of the day after
 * (164.412), as the clocks do. 0 when the step has no deadline. */
int64_t pb_step_due(const struct pb_step *s, const struct pb_cal *cal,
		    int64_t discovered, int64_t delay_until);

/* ---- engine ----------------------------------------------------------- */

/* Records one custody entry; the engine calls it exactly once per step. */
struct pb_custody {
	int (*append)(void *arg, struct cf_ctx *ctx, const char *action,
		      const char *subject_hex, const char *note);
	void *arg;
	const char *log_path; /* custody.jsonl, read to find entries made
			       * before a crash */
};

struct pb_run_opts {
	const char *case_dir;
	const char *self_exe;      /* binary run for `run` steps */
	const char *incident_path; /* incident YAML (first run) or NULL */
	const char *case_key;      /* the case's signing key path, or NULL */
	const char *case_id;       /* the case's id and examiner (case.json), */
	const char *case_examiner; /* values case_id and examiner; or NULL */
	char **set;    size_t nset;    /* "NAME=VALUE" overriding `vars` */
	int64_t discovered;        /* overrides the incident's, 0 = none */
	char **done;   size_t ndone;   /* "STEP" or "STEP=note" */
	char **answer; size_t nanswer; /* "STEP=yes|no" */
	const char *until;         /* stop before this step */
	int interactive;           /* prompt on in/out for manual steps */
	int confirm;               /* ask on in/out before every run step */
	FILE *in, *out;            /* prompts (interactive) and progress lines */
	char **db_hosts; size_t ndb_hosts; /* hosts a run step's clickhouse://
					      URL may name besides loopback */
	int64_t now;               /* 0 = real clock (tests pin it) */
};

enum pb_run_result {
	PB_RUN_FINISHED, /* reached the end */
	PB_RUN_WAITING,  /* a manual step or question needs a person */
	PB_RUN_STOPPED,  /* --until reached */
};

/* Folder of the playbook's state in a case: CASE/playbooks/<id>. */
char *pb_state_dir(const char *case_dir, const char *playbook_id);
/* Runs or resumes the playbook. *result says why it stopped; *waiting
 * (heap, may be NULL) lists the step ids waiting for a person. */
int pb_run(struct cf_ctx *ctx, const struct pb_playbook *pb,
	   const struct pb_run_opts *o, const struct pb_custody *cust,
	   enum pb_run_result *result, char **waiting);
/* Loads the state of a run (NULL with CF_EOF when never started). */
int pb_state_load(struct cf_ctx *ctx, const char *case_dir,
		  const char *playbook_id, cJSON **state);
/* Status report as JSON: steps with status done/pending/due/overdue and
 * their deadlines, and the HIPAA clocks. */
int pb_status(struct cf_ctx *ctx, const struct pb_playbook *pb,
	      const cJSON *state, int64_t now, cJSON **out);

/* ---- CACAO 2.0 -------------------------------------------------------- */

/* Converts a playbook to an OASIS CACAO 2.0 playbook object; `now` stamps
 * created/modified. Identifiers are name-based UUIDs (v5) of the playbook
 * and step ids, so that exports of one playbook keep their ids. */
int pb_cacao_export(struct cf_ctx *ctx, const struct pb_playbook *pb,
		    int64_t now, cJSON **out);
/* Converts a CACAO playbook (start/end/action/if-condition/parallel steps)
 * to our model. Unsupported step types are errors naming the step. */
int pb_cacao_import(struct cf_ctx *ctx, const cJSON *cacao,
		    struct pb_playbook **out);

/* ---- drills ----------------------------------------------------------- */

struct pb_scenario;
int pb_scenario_load(struct cf_ctx *ctx, const char *path,
		     struct pb_diag *diag, struct pb_scenario **out);
void pb_scenario_free(struct pb_scenario *s);
const char *pb_scenario_playbook(const struct pb_scenario *s);
/* Lists the shipped scenarios: {"id","title","playbook","path"} each,
 * sorted by id (see pb_list_data). */
int pb_scenario_list(struct cf_ctx *ctx, cJSON **out);
/* Checks that every expected step exists in the playbook and that answers
 * go with decisions; problems go to diag. */
int pb_scenario_check(struct cf_ctx *ctx, const struct pb_scenario *s,
		      const struct pb_playbook *pb, struct pb_diag *diag);

/* Drill state lives in DIR/drill.json. Each function loads, changes and
 * saves it atomically and returns a JSON report of what happened. */
/* Starts a drill in dir; problems with the scenario or playbook go to
 * diag (may be NULL), the first also to ctx. */
int pb_drill_start(struct cf_ctx *ctx, const char *dir,
		   const char *scenario_path, const char *playbook_path,
		   struct pb_diag *diag, cJSON **out);
/* Advances the simulated clock by `advance` (ISO duration) or, when NULL,
 * to the next inject; reveals the injects now due. */
int pb_drill_inject(struct cf_ctx *ctx, const char *dir, const char *advance,
		    cJSON **out);
/* Records that `participant` completed `step` (or answered it) at the
 * current simulated time (or at `at`, a duration from the start). */
int pb_drill_decide(struct cf_ctx *ctx, const char *dir, const char *step,
		    const char *answer, const char *participant,
		    const char *note, const char *at, cJSON **out);
int pb_drill_status(struct cf_ctx *ctx, const char *dir, cJSON **out);
/* Scores, writes DIR/after-action.md and DIR/after-action.json, and marks
 * the drill ended. `now` dates the improvement plan. */
int pb_drill_end(struct cf_ctx *ctx, const char *dir, int64_t now,
		 cJSON **out);

#endif
