/* SPDX-License-Identifier: Apache-2.0
 *
 * The breach report's AI section (HTML and Markdown): the lineage of each
 * implicated model version, the decision cohorts, the overridden
 * decisions, the exposed data and the paragraph for the letter. It reads
 * the model's "ai" (model_ai.c) only; an incident with no AI model
 * involved gets one line saying so. Every value is escaped where it is
 * written.
 */
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "escape.h"
#include "render.h"
#include "render_int.h"

#define get cf_rget

static const char *const none = "No AI model is implicated in this incident.";

static void nums(struct cf_buf *out, const cJSON *c, const char *sep, const char *end)
{
	static const char *const keys[] = {"decisions", "patients", "acted_on", "overridden"};

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		cf_buf_printf(out, "%lld%s", (long long)cf_json_int(c, keys[i], 0),
			      i + 1 < sizeof keys / sizeof keys[0] ? sep : end);
}

int cf_report_html_ai(const struct cf_render *r)
{
	const cJSON *s = get(r->model, "ai"), *e;
	struct cf_buf *out = r->out;

	if (!cJSON_IsObject(s)) {
		cf_buf_printf(out, "<p>%s</p>\n", none);
		return CF_OK;
	}
	cf_buf_puts(out, "<h3>Lineage of each implicated version</h3>\n<table><tr>"
		    "<th>Model</th><th>Version</th><th>Registered</th><th>Source run</th>"
		    "<th>Parameters</th><th>Data</th><th>Promoted</th><th>Replaced by</th>"
		    "<th>Stages and aliases</th></tr>\n");
	cJSON_ArrayForEach(e, get(s, "versions"))
		cf_esc_put(out, cf_esc_html, e, "<tr><td>", "model", "</td><td>", "version",
			   "</td><td>", "registered", " by ", "registered_by", "</td><td>",
			   "run_id", " ", "run_name", "</td><td>", "parameters", "</td><td>",
			   "data", "</td><td>", "promoted", "</td><td>", "replaced_by",
			   "</td><td>", "stages", "</td></tr>\n", NULL);
	cf_buf_puts(out, "</table>\n<h3>Decision cohorts</h3>\n<table><tr><th>Model</th>"
		    "<th>Version</th><th>Decisions</th><th>Patients</th><th>Acted on</th>"
		    "<th>Overridden</th><th>First decision</th><th>Last decision</th></tr>\n");
	cJSON_ArrayForEach(e, get(s, "cohorts")) {
		cf_esc_put(out, cf_esc_html, e, "<tr><td>", "model", "</td><td>", "version",
			   "</td><td>", NULL);
		nums(out, e, "</td><td>", "</td><td>");
		cf_esc_put(out, cf_esc_html, get(e, "first"), "", "time", " (", "member", ")", NULL);
		cf_esc_put(out, cf_esc_html, get(e, "last"), "</td><td>", "time", " (", "member",
			   ")</td></tr>\n", NULL);
	}
	cf_buf_printf(out, "</table>\n<h3>Overridden decisions (%lld)</h3>\n<table><tr>"
		      "<th>Time</th><th>Patient</th><th>Version</th><th>Output</th>"
		      "<th>Stage</th><th>Overridden by</th><th>Why</th><th>Evidence</th></tr>\n",
		      (long long)cf_json_int(s, "overridden", 0));
	cJSON_ArrayForEach(e, get(s, "overrides")) {
		cf_esc_put(out, cf_esc_html, e, "<tr><td>", "time", "</td><td>", "patient",
			   "</td><td>", "model", "@", "version", "</td><td>", "output",
			   "</td><td>", "stage", "</td><td>", "override_by", "</td><td>",
			   "override_reason", "</td><td>", "member", NULL);
		cf_buf_printf(out, ":%lld</td></tr>\n", (long long)cf_json_int(e, "line", 0));
	}
	cf_buf_puts(out, "</table>\n");
	cf_report_more_rows(out, get(s, "overrides"), cJSON_GetArraySize(get(s, "overrides")),
			    "report.json", 1);
	if (cJSON_GetArraySize(get(s, "data_at_rest"))) {
		cf_buf_puts(out, "<h3>Exposed data</h3>\n<ul>\n");
		cJSON_ArrayForEach(e, get(s, "data_at_rest")) {
			cf_esc_put(out, cf_esc_html, e, "<li>", "what", " ", "path", " ",
				   "mlflow_run", " ", "dataset", NULL);
			cf_buf_printf(out, ": %lld patient(s) in %lld record(s)</li>\n",
				      (long long)cf_json_int(e, "patients", 0),
				      (long long)cf_json_int(e, "records", 0));
		}
		cf_buf_puts(out, "</ul>\n");
	}
	cf_esc_put(out, cf_esc_html, s, "<h3>Paragraph for the letter</h3>\n<blockquote>",
		   "letter_paragraph", "</blockquote>\n<p class=\"note\">To confirm before "
		   "it is sent.</p>\n", NULL);
	return CF_OK;
}

