/* SPDX-License-Identifier: Apache-2.0
 *
 * Who is counted in a breach scope and how they are reached (the second
 * half of cf_scope_compute, called by src/scope.c once the patients and
 * their evidence are known). Each block names the rule it applies:
 *
 *  - treatment_relationship: accesses with a treatment purpose of use
 *    (TREAT, ETREAT) or by an actor who had already accessed the same
 *    patient before the window. Such a use may be permitted (164.506(c)),
 *    so it is shown apart; it stays in `affected` unless the incident says
 *    exclude_treatment_access: true, and is never dropped silently.
 *  - to_confirm: accesses of unknown outcome (none recorded, or
 *    "unknown"). An impermissible use is presumed a breach (164.402(2)):
 *    they count in `affected` and are listed for a person to confirm.
 *  - residence: residents of unknown State, and whether they could put a
 *    State over the media threshold (more than 500, 164.406(a)).
 *  - reach: written notice by first-class mail or by e-mail the patient
 *    agreed to (164.404(d)(1)); phone-only is not written notice. Decedents
 *    go to next of kin or personal representative (164.404(d)(1)(ii)) and
 *    need no substitute notice when their address is not known
 *    (164.404(d)(2)); minors to a parent or guardian (164.502(g)).
 *  - urgent_telephone: the option of 164.404(d)(3).
 *  - discovery: the first suspect access, the first refused attempt and
 *    the first alert against `discovered` (164.404(a)(2)).
 *
 * Lookups are binary searches on sorted arrays: a bulk export names many
 * thousand patients. Nothing here prints.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/array.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/patient.h"
#include "casefile/scope.h"
#include "casefile/time.h"
#include "scope_count.h"

int cf_scope_purpose_treatment(const char *attrs)
{
	static const char k[] = "\"purpose\":\"";
	const char *p = attrs ? strstr(attrs, k) : NULL;

	if (!p)
		return 0;
	for (p += sizeof k - 1; *p && *p != '"';) {
		size_t n = strcspn(p, ",\"");
		if ((n == 5 && !memcmp(p, "TREAT", 5)) || (n == 6 && !memcmp(p, "ETREAT", 6)))
			return 1;
		p += n + (p[n] == ',');
	}
	return 0;
}

#define MEDIA_THRESHOLD 500 /* 164.406(a): MORE than 500 residents */

/* Adds item to arr (key NULL) or obj; a NULL item (no memory) fails. */
static int put(cJSON *o, const char *key, cJSON *item)
{
	if (!item)
		return -1;
	if (key ? !cJSON_AddItemToObject(o, key, item) : !cJSON_AddItemToArray(o, item)) {
		cJSON_Delete(item);
		return -1;
	}
	return 0;
}

/* ---- sorted string sets ----------------------------------------------------- */

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static ptrdiff_t find(char *const *v, size_t n, const char *s)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(v[mid], s);
		if (!c)
			return (ptrdiff_t)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static char *pair_key(const char *actor, const char *patient)
{
	size_t a = strlen(actor), p = strlen(patient);
	char *k = cf_malloc(a + p + 2);

	if (k) {
		memcpy(k, actor, a);
		k[a] = '\n';
		memcpy(k + a + 1, patient, p + 1);
	}
	return k;
}

/* ---- the work's state ------------------------------------------------------- */

struct count {
	struct cf_ctx *ctx;
	const struct cf_incident *inc;
	char **pid;        /* patients in scope, sorted (the scope's list) */
	size_t npid;
	char **pairs;      /* "actor\npatient" of the counted accesses, sorted */
	cJSON **prior;     /* per pair: the first earlier access, or NULL */
	size_t npairs;
	char **tid;        /* patients table ids, sorted, and their facts */
	char **tstate;
	int *thc;
	size_t nt, capt;
	int64_t first_alert_us;
	char *first_alert_rule;
	int nomem;
};

