/* SPDX-License-Identifier: Apache-2.0
 *
 * `report breach --db`: the scope computed from the timeline store by the
 * core's scope module, so that the report and `timeline scope` can never
 * disagree on a number, plus each patient's State and contact status from
 * the store's patients table (which the scope JSON does not carry), the
 * identifying elements each Patient record carried (its "fhir-patient"
 * event, cited by archive, member and line: factor 1 of the risk
 * assessment), and every archive of the store with its verified flag ("archives"), so that
 * the report words its statements by what was verified.
 *
 * Opens the store read-only and never writes to it.
 */
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "dbscope.h"

#include "casefile/db.h"
#include "casefile/patient.h"
#include "casefile/scope.h"
#include "casefile/suspects.h"

struct details {
	cJSON *scope, *out;
	const struct cf_incident *inc;
	struct cf_jb jb; /* the adds to out; checked once, after the query */
	struct cf_json_index evidence; /* the scope's evidence by patient */
};

/* The data elements the patient row shows (factor 1 of the risk
 * assessment), cited by the row's record: a State of residence is part of
 * an address; a contact flag shows an address or a telephone number. The
 * store keeps no more of the record, so no more is claimed. */
static void add_elements(struct cf_jb *jb, cJSON *o, const struct cf_patient *p,
			 int has_state)
{
	cJSON *rec;

	if (!p->archive || (!has_state && !(p->has_contact & CF_CONTACT_ANY)))
		return;
	rec = cf_jb_object(jb, o, "record");
	cf_jb_str(jb, rec, "archive", p->archive);
	cf_jb_str(jb, rec, "member", p->member);
	cf_jb_int(jb, rec, "line", (int64_t)p->line);
	cf_jb_made(jb, cf_jb_array(jb, o, "elements"), NULL,
		   cJSON_CreateString(has_state ? "address (State of residence)"
						: "address or telephone number"));
}

/* Adds {patient, state, has_contact, evidence[, record, elements]} for a
 * patient in scope, and its reach: has_contact says whether written notice
 * can reach the patient (164.404(d)(1): a postal address, or e-mail with
 * consent; phone-only cannot), "reach" how (casefile/patient.h); a
 * decedent's notice goes to next of kin (has_contact: their address is
 * known), and without it no substitute notice is owed ("substitute_exempt",
 * 164.404(d)(2)); "minor" is as of the discovery day. */
static int on_patient(void *arg, const struct cf_patient *p)
{
	struct details *d = arg;
	const cJSON *ev = cf_json_index_find(&d->evidence, p->id);
	const char *code = cf_state_code(p->state);
	int has_state = code != NULL;
	enum cf_reach r = cf_patient_reach(p->has_contact, 1);
	int dead = !!(p->has_contact & CF_PATIENT_DECEASED);
	int kin = !!(p->has_contact & CF_PATIENT_KIN_ADDRESS);
	int minor = !dead && cf_patient_is_minor(cf_patient_birth_day(p->has_contact),
						  d->inc->discovered_day);
	cJSON *o;

	if (!ev)
		return 0;
	o = cf_jb_object(&d->jb, d->out, NULL);
	cf_jb_str(&d->jb, o, "patient", p->id);
	cf_jb_str(&d->jb, o, "state", has_state ? code : "unknown");
	cf_jb_bool(&d->jb, o, "has_contact", dead ? kin : cf_reach_written(r));
	cf_jb_str(&d->jb, o, "reach", cf_reach_name(r));
	if (dead) {
		cf_jb_bool(&d->jb, o, "deceased", 1);
		cf_jb_str(&d->jb, o, "notice_to", "next of kin or personal representative");
		if (!kin)
			cf_jb_bool(&d->jb, o, "substitute_exempt", 1);
	}
	if (minor) {
		cf_jb_bool(&d->jb, o, "minor", 1);
		cf_jb_str(&d->jb, o, "notice_to", "parent or guardian");
	}
	cf_jb_made(&d->jb, o, "evidence", cJSON_Duplicate(ev, 1));
	add_elements(&d->jb, o, p, has_state);
	return d->jb.err != 0; /* stops the query on no memory */
}

