/* SPDX-License-Identifier: Apache-2.0
 *
 * Tests of the systemd journal parser (timeline/journal.c) on journal
 * files written by systemd's own tool: tests/fixtures/timeline/journal/
 * debian12.export (Journal Export Format, see its SOURCE.md) is turned
 * into a journal file with systemd-journal-remote at run time, in a
 * scratch folder, and fed to the parser as a member's bytes. The expected
 * values are read from the export text by hand, and entry offsets are
 * checked against the file's own bytes (an entry object, type 3, carrying
 * the entry's sequence number). Damaged copies (cut, bytes overwritten)
 * must give the entries before the damage and a reject.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "casefile/error.h"
#include "testutil.h"
#include "../../timeline/tl.h"

#define EXPORT FIXTURE_DIR "/timeline/journal/debian12.export"
#define ENTRIES 14

struct ev {
	int64_t ts;
	char *source, *host, *actor, *action, *outcome, *src_ip, *message,
		*attrs;
	uint64_t line, off;
};

struct got {
	struct ev ev[64];
	size_t n, rejects;
	char reasons[4][256];
};

static char *xdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int on_event(void *arg, const struct cf_event *e)
{
	struct got *g = arg;
	struct ev *x;
	const char *txt[] = {e->source, e->host, e->actor, e->action,
			     e->outcome, e->src_ip, e->message, e->attrs};

	for (size_t i = 0; i < sizeof txt / sizeof txt[0]; i++)
		if (txt[i])
			assert_true(tl_utf8_ok(txt[i], strlen(txt[i])));
	if (e->attrs) {
		cJSON *j = cJSON_Parse(e->attrs);
		assert_true(cJSON_IsObject(j));
		cJSON_Delete(j);
	}
	assert_true(g->n < sizeof g->ev / sizeof g->ev[0]);
	x = &g->ev[g->n++];
	x->ts = e->ts_us;
	x->source = xdup(e->source);
	x->host = xdup(e->host);
	x->actor = xdup(e->actor);
	x->action = xdup(e->action);
	x->outcome = xdup(e->outcome);
	x->src_ip = xdup(e->src_ip);
	x->message = xdup(e->message);
	x->attrs = xdup(e->attrs);
	x->line = e->line;
	x->off = e->offset;
	return 0;
}

static int on_reject(void *arg, const struct cf_reject *r)
{
	struct got *g = arg;

	assert_non_null(r->reason);
	assert_true(tl_utf8_ok(r->reason, strlen(r->reason)));
	if (g->rejects < 4)
		snprintf(g->reasons[g->rejects], sizeof g->reasons[0], "%s",
			 r->reason);
	g->rejects++;
	return 0;
}

static void got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++) {
		struct ev *x = &g->ev[i];
		char *f[] = {x->source, x->host, x->actor, x->action, x->outcome,
			     x->src_ip, x->message, x->attrs};
		for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
			free(f[k]);
	}
	memset(g, 0, sizeof *g);
}

static const char *attr(const struct ev *e, const char *key, char *out,
			size_t n)
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

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The offset of the nth (1-based) entry object, walking the objects from
 * the header's end: the file format's own layout, independently of the
 * parser. */
static uint64_t nth_entry(const unsigned char *f, size_t len, int nth)
{
	uint64_t o = le64(f + 88);

	while (o + 16 <= len) {
		uint64_t sz = le64(f + o + 8);
		if (sz < 16)
			break;
		if (f[o] == 3 && --nth == 0)
			return o;
		o += (sz + 7) & ~(uint64_t)7;
	}
	fail_msg("entry object not found");
	return 0;
}

/* The fixture as a journal file, written by systemd-journal-remote. */
static unsigned char *make_journal(size_t *len)
{
	static const char *const tools[] = {
		"/lib/systemd/systemd-journal-remote",
		"/usr/lib/systemd/systemd-journal-remote",
	};
	char *dir = tu_tempdir(), *out = tu_path(dir, "fixture.journal");
	unsigned char *f;
	const char *tool = NULL;
	pid_t pid;
	int status;

	for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++)
		if (!access(tools[i], X_OK))
			tool = tools[i];
	if (!tool)
		fail_msg("systemd-journal-remote is not installed "
			 "(debian-packages.txt [test])");
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		if (!freopen("/dev/null", "w", stderr))
			_exit(127);
		execl(tool, tool, "--output", out, EXPORT, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	f = (unsigned char *)tu_read_file(out, len);
	assert_non_null(f);
	free(out);
	tu_rmtree(dir);
	return f;
}

static struct tl_sshd *sshd;

static int setup(void **state)
{
	struct cf_ctx ctx;

	(void)state;
	tu_init();
	cf_ctx_init(&ctx);
	return tl_sshd_new(&ctx, &sshd) == CF_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	tl_sshd_free(sshd);
	sshd = NULL;
	return 0;
}

