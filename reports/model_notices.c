/* SPDX-License-Identifier: Apache-2.0
 *
 * The breach report model's notice computation (see model.h, model_int.h):
 * from the figures model.c read out of the scope, what 45 CFR 164.400-414
 * asks for: the obligations and their due dates (the rules themselves are
 * in rules.c; the four-factor risk assessment, the letter's claims and
 * the overdue checks are in model_risk.c), the HHS breach portal fields,
 * the evidence inventory and how far it was verified, and the custody
 * summary. Whatever needs a person's judgement
 * is pre-filled where the evidence allows and always listed under
 * `to_confirm`; nothing here reads a file or prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/time.h"
#include "model_int.h"

/* Joins the strings of a JSON array with ", " into a heap string. */
char *cf_model_join(const cJSON *arr, const char *key)
{
	size_t len = 1;
	const cJSON *e;
	char *s;

	cJSON_ArrayForEach(e, arr) {
		const char *v = cJSON_IsString(e) ? e->valuestring : cf_json_str(e, key, "");
		len += strlen(v) + 2;
	}
	if (!(s = cf_malloc(len)))
		return NULL;
	*s = 0;
	cJSON_ArrayForEach(e, arr) {
		const char *v = cJSON_IsString(e) ? e->valuestring : cf_json_str(e, key, "");
		if (*s)
			strcat(s, ", ");
		strcat(s, v);
	}
	return s;
}

/* A notice duty in the obligations section: {flag, due, rule}, returned
 * for the keys only that duty has. */
static cJSON *duty(struct cf_jb *jb, cJSON *sec, const char *name,
		   const char *flag, int on, int64_t due, const char *rule)
{
	cJSON *o = cf_jb_object(jb, sec, name);

	cf_jb_bool(jb, o, flag, on);
	cf_report_jb_day(jb, o, "due", due);
	cf_jb_str(jb, o, "rule", rule);
	return o;
}

