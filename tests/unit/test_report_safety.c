/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of the routing by incident kind (src/incident.c `kind` and
 * `phi_disclosed`, reports/model_safety.c, reports/render_safety.c): a
 * model malfunction that disclosed no PHI gets a patient-safety review
 * and no notice duty or deadline; one that disclosed PHI gets both; a
 * file without `kind` is an unauthorised access as before. The expected
 * counts are read off the small scope written here by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/core.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/scope.h"
#include "casefile/time.h"
#include "model.h"
#include "render.h"
#include "testutil.h"

/* Three patients decided about by sepsis@7 (p1 twice, one of p2's calls
 * overridden) and one by sepsis@6; p1 and p9 were also read by a suspect
 * (the scope's `patients`). */
static const char scope_text[] =
	"{\"patients\":[\"p1\",\"p9\"],"
	"\"model_decisions\":["
	"{\"time\":\"2026-03-02T10:00:00.000000Z\",\"patient\":\"p1\",\"model\":\"sepsis\","
	"\"version\":\"7\",\"output\":\"low-risk\",\"outcome\":\"success\","
	"\"archive\":\"aa\",\"member\":\"evidence/d/sepsis.jsonl\",\"line\":20},"
	"{\"time\":\"2026-03-01T09:00:00.000000Z\",\"patient\":\"p1\",\"model\":\"sepsis\","
	"\"version\":\"7\",\"output\":\"low-risk\",\"outcome\":\"success\","
	"\"archive\":\"aa\",\"member\":\"evidence/d/sepsis.jsonl\",\"line\":11},"
	"{\"time\":\"2026-03-03T08:00:00.000000Z\",\"patient\":\"p2\",\"model\":\"sepsis\","
	"\"version\":\"7\",\"output\":\"low-risk\",\"outcome\":\"overridden\","
	"\"archive\":\"aa\",\"member\":\"evidence/d/sepsis.jsonl\",\"line\":31},"
	"{\"time\":\"2026-03-02T11:00:00.000000Z\",\"patient\":\"p3\",\"model\":\"sepsis\","
	"\"version\":\"6\",\"output\":\"high-risk\",\"outcome\":\"success\","
	"\"archive\":\"aa\",\"member\":\"evidence/d/sepsis.jsonl\",\"line\":22}]}";

/* The scope as `timeline scope` writes it: the decision cohorts computed
 * by the core from model_decisions (src/scope_cohort.c), which the review
 * reads and never recounts. */
static cJSON *scope_json(void)
{
	cJSON *s = cJSON_Parse(scope_text);
	struct cf_ctx ctx;

	assert_non_null(s);
	cf_ctx_init(&ctx);
	assert_int_equal(cf_scope_cohorts(&ctx, s), CF_OK);
	return s;
}

static const struct cf_report_templates tpl = {"S {{affected}}",
	"N {{entity_name}}", "M {{media_states}}"};

/* The incident file (as the report reads it) whose extra keys are extra. */
static cJSON *incident(const char *extra)
{
	char yaml[1024], *dir = tu_tempdir(), *path = tu_path(dir, "incident.yaml");
	struct cf_ctx ctx;
	cJSON *inc = NULL;

	snprintf(yaml, sizeof yaml,
		 "id: INC-1\ncovered_entity: {name: Example Health}\n"
		 "discovered: 2026-03-04T12:00:00Z\n"
		 "window: {from: 2026-03-01T00:00:00Z, to: 2026-03-04T00:00:00Z}\n"
		 "suspects: {actors: [u1], models: [sepsis@7, sepsis@6]}\n%s",
		 extra);
	tu_write_file(path, yaml, strlen(yaml), 0600);
	cf_ctx_init(&ctx);
	if (cf_report_incident_load(&ctx, path, &inc) != CF_OK)
		fail_msg("%s", cf_errmsg(&ctx));
	free(path);
	tu_rmtree(dir);
	return inc;
}

static void input(struct cf_report_input *in, const cJSON *inc, const cJSON *scope)
{
	int64_t t;

	assert_non_null(scope);
	assert_int_equal(cf_time_parse("2026-03-05T12:00:00Z", -1, &t, NULL), 0);
	memset(in, 0, sizeof *in);
	in->incident = inc;
	in->scope = scope;
	in->scope_name = "scope";
	in->generated_at = t;
}

/* The model of an incident file whose extra keys are extra. */
static cJSON *build(const char *extra)
{
	struct cf_ctx ctx;
	struct cf_report_input in;
	cJSON *inc = incident(extra), *scope = scope_json(), *m = NULL;

	input(&in, inc, scope);
	cf_ctx_init(&ctx);
	if (cf_report_build(&ctx, &in, &m) != CF_OK)
		fail_msg("%s", cf_errmsg(&ctx));
	cJSON_Delete(inc);
	cJSON_Delete(scope);
	return m;
}

static const cJSON *ob_of(const cJSON *m, const char *k)
{
	return cJSON_GetObjectItem(cJSON_GetObjectItem(m, "obligations"), k);
}

