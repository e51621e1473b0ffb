/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for RFC 3339 times and ISO 8601 durations (src/time.c):
 * round trips, offsets, fractions, leap years, refusal of impossible or
 * out-of-range dates (never normalised into another date), and the
 * durations playbooks use for deadlines.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "casefile/time.h"
#include "testutil.h"

#define S CF_US_PER_SEC

static int64_t parse_ok(const char *s, int *off)
{
	int64_t us = 0;

	if (cf_time_parse(s, -1, &us, off) != 0)
		fail_msg("'%s' refused", s);
	return us;
}

static void parse_bad(const char *s)
{
	int64_t us = 12345;

	if (cf_time_parse(s, -1, &us, NULL) == 0)
		fail_msg("'%s' accepted", s);
	assert_int_equal(us, 12345);
}

static void test_known_instants(void **state)
{
	char out[CF_TIME_STR];
	int off = 99;

	(void)state;
	assert_int_equal(parse_ok("1970-01-01T00:00:00Z", &off), 0);
	assert_int_equal(off, 0);
	assert_int_equal(parse_ok("2026-03-01T14:02:03.123456Z", NULL),
			 1772373723123456LL);
	assert_string_equal(cf_time_format(1772373723123456LL, out),
			    "2026-03-01T14:02:03.123456Z");
	assert_string_equal(cf_time_format(0, out), "1970-01-01T00:00:00.000000Z");
	assert_string_equal(cf_time_format(-1, out), "1969-12-31T23:59:59.999999Z");
	assert_int_equal(parse_ok("1969-12-31T23:59:59.999999Z", NULL), -1);
	assert_int_equal(parse_ok("0001-01-01T00:00:00Z", NULL),
			 -62135596800LL * S);
	assert_int_equal(parse_ok("9999-12-31T23:59:59.999999Z", NULL),
			 253402300800LL * S - 1);
	assert_string_equal(cf_time_format(253402300800LL * S - 1, out),
			    "9999-12-31T23:59:59.999999Z");
	assert_string_equal(cf_time_format(-62135596800LL * S, out),
			    "0001-01-01T00:00:00.000000Z");
}

static void test_offsets(void **state)
{
	int off;
	int64_t z = parse_ok("2026-03-01T14:02:03Z", NULL);

	(void)state;
	assert_int_equal(parse_ok("2026-03-01T15:32:03+01:30", &off), z);
	assert_int_equal(off, 5400);
	assert_int_equal(parse_ok("2026-03-01T09:02:03-05:00", &off), z);
	assert_int_equal(off, -18000);
	assert_int_equal(parse_ok("2026-03-01T09:02:03-0500", &off), z);
	assert_int_equal(parse_ok("2026-03-01T14:02:03+00:00", &off), z);
	assert_int_equal(off, 0);
	/* Crossing midnight and the year boundary. */
	assert_int_equal(parse_ok("2027-01-01T01:00:00+02:00", NULL),
			 parse_ok("2026-12-31T23:00:00Z", NULL));
	/* Lowercase t/z and a space are accepted (RFC 3339 section 5.6). */
	assert_int_equal(parse_ok("2026-03-01t14:02:03z", NULL), z);
	assert_int_equal(parse_ok("2026-03-01 14:02:03Z", NULL), z);
	parse_bad("2026-03-01T14:02:03+24:00");
	parse_bad("2026-03-01T14:02:03+01:60");
	parse_bad("2026-03-01T14:02:03+1:00");
	parse_bad("2026-03-01T14:02:03+01:");
	parse_bad("2026-03-01T14:02:03");   /* no zone: ambiguous */
	parse_bad("2026-03-01T14:02:03 Z");
}

static void test_fractions(void **state)
{
	int64_t z = parse_ok("2026-03-01T14:02:03Z", NULL);
	char out[CF_TIME_STR];

	(void)state;
	assert_int_equal(parse_ok("2026-03-01T14:02:03.5Z", NULL), z + 500000);
	assert_int_equal(parse_ok("2026-03-01T14:02:03,25Z", NULL), z + 250000);
	assert_int_equal(parse_ok("2026-03-01T14:02:03.000001Z", NULL), z + 1);
	/* Nanoseconds and beyond are truncated, not rounded. */
	assert_int_equal(parse_ok("2026-03-01T14:02:03.1234569999999Z", NULL),
			 z + 123456);
	parse_bad("2026-03-01T14:02:03.Z");
	parse_bad("2026-03-01T14:02:03.x1Z");
	/* Leap second: held at the last microsecond of the minute. */
	assert_int_equal(parse_ok("2016-12-31T23:59:60Z", NULL),
			 parse_ok("2017-01-01T00:00:00Z", NULL) - 1);
	assert_string_equal(cf_time_format(parse_ok("2016-12-31T23:59:60.5Z", NULL),
					   out),
			    "2016-12-31T23:59:59.999999Z");
}

static void test_leap_years(void **state)
{
	(void)state;
	parse_ok("2024-02-29T00:00:00Z", NULL);
	parse_ok("2000-02-29T00:00:00Z", NULL);
	parse_ok("1600-02-29T00:00:00Z", NULL);
	parse_bad("2023-02-29T00:00:00Z");
	parse_bad("1900-02-29T00:00:00Z");
	parse_bad("2100-02-29T00:00:00Z");
	assert_int_equal(parse_ok("2024-03-01T00:00:00Z", NULL) -
				 parse_ok("2024-02-28T00:00:00Z", NULL),
			 2 * 86400 * S);
	assert_int_equal(parse_ok("2100-03-01T00:00:00Z", NULL) -
				 parse_ok("2100-02-28T00:00:00Z", NULL),
			 86400 * S);
}

