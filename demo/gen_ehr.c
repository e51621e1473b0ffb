/* SPDX-License-Identifier: Apache-2.0
 *
 * The EHR's side of the world: clinicians' FHIR requests, written as FHIR R4
 * AuditEvent NDJSON (one file per day) and as lines of the front end's web
 * access log, the injected intruders' requests, and the Patient export.
 *
 * Why the shape: clinicians mostly open charts of their own care team's
 * panel during their shift; consults reach other panels; restricted (VIP)
 * records refuse readers outside the team unless they break the glass
 * (purposeOfUse ETREAT); logins sometimes fail. That is the background an
 * investigator must tell an incident from. Every access passes through
 * emit() which writes both lines and feeds the ground truth, so the truth
 * cannot drift from the files. Values come from fixed ASCII tables and
 * numbers, none of which needs JSON escaping, which is why the hot path
 * formats lines directly instead of building cJSON trees (one malloc per
 * node would dominate the benchmark generation); the Patient export, which
 * carries names and addresses, goes through cJSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/atomic.h"
#include "casefile/json.h"
#include "casefile/time.h"
#include "gen.h"

enum kind { K_LOGIN, K_READ_PAT, K_VREAD_PAT, K_SEARCH_OBS, K_READ_OBS,
	    K_READ_MED, K_READ_DOC, K_EXPORT_PAT, K_EXPORT_FAIL };

struct access {
	int64_t t;
	int32_t clin;        /* the requestor (a credential's owner) */
	uint32_t ip;
	int64_t patient;     /* index, -1 when none */
	enum kind kind;
	int outcome;         /* 0, 4, 8 */
	const char *purpose; /* v3-ActReason code */
	uint32_t res;        /* resource number */
	const char *ua;
	uint32_t page;       /* export page offset */
};

static const char *const browser_ua =
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
	"(KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36";
static const char *const script_ua = "python-requests/2.31.0";

#define FHIR_HEAD "{\"resourceType\":\"AuditEvent\",\"id\":\"ae-%06llu\","
#define SYS_AET "http://terminology.hl7.org/CodeSystem/audit-event-type"
#define SYS_REST "http://hl7.org/fhir/restful-interaction"
#define SYS_DCM "http://dicom.nema.org/resources/ontology/DCM"
#define SYS_ROLE "http://terminology.hl7.org/CodeSystem/object-role"

/* The entity[] array of one access. */
static void entities(const struct gen_world *w, const struct access *a,
		     char *out, size_t n)
{
	char pat[320] = "", res[320] = "";
	const char *q = NULL;

	(void)w;
	if (a->patient >= 0)
		snprintf(pat, sizeof pat,
			 "{\"what\":{\"reference\":\"Patient/pat-%05lld\"},"
			 "\"role\":{\"system\":\"" SYS_ROLE "\",\"code\":\"1\"}}",
			 (long long)a->patient + 1);
	/* The resource read besides the patient: type, id and object role
	 * (4 domain resource, 3 report). */
	const char *rtype = NULL, *role = "4";
	unsigned num = a->res % 1000;
	switch (a->kind) {
	case K_READ_OBS: rtype = "Observation/obs"; num = a->res; break;
	case K_READ_MED: rtype = "MedicationRequest/medrx"; break;
	case K_READ_DOC: rtype = "DocumentReference/doc"; role = "3"; break;
	default: break;
	}
	if (rtype)
		snprintf(res, sizeof res, "{\"what\":{\"reference\":"
			 "\"%s-%05lld-%0*u\"},\"role\":{\"system\":\"" SYS_ROLE
			 "\",\"code\":\"%s\"}}", rtype, (long long)a->patient + 1,
			 a->kind == K_READ_OBS ? 4 : 3, num, role);
	switch (a->kind) {
	/* Searches carry their query (base64Binary, as R4 requires). */
	case K_SEARCH_OBS:
		q = "cGF0aWVudCZjYXRlZ29yeT12aXRhbC1zaWducw=="; /* patient&category=vital-signs */
		break;
	case K_EXPORT_PAT:
	case K_EXPORT_FAIL:
		q = "X2NvdW50PTUwJl9nZXRwYWdlc29mZnNldA=="; /* _count=50&_getpagesoffset */
		break;
	default:
		break;
	}
	if (q)
		snprintf(res, sizeof res, "{\"role\":{\"system\":\"" SYS_ROLE
			 "\",\"code\":\"24\"},\"query\":\"%s\"}", q);
	snprintf(out, n, "%s%s%s", pat, *pat && *res ? "," : "", res);
}

