/* SPDX-License-Identifier: Apache-2.0
 *
 * FHIR R4 resources: AuditEvent (who did what to which patient, when, with
 * what outcome), Patient (state of residence and reachability, for the
 * breach counts, and the identifying elements the record carries, as a
 * "fhir-patient" event the report cites) and Bundle (their container).
 *
 * Mapping of an AuditEvent: time = recorded; actor = the agent with
 * requestor true (who.identifier.value, else the id of who.reference);
 * action = subtype code, else type code (the CRUDE action code kept as
 * "action_code"); outcome "0" = success, any other code = failure; src_ip
 * = a network address of the requestor (else of any agent).
 *
 * Entities name what was touched by a reference, relative ("Patient/123",
 * "Patient/123/_history/2", the compartment "Patient/123/Observation"),
 * absolute ("https://host/fhir/r4/Patient/123/_history/2") or contained
 * ("#p1", resolved in the AuditEvent's contained[]; a contained Patient is
 * named by its first identifier, its local id meaning nothing outside), or
 * by what.identifier alone. patient = the first Patient so named, else the
 * identifier of an entity of type Person (1) in the role Patient (1), else
 * the R5 AuditEvent.patient. The resource types touched go to
 * "resource_types"; the purposes of use (R4 purposeOfEvent and
 * agent.purposeOfUse, R5 authorization and agent.authorization) to
 * "purpose", comma-separated.
 */
#include <stdlib.h>
#include <string.h>

#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/patient.h"
#include "casefile/time.h"
#include "tl.h"

static const char *coding_code(const cJSON *cc)
{
	const cJSON *c;

	if (!cc)
		return NULL;
	if (cJSON_IsArray(cc))
		cc = cJSON_GetArrayItem(cc, 0);
	if ((c = cf_json_get(cc, "code")) && cJSON_IsString(c))
		return c->valuestring;
	c = cf_json_get(cc, "coding");
	return coding_code(cJSON_GetArrayItem(c, 0));
}

/* The id part of "Type/ID[/...]"; the whole string when it has no '/'. */
static const char *ref_id(struct tl_run *r, const char *ref)
{
	const char *sl, *e;

	if (!ref)
		return NULL;
	if (!(sl = strchr(ref, '/')))
		return tl_str(r, ref, (size_t)-1);
	e = strchr(sl + 1, '/');
	return tl_str(r, sl + 1, e ? (size_t)(e - sl - 1) : strlen(sl + 1));
}

/* What a reference names: its resource type, its id (NULL when it names a
 * type only) and the patient whose compartment it is in. */
struct target {
	const char *type, *id, *patient;
};

/* The segments [b, e) of a path, at most 64. */
static int segments(const char *p, const char *b[64], const char *e[64])
{
	int n = 0;

	while (*p && n < 64) {
		const char *q = p + strcspn(p, "/?#");
		if (q > p) {
			b[n] = p;
			e[n++] = q;
		}
		if (*q != '/')
			break;
		p = q + 1;
	}
	return n;
}

/* Resource type names are letters only, the first upper case ("R4" in a
 * base URL is not one). */
