/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of the State notification overlays (reports/states.c,
 * model_states.c, render_states.c): the business-day calendar around
 * weekends and US federal holidays (Thanksgiving, a July 4 on a Saturday,
 * a New Year's Day observed in the year before), every shipped rule one
 * resident below, at and above its threshold with its clock, the
 * Massachusetts letter (it must state neither the number affected nor the
 * nature of the breach), malformed rules files (FILE:LINE errors), and
 * out of memory at every allocation of the loader.
 * Expected dates are counted by hand on a calendar, not by the code.
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
#include "casefile/time.h"
#include "model.h"
#include "render.h"
#include "states.h"
#include "testutil.h"

#define SHIPPED FIXTURE_DIR "/../../reports/states/states.yaml"
#define MA_TPL FIXTURE_DIR "/../../reports/templates/breach-notice-individual-ma.md"
#define FX FIXTURE_DIR "/reports/"

static int64_t D(int y, unsigned m, unsigned d)
{
	return cf_days_from_civil(y, m, d);
}

static cJSON *shipped(void)
{
	struct cf_ctx ctx;
	cJSON *r = NULL;

	cf_ctx_init(&ctx);
	if (cf_state_rules_load(&ctx, SHIPPED, &r) != CF_OK)
		fail_msg("%s", cf_errmsg(&ctx));
	return r;
}

/* ---- the calendar ---------------------------------------------------------- */

static void holidays_by_rule_with_observed_days(void **state)
{
	(void)state;
	assert_int_equal(cf_weekday(D(1970, 1, 1)), 4);
	assert_int_equal(cf_weekday(D(2026, 12, 6)), 0);
	assert_int_equal(cf_weekday(D(1969, 12, 31)), 3);
	assert_string_equal(cf_us_federal_holiday(D(2026, 1, 1)), "New Year's Day");
	assert_non_null(cf_us_federal_holiday(D(2026, 1, 19)));  /* 3rd Monday */
	assert_null(cf_us_federal_holiday(D(2026, 1, 12)));
	assert_non_null(cf_us_federal_holiday(D(2026, 2, 16)));
	assert_non_null(cf_us_federal_holiday(D(2026, 5, 25)));  /* last Monday */
	assert_null(cf_us_federal_holiday(D(2026, 5, 18)));
	assert_non_null(cf_us_federal_holiday(D(2026, 6, 19)));
	/* July 4, 2026 is a Saturday: observed Friday July 3 */
	assert_string_equal(cf_us_federal_holiday(D(2026, 7, 3)), "Independence Day");
	assert_null(cf_us_federal_holiday(D(2026, 7, 6)));
	/* July 4, 2021 a Sunday: observed Monday July 5 */
	assert_string_equal(cf_us_federal_holiday(D(2021, 7, 5)), "Independence Day");
	/* Juneteenth 2021 (a Saturday) observed June 18; none before 2021 */
	assert_non_null(cf_us_federal_holiday(D(2021, 6, 18)));
	assert_null(cf_us_federal_holiday(D(2020, 6, 19)));
	assert_non_null(cf_us_federal_holiday(D(2026, 9, 7)));
	assert_non_null(cf_us_federal_holiday(D(2026, 10, 12)));
	assert_non_null(cf_us_federal_holiday(D(2026, 11, 11)));
	assert_string_equal(cf_us_federal_holiday(D(2026, 11, 26)), "Thanksgiving Day");
	assert_null(cf_us_federal_holiday(D(2026, 11, 19)));
	assert_non_null(cf_us_federal_holiday(D(2026, 12, 25)));
	/* January 1, 2022 a Saturday: observed Friday December 31, 2021 */
	assert_string_equal(cf_us_federal_holiday(D(2021, 12, 31)), "New Year's Day");
	assert_null(cf_us_federal_holiday(D(2022, 1, 3)));
}

static void business_days_skip_weekends_and_holidays(void **state)
{
	(void)state;
	assert_int_equal(cf_business_days_add(D(2026, 3, 4), 0), D(2026, 3, 4));
	/* Friday + 1: the Monday */
	assert_int_equal(cf_business_days_add(D(2026, 3, 6), 1), D(2026, 3, 9));
	/* around Thanksgiving: Wednesday + 1 is Friday */
	assert_int_equal(cf_business_days_add(D(2026, 11, 25), 1), D(2026, 11, 27));
	assert_int_equal(cf_business_days_add(D(2026, 11, 25), 5), D(2026, 12, 3));
	/* July 4 on a Saturday: Thursday July 2 + 1 is Monday July 6 */
	assert_int_equal(cf_business_days_add(D(2026, 7, 2), 1), D(2026, 7, 6));
	/* Christmas on a Friday, New Year's Day on the next Friday */
	assert_int_equal(cf_business_days_add(D(2026, 12, 24), 5), D(2027, 1, 4));
	assert_false(cf_business_day(D(2026, 12, 5)));
	assert_true(cf_business_day(D(2026, 12, 7)));
}

/* ---- the shipped rules at their thresholds and clocks ------------------------- */

static const struct expect {
	const char *id, *state;
	uint64_t at_least;
	int64_t due; /* -1: no fixed day */
} expected[] = {
	/* discovered Wed 2026-11-18, determined Fri 11-20, HHS by Wed 11-25,
	 * notices by Tue 12-01 */
	{"CA-HSC-1280.15", "CA", 1, 0},      /* 15 business days: Dec 10 */
	{"CA-CIV-1798.82-AG", "CA", 501, 0}, /* with the notices: Dec 1 */
	{"TX-BCC-521.053-AG", "TX", 250, 0}, /* 30 days after determination */
	{"FL-501.171-DEPT", "FL", 500, 0},
	{"FL-501.171-CRA", "FL", 1001, 0},
	{"NY-GBL-899-aa-HHS", "NY", 1, 0},   /* 5 business days after HHS */
	{"IL-815-ILCS-530-50", "IL", 1, 0},
	{"WA-RCW-19.255.010-AG", "WA", 501, 0},
	{"CO-CRS-6-1-716-AG", "CO", 500, 0},
	{"CO-CRS-6-1-716-CRA", "CO", 1001, 0},
	{"MA-GL-93H-3", "MA", 1, -1},
	{"CT-CGS-36a-701b", "CT", 1, 0},
};

static int64_t expected_due(const char *id)
{
	if (!strcmp(id, "CA-HSC-1280.15")) return D(2026, 12, 10);
	if (!strcmp(id, "TX-BCC-521.053-AG") || !strcmp(id, "FL-501.171-DEPT") ||
	    !strcmp(id, "CO-CRS-6-1-716-AG")) return D(2026, 12, 20);
	if (!strcmp(id, "NY-GBL-899-aa-HHS") || !strcmp(id, "IL-815-ILCS-530-50"))
		return D(2026, 12, 3);
	if (!strcmp(id, "WA-RCW-19.255.010-AG")) return D(2026, 12, 18);
	if (!strcmp(id, "MA-GL-93H-3")) return -1;
	return D(2026, 12, 1); /* with the notices */
}

static const struct cf_state_clocks clocks = {
	20775 /* 2026-11-18 */, 20777, 20782, 20788, "provider"};

/* The notices for one State count, evaluated. */
static cJSON *eval_one(const cJSON *rules, const char *st, uint64_t n,
		       const struct cf_state_clocks *c)
{
	struct cf_ctx ctx;
	cJSON *by = cJSON_CreateArray(), *o = cJSON_CreateObject(), *out = NULL;

	cf_ctx_init(&ctx);
	assert_non_null(by);
	assert_non_null(o);
	cJSON_AddItemToArray(by, o);
	assert_int_equal(cf_json_add_str(o, "state", st), 0);
	assert_int_equal(cf_json_add_int(o, "count", (int64_t)n), 0);
	assert_int_equal(cf_state_rules_eval(&ctx, rules, by, c, &out), CF_OK);
	cJSON_Delete(by);
	return out;
}

static const cJSON *find(const cJSON *arr, const char *id)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, arr)
		if (!strcmp(cf_json_str(e, "id", ""), id))
			return e;
	return NULL;
}

