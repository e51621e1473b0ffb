/* SPDX-License-Identifier: Apache-2.0
 *
 * The HTML rendering of the breach report (cf_report_html, render.h).
 *
 * The HTML is one self-contained file a privacy officer can mail, archive
 * or print: inline CSS with print rules, the chart as inline SVG, no
 * script, no external resource. Every value is escaped where it is written
 * (cf_esc_html); the narrative Markdown goes through cmark without
 * CMARK_OPT_UNSAFE, so even a template mistake cannot let raw HTML through.
 * Each figure is followed by its citations: archive digest (first 12 hex
 * digits, full digest in the title), member and line. One function per
 * section of cf_report_sections (render.c); the appends are unchecked and
 * the buffer's sticky error is checked once per section by the driver.
 */
#include <cmark.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "escape.h"
#include "hhs_worksheet.h"
#include "render_int.h"

#define get cf_rget
#define str cf_rstr

static const char css[] =
	"body{font-family:'DejaVu Sans','Liberation Sans',Arial,sans-serif;"
	"color:#18181b;max-width:60rem;margin:2rem auto;padding:0 1.5rem;"
	"line-height:1.45;font-size:14px}"
	"h1{font-size:1.6rem;border-bottom:3px solid #1f3a5f;padding-bottom:.4rem;margin-bottom:.2rem}"
	"h2{font-size:1.2rem;color:#1f3a5f;border-bottom:1px solid #cbd5e1;"
	"padding-bottom:.2rem;margin-top:2rem}"
	"h3{font-size:1rem;margin-bottom:.3rem}"
	".meta{color:#52525b;font-size:.9rem}"
	".draft{background:#fef3c7;border:1px solid #d97706;padding:.5rem .8rem;"
	"border-radius:4px;margin:1rem 0}"
	"table{border-collapse:collapse;width:100%;margin:.6rem 0;font-size:.85rem}"
	"th,td{border:1px solid #cbd5e1;padding:.3rem .45rem;text-align:left;vertical-align:top}"
	"th{background:#f1f5f9}"
	"tr:nth-child(even) td{background:#fafafa}"
	".cite{font-family:'DejaVu Sans Mono',monospace;font-size:.72rem;color:#475569;overflow-wrap:anywhere}"
	".confirm{display:inline-block;background:#fee2e2;color:#991b1b;border:1px solid #f87171;"
	"border-radius:3px;padding:0 .35rem;font-size:.72rem;font-weight:bold;margin-left:.3rem}"
	".figure{font-size:1.4rem;font-weight:bold}"
	".letter{border:1px solid #cbd5e1;padding:1rem 1.5rem;background:#fcfcfd}"
	".chart{max-width:100%;height:auto}"
	".note{color:#52525b;font-style:italic}"
	".ok{color:#15803d;font-weight:bold}.bad{color:#b91c1c;font-weight:bold}"
	"td,th{overflow-wrap:break-word}"
	".keyfigs td:first-child{width:40%}.keyfigs td{font-size:.9rem}"
	"nav.toc ol{columns:2;list-style:none;padding-left:0;margin:.3rem 0}"
	"nav.toc li{break-inside:avoid}nav.toc a{color:#1f3a5f}"
	/* Print: letter or A4 with room for both, tables laid out to the
	 * page width (long digests and paths wrap, never run off the edge),
	 * table headings repeated on each page, no row cut in two, the table
	 * of contents and each long part on a page of its own. */
	"@page{margin:14mm 12mm}"
	"@media print{body{margin:0;max-width:none;font-size:10px;line-height:1.3}"
	"table{width:100%;font-size:.8rem}"
	"thead{display:table-header-group}tr{break-inside:avoid}"
	"h2,h3{break-after:avoid}svg,.letter,.keyfigs{break-inside:avoid}"
	"section.page,nav.toc+section,section.appendix{break-before:page}"
	"section#summary h2{margin-top:0}.draft{border-width:2px}"
	".chart{width:100%;max-height:90mm}"
	"a{color:inherit;text-decoration:none}}";

#define CONFIRM_BADGE "<span class=\"confirm\">TO CONFIRM</span>"
static const char confirm_badge[] = CONFIRM_BADGE;