static int is_type(const char *b, const char *e)
{
	if (e <= b || *b < 'A' || *b > 'Z')
		return 0;
	for (const char *p = b; p < e; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
			return 0;
	return 1;
}

/* Relative ("Type/id", "Type/id/_history/v", "Patient/id/Type") or
 * absolute ("scheme://host/base/Type/id[/_history/v]") reference. */
static void parse_ref(struct tl_run *r, const char *ref, struct target *t)
{
	const char *b[64], *e[64], *p = ref, *sch = strstr(ref, "://");
	int n, k = -1;

	memset(t, 0, sizeof *t);
	if (sch)
		p = strchr(sch + 3, '/') ? strchr(sch + 3, '/') + 1 : "";
	n = segments(p, b, e);
	for (int i = 0; i + 1 < n; i++)
		if (e[i] - b[i] == 7 && !memcmp(b[i], "Patient", 7) &&
		    !(e[i + 1] - b[i + 1] == 8 && !memcmp(b[i + 1], "_history", 8))) {
			t->patient = tl_str(r, b[i + 1], (size_t)(e[i + 1] - b[i + 1]));
			break;
		}
	for (int i = 0; i < n; i++)
		if (e[i] - b[i] == 8 && !memcmp(b[i], "_history", 8)) {
			k = i - 2;
			break;
		}
	if (k < 0 && !sch && n >= 1) /* relative: Type/id[/Type] */
		k = n >= 3 && t->patient ? -2 : 0;
	if (k < 0 && sch && n >= 2 && is_type(b[n - 2], e[n - 2]))
		k = n - 2;
	if (k == -2 || (k < 0 && n >= 1 && is_type(b[n - 1], e[n - 1]))) {
		t->type = tl_str(r, b[n - 1], (size_t)(e[n - 1] - b[n - 1]));
		return; /* a type only: a compartment or a type-level URL */
	}
	if (k < 0 || k >= n)
		return;
	t->type = tl_str(r, b[k], (size_t)(e[k] - b[k]));
	if (k + 1 < n)
		t->id = tl_str(r, b[k + 1], (size_t)(e[k + 1] - b[k + 1]));
}

/* "#id": the contained resource with that id. */
static void contained_ref(struct tl_run *r, const cJSON *o, const char *ref,
			  struct target *t)
{
	const cJSON *c;

	memset(t, 0, sizeof *t);
	cJSON_ArrayForEach(c, cf_json_get(o, "contained")) {
		const char *id = cf_json_str(c, "id", NULL), *ty, *v;
		if (!id || strcmp(id, ref + 1))
			continue;
		ty = cf_json_str(c, "resourceType", NULL);
		v = cf_json_str(cJSON_GetArrayItem(cf_json_get(c, "identifier"), 0),
				"value", NULL);
		t->type = tl_str(r, ty, (size_t)-1);
		t->id = tl_str(r, ref, (size_t)-1);
		if (ty && !strcmp(ty, "Patient") && v)
			t->patient = tl_str(r, v, (size_t)-1);
		return;
	}
}

/* Appends the codes of an array of CodeableConcepts (or Codings) to b. */
static void add_codes(struct cf_buf *b, const cJSON *arr)
{
	const cJSON *p;
	const char *code;

	cJSON_ArrayForEach(p, arr) if ((code = coding_code(p))) {
		size_t cl = strlen(code);
		int dup = 0;
		for (const char *q = b->data; q && (q = strstr(q, code)); q += cl)
			if ((q == b->data || q[-1] == ',') && (q[cl] == ',' || !q[cl]))
				dup = 1;
		if (dup)
			continue;
		if (b->len)
			cf_buf_putc(b, ',');
		cf_buf_puts(b, code);
	}
}

/* 1 when a coding (or a CodeableConcept) has one of the codes. */
static int has_code(const cJSON *cc, const char *a, const char *b)
{
	const char *c = coding_code(cc);

	return c && (!strcmp(c, a) || (b && !strcmp(c, b)));
}

static int audit_event(struct tl_run *r, const cJSON *o, uint64_t ln,
		       uint64_t off)
{
	struct cf_event ev = {.ts_desc = "Event Recorded",
			      .source = "fhir-auditevent"};
	const cJSON *agents = cf_json_get(o, "agent");
	const cJSON *ents = cf_json_get(o, "entity");
	const cJSON *a, *req = NULL, *e, *out;
	const char *recorded = cf_json_str(o, "recorded", NULL), *code;
	struct cf_buf types;
	int tzoff;

	if (!recorded)
		return tl_reject(r, ln, off, "AuditEvent without recorded time");
	if (cf_time_parse(recorded, -1, &ev.ts_us, &tzoff))
		return tl_reject(r, ln, off, "AuditEvent: bad or out-of-range recorded time");
	tl_attr_tz(r, tzoff);
	tl_attr_str(r, "id", cf_json_str(o, "id", NULL), (size_t)-1);
	cJSON_ArrayForEach(a, agents) if (cf_json_bool(a, "requestor", 0)) {
		req = a;
		break;
	}
	if (req) {
		const cJSON *who = cf_json_get(req, "who");
		const cJSON *idf = cf_json_get(who, "identifier");
		const char *wref = cf_json_str(who, "reference", NULL);
		if (cf_json_str(idf, "value", NULL))
			ev.actor = tl_str(r, cf_json_str(idf, "value", NULL), (size_t)-1);
		else if (wref)
			ev.actor = ref_id(r, wref);
		if (wref)
			tl_attr_str(r, "actor_ref", wref, (size_t)-1);
		if (cf_json_str(req, "name", NULL))
			tl_attr_str(r, "actor_name", cf_json_str(req, "name", NULL),
				    (size_t)-1);
		if ((code = coding_code(cf_json_get(req, "type"))) ||
		    (code = coding_code(cf_json_get(req, "role"))))
			ev.actor_role = tl_str(r, code, (size_t)-1);
		ev.src_ip = tl_str(r, cf_json_str(cf_json_get(req, "network"),
						  "address", NULL), (size_t)-1);
	}
	cJSON_ArrayForEach(a, agents) if (!ev.src_ip) ev.src_ip =
		tl_str(r, cf_json_str(cf_json_get(a, "network"),
				      "address", NULL), (size_t)-1);
	if ((code = coding_code(cf_json_get(o, "subtype"))))
		ev.action = tl_str(r, code, (size_t)-1);
	if ((code = coding_code(cf_json_get(o, "type")))) {
		tl_attr_str(r, "type", code, (size_t)-1);
		if (!ev.action)
			ev.action = tl_str(r, code, (size_t)-1);
	}
	tl_attr_str(r, "action_code", cf_json_str(o, "action", NULL), (size_t)-1);
	out = cf_json_get(o, "outcome");
	if (cJSON_IsString(out))
		ev.outcome = !strcmp(out->valuestring, "0") ? "success" : "failure";
	else if (cJSON_IsNumber(out))
		ev.outcome = out->valueint == 0 ? "success" : "failure";
	else if ((code = coding_code(cf_json_get(out, "code"))))
		ev.outcome = !strcmp(code, "0") ? "success" : "failure";
	if (out && !cJSON_IsObject(out))
		tl_attr_json(r, "outcome_code", out);
	{
		struct cf_buf pu;
		cf_buf_init(&pu);
		add_codes(&pu, cf_json_get(o, "purposeOfEvent"));
		add_codes(&pu, cf_json_get(o, "authorization"));
		cJSON_ArrayForEach(a, agents) {
			add_codes(&pu, cf_json_get(a, "purposeOfUse"));
			add_codes(&pu, cf_json_get(a, "authorization"));
		}
		if (pu.len)
			tl_attr_str(r, "purpose", pu.data, pu.len);
		cf_buf_release(&pu);
	}
	cf_buf_init(&types);
	cJSON_ArrayForEach(e, ents) {
		const cJSON *what = cf_json_get(e, "what");
		const char *ref = cf_json_str(what, "reference", NULL);
		struct target t;
		if (!ref) { /* what.identifier: a patient when Person in role Patient */
			const char *v = cf_json_str(cf_json_get(what, "identifier"),
						    "value", NULL);
			if (v && !ev.patient &&
			    has_code(cf_json_get(e, "type"), "1", NULL) &&
			    has_code(cf_json_get(e, "role"), "1", "PAT"))
				ev.patient = tl_str(r, v, (size_t)-1);
			continue;
		}
		if (ref[0] == '#')
			contained_ref(r, o, ref, &t);
		else
			parse_ref(r, ref, &t);
		if (t.patient && !ev.patient)
			ev.patient = t.patient;
		/* a Patient itself: the resource is "Patient/ID", set below */
		if (!ev.resource && !(t.type && !strcmp(t.type, "Patient")))
			ev.resource = tl_str(r, ref, (size_t)-1);
		if (t.type) {
			if (types.len)
				cf_buf_putc(&types, ',');
			cf_buf_puts(&types, t.type);
		}
	}
	if (!ev.patient) { /* R5: AuditEvent.patient */
		const char *pref = cf_json_str(cf_json_get(o, "patient"),
					       "reference", NULL);
		struct target t;
		if (pref && pref[0] == '#')
			contained_ref(r, o, pref, &t);
		else if (pref)
			parse_ref(r, pref, &t);
		if (pref)
			ev.patient = t.patient;
	}
	if (!ev.resource && ev.patient)
		ev.resource = tl_strf(r, "Patient/%s", ev.patient);
	if (types.len)
		tl_attr_str(r, "resource_types", types.data, types.len);
	cf_buf_release(&types);
	ev.message = tl_strf(r, "%s %s%s%s", ev.action ? ev.action : "access",
			     ev.resource ? ev.resource : "(no entity)",
			     ev.actor ? " by " : "", ev.actor ? ev.actor : "");
	return tl_emit(r, &ev, ln, off);
}

/* ---- the data elements a Patient record carries ------------------------- */

/* Identifier types of HL7 v2 table 0203 (the FHIR identifier-type value
 * set) and the element each one is, in the words of the breach report's
 * factor 1 (45 CFR 164.402(2)(i): "the types of identifiers"). */
static const struct {
	const char *code, *element;
} id_types[] = {
	{"MR", "medical record number"},
	{"SS", "Social Security number"},
	{"MB", "health plan or insurance id"},   /* member number */
	{"MC", "health plan or insurance id"},   /* Medicare */
	{"MA", "health plan or insurance id"},   /* Medicaid */
	{"SN", "health plan or insurance id"},   /* subscriber number */
	{"DL", "driver's license number"},
	{"PPN", "passport number"},
};

static int nonempty(const cJSON *o, const char *key)
{
	const cJSON *v = cf_json_get(o, key);

	return (cJSON_IsString(v) && *v->valuestring) || cJSON_IsNumber(v) ||
	       (cJSON_IsArray(v) && cJSON_GetArraySize(v) > 0);
}

static void add_element(cJSON *arr, const char *name)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, arr)
		if (!strcmp(e->valuestring, name))
			return;
	cJSON_AddItemToArray(arr, cJSON_CreateString(name));
}

