/* SPDX-License-Identifier: Apache-2.0
 *
 * The breach report's patient-safety review section (HTML and Markdown):
 * how the incident is routed, the cohort, decisions acted on and
 * overridden, each implicated version, and the adverse-event reporting to
 * confirm. It reads the model's "patient_safety" (model_safety.c) only;
 * an incident of another kind gets one line saying there is none. Every
 * value is escaped where it is written.
 */
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "escape.h"
#include "render.h"
#include "render_int.h"

#define get cf_rget

static const char *const none =
	"Not a model malfunction (incident kind): no patient-safety review.";

/* A version's counts (numbers: cf_esc_put writes strings only), each
 * followed by sep. */
static void row_counts(struct cf_buf *out, const cJSON *e, const char *sep)
{
	static const char *const keys[] = {"patients", "decisions", "acted_on",
					   "overridden"};

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		cf_buf_printf(out, "%lld%s", (long long)cf_json_int(e, keys[i], 0), sep);
}

static void counts(struct cf_buf *out, const cJSON *s, int html)
{
	cf_buf_printf(out, "%sCohort: %lld patient(s); %lld decision(s), %lld "
		      "acted on, %lld overridden.%s", html ? "<p>" : "",
		      (long long)cf_json_int(s, "cohort", 0),
		      (long long)cf_json_int(s, "decisions", 0),
		      (long long)cf_json_int(s, "acted_on", 0),
		      (long long)cf_json_int(s, "overridden", 0),
		      html ? "</p>\n" : "\n\n");
}

int cf_report_safety(const struct cf_render *r)
{
	static const char *const cols[] = {"Model", "Version", "Patients",
		"Decisions", "Acted on", "Overridden", "First decision",
		"Last decision", NULL};
	const struct cf_report_markup *m = r->m;
	const cJSON *s = get(r->model, "patient_safety"), *e;
	struct cf_buf *out = r->out;
	int html = m->html;

	if (!cJSON_IsObject(s)) {
		cf_buf_printf(out, html ? "<p>%s</p>\n" : "%s\n", none);
		return CF_OK;
	}
	cf_esc_put(out, m->esc, s, html ? "<p><strong>" : "**", "routing",
		   html ? "</strong></p>\n" : "**\n\n", NULL);
	counts(out, s, html);
	cf_report_table_head(out, m, cols);
	cJSON_ArrayForEach(e, get(s, "versions")) {
		cf_esc_put(out, m->esc, e, m->row, "model", m->cell, "version", m->cell, NULL);
		row_counts(out, e, m->cell);
		cf_esc_put(out, m->esc, e, "", "first_decision", m->cell, "last_decision",
			   m->end, NULL);
	}
	cf_buf_printf(out, "%sIn service: inferred from the first and last decision in "
		      "the window.%s", html ? "</table>\n<p class=\"note\">" : "\n",
		      html ? "</p>\n<ul>\n" : "\n\n");
	cJSON_ArrayForEach(e, get(s, "reporting")) {
		cf_buf_puts(out, m->item);
		cf_esc_put(out, m->esc, e, html ? "<strong>" : "**", "what",
			   html ? "</strong> (" : "** (", "rule", "): ", "to_confirm",
			   html ? " <em>To confirm.</em>" : " **TO CONFIRM**", NULL);
		cf_buf_puts(out, m->item_end);
	}
	cf_buf_puts(out, html ? "</ul>\n" : "");
	return CF_OK;
}