/* Runs the journal parser over the bytes, in blocks as a member is read. */
static void run(const unsigned char *f, size_t len, struct got *g)
{
	struct tl_meta m = {.archive = "00",
			    .member = "evidence/journal-files/var/log/journal/"
				      "3d1219c7c4c5404aaa1f6d2a48adfda4/system.journal",
			    .host = "collector-host", .sshd = sshd};
	struct tl_sink s = {on_event, on_reject, NULL, g};
	struct tl_run r;
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	memset(g, 0, sizeof *g);
	assert_int_equal(tl_run_init(&r, &tl_journal, &m, &s, &ctx), CF_OK);
	assert_int_equal(tl_run_buffer(&r, f, len), CF_OK);
	tl_run_release(&r);
}

static void test_entries_and_fields(void **state)
{
	size_t len;
	unsigned char *f = make_journal(&len);
	struct got g;
	char b[256];

	(void)state;
	run(f, len, &g);
	assert_int_equal(g.rejects, 0);
	assert_int_equal(g.n, ENTRIES);
	for (size_t i = 0; i < g.n; i++) {
		const struct ev *e = &g.ev[i];
		/* line: the entry's sequence number (1.. in this file);
		 * offset: its entry object */
		assert_int_equal(e->line, i + 1);
		assert_int_equal(e->off, nth_entry(f, len, (int)i + 1));
		assert_int_equal(f[e->off], 3);
		assert_int_equal(le64(f + e->off + 16), i + 1); /* seqnum */
		assert_int_equal(strtoull(attr(e, "seqnum", b, sizeof b), NULL, 10),
				 i + 1);
		assert_non_null(strstr(attr(e, "cursor", b, sizeof b), ";i="));
		assert_string_equal(e->host, "ehr-web01"); /* _HOSTNAME */
		assert_string_equal(attr(e, "boot_id", b, sizeof b),
				    "6f0a4c3e1d2b4a5f8e7d6c5b4a392817");
		assert_string_equal(attr(e, "tz", b, sizeof b), "+00:00");
	}
	/* 2025-03-11T10:45:00Z, the kernel's banner */
	assert_int_equal(g.ev[0].ts, 1741689900000000LL);
	assert_string_equal(attr(&g.ev[0], "program", b, sizeof b), "kernel");
	assert_string_equal(attr(&g.ev[0], "transport", b, sizeof b), "kernel");
	assert_string_equal(attr(&g.ev[0], "pid", b, sizeof b), "");
	assert_string_equal(g.ev[0].source, "journal");
	assert_true(!strncmp(g.ev[0].message, "Linux version 6.1.0-31-amd64 ", 29));
	/* sshd's unit, pid and priority */
	assert_int_equal(g.ev[2].ts, 1741689960000000LL);
	assert_string_equal(attr(&g.ev[2], "unit", b, sizeof b), "ssh.service");
	assert_string_equal(attr(&g.ev[2], "pid", b, sizeof b), "901");
	assert_string_equal(attr(&g.ev[2], "priority", b, sizeof b), "6");
	/* sudo's own message, as journald stored it */
	assert_string_equal(attr(&g.ev[7], "program", b, sizeof b), "sudo");
	assert_string_equal(g.ev[7].message,
			    "    fred : TTY=pts/0 ; PWD=/home/fred ; USER=root ; "
			    "COMMAND=/usr/bin/systemctl restart nginx");
	assert_string_equal(attr(&g.ev[9], "program", b, sizeof b), "su");
	assert_string_equal(g.ev[9].message, "(to root) fred on pts/0");
	assert_string_equal(attr(&g.ev[6], "program", b, sizeof b), "systemd-logind");
	assert_string_equal(g.ev[6].message, "New session 4 of user fred.");
	/* no SYSLOG_IDENTIFIER: the program is _COMM; a binary MESSAGE
	 * (invalid UTF-8 and a NUL) is sanitised and marked */
	assert_string_equal(attr(&g.ev[11], "program", b, sizeof b), "inferd");
	assert_string_equal(attr(&g.ev[11], "unit", b, sizeof b), "inferd.service");
	assert_string_equal(attr(&g.ev[11], "message_binary", b, sizeof b), "true");
	assert_string_equal(g.ev[11].message,
			    "model loaded: sepsis-risk\xef\xbf\xbdv7");
	got_free(&g);
	free(f);
}

