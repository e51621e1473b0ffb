/* SPDX-License-Identifier: Apache-2.0
 *
 * After-action report of a drill (see drill_report.h).
 *
 * The drill engine (playbooks/) scores the exercise and writes
 * after-action.json; this file only presents it as a document to circulate:
 * HTML that prints well, Markdown, or the JSON with the report's time. It
 * recomputes nothing, so the report and `drill status` cannot disagree.
 * Every value comes from a file participants typed into and is escaped.
 * The appends are unchecked: the buffer's first failure is sticky and is
 * checked once at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "casefile/time.h"
#include "drill_report.h"
#include "escape.h"

#define MAX_AA (64u << 20)

int cf_drill_report_load(struct cf_ctx *ctx, const char *dir, cJSON **out)
{
	char *aa = cf_path_join(dir, "after-action.json");
	char *dj = cf_path_join(dir, "drill.json");
	struct stat st;
	int rc;

	*out = NULL;
	if (!aa || !dj) {
		rc = cf_set_nomem(ctx, dir);
	} else if (stat(aa, &st) != 0 && errno == ENOENT && stat(dj, &st) == 0) {
		rc = cf_set_error(ctx, 0, "the drill in '%s' has not ended: run "
				  "`casefile drill end -d %s` first", dir, dir);
	} else {
		rc = cf_json_parse_file(ctx, aa, MAX_AA, out);
		if (rc == CF_OK && !cJSON_IsObject(*out)) {
			cJSON_Delete(*out);
			*out = NULL;
			rc = cf_set_error(ctx, 0, "%s: not an after-action object", aa);
		}
	}
	free(aa);
	free(dj);
	return rc;
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *str(const cJSON *o, const char *k)
{
	return cf_json_str(o, k, "");
}

static const char css[] =
	"body{font-family:'DejaVu Sans','Liberation Sans',Arial,sans-serif;color:#18181b;"
	"max-width:60rem;margin:2rem auto;padding:0 1.5rem;font-size:14px;line-height:1.45}"
	"h1{font-size:1.6rem;border-bottom:3px solid #1f3a5f;padding-bottom:.4rem}"
	"h2{font-size:1.2rem;color:#1f3a5f;border-bottom:1px solid #cbd5e1;margin-top:2rem}"
	"table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.6rem 0}"
	"th,td{border:1px solid #cbd5e1;padding:.3rem .45rem;text-align:left;vertical-align:top}"
	"th{background:#f1f5f9}.meta{color:#52525b}.score{font-size:1.6rem;font-weight:bold}"
	".r-on{color:#15803d;font-weight:bold}.r-late{color:#a16207;font-weight:bold}"
	".r-bad{color:#b91c1c;font-weight:bold}svg{max-width:100%;height:auto}"
	"@media print{body{margin:0;max-width:none;font-size:11px}table,svg{break-inside:avoid}"
	"h2{break-after:avoid}}";

static const char *result_class(const char *r)
{
	if (!strcmp(r, "on time"))
		return "r-on";
	return !strcmp(r, "late") ? "r-late" : "r-bad";
}

/* How rows, cells and list items open and close in each format. */
struct markup {
	const char *row, *cell, *end_row, *item, *end_item;
};
static const struct markup markups[2] = {
	{"| ", " | ", " |\n", "- ", "\n"},                                 /* Markdown */
	{"<tr><td>", "</td><td>", "</td></tr>\n", "<li>", "</li>\n"},      /* HTML */
};

