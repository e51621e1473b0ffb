/* SPDX-License-Identifier: Apache-2.0
 *
 * Building the breach report model (see model.h): reading the inputs.
 *
 * This half turns the incident file, the scope and the verification
 * results into the figures (patients, affected counts, the timeline, PHI
 * categories, model decisions) with their citations, and drives the
 * build; model_notices.c computes the obligations, risk assessment, portal
 * fields, inventory and custody summary from them (model_int.h).
 *
 * The scope JSON is produced elsewhere (timeline scope) and may also be
 * edited by hand, so it is read defensively: per-patient details are
 * accepted as `patient_details` (array), as an `evidence` object keyed by
 * patient, or inline in `patients`; every figure keeps the citations
 * (archive digest, member, line) it came from, and any disagreement between
 * figures (affected vs. the patient list, by_state vs. affected) is recorded
 * under `discrepancies` instead of being smoothed over. Legal deadlines
 * come from rules.c only. What the rule leaves to judgement is pre-filled
 * from evidence where possible and always listed under `to_confirm`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/scope.h"
#include "casefile/strset.h"
#include "casefile/time.h"
#include "casefile/tz.h"
#include "escape.h"
#include "model.h"
#include "hhs_worksheet.h"
#include "model_int.h"
#include "rules.h"

#define MAX_PATIENTS 10000000u

/* ---- small helpers ------------------------------------------------------ */

char *cf_report_iso_date(int64_t day, char out[16])
{
	int64_t y;
	unsigned m, d;

	cf_civil_from_days(day, &y, &m, &d);
	snprintf(out, 16, "%04d-%02u-%02u", (int)y, m, d);
	return out;
}

char *cf_report_long_date(int64_t day, char out[32])
{
	static const char *const months[] = {"January", "February", "March",
		"April", "May", "June", "July", "August", "September",
		"October", "November", "December"};
	int64_t y;
	unsigned m, d;

	cf_civil_from_days(day, &y, &m, &d);
	snprintf(out, 32, "%s %u, %d", months[(m - 1) % 12], d, (int)y);
	return out;
}

void cf_report_jb_day(struct cf_jb *jb, cJSON *o, const char *key,
		      int64_t day)
{
	char d[16];

	if (day < 0)
		cf_jb_item(jb, o, key, NULL);
	else
		cf_jb_str(jb, o, key, cf_report_iso_date(day, d));
}

static int64_t day_of(int64_t us)
{
	int64_t s = us / CF_US_PER_SEC - (us % CF_US_PER_SEC < 0);

	return s / 86400 - (s % 86400 < 0);
}

/* Day of an RFC 3339 time or a bare YYYY-MM-DD date; -1 when neither. */
int64_t cf_model_parse_day(const char *s)
{
	int64_t us;
	int y;
	unsigned m, d;
	char tail;

	if (!s)
		return -1;
	if (cf_time_parse(s, -1, &us, NULL) == 0)
		return day_of(us);
	if (sscanf(s, "%4d-%2u-%2u%c", &y, &m, &d, &tail) == 3 && m >= 1 &&
	    m <= 12 && d >= 1 && d <= 31)
		return cf_days_from_civil(y, m, d);
	return -1;
}

int64_t cf_model_local_day(const struct build *b, const char *s)
{
	int64_t us;

	if (!s)
		return -1;
	if (strlen(s) > 10 && cf_time_parse(s, -1, &us, NULL) == 0)
		return cf_local_day(b->tz, b->offset_s, us);
	return cf_model_parse_day(s);
}

/* 1 when an evidence row names an archive (so a NULL from cite_of() means
 * no memory, not "nothing to cite"). */
static int has_archive(const cJSON *row)
{
	return cf_json_str(row, "archive", cf_json_str(row, "sha256sums", NULL)) != NULL;
}

/* A citation {archive, member, line[, offset]} from an evidence row, or
 * NULL when the row names no archive (or on no memory: see has_archive). */
