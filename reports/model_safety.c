/* SPDX-License-Identifier: Apache-2.0
 *
 * The patient-safety review of a model malfunction (incident kind
 * model-malfunction, casefile-incident(5)): a model that decided wrongly
 * about patients has harmed care, not privacy, so the package lists the
 * cohort (the patients the implicated versions decided about in the
 * window), the decisions acted on and those a clinician overrode, each
 * version's in-service interval as the decisions show it, and the
 * adverse-event reporting a person must weigh (FDA MedWatch, the state's
 * reporting), as items to confirm. Without `phi_disclosed: true` no
 * HIPAA notice is owed (model.c sets safety_only, the rules then switch
 * the notices off); with it the breach notices are computed as well.
 *
 * Reads the scope's "model_decisions" (src/scope.c): a decision whose
 * "outcome" is "overridden" was overridden, any other was acted on.
 */
#include <string.h>

#include "casefile/error.h"
#include "casefile/json.h"
#include "model_int.h"

static int is_overridden(const cJSON *d)
{
	return !strcmp(cf_json_str(d, "outcome", ""), "overridden");
}

/* Adds patient p to the object set (key -> true); 1 when new, 0 when
 * already there or p is empty, -1 on no memory. */
static int add_to_set(cJSON *set, const char *p)
{
	if (!*p || cJSON_GetObjectItemCaseSensitive(set, p))
		return 0;
	return cJSON_AddTrueToObject(set, p) ? 1 : -1;
}

/* The row of versions for d's model and version, added when new. */
static cJSON *version_row(cJSON *versions, const cJSON *d)
{
	const char *m = cf_json_str(d, "model", ""), *v = cf_json_str(d, "version", "");
	cJSON *row;

	cJSON_ArrayForEach(row, versions)
		if (!strcmp(cf_json_str(row, "model", ""), m) &&
		    !strcmp(cf_json_str(row, "version", ""), v))
			return row;
	if (!(row = cJSON_CreateObject()) || !cJSON_AddItemToArray(versions, row)) {
		cJSON_Delete(row);
		return NULL;
	}
	if (cf_json_add_str(row, "model", m) || cf_json_add_str(row, "version", v) ||
	    cf_json_add_int(row, "decisions", 0) || cf_json_add_int(row, "acted_on", 0) ||
	    cf_json_add_int(row, "overridden", 0) ||
	    !cJSON_AddObjectToObject(row, "_patients"))
		return NULL;
	return row;
}

static void bump(cJSON *o, const char *key)
{
	cJSON *n = cJSON_GetObjectItemCaseSensitive(o, key);

	cJSON_SetNumberValue(n, n->valuedouble + 1);
}

/* First and last decision time of a version: its in-service interval as
 * the decisions show it (RFC 3339 strings compare as times in one form). */
static int span(cJSON *row, const char *t)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(row, "first_decision");
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(row, "last_decision");

	if (!*t)
		return 0;
	if (!f) {
		return cf_json_add_str(row, "first_decision", t) ||
		       cf_json_add_str(row, "last_decision", t);
	}
	if (strcmp(t, f->valuestring) < 0 &&
	    !cJSON_SetValuestring((cJSON *)f, t))
		return -1;
	if (strcmp(t, l->valuestring) > 0 &&
	    !cJSON_SetValuestring((cJSON *)l, t))
		return -1;
	return 0;
}

static int add_pointers(struct build *b, cJSON *sec)
{
	static const char *const rows[][3] = {
		{"FDA MedWatch (Form 3500, or 3500A for a manufacturer, importer "
		 "or user facility)", "21 CFR 803 (medical device reporting)",
		 "If the model is software as a medical device, or part of one, a "
		 "death or serious injury it may have caused or contributed to is "
		 "reportable: confirm whether the model is a device and whether "
		 "any patient was seriously harmed."},
		{"State adverse-event reporting", "the state's patient-safety or "
		 "serious-reportable-event statute",
		 "Confirm whether the state where care was given requires the "
		 "event (or a harm it caused) to be reported, to whom and by when."},
		{"Patient Safety Organization / internal safety review",
		 "42 CFR Part 3 (Patient Safety Work Product)",
		 "Confirm that the review of the cohort below is entered in the "
		 "organisation's patient-safety process."},
	};
	cJSON *arr = cJSON_AddArrayToObject(sec, "reporting");

	if (!arr)
		return -1;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(arr, o) ||
		    cf_json_add_str(o, "what", rows[i][0]) ||
		    cf_json_add_str(o, "rule", rows[i][1]) ||
		    cf_json_add_str(o, "to_confirm", rows[i][2]) ||
		    cf_model_add_note(b->confirm, "patient_safety", rows[i][0], rows[i][2]))
			return -1;
	}
	return 0;
}

