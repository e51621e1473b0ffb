/* SPDX-License-Identifier: Apache-2.0
 *
 * The breach report model's risk assessment, letter claims and deadline
 * checks (see model_int.h): the parts of the package that must say only
 * what is true.
 *
 * - The four factors of 45 CFR 164.402(2). Factor 1 lists the data
 *   elements the evidence shows for the individuals counted (a Patient
 *   record with a State of residence shows an address), each with its
 *   citation; every usual identifier it does not show is named "not
 *   established from evidence" for a person to confirm. Factor 3 classes
 *   each counted access by what its action means: FHIR read, vread,
 *   search (any search-* interaction), history (any history-*), export
 *   ($export, Bulk Data), an HTTP GET of patient data or a POST to _search
 *   viewed or acquired PHI; create, update, patch, delete (and POST, PUT,
 *   PATCH, DELETE) changed a record, which shows no viewing by itself;
 *   anything else is unclear. Failed or refused attempts are never counted.
 * - The letter's factual claims (a toll-free number, access blocked, a
 *   report to law enforcement, credit monitoring offered, prevention
 *   steps): stated only when the incident file's `response` block states
 *   them, otherwise written as a bracketed "[To confirm: ...]" in the draft
 *   and listed under `to_confirm`.
 * - Deadlines against today (the report's date, or --today): every notice
 *   with a due date gets a target date TARGET_DAYS before the limit and a
 *   status (open, past target, due today, overdue).
 * Nothing here reads a file or prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "model_int.h"

/* Days before the legal limit the package aims to send a notice by: the
 * rule asks for notice "without unreasonable delay", the limit is an outer
 * bound, and ten days leave room for printing and mailing. */
#define TARGET_DAYS 10

/* At most this many citations per factor (the rest are in the timeline). */
#define MAX_CITES 20

/* ---- factor 3: what an action means --------------------------------------- */

static int word_in(const char *w, const char *const *list)
{
	for (; *list; list++)
		if (!strcasecmp(w, *list))
			return 1;
	return 0;
}

enum cf_access_meaning cf_model_access_meaning(const char *action,
					       const char *resource)
{
	static const char *const viewed[] = {"read", "vread", "search",
		"history", "export", "$export", "bulk-export", "download",
		"get", "GetObject", "110106" /* DICOM Export */, NULL};
	static const char *const changed[] = {"create", "update", "patch",
		"delete", "post", "put", NULL};
	const char *r = resource ? resource : "";

	if (!action || !*action)
		return CF_ACCESS_UNCLEAR;
	/* a Bulk Data export or $everything, whatever verb started it */
	if (strstr(r, "$export") || strstr(r, "$everything"))
		return CF_ACCESS_VIEWED;
	if (word_in(action, viewed) || !strncasecmp(action, "search-", 7) ||
	    !strncasecmp(action, "history-", 8))
		return CF_ACCESS_VIEWED;
	/* a FHIR search by POST ("POST /fhir/Patient/_search") */
	if (!strcasecmp(action, "post") && strstr(r, "/_search"))
		return CF_ACCESS_VIEWED;
	if (word_in(action, changed))
		return CF_ACCESS_CHANGED;
	return CF_ACCESS_UNCLEAR;
}

/* ---- factor 1: the data elements the evidence shows ---------------------- */

/* The identifiers a privacy officer asks about, in the words of the
 * finding; those the evidence does not show are listed as not established. */
static const char *const usual_elements[] = {"name", "address",
	"date of birth", "medical record number", "Social Security number",
	"telephone number", "e-mail address", "health plan or insurance id",
	NULL};

/* Appends a deep copy of cite to arr while it holds fewer than
 * MAX_CITES. */
static void add_cite(struct cf_jb *jb, cJSON *arr, const cJSON *cite)
{
	if (cJSON_GetArraySize(arr) < MAX_CITES)
		cf_jb_made(jb, arr, NULL, cJSON_Duplicate(cite, 1));
}