int cf_report_md_ai(const struct cf_render *r)
{
	const cJSON *s = get(r->model, "ai"), *e;
	struct cf_buf *out = r->out;

	if (!cJSON_IsObject(s)) {
		cf_buf_printf(out, "%s\n", none);
		return CF_OK;
	}
	cf_buf_puts(out, "Lineage of each implicated version:\n\n"
		    "| Model | Version | Registered | Source run | Parameters | Data | "
		    "Promoted | Replaced by | Stages and aliases |\n"
		    "|---|---|---|---|---|---|---|---|---|\n");
	cJSON_ArrayForEach(e, get(s, "versions"))
		cf_esc_put(out, cf_esc_md, e, "| ", "model", " | ", "version", " | ",
			   "registered", " by ", "registered_by", " | ", "run_id", " ",
			   "run_name", " | ", "parameters", " | ", "data", " | ", "promoted",
			   " | ", "replaced_by", " | ", "stages", " |\n", NULL);
	cf_buf_puts(out, "\nDecision cohorts:\n\n| Model | Version | Decisions | Patients | "
		    "Acted on | Overridden | First decision | Last decision |\n"
		    "|---|---|---|---|---|---|---|---|\n");
	cJSON_ArrayForEach(e, get(s, "cohorts")) {
		cf_esc_put(out, cf_esc_md, e, "| ", "model", " | ", "version", " | ", NULL);
		nums(out, e, " | ", " | ");
		cf_esc_put(out, cf_esc_md, get(e, "first"), "", "time", " (", "member", ")", NULL);
		cf_esc_put(out, cf_esc_md, get(e, "last"), " | ", "time", " (", "member",
			   ") |\n", NULL);
	}
	cf_buf_printf(out, "\nOverridden decisions (%lld):\n\n| Time | Patient | Version | "
		      "Output | Stage | Overridden by | Why | Evidence |\n"
		      "|---|---|---|---|---|---|---|---|\n",
		      (long long)cf_json_int(s, "overridden", 0));
	cJSON_ArrayForEach(e, get(s, "overrides")) {
		cf_esc_put(out, cf_esc_md, e, "| ", "time", " | ", "patient", " | ", "model",
			   "@", "version", " | ", "output", " | ", "stage", " | ",
			   "override_by", " | ", "override_reason", " | ", "member", NULL);
		cf_buf_printf(out, ":%lld |\n", (long long)cf_json_int(e, "line", 0));
	}
	if (cJSON_GetArraySize(get(s, "data_at_rest"))) {
		cf_buf_puts(out, "\nExposed data:\n\n");
		cJSON_ArrayForEach(e, get(s, "data_at_rest")) {
			cf_esc_put(out, cf_esc_md, e, "- ", "what", " ", "path", " ",
				   "mlflow_run", " ", "dataset", NULL);
			cf_buf_printf(out, ": %lld patient(s) in %lld record(s)\n",
				      (long long)cf_json_int(e, "patients", 0),
				      (long long)cf_json_int(e, "records", 0));
		}
	}
	cf_esc_put(out, cf_esc_md, s, "\nParagraph for the letter (to confirm before it "
		   "is sent):\n\n> ", "letter_paragraph", "\n", NULL);
	return CF_OK;
}
