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

/* The markup around a finding's values (rule id, title, level, count,
 * suspects named, evidence): a table row in HTML, a list item with its
 * evidence nested in Markdown. [1] is HTML. */
static const char *const around[2][8] = {
	{"- **", "** ", " (level ", ", ", " event(s)): ", "\n  - ", "\n  - ", "\n"},
	{"<tr><td>", "</td><td>", "</td><td>", "</td><td>", "</td><td>", "</td><td>",
	 "<br>", "</td></tr>\n"},
};

int cf_report_findings(const struct cf_render *r)
{
	const struct cf_report_markup *m = r->m;
	const cJSON *rows = get(get(r->model, "findings"), "rows"), *e;
	const char *const *a = around[m->html];
	int n;

	if (!cJSON_GetArraySize(rows)) {
		cf_buf_printf(r->out, m->html ? "<p>%s</p>\n" : "%s\n", none);
		return CF_OK;
	}
	if (m->html)
		cf_buf_puts(r->out, "<table>\n<thead><tr><th>Rule</th><th>Title</th>"
			    "<th>Level</th><th>Events</th><th>Suspects named</th>"
			    "<th>Evidence</th></tr></thead>\n<tbody>\n");
	CF_REPORT_FOR_ROWS(e, rows, n) {
		cf_esc_put(r->out, m->esc, e, a[0], "rule_id", a[1], "title", a[2], "level",
			   a[3], NULL);
		cf_buf_printf(r->out, "%lld", (long long)cf_json_int(e, "count", 0));
		cf_esc_put(r->out, m->esc, e, a[4], "named", a[5], NULL);
		evidence(r->out, m->esc, e, a[6]);
		cf_buf_puts(r->out, a[7]);
	}
	if (m->html)
		cf_buf_puts(r->out, "</tbody></table>\n");
	cf_report_more_rows(r->out, rows, n, "report.json", m->html);
	return CF_OK;
}