/* Counts element for one individual and keeps up to MAX_CITES citations:
 * out is {ELEMENT: {"individuals": n, "cites": [...]}}. */
static void note_element(struct cf_jb *jb, cJSON *out, const char *element,
			 const cJSON *cite)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(out, element), *n;

	if (!o) {
		o = cf_jb_object(jb, out, element);
		cf_jb_int(jb, o, "individuals", 0);
		cf_jb_array(jb, o, "cites");
	}
	if (jb->err)
		return;
	n = cJSON_GetObjectItemCaseSensitive(o, "individuals");
	cJSON_SetNumberValue(n, n->valuedouble + 1);
	if (cite && cJSON_IsObject(cite) && cf_json_str(cite, "archive", NULL))
		add_cite(jb, cJSON_GetObjectItemCaseSensitive(o, "cites"), cite);
}

/* The elements of the counted individuals: each patient's details in the
 * scope may carry "elements", strings (cited by the detail's "record") or
 * {"element", "archive", "member", "line"} objects. The caller frees the
 * object (also after a failure, kept on jb). */
static cJSON *data_elements(struct cf_jb *jb, const struct build *b)
{
	cJSON *out = cJSON_CreateObject();
	const cJSON *p;

	if (!out)
		jb->err = -1;
	cJSON_ArrayForEach(p, b->patients) {
		const cJSON *d = cf_model_patient_detail(b, cf_json_str(p, "id", ""));
		const cJSON *e;

		cJSON_ArrayForEach(e, obj_get(d, "elements")) {
			const char *name = cJSON_IsString(e) ? e->valuestring
						: cf_json_str(e, "element", NULL);

			if (name)
				note_element(jb, out, name, cJSON_IsString(e)
					     ? obj_get(d, "record") : e);
		}
	}
	return out;
}

/* Factor 1: the finding, the elements shown (with citations) and those
 * not established. */
static void factor_nature(struct cf_jb *jb, struct build *b, cJSON *arr,
			  const char *phi)
{
	cJSON *els = data_elements(jb, b), *f, *shown, *missing, *cites;
	const cJSON *e;
	struct cf_buf t;

	cf_buf_init(&t);
	f = cf_jb_object(jb, arr, NULL);
	cites = cf_jb_array(jb, f, "cites");
	shown = cf_jb_array(jb, f, "data_elements");
	missing = cf_jb_array(jb, f, "not_established");
	if (jb->err)
		goto out;
	cf_buf_printf(&t, "%llu individual(s) identified by patient identifier "
		      "in the evidence. PHI categories seen: %s. Data elements "
		      "the evidence shows: ", (unsigned long long)b->affected,
		      *phi ? phi : "none identified");
	cJSON_ArrayForEach(e, els) {
		cJSON *o = cf_jb_object(jb, shown, NULL);
		const cJSON *c;
		int first = e == els->child;

		cf_jb_str(jb, o, "element", e->string);
		cf_jb_int(jb, o, "individuals", cf_json_int(e, "individuals", 0));
		cf_jb_made(jb, o, "cites", cJSON_Duplicate(obj_get(e, "cites"), 1));
		cJSON_ArrayForEach(c, obj_get(e, "cites"))
			add_cite(jb, cites, c);
		cf_buf_printf(&t, "%s%s (%lld individual(s))", first ? "" : ", ",
			      e->string, (long long)cf_json_int(e, "individuals", 0));
	}
	if (!els->child)
		cf_buf_puts(&t, "none");
	cf_buf_puts(&t, ". Not established from evidence (to confirm): ");
	for (size_t i = 0, n = 0; usual_elements[i]; i++) {
		int has = 0;

		cJSON_ArrayForEach(e, els)
			has |= !strncasecmp(e->string, usual_elements[i], strlen(usual_elements[i]));
		if (has)
			continue;
		cf_jb_made(jb, missing, NULL, cJSON_CreateString(usual_elements[i]));
		cf_buf_printf(&t, "%s%s", n++ ? ", " : "", usual_elements[i]);
	}
	cf_buf_putc(&t, '.');
	if (cf_buf_error(&t))
		jb->err = -1;
	cf_jb_str(jb, f, "id", "nature_extent");
	cf_jb_str(jb, f, "title", "Nature and extent of the PHI involved, "
		  "including the types of identifiers and the likelihood "
		  "of re-identification");
	cf_jb_str(jb, f, "finding", t.data);
	cf_jb_bool(jb, f, "confirm", 1);
	cf_jb_str(jb, f, "confirm_note", "Confirm the categories and whether "
		  "sensitive information (financial, mental health, substance "
		  "use, HIV) or direct identifiers such as SSNs were exposed; "
		  "the elements not established from evidence must be checked "
		  "against the records accessed.");
	if (cJSON_GetArraySize(missing))
		cf_model_note(jb, b->confirm, "risk_assessment", "data_elements",
			      "Data elements not established from evidence (see "
			      "not_established): confirm from the records accessed "
			      "whether they were exposed.");
out:
	cf_buf_release(&t);
	cJSON_Delete(els);
}

