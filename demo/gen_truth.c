/* SPDX-License-Identifier: Apache-2.0
 *
 * The ground truth of the injected incident, counted from the events as the
 * generator writes them, and the incident file an investigator would write.
 *
 * The counting rule is SPEC section 6's: an access counts when it falls
 * inside the window (both ends included), is attributed to a suspect (its
 * requestor is a suspect actor or it came from a suspect IP), succeeded, and
 * names a patient; failed attempts are counted apart. Suspect events outside
 * the window are counted too, but only so that a test can show they were
 * there and left out. Decisions by a suspect model version inside the window
 * are listed with patient, time, version and output. Nothing here decides
 * what happened: it only records what the other modules wrote.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/atomic.h"
#include "casefile/buf.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "casefile/time.h"
#include "gen.h"

static int in_window(const struct gen_world *w, int64_t t)
{
	return t >= w->win_from && t <= w->win_to;
}

void gen_truth_access(struct gen_world *w, int64_t t, int32_t clin,
		      uint32_t ip, int64_t patient, int ok)
{
	int sus = (w->suspect_cl >= 0 && clin == w->suspect_cl) ||
		  (w->suspect_ip && ip == w->suspect_ip);

	if (!sus)
		return;
	if (!in_window(w, t)) {
		if (ok)
			w->outside++;
		else
			w->outside_failed++;
		return;
	}
	if (!ok) {
		w->failed++;
		w->failed_patient += patient >= 0;
		return;
	}
	if (patient >= 0) {
		w->counted[patient] = 1;
		w->accesses++;
	}
}

void gen_truth_dataset(struct gen_world *w, uint32_t patient)
{
	w->counted[patient] = 1;
}

int gen_truth_decision(struct gen_world *w, int m, int64_t t,
		       uint32_t patient, int version, int high)
{
	if (m != w->suspect_model || version != w->suspect_version ||
	    !in_window(w, t))
		return 0;
	if (gen_grow(&w->dec, &w->capdec, w->ndec, sizeof *w->dec, 256) < 0)
		return -1;
	w->dec[w->ndec++] = (struct gen_decision){t, patient, version, high};
	w->model_hit[patient] = 1;
	return 0;
}

static int cmp_dec(const void *a, const void *b)
{
	const struct gen_decision *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->patient < y->patient ? -1 : x->patient > y->patient;
}

static const char *const incident_id[CF_DEMO_NSCENARIOS] = {
	"INC-2026-009", "INC-2026-014", "INC-2026-017", "INC-2026-021"};
static const char *const incident_title[CF_DEMO_NSCENARIOS] = {
	"Nurse viewing records of patients outside her care team",
	"Stolen clinician credentials used for bulk FHIR export",
	"Sepsis model version 7 under-reporting risk after deployment",
	"Training-set export of the sepsis model readable from outside",
};

/* Writes the suspects' lists into a JSON object. */
static int add_suspects(cJSON *o, const struct gen_world *w, char *model,
			size_t n)
{
	cJSON *a[4];
	char ip[16];

	*model = '\0';
	if (!(a[0] = cJSON_AddArrayToObject(o, "actors")) ||
	    !(a[1] = cJSON_AddArrayToObject(o, "ips")) ||
	    !(a[2] = cJSON_AddArrayToObject(o, "credentials")) ||
	    !(a[3] = cJSON_AddArrayToObject(o, "models")))
		return -1;
	if (w->suspect_cl >= 0 &&
	    !cJSON_AddItemToArray(a[0], cJSON_CreateString(w->cl[w->suspect_cl].id)))
		return -1;
	if (w->suspect_ip) {
		gen_ip_str(w->suspect_ip, ip);
		if (!cJSON_AddItemToArray(a[1], cJSON_CreateString(ip)))
			return -1;
	}
	if (w->suspect_model >= 0) {
		snprintf(model, n, "%s@%d", w->models[w->suspect_model].name,
			 w->suspect_version);
		if (!cJSON_AddItemToArray(a[3], cJSON_CreateString(model)))
			return -1;
	}
	return 0;
}