/* The element an identifier with a value is: by its type (coding of
 * table 0203, any system), else the US SSN system, else "other
 * identifier". */
static const char *identifier_element(const cJSON *idf)
{
	const cJSON *codings = cf_json_get(
		cf_json_get(idf, "type"), "coding"), *c;

	cJSON_ArrayForEach(c, codings) {
		const char *code = cf_json_str(c, "code", "");
		for (size_t i = 0; i < sizeof id_types / sizeof id_types[0]; i++)
			if (!strcmp(code, id_types[i].code))
				return id_types[i].element;
	}
	if (!strcmp(cf_json_str(idf, "system", ""), "http://hl7.org/fhir/sid/us-ssn"))
		return "Social Security number";
	return "other identifier";
}

/* The identifying elements present in a Patient resource, as a JSON array
 * of names: "name" (a name with a family, given or text part), "address"
 * (a line, city, district, postal code or text), else "State of
 * residence" when only a State is given, "date of birth", "date of
 * death", "telephone number" (phone or sms), "fax number", "e-mail
 * address", one per identifier type above, "photograph". An element
 * present but empty ({"use": "home"}) is not counted. NULL when the array
 * cannot be made. */
static cJSON *patient_elements(const cJSON *o)
{
	cJSON *arr = cJSON_CreateArray();
	const cJSON *x;
	int addr = 0, state = 0;

	if (!arr)
		return NULL;
	cJSON_ArrayForEach(x, cf_json_get(o, "name"))
		if (nonempty(x, "family") || nonempty(x, "given") || nonempty(x, "text"))
			add_element(arr, "name");
	cJSON_ArrayForEach(x, cf_json_get(o, "address")) {
		addr |= nonempty(x, "line") || nonempty(x, "city") ||
			nonempty(x, "district") || nonempty(x, "postalCode") ||
			nonempty(x, "text");
		state |= nonempty(x, "state");
	}
	if (addr || state)
		add_element(arr, addr ? "address" : "State of residence");
	if (nonempty(o, "birthDate"))
		add_element(arr, "date of birth");
	if (nonempty(o, "deceasedDateTime"))
		add_element(arr, "date of death");
	cJSON_ArrayForEach(x, cf_json_get(o, "telecom")) {
		const char *sys = cf_json_str(x, "system", "");
		if (!nonempty(x, "value"))
			continue;
		if (!strcmp(sys, "phone") || !strcmp(sys, "sms"))
			add_element(arr, "telephone number");
		else if (!strcmp(sys, "fax"))
			add_element(arr, "fax number");
		else if (!strcmp(sys, "email"))
			add_element(arr, "e-mail address");
	}
	cJSON_ArrayForEach(x, cf_json_get(o, "identifier"))
		if (nonempty(x, "value"))
			add_element(arr, identifier_element(x));
	cJSON_ArrayForEach(x, cf_json_get(o, "photo"))
		if (nonempty(x, "data") || nonempty(x, "url"))
			add_element(arr, "photograph");
	/* an element lost to no memory shows in cf_alloc_failures(), which
	 * fails the run (tl.h) */
	return arr;
}