static cJSON *cite_of(const cJSON *row)
{
	const char *a = cf_json_str(row, "archive", NULL);
	struct cf_jb jb;
	cJSON *c;

	if (!a)
		a = cf_json_str(row, "sha256sums", NULL);
	if (!a)
		return NULL;
	c = cf_jb_init(&jb);
	cf_jb_str(&jb, c, "archive", a);
	cf_jb_str(&jb, c, "member", cf_json_str(row, "member", NULL));
	cf_jb_int(&jb, c, "line", cf_json_int(row, "line", 0));
	if (obj_get(row, "offset"))
		cf_jb_int(&jb, c, "offset", cf_json_int(row, "offset", 0));
	if (cJSON_IsTrue(obj_get(row, "unverified")))
		cf_jb_bool(&jb, c, "unverified", 1);
	return cf_jb_finish(&jb);
}

void cf_model_note(struct cf_jb *jb, cJSON *arr, const char *section,
		   const char *field, const char *why)
{
	cJSON *o = cf_jb_object(jb, arr, NULL);

	cf_jb_str(jb, o, "section", section);
	cf_jb_str(jb, o, "field", field);
	cf_jb_str(jb, o, "why", why);
}

/* One more of key in the counts object obj (the first makes it 1). */
static void tally(struct cf_jb *jb, cJSON *obj, const char *key)
{
	cJSON *c = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (c)
		cJSON_SetNumberValue(c, c->valuedouble + 1);
	else
		cf_jb_int(jb, obj, key, 1);
}

static void discrepancy(struct cf_jb *jb, cJSON *arr, const char *what)
{
	cf_jb_made(jb, arr, NULL, cJSON_CreateString(what));
}

static int cmp_ts(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	int c = strcmp(cf_json_str(x, "ts", ""), cf_json_str(y, "ts", ""));

	return c ? c : strcmp(cf_json_str(x, "patient", ""),
			      cf_json_str(y, "patient", ""));
}

/* Largest "count" first, then by "state"; "unknown" after every State. */
static int cmp_count(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	int64_t cx = cf_json_int(x, "count", 0), cy = cf_json_int(y, "count", 0);
	int ux = !strcmp(cf_json_str(x, "state", ""), "unknown");
	int uy = !strcmp(cf_json_str(y, "state", ""), "unknown");

	if (ux != uy)
		return ux - uy;
	if (cx != cy)
		return cx > cy ? -1 : 1;
	return strcmp(cf_json_str(x, "state", ""), cf_json_str(y, "state", ""));
}

/* Sorts a cJSON array in place (model.h); here with cmp_count for the
 * per-State rows as every table shows them, cmp_ts for rows by "ts"
 * (RFC 3339 UTC strings of one width sort as times). */
int cf_report_sort_array(cJSON *arr, int (*cmp)(const void *, const void *))
{
	int n = cJSON_GetArraySize(arr), i = 0;
	cJSON **v, *e;

	if (n < 2)
		return 0;
	if (!(v = cf_calloc((size_t)n, sizeof *v)))
		return -1;
	while ((e = cJSON_DetachItemFromArray(arr, 0)))
		v[i++] = e;
	qsort(v, (size_t)n, sizeof *v, cmp);
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, v[i]);
	free(v);
	return 0;
}

/* ---- patients ----------------------------------------------------------- */

int cf_model_details_index(struct build *b)
{
	const cJSON *scope = b->in->scope, *e;
	struct cf_json_index *x = &b->details;

	cJSON_ArrayForEach(e, obj_get(scope, "patients"))
		if (cJSON_IsObject(e) &&
		    cf_json_index_add(x, cf_json_str(e, "patient", cf_json_str(e, "id", "")), e))
			return cf_set_nomem(b->ctx, "patients");
	cJSON_ArrayForEach(e, obj_get(scope, "patient_details"))
		if (cf_json_index_add(x, cf_json_str(e, "patient", cf_json_str(e, "id", "")), e))
			return cf_set_nomem(b->ctx, "patients");
	if (cf_json_index_members(x, obj_get(scope, "evidence")))
		return cf_set_nomem(b->ctx, "patients");
	cf_json_index_sort(x);
	return CF_OK;
}

const cJSON *cf_model_patient_detail(const struct build *b, const char *id)
{
	return cf_json_index_find(&b->details, id);
}

/* One access row for the timeline from a per-patient evidence row. */
/* One access row for the timeline from a per-patient evidence row (one
 * that names an archive: see has_archive); NULL on no memory. */
