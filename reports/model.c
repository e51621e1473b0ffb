/* SPDX-License-Identifier: Apache-2.0
 *
 * Building the breach report model (see model.h).
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
#include "casefile/time.h"
#include "escape.h"
#include "model.h"
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

static int64_t day_of(int64_t us)
{
	int64_t s = us / CF_US_PER_SEC - (us % CF_US_PER_SEC < 0);

	return s / 86400 - (s % 86400 < 0);
}

/* Day of an RFC 3339 time or a bare YYYY-MM-DD date; -1 when neither. */
static int64_t parse_day(const char *s)
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

static const cJSON *obj_get(const cJSON *o, const char *k)
{
	return o ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
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
	cJSON *c;

	if (!a)
		a = cf_json_str(row, "sha256sums", NULL);
	if (!a)
		return NULL;
	if (!(c = cJSON_CreateObject()) || cf_json_add_str(c, "archive", a) ||
	    cf_json_add_str(c, "member", cf_json_str(row, "member", NULL)) ||
	    cf_json_add_int(c, "line", cf_json_int(row, "line", 0)) ||
	    (obj_get(row, "offset") &&
	     cf_json_add_int(c, "offset", cf_json_int(row, "offset", 0))) ||
	    (cJSON_IsTrue(obj_get(row, "unverified")) &&
	     cf_json_add_bool(c, "unverified", 1))) {
		cJSON_Delete(c);
		return NULL;
	}
	return c;
}

static int add_copy(cJSON *arr, const cJSON *item)
{
	cJSON *d = cJSON_Duplicate(item, 1);

	return d && cJSON_AddItemToArray(arr, d) ? 0 : (cJSON_Delete(d), -1);
}

static int add_note(cJSON *arr, const char *section, const char *field,
		    const char *why)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || cf_json_add_str(o, "section", section) ||
	    cf_json_add_str(o, "field", field) || cf_json_add_str(o, "why", why) ||
	    !cJSON_AddItemToArray(arr, o)) {
		cJSON_Delete(o);
		return -1;
	}
	return 0;
}

static int add_discrepancy(cJSON *arr, const char *what)
{
	cJSON *s = cJSON_CreateString(what);

	return s && cJSON_AddItemToArray(arr, s) ? 0 : (cJSON_Delete(s), -1);
}

static int cmp_ts(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	int c = strcmp(cf_json_str(x, "ts", ""), cf_json_str(y, "ts", ""));

	return c ? c : strcmp(cf_json_str(x, "patient", ""),
			      cf_json_str(y, "patient", ""));
}

/* Sorts a cJSON array of objects by "ts" (RFC 3339 UTC strings of one
 * width sort as times). */
static int sort_by_ts(cJSON *arr)
{
	int n = cJSON_GetArraySize(arr), i = 0;
	cJSON **v, *e;

	if (n < 2)
		return 0;
	if (!(v = cf_calloc((size_t)n, sizeof *v)))
		return -1;
	while ((e = cJSON_DetachItemFromArray(arr, 0)))
		v[i++] = e;
	qsort(v, (size_t)n, sizeof *v, cmp_ts);
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, v[i]);
	free(v);
	return 0;
}

/* ---- patients ----------------------------------------------------------- */

/* The details of patient id in the scope, whichever shape it uses. */
static const cJSON *patient_detail(const cJSON *scope, const char *id,
				   const cJSON *inline_obj)
{
	const cJSON *d, *e;

	if (inline_obj)
		return inline_obj;
	cJSON_ArrayForEach(e, obj_get(scope, "patient_details"))
		if (!strcmp(cf_json_str(e, "patient", cf_json_str(e, "id", "")), id))
			return e;
	if ((d = obj_get(obj_get(scope, "evidence"), id)))
		return d;
	return NULL;
}

/* One access row for the timeline from a per-patient evidence row. */
static cJSON *access_of(const char *patient, const cJSON *row)
{
	cJSON *a = cJSON_CreateObject(), *c = a ? cite_of(row) : NULL;

	if (!c) {
		cJSON_Delete(a);
		return NULL;
	}
	if (cf_json_add_str(a, "ts", cf_json_str(row, "ts", cf_json_str(row, "time", NULL))) ||
	    cf_json_add_str(a, "actor", cf_json_str(row, "actor", "unknown")) ||
	    cf_json_add_str(a, "patient", patient) ||
	    cf_json_add_str(a, "action", cf_json_str(row, "action", NULL)) ||
	    cf_json_add_str(a, "resource", cf_json_str(row, "resource", NULL)) ||
	    cf_json_add_str(a, "src_ip", cf_json_str(row, "src_ip", NULL))) {
		cJSON_Delete(a);
		cJSON_Delete(c);
		return NULL;
	}
	if (cf_report_add(a, "cite", c)) {
		cJSON_Delete(a);
		return NULL;
	}
	return a;
}

struct build {
	struct cf_ctx *ctx;
	const struct cf_report_input *in;
	cJSON *model, *confirm, *discrepancies;
	cJSON *patients;   /* [{id,state,has_contact,evidence:[cites]}] */
	cJSON *accesses;   /* timeline rows */
	cJSON *digests;    /* object: digest -> citation count */
	cJSON *verified;   /* object: digest -> true (verified) or false */
	uint64_t unverified_cites, unverified_only;
	uint64_t affected, no_contact, unknown_contact;
	int64_t discovered_day, delay_day;
};

static int count_digest(struct build *b, const cJSON *cite)
{
	const char *a = cf_json_str(cite, "archive", NULL);
	cJSON *n;

	if (!a)
		return 0;
	if ((n = cJSON_GetObjectItemCaseSensitive(b->digests, a))) {
		cJSON_SetNumberValue(n, n->valuedouble + 1);
		return 0;
	}
	return cf_json_add_int(b->digests, a, 1);
}

/* Records an archive's verified state; false wins over true. */
static int set_verified(struct build *b, const char *digest, int ok)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(b->verified, digest);

	if (v) {
		if (!ok && cJSON_IsTrue(v))
			v->type = (v->type & ~0xff) | cJSON_False;
		return 0;
	}
	return cf_report_add(b->verified, digest,
			     ok ? cJSON_CreateTrue() : cJSON_CreateFalse());
}

