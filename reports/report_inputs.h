/* SPDX-License-Identifier: Apache-2.0
 *
 * What `report breach` finds out about its evidence by itself
 * (report_inputs.c): the archives' verification and the case folder.
 */
#ifndef CF_REPORTS_REPORT_INPUTS_H
#define CF_REPORTS_REPORT_INPUTS_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "casefile/progress.h"
#include "casefile/sign.h"

struct cf_ctx;

/* The progress line of one archive's verification (the command layer's
 * choice: NULL for none), freed once the archive is read. */
typedef cf_progress *(*cf_report_progress_fn)(const char *path);

/* Verifies against keys every archive of the store ("archives" of a scope
 * from --db) still found at its recorded path and holding the same
 * digest, each with the progress line progress gives (may be NULL).
 * *out: {"archives":[...]} as `verify --json` writes it, or NULL when no
 * archive could be checked. CF_OK, or an error on no memory. */
int cf_report_verify_store(struct cf_ctx *ctx, const cJSON *scope,
			   cf_key *const *keys, size_t nkeys,
			   cf_report_progress_fn progress, cJSON **out);
/* *out: the case folder whose evidence/ holds an archive of the store (a
 * folder with a case.json), or NULL; the caller frees. CF_OK, or an error
 * on no memory. */
int cf_report_case_of(struct cf_ctx *ctx, const cJSON *scope, char **out);

#endif
