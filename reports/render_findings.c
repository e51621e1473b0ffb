/* SPDX-License-Identifier: Apache-2.0
 *
 * The breach report's "Findings that named the suspects" section (HTML and
 * Markdown): one row per finding the scope took suspects from
 * (`--from-findings`, reports/model_findings.c): rule id, title, level,
 * count, the suspects it named and the first events of its evidence
 * (archive, member, line). Values are escaped where they are written.
 */
#include "casefile/buf.h"
#include "casefile/error.h"
#include "escape.h"
#include "render_int.h"

#define get cf_rget

static const char none[] = "No finding was used to name suspects: they are the "
	"incident file's (timeline scope --from-findings takes them from "
	"detection findings).";

/* "ARCHIVE MEMBER:LINE (TIME)" for each event shown, sep between them. */
static void evidence(struct cf_buf *out, cf_esc_fn esc, const cJSON *row,
		     const char *sep)
{
	const cJSON *e;
	int n = 0;

	cJSON_ArrayForEach(e, get(row, "events")) {
		if (n++)
			cf_buf_puts(out, sep);
		cf_esc_put(out, esc, e, "archive ", "archive", " ", "member", NULL);
		cf_buf_printf(out, ":%lld", (long long)cf_json_int(e, "line", 0));
		cf_esc_put(out, esc, e, " (", "ts", ")", NULL);
	}
	if (cf_json_int(row, "count", 0) > n)
		cf_buf_printf(out, "%s%lld event(s) in all (report.json lists %lld)", n ? sep : "",
			      (long long)cf_json_int(row, "count", 0),
			      (long long)cf_json_int(row, "events_recorded", 0));
}

int cf_report_html_findings(const struct cf_render *r)
{
	const cJSON *rows = get(get(r->model, "findings"), "rows"), *e;
	int n;

	if (!cJSON_GetArraySize(rows)) {
		cf_buf_printf(r->out, "<p>%s</p>\n", none);
		return CF_OK;
	}
	cf_buf_puts(r->out, "<table>\n<thead><tr><th>Rule</th><th>Title</th><th>Level</th>"
		    "<th>Events</th><th>Suspects named</th><th>Evidence</th></tr></thead>\n"
		    "<tbody>\n");
	CF_REPORT_FOR_ROWS(e, rows, n) {
		cf_esc_put(r->out, cf_esc_html, e, "<tr><td>", "rule_id", "</td><td>", "title",
			   "</td><td>", "level", "</td><td>", NULL);
		cf_buf_printf(r->out, "%lld", (long long)cf_json_int(e, "count", 0));
		cf_esc_put(r->out, cf_esc_html, e, "</td><td>", "named", "</td><td>", NULL);
		evidence(r->out, cf_esc_html, e, "<br>");
		cf_buf_puts(r->out, "</td></tr>\n");
	}
	cf_buf_puts(r->out, "</tbody></table>\n");
	cf_report_more_rows(r->out, rows, n, "report.json", 1);
	return CF_OK;
}

int cf_report_md_findings(const struct cf_render *r)
{
	const cJSON *rows = get(get(r->model, "findings"), "rows"), *e;
	int n;

	if (!cJSON_GetArraySize(rows)) {
		cf_buf_printf(r->out, "%s\n", none);
		return CF_OK;
	}
	CF_REPORT_FOR_ROWS(e, rows, n) {
		cf_esc_put(r->out, cf_esc_md, e, "- **", "rule_id", "** ", "title", " (level ",
			   "level", ", ", NULL);
		cf_buf_printf(r->out, "%lld event(s)", (long long)cf_json_int(e, "count", 0));
		cf_esc_put(r->out, cf_esc_md, e, "): ", "named", "\n  - ", NULL);
		evidence(r->out, cf_esc_md, e, "\n  - ");
		cf_buf_puts(r->out, "\n");
	}
	cf_report_more_rows(r->out, rows, n, "report.json", 0);
	return CF_OK;
}