/* The verified state of each archive, as far as the inputs tell: the
 * store's archives table ("archives" of a scope computed with --db), the
 * scope's "unverified_archives", and `verify --json` results. An archive
 * any of them calls unverified or failed stays so. */
static int load_verified(struct build *b)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, obj_get(b->in->scope, "archives")) {
		const char *d = cf_json_str(a, "sha256sums", NULL);
		if (d && cJSON_IsBool(obj_get(a, "verified")) &&
		    set_verified(b, d, cJSON_IsTrue(obj_get(a, "verified"))))
			return -1;
	}
	cJSON_ArrayForEach(a, obj_get(b->in->scope, "unverified_archives")) {
		const char *d = cJSON_IsString(a) ? a->valuestring
						  : cf_json_str(a, "sha256sums", NULL);
		if (d && set_verified(b, d, 0))
			return -1;
	}
	cJSON_ArrayForEach(a, obj_get(b->in->verify, "archives")) {
		const char *d = cf_json_str(a, "sha256sums", NULL);
		if (d && set_verified(b, d, cf_json_bool(a, "ok", 0)))
			return -1;
	}
	return 0;
}

/* Counts a citation from an unverified archive; clears *only_unverified
 * for one from a verified archive or one whose state is not known. */
static int note_verified(struct build *b, const cJSON *cite, int *only_unverified)
{
	const char *d = cf_json_str(cite, "archive", "");
	const cJSON *v = obj_get(b->verified, d);

	if (cJSON_IsTrue(obj_get(cite, "unverified")) && !cJSON_IsFalse(v)) {
		if (set_verified(b, d, 0))
			return -1;
		v = obj_get(b->verified, d);
	}
	if (cJSON_IsFalse(v))
		b->unverified_cites++;
	else
		*only_unverified = 0;
	return 0;
}

static int build_patients(struct build *b)
{
	const cJSON *list = obj_get(b->in->scope, "patients"), *p;
	cJSON *seen = cJSON_CreateObject();
	int rc = CF_FAILED;

	if (!seen)
		return cf_set_nomem(b->ctx, "patients");
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
		if (obj_get(seen, id)) {
			cf_set_error(b->ctx, 0, "%s: patient '%s' is listed twice",
				     b->in->scope_name, id);
			goto out;
		}
		if (!cJSON_AddTrueToObject(seen, id))
			goto nomem;
		d = patient_detail(b->in->scope, id, cJSON_IsObject(p) ? p : NULL);
		ev = cJSON_IsArray(d) ? d : obj_get(d, "evidence");
		if (!ev)
			ev = obj_get(d, "accesses");
		hc = obj_get(d, "has_contact");
		if (!(o = cJSON_CreateObject()) || !cJSON_AddItemToArray(b->patients, o) ||
		    cf_json_add_str(o, "id", id) ||
		    cf_json_add_str(o, "state", cf_json_str(d, "state", "unknown")) ||
		    !(cJSON_IsBool(hc) ? cJSON_AddBoolToObject(o, "has_contact", cJSON_IsTrue(hc))
				       : cJSON_AddNullToObject(o, "has_contact")) ||
		    !(cites = cJSON_AddArrayToObject(o, "evidence")))
			goto nomem;
		if (cJSON_IsBool(hc) && !cJSON_IsTrue(hc))
			b->no_contact++;
		else if (!cJSON_IsBool(hc))
			b->unknown_contact++;
		cJSON_ArrayForEach(row, ev) {
			cJSON *c = cite_of(row), *a;

			if (!c) {
				if (has_archive(row))
					goto nomem;
				continue;
			}
			if (!cJSON_AddItemToArray(cites, c) || count_digest(b, c) ||
			    note_verified(b, c, &only_unverified))
				goto nomem;
			if ((obj_get(row, "ts") || obj_get(row, "time"))) {
				if (!(a = access_of(id, row)) ||
				    !cJSON_AddItemToArray(b->accesses, a))
					goto nomem;
			}
		}
		if (!cJSON_GetArraySize(cites) &&
		    add_discrepancy(b->discrepancies, "a patient has no evidence citation in the scope"))
			goto nomem;
		if (cJSON_GetArraySize(cites) && only_unverified) {
			if (cf_json_add_bool(o, "unverified_only", 1))
				goto nomem;
			b->unverified_only++;
		}
	}
	b->affected = (uint64_t)cJSON_GetArraySize(b->patients);
	rc = CF_OK;
	goto out;
nomem:
	rc = cf_set_nomem(b->ctx, "patients");
out:
	cJSON_Delete(seen);
	return rc;
}

/* The first citation of each patient of `state` (or of all when NULL). */
static cJSON *cites_for(struct build *b, const char *state)
{
	cJSON *arr = cJSON_CreateArray(), *p;

	cJSON_ArrayForEach(p, b->patients) {
		cJSON *first = cJSON_GetArrayItem(obj_get(p, "evidence"), 0);

		if (!first || (state && strcmp(cf_json_str(p, "state", ""), state)))
			continue;
		if (add_copy(arr, first)) {
			cJSON_Delete(arr);
			return NULL;
		}
	}
	return arr;
}

/* ---- sections ------------------------------------------------------------ */

