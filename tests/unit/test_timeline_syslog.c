/* SPDX-License-Identifier: Apache-2.0
 *
 * Tests of the syslog parser (timeline/syslog.c) on real third-party lines
 * (tests/fixtures/timeline/syslog/SOURCE.md): years of year-less time
 * stamps (a late line across a month boundary, steps back within a day,
 * Feb 29, the year set by RFC 3339 lines of the same file), local times
 * converted with the host's zone rules around a daylight saving change,
 * continuation lines, FreeBSD "syslogd -v" <facility.level> prefixes and
 * rsyslog's "message repeated N times". Expected times were worked out by
 * hand from the lines, the files' stated reference times and `zdump -v`.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/time.h"
#include "casefile/tz.h"
#include "../../timeline/tl.h"
#include "testutil.h"

#define FX FIXTURE_DIR "/timeline/"

struct ev {
	char ts[CF_TIME_STR];
	char *source, *host, *actor, *outcome, *src_ip, *message, *attrs;
	uint64_t line;
};

struct got {
	struct ev ev[64];
	size_t n, rejects;
};

static char *xdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int on_event(void *arg, const struct cf_event *e)
{
	struct got *g = arg;
	struct ev *x;

	assert_true(g->n < 64);
	x = &g->ev[g->n++];
	cf_time_format(e->ts_us, x->ts);
	x->source = xdup(e->source);
	x->host = xdup(e->host);
	x->actor = xdup(e->actor);
	x->outcome = xdup(e->outcome);
	x->src_ip = xdup(e->src_ip);
	x->message = xdup(e->message);
	x->attrs = xdup(e->attrs);
	x->line = e->line;
	return 0;
}

static int on_reject(void *arg, const struct cf_reject *r)
{
	struct got *g = arg;

	(void)r;
	g->rejects++;
	return 0;
}

static void got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++) {
		struct ev *x = &g->ev[i];
		free(x->source);
		free(x->host);
		free(x->actor);
		free(x->outcome);
		free(x->src_ip);
		free(x->message);
		free(x->attrs);
	}
	memset(g, 0, sizeof *g);
}

/* An attribute as text ("" when absent). */
static const char *attr(const struct ev *e, const char *key, char *buf, size_t n)
{
	cJSON *j = e->attrs ? cJSON_Parse(e->attrs) : NULL;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);

	buf[0] = '\0';
	if (cJSON_IsString(v))
		snprintf(buf, n, "%s", v->valuestring);
	else if (cJSON_IsNumber(v))
		snprintf(buf, n, "%lld", (long long)v->valuedouble);
	else if (cJSON_IsBool(v))
		snprintf(buf, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
	cJSON_Delete(j);
	return buf;
}

static struct tl_sshd *sshd;

static int setup(void **state)
{
	struct cf_ctx ctx;

	(void)state;
	cf_ctx_init(&ctx);
	return tl_sshd_new(&ctx, &sshd) == CF_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	tl_sshd_free(sshd);
	return 0;
}

static struct tl_meta meta(const char *ref)
{
	struct tl_meta m = {.archive = "00", .member = "evidence/x", .sshd = sshd,
			    .tz_known = 1};
	assert_int_equal(cf_time_parse(ref, -1, &m.ref_us, NULL), 0);
	return m;
}

static struct cf_tz *zone(const char *file)
{
	char path[512], *buf;
	size_t n;
	struct cf_tz *tz = NULL;
	struct cf_ctx ctx;

	snprintf(path, sizeof path, FIXTURE_DIR "/tz/%s", file);
	assert_non_null(buf = tu_read_file(path, &n));
	cf_ctx_init(&ctx);
	assert_int_equal(cf_tz_parse(&ctx, "America/Los_Angeles", buf, n, &tz), CF_OK);
	free(buf);
	return tz;
}

/* Runs the syslog parser over a fixture; returns its number of lines. */
static int64_t run(const struct tl_meta *m, const char *file, struct got *g)
{
	struct tl_sink s = {on_event, on_reject, NULL, g};
	struct tl_run r;
	struct cf_ctx ctx;
	char path[512];
	size_t len;
	char *buf;
	int64_t lines;

	snprintf(path, sizeof path, FX "%s", file);
	assert_non_null(buf = tu_read_file(path, &len));
	cf_ctx_init(&ctx);
	assert_int_equal(tl_run_init(&r, &tl_syslog, m, &s, &ctx), CF_OK);
	assert_int_equal(tl_run_buffer(&r, buf, len), CF_OK);
	lines = r.lines;
	tl_run_release(&r);
	free(buf);
	return lines;
}

/* ---- years --------------------------------------------------------------- */

/* loghub Linux (2005): "Jun 30 04:03:43" written again after "Jul  1
 * 10:56:44" is a late line of the same year, not a new year; the file's
 * mtime is 2005-07-02. */
