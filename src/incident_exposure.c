/* SPDX-License-Identifier: Apache-2.0
 *
 * The incident file's keys for exposures of data at rest and to vendors
 * (casefile-incident(5)): `exposed_data` (what was exposed: a training
 * dataset, an export, a bucket, a model artifact, a host's database, by
 * original path or by the MLflow run that took it as input),
 * `reidentification` (factor 1 of 45 CFR 164.402(2): de-identified by
 * Safe Harbor or Expert Determination, a limited data set, pseudonymised,
 * and whether the key or crosswalk went with it), `vendor` (factor 2: the
 * recipient, a business associate agreement, retention and training
 * terms) and `deletion_attestations` (factor 4). They live apart from
 * incident.c so that the file of the older keys stays readable; a file
 * without them loads as before. Errors name the file, line and key.
 */
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/scope.h"
#include "casefile/time.h"
#include "casefile/yaml.h"
#include "incident_int.h"

static const char *const what_names[] = {"training-dataset", "export", "bucket",
					 "model-artifact", "database", NULL};
static const char *const deid_names[] = {"identified", "safe-harbor",
					 "expert-determination",
					 "limited-data-set", "pseudonymised",
					 NULL};

/* An optional string at key, one of `allowed` when that is not NULL. */
static int opt_text(struct cf_ctx *ctx, const char *file, struct fy_node *map,
		    const char *key, const char *const *allowed, char **out)
{
	struct fy_node *n = cf_yaml_get(map, key);
	int rc;

	if (!n || cf_yaml_is_null(n))
		return CF_OK;
	if ((rc = cf_yaml_str(ctx, file, map, key, out)) != CF_OK)
		return rc;
	if (!**out)
		return cf_yaml_error(ctx, file, n, "'%s' is empty", key);
	if (!allowed)
		return CF_OK;
	for (size_t i = 0; allowed[i]; i++)
		if (!strcmp(*out, allowed[i]))
			return CF_OK;
	return cf_yaml_error(ctx, file, n, "'%s' must be one of %s%s%s%s%s%s%s%s%s",
			     key, allowed[0], allowed[1] ? ", " : "",
			     allowed[1] ? allowed[1] : "", allowed[2] ? ", " : "",
			     allowed[2] ? allowed[2] : "", allowed[3] ? ", " : "",
			     allowed[3] ? allowed[3] : "", allowed[4] ? ", " : "",
			     allowed[4] ? allowed[4] : "");
}

/* An optional true/false at key into *out (-1 when absent or null). */
static int opt_bool(struct cf_ctx *ctx, const char *file, struct fy_node *map,
		    const char *key, int *out)
{
	struct fy_node *n = cf_yaml_get(map, key);

	*out = -1;
	if (!n || cf_yaml_is_null(n))
		return CF_OK;
	return cf_yaml_bool(ctx, file, map, key, out) == CF_OK ? CF_OK : CF_FAILED;
}

static struct fy_node *opt_seq(struct cf_ctx *ctx, const char *file,
			       struct fy_node *root, const char *key, int *rc)
{
	struct fy_node *n = cf_yaml_get(root, key);

	*rc = CF_OK;
	if (!n || cf_yaml_is_null(n))
		return NULL;
	if (!fy_node_is_sequence(n)) {
		*rc = cf_yaml_error(ctx, file, n, "'%s' must be a list", key);
		return NULL;
	}
	return n;
}

static int load_data(struct cf_ctx *ctx, const char *file, struct fy_node *seq,
		     struct cf_exposure *x)
{
	static const char *const keys[] = {"path", "what", "mlflow_run", "dataset",
					   "table", "patient_column", NULL};
	size_t cap = (size_t)fy_node_sequence_item_count(seq);
	struct fy_node *e;
	void *it = NULL;

	if (cap && !(x->data = cf_calloc(cap, sizeof *x->data)))
		return cf_set_nomem(ctx, "incident");
	while ((e = fy_node_sequence_iterate(seq, &it))) {
		struct cf_exposed_data *d = &x->data[x->ndata++];

		if (!fy_node_is_mapping(e))
			return cf_yaml_error(ctx, file, e, "exposed_data: each item is a "
					     "mapping {path, what, mlflow_run, dataset, "
					     "table, patient_column}");
		if (cf_yaml_check_keys(ctx, file, e, keys) ||
		    opt_text(ctx, file, e, "path", NULL, &d->path) ||
		    opt_text(ctx, file, e, "what", what_names, &d->what) ||
		    opt_text(ctx, file, e, "mlflow_run", NULL, &d->mlflow_run) ||
		    opt_text(ctx, file, e, "dataset", NULL, &d->dataset) ||
		    opt_text(ctx, file, e, "table", NULL, &d->table) ||
		    opt_text(ctx, file, e, "patient_column", NULL, &d->patient_column))
			return CF_FAILED;
		if (!d->path && !d->mlflow_run)
			return cf_yaml_error(ctx, file, e, "exposed_data: an item needs "
					     "'path' or 'mlflow_run'");
		if ((d->table || d->patient_column) && !d->path)
			return cf_yaml_error(ctx, file, e, "exposed_data: 'table' and "
					     "'patient_column' narrow the rows of the "
					     "database at 'path', which is missing");
		if (d->dataset && !d->mlflow_run)
			return cf_yaml_error(ctx, file, e, "exposed_data: 'dataset' names "
					     "an input of 'mlflow_run', which is missing");
	}
	return CF_OK;
}

