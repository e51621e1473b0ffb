/* SPDX-License-Identifier: Apache-2.0
 *
 * Tests of the Debian package log parsers (timeline/packages.c) on real
 * dpkg.log, apt history.log and term.log samples (origins in
 * tests/fixtures/timeline/packages/SOURCE.md), of their detection, of the
 * rule that a member of a log category whose first lines are not of the
 * format is not parsed rather than rejected line by line, and of
 * tl_detect_explain. Expected values were read off the samples by hand.
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
#include "casefile/evidence.h"
#include "casefile/time.h"
#include "../../timeline/tl.h"

#define FX FIXTURE_DIR "/timeline/packages/"

struct ev {
	int64_t ts;
	char *actor, *action, *outcome, *resource, *attrs, *message;
	uint64_t line;
};

struct got {
	struct ev v[64];
	size_t n, rejects;
	uint64_t reject_line[16];
	char reason[16][256];
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
	if (e->attrs) {
		cJSON *j = cJSON_Parse(e->attrs);
		assert_true(cJSON_IsObject(j));
		cJSON_Delete(j);
	}
	x = &g->v[g->n++];
	x->ts = e->ts_us;
	x->actor = xdup(e->actor);
	x->action = xdup(e->action);
	x->outcome = xdup(e->outcome);
	x->resource = xdup(e->resource);
	x->attrs = xdup(e->attrs);
	x->message = xdup(e->message);
	x->line = e->line;
	return 0;
}

static int on_reject(void *arg, const struct cf_reject *r)
{
	struct got *g = arg;

	assert_non_null(r->reason);
	if (g->rejects < 16) {
		g->reject_line[g->rejects] = r->line;
		snprintf(g->reason[g->rejects], 256, "%s", r->reason);
	}
	g->rejects++;
	return 0;
}

static int on_patient(void *arg, const struct cf_patient *p)
{
	(void)arg;
	(void)p;
	fail_msg("no patients in package logs");
	return 0;
}

static void got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->v[i].actor);
		free(g->v[i].action);
		free(g->v[i].outcome);
		free(g->v[i].resource);
		free(g->v[i].attrs);
		free(g->v[i].message);
	}
	memset(g, 0, sizeof *g);
}

static struct tl_meta meta(int tz)
{
	struct tl_meta m = {.archive = "00", .member = "evidence/x"};
	cf_time_parse("2026-01-02T00:00:00Z", -1, &m.ref_us, NULL);
	m.tz_offset_s = tz;
	m.tz_known = 1;
	return m;
}

static void run_buf(const struct tl_parser *p, const struct tl_meta *m,
		    const char *buf, size_t len, struct got *g)
{
	struct tl_sink s = {on_event, on_reject, on_patient, g};
	struct tl_run r;
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	assert_int_equal(tl_run_init(&r, p, m, &s, &ctx), CF_OK);
	assert_int_equal(tl_run_buffer(&r, buf, len), CF_OK);
	tl_run_release(&r);
}

/* Runs the parser tl_detect chooses for the file under `member`. */
static void run_file(const char *file, const char *member,
		     const struct tl_parser *want, const struct tl_meta *m,
		     struct got *g)
{
	struct cf_buf b;
	struct cf_ctx ctx;
	const struct tl_parser *p;

	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	assert_int_equal(cf_buf_read_file(&ctx, &b, file, 0), CF_OK);
	p = tl_detect(member, CF_CAT_SYSTEM_LOG, "text/plain",
		      (unsigned char *)b.data, b.len);
	assert_ptr_equal(p, want);
	run_buf(p, m, b.data, b.len, g);
	cf_buf_release(&b);
}

static const char *attr(const struct ev *e, const char *key, char *out, size_t n)
{
	cJSON *j = e->attrs ? cJSON_Parse(e->attrs) : NULL;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);

	out[0] = '\0';
	if (cJSON_IsString(v))
		snprintf(out, n, "%s", v->valuestring);
	else if (cJSON_IsNumber(v))
		snprintf(out, n, "%.0f", v->valuedouble);
	else if (cJSON_IsBool(v))
		snprintf(out, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
	cJSON_Delete(j);
	return out;
}

static int64_t t(const char *s)
{
	int64_t us;
	assert_int_equal(cf_time_parse(s, -1, &us, NULL), 0);
	return us;
}

#define ATTR(e, k, want) do { char b_[256]; \
	assert_string_equal(attr((e), (k), b_, sizeof b_), (want)); } while (0)

/* ---- dpkg.log ----------------------------------------------------------- */