int cf_model_obligations(struct build *b)
{
	struct cf_breach_facts f = {b->discovered_day, b->delay_day, b->affected,
				    b->no_contact, b->states, b->nstates,
				    b->not_breach || b->safety_only,
				    b->is_ba};
	struct cf_breach_duties d;
	struct cf_jb jb = CF_JB_INIT;
	cJSON *sec, *o, *arr;

	if (cf_breach_duties_compute(&f, &d))
		return cf_set_nomem(b->ctx, "obligations");
	sec = cf_jb_object(&jb, b->model, "obligations");
	cf_report_jb_day(&jb, sec, "discovered", b->discovered_day);
	o = cf_jb_object(&jb, sec, "law_enforcement_delay");
	cf_report_jb_day(&jb, o, "until", b->delay_day);
	cf_report_jb_day(&jb, o, "not_before", d.not_before);
	cf_jb_str(&jb, o, "rule", "45 CFR 164.412");
	o = duty(&jb, sec, "individual_notice", "required", d.individual_due >= 0,
		 d.individual_due, "45 CFR 164.404(b)");
	cf_jb_str(&jb, o, "text", "Without unreasonable delay and in no case "
		  "later than 60 calendar days after discovery, by "
		  "first-class mail (or e-mail if the individual agreed).");
	o = duty(&jb, sec, "hhs_notice", "immediate", d.hhs_immediate, d.hhs_due,
		 "45 CFR 164.408");
	cf_jb_str(&jb, o, "text", d.hhs_immediate
		? "500 or more individuals: notify the Secretary contemporaneously "
		  "with the individual notices, through the HHS breach portal."
		: "Fewer than 500 individuals: log the breach and notify the "
		  "Secretary within 60 days after the end of the calendar year "
		  "of discovery.");
	o = duty(&jb, sec, "media_notice", "required", d.media_required, d.media_due,
		 "45 CFR 164.406");
	arr = cf_jb_array(&jb, o, "states");
	for (size_t i = 0; i < d.nmedia_states; i++) {
		cJSON *s = cf_jb_object(&jb, arr, NULL);

		cf_jb_str(&jb, s, "state", b->states[d.media_states[i]].state);
		cf_jb_int(&jb, s, "count", (int64_t)b->states[d.media_states[i]].count);
	}
	o = cf_jb_object(&jb, sec, "substitute_notice");
	cf_jb_str(&jb, o, "kind", cf_breach_substitute_name(d.substitute));
	cf_jb_int(&jb, o, "no_contact", (int64_t)b->no_contact);
	cf_jb_int(&jb, o, "contact_unknown", (int64_t)b->unknown_contact);
	cf_report_jb_day(&jb, o, "keep_until", d.substitute_until);
	cf_jb_str(&jb, o, "rule", "45 CFR 164.404(d)(2)");
	cf_jb_str(&jb, o, "text",
		d.substitute == CF_SUBST_CONSPICUOUS
		? "10 or more individuals cannot be reached: a conspicuous posting "
		  "on the home page of the web site for 90 days or notice in major "
		  "print or broadcast media where they likely reside, and a "
		  "toll-free number active for at least 90 days."
		: d.substitute == CF_SUBST_ALTERNATIVE
		? "Fewer than 10 individuals cannot be reached: substitute notice "
		  "by an alternative form of written notice, telephone or other "
		  "means."
		: b->unknown_contact
		? "No individual is known to lack contact information, but it is "
		  "not known for some (see contact_unknown): confirm it before "
		  "ruling out substitute notice (10 or more unreachable require "
		  "conspicuous notice)."
		: "No substitute notice: every individual has usable contact "
		  "information.");
	if (b->unknown_contact)
		cf_model_note(&jb, b->confirm, "obligations", "substitute_notice", "Contact "
			      "information is not known for some individuals; confirm "
			      "before relying on the substitute-notice finding.");
	if (jb.err) {
		free(d.media_states);
		return cf_set_nomem(b->ctx, "obligations");
	}
	if (cf_model_obligations_rules(b, sec, &d) != CF_OK) {
		free(d.media_states);
		return CF_FATAL;
	}
	if (b->delay_day >= 0)
		cf_model_note(&jb, b->confirm, "obligations", "law_enforcement_delay", "Confirm "
			      "the law-enforcement statement: a written statement sets the "
			      "period; an oral one delays for no longer than 30 days unless "
			      "followed by a written statement (164.412(b)).");
	free(d.media_states);
	return jb.err ? cf_set_nomem(b->ctx, "obligations") : CF_OK;
}

static void portal_field(struct cf_jb *jb, cJSON *arr, const char *field,
			 const char *value, int confirm)
{
	cJSON *o = cf_jb_object(jb, arr, NULL);

	cf_jb_str(jb, o, "field", field);
	cf_jb_str(jb, o, "value", value);
	cf_jb_bool(jb, o, "confirm", confirm);
}

static const char *entity_type_name(const char *t)
{
	if (!strcmp(t, "health-plan")) return "Health Plan";
	if (!strcmp(t, "clearinghouse")) return "Healthcare Clearing House";
	if (!strcmp(t, "business-associate")) return "Business Associate";
	return "Healthcare Provider";
}

/* Breach type and location pre-filled from the suspects and the evidence;
 * both are marked for confirmation. */
static const char *guess_type(const cJSON *inc)
{
	const cJSON *s = obj_get(inc, "suspects");

	if (cJSON_GetArraySize(obj_get(s, "ips")) || cJSON_GetArraySize(obj_get(s, "credentials")))
		return "Hacking/IT Incident";
	return "Unauthorized Access/Disclosure";
}

static const char *guess_location(const cJSON *accesses)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, accesses) {
		const char *r = cf_json_str(a, "resource", "");
		const char *m = cf_json_str(obj_get(a, "cite"), "member", "");

		if (strstr(r, "Patient") || strstr(r, "fhir") || strstr(m, "ehr") ||
		    strstr(m, "fhir"))
			return "Electronic Medical Record";
	}
	return "Network Server";
}

