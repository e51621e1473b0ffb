/* SPDX-License-Identifier: Apache-2.0
 *
 * The Markdown rendering of the breach report (cf_report_md, render.h).
 *
 * The same sections as the HTML (cf_report_sections, render.c), for a
 * reviewer who edits text rather than prints: GitHub-style tables, the
 * narrative templates filled in place, citations as [digest member:line].
 * Every value goes through cf_esc_md, so a patient id cannot become markup
 * or a link. The appends are unchecked; the driver checks the buffer's
 * sticky error once per section.
 */
#include <stdio.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "escape.h"
#include "hhs_worksheet.h"
#include "render_int.h"

#define get cf_rget
#define str cf_rstr

static void md_cite(struct cf_buf *out, const cJSON *c)
{
	char sh[13];

	if (!cJSON_IsObject(c))
		return;
	snprintf(sh, sizeof sh, "%s", str(c, "archive"));
	cf_buf_puts(out, " \\[");
	cf_esc_md(out, sh);
	cf_buf_putc(out, ' ');
	cf_esc_md(out, str(c, "member"));
	cf_buf_printf(out, ":%lld%s\\]", (long long)cf_json_int(c, "line", 0),
		      cf_json_bool(c, "unverified", 0) ? " UNVERIFIED" : "");
}

static void md_cites(struct cf_buf *out, const cJSON *arr, int max)
{
	const cJSON *c;
	int n = 0, total = cJSON_GetArraySize(arr);

	cJSON_ArrayForEach(c, arr) {
		if (n++ == max) {
			cf_buf_printf(out, " (and %d more in report.json)", total - max);
			return;
		}
		md_cite(out, c);
	}
}

/* The values of keys (NULL-terminated) of e, escaped, each between pre
 * and post: " ", " |" make table cells after a "|". */
static void md_fields(struct cf_buf *out, const cJSON *e, const char *const *keys,
		      const char *pre, const char *post)
{
	for (; *keys; keys++) {
		cf_buf_puts(out, pre);
		cf_esc_md(out, str(e, *keys));
		cf_buf_puts(out, post);
	}
}

/* ---- sections -------------------------------------------------------------- */

int cf_report_md_summary(const struct cf_render *r)
{
	struct cf_buf *out = r->out;
	const cJSON *e;
	const char *name, *tpl = cf_report_summary_tpl(r->model, r->t, &name);
	int rc;

	if ((rc = cf_report_narrative(r->ctx, r->model, name, tpl, out)) != CF_OK)
		return rc;
	cf_buf_printf(out, "\nIndividuals affected: **%lld**",
		      (long long)cf_json_int(get(r->aff, "count"), "value", 0));
	md_cites(out, get(get(r->aff, "count"), "cites"), 5);
	cf_buf_puts(out, "\n\n");
	cf_esc_md(out, str(get(r->model, "evidence_status"), "statement"));
	cf_buf_printf(out, "\n\n- Successful accesses counted: %d\n"
		      "- Failed attempts (not counted): %lld\n"
		      "- States of residence: %d\n"
		      "- Model decisions by suspect versions: %d\n",
		      cJSON_GetArraySize(get(r->tl, "accesses")),
		      (long long)cf_json_int(r->tl, "failed_attempt_count", 0),
		      cJSON_GetArraySize(get(r->aff, "by_state")),
		      cJSON_GetArraySize(get(r->model, "model_decisions")));
	cf_esc_put(out, cf_esc_md, get(r->ob, "individual_notice"),
		   "- Notice to individuals due: ", "due", " (", "status", ")\n", NULL);
	cf_esc_put(out, cf_esc_md, get(r->ob, "hhs_notice"),
		   "- Notice to the Secretary of HHS due: ", "due", " (", "status", ")\n", NULL);
	cf_buf_printf(out, "- Items to confirm before any notice is sent: %d (see "
		      "\"Fields a person must confirm\")\n\n",
		      cJSON_GetArraySize(get(r->model, "to_confirm")));
	cJSON_ArrayForEach(e, get(r->model, "discrepancies")) {
		cf_buf_puts(out, "- Discrepancy: ");
		cf_esc_md(out, e->valuestring);
		cf_buf_puts(out, "\n");
	}
	return CF_OK;
}

