/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of reports/rules.c: every threshold of the Breach
 * Notification Rule at, below and above its boundary, and the deadlines
 * across month ends, year ends and leap years. The expected dates are
 * written out by hand from a calendar, not computed with the code under
 * test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "casefile/time.h"
#include "rules.h"

static int64_t D(int y, unsigned m, unsigned d)
{
	return cf_days_from_civil(y, m, d);
}

static struct cf_breach_duties run(int64_t disc, int64_t delay, uint64_t affected,
				   uint64_t no_contact,
				   const struct cf_state_count *st, size_t nst)
{
	struct cf_breach_facts f = {disc, delay, affected, no_contact, st, nst};
	struct cf_breach_duties d;

	assert_int_equal(cf_breach_duties_compute(&f, &d), 0);
	return d;
}

static void individual_due_is_60_calendar_days(void **state)
{
	struct cf_breach_duties d;

	(void)state;
	d = run(D(2026, 3, 4), -1, 1, 0, NULL, 0);
	assert_int_equal(d.individual_due, D(2026, 5, 3));
	assert_int_equal(d.not_before, -1);
	/* across a year end */
	d = run(D(2026, 11, 15), -1, 1, 0, NULL, 0);
	assert_int_equal(d.individual_due, D(2027, 1, 14));
	d = run(D(2026, 12, 31), -1, 1, 0, NULL, 0);
	assert_int_equal(d.individual_due, D(2027, 3, 1));
	/* across February in a leap year and in a common year */
	d = run(D(2028, 1, 15), -1, 1, 0, NULL, 0);
	assert_int_equal(d.individual_due, D(2028, 3, 15));
	d = run(D(2027, 1, 15), -1, 1, 0, NULL, 0);
	assert_int_equal(d.individual_due, D(2027, 3, 16));
	d = run(D(2028, 12, 31), -1, 1, 0, NULL, 0);
	assert_int_equal(d.individual_due, D(2029, 3, 1));
	/* month end */
	d = run(D(2026, 1, 31), -1, 1, 0, NULL, 0);
	assert_int_equal(d.individual_due, D(2026, 4, 1));
}

static void annual_hhs_due_is_march_1_or_feb_29(void **state)
{
	(void)state;
	assert_int_equal(cf_breach_annual_due(2026), D(2027, 3, 1));
	assert_int_equal(cf_breach_annual_due(2027), D(2028, 2, 29)); /* 2028 leap */
	assert_int_equal(cf_breach_annual_due(2028), D(2029, 3, 1));
	assert_int_equal(cf_breach_annual_due(2099), D(2100, 3, 1)); /* 2100 not leap */
	assert_int_equal(cf_breach_annual_due(1999), D(2000, 2, 29)); /* 2000 leap */
}

static void hhs_threshold_499_500_501(void **state)
{
	struct cf_breach_duties d;

	(void)state;
	d = run(D(2026, 3, 4), -1, 499, 0, NULL, 0);
	assert_int_equal(d.hhs_immediate, 0);
	assert_int_equal(d.hhs_due, D(2027, 3, 1));
	d = run(D(2027, 6, 1), -1, 499, 0, NULL, 0);
	assert_int_equal(d.hhs_due, D(2028, 2, 29));
	d = run(D(2026, 3, 4), -1, 500, 0, NULL, 0);
	assert_int_equal(d.hhs_immediate, 1);
	assert_int_equal(d.hhs_due, D(2026, 5, 3));
	d = run(D(2026, 3, 4), -1, 501, 0, NULL, 0);
	assert_int_equal(d.hhs_immediate, 1);
	assert_int_equal(d.hhs_due, d.individual_due);
}

static void media_needs_more_than_500_in_one_state(void **state)
{
	struct cf_state_count st[] = {{"MA", 499}, {"NH", 500}, {"VT", 501},
				      {"unknown", 9000}, {"CA", 1000}};
	struct cf_breach_duties d;

	(void)state;
	d = run(D(2026, 3, 4), -1, 11500, 0, st, 5);
	assert_int_equal(d.media_required, 1);
	assert_int_equal(d.nmedia_states, 2);
	assert_int_equal(d.media_states[0], 2); /* VT */
	assert_int_equal(d.media_states[1], 4); /* CA */
	assert_int_equal(d.media_due, d.individual_due);
	free(d.media_states);
	/* 500 in each of several states: more than 500 in total, not in one */
	d = run(D(2026, 3, 4), -1, 1500, 0, st, 2);
	assert_int_equal(d.media_required, 0);
	assert_int_equal(d.media_due, -1);
	assert_null(d.media_states);
	/* "unknown" is no State */
	d = run(D(2026, 3, 4), -1, 9000, 0, st + 3, 1);
	assert_int_equal(d.media_required, 0);
}

static void substitute_9_10_11(void **state)
{
	struct cf_breach_duties d;

	(void)state;
	assert_int_equal(cf_breach_substitute(0), CF_SUBST_NONE);
	assert_int_equal(cf_breach_substitute(1), CF_SUBST_ALTERNATIVE);
	assert_int_equal(cf_breach_substitute(9), CF_SUBST_ALTERNATIVE);
	assert_int_equal(cf_breach_substitute(10), CF_SUBST_CONSPICUOUS);
	assert_int_equal(cf_breach_substitute(11), CF_SUBST_CONSPICUOUS);
	d = run(D(2026, 3, 4), -1, 20, 9, NULL, 0);
	assert_int_equal(d.substitute, CF_SUBST_ALTERNATIVE);
	assert_int_equal(d.substitute_until, -1);
	d = run(D(2026, 3, 4), -1, 20, 10, NULL, 0);
	assert_int_equal(d.substitute, CF_SUBST_CONSPICUOUS);
	/* posting and toll-free number kept 90 days from the notice deadline */
	assert_int_equal(d.substitute_until, D(2026, 8, 1));
	assert_string_equal(cf_breach_substitute_name(d.substitute), "conspicuous");
}

static void law_enforcement_delay_moves_dates(void **state)
{
	struct cf_breach_duties d;

	(void)state;
	/* delay ending after the 60th day: everything due the day after */
	d = run(D(2026, 3, 4), D(2026, 6, 30), 600, 0, NULL, 0);
	assert_int_equal(d.not_before, D(2026, 7, 1));
	assert_int_equal(d.individual_due, D(2026, 7, 1));
	assert_int_equal(d.hhs_due, D(2026, 7, 1));
	/* a short delay: deadline unchanged, but nothing before it ends */
	d = run(D(2026, 3, 4), D(2026, 3, 20), 600, 0, NULL, 0);
	assert_int_equal(d.not_before, D(2026, 3, 21));
	assert_int_equal(d.individual_due, D(2026, 5, 3));
	/* annual log pushed past March 1 by a delay across the year end */
	d = run(D(2026, 12, 20), D(2027, 3, 10), 10, 0, NULL, 0);
	assert_int_equal(d.hhs_due, D(2027, 3, 11));
	assert_int_equal(d.individual_due, D(2027, 3, 11));
	/* delay ending exactly on the 60th day */
	d = run(D(2026, 3, 4), D(2026, 5, 3), 10, 0, NULL, 0);
	assert_int_equal(d.individual_due, D(2026, 5, 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(individual_due_is_60_calendar_days),
		cmocka_unit_test(annual_hhs_due_is_march_1_or_feb_29),
		cmocka_unit_test(hhs_threshold_499_500_501),
		cmocka_unit_test(media_needs_more_than_500_in_one_state),
		cmocka_unit_test(substitute_9_10_11),
		cmocka_unit_test(law_enforcement_delay_moves_dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
