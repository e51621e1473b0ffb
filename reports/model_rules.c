/* SPDX-License-Identifier: Apache-2.0
 *
 * The breach report model's federal-rule facts (see model_int.h): the
 * covered entity's local calendar, the law-enforcement delay in force
 * (164.412), business associates (164.410, 164.404(a)(2)), the breach
 * determination (164.402) with its no-notification memorandum, and the
 * sign-off block that ends every package (164.530(j)).
 *
 * The facts come from the core's one reading of the incident file
 * ("resolved", reports/incident.c); the dates from rules.c. Nothing here
 * decides what the rule leaves to judgement: a determination is what a
 * named person recorded, and without one the breach is presumed
 * (164.402(2)) and the report says it must be confirmed.
 */
#include <stdio.h>
#include <string.h>

#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/scope.h"
#include "model_int.h"

/* Replaces o[key] by a string (in place: see normalise_time in model.c). */
static void set_str(struct cf_jb *jb, cJSON *o, const char *key, const char *val)
{
	cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;

	if (!cJSON_IsString(v))
		cf_jb_str(jb, o, key, val);
	else if (!jb->err && !cJSON_SetValuestring(v, val))
		jb->err = -1;
}

/* ---- determination -------------------------------------------------------- */

static const struct decision {
	const char *id, *rule, *label;
} decisions[] = {
	{"breach", "45 CFR 164.402", "A breach of unsecured protected health "
	 "information: notification is required (164.404-164.410)."},
	{"exception-good-faith", "45 CFR 164.402(1)(i)", "Not a breach: an "
	 "unintentional acquisition, access or use by a workforce member or a "
	 "person acting under the authority of the covered entity or business "
	 "associate, made in good faith and within the scope of authority, and "
	 "not further used or disclosed in a manner the Privacy Rule does not "
	 "permit."},
	{"exception-inadvertent", "45 CFR 164.402(1)(ii)", "Not a breach: an "
	 "inadvertent disclosure by a person authorized to access protected "
	 "health information to another person authorized to access it at the "
	 "same covered entity, business associate or organized health care "
	 "arrangement, not further used or disclosed impermissibly."},
	{"exception-cannot-retain", "45 CFR 164.402(1)(iii)", "Not a breach: a "
	 "disclosure where the covered entity or business associate has a good "
	 "faith belief that the unauthorized recipient would not reasonably have "
	 "been able to retain the information."},
	{"secured", "45 CFR 164.402 (unsecured protected health information), "
	 "164.404(a)(1)", "No notification: the information was secured "
	 "(rendered unusable, unreadable or indecipherable to unauthorized "
	 "persons by encryption as specified in HHS guidance, with the key not "
	 "compromised); the notification duties apply to unsecured protected "
	 "health information only."},
	{"de-identified", "45 CFR 164.514(a)-(b)", "No notification: the "
	 "information was de-identified under 164.514(b) and is not protected "
	 "health information."},
	{"low-probability", "45 CFR 164.402(2)", "Not a breach: a risk "
	 "assessment of the four factors of 164.402(2)(i)-(iv) demonstrates a "
	 "low probability that the protected health information has been "
	 "compromised."},
};

/* What the package finds without a determination block when the incident
 * is a model malfunction that disclosed no PHI (`kind: model-malfunction`,
 * `phi_disclosed: false`): no breach is presumed, as nothing was used or
 * disclosed. Not a decision the incident file can name. */
static const struct decision no_disclosure = {"no-phi-disclosed",
	"45 CFR 164.402", "Not a breach: a model malfunction that disclosed no "
	"protected health information. A breach is an acquisition, access, use "
	"or disclosure of protected health information (164.402); the wrong "
	"model outputs are a patient-safety matter (see the patient-safety "
	"review)."};

static const struct decision *decision_of(const char *id)
{
	for (size_t i = 0; i < sizeof decisions / sizeof decisions[0]; i++)
		if (!strcmp(decisions[i].id, id))
			return &decisions[i];
	return &decisions[0];
}

/* The memorandum that replaces the notices when the determination rules a
 * breach out: who decided, when, on which rule, and why. */