static void every_rule_at_its_threshold_and_clock(void **state)
{
	cJSON *rules = shipped();

	(void)state;
	assert_int_equal(clocks.discovery, D(2026, 11, 18));
	assert_int_equal(clocks.determination, D(2026, 11, 20));
	assert_int_equal(clocks.hhs, D(2026, 11, 25));
	assert_int_equal(clocks.notice, D(2026, 12, 1));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(rules, "rules")),
			 (int)(sizeof expected / sizeof expected[0]));
	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
		const struct expect *x = &expected[i];

		for (int delta = -1; delta <= 1; delta++) {
			uint64_t n = x->at_least + (uint64_t)(int64_t)delta;
			cJSON *ev;
			const cJSON *nt;
			char d[16];

			if (!n)
				continue; /* nobody: nothing listed */
			ev = eval_one(rules, x->state, n, &clocks);
			nt = find(cJSON_GetObjectItem(ev, "notices"), x->id);
			if (delta < 0) {
				if (nt)
					fail_msg("%s triggered by %llu", x->id, (unsigned long long)n);
				assert_non_null(find(cJSON_GetObjectItem(ev, "not_triggered"), x->id));
			} else {
				int64_t due = expected_due(x->id);

				if (!nt)
					fail_msg("%s not triggered by %llu", x->id, (unsigned long long)n);
				assert_int_equal(cf_json_int(nt, "residents", 0), (int64_t)n);
				assert_true(cf_json_bool(nt, "to_confirm", 0));
				assert_true(*cf_json_str(nt, "citation", ""));
				if (due < 0) {
					assert_true(cJSON_IsNull(cJSON_GetObjectItem(nt, "due")));
				} else {
					snprintf(d, sizeof d, "%s", cf_json_str(nt, "due", ""));
					if (cf_days_from_civil(atoi(d), (unsigned)atoi(d + 5),
							       (unsigned)atoi(d + 8)) != due)
						fail_msg("%s due %s", x->id, d);
				}
			}
			cJSON_Delete(ev);
		}
	}
	cJSON_Delete(rules);
}