static void count_release(struct count *c)
{
	cf_strv_free(c->pairs, c->npairs);
	for (size_t i = 0; i < c->npairs; i++)
		cJSON_Delete(c->prior[i]);
	free(c->prior);
	free(c->pid);
	cf_strv_free(c->tid, c->nt);
	cf_strv_free(c->tstate, c->nt);
	free(c->thc);
	free(c->first_alert_rule);
}

/* The scope's patients (already sorted by scope.c) and the actor/patient
 * pairs of their evidence. */
static int collect(struct count *c, const cJSON *j)
{
	const cJSON *pats = cJSON_GetObjectItemCaseSensitive(j, "patients");
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(j, "evidence"), *p, *r;
	size_t n = (size_t)cJSON_GetArraySize(pats), cap = 0, k = 0;

	if (n && !(c->pid = cf_calloc(n, sizeof *c->pid)))
		return -1;
	cJSON_ArrayForEach(p, pats) if (cJSON_IsString(p))
		c->pid[c->npid++] = p->valuestring;
	if (c->npid)
		qsort(c->pid, c->npid, sizeof *c->pid, cmp_key);
	cJSON_ArrayForEach(p, ev) cap += (size_t)cJSON_GetArraySize(p);
	if (cap && (!(c->pairs = cf_calloc(cap, sizeof *c->pairs)) ||
		    !(c->prior = cf_calloc(cap, sizeof *c->prior))))
		return -1;
	cJSON_ArrayForEach(p, ev) cJSON_ArrayForEach(r, p) {
		const char *a = cf_json_str(r, "actor", NULL);
		if (!a)
			continue;
		if (!(c->pairs[k] = pair_key(a, p->string))) {
			while (k)
				free(c->pairs[--k]);
			return -1;
		}
		k++;
	}
	if (k)
		qsort(c->pairs, k, sizeof *c->pairs, cmp_key);
	/* unique */
	for (size_t i = 0; i < k; i++) {
		if (c->npairs && !strcmp(c->pairs[c->npairs - 1], c->pairs[i])) {
			free(c->pairs[i]);
			continue;
		}
		c->pairs[c->npairs++] = c->pairs[i];
	}
	return 0;
}

/* An access before the window by the same actor to a patient in scope. */
static int on_prior(void *arg, const struct cf_event *e)
{
	struct count *c = arg;
	char *k;
	ptrdiff_t i;

	if (!e->actor || !e->patient || !e->outcome || strcmp(e->outcome, "success") ||
	    find(c->pid, c->npid, e->patient) < 0)
		return 0;
	if (!(k = pair_key(e->actor, e->patient)))
		return c->nomem = 1;
	i = find(c->pairs, c->npairs, k);
	free(k);
	if (i < 0 || c->prior[i])
		return 0;
	if (!(c->prior[i] = cJSON_CreateObject()) ||
	    cf_json_add_time(c->prior[i], "time", e->ts_us) ||
	    cf_json_add_str(c->prior[i], "archive", e->archive) ||
	    cf_json_add_str(c->prior[i], "member", e->member) ||
	    cf_json_add_int(c->prior[i], "line", (int64_t)e->line) ||
	    cf_json_add_int(c->prior[i], "offset", (int64_t)e->offset))
		return c->nomem = 1;
	return 0;
}

/* Queries the accesses of each actor of the scope before the window. */
static int query_prior(struct count *c, cf_db *db)
{
	const char *last = NULL;
	size_t la = 0;

	if (c->inc->from_us == INT64_MIN)
		return CF_OK;
	for (size_t i = 0; i < c->npairs; i++) {
		size_t n = strcspn(c->pairs[i], "\n");
		struct cf_db_filter f = {.to_us = c->inc->from_us - 1, .has_to = 1};
		char *actor;
		int rc;

		if (last && n == la && !memcmp(last, c->pairs[i], n))
			continue;
		last = c->pairs[i];
		la = n;
		if (!(actor = cf_strndup(c->pairs[i], n)))
			return cf_set_nomem(c->ctx, "computing the scope");
		f.actor = actor;
		rc = cf_db_query_events(db, c->ctx, &f, on_prior, c);
		free(actor);
		if (c->nomem)
			return cf_set_nomem(c->ctx, "computing the scope");
		if (rc != CF_OK)
			return CF_FAILED;
	}
	return CF_OK;
}