static int build_affected(struct build *b, struct cf_state_count **states,
			  size_t *nstates)
{
	const cJSON *bs = obj_get(b->in->scope, "by_state"), *e;
	cJSON *sec, *cnt, *arr, *p;
	int64_t scope_n = cf_json_int(b->in->scope, "affected", -1);
	uint64_t sum = 0;
	size_t n = 0;
	char msg[200];

	if (!(sec = cJSON_AddObjectToObject(b->model, "affected")) ||
	    !(cnt = cJSON_AddObjectToObject(sec, "count")) ||
	    cf_json_add_int(cnt, "value", (int64_t)b->affected) ||
	    cf_report_add(cnt, "cites", cites_for(b, NULL)) ||
	    cf_report_add(sec, "patients", cJSON_Duplicate(b->patients, 1)) ||
	    !(arr = cJSON_AddArrayToObject(sec, "by_state")))
		return cf_set_nomem(b->ctx, "affected");
	if (scope_n >= 0 && (uint64_t)scope_n != b->affected) {
		snprintf(msg, sizeof msg, "the scope says %lld affected but lists "
			 "%llu patients; the list is used", (long long)scope_n,
			 (unsigned long long)b->affected);
		if (add_discrepancy(b->discrepancies, msg))
			return cf_set_nomem(b->ctx, "affected");
	}
	/* by_state from the scope when given, else counted from the patients. */
	if (!cJSON_IsObject(bs)) {
		cJSON *tmp = cJSON_CreateObject();

		if (cf_report_add(sec, "_tmp", tmp))
			return cf_set_nomem(b->ctx, "by_state");
		cJSON_ArrayForEach(p, b->patients) {
			const char *st = cf_json_str(p, "state", "unknown");
			cJSON *c = cJSON_GetObjectItemCaseSensitive(tmp, st);

			if (c)
				cJSON_SetNumberValue(c, c->valuedouble + 1);
			else if (cf_json_add_int(tmp, st, 1))
				return cf_set_nomem(b->ctx, "by_state");
		}
		bs = tmp;
	}
	*nstates = (size_t)cJSON_GetArraySize(bs);
	if (!(*states = cf_calloc(*nstates ? *nstates : 1, sizeof **states)))
		return cf_set_nomem(b->ctx, "by_state");
	cJSON_ArrayForEach(e, bs) {
		cJSON *o;

		if (!cJSON_IsNumber(e) || e->valuedouble < 0)
			return cf_set_error(b->ctx, 0, "%s: by_state.%s is not a count",
					    b->in->scope_name, e->string);
		(*states)[n].state = e->string;
		(*states)[n].count = (uint64_t)e->valuedouble;
		sum += (*states)[n].count;
		if (!(o = cJSON_CreateObject()) || !cJSON_AddItemToArray(arr, o) ||
		    cf_json_add_str(o, "state", e->string) ||
		    cf_json_add_int(o, "count", (int64_t)(*states)[n].count) ||
		    cf_json_add_bool(o, "media_notice",
				     cf_breach_state_needs_media(&(*states)[n])) ||
		    cf_report_add(o, "cites", cites_for(b, e->string)))
			return cf_set_nomem(b->ctx, "by_state");
		n++;
	}
	if (sum != b->affected) {
		snprintf(msg, sizeof msg, "by_state adds up to %llu, not %llu",
			 (unsigned long long)sum, (unsigned long long)b->affected);
		if (add_discrepancy(b->discrepancies, msg))
			return cf_set_nomem(b->ctx, "by_state");
	}
	return CF_OK;
}

/* Rows of an array in the scope copied with a `cite` each. */
static cJSON *rows_with_cites(struct build *b, const cJSON *src,
			      const char *const *keys)
{
	cJSON *arr = cJSON_CreateArray();
	const cJSON *r;

	if (!arr)
		return NULL;
	cJSON_ArrayForEach(r, src) {
		cJSON *o = cJSON_CreateObject(), *c;

		if (cf_report_add(arr, NULL, o))
			goto fail;
		for (size_t i = 0; keys[i]; i++) {
			const cJSON *v = obj_get(r, keys[i]);

			/* `timeline scope` names the time "time". */
			if (!v && !strcmp(keys[i], "ts"))
				v = obj_get(r, "time");
			if (v && cf_report_add(o, keys[i], cJSON_Duplicate(v, 1)))
				goto fail;
		}
		/* The citation last, so that nothing can fail while it is
		 * owned by no tree. */
		if ((c = cite_of(r)) ? (cf_report_add(o, "cite", c) || count_digest(b, c))
				     : has_archive(r) || !cJSON_AddNullToObject(o, "cite"))
			goto fail;
	}
	return arr;
fail:
	cJSON_Delete(arr);
	return NULL;
}

static int build_timeline(struct build *b)
{
	static const char *const fkeys[] = {"ts", "actor", "src_ip", "action",
		"outcome", "patient", "resource", NULL};
	const cJSON *fa = obj_get(b->in->scope, "failed_attempts"), *a;
	cJSON *sec, *actors, *failed;

	if (sort_by_ts(b->accesses))
		return cf_set_nomem(b->ctx, "timeline");
	if (!(sec = cJSON_AddObjectToObject(b->model, "timeline")) ||
	    !(actors = cJSON_AddObjectToObject(sec, "accesses_by_actor")))
		return cf_set_nomem(b->ctx, "timeline");
	cJSON_ArrayForEach(a, b->accesses) {
		const char *who = cf_json_str(a, "actor", "unknown");
		cJSON *c = cJSON_GetObjectItemCaseSensitive(actors, who);

		if (c)
			cJSON_SetNumberValue(c, c->valuedouble + 1);
		else if (cf_json_add_int(actors, who, 1))
			return cf_set_nomem(b->ctx, "timeline");
	}
	/* A reference until the end of the build (the rows are sorted and
	 * read by later sections); cJSON_AddItemReferenceToObject() would leak
	 * the reference when the key cannot be copied. */
	if (cf_report_add(sec, "accesses", cJSON_CreateArrayReference(b->accesses->child)))
		return cf_set_nomem(b->ctx, "timeline");
	if (cJSON_IsNumber(fa)) {
		if (cf_json_add_int(sec, "failed_attempt_count", (int64_t)fa->valuedouble) ||
		    !cJSON_AddArrayToObject(sec, "failed_attempts"))
			return cf_set_nomem(b->ctx, "timeline");
		return CF_OK;
	}
	if (!(failed = rows_with_cites(b, fa, fkeys)) ||
	    (sort_by_ts(failed) && (cJSON_Delete(failed), 1)) ||
	    cf_report_add(sec, "failed_attempts", failed) ||
	    cf_json_add_int(sec, "failed_attempt_count", cJSON_GetArraySize(failed)))
		return cf_set_nomem(b->ctx, "timeline");
	return CF_OK;
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
	cJSON *arr = cJSON_AddArrayToObject(b->model, "phi_categories");

	if (!arr)
		return cf_set_nomem(b->ctx, "phi_categories");
	cJSON_ArrayForEach(e, src) {
		const char *name = cJSON_IsString(e) ? e->valuestring
			: cf_json_str(e, "category", cf_json_str(e, "name", NULL));
		cJSON *o, *cites;

		if (!name)
			continue;
		if (!(o = cJSON_CreateObject()) || !cJSON_AddItemToArray(arr, o) ||
		    cf_json_add_str(o, "category", name) ||
		    cf_json_add_str(o, "portal_type", portal_phi_type(name)) ||
		    (obj_get(e, "count") && cf_json_add_int(o, "count", cf_json_int(e, "count", 0))) ||
		    !(cites = cJSON_AddArrayToObject(o, "cites")))
			return cf_set_nomem(b->ctx, "phi_categories");
		cJSON_ArrayForEach(r, obj_get(e, "evidence")) {
			cJSON *c = cite_of(r);

			if ((!c && has_archive(r)) ||
			    (c && (!cJSON_AddItemToArray(cites, c) || count_digest(b, c))))
				return cf_set_nomem(b->ctx, "phi_categories");
		}
	}
	return CF_OK;
}

