/* SPDX-License-Identifier: Apache-2.0
 *
 * The annual HHS log: a covered entity files each breach affecting fewer
 * than 500 individuals with the Secretary no later than 60 days after the
 * end of the calendar year in which it was discovered (45 CFR 164.408(c));
 * a privacy officer files them all at once, one portal notice per breach.
 * This file gathers, from the breach report models of several cases
 * (report.json), those discovered in one calendar year, with each one's
 * portal items and the year's due date, and, given the log filed before,
 * the addenda owed where a count changed since.
 *
 * The discovery day is the one the report computed in the covered
 * entity's local calendar (obligations.discovered, model.c), never
 * re-derived from UTC: a discovery on the evening of December 31 in
 * Chicago belongs to that year even though it is January 1 in UTC. The
 * year's due date is rules.c's (cf_breach_annual_due). Nothing here reads
 * a file or prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/time.h"
#include "escape.h"
#include "hhs_log.h"
#include "model.h"
#include "rules.h"

static const cJSON *get(const cJSON *o, const char *k)
{
	return o ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

/* YYYY-MM-DD -> day number, -1 when it is not one. */
static int64_t day_of(const char *s)
{
	int64_t y;
	unsigned m, d;
	char tail;

	if (!s || strlen(s) != 10 || sscanf(s, "%4ld-%2u-%2u%c", &y, &m, &d, &tail) != 3 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	return cf_days_from_civil(y, m, d);
}

static int64_t year_of(int64_t day)
{
	int64_t y;
	unsigned m, d;

	cf_civil_from_days(day, &y, &m, &d);
	return y;
}

/* What the log needs of one model. */
struct entry {
	const cJSON *model;
	const char *path, *id;
	int64_t day;
	long long affected;
};

static int read_entry(struct cf_ctx *ctx, const struct cf_hhs_log_case *c,
		      struct entry *e)
{
	const cJSON *count = get(get(c->model, "affected"), "count");

	e->model = c->model;
	e->path = c->path;
	e->id = cf_json_str(get(c->model, "incident"), "id", NULL);
	e->day = day_of(cf_json_str(get(c->model, "obligations"), "discovered", NULL));
	e->affected = (long long)cf_json_int(count, "value", -1);
	if (!cJSON_IsObject(c->model) || !e->id || e->day < 0 || e->affected < 0)
		return cf_set_error(ctx, 0, "%s: not a breach report model (report.json "
				    "of `casefile report breach`): it lacks the incident "
				    "id, the discovery date or the affected count", c->path);
	return CF_OK;
}

/* The portal items of a model: its worksheet, else (a model written
 * before the worksheet) the portal fields. */
static cJSON *portal_items(const cJSON *model)
{
	cJSON *arr = cJSON_CreateArray(), *o;
	const cJSON *s, *f;

	if (!arr)
		return NULL;
	cJSON_ArrayForEach(s, get(get(model, "hhs_worksheet"), "sections"))
		cJSON_ArrayForEach(f, get(s, "fields"))
			if (!(o = cJSON_CreateObject()) || cf_report_add(arr, NULL, o) ||
			    cf_json_add_str(o, "section", cf_json_str(s, "title", "")) ||
			    cf_json_add_str(o, "item", cf_json_str(f, "item", "")) ||
			    cf_json_add_str(o, "value", cf_json_str(f, "value", "")) ||
			    cf_json_add_bool(o, "confirm", cf_json_bool(f, "confirm", 0)) ||
			    (cJSON_IsArray(get(f, "selected")) &&
			     cf_report_add(o, "selected", cJSON_Duplicate(get(f, "selected"), 1))))
				goto fail;
	if (cJSON_GetArraySize(arr))
		return arr;
	cJSON_ArrayForEach(f, get(model, "hhs_portal"))
		if (!(o = cJSON_CreateObject()) || cf_report_add(arr, NULL, o) ||
		    cf_json_add_str(o, "section", "") ||
		    cf_json_add_str(o, "item", cf_json_str(f, "field", "")) ||
		    cf_json_add_str(o, "value", cf_json_str(f, "value", "")) ||
		    cf_json_add_bool(o, "confirm", cf_json_bool(f, "confirm", 0)))
			goto fail;
	return arr;
fail:
	cJSON_Delete(arr);
	return NULL;
}

/* The earlier log's entry of incident id, or NULL. */
static const cJSON *previous_of(const cJSON *previous, const char *id)
{
	const cJSON *b;

	cJSON_ArrayForEach(b, get(previous, "breaches"))
		if (!strcmp(cf_json_str(b, "incident", ""), id))
			return b;
	return NULL;
}

static int add_breach(cJSON *arr, const struct entry *e, const cJSON *previous,
		      long *addenda)
{
	const cJSON *inc = get(e->model, "incident"), *prev = previous_of(previous, e->id);
	const cJSON *filing = get(inc, "hhs_filing");
	cJSON *o = cJSON_CreateObject(), *a;
	char d[16];

	if (!o || cf_report_add(arr, NULL, o) ||
	    cf_json_add_str(o, "incident", e->id) ||
	    cf_json_add_str(o, "title", cf_json_str(inc, "title", "")) ||
	    cf_json_add_str(o, "covered_entity", cf_json_str(get(inc, "covered_entity"), "name", "")) ||
	    cf_json_add_str(o, "discovered", cf_report_iso_date(e->day, d)) ||
	    cf_json_add_int(o, "affected", e->affected) ||
	    cf_json_add_str(o, "due", cf_json_str(get(get(e->model, "obligations"), "hhs_notice"),
						  "due", "")) ||
	    cf_json_add_str(o, "path", e->path) ||
	    cf_report_add(o, "portal", portal_items(e->model)))
		return -1;
	if (!prev || cf_json_int(prev, "affected", -1) == e->affected)
		return 0;
	(*addenda)++;
	return !(a = cJSON_AddObjectToObject(o, "addendum")) ||
	       cf_json_add_int(a, "previous_affected", cf_json_int(prev, "affected", 0)) ||
	       cf_json_add_int(a, "affected", e->affected) ||
	       cf_json_add_str(a, "previous_transaction",
			       cf_json_str(filing, "previous_transaction", "")) ||
	       cf_json_add_bool(a, "confirm", !cf_json_str(filing, "previous_transaction", NULL)) ||
	       cf_json_add_str(a, "text", "The count changed since the earlier log: file an "
			       "addendum to the earlier portal notice (Report Type: Addendum "
			       "to Previous Report) with its transaction number.")
		       ? -1 : 0;
}

static int not_in_log(cJSON *arr, const struct entry *e, const char *reason)
{
	cJSON *o = cJSON_CreateObject();
	char d[16];

	return !o || cf_report_add(arr, NULL, o) || cf_json_add_str(o, "incident", e->id) ||
	       cf_json_add_int(o, "affected", e->affected) ||
	       cf_json_add_str(o, "discovered", cf_report_iso_date(e->day, d)) ||
	       cf_json_add_str(o, "path", e->path) || cf_json_add_str(o, "reason", reason)
		       ? -1 : 0;
}

/* 1 when entry i is superseded by a later report of the same incident. */
static int superseded(const struct entry *v, size_t n, size_t i)
{
	const char *gi = cf_json_str(v[i].model, "generated_at", "");

	for (size_t j = 0; j < n; j++) {
		const char *gj = cf_json_str(v[j].model, "generated_at", "");
		int c = strcmp(gj, gi);

		if (j != i && !strcmp(v[j].id, v[i].id) && (c > 0 || (c == 0 && j > i)))
			return 1;
	}
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return x->day != y->day ? (x->day < y->day ? -1 : 1) : strcmp(x->id, y->id);
}

int cf_hhs_log_build(struct cf_ctx *ctx, const struct cf_hhs_log_case *cases,
		     size_t n, int year, const cJSON *previous, cJSON **out)
{
	struct entry *v = n ? calloc(n, sizeof *v) : NULL;
	cJSON *log = NULL, *arr, *apart, *gone;
	const cJSON *b;
	long addenda = 0;
	int64_t latest = 0;
	char d[16];
	int rc = CF_FATAL;

	*out = NULL;
	if (n && !v)
		return cf_set_nomem(ctx, "hhs log");
	for (size_t i = 0; i < n; i++)
		if ((rc = read_entry(ctx, &cases[i], &v[i])) != CF_OK)
			goto out;
	qsort(v, n, sizeof *v, cmp_entry);
	for (size_t i = 0; !year && i < n; i++)
		if (v[i].affected < CF_BREACH_HHS_THRESHOLD && v[i].affected > 0 &&
		    !superseded(v, n, i) && year_of(v[i].day) > latest)
			latest = year_of(v[i].day);
	if (!year)
		year = (int)latest;
	rc = CF_FATAL;
	if (!year) {
		rc = cf_set_error(ctx, 0, "no breach of fewer than 500 individuals in "
				  "the cases: give --year");
		goto out;
	}
	if (!(log = cJSON_CreateObject()) ||
	    cf_json_add_str(log, "format", CF_HHS_LOG_FORMAT) ||
	    cf_json_add_int(log, "year", year) ||
	    cf_json_add_str(log, "due", cf_report_iso_date(cf_breach_annual_due(year), d)) ||
	    cf_json_add_str(log, "rule", "45 CFR 164.408(c): breaches of fewer than 500 "
			    "individuals, no later than 60 days after the end of the "
			    "calendar year of discovery; one notice per breach") ||
	    !(arr = cJSON_AddArrayToObject(log, "breaches")) ||
	    !(apart = cJSON_AddArrayToObject(log, "not_in_log")) ||
	    !(gone = cJSON_AddArrayToObject(log, "removed")))
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		const struct entry *e = &v[i];

		if (superseded(v, n, i) || year_of(e->day) != year)
			continue;
		if (e->affected >= CF_BREACH_HHS_THRESHOLD
		    ? not_in_log(apart, e, "500 or more: notify the Secretary with the "
				 "individual notices, not in the annual log (164.408(b))")
		    : e->affected == 0
		    ? not_in_log(apart, e, "nobody affected")
		    : add_breach(arr, e, previous, &addenda))
			goto nomem;
	}
	/* Breaches of the earlier log that are no longer in it. */
	cJSON_ArrayForEach(b, get(previous, "breaches")) {
		const cJSON *x;
		int found = 0;

		cJSON_ArrayForEach(x, arr)
			found |= !strcmp(cf_json_str(x, "incident", ""), cf_json_str(b, "incident", ""));
		if (!found && cf_report_add(gone, NULL, cJSON_CreateString(cf_json_str(b, "incident", ""))))
			goto nomem;
	}
	if (cf_json_add_int(log, "count", cJSON_GetArraySize(arr)) ||
	    cf_json_add_int(log, "addenda", addenda))
		goto nomem;
	*out = log;
	log = NULL;
	rc = CF_OK;
	goto out;
nomem:
	rc = cf_set_nomem(ctx, "hhs log");
out:
	cJSON_Delete(log);
	free(v);
	return rc;
}