int cf_model_safety(struct build *b)
{
	const cJSON *d;
	cJSON *sec, *versions, *set = NULL, *row;
	int64_t n = 0, over = 0;
	int r;

	if (strcmp(cf_json_str(b->resolved, "kind", ""), "model-malfunction"))
		return CF_OK;
	if (!(sec = cJSON_AddObjectToObject(b->model, "patient_safety")) ||
	    !(set = cJSON_CreateObject()) ||
	    cf_json_add_bool(sec, "phi_disclosed", !b->safety_only) ||
	    cf_json_add_str(sec, "routing", b->safety_only
		? "A model malfunction that disclosed no protected health "
		  "information: a patient-safety review; no notice to "
		  "individuals, HHS or the media is owed, and no notice deadline "
		  "runs."
		: "A model malfunction that also disclosed protected health "
		  "information (phi_disclosed: true): this patient-safety review "
		  "and the breach notices.") ||
	    !(versions = cJSON_AddArrayToObject(sec, "versions")))
		goto nomem;
	cJSON_ArrayForEach(d, obj_get(b->in->scope, "model_decisions")) {
		const char *p = cf_json_str(d, "patient", "");

		if (!(row = version_row(versions, d)) ||
		    (r = add_to_set(set, p)) < 0 ||
		    add_to_set(cJSON_GetObjectItemCaseSensitive(row, "_patients"), p) < 0 ||
		    span(row, cf_json_str(d, "time", cf_json_str(d, "ts", ""))))
			goto nomem;
		n++;
		bump(row, "decisions");
		if (is_overridden(d)) {
			over++;
			bump(row, "overridden");
		} else {
			bump(row, "acted_on");
		}
	}
	cJSON_ArrayForEach(row, versions) {
		cJSON *ps = cJSON_DetachItemFromObjectCaseSensitive(row, "_patients");
		int np = cJSON_GetArraySize(ps);

		cJSON_Delete(ps);
		if (cf_json_add_int(row, "patients", np) ||
		    cf_json_add_str(row, "in_service", "inferred from the first and "
				    "last decision in the window"))
			goto nomem;
	}
	if (cf_json_add_int(sec, "cohort", cJSON_GetArraySize(set)) ||
	    cf_json_add_int(sec, "decisions", n) ||
	    cf_json_add_int(sec, "acted_on", n - over) ||
	    cf_json_add_int(sec, "overridden", over) ||
	    !cJSON_AddArrayToObject(sec, "cohort_patients"))
		goto nomem;
	for (row = set->child; row; row = row->next)
		if (!cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(sec, "cohort_patients"),
					  cJSON_CreateString(row->string)))
			goto nomem;
	if (add_pointers(b, sec) ||
	    cf_model_add_note(b->confirm, "patient_safety", "lineage",
			      "Confirm each implicated version's registry history "
			      "(created, promoted, replaced, by whom) from the model "
			      "registry's events in the timeline (source mlflow)."))
		goto nomem;
	if (b->safety_only && b->affected > 0 &&
	    cf_model_add_note(b->confirm, "patient_safety", "phi_disclosed",
			      "Accesses by the suspects are counted in this scope: if "
			      "they disclosed protected health information, set "
			      "phi_disclosed: true so the breach notices are computed."))
		goto nomem;
	cJSON_Delete(set);
	return CF_OK;
nomem:
	cJSON_Delete(set);
	return cf_set_nomem(b->ctx, "patient_safety");
}
