/* SPDX-License-Identifier: Apache-2.0
 *
 * The after-action report of a tabletop drill (SPEC sections 7 and 8),
 * rendered from the drill folder's after-action.json, which `casefile
 * drill end` writes: summary and score, a chart of points earned per
 * expected action, the timeline of injects and decisions, strengths, gaps
 * and the improvement plan with owners and due dates.
 *
 * Reads the drill folder only; a drill is an exercise and never touches a
 * case or its custody log.
 */
#ifndef CF_REPORTS_DRILL_REPORT_H
#define CF_REPORTS_DRILL_REPORT_H

#include <stdint.h>
#include <cjson/cJSON.h>

struct cf_buf;
struct cf_ctx;

/* Loads DIR/after-action.json; a drill that has not ended (drill.json but
 * no after-action.json) is an error saying so. */
int cf_drill_report_load(struct cf_ctx *ctx, const char *dir, cJSON **out);
/* fmt: "html", "md" or "json". */
int cf_drill_report_render(struct cf_ctx *ctx, const cJSON *aa,
			   const char *fmt, int64_t generated_at,
			   struct cf_buf *out);

#endif