static int on_patient_row(void *arg, const struct cf_patient *p)
{
	struct count *c = arg;

	if (c->nt == c->capt) {
		size_t cap = c->capt ? c->capt * 2 : 256;
		char **a = cf_realloc(c->tid, cap * sizeof *a), **b;
		int *h;
		if (a)
			c->tid = a;
		if (!a || !(b = cf_realloc(c->tstate, cap * sizeof *b)))
			return c->nomem = 1;
		c->tstate = b;
		if (!(h = cf_realloc(c->thc, cap * sizeof *h)))
			return c->nomem = 1;
		c->thc = h;
		c->capt = cap;
	}
	c->tid[c->nt] = cf_strdup(p->id);
	c->tstate[c->nt] = p->state ? cf_strdup(p->state) : NULL;
	c->thc[c->nt] = p->has_contact;
	c->nt++;
	if (!c->tid[c->nt - 1] || (p->state && !c->tstate[c->nt - 1]))
		return c->nomem = 1;
	return 0;
}

static int on_finding(void *arg, const struct cf_finding *f)
{
	struct count *c = arg;

	if (f->count > 0 && (!c->first_alert_rule || f->first_us < c->first_alert_us)) {
		free(c->first_alert_rule);
		if (!(c->first_alert_rule = cf_strdup(f->rule_id ? f->rule_id : "")))
			return c->nomem = 1;
		c->first_alert_us = f->first_us;
	}
	return 0;
}

/* ---- treatment relationship --------------------------------------------------- */

static int remove_string(cJSON *arr, const char *s)
{
	int i = 0;
	cJSON *x;

	cJSON_ArrayForEach(x, arr) {
		if (cJSON_IsString(x) && !strcmp(x->valuestring, s)) {
			cJSON_DeleteItemFromArray(arr, i);
			return 1;
		}
		i++;
	}
	return 0;
}

static const char *state_code_of(const struct count *c, const char *id)
{
	ptrdiff_t i = find(c->tid, c->nt, id);
	const char *st = i >= 0 ? cf_state_code(c->tstate[i]) : NULL;

	return st ? st : "unknown";
}

/* Marks the treatment rows, lists the patients reached only through them
 * and, when the incident says so, takes those patients out of the count. */