static void html_cite(struct cf_buf *out, const cJSON *c)
{
	char sh[13];
	long long line = (long long)cf_json_int(c, "line", 0);

	if (!cJSON_IsObject(c))
		return;
	snprintf(sh, sizeof sh, "%s", str(c, "archive"));
	cf_buf_puts(out, " <span class=\"cite\" title=\"archive ");
	cf_esc_html(out, str(c, "archive"));
	cf_buf_puts(out, " member ");
	cf_esc_html(out, str(c, "member"));
	cf_buf_printf(out, " line %lld\">[", line);
	cf_esc_html(out, sh);
	cf_buf_putc(out, ' ');
	cf_esc_html(out, str(c, "member"));
	cf_buf_printf(out, ":%lld", line);
	cf_buf_puts(out, cf_json_bool(c, "unverified", 0) ?
		    " <span class=\"bad\">UNVERIFIED</span>]</span>" : "]</span>");
}

/* Citations of an array, at most `max`, with "and N more". */
static void html_cites(struct cf_buf *out, const cJSON *arr, int max)
{
	const cJSON *c;
	int n = 0, total = cJSON_GetArraySize(arr);

	cJSON_ArrayForEach(c, arr) {
		if (n++ == max) {
			cf_buf_printf(out, " <span class=\"cite\">(and %d more in report.json)</span>",
				      total - max);
			return;
		}
		html_cite(out, c);
	}
}

/* "<td>value</td>" for each key of e (NULL-terminated), escaped. */
static void html_cells(struct cf_buf *out, const cJSON *e, const char *const *keys)
{
	for (; *keys; keys++) {
		cf_buf_puts(out, "<td>");
		cf_esc_html(out, str(e, *keys));
		cf_buf_puts(out, "</td>");
	}
}

/* The last cell of a row: the citation of e. */
static void html_cite_cell(struct cf_buf *out, const cJSON *e)
{
	cf_buf_puts(out, "<td>");
	html_cite(out, get(e, "cite"));
	cf_buf_puts(out, "</td></tr>\n");
}

/* A table's opening, with one <th> per heading (NULL-terminated). */
static void html_thead(struct cf_buf *out, const char *const *heads)
{
	cf_buf_puts(out, "<table><thead><tr>");
	for (; *heads; heads++) {
		cf_buf_puts(out, "<th>");
		cf_buf_puts(out, *heads);
		cf_buf_puts(out, "</th>");
	}
	cf_buf_puts(out, "</tr></thead><tbody>\n");
}

/* Markdown -> HTML through cmark, raw HTML suppressed. */
static int md_to_html(struct cf_ctx *ctx, const char *md, struct cf_buf *out)
{
	char *html = cmark_markdown_to_html(md, strlen(md), CMARK_OPT_DEFAULT);
	int rc;

	if (!html)
		return cf_set_nomem(ctx, "cmark");
	rc = cf_buf_puts(out, html) ? cf_set_nomem(ctx, "html") : CF_OK;
	free(html);
	return rc;
}


static int html_narrative(const struct cf_render *r, const char *name,
			  const char *tpl)
{
	struct cf_buf md;
	int rc;

	cf_buf_init(&md);
	if ((rc = cf_report_narrative(r->ctx, r->model, name, tpl, &md)) == CF_OK)
		rc = md_to_html(r->ctx, md.data ? md.data : "", r->out);
	cf_buf_release(&md);
	return rc;
}

/* ---- sections -------------------------------------------------------------- */

/* One row of the summary's tables: a label and a value, escaped. */
static void html_pair(struct cf_buf *out, const char *label, const char *value,
		      const char *cls)
{
	cf_buf_puts(out, "<tr><td>");
	cf_esc_html(out, label);
	cf_buf_printf(out, "</td><td%s%s%s>", cls ? " class=\"" : "", cls ? cls : "",
		      cls ? "\"" : "");
	cf_esc_html(out, value);
	cf_buf_puts(out, "</td></tr>\n");
}

/* A notice's due date and how it stands today ("overdue", "N days left"). */
static const char *due_text(const cJSON *o, char *buf, size_t size)
{
	const char *st = str(o, "status");
	long long left = (long long)cf_json_int(o, "days_left", 0);

	if (!*str(o, "due"))
		return "not required";
	if (!strcmp(st, "overdue"))
		snprintf(buf, size, "%s (overdue by %lld day(s) unless given)", str(o, "due"), -left);
	else if (cJSON_IsNumber(get(o, "days_left")))
		snprintf(buf, size, "%s (%lld day(s) left)", str(o, "due"), left);
	else
		snprintf(buf, size, "%s", str(o, "due"));
	return buf;
}

