/* SPDX-License-Identifier: Apache-2.0
 *
 * Tests of the timeline parsers on real third-party logs (see
 * tests/fixtures/timeline/SOURCE.md) and on hostile input. For every file
 * each line must end as an event or a counted reject, and the fields must
 * match upstream's own expected output where there is one: loghub's
 * human-labelled structured CSV (as JSON lines), auparse's reference event
 * grouping, lnav's JSON rendering of an access log.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/evidence.h"
#include "casefile/json.h"
#include "casefile/time.h"
#include "../../timeline/tl.h"

#define FX FIXTURE_DIR "/timeline/"

struct ev {
	int64_t ts;
	char *source, *host, *actor, *actor_role, *action, *outcome, *patient, *resource,
		*src_ip, *model, *model_version, *decision, *message, *attrs;
	uint64_t line, off;
	double score;
	int has_score;
};

struct got {
	struct ev *ev;
	size_t n, cap;
	size_t rejects, patients;
	char last_reason[256];
	uint64_t reject_lines[64];
	char patient_state[8][8];
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
			     e->patient, e->resource, e->src_ip, e->model,
			     e->model_version, e->decision, e->message, e->attrs};

	for (size_t i = 0; i < sizeof txt / sizeof txt[0]; i++)
		if (txt[i])
			assert_true(tl_utf8_ok(txt[i], strlen(txt[i])));
	if (e->attrs) { /* attributes are always a valid JSON object */
		cJSON *j = cJSON_Parse(e->attrs);
		assert_non_null(j);
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
	x->host = xdup(e->host);
	x->actor = xdup(e->actor);
	x->actor_role = xdup(e->actor_role);
	x->action = xdup(e->action);
	x->outcome = xdup(e->outcome);
	x->patient = xdup(e->patient);
	x->resource = xdup(e->resource);
	x->src_ip = xdup(e->src_ip);
	x->model = xdup(e->model);
	x->model_version = xdup(e->model_version);
	x->decision = xdup(e->decision);
	x->message = xdup(e->message);
	x->attrs = xdup(e->attrs);
	x->line = e->line;
	x->off = e->offset;
	x->score = e->score;
	x->has_score = e->has_score;
	return 0;
}

static int on_reject(void *arg, const struct cf_reject *r)
{
	struct got *g = arg;

	assert_non_null(r->reason);
	assert_true(r->line > 0 || r->offset == 0);
	if (g->rejects < 64)
		g->reject_lines[g->rejects] = r->line;
	g->rejects++;
	snprintf(g->last_reason, sizeof g->last_reason, "%s", r->reason);
	return 0;
}

static int on_patient(void *arg, const struct cf_patient *p)
{
	struct got *g = arg;

	if (g->patients < 8)
		snprintf(g->patient_state[g->patients], 8, "%s",
			 p->state ? p->state : "");
	g->patients++;
	return 0;
}

static void got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++) {
		struct ev *x = &g->ev[i];
		char *f[] = {x->source, x->host, x->actor, x->actor_role, x->action, x->outcome,
			     x->patient, x->resource, x->src_ip, x->model,
			     x->model_version, x->decision, x->message, x->attrs};
		for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
			free(f[k]);
	}
	free(g->ev);
	memset(g, 0, sizeof *g);
}

/* The sshd patterns, compiled once for the group as the builder does. */
static struct tl_sshd *sshd;

static int sshd_setup(void **state)
{
	struct cf_ctx ctx;

	(void)state;
	cf_ctx_init(&ctx);
	return tl_sshd_new(&ctx, &sshd) == CF_OK ? 0 : -1;
}

static int sshd_teardown(void **state)
{
	(void)state;
	tl_sshd_free(sshd);
	sshd = NULL;
	return 0;
}

static struct tl_meta meta(void)
{
	struct tl_meta m = {.archive = "00", .member = "evidence/x", .sshd = sshd};
	cf_time_parse("2026-01-02T00:00:00Z", -1, &m.ref_us, NULL);
	m.tz_known = 1;
	return m;
}

/* Runs parser p over a buffer; returns the number of lines seen. */
static int64_t run_buf(const struct tl_parser *p, const struct tl_meta *m,
		       const void *buf, size_t len, struct got *g)
{
	struct tl_sink s = {on_event, on_reject, on_patient, g};
	struct tl_run r;
	struct cf_ctx ctx;
	int64_t lines;

	cf_ctx_init(&ctx);
	assert_int_equal(tl_run_init(&r, p, m, &s, &ctx), CF_OK);
	assert_int_equal(tl_run_buffer(&r, buf, len), CF_OK);
	lines = r.lines;
	tl_run_release(&r);
	return lines;
}

static int64_t run_file(const struct tl_parser *p, const struct tl_meta *m,
			const char *path, struct got *g)
{
	struct cf_buf b;
	struct cf_ctx ctx;
	int64_t n;

	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	assert_int_equal(cf_buf_read_file(&ctx, &b, path, 0), CF_OK);
	if (p == NULL) { /* detect like the builder does */
		p = tl_detect("evidence/x", NULL, NULL, (unsigned char *)b.data, b.len);
		assert_non_null(p);
	}
	n = run_buf(p, m, b.data ? b.data : "", b.len, g);
	cf_buf_release(&b);
	return n;
}

static cJSON **load_jsonl(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	cJSON **v = NULL;

	assert_non_null(f);
	*n = 0;
	while (getline(&line, &cap, f) > 0) {
		v = realloc(v, (*n + 1) * sizeof *v);
		v[*n] = cJSON_Parse(line);
		assert_non_null(v[*n]);
		(*n)++;
	}
	free(line);
	fclose(f);
	return v;
}

static void free_jsonl(cJSON **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cJSON_Delete(v[i]);
	free(v);
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

static const struct ev *by_line(const struct got *g, uint64_t line)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->ev[i].line == line)
			return &g->ev[i];
	return NULL;
}

static void rtrim(char *s)
{
	size_t n = strlen(s);
	while (n && s[n - 1] == ' ')
		s[--n] = '\0';
}

/* ---- loghub ------------------------------------------------------------- */

static void test_loghub_linux(void **state)
{
	struct tl_meta m = meta();
	struct got g = {0};
	size_t nrows;
	cJSON **rows = load_jsonl(FX "loghub/Linux_2k.structured.jsonl", &nrows);
	int64_t lines;
	char buf[512], t[CF_TIME_STR];

	(void)state;
	lines = run_file(&tl_syslog, &m, FX "loghub/Linux_2k.log", &g);
	assert_int_equal(lines, 2000);
	assert_int_equal(nrows, 2000);
	assert_int_equal(g.n + g.rejects, 2000);
	for (size_t i = 0; i < nrows; i++) {
		const struct ev *e = by_line(&g, i + 1);
		char want[600];
		const char *pid = cf_json_str(rows[i], "PID", "");
		assert_non_null(e);
		assert_string_equal(e->host, cf_json_str(rows[i], "Level", ""));
		assert_string_equal(attr(e, "program", buf, sizeof buf),
				    cf_json_str(rows[i], "Component", ""));
		assert_string_equal(attr(e, "pid", buf, sizeof buf), pid);
		snprintf(want, sizeof want, "%s", cf_json_str(rows[i], "Content", ""));
		rtrim(want);
		assert_string_equal(e->message, want);
		/* "Jun 14 15:16:01" -> 2025-06-14T15:16:01 (year before the ref) */
		cf_time_format(e->ts, t);
		snprintf(want, sizeof want, "%s", cf_json_str(rows[i], "Time", ""));
		assert_memory_equal(t + 11, want, 8);
		{
			static const char mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
			const char *mo = strstr(mon, cf_json_str(rows[i], "Month", "x"));
			int mm = mo ? (int)(mo - mon) / 3 + 1 : 0;
			assert_int_equal((t[5] - '0') * 10 + (t[6] - '0'), mm);
			assert_int_equal((t[8] - '0') * 10 + (t[9] - '0'),
					 atoi(cf_json_str(rows[i], "Date", "0")));
		}
	}
	free_jsonl(rows, nrows);
	got_free(&g);
}

