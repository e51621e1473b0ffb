/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the progress line (src/progress.c): the text it shows
 * (items, bytes, rate, ETA), that it stays silent when its stream is not a
 * terminal unless forced, and that it erases itself at the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casefile/alloc.h"
#include "casefile/progress.h"
#include "testutil.h"

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static FILE *scratch(char **dir, char **path)
{
	FILE *f;

	*dir = tu_tempdir();
	*path = tu_path(*dir, "err");
	f = fopen(*path, "w+");
	assert_non_null(f);
	return f;
}

static void test_disabled_when_not_tty(void **state)
{
	char *dir, *path, *back;
	FILE *f = scratch(&dir, &path);
	cf_progress *p = cf_progress_new(f, "collect", CF_PROGRESS_AUTO, 0, 0);

	(void)state;
	assert_non_null(p);
	assert_int_equal(cf_progress_enabled(p), 0);
	for (int i = 0; i < 1000; i++)
		cf_progress_add(p, 65536, 1);
	cf_progress_draw(p);
	cf_progress_free(p);
	fclose(f);
	back = tu_read_file(path, NULL);
	assert_string_equal(back, "");
	free(back);
	/* OFF wins even on a terminal; NULL is a no-op everywhere. */
	p = cf_progress_new(stderr, "x", CF_PROGRESS_OFF, 0, 0);
	assert_int_equal(cf_progress_enabled(p), 0);
	cf_progress_free(p);
	assert_int_equal(cf_progress_enabled(NULL), 0);
	cf_progress_add(NULL, 1, 1);
	cf_progress_draw(NULL);
	cf_progress_free(NULL);
	free(path);
	tu_rmtree(dir);
}

static void test_forced_draw_and_erase(void **state)
{
	char *dir, *path, *back;
	FILE *f = scratch(&dir, &path);
	cf_progress *p = cf_progress_new(f, "verify", CF_PROGRESS_ON, 0, 0);

	(void)state;
	assert_int_equal(cf_progress_enabled(p), 1);
	cf_progress_add(p, 1536, 3);
	cf_progress_draw(p);
	cf_progress_free(p);
	fclose(f);
	back = tu_read_file(path, NULL);
	/* "\r\033[K" + line, then erased with "\r\033[K". */
	assert_memory_equal(back, "\r\033[Kverify: 3 items, 1.5 KiB, ", 29);
	assert_non_null(strstr(back, "/s"));
	assert_string_equal(back + strlen(back) - 4, "\r\033[K");
	assert_null(strchr(back, '\n'));
	free(back);
	free(path);
	tu_rmtree(dir);
}

/* Work that reports a position (an archive's compressed bytes read, a
 * log's offset) sets the counters: they move up, never back, and the
 * first report counts the whole offset. */
static void test_set(void **state)
{
	cf_progress *p = cf_progress_new(stderr, "seal", CF_PROGRESS_OFF, 4096, 0);
	char line[160];

	(void)state;
	cf_progress_set(p, 1024, 0);
	cf_progress_format(p, 0, line, sizeof line);
	assert_non_null(strstr(line, "seal: 0 items, 1.0 KiB, "));
	cf_progress_set(p, 512, 2); /* an older position: bytes stay */
	cf_progress_format(p, 0, line, sizeof line);
	assert_non_null(strstr(line, "seal: 2 items, 1.0 KiB, "));
	cf_progress_set(p, 2048, 1);
	cf_progress_add(p, 1024, 1);
	cf_progress_format(p, 0, line, sizeof line);
	assert_non_null(strstr(line, "seal: 3 items, 3.0 KiB, "));
	cf_progress_free(p);
	cf_progress_set(NULL, 1, 1);
}

/* The start time of p, between lo and hi: the first "now" at which the
 * line no longer shows a zero rate (one unit counted). */
static int64_t start_of(cf_progress *p, int64_t lo, int64_t hi, const char *zero)
{
	char line[160];

	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		cf_progress_format(p, mid, line, sizeof line);
		if (strstr(line, zero))
			lo = mid + 1;
		else
			hi = mid;
	}
	return hi - 1;
}