/* The one-page summary: the narrative, the key figures, the duties with
 * their dates, and what a person must confirm before anything is sent. */
int cf_report_html_summary(const struct cf_render *r)
{
	struct cf_buf *out = r->out;
	const cJSON *e, *ob = r->ob, *media = get(ob, "media_notice");
	const cJSON *sub = get(ob, "substitute_notice"), *states = get(r->aff, "by_state");
	const char *name, *tpl = cf_report_summary_tpl(r->model, r->t, &name);
	char a[192], b[192];
	int rc, n = 0, total = cJSON_GetArraySize(get(r->model, "to_confirm"));

	if ((rc = html_narrative(r, name, tpl)) != CF_OK)
		return rc;
	cf_buf_printf(out, "<p>Individuals affected: <span class=\"figure\">%lld</span>",
		      (long long)cf_json_int(get(r->aff, "count"), "value", 0));
	html_cites(out, get(get(r->aff, "count"), "cites"), 3);
	cf_buf_puts(out, cf_report_verified_only(r->model) ? "</p>\n<p class=\"ok\">"
							   : "</p>\n<p class=\"bad\">");
	cf_esc_html(out, str(get(r->model, "evidence_status"), "statement"));
	cf_buf_puts(out, "</p>\n<table class=\"keyfigs\"><tbody>\n");
	snprintf(a, sizeof a, "%d", cJSON_GetArraySize(get(r->tl, "accesses")));
	html_pair(out, "Successful accesses counted", a, NULL);
	snprintf(a, sizeof a, "%lld", (long long)cf_json_int(r->tl, "failed_attempt_count", 0));
	html_pair(out, "Failed attempts (not counted)", a, NULL);
	e = cJSON_GetArrayItem(states, 0);
	snprintf(a, sizeof a, "%d%s%s (%lld)", cJSON_GetArraySize(states),
		 e ? "; most: " : "", e ? str(e, "state") : "", (long long)cf_json_int(e, "count", 0));
	html_pair(out, "States of residence", e ? a : "none", NULL);
	snprintf(a, sizeof a, "%d", cJSON_GetArraySize(get(r->model, "model_decisions")));
	html_pair(out, "Model decisions by suspect versions", a, NULL);
	cf_buf_puts(out, "</tbody></table>\n<h3>Duties and dates</h3>\n"
		    "<table class=\"keyfigs\"><tbody>\n");
	html_pair(out, "Notice to individuals (164.404)", due_text(get(ob, "individual_notice"), a, sizeof a),
		  !strcmp(str(get(ob, "individual_notice"), "status"), "overdue") ? "bad" : NULL);
	html_pair(out, "Notice to the Secretary of HHS (164.408)", due_text(get(ob, "hhs_notice"), b, sizeof b),
		  !strcmp(str(get(ob, "hhs_notice"), "status"), "overdue") ? "bad" : NULL);
	html_pair(out, "Notice to the media (164.406)", cf_json_bool(media, "required", 0)
		  ? due_text(media, a, sizeof a) : "not required (no State with more than 500)", NULL);
	snprintf(b, sizeof b, "%s%s%s", cJSON_IsString(get(sub, "keep_until")) ? "required; keep until " : "not required",
		 cJSON_IsString(get(sub, "keep_until")) ? str(sub, "keep_until") : "", "");
	html_pair(out, "Substitute notice (164.404(d)(2))", b, NULL);
	cf_buf_puts(out, "</tbody></table>\n<h3>What to confirm</h3>\n");
	cf_buf_printf(out, "<p>%d item(s) must be confirmed by the privacy officer before any "
		      "notice is sent (<a href=\"#confirm\">the full list</a>):</p>\n<ul>\n", total);
	cJSON_ArrayForEach(e, get(r->model, "to_confirm")) {
		if (n++ == 6) {
			cf_buf_printf(out, "<li>and %d more</li>\n", total - 6);
			break;
		}
		cf_esc_put(out, cf_esc_html, e, "<li><strong>", "section", " / ", "field",
			   "</strong></li>\n", NULL);
	}
	cf_buf_puts(out, "</ul>\n");
	if (cJSON_GetArraySize(get(r->model, "discrepancies"))) {
		cf_buf_puts(out, "<p class=\"bad\">Discrepancies in the scope:</p>\n<ul>\n");
		cJSON_ArrayForEach(e, get(r->model, "discrepancies")) {
			cf_buf_puts(out, "<li>");
			cf_esc_html(out, e->valuestring);
			cf_buf_puts(out, "</li>\n");
		}
		cf_buf_puts(out, "</ul>\n");
	}
	return CF_OK;
}