static void test_loghub_openssh(void **state)
{
	struct tl_meta m = meta();
	struct got g = {0};
	size_t nrows, failures = 0, accepted = 0;
	cJSON **rows = load_jsonl(FX "loghub/OpenSSH_2k.structured.jsonl", &nrows);
	char buf[512];
	const struct ev *e;

	(void)state;
	assert_int_equal(run_file(NULL, &m, FX "loghub/OpenSSH_2k.log", &g), 2000);
	assert_int_equal(g.n, 2000);
	assert_int_equal(g.rejects, 0);
	for (size_t i = 0; i < nrows; i++) {
		char want[600];
		e = by_line(&g, i + 1);
		assert_non_null(e);
		assert_string_equal(e->host, cf_json_str(rows[i], "Component", ""));
		assert_string_equal(attr(e, "pid", buf, sizeof buf),
				    cf_json_str(rows[i], "Pid", ""));
		snprintf(want, sizeof want, "%s", cf_json_str(rows[i], "Content", ""));
		rtrim(want);
		assert_string_equal(e->message, want);
		assert_string_equal(attr(e, "program", buf, sizeof buf), "sshd");
		{ /* Date "Dec", Day "10", Time "06:55:46" */
			char t[CF_TIME_STR];
			cf_time_format(e->ts, t);
			assert_memory_equal(t + 11, cf_json_str(rows[i], "Time", ""), 8);
			assert_int_equal(atoi(t + 8), atoi(cf_json_str(rows[i], "Day", "0")));
			assert_int_equal(atoi(t + 5),
					 tl_month(cf_json_str(rows[i], "Date", "xxx")));
		}
		if (e->outcome && !strcmp(e->outcome, "failure"))
			failures++;
		if (e->outcome && !strcmp(e->outcome, "success") &&
		    !strcmp(e->action, "login"))
			accepted++;
	}
	e = by_line(&g, 2); /* Invalid user webmaster from 173.234.31.186 */
	assert_string_equal(e->actor, "webmaster");
	assert_string_equal(e->src_ip, "173.234.31.186");
	assert_string_equal(e->outcome, "failure");
	assert_string_equal(e->action, "login");
	assert_true(failures > 500); /* a brute-force log */
	free_jsonl(rows, nrows);
	got_free(&g);
}

static void test_loghub_apache_error(void **state)
{
	struct tl_meta m = meta();
	struct got g = {0};
	size_t nrows;
	cJSON **rows = load_jsonl(FX "loghub/Apache_2k.structured.jsonl", &nrows);
	char buf[512], t[CF_TIME_STR];

	(void)state;
	assert_int_equal(run_file(NULL, &m, FX "loghub/Apache_2k.log", &g), 2000);
	if (g.rejects)
		fail_msg("reject: %s", g.last_reason);
	assert_int_equal(g.n, 2000);
	for (size_t i = 0; i < nrows; i++) {
		const struct ev *e = by_line(&g, i + 1);
		char want[600];
		assert_non_null(e);
		assert_string_equal(attr(e, "level", buf, sizeof buf),
				    cf_json_str(rows[i], "Level", ""));
		snprintf(want, sizeof want, "%s", cf_json_str(rows[i], "Content", ""));
		rtrim(want);
		assert_string_equal(e->message, want);
		{ /* "Sun Dec 04 04:47:44 2005" */
			const char *tm = cf_json_str(rows[i], "Time", "");
			cf_time_format(e->ts, t);
			assert_memory_equal(t, tm + 20, 4);
			assert_int_equal(atoi(t + 5), tl_month(tm + 4));
			assert_int_equal(atoi(t + 8), atoi(tm + 8));
			assert_memory_equal(t + 11, tm + 11, 8);
		}
	}
	cf_time_format(g.ev[0].ts, t);
	assert_string_equal(t, "2005-12-04T04:47:44.000000Z");
	free_jsonl(rows, nrows);
	got_free(&g);
}

static void test_loghub_healthapp_rejected(void **state)
{
	struct tl_meta m = meta();
	struct got g = {0};

	(void)state;
	/* no parser knows this pipe-separated app format: every line counted */
	assert_int_equal(run_file(&tl_syslog, &m, FX "loghub/HealthApp_2k.log", &g),
			 2000);
	assert_int_equal(g.n, 0);
	assert_int_equal(g.rejects, 2000);
	got_free(&g);
}

/* ---- auditd ------------------------------------------------------------- */

/* Records per event from auparse_test.ref, between two section titles. */
static size_t ref_groups(const char *from, const char *to, int *out, size_t max)
{
	struct cf_buf b;
	struct cf_ctx ctx;
	char *p, *end;
	size_t n = 0;

	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	assert_int_equal(cf_buf_read_file(&ctx, &b, FX "auparse/auparse_test.ref", 0),
			 CF_OK);
	p = strstr(b.data, from);
	end = strstr(p, to);
	assert_non_null(p);
	assert_non_null(end);
	while ((p = strstr(p, "\nevent ")) && p < end && n < max) {
		int k, recs;
		if (sscanf(p, "\nevent %d has %d records", &k, &recs) == 2)
			out[n++] = recs;
		p++;
	}
	cf_buf_release(&b);
	return n;
}

static void check_auditd(const char *file, const char *from, const char *to)
{
	struct tl_meta m = meta();
	struct got g = {0};
	int want[64];
	size_t nw = ref_groups(from, to, want, 64);
	char buf[64];
	int64_t lines;

	lines = run_file(NULL, &m, file, &g);
	assert_int_equal(g.n, nw);
	for (size_t i = 0; i < g.n; i++)
		assert_int_equal(atoi(attr(&g.ev[i], "records", buf, sizeof buf)), want[i]);
	{
		int64_t recs = 0;
		for (size_t i = 0; i < g.n; i++)
			recs += atoi(attr(&g.ev[i], "records", buf, sizeof buf));
		assert_int_equal(recs + (int64_t)g.rejects, lines);
	}
	got_free(&g);
}

static void test_auparse_grouping(void **state)
{
	struct tl_meta m = meta();
	struct got g = {0};
	char buf[128], t[CF_TIME_STR];

	(void)state;
	check_auditd(FX "auparse/test.log", "Starting Test 4", "Test 4 Done");
	check_auditd(FX "auparse/test4.log", "Starting Test 11", "Test 11 Done");
	/* Test 5 walks test2.log then test.log: its first events are test2's */
	{
		struct tl_meta m2 = meta();
		struct got g2 = {0};
		int want[64];
		size_t nw = ref_groups("Starting Test 5", "Test 5 Done", want, 64);
		char b2[64];
		int64_t lines = run_file(NULL, &m2, FX "auparse/test2.log", &g2);
		assert_true(nw > g2.n);
		for (size_t i = 0; i < g2.n; i++)
			assert_int_equal(atoi(attr(&g2.ev[i], "records", b2, sizeof b2)), want[i]);
		assert_true(lines > 0);
		got_free(&g2);
		lines = run_file(NULL, &m2, FX "auparse/test3.log", &g2);
		{
			int64_t recs = 0;
			for (size_t i = 0; i < g2.n; i++)
				recs += atoi(attr(&g2.ev[i], "records", b2, sizeof b2));
			assert_int_equal(recs + (int64_t)g2.rejects, lines);
		}
		got_free(&g2);
	}
	run_file(&tl_auditd, &m, FX "auparse/test.log", &g);
	/* event 1: AVC+SYSCALL+CWD+PATH, 1170021493.977:293, syscall 2 = open */
	cf_time_format(g.ev[0].ts, t);
	assert_string_equal(t, "2007-01-28T21:58:13.977000Z");
	assert_string_equal(attr(&g.ev[0], "serial", buf, sizeof buf), "293");
	assert_string_equal(attr(&g.ev[0], "types", buf, sizeof buf),
			    "AVC,SYSCALL,CWD,PATH");
	assert_string_equal(attr(&g.ev[0], "syscall", buf, sizeof buf), "open");
	assert_string_equal(g.ev[0].outcome, "failure");
	assert_string_equal(attr(&g.ev[0], "auid_name", buf, sizeof buf), "unset");
	/* event 2: USER_ACCT acct=root res=success */
	assert_string_equal(g.ev[1].actor, "root");
	assert_string_equal(g.ev[1].outcome, "success");
	got_free(&g);
}