/* The record of a Patient resource as an event (source "fhir-patient",
 * action "patient-record"), so that the breach report cites the archive,
 * member and line of each element it lists: attrs "elements" (the array
 * above). Its time is meta.lastUpdated, else the member's file time
 * ("File Modified"). A record with no element emits nothing. */
static int patient_record(struct tl_run *r, const cJSON *o, const char *id,
			  uint64_t ln, uint64_t off)
{
	struct cf_event ev = {.source = "fhir-patient", .action = "patient-record",
			      .ts_desc = "Record Last Updated"};
	const char *upd = cf_json_str(cf_json_get(o, "meta"),
				      "lastUpdated", NULL);
	cJSON *els = patient_elements(o);
	int tzoff = 0, rc;

	if (!els)
		return cf_set_nomem(r->ctx, "Patient elements");
	if (!cJSON_GetArraySize(els)) {
		cJSON_Delete(els);
		return CF_OK;
	}
	if (!upd || cf_time_parse(upd, -1, &ev.ts_us, &tzoff)) {
		ev.ts_us = r->meta->ref_us;
		ev.ts_desc = "File Modified";
	} else {
		tl_attr_tz(r, tzoff);
	}
	ev.patient = tl_str(r, id, (size_t)-1);
	ev.resource = tl_strf(r, "Patient/%s", ev.patient);
	tl_attr_json(r, "elements", els);
	ev.message = tl_strf(r, "Patient record %s carries %d identifying element(s)",
			     ev.patient, cJSON_GetArraySize(els));
	cJSON_Delete(els);
	rc = tl_emit(r, &ev, ln, off);
	return rc;
}

