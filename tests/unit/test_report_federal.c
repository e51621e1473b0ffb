/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of the breach report's federal rules at their boundaries:
 * the covered entity's local calendar (time_zone, across December 31 and
 * the DST changes of America/Chicago, from tests/fixtures/tz), the
 * law-enforcement delay (164.412: the oral 30-day cap, the inclusive last
 * day, the old key), business associates (164.410, 164.404(a)(2)), the
 * determination (164.402) and its memorandum, and the six-year retention
 * (164.530(j)). Expected dates are written out by hand from a calendar.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/scope.h"
#include "casefile/time.h"
#include "casefile/tz.h"
#include "casefile/buf.h"
#include "model.h"
#include "render.h"
#include "rules.h"
#include "testutil.h"

static int64_t D(int y, unsigned m, unsigned d)
{
	return cf_days_from_civil(y, m, d);
}

static int64_t T(const char *s)
{
	int64_t us;

	assert_int_equal(cf_time_parse(s, -1, &us, NULL), 0);
	return us;
}

/* ---- rules.c and the core's pure functions -------------------------------- */

static void oral_delay_is_capped_at_30_days(void **state)
{
	int64_t s = D(2026, 3, 10);
	int capped;

	(void)state;
	assert_int_equal(cf_le_last_day(CF_LE_ORAL, s, -1, &capped), D(2026, 4, 9));
	assert_false(capped);
	assert_int_equal(cf_le_last_day(CF_LE_ORAL, s, D(2026, 4, 8), &capped), D(2026, 4, 8));
	assert_int_equal(cf_le_last_day(CF_LE_ORAL, s, D(2026, 4, 9), &capped), D(2026, 4, 9));
	assert_false(capped);
	assert_int_equal(cf_le_last_day(CF_LE_ORAL, s, D(2026, 4, 10), &capped), D(2026, 4, 9));
	assert_true(capped);
	/* a written statement sets the period, however long */
	assert_int_equal(cf_le_last_day(CF_LE_WRITTEN, s, D(2026, 9, 1), &capped), D(2026, 9, 1));
	assert_false(capped);
	assert_int_equal(cf_le_last_day(CF_LE_NONE, s, D(2026, 9, 1), NULL), -1);
}

static struct cf_breach_duties run(int64_t disc, int64_t delay, uint64_t affected,
				   int not_breach, int ba)
{
	struct cf_breach_facts f = {disc, delay, affected, 0, NULL, 0, not_breach, ba};
	struct cf_breach_duties d;

	assert_int_equal(cf_breach_duties_compute(&f, &d), 0);
	free(d.media_states);
	return d;
}

static void delay_last_day_is_inclusive(void **state)
{
	struct cf_breach_duties d;

	(void)state;
	/* due May 3; a delay ending May 2 changes nothing, one ending May 3
	 * moves it to May 4 */
	d = run(D(2026, 3, 4), D(2026, 5, 2), 1, 0, 0);
	assert_int_equal(d.individual_due, D(2026, 5, 3));
	assert_int_equal(d.not_before, D(2026, 5, 3));
	d = run(D(2026, 3, 4), D(2026, 5, 3), 1, 0, 0);
	assert_int_equal(d.individual_due, D(2026, 5, 4));
}

static void no_breach_or_nobody_owes_nothing(void **state)
{
	struct cf_breach_duties d;

	(void)state;
	d = run(D(2026, 3, 4), -1, 0, 0, 0);
	assert_false(d.notify);
	assert_int_equal(d.individual_due, -1);
	assert_int_equal(d.hhs_due, -1);
	d = run(D(2026, 3, 4), -1, 1, 0, 0);
	assert_true(d.notify);
	assert_int_equal(d.hhs_due, D(2027, 3, 1));
	d = run(D(2026, 3, 4), -1, 900, 1, 0);
	assert_false(d.notify);
	assert_int_equal(d.individual_due, -1);
	assert_int_equal(d.hhs_due, -1);
	assert_int_equal(d.media_due, -1);
}

