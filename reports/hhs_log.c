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

/* One portal item {section, item, value, confirm[, selected]}. */
static cJSON *portal_item(struct cf_jb *jb, cJSON *arr, const char *section,
			  const char *item, const cJSON *f)
{
	cJSON *o = cf_jb_object(jb, arr, NULL);

	cf_jb_str(jb, o, "section", section);
	cf_jb_str(jb, o, "item", item);
	cf_jb_str(jb, o, "value", cf_json_str(f, "value", ""));
	cf_jb_bool(jb, o, "confirm", cf_json_bool(f, "confirm", 0));
	return o;
}

/* Adds "portal": the portal items of a model, its worksheet's, else (a
 * model written before the worksheet) the portal fields. */
static void portal_items(struct cf_jb *jb, cJSON *parent, const cJSON *model)
{
	cJSON *arr = cf_jb_array(jb, parent, "portal"), *o;
	const cJSON *s, *f;

	cJSON_ArrayForEach(s, get(get(model, "hhs_worksheet"), "sections"))
		cJSON_ArrayForEach(f, get(s, "fields")) {
			o = portal_item(jb, arr, cf_json_str(s, "title", ""),
					cf_json_str(f, "item", ""), f);
			if (cJSON_IsArray(get(f, "selected")))
				cf_jb_made(jb, o, "selected", cJSON_Duplicate(get(f, "selected"), 1));
		}
	if (cJSON_GetArraySize(arr))
		return;
	cJSON_ArrayForEach(f, get(model, "hhs_portal"))
		portal_item(jb, arr, "", cf_json_str(f, "field", ""), f);
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

static void add_breach(struct cf_jb *jb, cJSON *arr, const struct entry *e,
		       const cJSON *previous, long *addenda)
{
	const cJSON *inc = get(e->model, "incident"), *prev = previous_of(previous, e->id);
	const cJSON *filing = get(inc, "hhs_filing");
	cJSON *o = cf_jb_object(jb, arr, NULL), *a;

	cf_jb_str(jb, o, "incident", e->id);
	cf_jb_str(jb, o, "title", cf_json_str(inc, "title", ""));
	cf_jb_str(jb, o, "covered_entity", cf_json_str(get(inc, "covered_entity"), "name", ""));
	cf_report_jb_day(jb, o, "discovered", e->day);
	cf_jb_int(jb, o, "affected", e->affected);
	cf_jb_str(jb, o, "due", cf_json_str(get(get(e->model, "obligations"), "hhs_notice"),
					   "due", ""));
	cf_jb_str(jb, o, "path", e->path);
	portal_items(jb, o, e->model);
	if (!prev || cf_json_int(prev, "affected", -1) == e->affected)
		return;
	(*addenda)++;
	a = cf_jb_object(jb, o, "addendum");
	cf_jb_int(jb, a, "previous_affected", cf_json_int(prev, "affected", 0));
	cf_jb_int(jb, a, "affected", e->affected);
	cf_jb_str(jb, a, "previous_transaction",
		  cf_json_str(filing, "previous_transaction", ""));
	cf_jb_bool(jb, a, "confirm", !cf_json_str(filing, "previous_transaction", NULL));
	cf_jb_str(jb, a, "text", "The count changed since the earlier log: file an "
		  "addendum to the earlier portal notice (Report Type: Addendum "
		  "to Previous Report) with its transaction number.");
}

static void not_in_log(struct cf_jb *jb, cJSON *arr, const struct entry *e,
		       const char *reason)
{
	cJSON *o = cf_jb_object(jb, arr, NULL);

	cf_jb_str(jb, o, "incident", e->id);
	cf_jb_int(jb, o, "affected", e->affected);
	cf_report_jb_day(jb, o, "discovered", e->day);
	cf_jb_str(jb, o, "path", e->path);
	cf_jb_str(jb, o, "reason", reason);
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
	struct cf_jb jb;
	cJSON *log, *arr, *apart, *gone;
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
	log = cf_jb_init(&jb);
	cf_jb_str(&jb, log, "format", CF_HHS_LOG_FORMAT);
	cf_jb_int(&jb, log, "year", year);
	cf_jb_str(&jb, log, "due", cf_report_iso_date(cf_breach_annual_due(year), d));
	cf_jb_str(&jb, log, "rule", "45 CFR 164.408(c): breaches of fewer than 500 "
		  "individuals, no later than 60 days after the end of the "
		  "calendar year of discovery; one notice per breach");
	arr = cf_jb_array(&jb, log, "breaches");
	apart = cf_jb_array(&jb, log, "not_in_log");
	gone = cf_jb_array(&jb, log, "removed");
	for (size_t i = 0; i < n; i++) {
		const struct entry *e = &v[i];

		if (superseded(v, n, i) || year_of(e->day) != year)
			continue;
		if (e->affected >= CF_BREACH_HHS_THRESHOLD)
			not_in_log(&jb, apart, e, "500 or more: notify the Secretary with the "
				   "individual notices, not in the annual log (164.408(b))");
		else if (e->affected == 0)
			not_in_log(&jb, apart, e, "nobody affected");
		else
			add_breach(&jb, arr, e, previous, &addenda);
	}
	/* Breaches of the earlier log that are no longer in it. */
	cJSON_ArrayForEach(b, get(previous, "breaches")) {
		const cJSON *x;
		int found = 0;

		cJSON_ArrayForEach(x, arr)
			found |= !strcmp(cf_json_str(x, "incident", ""), cf_json_str(b, "incident", ""));
		if (!found)
			cf_jb_made(&jb, gone, NULL, cJSON_CreateString(cf_json_str(b, "incident", "")));
	}
	cf_jb_int(&jb, log, "count", cJSON_GetArraySize(arr));
	cf_jb_int(&jb, log, "addenda", addenda);
	if (!(*out = cf_jb_finish(&jb)))
		rc = cf_set_nomem(ctx, "hhs log");
	else
		rc = CF_OK;
out:
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
