/* SPDX-License-Identifier: Apache-2.0
 *
 * Tests of the login record parser (timeline/utmp.c): wtmp, btmp and
 * lastlog files made by util-linux's `utmpdump -r` and a lastlog writer
 * (tests/fixtures/timeline/utmp/SOURCE.md), whose expected events were
 * read off `last -f`, `lastb -f` and shadow's `lastlog -R`, never off this
 * parser; records cut across blocks of every size; a truncated last
 * record; hostile fields (types out of range, unterminated and invalid
 * strings, garbage after a NUL); the bound on open logins; a sparse lastlog
 * read quickly; and detection by name and by record shape.
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
#include "casefile/time.h"
#include "../../timeline/tl.h"
#include "testutil.h"

#define FX FIXTURE_DIR "/timeline/utmp/"
#define UT 384
#define LL 292

struct ev {
	int64_t ts;
	char *source, *actor, *action, *outcome, *src_ip, *message, *attrs;
	uint64_t line, off;
};

struct got {
	struct ev *ev;
	size_t n, cap;
	size_t rejects;
	uint64_t reject_line[64], reject_off[64];
	char reason[64][256];
};

static char *xdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int on_event(void *arg, const struct cf_event *e)
{
	struct got *g = arg;
	struct ev *x;
	const char *txt[] = {e->source, e->host, e->actor, e->action, e->outcome,
			     e->src_ip, e->message, e->attrs};

	for (size_t i = 0; i < sizeof txt / sizeof txt[0]; i++)
		if (txt[i])
			assert_true(tl_utf8_ok(txt[i], strlen(txt[i])));
	if (e->attrs) {
		cJSON *j = cJSON_Parse(e->attrs);
		assert_true(cJSON_IsObject(j));
		cJSON_Delete(j);
	}
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 64;
		g->ev = realloc(g->ev, g->cap * sizeof *g->ev);
		assert_non_null(g->ev);
	}
	x = &g->ev[g->n++];
	x->ts = e->ts_us;
	x->source = xdup(e->source);
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
	if (g->rejects < 64) {
		g->reject_line[g->rejects] = r->line;
		g->reject_off[g->rejects] = r->offset;
		snprintf(g->reason[g->rejects], sizeof g->reason[0], "%s", r->reason);
	}
	g->rejects++;
	return 0;
}

static void got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++) {
		struct ev *x = &g->ev[i];
		free(x->source);
		free(x->actor);
		free(x->action);
		free(x->outcome);
		free(x->src_ip);
		free(x->message);
		free(x->attrs);
	}
	free(g->ev);
	memset(g, 0, sizeof *g);
}

/* A member read in blocks of `step` bytes (the last may be shorter). */
struct chunks {
	const unsigned char *p;
	size_t n, pos, step;
};

static long read_chunks(void *arg, struct cf_ctx *ctx, void *buf, size_t n)
{
	struct chunks *c = arg;
	size_t k = c->n - c->pos;

	(void)ctx;
	if (k > c->step)
		k = c->step;
	if (k > n)
		k = n;
	memcpy(buf, c->p + c->pos, k);
	c->pos += k;
	return (long)k;
}

/* Runs the parser over the bytes as member `member`, `step` bytes at a
 * time (0: one buffer); returns the records counted as lines. */
static int64_t run(const char *member, const void *p, size_t n, size_t step,
		   struct got *g)
{
	struct tl_meta m = {.archive = "00", .member = member, .tz_known = 1};
	struct tl_sink s = {on_event, on_reject, NULL, g};
	struct tl_run r;
	struct cf_ctx ctx;
	int64_t lines;

	cf_ctx_init(&ctx);
	assert_int_equal(tl_run_init(&r, &tl_utmp, &m, &s, &ctx), CF_OK);
	if (!step) {
		assert_int_equal(tl_run_buffer(&r, p, n), CF_OK);
	} else {
		struct chunks c = {p, n, 0, step};
		assert_int_equal(tl_run_stream(&r, NULL, 0, read_chunks, &c), CF_OK);
	}
	lines = r.lines;
	tl_run_release(&r);
	return lines;
}

