/* SPDX-License-Identifier: Apache-2.0
 *
 * What an exposure of data at rest or to a vendor adds to the four-factor
 * risk assessment of 45 CFR 164.402(2) (issue "AI incidents" item 5), from
 * the incident file's keys (casefile-incident(5), checked by the core in
 * src/incident_exposure.c) and the scope's "data_at_rest":
 *   factor 1 (nature and extent): the patients in the exposed data, and
 *     whether it was de-identified (Safe Harbor or Expert Determination,
 *     164.514(b)), a limited data set (164.514(e)) or pseudonymised, and
 *     whether the key or crosswalk went with it;
 *   factor 2 (the recipient): the vendor, whether a business associate
 *     agreement covers it, its retention and training terms;
 *   factor 4 (mitigation): the deletion attestations obtained.
 * Each fact is added to the factor's "facts" and to its finding, so the
 * risk section shows it in every format without a renderer of its own.
 * model_risk.c writes the factors; this runs after it and changes no count.
 */
#include <string.h>

#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "model_int.h"

static cJSON *factor(struct build *b, const char *id)
{
	cJSON *f;

	cJSON_ArrayForEach(f, (cJSON *)obj_get(obj_get(b->model, "risk_assessment"), "factors"))
		if (!strcmp(cf_json_str(f, "id", ""), id))
			return f;
	return NULL;
}

/* A YAML boolean as the report's incident JSON holds it: 1, 0, -1. */
static int yes_no(const cJSON *v)
{
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v);
	if (cJSON_IsString(v))
		return !strcmp(v->valuestring, "true") ? 1 : !strcmp(v->valuestring, "false") ? 0 : -1;
	return -1;
}

/* Appends the sentence in t to the factor's facts and finding. */
static int add_fact(cJSON *f, struct cf_buf *t)
{
	cJSON *facts = (cJSON *)obj_get(f, "facts"), *fin = (cJSON *)obj_get(f, "finding");
	struct cf_buf n;
	int rc;

	if (cf_buf_error(t))
		return -1;
	if (!f || !t->len) {
		cf_buf_reset(t);
		return 0;
	}
	if (!facts && !(facts = cJSON_AddArrayToObject(f, "facts")))
		return -1;
	if (!cJSON_AddItemToArray(facts, cJSON_CreateString(t->data)))
		return -1;
	cf_buf_init(&n);
	cf_buf_printf(&n, "%s %s", cJSON_IsString(fin) ? fin->valuestring : "", t->data);
	rc = cf_buf_error(&n) || !cJSON_IsString(fin) ||
	     !cJSON_SetValuestring(fin, n.data);
	cf_buf_release(&n);
	cf_buf_reset(t);
	return rc ? -1 : 0;
}

static const struct {
	const char *status, *text;
} deid[] = {
	{"identified", "The exposed data identifies the patients directly."},
	{"safe-harbor", "The exposed data was de-identified by the Safe Harbor "
	 "method (45 CFR 164.514(b)(2)): it is not PHI if all 18 identifiers were "
	 "removed and there is no actual knowledge that what is left identifies "
	 "anyone."},
	{"expert-determination", "The exposed data was de-identified by Expert "
	 "Determination (45 CFR 164.514(b)(1)): confirm that the determination "
	 "covers data released this way."},
	{"limited-data-set", "The exposed data is a limited data set (45 CFR "
	 "164.514(e)): direct identifiers removed, dates and places kept; it is "
	 "PHI, with a lower risk of re-identification."},
	{"pseudonymised", "The exposed data was pseudonymised: identifiers replaced "
	 "by codes; it stays PHI while a key or crosswalk links the codes to "
	 "patients."},
};

static int nature(struct build *b, cJSON *f, struct cf_buf *t)
{
	const cJSON *inc = b->in->incident, *r = obj_get(inc, "reidentification");
	const cJSON *d = obj_get(b->in->scope, "data_at_rest"), *s;
	const char *st = cf_json_str(r, "status", NULL);
	int key = yes_no(obj_get(r, "key_exposed"));

	cJSON_ArrayForEach(s, obj_get(d, "sources")) {
		cf_buf_printf(t, "Exposed data at rest (%s%s%s%s%s): %lld patient(s) "
			      "named in %lld record(s) of the evidence.",
			      cf_json_str(s, "what", "data"),
			      cf_json_str(s, "path", NULL) ? " " : "",
			      cf_json_str(s, "path", ""),
			      cf_json_str(s, "mlflow_run", NULL) ? ", input of MLflow run " : "",
			      cf_json_str(s, "mlflow_run", ""),
			      (long long)cf_json_int(s, "patients", 0),
			      (long long)cf_json_int(s, "records", 0));
		if (add_fact(f, t))
			return -1;
	}
	for (size_t i = 0; st && i < sizeof deid / sizeof deid[0]; i++)
		if (!strcmp(st, deid[i].status))
			cf_buf_puts(t, deid[i].text);
	if (add_fact(f, t))
		return -1;
	if (key == 1)
		cf_buf_puts(t, "The pseudonymisation key or crosswalk was exposed as "
			    "well: the data must be treated as identifying the patients.");
	else if (key == 0)
		cf_buf_puts(t, "The pseudonymisation key or crosswalk was not exposed.");
	return add_fact(f, t);
}

static int recipient(struct build *b, cJSON *f, struct cf_buf *t)
{
	const cJSON *v = obj_get(b->in->incident, "vendor");
	int baa = yes_no(obj_get(v, "baa"));

	if (!cJSON_IsObject(v))
		return 0;
	cf_buf_printf(t, "Recipient: %s; %s", cf_json_str(v, "recipient", "not named"),
		      baa == 1 ? "a business associate agreement covers it (45 CFR "
				 "164.504(e)): the recipient is obliged to protect the PHI"
		      : baa == 0 ? "no business associate agreement covers it"
				 : "whether a business associate agreement covers it "
				   "is not stated");
	if (cf_json_str(v, "retention", NULL))
		cf_buf_printf(t, "; retention: %s", cf_json_str(v, "retention", ""));
	if (cf_json_str(v, "training", NULL))
		cf_buf_printf(t, "; use for training its models: %s",
			      cf_json_str(v, "training", ""));
	cf_buf_putc(t, '.');
	return add_fact(f, t);
}

static int mitigation(struct build *b, cJSON *f, struct cf_buf *t)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, obj_get(b->in->incident, "deletion_attestations")) {
		cf_buf_printf(t, "Deletion attested by %s%s%s%s%s.", cf_json_str(a, "by", "?"),
			      cf_json_str(a, "date", NULL) ? " on " : "",
			      cf_json_str(a, "date", ""),
			      cf_json_str(a, "note", NULL) ? ": " : "",
			      cf_json_str(a, "note", ""));
		if (add_fact(f, t))
			return -1;
	}
	return 0;
}

int cf_model_exposure_risk(struct build *b)
{
	struct cf_buf t;
	int bad;

	cf_buf_init(&t);
	bad = nature(b, factor(b, "nature_extent"), &t) ||
	      recipient(b, factor(b, "unauthorized_person"), &t) ||
	      mitigation(b, factor(b, "mitigation"), &t);
	cf_buf_release(&t);
	return bad ? cf_set_nomem(b->ctx, "risk_assessment") : CF_OK;
}