static cJSON *access_of(const char *patient, const cJSON *row)
{
	struct cf_jb jb;
	cJSON *a = cf_jb_init(&jb);

	cf_jb_str(&jb, a, "ts", cf_json_str(row, "ts", cf_json_str(row, "time", NULL)));
	cf_jb_str(&jb, a, "actor", cf_json_str(row, "actor", "unknown"));
	cf_jb_str(&jb, a, "patient", patient);
	cf_jb_str(&jb, a, "action", cf_json_str(row, "action", NULL));
	cf_jb_str(&jb, a, "resource", cf_json_str(row, "resource", NULL));
	cf_jb_str(&jb, a, "src_ip", cf_json_str(row, "src_ip", NULL));
	cf_jb_made(&jb, a, "cite", jb.err ? NULL : cite_of(row));
	return cf_jb_finish(&jb);
}

/* Counts one more citation of the cite's archive. */
static void count_digest(struct cf_jb *jb, struct build *b, const cJSON *cite)
{
	const char *a = cf_json_str(cite, "archive", NULL);
	cJSON *n;

	if (!a)
		return;
	if ((n = cJSON_GetObjectItemCaseSensitive(b->digests, a)))
		cJSON_SetNumberValue(n, n->valuedouble + 1);
	else
		cf_jb_int(jb, b->digests, a, 1);
}

/* Records an archive's verified state; false wins over true. */
static void set_verified(struct cf_jb *jb, struct build *b, const char *digest,
			 int ok)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(b->verified, digest);

	if (!v)
		cf_jb_bool(jb, b->verified, digest, ok);
	else if (!ok && cJSON_IsTrue(v))
		v->type = (v->type & ~0xff) | cJSON_False;
}

/* The verified state of each archive, as far as the inputs tell: the
 * store's archives table ("archives" of a scope computed with --db), the
 * scope's "unverified_archives", and `verify --json` results. An archive
 * any of them calls unverified or failed stays so. */
static void load_verified(struct cf_jb *jb, struct build *b)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, obj_get(b->in->scope, "archives")) {
		const char *d = cf_json_str(a, "sha256sums", NULL);
		if (d && cJSON_IsBool(obj_get(a, "verified")))
			set_verified(jb, b, d, cJSON_IsTrue(obj_get(a, "verified")));
	}
	cJSON_ArrayForEach(a, obj_get(b->in->scope, "unverified_archives")) {
		const char *d = cJSON_IsString(a) ? a->valuestring
						  : cf_json_str(a, "sha256sums", NULL);
		if (d)
			set_verified(jb, b, d, 0);
	}
	cJSON_ArrayForEach(a, obj_get(b->in->verify, "archives")) {
		const char *d = cf_json_str(a, "sha256sums", NULL);
		if (d)
			set_verified(jb, b, d, cf_json_bool(a, "ok", 0));
	}
}

/* Counts a citation from an unverified archive; clears *only_unverified
 * for one from a verified archive or one whose state is not known. */
static void note_verified(struct cf_jb *jb, struct build *b, const cJSON *cite,
			  int *only_unverified)
{
	const char *d = cf_json_str(cite, "archive", "");
	const cJSON *v = obj_get(b->verified, d);

	if (cJSON_IsTrue(obj_get(cite, "unverified")) && !cJSON_IsFalse(v)) {
		set_verified(jb, b, d, 0);
		v = obj_get(b->verified, d);
	}
	if (cJSON_IsFalse(v))
		b->unverified_cites++;
	else
		*only_unverified = 0;
}