static void business_associate_notifies_the_entity(void **state)
{
	struct cf_breach_duties d;

	(void)state;
	d = run(D(2026, 12, 31), -1, 600, 0, 1);
	assert_int_equal(d.ba_due, D(2027, 3, 1));
	assert_int_equal(d.individual_due, -1);
	assert_int_equal(d.hhs_due, -1);
	assert_int_equal(d.media_due, -1);
	d = run(D(2026, 12, 31), D(2027, 3, 1), 600, 0, 1);
	assert_int_equal(d.ba_due, D(2027, 3, 2));
}

static void retention_is_six_years(void **state)
{
	(void)state;
	assert_int_equal(cf_breach_retain_until(D(2026, 3, 5)), D(2032, 3, 5));
	assert_int_equal(cf_breach_retain_until(D(2026, 12, 31)), D(2032, 12, 31));
	assert_int_equal(cf_breach_retain_until(D(2028, 2, 29)), D(2034, 3, 1));
	assert_int_equal(cf_breach_retain_until(D(2028, 2, 28)), D(2034, 2, 28));
}

static struct cf_tz *chicago(void)
{
	struct cf_ctx ctx;
	struct cf_tz *tz = NULL;

	cf_ctx_init(&ctx);
	setenv("TZDIR", FIXTURE_DIR "/tz", 1);
	assert_int_equal(cf_tz_load(&ctx, "America_Chicago", &tz), CF_OK);
	return tz;
}

static void local_day_across_dst_and_year_end(void **state)
{
	struct cf_tz *tz = chicago();

	(void)state;
	/* 20:00 CST on Dec 31 is 02:00 UTC on Jan 1 */
	assert_int_equal(cf_local_day(tz, 0, T("2027-01-01T02:00:00Z")), D(2026, 12, 31));
	assert_int_equal(cf_local_day(tz, 0, T("2027-01-01T05:59:59Z")), D(2026, 12, 31));
	assert_int_equal(cf_local_day(tz, 0, T("2027-01-01T06:00:00Z")), D(2027, 1, 1));
	/* spring forward (Mar 8 2026): CST before, CDT after */
	assert_int_equal(cf_local_day(tz, 0, T("2026-03-08T05:59:59Z")), D(2026, 3, 7));
	assert_int_equal(cf_local_day(tz, 0, T("2026-03-09T04:59:59Z")), D(2026, 3, 8));
	assert_int_equal(cf_local_day(tz, 0, T("2026-03-09T05:00:00Z")), D(2026, 3, 9));
	/* fall back (Nov 1 2026): CDT before midnight, CST the next night */
	assert_int_equal(cf_local_day(tz, 0, T("2026-11-01T04:59:59Z")), D(2026, 10, 31));
	assert_int_equal(cf_local_day(tz, 0, T("2026-11-02T05:59:59Z")), D(2026, 11, 1));
	assert_int_equal(cf_local_day(tz, 0, T("2026-11-02T06:00:00Z")), D(2026, 11, 2));
	/* a fixed offset, without a zone */
	assert_int_equal(cf_local_day(NULL, -6 * 3600, T("2027-01-01T02:00:00Z")), D(2026, 12, 31));
	assert_int_equal(cf_local_day(NULL, 0, T("2027-01-01T02:00:00Z")), D(2027, 1, 1));
	cf_tz_free(tz);
	unsetenv("TZDIR");
}

/* ---- the model, from incident files ---------------------------------------- */

static const char *HEAD =
	"id: INC-1\ncovered_entity: {name: Example Health, time_zone: America_Chicago}\n"
	"window: {from: 2026-12-30T00:00:00Z, to: 2027-01-01T06:00:00Z}\n"
	"suspects: {actors: [u1]}\n";