static int write_fhir(struct gen_world *w, const struct access *a)
{
	const struct gen_clin *c = &w->cl[a->clin];
	char ts[CF_TIME_STR], ip[16], ent[700];
	const char *sub, *action = "R";
	int login = a->kind == K_LOGIN;

	switch (a->kind) {
	case K_VREAD_PAT: sub = "vread"; break;
	case K_SEARCH_OBS: case K_EXPORT_PAT: case K_EXPORT_FAIL:
		sub = "search-type"; action = "E"; break;
	default: sub = "read"; break;
	}
	cf_time_format(a->t, ts);
	gen_ip_str(a->ip, ip);
	entities(w, a, ent, sizeof ent);
	return gen_sink_printf(&w->fhir, a->t,
		FHIR_HEAD
		"\"type\":{\"system\":\"%s\",\"code\":\"%s\"},"
		"\"subtype\":[{\"system\":\"%s\",\"code\":\"%s\"}],"
		"\"action\":\"%s\",\"recorded\":\"%s\",\"outcome\":\"%d\","
		"\"agent\":[{\"role\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/practitioner-role\",\"code\":\"%s\"}],\"text\":\"%s\"}],"
		"\"who\":{\"reference\":\"Practitioner/%s\",\"identifier\":{\"system\":\"urn:oid:2.16.840.1.113883.3.7777.1\",\"value\":\"%s\"},\"display\":\"%s %s\"},"
		"\"requestor\":true,\"network\":{\"address\":\"%s\",\"type\":\"2\"}%s%s%s}],"
		"\"source\":{\"site\":\"%s\",\"observer\":{\"display\":\"EHR FHIR server\"}}"
		"%s%s%s}",
		(unsigned long long)++w->ae_seq,
		login ? SYS_DCM : SYS_AET, login ? "110114" : "rest",
		login ? SYS_DCM : SYS_REST, login ? "110122" : sub,
		login ? "E" : action, ts, a->outcome,
		gen_role_code[c->role], gen_role_name[c->role], c->id, c->id,
		gen_first_names[c->first], gen_last_names[c->last], ip,
		a->purpose ? ",\"purposeOfUse\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActReason\",\"code\":\"" : "",
		a->purpose ? a->purpose : "", a->purpose ? "\"}]}]" : "",
		w->hostname, *ent ? ",\"entity\":[" : "", ent, *ent ? "]" : "");
}

static int write_web(struct gen_world *w, const struct access *a)
{
	char ts[32], ip[16], url[160];
	int status = a->outcome == 0 ? 200 : a->outcome == 4 ? 403 : 500;
	const char *method = "GET";
	long long p = a->patient + 1;

	switch (a->kind) {
	case K_LOGIN:
		method = "POST";
		snprintf(url, sizeof url, "/auth/login");
		status = a->outcome == 0 ? 302 : 401;
		break;
	case K_READ_PAT: snprintf(url, sizeof url, "/fhir/Patient/pat-%05lld", p); break;
	case K_VREAD_PAT:
		snprintf(url, sizeof url, "/fhir/Patient/pat-%05lld/_history/%u", p,
			 1 + a->res % 4);
		break;
	case K_SEARCH_OBS:
		snprintf(url, sizeof url,
			 "/fhir/Observation?patient=pat-%05lld&category=vital-signs", p);
		break;
	case K_READ_OBS:
		snprintf(url, sizeof url, "/fhir/Observation/obs-%05lld-%04u", p, a->res);
		break;
	case K_READ_MED:
		snprintf(url, sizeof url, "/fhir/MedicationRequest/medrx-%05lld-%03u",
			 p, a->res % 1000);
		break;
	case K_READ_DOC:
		snprintf(url, sizeof url, "/fhir/DocumentReference/doc-%05lld-%03u",
			 p, a->res % 1000);
		break;
	case K_EXPORT_PAT:
	case K_EXPORT_FAIL:
		snprintf(url, sizeof url,
			 "/fhir/Patient?_count=50&_getpagesoffset=%u", a->page);
		break;
	}
	gen_time_clf(a->t, ts);
	gen_ip_str(a->ip, ip);
	return gen_sink_printf(&w->web, a->t,
		"%s - - [%s] \"%s %s HTTP/1.1\" %d %u \"%s\" \"%s\"", ip, ts,
		method, url, status,
		status == 200 ? 900 + a->res % 7000 : status == 302 ? 0 : 162,
		a->ua == script_ua ? "-" : "https://ehr.example.org/app/chart",
		a->ua);
}

