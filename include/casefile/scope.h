/* SPDX-License-Identifier: Apache-2.0
 *
 * Incident files and breach scope (SPEC section 6): who was affected, from
 * which evidence.
 *
 * The incident file (YAML, casefile-incident(5)) names the window of the
 * incident and its suspects (actors, source addresses, credentials, model
 * versions). cf_scope_compute() reads the timeline store and counts an
 * access when it is inside the window, attributed to a suspect, succeeded
 * and names a patient; failed attempts are listed apart and not counted.
 * It lives in the core because both `timeline scope` and the breach report
 * use it: they must never disagree on a number. Nothing here prints.
 */
#ifndef CASEFILE_SCOPE_H
#define CASEFILE_SCOPE_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "casefile/db.h"

struct cf_ctx;
struct fy_document;

struct cf_suspect_model {
	char *name;
	char *version; /* NULL: every version */
};

struct cf_incident {
	char *id, *title, *notes;
	struct {
		char *name, *type; /* provider | health-plan | clearinghouse |
				      business-associate */
		char *phone, *email, *web, *postal;
	} covered_entity;
	int64_t discovered_us;
	int64_t from_us, to_us;          /* the window, inclusive */
	char **actors, **ips, **credentials;
	size_t nactors, nips, ncredentials;
	struct cf_suspect_model *models;
	size_t nmodels;
	int64_t law_enforcement_delay_until_us;
	int has_law_enforcement_delay;   /* 0 when null */
};

/* Loads and checks an incident file; errors are "FILE:LINE:COL: message".
 * Freed with cf_incident_free(). */
int cf_incident_load(struct cf_ctx *ctx, const char *path,
		     struct cf_incident **out);
/* The same on a document already loaded with cf_yaml_load() (doc stays the
 * caller's): the breach report checks the file it hands to its templates
 * with this, so that the notice and the count rest on one reading of one
 * file under one set of rules. */
int cf_incident_from_yaml(struct cf_ctx *ctx, const char *path,
			  struct fy_document *doc, struct cf_incident **out);
void cf_incident_free(struct cf_incident *inc);

/* The FHIR resource type's PHI category ("Observation" -> "lab results"),
 * or NULL for a type that is not clinical data. */
const char *cf_phi_category(const char *resource_type);

/* cf_scope_compute() flags. */
#define CF_SCOPE_INCLUDE_UNVERIFIED 1u /* count events of unverified archives */

/* Computes the scope as a JSON object:
 *   {"incident","window":{"from","to"},"discovered","affected","patients",
 *    "by_state","failed_attempts","failed_count","phi_categories",
 *    "model_decisions","evidence":{PATIENT:[{"archive","member","line",
 *    "offset","time","actor","action"}]},"include_unverified",
 *    "unverified_archives":[{"sha256sums","path"}],"unverified_affected",
 *    "unverified_patients","unverified_excluded"}
 * Patients are listed without a "Patient/" prefix, sorted. An event is
 * verified when the store's archives table records its archive as
 * verified. Without CF_SCOPE_INCLUDE_UNVERIFIED the other events count
 * nowhere ("unverified_excluded" says how many accesses they would have
 * added); with it they count, every row from them carries "unverified":
 * true, and the patients named only by them are listed apart in
 * "unverified_patients" ("unverified_affected" of them). *out is freed with
 * cJSON_Delete. */
int cf_scope_compute(struct cf_ctx *ctx, cf_db *db,
		     const struct cf_incident *inc, unsigned flags, cJSON **out);

#endif