/* A date (YYYY-MM-DD) or an RFC 3339 time at key: the local day of the
 * covered entity (the offset written in `discovered`), -1 when absent. */
static int opt_day(struct cf_ctx *ctx, const char *file, struct fy_node *map,
		   const char *key, int offset_s, int64_t *day)
{
	struct fy_node *n = cf_yaml_get(map, key);
	const char *s;
	size_t len = 0;
	char t[64];
	int64_t us;

	*day = -1;
	if (!n || cf_yaml_is_null(n))
		return CF_OK;
	s = fy_node_is_scalar(n) ? fy_node_get_scalar(n, &len) : NULL;
	if (s && len == 10) {
		memcpy(t, s, 10);
		memcpy(t + 10, "T00:00:00Z", 11);
		if (cf_time_parse(t, 20, &us, NULL) == 0) {
			*day = cf_local_day(NULL, 0, us);
			return CF_OK;
		}
	}
	if (s && len < sizeof t) {
		memcpy(t, s, len);
		t[len] = '\0';
		if (cf_time_parse(t, len, &us, NULL) == 0) {
			*day = cf_local_day(NULL, offset_s, us);
			return CF_OK;
		}
	}
	return cf_yaml_error(ctx, file, n, "'%s' must be a date (YYYY-MM-DD) or an "
			     "RFC 3339 time", key);
}

static int load_attest(struct cf_ctx *ctx, const char *file, struct fy_node *seq,
		       int offset_s, struct cf_exposure *x)
{
	static const char *const keys[] = {"by", "date", "note", NULL};
	size_t cap = (size_t)fy_node_sequence_item_count(seq);
	struct fy_node *e;
	void *it = NULL;

	if (cap && !(x->attest = cf_calloc(cap, sizeof *x->attest)))
		return cf_set_nomem(ctx, "incident");
	while ((e = fy_node_sequence_iterate(seq, &it))) {
		struct cf_attestation *a = &x->attest[x->nattest++];

		a->day = -1;
		if (!fy_node_is_mapping(e))
			return cf_yaml_error(ctx, file, e, "deletion_attestations: each "
					     "item is a mapping {by, date, note}");
		if (cf_yaml_check_keys(ctx, file, e, keys) ||
		    opt_text(ctx, file, e, "by", NULL, &a->by) ||
		    opt_day(ctx, file, e, "date", offset_s, &a->day) ||
		    opt_text(ctx, file, e, "note", NULL, &a->note))
			return CF_FAILED;
		if (!a->by)
			return cf_yaml_error(ctx, file, e, "deletion_attestations: 'by' "
					     "(who attests the deletion) is required");
	}
	return CF_OK;
}

int cf_incident_load_exposure(struct cf_ctx *ctx, const char *file,
			      struct fy_node *root, struct cf_incident *inc)
{
	static const char *const rkeys[] = {"status", "key_exposed", NULL};
	static const char *const vkeys[] = {"recipient", "baa", "retention",
					    "training", NULL};
	struct cf_exposure *x = &inc->exposure;
	struct fy_node *n;
	int rc;

	x->key_exposed = x->baa = -1;
	if ((n = opt_seq(ctx, file, root, "exposed_data", &rc)) && load_data(ctx, file, n, x))
		return CF_FAILED;
	if (rc)
		return rc;
	if ((n = cf_yaml_get(root, "reidentification")) && !cf_yaml_is_null(n)) {
		if (!fy_node_is_mapping(n))
			return cf_yaml_error(ctx, file, n, "reidentification: expected a "
					     "mapping {status, key_exposed}");
		if (cf_yaml_check_keys(ctx, file, n, rkeys) ||
		    opt_text(ctx, file, n, "status", deid_names, &x->deidentification) ||
		    opt_bool(ctx, file, n, "key_exposed", &x->key_exposed))
			return CF_FAILED;
	}
	if ((n = cf_yaml_get(root, "vendor")) && !cf_yaml_is_null(n)) {
		if (!fy_node_is_mapping(n))
			return cf_yaml_error(ctx, file, n, "vendor: expected a mapping "
					     "{recipient, baa, retention, training}");
		x->has_vendor = 1;
		if (cf_yaml_check_keys(ctx, file, n, vkeys) ||
		    opt_text(ctx, file, n, "recipient", NULL, &x->recipient) ||
		    opt_bool(ctx, file, n, "baa", &x->baa) ||
		    opt_text(ctx, file, n, "retention", NULL, &x->retention) ||
		    opt_text(ctx, file, n, "training", NULL, &x->training))
			return CF_FAILED;
		if (!x->recipient)
			return cf_yaml_error(ctx, file, n, "vendor: 'recipient' is required");
	}
	if ((n = opt_seq(ctx, file, root, "deletion_attestations", &rc)) &&
	    load_attest(ctx, file, n, inc->discovered_offset_s, x))
		return CF_FAILED;
	return rc;
}

void cf_incident_exposure_release(struct cf_exposure *x)
{
	for (size_t i = 0; i < x->ndata; i++) {
		free(x->data[i].path);
		free(x->data[i].what);
		free(x->data[i].mlflow_run);
		free(x->data[i].dataset);
		free(x->data[i].table);
		free(x->data[i].patient_column);
	}
	free(x->data);
	free(x->deidentification);
	free(x->recipient);
	free(x->retention);
	free(x->training);
	for (size_t i = 0; i < x->nattest; i++) {
		free(x->attest[i].by);
		free(x->attest[i].note);
	}
	free(x->attest);
	memset(x, 0, sizeof *x);
}