/* Keeps a suspect's event at least 10 s away from the window's edges, so
 * that a tool reading the web log (whole seconds) or the decision log (a
 * second later) finds the same side of the edge as the AuditEvent. */
static void guard(const struct gen_world *w, struct access *a)
{
	int64_t e[2] = {w->win_from, w->win_to}, d = 10 * 1000000LL;
	int sus = (w->suspect_cl >= 0 && a->clin == w->suspect_cl) ||
		  (w->suspect_ip && a->ip == w->suspect_ip);

	for (int i = 0; sus && i < 2; i++)
		if (a->t > e[i] - d && a->t < e[i] + d)
			a->t = a->t < e[i] ? e[i] - d - 1 : e[i] + d + 1;
}

/* Opening a chart in the browser also fetches the page's assets: cheap
 * lines that make the web log look like a web log, not an API trace. */
static int chart_assets(struct gen_world *w, const struct access *a)
{
	static const char *const assets[] = {"/app/assets/chart.js",
					     "/app/assets/app.css",
					     "/app/api/session"};
	int64_t hour_end = a->t - a->t % GEN_US_HOUR + GEN_US_HOUR, at;
	char ts[32], ip[16];

	gen_time_clf(a->t, ts);
	gen_ip_str(a->ip, ip);
	for (unsigned k = 0; k < 3; k++) {
		/* within the hour: earlier hours are already written */
		if ((at = a->t + 150000 + k * 20000) >= hour_end)
			at = hour_end - 1;
		if (gen_sink_printf(&w->web, at,
			"%s - - [%s] \"GET %s HTTP/1.1\" %d %u "
			"\"https://ehr.example.org/app/chart\" \"%s\"", ip, ts,
			assets[k], k < 2 ? 304 : 200, k < 2 ? 0 : 214, a->ua) < 0)
			return -1;
	}
	return 0;
}

/* Writes one access everywhere it shows and counts it. */
static int emit(struct gen_world *w, struct access *a, int web)
{
	guard(w, a);
	if (write_fhir(w, a) < 0 || (web && write_web(w, a) < 0))
		return -1;
	if (web && a->kind == K_READ_PAT && a->ua == browser_ua &&
	    a->outcome == 0 && chart_assets(w, a) < 0)
		return -1;
	gen_truth_access(w, a->t, a->clin, a->ip, a->patient, a->outcome == 0);
	/* Viewing vital signs asks the inference service for a sepsis score;
	 * the EHR calls it under the clinician's identity. */
	if (a->kind == K_SEARCH_OBS && a->outcome == 0 &&
	    (w->cl[a->clin].role == ROLE_PHYSICIAN ||
	     w->cl[a->clin].role == ROLE_NURSE) &&
	    gen_rng_chance(&w->rng_ehr, 3500)) {
		char ref[48];
		int64_t t = a->t + 400000 + gen_rng_below(&w->rng_ehr, 1500000);
		int64_t hour_end = a->t - a->t % GEN_US_HOUR + GEN_US_HOUR;
		if (t >= hour_end)
			t = hour_end - 1;
		snprintf(ref, sizeof ref, "Observation/obs-%05lld-%04u",
			 (long long)a->patient + 1,
			 gen_rng_below(&w->rng_ehr, 10000));
		if (gen_model_decide(w, 0, t, (uint32_t)a->patient,
				     w->cl[a->clin].id, ref) < 0)
			return -1;
	}
	return 0;
}

