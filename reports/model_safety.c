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
 * Counts nothing itself: it reads the scope's decision cohorts
 * ("cohorts", src/scope_cohort.c), the one place where decisions, patients,
 * overrides and acts are counted, so that `timeline scope`, the cohort
 * file and this review can never disagree. A decision "acted on" is one
 * whose outcome is success; an overridden one was overridden by a
 * clinician (scope_cohort.c).
 */
#include <string.h>

#include "casefile/error.h"
#include "casefile/json.h"
#include "model_int.h"

/* Adds a deep copy of v (nothing when v is NULL) under key k. */
static int add_copy(cJSON *o, const char *k, const cJSON *v)
{
	cJSON *d;

	if (!v)
		return 0;
	if (!(d = cJSON_Duplicate(v, 1)))
		return -1;
	return cf_json_add_item(o, k, d);
}

/* A version's row: the cohort's counts, its first and last decision (time
 * and citation) as its in-service interval in the window. */
static int version_row(cJSON *versions, const cJSON *c)
{
	const cJSON *f = obj_get(c, "first"), *l = obj_get(c, "last");
	cJSON *row = cJSON_CreateObject();

	if (!row || !cJSON_AddItemToArray(versions, row)) {
		cJSON_Delete(row);
		return -1;
	}
	return cf_json_add_str(row, "model", cf_json_str(c, "model", "")) ||
	       cf_json_add_str(row, "version", cf_json_str(c, "version", "")) ||
	       cf_json_add_int(row, "decisions", cf_json_int(c, "decisions", 0)) ||
	       cf_json_add_int(row, "acted_on", cf_json_int(c, "acted_on", 0)) ||
	       cf_json_add_int(row, "overridden", cf_json_int(c, "overridden", 0)) ||
	       cf_json_add_str(row, "first_decision", cf_json_str(f, "time", NULL)) ||
	       cf_json_add_str(row, "last_decision", cf_json_str(l, "time", NULL)) ||
	       add_copy(row, "first", f) || add_copy(row, "last", l) ||
	       cf_json_add_int(row, "patients", cf_json_int(c, "patients", 0)) ||
	       cf_json_add_str(row, "in_service", "inferred from the first and "
			       "last decision in the window");
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
	const cJSON *c, *p;
	cJSON *sec, *versions, *set = NULL, *row, *list;
	int64_t n = 0, acted = 0, over = 0;

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
	cJSON_ArrayForEach(c, obj_get(b->in->scope, "cohorts")) {
		if (version_row(versions, c))
			goto nomem;
		n += cf_json_int(c, "decisions", 0);
		acted += cf_json_int(c, "acted_on", 0);
		over += cf_json_int(c, "overridden", 0);
		/* the cohort: distinct patients over every version */
		cJSON_ArrayForEach(p, obj_get(c, "by_patient")) {
			const char *id = cf_json_str(p, "patient", "");
			if (*id && !cJSON_GetObjectItemCaseSensitive(set, id) &&
			    !cJSON_AddTrueToObject(set, id))
				goto nomem;
		}
	}
	if (cf_json_add_int(sec, "cohort", cJSON_GetArraySize(set)) ||
	    cf_json_add_int(sec, "decisions", n) ||
	    cf_json_add_int(sec, "acted_on", acted) ||
	    cf_json_add_int(sec, "overridden", over) ||
	    !(list = cJSON_AddArrayToObject(sec, "cohort_patients")))
		goto nomem;
	for (row = set->child; row; row = row->next)
		if (!cJSON_AddItemToArray(list, cJSON_CreateString(row->string)))
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
