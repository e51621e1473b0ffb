/* SPDX-License-Identifier: Apache-2.0
 *
 * What the breach report's renderers share (render.c, render_html.c,
 * render_md.c, render_csv.c); not for use outside them.
 *
 * The HTML and Markdown documents are the same sections in one order:
 * the body (a one-page summary first), then the appendices that hold the
 * long lists in full. Each section is one row of cf_report_sections[]: its anchor, its
 * heading and one function per format, which writes the section's body to
 * the shared buffer. The drivers (cf_report_html, cf_report_md) write the
 * headings and check the buffer's sticky error once per section, so
 * adding a section is one function per format and one row, and the table
 * of contents (after the summary) is generated from the table.
 */
#ifndef CF_REPORTS_RENDER_INT_H
#define CF_REPORTS_RENDER_INT_H

#include <cjson/cJSON.h>

#include "casefile/json.h"
#include "escape.h"
#include "render.h"

struct cf_buf;
struct cf_ctx;

/* Rows the body shows of a long list (accesses, failed attempts,
 * affected individuals); the full list is in an appendix and a CSV file,
 * so that the body prints in a few pages at any scale. */
#define CF_REPORT_BODY_ROWS 10
#define CF_REPORT_BODY_PATIENTS 20

/* Rows shown per table in HTML and Markdown: a breach of 100 000 records
 * stays a document a person can open and print; every row remains in
 * report.json and the CSV files, and the table says so. */
#define CF_REPORT_MAX_ROWS 2000

/* Iterates over at most CF_REPORT_MAX_ROWS elements; `n` counts them. */
#define CF_REPORT_FOR_ROWS(e, arr, n) \
	for ((n) = 0, (e) = (arr) ? (arr)->child : NULL; \
	     (e) && (n) < CF_REPORT_MAX_ROWS; (e) = (e)->next, (n)++)

struct cf_report_markup;

/* One rendering in progress; the parts of the model every section reads. */
struct cf_render {
	struct cf_ctx *ctx;
	const cJSON *model;
	const cJSON *inc, *aff, *tl, *ob;   /* incident, affected, timeline, obligations */
	const struct cf_report_templates *t;
	struct cf_buf *out;
	const char *what;   /* the document, for an out-of-memory message */
	const struct cf_report_markup *m; /* its format (render_markup.c) */
};

/* Writes one section's body; CF_OK, or the error of a template or of the
 * chart. Buffer failures are left on out (sticky) for the driver. */
typedef int (*cf_report_section_fn)(const struct cf_render *r);

struct cf_report_section {
	const char *id;          /* HTML anchor */
	const char *title;       /* heading, after its number */
	const char *html_title;  /* the HTML heading when longer, or NULL */
	int page;                /* 1: starts a printed page (HTML) */
	cf_report_section_fn html, md;
	/* 0: the body (numbered 1, 2, ...); 1: an appendix (lettered A, B,
	 * ..., after every body section, each on its own page). A row that
	 * leaves it out is a body section. */
	int appendix;
};

/* What a section written once for both formats needs of each: the
 * escaper, a table row's markup before, between and after its cells
 * ("<tr><td>", "</td><td>", "</td></tr>\n"; "| ", " | ", " |\n") and a
 * list item's ("<li>", "</li>\n"; "- ", "\n"). The section's own wording
 * stays in the section, chosen by `html` (render_markup.c). */
struct cf_report_markup {
	int html;
	cf_esc_fn esc;
	const char *row, *cell, *end, *item, *item_end;
	/* A table of timeline rows, at most max (and CF_REPORT_MAX_ROWS),
	 * each with its citation last: heads holds one heading per key and
	 * the evidence's after them. A column no shown row has a value for
	 * is left out (cf_report_columns). */
	void (*events)(struct cf_buf *out, const cJSON *rows,
		       const char *const *heads, const char *const *keys, int max);
};
extern const struct cf_report_markup cf_report_html_markup, cf_report_md_markup;
void cf_report_html_events(struct cf_buf *out, const cJSON *rows,
			   const char *const *heads, const char *const *keys,
			   int max);
void cf_report_md_events(struct cf_buf *out, const cJSON *rows,
			 const char *const *heads, const char *const *keys,
			 int max);
/* The timeline's event lists in r's format: the first CF_REPORT_BODY_ROWS
 * successful accesses (counted), then where all of them are; the failed
 * attempts (not counted): how many, the first rows and where the rest are. */
void cf_report_body_accesses(const struct cf_render *r);
void cf_report_body_failed(const struct cf_render *r);
/* After a list cut at `shown` rows: "The first N of M; all of them in
 * <the label of appendix id>[ and also]." (a link to it in HTML). */