int cf_model_portal(struct build *b)
{
	const cJSON *inc = b->in->incident, *ce = obj_get(inc, "covered_entity");
	const cJSON *acc = obj_get(obj_get(b->model, "timeline"), "accesses");
	const cJSON *w = obj_get(inc, "window");
	struct cf_jb jb = CF_JB_INIT;
	cJSON *arr = cf_jb_array(&jb, b->model, "hhs_portal");
	cJSON *types = cJSON_CreateArray();
	const cJSON *e;
	char num[32], d[16], *phi = NULL, *ptypes = NULL;
	int64_t start = -1, end = -1;

	if (!types)
		jb.err = -1;
	if (cJSON_GetArraySize((cJSON *)acc)) {
		start = cf_model_local_day(b, cf_json_str(cJSON_GetArrayItem(acc, 0), "ts", NULL));
		end = cf_model_local_day(b, cf_json_str(cJSON_GetArrayItem(acc, cJSON_GetArraySize(acc) - 1), "ts", NULL));
	} else {
		start = cf_model_local_day(b, cf_json_str(w, "from", NULL));
		end = cf_model_local_day(b, cf_json_str(w, "to", NULL));
	}
	cJSON_ArrayForEach(e, obj_get(b->model, "phi_categories")) {
		const char *t = cf_json_str(e, "portal_type", "Other");
		int dup = 0;
		const cJSON *x;

		cJSON_ArrayForEach(x, types)
			dup |= !strcmp(x->valuestring, t);
		if (!dup)
			cf_jb_made(&jb, types, NULL, cJSON_CreateString(t));
	}
	if (!jb.err &&
	    (!(phi = cf_model_join(obj_get(b->model, "phi_categories"), "category")) ||
	     !(ptypes = cf_model_join(types, NULL))))
		jb.err = -1;
	snprintf(num, sizeof num, "%llu", (unsigned long long)b->affected);
	portal_field(&jb, arr, "Covered entity name", cf_json_str(ce, "name", ""), 0);
	portal_field(&jb, arr, "Type of covered entity",
		     entity_type_name(cf_json_str(ce, "type", "provider")), 0);
	portal_field(&jb, arr, "Breach start date",
		     start >= 0 ? cf_report_iso_date(start, d) : "", 1);
	portal_field(&jb, arr, "Breach end date",
		     end >= 0 ? cf_report_iso_date(end, d) : "", 1);
	portal_field(&jb, arr, "Discovery date", cf_report_iso_date(b->discovered_day, d), 0);
	portal_field(&jb, arr, "Approximate number of individuals affected", num, 0);
	portal_field(&jb, arr, "Type of breach", guess_type(inc), 1);
	portal_field(&jb, arr, "Location of breached information", guess_location(acc), 1);
	portal_field(&jb, arr, "Type of PHI involved", ptypes, 1);
	portal_field(&jb, arr, "PHI involved (detail)", phi, 1);
	portal_field(&jb, arr, "Business associate involved",
		     !strcmp(cf_json_str(ce, "type", ""), "business-associate") ? "Yes" : "No", 1);
	portal_field(&jb, arr, "Safeguards in place prior to breach", "", 1);
	portal_field(&jb, arr, "Actions taken in response to breach", "", 1);
	portal_field(&jb, arr, "Individual notice provided (planned by)",
		     cf_json_str(obj_get(obj_get(b->model, "obligations"), "individual_notice"), "due", ""), 1);
	cf_model_note(&jb, b->confirm, "hhs_portal", "Type of breach / Location",
		      "Pre-filled from the suspects and the evidence members; "
		      "confirm against the investigation.");
	cf_model_note(&jb, b->confirm, "hhs_portal", "Safeguards / Actions taken",
		      "Not derivable from evidence; a person must complete them.");
	cJSON_Delete(types);
	free(phi);
	free(ptypes);
	return jb.err ? cf_set_nomem(b->ctx, "hhs portal") : CF_OK;
}

