/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the tz database reader (src/tz.c) on real zone files
 * (tests/fixtures/tz, from Debian's tzdata 2025b; see SOURCE.md). Every
 * expected instant and offset was read from `zdump -v` of the same zones,
 * and the epoch seconds from `date -u -d ... +%s`, never from this code:
 * the transitions of America/Chicago and Europe/Berlin in 2024 (from the
 * file's table) and 2046 (past the table of a "fat" file: from its POSIX
 * footer), a "slim" file that has only the footer, the hour that happens
 * twice in autumn, the hour that never happens in spring, names from
 * evidence that must not become paths, and damaged files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/error.h"
#include "casefile/tz.h"
#include "testutil.h"

#define TZFX FIXTURE_DIR "/tz/"

static struct cf_tz *load(const char *file)
{
	struct cf_ctx ctx;
	struct cf_tz *tz = NULL;
	size_t n;
	char path[512], *buf;

	snprintf(path, sizeof path, TZFX "%s", file);
	buf = tu_read_file(path, &n);
	assert_non_null(buf);
	cf_ctx_init(&ctx);
	assert_int_equal(cf_tz_parse(&ctx, file, buf, n, &tz), CF_OK);
	free(buf);
	return tz;
}

/* zdump -v America/Chicago: 2024-03-10 08:00:00 UT CDT, 2024-11-03
 * 07:00:00 UT CST, 2046-03-11 08:00:00 UT CDT, 2046-11-04 07:00:00 UT
 * CST; before 1883-11-18 18:00:00 UT, LMT -21036. */
static void chicago_offsets(struct cf_tz *tz, int with_lmt)
{
	assert_int_equal(cf_tz_offset(tz, 1710057599), -21600);
	assert_int_equal(cf_tz_offset(tz, 1710057600), -18000);
	assert_int_equal(cf_tz_offset(tz, 1730617199), -18000);
	assert_int_equal(cf_tz_offset(tz, 1730617200), -21600);
	assert_int_equal(cf_tz_offset(tz, 2404368000 - 1), -21600);
	assert_int_equal(cf_tz_offset(tz, 2404368000), -18000);
	assert_int_equal(cf_tz_offset(tz, 2424927600 - 1), -18000);
	assert_int_equal(cf_tz_offset(tz, 2424927600), -21600);
	if (with_lmt) {
		assert_int_equal(cf_tz_offset(tz, -2717647200 - 1), -21036);
		assert_int_equal(cf_tz_offset(tz, -2717647200), -21600);
	}
}

static void test_chicago_table_and_footer(void **state)
{
	struct cf_tz *tz = load("America_Chicago");

	(void)state;
	chicago_offsets(tz, 1);
	cf_tz_free(tz);
	/* zic -b slim: no transition table after 2007, the footer only */
	tz = load("Slim_Chicago");
	chicago_offsets(tz, 0);
	cf_tz_free(tz);
}

static void test_berlin(void **state)
{
	struct cf_tz *tz = load("Europe_Berlin");

	(void)state;
	/* zdump: 2024-03-31 01:00:00 UT CEST, 2024-10-27 01:00:00 UT CET,
	 * 2046-10-28 01:00:00 UT CET */
	assert_int_equal(cf_tz_offset(tz, 1711846800 - 1), 3600);
	assert_int_equal(cf_tz_offset(tz, 1711846800), 7200);
	assert_int_equal(cf_tz_offset(tz, 1729990800 - 1), 7200);
	assert_int_equal(cf_tz_offset(tz, 1729990800), 3600);
	assert_int_equal(cf_tz_offset(tz, 2424301200 - 1), 7200);
	assert_int_equal(cf_tz_offset(tz, 2424301200), 3600);
	cf_tz_free(tz);
}

static void local_cases(struct cf_tz *tz)
{
	int64_t utc, alt;
	int off;

	/* 2024-07-01 12:00 CDT = 17:00 UT */
	assert_int_equal(cf_tz_local_to_utc(tz, 1719835200, &utc, &off, &alt),
			 CF_TZ_UNIQUE);
	assert_int_equal(utc, 1719835200 + 18000);
	assert_int_equal(off, -18000);
	/* 2024-11-03 01:30 happens at 06:30 UT (CDT) and 07:30 UT (CST) */
	assert_int_equal(cf_tz_local_to_utc(tz, 1730597400, &utc, &off, &alt),
			 CF_TZ_AMBIGUOUS);
	assert_int_equal(utc, 1730597400 + 18000);
	assert_int_equal(alt, 1730597400 + 21600);
	assert_int_equal(off, -18000);
	/* 2024-03-10 02:30 never happens: read with CST, 08:30 UT */
	assert_int_equal(cf_tz_local_to_utc(tz, 1710037800, &utc, &off, NULL),
			 CF_TZ_GAP);
	assert_int_equal(off, -21600);
	assert_int_equal(utc, 1710037800 + 21600);
}

static void test_local_to_utc(void **state)
{
	struct cf_tz *tz = load("America_Chicago");
	int64_t utc;
	int off;

	(void)state;
	local_cases(tz);
	cf_tz_free(tz);
	tz = load("Slim_Chicago");
	local_cases(tz);
	cf_tz_free(tz);
	/* Berlin 2024-03-31 02:30 never happens: CET, 01:30 UT */
	tz = load("Europe_Berlin");
	assert_int_equal(cf_tz_local_to_utc(tz, 1711852200, &utc, &off, NULL),
			 CF_TZ_GAP);
	assert_int_equal(utc, 1711852200 - 3600);
	cf_tz_free(tz);
}

static void test_names(void **state)
{
	static const char *const good[] = {
		"UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires",
		"Etc/GMT+5", "America/Port-au-Prince", "posix/Europe/Paris"};
	static const char *const bad[] = {
		"", "/etc/passwd", "../../etc/passwd", "Europe/../../x", "a//b",
		"a/./b", "Europe/Berlin/", "Europe/Ber lin", "x\n", "Europe\\Berlin"};

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_true(cf_tz_name_ok(good[i]));
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(cf_tz_name_ok(bad[i]));
}

static void test_load_from_tzdir(void **state)
{
	struct cf_ctx ctx;
	struct cf_tz *tz = NULL;

	(void)state;
	cf_ctx_init(&ctx);
	setenv("TZDIR", FIXTURE_DIR "/tz", 1);
	assert_int_equal(cf_tz_load(&ctx, "Europe_Berlin", &tz), CF_OK);
	assert_string_equal(cf_tz_name(tz), "Europe_Berlin");
	cf_tz_free(tz);
	assert_int_equal(cf_tz_load(&ctx, "No_Such_Zone", &tz), CF_FAILED);
	assert_null(tz);
	assert_non_null(strstr(cf_errmsg(&ctx), "No_Such_Zone"));
	assert_int_equal(cf_tz_load(&ctx, "../tz/Europe_Berlin", &tz), CF_FAILED);
	assert_null(tz);
	unsetenv("TZDIR");
}

static void test_damaged_files(void **state)
{
	struct cf_ctx ctx;
	struct cf_tz *tz = NULL;
	size_t n;
	char *buf = tu_read_file(TZFX "America_Chicago", &n);

	(void)state;
	cf_ctx_init(&ctx);
	assert_non_null(buf);
	for (size_t cut = 0; cut < n; cut += n / 37 + 1) { /* truncated */
		assert_int_equal(cf_tz_parse(&ctx, "x", buf, cut, &tz), CF_FAILED);
		assert_null(tz);
	}
	buf[n - 3] = 'X'; /* footer "...M11.1.X\n" */
	assert_int_equal(cf_tz_parse(&ctx, "x", buf, n, &tz), CF_FAILED);
	memcpy(buf, "TZiX", 4);
	assert_int_equal(cf_tz_parse(&ctx, "x", buf, n, &tz), CF_FAILED);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chicago_table_and_footer),
		cmocka_unit_test(test_berlin),
		cmocka_unit_test(test_local_to_utc),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_load_from_tzdir),
		cmocka_unit_test(test_damaged_files),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
