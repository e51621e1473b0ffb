/* SPDX-License-Identifier: Apache-2.0
 *
 * The breach report's "counting" section: who is counted and how they are
 * reached, and the discovery date against the evidence, from the blocks
 * the core's scope adds (src/scope_count.c): accesses of unknown outcome
 * (presumed a breach, 164.402(2)), treatment-relationship accesses,
 * residents of unknown State who could change the media decision
 * (164.406), written-notice reach (164.404(d)(1)), decedents and minors,
 * the urgent telephone option (164.404(d)(3)), and whether the breach was
 * knowable before `discovered` (164.404(a)(2)) with the deadlines that
 * earlier day would give.
 *
 * The section copies the scope's blocks (their rows carry their evidence
 * citations) and adds one statement per finding, each with its rule, for
 * the renderers to list; what needs a person's judgement becomes a field
 * to confirm. A scope without these blocks (an older `timeline scope
 * --json` file) gives a section that says so. Nothing here prints.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/error.h"
#include "casefile/json.h"
#include "model_int.h"

static void say(struct cf_jb *jb, cJSON *list, const char *rule,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Appends {text, rule} to list. */
static void say(struct cf_jb *jb, cJSON *list, const char *rule,
		const char *fmt, ...)
{
	char text[600];
	va_list ap;
	cJSON *o;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	o = cf_jb_object(jb, list, NULL);
	cf_jb_str(jb, o, "text", text);
	cf_jb_str(jb, o, "rule", rule);
}

static long long num(const cJSON *o, const char *k)
{
	return (long long)cf_json_int(o, k, 0);
}

static void counts(struct cf_jb *jb, struct build *b, cJSON *sec, cJSON *st)
{
	const cJSON *s = b->in->scope;
	const cJSON *tc = obj_get(s, "to_confirm"), *tr = obj_get(s, "treatment_relationship");
	const cJSON *res = obj_get(s, "residence"), *re = obj_get(s, "reach");
	const cJSON *ut = obj_get(s, "urgent_telephone");
	static const char *const blocks[] = {"to_confirm", "treatment_relationship",
		"residence", "reach", "urgent_telephone", "discovery", NULL};

	for (size_t i = 0; blocks[i]; i++)
		if (obj_get(s, blocks[i]))
			cf_jb_made(jb, sec, blocks[i], cJSON_Duplicate(obj_get(s, blocks[i]), 1));
	if (tc) {
		say(jb, st, cf_json_str(tc, "rule", ""),
		    "%lld access(es) by suspects with no recorded outcome, naming %lld "
		    "patient(s) (%lld named by no other access): counted as affected "
		    "under the presumption of breach until someone shows they failed.",
		    num(tc, "count"), num(tc, "affected"),
		    (long long)cJSON_GetArraySize(obj_get(tc, "only_unknown")));
		if (num(tc, "count"))
			cf_model_note(jb, b->confirm, "counting", "to_confirm",
				      "accesses of unknown outcome are counted as a breach "
				      "(164.402(2)); confirm each or record a determination");
	}
	if (tr) {
		say(jb, st, cf_json_str(tr, "rule", ""),
		    "%lld access(es) by a suspect with a treatment relationship (purpose "
		    "of use treatment, or the same actor accessed the patient before the "
		    "window); %lld patient(s) reached only that way are %s.",
		    num(tr, "accesses"), num(tr, "count"),
		    cJSON_IsTrue(obj_get(tr, "excluded"))
			    ? "left out of the count (exclude_treatment_access)"
			    : "counted (exclude_treatment_access is not set)");
		if (num(tr, "count"))
			cf_model_note(jb, b->confirm, "counting", "treatment_relationship",
				      "a treatment relationship permits access for treatment "
				      "only; confirm that these accesses served treatment");
	}
	if (res && num(res, "unknown"))
		say(jb, st, cf_json_str(res, "rule", ""),
		    "%lld affected individual(s) of unknown State of residence.",
		    num(res, "unknown"));
	if (res && cJSON_IsTrue(obj_get(res, "media_could_change"))) {
		say(jb, st, cf_json_str(res, "rule", ""),
		    "The residents of unknown State could bring a State over 500 "
		    "residents and so require media notice: find their State before "
		    "deciding against media notice.");
		cf_model_note(jb, b->confirm, "counting", "residence",
			      "residents of unknown State could change the media "
			      "decision (164.406)");
	}
	if (re) {
		const cJSON *d = obj_get(re, "deceased"), *m = obj_get(re, "minors");

		say(jb, st, cf_json_str(re, "rule", ""),
		    "Written notice: %lld by first-class mail, %lld by e-mail with "
		    "consent, %lld with a contact of unrecorded kind; %lld phone-only "
		    "and %lld without any contact cannot be reached in writing "
		    "(%lld count toward substitute notice); %lld without a patient "
		    "record in the evidence.",
		    num(re, "postal"), num(re, "email"), num(re, "contact_kind_not_recorded"),
		    num(re, "phone_only"), num(re, "none"),
		    num(re, "substitute_notice_count"), num(re, "no_patient_record"));
		if (num(d, "count"))
			say(jb, st, cf_json_str(d, "rule", ""),
			    "%lld deceased: notice to next of kin or personal representative "
			    "(%lld with an address; %lld without, for whom no substitute "
			    "notice is required).", num(d, "count"),
			    num(d, "next_of_kin_address"), num(d, "no_substitute_required"));
		if (num(m, "count"))
			say(jb, st, cf_json_str(m, "rule", ""),
			    "%lld minor(s) on %s: notice to a parent or guardian (%lld "
			    "turn 18 within 60 days: address them by the date of mailing).",
			    num(m, "count"), cf_json_str(m, "as_of", ""),
			    num(m, "turning_18_within_60_days"));
	}
	if (ut && cJSON_IsTrue(obj_get(ut, "indicated")))
		say(jb, st, cf_json_str(ut, "rule", ""),
		    "Misuse may be imminent (imminent_misuse): telephone the %lld "
		    "individual(s) with a telephone number urgently, in addition "
		    "to written notice.", num(ut, "with_phone"));
	else if (ut)
		say(jb, st, cf_json_str(ut, "rule", ""),
		    "No urgent telephone notice: the incident does not say misuse "
		    "may be imminent (imminent_misuse).");
}