static void add_memo(struct cf_jb *jb, struct build *b, cJSON *sec,
		     const struct decision *dd)
{
	const cJSON *d = b->decision;
	int64_t on = cf_model_parse_day(cf_json_str(d, "decided_on", NULL));
	cJSON *m = cf_jb_object(jb, sec, "memo");
	char text[4096], date[32];

	snprintf(text, sizeof text,
		 "Incident %s (%s): on %s, %s determined that no notification "
		 "is required under 45 CFR 164.404-164.410. Basis: %s (%s). "
		 "Rationale: %s The covered entity bears the burden of showing "
		 "that no notification was required (164.414(b)); this "
		 "memorandum and the evidence cited in this package are kept "
		 "for six years (164.530(j)).",
		 cf_json_str(b->in->incident, "id", ""),
		 cf_json_str(obj_get(b->in->incident, "covered_entity"), "name", ""),
		 on >= 0 ? cf_report_long_date(on, date) : "(date to be confirmed)",
		 cf_json_str(d, "decided_by", ""), dd->label, dd->rule,
		 cf_json_str(d, "rationale", ""));
	cf_jb_str(jb, m, "title", "Breach determination: no notification required");
	cf_jb_str(jb, m, "text", text);
	cf_report_jb_day(jb, m, "retain_until", on >= 0 ? cf_breach_retain_until(on) : -1);
	cf_jb_str(jb, m, "rule", "45 CFR 164.414(b), 164.530(j)");
}

/* Why no notice is owed, with its rule, for the executive summary
 * ("no_notice": {"reason","rule"}, and "head"/"effect" when the summary's
 * usual heading and consequence do not fit); absent when notice is owed to
 * individuals. A business associate owes none of those: its summary gives
 * the due date of its notice to the covered entities instead. The order is
 * that of the determination: a ruling that there is no breach comes first,
 * then a malfunction that disclosed nothing, then an empty count. */
static void add_no_notice(struct cf_jb *jb, struct build *b, cJSON *sec,
			  const struct decision *dd)
{
	const cJSON *ba = obj_get(obj_get(b->model, "obligations"), "ba_notice");
	int64_t ba_day = cf_model_parse_day(cf_json_str(ba, "due", NULL));
	char head[96], date[32], reason[512];
	cJSON *o;

	if (!b->not_breach && !b->safety_only && b->affected > 0 &&
	    (!b->is_ba || ba_day < 0))
		return;
	o = cf_jb_object(jb, sec, "no_notice");
	if (!b->not_breach && !b->safety_only && b->affected > 0) {
		/* a business associate's breach: its one notice is to the
		 * covered entities; none of its own to individuals, HHS, media */
		snprintf(head, sizeof head, "Notice to each covered entity is due by %s",
			 cf_report_long_date(ba_day, date));
		snprintf(reason, sizeof reason, "%s is a business associate: it "
			 "notifies each covered entity it serves, identifying each "
			 "of the %llu individual(s) whose information was involved "
			 "(164.410(c)); the covered entity notifies the individuals, "
			 "the Secretary of HHS and the media (164.404-164.408).",
			 cf_json_str(obj_get(b->in->incident, "covered_entity"), "name",
				     "The entity"), (unsigned long long)b->affected);
		cf_jb_str(jb, o, "head", head);
		cf_jb_str(jb, o, "rule", "45 CFR 164.410(b)");
		cf_jb_str(jb, o, "reason", reason);
		cf_jb_str(jb, o, "effect", "The business associate owes no "
			  "notice of its own to individuals, to the "
			  "Secretary of HHS or to the media.");
		return;
	}
	if (b->not_breach) {
		cf_jb_str(jb, o, "reason", dd->label);
		cf_jb_str(jb, o, "rule", dd->rule);
		return;
	}
	if (b->safety_only) {
		cf_jb_str(jb, o, "reason", "The incident is a model "
			  "malfunction that disclosed no protected health "
			  "information (phi_disclosed: false). A breach is an "
			  "acquisition, access, use or disclosure of protected "
			  "health information; a wrong model output shown to "
			  "the patient's own clinicians is none, so it is a "
			  "patient-safety matter (see the patient-safety "
			  "review).");
		cf_jb_str(jb, o, "rule", "45 CFR 164.402");
		return;
	}
	if (!strcmp(cf_json_str(b->resolved, "kind", ""), "model-malfunction")) {
		/* phi_disclosed: true, yet nobody counted: the recipients are
		 * not named, so whose PHI went out is not known yet */
		cf_jb_str(jb, o, "head", "No notice can be dated yet");
		cf_jb_str(jb, o, "effect", "No deadline is computed until "
			  "the individuals are identified; the 60 days "
			  "run from discovery all the same (164.404(b)).");
		cf_jb_str(jb, o, "reason", "The incident file says the "
			  "malfunction disclosed protected health information "
			  "(phi_disclosed: true), but the evidence counts no "
			  "individual: name who received the model's outputs "
			  "(suspects) so that the scope can count whose "
			  "information was disclosed, and generate this "
			  "package again.");
		cf_jb_str(jb, o, "rule", "45 CFR 164.404(a)(1)");
		cf_model_note(jb, b->confirm, "determination", "phi_disclosed",
			      "phi_disclosed is true but no individual is "
			      "counted: identify the recipients and the "
			      "individuals whose PHI was disclosed.");
		return;
	}
	cf_jb_str(jb, o, "reason", "The evidence shows no individual whose "
		  "unsecured protected health information was accessed, "
		  "acquired, used or disclosed by the suspects in the "
		  "window; notices are owed to each such individual, and "
		  "there is none. If the scope changes, generate this "
		  "package again.");
	cf_jb_str(jb, o, "rule", "45 CFR 164.404(a)(1)");
}