static void determination_absent_counts_from_discovery(void **state)
{
	cJSON *rules = shipped(), *ev;
	struct cf_state_clocks c = clocks;
	const cJSON *n;

	(void)state;
	c.determination = -1;
	ev = eval_one(rules, "TX", 300, &c);
	n = find(cJSON_GetObjectItem(ev, "notices"), "TX-BCC-521.053-AG");
	assert_non_null(n);
	assert_string_equal(cf_json_str(n, "due", ""), "2026-12-18");
	assert_non_null(strstr(cf_json_str(n, "clock_start_is", ""), "discovery"));
	cJSON_Delete(ev);
	/* a facility rule does not apply to a health plan */
	c.entity_type = "health-plan";
	ev = eval_one(rules, "CA", 3, &c);
	assert_null(find(cJSON_GetObjectItem(ev, "notices"), "CA-HSC-1280.15"));
	assert_non_null(find(cJSON_GetObjectItem(ev, "not_triggered"), "CA-HSC-1280.15"));
	cJSON_Delete(ev);
	cJSON_Delete(rules);
}

/* ---- the Massachusetts letter --------------------------------------------------- */

static cJSON *load_json(const char *path)
{
	struct cf_ctx ctx;
	cJSON *j = NULL;

	cf_ctx_init(&ctx);
	if (cf_json_parse_file(&ctx, path, 1 << 24, &j) != CF_OK)
		fail_msg("%s", cf_errmsg(&ctx));
	return j;
}