static void test_auditd_enriched_and_malformed(void **state)
{
	struct tl_meta m = meta();
	struct got g = {0};
	char buf[128];
	int64_t lines;

	(void)state;
	lines = run_file(NULL, &m, FX "plaso/audit_enriched.log", &g);
	assert_true(g.n > 0);
	assert_string_equal(g.ev[0].actor, "specimenuser");
	assert_string_equal(g.ev[0].outcome, "failure");
	assert_non_null(strstr(attr(&g.ev[0], "enriched", buf, sizeof buf), "AUID=\"root\""));
	assert_true((int64_t)(g.n + g.rejects) <= lines);
	got_free(&g);
	lines = run_file(&tl_auditd, &m, FX "plaso/selinux.log", &g);
	assert_true(g.rejects >= 2); /* missing milliseconds, empty date, no type */
	{
		int64_t recs = 0;
		for (size_t i = 0; i < g.n; i++)
			recs += atoi(attr(&g.ev[i], "records", buf, sizeof buf));
		assert_int_equal(recs + (int64_t)g.rejects, lines);
	}
	got_free(&g);
}

/* ---- syslog (plaso) ----------------------------------------------------- */

static void all_lines_accounted(const char *file)
{
	struct tl_meta m = meta();
	struct got g = {0};
	int64_t lines = run_file(NULL, &m, file, &g), covered = 0;
	char buf[32];

	/* a syslog event with continuation lines covers "lines" of them */
	for (size_t i = 0; i < g.n; i++) {
		const char *k = attr(&g.ev[i], "lines", buf, sizeof buf);
		covered += *k ? atoi(k) : 1;
	}
	assert_int_equal(covered + (int64_t)g.rejects, lines);
	got_free(&g);
}

static void test_plaso_syslog_files(void **state)
{
	static const char *const files[] = {
		"syslog", "syslog_chromeos", "syslog_cron.log", "syslog_osx",
		"syslog_rsyslog", "syslog_rsyslog_ForwardFormat",
		"syslog_rsyslog_SysklogdFileFormat",
		"syslog_rsyslog_SyslogProtocol23Format",
		"syslog_rsyslog_TraditionalForwardFormat",
		"syslog_rsyslog_traditional", "syslog_ssh.log"};
	char path[512];

	(void)state;
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, FX "plaso/syslog/%s", files[i]);
		all_lines_accounted(path);
	}
	all_lines_accounted(FX "lnav/logfile_syslog.0");
}

static void test_rfc5424_and_ssh(void **state)
{
	struct tl_meta m = meta();
	struct got g = {0};
	char buf[128], t[CF_TIME_STR];
	const struct ev *e;

	(void)state;
	run_file(NULL, &m, FX "plaso/syslog/syslog_rsyslog_SyslogProtocol23Format", &g);
	assert_string_equal(g.ev[0].host, "hostname");
	assert_string_equal(attr(&g.ev[0], "program", buf, sizeof buf), "log_tag");
	assert_string_equal(attr(&g.ev[0], "msgid", buf, sizeof buf), "123");
	assert_string_equal(g.ev[0].message, "this is debug");
	cf_time_format(g.ev[0].ts, t);
	assert_string_equal(t, "2021-03-06T04:07:38.251122Z");
	assert_true(g.rejects >= 1); /* "with another line" continuation */
	got_free(&g);

	run_file(NULL, &m, FX "plaso/syslog/syslog_ssh.log", &g);
	e = by_line(&g, 2);
	assert_string_equal(e->source, "sshd");
	assert_string_equal(e->actor, "plaso");
	assert_string_equal(e->src_ip, "192.168.0.1");
	assert_string_equal(e->outcome, "success");
	assert_string_equal(attr(e, "method", buf, sizeof buf), "publickey");
	e = by_line(&g, 3);
	assert_string_equal(e->src_ip, "2001:0db8:0a0b:12f0:0000:0000:0000:0001");
	e = by_line(&g, 4);
	assert_string_equal(e->outcome, "failure");
	got_free(&g);
}

static void test_year_inference(void **state)
{
	static const char log[] = "Dec 31 23:59:59 h a: one\n"
				  "Jan  1 00:00:01 h a: two\n"
				  "Feb 29 00:00:01 h a: leap\n";
	struct tl_meta m = meta(); /* ref 2026-01-02 */
	struct got g = {0};
	char t[CF_TIME_STR];

	(void)state;
	m.tz_offset_s = 3600; /* host at UTC+1 */
	run_buf(&tl_syslog, &m, log, sizeof log - 1, &g);
	assert_int_equal(g.n, 3);
	cf_time_format(g.ev[0].ts, t);
	assert_string_equal(t, "2025-12-31T22:59:59.000000Z");
	cf_time_format(g.ev[1].ts, t);
	assert_string_equal(t, "2025-12-31T23:00:01.000000Z");
	/* Feb 29 2026 does not exist, and 2028 is after the reference: the
	 * nearest leap year before it (this used to be a reject) */
	assert_int_equal(g.rejects, 0);
	cf_time_format(g.ev[2].ts, t);
	assert_string_equal(t, "2024-02-28T23:00:01.000000Z");
	got_free(&g);
}

static void test_compressed(void **state)
{
	static const char *const f[] = {"syslog.gz", "syslog.bz2", "syslog.xz"};
	struct tl_meta m = meta();
	size_t first = 0;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct cf_buf b, plain;
		struct cf_ctx ctx;
		struct tl_unpack *u;
		struct got g = {0};
		char path[512], blk[4096];
		long got;

		cf_ctx_init(&ctx);
		cf_buf_init(&b);
		cf_buf_init(&plain);
		snprintf(path, sizeof path, FX "plaso/compressed/%s", f[i]);
		assert_int_equal(cf_buf_read_file(&ctx, &b, path, 0), CF_OK);
		assert_true(tl_is_compressed((unsigned char *)b.data, b.len));
		assert_int_equal(tl_unpack_open(&ctx, b.data, b.len, NULL, NULL, NULL, &u), CF_OK);
		while ((got = tl_unpack_read(u, &ctx, blk, sizeof blk)) > 0)
			cf_buf_append(&plain, blk, (size_t)got);
		assert_int_equal(got, 0);
		tl_unpack_close(u);
		run_buf(&tl_syslog, &m, plain.data, plain.len, &g);
		assert_true(g.n > 5);
		if (!first)
			first = g.n;
		assert_int_equal(g.n, first); /* same content in every container */
		got_free(&g);
		cf_buf_release(&b);
		cf_buf_release(&plain);
	}
}

/* ---- web ---------------------------------------------------------------- */

/* Reads a compressed fixture through tl_unpack with a budget: the bytes
 * handed out, the last read's result, and the message. */