/* cf_report_html_markup's event table (render_int.h). */
void cf_report_html_events(struct cf_buf *out, const cJSON *rows,
			   const char *const *heads, const char *const *keys,
			   int max)
{
	const char *h[CF_REPORT_MAX_COLS + 2], *k[CF_REPORT_MAX_COLS + 1];
	const cJSON *e;
	int idx[CF_REPORT_MAX_COLS], n, nk = cf_report_columns(rows, keys, max, idx);

	for (int i = 0; i < nk; i++) {
		h[i] = heads[idx[i]];
		k[i] = keys[idx[i]];
	}
	for (int i = 0; keys[i]; i++)
		if (!keys[i + 1])
			h[nk] = heads[i + 1]; /* the evidence */
	h[nk + 1] = NULL;
	k[nk] = NULL;
	html_thead(out, h);
	CF_REPORT_FOR_ROWS(e, rows, n) {
		if (n >= max)
			break;
		cf_buf_puts(out, "<tr>");
		html_cells(out, e, k);
		html_cite_cell(out, e);
	}
	cf_buf_puts(out, "</tbody></table>\n");
	if (max >= CF_REPORT_MAX_ROWS)
		cf_report_more_rows(out, rows, n, "report.json", 1);
}

int cf_report_html_timeline(const struct cf_render *r)
{
	static const char *const bhead[] = {"Actor", "Accesses", "Patients",
		"Source IPs", "First (UTC)", "Last (UTC)", NULL};
	static const char *const bkeys[] = {"actor", "accesses", "patients",
		"src_ips", "first", "last", NULL};
	struct cf_buf *out = r->out;
	const cJSON *w = get(r->inc, "window"), *acc = get(r->tl, "accesses"), *e;
	cJSON *by;
	int rc;

	cf_esc_put(out, cf_esc_html, w, "<p>Window under investigation: ", "from", " to ", "to", NULL);
	cf_esc_put(out, cf_esc_html, r->inc, "; discovered ", "discovered", ".</p>\n", NULL);
	if ((rc = cf_report_check(r)) != CF_OK ||
	    (rc = cf_report_svg(r->ctx, r->model, out)) != CF_OK)
		return rc;
	cf_buf_printf(out, "<h3>Successful accesses counted</h3>\n<p>%d access(es), by actor "
		      "(most first):</p>\n", cJSON_GetArraySize(acc));
	if (!(by = cf_report_by_actor(acc)))
		return cf_set_nomem(r->ctx, r->what);
	html_thead(out, bhead);
	cJSON_ArrayForEach(e, by)
		cf_report_text_row(out, &cf_report_html_markup, e, bkeys);
	cJSON_Delete(by);
	cf_buf_puts(out, "</tbody></table>\n");
	cf_report_body_accesses(r);
	cf_report_body_failed(r);
	return CF_OK;
}

static void html_patients(const struct cf_render *r, int max);