/* Factor 3: counted accesses by meaning, failed attempts apart. */
static void factor_acquired(struct cf_jb *jb, struct build *b, cJSON *arr)
{
	const cJSON *tl = obj_get(b->model, "timeline"), *e;
	cJSON *f = cf_jb_object(jb, arr, NULL);
	cJSON *cites = cf_jb_array(jb, f, "cites");
	cJSON *counts = cf_jb_object(jb, f, "counts");
	cJSON *by = cf_jb_object(jb, counts, "viewed_by_action");
	cJSON *unclear_acts = cf_jb_array(jb, counts, "unclear_actions");
	uint64_t n[3] = {0, 0, 0};
	long long failed = (long long)cf_json_int(tl, "failed_attempt_count", 0);
	char text[2048], acts[512] = "";

	if (jb->err)
		return;
	/* viewed first among the citations: they carry the finding */
	for (int pass = 0; pass < 2; pass++)
		cJSON_ArrayForEach(e, obj_get(tl, "accesses")) {
			const char *act = cf_json_str(e, "action", "");
			enum cf_access_meaning m = cf_model_access_meaning(act,
					cf_json_str(e, "resource", NULL));

			if ((pass == 0) != (m == CF_ACCESS_VIEWED))
				continue;
			add_cite(jb, cites, obj_get(e, "cite"));
			n[m]++;
			if (m == CF_ACCESS_VIEWED) {
				cJSON *c = cJSON_GetObjectItemCaseSensitive(by, *act ? act : "?");
				if (c)
					cJSON_SetNumberValue(c, c->valuedouble + 1);
				else
					cf_jb_int(jb, by, *act ? act : "?", 1);
			} else if (m == CF_ACCESS_UNCLEAR) {
				const cJSON *x;
				int dup = 0;
				cJSON_ArrayForEach(x, unclear_acts)
					dup |= !strcmp(x->valuestring, *act ? act : "(none)");
				if (!dup)
					cf_jb_made(jb, unclear_acts, NULL,
						   cJSON_CreateString(*act ? act : "(none)"));
				if (!dup && strlen(acts) + strlen(act) + 8 < sizeof acts)
					snprintf(acts + strlen(acts), sizeof acts - strlen(acts),
						 "%s%s", *acts ? ", " : "", *act ? act : "(none)");
			}
		}
	cJSON_ArrayForEach(e, obj_get(tl, "failed_attempts"))
		if (cJSON_IsObject(obj_get(e, "cite")))
			cf_jb_made(jb, cites, NULL, cJSON_Duplicate(obj_get(e, "cite"), 1));
	snprintf(text, sizeof text, "%llu successful access(es) to the records of "
		 "%llu individual(s): %llu viewed or acquired PHI (read, search, "
		 "history or export); %llu changed a record (create, update, "
		 "delete), which does not by itself show that PHI was viewed; "
		 "%llu do not show by their action whether PHI was viewed%s%s%s. "
		 "%lld failed or refused attempt(s) are listed apart and not "
		 "counted.",
		 (unsigned long long)(n[0] + n[1] + n[2]), (unsigned long long)b->affected,
		 (unsigned long long)n[CF_ACCESS_VIEWED],
		 (unsigned long long)n[CF_ACCESS_CHANGED],
		 (unsigned long long)n[CF_ACCESS_UNCLEAR], *acts ? " (" : "", acts,
		 *acts ? ")" : "", failed);
	cf_jb_int(jb, counts, "viewed", (int64_t)n[CF_ACCESS_VIEWED]);
	cf_jb_int(jb, counts, "changed", (int64_t)n[CF_ACCESS_CHANGED]);
	cf_jb_int(jb, counts, "unclear", (int64_t)n[CF_ACCESS_UNCLEAR]);
	cf_jb_int(jb, counts, "failed", failed);
	cf_jb_str(jb, f, "id", "acquired_viewed");
	cf_jb_str(jb, f, "title", "Whether the PHI was actually acquired or viewed");
	cf_jb_str(jb, f, "finding", text);
	cf_jb_bool(jb, f, "confirm", 1);
	cf_jb_str(jb, f, "confirm_note", "Confirm from the evidence cited that "
		  "the data was displayed or transferred, not only requested.");
	if (n[CF_ACCESS_CHANGED] || n[CF_ACCESS_UNCLEAR])
		cf_model_note(jb, b->confirm, "risk_assessment", "acquired_viewed",
			      "Some counted accesses do not show by their action that "
			      "PHI was viewed or acquired (see counts): confirm what "
			      "they exposed.");
}