static int treatment(struct count *c, cJSON *j)
{
	cJSON *ev = cJSON_GetObjectItemCaseSensitive(j, "evidence"), *p, *r, *next;
	cJSON *blk = cJSON_CreateObject(), *list;
	int64_t accesses = 0, patients = 0;
	int bad;

	if (!blk || put(j, "treatment_relationship", blk) ||
	    cf_json_add_str(blk, "rule", "45 CFR 164.506(c), 164.402 (a use permitted "
			    "under subpart E is no breach)") ||
	    cf_json_add_bool(blk, "excluded", c->inc->exclude_treatment_access) ||
	    !(list = cJSON_AddArrayToObject(blk, "patients")))
		return -1;
	for (p = ev ? ev->child : NULL; p; p = next) {
		int all = 1, any = 0;
		cJSON *why = NULL, *o;

		next = p->next;
		cJSON_ArrayForEach(r, p) {
			const char *a = cf_json_str(r, "actor", NULL);
			const cJSON *prior = NULL;
			int purpose = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "purpose_treatment"));
			if (a) {
				char *k = pair_key(a, p->string);
				ptrdiff_t i;
				if (!k)
					return -1;
				i = find(c->pairs, c->npairs, k);
				free(k);
				prior = i >= 0 ? c->prior[i] : NULL;
			}
			if (!purpose && !prior) {
				all = 0;
				continue;
			}
			any = 1;
			accesses++;
			if (prior && !cJSON_GetObjectItemCaseSensitive(r, "prior_access") &&
			    put(r, "prior_access", cJSON_Duplicate(prior, 1)))
				return -1;
			if (!why)
				why = r;
		}
		if (!any || !all)
			continue;
		patients++;
		if (!(o = cJSON_CreateObject()) || put(list, NULL, o) ||
		    cf_json_add_str(o, "patient", p->string) ||
		    cf_json_add_str(o, "reason",
				    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(why, "purpose_treatment"))
					    ? "purpose of use: treatment"
					    : "the same actor accessed the patient before the window") ||
		    put(o, "cite", cJSON_Duplicate(why, 1)))
			return -1;
		if (c->inc->exclude_treatment_access) {
			cJSON *bys = cJSON_GetObjectItemCaseSensitive(j, "by_state");
			cJSON *n = cJSON_GetObjectItemCaseSensitive(bys, state_code_of(c, p->string));
			if (n && n->valuedouble > 1)
				cJSON_SetNumberValue(n, n->valuedouble - 1);
			else if (n)
				cJSON_DeleteItemFromObjectCaseSensitive(bys, n->string);
			if (remove_string(cJSON_GetObjectItemCaseSensitive(j, "unverified_patients"),
					  p->string))
				cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(j, "unverified_affected"),
						     cf_json_int(j, "unverified_affected", 1) - 1);
			/* the patient id is p->string: remove from the list first */
			remove_string(cJSON_GetObjectItemCaseSensitive(j, "patients"), p->string);
			cJSON_DeleteItemFromObjectCaseSensitive(ev, p->string);
		}
	}
	bad = cf_json_add_int(blk, "accesses", accesses) ||
	      cf_json_add_int(blk, "count", patients);
	if (!bad && c->inc->exclude_treatment_access)
		cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(j, "affected"),
				     cf_json_int(j, "affected", 0) - patients);
	return bad ? -1 : 0;
}

/* ---- unknown outcomes ------------------------------------------------------------ */

static int to_confirm(cJSON *j)
{
	cJSON *ev = cJSON_GetObjectItemCaseSensitive(j, "evidence"), *p, *r;
	cJSON *blk = cJSON_CreateObject(), *pats, *only, *rows;
	int64_t n = 0;

	if (!blk || put(j, "to_confirm", blk) ||
	    cf_json_add_str(blk, "rule", "45 CFR 164.402(2): presumed a breach unless "
			    "shown otherwise") ||
	    cf_json_add_bool(blk, "in_affected", 1) ||
	    !(pats = cJSON_AddArrayToObject(blk, "patients")) ||
	    !(only = cJSON_AddArrayToObject(blk, "only_unknown")) ||
	    !(rows = cJSON_AddArrayToObject(blk, "accesses")))
		return -1;
	cJSON_ArrayForEach(p, ev) {
		int any = 0, all = 1;
		cJSON_ArrayForEach(r, p) {
			cJSON *x;
			if (strcmp(cf_json_str(r, "outcome", ""), "unknown")) {
				all = 0;
				continue;
			}
			any = 1;
			n++;
			if (!(x = cJSON_Duplicate(r, 1)) || put(rows, NULL, x) ||
			    cf_json_add_str(x, "patient", p->string))
				return -1;
		}
		if ((any && put(pats, NULL, cJSON_CreateString(p->string))) ||
		    (any && all && put(only, NULL, cJSON_CreateString(p->string))))
			return -1;
	}
	return cf_json_add_int(blk, "count", n) ||
	       cf_json_add_int(blk, "affected", cJSON_GetArraySize(pats)) ? -1 : 0;
}

/* ---- residence --------------------------------------------------------------- */

