/* SPDX-License-Identifier: Apache-2.0
 *
 * HTML, Markdown, CSV and SVG renderers of the breach report (render.h).
 *
 * The HTML is one self-contained file a privacy officer can mail, archive
 * or print: inline CSS with print rules, the chart as inline SVG, no
 * script, no external resource. Every value is escaped where it is written
 * (escape.h); the narrative Markdown goes through cmark without
 * CMARK_OPT_UNSAFE, so even a template mistake cannot let raw HTML through.
 * Each figure is followed by its citations: archive digest (first 12 hex
 * digits, full digest in the title), member and line.
 */
#include <cmark.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/csv.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/time.h"
#include "escape.h"
#include "model.h"
#include "render.h"

#define P(s) do { if (cf_buf_puts(out, (s))) goto nomem; } while (0)
#define H(s) do { if (cf_esc_html(out, (s))) goto nomem; } while (0)
#define M(s) do { if (cf_esc_md(out, (s))) goto nomem; } while (0)
#define F(...) do { if (cf_buf_printf(out, __VA_ARGS__)) goto nomem; } while (0)

/* Rows shown per table in HTML and Markdown: a breach of 100 000 records
 * stays a document a person can open and print; every row remains in
 * report.json and the CSV files, and the table says so. */
#define MAX_ROWS 2000

/* Iterates over at most MAX_ROWS elements; `n` counts them. */
#define FOR_ROWS(e, arr, n) \
	for ((n) = 0, (e) = (arr) ? (arr)->child : NULL; (e) && (n) < MAX_ROWS; \
	     (e) = (e)->next, (n)++)