static long unpack_all(const char *name, struct tl_unpack_budget *bg,
		       size_t *out, char *msg, size_t msglen)
{
	struct cf_buf b;
	struct cf_ctx ctx;
	struct tl_unpack *u;
	char path[512], blk[64];
	long got;

	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	snprintf(path, sizeof path, FX "plaso/compressed/%s", name);
	assert_int_equal(cf_buf_read_file(&ctx, &b, path, 0), CF_OK);
	assert_int_equal(tl_unpack_open(&ctx, b.data, b.len, NULL, NULL, bg, &u),
			 CF_OK);
	*out = 0;
	while ((got = tl_unpack_read(u, &ctx, blk, sizeof blk)) > 0)
		*out += (size_t)got;
	snprintf(msg, msglen, "%s", got < 0 ? cf_errmsg(&ctx) : "");
	/* once stopped, it stays stopped */
	if (got < 0)
		assert_int_equal(tl_unpack_read(u, &ctx, blk, sizeof blk), -1);
	tl_unpack_close(u);
	cf_buf_release(&b);
	return got;
}

/* The absolute limits on a rotated log: bytes per member, and bytes of
 * every member of a build; what is handed out never passes either. */
static void test_unpack_limits(void **state)
{
	struct tl_unpack_budget all = TL_UNPACK_BUDGET_INIT;
	struct tl_unpack_budget bg;
	size_t plain, got;
	char msg[512];

	(void)state;
	assert_int_equal(unpack_all("syslog.gz", &all, &plain, msg, sizeof msg), 0);
	assert_true(plain > 1000);
	assert_int_equal(all.used, plain);

	bg = (struct tl_unpack_budget){100, UINT64_MAX, 0};
	assert_int_equal(unpack_all("syslog.xz", &bg, &got, msg, sizeof msg), -1);
	assert_true(got <= 100);
	assert_non_null(strstr(msg, "limit of 100 decompressed bytes per member"));

	/* the build's budget: the first member fits, the second is cut */
	bg = (struct tl_unpack_budget){UINT64_MAX, plain + plain / 2, 0};
	assert_int_equal(unpack_all("syslog.gz", &bg, &got, msg, sizeof msg), 0);
	assert_int_equal(got, plain);
	assert_int_equal(unpack_all("syslog.bz2", &bg, &got, msg, sizeof msg), -1);
	assert_true(got <= plain / 2);
	assert_true(bg.used <= bg.build_max);
	assert_non_null(strstr(msg, "rotated logs per build"));
	/* and every member after it stops at once */
	assert_int_equal(unpack_all("syslog.gz", &bg, &got, msg, sizeof msg), -1);
	assert_true(got <= plain / 2);
}

/* The formats casefile does not decode are named, never decoded. */
static void test_foreign_compression(void **state)
{
	(void)state;
	assert_string_equal(tl_foreign_compression((const unsigned char *)
						   "LRZI\0\6", 6), "lrzip");
	assert_string_equal(tl_foreign_compression((const unsigned char *)
						   "\x04\x22\x4d\x18\x64", 5), "lz4");
	assert_string_equal(tl_foreign_compression((const unsigned char *)
						   "\x89LZO\0\r\n\x1a\n", 9), "lzop");
	assert_string_equal(tl_foreign_compression((const unsigned char *)
						   "\x1f\x9d\x90", 3), "compress (.Z)");
	assert_null(tl_foreign_compression((const unsigned char *)"\x1f\x8b", 2));
	assert_null(tl_foreign_compression((const unsigned char *)"LRZ", 3));
	assert_null(tl_foreign_compression((const unsigned char *)"Mar  1", 6));
}

static void test_access_log_lnav(void **state)
{
	struct tl_meta m = meta();
	struct got g = {0};
	struct cf_buf b;
	struct cf_ctx ctx;
	cJSON *want, *w;
	char buf[256], t[CF_TIME_STR];
	size_t i = 0;

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_equal(cf_json_parse_file(&ctx, FX "lnav/expected/access_log_as_json.out",
					    1 << 20, &want), CF_OK);
	run_file(NULL, &m, FX "lnav/logfile_access_log.0", &g);
	assert_int_equal(g.n, cJSON_GetArraySize(want));
	cJSON_ArrayForEach(w, want) {
		const struct ev *e = &g.ev[i++];
		cf_time_format(e->ts, t);
		/* "2009-07-20 22:59:26.000000" */
		assert_memory_equal(t, cf_json_str(w, "log_time", ""), 10);
		assert_memory_equal(t + 11, cf_json_str(w, "log_time", "") + 11, 15);
		assert_string_equal(e->src_ip, cf_json_str(w, "c_ip", ""));
		assert_string_equal(e->action, cf_json_str(w, "cs_method", ""));
		assert_string_equal(e->resource, cf_json_str(w, "cs_uri_stem", ""));
		assert_string_equal(attr(e, "protocol", buf, sizeof buf),
				    cf_json_str(w, "cs_version", ""));
		assert_int_equal(atoi(attr(e, "status", buf, sizeof buf)),
				 (int)cf_json_int(w, "sc_status", -1));
		assert_int_equal(atoi(attr(e, "bytes", buf, sizeof buf)),
				 (int)cf_json_int(w, "sc_bytes", -1));
		assert_string_equal(attr(e, "user_agent", buf, sizeof buf),
				    cf_json_str(w, "cs_user_agent", ""));
		assert_string_equal(attr(e, "referer", buf, sizeof buf), "");
		assert_string_equal(e->outcome,
				    cf_json_int(w, "sc_status", 0) < 400 ? "success" : "failure");
	}
	cJSON_Delete(want);
	got_free(&g);
	cf_buf_init(&b);
	cf_buf_release(&b);
}

static void test_access_log_plaso(void **state)
{
	struct tl_meta m = meta();
	struct got g = {0};
	char buf[128];
	int64_t lines;
	int vhost = 0;

	(void)state;
	lines = run_file(NULL, &m, FX "plaso/apache_access.log", &g);
	assert_int_equal((int64_t)(g.n + g.rejects), lines);
	assert_true(g.rejects >= 1); /* the malformed line */
	for (size_t i = 0; i < g.n; i++)
		if (attr(&g.ev[i], "vhost", buf, sizeof buf)[0])
			vhost++;
	assert_true(vhost > 0);
	got_free(&g);
}

/* ---- JSON --------------------------------------------------------------- */

static void test_fhir_auditevent(void **state)
{
	struct tl_meta m = meta();
	struct got g = {0};
	char t[CF_TIME_STR], buf[128];

	(void)state;
	run_file(NULL, &m, FX "fhir/audit-event-example-vread.json", &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.rejects, 0);
	assert_string_equal(g.ev[0].source, "fhir-auditevent");
	assert_string_equal(g.ev[0].actor, "95");
	assert_string_equal(g.ev[0].patient, "example");
	assert_string_equal(g.ev[0].action, "vread");
	assert_string_equal(g.ev[0].outcome, "success");
	assert_string_equal(g.ev[0].src_ip, "Workstation1.ehr.familyclinic.com");
	assert_string_equal(attr(&g.ev[0], "action_code", buf, sizeof buf), "R");
	cf_time_format(g.ev[0].ts, t);
	assert_string_equal(t, "2013-06-20T23:42:24.000000Z");
	got_free(&g);
	run_file(NULL, &m, FX "fhir/audit-event-example-login.json", &g);
	assert_int_equal(g.n, 1);
	assert_null(g.ev[0].patient);
	got_free(&g);
	run_file(NULL, &m, FX "fhir/audit-event-example-search.json", &g);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.ev[0].action, "search");
	got_free(&g);
}