/* A factor; its "cites", returned, are empty for the caller to fill. */
static cJSON *add_factor(struct cf_jb *jb, cJSON *arr, const char *id,
			 const char *title, const char *finding,
			 const char *confirm)
{
	cJSON *o = cf_jb_object(jb, arr, NULL);
	cJSON *cites = cf_jb_array(jb, o, "cites");

	cf_jb_str(jb, o, "id", id);
	cf_jb_str(jb, o, "title", title);
	cf_jb_str(jb, o, "finding", finding);
	cf_jb_bool(jb, o, "confirm", 1);
	cf_jb_str(jb, o, "confirm_note", confirm);
	return cites;
}

int cf_model_risk(struct build *b)
{
	const cJSON *sus = obj_get(b->in->incident, "suspects");
	const cJSON *tl = obj_get(b->model, "timeline"), *e;
	struct cf_jb jb = CF_JB_INIT;
	cJSON *sec, *arr, *cites;
	char *phi = cf_model_join(obj_get(b->model, "phi_categories"), "category");
	char *actors = cf_model_join(obj_get(sus, "actors"), NULL);
	char *ips = cf_model_join(obj_get(sus, "ips"), NULL);
	char *creds = cf_model_join(obj_get(sus, "credentials"), NULL);
	char *models = cf_model_join(obj_get(sus, "models"), NULL);
	char text[2048];

	if (!phi || !actors || !ips || !creds || !models) {
		jb.err = -1;
		goto out;
	}
	sec = cf_jb_object(&jb, b->model, "risk_assessment");
	cf_jb_str(&jb, sec, "rule", "45 CFR 164.402(2)");
	arr = cf_jb_array(&jb, sec, "factors");
	/* 1. Nature and extent of the PHI. */
	factor_nature(&jb, b, arr, phi);
	/* 2. The unauthorised person. */
	snprintf(text, sizeof text, "Suspected actors: %s. Source addresses: %s. "
		 "Credentials: %s. Model versions: %s.",
		 *actors ? actors : "none named", *ips ? ips : "none named",
		 *creds ? creds : "none named", *models ? models : "none named");
	cites = add_factor(&jb, arr, "unauthorized_person", "The unauthorized "
			   "person who used the PHI or to whom the disclosure was "
			   "made", text, "Confirm who the person is and whether "
			   "they are obliged to protect PHI (another covered "
			   "entity, a workforce member acting in good faith).");
	cJSON_ArrayForEach(e, obj_get(tl, "accesses"))
		add_cite(&jb, cites, obj_get(e, "cite"));
	/* 3. Acquired or viewed. */
	factor_acquired(&jb, b, arr);
	/* 4. Mitigation: only a person knows. */
	add_factor(&jb, arr, "mitigation", "The extent to which the risk to the "
		   "PHI has been mitigated", "To be completed: describe "
		   "assurances obtained, credentials revoked, data "
		   "retrieved or destroyed.",
		   "Not derivable from evidence; a person must complete it.");
	cf_jb_str(&jb, sec, "conclusion", b->safety_only
			    ? "Not needed to decide on notice: the four factors weigh "
			      "an impermissible use or disclosure of PHI, and this "
			      "model malfunction disclosed none (phi_disclosed: false; "
			      "45 CFR 164.402). Kept for the record."
			    : "An impermissible use or disclosure "
			    "is presumed to be a breach unless this assessment "
			    "demonstrates a low probability that the PHI has been "
			    "compromised (45 CFR 164.402(2)).");
	cf_model_note(&jb, b->confirm, "risk_assessment", "factors", "Every factor is "
		      "pre-filled from evidence and must be reviewed and signed "
		      "off by the privacy officer.");
	cf_model_note(&jb, b->confirm, "risk_assessment", "mitigation", "Extent of "
		      "mitigation is left for a person to complete.");
out:
	free(phi);
	free(actors);
	free(ips);
	free(creds);
	free(models);
	return jb.err ? cf_set_nomem(b->ctx, "risk assessment") : CF_OK;
}