void cf_report_see_appendix(struct cf_buf *out, const struct cf_report_markup *m,
			    const cJSON *arr, int shown, const char *id,
			    const char *also);
/* A plain table's opening with one heading per column (NULL-terminated):
 * "<table><tr><th>A</th>...</tr>\n", or "| A | ... |\n|---|...|\n". */
void cf_report_table_head(struct cf_buf *out, const struct cf_report_markup *m,
			  const char *const *cols);

/* A table row of the values of keys (NULL-terminated) of e, numbers
 * written as cf_json_text writes them, escaped. */
void cf_report_text_row(struct cf_buf *out, const struct cf_report_markup *m,
			const cJSON *e, const char *const *keys);
/* The columns a table of rows shows: of keys (NULL-terminated, at most
 * CF_REPORT_MAX_COLS), the indexes of those that at least one of the
 * first max rows (and CF_REPORT_MAX_ROWS) has a value for, into idx, in
 * order; returns how many. A failed login names no patient: every column
 * shown says something. */
#define CF_REPORT_MAX_COLS 12
int cf_report_columns(const cJSON *rows, const char *const *keys, int max, int *idx);

/* The sections in document order, ended by a row with a NULL id. */
extern const struct cf_report_section cf_report_sections[];

static inline const cJSON *cf_rget(const cJSON *o, const char *k)
{
	return o ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static inline const char *cf_rstr(const cJSON *o, const char *k)
{
	return cf_json_str(o, k, "");
}

/* 1 when the model says every cited archive was verified: only then may
 * a report say "from verified evidence". */
int cf_report_verified_only(const cJSON *model);
/* "N more rows in WHERE" after a table capped at `shown` rows. */
void cf_report_more_rows(struct cf_buf *out, const cJSON *arr, int shown,
			 const char *where, int html);
/* CF_OK, or the out-of-memory error when out has failed (sticky). */
int cf_report_check(const struct cf_render *r);
/* A rendering of model into out with templates t; `what` names the
 * document in an out-of-memory message (render_markup.c). */
struct cf_render cf_report_render(struct cf_ctx *ctx, const cJSON *model,
				  const struct cf_report_templates *t,
				  struct cf_buf *out, const char *what,
				  const struct cf_report_markup *m);

/* The section bodies, HTML (render_html.c) and Markdown (render_md.c). */
#define CF_REPORT_SECTION(name) \
	int cf_report_html_##name(const struct cf_render *r); \
	int cf_report_md_##name(const struct cf_render *r);
CF_REPORT_SECTION(summary)
CF_REPORT_SECTION(timeline)
CF_REPORT_SECTION(affected)
CF_REPORT_SECTION(risk)
CF_REPORT_SECTION(obligations)
CF_REPORT_SECTION(notice)
CF_REPORT_SECTION(media)
CF_REPORT_SECTION(hhs)
CF_REPORT_SECTION(models)
CF_REPORT_SECTION(evidence)
CF_REPORT_SECTION(custody)
CF_REPORT_SECTION(confirm)
CF_REPORT_SECTION(app_patients)
#undef CF_REPORT_SECTION
/* The sections written once for both formats, in r->m's markup. */
int cf_report_determination(const struct cf_render *r);
int cf_report_signoff(const struct cf_render *r);
int cf_report_counting(const struct cf_render *r);
int cf_report_findings(const struct cf_render *r);
int cf_report_safety(const struct cf_render *r);
int cf_report_ai(const struct cf_render *r);
int cf_report_states(const struct cf_render *r);
int cf_report_app_accesses(const struct cf_render *r);
int cf_report_app_failed(const struct cf_render *r);

/* The counted accesses summarised per actor, most accesses first:
 * [{"actor","accesses","patients","src_ips" (up to 4, joined),"first",
 * "last"}]. NULL on no memory; freed with cJSON_Delete. */
cJSON *cf_report_by_actor(const cJSON *accesses);
/* The label of a section in headings and the table of contents: "3" for
 * the third body section, "Appendix B" for the second appendix. */
void cf_report_section_label(const struct cf_report_section *s, char *out,
			     size_t size);

/* Section s's body in r's format, or the line saying it is not required;
 * CF_OK or the error of the buffer or of the section. */
int cf_report_section_body(const struct cf_render *r,
			   const struct cf_report_section *s);

/* 0 when the section's notice is not owed (notice, media, hhs: no breach,
 * nobody affected, or a business associate's incident): the drivers then
 * print why instead of a draft. */
int cf_report_section_applies(const cJSON *model, const char *id);

#endif