static void test_fhir_ndjson_bundle_patients(void **state)
{
	static const char nd[] =
		"{\"resourceType\":\"Patient\",\"id\":\"p1\",\"address\":[{\"state\":\"MA\"}]}\n"
		"{\"resourceType\":\"Patient\",\"id\":\"p2\"}\n"
		"{\"resourceType\":\"AuditEvent\",\"recorded\":\"2026-03-02T10:00:00Z\","
		"\"outcome\":\"4\",\"agent\":[{\"requestor\":true,\"who\":{\"reference\":"
		"\"Practitioner/pract-0666\"},\"network\":{\"address\":\"203.0.113.77\"}}],"
		"\"entity\":[{\"what\":{\"reference\":\"Patient/p1/Observation\"}}]}\n"
		"{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":"
		"\"AuditEvent\",\"recorded\":\"2026-03-02T10:00:01Z\",\"outcome\":\"0\","
		"\"agent\":[{\"requestor\":true,\"who\":{\"identifier\":{\"value\":\"u9\"}}}],"
		"\"entity\":[{\"what\":{\"reference\":\"Patient/p2/_history/3\"}}]}}]}\n"
		"{\"resourceType\":\"AuditEvent\",\"recorded\":\"2026-03-0\n";
	struct tl_meta m = meta();
	struct got g = {0};
	char buf[128];

	(void)state;
	assert_int_equal(run_buf(&tl_json, &m, nd, sizeof nd - 1, &g), 5);
	assert_int_equal(g.patients, 2);
	assert_string_equal(g.patient_state[0], "MA");
	assert_string_equal(g.patient_state[1], "");
	/* p1's record shows a State and nothing else; p2's shows nothing and
	 * is no event */
	assert_int_equal(g.n, 3);
	assert_string_equal(g.ev[0].source, "fhir-patient");
	assert_string_equal(g.ev[0].patient, "p1");
	assert_non_null(strstr(g.ev[0].attrs, "\"elements\":[\"State of residence\"]"));
	assert_string_equal(g.ev[1].actor, "pract-0666");
	assert_string_equal(g.ev[1].patient, "p1");
	assert_string_equal(g.ev[1].outcome, "failure");
	assert_string_equal(g.ev[1].src_ip, "203.0.113.77");
	assert_string_equal(attr(&g.ev[1], "resource_types", buf, sizeof buf),
			    "Observation");
	assert_string_equal(g.ev[2].actor, "u9");
	assert_string_equal(g.ev[2].patient, "p2");
	assert_int_equal(g.rejects, 1); /* truncated JSON */
	assert_non_null(strstr(g.last_reason, "invalid JSON"));
	got_free(&g);
}

/* The identifying elements of the FHIR specification's Patient examples,
 * read off each resource by hand (fixtures/timeline/fhir/SOURCE.md). */
static void test_fhir_patient_elements(void **state)
{
	static const struct {
		const char *patient, *elements, *ts;
	} want[] = {
		{"mom", "[\"name\",\"address\",\"date of birth\",\"telephone number\","
		 "\"Social Security number\"]", "2012-05-29T23:45:32.000000Z"},
		{"f001", "[\"name\",\"address\",\"date of birth\",\"telephone number\","
		 "\"e-mail address\",\"other identifier\"]", NULL},
		{"f201", "[\"name\",\"address\",\"date of birth\",\"telephone number\","
		 "\"other identifier\",\"photograph\"]", NULL},
		{"example", "[\"name\",\"address\",\"date of birth\",\"telephone number\","
		 "\"medical record number\"]", NULL},
	};
	struct tl_meta m = meta();
	struct got g = {0};
	char t[CF_TIME_STR];

	(void)state;
	run_file(NULL, &m, FX "fhir/patient-examples.ndjson", &g);
	assert_int_equal(g.rejects, 0);
	assert_int_equal(g.patients, 4);
	assert_int_equal(g.n, 4);
	for (size_t i = 0; i < 4; i++) {
		cJSON *a = cJSON_Parse(g.ev[i].attrs), *e = cJSON_Parse(want[i].elements);

		assert_string_equal(g.ev[i].source, "fhir-patient");
		assert_string_equal(g.ev[i].action, "patient-record");
		assert_string_equal(g.ev[i].patient, want[i].patient);
		assert_int_equal(g.ev[i].line, i + 1);
		assert_true(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(a, "elements"), e, 1));
		if (want[i].ts)
			assert_string_equal(cf_time_format(g.ev[i].ts, t), want[i].ts);
		else
			assert_int_equal(g.ev[i].ts, m.ref_us);
		cJSON_Delete(a);
		cJSON_Delete(e);
	}
	got_free(&g);
}

static void test_cloudtrail(void **state)
{
	struct tl_meta m = meta();
	struct got g = {0};
	char t[CF_TIME_STR];

	(void)state;
	run_file(NULL, &m, FX "cloudtrail/test-console-login-json.log", &g);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.ev[0].actor, "JohnDoe");
	assert_string_equal(g.ev[0].outcome, "success");
	assert_string_equal(g.ev[0].action, "ConsoleLogin");
	assert_string_equal(g.ev[0].src_ip, "89.160.20.156");
	assert_string_equal(g.ev[1].outcome, "failure");
	assert_string_equal(g.ev[2].outcome, "failure");
	assert_string_equal(g.ev[2].actor_role, "AssumedRole");
	got_free(&g);
	run_file(NULL, &m, FX "plaso/jsonl/aws_cloudtrail.jsonl", &g);
	assert_int_equal(g.n + g.rejects, 6);
	assert_int_equal(g.n, 6);
	assert_string_equal(g.ev[0].action, "DescribeInstances");
	assert_string_equal(g.ev[0].actor, "fakeusername");
	cf_time_format(g.ev[0].ts, t);
	assert_string_equal(t, "2022-02-07T22:23:37.000000Z");
	got_free(&g);
	/* a Records[] file, pretty-printed over several lines */
	{
		static const char doc[] = "{\n \"Records\": [\n  {\"eventVersion\":\"1.08\","
					  "\"eventTime\":\"2026-03-01T00:00:00Z\",\"eventName\":"
					  "\"GetObject\",\"userIdentity\":{\"userName\":\"a\"},"
					  "\"errorCode\":\"AccessDenied\"}\n ]\n}\n";
		run_buf(&tl_json, &m, doc, sizeof doc - 1, &g);
		assert_int_equal(g.n, 1);
		assert_string_equal(g.ev[0].outcome, "failure");
		got_free(&g);
	}
}

static void test_lnav_json_lines(void **state)
{
	struct tl_meta m = meta();
	struct got g = {0};
	int64_t lines;

	(void)state;
	lines = run_file(NULL, &m, FX "lnav/logfile_json.json", &g);
	assert_int_equal((int64_t)(g.n + g.rejects), lines);
	assert_int_equal(g.rejects, 1); /* "ts": "xxx" */
	assert_int_equal(g.reject_lines[0], 6);
	assert_string_equal(g.ev[2].actor, "steve@example.com");
	assert_string_equal(g.ev[0].message, "trace test");
	got_free(&g);
	lines = run_file(NULL, &m, FX "lnav/logfile_bunyan.0", &g);
	assert_int_equal((int64_t)(g.n + g.rejects), lines);
	assert_true(g.n > 0);
	got_free(&g);
	lines = run_file(NULL, &m, FX "plaso/jsonl/json_line.log", &g);
	assert_int_equal((int64_t)(g.n + g.rejects), lines);
	got_free(&g);
}

