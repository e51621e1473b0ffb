/* SPDX-License-Identifier: Apache-2.0
 *
 * Escaping of untrusted values for each output format of the reports, and
 * the {{name}} placeholder filler used by the report templates.
 *
 * Every value in a report (patient ids, actor names, log lines, incident
 * text) comes from evidence or from people and may be hostile: a patient id
 * of "<script>" must print as text in HTML, SVG and Markdown (CSV fields
 * go through the core writer, casefile/csv.h). Each function appends the
 * escaped form to a cf_buf; none ever passes a value through unchanged in
 * a context where it could be markup.
 */
#ifndef CF_REPORTS_ESCAPE_H
#define CF_REPORTS_ESCAPE_H

#include <cjson/cJSON.h>

struct cf_buf;
struct cf_ctx;

/* HTML/XML text and attribute values: & < > " ' become entities; control
 * characters other than tab and newline become U+FFFD. 0 or -1 (ENOMEM). */
int cf_esc_html(struct cf_buf *b, const char *s);
/* CommonMark inline text: every character that could start markup is
 * backslash-escaped (so cmark shows it literally; raw HTML can never form),
 * line breaks become spaces. 0 or -1. */
int cf_esc_md(struct cf_buf *b, const char *s);

/* A JSON scalar as text for a report cell: strings as they are, whole
 * numbers without a fraction, booleans as yes/no, anything else "". May
 * return buf. */
const char *cf_json_text(const cJSON *v, char buf[64]);

/* Adds item to obj under key, or to an array when key is NULL. The item
 * is owned by obj afterwards, or deleted when adding fails (cJSON leaves
 * it to the caller), so that a caller can write add(o, k, Create...()).
 * 0, or -1 on no memory (also when item is NULL). */
int cf_report_add(cJSON *obj, const char *key, cJSON *item);

typedef int (*cf_esc_fn)(struct cf_buf *b, const char *s);

/* Writes a run of text and values: the arguments after obj alternate a
 * literal (written as it is) and a key of obj (its string value, a number
 * as cf_json_text() writes it, "" when absent or of another type, written
 * through esc), ended by NULL; e.g.
 * cf_esc_put(b, cf_esc_html, row, "<td>", "id", "</td><td>", "state",
 * "</td>", NULL). 0, or -1 when b has failed (its error is sticky). */
int cf_esc_put(struct cf_buf *b, cf_esc_fn esc, const cJSON *obj, ...)
	__attribute__((sentinel));

/* Fills a template: every "{{ name }}" is replaced by the value of `name`
 * in vars (a dotted path into nested objects; strings as they are, numbers
 * in their shortest form, true/false, null as ""), passed through esc.
 * A name not in vars, or an unclosed "{{", fails naming the template `what`
 * and the line. CF_OK or CF_FAILED/CF_FATAL. */
int cf_tpl_fill(struct cf_ctx *ctx, struct cf_buf *out, const char *what,
		const char *tpl, const cJSON *vars, cf_esc_fn esc);

#endif