/* ---- the elements each Patient record carried ------------------------------ */

struct records {
	cJSON **index;  /* the patient details, sorted by patient id */
	size_t n;
	int unverified; /* count records of unverified archives too */
	struct cf_jb jb; /* the adds to the details; checked after the query */
};

static int by_patient(const void *a, const void *b)
{
	return strcmp(cf_json_str(*(cJSON *const *)a, "patient", ""),
		      cf_json_str(*(cJSON *const *)b, "patient", ""));
}

/* The detail of patient id, or NULL. */
static cJSON *detail_of(const struct records *R, const char *id)
{
	cJSON key = {0}, name = {0}, *k = &key, **hit;

	name.type = cJSON_String;
	name.valuestring = (char *)id;
	name.string = (char *)"patient";
	key.type = cJSON_Object;
	key.child = &name;
	hit = R->n ? bsearch(&k, R->index, R->n, sizeof *R->index, by_patient) : NULL;
	return hit ? *hit : NULL;
}

/* 1 when the detail already lists element (as a string or an object). */
static int has_element(const cJSON *els, const char *element)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, els)
		if (!strcmp(cJSON_IsString(e) ? e->valuestring
					      : cf_json_str(e, "element", ""), element))
			return 1;
	return 0;
}

/* A "fhir-patient" event (timeline/fhir.c): each element its record
 * carried, once per patient, cited by the record's archive, member and
 * line. They replace the coarse elements add_elements() read off the
 * patients row, which only say that some address was known. */
static int on_record(void *arg, const struct cf_event *ev)
{
	struct records *R = arg;
	cJSON *d = ev->patient ? detail_of(R, ev->patient) : NULL;
	cJSON *attrs, *els;
	const cJSON *e;

	if (!d || !ev->attrs || !ev->archive)
		return 0;
	{
		unsigned long before = cf_alloc_failures();

		/* attrs the store holds are JSON: a parse that fails for want
		 * of memory must fail the report, not drop the elements */
		if (!(attrs = cJSON_Parse(ev->attrs))) {
			if (cf_alloc_failures() != before)
				R->jb.err = -1;
			return R->jb.err != 0;
		}
	}
	/* as the scope: an unverified archive counts only when asked */
	if (!R->unverified && cf_json_bool(attrs, "unverified", 0)) {
		cJSON_Delete(attrs);
		return 0;
	}
	/* the first Patient record's elements replace the coarse ones read
	 * off the patients row (strings); "record" (where the patient's
	 * record is, read back by `report mailing`) stays */
	els = cJSON_GetObjectItemCaseSensitive(d, "elements");
	if (els && cJSON_IsString(cJSON_GetArrayItem(els, 0)))
		cJSON_DeleteItemFromObjectCaseSensitive(d, "elements");
	if (!(els = cJSON_GetObjectItemCaseSensitive(d, "elements")))
		els = cf_jb_array(&R->jb, d, "elements");
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(attrs, "elements")) {
		cJSON *o;

		if (!cJSON_IsString(e) || has_element(els, e->valuestring))
			continue;
		o = cf_jb_object(&R->jb, els, NULL);
		cf_jb_str(&R->jb, o, "element", e->valuestring);
		cf_jb_str(&R->jb, o, "archive", ev->archive);
		cf_jb_str(&R->jb, o, "member", ev->member);
		cf_jb_int(&R->jb, o, "line", (int64_t)ev->line);
	}
	cJSON_Delete(attrs);
	return R->jb.err != 0; /* stops the query on no memory */
}

