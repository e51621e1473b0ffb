/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of reports/model.c and reports/incident.c: the fixture scope
 * and incident (tests/fixtures/reports) give exactly the expected model
 * (expected-report.json), and bad incident files fail naming the line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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

#define FX FIXTURE_DIR "/reports/"

static cJSON *load(const char *path)
{
	struct cf_ctx ctx;
	cJSON *j = NULL;

	cf_ctx_init(&ctx);
	if (cf_json_parse_file(&ctx, path, 1 << 24, &j) != CF_OK)
		fail_msg("%s", cf_errmsg(&ctx));
	return j;
}

static void fixture_gives_expected_model(void **state)
{
	struct cf_ctx ctx;
	struct cf_report_input in;
	cJSON *inc = NULL, *scope = load(FX "scope.json"), *ver = load(FX "verify.json");
	cJSON *want = load(FX "expected-report.json"), *got = NULL;
	int64_t t;

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_equal(cf_report_incident_load(&ctx, FX "incident.yaml", &inc), CF_OK);
	assert_int_equal(cf_time_parse("2026-03-05T12:00:00Z", -1, &t, NULL), 0);
	memset(&in, 0, sizeof in);
	in.incident = inc;
	in.scope = scope;
	in.scope_name = "scope.json";
	in.verify = ver;
	in.generated_at = t;
	assert_int_equal(cf_report_build(&ctx, &in, &got), CF_OK);
	if (!cJSON_Compare(got, want, 1)) {
		char *s = cJSON_Print(got);
		fprintf(stderr, "model differs from expected-report.json; got:\n%s\n", s);
		free(s);
		fail();
	}
	cJSON_Delete(got);
	cJSON_Delete(inc);
	cJSON_Delete(scope);
	cJSON_Delete(ver);
	cJSON_Delete(want);
}

/* An incident file holding yaml, in a fresh temporary folder. */
static char *incident_file(char **dir, const char *yaml)
{
	char *path;

	*dir = tu_tempdir();
	path = tu_path(*dir, "incident.yaml");
	tu_write_file(path, yaml, strlen(yaml), 0600);
	return path;
}

static void expect_incident_error(const char *yaml, const char *needle)
{
	char *dir, *path = incident_file(&dir, yaml);
	struct cf_ctx ctx;
	cJSON *j = NULL;

	cf_ctx_init(&ctx);
	assert_int_not_equal(cf_report_incident_load(&ctx, path, &j), CF_OK);
	assert_null(j);
	if (!strstr(cf_errmsg(&ctx), needle))
		fail_msg("'%s' lacks '%s'", cf_errmsg(&ctx), needle);
	free(path);
	tu_rmtree(dir);
}