static void test_plaso_dpkg(void **state)
{
	struct tl_meta m = meta(2 * 3600); /* the host was at +02:00 */
	struct got g = {0};

	(void)state;
	run_file(FX "plaso-dpkg.log", "evidence/f/var/log/dpkg.log", &tl_dpkg_log, &m, &g);
	assert_int_equal(g.n, 4);
	assert_int_equal(g.rejects, 0);
	assert_string_equal(g.v[0].action, "package-conffile");
	assert_string_equal(g.v[0].resource, "/etc/X11/Xsession");
	ATTR(&g.v[0], "decision", "keep");
	assert_int_equal(g.v[0].ts, t("2009-02-25T09:45:23Z"));
	ATTR(&g.v[0], "tz", "+02:00");
	assert_string_equal(g.v[1].action, "dpkg-startup");
	ATTR(&g.v[1], "kind", "archives");
	ATTR(&g.v[1], "operation", "install");
	assert_string_equal(g.v[2].action, "package-install");
	assert_string_equal(g.v[2].resource, "base-passwd:amd64");
	ATTR(&g.v[2], "package", "base-passwd");
	ATTR(&g.v[2], "arch", "amd64");
	ATTR(&g.v[2], "version", "3.5.33");
	ATTR(&g.v[2], "old_version", ""); /* <none> */
	assert_int_equal(g.v[2].ts, t("2016-08-06T15:35:39Z"));
	assert_string_equal(g.v[3].action, "package-status");
	ATTR(&g.v[3], "state", "half-installed");
	assert_int_equal(g.v[3].line, 4);
	got_free(&g);
}

static void test_ubuntu_dpkg(void **state)
{
	struct tl_meta m = meta(0);
	struct got g = {0};
	size_t startup = 0, install = 0, status = 0, configure = 0, upgrade = 0;

	(void)state;
	run_file(FX "ubuntu-base-dpkg.log", "evidence/f/var/log/dpkg.log.1",
		 &tl_dpkg_log, &m, &g);
	assert_int_equal(g.n, 23); /* grep -c . */
	assert_int_equal(g.rejects, 0);
	for (size_t i = 0; i < g.n; i++) {
		startup += !strcmp(g.v[i].action, "dpkg-startup");
		install += !strcmp(g.v[i].action, "package-install");
		status += !strcmp(g.v[i].action, "package-status");
		configure += !strcmp(g.v[i].action, "package-configure");
		upgrade += !strcmp(g.v[i].action, "package-upgrade");
	}
	/* grep -c ' startup ', ' install ', ' status ', ' configure ', ' upgrade ' */
	assert_int_equal(startup, 3);
	assert_int_equal(install, 2);
	assert_int_equal(status, 14);
	assert_int_equal(configure, 3);
	assert_int_equal(upgrade, 1);
	/* line 16: "upgrade dpkg 1.19.7ubuntu3 1.19.7ubuntu3", no architecture */
	assert_string_equal(g.v[15].action, "package-upgrade");
	assert_string_equal(g.v[15].resource, "dpkg");
	ATTR(&g.v[15], "arch", "");
	ATTR(&g.v[15], "old_version", "1.19.7ubuntu3");
	ATTR(&g.v[15], "version", "1.19.7ubuntu3");
	assert_int_equal(g.v[22].ts, t("2020-07-31T16:57:18Z"));
	got_free(&g);
}

static void test_dpkg_rejects(void **state)
{
	static const char in[] =
		"2023-06-12 10:41:12 install libfoo:amd64 <none> 1.2-3\n"
		"\n"
		"2023-06-12 10:41:12 frobnicate libfoo:amd64 1 2\n"
		"2023-13-12 10:41:12 install libfoo:amd64 <none> 1.2-3\n"
		"2023-02-29 10:41:12 install libfoo:amd64 <none> 1.2-3\n"
		"2023-06-12 10:41:12 install libfoo:amd64\n"
		"2023-06-12 10:41:12 status installed\n"
		"Jun 12 10:41:12 host dpkg: not dpkg.log\n"
		"2023-06-12 10:41:12 purge libfoo:amd64 1.2-3 <none>\n";
	struct tl_meta m = meta(0);
	struct got g = {0};

	(void)state;
	m.tz_known = 0;
	run_buf(&tl_dpkg_log, &m, in, sizeof in - 1, &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.rejects, 7);
	assert_int_equal(g.reject_line[0], 2);
	assert_string_equal(g.reason[0], "empty line");
	assert_non_null(strstr(g.reason[1], "unknown action 'frobnicate'"));
	assert_non_null(strstr(g.reason[2], "out of range"));
	assert_non_null(strstr(g.reason[3], "out of range")); /* not a leap year */
	assert_non_null(strstr(g.reason[4], "two versions"));
	assert_non_null(strstr(g.reason[5], "status line"));
	assert_non_null(strstr(g.reason[6], "time stamp"));
	assert_string_equal(g.v[1].action, "package-purge");
	ATTR(&g.v[1], "old_version", "1.2-3");
	ATTR(&g.v[1], "version", "");
	ATTR(&g.v[1], "tz_assumed", "true");
	got_free(&g);
}