/* cf_report_md_markup's event table (render_int.h). */
void cf_report_md_events(struct cf_buf *out, const cJSON *rows,
			 const char *const *heads, const char *const *keys,
			 int max)
{
	const char *k[CF_REPORT_MAX_COLS + 1];
	const cJSON *e;
	int idx[CF_REPORT_MAX_COLS], n, nk = cf_report_columns(rows, keys, max, idx);

	cf_buf_puts(out, "|");
	for (int i = 0; i < nk; i++) {
		k[i] = keys[idx[i]];
		cf_buf_printf(out, " %s |", heads[idx[i]]);
	}
	k[nk] = NULL;
	cf_buf_puts(out, " Evidence |\n|");
	for (int i = 0; i <= nk; i++)
		cf_buf_puts(out, "---|");
	cf_buf_puts(out, "\n");
	CF_REPORT_FOR_ROWS(e, rows, n) {
		if (n >= max)
			break;
		cf_buf_puts(out, "|");
		md_fields(out, e, k, " ", " |");
		md_cite(out, get(e, "cite"));
		cf_buf_puts(out, " |\n");
	}
	if (max >= CF_REPORT_MAX_ROWS)
		cf_report_more_rows(out, rows, n, "report.json", 0);
}

int cf_report_md_timeline(const struct cf_render *r)
{
	static const char *const bkeys[] = {"actor", "accesses", "patients",
		"src_ips", "first", "last", NULL};
	struct cf_buf *out = r->out;
	const cJSON *acc = get(r->tl, "accesses"), *e;
	cJSON *by;

	cf_buf_printf(out, "The chart of accesses over time by actor is in report.html.\n\n"
		      "%d successful access(es) counted, by actor (most first):\n\n"
		      "| Actor | Accesses | Patients | Source IPs | First (UTC) | Last (UTC) |\n"
		      "|---|---|---|---|---|---|\n", cJSON_GetArraySize(acc));
	if (!(by = cf_report_by_actor(acc)))
		return cf_set_nomem(r->ctx, r->what);
	cJSON_ArrayForEach(e, by)
		cf_report_text_row(out, &cf_report_md_markup, e, bkeys);
	cJSON_Delete(by);
	cf_buf_puts(out, "\n");
	cf_report_body_accesses(r);
	cf_report_body_failed(r);
	return CF_OK;
}

/* The affected individuals, at most max (and CF_REPORT_MAX_ROWS). */
static void md_patients(const struct cf_render *r, int max)
{
	struct cf_buf *out = r->out;
	const cJSON *e;
	int n;

	cf_buf_puts(out, "| Patient | State | Contact | Evidence |\n|---|---|---|---|\n");
	CF_REPORT_FOR_ROWS(e, get(r->aff, "patients"), n) {
		const cJSON *hc = get(e, "has_contact");

		if (n >= max)
			break;
		cf_buf_puts(out, "| ");
		cf_esc_md(out, str(e, "id"));
		if (cf_json_bool(e, "unverified_only", 0))
			cf_buf_puts(out, " (named only by **UNVERIFIED** evidence)");
		cf_esc_put(out, cf_esc_md, e, " | ", "state", " | ", NULL);
		cf_buf_puts(out, cJSON_IsTrue(hc) ? "sufficient" : cJSON_IsFalse(hc)
			    ? "insufficient" : "unknown **TO CONFIRM**");
		cf_buf_puts(out, " |");
		md_cites(out, get(e, "evidence"), 3);
		cf_buf_puts(out, " |\n");
	}
	if (max >= CF_REPORT_MAX_ROWS)
		cf_report_more_rows(out, get(r->aff, "patients"), n,
				    "affected.csv and report.json", 0);
}

int cf_report_md_affected(const struct cf_render *r)
{
	struct cf_buf *out = r->out;
	const cJSON *e;

	cf_buf_printf(out, "Count: **%lld**\n\nBy State of residence (most first):\n\n"
		      "| State | Count | Media notice |\n|---|---|---|\n",
		      (long long)cf_json_int(get(r->aff, "count"), "value", 0));
	cJSON_ArrayForEach(e, get(r->aff, "by_state")) {
		cf_buf_puts(out, "| ");
		cf_esc_md(out, str(e, "state"));
		cf_buf_printf(out, " | %lld | %s |\n", (long long)cf_json_int(e, "count", 0),
			      cf_json_bool(e, "media_notice", 0) ? "required" : "no");
	}
	cf_buf_puts(out, "\n");
	md_patients(r, CF_REPORT_BODY_PATIENTS);
	cf_report_see_appendix(out, &cf_report_md_markup, get(r->aff, "patients"),
			       CF_REPORT_BODY_PATIENTS, "all-affected", "affected.csv");
	return CF_OK;
}