static int build_models(struct build *b)
{
	static const char *const keys[] = {"ts", "patient", "model", "version",
		"decision", "output", "score", NULL};
	cJSON *arr = rows_with_cites(b, obj_get(b->in->scope, "model_decisions"), keys);

	if (!arr || sort_by_ts(arr) || !cJSON_AddItemToObject(b->model, "model_decisions", arr)) {
		cJSON_Delete(arr);
		return cf_set_nomem(b->ctx, "model_decisions");
	}
	return CF_OK;
}

/* Joins the strings of a JSON array with ", " into a heap string. */
static char *join(const cJSON *arr, const char *key)
{
	size_t len = 1;
	const cJSON *e;
	char *s;

	cJSON_ArrayForEach(e, arr) {
		const char *v = cJSON_IsString(e) ? e->valuestring : cf_json_str(e, key, "");
		len += strlen(v) + 2;
	}
	if (!(s = cf_malloc(len)))
		return NULL;
	*s = 0;
	cJSON_ArrayForEach(e, arr) {
		const char *v = cJSON_IsString(e) ? e->valuestring : cf_json_str(e, key, "");
		if (*s)
			strcat(s, ", ");
		strcat(s, v);
	}
	return s;
}

/* Adds a factor; takes ownership of cites (may be NULL: none). */
static int add_factor(cJSON *arr, const char *id, const char *title,
		      const char *finding, cJSON *cites, const char *confirm)
{
	cJSON *o = cJSON_CreateObject();

	if (!cites)
		cites = cJSON_CreateArray();
	if (cf_report_add(arr, NULL, o)) {
		cJSON_Delete(cites);
		return -1;
	}
	if (cf_report_add(o, "cites", cites) || cf_json_add_str(o, "id", id) ||
	    cf_json_add_str(o, "title", title) ||
	    cf_json_add_str(o, "finding", finding) ||
	    cf_json_add_bool(o, "confirm", 1) ||
	    cf_json_add_str(o, "confirm_note", confirm))
		return -1;
	return 0;
}

static int build_risk(struct build *b)
{
	const cJSON *sus = obj_get(b->in->incident, "suspects");
	const cJSON *tl = obj_get(b->model, "timeline"), *e;
	cJSON *sec, *arr, *cites = NULL;
	char *phi = join(obj_get(b->model, "phi_categories"), "category");
	char *actors = join(obj_get(sus, "actors"), NULL);
	char *ips = join(obj_get(sus, "ips"), NULL);
	char *creds = join(obj_get(sus, "credentials"), NULL);
	char *models = join(obj_get(sus, "models"), NULL);
	char text[2048];
	int rc = CF_FATAL, bad;
	uint64_t reads = 0, other = 0;

	if (!phi || !actors || !ips || !creds || !models)
		goto out;
	if (!(sec = cJSON_AddObjectToObject(b->model, "risk_assessment")) ||
	    cf_json_add_str(sec, "rule", "45 CFR 164.402(2)") ||
	    !(arr = cJSON_AddArrayToObject(sec, "factors")))
		goto out;
	/* 1. Nature and extent of the PHI. */
	snprintf(text, sizeof text,
		 "%llu individual(s) identified by patient identifier in the "
		 "evidence. PHI categories seen: %s.",
		 (unsigned long long)b->affected, *phi ? phi : "none identified");
	if (!(cites = cJSON_CreateArray()))
		goto out;
	cJSON_ArrayForEach(e, obj_get(b->model, "phi_categories")) {
		const cJSON *c;
		cJSON_ArrayForEach(c, obj_get(e, "cites"))
			if (add_copy(cites, c))
				goto out;
	}
	bad = add_factor(arr, "nature_extent", "Nature and extent of the PHI "
		      "involved, including the types of identifiers and the "
		      "likelihood of re-identification", text, cites,
		      "Confirm the categories and whether sensitive information "
		      "(financial, mental health, substance use, HIV) or direct "
		      "identifiers such as SSNs were exposed.");
	cites = NULL;
	if (bad)
		goto out;
	/* 2. The unauthorised person. */
	snprintf(text, sizeof text, "Suspected actors: %s. Source addresses: %s. "
		 "Credentials: %s. Model versions: %s.",
		 *actors ? actors : "none named", *ips ? ips : "none named",
		 *creds ? creds : "none named", *models ? models : "none named");
	if (!(cites = cJSON_CreateArray()))
		goto out;
	cJSON_ArrayForEach(e, obj_get(tl, "accesses"))
		if (cJSON_GetArraySize(cites) < 20 && add_copy(cites, obj_get(e, "cite")))
			goto out;
	bad = add_factor(arr, "unauthorized_person", "The unauthorized person who "
		      "used the PHI or to whom the disclosure was made", text, cites,
		      "Confirm who the person is and whether they are obliged "
		      "to protect PHI (another covered entity, a workforce "
		      "member acting in good faith).");
	cites = NULL;
	if (bad)
		goto out;
	/* 3. Acquired or viewed. */
	cJSON_ArrayForEach(e, obj_get(tl, "accesses")) {
		const char *act = cf_json_str(e, "action", "");
		if (!strcmp(act, "read") || !strcmp(act, "export") ||
		    !strcmp(act, "search") || !strcmp(act, "download"))
			reads++;
		else
			other++;
	}
	snprintf(text, sizeof text, "%llu successful access(es) to the records of "
		 "%llu individual(s) (%llu read or export, %llu other); %lld failed "
		 "attempt(s) are listed apart and not counted.",
		 (unsigned long long)(reads + other), (unsigned long long)b->affected,
		 (unsigned long long)reads, (unsigned long long)other,
		 (long long)cf_json_int(tl, "failed_attempt_count", 0));
	if (!(cites = cJSON_CreateArray()))
		goto out;
	cJSON_ArrayForEach(e, obj_get(tl, "accesses"))
		if (cJSON_GetArraySize(cites) < 20 && add_copy(cites, obj_get(e, "cite")))
			goto out;
	cJSON_ArrayForEach(e, obj_get(tl, "failed_attempts"))
		if (obj_get(e, "cite") && cJSON_IsObject(obj_get(e, "cite")) &&
		    add_copy(cites, obj_get(e, "cite")))
			goto out;
	bad = add_factor(arr, "acquired_viewed", "Whether the PHI was actually "
		      "acquired or viewed", text, cites,
		      "Confirm from the evidence cited that the data was "
		      "displayed or transferred, not only requested.");
	cites = NULL;
	if (bad)
		goto out;
	/* 4. Mitigation: only a person knows. */
	if (add_factor(arr, "mitigation", "The extent to which the risk to the "
		       "PHI has been mitigated", "To be completed: describe "
		       "assurances obtained, credentials revoked, data "
		       "retrieved or destroyed.", NULL,
		       "Not derivable from evidence; a person must complete it.") ||
	    cf_json_add_str(sec, "conclusion", "An impermissible use or disclosure "
			    "is presumed to be a breach unless this assessment "
			    "demonstrates a low probability that the PHI has been "
			    "compromised (45 CFR 164.402(2)).") ||
	    add_note(b->confirm, "risk_assessment", "factors", "Every factor is "
		     "pre-filled from evidence and must be reviewed and signed "
		     "off by the privacy officer.") ||
	    add_note(b->confirm, "risk_assessment", "mitigation", "Extent of "
		     "mitigation is left for a person to complete."))
		goto out;
	rc = CF_OK;
out:
	cJSON_Delete(cites);
	free(phi);
	free(actors);
	free(ips);
	free(creds);
	free(models);
	return rc == CF_OK ? rc : cf_set_nomem(b->ctx, "risk assessment");
}