static int truth_json(const struct gen_world *w, cJSON *o)
{
	char ts[CF_TIME_STR], id[24], model[64], ip[16];
	uint32_t by_state[32] = {0}, unknown = 0, unreachable = 0, affected = 0;
	uint32_t mpat = 0;
	cJSON *x, *a;

	if (cf_json_add_str(o, "scenario", cf_demo_scenario_name(w->o->scenario)) ||
	    cf_json_add_int(o, "seed", (int64_t)w->o->seed) ||
	    cf_json_add_int(o, "scale", w->o->scale) ||
	    cf_json_add_str(o, "incident", "incident.yaml") ||
	    !(x = cJSON_AddObjectToObject(o, "period")) ||
	    cf_json_add_time(x, "from", w->t0) || cf_json_add_time(x, "to", w->t_end) ||
	    cf_json_add_time(o, "discovered", w->discovered) ||
	    !(x = cJSON_AddObjectToObject(o, "window")) ||
	    cf_json_add_time(x, "from", w->win_from) ||
	    cf_json_add_time(x, "to", w->win_to) ||
	    !(x = cJSON_AddObjectToObject(o, "suspects")) ||
	    add_suspects(x, w, model, sizeof model))
		return -1;
	if (cf_json_add_str(o, "counting_rule",
		"an access counts when it falls inside the window (ends included), "
		"is attributed to a suspect actor or source IP, succeeded and names "
		"a patient; failed attempts are counted apart"))
		return -1;
	if (!(a = cJSON_CreateArray()))
		return -1;
	for (uint32_t i = 0; i < w->npat; i++) {
		if (w->model_hit[i])
			mpat++;
		if (!w->counted[i])
			continue;
		affected++;
		snprintf(id, sizeof id, "pat-%05u", i + 1);
		if (!cJSON_AddItemToArray(a, cJSON_CreateString(id))) {
			cJSON_Delete(a);
			return -1;
		}
		if (w->pat[i].state < 0)
			unknown++;
		else
			by_state[w->pat[i].state]++;
		unreachable += w->pat[i].state < 0 && !w->pat[i].telecom;
	}
	if (cf_json_add_int(o, "affected", affected)) {
		cJSON_Delete(a);
		return -1;
	}
	cJSON_AddItemToObject(o, "patients", a);
	if (!(x = cJSON_AddObjectToObject(o, "by_state")))
		return -1;
	/* Keys in alphabetical order, "unknown" last, so that the file reads
	 * the same whatever the table order. */
	for (char last[3] = "";;) {
		int best = -1;
		for (unsigned s = 0; s < gen_nstates; s++)
			if (by_state[s] && strcmp(gen_states[s].code, last) > 0 &&
			    (best < 0 || strcmp(gen_states[s].code,
						gen_states[best].code) < 0))
				best = (int)s;
		if (best < 0)
			break;
		if (cf_json_add_int(x, gen_states[best].code, by_state[best]))
			return -1;
		memcpy(last, gen_states[best].code, 3);
	}
	if ((unknown && cf_json_add_int(x, "unknown", unknown)) ||
	    cf_json_add_int(o, "unreachable", unreachable) ||
	    cf_json_add_int(o, "accesses", (int64_t)w->accesses) ||
	    cf_json_add_int(o, "failed_attempts", (int64_t)w->failed) ||
	    cf_json_add_int(o, "failed_attempts_naming_patient",
			    (int64_t)w->failed_patient) ||
	    !(x = cJSON_AddObjectToObject(o, "suspect_events_outside_window")) ||
	    cf_json_add_int(x, "succeeded", (int64_t)w->outside) ||
	    cf_json_add_int(x, "failed", (int64_t)w->outside_failed) ||
	    cf_json_add_int(o, "model_decisions_count", (int64_t)w->ndec) ||
	    cf_json_add_int(o, "model_affected_patients", mpat) ||
	    !(a = cJSON_AddArrayToObject(o, "model_decisions")))
		return -1;
	for (size_t i = 0; i < w->ndec; i++) {
		const struct gen_decision *d = &w->dec[i];
		snprintf(id, sizeof id, "pat-%05u", d->patient + 1);
		snprintf(model, sizeof model, "%d", d->version);
		if (!(x = cJSON_CreateObject()) || !cJSON_AddItemToArray(a, x) ||
		    cf_json_add_str(x, "model", w->models[w->suspect_model].name) ||
		    cf_json_add_str(x, "patient", id) ||
		    cf_json_add_str(x, "time", cf_time_format(d->t, ts)) ||
		    cf_json_add_str(x, "version", model) ||
		    cf_json_add_str(x, "output", d->high ? "high-risk" : "low-risk"))
			return -1;
	}
	(void)ip;
	return 0;
}