int cf_report_html_affected(const struct cf_render *r)
{
	static const char *const shead[] = {"State", "Count", "Media notice",
		"Evidence", NULL};
	struct cf_buf *out = r->out;
	const cJSON *e;

	cf_buf_printf(out, "<p>Count: <span class=\"figure\">%lld</span></p>\n<h3>By State of residence (most first)</h3>\n",
		      (long long)cf_json_int(get(r->aff, "count"), "value", 0));
	html_thead(out, shead);
	cJSON_ArrayForEach(e, get(r->aff, "by_state")) {
		cf_buf_puts(out, "<tr><td>");
		cf_esc_html(out, str(e, "state"));
		cf_buf_printf(out, "</td><td>%lld</td><td>%s</td><td>", (long long)cf_json_int(e, "count", 0),
			      cf_json_bool(e, "media_notice", 0) ? "required (more than 500)" : "no");
		html_cites(out, get(e, "cites"), 1);
		cf_buf_puts(out, "</td></tr>\n");
	}
	cf_buf_puts(out, "</tbody></table>\n<h3>List</h3>\n");
	html_patients(r, CF_REPORT_BODY_PATIENTS);
	cf_report_see_appendix(out, &cf_report_html_markup, get(r->aff, "patients"),
			       CF_REPORT_BODY_PATIENTS, "all-affected", "affected.csv");
	return CF_OK;
}

int cf_report_html_app_patients(const struct cf_render *r)
{
	html_patients(r, CF_REPORT_MAX_ROWS);
	return CF_OK;
}

/* The affected individuals, at most max (and CF_REPORT_MAX_ROWS). */
static void html_patients(const struct cf_render *r, int max)
{
	static const char *const phead[] = {"Patient", "State",
		"Contact information", "Evidence", NULL};
	struct cf_buf *out = r->out;
	const cJSON *e;
	int n;

	html_thead(out, phead);
	CF_REPORT_FOR_ROWS(e, get(r->aff, "patients"), n) {
		const cJSON *hc = get(e, "has_contact");

		if (n >= max)
			break;

		cf_buf_puts(out, "<tr><td>");
		cf_esc_html(out, str(e, "id"));
		if (cf_json_bool(e, "unverified_only", 0))
			cf_buf_puts(out, " <span class=\"bad\">named only by UNVERIFIED evidence</span>");
		cf_esc_put(out, cf_esc_html, e, "</td><td>", "state", "</td><td>", NULL);
		cf_buf_puts(out, cJSON_IsTrue(hc) ? "sufficient" : cJSON_IsFalse(hc)
			    ? "insufficient or out of date" : "unknown");
		if (!cJSON_IsBool(hc))
			cf_buf_puts(out, confirm_badge);
		cf_buf_puts(out, "</td><td>");
		html_cites(out, get(e, "evidence"), 1);
		cf_buf_puts(out, "</td></tr>\n");
	}
	cf_buf_puts(out, "</tbody></table>\n");
	if (max >= CF_REPORT_MAX_ROWS)
		cf_report_more_rows(out, get(r->aff, "patients"), n,
				    "affected.csv and report.json", 1);
}

int cf_report_html_risk(const struct cf_render *r)
{
	static const char *const head[] = {"Factor", "Pre-filled finding",
		"Evidence", NULL};
	struct cf_buf *out = r->out;
	const cJSON *e, *ra = get(r->model, "risk_assessment");

	html_thead(out, head);
	cJSON_ArrayForEach(e, get(ra, "factors")) {
		cf_esc_put(out, cf_esc_html, e, "<tr><td>", "title", "</td><td>", "finding",
			   CONFIRM_BADGE "<br><em>", "confirm_note", "</em></td><td>", NULL);
		html_cites(out, get(e, "cites"), 2);
		cf_buf_puts(out, "</td></tr>\n");
	}
	cf_buf_puts(out, "</tbody></table>\n<p>");
	cf_esc_html(out, str(ra, "conclusion"));
	cf_buf_puts(out, confirm_badge);
	cf_buf_puts(out, "</p>\n");
	return CF_OK;
}

/* One row of the obligations table: what, when, the text and the rule. */
static void html_obligation(struct cf_buf *out, const char *what,
			    const cJSON *o, const char *when)
{
	const char *cells[] = {what, when, str(o, "text"), str(o, "rule")};

	cf_buf_puts(out, "<tr>");
	for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
		cf_buf_puts(out, "<td>");
		cf_esc_html(out, cells[i]);
		cf_buf_puts(out, "</td>");
	}
	cf_buf_puts(out, "</tr>\n");
}