static int add_date(cJSON *o, const char *key, int64_t day)
{
	char d[16];

	if (day < 0)
		return cJSON_AddNullToObject(o, key) ? 0 : -1;
	return cf_json_add_str(o, key, cf_report_iso_date(day, d));
}

static int build_obligations(struct build *b, const struct cf_state_count *st,
			     size_t nst)
{
	struct cf_breach_facts f = {b->discovered_day, b->delay_day, b->affected,
				    b->no_contact, st, nst};
	struct cf_breach_duties d;
	cJSON *sec, *o, *arr;
	int rc = CF_FATAL;

	if (cf_breach_duties_compute(&f, &d))
		return cf_set_nomem(b->ctx, "obligations");
	if (!(sec = cJSON_AddObjectToObject(b->model, "obligations")) ||
	    add_date(sec, "discovered", b->discovered_day))
		goto out;
	if (!(o = cJSON_AddObjectToObject(sec, "law_enforcement_delay")) ||
	    add_date(o, "until", b->delay_day) || add_date(o, "not_before", d.not_before) ||
	    cf_json_add_str(o, "rule", "45 CFR 164.412"))
		goto out;
	if (!(o = cJSON_AddObjectToObject(sec, "individual_notice")) ||
	    cf_json_add_bool(o, "required", b->affected > 0) ||
	    add_date(o, "due", d.individual_due) ||
	    cf_json_add_str(o, "rule", "45 CFR 164.404(b)") ||
	    cf_json_add_str(o, "text", "Without unreasonable delay and in no case "
			    "later than 60 calendar days after discovery, by "
			    "first-class mail (or e-mail if the individual agreed)."))
		goto out;
	if (!(o = cJSON_AddObjectToObject(sec, "hhs_notice")) ||
	    cf_json_add_bool(o, "immediate", d.hhs_immediate) ||
	    add_date(o, "due", d.hhs_due) ||
	    cf_json_add_str(o, "rule", "45 CFR 164.408") ||
	    cf_json_add_str(o, "text", d.hhs_immediate
		? "500 or more individuals: notify the Secretary contemporaneously "
		  "with the individual notices, through the HHS breach portal."
		: "Fewer than 500 individuals: log the breach and notify the "
		  "Secretary within 60 days after the end of the calendar year "
		  "of discovery."))
		goto out;
	if (!(o = cJSON_AddObjectToObject(sec, "media_notice")) ||
	    cf_json_add_bool(o, "required", d.media_required) ||
	    add_date(o, "due", d.media_due) ||
	    cf_json_add_str(o, "rule", "45 CFR 164.406") ||
	    !(arr = cJSON_AddArrayToObject(o, "states")))
		goto out;
	for (size_t i = 0; i < d.nmedia_states; i++) {
		cJSON *s = cJSON_CreateObject();

		if (!s || !cJSON_AddItemToArray(arr, s) ||
		    cf_json_add_str(s, "state", st[d.media_states[i]].state) ||
		    cf_json_add_int(s, "count", (int64_t)st[d.media_states[i]].count))
			goto out;
	}
	if (!(o = cJSON_AddObjectToObject(sec, "substitute_notice")) ||
	    cf_json_add_str(o, "kind", cf_breach_substitute_name(d.substitute)) ||
	    cf_json_add_int(o, "no_contact", (int64_t)b->no_contact) ||
	    cf_json_add_int(o, "contact_unknown", (int64_t)b->unknown_contact) ||
	    add_date(o, "keep_until", d.substitute_until) ||
	    cf_json_add_str(o, "rule", "45 CFR 164.404(d)(2)") ||
	    cf_json_add_str(o, "text",
		d.substitute == CF_SUBST_CONSPICUOUS
		? "10 or more individuals cannot be reached: a conspicuous posting "
		  "on the home page of the web site for 90 days or notice in major "
		  "print or broadcast media where they likely reside, and a "
		  "toll-free number active for at least 90 days."
		: d.substitute == CF_SUBST_ALTERNATIVE
		? "Fewer than 10 individuals cannot be reached: substitute notice "
		  "by an alternative form of written notice, telephone or other "
		  "means."
		: b->unknown_contact
		? "No individual is known to lack contact information, but it is "
		  "not known for some (see contact_unknown): confirm it before "
		  "ruling out substitute notice (10 or more unreachable require "
		  "conspicuous notice)."
		: "No substitute notice: every individual has usable contact "
		  "information."))
		goto out;
	if (b->unknown_contact &&
	    add_note(b->confirm, "obligations", "substitute_notice", "Contact "
		     "information is not known for some individuals; confirm "
		     "before relying on the substitute-notice finding."))
		goto out;
	if (b->delay_day >= 0 &&
	    add_note(b->confirm, "obligations", "law_enforcement_delay", "Confirm "
		     "the law-enforcement statement: a written statement sets the "
		     "period; an oral one delays for no longer than 30 days unless "
		     "followed by a written statement (164.412(b))."))
		goto out;
	rc = CF_OK;
out:
	free(d.media_states);
	return rc == CF_OK ? rc : cf_set_nomem(b->ctx, "obligations");
}