static int residence(cJSON *j)
{
	const cJSON *bys = cJSON_GetObjectItemCaseSensitive(j, "by_state"), *s;
	cJSON *blk = cJSON_CreateObject(), *risk;
	int64_t unknown = cf_json_int(bys, "unknown", 0);
	int could = 0;

	if (!blk || put(j, "residence", blk) ||
	    cf_json_add_str(blk, "rule", "45 CFR 164.406(a): more than 500 residents "
			    "of a State or jurisdiction") ||
	    cf_json_add_int(blk, "unknown", unknown) ||
	    !(risk = cJSON_AddArrayToObject(blk, "states_at_risk")))
		return -1;
	cJSON_ArrayForEach(s, bys) {
		if (!strcmp(s->string, "unknown") || !cJSON_IsNumber(s))
			continue;
		if (s->valuedouble <= MEDIA_THRESHOLD &&
		    s->valuedouble + (double)unknown > MEDIA_THRESHOLD) {
			could = 1;
			if (put(risk, NULL, cJSON_CreateString(s->string)))
				return -1;
		}
	}
	/* unknown ones alone could be residents of one more State */
	if (unknown > MEDIA_THRESHOLD)
		could = 1;
	return cf_json_add_bool(blk, "unknown_over_threshold", unknown > MEDIA_THRESHOLD) ||
	       cf_json_add_bool(blk, "media_could_change", could) ? -1 : 0;
}

/* ---- reach ---------------------------------------------------------------------- */

static int add_id(cJSON *arr, const char *id)
{
	return put(arr, NULL, cJSON_CreateString(id));
}

