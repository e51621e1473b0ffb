/* SPDX-License-Identifier: Apache-2.0
 *
 * The breach report model's State notices (model_int.h): the State rules
 * (states.h, loaded by the command from the shipped file or --states)
 * evaluated against the per-State resident counts of the "affected"
 * section, with the clocks running from the covered entity's local days
 * that the federal obligations already computed (discovery, the
 * determination, the HHS notice, the notices to individuals).
 *
 * Every notice is a draft to confirm: the section says so, each notice
 * carries its citation and the day its rule was last verified, and each
 * is listed under `to_confirm`. A letter variant (Massachusetts: no
 * nature of the breach, no number affected) is listed under "letters" for
 * the renderer. No notice is computed when none is owed under the federal
 * rules either (no breach, a business associate's incident, a model
 * malfunction without disclosure): the section then says why.
 */
#include <stdio.h>
#include <string.h>

#include "casefile/error.h"
#include "casefile/json.h"
#include "model_int.h"
#include "states.h"

static int64_t ob_day(const cJSON *ob, const char *notice)
{
	return cf_model_parse_day(cf_json_str(obj_get(ob, notice), "due", NULL));
}

/* The letter variants the notices ask for, one per variant name. */
static void add_letters(struct cf_jb *jb, cJSON *sec, const cJSON *notices)
{
	cJSON *arr = cf_jb_array(jb, sec, "letters");
	const cJSON *n, *l;
	char file[128];

	cJSON_ArrayForEach(n, notices) {
		const cJSON *lt = obj_get(n, "letter");
		int dup = 0;
		cJSON *o;

		if (!cJSON_IsObject(lt))
			continue;
		cJSON_ArrayForEach(l, arr)
			dup |= !strcmp(cf_json_str(l, "variant", ""), cf_json_str(lt, "variant", ""));
		if (dup)
			continue;
		snprintf(file, sizeof file, "notice-individual-%s.md", cf_json_str(lt, "variant", ""));
		o = cJSON_Duplicate(lt, 1);
		cf_jb_made(jb, arr, NULL, o);
		if (jb->err)
			return;
		cf_jb_str(jb, o, "file", file);
		cf_jb_str(jb, o, "state", cf_json_str(n, "state", ""));
		cf_jb_int(jb, o, "residents", cf_json_int(n, "residents", 0));
		cf_jb_str(jb, o, "citation", cf_json_str(n, "citation", ""));
	}
}

int cf_model_states(struct build *b)
{
	const cJSON *rules = b->in->state_rules, *ob = obj_get(b->model, "obligations"), *n;
	const cJSON *by_state = obj_get(obj_get(b->model, "affected"), "by_state");
	struct cf_state_clocks c;
	struct cf_jb jb = CF_JB_INIT;
	cJSON *sec, *ev = NULL;
	char why[512];
	int rc;

	if (!rules)
		return CF_OK;
	sec = cf_jb_object(&jb, b->model, "state_notices");
	cf_jb_str(&jb, sec, "rules_source", cf_json_str(rules, "source", NULL));
	if (b->not_breach || b->safety_only || b->is_ba || !b->affected) {
		cf_jb_bool(&jb, sec, "evaluated", 0);
		cf_jb_str(&jb, sec, "text", b->is_ba
			? "A business associate's incident: the State notices fall to "
			  "the covered entities it notifies."
			: "No notice is owed under the federal rules; the State rules "
			  "were not evaluated (confirm under each State's own "
			  "definition of a breach).");
		return jb.err ? cf_set_nomem(b->ctx, "State notices") : CF_OK;
	}
	if (jb.err)
		return cf_set_nomem(b->ctx, "State notices");
	memset(&c, 0, sizeof c);
	c.discovery = b->discovered_day;
	c.determination = b->decision ? cf_model_parse_day(cf_json_str(b->decision,
						"decided_on", NULL)) : -1;
	c.hhs = ob_day(ob, "hhs_notice");
	c.notice = ob_day(ob, "individual_notice");
	c.entity_type = cf_json_str(obj_get(b->in->incident, "covered_entity"), "type",
				    "provider");
	if ((rc = cf_state_rules_eval(b->ctx, rules, by_state, &c, &ev)) != CF_OK)
		return rc;
	cf_jb_made(&jb, sec, "notices", cJSON_DetachItemFromObject(ev, "notices"));
	cf_jb_made(&jb, sec, "not_triggered", cJSON_DetachItemFromObject(ev, "not_triggered"));
	cJSON_Delete(ev);
	cf_jb_bool(&jb, sec, "evaluated", 1);
	cf_jb_str(&jb, sec, "text", "State laws add these notices to the federal "
		  "ones, computed from the State rules file for the residents "
		  "counted in each State. Each is a draft to confirm against its "
		  "citation: the rules change, State holidays are not counted "
		  "in business days, and a State's definition of a breach or "
		  "of personal information may differ from HIPAA's.");
	add_letters(&jb, sec, obj_get(sec, "notices"));
	cJSON_ArrayForEach(n, obj_get(sec, "notices")) {
		snprintf(why, sizeof why, "%s notice to %s, due %s: computed from the "
			 "State rules (last verified %s); confirm against %s.",
			 cf_json_str(n, "state", ""), cf_json_str(n, "recipient_names", ""),
			 cf_json_str(n, "due", "without a fixed day"),
			 cf_json_str(n, "last_verified", ""), cf_json_str(n, "citation", ""));
		cf_model_note(&jb, b->confirm, "state_notices", cf_json_str(n, "id", ""), why);
	}
	if (b->delay_day >= 0 && cJSON_GetArraySize(obj_get(sec, "notices")))
		cf_model_note(&jb, b->confirm, "state_notices", "law_enforcement_delay",
			      "The State due dates are not moved by the law-enforcement "
			      "delay: confirm whether each State's law allows the delay.");
	return jb.err ? cf_set_nomem(b->ctx, "State notices") : CF_OK;
}
