/* SPDX-License-Identifier: Apache-2.0
 *
 * The breach report's State notices section (HTML and Markdown) and the
 * variant letters some States require (model_states.c, states.h).
 *
 * A variant letter is the individual notice filled from a template of its
 * own with only the values the State allows: the values a letter's `omit`
 * names are removed before the template is filled, so that a template
 * that asks for one of them (the number affected, the nature of the
 * breach) fails instead of stating it. Every value is escaped where it is
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

/* The template values that state each thing a letter may have to omit. */
static const struct {
	const char *omit;
	const char *const vars[10];
} omitted[] = {
	{"count", {"affected", "media_states", NULL}},
	{"nature", {"incident_title", "breach_from", "breach_to", "discovered",
		    "phi_list", "model_list", "hhs_text", "ai_paragraph", NULL}},
};

static const char *due_or(const cJSON *n)
{
	return cJSON_IsString(get(n, "due")) ? str(n, "due") : "no fixed day";
}

static void recipients(struct cf_buf *out, const cJSON *n, cf_esc_fn esc)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, get(n, "recipients")) {
		esc(out, str(e, "name"));
		if (*str(e, "how")) {
			cf_buf_puts(out, " (");
			esc(out, str(e, "how"));
			cf_buf_puts(out, ")");
		}
		cf_buf_puts(out, e->next ? "; " : "");
	}
}

int cf_report_html_states(const struct cf_render *r)
{
	const cJSON *sec = get(r->model, "state_notices"), *n;
	struct cf_buf *out = r->out;

	if (!cJSON_IsObject(sec)) {
		cf_buf_puts(out, "<p class=\"note\">No State rules were evaluated.</p>\n");
		return CF_OK;
	}
	cf_esc_put(out, cf_esc_html, sec, "<p>", "text", " Rules: ", "rules_source",
		   ".</p>\n", NULL);
	if (!cf_json_bool(sec, "evaluated", 0))
		return CF_OK;
	if (!cJSON_GetArraySize(get(sec, "notices")))
		cf_buf_puts(out, "<p>No State rule is triggered by the residents counted.</p>\n");
	else
		cf_buf_puts(out, "<table><thead><tr><th>State</th><th>Residents</th><th>Notice to"
			    "</th><th>Due by</th><th>When</th><th>Citation</th></tr></thead><tbody>\n");
	cJSON_ArrayForEach(n, get(sec, "notices")) {
		cf_esc_put(out, cf_esc_html, n, "<tr><td>", "state", "</td><td>", NULL);
		cf_buf_printf(out, "%lld</td><td>", (long long)cf_json_int(n, "residents", 0));
		recipients(out, n, cf_esc_html);
		cf_buf_puts(out, "</td><td>");
		cf_esc_html(out, due_or(n));
		cf_buf_puts(out, " <span class=\"confirm\">TO CONFIRM</span></td><td>");
		cf_esc_html(out, str(n, "when"));
		cf_esc_put(out, cf_esc_html, n, "</td><td>", "citation", " (last verified ",
			   "last_verified", ")</td></tr>\n", NULL);
	}
	if (cJSON_GetArraySize(get(sec, "notices")))
		cf_buf_puts(out, "</tbody></table>\n");
	cJSON_ArrayForEach(n, get(sec, "notices")) {
		const cJSON *c;

		cf_esc_put(out, cf_esc_html, n, "<h3>", "state", ": ", "title", "</h3>\n<p>",
			   "trigger", "</p>\n", NULL);
		if (cJSON_GetArraySize(get(n, "content")))
			cf_buf_puts(out, "<ul>\n");
		cJSON_ArrayForEach(c, get(n, "content"))
			if (cJSON_IsString(c)) {
				cf_buf_puts(out, "<li>");
				cf_esc_html(out, c->valuestring);
				cf_buf_puts(out, "</li>\n");
			}
		if (cJSON_GetArraySize(get(n, "content")))
			cf_buf_puts(out, "</ul>\n");
		if (cJSON_IsObject(get(n, "monitoring")))
			cf_esc_put(out, cf_esc_html, get(n, "monitoring"), "<p>Monitoring: ",
				   "text", "</p>\n", NULL);
		if (cJSON_IsObject(get(n, "letter")))
			cf_esc_put(out, cf_esc_html, get(n, "letter"), "<p>Residents get their "
				   "own letter (notice-individual-", "variant", ".md).</p>\n", NULL);
	}
	cJSON_ArrayForEach(n, get(sec, "not_triggered"))
		cf_esc_put(out, cf_esc_html, n, "<p class=\"note\">Not triggered: ", "id",
			   " (", "citation", "): ", "why", ".</p>\n", NULL);
	return CF_OK;
}

