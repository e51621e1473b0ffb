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
#include "escape.h"
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

static int add_date(cJSON *o, const char *key, int64_t day)
{
	char d[16];

	if (day < 0)
		return cJSON_AddNullToObject(o, key) ? 0 : -1;
	return cf_json_add_str(o, key, cf_report_iso_date(day, d));
}

int cf_model_obligations(struct build *b, const struct cf_state_count *st,
			     size_t nst)
{
	struct cf_breach_facts f = {b->discovered_day, b->delay_day, b->affected,
				    b->no_contact, st, nst, b->not_breach || b->safety_only,
				    b->is_ba};
	struct cf_breach_duties d;
	cJSON *sec, *o, *arr;
	int rc = CF_FATAL;

	if (cf_breach_duties_compute(&f, &d))
		return cf_set_nomem(b->ctx, "obligations");
	if (!(sec = cJSON_AddObjectToObject(b->model, "obligations")) ||
	    add_date(sec, "discovered", b->discovered_day))
		goto out;
	if (!(o = cJSON_AddObjectToObject(sec, "law_enforcement_delay")) ||
	    add_date(o, "until", b->delay_day) || add_date(o, "not_before", d.not_before) ||
	    cf_json_add_str(o, "rule", "45 CFR 164.412"))
		goto out;
	if (!(o = cJSON_AddObjectToObject(sec, "individual_notice")) ||
	    cf_json_add_bool(o, "required", d.individual_due >= 0) ||
	    add_date(o, "due", d.individual_due) ||
	    cf_json_add_str(o, "rule", "45 CFR 164.404(b)") ||
	    cf_json_add_str(o, "text", "Without unreasonable delay and in no case "
			    "later than 60 calendar days after discovery, by "
			    "first-class mail (or e-mail if the individual agreed)."))
		goto out;
	if (!(o = cJSON_AddObjectToObject(sec, "hhs_notice")) ||
	    cf_json_add_bool(o, "immediate", d.hhs_immediate) ||
	    add_date(o, "due", d.hhs_due) ||
	    cf_json_add_str(o, "rule", "45 CFR 164.408") ||
	    cf_json_add_str(o, "text", d.hhs_immediate
		? "500 or more individuals: notify the Secretary contemporaneously "
		  "with the individual notices, through the HHS breach portal."
		: "Fewer than 500 individuals: log the breach and notify the "
		  "Secretary within 60 days after the end of the calendar year "
		  "of discovery."))
		goto out;
	if (!(o = cJSON_AddObjectToObject(sec, "media_notice")) ||
	    cf_json_add_bool(o, "required", d.media_required) ||
	    add_date(o, "due", d.media_due) ||
	    cf_json_add_str(o, "rule", "45 CFR 164.406") ||
	    !(arr = cJSON_AddArrayToObject(o, "states")))
		goto out;
	for (size_t i = 0; i < d.nmedia_states; i++) {
		cJSON *s = cJSON_CreateObject();

		if (!s || !cJSON_AddItemToArray(arr, s) ||
		    cf_json_add_str(s, "state", st[d.media_states[i]].state) ||
		    cf_json_add_int(s, "count", (int64_t)st[d.media_states[i]].count))
			goto out;
	}
	if (!(o = cJSON_AddObjectToObject(sec, "substitute_notice")) ||
	    cf_json_add_str(o, "kind", cf_breach_substitute_name(d.substitute)) ||
	    cf_json_add_int(o, "no_contact", (int64_t)b->no_contact) ||
	    cf_json_add_int(o, "contact_unknown", (int64_t)b->unknown_contact) ||
	    add_date(o, "keep_until", d.substitute_until) ||
	    cf_json_add_str(o, "rule", "45 CFR 164.404(d)(2)") ||
	    cf_json_add_str(o, "text",
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
		  "information."))
		goto out;
	if (b->unknown_contact &&
	    cf_model_add_note(b->confirm, "obligations", "substitute_notice", "Contact "
		     "information is not known for some individuals; confirm "
		     "before relying on the substitute-notice finding."))
		goto out;
	if (cf_model_obligations_rules(b, sec, &d) != CF_OK) {
		free(d.media_states);
		return CF_FATAL;
	}
	if (b->delay_day >= 0 &&
	    cf_model_add_note(b->confirm, "obligations", "law_enforcement_delay", "Confirm "
		     "the law-enforcement statement: a written statement sets the "
		     "period; an oral one delays for no longer than 30 days unless "
		     "followed by a written statement (164.412(b))."))
		goto out;
	rc = CF_OK;
out:
	free(d.media_states);
	return rc == CF_OK ? rc : cf_set_nomem(b->ctx, "obligations");
}