static void bad_incidents_name_the_line(void **state)
{
	(void)state;
	expect_incident_error("id: X\ncovered_entity: {name: E}\ndiscovered: yesterday\n",
			      ":3:");
	expect_incident_error("id: X\ncovered_entity: {name: E}\ndiscovered: 2026-03-04T09:30:00Z\n"
			      "law_enforcment_delay_until: 2026-05-01\n", ":4:");
	expect_incident_error("covered_entity: {name: E}\ndiscovered: 2026-03-04T09:30:00Z\n",
			      "'id' is required");
	expect_incident_error("id: X\ncovered_entity: {name: E, type: hospital}\n"
			      "discovered: 2026-03-04T09:30:00Z\n", ":2:");
	/* The report applies the scope's rules: a file `timeline scope` would
	 * refuse cannot become a notice. */
	expect_incident_error("id: X\ncovered_entity: {name: E}\n"
			      "discovered: 2026-03-04T09:30:00Z\nsuspects: {}\n",
			      "window");
	expect_incident_error("id: X\ncovered_entity: {name: E}\n"
			      "discovered: 2026-03-04T09:30:00Z\n"
			      "window: {from: 2026-03-01T00:00:00Z, to: 2026-03-02T00:00:00Z}\n",
			      "'suspects' is required");
	expect_incident_error("id: X\ncovered_entity: {name: E}\n"
			      "discovered: \"null\"\n", ":3:");
	expect_incident_error("id: X\ncovered_entity: {name: E}\n"
			      "discovered: 2026-03-04T09:30:00Z\n"
			      "window: {from: 2026-03-01T00:00:00Z, to: 2026-03-02T00:00:00Z}\n"
			      "suspects: {actors: [~]}\n", ":5:");
	/* A bare date for the delay is checked as strictly as a time. */
	expect_incident_error("id: X\ncovered_entity: {name: E}\n"
			      "discovered: 2026-03-04T09:30:00Z\n"
			      "window: {from: 2026-03-01T00:00:00Z, to: 2026-03-02T00:00:00Z}\n"
			      "suspects: {}\nlaw_enforcement_delay_until: 2026-02-30\n", ":6:");
	expect_incident_error("id: X\ncovered_entity: {name: E}\n"
			      "discovered: 2026-03-04T09:30:00Z\n"
			      "window: {from: 2026-03-01T00:00:00Z, to: 2026-03-02T00:00:00Z}\n"
			      "suspects: {}\nlaw_enforcement_delay_until: -001-01-01\n", ":6:");
	/* ...and adds what a notice needs. */
	expect_incident_error("id: X\ndiscovered: 2026-03-04T09:30:00Z\n"
			      "window: {from: 2026-03-01T00:00:00Z, to: 2026-03-02T00:00:00Z}\n"
			      "suspects: {}\n", "'covered_entity' with a 'name'");
	expect_incident_error("id: X\ncovered_entity: {name: ~}\n"
			      "discovered: 2026-03-04T09:30:00Z\n"
			      "window: {from: 2026-03-01T00:00:00Z, to: 2026-03-02T00:00:00Z}\n"
			      "suspects: {}\n", ":2:");
}

/* Both loaders read one file the same way: the times, the delay (a bare
 * date is the start of that day) and the suspects. */
static void report_and_scope_read_one_incident(void **state)
{
	struct cf_incident *inc = NULL;
	struct cf_ctx ctx;
	cJSON *j = NULL;
	char *dir, *path;
	int64_t us;

	(void)state;
	path = incident_file(&dir, "id: INC-7\ntitle: null\n"
		   "covered_entity: {name: E, type: provider}\n"
		   "discovered: 2026-03-04T09:30:00Z\n"
		   "window: {from: 2026-03-01T00:00:00Z, to: 2026-03-04T09:30:00Z}\n"
		   "suspects: {actors: [pract-1, \"null\"], ips: ~, models: [m@7]}\n"
		   "law_enforcement_delay_until: 2026-06-01\n");
	cf_ctx_init(&ctx);
	assert_int_equal(cf_incident_load(&ctx, path, &inc), CF_OK);
	assert_int_equal(cf_report_incident_load(&ctx, path, &j), CF_OK);
	assert_null(inc->title);
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "title")));
	assert_int_equal(cf_time_parse("2026-06-01T00:00:00Z", -1, &us, NULL), 0);
	assert_true(inc->has_law_enforcement_delay);
	assert_true(inc->law_enforcement_delay_until_us == us);
	assert_string_equal(cf_json_str(j, "law_enforcement_delay_until", ""),
			    "2026-06-01");
	assert_int_equal(inc->nactors, 2);
	assert_string_equal(inc->actors[1], "null");
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(j, "suspects"), "actors"), 1)->valuestring,
		"null");
	assert_int_equal(inc->nips, 0);
	assert_int_equal(inc->nmodels, 1);
	assert_string_equal(inc->models[0].version, "7");
	cf_incident_free(inc);
	cJSON_Delete(j);
	free(path);
	tu_rmtree(dir);
}