int cf_report_md_app_patients(const struct cf_render *r)
{
	md_patients(r, CF_REPORT_MAX_ROWS);
	return CF_OK;
}

int cf_report_md_risk(const struct cf_render *r)
{
	struct cf_buf *out = r->out;
	const cJSON *e, *ra = get(r->model, "risk_assessment");

	cJSON_ArrayForEach(e, get(ra, "factors")) {
		cf_esc_put(out, cf_esc_md, e, "### ", "title", "\n\n", "finding",
			   " **TO CONFIRM**: ", "confirm_note", NULL);
		md_cites(out, get(e, "cites"), 4);
		cf_buf_puts(out, "\n\n");
	}
	cf_esc_md(out, str(ra, "conclusion"));
	cf_buf_puts(out, " **TO CONFIRM**\n");
	return CF_OK;
}

int cf_report_md_obligations(const struct cf_render *r)
{
	struct cf_buf *out = r->out;
	const cJSON *ob = r->ob, *led = get(ob, "law_enforcement_delay");
	const cJSON *e = get(ob, "media_notice"), *s;

	cf_esc_put(out, cf_esc_md, ob, "Discovered: ", "discovered", NULL);
	if (!cJSON_IsNull(get(led, "until")))
		cf_esc_put(out, cf_esc_md, led, ". Law-enforcement delay until ", "until",
			   " **TO CONFIRM**", NULL);
	cf_buf_puts(out, "\n\n| Notice | Due by | What |\n|---|---|---|\n");
	cf_esc_put(out, cf_esc_md, get(ob, "individual_notice"), "| Individuals | ", "due",
		   " | ", "text", NULL);
	cf_esc_put(out, cf_esc_md, get(ob, "hhs_notice"), " |\n| Secretary of HHS | ", "due",
		   " | ", "text", NULL);
	cf_buf_puts(out, " |\n| Media | ");
	if (cf_json_bool(e, "required", 0)) {
		cf_esc_md(out, str(e, "due"));
		cf_buf_puts(out, " | More than 500 residents of:");
		cJSON_ArrayForEach(s, get(e, "states")) {
			cf_buf_puts(out, " ");
			cf_esc_md(out, str(s, "state"));
			cf_buf_printf(out, " (%lld)", (long long)cf_json_int(s, "count", 0));
		}
		cf_buf_puts(out, " |\n");
	} else {
		cf_buf_puts(out, "not required | No State has more than 500 affected residents. |\n");
	}
	e = get(ob, "substitute_notice");
	cf_esc_put(out, cf_esc_md, e, "| Substitute notice | ", "keep_until", " | ", "text",
		   " |\n", NULL);
	return CF_OK;
}

int cf_report_md_notice(const struct cf_render *r)
{
	return cf_report_narrative(r->ctx, r->model, CF_TPL_NOTICE, r->t->notice, r->out);
}

int cf_report_md_media(const struct cf_render *r)
{
	return cf_report_narrative(r->ctx, r->model, CF_TPL_MEDIA, r->t->media, r->out);
}

int cf_report_md_hhs(const struct cf_render *r)
{
	struct cf_buf *out = r->out;
	const cJSON *e;

	e = get(get(r->model, "hhs_worksheet"), "part2");
	if (cf_json_bool(e, "flag", 0))
		cf_esc_put(out, cf_esc_md, e, "**42 CFR Part 2:** ", "text", "\n", NULL);
	return cf_report_worksheet_body_md(r->model, out);
}

int cf_report_md_models(const struct cf_render *r)
{
	struct cf_buf *out = r->out;
	const cJSON *e;
	char tmp[64];

	cJSON_ArrayForEach(e, get(r->model, "model_decisions")) {
		const cJSON *d = get(e, "decision") ? get(e, "decision") : get(e, "output");

		cf_esc_put(out, cf_esc_md, e, "- ", "ts", " patient ", "patient", ", ", "model",
			   "@", NULL);
		cf_esc_md(out, cf_json_text(get(e, "version"), tmp));
		cf_buf_puts(out, ": ");
		cf_esc_md(out, cf_json_text(d, tmp));
		md_cite(out, get(e, "cite"));
		cf_buf_puts(out, "\n");
	}
	return CF_OK;
}