/* Horizontal bars: points earned of the points possible per action. */
static void svg_points(struct cf_buf *out, const cJSON *expected)
{
	const cJSON *e;
	int n = cJSON_GetArraySize(expected), i = 0, W = 760, L = 200, bh = 18, gap = 8;

	cf_buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 %d %d\" "
		      "width=\"%d\" height=\"%d\" aria-label=\"Points earned per expected action\">\n"
		      "<title>Points earned per expected action</title>\n",
		      W, n * (bh + gap) + 10, W, n * (bh + gap) + 10);
	cJSON_ArrayForEach(e, expected) {
		double max = cf_json_num(e, "max_points", 0), got = cf_json_num(e, "points", 0);
		double full = W - L - 60, w = max > 0 ? full * got / max : 0;
		int y = 5 + i * (bh + gap);
		const char *r = str(e, "result");
		const char *col = !strcmp(r, "on time") ? "#15803d" : !strcmp(r, "late") ? "#d97706" : "#b91c1c";

		cf_buf_printf(out, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"end\" fill=\"#18181b\">",
			      L - 8, y + 13);
		cf_esc_html(out, str(e, "step"));
		cf_buf_printf(out, "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#e4e4e7\"/>",
			      L, y, full, bh);
		cf_buf_printf(out, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>", L, y, w, bh, col);
		cf_esc_html(out, r);
		cf_buf_printf(out, "</title></rect><text x=\"%.1f\" y=\"%d\" font-size=\"12\" fill=\"#18181b\">%g / %g</text>\n",
			      L + full + 6, y + 13, got, max);
		i++;
	}
	cf_buf_puts(out, "</svg>\n");
}

int cf_drill_report_render(struct cf_ctx *ctx, const cJSON *aa,
			   const char *fmt, int64_t generated_at,
			   struct cf_buf *out)
{
	int html = !strcmp(fmt, "html");
	cf_esc_fn esc = html ? cf_esc_html : cf_esc_md;
	const struct markup *m = &markups[html];
	const cJSON *e;
	char when[CF_TIME_STR], b[64];