static char *slurp(const char *path)
{
	struct cf_ctx ctx;
	struct cf_buf b;

	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	if (cf_buf_read_file(&ctx, &b, path, 1 << 20) != CF_OK)
		fail_msg("%s", cf_errmsg(&ctx));
	return cf_buf_detach(&b);
}

/* 1 when the number n appears in s as a number of its own (not within
 * a longer run of digits). */
static int has_number(const char *s, long long n)
{
	char num[32];
	size_t len;
	const char *p = s;

	len = (size_t)snprintf(num, sizeof num, "%lld", n);
	while ((p = strstr(p, num))) {
		int before = p > s && p[-1] >= '0' && p[-1] <= '9';
		int after = p[len] >= '0' && p[len] <= '9';

		if (!before && !after)
			return 1;
		p += len;
	}
	return 0;
}

static cJSON *ma_model(cJSON *rules)
{
	struct cf_ctx ctx;
	struct cf_report_input in;
	cJSON *inc = NULL, *scope = load_json(FX "scope.json"), *model = NULL;
	int64_t t;

	cf_ctx_init(&ctx);
	assert_int_equal(cf_report_incident_load(&ctx, FX "incident.yaml", &inc), CF_OK);
	assert_int_equal(cf_time_parse("2026-03-05T12:00:00Z", -1, &t, NULL), 0);
	memset(&in, 0, sizeof in);
	in.incident = inc;
	in.scope = scope;
	in.scope_name = "scope.json";
	in.generated_at = t;
	in.state_rules = rules;
	if (cf_report_build(&ctx, &in, &model) != CF_OK)
		fail_msg("%s", cf_errmsg(&ctx));
	cJSON_Delete(inc);
	cJSON_Delete(scope);
	return model;
}

static void massachusetts_letter_states_no_count_nor_nature(void **state)
{
	cJSON *rules = shipped(), *model = ma_model(rules);
	const cJSON *sec = cJSON_GetObjectItem(model, "state_notices");
	const cJSON *letter = cJSON_GetArrayItem(cJSON_GetObjectItem(sec, "letters"), 0);
	const cJSON *e;
	char *tpl = slurp(MA_TPL), date[32];
	struct cf_ctx ctx;
	struct cf_buf b;

	(void)state;
	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	assert_non_null(letter);
	assert_string_equal(cf_json_str(letter, "file", ""), "notice-individual-MA.md");
	assert_int_equal(cf_json_int(letter, "residents", 0), 2);
	assert_int_equal(cf_report_state_letter_md(&ctx, model, letter, tpl, &b), CF_OK);
	assert_non_null(b.data);
	/* neither the number affected (5) nor the Massachusetts count (2) */
	assert_false(has_number(b.data, 5));
	assert_false(has_number(b.data, 2));
	/* nor the nature: what happened, when, what was taken */
	assert_null(strstr(b.data, "Stolen clinician credentials"));
	assert_null(strstr(b.data, cf_report_long_date(D(2026, 3, 4), date)));
	assert_null(strstr(b.data, cf_report_long_date(D(2026, 3, 1), date)));
	assert_null(strstr(b.data, "What happened"));
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(model, "phi_categories"))
		assert_null(strstr(b.data, cf_json_str(e, "category", "\x01")));
	/* what Massachusetts requires instead */
	assert_non_null(strstr(b.data, "police report"));
	assert_non_null(strstr(b.data, "security freeze"));
	assert_non_null(strstr(b.data, "no charge"));
	cf_buf_release(&b);
	free(tpl);
	cJSON_Delete(model);
	cJSON_Delete(rules);
}

