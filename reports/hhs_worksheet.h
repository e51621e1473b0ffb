/* SPDX-License-Identifier: Apache-2.0
 *
 * The HHS breach portal worksheet (hhs_worksheet.c): the model's
 * "hhs_worksheet" object, every item of OCR's breach notice form in the
 * form's order, and its renderings. Shared by the model, the renderers
 * and the report command; not for use outside reports/.
 */
#ifndef CF_REPORTS_HHS_WORKSHEET_H
#define CF_REPORTS_HHS_WORKSHEET_H

#include <cjson/cJSON.h>

struct build;
struct cf_buf;
struct cf_ctx;

/* Adds "hhs_worksheet" {form, rule, sections:[{id, title, fields:[{item,
 * value, confirm, source, selected?}]}], part2:{flag, basis, rule, text?}}
 * to the model; runs after cf_model_portal and the obligations. CF_OK or
 * the out-of-memory error on b->ctx. */
int cf_model_worksheet(struct build *b);

/* The worksheet's sections as Markdown tables / one HTML table, appended
 * to out (sticky errors on out); badge marks a field to confirm. */
int cf_report_worksheet_body_md(const cJSON *model, struct cf_buf *out);
int cf_report_worksheet_body_html(const cJSON *model, struct cf_buf *out,
				  const char *badge);
/* The stand-alone worksheet document (hhs-worksheet.md). CF_OK, or the
 * out-of-memory error on ctx. */
int cf_report_worksheet_md(struct cf_ctx *ctx, const cJSON *model,
			   struct cf_buf *out);

#endif