static void malfunction_without_disclosure_is_a_safety_review(void **state)
{
	cJSON *m = build("kind: model-malfunction\n");
	const cJSON *s = cJSON_GetObjectItem(m, "patient_safety"), *v;
	struct cf_ctx ctx;
	struct cf_buf b;

	(void)state;
	assert_true(cJSON_IsObject(s));
	assert_false(cf_json_bool(s, "phi_disclosed", 1));
	assert_int_equal(cf_json_int(s, "cohort", 0), 3);      /* p1 p2 p3 */
	assert_int_equal(cf_json_int(s, "decisions", 0), 4);
	assert_int_equal(cf_json_int(s, "acted_on", 0), 3);
	assert_int_equal(cf_json_int(s, "overridden", 0), 1);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(s, "versions")), 2);
	/* in the cohorts' order: by model, then version */
	v = cJSON_GetArrayItem(cJSON_GetObjectItem(s, "versions"), 1);
	assert_string_equal(cf_json_str(v, "version", ""), "7");
	assert_int_equal(cf_json_int(v, "patients", 0), 2);
	assert_int_equal(cf_json_int(v, "decisions", 0), 3);
	assert_int_equal(cf_json_int(v, "overridden", 0), 1);
	assert_string_equal(cf_json_str(v, "first_decision", ""), "2026-03-01T09:00:00.000000Z");
	assert_string_equal(cf_json_str(v, "last_decision", ""), "2026-03-03T08:00:00.000000Z");
	/* the interval's ends cite the decision log's lines (the cohort's) */
	assert_string_equal(cf_json_str(cJSON_GetObjectItem(v, "first"), "member", ""),
			    "evidence/d/sepsis.jsonl");
	assert_int_equal(cf_json_int(cJSON_GetObjectItem(v, "first"), "line", 0), 11);
	assert_int_equal(cf_json_int(cJSON_GetObjectItem(v, "last"), "line", 0), 31);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(s, "reporting")), 3);
	v = cJSON_GetArrayItem(cJSON_GetObjectItem(s, "reporting"), 0);
	assert_non_null(strstr(cf_json_str(v, "what", ""), "MedWatch"));
	/* no notice duty, no deadline, although two patients are counted */
	assert_false(cf_json_bool(ob_of(m, "individual_notice"), "required", 1));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(ob_of(m, "individual_notice"), "due")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(ob_of(m, "hhs_notice"), "due")));
	assert_false(cf_json_bool(ob_of(m, "media_notice"), "required", 1));
	assert_false(cf_json_bool(cJSON_GetObjectItem(m, "determination"),
				  "notification_required", 1));
	/* the section is rendered in both formats */
	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	assert_int_equal(cf_report_md(&ctx, m, &tpl, &b), CF_OK);
	assert_non_null(strstr(b.data, "Patient-safety review"));
	assert_non_null(strstr(b.data, "Cohort: 3 patient(s); 4 decision(s), 3 acted on, 1 overridden."));
	/* each version's counts are in its row (they were once left blank) */
	assert_non_null(strstr(b.data, "| sepsis | 7 | 2 | 3 | 2 | 1 | 2026-03-01T09:00:00.000000Z |"));
	cf_buf_reset(&b);
	assert_int_equal(cf_report_html(&ctx, m, &tpl, &b), CF_OK);
	assert_non_null(strstr(b.data, "<p>Cohort: 3 patient(s)"));
	assert_non_null(strstr(b.data, "<td>7</td><td>2</td><td>3</td><td>2</td><td>1</td>"));
	cf_buf_release(&b);
	cJSON_Delete(m);
}

/* One place counts decisions: the review reports the scope's cohorts as
 * they are, and does not recount the decision list (here removed, and
 * the first cohort's figures changed, as another count would differ). */
static void the_review_reads_the_cohorts(void **state)
{
	cJSON *inc = incident("kind: model-malfunction\n"), *scope = scope_json(), *m = NULL;
	cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(scope, "cohorts"), 0);
	struct cf_report_input in;
	struct cf_ctx ctx;
	const cJSON *s;

	(void)state;
	cJSON_DeleteItemFromObject(scope, "model_decisions");
	cJSON_SetNumberValue(cJSON_GetObjectItem(c, "decisions"), 40);
	cJSON_SetNumberValue(cJSON_GetObjectItem(c, "acted_on"), 30);
	cJSON_SetNumberValue(cJSON_GetObjectItem(c, "overridden"), 10);
	input(&in, inc, scope);
	cf_ctx_init(&ctx);
	assert_int_equal(cf_report_build(&ctx, &in, &m), CF_OK);
	s = cJSON_GetObjectItem(m, "patient_safety");
	/* cohorts[0] is sepsis@6 (sorted by version): 40, 30 and 10 with
	 * sepsis@7's 3 decisions, 2 acted on and 1 overridden */
	assert_int_equal(cf_json_int(s, "decisions", 0), 43);
	assert_int_equal(cf_json_int(s, "acted_on", 0), 32);
	assert_int_equal(cf_json_int(s, "overridden", 0), 11);
	assert_int_equal(cf_json_int(s, "cohort", 0), 3);
	cJSON_Delete(m);
	cJSON_Delete(inc);
	cJSON_Delete(scope);
}