static int build_patients(struct build *b)
{
	const cJSON *list = obj_get(b->in->scope, "patients"), *p;
	struct cf_jb jb = CF_JB_INIT;
	struct cf_strset seen = {0};
	int rc = CF_FAILED, dup;

	if (!cJSON_IsArray(list)) {
		cf_set_error(b->ctx, 0, "%s: 'patients' (an array) is missing",
			     b->in->scope_name);
		goto out;
	}
	if ((unsigned)cJSON_GetArraySize(list) > MAX_PATIENTS) {
		cf_set_error(b->ctx, 0, "%s: more than %u patients",
			     b->in->scope_name, MAX_PATIENTS);
		goto out;
	}
	cJSON_ArrayForEach(p, list) {
		const char *id = cJSON_IsString(p) ? p->valuestring
			: cf_json_str(p, "patient", cf_json_str(p, "id", NULL));
		const cJSON *d, *ev, *row, *hc;
		cJSON *o, *cites;
		int only_unverified = 1;

		if (!id) {
			cf_set_error(b->ctx, 0, "%s: a patient without an id",
				     b->in->scope_name);
			goto out;
		}
		if ((dup = cf_strset_add(&seen, id)) < 0)
			goto nomem;
		if (dup) {
			cf_set_error(b->ctx, 0, "%s: patient '%s' is listed twice",
				     b->in->scope_name, id);
			goto out;
		}
		/* an object of "patients" is its own detail: the index
		 * holds it first */
		d = cf_model_patient_detail(b, id);
		ev = cJSON_IsArray(d) ? d : obj_get(d, "evidence");
		if (!ev)
			ev = obj_get(d, "accesses");
		hc = obj_get(d, "has_contact");
		o = cf_jb_object(&jb, b->patients, NULL);
		cf_jb_str(&jb, o, "id", id);
		cf_jb_str(&jb, o, "state", cf_json_str(d, "state", "unknown"));
		if (cJSON_IsBool(hc))
			cf_jb_bool(&jb, o, "has_contact", cJSON_IsTrue(hc));
		else
			cf_jb_item(&jb, o, "has_contact", NULL);
		cites = cf_jb_array(&jb, o, "evidence");
		if (jb.err)
			goto nomem;
		/* a decedent whose next of kin cannot be reached needs no
		 * substitute notice (164.404(d)(2); dbscope.c) */
		if (cJSON_IsBool(hc) && !cJSON_IsTrue(hc) &&
		    !cJSON_IsTrue(obj_get(d, "substitute_exempt")))
			b->no_contact++;
		else if (!cJSON_IsBool(hc))
			b->unknown_contact++;
		cJSON_ArrayForEach(row, ev) {
			cJSON *c;

			if (!has_archive(row))
				continue;
			c = cite_of(row);
			cf_jb_made(&jb, cites, NULL, c);
			if (jb.err)
				goto nomem;
			count_digest(&jb, b, c);
			note_verified(&jb, b, c, &only_unverified);
			if (obj_get(row, "ts") || obj_get(row, "time"))
				cf_jb_made(&jb, b->accesses, NULL, access_of(id, row));
		}
		if (!cJSON_GetArraySize(cites))
			discrepancy(&jb, b->discrepancies,
				    "a patient has no evidence citation in the scope");
		if (cJSON_GetArraySize(cites) && only_unverified) {
			cf_jb_bool(&jb, o, "unverified_only", 1);
			b->unverified_only++;
		}
		if (jb.err)
			goto nomem;
	}
	b->affected = (uint64_t)cJSON_GetArraySize(b->patients);
	rc = CF_OK;
	goto out;
nomem:
	rc = cf_set_nomem(b->ctx, "patients");
out:
	cf_strset_release(&seen);
	return rc;
}

/* Adds "cites": the first citation of each patient of `state` (or of all
 * when NULL). */
static void cites_for(struct cf_jb *jb, struct build *b, cJSON *o,
		      const char *state)
{
	cJSON *arr = cf_jb_array(jb, o, "cites"), *p;

	cJSON_ArrayForEach(p, b->patients) {
		cJSON *first = cJSON_GetArrayItem(obj_get(p, "evidence"), 0);

		if (first && (!state || !strcmp(cf_json_str(p, "state", ""), state)))
			cf_jb_made(jb, arr, NULL, cJSON_Duplicate(first, 1));
	}
}

/* ---- sections ------------------------------------------------------------ */