static unsigned char *load(const char *name, size_t *n)
{
	unsigned char *p = (unsigned char *)tu_read_file(name, n);

	assert_non_null(p);
	return p;
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
	cJSON_Delete(j);
	return out;
}

static int64_t t(const char *rfc3339)
{
	int64_t us;

	assert_int_equal(cf_time_parse(rfc3339, -1, &us, NULL), CF_OK);
	return us;
}

static void str_eq(const char *got, const char *want)
{
	if (!want)
		assert_null(got);
	else
		assert_string_equal(got ? got : "(null)", want);
}

/* ---- wtmp made by utmpdump -r, read by last(1) ---------------------------- */

struct want {
	const char *action, *actor, *src_ip, *ts;
};

/* `last -f wtmp -w -x -i --time-format iso` (SOURCE.md), in file order */
static const struct want wtmp_want[] = {
	{"boot", NULL, NULL, "2026-03-01T08:00:05.412877Z"},
	{"runlevel", NULL, NULL, "2026-03-01T08:00:11.902115Z"},
	{"login", "root", NULL, "2026-03-01T08:03:40.001230Z"},
	{"login", "alice", "203.0.113.50", "2026-03-01T09:15:02.334455Z"},
	{"login", "bob", "2001:db8:4::17", "2026-03-01T09:20:47.000101Z"},
	{"logout", "alice", "203.0.113.50", "2026-03-01T10:45:02Z"},
	{"logout", "root", NULL, "2026-03-01T10:50:00.5Z"},
	{"login", "carol", "198.51.100.23", "2026-03-01T11:02:33Z"},
	{"logout", "bob", "2001:db8:4::17", "2026-03-01T11:30:00Z"},
	{"shutdown", NULL, NULL, "2026-03-01T12:00:00.25Z"},
	{"boot", NULL, NULL, "2026-03-01T12:01:09Z"},
	{"runlevel", NULL, NULL, "2026-03-01T12:01:15Z"},
	{"login", "alice", "203.0.113.50", "2026-03-01T13:00:00Z"},
};

static void check_wtmp(const struct got *g)
{
	char b[300];

	assert_int_equal(g->n, 13);
	assert_int_equal(g->rejects, 0);
	for (size_t i = 0; i < 13; i++) {
		const struct ev *e = &g->ev[i];
		str_eq(e->source, "wtmp");
		str_eq(e->action, wtmp_want[i].action);
		str_eq(e->actor, wtmp_want[i].actor);
		str_eq(e->src_ip, wtmp_want[i].src_ip);
		assert_int_equal(e->ts, t(wtmp_want[i].ts));
		assert_int_equal(e->line, i + 1);
		assert_int_equal(e->off, i * UT);
		if (!strcmp(e->action, "login") || !strcmp(e->action, "logout"))
			str_eq(e->outcome, "success");
	}
	/* the tty of each login, and the sessions last(1) pairs */
	assert_string_equal(attr(&g->ev[3], "tty", b, sizeof b), "pts/0");
	assert_string_equal(attr(&g->ev[3], "remote_host", b, sizeof b), "203.0.113.50");
	assert_string_equal(attr(&g->ev[3], "pid", b, sizeof b), "1234");
	assert_string_equal(attr(&g->ev[2], "tty", b, sizeof b), "tty1");
	assert_string_equal(attr(&g->ev[2], "remote_host", b, sizeof b), "");
	/* alice pts/0 09:15:02 - 10:45:02 (01:30) */
	assert_string_equal(attr(&g->ev[5], "login_record", b, sizeof b), "4");
	assert_string_equal(attr(&g->ev[5], "session_seconds", b, sizeof b), "5400");
	/* root tty1 08:03:40 - 10:50:00 (02:46) */
	assert_string_equal(attr(&g->ev[6], "login_record", b, sizeof b), "3");
	assert_string_equal(attr(&g->ev[6], "session_seconds", b, sizeof b), "9980");
	/* bob pts/1 09:20:47 - 11:30:00 (02:09) */
	assert_string_equal(attr(&g->ev[8], "login_record", b, sizeof b), "5");
	assert_string_equal(attr(&g->ev[8], "session_seconds", b, sizeof b), "7753");
	assert_string_equal(attr(&g->ev[8], "remote_host", b, sizeof b), "2001:db8:4::17");
	/* carol: a host name and an address; her session ends "down" */
	assert_string_equal(attr(&g->ev[7], "remote_host", b, sizeof b),
			    "vpn-gw.example.org");
	assert_string_equal(attr(&g->ev[0], "kernel", b, sizeof b), "6.1.0-18-amd64");
	/* "runlevel (to lvl 5)" */
	assert_string_equal(attr(&g->ev[1], "runlevel", b, sizeof b), "5");
	assert_string_equal(attr(&g->ev[6], "utmp_type", b, sizeof b), "DEAD_PROCESS");
}