static int reach(struct count *c, cJSON *j)
{
	const cJSON *pats = cJSON_GetObjectItemCaseSensitive(j, "patients"), *p;
	cJSON *blk = cJSON_CreateObject(), *dec, *min, *phone, *none, *decl, *minl;
	int64_t n[CF_REACH_ANY + 1] = {0}, written = 0, substitute = 0;
	int64_t ndec = 0, dec_kin = 0, dec_exempt = 0, nmin = 0, turning = 0;
	int64_t with_phone = 0, no_birth = 0;
	int64_t as_of = c->inc->discovered_day;
	char day[CF_TIME_STR];

	cf_time_format(as_of * 86400LL * CF_US_PER_SEC, day);
	day[10] = '\0';
	if (!blk || put(j, "reach", blk) ||
	    cf_json_add_str(blk, "rule", "45 CFR 164.404(d)(1): first-class mail, or "
			    "e-mail if the individual agreed to electronic notice") ||
	    !(phone = cJSON_CreateArray()) || put(blk, "phone_only_patients", phone) ||
	    !(none = cJSON_CreateArray()) || put(blk, "unreachable_patients", none) ||
	    !(dec = cJSON_AddObjectToObject(blk, "deceased")) ||
	    !(decl = cJSON_AddArrayToObject(dec, "patients")) ||
	    !(min = cJSON_AddObjectToObject(blk, "minors")) ||
	    !(minl = cJSON_AddArrayToObject(min, "patients")))
		return -1;
	cJSON_ArrayForEach(p, pats) {
		ptrdiff_t i = cJSON_IsString(p) ? find(c->tid, c->nt, p->valuestring) : -1;
		int hc = i >= 0 ? c->thc[i] : 0;
		enum cf_reach r = cf_patient_reach(hc, i >= 0);
		int64_t birth = cf_patient_birth_day(hc);

		if (!cJSON_IsString(p))
			continue;
		if (hc & CF_CONTACT_PHONE)
			with_phone++;
		if (hc & CF_PATIENT_DECEASED) {
			ndec++;
			if (add_id(decl, p->valuestring))
				return -1;
			/* notice to next of kin or personal representative when
			 * their address is known; none owed otherwise, and no
			 * substitute notice (164.404(d)(2)) */
			if (hc & CF_PATIENT_KIN_ADDRESS)
				dec_kin++;
			else
				dec_exempt++;
			continue;
		}
		n[r]++; /* the living: decedents are counted above */
		if (cf_reach_written(r)) {
			written++;
		} else if (r != CF_REACH_UNKNOWN) {
			substitute++;
			if (add_id(r == CF_REACH_PHONE_ONLY ? phone : none, p->valuestring))
				return -1;
		}
		if (birth == INT64_MIN) {
			no_birth += i >= 0 && (hc & CF_CONTACT_KINDS);
		} else if (cf_patient_is_minor(birth, as_of)) {
			nmin++;
			if (add_id(minl, p->valuestring))
				return -1;
			turning += !cf_patient_is_minor(birth, as_of + 60);
		}
	}
	if (cf_json_add_int(blk, "postal", n[CF_REACH_POSTAL]) ||
	    cf_json_add_int(blk, "email", n[CF_REACH_EMAIL]) ||
	    cf_json_add_int(blk, "contact_kind_not_recorded", n[CF_REACH_ANY]) ||
	    cf_json_add_int(blk, "phone_only", n[CF_REACH_PHONE_ONLY]) ||
	    cf_json_add_int(blk, "none", n[CF_REACH_NONE]) ||
	    cf_json_add_int(blk, "no_patient_record", n[CF_REACH_UNKNOWN]) ||
	    cf_json_add_int(blk, "written_notice", written) ||
	    cf_json_add_int(blk, "substitute_notice_count", substitute) ||
	    cf_json_add_str(blk, "substitute_rule", "45 CFR 164.404(d)(2): living "
			    "individuals the evidence shows without a usable address "
			    "(patients without a record in the evidence are counted "
			    "apart, in no_patient_record)") ||
	    cf_json_add_int(dec, "count", ndec) ||
	    cf_json_add_int(dec, "next_of_kin_address", dec_kin) ||
	    cf_json_add_int(dec, "no_substitute_required", dec_exempt) ||
	    cf_json_add_str(dec, "rule", "45 CFR 164.404(d)(1)(ii): to next of kin or "
			    "personal representative; 164.404(d)(2): no substitute "
			    "notice when their contact information is insufficient") ||
	    cf_json_add_int(min, "count", nmin) ||
	    cf_json_add_str(min, "as_of", day) ||
	    cf_json_add_int(min, "turning_18_within_60_days", turning) ||
	    cf_json_add_int(min, "birth_date_unknown", no_birth) ||
	    cf_json_add_str(min, "rule", "45 CFR 164.502(g)(3): notice to a parent or "
			    "guardian as personal representative") ||
	    cf_json_add_int(blk, "with_phone", with_phone))
		return -1;
	return 0;
}

static int urgent(struct count *c, cJSON *j)
{
	cJSON *blk = cJSON_CreateObject();

	return !blk || put(j, "urgent_telephone", blk) ||
	       cf_json_add_str(blk, "rule", "45 CFR 164.404(d)(3): telephone or other "
			       "means, in addition to written notice, when misuse may "
			       "be imminent") ||
	       cf_json_add_bool(blk, "indicated", c->inc->imminent_misuse) ||
	       cf_json_add_int(blk, "with_phone",
			       cf_json_int(cJSON_GetObjectItemCaseSensitive(j, "reach"),
					   "with_phone", 0)) ? -1 : 0;
}

/* ---- discovery against the evidence --------------------------------------- */

/* The earliest row (by its RFC 3339 "time": they all share one format) of
 * the rows of arr, or of the arrays in obj when obj is an object. */
static const cJSON *earliest(const cJSON *v)
{
	const cJSON *best = NULL, *x, *r;

	cJSON_ArrayForEach(x, v) {
		const cJSON *list = cJSON_IsArray(x) ? x : NULL;
		for (r = list ? list->child : x; r; r = list ? r->next : NULL) {
			const char *t = cf_json_str(r, "time", NULL);
			if (t && (!best || strcmp(t, cf_json_str(best, "time", "")) < 0))
				best = r;
			if (!list)
				break;
		}
	}
	return best;
}