/* ---- apt history.log ---------------------------------------------------- */

static void test_plaso_history(void **state)
{
	struct tl_meta m = meta(0);
	struct got g = {0};
	size_t i;

	(void)state;
	run_file(FX "plaso-apt-history.log", "evidence/f/var/log/apt/history.log",
		 &tl_apt_history, &m, &g);
	/* 8 upgrades, 14 installs, 2 + 1 + 6 removals and purges */
	assert_int_equal(g.n, 31);
	assert_int_equal(g.rejects, 0);
	for (i = 0; i < 8; i++) {
		assert_string_equal(g.v[i].action, "package-upgrade");
		assert_int_equal(g.v[i].line, 4);
		assert_int_equal(g.v[i].ts, t("2019-07-10T16:38:08Z"));
		assert_null(g.v[i].actor); /* no Requested-By */
		assert_string_equal(g.v[i].outcome, "success");
	}
	assert_string_equal(g.v[0].resource, "libdns-export162:amd64");
	ATTR(&g.v[0], "old_version", "1:9.10.3.dfsg.P4-12.3+deb9u4");
	ATTR(&g.v[0], "version", "1:9.10.3.dfsg.P4-12.3+deb9u5");
	ATTR(&g.v[0], "commandline", "apt-get upgrade --no-install-recommends --assume-yes");
	ATTR(&g.v[0], "end_date", "2019-07-10  16:38:10");
	assert_string_equal(g.v[7].resource, "libssl1.0.2:amd64");
	for (; i < 22; i++) {
		assert_string_equal(g.v[i].action, "package-install");
		assert_int_equal(g.v[i].line, 9);
		assert_string_equal(g.v[i].outcome, "failure");
		ATTR(&g.v[i], "error", "Sub-process /usr/bin/dpkg returned an error code (1)");
	}
	assert_string_equal(g.v[8].resource, "containerd.io:amd64");
	ATTR(&g.v[8], "version", "1.2.6-3");
	ATTR(&g.v[8], "automatic", "");
	ATTR(&g.v[9], "package", "linux-headers-4.9.0-9-common");
	ATTR(&g.v[9], "version", "4.9.168-1+deb9u3");
	ATTR(&g.v[9], "automatic", "true");
	assert_string_equal(g.v[21].resource, "docker-ce-cli:amd64");
	ATTR(&g.v[21], "version", "5:18.09.7~3-0~debian-stretch");
	for (; i < 31; i++) {
		assert_string_equal(g.v[i].actor, "jxs");
		ATTR(&g.v[i], "uid", "1005");
		assert_string_equal(g.v[i].outcome, "success");
	}
	assert_string_equal(g.v[22].action, "package-remove");
	assert_string_equal(g.v[22].resource, "volatility:amd64");
	assert_int_equal(g.v[22].line, 16);
	assert_int_equal(g.v[22].ts, t("2019-07-12T04:12:20Z"));
	assert_string_equal(g.v[24].action, "package-purge");
	assert_string_equal(g.v[24].resource, "python-pytest:amd64");
	assert_int_equal(g.v[24].line, 22);
	assert_string_equal(g.v[30].resource, "python-jdcal:amd64");
	ATTR(&g.v[30], "version", "1.0-1.2~deb9u1");
	ATTR(&g.v[30], "commandline", "apt-get autoremove");
	assert_int_equal(g.v[30].line, 28);
	got_free(&g);
}