static int build_affected(struct build *b)
{
	const cJSON *bs = obj_get(b->in->scope, "by_state"), *e;
	struct cf_jb jb = CF_JB_INIT;
	cJSON *sec, *cnt, *arr, *p;
	int64_t scope_n = cf_json_int(b->in->scope, "affected", -1);
	uint64_t sum = 0;
	size_t n = 0;
	char msg[200];

	sec = cf_jb_object(&jb, b->model, "affected");
	cnt = cf_jb_object(&jb, sec, "count");
	cf_jb_int(&jb, cnt, "value", (int64_t)b->affected);
	cites_for(&jb, b, cnt, NULL);
	cf_jb_made(&jb, sec, "patients", cJSON_Duplicate(b->patients, 1));
	arr = cf_jb_array(&jb, sec, "by_state");
	if (scope_n >= 0 && (uint64_t)scope_n != b->affected) {
		snprintf(msg, sizeof msg, "the scope says %lld affected but lists "
			 "%llu patients; the list is used", (long long)scope_n,
			 (unsigned long long)b->affected);
		discrepancy(&jb, b->discrepancies, msg);
	}
	if (jb.err)
		return cf_set_nomem(b->ctx, "affected");
	/* by_state from the scope when given, else counted from the patients. */
	if (!cJSON_IsObject(bs)) {
		cJSON *tmp = cf_jb_object(&jb, sec, "_tmp");

		cJSON_ArrayForEach(p, b->patients)
			tally(&jb, tmp, cf_json_str(p, "state", "unknown"));
		if (jb.err)
			return cf_set_nomem(b->ctx, "by_state");
		bs = tmp;
	}
	b->nstates = (size_t)cJSON_GetArraySize(bs);
	if (!(b->states = cf_calloc(b->nstates ? b->nstates : 1, sizeof *b->states)))
		return cf_set_nomem(b->ctx, "by_state");
	cJSON_ArrayForEach(e, bs) {
		cJSON *o;

		if (jb.err)
			return cf_set_nomem(b->ctx, "by_state");
		if (!cJSON_IsNumber(e) || e->valuedouble < 0)
			return cf_set_error(b->ctx, 0, "%s: by_state.%s is not a count",
					    b->in->scope_name, e->string);
		b->states[n].state = e->string;
		b->states[n].count = (uint64_t)e->valuedouble;
		sum += b->states[n].count;
		o = cf_jb_object(&jb, arr, NULL);
		cf_jb_str(&jb, o, "state", e->string);
		cf_jb_int(&jb, o, "count", (int64_t)b->states[n].count);
		cf_jb_bool(&jb, o, "media_notice",
			   cf_breach_state_needs_media(&b->states[n]));
		cites_for(&jb, b, o, e->string);
		n++;
	}
	if (!jb.err && cf_report_sort_array(arr, cmp_count))
		jb.err = -1;
	if (sum != b->affected) {
		snprintf(msg, sizeof msg, "by_state adds up to %llu, not %llu",
			 (unsigned long long)sum, (unsigned long long)b->affected);
		discrepancy(&jb, b->discrepancies, msg);
	}
	return jb.err ? cf_set_nomem(b->ctx, "by_state") : CF_OK;
}

/* Adds under key in parent the rows of an array in the scope, copied with
 * a `cite` each; the array, for sorting. */
static cJSON *rows_with_cites(struct cf_jb *jb, struct build *b, cJSON *parent,
			      const char *key, const cJSON *src,
			      const char *const *keys)
{
	cJSON *arr = cf_jb_array(jb, parent, key);
	const cJSON *r;

	cJSON_ArrayForEach(r, src) {
		cJSON *o = cf_jb_object(jb, arr, NULL), *c;

		for (size_t i = 0; keys[i]; i++) {
			const cJSON *v = obj_get(r, keys[i]);

			/* `timeline scope` names the time "time". */
			if (!v && !strcmp(keys[i], "ts"))
				v = obj_get(r, "time");
			if (v)
				cf_jb_made(jb, o, keys[i], cJSON_Duplicate(v, 1));
		}
		if (!has_archive(r)) {
			cf_jb_item(jb, o, "cite", NULL);
			continue;
		}
		c = jb->err ? NULL : cite_of(r);
		cf_jb_made(jb, o, "cite", c);
		if (!jb->err)
			count_digest(jb, b, c);
	}
	return arr;
}

