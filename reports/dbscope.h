/* SPDX-License-Identifier: Apache-2.0
 *
 * The breach scope from a timeline store (`report breach --db`), in the
 * shape `timeline scope --json` prints, plus "patient_details" (State and
 * contact status per patient from the store). See dbscope.c.
 */
#ifndef CF_REPORTS_DBSCOPE_H
#define CF_REPORTS_DBSCOPE_H

#include <stddef.h>
#include <cjson/cJSON.h>

struct cf_ctx;

/* Loads the incident with the core's reader, opens the store read-only and
 * computes the scope (flags: CF_SCOPE_* of casefile/scope.h), with the
 * suspects of the stored findings of rules[] (--from-findings,
 * casefile/suspects.h). *out is freed with cJSON_Delete. */
int cf_report_scope_from_db(struct cf_ctx *ctx, const char *location,
			    const char *incident, const char *const *rules,
			    size_t nrules, unsigned flags, cJSON **out);

#endif
