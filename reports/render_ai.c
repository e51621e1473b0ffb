/* SPDX-License-Identifier: Apache-2.0
 *
 * The breach report's AI section (HTML and Markdown): the lineage of each
 * implicated model version, the decision cohorts, the overridden
 * decisions, the exposed data and the paragraph for the letter. It reads
 * the model's "ai" (model_ai.c) only; an incident with no AI model
 * involved gets one line saying so. Every value is escaped where it is
 * written.
 */
#include <stdio.h>

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

/* A table's or a list's title: "<h3>T</h3>", or "T:" and a blank line. */
static void heading(struct cf_buf *out, int html, const char *title)
{
	cf_buf_printf(out, html ? "<h3>%s</h3>\n" : "%s:\n\n", title);
}

/* The end of a table or a list: a blank line in Markdown. */
static void end_block(struct cf_buf *out, int html, const char *tag)
{
	cf_buf_printf(out, html ? "</%s>\n" : "\n", tag);
}

int cf_report_ai(const struct cf_render *r)
{
	static const char *const vcols[] = {"Model", "Version", "Registered",
		"Source run", "Parameters", "Data", "Promoted", "Replaced by",
		"Stages and aliases", NULL};
	static const char *const ccols[] = {"Model", "Version", "Decisions",
		"Patients", "Acted on", "Overridden", "First decision",
		"Last decision", NULL};
	static const char *const ocols[] = {"Time", "Patient", "Version", "Output",
		"Stage", "Overridden by", "Why", "Evidence", NULL};
	const struct cf_report_markup *m = r->m;
	const cJSON *s = get(r->model, "ai"), *e;
	struct cf_buf *out = r->out;
	int html = m->html;
	char title[64];

	if (!cJSON_IsObject(s)) {
		cf_buf_printf(out, html ? "<p>%s</p>\n" : "%s\n", none);
		return CF_OK;
	}
	heading(out, html, "Lineage of each implicated version");
	cf_report_table_head(out, m, vcols);
	cJSON_ArrayForEach(e, get(s, "versions"))
		cf_esc_put(out, m->esc, e, m->row, "model", m->cell, "version", m->cell,
			   "registered", " by ", "registered_by", m->cell, "run_id", " ",
			   "run_name", m->cell, "parameters", m->cell, "data", m->cell,
			   "promoted", m->cell, "replaced_by", m->cell, "stages", m->end, NULL);
	end_block(out, html, "table");
	heading(out, html, "Decision cohorts");
	cf_report_table_head(out, m, ccols);
	cJSON_ArrayForEach(e, get(s, "cohorts")) {
		cf_esc_put(out, m->esc, e, m->row, "model", m->cell, "version", m->cell, NULL);
		nums(out, e, m->cell, m->cell);
		cf_esc_put(out, m->esc, get(e, "first"), "", "time", " (", "member", ")", NULL);
		cf_esc_put(out, m->esc, get(e, "last"), m->cell, "time", " (", "member", ")", NULL);
		cf_buf_puts(out, m->end);
	}
	end_block(out, html, "table");
	snprintf(title, sizeof title, "Overridden decisions (%lld)",
		 (long long)cf_json_int(s, "overridden", 0));
	heading(out, html, title);
	cf_report_table_head(out, m, ocols);
	cJSON_ArrayForEach(e, get(s, "overrides")) {
		cf_esc_put(out, m->esc, e, m->row, "time", m->cell, "patient", m->cell,
			   "model", "@", "version", m->cell, "output", m->cell, "stage",
			   m->cell, "override_by", m->cell, "override_reason", m->cell,
			   "member", NULL);
		cf_buf_printf(out, ":%lld%s", (long long)cf_json_int(e, "line", 0), m->end);
	}
	end_block(out, html, "table");
	cf_report_more_rows(out, get(s, "overrides"), cJSON_GetArraySize(get(s, "overrides")),
			    "report.json", html);
	if (cJSON_GetArraySize(get(s, "data_at_rest"))) {
		heading(out, html, "Exposed data");
		cf_buf_puts(out, html ? "<ul>\n" : "");
		cJSON_ArrayForEach(e, get(s, "data_at_rest")) {
			cf_esc_put(out, m->esc, e, m->item, "what", " ", "path", " ",
				   "mlflow_run", " ", "dataset", NULL);
			cf_buf_printf(out, ": %lld patient(s) in %lld record(s)%s",
				      (long long)cf_json_int(e, "patients", 0),
				      (long long)cf_json_int(e, "records", 0), m->item_end);
		}
		end_block(out, html, "ul");
	}
	cf_esc_put(out, m->esc, s, html ? "<h3>Paragraph for the letter</h3>\n<blockquote>"
		   : "Paragraph for the letter (to confirm before it is sent):\n\n> ",
		   "letter_paragraph", html ? "</blockquote>\n<p class=\"note\">To confirm "
		   "before it is sent.</p>\n" : "\n", NULL);
	return CF_OK;
}
