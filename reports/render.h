/* SPDX-License-Identifier: Apache-2.0
 *
 * Renderers of the breach report model (model.h): HTML, Markdown, CSV and
 * the SVG chart of accesses over time by actor.
 *
 * Each renderer reads the model only and escapes every value for its own
 * format (escape.h): the narrative sections are Markdown templates filled
 * with Markdown-escaped values and turned into HTML by cmark with raw HTML
 * disabled; tables and the chart are generated with HTML/XML escaping.
 * Output goes to a cf_buf; nothing here touches files.
 */
#ifndef CF_REPORTS_RENDER_H
#define CF_REPORTS_RENDER_H

#include <cjson/cJSON.h>

struct cf_buf;
struct cf_ctx;

/* The narrative templates (Markdown with {{name}} placeholders). */
struct cf_report_templates {
	const char *summary;   /* executive summary */
	const char *notice;    /* individual notice, 164.404(c) */
	const char *media;     /* media notice, 164.406 */
	const char *no_notice; /* executive summary when no notice is owed
				  (determination.no_notice); NULL: summary */
};

/* Names the templates are found under (cf_data_file "templates"). */
#define CF_TPL_SUMMARY "breach-summary.md"
#define CF_TPL_NOTICE "breach-notice-individual.md"
#define CF_TPL_MEDIA "breach-notice-media.md"
#define CF_TPL_NO_NOTICE "breach-summary-no-notice.md"

/* The executive summary to fill for the model: the no-notice one (which
 * prints no deadline) when the model says no notice is owed. *name gets
 * the template's name, for messages. */
const char *cf_report_summary_tpl(const cJSON *model,
				  const struct cf_report_templates *t,
				  const char **name);

/* The values the templates may use, derived from the model (dates in long
 * form, lists joined). Freed with cJSON_Delete; NULL on no memory. */
cJSON *cf_report_vars(const cJSON *model);
/* Fills one narrative template (Markdown out). */
int cf_report_narrative(struct cf_ctx *ctx, const cJSON *model,
			const char *name, const char *tpl, struct cf_buf *out);

int cf_report_svg(struct cf_ctx *ctx, const cJSON *model, struct cf_buf *out);
int cf_report_html(struct cf_ctx *ctx, const cJSON *model,
		   const struct cf_report_templates *t, struct cf_buf *out);
int cf_report_md(struct cf_ctx *ctx, const cJSON *model,
		 const struct cf_report_templates *t, struct cf_buf *out);
/* CSV files: affected individuals, per-State counts, HHS portal fields. */
int cf_report_csv_patients(struct cf_ctx *ctx, const cJSON *model,
			   struct cf_buf *out);
int cf_report_csv_states(struct cf_ctx *ctx, const cJSON *model,
			 struct cf_buf *out);
/* Every successful access counted (the body of the HTML shows a few). */
int cf_report_csv_accesses(struct cf_ctx *ctx, const cJSON *model,
			   struct cf_buf *out);
/* The no-notification memorandum (determination-memo.md) and a business
 * associate's notice to its covered entities (notice-covered-entity.md),
 * Markdown (render_rules.c). CF_OK or the error on ctx. */
int cf_report_memo_md(struct cf_ctx *ctx, const cJSON *model, struct cf_buf *out);
int cf_report_ba_notice_md(struct cf_ctx *ctx, const cJSON *model, struct cf_buf *out);
/* A State's variant of the individual notice (render_states.c): `letter`
 * is one of the model's state_notices.letters, `tpl` its template. The
 * values the letter omits ("count", "nature") are not available to the
 * template: one that uses them fails. CF_OK or the error on ctx. */
int cf_report_state_letter_md(struct cf_ctx *ctx, const cJSON *model,
			      const cJSON *letter, const char *tpl,
			      struct cf_buf *out);
int cf_report_csv_portal(struct cf_ctx *ctx, const cJSON *model,
			 struct cf_buf *out);

/* The affected-individuals list, per-State counts and portal fields as an
 * .xlsx workbook written to path (0600, atomically). */
int cf_report_xlsx(struct cf_ctx *ctx, const cJSON *model, const char *path);

#endif