int cf_hhs_log_md(struct cf_ctx *ctx, const cJSON *log, struct cf_buf *out)
{
	const cJSON *b, *f, *a;
	char tmp[64];

	cf_buf_printf(out, "# HHS log of breaches affecting fewer than 500 individuals, "
		      "discovered in %lld\n\n", (long long)cf_json_int(log, "year", 0));
	cf_esc_put(out, cf_esc_md, log, "Due to the Secretary through the HHS breach portal "
		   "by **", "due", "** (", "rule", ").\n", NULL);
	cf_buf_printf(out, "\n%lld breach(es) to file; %lld addendum(s) owed.\n",
		      (long long)cf_json_int(log, "count", 0),
		      (long long)cf_json_int(log, "addenda", 0));
	cJSON_ArrayForEach(b, get(log, "breaches")) {
		cf_esc_put(out, cf_esc_md, b, "\n## ", "incident", ": ", "title", "\n\n",
			   "Discovered ", "discovered", "; ", NULL);
		cf_esc_md(out, cf_json_text(get(b, "affected"), tmp));
		cf_esc_put(out, cf_esc_md, b, " individual(s) affected; due ", "due",
			   ". Report: ", "path", "\n", NULL);
		if ((a = get(b, "addendum"))) {
			cf_buf_printf(out, "\n**Addendum owed:** the count changed from %lld "
				      "to %lld; previous transaction number: ",
				      (long long)cf_json_int(a, "previous_affected", 0),
				      (long long)cf_json_int(a, "affected", 0));
			cf_esc_md(out, *cf_json_str(a, "previous_transaction", "")
				  ? cf_json_str(a, "previous_transaction", "") : "TO CONFIRM");
			cf_buf_puts(out, ".\n");
		}
		cf_buf_puts(out, "\n| Section | Item | Value |\n|---|---|---|\n");
		cJSON_ArrayForEach(f, get(b, "portal")) {
			cf_esc_put(out, cf_esc_md, f, "| ", "section", " | ", "item", " | ",
				   "value", NULL);
			cf_buf_puts(out, cf_json_bool(f, "confirm", 0) ? " **TO CONFIRM** |\n" : " |\n");
		}
	}
	if (cJSON_GetArraySize(get(log, "not_in_log"))) {
		cf_buf_puts(out, "\n## Not in this log\n\n");
		cJSON_ArrayForEach(b, get(log, "not_in_log")) {
			cf_esc_put(out, cf_esc_md, b, "- ", "incident", " (discovered ",
				   "discovered", ", ", NULL);
			cf_esc_md(out, cf_json_text(get(b, "affected"), tmp));
			cf_esc_put(out, cf_esc_md, b, " affected): ", "reason", "\n", NULL);
		}
	}
	if (cJSON_GetArraySize(get(log, "removed"))) {
		cf_buf_puts(out, "\n## In the earlier log, not in this one\n\n");
		cJSON_ArrayForEach(b, get(log, "removed")) {
			cf_buf_puts(out, "- ");
			cf_esc_md(out, b->valuestring);
			cf_buf_puts(out, "\n");
		}
	}
	return cf_buf_error(out) ? cf_set_nomem(ctx, "hhs log") : CF_OK;
}