/* Sorts arr by "ts" (see cf_report_sort_array) unless the build has failed. */
static void sort_by_ts(struct cf_jb *jb, cJSON *arr)
{
	if (!jb->err && cf_report_sort_array(arr, cmp_ts))
		jb->err = -1;
}

static int build_timeline(struct build *b)
{
	static const char *const fkeys[] = {"ts", "actor", "src_ip", "action",
		"outcome", "patient", "resource", NULL};
	const cJSON *fa = obj_get(b->in->scope, "failed_attempts"), *a;
	struct cf_jb jb = CF_JB_INIT;
	cJSON *sec, *actors, *failed;

	sort_by_ts(&jb, b->accesses);
	sec = cf_jb_object(&jb, b->model, "timeline");
	actors = cf_jb_object(&jb, sec, "accesses_by_actor");
	cJSON_ArrayForEach(a, b->accesses)
		tally(&jb, actors, cf_json_str(a, "actor", "unknown"));
	/* A reference until the end of the build (the rows are sorted and
	 * read by later sections); cJSON_AddItemReferenceToObject() would leak
	 * the reference when the key cannot be copied. */
	cf_jb_made(&jb, sec, "accesses", cJSON_CreateArrayReference(b->accesses->child));
	if (cJSON_IsNumber(fa)) {
		cf_jb_int(&jb, sec, "failed_attempt_count", (int64_t)fa->valuedouble);
		cf_jb_array(&jb, sec, "failed_attempts");
	} else {
		failed = rows_with_cites(&jb, b, sec, "failed_attempts", fa, fkeys);
		sort_by_ts(&jb, failed);
		cf_jb_int(&jb, sec, "failed_attempt_count", cJSON_GetArraySize(failed));
	}
	return jb.err ? cf_set_nomem(b->ctx, "timeline") : CF_OK;
}

/* HHS portal "Type of Protected Health Information Involved" for a
 * category name: Clinical, Demographic, Financial or Other. */
static const char *portal_phi_type(const char *cat)
{
	static const struct { const char *word, *type; } map[] = {
		{"financ", "Financial"}, {"billing", "Financial"},
		{"insurance", "Financial"}, {"payment", "Financial"},
		{"credit", "Financial"}, {"account", "Financial"},
		{"demograph", "Demographic"}, {"name", "Demographic"},
		{"address", "Demographic"}, {"birth", "Demographic"},
		{"ssn", "Demographic"}, {"social security", "Demographic"},
		{"contact", "Demographic"},
		{"clinical", "Clinical"}, {"lab", "Clinical"},
		{"diagnos", "Clinical"}, {"medication", "Clinical"},
		{"observation", "Clinical"}, {"condition", "Clinical"},
		{"procedure", "Clinical"}, {"treatment", "Clinical"},
		{"risk", "Clinical"}, {"note", "Clinical"},
	};
	char low[256];
	size_t i;
	const char *t = cf_phi_portal(cat, NULL);

	if (t)
		return t;
	/* a category written by hand ("demographics (name, address)") */
	for (i = 0; cat[i] && i + 1 < sizeof low; i++)
		low[i] = (char)(cat[i] >= 'A' && cat[i] <= 'Z' ? cat[i] + 32 : cat[i]);
	low[i] = 0;
	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strstr(low, map[i].word))
			return map[i].type;
	return "Other";
}

static int build_phi(struct build *b)
{
	const cJSON *src = obj_get(b->in->scope, "phi_categories"), *e, *r;
	struct cf_jb jb = CF_JB_INIT;
	cJSON *arr = cf_jb_array(&jb, b->model, "phi_categories");

	cJSON_ArrayForEach(e, src) {
		const char *name = cJSON_IsString(e) ? e->valuestring
			: cf_json_str(e, "category", cf_json_str(e, "name", NULL));
		cJSON *o, *cites;
		const char *item = NULL;

		if (!name)
			continue;
		o = cf_jb_object(&jb, arr, NULL);
		cf_jb_str(&jb, o, "category", name);
		cf_jb_str(&jb, o, "portal_type", portal_phi_type(name));
		if (cf_phi_portal(name, &item))
			cf_jb_str(&jb, o, "portal_item", item);
		if (obj_get(e, "count"))
			cf_jb_int(&jb, o, "count", cf_json_int(e, "count", 0));
		cites = cf_jb_array(&jb, o, "cites");
		cJSON_ArrayForEach(r, obj_get(e, "evidence")) {
			cJSON *c;

			if (!has_archive(r) || jb.err)
				continue;
			c = cite_of(r);
			cf_jb_made(&jb, cites, NULL, c);
			if (!jb.err)
				count_digest(&jb, b, c);
		}
	}
	return jb.err ? cf_set_nomem(b->ctx, "phi_categories") : CF_OK;
}

