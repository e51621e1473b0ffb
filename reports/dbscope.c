/* SPDX-License-Identifier: Apache-2.0
 *
 * `report breach --db`: the scope computed from the timeline store by the
 * core's scope module, so that the report and `timeline scope` can never
 * disagree on a number, plus each patient's State and contact status from
 * the store's patients table (which the scope JSON does not carry) and
 * every archive of the store with its verified flag ("archives"), so that
 * the report words its statements by what was verified.
 *
 * Opens the store read-only and never writes to it.
 */
#include <string.h>

#include "casefile/error.h"
#include "casefile/json.h"
#include "dbscope.h"
#include "escape.h"

#include "casefile/db.h"
#include "casefile/scope.h"

struct details {
	cJSON *scope, *out;
	int nomem;
};

/* Adds {patient, state, has_contact, evidence} for a patient in scope. */
static int on_patient(void *arg, const struct cf_patient *p)
{
	struct details *d = arg;
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(d->scope, "evidence"), p->id);
	cJSON *o;

	if (!ev)
		return 0;
	if (!(o = cJSON_CreateObject()) || cf_report_add(d->out, NULL, o) ||
	    cf_json_add_str(o, "patient", p->id) ||
	    cf_json_add_str(o, "state", p->state && strlen(p->state) == 2 ? p->state : "unknown") ||
	    cf_json_add_bool(o, "has_contact", p->has_contact) ||
	    cf_report_add(o, "evidence", cJSON_Duplicate(ev, 1)))
		return d->nomem = 1;
	return 0;
}

/* Adds {sha256sums, path, signer, verified} for an archive of the store. */
static int on_archive(void *arg, const struct cf_db_archive *a)
{
	struct details *d = arg;
	cJSON *o;

	if (!(o = cJSON_CreateObject()) || cf_report_add(d->out, NULL, o) ||
	    cf_json_add_str(o, "sha256sums", a->sha256sums) ||
	    cf_json_add_str(o, "path", a->path) ||
	    cf_json_add_str(o, "signer", a->signer) ||
	    cf_json_add_bool(o, "verified", a->verified))
		return d->nomem = 1;
	return 0;
}

int cf_report_scope_from_db(struct cf_ctx *ctx, const char *location,
			    const char *incident, unsigned flags, cJSON **out)
{
	struct cf_incident *inc = NULL;
	struct details d = {NULL, NULL, 0};
	cf_db *db = NULL;
	int rc;

	*out = NULL;
	if ((rc = cf_incident_load(ctx, incident, &inc)) != CF_OK ||
	    (rc = cf_db_open(ctx, location, CF_DB_READ, &db)) != CF_OK ||
	    (rc = cf_scope_compute(ctx, db, inc, flags, &d.scope)) != CF_OK)
		goto out;
	if (!(d.out = cJSON_CreateArray())) {
		rc = cf_set_nomem(ctx, "scope");
		goto out;
	}
	if ((rc = cf_db_query_patients(db, ctx, on_patient, &d)) != CF_OK || d.nomem) {
		rc = d.nomem ? cf_set_nomem(ctx, "scope") : CF_FAILED;
		goto out;
	}
	rc = cf_report_add(d.scope, "patient_details", d.out) ? cf_set_nomem(ctx, "scope") : CF_OK;
	d.out = NULL;
	/* every archive of the store with its verified flag, for the wording
	 * and the evidence inventory */
	if (rc == CF_OK && !(d.out = cJSON_CreateArray()))
		rc = cf_set_nomem(ctx, "scope");
	if (rc == CF_OK &&
	    ((rc = cf_db_query_archives(db, ctx, on_archive, &d)) != CF_OK || d.nomem))
		rc = d.nomem ? cf_set_nomem(ctx, "scope") : CF_FAILED;
	if (rc == CF_OK) {
		/* the array is the scope's now, or freed */
		rc = cf_report_add(d.scope, "archives", d.out) ? cf_set_nomem(ctx, "scope") : CF_OK;
		d.out = NULL;
	}
	if (rc == CF_OK) {
		*out = d.scope;
		d.scope = NULL;
	}
out:
	cJSON_Delete(d.out);
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