static int portal_field(cJSON *arr, const char *field, const char *value,
			int confirm)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddItemToArray(arr, o) || cf_json_add_str(o, "field", field) ||
	    cf_json_add_str(o, "value", value) || cf_json_add_bool(o, "confirm", confirm))
		return -1;
	return 0;
}

static const char *entity_type_name(const char *t)
{
	if (!strcmp(t, "health-plan")) return "Health Plan";
	if (!strcmp(t, "clearinghouse")) return "Healthcare Clearing House";
	if (!strcmp(t, "business-associate")) return "Business Associate";
	return "Healthcare Provider";
}

/* Breach type and location pre-filled from the suspects and the evidence;
 * both are marked for confirmation. */
static const char *guess_type(const cJSON *inc)
{
	const cJSON *s = obj_get(inc, "suspects");

	if (cJSON_GetArraySize(obj_get(s, "ips")) || cJSON_GetArraySize(obj_get(s, "credentials")))
		return "Hacking/IT Incident";
	return "Unauthorized Access/Disclosure";
}

static const char *guess_location(const cJSON *accesses)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, accesses) {
		const char *r = cf_json_str(a, "resource", "");
		const char *m = cf_json_str(obj_get(a, "cite"), "member", "");

		if (strstr(r, "Patient") || strstr(r, "fhir") || strstr(m, "ehr") ||
		    strstr(m, "fhir"))
			return "Electronic Medical Record";
	}
	return "Network Server";
}

static int build_portal(struct build *b)
{
	const cJSON *inc = b->in->incident, *ce = obj_get(inc, "covered_entity");
	const cJSON *acc = obj_get(obj_get(b->model, "timeline"), "accesses");
	const cJSON *w = obj_get(inc, "window");
	cJSON *arr = cJSON_AddArrayToObject(b->model, "hhs_portal"), *types = NULL;
	const cJSON *e;
	char num[32], d[16], *phi = NULL, *ptypes = NULL;
	int64_t start = -1, end = -1;
	int rc = -1;

	if (!arr || !(types = cJSON_CreateArray()))
		goto out;
	if (cJSON_GetArraySize((cJSON *)acc)) {
		start = parse_day(cf_json_str(cJSON_GetArrayItem(acc, 0), "ts", NULL));
		end = parse_day(cf_json_str(cJSON_GetArrayItem(acc, cJSON_GetArraySize(acc) - 1), "ts", NULL));
	} else {
		start = parse_day(cf_json_str(w, "from", NULL));
		end = parse_day(cf_json_str(w, "to", NULL));
	}
	cJSON_ArrayForEach(e, obj_get(b->model, "phi_categories")) {
		const char *t = cf_json_str(e, "portal_type", "Other");
		int dup = 0;
		const cJSON *x;

		cJSON_ArrayForEach(x, types)
			dup |= !strcmp(x->valuestring, t);
		if (!dup && cf_report_add(types, NULL, cJSON_CreateString(t)))
			goto out;
	}
	if (!(phi = join(obj_get(b->model, "phi_categories"), "category")) ||
	    !(ptypes = join(types, NULL)))
		goto out;
	snprintf(num, sizeof num, "%llu", (unsigned long long)b->affected);
	if (portal_field(arr, "Covered entity name", cf_json_str(ce, "name", ""), 0) ||
	    portal_field(arr, "Type of covered entity",
			 entity_type_name(cf_json_str(ce, "type", "provider")), 0) ||
	    portal_field(arr, "Breach start date",
			 start >= 0 ? cf_report_iso_date(start, d) : "", 1) ||
	    portal_field(arr, "Breach end date",
			 end >= 0 ? cf_report_iso_date(end, d) : "", 1) ||
	    portal_field(arr, "Discovery date", cf_report_iso_date(b->discovered_day, d), 0) ||
	    portal_field(arr, "Approximate number of individuals affected", num, 0) ||
	    portal_field(arr, "Type of breach", guess_type(inc), 1) ||
	    portal_field(arr, "Location of breached information", guess_location(acc), 1) ||
	    portal_field(arr, "Type of PHI involved", ptypes, 1) ||
	    portal_field(arr, "PHI involved (detail)", phi, 1) ||
	    portal_field(arr, "Business associate involved",
			 !strcmp(cf_json_str(ce, "type", ""), "business-associate") ? "Yes" : "No", 1) ||
	    portal_field(arr, "Safeguards in place prior to breach", "", 1) ||
	    portal_field(arr, "Actions taken in response to breach", "", 1) ||
	    portal_field(arr, "Individual notice provided (planned by)",
			 cf_json_str(obj_get(obj_get(b->model, "obligations"), "individual_notice"), "due", ""), 1) ||
	    add_note(b->confirm, "hhs_portal", "Type of breach / Location",
		     "Pre-filled from the suspects and the evidence members; "
		     "confirm against the investigation.") ||
	    add_note(b->confirm, "hhs_portal", "Safeguards / Actions taken",
		     "Not derivable from evidence; a person must complete them."))
		goto out;
	rc = 0;
out:
	cJSON_Delete(types);
	free(phi);
	free(ptypes);
	return rc ? cf_set_nomem(b->ctx, "hhs portal") : CF_OK;
}

/* The store's verdict on an archive for the inventory: "verified",
 * "UNVERIFIED", or NULL when the inputs do not say. */