static int build_models(struct build *b)
{
	static const char *const keys[] = {"ts", "patient", "model", "version",
		"decision", "output", "score", NULL};
	struct cf_jb jb = CF_JB_INIT;

	sort_by_ts(&jb, rows_with_cites(&jb, b, b->model, "model_decisions",
					obj_get(b->in->scope, "model_decisions"), keys));
	return jb.err ? cf_set_nomem(b->ctx, "model_decisions") : CF_OK;
}

/* Rewrites obj[key], an RFC 3339 time, in the canonical output form. */
static int normalise_time(cJSON *obj, const char *key)
{
	cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
	char out[CF_TIME_STR];
	int64_t us;

	if (!cJSON_IsString(v) || cf_time_parse(v->valuestring, -1, &us, NULL))
		return 0;
	/* The value is changed in place: cJSON 1.7.15's ReplaceItem, when
	 * copying the key fails, puts the item in with no key at all (printed
	 * as "") and reports success. SetValuestring keeps the old value when
	 * it cannot copy. */
	return cJSON_SetValuestring(v, cf_time_format(us, out)) ? 0 : -1;
}

static int build_incident(struct build *b)
{
	const cJSON *inc = b->in->incident;
	cJSON *o = cJSON_Duplicate(inc, 1);
	const char *disc = cf_json_str(inc, "discovered", NULL);
	const char *delay = cf_json_str(inc, "law_enforcement_delay_until", NULL);
	const char *sdisc = cf_json_str(b->in->scope, "discovered", NULL);
	const char *zone;
	int64_t us, sus;
	int rc;

	if (cf_report_add(b->model, "incident", o))
		return cf_set_nomem(b->ctx, "incident");
	/* Times in the output are RFC 3339 UTC with microseconds (SPEC 0). */
	if (normalise_time(o, "discovered") ||
	    normalise_time(cJSON_GetObjectItemCaseSensitive(o, "window"), "from") ||
	    normalise_time(cJSON_GetObjectItemCaseSensitive(o, "window"), "to"))
		return cf_set_nomem(b->ctx, "incident");
	if (!disc || cf_time_parse(disc, -1, &us, &b->offset_s))
		return cf_set_error(b->ctx, 0, "incident: 'discovered' is not an "
				    "RFC 3339 time");
	if (sdisc && (cf_time_parse(sdisc, -1, &sus, NULL) || sus != us)) {
		struct cf_jb jb = CF_JB_INIT;

		discrepancy(&jb, b->discrepancies, "the scope's 'discovered' differs "
			    "from the incident file's; the incident file is used");
		if (jb.err)
			return cf_set_nomem(b->ctx, "incident");
	}
	b->is_ba = !strcmp(cf_json_str(obj_get(inc, "covered_entity"), "type", ""),
			   "business-associate");
	/* The core's reading (cf_report_incident_load) when there is one: the
	 * local calendar, the delay in force, the determination. */
	if (!(b->resolved = obj_get(inc, "resolved")) || !cJSON_IsObject(b->resolved)) {
		b->resolved = NULL;
		b->discovered_day = cf_local_day(NULL, b->offset_s, us);
		b->delay_day = delay ? cf_model_parse_day(delay) : -1;
		if (delay && b->delay_day < 0)
			return cf_set_error(b->ctx, 0, "incident: law_enforcement_delay_until "
					    "'%s' is not a date", delay);
		return CF_OK;
	}
	zone = cf_json_str(b->resolved, "time_zone", NULL);
	if (zone && (rc = cf_tz_load(b->ctx, zone, &b->tz)) != CF_OK)
		return rc;
	b->offset_s = (int)cf_json_int(b->resolved, "utc_offset_s", b->offset_s);
	b->discovered_day = cf_model_parse_day(cf_json_str(b->resolved, "discovered_date", NULL));
	b->delay_day = cf_model_parse_day(cf_json_str(obj_get(b->resolved, "law_enforcement"),
						      "last_day", NULL));
	if (b->discovered_day < 0)
		return cf_set_error(b->ctx, 0, "incident: no discovery date");
	if ((b->decision = obj_get(b->resolved, "determination")) &&
	    !cJSON_IsObject(b->decision))
		b->decision = NULL;
	b->not_breach = b->decision &&
		strcmp(cf_json_str(b->decision, "decision", "breach"), "breach");
	b->safety_only = !strcmp(cf_json_str(b->resolved, "kind", ""), "model-malfunction") &&
		!cf_json_bool(b->resolved, "phi_disclosed", 0);
	return CF_OK;
}

