/* SPDX-License-Identifier: Apache-2.0
 *
 * What the HTML and Markdown documents write the same way. The markup of
 * the two formats, for the sections whose content is the same in both
 * (render_ai.c, render_safety.c, render_counting.c, render_states.c,
 * render_findings.c, render_rules.c, and here the timeline's event lists
 * and their appendices): such a section is one function that writes in
 * the markup of the rendering it is given (r->m), so a row or a sentence
 * added to it is added to both documents at once; what only one format
 * says stays in the section. Then what both drivers and their tables
 * share: the columns a table shows, the rendering's context, and a
 * section's body or the line saying it is not required.
 */
#include <string.h>

#include "casefile/buf.h"
#include "casefile/error.h"
#include "escape.h"
#include "render_int.h"

const struct cf_report_markup cf_report_html_markup = {
	1, cf_esc_html, "<tr><td>", "</td><td>", "</td></tr>\n", "<li>", "</li>\n",
	cf_report_html_events};
const struct cf_report_markup cf_report_md_markup = {
	0, cf_esc_md, "| ", " | ", " |\n", "- ", "\n", cf_report_md_events};

/* The columns of the timeline's event tables, successful accesses and
 * failed attempts: the keys of a row, and their headings with the
 * evidence's heading last. */
static const char *const access_keys[] = {"ts", "actor", "src_ip", "action",
	"patient", "resource", NULL};
static const char *const access_heads[] = {"Time (UTC)", "Actor", "Source IP",
	"Action", "Patient", "Resource", "Evidence", NULL};
static const char *const failed_keys[] = {"ts", "actor", "src_ip", "action",
	"outcome", "patient", "resource", NULL};
static const char *const failed_heads[] = {"Time (UTC)", "Actor", "Source IP",
	"Action", "Outcome", "Patient", "Resource", "Evidence", NULL};

void cf_report_see_appendix(struct cf_buf *out, const struct cf_report_markup *m,
			    const cJSON *arr, int shown, const char *id,
			    const char *also)
{
	const struct cf_report_section *s;
	char label[32] = "an appendix";
	int total = cJSON_GetArraySize(arr);

	for (s = cf_report_sections; s->id; s++)
		if (!strcmp(s->id, id))
			cf_report_section_label(s, label, sizeof label);
	if (m->html)
		cf_buf_printf(out, "<p class=\"note\">%s %d of %d; all of them in "
			      "<a href=\"#%s\">%s</a>", total > shown ? "The first" : "All",
			      total > shown ? shown : total, total, id, label);
	else
		cf_buf_printf(out, "\n%s %d of %d; all of them in %s",
			      total > shown ? "The first" : "All",
			      total > shown ? shown : total, total, label);
	cf_buf_printf(out, "%s%s.%s", also ? " and " : "", also ? also : "",
		      m->html ? "</p>\n" : "\n");
}

void cf_report_body_accesses(const struct cf_render *r)
{
	const cJSON *acc = cf_rget(r->tl, "accesses");

	r->m->events(r->out, acc, access_heads, access_keys, CF_REPORT_BODY_ROWS);
	cf_report_see_appendix(r->out, r->m, acc, CF_REPORT_BODY_ROWS,
			       "all-accesses", "accesses.csv");
}

void cf_report_body_failed(const struct cf_render *r)
{
	const cJSON *f = cf_rget(r->tl, "failed_attempts");

	cf_buf_printf(r->out, r->m->html ? "<h3>Failed attempts (not counted)</h3>\n"
		      "<p>%lld failed attempt(s).</p>\n" : "\nFailed attempts (not "
		      "counted): %lld\n",
		      (long long)cf_json_int(r->tl, "failed_attempt_count", 0));
	if (!cJSON_GetArraySize(f))
		return;
	cf_buf_puts(r->out, r->m->html ? "" : "\n");
	r->m->events(r->out, f, failed_heads, failed_keys, CF_REPORT_BODY_ROWS);
	cf_report_see_appendix(r->out, r->m, f, CF_REPORT_BODY_ROWS, "all-failed", NULL);
}

int cf_report_app_accesses(const struct cf_render *r)
{
	r->m->events(r->out, cf_rget(r->tl, "accesses"), access_heads, access_keys,
		     CF_REPORT_MAX_ROWS);
	return CF_OK;
}

int cf_report_app_failed(const struct cf_render *r)
{
	const cJSON *f = cf_rget(r->tl, "failed_attempts");

	if (!cJSON_GetArraySize(f))
		cf_buf_puts(r->out, r->m->html ? "<p>No failed attempt.</p>\n"
					       : "No failed attempt.\n");
	else
		r->m->events(r->out, f, failed_heads, failed_keys, CF_REPORT_MAX_ROWS);
	return CF_OK;
}

void cf_report_table_head(struct cf_buf *out, const struct cf_report_markup *m,
			  const char *const *cols)
{
	size_t i;

	cf_buf_puts(out, m->html ? "<table><tr>" : "|");
	for (i = 0; cols[i]; i++)
		cf_buf_printf(out, m->html ? "<th>%s</th>" : " %s |", cols[i]);
	cf_buf_puts(out, m->html ? "</tr>\n" : "\n|");
	for (size_t k = 0; !m->html && k < i; k++)
		cf_buf_puts(out, "---|");
	cf_buf_puts(out, m->html ? "" : "\n");
}

void cf_report_text_row(struct cf_buf *out, const struct cf_report_markup *m,
			const cJSON *e, const char *const *keys)
{
	char tmp[64];

	for (size_t i = 0; keys[i]; i++) {
		cf_buf_puts(out, i ? m->cell : m->row);
		m->esc(out, cf_json_text(cf_rget(e, keys[i]), tmp));
	}
	cf_buf_puts(out, m->end);
}

int cf_report_columns(const cJSON *rows, const char *const *keys, int max, int *idx)
{
	const cJSON *e;
	int n, nk = 0;

	for (int i = 0; keys[i] && i < CF_REPORT_MAX_COLS; i++) {
		CF_REPORT_FOR_ROWS(e, rows, n) {
			if (n >= max)
				break;
			if (*cf_rstr(e, keys[i])) {
				idx[nk++] = i;
				break;
			}
		}
	}
	return nk;
}

struct cf_render cf_report_render(struct cf_ctx *ctx, const cJSON *model,
				  const struct cf_report_templates *t,
				  struct cf_buf *out, const char *what,
				  const struct cf_report_markup *m)
{
	struct cf_render r = {ctx, model, cf_rget(model, "incident"),
		cf_rget(model, "affected"), cf_rget(model, "timeline"),
		cf_rget(model, "obligations"), t, out, what, m};

	return r;
}

int cf_report_section_body(const struct cf_render *r,
			   const struct cf_report_section *s)
{
	int html = r->m->html, rc;

	if (!cf_report_section_applies(r->model, s->id)) {
		cf_buf_printf(r->out, "%sNot required: see the obligations and the breach "
			      "determination.%s", html ? "<p class=\"note\">" : "",
			      html ? "</p>\n" : "\n");
		return CF_OK;
	}
	if ((rc = cf_report_check(r)) != CF_OK)
		return rc;
	return (html ? s->html : s->md)(r);
}