static void test_late_line_across_month(void **state)
{
	struct tl_meta m = meta("2005-07-02T02:00:00Z");
	struct got g = {0};

	(void)state;
	assert_int_equal(run(&m, "syslog/loghub_linux_late_line.log", &g), 7);
	assert_int_equal(g.n, 7);
	assert_string_equal(g.ev[3].ts, "2005-07-01T10:56:44.000000Z");
	assert_string_equal(g.ev[4].ts, "2005-06-30T04:03:43.000000Z");
	assert_string_equal(g.ev[5].ts, "2005-07-02T01:41:32.000000Z");
	assert_string_equal(g.ev[6].ts, "2005-07-02T01:41:32.000000Z");
	got_free(&g);
}

/* lnav's mixed times: steps back of hours on one day stay on that day, and
 * the last line lands before the reference. */
static void test_steps_back_same_day(void **state)
{
	struct tl_meta m = meta("2013-09-13T04:00:00Z");
	struct got g = {0};

	(void)state;
	run(&m, "syslog/lnav_logfile_syslog_with_mixed_times.0", &g);
	assert_int_equal(g.n, 13);
	for (size_t i = 0; i < g.n; i++)
		assert_memory_equal(g.ev[i].ts, "2013-09-13T", 11);
	assert_string_equal(g.ev[5].ts, "2013-09-13T01:25:39.000000Z");
	got_free(&g);
}

/* plaso's leap-year line, in a file last written in March 2013: Feb 29
 * is 2012's, the nearest leap year before the reference. */
static void test_feb29_leap_year(void **state)
{
	struct tl_meta m = meta("2013-03-05T00:00:00Z");
	struct got g = {0};

	(void)state;
	run(&m, "syslog/plaso_feb29.log", &g);
	assert_int_equal(g.rejects, 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.ev[0].ts, "2012-02-29T01:15:43.000000Z");
	got_free(&g);
}

/* RFC 5424 and BSD lines in one file: the RFC 5424 lines (2021) date the
 * BSD lines after them, whatever the collection's year. */
static void test_mixed_5424_3164(void **state)
{
	struct tl_meta m = meta("2026-01-02T00:00:00Z");
	struct got g = {0};
	char buf[64];

	(void)state;
	run(&m, "syslog/plaso_mixed_5424_3164.log", &g);
	assert_int_equal(g.rejects, 0);
	assert_int_equal(g.n, 4);
	assert_string_equal(g.ev[1].ts, "2021-03-06T04:07:38.251352Z");
	assert_string_equal(attr(&g.ev[1], "severity", buf, sizeof buf), "2");
	assert_string_equal(g.ev[2].ts, "2021-03-11T09:39:38.000000Z");
	assert_string_equal(g.ev[2].host, "ubuntu2015");
	assert_string_equal(g.ev[3].ts, "2021-03-11T12:17:01.000000Z");
	got_free(&g);
}

/* ---- time zones ---------------------------------------------------------- */

/* lnav's DST sample: a Mac in US Pacific time on 2019-11-03, when 01:00 to
 * 02:00 happened twice (zdump: 08:59:59 UT PDT, then 09:00:00 UT = 01:00
 * PST). The first five lines are PDT; from "01:24:56" (a step back) the
 * hour is the second one, PST. */
static void test_dst_fall_back(void **state)
{
	static const char *const want[] = {
		"2019-11-03T08:01:03.000000Z", "2019-11-03T08:13:04.000000Z",
		"2019-11-03T08:23:29.000000Z", "2019-11-03T08:41:30.000000Z",
		"2019-11-03T08:59:14.000000Z", "2019-11-03T09:24:56.000000Z",
		"2019-11-03T09:38:13.000000Z", "2019-11-03T09:50:16.000000Z",
		"2019-11-03T10:08:19.000000Z", "2019-11-03T10:25:02.000000Z"};
	struct tl_meta m = meta("2019-11-03T10:30:00Z");
	struct cf_tz *tz = zone("America_Los_Angeles");
	struct got g = {0};
	char buf[64];

	(void)state;
	m.tz = tz;
	m.tz_offset_s = -8 * 3600; /* the offset when collected: not used */
	run(&m, "syslog/lnav_logfile_dst.0", &g);
	assert_int_equal(g.n, 10);
	for (size_t i = 0; i < 10; i++)
		assert_string_equal(g.ev[i].ts, want[i]);
	assert_string_equal(attr(&g.ev[0], "tz", buf, sizeof buf), "-07:00");
	assert_string_equal(attr(&g.ev[0], "tz_ambiguous", buf, sizeof buf), "true");
	assert_string_equal(attr(&g.ev[0], "tz_name", buf, sizeof buf),
			    "America/Los_Angeles");
	assert_string_equal(attr(&g.ev[5], "tz", buf, sizeof buf), "-08:00");
	assert_string_equal(attr(&g.ev[8], "tz", buf, sizeof buf), "-08:00");
	assert_string_equal(attr(&g.ev[8], "tz_ambiguous", buf, sizeof buf), "");
	got_free(&g);

	/* without the zone's name: the fixed offset, as before */
	m.tz = NULL;
	run(&m, "syslog/lnav_logfile_dst.0", &g);
	assert_string_equal(g.ev[0].ts, "2019-11-03T09:01:03.000000Z");
	assert_string_equal(attr(&g.ev[0], "tz_name", buf, sizeof buf), "");
	got_free(&g);
	cf_tz_free(tz);
}