	cf_time_format(generated_at, when);
	if (!strcmp(fmt, "json")) {
		cJSON *j = cJSON_Duplicate(aa, 1);
		char *s;
		int bad;

		if (!j || cf_json_add_str(j, "report_generated_at", when)) {
			cJSON_Delete(j);
			return cf_set_nomem(ctx, "drill report");
		}
		s = cJSON_Print(j);
		cJSON_Delete(j);
		bad = !s || cf_buf_puts(out, s) || cf_buf_putc(out, '\n');
		free(s);
		return bad ? cf_set_nomem(ctx, "drill report") : CF_OK;
	}
	if (html) {
		cf_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
			    "<title>After-action report</title>\n<style>");
		cf_buf_puts(out, css);
		cf_buf_puts(out, "</style>\n</head>\n<body>\n<h1>After-action report: ");
		esc(out, str(aa, "title"));
		cf_buf_puts(out, "</h1>\n<p class=\"meta\">Scenario ");
	} else {
		cf_buf_puts(out, "# After-action report: ");
		esc(out, str(aa, "title"));
		cf_buf_puts(out, "\n\nScenario ");
	}
	cf_esc_put(out, esc, aa, "", "scenario", ", playbook ", "playbook",
		   ". Drill clock at the end ", "clock", " (", "simulated_time",
		   "). Report generated ", NULL);
	esc(out, when);
	cf_buf_puts(out, ".");
	cf_buf_puts(out, html ? "</p>\n<h2>Summary</h2>\n<p>Score: <span class=\"score\">" : "\n\n## Summary\n\nScore: **");
	cf_buf_printf(out, "%g / 100", cf_json_num(aa, "score", 0));
	cf_buf_puts(out, html ? "</span> (" : "** (");
	cf_buf_printf(out, "%g of %g points).", cf_json_num(aa, "points", 0), cf_json_num(aa, "max_points", 0));
	cf_buf_puts(out, html ? "</p>\n" : "\n\n");
	if (html)
		svg_points(out, get(aa, "expected"));

	/* Timeline of injects and decisions, in simulated time. */
	cf_buf_puts(out, html ? "<h2>Timeline of injects and decisions</h2>\n<table><thead><tr><th>Clock</th>"
		    "<th>Time (simulated)</th><th>Event</th><th>Detail</th></tr></thead><tbody>\n"
		    : "## Timeline of injects and decisions\n\n| Clock | Time (simulated) | Event | Detail |\n|---|---|---|---|\n");
	{
		const cJSON *inj = get(aa, "injects"), *dec = get(aa, "decisions");
		const cJSON *a = inj ? inj->child : NULL, *d = dec ? dec->child : NULL;

		while (a || d) {
			int take_inject = a && (!d || cf_json_int(a, "at_us", 0) <= cf_json_int(d, "at_us", 0));
			const cJSON *x = take_inject ? a : d;

			cf_esc_put(out, esc, x, m->row, "offset", m->cell, "time", m->cell, NULL);
			if (take_inject) {
				cf_esc_put(out, esc, x, "inject: ", "title", m->cell, "text", NULL);
				a = a->next;
			} else {
				cf_esc_put(out, esc, x, "decision: ", "step", m->cell, "participant",
					   " (", "role", ")", NULL);
				if (cJSON_IsString(get(x, "answer"))) {
					cf_buf_puts(out, ", answered ");
					esc(out, str(x, "answer"));
				}
				if (cJSON_IsString(get(x, "note"))) {
					cf_buf_puts(out, ": ");
					esc(out, str(x, "note"));
				}
				d = d->next;
			}
			cf_buf_puts(out, m->end_row);
		}
	}
	cf_buf_puts(out, html ? "</tbody></table>\n<h2>Expected actions</h2>\n<table><thead><tr><th>Step</th><th>Owner</th>"
		    "<th>Due</th><th>Done</th><th>By</th><th>Result</th><th>Points</th></tr></thead><tbody>\n"
		    : "\n## Expected actions\n\n| Step | Owner | Due | Done | By | Result | Points |\n|---|---|---|---|---|---|---|\n");
	cJSON_ArrayForEach(e, get(aa, "expected")) {
		static const char *const keys[] = {"owner", "due", "recorded", "by", NULL};

		cf_esc_put(out, esc, e, m->row, "step", ": ", "title", NULL);
		for (int i = 0; keys[i]; i++) {
			cf_buf_puts(out, m->cell);
			esc(out, str(e, keys[i]));
		}
		if (html)
			cf_buf_printf(out, "</td><td class=\"%s\">", result_class(str(e, "result")));
		else
			cf_buf_puts(out, m->cell);
		esc(out, str(e, "result"));
		if (cJSON_IsString(get(e, "expected_answer"))) {
			cf_buf_puts(out, " (right answer: ");
			esc(out, str(e, "expected_answer"));
			cf_buf_puts(out, ")");
		}
		cf_buf_puts(out, m->cell);
		cf_buf_printf(out, "%s / ", cf_json_text(get(e, "points"), b));
		cf_buf_printf(out, "%s", cf_json_text(get(e, "max_points"), b));
		cf_buf_puts(out, m->end_row);
	}
	cf_buf_puts(out, html ? "</tbody></table>\n<h2>Strengths</h2>\n<ul>\n" : "\n## Strengths\n\n");
	cJSON_ArrayForEach(e, get(aa, "expected"))
		if (!strcmp(str(e, "result"), "on time")) {
			cf_esc_put(out, esc, e, m->item, "title", " (", "step",
				   ") done on time by ", "by", m->end_item, NULL);
		}
	cf_buf_puts(out, html ? "</ul>\n<h2>Gaps</h2>\n<ul>\n" : "\n## Gaps\n\n");
	cJSON_ArrayForEach(e, get(aa, "expected"))
		if (strcmp(str(e, "result"), "on time")) {
			cf_esc_put(out, esc, e, m->item, "title", " (", "step", "): ",
				   "result", m->end_item, NULL);
		}
	cf_buf_puts(out, html ? "</ul>\n<h2>Improvement plan</h2>\n<table><thead><tr><th>#</th><th>Action</th>"
		    "<th>Owner</th><th>Due</th></tr></thead><tbody>\n"
		    : "\n## Improvement plan\n\n| # | Action | Owner | Due |\n|---|---|---|---|\n");
	{
		int i = 1;

		cJSON_ArrayForEach(e, get(aa, "improvement_plan")) {
			cf_buf_printf(out, "%s%d", m->row, i++);
			cf_esc_put(out, esc, e, m->cell, "action", m->cell, "owner", m->cell, "due",
				   m->end_row, NULL);
		}
	}
	cf_buf_puts(out, html ? "</tbody></table>\n</body>\n</html>\n" : "");
	return cf_buf_error(out) ? cf_set_nomem(ctx, "drill report") : CF_OK;
}