/* ---- the letter's claims --------------------------------------------------- */

/* A claim of the notices: stated when the incident file's `response` block
 * gives it (the text is the file's), else a bracketed placeholder in the
 * draft and a note under to_confirm. */
struct claim {
	const char *key, *field, *placeholder, *why;
};

static const struct claim claims[] = {
	{"access_blocked", "What we are doing: access stopped",
	 "[To confirm: how and when the access was stopped, e.g. the account "
	 "disabled and its password reset on DATE; delete if not done.]",
	 "The draft does not say the access was blocked: state in "
	 "response.access_blocked what was done, or leave it out."},
	{"law_enforcement", "What we are doing: law enforcement",
	 "[To confirm: whether the incident was reported to law enforcement, "
	 "to whom and when; delete if not.]",
	 "The draft does not say the incident was reported to law enforcement: "
	 "state it in response.law_enforcement, or leave it out."},
	{"prevention", "What we are doing: prevention",
	 "[To confirm: the steps taken to protect against further breaches "
	 "(45 CFR 164.404(c)(1)(D)).]",
	 "The notice must say what the entity is doing to protect against "
	 "further breaches (164.404(c)(1)(D)): state it in response.prevention."},
	{"credit_monitoring", "What you can do: services offered",
	 "[To confirm: any service offered, such as credit monitoring, with how "
	 "to enrol; delete if none is offered.]",
	 "No service (credit monitoring, identity protection) is stated as "
	 "offered: state it in response.credit_monitoring, or leave it out."},
};

/* 1 for true (the incident reader keeps scalars as strings; the core
 * allows only true or false there). */
static int yes(const cJSON *v)
{
	return cJSON_IsTrue(v) || (cJSON_IsString(v) && !strcmp(v->valuestring, "true"));
}

/* One row of the letter's claims: stated by the incident file or not. */
static void add_claim(struct cf_jb *jb, cJSON *list, const char *claim,
		      int stated)
{
	cJSON *o = cf_jb_object(jb, list, NULL);

	cf_jb_str(jb, o, "claim", claim);
	cf_jb_bool(jb, o, "stated", stated);
	cf_jb_str(jb, o, "source", stated ? "incident file (response)" : NULL);
}

