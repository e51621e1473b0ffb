/* SPDX-License-Identifier: Apache-2.0
 *
 * FHIR R4 resources: AuditEvent (who did what to which patient, when, with
 * what outcome), Patient (state of residence and reachability, for the
 * breach counts) and Bundle (their container).
 *
 * Mapping of an AuditEvent: time = recorded; actor = the agent with
 * requestor true (who.identifier.value, else the id of who.reference);
 * action = subtype code, else type code (the CRUDE action code kept as
 * "action_code"); patient = the entity whose what.reference is Patient/ID,
 * or the Patient compartment of a reference (Patient/ID/Observation);
 * outcome "0" = success, any other code = failure; purpose of use and the
 * resource types touched go to the attributes; src_ip = a network address
 * of the requestor (else of any agent).
 */
#include <stdlib.h>
#include <string.h>

#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/time.h"
#include "tl.h"

static const char *coding_code(const cJSON *cc)
{
	const cJSON *c;

	if (!cc)
		return NULL;
	if (cJSON_IsArray(cc))
		cc = cJSON_GetArrayItem(cc, 0);
	if ((c = cJSON_GetObjectItemCaseSensitive(cc, "code")) && cJSON_IsString(c))
		return c->valuestring;
	c = cJSON_GetObjectItemCaseSensitive(cc, "coding");
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

static int audit_event(struct tl_run *r, const cJSON *o, uint64_t ln,
		       uint64_t off)
{
	struct cf_event ev = {.ts_desc = "Event Recorded",
			      .source = "fhir-auditevent"};
	const cJSON *agents = cJSON_GetObjectItemCaseSensitive(o, "agent");
	const cJSON *ents = cJSON_GetObjectItemCaseSensitive(o, "entity");
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
		const cJSON *who = cJSON_GetObjectItemCaseSensitive(req, "who");
		const cJSON *idf = cJSON_GetObjectItemCaseSensitive(who, "identifier");
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
		if ((code = coding_code(cJSON_GetObjectItemCaseSensitive(req, "type"))) ||
		    (code = coding_code(cJSON_GetObjectItemCaseSensitive(req, "role"))))
			ev.actor_role = tl_str(r, code, (size_t)-1);
		ev.src_ip = tl_str(r, cf_json_str(cJSON_GetObjectItemCaseSensitive(req, "network"),
						  "address", NULL), (size_t)-1);
	}
	cJSON_ArrayForEach(a, agents) if (!ev.src_ip) ev.src_ip =
		tl_str(r, cf_json_str(cJSON_GetObjectItemCaseSensitive(a, "network"),
				      "address", NULL), (size_t)-1);
	if ((code = coding_code(cJSON_GetObjectItemCaseSensitive(o, "subtype"))))
		ev.action = tl_str(r, code, (size_t)-1);
	if ((code = coding_code(cJSON_GetObjectItemCaseSensitive(o, "type")))) {
		tl_attr_str(r, "type", code, (size_t)-1);
		if (!ev.action)
			ev.action = tl_str(r, code, (size_t)-1);
	}
	tl_attr_str(r, "action_code", cf_json_str(o, "action", NULL), (size_t)-1);
	out = cJSON_GetObjectItemCaseSensitive(o, "outcome");
	if (cJSON_IsString(out))
		ev.outcome = !strcmp(out->valuestring, "0") ? "success" : "failure";
	else if (cJSON_IsNumber(out))
		ev.outcome = out->valueint == 0 ? "success" : "failure";
	else if ((code = coding_code(cJSON_GetObjectItemCaseSensitive(out, "code"))))
		ev.outcome = !strcmp(code, "0") ? "success" : "failure";
	if (out && !cJSON_IsObject(out))
		tl_attr_json(r, "outcome_code", out);
	{
		const cJSON *p, *pu = cJSON_GetObjectItemCaseSensitive(o, "purposeOfEvent");
		cJSON_ArrayForEach(p, pu) if ((code = coding_code(p))) {
			tl_attr_str(r, "purpose", code, (size_t)-1);
			break;
		}
	}
	cf_buf_init(&types);
	cJSON_ArrayForEach(e, ents) {
		const cJSON *what = cJSON_GetObjectItemCaseSensitive(e, "what");
		const char *ref = cf_json_str(what, "reference", NULL);
		const char *sl;
		if (!ref)
			continue;
		if (!strncmp(ref, "Patient/", 8)) {
			if (!ev.patient)
				ev.patient = tl_patient_id(r, ref);
			/* compartment: Patient/ID/Type */
			if ((sl = strchr(ref + 8, '/')) && strncmp(sl, "/_history", 9) &&
			    sl[1]) {
				if (!ev.resource)
					ev.resource = tl_str(r, ref, (size_t)-1);
				if (types.len)
					cf_buf_putc(&types, ',');
				cf_buf_append(&types, sl + 1, strcspn(sl + 1, "/?"));
				continue;
			}
		} else if (!ev.resource) {
			ev.resource = tl_str(r, ref, (size_t)-1);
		}
		if (types.len)
			cf_buf_putc(&types, ',');
		cf_buf_append(&types, ref, strcspn(ref, "/?"));
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

static int patient(struct tl_run *r, const cJSON *o, uint64_t ln, uint64_t off)
{
	struct cf_patient p = {0};
	const cJSON *addr = cJSON_GetObjectItemCaseSensitive(o, "address");
	const cJSON *tel = cJSON_GetObjectItemCaseSensitive(o, "telecom");
	const char *id = cf_json_str(o, "id", NULL), *st;

	if (!id || !*id)
		return tl_reject(r, ln, off, "Patient resource without id");
	p.id = tl_str(r, id, (size_t)-1);
	st = cf_json_str(cJSON_GetArrayItem(addr, 0), "state", NULL);
	if (st && strlen(st) == 2)
		p.state = tl_str(r, st, 2);
	p.has_contact = cJSON_GetArraySize(addr) > 0 || cJSON_GetArraySize(tel) > 0;
	return tl_patient(r, &p, ln);
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
		const cJSON *e, *entries = cJSON_GetObjectItemCaseSensitive(o, "entry");
		cJSON_ArrayForEach(e, entries) {
			const cJSON *res = cJSON_GetObjectItemCaseSensitive(e, "resource");
			const char *t = cf_json_str(res, "resourceType", "");
			if (!strcmp(t, "Bundle"))
				rc = tl_reject(r, ln, off, "nested Bundle not read");
			else if (res)
				rc = tl_fhir_object(r, res, ln, off);
			if (rc)
				break;
		}
		return rc;
	}
	return tl_reject(r, ln, off, "FHIR %s resource is not timeline evidence",
			 tl_str(r, type, strnlen(type, 40)));
}