/* ---- records ------------------------------------------------------------- */

/* plaso's syslog: line 14 (a tab, then "many syslog parsers.") is the
 * rest of line 13's message. */
static void test_continuation_lines(void **state)
{
	struct tl_meta m = meta("2013-01-01T00:00:00Z");
	struct got g = {0};
	int64_t lines, covered = 0;
	char buf[64];
	const struct ev *e = NULL;

	(void)state;
	lines = run(&m, "plaso/syslog/syslog", &g);
	for (size_t i = 0; i < g.n; i++) {
		const char *k = attr(&g.ev[i], "lines", buf, sizeof buf);
		covered += *k ? atoi(k) : 1;
		if (g.ev[i].line == 13)
			e = &g.ev[i];
	}
	assert_int_equal(covered + (int64_t)g.rejects, lines);
	assert_non_null(e);
	assert_string_equal(e->message, "This is a multi-line message that screws "
					"up many syslog parsers.");
	assert_string_equal(attr(e, "lines", buf, sizeof buf), "2");
	assert_int_equal(g.rejects, 1); /* "MMM 22 ...": no such month */
	got_free(&g);

	/* the same in ChromeOS's RFC 3339 lines */
	lines = run(&m, "plaso/syslog/syslog_chromeos", &g);
	assert_int_equal(g.rejects, 0);
	for (size_t i = 0; i < g.n; i++)
		if (strstr(g.ev[i].message, "cfg80211: This is a multi-line"))
			e = &g.ev[i];
	assert_non_null(strstr(e->message, "multi-line message that screws up"));
	got_free(&g);
}

/* FreeBSD syslogd -vv / -v: "<auth.info>" or "<4.6>" before the host
 * (fail2ban's FreeBSD sshd lines, written as syslogd.c's
 * fprintlog_rfc3164 writes them). */
static void test_bsd_verbose(void **state)
{
	struct tl_meta m = meta("2014-04-03T00:00:00Z");
	struct got g = {0};
	char buf[64];

	(void)state;
	run(&m, "syslog/fail2ban_bsd_verbose.log", &g);
	assert_int_equal(g.rejects, 0);
	assert_int_equal(g.n, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(g.ev[i].host, "pancake");
		assert_string_equal(attr(&g.ev[i], "program", buf, sizeof buf), "sshd");
		assert_string_equal(attr(&g.ev[i], "pid", buf, sizeof buf), "55657");
		assert_string_equal(attr(&g.ev[i], "facility", buf, sizeof buf), "4");
	}
	assert_string_equal(attr(&g.ev[0], "severity", buf, sizeof buf), "6");
	assert_string_equal(attr(&g.ev[1], "severity", buf, sizeof buf), "3");
	assert_string_equal(attr(&g.ev[2], "severity", buf, sizeof buf), "6");
	assert_string_equal(g.ev[2].source, "sshd");
	assert_string_equal(g.ev[2].outcome, "failure");
	assert_string_equal(g.ev[2].src_ip, "192.0.2.100");
	assert_string_equal(g.ev[0].ts, "2014-04-02T17:52:55.000000Z");
	got_free(&g);
}

/* loghub OpenSSH: "message repeated 5 times: [ Failed password for root
 * from 5.36.59.76 ...]" is five more failed passwords of root from that
 * address, on top of the line before. */
static void test_message_repeated(void **state)
{
	struct tl_meta m = meta("2017-01-01T00:00:00Z");
	struct got g = {0};
	char buf[64];
	const struct ev *e;

	(void)state;
	run(&m, "syslog/loghub_openssh_repeated.log", &g);
	assert_int_equal(g.n, 4);
	e = &g.ev[2];
	assert_string_equal(e->source, "sshd");
	assert_string_equal(e->outcome, "failure");
	assert_string_equal(e->actor, "root");
	assert_string_equal(e->src_ip, "5.36.59.76");
	assert_string_equal(attr(e, "repeat", buf, sizeof buf), "5");
	assert_non_null(strstr(e->message, "message repeated 5 times"));
	assert_string_equal(attr(&g.ev[1], "repeat", buf, sizeof buf), "");
	got_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_late_line_across_month),
		cmocka_unit_test(test_steps_back_same_day),
		cmocka_unit_test(test_feb29_leap_year),
		cmocka_unit_test(test_mixed_5424_3164),
		cmocka_unit_test(test_dst_fall_back),
		cmocka_unit_test(test_continuation_lines),
		cmocka_unit_test(test_bsd_verbose),
		cmocka_unit_test(test_message_repeated),
	};

	tu_init();
	return cmocka_run_group_tests(tests, setup, teardown);
}