static int portal_field(cJSON *arr, const char *field, const char *value,
			int confirm)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddItemToArray(arr, o) || cf_json_add_str(o, "field", field) ||
	    cf_json_add_str(o, "value", value) || cf_json_add_bool(o, "confirm", confirm))
		return -1;
	return 0;
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
	cJSON *arr = cJSON_AddArrayToObject(b->model, "hhs_portal"), *types = NULL;
	const cJSON *e;
	char num[32], d[16], *phi = NULL, *ptypes = NULL;
	int64_t start = -1, end = -1;
	int rc = -1;

	if (!arr || !(types = cJSON_CreateArray()))
		goto out;
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
		if (!dup && cf_report_add(types, NULL, cJSON_CreateString(t)))
			goto out;
	}
	if (!(phi = cf_model_join(obj_get(b->model, "phi_categories"), "category")) ||
	    !(ptypes = cf_model_join(types, NULL)))
		goto out;
	snprintf(num, sizeof num, "%llu", (unsigned long long)b->affected);
	if (portal_field(arr, "Covered entity name", cf_json_str(ce, "name", ""), 0) ||
	    portal_field(arr, "Type of covered entity",
			 entity_type_name(cf_json_str(ce, "type", "provider")), 0) ||
	    portal_field(arr, "Breach start date",
			 start >= 0 ? cf_report_iso_date(start, d) : "", 1) ||
	    portal_field(arr, "Breach end date",
			 end >= 0 ? cf_report_iso_date(end, d) : "", 1) ||
	    portal_field(arr, "Discovery date", cf_report_iso_date(b->discovered_day, d), 0) ||
	    portal_field(arr, "Approximate number of individuals affected", num, 0) ||
	    portal_field(arr, "Type of breach", guess_type(inc), 1) ||
	    portal_field(arr, "Location of breached information", guess_location(acc), 1) ||
	    portal_field(arr, "Type of PHI involved", ptypes, 1) ||
	    portal_field(arr, "PHI involved (detail)", phi, 1) ||
	    portal_field(arr, "Business associate involved",
			 !strcmp(cf_json_str(ce, "type", ""), "business-associate") ? "Yes" : "No", 1) ||
	    portal_field(arr, "Safeguards in place prior to breach", "", 1) ||
	    portal_field(arr, "Actions taken in response to breach", "", 1) ||
	    portal_field(arr, "Individual notice provided (planned by)",
			 cf_json_str(obj_get(obj_get(b->model, "obligations"), "individual_notice"), "due", ""), 1) ||
	    cf_model_add_note(b->confirm, "hhs_portal", "Type of breach / Location",
		     "Pre-filled from the suspects and the evidence members; "
		     "confirm against the investigation.") ||
	    cf_model_add_note(b->confirm, "hhs_portal", "Safeguards / Actions taken",
		     "Not derivable from evidence; a person must complete them."))
		goto out;
	rc = 0;
out:
	cJSON_Delete(types);
	free(phi);
	free(ptypes);
	return rc ? cf_set_nomem(b->ctx, "hhs portal") : CF_OK;
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

/* Inventory: every archive cited or in the timeline store, joined with the
 * verification result and with the verified flag the store recorded. */
int cf_model_inventory(struct build *b)
{
	const cJSON *archives = obj_get(b->in->verify, "archives"), *d, *v;
	cJSON *arr = cJSON_AddArrayToObject(b->model, "evidence_inventory");
	cJSON *done = cJSON_CreateObject();
	int rc = -1;

	if (!arr || !done)
		goto out;
	cJSON_ArrayForEach(v, archives) {
		const char *dig = cf_json_str(v, "sha256sums", "");
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(arr, o) ||
		    cf_json_add_str(o, "sha256sums", dig) ||
		    cf_json_add_str(o, "path", cf_json_str(v, "path", NULL)) ||
		    cf_json_add_str(o, "signer", cf_json_str(v, "signer", NULL)) ||
		    cf_json_add_str(o, "verification", cf_json_bool(v, "ok", 0) ? "OK" : "FAILED") ||
		    cf_json_add_str(o, "verified_state", verified_word(b, dig)) ||
		    cf_json_add_int(o, "problems", cJSON_GetArraySize(obj_get(v, "problems"))) ||
		    cf_json_add_int(o, "citations", cf_json_int(b->digests, dig, 0)) ||
		    !cJSON_AddTrueToObject(done, dig))
			goto out;
	}
	/* archives cited without a verification result, then the store's
	 * other archives: their verified state is what `timeline build` recorded
	 * (verified against its trusted keys, or added unverified) */
	cJSON_ArrayForEach(d, b->digests) {
		const char *tl = verified_word(b, d->string);
		const cJSON *st = store_archive(b, d->string);
		cJSON *o;

		if (obj_get(done, d->string))
			continue;
		if (!(o = cJSON_CreateObject()) || !cJSON_AddItemToArray(arr, o) ||
		    cf_json_add_str(o, "sha256sums", d->string) ||
		    cf_json_add_str(o, "path", cf_json_str(st, "path", NULL)) ||
		    cf_json_add_str(o, "signer", cf_json_str(st, "signer", NULL)) ||
		    cf_json_add_str(o, "verification", inventory_word(tl)) ||
		    cf_json_add_str(o, "verified_state", tl) ||
		    cf_json_add_int(o, "problems", 0) ||
		    cf_json_add_int(o, "citations", (int64_t)d->valuedouble) ||
		    !cJSON_AddTrueToObject(done, d->string) ||
		    (!(tl && !strcmp(tl, "verified")) &&
		     cf_model_add_note(b->confirm, "evidence_inventory", d->string,
			      "This archive is cited but no verification result "
			      "was given for it (casefile verify --json).")))
			goto out;
	}
	cJSON_ArrayForEach(v, obj_get(b->in->scope, "archives")) {
		const char *dig = cf_json_str(v, "sha256sums", NULL);
		cJSON *o;

		if (!dig || obj_get(done, dig))
			continue;
		if (!(o = cJSON_CreateObject()) || !cJSON_AddItemToArray(arr, o) ||
		    cf_json_add_str(o, "sha256sums", dig) ||
		    cf_json_add_str(o, "path", cf_json_str(v, "path", NULL)) ||
		    cf_json_add_str(o, "signer", cf_json_str(v, "signer", NULL)) ||
		    cf_json_add_str(o, "verification", inventory_word(verified_word(b, dig))) ||
		    cf_json_add_str(o, "verified_state", verified_word(b, dig)) ||
		    cf_json_add_int(o, "problems", 0) ||
		    cf_json_add_int(o, "citations", 0) ||
		    !cJSON_AddTrueToObject(done, dig))
			goto out;
	}
	rc = 0;