static void test_wtmp(void **state)
{
	static const size_t steps[] = {0, 1, 7, 100, 383, 384, 385, 1000, 4991};
	struct got g = {0};
	size_t n;
	unsigned char *p = load(FX "wtmp", &n);

	(void)state;
	assert_int_equal(n, 13 * UT);
	/* whatever the blocks, records cut across them read the same */
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		assert_int_equal(run("evidence/auth-logs/var/log/wtmp", p, n,
				     steps[i], &g), 13);
		check_wtmp(&g);
		got_free(&g);
	}
	/* a rotated copy is wtmp too */
	run("evidence/auth-logs/var/log/wtmp.1", p, n, 0, &g);
	check_wtmp(&g);
	got_free(&g);
	free(p);
}

/* `lastb -f btmp -w -i`: every record is a failed login */
static void test_btmp(void **state)
{
	static const struct want want[] = {
		{"login", "admin", "203.0.113.77", "2026-03-02T03:11:40Z"},
		{"login", "admin", "203.0.113.77", "2026-03-02T03:11:44Z"},
		{"login", "root", "2001:db8:bad::66", "2026-03-02T03:12:05Z"},
		/* no address, a literal one in ut_host */
		{"login", "oracle", "192.0.2.200", "2026-03-02T03:12:30Z"},
		{"login", "alice", NULL, "2026-03-02T07:45:10Z"},
		/* no address, a name in ut_host: no source address */
		{"login", "ubuntu", NULL, "2026-03-02T08:00:00Z"},
	};
	struct got g = {0};
	size_t n;
	unsigned char *p = load(FX "btmp", &n);
	char b[300];

	(void)state;
	assert_int_equal(run("evidence/auth-logs/var/log/btmp", p, n, 50, &g), 6);
	assert_int_equal(g.n, 6);
	assert_int_equal(g.rejects, 0);
	for (size_t i = 0; i < 6; i++) {
		str_eq(g.ev[i].source, "btmp");
		str_eq(g.ev[i].action, want[i].action);
		str_eq(g.ev[i].outcome, "failure");
		str_eq(g.ev[i].actor, want[i].actor);
		str_eq(g.ev[i].src_ip, want[i].src_ip);
		assert_int_equal(g.ev[i].ts, t(want[i].ts));
		assert_int_equal(g.ev[i].line, i + 1);
		assert_int_equal(g.ev[i].off, i * UT);
	}
	assert_string_equal(attr(&g.ev[0], "tty", b, sizeof b), "ssh:notty");
	assert_string_equal(attr(&g.ev[4], "tty", b, sizeof b), "tty2");
	assert_string_equal(attr(&g.ev[5], "remote_host", b, sizeof b),
			    "scanner.example.net");
	got_free(&g);
	/* rotated btmp.1 is btmp */
	run("evidence/auth-logs/var/log/btmp.1", p, n, 0, &g);
	assert_int_equal(g.n, 6);
	str_eq(g.ev[1].outcome, "failure");
	got_free(&g);
	free(p);
}