int cf_report_html_obligations(const struct cf_render *r)
{
	static const char *const head[] = {"Notice", "Due by", "What", "Rule", NULL};
	struct cf_buf *out = r->out;
	const cJSON *ob = r->ob, *led = get(ob, "law_enforcement_delay"), *e, *c;
	char when[128];

	cf_esc_put(out, cf_esc_html, ob, "<p>Discovered on ", "discovered", ".", NULL);
	if (!cJSON_IsNull(get(led, "until")))
		cf_esc_put(out, cf_esc_html, led, " Law-enforcement delay until ", "until",
			   " (45 CFR 164.412): no notice before ", "not_before",
			   "." CONFIRM_BADGE, NULL);
	cf_buf_puts(out, "</p>\n");
	html_thead(out, head);
	snprintf(when, sizeof when, "%s", str(get(ob, "individual_notice"), "due"));
	html_obligation(out, "Individuals", get(ob, "individual_notice"), when);
	snprintf(when, sizeof when, "%s", str(get(ob, "hhs_notice"), "due"));
	html_obligation(out, "Secretary of HHS", get(ob, "hhs_notice"), when);
	e = get(ob, "media_notice");
	if (cf_json_bool(e, "required", 0)) {
		cf_buf_puts(out, "<tr><td>Prominent media outlets</td><td>");
		cf_esc_html(out, str(e, "due"));
		cf_buf_puts(out, "</td><td>More than 500 residents of: ");
		cJSON_ArrayForEach(c, get(e, "states")) {
			cf_esc_html(out, str(c, "state"));
			cf_buf_printf(out, " (%lld) ", (long long)cf_json_int(c, "count", 0));
		}
		cf_buf_puts(out, "</td><td>45 CFR 164.406</td></tr>\n");
	} else {
		cf_buf_puts(out, "<tr><td>Prominent media outlets</td><td>not required</td><td>No State or "
			    "jurisdiction has more than 500 affected residents.</td><td>45 CFR 164.406</td></tr>\n");
	}
	e = get(ob, "substitute_notice");
	cf_buf_puts(out, "<tr><td>Substitute notice</td><td>");
	cf_esc_html(out, cJSON_IsNull(get(e, "keep_until")) ? "" : "keep posting and number until ");
	cf_esc_html(out, str(e, "keep_until"));
	cf_buf_printf(out, "</td><td>%lld without usable contact information, %lld unknown. ",
		      (long long)cf_json_int(e, "no_contact", 0),
		      (long long)cf_json_int(e, "contact_unknown", 0));
	cf_esc_html(out, str(e, "text"));
	cf_buf_puts(out, "</td><td>");
	cf_esc_html(out, str(e, "rule"));
	cf_buf_puts(out, "</td></tr>\n</tbody></table>\n");
	return CF_OK;
}

/* A draft letter from a narrative template. */
static int html_letter(const struct cf_render *r, const char *name,
		       const char *tpl)
{
	int rc;

	cf_buf_puts(r->out, "<div class=\"letter\">\n");
	if ((rc = cf_report_check(r)) != CF_OK ||
	    (rc = html_narrative(r, name, tpl)) != CF_OK)
		return rc;
	cf_buf_puts(r->out, "</div>\n");
	return CF_OK;
}

int cf_report_html_notice(const struct cf_render *r)
{
	return html_letter(r, CF_TPL_NOTICE, r->t->notice);
}

int cf_report_html_media(const struct cf_render *r)
{
	if (!cf_json_bool(get(r->ob, "media_notice"), "required", 0))
		cf_buf_puts(r->out, "<p class=\"note\">Not required by the figures above; kept as a draft in case "
			    "the count changes.</p>\n");
	return html_letter(r, CF_TPL_MEDIA, r->t->media);
}

int cf_report_html_hhs(const struct cf_render *r)
{
	struct cf_buf *out = r->out;
	const cJSON *p = get(get(r->model, "hhs_worksheet"), "part2");

	if (cf_json_bool(p, "flag", 0))
		cf_esc_put(out, cf_esc_html, p, "<p class=\"note\"><strong>42 CFR Part 2:"
			   "</strong> ", "text", "</p>\n", NULL);
	return cf_report_worksheet_body_html(r->model, out, confirm_badge);
}