static int on_shift(const struct gen_world *w, uint32_t i, int64_t t)
{
	const struct gen_clin *c = &w->cl[i];
	int64_t day = (t - w->t0) / GEN_US_DAY;
	unsigned h = (unsigned)(t % GEN_US_DAY / GEN_US_HOUR);

	if (c->night) {
		if (h < 7)
			day--;
		return (h >= 19 || h < 7) && (day + i) % 7 < 4;
	}
	switch (c->role) {
	case ROLE_ADMIN:
	case ROLE_DATASCI:
		return h >= 8 && h < 17 && (day + 6) % 7 < 5; /* Mon-Fri */
	default:
		return h >= 7 && h < 19 && (day + i) % 7 < 4;
	}
}

static int shift_start(const struct gen_world *w, uint32_t i, int64_t t)
{
	unsigned h = (unsigned)(t % GEN_US_DAY / GEN_US_HOUR);
	const struct gen_clin *c = &w->cl[i];

	return c->night ? h == 19
	       : h == (c->role == ROLE_ADMIN || c->role == ROLE_DATASCI ? 8 : 7);
}

static int login(struct gen_world *w, uint32_t i, int64_t t, uint32_t ip,
		 const char *ua, int fail)
{
	struct access a = {t, (int32_t)i, ip, -1, K_LOGIN, fail ? 4 : 0, NULL,
			   gen_rng_below(&w->rng_ehr, 100000), ua, 0};
	return emit(w, &a, 1);
}

static uint32_t panel_patient(struct gen_world *w, uint32_t team)
{
	uint32_t per = w->npat / w->nteams;

	return team + w->nteams * gen_rng_below(&w->rng_ehr, per);
}

/* One clinician's hour. */
static int clinician_hour(struct gen_world *w, uint32_t i, int64_t t)
{
	static const unsigned rate[ROLE_N] = {7, 9, 6, 3, 2};
	struct gen_rng *r = &w->rng_ehr;
	struct gen_clin *c = &w->cl[i];
	unsigned k;

	if (!on_shift(w, i, t))
		return 0;
	if (shift_start(w, i, t)) {
		int64_t lt = t + gen_rng_below(r, 600) * 1000000LL;
		int disabled = c->disabled_from_set && lt >= c->disabled_from;
		if (disabled || gen_rng_chance(r, 400)) {
			if (login(w, i, lt, c->ip, browser_ua, 1) < 0)
				return -1;
			lt += 20 * 1000000LL;
		}
		if (disabled)
			return login(w, i, lt, c->ip, browser_ua, 1);
		if (login(w, i, lt, c->ip, browser_ua, 0) < 0)
			return -1;
	}
	if (c->disabled_from_set && t >= c->disabled_from)
		return 0;
	k = rate[c->role] / 2 + gen_rng_below(r, rate[c->role] + 1);
	for (unsigned j = 0; j < k; j++) {
		struct access a = {0};
		unsigned roll = gen_rng_below(r, 100);
		int own = c->role != ROLE_ADMIN && c->role != ROLE_DATASCI &&
			  gen_rng_chance(r, 9400);

		/* After the login when the shift starts in this hour. */
		int64_t base = shift_start(w, i, t) ? 600 : 0;
		a.t = t + (base + gen_rng_below(r, (uint32_t)(3599 - base))) *
			      1000000LL + gen_rng_below(r, 1000000);
		a.clin = (int32_t)i;
		a.ip = c->ip;
		a.ua = browser_ua;
		a.res = gen_rng_below(r, 10000);
		a.patient = own ? panel_patient(w, c->team)
				: gen_rng_below(r, w->npat);
		a.purpose = "TREAT";
		switch (c->role) {
		case ROLE_PHYSICIAN:
			a.kind = roll < 25 ? K_READ_PAT : roll < 55 ? K_SEARCH_OBS
			       : roll < 80 ? K_READ_OBS : roll < 90 ? K_READ_DOC
			       : roll < 95 ? K_VREAD_PAT : K_READ_MED;
			break;
		case ROLE_NURSE:
			a.kind = roll < 20 ? K_READ_PAT : roll < 60 ? K_SEARCH_OBS
			       : roll < 90 ? K_READ_OBS : K_READ_MED;
			break;
		case ROLE_PHARMACIST:
			a.kind = roll < 60 ? K_READ_MED : roll < 80 ? K_READ_PAT
			       : K_SEARCH_OBS;
			break;
		case ROLE_ADMIN:
			a.kind = roll < 80 ? K_READ_PAT : K_VREAD_PAT;
			a.purpose = "HOPERAT";
			break;
		default:
			a.kind = K_SEARCH_OBS;
			a.purpose = "HRESCH";
			break;
		}
		if (!own && c->role != ROLE_ADMIN && c->role != ROLE_DATASCI &&
		    gen_rng_chance(r, 500))
			a.purpose = "ETREAT"; /* break the glass */
		if (w->pat[a.patient].vip && w->pat[a.patient].team != c->team &&
		    strcmp(a.purpose, "ETREAT"))
			a.outcome = 4;
		else if (gen_rng_chance(r, 20))
			a.outcome = 8;
		if (emit(w, &a, 1) < 0)
			return -1;
	}
	return 0;
}