/* "N more rows in FILE" after a capped table, or nothing. */
static int more_rows(struct cf_buf *out, const cJSON *arr, int shown,
		     const char *where, int html)
{
	int total = cJSON_GetArraySize(arr);

	if (total <= shown)
		return 0;
	return cf_buf_printf(out, html ? "<p class=\"note\">%d more rows in %s.</p>\n"
				       : "\n%d more rows in %s.\n", total - shown, where);
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return o ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static const char *str(const cJSON *o, const char *k)
{
	return cf_json_str(o, k, "");
}

/* ---- template values ------------------------------------------------------ */

static int64_t day_of_str(const char *s)
{
	int64_t us;

	int64_t sec;

	if (!s || cf_time_parse(s, -1, &us, NULL))
		return -1;
	sec = us / CF_US_PER_SEC - (us % CF_US_PER_SEC < 0);
	return sec / 86400 - (sec % 86400 < 0);
}

static int put_long_date(cJSON *v, const char *key, const char *iso_or_time)
{
	char d[32];
	int64_t day = day_of_str(iso_or_time);
	int y;
	unsigned m, dd;

	if (day < 0 && iso_or_time && sscanf(iso_or_time, "%4d-%2u-%2u", &y, &m, &dd) == 3)
		day = cf_days_from_civil(y, m, dd);
	return cf_json_add_str(v, key, day < 0 ? "(date to be confirmed)"
						 : cf_report_long_date(day, d));
}

static int join_into(cJSON *v, const char *key, const cJSON *arr,
		     const char *field, const char *empty)
{
	struct cf_buf b;
	const cJSON *e;
	int n = cJSON_GetArraySize(arr), i = 0, rc;
	char tmp[64];

	cf_buf_init(&b);
	cJSON_ArrayForEach(e, arr) {
		const char *s = field ? cf_json_text(get(e, field), tmp) : cf_json_text(e, tmp);

		if ((i && cf_buf_puts(&b, i == n - 1 ? (n > 2 ? ", and " : " and ") : ", ")) ||
		    cf_buf_puts(&b, s)) {
			cf_buf_release(&b);
			return -1;
		}
		i++;
	}
	rc = cf_json_add_str(v, key, b.len ? b.data : empty);
	cf_buf_release(&b);
	return rc;
}

cJSON *cf_report_vars(const cJSON *model)
{
	const cJSON *inc = get(model, "incident"), *ce = get(inc, "covered_entity");
	const cJSON *con = get(ce, "contact"), *ob = get(model, "obligations");
	const cJSON *acc = get(get(model, "timeline"), "accesses");
	const cJSON *w = get(inc, "window");
	const cJSON *first = cJSON_GetArrayItem(acc, 0);
	const cJSON *last = cJSON_GetArrayItem(acc, cJSON_GetArraySize(acc) - 1);
	cJSON *v = cJSON_CreateObject();
	char num[32];

	if (!v)
		return NULL;
	snprintf(num, sizeof num, "%lld",
		 (long long)cf_json_int(get(get(model, "affected"), "count"), "value", 0));
	if (cf_json_add_str(v, "entity_name", str(ce, "name")) ||
	    cf_json_add_str(v, "phone", cf_json_str(con, "phone", "(toll-free number to be added)")) ||
	    cf_json_add_str(v, "email", cf_json_str(con, "email", "(e-mail address to be added)")) ||
	    cf_json_add_str(v, "web", cf_json_str(con, "web", "(web site to be added)")) ||
	    cf_json_add_str(v, "postal", cf_json_str(con, "postal", "(postal address to be added)")) ||
	    cf_json_add_str(v, "incident_id", str(inc, "id")) ||
	    cf_json_add_str(v, "incident_title", str(inc, "title")) ||
	    cf_json_add_str(v, "affected", num) ||
	    put_long_date(v, "discovered", str(inc, "discovered")) ||
	    put_long_date(v, "breach_from", first ? str(first, "ts") : cf_json_str(w, "from", NULL)) ||
	    put_long_date(v, "breach_to", last ? str(last, "ts") : cf_json_str(w, "to", NULL)) ||
	    put_long_date(v, "individual_due", str(get(ob, "individual_notice"), "due")) ||
	    put_long_date(v, "hhs_due", str(get(ob, "hhs_notice"), "due")) ||
	    join_into(v, "phi_list", get(model, "phi_categories"), "category",
		      "information about your health care (to be confirmed)") ||
	    join_into(v, "media_states", get(get(ob, "media_notice"), "states"), "state",
		      "(no State with more than 500 residents affected)") ||
	    join_into(v, "model_list", get(get(inc, "suspects"), "models"), NULL, "none") ||
	    cf_json_add_str(v, "hhs_text", str(get(ob, "hhs_notice"), "text")) ||
	    cf_json_add_str(v, "substitute_text", str(get(ob, "substitute_notice"), "text"))) {
		cJSON_Delete(v);
		return NULL;
	}
	return v;
}

int cf_report_narrative(struct cf_ctx *ctx, const cJSON *model,
			const char *name, const char *tpl, struct cf_buf *out)
{
	cJSON *vars = cf_report_vars(model);
	int rc;

	if (!vars)
		return cf_set_nomem(ctx, name);
	rc = cf_tpl_fill(ctx, out, name, tpl, vars, cf_esc_md);
	cJSON_Delete(vars);
	return rc;
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

/* ---- SVG chart ------------------------------------------------------------ */

static const char *const palette[] = {"#1f5fa8", "#c2410c", "#15803d",
	"#7e22ce", "#b91c1c", "#0e7490", "#a16207", "#475569"};
#define NPAL (sizeof palette / sizeof palette[0])
#define MAX_BINS 48

int cf_report_svg(struct cf_ctx *ctx, const cJSON *model, struct cf_buf *out)
{
	static const int64_t steps[] = {3600, 3 * 3600, 6 * 3600, 12 * 3600,
		86400, 7 * 86400, 30 * 86400, 365 * 86400};
	const cJSON *tl = get(model, "timeline"), *acc = get(tl, "accesses");
	const cJSON *actors = get(tl, "accesses_by_actor"), *w = get(get(model, "incident"), "window");
	const cJSON *a, *act;
	int nact = cJSON_GetArraySize(actors), nbins, maxc = 1;
	int64_t t0 = INT64_MAX, t1 = INT64_MIN, us, step = steps[0];
	unsigned *counts = NULL;
	const int W = 760, Hh = 300, L = 50, R = 70, T = 20, B = 80;
	char ts[CF_TIME_STR];
	int rc = CF_FATAL;

	if (!cf_time_parse(cf_json_str(w, "from", ""), -1, &us, NULL)) t0 = us;
	if (!cf_time_parse(cf_json_str(w, "to", ""), -1, &us, NULL)) t1 = us;
	cJSON_ArrayForEach(a, acc)
		if (!cf_time_parse(str(a, "ts"), -1, &us, NULL)) {
			if (us < t0) t0 = us;
			if (us > t1) t1 = us;
		}
	if (t0 == INT64_MAX || t1 < t0) {
		P("<p class=\"note\">No timed accesses to chart.</p>\n");
		return CF_OK;
	}
	t0 -= t0 % (3600 * CF_US_PER_SEC);
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		step = steps[i];
		if ((t1 - t0) / (step * CF_US_PER_SEC) + 1 <= MAX_BINS)
			break;
	}
	nbins = (int)((t1 - t0) / (step * CF_US_PER_SEC) + 1);
	if (nbins > MAX_BINS)
		nbins = MAX_BINS;
	if (!(counts = calloc((size_t)nbins * (size_t)(nact ? nact : 1), sizeof *counts)))
		goto nomem;
	cJSON_ArrayForEach(a, acc) {
		int bin, ai = 0, tot = 0;

		if (cf_time_parse(str(a, "ts"), -1, &us, NULL))
			continue;
		bin = (int)((us - t0) / (step * CF_US_PER_SEC));
		if (bin >= nbins) bin = nbins - 1;
		cJSON_ArrayForEach(act, actors) {
			if (!strcmp(act->string, str(a, "actor")))
				break;
			ai++;
		}
		if (ai >= nact)
			continue;
		counts[bin * nact + ai]++;
		for (int k = 0; k < nact; k++)
			tot += (int)counts[bin * nact + k];
		if (tot > maxc)
			maxc = tot;
	}
	/* A round axis maximum so the four grid lines fall on whole counts. */
	maxc = (maxc + 3) / 4 * 4;
	F("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" "
	  "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" aria-label=\"", W, Hh + 20 * ((nact + 3) / 4), W, Hh + 20 * ((nact + 3) / 4));
	F("Accesses over time by actor, %d bins of %lld hours", nbins, (long long)(step / 3600));
	P("\">\n<title>Accesses over time by actor</title>\n");
	F("<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", W, Hh + 20 * ((nact + 3) / 4));
	/* axes and horizontal grid */
	for (int g = 0; g <= 4; g++) {
		int y = T + (Hh - T - B) * g / 4;
		F("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#d4d4d8\" stroke-width=\"1\"/>\n", L, y, W - R, y);
		F("<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\" fill=\"#3f3f46\">%d</text>\n",
		  L - 6, y + 4, maxc - maxc * g / 4);
	}
	F("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#3f3f46\"/>\n", L, Hh - B, W - R, Hh - B);
	{
		double bw = (double)(W - L - R) / nbins;
		int every = nbins > 12 ? (nbins + 11) / 12 : 1;

		for (int bin = 0; bin < nbins; bin++) {
			double y = Hh - B, x = L + bin * bw;
			int ai = 0;

			cJSON_ArrayForEach(act, actors) {
				unsigned c = counts[bin * nact + ai];
				double h = (double)(Hh - T - B) * c / maxc;

				if (c) {
					y -= h;
					F("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>",
					  x + 1, y, bw > 3 ? bw - 2 : bw, h, palette[ai % NPAL]);
					H(act->string);
					F(": %u</title></rect>\n", c);
				}
				ai++;
			}
			if (bin % every == 0) {
				cf_time_format(t0 + bin * step * CF_US_PER_SEC, ts);
				ts[16] = 0; /* YYYY-MM-DDTHH:MM */
				ts[10] = ' ';
				F("<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#3f3f46\" "
				  "transform=\"rotate(35 %.1f %d)\">%s</text>\n",
				  x + 2, Hh - B + 14, x + 2, Hh - B + 14, ts);
			}
		}
	}
	F("<text x=\"12\" y=\"%d\" font-size=\"11\" fill=\"#3f3f46\" transform=\"rotate(-90 12 %d)\" "
	  "text-anchor=\"middle\">accesses per %lld h</text>\n", (Hh - B + T) / 2, (Hh - B + T) / 2,
	  (long long)(step / 3600));
	{
		int ai = 0;

		cJSON_ArrayForEach(act, actors) {
			int x = L + (ai % 4) * 175, y = Hh + (ai / 4) * 20;

			F("<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>", x, y - 10, palette[ai % NPAL]);
			F("<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#18181b\">", x + 18, y);
			H(act->string);
			F(" (%lld)</text>\n", (long long)act->valuedouble);
			ai++;
		}
	}
	P("</svg>\n");
	rc = CF_OK;
	goto out;
nomem:
	rc = cf_set_nomem(ctx, "chart");
out:
	free(counts);
	return rc;
}

/* ---- HTML ----------------------------------------------------------------- */

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

/* 1 when the model says every cited archive was verified: only then may
 * a report say "from verified evidence". */
static int verified_only(const cJSON *model)
{
	return !strcmp(cf_json_str(get(model, "evidence_status"), "state", ""),
		       "verified");
}

static int html_cite(struct cf_buf *out, const cJSON *c)
{
	char sh[13], ln[32];
	const char *a = str(c, "archive");

	if (!cJSON_IsObject(c))
		return 0;
	snprintf(sh, sizeof sh, "%s", a);
	snprintf(ln, sizeof ln, ":%lld", (long long)cf_json_int(c, "line", 0));
	if (cf_buf_puts(out, " <span class=\"cite\" title=\"archive ") ||
	    cf_esc_html(out, a) || cf_buf_puts(out, " member ") ||
	    cf_esc_html(out, str(c, "member")) || cf_buf_puts(out, " line ") ||
	    cf_buf_puts(out, ln + 1) || cf_buf_puts(out, "\">[") ||
	    cf_esc_html(out, sh) || cf_buf_putc(out, ' ') ||
	    cf_esc_html(out, str(c, "member")) || cf_buf_puts(out, ln) ||
	    cf_buf_puts(out, cf_json_bool(c, "unverified", 0) ?
			" <span class=\"bad\">UNVERIFIED</span>]</span>" : "]</span>"))
		return -1;
	return 0;
}

/* Citations of an array, at most `max`, with "and N more". */
static int html_cites(struct cf_buf *out, const cJSON *arr, int max)
{
	const cJSON *c;
	int n = 0, total = cJSON_GetArraySize(arr);

	cJSON_ArrayForEach(c, arr) {
		if (n++ == max)
			return cf_buf_printf(out, " <span class=\"cite\">(and %d more in report.json)</span>",
					     total - max);
		if (html_cite(out, c))
			return -1;
	}
	return 0;
}

static const char confirm_badge[] = "<span class=\"confirm\">TO CONFIRM</span>";

static int html_narrative(struct cf_ctx *ctx, const cJSON *model,
			  const char *name, const char *tpl, struct cf_buf *out)
{
	struct cf_buf md;
	int rc;

	cf_buf_init(&md);
	if ((rc = cf_report_narrative(ctx, model, name, tpl, &md)) == CF_OK)
		rc = md_to_html(ctx, md.data ? md.data : "", out);
	cf_buf_release(&md);
	return rc;
}

static int html_obligation(struct cf_buf *out, const char *what,
			   const cJSON *o, const char *when)
{
	if (cf_buf_puts(out, "<tr><td>") || cf_esc_html(out, what) ||
	    cf_buf_puts(out, "</td><td>") || cf_esc_html(out, when) ||
	    cf_buf_puts(out, "</td><td>") || cf_esc_html(out, str(o, "text")) ||
	    cf_buf_puts(out, "</td><td>") || cf_esc_html(out, str(o, "rule")) ||
	    cf_buf_puts(out, "</td></tr>\n"))
		return -1;
	return 0;
}

int cf_report_html(struct cf_ctx *ctx, const cJSON *model,
		   const struct cf_report_templates *t, struct cf_buf *out)
{
	const cJSON *inc = get(model, "incident"), *ce = get(inc, "covered_entity");
	const cJSON *aff = get(model, "affected"), *tl = get(model, "timeline");
	const cJSON *ob = get(model, "obligations"), *e, *c;
	char tmp[64], when[128];
	int rc, n;

	P("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	  "style-src 'unsafe-inline'; img-src data:\">\n<title>Breach notification package: ");
	H(str(inc, "id"));
	P("</title>\n<style>");
	P(css);
	P("</style>\n</head>\n<body>\n<header>\n<h1>Breach notification package</h1>\n<p class=\"meta\">");
	H(str(ce, "name")); P(" &middot; incident "); H(str(inc, "id")); P(" &middot; ");
	H(str(inc, "title")); P("<br>Generated "); H(str(model, "generated_at"));
	/* the claim follows the archives' verified flags (model.c) */
	if (verified_only(model)) {
		P(" by casefile from verified evidence.</p>\n");
	} else {
		P(" by casefile.</p>\n<p class=\"bad\">");
		H(str(get(model, "evidence_status"), "statement"));
		P("</p>\n");
	}
	P("<p class=\"draft\"><strong>Draft for review.</strong> Figures are pre-filled "
	  "from evidence and cite it as [archive digest member:line]. Items marked");
	P(confirm_badge);
	P(" must be confirmed by the privacy officer before any notice is sent.</p>\n</header>\n");

	/* 1. Executive summary */
	P("<section id=\"summary\">\n<h2>1. Executive summary</h2>\n");
	if ((rc = html_narrative(ctx, model, CF_TPL_SUMMARY, t->summary, out)) != CF_OK)
		return rc;
	P("<p>Individuals affected: <span class=\"figure\">");
	F("%lld", (long long)cf_json_int(get(aff, "count"), "value", 0));
	P("</span>");
	if (html_cites(out, get(get(aff, "count"), "cites"), 5)) goto nomem;
	P("</p>\n<p class=\"");
	P(verified_only(model) ? "ok" : "bad"); P("\">");
	H(str(get(model, "evidence_status"), "statement")); P("</p>\n");
	if (cJSON_GetArraySize(get(model, "discrepancies"))) {
		P("<p class=\"bad\">Discrepancies in the scope:</p>\n<ul>\n");
		cJSON_ArrayForEach(e, get(model, "discrepancies")) {
			P("<li>"); H(e->valuestring); P("</li>\n");
		}
		P("</ul>\n");
	}
	P("</section>\n");

	/* 2. Timeline */
	P("<section id=\"timeline\">\n<h2>2. Timeline</h2>\n<p>Window under investigation: ");
	H(str(get(inc, "window"), "from")); P(" to "); H(str(get(inc, "window"), "to"));
	P("; discovered "); H(str(inc, "discovered")); P(".</p>\n");
	if ((rc = cf_report_svg(ctx, model, out)) != CF_OK)
		return rc;
	P("<h3>Successful accesses counted</h3>\n<table><thead><tr><th>Time (UTC)</th><th>Actor</th>"
	  "<th>Source IP</th><th>Action</th><th>Patient</th><th>Resource</th><th>Evidence</th></tr></thead><tbody>\n");
	FOR_ROWS(e, get(tl, "accesses"), n) {
		P("<tr><td>"); H(str(e, "ts")); P("</td><td>"); H(str(e, "actor"));
		P("</td><td>"); H(str(e, "src_ip")); P("</td><td>"); H(str(e, "action"));
		P("</td><td>"); H(str(e, "patient")); P("</td><td>"); H(str(e, "resource"));
		P("</td><td>"); if (html_cite(out, get(e, "cite"))) goto nomem;
		P("</td></tr>\n");
	}
	P("</tbody></table>\n");
	if (more_rows(out, get(tl, "accesses"), n, "report.json", 1)) goto nomem;
	P("<h3>Failed attempts (not counted)</h3>\n");
	F("<p>%lld failed attempt(s).</p>\n", (long long)cf_json_int(tl, "failed_attempt_count", 0));
	if (cJSON_GetArraySize(get(tl, "failed_attempts"))) {
		P("<table><thead><tr><th>Time (UTC)</th><th>Actor</th><th>Source IP</th><th>Action</th>"
		  "<th>Outcome</th><th>Patient</th><th>Evidence</th></tr></thead><tbody>\n");
		FOR_ROWS(e, get(tl, "failed_attempts"), n) {
			P("<tr><td>"); H(str(e, "ts")); P("</td><td>"); H(str(e, "actor"));
			P("</td><td>"); H(str(e, "src_ip")); P("</td><td>"); H(str(e, "action"));
			P("</td><td>"); H(str(e, "outcome")); P("</td><td>"); H(str(e, "patient"));
			P("</td><td>"); if (html_cite(out, get(e, "cite"))) goto nomem;
			P("</td></tr>\n");
		}
		P("</tbody></table>\n");
		if (more_rows(out, get(tl, "failed_attempts"), n, "report.json", 1)) goto nomem;
	}
	P("</section>\n");

	/* 3. Affected individuals */
	P("<section id=\"affected\" class=\"page\">\n<h2>3. Affected individuals</h2>\n<p>Count: <span class=\"figure\">");
	F("%lld", (long long)cf_json_int(get(aff, "count"), "value", 0));
	P("</span></p>\n<h3>By State of residence</h3>\n<table><thead><tr><th>State</th><th>Count</th>"
	  "<th>Media notice</th><th>Evidence</th></tr></thead><tbody>\n");
	cJSON_ArrayForEach(e, get(aff, "by_state")) {
		P("<tr><td>"); H(str(e, "state")); P("</td><td>");
		F("%lld", (long long)cf_json_int(e, "count", 0));
		P("</td><td>"); P(cf_json_bool(e, "media_notice", 0) ? "required (more than 500)" : "no");
		P("</td><td>"); if (html_cites(out, get(e, "cites"), 3)) goto nomem;
		P("</td></tr>\n");
	}
	P("</tbody></table>\n<h3>List</h3>\n<table><thead><tr><th>Patient</th><th>State</th>"
	  "<th>Contact information</th><th>Evidence</th></tr></thead><tbody>\n");
	FOR_ROWS(e, get(aff, "patients"), n) {
		const cJSON *hc = get(e, "has_contact");

		P("<tr><td>"); H(str(e, "id"));
		if (cf_json_bool(e, "unverified_only", 0))
			P(" <span class=\"bad\">named only by UNVERIFIED evidence</span>");
		P("</td><td>"); H(str(e, "state"));
		P("</td><td>");
		P(cJSON_IsTrue(hc) ? "sufficient" : cJSON_IsFalse(hc) ? "insufficient or out of date" : "unknown");
		if (!cJSON_IsBool(hc)) P(confirm_badge);
		P("</td><td>"); if (html_cites(out, get(e, "evidence"), 3)) goto nomem;
		P("</td></tr>\n");
	}
	P("</tbody></table>\n");
	if (more_rows(out, get(aff, "patients"), n, "affected.csv and report.json", 1)) goto nomem;
	P("</section>\n");

	/* 4. Risk assessment */
	P("<section id=\"risk\">\n<h2>4. Risk assessment (45 CFR 164.402(2))</h2>\n<table><thead><tr>"
	  "<th>Factor</th><th>Pre-filled finding</th><th>Evidence</th></tr></thead><tbody>\n");
	cJSON_ArrayForEach(e, get(get(model, "risk_assessment"), "factors")) {
		P("<tr><td>"); H(str(e, "title")); P("</td><td>"); H(str(e, "finding"));
		P(confirm_badge); P("<br><em>"); H(str(e, "confirm_note")); P("</em></td><td>");
		if (html_cites(out, get(e, "cites"), 4)) goto nomem;
		P("</td></tr>\n");
	}
	P("</tbody></table>\n<p>"); H(str(get(model, "risk_assessment"), "conclusion"));
	P(confirm_badge); P("</p>\n</section>\n");

	/* 5. Obligations */
	P("<section id=\"obligations\">\n<h2>5. Obligations and due dates</h2>\n<p>Discovered on ");
	H(str(ob, "discovered")); P(".");
	if (!cJSON_IsNull(get(get(ob, "law_enforcement_delay"), "until"))) {
		P(" Law-enforcement delay until "); H(str(get(ob, "law_enforcement_delay"), "until"));
		P(" (45 CFR 164.412): no notice before "); H(str(get(ob, "law_enforcement_delay"), "not_before"));
		P("."); P(confirm_badge);
	}
	P("</p>\n<table><thead><tr><th>Notice</th><th>Due by</th><th>What</th><th>Rule</th></tr></thead><tbody>\n");
	snprintf(when, sizeof when, "%s", str(get(ob, "individual_notice"), "due"));
	if (html_obligation(out, "Individuals", get(ob, "individual_notice"), when)) goto nomem;
	snprintf(when, sizeof when, "%s", str(get(ob, "hhs_notice"), "due"));
	if (html_obligation(out, "Secretary of HHS", get(ob, "hhs_notice"), when)) goto nomem;
	e = get(ob, "media_notice");
	if (cf_json_bool(e, "required", 0)) {
		P("<tr><td>Prominent media outlets</td><td>"); H(str(e, "due"));
		P("</td><td>More than 500 residents of: ");
		cJSON_ArrayForEach(c, get(e, "states")) {
			H(str(c, "state")); F(" (%lld) ", (long long)cf_json_int(c, "count", 0));
		}
		P("</td><td>45 CFR 164.406</td></tr>\n");
	} else {
		P("<tr><td>Prominent media outlets</td><td>not required</td><td>No State or "
		  "jurisdiction has more than 500 affected residents.</td><td>45 CFR 164.406</td></tr>\n");
	}
	e = get(ob, "substitute_notice");
	P("<tr><td>Substitute notice</td><td>");
	H(cJSON_IsNull(get(e, "keep_until")) ? "" : "keep posting and number until ");
	H(str(e, "keep_until"));
	F("</td><td>%lld without usable contact information, %lld unknown. ",
	  (long long)cf_json_int(e, "no_contact", 0), (long long)cf_json_int(e, "contact_unknown", 0));
	H(str(e, "text")); P("</td><td>"); H(str(e, "rule")); P("</td></tr>\n</tbody></table>\n</section>\n");

	/* 6. Individual notice */
	P("<section id=\"notice\" class=\"page\">\n<h2>6. Draft notice to individuals (45 CFR 164.404(c))</h2>\n"
	  "<div class=\"letter\">\n");
	if ((rc = html_narrative(ctx, model, CF_TPL_NOTICE, t->notice, out)) != CF_OK)
		return rc;
	P("</div>\n</section>\n");

	/* 7. Media notice */
	P("<section id=\"media\">\n<h2>7. Draft notice to the media (45 CFR 164.406)</h2>\n");
	if (!cf_json_bool(get(ob, "media_notice"), "required", 0))
		P("<p class=\"note\">Not required by the figures above; kept as a draft in case "
		  "the count changes.</p>\n");
	P("<div class=\"letter\">\n");
	if ((rc = html_narrative(ctx, model, CF_TPL_MEDIA, t->media, out)) != CF_OK)
		return rc;
	P("</div>\n</section>\n");

	/* 8. HHS portal */
	P("<section id=\"hhs\" class=\"page\">\n<h2>8. HHS breach portal fields</h2>\n<table><thead><tr>"
	  "<th>Field</th><th>Value</th></tr></thead><tbody>\n");
	cJSON_ArrayForEach(e, get(model, "hhs_portal")) {
		P("<tr><td>"); H(str(e, "field")); P("</td><td>"); H(str(e, "value"));
		if (cf_json_bool(e, "confirm", 0)) P(confirm_badge);
		P("</td></tr>\n");
	}
	P("</tbody></table>\n</section>\n");

	/* 9. Model decisions */
	P("<section id=\"models\">\n<h2>9. Model decisions affected</h2>\n");
	if (!cJSON_GetArraySize(get(model, "model_decisions"))) {
		P("<p>No decisions by suspect model versions in the window.</p>\n");
	} else {
		P("<table><thead><tr><th>Time (UTC)</th><th>Patient</th><th>Model</th><th>Version</th>"
		  "<th>Decision</th><th>Score</th><th>Evidence</th></tr></thead><tbody>\n");
		cJSON_ArrayForEach(e, get(model, "model_decisions")) {
			P("<tr><td>"); H(str(e, "ts")); P("</td><td>"); H(str(e, "patient"));
			P("</td><td>"); H(str(e, "model")); P("</td><td>"); H(cf_json_text(get(e, "version"), tmp));
			P("</td><td>"); H(cf_json_text(get(e, "decision") ? get(e, "decision") : get(e, "output"), tmp));
			P("</td><td>"); H(cf_json_text(get(e, "score"), tmp));
			P("</td><td>"); if (html_cite(out, get(e, "cite"))) goto nomem;
			P("</td></tr>\n");
		}
		P("</tbody></table>\n");
	}
	P("</section>\n");

	/* 10. Evidence inventory */
	P("<section id=\"evidence\">\n<h2>10. Evidence inventory</h2>\n<table><thead><tr><th>Archive "
	  "(sha256sums digest)</th><th>File</th><th>Signer</th><th>Verification</th>"
	  "<th>Verified state</th><th>Citations</th></tr></thead><tbody>\n");
	cJSON_ArrayForEach(e, get(model, "evidence_inventory")) {
		const char *v = str(e, "verification");

		P("<tr><td class=\"cite\">"); H(str(e, "sha256sums")); P("</td><td>"); H(str(e, "path"));
		P("</td><td class=\"cite\">"); H(str(e, "signer"));
		P("</td><td class=\""); P(!strcmp(v, "OK") ? "ok" : "bad"); P("\">"); H(v);
		if (cf_json_int(e, "problems", 0))
			F(" (%lld problem(s))", (long long)cf_json_int(e, "problems", 0));
		P("</td><td class=\"");
		P(!strcmp(str(e, "verified_state"), "verified") ? "ok" : "bad"); P("\">");
		H(cf_json_str(e, "verified_state", "not stated"));
		F("</td><td>%lld</td></tr>\n", (long long)cf_json_int(e, "citations", 0));
	}
	P("</tbody></table>\n</section>\n");

	/* 11. Custody */
	P("<section id=\"custody\">\n<h2>11. Custody summary</h2>\n");
	e = get(model, "custody");
	if (!cJSON_IsObject(e)) {
		P("<p class=\"note\">No case folder was given (--case); no custody log summarised.</p>\n");
	} else {
		const cJSON *v = get(e, "verification");

		F("<p>%lld custody entries. Verification: ", (long long)cf_json_int(e, "entries", 0));
		if (!cJSON_IsObject(v)) {
			P("<span class=\"bad\">not verified</span>"); P(confirm_badge);
		} else if (cf_json_bool(v, "ok", 0)) {
			P("<span class=\"ok\">OK</span>");
		} else {
			P("<span class=\"bad\">FAILED</span> at entry ");
			F("%lld: ", (long long)cf_json_int(v, "first_bad", 0)); H(str(v, "detail"));
		}
		P("</p>\n<table><thead><tr><th>Seq</th><th>Time (UTC)</th><th>Actor</th><th>Action</th>"
		  "<th>Subject</th><th>Note</th></tr></thead><tbody>\n");
		cJSON_ArrayForEach(c, get(e, "log")) {
			P("<tr><td>"); H(cf_json_text(get(c, "seq"), tmp)); P("</td><td>"); H(str(c, "time"));
			P("</td><td>"); H(str(c, "actor")); P("</td><td>"); H(str(c, "action"));
			P("</td><td class=\"cite\">"); H(str(c, "subject")); P("</td><td>"); H(str(c, "note"));
			P("</td></tr>\n");
		}
		P("</tbody></table>\n");
	}
	P("</section>\n");

	/* 12. To confirm */
	P("<section id=\"confirm\">\n<h2>12. Fields a person must confirm</h2>\n<ul>\n");
	cJSON_ArrayForEach(e, get(model, "to_confirm")) {
		P("<li><strong>"); H(str(e, "section")); P(" / "); H(str(e, "field"));
		P("</strong>: "); H(str(e, "why")); P("</li>\n");
	}
	P("</ul>\n</section>\n</body>\n</html>\n");
	return CF_OK;
nomem:
	return cf_set_nomem(ctx, "html report");
}

/* ---- Markdown --------------------------------------------------------------- */

static int md_cite(struct cf_buf *out, const cJSON *c)
{
	char sh[13];

	if (!cJSON_IsObject(c))
		return 0;
	snprintf(sh, sizeof sh, "%s", str(c, "archive"));
	return cf_buf_puts(out, " \\[") || cf_esc_md(out, sh) || cf_buf_putc(out, ' ') ||
	       cf_esc_md(out, str(c, "member")) ||
	       cf_buf_printf(out, ":%lld%s\\]", (long long)cf_json_int(c, "line", 0),
			     cf_json_bool(c, "unverified", 0) ? " UNVERIFIED" : "");
}

static int md_cites(struct cf_buf *out, const cJSON *arr, int max)
{
	const cJSON *c;
	int n = 0, total = cJSON_GetArraySize(arr);

	cJSON_ArrayForEach(c, arr) {
		if (n++ == max)
			return cf_buf_printf(out, " (and %d more in report.json)", total - max);
		if (md_cite(out, c))
			return -1;
	}
	return 0;
}

int cf_report_md(struct cf_ctx *ctx, const cJSON *model,
		 const struct cf_report_templates *t, struct cf_buf *out)
{
	const cJSON *inc = get(model, "incident"), *aff = get(model, "affected");
	const cJSON *tl = get(model, "timeline"), *ob = get(model, "obligations"), *e;
	char tmp[64];
	int rc, n;

	P("# Breach notification package: "); M(str(inc, "id")); P("\n\n");
	M(str(get(inc, "covered_entity"), "name")); P(" — "); M(str(inc, "title"));
	P("  \nGenerated "); M(str(model, "generated_at"));
	P(verified_only(model) ? " by casefile from verified evidence." : " by casefile.");
	P(" **Draft for review**: items marked **TO CONFIRM** must be "
	  "confirmed by the privacy officer.\n\n");
	if (!verified_only(model)) {
		P("**"); M(str(get(model, "evidence_status"), "statement")); P("**\n\n");
	}
	P("## 1. Executive summary\n\n");
	if ((rc = cf_report_narrative(ctx, model, CF_TPL_SUMMARY, t->summary, out)) != CF_OK)
		return rc;
	F("\nIndividuals affected: **%lld**", (long long)cf_json_int(get(aff, "count"), "value", 0));
	if (md_cites(out, get(get(aff, "count"), "cites"), 5)) goto nomem;
	P("\n\n"); M(str(get(model, "evidence_status"), "statement")); P("\n\n");
	cJSON_ArrayForEach(e, get(model, "discrepancies")) {
		P("- Discrepancy: "); M(e->valuestring); P("\n");
	}
	P("\n## 2. Timeline\n\nThe chart of accesses over time by actor is in report.html.\n\n"
	  "| Time (UTC) | Actor | Source IP | Action | Patient | Evidence |\n|---|---|---|---|---|---|\n");
	FOR_ROWS(e, get(tl, "accesses"), n) {
		P("| "); M(str(e, "ts")); P(" | "); M(str(e, "actor")); P(" | "); M(str(e, "src_ip"));
		P(" | "); M(str(e, "action")); P(" | "); M(str(e, "patient")); P(" |");
		if (md_cite(out, get(e, "cite"))) goto nomem;
		P(" |\n");
	}
	if (more_rows(out, get(tl, "accesses"), n, "report.json", 0)) goto nomem;
	F("\nFailed attempts (not counted): %lld\n\n", (long long)cf_json_int(tl, "failed_attempt_count", 0));
	FOR_ROWS(e, get(tl, "failed_attempts"), n) {
		P("- "); M(str(e, "ts")); P(" "); M(str(e, "actor")); P(" "); M(str(e, "action"));
		P(" "); M(str(e, "outcome"));
		if (md_cite(out, get(e, "cite"))) goto nomem;
		P("\n");
	}
	if (more_rows(out, get(tl, "failed_attempts"), n, "report.json", 0)) goto nomem;
	F("\n## 3. Affected individuals\n\nCount: **%lld**\n\n| State | Count | Media notice |\n|---|---|---|\n",
	  (long long)cf_json_int(get(aff, "count"), "value", 0));
	cJSON_ArrayForEach(e, get(aff, "by_state")) {
		P("| "); M(str(e, "state")); F(" | %lld | %s |\n", (long long)cf_json_int(e, "count", 0),
					       cf_json_bool(e, "media_notice", 0) ? "required" : "no");
	}
	P("\n| Patient | State | Contact | Evidence |\n|---|---|---|---|\n");
	FOR_ROWS(e, get(aff, "patients"), n) {
		const cJSON *hc = get(e, "has_contact");

		P("| "); M(str(e, "id"));
		if (cf_json_bool(e, "unverified_only", 0))
			P(" (named only by **UNVERIFIED** evidence)");
		P(" | "); M(str(e, "state")); P(" | ");
		P(cJSON_IsTrue(hc) ? "sufficient" : cJSON_IsFalse(hc) ? "insufficient" : "unknown **TO CONFIRM**");
		P(" |"); if (md_cites(out, get(e, "evidence"), 3)) goto nomem;
		P(" |\n");
	}
	if (more_rows(out, get(aff, "patients"), n, "affected.csv and report.json", 0)) goto nomem;
	P("\n## 4. Risk assessment (45 CFR 164.402(2))\n\n");
	cJSON_ArrayForEach(e, get(get(model, "risk_assessment"), "factors")) {
		P("### "); M(str(e, "title")); P("\n\n"); M(str(e, "finding"));
		P(" **TO CONFIRM**: "); M(str(e, "confirm_note"));
		if (md_cites(out, get(e, "cites"), 4)) goto nomem;
		P("\n\n");
	}
	M(str(get(model, "risk_assessment"), "conclusion")); P(" **TO CONFIRM**\n\n");
	P("## 5. Obligations and due dates\n\nDiscovered: "); M(str(ob, "discovered"));
	if (!cJSON_IsNull(get(get(ob, "law_enforcement_delay"), "until"))) {
		P(". Law-enforcement delay until "); M(str(get(ob, "law_enforcement_delay"), "until"));
		P(" **TO CONFIRM**");
	}
	P("\n\n| Notice | Due by | What |\n|---|---|---|\n| Individuals | ");
	M(str(get(ob, "individual_notice"), "due")); P(" | "); M(str(get(ob, "individual_notice"), "text"));
	P(" |\n| Secretary of HHS | "); M(str(get(ob, "hhs_notice"), "due")); P(" | ");
	M(str(get(ob, "hhs_notice"), "text")); P(" |\n| Media | ");
	e = get(ob, "media_notice");
	if (cf_json_bool(e, "required", 0)) {
		const cJSON *s;

		M(str(e, "due")); P(" | More than 500 residents of:");
		cJSON_ArrayForEach(s, get(e, "states")) {
			P(" "); M(str(s, "state")); F(" (%lld)", (long long)cf_json_int(s, "count", 0));
		}
		P(" |\n");
	} else {
		P("not required | No State has more than 500 affected residents. |\n");
	}
	P("| Substitute notice | "); M(str(get(ob, "substitute_notice"), "keep_until")); P(" | ");
	M(str(get(ob, "substitute_notice"), "text")); P(" |\n\n## 6. Draft notice to individuals\n\n");
	if ((rc = cf_report_narrative(ctx, model, CF_TPL_NOTICE, t->notice, out)) != CF_OK)
		return rc;
	P("\n## 7. Draft notice to the media\n\n");
	if ((rc = cf_report_narrative(ctx, model, CF_TPL_MEDIA, t->media, out)) != CF_OK)
		return rc;
	P("\n## 8. HHS breach portal fields\n\n| Field | Value |\n|---|---|\n");
	cJSON_ArrayForEach(e, get(model, "hhs_portal")) {
		P("| "); M(str(e, "field")); P(" | "); M(str(e, "value"));
		if (cf_json_bool(e, "confirm", 0)) P(" **TO CONFIRM**");
		P(" |\n");
	}
	P("\n## 9. Model decisions affected\n\n");
	cJSON_ArrayForEach(e, get(model, "model_decisions")) {
		P("- "); M(str(e, "ts")); P(" patient "); M(str(e, "patient")); P(", ");
		M(str(e, "model")); P("@"); M(cf_json_text(get(e, "version"), tmp)); P(": ");
		M(cf_json_text(get(e, "decision") ? get(e, "decision") : get(e, "output"), tmp));
		if (md_cite(out, get(e, "cite"))) goto nomem;
		P("\n");
	}
	P("\n## 10. Evidence inventory\n\n| Archive | File | Verification | Verified state | Citations |\n"
	  "|---|---|---|---|---|\n");
	cJSON_ArrayForEach(e, get(model, "evidence_inventory")) {
		P("| "); M(str(e, "sha256sums")); P(" | "); M(str(e, "path")); P(" | ");
		M(str(e, "verification")); P(" | "); M(cf_json_str(e, "verified_state", "not stated"));
		F(" | %lld |\n", (long long)cf_json_int(e, "citations", 0));
	}
	P("\n## 11. Custody summary\n\n");
	e = get(model, "custody");
	if (!cJSON_IsObject(e)) {
		P("No case folder was given; no custody log summarised.\n");
	} else {
		const cJSON *v = get(e, "verification"), *c;

		F("%lld entries; verification: %s\n\n", (long long)cf_json_int(e, "entries", 0),
		  !cJSON_IsObject(v) ? "not verified **TO CONFIRM**" : cf_json_bool(v, "ok", 0) ? "OK" : "FAILED");
		cJSON_ArrayForEach(c, get(e, "log")) {
			P("- "); M(cf_json_text(get(c, "seq"), tmp)); P(" "); M(str(c, "time")); P(" ");
			M(str(c, "actor")); P(" "); M(str(c, "action")); P(" "); M(str(c, "note")); P("\n");
		}
	}
	P("\n## 12. Fields a person must confirm\n\n");
	cJSON_ArrayForEach(e, get(model, "to_confirm")) {
		P("- **"); M(str(e, "section")); P(" / "); M(str(e, "field")); P("**: ");
		M(str(e, "why")); P("\n");
	}
	return CF_OK;
nomem:
	return cf_set_nomem(ctx, "markdown report");
}

/* ---- CSV -------------------------------------------------------------------- */

/* Fields through the core writer: quoting, formulas neutralised. */
#define C(s) do { if (cf_csv_field(out, (s) ? (s) : "")) goto nomem; } while (0)

int cf_report_csv_patients(struct cf_ctx *ctx, const cJSON *model, struct cf_buf *out)
{
	const cJSON *p;

	P("patient,state,has_contact,archive,member,line\r\n");
	cJSON_ArrayForEach(p, get(get(model, "affected"), "patients")) {
		const cJSON *c = cJSON_GetArrayItem(get(p, "evidence"), 0), *hc = get(p, "has_contact");

		C(str(p, "id")); P(","); C(str(p, "state")); P(",");
		P(cJSON_IsTrue(hc) ? "yes" : cJSON_IsFalse(hc) ? "no" : "unknown"); P(",");
		C(str(c, "archive")); P(","); C(str(c, "member"));
		F(",%lld\r\n", (long long)cf_json_int(c, "line", 0));
	}
	return CF_OK;
nomem:
	return cf_set_nomem(ctx, "csv");
}

int cf_report_csv_states(struct cf_ctx *ctx, const cJSON *model, struct cf_buf *out)
{
	const cJSON *s;

	P("state,count,media_notice\r\n");
	cJSON_ArrayForEach(s, get(get(model, "affected"), "by_state")) {
		C(str(s, "state"));
		F(",%lld,%s\r\n", (long long)cf_json_int(s, "count", 0),
		  cf_json_bool(s, "media_notice", 0) ? "yes" : "no");
	}
	return CF_OK;
nomem:
	return cf_set_nomem(ctx, "csv");
}

int cf_report_csv_portal(struct cf_ctx *ctx, const cJSON *model, struct cf_buf *out)
{
	const cJSON *f;

	P("field,value,to_confirm\r\n");
	cJSON_ArrayForEach(f, get(model, "hhs_portal")) {
		C(str(f, "field")); P(","); C(str(f, "value"));
		P(cf_json_bool(f, "confirm", 0) ? ",yes\r\n" : ",no\r\n");
	}
	return CF_OK;
nomem:
	return cf_set_nomem(ctx, "csv");
}
