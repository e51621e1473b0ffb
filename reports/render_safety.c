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

int cf_report_html_safety(const struct cf_render *r)
{
	const cJSON *s = get(r->model, "patient_safety"), *e;
	struct cf_buf *out = r->out;

	if (!cJSON_IsObject(s)) {
		cf_buf_printf(out, "<p>%s</p>\n", none);
		return CF_OK;
	}
	cf_esc_put(out, cf_esc_html, s, "<p><strong>", "routing", "</strong></p>\n", NULL);
	counts(out, s, 1);
	cf_buf_puts(out, "<table><tr><th>Model</th><th>Version</th><th>Patients</th>"
		    "<th>Decisions</th><th>Acted on</th><th>Overridden</th>"
		    "<th>First decision</th><th>Last decision</th></tr>\n");
	cJSON_ArrayForEach(e, get(s, "versions")) {
		cf_esc_put(out, cf_esc_html, e, "<tr><td>", "model", "</td><td>",
			   "version", "</td><td>", NULL);
		row_counts(out, e, "</td><td>");
		cf_esc_put(out, cf_esc_html, e, "", "first_decision", "</td><td>",
			   "last_decision", "</td></tr>\n", NULL);
	}
	cf_buf_puts(out, "</table>\n<p class=\"note\">In service: inferred from the "
		    "first and last decision in the window.</p>\n<ul>\n");
	cJSON_ArrayForEach(e, get(s, "reporting"))
		cf_esc_put(out, cf_esc_html, e, "<li><strong>", "what", "</strong> (",
			   "rule", "): ", "to_confirm", " <em>To confirm.</em></li>\n", NULL);
	cf_buf_puts(out, "</ul>\n");
	return CF_OK;
}

int cf_report_md_safety(const struct cf_render *r)
{
	const cJSON *s = get(r->model, "patient_safety"), *e;
	struct cf_buf *out = r->out;

	if (!cJSON_IsObject(s)) {
		cf_buf_printf(out, "%s\n", none);
		return CF_OK;
	}
	cf_esc_put(out, cf_esc_md, s, "**", "routing", "**\n\n", NULL);
	counts(out, s, 0);
	cf_buf_puts(out, "| Model | Version | Patients | Decisions | Acted on | "
		    "Overridden | First decision | Last decision |\n"
		    "|---|---|---|---|---|---|---|---|\n");
	cJSON_ArrayForEach(e, get(s, "versions")) {
		cf_esc_put(out, cf_esc_md, e, "| ", "model", " | ", "version", " | ", NULL);
		row_counts(out, e, " | ");
		cf_esc_put(out, cf_esc_md, e, "", "first_decision", " | ",
			   "last_decision", " |\n", NULL);
	}
	cf_buf_puts(out, "\nIn service: inferred from the first and last decision "
		    "in the window.\n\n");
	cJSON_ArrayForEach(e, get(s, "reporting"))
		cf_esc_put(out, cf_esc_md, e, "- **", "what", "** (", "rule", "): ",
			   "to_confirm", " **TO CONFIRM**\n", NULL);
	return CF_OK;
}
