/* SPDX-License-Identifier: Apache-2.0
 *
 * The drill module's private interface, shared by its three files:
 * drill_scenario.c (loading and checking a scenario), drill.c (the drill
 * folder's state and the verbs that move the simulated clock: start,
 * inject, decide) and drill_report.c (scoring, status and the
 * after-action report). Nothing outside these files includes it.
 */
#ifndef CF_PLAYBOOKS_DRILL_INT_H
#define CF_PLAYBOOKS_DRILL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/time.h"
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

/* An open drill: DIR/drill.json with its scenario and playbook. */
struct drill {
	char *state_path;
	cJSON *state;
	struct pb_scenario *sc;
	struct pb_playbook *pb;
};

/* ---- drill.c ---- */

void drill_release(struct drill *D);
/* Common exit of the drill verbs: *out kept only when rc is CF_OK;
 * releases D. Returns rc. */
int drill_finish(int rc, cJSON **out, struct drill *D);
/* Replaces drill.json atomically with D->state. */
int drill_save(struct cf_ctx *ctx, struct drill *D);
/* Loads the drill in dir with its scenario and playbook. */
int drill_open(struct cf_ctx *ctx, const char *dir, struct drill *D);
/* The simulated clock, as an offset from the scenario's start. */
int64_t drill_clock(const struct drill *D);
/* An offset as "T+H:MM". */
void drill_offset(int64_t us, char *out, size_t n);
/* The fields every drill report starts with. */
int drill_report_common(struct cf_ctx *ctx, struct drill *D, cJSON *j);
/* CF_FAILED (with a message) when the drill has ended. */
int drill_not_ended(struct cf_ctx *ctx, const struct drill *D);

#endif