static void test_history_edges(void **state)
{
	static const char in[] =
		"Install: early:amd64 (1)\n"                       /* 1: no stanza */
		"Start-Date: 2023-06-12  10:41:10\n"               /* 2 */
		"Commandline: apt-get -y install foo\n"
		"Requested-By: alice (1000)\n"
		"Install: foo:amd64 (1.0), bar:amd64 (2.0\n"       /* 5: bar unclosed */
		"Frobnicate: yes\n"                                /* 6 */
		"Start-Date: 2023-06-12  10:42:00\n"               /* 7: no End-Date before */
		"Commandline: apt-get update-ish\n"
		"End-Date: 2023-06-12  10:42:01\n"                 /* 9: no package list */
		"\n"
		"Start-Date: 2023-06-12  10:43:00\n"               /* 11 */
		"Downgrade: baz:i386 (2.0, 1.0)\n";                /* 12: file ends */
	struct tl_meta m = meta(-5 * 3600);
	struct got g = {0};

	(void)state;
	run_buf(&tl_apt_history, &m, in, sizeof in - 1, &g);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.rejects, 3);
	assert_int_equal(g.reject_line[0], 1);
	assert_int_equal(g.reject_line[1], 6);
	assert_non_null(strstr(g.reason[1], "unknown field 'Frobnicate'"));
	assert_int_equal(g.reject_line[2], 5);
	assert_non_null(strstr(g.reason[2], "bad package entry"));
	/* foo: the stanza had no End-Date */
	assert_string_equal(g.v[0].resource, "foo:amd64");
	assert_string_equal(g.v[0].actor, "alice");
	assert_null(g.v[0].outcome);
	ATTR(&g.v[0], "end_missing", "true");
	assert_int_equal(g.v[0].ts, t("2023-06-12T15:41:10Z"));
	/* a run without a package list is still an event */
	assert_string_equal(g.v[1].action, "apt-run");
	assert_int_equal(g.v[1].line, 7);
	/* the last stanza, flushed at the end of the member */
	assert_string_equal(g.v[2].action, "package-downgrade");
	ATTR(&g.v[2], "old_version", "2.0");
	ATTR(&g.v[2], "version", "1.0");
	ATTR(&g.v[2], "arch", "i386");
	got_free(&g);
}

/* ---- apt term.log ------------------------------------------------------- */

static void test_ubuntu_term(void **state)
{
	struct tl_meta m = meta(0);
	struct got g = {0};
	char out[256];

	(void)state;
	run_file(FX "ubuntu-base-term.log", "evidence/f/var/log/apt/term.log",
		 &tl_apt_term, &m, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.rejects, 0);
	assert_int_equal(g.v[0].line, 2);
	assert_int_equal(g.v[0].ts, t("2022-06-12T10:40:39Z"));
	assert_string_equal(g.v[0].action, "apt-output");
	ATTR(&g.v[0], "lines", "22");
	ATTR(&g.v[0], "log_ended", "2022-06-12  10:42:17");
	assert_null(g.v[0].outcome);
	attr(&g.v[0], "output", out, sizeof out);
	{
		static const char first[] = "Selecting previously unselected package locales.\n(";
		assert_int_equal(strncmp(out, first, sizeof first - 1), 0);
	}
	got_free(&g);
}

static void test_term_edges(void **state)
{
	/* made: dpkg's error wording, a stanza cut by the end of the file */
	static const char in[] =
		"stray output\n"
		"\n"
		"Log started: 2023-06-12  10:41:10\n"
		"Setting up foo (1.0) ...\n"
		"dpkg: error processing package foo (--configure):\n"
		" installed foo package post-installation script subprocess returned error exit status 1\n"
		"Errors were encountered while processing:\n"
		" foo\n"
		"Log ended: 2023-06-12  10:41:12\n"
		"Log ended: 2023-06-12  10:41:13\n"
		"Log started: 2023-06-12  10:50:00\n"
		"Unpacking bar (2.0) ...\n";
	struct tl_meta m = meta(0);
	struct got g = {0};

	(void)state;
	run_buf(&tl_apt_term, &m, in, sizeof in - 1, &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.rejects, 2);
	assert_int_equal(g.reject_line[0], 1);
	assert_int_equal(g.reject_line[1], 10);
	assert_string_equal(g.v[0].outcome, "failure");
	ATTR(&g.v[0], "errors", "2");
	assert_string_equal(g.v[0].message,
			    "dpkg: error processing package foo (--configure):");
	ATTR(&g.v[1], "end_missing", "true");
	ATTR(&g.v[1], "lines", "1");
	got_free(&g);
}

/* ---- detection ---------------------------------------------------------- */

