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
static void add_copy(struct cf_jb *jb, cJSON *o, const char *k, const cJSON *v)
{
	if (v)
		cf_jb_made(jb, o, k, cJSON_Duplicate(v, 1));
}

/* A version's row: the cohort's counts, its first and last decision (time
 * and citation) as its in-service interval in the window. */
static void version_row(struct cf_jb *jb, cJSON *versions, const cJSON *c)
{
	const cJSON *f = obj_get(c, "first"), *l = obj_get(c, "last");
	cJSON *row = cf_jb_object(jb, versions, NULL);

	cf_jb_str(jb, row, "model", cf_json_str(c, "model", ""));
	cf_jb_str(jb, row, "version", cf_json_str(c, "version", ""));
	cf_jb_int(jb, row, "decisions", cf_json_int(c, "decisions", 0));
	cf_jb_int(jb, row, "acted_on", cf_json_int(c, "acted_on", 0));
	cf_jb_int(jb, row, "overridden", cf_json_int(c, "overridden", 0));
	cf_jb_str(jb, row, "first_decision", cf_json_str(f, "time", NULL));
	cf_jb_str(jb, row, "last_decision", cf_json_str(l, "time", NULL));
	add_copy(jb, row, "first", f);
	add_copy(jb, row, "last", l);
	cf_jb_int(jb, row, "patients", cf_json_int(c, "patients", 0));
	cf_jb_str(jb, row, "in_service", "inferred from the first and "
		  "last decision in the window");
}

static void add_pointers(struct cf_jb *jb, struct build *b, cJSON *sec)
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
	cJSON *arr = cf_jb_array(jb, sec, "reporting");

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		cJSON *o = cf_jb_object(jb, arr, NULL);

		cf_jb_str(jb, o, "what", rows[i][0]);
		cf_jb_str(jb, o, "rule", rows[i][1]);
		cf_jb_str(jb, o, "to_confirm", rows[i][2]);
		cf_model_note(jb, b->confirm, "patient_safety", rows[i][0], rows[i][2]);
	}
}

int cf_model_safety(struct build *b)
{
	const cJSON *c, *p;
	struct cf_jb jb = CF_JB_INIT;
	cJSON *sec, *versions, *set, *row, *list;
	int64_t n = 0, acted = 0, over = 0;

	if (strcmp(cf_json_str(b->resolved, "kind", ""), "model-malfunction"))
		return CF_OK;
	/* the cohort: distinct patients over every version */
	if (!(set = cJSON_CreateObject()))
		return cf_set_nomem(b->ctx, "patient_safety");
	sec = cf_jb_object(&jb, b->model, "patient_safety");
	cf_jb_bool(&jb, sec, "phi_disclosed", !b->safety_only);
	cf_jb_str(&jb, sec, "routing", b->safety_only
		? "A model malfunction that disclosed no protected health "
		  "information: a patient-safety review; no notice to "
		  "individuals, HHS or the media is owed, and no notice deadline "
		  "runs."
		: "A model malfunction that also disclosed protected health "
		  "information (phi_disclosed: true): this patient-safety review "
		  "and the breach notices.");
	versions = cf_jb_array(&jb, sec, "versions");
	cJSON_ArrayForEach(c, obj_get(b->in->scope, "cohorts")) {
		version_row(&jb, versions, c);
		n += cf_json_int(c, "decisions", 0);
		acted += cf_json_int(c, "acted_on", 0);
		over += cf_json_int(c, "overridden", 0);
		cJSON_ArrayForEach(p, obj_get(c, "by_patient")) {
			const char *id = cf_json_str(p, "patient", "");
			if (*id && !cJSON_GetObjectItemCaseSensitive(set, id))
				cf_jb_bool(&jb, set, id, 1);
		}
	}
	cf_jb_int(&jb, sec, "cohort", cJSON_GetArraySize(set));
	cf_jb_int(&jb, sec, "decisions", n);
	cf_jb_int(&jb, sec, "acted_on", acted);
	cf_jb_int(&jb, sec, "overridden", over);
	list = cf_jb_array(&jb, sec, "cohort_patients");
	for (row = set->child; row; row = row->next)
		cf_jb_made(&jb, list, NULL, cJSON_CreateString(row->string));
	add_pointers(&jb, b, sec);
	cf_model_note(&jb, b->confirm, "patient_safety", "lineage",
		      "Confirm each implicated version's registry history "
		      "(created, promoted, replaced, by whom) from the model "
		      "registry's events in the timeline (source mlflow).");
	if (b->safety_only && b->affected > 0)
		cf_model_note(&jb, b->confirm, "patient_safety", "phi_disclosed",
			      "Accesses by the suspects are counted in this scope: if "
			      "they disclosed protected health information, set "
			      "phi_disclosed: true so the breach notices are computed.");
	cJSON_Delete(set);
	return jb.err ? cf_set_nomem(b->ctx, "patient_safety") : CF_OK;
}