static const char *verified_word(const struct build *b, const char *digest)
{
	const cJSON *v = obj_get(b->verified, digest);

	return cJSON_IsTrue(v) ? "verified" : cJSON_IsFalse(v) ? "UNVERIFIED" : NULL;
}

/* The store's row of an archive ("archives" of a scope from --db). */
static const cJSON *store_archive(const struct build *b, const char *digest)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, obj_get(b->in->scope, "archives"))
		if (!strcmp(cf_json_str(a, "sha256sums", ""), digest))
			return a;
	return NULL;
}

/* Inventory: every archive cited or in the timeline store, joined with the
 * verification result and with the verified flag the store recorded. */
static int build_inventory(struct build *b)
{
	const cJSON *archives = obj_get(b->in->verify, "archives"), *d, *v;
	cJSON *arr = cJSON_AddArrayToObject(b->model, "evidence_inventory");
	cJSON *done = cJSON_CreateObject();
	int rc = -1;

	if (!arr || !done)
		goto out;
	cJSON_ArrayForEach(v, archives) {
		const char *dig = cf_json_str(v, "sha256sums", "");
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(arr, o) ||
		    cf_json_add_str(o, "sha256sums", dig) ||
		    cf_json_add_str(o, "path", cf_json_str(v, "path", NULL)) ||
		    cf_json_add_str(o, "signer", cf_json_str(v, "signer", NULL)) ||
		    cf_json_add_str(o, "verification", cf_json_bool(v, "ok", 0) ? "OK" : "FAILED") ||
		    cf_json_add_str(o, "verified_state", verified_word(b, dig)) ||
		    cf_json_add_int(o, "problems", cJSON_GetArraySize(obj_get(v, "problems"))) ||
		    cf_json_add_int(o, "citations", cf_json_int(b->digests, dig, 0)) ||
		    !cJSON_AddTrueToObject(done, dig))
			goto out;
	}
	/* archives cited without a verification result, then the store's
	 * other archives: their verified state is what `timeline build` recorded
	 * (verified against its trusted keys, or added unverified) */
	cJSON_ArrayForEach(d, b->digests) {
		const char *tl = verified_word(b, d->string);
		const cJSON *st = store_archive(b, d->string);
		cJSON *o;

		if (obj_get(done, d->string))
			continue;
		if (!(o = cJSON_CreateObject()) || !cJSON_AddItemToArray(arr, o) ||
		    cf_json_add_str(o, "sha256sums", d->string) ||
		    cf_json_add_str(o, "path", cf_json_str(st, "path", NULL)) ||
		    cf_json_add_str(o, "signer", cf_json_str(st, "signer", NULL)) ||
		    cf_json_add_str(o, "verification", "NOT VERIFIED") ||
		    cf_json_add_str(o, "verified_state", tl) ||
		    cf_json_add_int(o, "problems", 0) ||
		    cf_json_add_int(o, "citations", (int64_t)d->valuedouble) ||
		    !cJSON_AddTrueToObject(done, d->string) ||
		    (!(tl && !strcmp(tl, "verified")) &&
		     add_note(b->confirm, "evidence_inventory", d->string,
			      "This archive is cited but no verification result "
			      "was given for it (casefile verify --json).")))
			goto out;
	}
	cJSON_ArrayForEach(v, obj_get(b->in->scope, "archives")) {
		const char *dig = cf_json_str(v, "sha256sums", NULL);
		cJSON *o;

		if (!dig || obj_get(done, dig))
			continue;
		if (!(o = cJSON_CreateObject()) || !cJSON_AddItemToArray(arr, o) ||
		    cf_json_add_str(o, "sha256sums", dig) ||
		    cf_json_add_str(o, "path", cf_json_str(v, "path", NULL)) ||
		    cf_json_add_str(o, "signer", cf_json_str(v, "signer", NULL)) ||
		    cf_json_add_str(o, "verification", "NOT VERIFIED") ||
		    cf_json_add_str(o, "verified_state", verified_word(b, dig)) ||
		    cf_json_add_int(o, "problems", 0) ||
		    cf_json_add_int(o, "citations", 0) ||
		    !cJSON_AddTrueToObject(done, dig))
			goto out;
	}
	rc = 0;
out:
	cJSON_Delete(done);
	return rc ? cf_set_nomem(b->ctx, "inventory") : CF_OK;
}

/* How far the counted evidence was verified, in words the renderers use
 * as they are: a report never says "verified evidence" of evidence that
 * was not. "state" is "verified" (every cited archive is known verified),
 * "unverified" (at least one cited archive is not) or "not stated". */
static int build_evidence_status(struct build *b)
{
	cJSON *o = cJSON_AddObjectToObject(b->model, "evidence_status"), *list;
	const cJSON *d;
	const char *state = "verified";
	char text[512];

	if (!o || !(list = cJSON_AddArrayToObject(o, "unverified_archives")))
		return cf_set_nomem(b->ctx, "evidence status");
	cJSON_ArrayForEach(d, b->digests) {
		const cJSON *v = obj_get(b->verified, d->string);

		if (cJSON_IsFalse(v)) {
			state = "unverified";
			if (!cJSON_AddItemToArray(list, cJSON_CreateString(d->string)))
				return cf_set_nomem(b->ctx, "evidence status");
		} else if (!cJSON_IsTrue(v) && strcmp(state, "unverified")) {
			state = "not stated";
		}
	}
	if (!strcmp(state, "unverified"))
		snprintf(text, sizeof text, "NOT ALL OF THIS EVIDENCE WAS VERIFIED: %llu "
			 "citation(s) come from %d evidence archive(s) that were not "
			 "verified (added with --allow-unverified, or failing "
			 "verification), and %llu of the %llu individual(s) counted "
			 "are named only by such evidence. Confirm them before any "
			 "notice is sent.",
			 (unsigned long long)b->unverified_cites, cJSON_GetArraySize(list),
			 (unsigned long long)b->unverified_only,
			 (unsigned long long)b->affected);
	else if (!strcmp(state, "not stated"))
		snprintf(text, sizeof text, "The verification of some cited evidence "
			 "archives is not stated here (see the evidence inventory).");
	else
		snprintf(text, sizeof text, "Every cited evidence archive was verified.");
	if (cf_json_add_str(o, "state", state) ||
	    cf_json_add_int(o, "unverified_citations", (int64_t)b->unverified_cites) ||
	    cf_json_add_int(o, "individuals_only_unverified", (int64_t)b->unverified_only) ||
	    cf_json_add_str(o, "statement", text))
		return cf_set_nomem(b->ctx, "evidence status");
	if (!strcmp(state, "unverified") &&
	    add_note(b->confirm, "evidence_status", "unverified_archives", text))
		return cf_set_nomem(b->ctx, "evidence status");
	return CF_OK;
}