/* ---- injected incidents -------------------------------------------------- */
static int insider_hour(struct gen_world *w, int64_t t)
{
	struct gen_rng *r = &w->rng_ehr;
	uint32_t i = (uint32_t)w->suspect_cl;
	unsigned n;

	/* She starts snooping on the first day of the window and is caught at
	 * discovery; before that her accesses are ordinary ones. */
	if (t < w->win_from || t >= w->discovered || !on_shift(w, i, t) ||
	    shift_start(w, i, t) || !gen_rng_chance(r, 1800))
		return 0;
	n = 1 + gen_rng_below(r, 3);
	for (unsigned j = 0; j < n; j++) {
		uint32_t p = w->targets[gen_rng_below(r, w->ntargets)];
		int64_t at = t + (int64_t)gen_rng_below(r, 3000) * 1000000 +
			     gen_rng_below(r, 1000000);
		int glass = gen_rng_chance(r, 2000);
		for (int step = 0; step < 2; step++) {
			struct access a = {at + step * 15000000LL, (int32_t)i,
					   w->cl[i].ip, p,
					   step ? K_SEARCH_OBS : K_READ_PAT,
					   0, glass ? "ETREAT" : "TREAT",
					   gen_rng_below(r, 10000), browser_ua, 0};
			if (w->pat[p].vip && !glass)
				a.outcome = 4; /* refused: restricted record */
			if (emit(w, &a, 1) < 0)
				return -1;
			if (a.outcome)
				break;
		}
	}
	return 0;
}

static int stolen_logins(struct gen_world *w, int64_t t, unsigned fails,
			 int then_ok)
{
	uint32_t v = (uint32_t)w->suspect_cl;

	for (unsigned j = 0; j < fails; j++)
		if (login(w, v, t + j * 7000000LL, w->suspect_ip, script_ua, 1) < 0)
			return -1;
	if (then_ok &&
	    login(w, v, t + fails * 7000000LL, w->suspect_ip, script_ua, 0) < 0)
		return -1;
	return 0;
}

/* The bulk export: pages of 50 patients through the search API, one
 * AuditEvent per patient returned (as the EHR logs record-level access), one
 * web line per page; one page in eight fails on the server. */
static int export_pages(struct gen_world *w, int64_t from, int64_t to,
			uint32_t upto)
{
	struct gen_rng *r = &w->rng_ehr;
	int64_t t = from;

	while (w->export_next < upto) {
		struct access a = {0};
		t += (20 + gen_rng_below(r, 50)) * 1000000LL;
		if (t >= to - 1000000)
			break;
		a.t = t;
		a.clin = w->suspect_cl;
		a.ip = w->suspect_ip;
		a.ua = script_ua;
		a.purpose = "TREAT";
		a.page = w->export_next;
		a.res = gen_rng_below(r, 10000);
		a.patient = -1;
		if (gen_rng_chance(r, 1250)) {
			a.kind = K_EXPORT_FAIL;
			a.outcome = 8;
			if (emit(w, &a, 1) < 0)
				return -1;
			continue; /* the script retries the same page */
		}
		a.kind = K_EXPORT_PAT;
		if (write_web(w, &a) < 0)
			return -1;
		for (uint32_t k = 0; k < 50 && w->export_next < upto; k++) {
			struct access e = a;
			e.t = t + 100000 + k * 1000;
			e.patient = w->export_next++;
			if (emit(w, &e, 0) < 0)
				return -1;
		}
	}
	return 0;
}