static void test_decisions(void **state)
{
	static const char log[] =
		"{\"time\":\"2026-03-02T10:00:00.5Z\",\"model\":\"sepsis-risk\","
		"\"model_version\":\"7\",\"patient\":\"Patient/p1\",\"input_ref\":\"r1\","
		"\"output\":\"high\",\"score\":0.91,\"threshold\":0.8,\"user\":\"pract-1\","
		"\"override\":null,\"request_id\":\"q1\"}\n"
		"{\"time\":\"2026-03-02T10:01:00Z\",\"model\":\"sepsis-risk\","
		"\"model_version\":\"7\",\"patient\":\"p2\",\"output\":\"low\",\"score\":0.1,"
		"\"override\":{\"by\":\"pract-2\",\"decision\":\"high\",\"reason\":\"x\"}}\n"
		"{\"time\":\"10000-01-01T00:00:00Z\",\"model\":\"m\"}\n"
		"{\"model\":\"m\",\"output\":\"x\"}\n";
	struct tl_meta m = meta();
	struct got g = {0};
	char buf[256];

	(void)state;
	m.category = "model-decision";
	run_buf(&tl_json, &m, log, sizeof log - 1, &g);
	/* the 2 decisions, then sepsis-risk@7's in-service first and last */
	assert_int_equal(g.n, 4);
	assert_int_equal(g.rejects, 2); /* out-of-range time, no time */
	assert_string_equal(g.ev[0].model, "sepsis-risk");
	assert_string_equal(g.ev[0].model_version, "7");
	assert_string_equal(g.ev[0].patient, "p1");
	assert_string_equal(g.ev[0].decision, "high");
	assert_true(g.ev[0].has_score && g.ev[0].score > 0.9);
	assert_string_equal(g.ev[0].actor, "pract-1");
	assert_string_equal(attr(&g.ev[0], "request_id", buf, sizeof buf), "q1");
	assert_string_equal(g.ev[1].outcome, "overridden");
	assert_non_null(strstr(g.ev[1].attrs, "\"override\":{"));
	got_free(&g);
}

static void test_mapping_file(void **state)
{
	static const char yaml[] = "name: ehr-audit\nkind: events\nfields:\n"
				   "  time: [when, at]\n  actor: who.id\n"
				   "  patient: subject\n  outcome: result\nsuccess: ok\n";
	static const char bad[] = "name: x\nfields:\n  time: t\n  colour: c\n";
	static const char log[] = "{\"when\":1767225600,\"who\":{\"id\":\"u1\"},"
				  "\"subject\":\"Patient/p7\",\"result\":\"ok\"}\n"
				  "{\"at\":\"2026-01-01T00:00:01Z\",\"result\":\"denied\"}\n";
	char path[64];
	struct cf_ctx ctx;
	struct tl_mapping *mp;
	struct tl_meta m = meta();
	struct got g = {0};
	FILE *f;

	(void)state;
	cf_ctx_init(&ctx);
	snprintf(path, sizeof path, "/tmp/cf-map-%d.yaml", (int)getpid());
	f = fopen(path, "w");
	fputs(bad, f);
	fclose(f);
	assert_int_equal(tl_mapping_load(&ctx, path, &mp), CF_FAILED);
	assert_non_null(strstr(cf_errmsg(&ctx), ":4:")); /* file:line:col */
	f = fopen(path, "w");
	fputs(yaml, f);
	fclose(f);
	assert_int_equal(tl_mapping_load(&ctx, path, &mp), CF_OK);
	unlink(path);
	m.mapping = mp;
	run_buf(&tl_json, &m, log, sizeof log - 1, &g);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.ev[0].source, "ehr-audit");
	assert_string_equal(g.ev[0].actor, "u1");
	assert_string_equal(g.ev[0].patient, "p7");
	assert_string_equal(g.ev[0].outcome, "success");
	assert_int_equal(g.ev[0].ts, 1767225600LL * 1000000);
	assert_string_equal(g.ev[1].outcome, "failure");
	got_free(&g);
	tl_mapping_free(mp);
}

/* ---- hostile input ------------------------------------------------------ */

static void test_hostile_lines(void **state)
{
	struct tl_meta m = meta();
	struct got g = {0};
	size_t big = TL_LINE_MAX + 100;
	char *buf = malloc(big + 200), *p = buf;

	(void)state;
	p += sprintf(p, "Jan  1 00:00:00 h a: ok\n");
	memset(p, 'x', big);
	p += big;
	*p++ = '\n';
	p += sprintf(p, "Jan  1 00:00:01 h a: bad \xff\xfe utf8\n");
	memcpy(p, "Jan  1 00:00:02 h a: nul\0byte\n", 30);
	p += 30;
	p += sprintf(p, "Jan 99 00:00:02 h a: day\n");
	p += sprintf(p, "Jan  1 25:00:02 h a: hour\n");
	p += sprintf(p, "Jan  1 00:00:03 h a: last, no newline");
	assert_int_equal(run_buf(&tl_syslog, &m, buf, (size_t)(p - buf), &g), 7);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.rejects, 4);
	assert_int_equal(g.reject_lines[0], 2); /* the huge line */
	assert_non_null(strstr(g.ev[1].message, "\xef\xbf\xbd"));
	assert_int_equal(g.ev[2].line, 7);
	assert_int_equal(g.ev[1].off, 24 + big + 1);
	got_free(&g);
	free(buf);
}

static void test_hostile_json(void **state)
{
	static const char nest[] = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
				   "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]\n";
	struct tl_meta m = meta();
	struct got g = {0};

	(void)state;
	run_buf(&tl_json, &m, nest, sizeof nest - 1, &g);
	assert_int_equal(g.n, 0);
	assert_int_equal(g.rejects, 1);
	got_free(&g);
}

/* A FHIR resource of another type is a reject; its short type name used
 * to be read as 40 bytes (found by fuzzing). */
static void test_fhir_unknown_type_no_overread(void **state)
{
	static const char nd[] = "{\"resourceType\":\"X\"}\n";
	struct tl_meta m = meta();
	struct got g = {0};

	(void)state;
	run_buf(&tl_json, &m, nd, sizeof nd - 1, &g);
	assert_int_equal(g.n, 0);
	assert_int_equal(g.rejects, 1);
	assert_string_equal(g.last_reason, "FHIR X resource is not timeline evidence");
	got_free(&g);
}

static void test_roster_csv(void **state)
{
	static const char csv[] = "id,name,State,phone\n"
				  "p1,\"Doe, Jane\",MA,555-0100\n"
				  "Patient/p2,\"Multi\nLine\",CA,\n"
				  ",nobody,NY,\n"
				  "p3,x,,\n";
	struct tl_meta m = meta();
	struct got g = {0};
	const struct tl_parser *p;

	(void)state;
	p = tl_detect("evidence/files/srv/roster.csv", NULL, NULL,
		      (const unsigned char *)csv, sizeof csv - 1);
	assert_ptr_equal(p, &tl_roster);
	assert_int_equal(run_buf(p, &m, csv, sizeof csv - 1, &g), 6);
	assert_int_equal(g.patients, 3);
	assert_string_equal(g.patient_state[0], "MA");
	assert_string_equal(g.patient_state[1], "CA");
	assert_string_equal(g.patient_state[2], "");
	assert_int_equal(g.rejects, 1); /* the row without an id */
	assert_int_equal(g.reject_lines[0], 5);
	got_free(&g);
}

/* The parser each member gets (timeline/detect.c's bids): names first,
 * then what is ruled out, then the most specific first line, then the
 * category; the rows where two parsers could claim a member pin which one
 * wins. */