/* The breach facts of a Patient (casefile/patient.h): the State of the
 * first current address (use other than "old") naming one, as a USPS code
 * (names and any case accepted); a postal address when such an address has
 * a line or a text; the telecom systems (e-mail, phone: FHIR has no field
 * for consent to electronic notice, so a Patient's e-mail never counts as
 * consented: a roster's email_consent column says that); deceasedBoolean
 * true or any deceasedDateTime; a contact (next of kin, guardian...) with
 * an address; a full birthDate. */
static int patient(struct tl_run *r, const cJSON *o, uint64_t ln, uint64_t off)
{
	struct cf_patient p = {0};
	const cJSON *addr = cf_json_get(o, "address");
	const cJSON *tel = cf_json_get(o, "telecom"), *x;
	const cJSON *dec = cf_json_get(o, "deceasedBoolean");
	const char *id = cf_json_str(o, "id", NULL), *st = NULL;
	int v = CF_CONTACT_KINDS;

	if (!id || !*id)
		return tl_reject(r, ln, off, "Patient resource without id");
	p.id = tl_str(r, id, (size_t)-1);
	cJSON_ArrayForEach(x, addr) {
		if (!strcmp(cf_json_str(x, "use", ""), "old"))
			continue;
		if (!st)
			st = cf_state_code(cf_json_str(x, "state", NULL));
		if (cJSON_GetArraySize(cf_json_get(x, "line")) > 0 ||
		    *cf_json_str(x, "text", ""))
			v |= CF_CONTACT_POSTAL;
	}
	if (st)
		p.state = tl_str(r, st, 2);
	cJSON_ArrayForEach(x, tel) {
		const char *sys = cf_json_str(x, "system", "");
		if (!*cf_json_str(x, "value", ""))
			continue;
		if (!strcmp(sys, "email"))
			v |= CF_CONTACT_EMAIL;
		else if (!strcmp(sys, "phone") || !strcmp(sys, "sms"))
			v |= CF_CONTACT_PHONE;
	}
	if (cJSON_GetArraySize(addr) > 0 || cJSON_GetArraySize(tel) > 0)
		v |= CF_CONTACT_ANY;
	if (cJSON_IsTrue(dec) || cJSON_IsString(cf_json_get(o, "deceasedDateTime")))
		v |= CF_PATIENT_DECEASED;
	cJSON_ArrayForEach(x, cf_json_get(o, "contact"))
		if (cJSON_IsObject(cf_json_get(x, "address")))
			v |= CF_PATIENT_KIN_ADDRESS;
	p.has_contact = cf_patient_set_birth(v, cf_json_str(o, "birthDate", NULL));
	if (tl_patient(r, &p, ln) != CF_OK)
		return CF_FAILED;
	return patient_record(r, o, id, ln, off);
}

int tl_fhir_object(struct tl_run *r, const cJSON *o, uint64_t ln, uint64_t off)
{
	const char *type = cf_json_str(o, "resourceType", "");
	int rc = CF_OK;

	if (!strcmp(type, "AuditEvent"))
		return audit_event(r, o, ln, off);
	if (!strcmp(type, "Patient"))
		return patient(r, o, ln, off);
	if (!strcmp(type, "Bundle")) {
		const cJSON *e, *entries = cf_json_get(o, "entry");
		cJSON_ArrayForEach(e, entries) if ((rc = tl_fhir_entry(r, e, ln, off)))
			break;
		return rc;
	}
	return tl_reject(r, ln, off, "FHIR %s resource is not timeline evidence",
			 tl_str(r, type, strnlen(type, 40)));
}

int tl_fhir_entry(struct tl_run *r, const cJSON *entry, uint64_t ln,
		  uint64_t off)
{
	const cJSON *res = cf_json_get(entry, "resource");
	const char *t = cf_json_str(res, "resourceType", "");

	if (!strcmp(t, "Bundle"))
		return tl_reject(r, ln, off, "nested Bundle not read");
	return res ? tl_fhir_object(r, res, ln, off) : CF_OK;
}