out:
	cJSON_Delete(done);
	return rc ? cf_set_nomem(b->ctx, "inventory") : CF_OK;
}

/* How far the counted evidence was verified, in words the renderers use
 * as they are: a report never says "verified evidence" of evidence that
 * was not. "state" is "verified" (every cited archive is known verified),
 * "unverified" (at least one cited archive is not) or "not stated". */
int cf_model_evidence_status(struct build *b)
{
	cJSON *o = cJSON_AddObjectToObject(b->model, "evidence_status"), *list;
	const cJSON *d;
	const char *state = "verified";
	char text[512];

	if (!o || !(list = cJSON_AddArrayToObject(o, "unverified_archives")))
		return cf_set_nomem(b->ctx, "evidence status");
	cJSON_ArrayForEach(d, b->digests) {
		const cJSON *v = obj_get(b->verified, d->string);

		if (cJSON_IsFalse(v)) {
			state = "unverified";
			if (!cJSON_AddItemToArray(list, cJSON_CreateString(d->string)))
				return cf_set_nomem(b->ctx, "evidence status");
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
	if (cf_json_add_str(o, "state", state) ||
	    cf_json_add_int(o, "unverified_citations", (int64_t)b->unverified_cites) ||
	    cf_json_add_int(o, "individuals_only_unverified", (int64_t)b->unverified_only) ||
	    cf_json_add_str(o, "statement", text))
		return cf_set_nomem(b->ctx, "evidence status");
	if (!strcmp(state, "unverified") &&
	    cf_model_add_note(b->confirm, "evidence_status", "unverified_archives", text))
		return cf_set_nomem(b->ctx, "evidence status");
	return CF_OK;
}

int cf_model_custody(struct build *b)
{
	static const char *const keys[] = {"seq", "time", "actor", "signer",
		"action", "subject", "note", NULL};
	cJSON *o, *log;
	const cJSON *e;

	if (!b->in->custody)
		return cJSON_AddNullToObject(b->model, "custody") ? CF_OK
			: cf_set_nomem(b->ctx, "custody");
	if (!(o = cJSON_AddObjectToObject(b->model, "custody")) ||
	    cf_json_add_int(o, "entries", cJSON_GetArraySize(b->in->custody)) ||
	    cf_report_add(o, "verification", b->in->custody_check
				   ? cJSON_Duplicate(b->in->custody_check, 1)
				   : cJSON_CreateNull()) ||
	    !(log = cJSON_AddArrayToObject(o, "log")))
		return cf_set_nomem(b->ctx, "custody");
	cJSON_ArrayForEach(e, b->in->custody) {
		cJSON *r = cJSON_CreateObject();

		if (!r || !cJSON_AddItemToArray(log, r))
			return cf_set_nomem(b->ctx, "custody");
		for (size_t i = 0; keys[i]; i++) {
			const cJSON *v = obj_get(e, keys[i]);

			if (v && cf_report_add(r, keys[i], cJSON_Duplicate(v, 1)))
				return cf_set_nomem(b->ctx, "custody");
		}
	}
	if (!b->in->custody_check &&
	    cf_model_add_note(b->confirm, "custody", "verification", "The custody log "
		     "was summarised but not verified."))
		return cf_set_nomem(b->ctx, "custody");
	return CF_OK;
}