static const char *SCOPE = "{\"patients\":[\"p1\",\"p2\"],\"by_state\":{\"IL\":2},"
	"\"evidence\":{\"p1\":[{\"archive\":\"aa\",\"member\":\"m\",\"line\":1,"
	"\"time\":\"2027-01-01T01:00:00Z\",\"actor\":\"u1\",\"action\":\"read\"}],"
	"\"p2\":[{\"archive\":\"aa\",\"member\":\"m\",\"line\":2,"
	"\"time\":\"2027-01-01T01:30:00Z\",\"actor\":\"u1\",\"action\":\"read\"}]}}";

/* Loads HEAD + tail as an incident and builds the model on SCOPE (or on
 * no patients); fails the test when either step fails. */
static cJSON *model_of(const char *tail, int nobody)
{
	struct cf_ctx ctx;
	struct cf_report_input in;
	char yaml[4096], *dir, *path;
	cJSON *inc = NULL, *scope, *m = NULL;

	cf_ctx_init(&ctx);
	setenv("TZDIR", FIXTURE_DIR "/tz", 1);
	snprintf(yaml, sizeof yaml, "%s%s", HEAD, tail);
	dir = tu_tempdir();
	path = tu_path(dir, "incident.yaml");
	tu_write_file(path, yaml, strlen(yaml), 0600);
	if (cf_report_incident_load(&ctx, path, &inc) != CF_OK)
		fail_msg("%s", cf_errmsg(&ctx));
	scope = cJSON_Parse(nobody ? "{\"patients\":[]}" : SCOPE);
	memset(&in, 0, sizeof in);
	in.incident = inc;
	in.scope = scope;
	in.scope_name = "scope";
	in.generated_at = T("2027-01-02T12:00:00Z");
	if (cf_report_build(&ctx, &in, &m) != CF_OK)
		fail_msg("%s", cf_errmsg(&ctx));
	cJSON_Delete(inc);
	cJSON_Delete(scope);
	tu_rmtree(dir);
	free(path);
	unsetenv("TZDIR");
	return m;
}

static const char *ob(const cJSON *m, const char *duty, const char *key)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(m, "obligations"), duty);

	return duty ? cf_json_str(o, key, NULL)
		    : cf_json_str(cJSON_GetObjectItemCaseSensitive(m, "obligations"), key, NULL);
}

/* The executive summary filled from the shipped templates. */
static char *summary_of(const cJSON *m)
{
	struct cf_report_templates t;
	struct cf_ctx ctx;
	struct cf_buf b;
	const char *name, *tpl;
	char *sum = tu_read_file(FIXTURE_DIR "/../../reports/templates/breach-summary.md", NULL);
	char *none = tu_read_file(FIXTURE_DIR "/../../reports/templates/"
				  "breach-summary-no-notice.md", NULL), *out;

	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	memset(&t, 0, sizeof t);
	t.summary = sum;
	t.no_notice = none;
	tpl = cf_report_summary_tpl(m, &t, &name);
	assert_int_equal(cf_report_narrative(&ctx, m, name, tpl, &b), CF_OK);
	out = strndup(b.data, b.len);
	cf_buf_release(&b);
	free(sum);
	free(none);
	return out;
}

static void dec31_in_chicago_is_dec31(void **state)
{
	cJSON *m = model_of("discovered: 2027-01-01T02:00:00Z\n", 0);

	(void)state;
	assert_string_equal(ob(m, NULL, "discovered"), "2026-12-31");
	assert_string_equal(ob(m, "individual_notice", "due"), "2027-03-01");
	assert_string_equal(ob(m, "hhs_notice", "due"), "2027-03-01");
	cJSON_Delete(m);
	/* the same instant written with its offset and no zone */
	m = model_of("discovered: 2026-12-31T20:00:00-06:00\n", 0);
	assert_string_equal(ob(m, NULL, "discovered"), "2026-12-31");
	assert_string_equal(ob(m, "hhs_notice", "due"), "2027-03-01");
	cJSON_Delete(m);
}