int cf_report_html_models(const struct cf_render *r)
{
	static const char *const head[] = {"Time (UTC)", "Patient", "Model",
		"Version", "Decision", "Score", "Evidence", NULL};
	static const char *const keys[] = {"ts", "patient", "model", NULL};
	struct cf_buf *out = r->out;
	const cJSON *e;
	char tmp[64];

	if (!cJSON_GetArraySize(get(r->model, "model_decisions"))) {
		cf_buf_puts(out, "<p>No decisions by suspect model versions in the window.</p>\n");
		return CF_OK;
	}
	html_thead(out, head);
	cJSON_ArrayForEach(e, get(r->model, "model_decisions")) {
		const cJSON *d = get(e, "decision") ? get(e, "decision") : get(e, "output");

		cf_buf_puts(out, "<tr>");
		html_cells(out, e, keys);
		cf_buf_puts(out, "<td>");
		cf_esc_html(out, cf_json_text(get(e, "version"), tmp));
		cf_buf_puts(out, "</td><td>");
		cf_esc_html(out, cf_json_text(d, tmp));
		cf_buf_puts(out, "</td><td>");
		cf_esc_html(out, cf_json_text(get(e, "score"), tmp));
		cf_buf_puts(out, "</td>");
		html_cite_cell(out, e);
	}
	cf_buf_puts(out, "</tbody></table>\n");
	return CF_OK;
}

int cf_report_html_evidence(const struct cf_render *r)
{
	static const char *const head[] = {"Archive (sha256sums digest)", "File",
		"Signer", "Verification", "Verified state", "Citations", NULL};
	struct cf_buf *out = r->out;
	const cJSON *e;

	html_thead(out, head);
	cJSON_ArrayForEach(e, get(r->model, "evidence_inventory")) {
		const char *v = str(e, "verification");

		cf_esc_put(out, cf_esc_html, e, "<tr><td class=\"cite\">", "sha256sums", "</td><td>",
			   "path", "</td><td class=\"cite\">", "signer", NULL);
		cf_buf_puts(out, !strncmp(v, "OK", 2) ? "</td><td class=\"ok\">" : "</td><td class=\"bad\">");
		cf_esc_html(out, v);
		if (cf_json_int(e, "problems", 0))
			cf_buf_printf(out, " (%lld problem(s))", (long long)cf_json_int(e, "problems", 0));
		cf_buf_puts(out, !strcmp(str(e, "verified_state"), "verified")
			    ? "</td><td class=\"ok\">" : "</td><td class=\"bad\">");
		cf_esc_html(out, cf_json_str(e, "verified_state", "not stated"));
		cf_buf_printf(out, "</td><td>%lld</td></tr>\n", (long long)cf_json_int(e, "citations", 0));
	}
	cf_buf_puts(out, "</tbody></table>\n");
	return CF_OK;
}

int cf_report_html_custody(const struct cf_render *r)
{
	static const char *const head[] = {"Seq", "Time (UTC)", "Actor",
		"Action", "Subject", "Note", NULL};
	struct cf_buf *out = r->out;
	const cJSON *e = get(r->model, "custody"), *v = get(e, "verification"), *c;
	char tmp[64];

	if (!cJSON_IsObject(e)) {
		cf_buf_puts(out, "<p class=\"note\">No case folder was given (--case); no custody log summarised.</p>\n");
		return CF_OK;
	}
	cf_buf_printf(out, "<p>%lld custody entries. Verification: ", (long long)cf_json_int(e, "entries", 0));
	if (!cJSON_IsObject(v)) {
		cf_buf_puts(out, "<span class=\"bad\">not verified</span>");
		cf_buf_puts(out, confirm_badge);
	} else if (cf_json_bool(v, "ok", 0)) {
		cf_buf_puts(out, "<span class=\"ok\">OK</span>");
	} else {
		cf_buf_printf(out, "<span class=\"bad\">FAILED</span> at entry %lld: ",
			      (long long)cf_json_int(v, "first_bad", 0));
		cf_esc_html(out, str(v, "detail"));
	}
	cf_buf_puts(out, "</p>\n");
	html_thead(out, head);
	cJSON_ArrayForEach(c, get(e, "log")) {
		cf_buf_puts(out, "<tr><td>");
		cf_esc_html(out, cf_json_text(get(c, "seq"), tmp));
		cf_esc_put(out, cf_esc_html, c, "</td><td>", "time", "</td><td>", "actor",
			   "</td><td>", "action", "</td><td class=\"cite\">", "subject",
			   "</td><td>", "note", "</td></tr>\n", NULL);
	}
	cf_buf_puts(out, "</tbody></table>\n");
	return CF_OK;
}