int cf_model_determination(struct build *b)
{
	const cJSON *d = b->decision;
	const struct decision *dd = !d && b->safety_only ? &no_disclosure
		: decision_of(d ? cf_json_str(d, "decision", "breach") : "breach");
	int presumed_breach = !d && !b->safety_only;
	struct cf_jb jb = CF_JB_INIT;
	cJSON *sec = cf_jb_object(&jb, b->model, "determination");

	cf_jb_str(&jb, sec, "decision", dd->id);
	cf_jb_bool(&jb, sec, "presumed", !d);
	cf_jb_str(&jb, sec, "rule", !presumed_breach ? dd->rule : "45 CFR 164.402(2)");
	cf_jb_str(&jb, sec, "finding", !presumed_breach ? dd->label
		: "No determination is recorded: an impermissible use or "
		  "disclosure is presumed to be a breach unless a risk "
		  "assessment demonstrates a low probability of compromise "
		  "(164.402(2)).");
	cf_jb_bool(&jb, sec, "notification_required",
		   !b->not_breach && !b->safety_only && b->affected > 0);
	cf_jb_str(&jb, sec, "decided_by", cf_json_str(d, "decided_by", NULL));
	cf_jb_str(&jb, sec, "decided_on", cf_json_str(d, "decided_on", NULL));
	cf_jb_str(&jb, sec, "rationale", cf_json_str(d, "rationale", NULL));
	if (obj_get(d, "factors"))
		cf_jb_made(&jb, sec, "factors", cJSON_Duplicate(obj_get(d, "factors"), 1));
	else
		cf_jb_item(&jb, sec, "factors", NULL);
	if (b->not_breach)
		add_memo(&jb, b, sec, dd);
	else
		cf_jb_item(&jb, sec, "memo", NULL);
	add_no_notice(&jb, b, sec, dd);
	if (presumed_breach)
		cf_model_note(&jb, b->confirm, "determination", "decision",
			      "No determination block: the report presumes a breach "
			      "(164.402(2)). Record the decision, who made it and when "
			      "(casefile-incident(5), determination).");
	if (!d && b->safety_only)
		cf_model_note(&jb, b->confirm, "determination", "decision",
			      "No determination block: confirm that the malfunction "
			      "disclosed no PHI (phi_disclosed: false) and record who "
			      "decided and when (casefile-incident(5), determination).");
	if (!b->not_breach && !b->safety_only && b->affected == 0)
		cf_model_note(&jb, b->confirm, "determination", "affected", "No "
			      "individual is counted: no notice and no deadline is "
			      "computed. Confirm the scope before relying on it.");
	return jb.err ? cf_set_nomem(b->ctx, "determination") : CF_OK;
}

/* ---- sign-off -------------------------------------------------------------- */