/* The model's sections in the order they are built: each reads what the
 * ones before it left in the model and in struct build. */
static int (*const sections[])(struct build *) = {
	build_incident, build_patients, build_affected, build_timeline, build_phi,
	build_models, cf_model_safety, cf_model_ai, cf_model_counting,
	cf_model_findings, cf_model_obligations, cf_model_deadlines, cf_model_states,
	cf_model_risk, cf_model_exposure_risk, cf_model_determination, cf_model_letter,
	cf_model_portal, cf_model_worksheet, cf_model_inventory,
	cf_model_evidence_status, cf_model_custody, cf_model_signoff,
};

int cf_report_build(struct cf_ctx *ctx, const struct cf_report_input *in,
		    cJSON **out)
{
	struct build b;
	struct cf_jb jb = CF_JB_INIT;
	int rc = CF_FATAL;

	memset(&b, 0, sizeof b);
	b.ctx = ctx;
	b.in = in;
	*out = NULL;
	if (!(b.model = cJSON_CreateObject()) ||
	    !(b.patients = cJSON_CreateArray()) ||
	    !(b.accesses = cJSON_CreateArray()) ||
	    !(b.digests = cJSON_CreateObject()) ||
	    !(b.verified = cJSON_CreateObject()) ||
	    !(b.confirm = cJSON_CreateArray()) ||
	    !(b.discrepancies = cJSON_CreateArray()))
		jb.err = -1;
	cf_jb_str(&jb, b.model, "format", CF_REPORT_FORMAT);
	cf_jb_time(&jb, b.model, "generated_at", in->generated_at);
	load_verified(&jb, &b);
	if (jb.err) {
		rc = cf_set_nomem(ctx, "report");
		goto out;
	}
	if ((rc = cf_model_details_index(&b)) != CF_OK)
		goto out;
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
		if ((rc = sections[i](&b)) != CF_OK)
			goto out;
	/* The helper object used while counting states is not output. */
	cJSON_DeleteItemFromObject(cJSON_GetObjectItemCaseSensitive(b.model, "affected"), "_tmp");
	/* The working arrays join the model (or are freed: cf_jb_item). */
	cf_jb_item(&jb, b.model, "to_confirm", b.confirm);
	b.confirm = NULL;
	cf_jb_item(&jb, b.model, "discrepancies", b.discrepancies);
	b.discrepancies = NULL;
	/* Replace the reference to the accesses by the array itself. */
	cJSON_DeleteItemFromObject(cJSON_GetObjectItemCaseSensitive(b.model, "timeline"), "accesses");
	cf_jb_item(&jb, cJSON_GetObjectItemCaseSensitive(b.model, "timeline"), "accesses",
		   b.accesses);
	b.accesses = NULL;
	if (jb.err) {
		rc = cf_set_nomem(ctx, "report");
		goto out;
	}
	*out = b.model;
	b.model = NULL;
	rc = CF_OK;
out:
	cf_json_index_release(&b.details);
	free(b.states);
	cf_tz_free(b.tz);
	cJSON_Delete(b.model);
	cJSON_Delete(b.patients);
	cJSON_Delete(b.accesses);
	cJSON_Delete(b.digests);
	cJSON_Delete(b.verified);
	cJSON_Delete(b.confirm);
	cJSON_Delete(b.discrepancies);
	return rc;
}