static int add_sign(cJSON *blk, const char *key, const cJSON *row, int64_t *us)
{
	const char *t = cf_json_str(row, "time", NULL);

	if (!row || !t)
		return cf_json_add_item(blk, key, NULL);
	if (cf_time_parse(t, -1, us, NULL))
		*us = INT64_MAX;
	return put(blk, key, cJSON_Duplicate(row, 1));
}

static int discovery(struct count *c, cJSON *j)
{
	const struct cf_incident *inc = c->inc;
	cJSON *blk = cJSON_CreateObject();
	int64_t access = INT64_MAX, refused = INT64_MAX, sign = INT64_MAX, day;
	char t[CF_TIME_STR];
	const char *basis = NULL;

	if (!blk || put(j, "discovery", blk) ||
	    cf_json_add_str(blk, "rule", "45 CFR 164.404(a)(2): discovered on the first "
			    "day known, or that would have been known by exercising "
			    "reasonable diligence") ||
	    cf_json_add_time(blk, "discovered", inc->discovered_us) ||
	    add_sign(blk, "first_access", earliest(cJSON_GetObjectItemCaseSensitive(j, "evidence")),
		     &access) ||
	    add_sign(blk, "first_refused",
		     earliest(cJSON_GetObjectItemCaseSensitive(j, "failed_attempts")), &refused))
		return -1;
	if (c->first_alert_rule) {
		cJSON *a = cJSON_CreateObject();
		if (!a || put(blk, "first_alert", a) ||
		    cf_json_add_time(a, "time", c->first_alert_us) ||
		    cf_json_add_str(a, "rule_id", c->first_alert_rule))
			return -1;
	} else if (cf_json_add_item(blk, "first_alert", NULL)) {
		return -1;
	}
	if (refused < sign) {
		sign = refused;
		basis = "a refused access by a suspect";
	}
	if (c->first_alert_rule && c->first_alert_us < sign) {
		sign = c->first_alert_us;
		basis = "a detection alert";
	}
	day = sign == INT64_MAX ? 0 : cf_local_day(NULL, inc->discovered_offset_s, sign);
	if (sign == INT64_MAX || day >= inc->discovered_day)
		return cf_json_add_bool(blk, "knowable_earlier", 0) ||
		       cf_json_add_item(blk, "earliest_sign_day", NULL) ? -1 : 0;
	cf_time_format(day * 86400LL * CF_US_PER_SEC, t);
	t[10] = '\0';
	return cf_json_add_bool(blk, "knowable_earlier", 1) ||
	       cf_json_add_str(blk, "earliest_sign_day", t) ||
	       cf_json_add_str(blk, "basis", basis) ? -1 : 0;
}

/* ---- entry ------------------------------------------------------------------- */

int cf_scope_count(struct cf_ctx *ctx, cf_db *db, const struct cf_incident *inc,
		   cJSON *j)
{
	struct count c = {.ctx = ctx, .inc = inc};
	int rc = CF_OK;

	if (collect(&c, j))
		goto nomem;
	if ((rc = query_prior(&c, db)) != CF_OK)
		goto out;
	rc = cf_db_query_patients(db, ctx, on_patient_row, &c);
	if (rc == CF_OK && !c.nomem)
		rc = cf_db_query_findings(db, ctx, on_finding, &c);
	if (c.nomem)
		goto nomem;
	if (rc != CF_OK)
		goto out;
	/* the patient ids of c.pid point into j: drop them before the
	 * treatment block may delete patients from it */
	free(c.pid);
	c.pid = NULL;
	c.npid = 0;
	if (treatment(&c, j) || to_confirm(j) || residence(j) || reach(&c, j) ||
	    urgent(&c, j) || discovery(&c, j))
		goto nomem;
	rc = CF_OK;
	goto out;
nomem:
	rc = cf_set_nomem(ctx, "computing the scope");
out:
	count_release(&c);
	return rc;
}