static void test_detect(void **state)
{
	static const struct {
		const char *member, *category, *head;
		const struct tl_parser *want;
	} d[] = {
		/* by the first line */
		{"evidence/x", NULL, "2016-08-06 17:35:39 install base-passwd:amd64 <none> 3.5.33",
		 &tl_dpkg_log},
		{"evidence/x", CF_CAT_SYSTEM_LOG, "2020-07-31 16:57:17 startup archives install",
		 &tl_dpkg_log},
		{"evidence/x", NULL, "\nStart-Date: 2019-07-10  16:38:08\nCommandline: x",
		 &tl_apt_history},
		{"evidence/x", NULL, "\nLog started: 2022-06-12  10:40:39\nx", &tl_apt_term},
		/* not dpkg.log: another verb, an RFC 3339 syslog line */
		{"evidence/x", NULL, "2016-08-06 17:35:39 frobnicate x", NULL},
		{"evidence/x", NULL, "2016-08-06T17:35:39+00:00 h sshd[1]: x", &tl_syslog},
		/* by name when the first line says nothing */
		{"evidence/f/var/log/dpkg.log.2.gz", NULL, "odd first line", &tl_dpkg_log},
		{"evidence/f/var/log/apt/term.log", NULL, "Selecting previously", &tl_apt_term},
		{"evidence/f/var/log/apt/history.log.1", NULL, "Commandline: x", &tl_apt_history},
		{"evidence/f/var/log/history.log", NULL, "Commandline: x", NULL},
		{"evidence/f/var/log/dpkg.logger", NULL, "odd first line", NULL},
		{"evidence/f/var/log/dpkg.log", CF_CAT_CONFIG, "odd first line", NULL},
		/* a first line of another format wins over the name */
		{"evidence/f/var/log/dpkg.log", NULL, "Mar  3 10:00:01 h x: y", &tl_syslog},
		/* a log category alone does not make a member syslog or an
		 * access log: a line of the first lines must look like one */
		{"evidence/x", CF_CAT_AUTH_LOG, "something else", NULL},
		{"evidence/x", CF_CAT_AUTH_LOG, "something else\nMar  3 10:00:01 h x: y",
		 &tl_syslog},
		{"evidence/x", CF_CAT_SYSTEM_LOG, "\tcontinued\n<13>Mar  3 10:00:01 h x: y",
		 &tl_syslog},
		{"evidence/x", CF_CAT_ACCESS_LOG, "junk\n1.2.3.4 - - [x] \"GET /\" 200 1",
		 &tl_access_log},
		{"evidence/x", CF_CAT_ACCESS_LOG, "junk\nmore junk", NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof d / sizeof d[0]; i++) {
		const struct tl_parser *p =
			tl_detect(d[i].member, d[i].category, NULL,
				  (const unsigned char *)d[i].head, strlen(d[i].head));
		if (p != d[i].want)
			fail_msg("row %zu (%s, '%s'): %s, not %s", i, d[i].member,
				 d[i].head, p ? p->name : "none",
				 d[i].want ? d[i].want->name : "none");
	}
}

static void test_detect_explain(void **state)
{
	static const char head[] = "2020-07-31 16:57:17 startup archives install\n";
	struct tl_detect_info info;
	const struct tl_parser *p;
	int dpkg = 0, name = 0;

	(void)state;
	p = tl_detect_explain("evidence/f/var/log/dpkg.log", CF_CAT_SYSTEM_LOG, NULL,
			      (const unsigned char *)head, sizeof head - 1, &info);
	assert_ptr_equal(p, &tl_dpkg_log);
	assert_ptr_equal(info.winner, &tl_dpkg_log);
	assert_null(info.content);
	assert_int_equal(info.len, sizeof head - 2);
	for (size_t i = 0; i < info.nbids; i++) {
		if (info.bids[i].parser == &tl_dpkg_log) {
			dpkg = info.bids[i].bid;
			assert_non_null(strstr(info.bids[i].why, "dpkg.log action"));
		} else if (info.bids[i].bid) {
			name++;
		}
	}
	assert_true(dpkg > 0);
	assert_int_equal(name, 0); /* syslog does not bid: no syslog line */

	/* nothing to bid on, and why */
	p = tl_detect_explain("evidence/x", NULL, "image/png",
			      (const unsigned char *)"x", 1, &info);
	assert_null(p);
	assert_null(info.winner);
	assert_non_null(strstr(info.content, "media"));
	p = tl_detect_explain("evidence/x", CF_CAT_SYSTEM_LOG, NULL,
			      (const unsigned char *)"\x01\x02\x03\x04", 4, &info);
	assert_null(p);
	assert_string_equal(info.content, "binary content");
	p = tl_detect_explain("evidence/x", CF_CAT_SYSTEM_LOG, NULL,
			      (const unsigned char *)"plain words", 11, &info);
	assert_null(p);
	assert_null(info.content); /* looked at; no parser wanted it */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plaso_dpkg),
		cmocka_unit_test(test_ubuntu_dpkg),
		cmocka_unit_test(test_dpkg_rejects),
		cmocka_unit_test(test_plaso_history),
		cmocka_unit_test(test_history_edges),
		cmocka_unit_test(test_ubuntu_term),
		cmocka_unit_test(test_term_edges),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_detect_explain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