/* util-linux's own test records (tests/ts/utmp/txt-a), every type */
static void test_util_linux_records(void **state)
{
	static const char *const actions[] = {
		"accounting", "logout", "login", "login-prompt", "process-start",
		"clock-change", "clock-change", "boot", "runlevel", "empty-record",
		"login", "logout", "shutdown", "boot", "shutdown", "boot",
		"login", "login", "logout"};
	struct got g = {0};
	size_t n;
	unsigned char *p = load(FX "util-linux-wtmp-a", &n);
	char b[64];

	(void)state;
	run("evidence/x/wtmp", p, n, 1000, &g);
	assert_int_equal(g.n, 19);
	assert_int_equal(g.rejects, 0);
	for (size_t i = 0; i < 19; i++)
		str_eq(g.ev[i].action, actions[i]);
	/* IPv4 root 198.41.0.4 13:00 - 14:00 (01:00) */
	str_eq(g.ev[11].actor, "IPv4");
	str_eq(g.ev[11].src_ip, "198.41.0.4");
	assert_string_equal(attr(&g.ev[11], "session_seconds", b, sizeof b), "3600");
	/* torvalds linux 128.214.205.14 1991-08-26T00:57:08 */
	str_eq(g.ev[16].actor, "torvalds");
	str_eq(g.ev[16].src_ip, "128.214.205.14");
	assert_int_equal(g.ev[16].ts, t("1991-08-26T00:57:08Z"));
	/* rick long 1970-01-01T00:00:00 - 2038-01-19T03:14:07 */
	assert_int_equal(g.ev[17].ts, 0);
	assert_int_equal(g.ev[18].ts, t("2038-01-19T03:14:07Z"));
	str_eq(g.ev[18].actor, "rick");
	assert_string_equal(attr(&g.ev[18], "session_seconds", b, sizeof b),
			    "2147483647");
	/* the logout of "foo" came before any login on it: its own user */
	str_eq(g.ev[1].actor, "dead_process");
	assert_string_equal(attr(&g.ev[1], "login_record", b, sizeof b), "");
	/* the login on "foo" was closed by the boot after it */
	got_free(&g);
	free(p);

	p = load(FX "util-linux-wtmp-ipv6", &n);
	run("evidence/x/wtmp", p, n, 0, &g);
	assert_int_equal(g.n, 2);
	str_eq(g.ev[0].src_ip, "2001:503:ba3e::2:30");
	str_eq(g.ev[1].actor, "IPv6");
	str_eq(g.ev[1].src_ip, "2001:503:ba3e::2:30");
	assert_string_equal(attr(&g.ev[1], "session_seconds", b, sizeof b), "610");
	got_free(&g);
	free(p);
}

/* A record cut by the end of the file is a reject naming it. */
static void test_truncated(void **state)
{
	struct got g = {0};
	size_t n;
	unsigned char *p = load(FX "wtmp", &n);

	(void)state;
	/* 12 records and 100 bytes of the 13th */
	run("evidence/auth-logs/var/log/wtmp", p, 12 * UT + 100, 64, &g);
	assert_int_equal(g.n, 12);
	assert_int_equal(g.rejects, 1);
	assert_int_equal(g.reject_line[0], 13);
	assert_int_equal(g.reject_off[0], 12 * UT);
	assert_non_null(strstr(g.reason[0], "record 13"));
	assert_non_null(strstr(g.reason[0], "truncated"));
	got_free(&g);
	/* less than one record */
	run("evidence/auth-logs/var/log/btmp", p, 10, 0, &g);
	assert_int_equal(g.n, 0);
	assert_int_equal(g.rejects, 1);
	assert_int_equal(g.reject_line[0], 1);
	got_free(&g);
	free(p);
}