int cf_report_html_confirm(const struct cf_render *r)
{
	struct cf_buf *out = r->out;
	const cJSON *e;

	cf_buf_puts(out, "<ul>\n");
	cJSON_ArrayForEach(e, get(r->model, "to_confirm")) {
		cf_esc_put(out, cf_esc_html, e, "<li><strong>", "section", " / ", "field",
			   "</strong>: ", "why", "</li>\n", NULL);
	}
	cf_buf_puts(out, "</ul>\n");
	return CF_OK;
}

/* ---- the document ---------------------------------------------------------- */

static void html_header(const struct cf_render *r)
{
	struct cf_buf *out = r->out;
	const cJSON *ce = get(r->inc, "covered_entity");

	cf_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		    "style-src 'unsafe-inline'; img-src data:\">\n<title>Breach notification package: ");
	cf_esc_html(out, str(r->inc, "id"));
	cf_buf_puts(out, "</title>\n<style>");
	cf_buf_puts(out, css);
	cf_buf_puts(out, "</style>\n</head>\n<body>\n<header>\n<h1>Breach notification package</h1>\n<p class=\"meta\">");
	cf_esc_html(out, str(ce, "name"));
	cf_esc_put(out, cf_esc_html, r->inc, " &middot; incident ", "id", " &middot; ", "title", NULL);
	cf_esc_put(out, cf_esc_html, r->model, "<br>Generated ", "generated_at", NULL);
	/* the claim follows the archives' verified flags (model.c) */
	if (cf_report_verified_only(r->model)) {
		cf_buf_puts(out, " by casefile from verified evidence.</p>\n");
	} else {
		cf_buf_puts(out, " by casefile.</p>\n<p class=\"bad\">");
		cf_esc_html(out, str(get(r->model, "evidence_status"), "statement"));
		cf_buf_puts(out, "</p>\n");
	}
	cf_buf_puts(out, "<p class=\"draft\"><strong>Draft for review.</strong> Figures are pre-filled "
		    "from evidence and cite it as [archive digest member:line]. Items marked");
	cf_buf_puts(out, confirm_badge);
	cf_buf_puts(out, " must be confirmed by the privacy officer before any notice is sent.</p>\n</header>\n");
}

/* The table of contents, from the section table: the body, then the
 * appendices. */
static void html_toc(struct cf_buf *out)
{
	const struct cf_report_section *s;
	char label[32];

	cf_buf_puts(out, "<nav class=\"toc\">\n<h2>Contents</h2>\n<ol>\n");
	for (s = cf_report_sections; s->id; s++) {
		cf_report_section_label(s, label, sizeof label);
		cf_buf_printf(out, "<li><a href=\"#%s\">%s. ", s->id, label);
		cf_esc_html(out, s->title);
		cf_buf_puts(out, "</a></li>\n");
	}
	cf_buf_puts(out, "</ol>\n</nav>\n");
}

int cf_report_html(struct cf_ctx *ctx, const cJSON *model,
		   const struct cf_report_templates *t, struct cf_buf *out)
{
	struct cf_render r = cf_report_render(ctx, model, t, out, "html report",
					      &cf_report_html_markup);
	const struct cf_report_section *s;
	char label[32];
	int rc, in_appendix = 0;

	html_header(&r);
	for (s = cf_report_sections; s->id; s++) {
		cf_report_section_label(s, label, sizeof label);
		if (s->appendix && !in_appendix++)
			cf_buf_puts(out, "<div id=\"appendices\">\n");
		cf_buf_printf(out, "<section id=\"%s\"%s>\n<h2>%s. %s</h2>\n", s->id,
			      s->appendix ? " class=\"appendix\"" : s->page ? " class=\"page\"" : "",
			      label, s->html_title ? s->html_title : s->title);
		if ((rc = cf_report_section_body(&r, s)) != CF_OK)
			return rc;
		cf_buf_puts(out, "</section>\n");
		/* the table of contents follows the one-page summary */
		if (s == cf_report_sections)
			html_toc(out);
	}
	if (in_appendix)
		cf_buf_puts(out, "</div>\n");
	cf_buf_puts(out, "</body>\n</html>\n");
	return cf_report_check(&r);
}