/* Adds to the patient details the elements of their Patient records. */
static int add_record_elements(struct cf_ctx *ctx, cf_db *db, cJSON *details,
			       unsigned flags)
{
	struct records R = {NULL, 0, !!(flags & CF_SCOPE_INCLUDE_UNVERIFIED), CF_JB_INIT};
	size_t cap = (size_t)cJSON_GetArraySize(details);
	struct cf_db_filter f;
	cJSON *d;
	int rc;

	if (cap && !(R.index = cf_malloc(cap * sizeof *R.index)))
		return cf_set_nomem(ctx, "scope");
	cJSON_ArrayForEach(d, details)
		if (R.n < cap)
			R.index[R.n++] = d;
	if (R.n)
		qsort(R.index, R.n, sizeof *R.index, by_patient);
	memset(&f, 0, sizeof f);
	f.source = "fhir-patient";
	rc = cf_db_query_events(db, ctx, &f, on_record, &R);
	free(R.index);
	if (R.jb.err)
		return cf_set_nomem(ctx, "scope");
	return rc == CF_OK ? CF_OK : CF_FAILED;
}

/* Adds {sha256sums, path, signer, verified} for an archive of the store. */
static int on_archive(void *arg, const struct cf_db_archive *a)
{
	struct details *d = arg;
	cJSON *o = cf_jb_object(&d->jb, d->out, NULL);

	cf_jb_str(&d->jb, o, "sha256sums", a->sha256sums);
	cf_jb_str(&d->jb, o, "path", a->path);
	cf_jb_str(&d->jb, o, "signer", a->signer);
	cf_jb_bool(&d->jb, o, "verified", a->verified);
	return d->jb.err != 0; /* stops the query on no memory */
}

int cf_report_scope_from_db(struct cf_ctx *ctx, const char *location,
			    const char *incident, const char *const *rules,
			    size_t nrules, unsigned flags, cJSON **out)
{
	struct cf_incident *inc = NULL;
	struct details d = {NULL, NULL, NULL, CF_JB_INIT, {0}};
	cf_db *db = NULL;
	int rc;

	*out = NULL;
	if ((rc = cf_incident_load(ctx, incident, &inc)) != CF_OK ||
	    (rc = cf_db_open(ctx, location, CF_DB_READ, &db)) != CF_OK ||
	    (rc = cf_scope_with_findings(ctx, db, inc, rules, nrules, flags,
					 &d.scope)) != CF_OK)
		goto out;
	d.inc = inc;
	if (cf_json_index_members(&d.evidence,
				  cJSON_GetObjectItemCaseSensitive(d.scope, "evidence"))) {
		rc = cf_set_nomem(ctx, "scope");
		goto out;
	}
	cf_json_index_sort(&d.evidence);
	/* the details are built in place in the scope; a query stops at the
	 * first add that fails, and the builder is checked once after it */
	if ((d.out = cf_jb_array(&d.jb, d.scope, "patient_details")) &&
	    cf_db_query_patients(db, ctx, on_patient, &d) != CF_OK)
		rc = CF_FAILED;
	if (!d.jb.err && rc == CF_OK)
		rc = add_record_elements(ctx, db, d.out, flags);
	/* every archive of the store with its verified flag, for the wording
	 * and the evidence inventory */
	if (!d.jb.err && rc == CF_OK &&
	    (d.out = cf_jb_array(&d.jb, d.scope, "archives")) &&
	    cf_db_query_archives(db, ctx, on_archive, &d) != CF_OK)
		rc = CF_FAILED;
	if (d.jb.err)
		rc = cf_set_nomem(ctx, "scope");
	if (rc == CF_OK) {
		*out = d.scope;
		d.scope = NULL;
	}
out:
	cf_json_index_release(&d.evidence);
	cJSON_Delete(d.scope);
	if (db) {
		struct cf_ctx scratch;

		cf_ctx_init(&scratch);
		if (cf_db_close(db, rc == CF_OK ? ctx : &scratch) != CF_OK && rc == CF_OK)
			rc = CF_FAILED;
	}
	cf_incident_free(inc);
	return rc;
}