static int build_custody(struct build *b)
{
	static const char *const keys[] = {"seq", "time", "actor", "signer",
		"action", "subject", "note", NULL};
	cJSON *o, *log;
	const cJSON *e;

	if (!b->in->custody)
		return cJSON_AddNullToObject(b->model, "custody") ? CF_OK
			: cf_set_nomem(b->ctx, "custody");
	if (!(o = cJSON_AddObjectToObject(b->model, "custody")) ||
	    cf_json_add_int(o, "entries", cJSON_GetArraySize(b->in->custody)) ||
	    cf_report_add(o, "verification", b->in->custody_check
				   ? cJSON_Duplicate(b->in->custody_check, 1)
				   : cJSON_CreateNull()) ||
	    !(log = cJSON_AddArrayToObject(o, "log")))
		return cf_set_nomem(b->ctx, "custody");
	cJSON_ArrayForEach(e, b->in->custody) {
		cJSON *r = cJSON_CreateObject();

		if (!r || !cJSON_AddItemToArray(log, r))
			return cf_set_nomem(b->ctx, "custody");
		for (size_t i = 0; keys[i]; i++) {
			const cJSON *v = obj_get(e, keys[i]);

			if (v && cf_report_add(r, keys[i], cJSON_Duplicate(v, 1)))
				return cf_set_nomem(b->ctx, "custody");
		}
	}
	if (!b->in->custody_check &&
	    add_note(b->confirm, "custody", "verification", "The custody log "
		     "was summarised but not verified."))
		return cf_set_nomem(b->ctx, "custody");
	return CF_OK;
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
	int64_t us, sus;

	if (cf_report_add(b->model, "incident", o))
		return cf_set_nomem(b->ctx, "incident");
	/* Times in the output are RFC 3339 UTC with microseconds (SPEC 0). */
	if (normalise_time(o, "discovered") ||
	    normalise_time(cJSON_GetObjectItemCaseSensitive(o, "window"), "from") ||
	    normalise_time(cJSON_GetObjectItemCaseSensitive(o, "window"), "to"))
		return cf_set_nomem(b->ctx, "incident");
	if (!disc || cf_time_parse(disc, -1, &us, NULL))
		return cf_set_error(b->ctx, 0, "incident: 'discovered' is not an "
				    "RFC 3339 time");
	b->discovered_day = day_of(us);
	if (sdisc && (cf_time_parse(sdisc, -1, &sus, NULL) || sus != us) &&
	    add_discrepancy(b->discrepancies, "the scope's 'discovered' differs "
			    "from the incident file's; the incident file is used"))
		return cf_set_nomem(b->ctx, "incident");
	b->delay_day = delay ? parse_day(delay) : -1;
	if (delay && b->delay_day < 0)
		return cf_set_error(b->ctx, 0, "incident: law_enforcement_delay_until "
				    "'%s' is not a date", delay);
	return CF_OK;
}

int cf_report_build(struct cf_ctx *ctx, const struct cf_report_input *in,
		    cJSON **out)
{
	struct build b;
	struct cf_state_count *st = NULL;
	size_t nst = 0;
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
	    !(b.discrepancies = cJSON_CreateArray()) ||
	    cf_json_add_str(b.model, "format", CF_REPORT_FORMAT) ||
	    cf_json_add_time(b.model, "generated_at", in->generated_at)) {
		rc = cf_set_nomem(ctx, "report");
		goto out;
	}
	if (load_verified(&b)) {
		rc = cf_set_nomem(ctx, "report");
		goto out;
	}
	if ((rc = build_incident(&b)) != CF_OK ||
	    (rc = build_patients(&b)) != CF_OK ||
	    (rc = build_affected(&b, &st, &nst)) != CF_OK ||
	    (rc = build_timeline(&b)) != CF_OK ||
	    (rc = build_phi(&b)) != CF_OK ||
	    (rc = build_models(&b)) != CF_OK ||
	    (rc = build_obligations(&b, st, nst)) != CF_OK ||
	    (rc = build_risk(&b)) != CF_OK ||
	    (rc = build_portal(&b)) != CF_OK ||
	    (rc = build_inventory(&b)) != CF_OK ||
	    (rc = build_evidence_status(&b)) != CF_OK ||
	    (rc = build_custody(&b)) != CF_OK)
		goto out;
	/* The helper object used while counting states is not output. */
	cJSON_DeleteItemFromObject(cJSON_GetObjectItemCaseSensitive(b.model, "affected"), "_tmp");
	if (!cJSON_AddItemToObject(b.model, "to_confirm", b.confirm)) {
		rc = cf_set_nomem(ctx, "report");
		goto out;
	}
	b.confirm = NULL;
	if (!cJSON_AddItemToObject(b.model, "discrepancies", b.discrepancies)) {
		rc = cf_set_nomem(ctx, "report");
		goto out;
	}
	b.discrepancies = NULL;
	/* Replace the reference to the accesses by the array itself. */
	cJSON_DeleteItemFromObject(cJSON_GetObjectItemCaseSensitive(b.model, "timeline"), "accesses");
	if (!cJSON_AddItemToObject(cJSON_GetObjectItemCaseSensitive(b.model, "timeline"), "accesses", b.accesses)) {
		rc = cf_set_nomem(ctx, "report");
		goto out;
	}
	b.accesses = NULL;
	*out = b.model;
	b.model = NULL;
	rc = CF_OK;
out:
	free(st);
	cJSON_Delete(b.model);
	cJSON_Delete(b.patients);
	cJSON_Delete(b.accesses);
	cJSON_Delete(b.digests);
	cJSON_Delete(b.verified);
	cJSON_Delete(b.confirm);
	cJSON_Delete(b.discrepancies);
	return rc;
}