/* The deadlines if the breach had been discovered on `day`. */
static void earlier(struct cf_jb *jb, struct build *b, cJSON *sec, cJSON *st,
		    const cJSON *disc)
{
	const char *sign = cf_json_str(disc, "earliest_sign_day", NULL);
	int64_t day = sign ? cf_model_parse_day(sign) : -1;
	struct cf_breach_facts f = {day, b->delay_day, b->affected, 0, NULL, 0};
	struct cf_breach_duties d;
	char a[32], c[32], h[32];
	cJSON *o;

	say(jb, st, cf_json_str(disc, "rule", ""),
	    "Discovered %s; first suspect access %s; first refused access by a "
	    "suspect %s; first detection alert %s.",
	    cf_json_str(disc, "discovered", "?"),
	    cf_json_str(obj_get(disc, "first_access"), "time", "none"),
	    cf_json_str(obj_get(disc, "first_refused"), "time", "none"),
	    cf_json_str(obj_get(disc, "first_alert"), "time", "none"));
	if (!cJSON_IsTrue(obj_get(disc, "knowable_earlier")) || day < 0) {
		say(jb, st, cf_json_str(disc, "rule", ""),
		    "Nothing in the evidence (refused accesses by suspects, "
		    "detection alerts) was seen before the discovery day.");
		return;
	}
	if (cf_breach_duties_compute(&f, &d)) {
		jb->err = -1;
		return;
	}
	free(d.media_states);
	o = cf_jb_object(jb, sec, "if_discovered_earlier");
	cf_jb_str(jb, o, "discovered", cf_report_iso_date(day, a));
	cf_jb_str(jb, o, "individual_due", cf_report_iso_date(d.individual_due, c));
	cf_jb_str(jb, o, "hhs_due", cf_report_iso_date(d.hhs_due, h));
	cf_jb_str(jb, o, "basis", cf_json_str(disc, "basis", ""));
	say(jb, st, cf_json_str(disc, "rule", ""),
	    "The breach may have been knowable on %s (%s), before the discovery "
	    "date the incident file gives: were that the discovery date, "
	    "individual notices would be due by %s and the HHS notice by %s.",
	    a, cf_json_str(disc, "basis", "evidence"), c, h);
	cf_model_note(jb, b->confirm, "counting", "discovered",
		      "the evidence suggests the breach was knowable earlier "
		      "(164.404(a)(2)); confirm the discovery date");
}

int cf_model_counting(struct build *b)
{
	struct cf_jb jb = CF_JB_INIT;
	const cJSON *disc = obj_get(b->in->scope, "discovery");
	cJSON *sec = cf_jb_object(&jb, b->model, "counting");
	cJSON *st = cf_jb_array(&jb, sec, "statements");

	if (!obj_get(b->in->scope, "reach") && !disc) {
		say(&jb, st, "", "The scope was computed without these counts; run "
		    "`casefile timeline scope` again to get them.");
	} else {
		counts(&jb, b, sec, st);
		if (disc)
			earlier(&jb, b, sec, st, disc);
	}
	return jb.err ? cf_set_nomem(b->ctx, "counting") : CF_OK;
}
