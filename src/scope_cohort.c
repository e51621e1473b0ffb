/* SPDX-License-Identifier: Apache-2.0
 *
 * Decision cohorts (SPEC section 6, issue "AI incidents" item 3): for each
 * implicated model version, the decisions it made in the incident window,
 * the distinct patients they were about, how many a human overrode and
 * how many were acted on, and the first and last decision with their
 * citations (archive, member, line). The numbers come from the scope's
 * own "model_decisions" list (src/scope.c), so `timeline scope`, the
 * cohort file and the reports never disagree with it. The cohort file for
 * clinical review (one row per patient and version) goes through the core
 * CSV writer. Nothing here prints.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/csv.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/scope.h"
#include "casefile/time.h"

/* One decision of model_decisions; strings point into the scope JSON. */
struct dec {
	const char *model, *version, *patient, *outcome;
	const char *archive, *member;
	int64_t ts, line;
	const cJSON *row;
};

static const char *str_or_empty(const cJSON *o, const char *k)
{
	return cf_json_str(o, k, "");
}

/* Citation order: time, then archive, member and line. */
static int cite_cmp(const struct dec *a, const struct dec *b)
{
	int c;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if ((c = strcmp(a->archive, b->archive)) || (c = strcmp(a->member, b->member)))
		return c;
	return (a->line > b->line) - (a->line < b->line);
}

static int dec_cmp(const void *x, const void *y)
{
	const struct dec *a = x, *b = y;
	int c;

	if ((c = strcmp(a->model, b->model)) || (c = strcmp(a->version, b->version)) ||
	    (c = strcmp(a->patient, b->patient)))
		return c;
	return cite_cmp(a, b);
}

static void cite(struct cf_jb *jb, cJSON *o, const char *key, const struct dec *d)
{
	cJSON *c = cf_jb_object(jb, o, key);

	cf_jb_str(jb, c, "time", cf_json_str(d->row, "time", NULL));
	cf_jb_str(jb, c, "archive", d->archive);
	cf_jb_str(jb, c, "member", d->member);
	cf_jb_int(jb, c, "line", d->line);
	cf_jb_int(jb, c, "offset", cf_json_int(d->row, "offset", 0));
	cf_jb_str(jb, c, "patient", *d->patient ? d->patient : NULL);
}

struct tally {
	int64_t decisions, overridden, acted_on;
	const struct dec *first, *last;
};

static void tally_add(struct tally *t, const struct dec *d)
{
	t->decisions++;
	if (!strcmp(d->outcome, "overridden"))
		t->overridden++;
	else if (!strcmp(d->outcome, "success"))
		t->acted_on++;
	if (!t->first || cite_cmp(d, t->first) < 0)
		t->first = d;
	if (!t->last || cite_cmp(d, t->last) >= 0)
		t->last = d;
}

static void tally_json(struct cf_jb *jb, cJSON *o, const struct tally *t)
{
	cf_jb_int(jb, o, "decisions", t->decisions);
	cf_jb_int(jb, o, "overridden", t->overridden);
	cf_jb_int(jb, o, "acted_on", t->acted_on);
	cite(jb, o, "first", t->first);
	cite(jb, o, "last", t->last);
}

int cf_scope_cohorts(struct cf_ctx *ctx, cJSON *scope)
{
	const cJSON *decs = cJSON_GetObjectItemCaseSensitive(scope, "model_decisions");
	const cJSON *row;
	struct cf_jb jb = CF_JB_INIT;
	struct dec *v = NULL;
	size_t n = 0, cap = (size_t)cJSON_GetArraySize(decs);
	cJSON *arr;

	if (cap && !(v = cf_calloc(cap, sizeof *v)))
		return cf_set_nomem(ctx, "decision cohorts");
	cJSON_ArrayForEach(row, decs) {
		struct dec *d = &v[n];
		int tz;
		if (n == cap)
			break;
		d->row = row;
		d->model = str_or_empty(row, "model");
		d->version = str_or_empty(row, "version");
		d->patient = str_or_empty(row, "patient");
		d->outcome = str_or_empty(row, "outcome");
		d->archive = str_or_empty(row, "archive");
		d->member = str_or_empty(row, "member");
		d->line = cf_json_int(row, "line", 0);
		if (cf_time_parse(cf_json_str(row, "time", ""), -1, &d->ts, &tz))
			d->ts = INT64_MIN;
		n++;
	}
	if (n)
		qsort(v, n, sizeof *v, dec_cmp);
	arr = cf_jb_array(&jb, scope, "cohorts");
	for (size_t i = 0; i < n && !jb.err;) {
		struct tally t = {0};
		int64_t patients = 0;
		size_t k = i;
		cJSON *c = cf_jb_object(&jb, arr, NULL), *rows;
		cf_jb_str(&jb, c, "model", v[i].model);
		cf_jb_str(&jb, c, "version", *v[i].version ? v[i].version : NULL);
		for (; k < n && !strcmp(v[k].model, v[i].model) &&
		       !strcmp(v[k].version, v[i].version); k++) {
			tally_add(&t, &v[k]);
			if (*v[k].patient && (k == i || strcmp(v[k].patient, v[k - 1].patient)))
				patients++;
		}
		tally_json(&jb, c, &t);
		cf_jb_int(&jb, c, "patients", patients);
		rows = cf_jb_array(&jb, c, "by_patient");
		for (size_t p = i; p < k && !jb.err;) {
			struct tally pt = {0};
			size_t q = p;
			cJSON *r;
			for (; q < k && !strcmp(v[q].patient, v[p].patient); q++)
				tally_add(&pt, &v[q]);
			if (*v[p].patient) {
				r = cf_jb_object(&jb, rows, NULL);
				cf_jb_str(&jb, r, "patient", v[p].patient);
				tally_json(&jb, r, &pt);
			}
			p = q;
		}
		i = k;
	}
	free(v);
	if (jb.err)
		return cf_set_nomem(ctx, "decision cohorts");
	return CF_OK;
}

int cf_scope_cohort_csv(struct cf_ctx *ctx, const cJSON *scope, struct cf_buf *out)
{
	static const char *const head[] = {"patient", "model", "version", "decisions",
					   "overridden", "acted_on", "first", "last"};
	const cJSON *c, *r;
	char nums[3][24];

	if (cf_csv_row(out, head, 8, "\n"))
		return cf_set_nomem(ctx, "cohort file");
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(scope, "cohorts"))
		cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(c, "by_patient")) {
			const char *row[8];
			snprintf(nums[0], sizeof nums[0], "%lld",
				 (long long)cf_json_int(r, "decisions", 0));
			snprintf(nums[1], sizeof nums[1], "%lld",
				 (long long)cf_json_int(r, "overridden", 0));
			snprintf(nums[2], sizeof nums[2], "%lld",
				 (long long)cf_json_int(r, "acted_on", 0));
			row[0] = cf_json_str(r, "patient", "");
			row[1] = cf_json_str(c, "model", "");
			row[2] = cf_json_str(c, "version", "");
			row[3] = nums[0];
			row[4] = nums[1];
			row[5] = nums[2];
			row[6] = cf_json_str(cJSON_GetObjectItemCaseSensitive(r, "first"),
					     "time", "");
			row[7] = cf_json_str(cJSON_GetObjectItemCaseSensitive(r, "last"),
					     "time", "");
			if (cf_csv_row(out, row, 8, "\n"))
				return cf_set_nomem(ctx, "cohort file");
		}
	return CF_OK;
}
