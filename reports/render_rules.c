/* SPDX-License-Identifier: Apache-2.0
 *
 * The breach report's determination and sign-off sections (HTML and
 * Markdown), and the documents that replace the notices when no notice is
 * owed: the no-notification memorandum (164.402, 164.530(j)) and a
 * business associate's notice to its covered entities (164.410). They
 * read the model only (model_rules.c); every value is escaped where it is
 * written.
 */
#include <string.h>

#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "escape.h"
#include "render.h"
#include "render_int.h"

#define get cf_rget
#define str cf_rstr

static const char *or_blank(const char *s)
{
	return s && *s ? s : "____________________";
}

/* The finding, who decided it (or that nobody did yet), the rationale and
 * the memo's title and text: paragraphs in HTML, lines in Markdown. */
int cf_report_determination(const struct cf_render *r)
{
	const cJSON *d = get(r->model, "determination"), *memo = get(d, "memo");
	struct cf_buf *out = r->out;
	int html = r->m->html;
	cf_esc_fn esc = html ? cf_esc_html : cf_esc_md;
	/* a paragraph: "<p>...</p>", or a blank line before it */
	const char *p = html ? "<p>" : "\n", *p_end = html ? "</p>\n" : "\n";

	cf_esc_put(out, esc, d, html ? "<p><strong>" : "**", "finding",
		   html ? "</strong> (" : "** (", "rule", ")", NULL);
	cf_buf_puts(out, p_end);
	if (cf_json_bool(d, "presumed", 0))
		cf_buf_puts(out, html ? "<p class=\"note\">No determination is recorded: "
			    "to confirm.</p>\n" : "\nNo determination is recorded: **TO CONFIRM**.\n");
	else
		cf_esc_put(out, esc, d, html ? "<p>Decided by " : "\nDecided by ",
			   "decided_by", " on ", "decided_on", html ? ".</p>\n" : ".\n", NULL);
	cf_buf_puts(out, p);
	cf_esc_put(out, esc, d, "Rationale: ", "rationale", p_end, NULL);
	if (cJSON_IsObject(memo))
		cf_esc_put(out, esc, memo, html ? "<h3>" : "\n### ", "title",
			   html ? "</h3>\n<p>" : "\n\n", "text",
			   html ? "</p>\n<p>Keep until " : "\n\nKeep until ", "retain_until",
			   " (", "rule", html ? ").</p>\n" : ").\n", NULL);
	return CF_OK;
}


/* The sign-off block that ends every package. */
static void signoff(struct cf_buf *out, const cJSON *s, int html)
{
	const char *rows[][2] = {
		{"Decided by", or_blank(cf_json_str(s, "decided_by", NULL))},
		{"Date", or_blank(cf_json_str(s, "date", NULL))},
		{"Signature", or_blank(NULL)},
		{"Keep until", str(s, "retain_until")},
		{"Retention", str(s, "retention_basis")},
	};

	cf_buf_puts(out, html ? "<table>\n" : "| | |\n|---|---|\n");
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		cf_buf_puts(out, html ? "<tr><th>" : "| ");
		(html ? cf_esc_html : cf_esc_md)(out, rows[i][0]);
		cf_buf_puts(out, html ? "</th><td>" : " | ");
		(html ? cf_esc_html : cf_esc_md)(out, rows[i][1]);
		cf_buf_puts(out, html ? "</td></tr>\n" : " |\n");
	}
	if (html)
		cf_buf_puts(out, "</table>\n");
}

int cf_report_signoff(const struct cf_render *r)
{
	signoff(r->out, get(r->model, "sign_off"), r->m->html);
	return CF_OK;
}

int cf_report_section_applies(const cJSON *model, const char *id)
{
	const cJSON *ob = get(model, "obligations");

	if (!strcmp(id, "notice"))
		return cf_json_bool(get(ob, "individual_notice"), "required", 0);
	if (!strcmp(id, "media"))
		return cf_json_bool(get(ob, "media_notice"), "required", 0);
	if (!strcmp(id, "hhs"))
		return cf_json_bool(get(model, "determination"),
				    "notification_required", 1) &&
		       !get(ob, "ba_notice");
	return 1;
}

/* ---- documents ------------------------------------------------------------- */

int cf_report_memo_md(struct cf_ctx *ctx, const cJSON *model, struct cf_buf *out)
{
	const cJSON *d = get(model, "determination"), *m = get(d, "memo");
	const cJSON *f = get(d, "factors"), *e;

	cf_esc_put(out, cf_esc_md, m, "# ", "title", "\n\n", "text", "\n\n", NULL);
	cf_esc_put(out, cf_esc_md, d, "- Decision: ", "decision", " (", "rule", ")\n", NULL);
	if (cJSON_IsObject(f))
		cJSON_ArrayForEach(e, f)
			if (cJSON_IsString(e)) {
				cf_buf_puts(out, "- Factor ");
				cf_esc_md(out, e->string);
				cf_buf_puts(out, ": ");
				cf_esc_md(out, e->valuestring);
				cf_buf_puts(out, "\n");
			}
	cf_buf_puts(out, "\n## Sign-off\n\n");
	signoff(out, get(model, "sign_off"), 0);
	return cf_buf_error(out) ? cf_set_nomem(ctx, "determination memo") : CF_OK;
}

int cf_report_ba_notice_md(struct cf_ctx *ctx, const cJSON *model, struct cf_buf *out)
{
	const cJSON *ob = get(model, "obligations"), *n = get(ob, "ba_notice");
	const cJSON *inc = get(model, "incident"), *e;

	cf_buf_puts(out, "# Notice of breach to the covered entity (45 CFR 164.410)\n\nTo: ");
	cJSON_ArrayForEach(e, get(n, "recipients")) {
		cf_esc_put(out, cf_esc_md, e, "", "name", NULL);
		cf_esc_put(out, cf_esc_md, e, " (", "contact", ")", NULL);
		cf_buf_puts(out, e->next ? "; " : "");
	}
	if (!cJSON_GetArraySize(get(n, "recipients")))
		cf_buf_puts(out, "(covered entities to be named) **TO CONFIRM**");
	cf_esc_put(out, cf_esc_md, get(inc, "covered_entity"), "\n\nFrom: ", "name",
		   ", business associate\n", NULL);
	cf_esc_put(out, cf_esc_md, inc, "\nIncident ", "id", ": ", "title", "\n", NULL);
	cf_esc_put(out, cf_esc_md, ob, "\nDiscovered by the business associate on ",
		   "discovered", NULL);
	cf_esc_put(out, cf_esc_md, n, "; this notice is due by ", "due", " (", "rule",
		   ").\n", NULL);
	cf_buf_printf(out, "\nIndividuals whose information was involved (%d, "
		      "45 CFR 164.410(c)(1)):\n\n", cJSON_GetArraySize(get(n, "individuals")));
	cJSON_ArrayForEach(e, get(n, "individuals")) {
		cf_buf_puts(out, "- ");
		cf_esc_md(out, e->valuestring);
		cf_buf_puts(out, "\n");
	}
	cf_buf_puts(out, "\nThe timeline, the information involved and the evidence are "
		    "in report.md (164.410(c)(2)).\n\n## Sign-off\n\n");
	signoff(out, get(model, "sign_off"), 0);
	return cf_buf_error(out) ? cf_set_nomem(ctx, "business associate notice") : CF_OK;
}
