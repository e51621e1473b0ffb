/* SPDX-License-Identifier: Apache-2.0
 *
 * What the two halves of the breach report model share (model.c,
 * model_notices.c); not for use outside them.
 *
 * model.c reads the inputs (incident, scope, verification results) into
 * the figures and their citations; model_notices.c computes from those
 * figures what the rule asks for (obligations and due dates, the risk
 * assessment, the HHS portal fields, the evidence inventory and status,
 * the custody summary). Both write into one struct build.
 */
#ifndef CF_REPORTS_MODEL_INT_H
#define CF_REPORTS_MODEL_INT_H

#include <stdint.h>
#include <cjson/cJSON.h>

#include "model.h"
#include "rules.h"

struct cf_jb;
struct cf_tz;

/* One model being built: the inputs, the model so far, and the working
 * sets later sections read. */
struct build {
	struct cf_ctx *ctx;
	const struct cf_report_input *in;
	cJSON *model, *confirm, *discrepancies;
	cJSON *patients;   /* [{id,state,has_contact,evidence:[cites]}] */
	cJSON *accesses;   /* timeline rows */
	cJSON *digests;    /* object: digest -> citation count */
	cJSON *verified;   /* object: digest -> true (verified) or false */
	uint64_t unverified_cites, unverified_only;
	uint64_t affected, no_contact, unknown_contact;
	int64_t discovered_day, delay_day;
	/* The covered entity's calendar: its zone (NULL: the fixed offset
	 * written in `discovered`), for every date the report prints. */
	struct cf_tz *tz;
	int offset_s;
	const cJSON *resolved;  /* the core's reading ("resolved"), or NULL */
	const cJSON *decision;  /* resolved.determination, or NULL: presumed */
	int not_breach;         /* the determination rules a breach out */
	int safety_only;        /* a model malfunction that disclosed no PHI:
				   a patient-safety review, no notices */
	int is_ba;              /* covered_entity.type business-associate */
	/* The affected residents of each State (build_affected), for the
	 * obligations; the names point into the scope or the model. */
	struct cf_state_count *states;
	size_t nstates;
	/* The scope's details of each patient by id, for
	 * cf_model_patient_detail (cf_model_details_index). */
	struct cf_json_index details;
};

static inline const cJSON *obj_get(const cJSON *o, const char *k)
{
	return o ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

/* Day of an RFC 3339 time or a bare YYYY-MM-DD date; -1 when neither. */
int64_t cf_model_parse_day(const char *s);
/* The covered entity's local calendar day of an RFC 3339 time (a bare
 * date is that day); -1 when neither. */
int64_t cf_model_local_day(const struct build *b, const char *s);
/* Appends {section, field, why} (a field a person must confirm) to arr,
 * through the sticky builder jb (casefile/json.h). */
void cf_model_note(struct cf_jb *jb, cJSON *arr, const char *section,
		   const char *field, const char *why);

/* Joins the strings of a JSON array (or each object's key) with ", "
 * into a heap string the caller frees; NULL on no memory. */
char *cf_model_join(const cJSON *arr, const char *key);
/* The details of patient id in the scope, whichever shape it uses
 * ("patient_details", "evidence" keyed by patient); NULL when none. */
/* Indexes where b->in->scope details each patient, once: an object of
 * "patients", one of "patient_details", or the patient's member of
 * "evidence" (the first of these that names the id wins). A lookup is
 * then a binary search, not a scan of every patient for each of them.
 * CF_OK or an out-of-memory error. */
int cf_model_details_index(struct build *b);
const cJSON *cf_model_patient_detail(const struct build *b, const char *id);

/* What a counted access's action means for factor 3 (model_risk.c). */
enum cf_access_meaning {
	CF_ACCESS_VIEWED = 0,  /* read, vread, search*, history*, export, GET */
	CF_ACCESS_CHANGED = 1, /* create, update, patch, delete */
	CF_ACCESS_UNCLEAR = 2, /* anything else */
};
enum cf_access_meaning cf_model_access_meaning(const char *action,
					       const char *resource);

/* The sections of model_notices.c and model_risk.c, in the order
 * cf_report_build calls them; each CF_OK or an error on b->ctx.
 * cf_model_deadlines (after the obligations) adds target dates and
 * overdue flags against today; cf_model_letter the letter's claims. */
int cf_model_deadlines(struct build *b);
int cf_model_letter(struct build *b);
int cf_model_obligations(struct build *b);
/* Adds to the obligations section `sec` the local calendar, the
 * law-enforcement statement, the business-associate notice or record, and
 * why switched-off duties are not owed (model_rules.c). */
int cf_model_obligations_rules(struct build *b, cJSON *sec,
			       const struct cf_breach_duties *d);
int cf_model_risk(struct build *b);
int cf_model_determination(struct build *b);
int cf_model_signoff(struct build *b);
int cf_model_portal(struct build *b);
int cf_model_inventory(struct build *b);
int cf_model_evidence_status(struct build *b);
int cf_model_custody(struct build *b);
/* model_counting.c: who is counted, how they are reached, and discovery
 * against the evidence (the scope's blocks of src/scope_count.c). */
int cf_model_counting(struct build *b);
/* model_findings.c: the findings that named suspects (--from-findings). */
int cf_model_findings(struct build *b);
/* model_safety.c: the patient-safety review of a model malfunction
 * (incident kind model-malfunction); nothing for any other kind. */
int cf_model_safety(struct build *b);
/* model_ai.c: the AI section (lineage, cohorts, overrides, the letter's
 * paragraph) when a model is involved; nothing otherwise. */
int cf_model_ai(struct build *b);
/* model_exposure.c: the facts of data at rest and vendor exposure added
 * to risk factors 1, 2 and 4 (after cf_model_risk). */
int cf_model_exposure_risk(struct build *b);
/* model_states.c: the State notices (states.h), after the obligations. */
int cf_model_states(struct build *b);

#endif