int cf_report_md_evidence(const struct cf_render *r)
{
	static const char *const keys[] = {"sha256sums", "path", "verification", NULL};
	struct cf_buf *out = r->out;
	const cJSON *e;

	cf_buf_puts(out, "| Archive | File | Verification | Verified state | Citations |\n"
		    "|---|---|---|---|---|\n");
	cJSON_ArrayForEach(e, get(r->model, "evidence_inventory")) {
		cf_buf_putc(out, '|');
		md_fields(out, e, keys, " ", " |");
		cf_buf_putc(out, ' ');
		cf_esc_md(out, cf_json_str(e, "verified_state", "not stated"));
		cf_buf_printf(out, " | %lld |\n", (long long)cf_json_int(e, "citations", 0));
	}
	return CF_OK;
}

int cf_report_md_custody(const struct cf_render *r)
{
	static const char *const keys[] = {"time", "actor", "action", "note", NULL};
	struct cf_buf *out = r->out;
	const cJSON *e = get(r->model, "custody"), *v = get(e, "verification"), *c;
	char tmp[64];

	if (!cJSON_IsObject(e)) {
		cf_buf_puts(out, "No case folder was given; no custody log summarised.\n");
		return CF_OK;
	}
	cf_buf_printf(out, "%lld entries; verification: %s\n\n", (long long)cf_json_int(e, "entries", 0),
		      !cJSON_IsObject(v) ? "not verified **TO CONFIRM**"
		      : cf_json_bool(v, "ok", 0) ? "OK" : "FAILED");
	cJSON_ArrayForEach(c, get(e, "log")) {
		cf_buf_puts(out, "- ");
		cf_esc_md(out, cf_json_text(get(c, "seq"), tmp));
		md_fields(out, c, keys, " ", "");
		cf_buf_puts(out, "\n");
	}
	return CF_OK;
}

int cf_report_md_confirm(const struct cf_render *r)
{
	struct cf_buf *out = r->out;
	const cJSON *e;

	cJSON_ArrayForEach(e, get(r->model, "to_confirm")) {
		cf_esc_put(out, cf_esc_md, e, "- **", "section", " / ", "field", "**: ", "why",
			   "\n", NULL);
	}
	return CF_OK;
}

/* ---- the document ---------------------------------------------------------- */

int cf_report_md(struct cf_ctx *ctx, const cJSON *model,
		 const struct cf_report_templates *t, struct cf_buf *out)
{
	struct cf_render r = cf_report_render(ctx, model, t, out, "markdown report",
					      &cf_report_md_markup);
	const struct cf_report_section *s;
	int rc, verified = cf_report_verified_only(model);
	char label[32];

	cf_buf_puts(out, "# Breach notification package: ");
	cf_esc_md(out, str(r.inc, "id"));
	cf_buf_puts(out, "\n\n");
	cf_esc_md(out, str(get(r.inc, "covered_entity"), "name"));
	cf_esc_put(out, cf_esc_md, r.inc, " — ", "title", NULL);
	cf_esc_put(out, cf_esc_md, model, "  \nGenerated ", "generated_at", NULL);
	cf_buf_puts(out, verified ? " by casefile from verified evidence." : " by casefile.");
	cf_buf_puts(out, " **Draft for review**: items marked **TO CONFIRM** must be "
		    "confirmed by the privacy officer.\n");
	if (!verified) {
		cf_buf_puts(out, "\n**");
		cf_esc_md(out, str(get(model, "evidence_status"), "statement"));
		cf_buf_puts(out, "**\n");
	}
	/* Each section ends with a newline; its heading opens with another.
	 * The table of contents follows the first section (the summary). */
	for (s = cf_report_sections; s->id; s++) {
		cf_report_section_label(s, label, sizeof label);
		if (s == cf_report_sections + 1) {
			const struct cf_report_section *c;

			cf_buf_puts(out, "\n## Contents\n\n");
			for (c = cf_report_sections; c->id; c++) {
				cf_report_section_label(c, label, sizeof label);
				cf_buf_printf(out, "- %s. %s\n", label, c->title);
			}
			cf_report_section_label(s, label, sizeof label);
		}
		cf_buf_printf(out, "\n## %s. %s\n\n", label, s->title);
		if ((rc = cf_report_section_body(&r, s)) != CF_OK)
			return rc;
	}
	return cf_report_check(&r);
}