int cf_model_letter(struct build *b)
{
	const cJSON *inc = b->in->incident, *resp = obj_get(inc, "response");
	const char *phone = cf_json_str(obj_get(obj_get(inc, "covered_entity"), "contact"),
					"phone", NULL);
	struct cf_jb jb = CF_JB_INIT;
	cJSON *sec = cf_jb_object(&jb, b->model, "letter");
	cJSON *list = cf_jb_array(&jb, sec, "claims");
	char line[512];
	int stated;

	for (size_t i = 0; i < sizeof claims / sizeof claims[0]; i++) {
		const char *v = cf_json_str(resp, claims[i].key, NULL);

		if (v && !*v)
			v = NULL;
		add_claim(&jb, list, claims[i].key, v != NULL);
		cf_jb_str(&jb, sec, claims[i].key, v ? v : claims[i].placeholder);
		if (!v)
			cf_model_note(&jb, b->confirm, "letter", claims[i].field,
				      claims[i].why);
	}
	/* The telephone line: "toll-free" only when the file says so. */
	if (!phone)
		snprintf(line, sizeof line, "call [To confirm: a toll-free telephone number]");
	else if (yes(obj_get(resp, "phone_toll_free")))
		snprintf(line, sizeof line, "call our toll-free number %s", phone);
	else
		snprintf(line, sizeof line, "call us at %s [To confirm: whether this "
			 "number is toll-free]", phone);
	stated = phone && yes(obj_get(resp, "phone_toll_free"));
	add_claim(&jb, list, "phone_toll_free", stated);
	cf_jb_str(&jb, sec, "phone_line", line);
	if (!stated)
		cf_model_note(&jb, b->confirm, "letter", "For more information: "
			      "toll-free number", "The contact procedures must include a "
			      "toll-free number, an e-mail address, a web site or a postal "
			      "address (164.404(c)(1)(E)); the draft calls the number "
			      "toll-free only when response.phone_toll_free is true.");
	return jb.err ? cf_set_nomem(b->ctx, "letter") : CF_OK;
}

/* ---- deadlines against today --------------------------------------------- */

static void check_due(struct cf_jb *jb, struct build *b, cJSON *o,
		      const char *what, int64_t today)
{
	char d[16], note[256];
	int64_t due = cf_model_parse_day(cf_json_str(o, "due", NULL)), target;
	const char *status;

	if (due < 0 || cJSON_IsFalse(obj_get(o, "required")))
		return;
	target = due - TARGET_DAYS;
	status = today > due ? "overdue" : today == due ? "due today"
		: today > target ? "past target" : "open";
	cf_jb_str(jb, o, "target", cf_report_iso_date(target, d));
	cf_jb_str(jb, o, "status", status);
	cf_jb_int(jb, o, "days_left", due - today);
	if (today < due)
		return;
	snprintf(note, sizeof note, "%s notice was due %s (today is %s): unless it "
		 "has been given, it is %s.", what, cf_json_str(o, "due", ""),
		 cf_report_iso_date(today, d), status);
	cf_model_note(jb, b->confirm, "obligations", what, note);
}

int cf_model_deadlines(struct build *b)
{
	struct cf_jb jb = CF_JB_INIT;
	cJSON *ob = cJSON_GetObjectItemCaseSensitive(b->model, "obligations");
	int64_t today = b->in->today ? cf_model_parse_day(b->in->today) : -1;
	char d[16];
	static const struct { const char *key, *what; } rows[] = {
		{"individual_notice", "Individual"}, {"hhs_notice", "HHS"},
		{"media_notice", "Media"},
	};

	if (today < 0) {
		int64_t s = b->in->generated_at / 1000000 - (b->in->generated_at % 1000000 < 0);
		today = s / 86400 - (s % 86400 < 0);
	}
	if (!ob)
		return CF_OK;
	cf_jb_str(&jb, ob, "today", cf_report_iso_date(today, d));
	cf_jb_int(&jb, ob, "target_days_before_due", TARGET_DAYS);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		cJSON *o = cJSON_GetObjectItemCaseSensitive(ob, rows[i].key);

		if (cJSON_IsObject(o))
			check_due(&jb, b, o, rows[i].what, today);
	}
	return jb.err ? cf_set_nomem(b->ctx, "deadlines") : CF_OK;
}
