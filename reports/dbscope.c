/* SPDX-License-Identifier: Apache-2.0
 *
 * `report breach --db`: the scope computed from the timeline store by the
 * core's scope module, so that the report and `timeline scope` can never
 * disagree on a number, plus each patient's State and contact status from
 * the store's patients table (which the scope JSON does not carry).
 *
 * The store and the scope computation are core modules (db.h, scope.h);
 * a tree without them builds this file as a stub that says so, so that
 * `--db` is refused with a clear message rather than failing to link.
 * Opens the store read-only and never writes to it.
 */
#include <string.h>

#include "casefile/error.h"
#include "casefile/json.h"
#include "dbscope.h"
#include "escape.h"

#if defined(__has_include)
#if __has_include("casefile/scope.h") && __has_include("casefile/db.h")
#define HAVE_STORE 1
#endif
#endif

#ifdef HAVE_STORE
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

int cf_report_db_available(void)
{
	return 1;
}

int cf_report_scope_from_db(struct cf_ctx *ctx, const char *location,
			    const char *incident, cJSON **out)
{
	struct cf_incident *inc = NULL;
	struct details d = {NULL, NULL, 0};
	cf_db *db = NULL;
	int rc;

	*out = NULL;
	if ((rc = cf_incident_load(ctx, incident, &inc)) != CF_OK ||
	    (rc = cf_db_open(ctx, location, CF_DB_READ, &db)) != CF_OK ||
	    (rc = cf_scope_compute(ctx, db, inc, &d.scope)) != CF_OK)
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

#else /* no timeline store in this tree */

int cf_report_db_available(void)
{
	return 0;
}

int cf_report_scope_from_db(struct cf_ctx *ctx, const char *location,
			    const char *incident, cJSON **out)
{
	(void)incident;
	*out = NULL;
	return cf_set_error(ctx, 0, "%s: this build has no timeline store", location);
}

#endif