static void put32(unsigned char *p, int32_t v)
{
	uint32_t u = (uint32_t)v;

	p[0] = (unsigned char)u;
	p[1] = (unsigned char)(u >> 8);
	p[2] = (unsigned char)(u >> 16);
	p[3] = (unsigned char)(u >> 24);
}

/* A USER_PROCESS record of user on line at time sec. */
static void ut_make(unsigned char *u, int type, const char *user,
		    const char *line, int32_t sec)
{
	memset(u, 0, UT);
	u[0] = (unsigned char)type;
	put32(u + 4, 4242);
	memcpy(u + 8, line, strnlen(line, 32));
	memcpy(u + 44, user, strnlen(user, 32));
	put32(u + 340, sec);
}

static void test_hostile(void **state)
{
	unsigned char f[12 * UT];
	struct got g = {0};
	char b[64], hb[300];

	(void)state;
	for (int i = 0; i < 12; i++)
		ut_make(f + i * UT, 7, "mallory", "pts/9", 1772323200 + i);
	f[0 * UT] = 42;                          /* type out of range */
	f[1 * UT] = 0xff, f[1 * UT + 1] = 0xff;  /* type -1 */
	put32(f + 2 * UT + 344, 1000000);        /* microseconds */
	put32(f + 3 * UT + 4, -5);               /* pid */
	f[4 * UT + 44 + 20] = 'x';               /* garbage after ut_user's NUL */
	f[5 * UT + 76 + 255] = 'y';              /* garbage in ut_host */
	f[6 * UT + 2] = 1;                       /* padding */
	/* a user that fills its field without a NUL (utmp(5)): kept */
	memset(f + 7 * UT + 44, 'A', 32);
	/* invalid UTF-8 and a terminal escape in the user name */
	memcpy(f + 8 * UT + 44, "\xff\xfe\x1b[2J", 7);
	/* a logout without a user, and no login on its tty */
	f[9 * UT] = 8;
	memset(f + 9 * UT + 44, 0, 32);
	memcpy(f + 9 * UT + 8, "pts/77", 6);
	/* an all-zero record (a cleared slot): nothing */
	memset(f + 10 * UT, 0, UT);
	/* a host that fills its 256 bytes */
	memset(f + 11 * UT + 76, 'h', 256);
	run("evidence/auth-logs/var/log/wtmp", f, sizeof f, 333, &g);
	assert_int_equal(g.rejects, 7);
	for (size_t i = 0; i < 7; i++) {
		char rec[32];
		assert_int_equal(g.reject_line[i], i + 1);
		assert_int_equal(g.reject_off[i], i * UT);
		snprintf(rec, sizeof rec, "record %zu ", i + 1);
		assert_non_null(strstr(g.reason[i], rec));
	}
	assert_non_null(strstr(g.reason[0], "type out of range"));
	assert_non_null(strstr(g.reason[1], "type out of range"));
	assert_non_null(strstr(g.reason[2], "microseconds"));
	assert_non_null(strstr(g.reason[3], "pid"));
	assert_non_null(strstr(g.reason[4], "ut_user"));
	assert_non_null(strstr(g.reason[5], "ut_host"));
	assert_non_null(strstr(g.reason[6], "padding"));
	assert_int_equal(g.n, 4);
	str_eq(g.ev[0].actor, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	assert_int_equal(g.ev[0].line, 8);
	str_eq(g.ev[1].actor, "\xef\xbf\xbd\xef\xbf\xbd\x1b[2J");
	str_eq(g.ev[2].action, "logout");
	str_eq(g.ev[2].actor, NULL);
	assert_string_equal(attr(&g.ev[2], "login_record", b, sizeof b), "");
	assert_int_equal(g.ev[3].line, 12);
	assert_int_equal(strlen(attr(&g.ev[3], "remote_host", hb, sizeof hb)), 256);
	got_free(&g);
}

/* More open logins than the table holds: the oldest are forgotten, the
 * rest still paired. */
static void test_many_sessions(void **state)
{
	enum { N = 600 };
	unsigned char *f = calloc(2 * N, UT);
	struct got g = {0};
	char line[32], b[64];

	(void)state;
	assert_non_null(f);
	for (int i = 0; i < N; i++) {
		snprintf(line, sizeof line, "pts/%d", i);
		ut_make(f + (size_t)i * UT, 7, "u", line, 1000 + i);
		ut_make(f + (size_t)(N + i) * UT, 8, "", line, 5000 + i);
	}
	run("evidence/x/wtmp", f, (size_t)2 * N * UT, 0, &g);
	assert_int_equal(g.n, 2 * N);
	assert_int_equal(g.rejects, 0);
	str_eq(g.ev[N].actor, NULL);         /* pts/0: forgotten */
	str_eq(g.ev[2 * N - 1].actor, "u");  /* pts/599: paired */
	assert_string_equal(attr(&g.ev[2 * N - 1], "login_record", b, sizeof b), "600");
	got_free(&g);
	free(f);
}

/* `lastlog -R` over the fixture: root tty1, alice, bob, carol */
static void test_lastlog(void **state)
{
	static const struct {
		uint64_t uid;
		const char *tty, *src_ip, *host, *ts;
	} want[] = {
		{0, "tty1", NULL, "", "2026-03-01T08:03:40Z"},
		{1000, "pts/0", "203.0.113.50", "203.0.113.50", "2026-03-01T13:00:00Z"},
		{1001, "pts/1", "2001:db8:4::17", "2001:db8:4::17", "2026-03-01T09:20:47Z"},
		{1002, "pts/0", NULL, "vpn-gw.example.org", "2026-03-01T11:02:33Z"},
	};
	struct got g = {0};
	size_t n;
	unsigned char *p = load(FX "lastlog", &n);
	char b[300], actor[32];

	(void)state;
	assert_int_equal(n, 1003 * LL);
	assert_int_equal(run("evidence/auth-logs/var/log/lastlog", p, n, 4096, &g), 4);
	assert_int_equal(g.n, 4);
	assert_int_equal(g.rejects, 0);
	for (size_t i = 0; i < 4; i++) {
		snprintf(actor, sizeof actor, "uid:%llu", (unsigned long long)want[i].uid);
		str_eq(g.ev[i].source, "lastlog");
		str_eq(g.ev[i].action, "last-login");
		str_eq(g.ev[i].actor, actor);
		str_eq(g.ev[i].src_ip, want[i].src_ip);
		assert_int_equal(g.ev[i].ts, t(want[i].ts));
		assert_int_equal(g.ev[i].line, want[i].uid + 1);
		assert_int_equal(g.ev[i].off, want[i].uid * LL);
		assert_string_equal(attr(&g.ev[i], "tty", b, sizeof b), want[i].tty);
		assert_string_equal(attr(&g.ev[i], "remote_host", b, sizeof b), want[i].host);
	}
	got_free(&g);
	free(p);
}

/* A sparse lastlog of a host with a large uid: zeros up to the record,
 * read in blocks without holding the member. */
struct zeros {
	uint64_t size, pos;
	const unsigned char *tail; /* the last record */
};

static long read_zeros(void *arg, struct cf_ctx *ctx, void *buf, size_t n)
{
	struct zeros *z = arg;
	uint64_t left = z->size - z->pos;
	size_t k = left < n ? (size_t)left : n;

	(void)ctx;
	memset(buf, 0, k);
	if (z->pos + k > z->size - LL)
		for (size_t i = 0; i < k; i++) {
			uint64_t at = z->pos + i;
			if (at >= z->size - LL)
				((unsigned char *)buf)[i] = z->tail[at - (z->size - LL)];
		}
	z->pos += k;
	return (long)k;
}

static void test_lastlog_sparse(void **state)
{
	/* uid 2 000 000 (a directory user): 584 MB; less under valgrind */
	uint64_t uid = tu_memcheck() ? 20000 : 2000000;
	unsigned char rec[LL] = {0};
	struct zeros z = {(uid + 1) * LL, 0, rec};
	struct tl_meta m = {.archive = "00", .member = "evidence/a/var/log/lastlog"};
	struct got g = {0};
	struct tl_sink s = {on_event, on_reject, NULL, &g};
	struct tl_run r;
	struct cf_ctx ctx;
	char actor[32];

	(void)state;
	put32(rec, 1772323200);
	memcpy(rec + 4, "pts/3", 5);
	memcpy(rec + 36, "10.1.2.3", 8);
	cf_ctx_init(&ctx);
	assert_int_equal(tl_run_init(&r, &tl_utmp, &m, &s, &ctx), CF_OK);
	assert_int_equal(tl_run_stream(&r, NULL, 0, read_zeros, &z), CF_OK);
	tl_run_release(&r);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.rejects, 0);
	snprintf(actor, sizeof actor, "uid:%llu", (unsigned long long)uid);
	str_eq(g.ev[0].actor, actor);
	str_eq(g.ev[0].src_ip, "10.1.2.3");
	assert_int_equal(g.ev[0].line, uid + 1);
	assert_int_equal(g.ev[0].off, uid * LL);
	got_free(&g);
}

