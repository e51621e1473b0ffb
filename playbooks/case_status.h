/* SPDX-License-Identifier: Apache-2.0
 *
 * The summary of a case that `casefile status` prints (case_status.c).
 */
#ifndef CF_PLAYBOOKS_CASE_STATUS_H
#define CF_PLAYBOOKS_CASE_STATUS_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "casefile/case.h"
#include "casefile/sign.h"

struct cf_ctx;

/* The case c summarised as JSON (*out, freed by the caller):
 * {"case":{"dir","id","examiner"},
 *  "custody":{"entries","head","last_seq","last_time","last_action",
 *             "verified" (null without trusted keys),"first_bad","problem"},
 *  "archives":[{"file","sha256sums","added_at","entry","state"}],
 *  "timeline":{"db","events","rejects","archives","verified_archives"}|null,
 *  "reports":[{"kind","time","file"}],
 *  "playbook_runs":[{"playbook","run_id","discovered","current","finished",
 *                    "steps_done","steps","hipaa"}],
 *  "open_deadlines":[{"playbook","step","title","due","status"}]}
 * An archive's state is "intact" or "replaced" (checked against its add
 * entry, with trusted keys), "present" (not checked), or "missing".
 * Deadlines are as pb_status computes them at `now`. Reads only. */
int pb_case_status(struct cf_ctx *ctx, const cf_case *c, cf_key *const *trusted,
		   size_t ntrusted, int64_t now, cJSON **out);

#endif