static void delay_and_thresholds_reach_the_model(void **state)
{
	struct cf_ctx ctx;
	struct cf_report_input in;
	cJSON *inc = cJSON_Parse("{\"id\":\"X\",\"covered_entity\":{\"name\":\"E\"},"
				 "\"discovered\":\"2026-12-31T23:00:00Z\","
				 "\"law_enforcement_delay_until\":\"2027-04-01\"}");
	cJSON *scope = cJSON_CreateObject(), *pats = cJSON_AddArrayToObject(scope, "patients");
	cJSON *m = NULL, *ob;
	char id[32];

	(void)state;
	/* 600 patients in one State, all without contact information */
	for (int i = 0; i < 600; i++) {
		cJSON *p = cJSON_CreateObject();
		snprintf(id, sizeof id, "p%d", i);
		cJSON_AddStringToObject(p, "patient", id);
		cJSON_AddStringToObject(p, "state", "TX");
		cJSON_AddFalseToObject(p, "has_contact");
		cJSON_AddItemToArray(pats, p);
	}
	cf_ctx_init(&ctx);
	memset(&in, 0, sizeof in);
	in.incident = inc;
	in.scope = scope;
	in.scope_name = "s";
	assert_int_equal(cf_report_build(&ctx, &in, &m), CF_OK);
	ob = cJSON_GetObjectItem(m, "obligations");
	assert_string_equal(cf_json_str(cJSON_GetObjectItem(ob, "individual_notice"), "due", ""), "2027-04-02");
	assert_true(cf_json_bool(cJSON_GetObjectItem(ob, "hhs_notice"), "immediate", 0));
	assert_true(cf_json_bool(cJSON_GetObjectItem(ob, "media_notice"), "required", 0));
	assert_string_equal(cf_json_str(cJSON_GetObjectItem(ob, "substitute_notice"), "kind", ""), "conspicuous");
	cJSON_Delete(m);
	/* contact unknown for everyone: never "everyone can be reached" */
	{
		cJSON *s2 = cJSON_Parse("{\"patients\":[\"a\",\"b\"]}");
		const cJSON *sub;

		assert_int_equal(cf_report_build(&ctx, &(struct cf_report_input){inc, s2, "s2",
			NULL, NULL, NULL, 0}, &m), CF_OK);
		sub = cJSON_GetObjectItem(cJSON_GetObjectItem(m, "obligations"), "substitute_notice");
		assert_string_equal(cf_json_str(sub, "kind", ""), "none");
		assert_int_equal(cf_json_int(sub, "contact_unknown", 0), 2);
		assert_non_null(strstr(cf_json_str(sub, "text", ""), "not known"));
		cJSON_Delete(m);
		cJSON_Delete(s2);
	}
	/* a patient listed twice is refused */
	cJSON_AddItemToArray(pats, cJSON_CreateString("p1"));
	assert_int_not_equal(cf_report_build(&ctx, &in, &m), CF_OK);
	assert_non_null(strstr(cf_errmsg(&ctx), "listed twice"));
	cJSON_Delete(inc);
	cJSON_Delete(scope);
}

/* Every allocation of building and rendering the report fails in turn:
 * each run must end in CF_OK or an error with a message, never a crash or
 * a leak (the sanitizer build checks the leaks). */
static void every_allocation_failure_is_handled(void **state)
{
	const struct cf_report_templates t = {"S {{affected}} {{phi_list}}",
		"N {{entity_name}} {{phone}}", "M {{media_states}}"};
	struct cf_ctx ctx;
	struct cf_report_input in;
	cJSON *inc = NULL, *scope = load(FX "scope.json"), *ver = load(FX "verify.json");
	unsigned long n;
	int ok = 0;

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_equal(cf_report_incident_load(&ctx, FX "incident.yaml", &inc), CF_OK);
	memset(&in, 0, sizeof in);
	in.incident = inc;
	in.scope = scope;
	in.scope_name = "scope.json";
	in.verify = ver;
	for (n = 1; !ok && n < 200000; n++) {
		cJSON *m = NULL;
		struct cf_buf b;
		int rc;

		cf_ctx_init(&ctx);
		cf_buf_init(&b);
		cf_fault_set(CF_FAULT_ALLOC, n, 0);
		rc = cf_report_build(&ctx, &in, &m);
		if (rc == CF_OK)
			rc = cf_report_html(&ctx, m, &t, &b);
		if (rc == CF_OK)
			rc = cf_report_md(&ctx, m, &t, &b);
		if (rc == CF_OK)
			rc = cf_report_csv_patients(&ctx, m, &b);
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
	cJSON_Delete(ver);
}

int main(void)
{
	cf_core_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fixture_gives_expected_model),
		cmocka_unit_test(bad_incidents_name_the_line),
		cmocka_unit_test(report_and_scope_read_one_incident),
		cmocka_unit_test(delay_and_thresholds_reach_the_model),
		cmocka_unit_test(every_allocation_failure_is_handled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
