/* SPDX-License-Identifier: Apache-2.0
 *
 * Who is counted in a breach scope and how they are reached, for
 * src/scope.c only (see scope_count.c). Not a public header.
 */
#ifndef CF_SCOPE_COUNT_H
#define CF_SCOPE_COUNT_H

#include <cjson/cJSON.h>

#include "casefile/db.h"

struct cf_ctx;
struct cf_incident;

/* 1 when an event's attributes (JSON text) name a treatment purpose of
 * use ("purpose": TREAT or ETREAT among comma-separated codes). */
int cf_scope_purpose_treatment(const char *attrs);

/* Adds to the scope j (complete up to "unverified_excluded") the blocks
 * "treatment_relationship", "to_confirm", "residence", "reach",
 * "urgent_telephone" and "discovery"; with the incident's
 * exclude_treatment_access, first removes the patients reached only
 * through a treatment relationship from "patients", "evidence",
 * "by_state" and "affected". CF_OK, or an error on ctx. */
int cf_scope_count(struct cf_ctx *ctx, cf_db *db,
		   const struct cf_incident *inc, cJSON *j);

/* Data at rest (scope_data.c): when the incident names exposed data
 * (`exposed_data`), hands every record of it that names a patient (a
 * `dataset` event, or a patients-table row with ts_us INT64_MIN: no time)
 * to add(arg, event) once, and adds "data_at_rest" to scope: {"sources":
 * [{"path","what","mlflow_run","dataset","run_found","datasets":[{"name",
 * "digest","source","context","archive","member"}],"patterns","members":[{"member",
 * "records"}],"records","patients"}],"patients"}. Nothing when the
 * incident names no data. CF_OK, or the store's error / add's status. */
struct cf_incident;
int cf_scope_data_at_rest(struct cf_ctx *ctx, cf_db *db,
			  const struct cf_incident *inc,
			  int (*add)(void *arg, const struct cf_event *e),
			  void *arg, cJSON *scope);

/* The lineage of each implicated model version (scope_lineage.c): a
 * suspect's, a cohort's, or the one whose run took exposed data. Adds
 * "lineage": [{"model","version","registered":{"time","by","run_id",
 * "source","status","tags",cite},"stages":[{"stage","time",cite}],
 * "aliases":[{"alias","time","time_inferred",cite}],"run":{"run_id",
 * "name","user","params","metrics","tags","datasets","started","ended"}
 * or null,"promoted":{"how","time","by","basis",cite} or null,
 * "replaced_by":{"version","created"} or null}], cite being "archive",
 * "member", "line". CF_OK, or the store's error. */
int cf_scope_lineage(struct cf_ctx *ctx, cf_db *db, const struct cf_incident *inc,
		     cJSON *scope);

#endif