/* sshd's messages mean what they mean in auth.log. */
static void test_sshd_interpreted(void **state)
{
	size_t len;
	unsigned char *f = make_journal(&len);
	struct got g;

	(void)state;
	run(f, len, &g);
	assert_int_equal(g.n, ENTRIES);
	/* Failed password for root from 188.124.3.41 port 32889 ssh2 */
	assert_string_equal(g.ev[2].source, "sshd");
	assert_string_equal(g.ev[2].action, "login");
	assert_string_equal(g.ev[2].outcome, "failure");
	assert_string_equal(g.ev[2].actor, "root");
	assert_string_equal(g.ev[2].src_ip, "188.124.3.41");
	/* Failed password for invalid user webmaster from 173.234.31.186 */
	assert_string_equal(g.ev[3].outcome, "failure");
	assert_string_equal(g.ev[3].actor, "webmaster");
	assert_string_equal(g.ev[3].src_ip, "173.234.31.186");
	/* Accepted publickey for fred from 192.0.2.60 port 59915 ssh2: RSA ... */
	assert_string_equal(g.ev[4].source, "sshd");
	assert_string_equal(g.ev[4].action, "login");
	assert_string_equal(g.ev[4].outcome, "success");
	assert_string_equal(g.ev[4].actor, "fred");
	assert_string_equal(g.ev[4].src_ip, "192.0.2.60");
	/* a program no row knows stays a plain journal event */
	assert_string_equal(g.ev[11].source, "journal");
	assert_null(g.ev[11].outcome);
	got_free(&g);
	free(f);
}

/* A copy cut in the middle of the 8th entry: the 7 before it are read,
 * the cut and the missing entries are rejects. */
static void test_truncated(void **state)
{
	size_t len;
	unsigned char *f = make_journal(&len);
	size_t cut = nth_entry(f, len, 8) + 24;
	struct got g;

	(void)state;
	run(f, cut, &g);
	assert_int_equal(g.n, 7);
	for (size_t i = 0; i < g.n; i++)
		assert_int_equal(g.ev[i].line, i + 1);
	assert_string_equal(g.ev[4].actor, "fred");
	assert_int_equal(g.rejects, 2);
	assert_non_null(strstr(g.reasons[0], "truncated"));
	assert_non_null(strstr(g.reasons[1], "the header counts 14 entries, "
				 "sd-journal could read 7"));
	got_free(&g);
	/* cut inside the header: nothing to read, said once */
	run(f, 100, &g);
	assert_int_equal(g.n, 0);
	assert_int_equal(g.rejects, 1);
	assert_non_null(strstr(g.reasons[0], "sd-journal says"));
	got_free(&g);
	free(f);
}

/* Bytes overwritten in the middle of the entries (the 8th entry object's
 * header): sd-journal skips that entry; the others are kept, under their
 * own sequence numbers, and the damage is a reject. */
static void test_flipped(void **state)
{
	size_t len;
	unsigned char *f = make_journal(&len);
	size_t at = nth_entry(f, len, 8), next = nth_entry(f, len, 9);
	struct got g;

	(void)state;
	for (size_t i = 0; i < 16; i++)
		f[at + i] ^= 0xa5;
	run(f, len, &g);
	assert_int_equal(g.n, ENTRIES - 1);
	for (size_t i = 0; i < g.n; i++)
		assert_int_equal(g.ev[i].line, i < 7 ? i + 1 : i + 2);
	assert_string_equal(g.ev[6].message, "New session 4 of user fred.");
	assert_string_equal(g.ev[7].message, "pam_unix(sudo:session): session "
			    "opened for user root(uid=0) by fred(uid=1000)");
	assert_int_equal(g.ev[7].off, next);
	assert_int_equal(g.rejects, 1);
	assert_non_null(strstr(g.reasons[0], "the header counts 14 entries, "
				 "sd-journal could read 13"));
	got_free(&g);
	free(f);
}

static void test_not_a_journal(void **state)
{
	static const char junk[] = "LPKSHHRH this is not a journal file";
	struct got g;

	(void)state;
	run((const unsigned char *)junk, sizeof junk - 1, &g);
	assert_int_equal(g.n, 0);
	assert_int_equal(g.rejects, 1);
	assert_non_null(strstr(g.reasons[0], "not a readable journal file"));
	got_free(&g);
	run((const unsigned char *)"", 0, &g);
	assert_int_equal(g.n, 0);
	assert_int_equal(g.rejects, 1);
	got_free(&g);
}

/* The journal's magic chooses the parser, whatever the name or category. */
static void test_detect(void **state)
{
	size_t len;
	unsigned char *f = make_journal(&len);

	(void)state;
	assert_ptr_equal(tl_detect("evidence/journal-files/var/log/journal/m/"
				   "system.journal", "system-log",
				   "application/octet-stream", f, 4096),
			 &tl_journal);
	assert_ptr_equal(tl_detect("evidence/journal-files/run/log/journal/m/"
				   "system@0005f-1.journal~", NULL, NULL, f, 4096),
			 &tl_journal);
	assert_ptr_equal(tl_detect("evidence/files/tmp/copy.bin", "auth-log",
				   NULL, f, 8), &tl_journal);
	/* casefile's own members are never parsed by content */
	assert_ptr_equal(tl_detect("casefile/x", NULL, NULL, f, 4096), NULL);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries_and_fields),
		cmocka_unit_test(test_sshd_interpreted),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_flipped),
		cmocka_unit_test(test_not_a_journal),
		cmocka_unit_test(test_detect),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