/* cf_progress_format at a chosen "now". The start time is not exposed: it
 * lies between two clock readings taken around cf_progress_new() and is
 * found exactly by bisection on "the rate is no longer zero" (with one byte
 * counted, the rate is at least 1 B/s for the first second). */
static void test_format(void **state)
{
	int64_t t0 = mono_us(), lo, hi, start;
	cf_progress *p = cf_progress_new(stderr, "collect", CF_PROGRESS_OFF,
					 10 * 1048576, 40);
	char line[160];

	(void)state;
	lo = t0 - 1;
	hi = mono_us() + 1;
	/* Nothing counted yet: zero rate, no ETA. */
	cf_progress_format(p, hi + 5000000, line, sizeof line);
	assert_string_equal(line, "collect: 0/40 items, 0 B, 0 B/s");
	cf_progress_add(p, 1, 0);
	start = start_of(p, lo, hi, " 0 B/s");
	cf_progress_add(p, 5 * 1048576 - 1, 20);
	cf_progress_format(p, start + 10 * 1000000, line, sizeof line);
	assert_string_equal(line,
			    "collect: 20/40 items, 5.0 MiB, 512.0 KiB/s, ETA 0:10");
	cf_progress_format(p, start + 80 * 1000000, line, sizeof line);
	assert_string_equal(line,
			    "collect: 20/40 items, 5.0 MiB, 64.0 KiB/s, ETA 1:20");
	/* Past the expected total: no ETA. */
	cf_progress_add(p, 6 * 1048576, 30);
	cf_progress_format(p, start + 1000000, line, sizeof line);
	assert_string_equal(line, "collect: 50/40 items, 11.0 MiB, 11.0 MiB/s");
	/* A short buffer is cut, never overrun. */
	memset(line, 'x', sizeof line);
	cf_progress_format(p, start + 1000000, line, 12);
	assert_string_equal(line, "collect: 50");
	assert_int_equal(line[12], 'x');
	cf_progress_free(p);

	p = cf_progress_new(stderr, "a-very-long-label-that-is-cut-at-31-bytes",
			    CF_PROGRESS_OFF, 0, 0);
	cf_progress_format(p, 0, line, sizeof line);
	assert_string_equal(line, "a-very-long-label-that-is-cut-a: 0 items, 0 B, 0 B/s");
	cf_progress_free(p);
}

/* Work counted in items against a known total, with no bytes (events
 * read from a store): the line gives their rate and the ETA from them. */
static void test_format_items(void **state)
{
	int64_t t0 = mono_us(), lo, hi, start;
	cf_progress *p = cf_progress_new(stderr, "timeline detect",
					 CF_PROGRESS_OFF, 0, 1000);
	char line[160];

	(void)state;
	lo = t0 - 1;
	hi = mono_us() + 1;
	cf_progress_format(p, hi + 5000000, line, sizeof line);
	assert_string_equal(line, "timeline detect: 0/1000 items, 0 items/s");
	cf_progress_add(p, 0, 1);
	start = start_of(p, lo, hi, " 0 items/s");
	cf_progress_add(p, 0, 249);
	cf_progress_format(p, start + 10 * 1000000, line, sizeof line);
	assert_string_equal(line,
			    "timeline detect: 250/1000 items, 25 items/s, ETA 0:30");
	cf_progress_add(p, 0, 1000);
	cf_progress_format(p, start + 10 * 1000000, line, sizeof line);
	assert_string_equal(line, "timeline detect: 1250/1000 items, 125 items/s");
	cf_progress_free(p);
}

static void test_no_memory(void **state)
{
	(void)state;
	cf_fault_set(CF_FAULT_ALLOC, 1, 0);
	assert_null(cf_progress_new(stderr, "x", CF_PROGRESS_ON, 0, 0));
	cf_fault_set(CF_FAULT_ALLOC, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disabled_when_not_tty),
		cmocka_unit_test(test_forced_draw_and_erase),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_items),
		cmocka_unit_test(test_no_memory),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