int cf_model_signoff(struct build *b)
{
	const cJSON *d = b->decision;
	int64_t on = cf_model_parse_day(cf_json_str(d, "decided_on", NULL));
	int64_t from = on >= 0 ? on : cf_local_day(b->tz, b->offset_s, b->in->generated_at);
	struct cf_jb jb = CF_JB_INIT;
	cJSON *o = cf_jb_object(&jb, b->model, "sign_off");

	cf_jb_str(&jb, o, "decided_by", cf_json_str(d, "decided_by", NULL));
	cf_report_jb_day(&jb, o, "date", on);
	cf_report_jb_day(&jb, o, "retain_until", cf_breach_retain_until(from));
	cf_jb_str(&jb, o, "retention_basis", on >= 0
		  ? "six years from the determination (45 CFR 164.530(j)(2))"
		  : "six years from the date of this package, until a "
		    "determination is signed (45 CFR 164.530(j)(2))");
	cf_jb_str(&jb, o, "rule", "45 CFR 164.530(j)");
	return jb.err ? cf_set_nomem(b->ctx, "sign-off") : CF_OK;
}

/* ---- obligations: calendar, delay, business associates --------------------- */

static void add_le(struct cf_jb *jb, struct build *b, cJSON *sec)
{
	const cJSON *le = obj_get(b->resolved, "law_enforcement");
	cJSON *o = cJSON_GetObjectItemCaseSensitive(sec, "law_enforcement_delay");
	char why[512];

	if (!o || !cJSON_IsObject(le))
		return;
	cf_jb_str(jb, o, "kind", cf_json_str(le, "kind", NULL));
	cf_jb_str(jb, o, "statement", cf_json_str(le, "statement", NULL));
	cf_jb_str(jb, o, "agency", cf_json_str(le, "agency", NULL));
	cf_jb_str(jb, o, "official", cf_json_str(le, "official", NULL));
	cf_jb_str(jb, o, "until_stated", cf_json_str(le, "until", NULL));
	cf_jb_bool(jb, o, "capped", cf_json_bool(le, "capped", 0));
	cf_jb_str(jb, o, "meaning", "'until' is the last day of the delay, "
		  "inclusive, on the covered entity's calendar; notices "
		  "may go out from 'not_before'.");
	set_str(jb, o, "rule", !strcmp(cf_json_str(le, "kind", ""), "oral")
		? "45 CFR 164.412(b)" : "45 CFR 164.412(a)");
	if (cf_json_bool(le, "capped", 0)) {
		snprintf(why, sizeof why, "The oral statement of %s delays notice "
			 "for at most 30 days (164.412(b)): the delay ends on %s, "
			 "not on %s, unless a written statement followed (record "
			 "it as kind: written).", cf_json_str(le, "statement", "?"),
			 cf_json_str(le, "last_day", "?"), cf_json_str(le, "until", "?"));
		cf_model_note(jb, b->confirm, "obligations", "law_enforcement_delay", why);
	}
	if (cf_json_bool(le, "legacy_key", 0))
		cf_model_note(jb, b->confirm, "obligations", "law_enforcement_delay",
			      "law_enforcement_delay_until is read as a written statement "
			      "ending on that day; record the statement, agency and "
			      "official in a law_enforcement block.");
}

/* The covered entities a business associate notifies (164.410). */
static void add_ba_notice(struct cf_jb *jb, struct build *b, cJSON *sec,
			  const struct cf_breach_duties *d)
{
	const cJSON *ents = obj_get(b->resolved, "covered_entities"), *p;
	cJSON *o = cf_jb_object(jb, sec, "ba_notice"), *ids;

	cf_jb_bool(jb, o, "required", d->ba_due >= 0);
	cf_report_jb_day(jb, o, "due", d->ba_due);
	cf_jb_str(jb, o, "rule", "45 CFR 164.410(b)");
	cf_jb_str(jb, o, "identification_rule", "45 CFR 164.410(c)(1)");
	if (ents)
		cf_jb_made(jb, o, "recipients", cJSON_Duplicate(ents, 1));
	else
		cf_jb_array(jb, o, "recipients");
	ids = cf_jb_array(jb, o, "individuals");
	cf_jb_str(jb, o, "text", "As a business associate: notify each "
			    "covered entity without unreasonable delay and in no "
			    "case later than 60 calendar days after discovery, "
			    "identifying each individual whose information was "
			    "involved (164.410(c)(1)) with the information the "
			    "covered entity needs for its notices (164.410(c)(2)). "
			    "The covered entity notifies individuals, HHS and the "
			    "media.");
	if (d->ba_due >= 0)
		cJSON_ArrayForEach(p, b->patients)
			cf_jb_made(jb, ids, NULL, cJSON_CreateString(cf_json_str(p, "id", "")));
	if (!cJSON_GetArraySize(ents) && d->ba_due >= 0)
		cf_model_note(jb, b->confirm, "obligations", "ba_notice", "Name the "
			      "covered entities to notify (covered_entities in the "
			      "incident file).");
}