static void malfunction_that_disclosed_phi_gets_both(void **state)
{
	cJSON *m = build("kind: model-malfunction\nphi_disclosed: true\n");
	const cJSON *s = cJSON_GetObjectItem(m, "patient_safety");

	(void)state;
	assert_true(cJSON_IsObject(s));
	assert_true(cf_json_bool(s, "phi_disclosed", 0));
	assert_int_equal(cf_json_int(s, "cohort", 0), 3);
	assert_true(cf_json_bool(ob_of(m, "individual_notice"), "required", 0));
	assert_string_equal(cf_json_str(ob_of(m, "individual_notice"), "due", ""), "2026-05-03");
	cJSON_Delete(m);
}

static void old_files_are_unauthorised_access(void **state)
{
	cJSON *m = build("");

	(void)state;
	assert_null(cJSON_GetObjectItem(m, "patient_safety"));
	assert_string_equal(cf_json_str(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "incident"),
							    "resolved"), "kind", ""),
			    "unauthorised-access");
	assert_string_equal(cf_json_str(ob_of(m, "individual_notice"), "due", ""), "2026-05-03");
	cJSON_Delete(m);
	/* a kind of incident other than a malfunction keeps its notices */
	m = build("kind: ransomware\nphi_disclosed: false\n");
	assert_null(cJSON_GetObjectItem(m, "patient_safety"));
	assert_true(cf_json_bool(ob_of(m, "individual_notice"), "required", 0));
	cJSON_Delete(m);
}

static void bad_kind_names_the_line(void **state)
{
	static const char *const bad[][2] = {
		{"kind: model-failure\n", ":6:7: kind must be unauthorised-access"},
		{"kind: [a]\n", ":6:"},
		{"phi_disclosed: maybe\n", ":6:"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char yaml[512], *dir = tu_tempdir(), *path = tu_path(dir, "incident.yaml");
		struct cf_ctx ctx;
		cJSON *j = NULL;

		snprintf(yaml, sizeof yaml, "id: INC-1\ncovered_entity: {name: E}\n"
			 "discovered: 2026-03-04T12:00:00Z\n"
			 "window: {from: 2026-03-01T00:00:00Z, to: 2026-03-04T00:00:00Z}\n"
		 "suspects: {actors: [u1], models: [sepsis@7, sepsis@6]}\n%s",
			 bad[i][0]);
		tu_write_file(path, yaml, strlen(yaml), 0600);
		cf_ctx_init(&ctx);
		assert_int_not_equal(cf_report_incident_load(&ctx, path, &j), CF_OK);
		if (!strstr(cf_errmsg(&ctx), bad[i][1]))
			fail_msg("%s: got '%s'", bad[i][0], cf_errmsg(&ctx));
		free(path);
		tu_rmtree(dir);
	}
}

/* Every allocation of building and rendering the review fails in turn:
 * an error with a message or CF_OK, never a crash or a leak. */
static void every_allocation_failure_is_handled(void **state)
{
	cJSON *inc = incident("kind: model-malfunction\n"), *scope = scope_json();
	struct cf_report_input in;
	unsigned long n;
	int ok = 0;

	(void)state;
	input(&in, inc, scope);
	for (n = 1; !ok && n < 200000; n++) {
		struct cf_ctx ctx;
		struct cf_buf b;
		cJSON *m = NULL;
		int rc;

		cf_ctx_init(&ctx);
		cf_buf_init(&b);
		cf_fault_set(CF_FAULT_ALLOC, n, 0);
		rc = cf_report_build(&ctx, &in, &m);
		if (rc == CF_OK)
			rc = cf_report_html(&ctx, m, &tpl, &b);
		if (rc == CF_OK)
			rc = cf_report_md(&ctx, m, &tpl, &b);
		ok = rc == CF_OK && cf_fault_count(CF_FAULT_ALLOC) < n;
		cf_fault_set(CF_FAULT_ALLOC, 0, 0);
		if (rc != CF_OK)
			assert_true(cf_errmsg(&ctx)[0] != 0);
		cJSON_Delete(m);
		cf_buf_release(&b);
	}
	assert_true(ok);
	cJSON_Delete(inc);
	cJSON_Delete(scope);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(malfunction_without_disclosure_is_a_safety_review),
		cmocka_unit_test(malfunction_that_disclosed_phi_gets_both),
		cmocka_unit_test(the_review_reads_the_cohorts),
		cmocka_unit_test(old_files_are_unauthorised_access),
		cmocka_unit_test(bad_kind_names_the_line),
		cmocka_unit_test(every_allocation_failure_is_handled),
	};

	cf_core_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