static void test_detect_bids(void **state)
{
	static const struct {
		const char *member, *category, *mime, *head;
		const struct tl_parser *want;
	} t[] = {
		/* casefile's own members, by name, whatever they hold */
		{CF_MEMBER_ITEMS, CF_CAT_CONFIG, NULL, "\x01\x02", &tl_items},
		{CF_MEMBER_LOG, NULL, "image/png", "", &tl_collector_log},
		{CF_MEMBER_COLLECTION, NULL, NULL, "{\"a\":1}", NULL},
		{CF_MEMBER_SUMS, NULL, NULL, "Mar  3 10:00:01 h sshd[1]: x", NULL},
		{CF_MEMBER_SIG, NULL, NULL, "{}", NULL},
		/* model artifacts and configuration are no logs */
		{"evidence/m/lineage.json", CF_CAT_MODEL_ARTIFACT, NULL, "{}", NULL},
		{"evidence/etc/x.conf", CF_CAT_CONFIG, NULL, "<13>1 2026-01-01T00:00:00Z h",
		 NULL},
		/* lineage.json by name, binary or not */
		{"evidence/m/lineage.json", NULL, "image/png", "\x01\x02\x03", &tl_mlflow_lineage},
		{"evidence/m/lineage.json", NULL, NULL, "Mar  3 10:00:01 h x: y", &tl_mlflow_lineage},
		/* media, binaries and empty members */
		{"evidence/x", CF_CAT_AUTH_LOG, "image/png", "Mar  3 10:00:01 h x: y", NULL},
		{"evidence/x", NULL, "audio/ogg", "{}", NULL},
		{"evidence/x", NULL, "video/mp4", "{}", NULL},
		{"evidence/x", CF_CAT_AUTH_LOG, NULL, "\x01\x02\x03\x04\x05 ab", NULL},
		{"evidence/x", CF_CAT_AUTH_LOG, NULL, " \n\r\n\t", NULL},
		/* first lines */
		{"evidence/x", NULL, NULL, "[Mon Mar 03 10:00:01.123456 2026] [core:error] x",
		 &tl_apache_error},
		{"evidence/x", NULL, NULL, "[1,2,3]", &tl_json},
		{"evidence/x", NULL, NULL, "\n\n  {\"a\": 1}", &tl_json},
		{"evidence/r.csv", NULL, NULL, "id,name,state\nx,y,MA", &tl_roster},
		{"evidence/r.txt", NULL, NULL, "id,name,state\nx,y,MA", NULL},
		{"evidence/r.csv", NULL, NULL, "[x],id,state", &tl_json},
		{"evidence/r.csv", NULL, NULL, "type=x,id,state,msg=audit(1:2):", &tl_roster},
		{"evidence/x", NULL, NULL, "type=SYSCALL msg=audit(1.2:3): x", &tl_auditd},
		{"evidence/x", NULL, NULL, "node=h type=SYSCALL msg=audit(1.2:3): x", &tl_auditd},
		{"evidence/x", NULL, NULL, "<13>Mar  3 10:00:01 h x: y", &tl_syslog},
		{"evidence/x", NULL, NULL, "Mar  3 10:00:01 h sshd[1]: Accepted", &tl_syslog},
		{"evidence/x", NULL, NULL, "2026-03-03T10:00:01+00:00 h x: y", &tl_syslog},
		{"evidence/x", CF_CAT_ACCESS_LOG, NULL, "Mar  3 10:00:01 h x: [a] \"b\"",
		 &tl_syslog},
		{"evidence/x", NULL, NULL, "1.2.3.4 - - [03/Mar/2026:10:00:01 +0000] \"GET /\"",
		 &tl_access_log},
		{"evidence/x", CF_CAT_AUTH_LOG, NULL, "1.2.3.4 - - [x] \"GET /\"", &tl_access_log},
		/* the category when the first line tells nothing, if a later
		 * line of the head has the format; else not parsed */
		{"evidence/x", CF_CAT_AUTH_LOG, NULL, "something else", NULL},
		{"evidence/x", CF_CAT_AUTH_LOG, NULL, "something else\nMar  3 10:00:01 h x: y",
		 &tl_syslog},
		{"evidence/x", CF_CAT_SYSTEM_LOG, NULL, "something else", NULL},
		{"evidence/x", CF_CAT_ACCESS_LOG, NULL, "something else", NULL},
		{"evidence/x", CF_CAT_MODEL_DECISION, NULL, "something else", NULL},
		{"evidence/x", NULL, NULL, "something else", NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		const struct tl_parser *p =
			tl_detect(t[i].member, t[i].category, t[i].mime,
				  (const unsigned char *)t[i].head, strlen(t[i].head));
		if (p != t[i].want)
			fail_msg("row %zu (%s, '%s'): %s, not %s", i, t[i].member,
				 t[i].head, p ? p->name : "none",
				 t[i].want ? t[i].want->name : "none");
	}
}

/* Raw bytes from the evidence formatted into a field (auditd's uid:N) were
 * not cleaned into UTF-8 (found by fuzzing). */
static void test_auditd_invalid_utf8_uid(void **state)
{
	static const char log[] = "type=SYSCALL msg=audit(1170021493.977:20): "
				  "auid=42\xe4\xff uid=0 res=success\n";
	struct tl_meta m = meta();
	struct got g = {0};

	(void)state;
	run_buf(&tl_auditd, &m, log, sizeof log - 1, &g); /* the sink checks UTF-8 */
	assert_int_equal(g.n, 1);
	assert_non_null(strstr(g.ev[0].actor, "uid:42"));
	got_free(&g);
}

/* ---- collector and MLflow ----------------------------------------------- */

static void test_items_and_log(void **state)
{
	static const char items[] =
		"{\"member\":\"evidence/files/var/log/a\",\"path\":\"/var/log/a\","
		"\"category\":\"system-log\",\"stat\":{\"mtime\":\"2026-03-01T00:00:00Z\","
		"\"ctime\":1772323200.5,\"inode\":12}}\n{\"member\":\"x\"}\n";
	static const char log[] =
		"{\"time\":\"2026-03-01T00:00:00Z\",\"event\":\"command\",\"command\":\"ss\","
		"\"exit_status\":0}\n";
	struct tl_meta m = meta();
	struct got g = {0};

	(void)state;
	run_buf(&tl_items, &m, items, sizeof items - 1, &g);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.ev[0].action, "mtime");
	assert_string_equal(g.ev[0].resource, "/var/log/a");
	assert_int_equal(g.ev[1].ts, 1772323200500000LL);
	assert_int_equal(g.rejects, 1);
	got_free(&g);
	run_buf(&tl_collector_log, &m, log, sizeof log - 1, &g);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.ev[0].source, "collector");
	assert_string_equal(g.ev[0].resource, "ss");
	got_free(&g);
	/* valid JSON that is not an object is said to be so (it was "invalid
	 * JSON: unknown error") */
	run_buf(&tl_collector_log, &m, "[1]\n", 4, &g);
	assert_int_equal(g.rejects, 1);
	assert_string_equal(g.last_reason, "invalid JSON: not an object");
	got_free(&g);
}

/* The host name comes from collection.json, where a disk image's
 * /etc/hostname can put any bytes: it was handed to the store as it was,
 * not cleaned into UTF-8 like the evidence (found by fuzzing). */
static void test_host_invalid_utf8(void **state)
{
	static const char log[] =
		"{\"time\":\"2026-03-01T00:00:00Z\",\"event\":\"started\"}\n";
	struct tl_meta m = meta();
	struct got g = {0};

	(void)state;
	m.host = "we\xff" "b01";
	run_buf(&tl_collector_log, &m, log, sizeof log - 1, &g); /* the sink checks UTF-8 */
	assert_int_equal(g.n, 1);
	assert_string_equal(g.ev[0].host, "we\xef\xbf\xbd" "b01");
	got_free(&g);
}

/* Reads the MLflow SQLite store at path into g, then deletes the file. */
static void run_mlflow_db(const char *path, const struct tl_meta *m, struct got *g)
{
	struct tl_sink s = {on_event, on_reject, on_patient, g};
	struct cf_ctx ctx;
	struct tl_run r;

	cf_ctx_init(&ctx);
	assert_int_equal(tl_run_init(&r, &tl_json, m, &s, &ctx), CF_OK);
	assert_int_equal(tl_mlflow_sqlite(&r, path), CF_OK);
	tl_run_release(&r);
	unlink(path);
}