static void oral_statement_reaches_the_model(void **state)
{
	cJSON *m = model_of("discovered: 2026-12-31T20:00:00-06:00\n"
			    "law_enforcement: {kind: oral, statement: 2027-02-01, "
			    "agency: FBI, until: 2027-04-30}\n", 0);

	(void)state;
	/* capped at Mar 3 (Feb 1 + 30): notices from Mar 4, due Mar 4 */
	assert_string_equal(ob(m, "law_enforcement_delay", "until"), "2027-03-03");
	assert_string_equal(ob(m, "law_enforcement_delay", "not_before"), "2027-03-04");
	assert_string_equal(ob(m, "individual_notice", "due"), "2027-03-04");
	assert_string_equal(ob(m, "law_enforcement_delay", "rule"), "45 CFR 164.412(b)");
	cJSON_Delete(m);
	/* the old key: a written delay ending on that day */
	m = model_of("discovered: 2026-12-31T20:00:00-06:00\n"
		     "law_enforcement_delay_until: 2027-03-01\n", 0);
	assert_string_equal(ob(m, "law_enforcement_delay", "until"), "2027-03-01");
	assert_string_equal(ob(m, "individual_notice", "due"), "2027-03-02");
	cJSON_Delete(m);
}

static void determination_replaces_notices_with_a_memo(void **state)
{
	cJSON *m = model_of("discovered: 2027-01-01T02:00:00Z\n"
			    "determination: {decision: secured, decided_by: A. Officer, "
			    "decided_on: 2027-01-05, rationale: \"AES-256 laptop, key held.\"}\n", 0);
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(m, "determination");
	const cJSON *so = cJSON_GetObjectItemCaseSensitive(m, "sign_off");

	(void)state;
	assert_false(cf_json_bool(d, "notification_required", 1));
	assert_null(ob(m, "individual_notice", "due"));
	assert_null(ob(m, "hhs_notice", "due"));
	assert_non_null(strstr(cf_json_str(cJSON_GetObjectItemCaseSensitive(d, "memo"),
					   "text", ""), "A. Officer"));
	assert_string_equal(cf_json_str(so, "retain_until", ""), "2033-01-05");
	assert_string_equal(cf_json_str(so, "decided_by", ""), "A. Officer");
	cJSON_Delete(m);
	/* nobody affected: no deadline, even presumed */
	m = model_of("discovered: 2027-01-01T02:00:00Z\n", 1);
	assert_null(ob(m, "individual_notice", "due"));
	assert_null(ob(m, "hhs_notice", "due"));
	assert_true(cf_json_bool(cJSON_GetObjectItemCaseSensitive(m, "determination"),
				 "presumed", 0));
	cJSON_Delete(m);
}