static void test_invalid_dates(void **state)
{
	static const char *const bad[] = {
		"2026-00-10T00:00:00Z", "2026-13-10T00:00:00Z",
		"2026-04-31T00:00:00Z", "2026-01-32T00:00:00Z",
		"2026-01-00T00:00:00Z", "2026-01-01T24:00:00Z",
		"2026-01-01T23:60:00Z", "2026-01-01T23:59:61Z",
		"0000-01-01T00:00:00Z", "10000-01-01T00:00:00Z",
		"-001-01-01T00:00:00Z", "2026-1-01T00:00:00Z",
		"2026/01/01T00:00:00Z", "2026-01-01X00:00:00Z",
		"2026-01-01", "", "2026-01-01T00:00Z",
		"9999-99-99T99:99:99Z", "2026-01-01T00:00:00Zjunk",
		"2026-01-01T00:00:00+01:00:00", "２０２６-01-01T00:00:00Z",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		parse_bad(bad[i]);
}

static void test_length_bound(void **state)
{
	const char *s = "2026-03-01T14:02:03ZGARBAGE";
	int64_t us;

	(void)state;
	assert_int_equal(cf_time_parse(s, 20, &us, NULL), 0);
	assert_int_equal(us, parse_ok("2026-03-01T14:02:03Z", NULL));
	assert_int_equal(cf_time_parse(s, 19, &us, NULL), -1);
	assert_int_equal(cf_time_parse(s, 0, &us, NULL), -1);
}

static void test_round_trip(void **state)
{
	char out[CF_TIME_STR];
	int64_t us = -62135596800LL * S, back;
	uint64_t x = 88172645463325252ULL;

	(void)state;
	/* Pseudo-random instants over the whole range 0001-9999. */
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		us = -62135596800LL * S +
		     (int64_t)(x % (uint64_t)(315537897600LL * S));
		cf_time_format(us, out);
		assert_int_equal(strlen(out), 27);
		assert_int_equal(cf_time_parse(out, -1, &back, NULL), 0);
		assert_int_equal(back, us);
	}
	/* Days from civil and back, across the whole range. */
	for (int64_t d = -719162; d < 2932897; d += 97) {
		int64_t y;
		unsigned m, dd;
		cf_civil_from_days(d, &y, &m, &dd);
		assert_int_equal(cf_days_from_civil(y, m, dd), d);
	}
	/* Out of range is clamped, never wrapped. */
	assert_string_equal(cf_time_format(INT64_MAX, out),
			    "9999-12-31T23:59:59.999999Z");
	assert_string_equal(cf_time_format(INT64_MIN, out),
			    "0000-01-01T00:00:00.000000Z");
}

static void test_now(void **state)
{
	int64_t a = cf_time_now();

	(void)state;
	assert_true(a > parse_ok("2020-01-01T00:00:00Z", NULL));
	assert_true(a / S - (int64_t)time(NULL) <= 1);
}

static void dur(const char *s, int64_t want_s)
{
	int64_t us = -1;

	if (cf_duration_parse(s, &us) != 0)
		fail_msg("'%s' refused", s);
	if (us != want_s * S)
		fail_msg("'%s' gave %lld us", s, (long long)us);
}

static void dur_bad(const char *s)
{
	int64_t us = 7;

	/* s may be NULL: printing it is undefined (gcc -O3 warns). */
	if (cf_duration_parse(s, &us) == 0)
		fail_msg("'%s' accepted", s ? s : "(null)");
	assert_int_equal(us, 7);
}

static void test_durations(void **state)
{
	(void)state;
	dur("P60D", 60 * 86400);
	dur("PT72H", 72 * 3600);
	dur("P1DT12H", 86400 + 12 * 3600);
	dur("P2W", 14 * 86400);
	dur("PT90M", 5400);
	dur("PT1H30M15S", 5415);
	dur("P0D", 0);
	dur("P36525D", 36525LL * 86400);
	dur("P99999999D", 99999999LL * 86400);
	/* Years and months depend on the start date: refused. */
	dur_bad("P1Y");
	dur_bad("P1M");
	dur_bad("P1Y2M3D");
	dur_bad("PT1D");   /* days after T */
	dur_bad("P1H");    /* hours before T */
	dur_bad("P");
	dur_bad("PT");
	dur_bad("P1DT");
	dur_bad("60D");
	dur_bad("P-1D");
	dur_bad("P1.5D");
	dur_bad("P1D1D");  /* repeated unit */
	dur_bad("PT1S1H"); /* out of order */
	dur_bad("PT1HT1M");
	dur_bad("P1234567890D");
	dur_bad("P999999999D"); /* overflows int64 microseconds */
	dur_bad("P999999999W");
	dur_bad("P99999999WT999999999H999999999M999999999S");
	dur_bad("");
	dur_bad(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_instants),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_fractions),
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_invalid_dates),
		cmocka_unit_test(test_length_bound),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_now),
		cmocka_unit_test(test_durations),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