/* The store's verdict on an archive for the inventory: "verified",
 * "UNVERIFIED", or NULL when the inputs do not say. */
static const char *verified_word(const struct build *b, const char *digest)
{
	const cJSON *v = obj_get(b->verified, digest);

	return cJSON_IsTrue(v) ? "verified" : cJSON_IsFalse(v) ? "UNVERIFIED" : NULL;
}

/* The inventory's verification of an archive no `verify --json` result
 * covers: what `timeline build` found, which verified it against its
 * trusted keys before reading it (never "NOT VERIFIED" of an archive that
 * was verified). */
static const char *inventory_word(const char *store_state)
{
	return store_state && !strcmp(store_state, "verified")
	       ? "OK (at timeline build)" : "NOT VERIFIED";
}

/* The store's row of an archive ("archives" of a scope from --db). */
static const cJSON *store_archive(const struct build *b, const char *digest)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, obj_get(b->in->scope, "archives"))
		if (!strcmp(cf_json_str(a, "sha256sums", ""), digest))
			return a;
	return NULL;
}

/* One row of the inventory: src (a verification result or the store's
 * row, or NULL) gives the path and the signer. */
static void inventory_row(struct cf_jb *jb, cJSON *arr, const char *digest,
			  const cJSON *src, const char *verification,
			  const char *state, int64_t problems, int64_t citations)
{
	cJSON *o = cf_jb_object(jb, arr, NULL);

	cf_jb_str(jb, o, "sha256sums", digest);
	cf_jb_str(jb, o, "path", cf_json_str(src, "path", NULL));
	cf_jb_str(jb, o, "signer", cf_json_str(src, "signer", NULL));
	cf_jb_str(jb, o, "verification", verification);
	cf_jb_str(jb, o, "verified_state", state);
	cf_jb_int(jb, o, "problems", problems);
	cf_jb_int(jb, o, "citations", citations);
}

/* Inventory: every archive cited or in the timeline store, joined with the
 * verification result and with the verified flag the store recorded. */
int cf_model_inventory(struct build *b)
{
	const cJSON *archives = obj_get(b->in->verify, "archives"), *d, *v;
	struct cf_jb jb = CF_JB_INIT;
	cJSON *arr = cf_jb_array(&jb, b->model, "evidence_inventory");
	cJSON *done = cJSON_CreateObject();

	if (!done)
		jb.err = -1;
	cJSON_ArrayForEach(v, archives) {
		const char *dig = cf_json_str(v, "sha256sums", "");

		inventory_row(&jb, arr, dig, v, cf_json_bool(v, "ok", 0) ? "OK" : "FAILED",
			      verified_word(b, dig),
			      cJSON_GetArraySize(obj_get(v, "problems")),
			      cf_json_int(b->digests, dig, 0));
		cf_jb_bool(&jb, done, dig, 1);
	}
	/* archives cited without a verification result, then the store's
	 * other archives: their verified state is what `timeline build` recorded
	 * (verified against its trusted keys, or added unverified) */
	cJSON_ArrayForEach(d, b->digests) {
		const char *tl = verified_word(b, d->string);

		if (obj_get(done, d->string))
			continue;
		inventory_row(&jb, arr, d->string, store_archive(b, d->string),
			      inventory_word(tl), tl, 0, (int64_t)d->valuedouble);
		cf_jb_bool(&jb, done, d->string, 1);
		if (!(tl && !strcmp(tl, "verified")))
			cf_model_note(&jb, b->confirm, "evidence_inventory", d->string,
				      "This archive is cited but no verification result "
				      "was given for it (casefile verify --json).");
	}
	cJSON_ArrayForEach(v, obj_get(b->in->scope, "archives")) {
		const char *dig = cf_json_str(v, "sha256sums", NULL);

		if (!dig || obj_get(done, dig))
			continue;
		inventory_row(&jb, arr, dig, v, inventory_word(verified_word(b, dig)),
			      verified_word(b, dig), 0, 0);
		cf_jb_bool(&jb, done, dig, 1);
	}
	cJSON_Delete(done);
	return jb.err ? cf_set_nomem(b->ctx, "inventory") : CF_OK;
}