static void business_associate_route(void **state)
{
	cJSON *m = model_of("discovered: 2027-01-01T02:00:00Z\n"
			    "covered_entities: [{name: Clinic A, contact: privacy@a.example}, Clinic B]\n",
			    0);
	const cJSON *n;

	(void)state;
	m = (cJSON_Delete(m), NULL);
	/* the same with the entity a business associate */
	{
		char tail[] = "discovered: 2027-01-01T02:00:00Z\n"
			"covered_entities: [{name: Clinic A, contact: privacy@a.example}, Clinic B]\n";
		const char *save = HEAD;

		HEAD = "id: INC-1\ncovered_entity: {name: Vendor, type: business-associate, "
			"time_zone: America_Chicago}\n"
			"window: {from: 2026-12-30T00:00:00Z, to: 2027-01-01T06:00:00Z}\n"
			"suspects: {actors: [u1]}\n";
		m = model_of(tail, 0);
		HEAD = save;
	}
	n = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(m, "obligations"),
					     "ba_notice");
	assert_string_equal(cf_json_str(n, "due", ""), "2027-03-01");
	{
		/* its summary: the notice to the covered entities, nothing
		 * to individuals, no "(date to be confirmed)" */
		char *s = summary_of(m);

		assert_non_null(strstr(s, "**Notice to each covered entity is due by "
				       "March 1, 2027** (45 CFR 164.410(b))"));
		assert_null(strstr(s, "to be confirmed"));
		assert_null(strstr(s, "Notices to individuals are due"));
		free(s);
	}
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(n, "individuals")), 2);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(n, "recipients")), 2);
	assert_null(ob(m, "individual_notice", "due"));
	assert_null(ob(m, "hhs_notice", "due"));
	cJSON_Delete(m);
	/* a covered entity whose agent discovered it first: the BA's day */
	m = model_of("discovered: 2027-01-10T15:00:00Z\n"
		     "business_associate: {name: Vendor, discovered: 2027-01-01T02:00:00Z, "
		     "notified: 2027-01-10, agent: true}\n", 0);
	assert_string_equal(ob(m, NULL, "discovered"), "2026-12-31");
	assert_string_equal(ob(m, "individual_notice", "due"), "2027-03-01");
	cJSON_Delete(m);
}

/* When no notice is owed the summary says so and why, with the rule, and
 * prints no deadline and no "(date to be confirmed)". */
static void summary_without_duties_prints_no_deadline(void **state)
{
	static const char *const tails[] = {
		("discovered: 2027-01-01T02:00:00Z\ndetermination: {decision: secured, "
		 "decided_by: A. Officer, decided_on: 2027-01-05, rationale: \"AES.\"}\n"),
		"discovered: 2027-01-01T02:00:00Z\n",
		"discovered: 2027-01-01T02:00:00Z\nkind: model-malfunction\n",
		"discovered: 2027-01-01T02:00:00Z\nkind: model-malfunction\nphi_disclosed: true\n",
	};
	static const char *const rules[] = {"164.402 (unsecured", "164.404(a)(1)",
					    "(45 CFR 164.402)", "(45 CFR 164.404(a)(1))"};
	/* PHI disclosed but nobody counted: not "no notice owed" */
	static const char *const heads[] = {"No breach notification is owed",
		"No breach notification is owed", "No breach notification is owed",
		"No notice can be dated yet"};
	cJSON *m;
	char *s;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		m = model_of(tails[i], i == 1 || i == 3);
		s = summary_of(m);
		assert_non_null(strstr(s, heads[i]));
		if (i == 3)
			assert_null(strstr(s, "No breach notification is owed"));
		assert_non_null(strstr(s, rules[i]));
		assert_null(strstr(s, "to be confirmed"));
		assert_null(strstr(s, "due by"));
		assert_null(strstr(s, "March 1, 2027"));
		free(s);
		if (i == 2) {
			/* a malfunction that disclosed nothing is no presumed
			 * breach (164.402) */
			const cJSON *d = cJSON_GetObjectItemCaseSensitive(m, "determination");

			assert_string_equal(cf_json_str(d, "decision", ""), "no-phi-disclosed");
			assert_string_equal(cf_json_str(d, "rule", ""), "45 CFR 164.402");
			assert_null(strstr(cf_json_str(d, "finding", ""), "presumed"));
			assert_null(strstr(cf_json_str(cJSON_GetObjectItemCaseSensitive(m,
				"risk_assessment"), "conclusion", ""), "presumed"));
		}
		cJSON_Delete(m);
	}
	/* a breach: the deadlines, and no no-notice wording */
	m = model_of("discovered: 2027-01-01T02:00:00Z\n", 0);
	assert_null(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(m, "determination"), "no_notice"));
	s = summary_of(m);
	assert_non_null(strstr(s, "Notices to individuals are due by **March 1, 2027**"));
	assert_null(strstr(s, "No breach notification is owed"));
	free(s);
	cJSON_Delete(m);
}