static void letter_template_cannot_state_what_it_omits(void **state)
{
	cJSON *rules = shipped(), *model = ma_model(rules), *open;
	const cJSON *letter = cJSON_GetArrayItem(cJSON_GetObjectItem(
		cJSON_GetObjectItem(model, "state_notices"), "letters"), 0);
	static const char *const bad[] = {"{{affected}} people", "{{incident_title}}",
		"on {{discovered}}", "{{phi_list}}", "{{breach_from}}", NULL};
	struct cf_ctx ctx;
	struct cf_buf b;

	(void)state;
	cf_buf_init(&b);
	for (size_t i = 0; bad[i]; i++) {
		cf_ctx_init(&ctx);
		cf_buf_reset(&b);
		assert_int_not_equal(cf_report_state_letter_md(&ctx, model, letter, bad[i], &b),
				     CF_OK);
	}
	/* the same templates fill when nothing is omitted */
	open = cJSON_Duplicate(letter, 1);
	cJSON_DeleteItemFromObject(open, "omit");
	for (size_t i = 0; bad[i]; i++) {
		cf_ctx_init(&ctx);
		cf_buf_reset(&b);
		assert_int_equal(cf_report_state_letter_md(&ctx, model, open, bad[i], &b), CF_OK);
	}
	cJSON_Delete(open);
	cf_buf_release(&b);
	cJSON_Delete(model);
	cJSON_Delete(rules);
}

/* ---- malformed files ------------------------------------------------------------- */

static const char good_rule[] =
	"  - id: X-1\n"                               /* line 3 */
	"    state: NY\n"
	"    trigger: t\n"
	"    residents_at_least: 1\n"
	"    clock: {from: hhs, days: 5, business_days: true}\n"
	"    recipients: [{kind: attorney-general, name: AG}]\n"
	"    citation: c\n"
	"    last_verified: 2026-12-01\n";

/* text written to a rules file in a fresh test folder (*dir, removed with
 * tu_rmtree); heap path. */
static char *rules_file(const char *text, char **dir)
{
	char *path;

	*dir = tu_tempdir();
	path = tu_path(*dir, "states.yaml");
	tu_write_file(path, text, strlen(text), 0600);
	return path;
}

static void expect_error(const char *text, const char *where, const char *what)
{
	char *dir, *path = rules_file(text, &dir);
	struct cf_ctx ctx;
	cJSON *out = NULL;
	char want[512];

	cf_ctx_init(&ctx);
	assert_int_equal(cf_state_rules_load(&ctx, path, &out), CF_FAILED);
	assert_null(out);
	snprintf(want, sizeof want, "%s:%s", path, where);
	if (strncmp(cf_errmsg(&ctx), want, strlen(want)) || !strstr(cf_errmsg(&ctx), what))
		fail_msg("want '%s...%s', got '%s'", want, what, cf_errmsg(&ctx));
	free(path);
	tu_rmtree(dir);
}

static void malformed_files_fail_naming_the_line(void **state)
{
	char text[2048];

	(void)state;
	snprintf(text, sizeof text, "format: casefile-state-rules/1\nrules:\n%s", good_rule);
	/* the good rule loads */
	{
		char *dir, *path = rules_file(text, &dir);
		struct cf_ctx ctx;
		cJSON *out = NULL;

		cf_ctx_init(&ctx);
		if (cf_state_rules_load(&ctx, path, &out) != CF_OK)
			fail_msg("%s", cf_errmsg(&ctx));
		assert_int_equal(cf_json_int(cJSON_GetArrayItem(cJSON_GetObjectItem(out, "rules"), 0),
					     "line", 0), 3);
		cJSON_Delete(out);
		free(path);
		tu_rmtree(dir);
	}
	snprintf(text, sizeof text, "format: casefile-state-rules/1\nrules:\n%s    resident: 3\n",
		 good_rule);
	expect_error(text, "11:", "unknown key 'resident'");
	snprintf(text, sizeof text, "format: casefile-state-rules/1\nrules:\n%s%s", good_rule,
		 good_rule);
	expect_error(text, "11:", "used twice");
	expect_error("format: casefile-state-rules/2\nrules: []\n", "1:", "format");
	snprintf(text, sizeof text, "format: casefile-state-rules/1\nrules:\n%s", good_rule);
	memcpy(strstr(text, "state: NY"), "state: ny", 9);
	expect_error(text, "4:", "two-letter");
	expect_error("format: casefile-state-rules/1\nrules:\n  - id: X\n    state: NY\n",
		     "3:", "'trigger' is required");
	snprintf(text, sizeof text, "format: casefile-state-rules/1\nrules:\n%s", good_rule);
	memcpy(strstr(text, "from: hhs"), "from: hhz", 9);
	expect_error(text, "7:", "'from' cannot be 'hhz'");
	snprintf(text, sizeof text, "format: casefile-state-rules/1\nrules:\n%s", good_rule);
	memcpy(strstr(text, "2026-12-01"), "2026-13-01", 10);
	expect_error(text, "10:", "last_verified");
	snprintf(text, sizeof text, "format: casefile-state-rules/1\nrules:\n%s", good_rule);
	memcpy(strstr(text, "days: 5"), "days: x", 7);
	expect_error(text, "7:", "integer");
	expect_error("format: casefile-state-rules/1\nrules:\n  - id: [\n", "4:", "closing bracket");
}