/* How far the counted evidence was verified, in words the renderers use
 * as they are: a report never says "verified evidence" of evidence that
 * was not. "state" is "verified" (every cited archive is known verified),
 * "unverified" (at least one cited archive is not) or "not stated". */
int cf_model_evidence_status(struct build *b)
{
	struct cf_jb jb = CF_JB_INIT;
	cJSON *o = cf_jb_object(&jb, b->model, "evidence_status");
	cJSON *list = cf_jb_array(&jb, o, "unverified_archives");
	const cJSON *d;
	const char *state = "verified";
	char text[512];

	cJSON_ArrayForEach(d, b->digests) {
		const cJSON *v = obj_get(b->verified, d->string);

		if (cJSON_IsFalse(v)) {
			state = "unverified";
			cf_jb_made(&jb, list, NULL, cJSON_CreateString(d->string));
		} else if (!cJSON_IsTrue(v) && strcmp(state, "unverified")) {
			state = "not stated";
		}
	}
	if (!strcmp(state, "unverified"))
		snprintf(text, sizeof text, "NOT ALL OF THIS EVIDENCE WAS VERIFIED: %llu "
			 "citation(s) come from %d evidence archive(s) that were not "
			 "verified (added with --allow-unverified, or failing "
			 "verification), and %llu of the %llu individual(s) counted "
			 "are named only by such evidence. Confirm them before any "
			 "notice is sent.",
			 (unsigned long long)b->unverified_cites, cJSON_GetArraySize(list),
			 (unsigned long long)b->unverified_only,
			 (unsigned long long)b->affected);
	else if (!strcmp(state, "not stated"))
		snprintf(text, sizeof text, "The verification of some cited evidence "
			 "archives is not stated here (see the evidence inventory).");
	else
		snprintf(text, sizeof text, "Every cited evidence archive was verified.");
	cf_jb_str(&jb, o, "state", state);
	cf_jb_int(&jb, o, "unverified_citations", (int64_t)b->unverified_cites);
	cf_jb_int(&jb, o, "individuals_only_unverified", (int64_t)b->unverified_only);
	cf_jb_str(&jb, o, "statement", text);
	if (!strcmp(state, "unverified"))
		cf_model_note(&jb, b->confirm, "evidence_status", "unverified_archives", text);
	return jb.err ? cf_set_nomem(b->ctx, "evidence status") : CF_OK;
}

int cf_model_custody(struct build *b)
{
	static const char *const keys[] = {"seq", "time", "actor", "signer",
		"action", "subject", "note", NULL};
	struct cf_jb jb = CF_JB_INIT;
	cJSON *o, *log;
	const cJSON *e;

	if (!b->in->custody) {
		cf_jb_item(&jb, b->model, "custody", NULL);
		return jb.err ? cf_set_nomem(b->ctx, "custody") : CF_OK;
	}
	o = cf_jb_object(&jb, b->model, "custody");
	cf_jb_int(&jb, o, "entries", cJSON_GetArraySize(b->in->custody));
	if (b->in->custody_check)
		cf_jb_made(&jb, o, "verification", cJSON_Duplicate(b->in->custody_check, 1));
	else
		cf_jb_item(&jb, o, "verification", NULL);
	log = cf_jb_array(&jb, o, "log");
	cJSON_ArrayForEach(e, b->in->custody) {
		cJSON *r = cf_jb_object(&jb, log, NULL);

		for (size_t i = 0; keys[i]; i++) {
			const cJSON *v = obj_get(e, keys[i]);

			if (v)
				cf_jb_made(&jb, r, keys[i], cJSON_Duplicate(v, 1));
		}
	}
	if (!b->in->custody_check)
		cf_model_note(&jb, b->confirm, "custody", "verification", "The custody log "
			      "was summarised but not verified.");
	return jb.err ? cf_set_nomem(b->ctx, "custody") : CF_OK;
}

