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

int cf_report_states(const struct cf_render *r)
{
	const struct cf_report_markup *m = r->m;
	const cJSON *sec = get(r->model, "state_notices"), *n, *c;
	const cJSON *notices = get(sec, "notices");
	struct cf_buf *out = r->out;
	int html = m->html;
	/* a paragraph: "<p>...</p>", or a blank line before it */
	const char *p = html ? "<p>" : "\n", *p_end = html ? "</p>\n" : "\n";

	if (!cJSON_IsObject(sec)) {
		cf_buf_puts(out, html ? "<p class=\"note\">No State rules were evaluated.</p>\n"
			    : "No State rules were evaluated.\n");
		return CF_OK;
	}
	cf_esc_put(out, m->esc, sec, html ? "<p>" : "", "text", " Rules: ", "rules_source",
		   ".", NULL);
	cf_buf_puts(out, p_end);
	if (!cf_json_bool(sec, "evaluated", 0))
		return CF_OK;
	if (!cJSON_GetArraySize(notices))
		cf_buf_printf(out, "%sNo State rule is triggered by the residents counted.%s",
			      p, p_end);
	else
		cf_buf_puts(out, html ? "<table><thead><tr><th>State</th><th>Residents</th>"
			    "<th>Notice to</th><th>Due by</th><th>When</th><th>Citation</th>"
			    "</tr></thead><tbody>\n"
			    : "\n| State | Residents | Notice to | Due by | When | Citation |\n"
			    "|---|---|---|---|---|---|\n");
	cJSON_ArrayForEach(n, notices) {
		cf_esc_put(out, m->esc, n, m->row, "state", m->cell, NULL);
		cf_buf_printf(out, "%lld%s", (long long)cf_json_int(n, "residents", 0), m->cell);
		recipients(out, n, m->esc);
		cf_buf_puts(out, m->cell);
		m->esc(out, due_or(n));
		cf_buf_puts(out, html ? " <span class=\"confirm\">TO CONFIRM</span>" : " **TO CONFIRM**");
		cf_buf_puts(out, m->cell);
		m->esc(out, str(n, "when"));
		cf_esc_put(out, m->esc, n, m->cell, "citation", " (last verified ",
			   "last_verified", ")", NULL);
		cf_buf_puts(out, m->end);
	}
	if (html && cJSON_GetArraySize(notices))
		cf_buf_puts(out, "</tbody></table>\n");
	cJSON_ArrayForEach(n, notices) {
		const cJSON *content = get(n, "content");

		cf_esc_put(out, m->esc, n, html ? "<h3>" : "\n### ", "state", ": ", "title",
			   html ? "</h3>\n<p>" : "\n\n", "trigger", NULL);
		cf_buf_puts(out, p_end);
		if (cJSON_GetArraySize(content))
			cf_buf_puts(out, html ? "<ul>\n" : "\n");
		cJSON_ArrayForEach(c, content)
			if (cJSON_IsString(c)) {
				cf_buf_puts(out, m->item);
				m->esc(out, c->valuestring);
				cf_buf_puts(out, m->item_end);
			}
		if (html && cJSON_GetArraySize(content))
			cf_buf_puts(out, "</ul>\n");
		if (cJSON_IsObject(get(n, "monitoring"))) {
			cf_buf_puts(out, p);
			cf_esc_put(out, m->esc, get(n, "monitoring"), "Monitoring: ", "text", NULL);
			cf_buf_puts(out, p_end);
		}
		if (cJSON_IsObject(get(n, "letter"))) {
			cf_buf_puts(out, p);
			cf_esc_put(out, m->esc, get(n, "letter"), "Residents get their own letter "
				   "(notice-individual-", "variant", ".md).", NULL);
			cf_buf_puts(out, p_end);
		}
	}
	if (!html && cJSON_GetArraySize(get(sec, "not_triggered")))
		cf_buf_puts(out, "\n");
	cJSON_ArrayForEach(n, get(sec, "not_triggered"))
		cf_esc_put(out, m->esc, n, html ? "<p class=\"note\">Not triggered: "
			   : "- Not triggered: ", "id", " (", "citation", "): ", "why",
			   html ? ".</p>\n" : ".\n", NULL);
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