static int stolen_hour(struct gen_world *w, int64_t t)
{
	struct gen_rng *r = &w->rng_ehr;
	int64_t day = (t - w->t0) / GEN_US_DAY;
	unsigned h = (unsigned)(t % GEN_US_DAY / GEN_US_HOUR);
	uint32_t v = (uint32_t)w->suspect_cl;

	if (day == 12 && h == 22) /* Feb 27: probing with a wrong password */
		return stolen_logins(w, t + 1700 * 1000000LL, 2, 0);
	if (day == 14 && h == 2) { /* Mar 1, night: in, then the export */
		if (stolen_logins(w, t + 780 * 1000000LL, 3, 1) < 0)
			return -1;
		return export_pages(w, t + 1200 * 1000000LL, t + GEN_US_HOUR,
				    w->npat * 3 / 5);
	}
	if (day == 14 && h == 3)
		return export_pages(w, t, t + GEN_US_HOUR, w->npat * 3 / 5);
	if (day == 15 && (h == 1 || h == 2)) {
		if (h == 1 && stolen_logins(w, t + 300 * 1000000LL, 0, 1) < 0)
			return -1;
		return export_pages(w, t + 400 * 1000000LL, t + GEN_US_HOUR, w->npat);
	}
	if (day == 16 && h == 2) { /* Mar 3: vital signs of a few */
		if (stolen_logins(w, t + 120 * 1000000LL, 0, 1) < 0)
			return -1;
		for (unsigned j = 0; j < 40; j++) {
			struct access a = {t + (200 + j * 60) * 1000000LL, (int32_t)v,
					   w->suspect_ip, gen_rng_below(r, w->npat),
					   K_SEARCH_OBS, 0, "TREAT",
					   gen_rng_below(r, 10000), script_ua, 0};
			if (emit(w, &a, 1) < 0)
				return -1;
		}
		return 0;
	}
	if (day == 17 && h == 12) /* Mar 4, after the password reset */
		return stolen_logins(w, t + 600 * 1000000LL, 5, 0);
	return 0;
}

int gen_ehr_hour(struct cf_ctx *ctx, struct gen_world *w, int64_t t)
{
	int rc = 0;

	for (uint32_t i = 0; i < w->ncl && rc == 0; i++)
		rc = clinician_hour(w, i, t);
	if (rc == 0 && w->o->scenario == CF_DEMO_INSIDER)
		rc = insider_hour(w, t);
	if (rc == 0 && w->o->scenario == CF_DEMO_STOLEN)
		rc = stolen_hour(w, t);
	return rc < 0 ? cf_set_nomem(ctx, "EHR events") : CF_OK;
}