/* A covered entity's record of its business associate. */
static void add_ba_record(struct cf_jb *jb, struct build *b, cJSON *sec)
{
	const cJSON *ba = obj_get(b->resolved, "business_associate");
	cJSON *o;
	int64_t told;

	if (!cJSON_IsObject(ba))
		return;
	o = cf_jb_object(jb, sec, "business_associate");
	cf_jb_str(jb, o, "name", cf_json_str(ba, "name", NULL));
	cf_jb_str(jb, o, "contact", cf_json_str(ba, "contact", NULL));
	cf_jb_str(jb, o, "discovered", cf_json_str(ba, "discovered", NULL));
	cf_jb_str(jb, o, "notified", cf_json_str(ba, "notified", NULL));
	cf_jb_bool(jb, o, "agent", cf_json_bool(ba, "agent", 0));
	cf_jb_str(jb, o, "rule", cf_json_bool(ba, "agent", 0)
			    ? "45 CFR 164.404(a)(2): a breach is discovered by the "
			      "covered entity when its agent discovers it"
			    : "45 CFR 164.410: the business associate notifies the "
			      "covered entity, whose clock runs from that notice");
	told = cf_model_local_day(b, cf_json_str(ba, "notified", NULL));
	if (!cf_json_bool(ba, "agent", 0) && told >= 0 && told != b->discovered_day)
		cf_model_note(jb, b->confirm, "obligations", "business_associate",
			"The business associate's notice is not on the discovery "
			"date: 'discovered' should be the day the breach was known "
			"to the covered entity (at the latest, the day it was "
			"told), and earlier if its agent knew (164.404(a)(2)).");
}

/* Why a duty is not owed, for the rows the rules switched off. */
static void mark_not_required(struct cf_jb *jb, struct build *b, cJSON *sec)
{
	static const char *const keys[] = {"individual_notice", "hhs_notice",
					   "media_notice"};
	const char *why = b->not_breach
		? "Not required: the determination rules out a breach (see the "
		  "determination and its memorandum)."
		: b->safety_only
		? "Not required: a model malfunction that disclosed no PHI "
		  "(phi_disclosed: false) is a patient-safety matter, not a "
		  "breach; see the patient-safety review."
		: b->affected == 0
		? "Not required: no individual is affected."
		: "Not owed by a business associate: the covered entity notifies "
		  "(164.410).";

	for (size_t i = 0; i < 3; i++) {
		cJSON *o = cJSON_GetObjectItemCaseSensitive(sec, keys[i]);

		if (!o || jb->err)
			continue;
		cJSON_DeleteItemFromObject(o, "required");
		cf_jb_bool(jb, o, "required", 0);
		set_str(jb, o, "text", why);
	}
}

int cf_model_obligations_rules(struct build *b, cJSON *sec,
			       const struct cf_breach_duties *d)
{
	struct cf_jb jb = CF_JB_INIT;
	char off[16];
	int s = b->offset_s < 0 ? -b->offset_s : b->offset_s;

	snprintf(off, sizeof off, "%c%02d:%02d", b->offset_s < 0 ? '-' : '+',
		 s / 3600, s / 60 % 60);
	cf_jb_str(&jb, sec, "time_zone", cf_json_str(b->resolved, "time_zone", NULL));
	cf_jb_str(&jb, sec, "utc_offset", off);
	cf_jb_str(&jb, sec, "calendar", "Dates are the covered entity's local "
		  "calendar days; discovery is the first day on which the "
		  "breach is known (45 CFR 164.404(a)(2)).");
	cf_jb_str(&jb, sec, "discovery_basis",
		  cf_json_str(b->resolved, "discovery_basis", "covered entity"));
	add_le(&jb, b, sec);
	add_ba_record(&jb, b, sec);
	if (b->is_ba)
		add_ba_notice(&jb, b, sec, d);
	if (!d->notify || b->is_ba)
		mark_not_required(&jb, b, sec);
	return jb.err ? cf_set_nomem(b->ctx, "obligations") : CF_OK;
}
