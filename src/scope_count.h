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

#endif