static void test_detect(void **state)
{
	size_t n, nl, nt;
	unsigned char *w = load(FX "wtmp", &n);
	unsigned char *l = load(FX "lastlog", &nl);
	char *txt = tu_read_file(FX "wtmp.txt", &nt);
	unsigned char junk[4 * UT];

	(void)state;
	assert_non_null(txt);
	/* by name */
	assert_ptr_equal(tl_detect("evidence/auth-logs/var/log/wtmp", "auth-log",
				   NULL, w, n), &tl_utmp);
	assert_ptr_equal(tl_detect("evidence/auth-logs/var/log/btmp.1", "auth-log",
				   NULL, w, n), &tl_utmp);
	assert_ptr_equal(tl_detect("evidence/auth-logs/var/log/wtmp-20260301",
				   "auth-log", NULL, w, n), &tl_utmp);
	assert_ptr_equal(tl_detect("evidence/auth-logs/var/log/lastlog", "auth-log",
				   NULL, l, nl), &tl_utmp);
	/* an empty wtmp: nothing to misread */
	assert_ptr_equal(tl_detect("evidence/auth-logs/var/log/wtmp", "auth-log",
				   NULL, w, 0), &tl_utmp);
	/* by the shape of its records, whatever its name */
	assert_ptr_equal(tl_detect("evidence/files/home/bob/copy.bin", NULL, NULL,
				   w, n), &tl_utmp);
	/* a text dump named like wtmp is not read as records */
	assert_ptr_not_equal(tl_detect("evidence/files/tmp/wtmp.txt", NULL, NULL,
				       (unsigned char *)txt, nt), &tl_utmp);
	/* neither names that merely start alike, nor binary junk */
	assert_ptr_not_equal(tl_detect("evidence/a/var/lib/lastlog/lastlog2.db",
				       NULL, NULL, l, nl), &tl_utmp);
	memset(junk, 0x01, sizeof junk);
	junk[0] = 7, junk[1] = 0, junk[2] = 0, junk[3] = 0;
	assert_ptr_not_equal(tl_detect("evidence/x/blob", NULL, NULL, junk,
				       sizeof junk), &tl_utmp);
	memset(junk, 0, sizeof junk);
	assert_ptr_not_equal(tl_detect("evidence/x/blob", NULL, NULL, junk,
				       sizeof junk), &tl_utmp);
	/* casefile's own members are never bid on */
	assert_ptr_not_equal(tl_detect("casefile/wtmp", NULL, NULL, w, n), &tl_utmp);
	free(w);
	free(l);
	free(txt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wtmp),
		cmocka_unit_test(test_btmp),
		cmocka_unit_test(test_util_linux_records),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_many_sessions),
		cmocka_unit_test(test_lastlog),
		cmocka_unit_test(test_lastlog_sparse),
		cmocka_unit_test(test_detect),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