/* ---- Patient export ------------------------------------------------------ */
static int add_patient(cJSON *o, const struct gen_world *w, uint32_t i)
{
	const struct gen_pat *p = &w->pat[i];
	char id[16], buf[64], date[CF_TIME_STR];
	cJSON *a, *x, *y, *z;

	snprintf(id, sizeof id, "pat-%05u", i + 1);
	cf_time_format((int64_t)p->birth_days * GEN_US_DAY, date);
	date[10] = '\0';
	if (cf_json_add_str(o, "resourceType", "Patient") ||
	    cf_json_add_str(o, "id", id))
		return -1;
	/* the medical record number, typed MR (HL7 table 0203) as US Core
	 * servers type it, so that the breach report names it */
	if (!(a = cJSON_AddArrayToObject(o, "identifier")) ||
	    !(x = cJSON_CreateObject()) || !cJSON_AddItemToArray(a, x) ||
	    cf_json_add_str(x, "use", "usual") ||
	    !(y = cJSON_AddObjectToObject(x, "type")) ||
	    !(y = cJSON_AddArrayToObject(y, "coding")) ||
	    !(z = cJSON_CreateObject()) || !cJSON_AddItemToArray(y, z) ||
	    cf_json_add_str(z, "system", "http://terminology.hl7.org/CodeSystem/v2-0203") ||
	    cf_json_add_str(z, "code", "MR") ||
	    cf_json_add_str(x, "system", "urn:oid:2.16.840.1.113883.3.7777.2") ||
	    (snprintf(buf, sizeof buf, "MRN%08u", 10000000 + i * 7),
	     cf_json_add_str(x, "value", buf)))
		return -1;
	if (cf_json_add_bool(o, "active", 1) ||
	    !(a = cJSON_AddArrayToObject(o, "name")) ||
	    !(x = cJSON_CreateObject()) || !cJSON_AddItemToArray(a, x) ||
	    cf_json_add_str(x, "use", "official") ||
	    cf_json_add_str(x, "family", gen_last_names[p->last]) ||
	    !(y = cJSON_AddArrayToObject(x, "given")) ||
	    !cJSON_AddItemToArray(y, cJSON_CreateString(gen_first_names[p->first])))
		return -1;
	if (p->telecom) {
		snprintf(buf, sizeof buf, "555-%03u-%04u", 100 + i % 900,
			 (i * 37) % 10000);
		if (!(a = cJSON_AddArrayToObject(o, "telecom")) ||
		    !(x = cJSON_CreateObject()) || !cJSON_AddItemToArray(a, x) ||
		    cf_json_add_str(x, "system", "phone") ||
		    cf_json_add_str(x, "value", buf) ||
		    cf_json_add_str(x, "use", "home"))
			return -1;
	}
	if (cf_json_add_str(o, "gender", p->female ? "female" : "male") ||
	    cf_json_add_str(o, "birthDate", date))
		return -1;
	if (p->state >= 0) {
		const struct gen_state *s = &gen_states[p->state];
		snprintf(buf, sizeof buf, "%u %s St", p->house,
			 gen_last_names[(p->house + i) % gen_nlast]);
		if (!(a = cJSON_AddArrayToObject(o, "address")) ||
		    !(x = cJSON_CreateObject()) || !cJSON_AddItemToArray(a, x) ||
		    cf_json_add_str(x, "use", "home") ||
		    !(y = cJSON_AddArrayToObject(x, "line")) ||
		    !cJSON_AddItemToArray(y, cJSON_CreateString(buf)) ||
		    cf_json_add_str(x, "city", s->city) ||
		    cf_json_add_str(x, "state", s->code) ||
		    (snprintf(buf, sizeof buf, "%s%02u", s->zip3, i % 100),
		     cf_json_add_str(x, "postalCode", buf)) ||
		    cf_json_add_str(x, "country", "US"))
			return -1;
	}
	if (p->vip) {
		/* Restricted records carry the confidentiality label. */
		if (!(x = cJSON_AddObjectToObject(o, "meta")) ||
		    !(a = cJSON_AddArrayToObject(x, "security")) ||
		    !(y = cJSON_CreateObject()) || !cJSON_AddItemToArray(a, y) ||
		    cf_json_add_str(y, "system", "http://terminology.hl7.org/CodeSystem/v3-Confidentiality") ||
		    cf_json_add_str(y, "code", "R"))
			return -1;
	}
	return 0;
}

int gen_ehr_patients(struct cf_ctx *ctx, struct gen_world *w)
{
	struct cf_buf b;
	int rc;

	cf_buf_init(&b);
	for (uint32_t i = 0; i < w->npat; i++) {
		cJSON *o = cJSON_CreateObject();
		int bad = !o || add_patient(o, w, i) || cf_json_append_line(&b, o);
		cJSON_Delete(o);
		if (bad) {
			cf_buf_release_secret(&b);
			return cf_set_nomem(ctx, "Patient export");
		}
	}
	rc = gen_write_text(ctx, w, "var/lib/ehr/export/Patient.ndjson",
			    b.data ? b.data : "", w->t_end - 2 * GEN_US_HOUR);
	cf_buf_release_secret(&b);
	return rc;
}