static void test_mlflow(void **state)
{
	static const char lineage[] =
		"{\"registered_models\":[{\"name\":\"sepsis-risk\",\"creation_time\":1767225600000}],\n"
		" \"model_versions\":[{\"name\":\"sepsis-risk\",\"version\":7,"
		"\"creation_time\":1767225700000,\"last_updated_time\":1767225800000,"
		"\"current_stage\":\"Production\",\"run_id\":\"abc\"}],\n"
		" \"runs\":[{\"run_id\":\"abc\",\"start_time\":1767225000000,\"end_time\":1767225500000}]}\n";
	struct tl_meta m = meta();
	struct got g = {0};
	struct cf_buf schema;
	struct cf_ctx ctx;
	char path[64];
	sqlite3 *db;

	(void)state;
	run_buf(&tl_mlflow_lineage, &m, lineage, sizeof lineage - 1, &g);
	assert_int_equal(g.n, 5);
	assert_string_equal(g.ev[1].action, "version-created");
	assert_string_equal(g.ev[1].model_version, "7");
	assert_string_equal(g.ev[2].action, "stage-changed");
	assert_string_equal(g.ev[2].decision, "Production");
	assert_string_equal(g.ev[3].action, "run-started");
	got_free(&g);

	/* a lineage the collector could not read whole: its events, and a
	 * reject that says so */
	{
		static const char part[] =
			"{\"registered_models\":[{\"name\":\"m\",\"creation_time\":1767225600000}],"
			"\"complete\":false,\"read_error\":\"database disk image is malformed\"}\n";
		run_buf(&tl_mlflow_lineage, &m, part, sizeof part - 1, &g);
		assert_int_equal(g.n, 1);
		assert_int_equal(g.rejects, 1);
		assert_string_equal(g.last_reason, "lineage is incomplete: the tracking store "
				    "could not be read to the end (database disk image is malformed)");
		got_free(&g);
	}
	/* the collector's nested form */
	{
		static const char nestd[] =
			"{\"registered_models\":[{\"name\":\"sepsis-risk\",\"creation_time\":1767225600000,"
			"\"last_updated_time\":1767225900000,\"aliases\":[{\"alias\":\"champion\",\"version\":7}],"
			"\"versions\":[{\"version\":7,\"stage\":\"Staging\",\"creation_time\":1767225700000,"
			"\"last_updated_time\":1767225800000,\"run_id\":\"abc\"}]}],\"runs\":[]}\n";
		run_buf(&tl_mlflow_lineage, &m, nestd, sizeof nestd - 1, &g);
		assert_int_equal(g.n, 4);
		assert_string_equal(g.ev[1].model, "sepsis-risk");
		assert_string_equal(g.ev[2].decision, "Staging");
		assert_string_equal(g.ev[3].decision, "champion");
		assert_string_equal(g.ev[3].model_version, "7");
		got_free(&g);
	}
	/* the same from an MLflow SQLite store built with MLflow's schema */
	cf_ctx_init(&ctx);
	cf_buf_init(&schema);
	assert_int_equal(cf_buf_read_file(&ctx, &schema, FIXTURE_DIR "/../../demo/schemas/mlflow-sqlite-core.sql", 0),
			 CF_OK);
	snprintf(path, sizeof path, "/tmp/cf-mlflow-%d.db", (int)getpid());
	unlink(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, schema.data, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"INSERT INTO experiments VALUES (0,'d','/a','active',0,0);"
		"INSERT INTO registered_models VALUES ('sepsis-risk',1767225600000,1767225600000,NULL);"
		"INSERT INTO runs (run_uuid, status, start_time, end_time, lifecycle_stage, experiment_id)"
		" VALUES ('abc','FINISHED',1767225000000,1767225500000,'active',0);"
		"INSERT INTO model_versions (name, version, creation_time, last_updated_time,"
		" current_stage, run_id, status) VALUES ('sepsis-risk',7,1767225700000,"
		"1767225800000,'Production','abc','READY');"
		"INSERT INTO registered_model_aliases VALUES ('champion',7,'sepsis-risk');",
		NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	run_mlflow_db(path, &m, &g);
	assert_int_equal(g.n, 6); /* + alias */
	assert_string_equal(g.ev[4].action, "run-started");
	assert_string_equal(g.ev[3].action, "alias-set");
	assert_string_equal(g.ev[3].decision, "champion");
	got_free(&g);
	cf_buf_release(&schema);
}

/* A hostile MLflow store that passes quick_check but whose `runs` is a
 * view (which the untrusted open does not run): the member is rejected
 * with SQLite's reason, not read as a store without runs, and no event
 * comes from the tables read before. */
static void test_mlflow_read_error(void **state)
{
	struct tl_meta m = meta();
	struct got g = {0};
	struct cf_ctx ctx;
	char path[64];
	sqlite3 *db;

	(void)state;
	cf_ctx_init(&ctx);
	snprintf(path, sizeof path, "/tmp/cf-mlflow-bad-%d.db", (int)getpid());
	unlink(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"CREATE TABLE registered_models (name TEXT, creation_time INTEGER);"
		"INSERT INTO registered_models VALUES ('sepsis-risk',1767225600000);"
		"CREATE TABLE r0 (run_uuid, name, user_id, status, start_time, end_time, x);"
		"INSERT INTO r0 VALUES ('a','n','u','FINISHED',1767225000000,1767225500000,1);"
		"INSERT INTO r0 VALUES ('b','n','u','FINISHED',1767225000000,1767225500000,"
		" -9223372036854775808);"
		"CREATE VIEW runs AS SELECT run_uuid, name, user_id, status, start_time,"
		" end_time FROM r0 WHERE abs(x) >= 0;",
		NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	run_mlflow_db(path, &m, &g);
	if (g.n != 0 || g.rejects != 1)
		fail_msg("%zu events, %zu rejects (%s), first %s", g.n, g.rejects, g.last_reason,
			 g.n ? g.ev[0].action : "-");
	if (!strstr(g.last_reason, "could not be read to the end (access to view \"runs\" prohibited)"))
		fail_msg("reason: %s", g.last_reason);
	got_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loghub_linux),
		cmocka_unit_test(test_loghub_openssh),
		cmocka_unit_test(test_loghub_apache_error),
		cmocka_unit_test(test_loghub_healthapp_rejected),
		cmocka_unit_test(test_auparse_grouping),
		cmocka_unit_test(test_auditd_enriched_and_malformed),
		cmocka_unit_test(test_plaso_syslog_files),
		cmocka_unit_test(test_rfc5424_and_ssh),
		cmocka_unit_test(test_year_inference),
		cmocka_unit_test(test_compressed),
		cmocka_unit_test(test_unpack_limits),
		cmocka_unit_test(test_foreign_compression),
		cmocka_unit_test(test_access_log_lnav),
		cmocka_unit_test(test_access_log_plaso),
		cmocka_unit_test(test_fhir_auditevent),
		cmocka_unit_test(test_fhir_ndjson_bundle_patients),
		cmocka_unit_test(test_fhir_patient_elements),
		cmocka_unit_test(test_cloudtrail),
		cmocka_unit_test(test_lnav_json_lines),
		cmocka_unit_test(test_decisions),
		cmocka_unit_test(test_mapping_file),
		cmocka_unit_test(test_hostile_lines),
		cmocka_unit_test(test_hostile_json),
		cmocka_unit_test(test_fhir_unknown_type_no_overread),
		cmocka_unit_test(test_roster_csv),
		cmocka_unit_test(test_auditd_invalid_utf8_uid),
		cmocka_unit_test(test_items_and_log),
		cmocka_unit_test(test_host_invalid_utf8),
		cmocka_unit_test(test_mlflow),
		cmocka_unit_test(test_mlflow_read_error),
		cmocka_unit_test(test_detect_bids),
	};
	return cmocka_run_group_tests(tests, sshd_setup, sshd_teardown);
}
