/* SPDX-License-Identifier: Apache-2.0
 *
 * What `report breach` learns about its evidence when the command line
 * does not say it: the verification of each archive of the timeline store
 * when trusted keys are given (and no `verify --json` result), and the
 * case folder the store's archives were added to.
 *
 * A report must say what is true of its evidence: "verified" only of an
 * archive checked against a trusted key, and the custody summary whenever
 * the case is known. Verifying here is the core's one streaming pass
 * (cf_archive_verify), never extracting anything; an archive that is no
 * longer at the path the store recorded is left to the store's own
 * verdict (`timeline build` verified it or marked it unverified). Nothing
 * here prints or writes.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/archive.h"
#include "casefile/case.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "report_inputs.h"

int cf_report_verify_store(struct cf_ctx *ctx, const cJSON *scope,
			   cf_key *const *keys, size_t nkeys,
			   cf_report_progress_fn progress, cJSON **out)
{
	const cJSON *a;
	cJSON *res = cJSON_CreateObject(), *arr;
	int rc = CF_OK;

	*out = NULL;
	if (!res || !(arr = cJSON_AddArrayToObject(res, "archives"))) {
		cJSON_Delete(res);
		return cf_set_nomem(ctx, "verification");
	}
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(scope, "archives")) {
		const char *path = cf_json_str(a, "path", NULL);
		struct cf_verify_result *vr = NULL;
		struct cf_ctx vctx;
		struct stat st;
		cf_progress *pg;
		cJSON *j;

		if (!path || stat(path, &st) || !S_ISREG(st.st_mode))
			continue; /* moved since: the store's verdict stands */
		cf_ctx_init(&vctx);
		pg = progress ? progress(path) : NULL;
		rc = cf_archive_verify(&vctx, path, &(struct cf_verify_opts){
				.trusted = keys, .ntrusted = nkeys, .progress = pg}, &vr);
		cf_progress_free(pg);
		if (rc != CF_OK) {
			cf_verify_result_free(vr);
			if (rc == CF_FATAL) { /* out of memory: not a verdict */
				rc = cf_set_nomem(ctx, "verification");
				break;
			}
			rc = CF_OK;
			continue; /* unreadable now: the store's verdict stands */
		}
		/* a file at that path that is another archive says nothing of
		 * the one the store holds */
		if (strcmp(vr->sums_hex, cf_json_str(a, "sha256sums", ""))) {
			cf_verify_result_free(vr);
			continue;
		}
		j = cf_verify_result_json(vr);
		cf_verify_result_free(vr);
		if (!j || !cJSON_AddItemToArray(arr, j)) {
			cJSON_Delete(j);
			rc = cf_set_nomem(ctx, "verification");
			break;
		}
	}
	if (rc == CF_OK && cJSON_GetArraySize(arr))
		*out = res;
	else
		cJSON_Delete(res);
	return rc;
}

/* The folder holding path, or NULL; the caller frees. */
static char *parent_of(const char *path)
{
	char *d = cf_strdup(path), *s;

	if (!d)
		return NULL;
	if (!(s = strrchr(d, '/'))) {
		free(d);
		return cf_strdup(".");
	}
	if (s == d)
		s[1] = 0;
	else
		*s = 0;
	return d;
}

int cf_report_case_of(struct cf_ctx *ctx, const cJSON *scope, char **out)
{
	const cJSON *a;

	*out = NULL;
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(scope, "archives")) {
		const char *path = cf_json_str(a, "path", NULL), *base;
		char *ev, *dir, *file;
		int found;

		if (!path)
			continue;
		if (!(ev = parent_of(path)))
			return cf_set_nomem(ctx, "case");
		base = strrchr(ev, '/');
		if (strcmp(base ? base + 1 : ev, CF_CASE_EVIDENCE)) {
			free(ev);
			continue;
		}
		dir = parent_of(ev);
		free(ev);
		if (!dir || !(file = cf_path_join(dir, CF_CASE_FILE))) {
			free(dir);
			return cf_set_nomem(ctx, "case");
		}
		found = !access(file, R_OK);
		free(file);
		if (found) {
			*out = dir;
			return CF_OK;
		}
		free(dir);
	}
	return CF_OK;
}