int cf_report_md_states(const struct cf_render *r)
{
	const cJSON *sec = get(r->model, "state_notices"), *n;
	struct cf_buf *out = r->out;

	if (!cJSON_IsObject(sec)) {
		cf_buf_puts(out, "No State rules were evaluated.\n");
		return CF_OK;
	}
	cf_esc_put(out, cf_esc_md, sec, "", "text", " Rules: ", "rules_source", ".\n", NULL);
	if (!cf_json_bool(sec, "evaluated", 0))
		return CF_OK;
	if (!cJSON_GetArraySize(get(sec, "notices")))
		cf_buf_puts(out, "\nNo State rule is triggered by the residents counted.\n");
	else
		cf_buf_puts(out, "\n| State | Residents | Notice to | Due by | When | Citation |\n"
			    "|---|---|---|---|---|---|\n");
	cJSON_ArrayForEach(n, get(sec, "notices")) {
		cf_esc_put(out, cf_esc_md, n, "| ", "state", " | ", NULL);
		cf_buf_printf(out, "%lld | ", (long long)cf_json_int(n, "residents", 0));
		recipients(out, n, cf_esc_md);
		cf_buf_puts(out, " | ");
		cf_esc_md(out, due_or(n));
		cf_buf_puts(out, " **TO CONFIRM** | ");
		cf_esc_md(out, str(n, "when"));
		cf_esc_put(out, cf_esc_md, n, " | ", "citation", " (last verified ",
			   "last_verified", ") |\n", NULL);
	}
	cJSON_ArrayForEach(n, get(sec, "notices")) {
		const cJSON *c;

		cf_esc_put(out, cf_esc_md, n, "\n### ", "state", ": ", "title", "\n\n",
			   "trigger", "\n", NULL);
		if (cJSON_GetArraySize(get(n, "content")))
			cf_buf_puts(out, "\n");
		cJSON_ArrayForEach(c, get(n, "content"))
			if (cJSON_IsString(c)) {
				cf_buf_puts(out, "- ");
				cf_esc_md(out, c->valuestring);
				cf_buf_puts(out, "\n");
			}
		if (cJSON_IsObject(get(n, "monitoring")))
			cf_esc_put(out, cf_esc_md, get(n, "monitoring"), "\nMonitoring: ",
				   "text", "\n", NULL);
		if (cJSON_IsObject(get(n, "letter")))
			cf_esc_put(out, cf_esc_md, get(n, "letter"), "\nResidents get their own "
				   "letter (notice-individual-", "variant", ".md).\n", NULL);
	}
	if (cJSON_GetArraySize(get(sec, "not_triggered")))
		cf_buf_puts(out, "\n");
	cJSON_ArrayForEach(n, get(sec, "not_triggered"))
		cf_esc_put(out, cf_esc_md, n, "- Not triggered: ", "id", " (", "citation",
			   "): ", "why", ".\n", NULL);
	return CF_OK;
}

int cf_report_state_letter_md(struct cf_ctx *ctx, const cJSON *model,
			      const cJSON *letter, const char *tpl,
			      struct cf_buf *out)
{
	cJSON *vars = cf_report_vars(model);
	const cJSON *o;
	int rc;

	if (!vars)
		return cf_set_nomem(ctx, "letter");
	cJSON_ArrayForEach(o, get(letter, "omit"))
		for (size_t i = 0; i < sizeof omitted / sizeof omitted[0]; i++)
			if (cJSON_IsString(o) && !strcmp(o->valuestring, omitted[i].omit))
				for (size_t k = 0; omitted[i].vars[k]; k++)
					cJSON_DeleteItemFromObjectCaseSensitive(vars,
						omitted[i].vars[k]);
	rc = cf_tpl_fill(ctx, out, str(letter, "template"), tpl, vars, cf_esc_md);
	cJSON_Delete(vars);
	return rc;
}