/* Out of memory at any allocation while a rules file loads (every key of
 * a rule, two rules so that the id set is used): the rules a run without
 * a fault gives, or no memory (CF_FATAL) and no rules; never a complaint
 * about the file, which is fine, nor a leak (cmocka's leak check). */
static const char full_rule[] =
	"  - id: X-2\n"
	"    state: MA\n"
	"    title: A rule with every key\n"
	"    trigger: t\n"
	"    entity_types: [provider, health-plan]\n"
	"    residents_at_least: 2\n"
	"    clock: {from: discovery, text: as soon as practicable}\n"
	"    recipients: [{kind: agency, name: A, how: online}, {kind: individuals, name: I}]\n"
	"    content: [what happened, what to do]\n"
	"    monitoring: {when: ssn, months: 18, text: offer it}\n"
	"    letter: {variant: ma, template: ma.md, omit: [nature, count]}\n"
	"    citation: c\n"
	"    last_verified: 2026-12-01\n"
	"    notes: n\n";

static void every_allocation_failure_is_out_of_memory(void **state)
{
	char text[2048], *dir, *path;
	struct cf_ctx ctx;
	cJSON *ref = NULL;
	unsigned long n;
	int done = 0;

	(void)state;
	snprintf(text, sizeof text, "format: casefile-state-rules/1\nrules:\n%s%s",
		 good_rule, full_rule);
	path = rules_file(text, &dir);
	cf_ctx_init(&ctx);
	if (cf_state_rules_load(&ctx, path, &ref) != CF_OK)
		fail_msg("%s", cf_errmsg(&ctx));
	for (n = 1; !done; n++) {
		cJSON *out = NULL;
		int rc;

		cf_ctx_init(&ctx);
		cf_fault_set(CF_FAULT_ALLOC, n, 0);
		rc = cf_state_rules_load(&ctx, path, &out);
		done = cf_fault_count(CF_FAULT_ALLOC) < n;
		cf_fault_set(CF_FAULT_ALLOC, 0, 0);
		if (rc == CF_OK) {
			assert_true(cJSON_Compare(out, ref, 1));
		} else {
			if (rc != CF_FATAL)
				fail_msg("alloc %lu: %s", n, cf_errmsg(&ctx));
			assert_null(out);
		}
		cJSON_Delete(out);
	}
	assert_true(n > 100); /* the cJSON allocations were counted too */
	cJSON_Delete(ref);
	free(path);
	tu_rmtree(dir);
}

int main(void)
{
	cf_core_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(holidays_by_rule_with_observed_days),
		cmocka_unit_test(business_days_skip_weekends_and_holidays),
		cmocka_unit_test(every_rule_at_its_threshold_and_clock),
		cmocka_unit_test(determination_absent_counts_from_discovery),
		cmocka_unit_test(massachusetts_letter_states_no_count_nor_nature),
		cmocka_unit_test(letter_template_cannot_state_what_it_omits),
		cmocka_unit_test(malformed_files_fail_naming_the_line),
		cmocka_unit_test(every_allocation_failure_is_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