static const char *const kind_name[CF_DEMO_NSCENARIOS] = {
	"unauthorised-access", "unauthorised-access",
	"model-malfunction    # no PHI disclosed: a patient-safety review",
	"training-data-exposure",
};

/* The exposed data of the training-data-exposure scenario: named by the
 * MLflow run that took it as input, as an investigator finds it. */
static int exposed_yaml(const struct gen_world *w, struct cf_buf *b)
{
	if (!w->exposed_run[0])
		return 0;
	return cf_buf_printf(b,
		"exposed_data:\n"
		"  - {what: training-dataset, mlflow_run: %s, dataset: %s}\n"
		"reidentification: {status: identified, key_exposed: false}\n",
		w->exposed_run, w->exposed_dataset);
}

static int incident_yaml(const struct gen_world *w, struct cf_buf *b)
{
	char f[CF_TIME_STR], t[CF_TIME_STR], d[CF_TIME_STR], ip[16] = "";
	enum cf_demo_scenario s = w->o->scenario;

	if (w->suspect_ip)
		gen_ip_str(w->suspect_ip, ip);
	cf_time_format(w->win_from, f);
	cf_time_format(w->win_to, t);
	cf_time_format(w->discovered, d);
	if (cf_buf_printf(b,
		"# Incident file (man casefile-incident.5), written by casefile demo.\n"
		"id: %s\n"
		"title: %s\n"
		"kind: %s\n"
		"covered_entity:\n"
		"  name: Example Health\n"
		"  type: provider            # provider | health-plan | clearinghouse | business-associate\n"
		"  contact: {phone: \"1-800-555-0100\", email: privacy@example.org, "
		"web: \"https://example.org/notice\", postal: \"1 Main St, Springfield\"}\n"
		"discovered: %s\n"
		"window: {from: %s, to: %s}\n"
		"suspects:\n"
		"  actors: [%s]\n"
		"  ips: [%s]\n"
		"  credentials: []\n"
		"  models: [%s%s%.0d]\n"
		"law_enforcement_delay_until: null\n"
		"notes: synthetic incident (scenario %s, seed %llu, scale %u); "
		"the expected answers are in ground-truth.json\n",
		incident_id[s], incident_title[s], kind_name[s],
		d, f, t,
		w->suspect_cl >= 0 ? w->cl[w->suspect_cl].id : "", ip,
		w->suspect_model >= 0 ? w->models[w->suspect_model].name : "",
		w->suspect_model >= 0 ? "@" : "",
		w->suspect_model >= 0 ? w->suspect_version : 0,
		cf_demo_scenario_name(s), (unsigned long long)w->o->seed,
		w->o->scale))
		return -1;
	return exposed_yaml(w, b);
}

int gen_truth_write(struct cf_ctx *ctx, struct gen_world *w)
{
	cJSON *o = cJSON_CreateObject();
	struct cf_buf b;
	char *p = NULL;
	int rc = CF_FAILED;
	char *text = NULL;

	cf_buf_init(&b);
	if (w->ndec)
		qsort(w->dec, w->ndec, sizeof *w->dec, cmp_dec);
	if (!o || truth_json(w, o) || !(text = cJSON_Print(o)) ||
	    cf_buf_puts(&b, text) || cf_buf_putc(&b, '\n')) {
		rc = cf_set_nomem(ctx, "ground truth");
		goto out;
	}
	if (!(p = cf_path_join(w->o->dir, "ground-truth.json"))) {
		rc = cf_set_nomem(ctx, "path");
		goto out;
	}
	if ((rc = cf_write_file_atomic(ctx, p, b.data, b.len, 0644, 0)) != CF_OK)
		goto out;
	free(p);
	cf_buf_reset(&b);
	if (incident_yaml(w, &b) ||
	    !(p = cf_path_join(w->o->dir, "incident.yaml"))) {
		p = NULL;
		rc = cf_set_nomem(ctx, "incident file");
		goto out;
	}
	rc = cf_write_file_atomic(ctx, p, b.data, b.len, 0644, 0);
out:
	free(p);
	cJSON_free(text);
	cJSON_Delete(o);
	cf_buf_release(&b);
	return rc;
}
