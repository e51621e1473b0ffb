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
};

static inline const cJSON *obj_get(const cJSON *o, const char *k)
{
	return o ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

/* Day of an RFC 3339 time or a bare YYYY-MM-DD date; -1 when neither. */
int64_t cf_model_parse_day(const char *s);
/* Appends a deep copy of item to arr. 0, or -1 on no memory. */
int cf_model_add_copy(cJSON *arr, const cJSON *item);
/* Appends {section, field, why} (a field a person must confirm) to arr.
 * 0, or -1 on no memory. */
int cf_model_add_note(cJSON *arr, const char *section, const char *field,
		      const char *why);

/* The sections of model_notices.c, in the order cf_report_build calls
 * them; each CF_OK or an error on b->ctx. */
int cf_model_obligations(struct build *b, const struct cf_state_count *st,
			 size_t nst);
int cf_model_risk(struct build *b);
int cf_model_portal(struct build *b);
int cf_model_inventory(struct build *b);
int cf_model_evidence_status(struct build *b);
int cf_model_custody(struct build *b);

#endif
