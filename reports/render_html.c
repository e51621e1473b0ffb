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
	"@media print{body{margin:0;max-width:none;font-size:11px}"
	"h2{break-after:avoid}table,svg,.letter{break-inside:avoid}"
	"section.page{break-before:page}.draft{border-width:2px}"
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

int cf_report_html_summary(const struct cf_render *r)
{
	struct cf_buf *out = r->out;
	const cJSON *e;
	const char *name, *tpl = cf_report_summary_tpl(r->model, r->t, &name);
	int rc;

	if ((rc = html_narrative(r, name, tpl)) != CF_OK)
		return rc;
	cf_buf_printf(out, "<p>Individuals affected: <span class=\"figure\">%lld</span>",
		      (long long)cf_json_int(get(r->aff, "count"), "value", 0));
	html_cites(out, get(get(r->aff, "count"), "cites"), 5);
	cf_buf_puts(out, cf_report_verified_only(r->model) ? "</p>\n<p class=\"ok\">"
							   : "</p>\n<p class=\"bad\">");
	cf_esc_html(out, str(get(r->model, "evidence_status"), "statement"));
	cf_buf_puts(out, "</p>\n");
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

/* A table of timeline rows (at most CF_REPORT_MAX_ROWS), each with its
 * citation last. */
static void html_event_table(struct cf_buf *out, const cJSON *rows,
			     const char *const *heads, const char *const *keys)
{
	const cJSON *e;
	int n;

	html_thead(out, heads);
	CF_REPORT_FOR_ROWS(e, rows, n) {
		cf_buf_puts(out, "<tr>");
		html_cells(out, e, keys);
		html_cite_cell(out, e);
	}
	cf_buf_puts(out, "</tbody></table>\n");
	cf_report_more_rows(out, rows, n, "report.json", 1);
}

int cf_report_html_timeline(const struct cf_render *r)
{
	static const char *const akeys[] = {"ts", "actor", "src_ip", "action",
		"patient", "resource", NULL};
	static const char *const fkeys[] = {"ts", "actor", "src_ip", "action",
		"outcome", "patient", NULL};
	static const char *const ahead[] = {"Time (UTC)", "Actor", "Source IP",
		"Action", "Patient", "Resource", "Evidence", NULL};
	static const char *const fhead[] = {"Time (UTC)", "Actor", "Source IP",
		"Action", "Outcome", "Patient", "Evidence", NULL};
	struct cf_buf *out = r->out;
	const cJSON *w = get(r->inc, "window");
	int rc;

	cf_esc_put(out, cf_esc_html, w, "<p>Window under investigation: ", "from", " to ", "to", NULL);
	cf_esc_put(out, cf_esc_html, r->inc, "; discovered ", "discovered", ".</p>\n", NULL);
	if ((rc = cf_report_check(r)) != CF_OK ||
	    (rc = cf_report_svg(r->ctx, r->model, out)) != CF_OK)
		return rc;
	cf_buf_puts(out, "<h3>Successful accesses counted</h3>\n");
	html_event_table(out, get(r->tl, "accesses"), ahead, akeys);
	cf_buf_printf(out, "<h3>Failed attempts (not counted)</h3>\n<p>%lld failed attempt(s).</p>\n",
		      (long long)cf_json_int(r->tl, "failed_attempt_count", 0));
	if (cJSON_GetArraySize(get(r->tl, "failed_attempts")))
		html_event_table(out, get(r->tl, "failed_attempts"), fhead, fkeys);
	return CF_OK;
}

int cf_report_html_affected(const struct cf_render *r)
{
	static const char *const shead[] = {"State", "Count", "Media notice",
		"Evidence", NULL};
	static const char *const phead[] = {"Patient", "State",
		"Contact information", "Evidence", NULL};
	struct cf_buf *out = r->out;
	const cJSON *e;
	int n;

	cf_buf_printf(out, "<p>Count: <span class=\"figure\">%lld</span></p>\n<h3>By State of residence</h3>\n",
		      (long long)cf_json_int(get(r->aff, "count"), "value", 0));
	html_thead(out, shead);
	cJSON_ArrayForEach(e, get(r->aff, "by_state")) {
		cf_buf_puts(out, "<tr><td>");
		cf_esc_html(out, str(e, "state"));
		cf_buf_printf(out, "</td><td>%lld</td><td>%s</td><td>", (long long)cf_json_int(e, "count", 0),
			      cf_json_bool(e, "media_notice", 0) ? "required (more than 500)" : "no");
		html_cites(out, get(e, "cites"), 3);
		cf_buf_puts(out, "</td></tr>\n");
	}
	cf_buf_puts(out, "</tbody></table>\n<h3>List</h3>\n");
	html_thead(out, phead);
	CF_REPORT_FOR_ROWS(e, get(r->aff, "patients"), n) {
		const cJSON *hc = get(e, "has_contact");

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
		html_cites(out, get(e, "evidence"), 3);
		cf_buf_puts(out, "</td></tr>\n");
	}
	cf_buf_puts(out, "</tbody></table>\n");
	cf_report_more_rows(out, get(r->aff, "patients"), n, "affected.csv and report.json", 1);
	return CF_OK;
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
		html_cites(out, get(e, "cites"), 4);
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
		cf_buf_puts(out, !strcmp(v, "OK") ? "</td><td class=\"ok\">" : "</td><td class=\"bad\">");
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

int cf_report_html(struct cf_ctx *ctx, const cJSON *model,
		   const struct cf_report_templates *t, struct cf_buf *out)
{
	struct cf_render r = {ctx, model, cf_rget(model, "incident"),
		cf_rget(model, "affected"), cf_rget(model, "timeline"),
		cf_rget(model, "obligations"), t, out, "html report"};
	const struct cf_report_section *s;
	int rc, n = 1;

	html_header(&r);
	for (s = cf_report_sections; s->id; s++, n++) {
		cf_buf_printf(out, "<section id=\"%s\"%s>\n<h2>%d. %s</h2>\n", s->id,
			      s->page ? " class=\"page\"" : "", n,
			      s->html_title ? s->html_title : s->title);
		if (!cf_report_section_applies(model, s->id)) {
			cf_buf_puts(out, "<p class=\"note\">Not required: see the "
				    "obligations and the breach determination.</p>\n");
		} else if ((rc = cf_report_check(&r)) != CF_OK ||
			   (rc = s->html(&r)) != CF_OK) {
			return rc;
		}
		cf_buf_puts(out, "</section>\n");
	}
	cf_buf_puts(out, "</body>\n</html>\n");
	return cf_report_check(&r);
}