static void bad_rule_blocks_name_the_line(void **state)
{
	static const char *bad[] = {
		"discovered: 2027-01-01T02:00:00Z\nlaw_enforcement: {kind: phone, statement: 2027-01-02, agency: X}\n",
		"discovered: 2027-01-01T02:00:00Z\nlaw_enforcement: {kind: written, statement: 2027-01-02, agency: X}\n",
		"discovered: 2027-01-01T02:00:00Z\nlaw_enforcement: {kind: oral, agency: X}\n",
		"discovered: 2027-01-01T02:00:00Z\nlaw_enforcement: {kind: oral, statement: 2027-01-02}\n",
		"discovered: 2027-01-01T02:00:00Z\nlaw_enforcement: {kind: oral, statement: 2027-01-02, agency: X}\n"
		"law_enforcement_delay_until: 2027-02-01\n",
		"discovered: 2027-01-01T02:00:00Z\ndetermination: {decision: maybe, decided_by: A, decided_on: 2027-01-02}\n",
		"discovered: 2027-01-01T02:00:00Z\ndetermination: {decision: secured, decided_by: A, decided_on: 2027-01-02}\n",
		"discovered: 2027-01-01T02:00:00Z\ndetermination: {decision: low-probability, decided_by: A, "
		"decided_on: 2027-01-02, rationale: r, factors: {nature_extent: a, unauthorized_person: b, acquired_viewed: c}}\n",
		"discovered: 2027-01-01T02:00:00Z\nbusiness_associate: {name: V, agent: true}\n",
	};
	struct cf_ctx ctx;
	char yaml[2048], *dir, *path;
	cJSON *j = NULL;

	(void)state;
	setenv("TZDIR", FIXTURE_DIR "/tz", 1);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cf_ctx_init(&ctx);
		snprintf(yaml, sizeof yaml, "%s%s", HEAD, bad[i]);
		dir = tu_tempdir();
		path = tu_path(dir, "incident.yaml");
		tu_write_file(path, yaml, strlen(yaml), 0600);
		assert_int_not_equal(cf_report_incident_load(&ctx, path, &j), CF_OK);
		assert_null(j);
		assert_non_null(strstr(cf_errmsg(&ctx), "incident.yaml:"));
		tu_rmtree(dir);
		free(path);
	}
	cf_ctx_init(&ctx);
	dir = tu_tempdir();
	path = tu_path(dir, "incident.yaml");
	snprintf(yaml, sizeof yaml, "id: X\ncovered_entity: {name: E, time_zone: Nowhere_Zone}\n"
		 "discovered: 2027-01-01T02:00:00Z\nwindow: {from: 2027-01-01T00:00:00Z, "
		 "to: 2027-01-01T03:00:00Z}\nsuspects: {}\n");
	tu_write_file(path, yaml, strlen(yaml), 0600);
	assert_int_not_equal(cf_report_incident_load(&ctx, path, &j), CF_OK);
	assert_non_null(strstr(cf_errmsg(&ctx), ":2:"));
	tu_rmtree(dir);
	free(path);
	unsetenv("TZDIR");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(oral_delay_is_capped_at_30_days),
		cmocka_unit_test(delay_last_day_is_inclusive),
		cmocka_unit_test(no_breach_or_nobody_owes_nothing),
		cmocka_unit_test(business_associate_notifies_the_entity),
		cmocka_unit_test(retention_is_six_years),
		cmocka_unit_test(local_day_across_dst_and_year_end),
		cmocka_unit_test(dec31_in_chicago_is_dec31),
		cmocka_unit_test(oral_statement_reaches_the_model),
		cmocka_unit_test(determination_replaces_notices_with_a_memo),
		cmocka_unit_test(business_associate_route),
		cmocka_unit_test(bad_rule_blocks_name_the_line),
		cmocka_unit_test(summary_without_duties_prints_no_deadline),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
