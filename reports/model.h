/* SPDX-License-Identifier: Apache-2.0
 *
 * The breach report's model: one JSON object holding every figure of the
 * notification package with the evidence each came from, built from the
 * incident file, the scope (as `casefile timeline scope --json` prints it),
 * an optional verification result (`casefile verify --json`) and an
 * optional case folder's custody log.
 *
 * Every renderer (HTML, Markdown, CSV, JSON) reads this model and nothing
 * else, so the formats cannot disagree. The model holds raw values: escaping
 * belongs to each renderer. Building it never writes anywhere.
 */
#ifndef CF_REPORTS_MODEL_H
#define CF_REPORTS_MODEL_H

#include <stdint.h>
#include <cjson/cJSON.h>

struct cf_ctx;
struct cf_jb;

#define CF_REPORT_FORMAT "casefile-breach-report/1"

/* Loads an incident file (SPEC section 6), checks it as `timeline scope`
 * does (cf_incident_from_yaml) and also requires `covered_entity.name`,
 * then returns it as JSON: mappings become objects, sequences arrays,
 * scalars strings (YAML nulls become null). Errors are
 * "FILE:LINE:COL: message". */
int cf_report_incident_load(struct cf_ctx *ctx, const char *path, cJSON **out);

struct cf_report_input {
	const cJSON *incident;   /* from cf_report_incident_load */
	const cJSON *scope;      /* timeline scope JSON */
	const char *scope_name;  /* where the scope came from, for messages */
	const cJSON *verify;     /* `verify --json` object, or NULL */
	const cJSON *custody;    /* array of custody entries, or NULL */
	const cJSON *custody_check; /* {"ok","entries","first_bad","detail"} or NULL */
	int64_t generated_at;    /* microseconds, UTC */
	const char *today;       /* YYYY-MM-DD deadlines are checked against,
				    or NULL: the day of generated_at */
	const cJSON *state_rules;/* cf_state_rules_load (states.h), or NULL:
				    no State notices are evaluated */
};

/* Builds the report model; *out is freed with cJSON_Delete. A scope that
 * lacks `patients` or names a patient twice fails with the reason. */
int cf_report_build(struct cf_ctx *ctx, const struct cf_report_input *in,
		    cJSON **out);

/* "March 4, 2026" for a day number. out must hold 32 bytes. */
char *cf_report_long_date(int64_t day, char out[32]);
/* "2026-03-04" for a day number. out must hold 16 bytes. */
char *cf_report_iso_date(int64_t day, char out[16]);
/* Adds that date of day under key in o, or a null for a day < 0, through
 * the sticky builder jb (casefile/json.h). */
void cf_report_jb_day(struct cf_jb *jb, cJSON *o, const char *key,
		      int64_t day);
/* Sorts the items of a cJSON array in place with cmp, a qsort comparison
 * of two cJSON ** (ties keep no order). 0, or -1 on no memory (the array
 * is then as it was). */
int cf_report_sort_array(cJSON *arr, int (*cmp)(const void *, const void *));

#endif
