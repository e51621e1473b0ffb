/* SPDX-License-Identifier: Apache-2.0
 *
 * Tests of what program messages mean (timeline/programs.c, sshd.c),
 * driven through the syslog parser as the builder does: sshd's messages
 * with log injection in the user name, every failure form, sudo, su,
 * systemd-logind and the kernel, and login attempts (the lines of one
 * attempt share an id, and the breach scope counts the attempt once).
 * Fixtures: tests/fixtures/timeline/programs/SOURCE.md; expected values
 * were read off the lines by hand.
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
#include "casefile/db.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/scope.h"
#include "casefile/time.h"
#include "testutil.h"
#include "../../timeline/tl.h"

#define FX FIXTURE_DIR "/timeline/"

struct ev {
	char *source, *actor, *action, *outcome, *src_ip, *resource, *attrs;
	uint64_t line;
};

struct got {
	struct ev *v;
	size_t n, cap;
	cf_db *db;           /* also stored here when set */
};

static char *xdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int on_event(void *arg, const struct cf_event *e)
{
	struct got *g = arg;
	struct ev *x;

	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 256;
		assert_non_null(g->v = realloc(g->v, g->cap * sizeof *g->v));
	}
	if (e->attrs) {
		cJSON *j = cJSON_Parse(e->attrs);
		assert_non_null(j);
		cJSON_Delete(j);
	}
	x = &g->v[g->n++];
	x->source = xdup(e->source);
	x->actor = xdup(e->actor);
	x->action = xdup(e->action);
	x->outcome = xdup(e->outcome);
	x->src_ip = xdup(e->src_ip);
	x->resource = xdup(e->resource);
	x->attrs = xdup(e->attrs);
	x->line = e->line;
	if (g->db) {
		struct cf_ctx ctx;
		cf_ctx_init(&ctx);
		assert_int_equal(cf_db_insert_event(g->db, &ctx, e), CF_OK);
	}
	return 0;
}

static int on_reject(void *arg, const struct cf_reject *r)
{
	(void)arg;
	fail_msg("reject line %llu: %s", (unsigned long long)r->line, r->reason);
	return 0;
}

static int on_patient(void *arg, const struct cf_patient *p)
{
	(void)arg;
	(void)p;
	return 0;
}

static void got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++) {
		struct ev *x = &g->v[i];
		free(x->source);
		free(x->actor);
		free(x->action);
		free(x->outcome);
		free(x->src_ip);
		free(x->resource);
		free(x->attrs);
	}
	free(g->v);
	memset(g, 0, sizeof *g);
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

static void run_file(const char *path, struct got *g)
{
	struct tl_meta m = {.archive = "00", .member = "evidence/auth.log",
			    .sshd = sshd, .tz_known = 1};
	struct tl_sink s = {on_event, on_reject, on_patient, g};
	struct tl_run r;
	struct cf_ctx ctx;
	struct cf_buf b;

	cf_time_parse("2026-03-02T00:00:00Z", -1, &m.ref_us, NULL);
	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	assert_int_equal(cf_buf_read_file(&ctx, &b, path, 0), CF_OK);
	assert_int_equal(tl_run_init(&r, &tl_syslog, &m, &s, &ctx), CF_OK);
	assert_int_equal(tl_run_buffer(&r, b.data, b.len), CF_OK);
	tl_run_release(&r);
	cf_buf_release(&b);
}

static const struct ev *line(const struct got *g, uint64_t n)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->v[i].line == n)
			return &g->v[i];
	fail_msg("no event for line %llu", (unsigned long long)n);
	return NULL;
}

/* The attribute key as text ("" when absent). */
static const char *attr(const struct ev *e, const char *key)
{
	static char out[512];
	cJSON *j = e->attrs ? cJSON_Parse(e->attrs) : NULL;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);

	out[0] = '\0';
	if (cJSON_IsString(v))
		snprintf(out, sizeof out, "%s", v->valuestring);
	else if (cJSON_IsNumber(v))
		snprintf(out, sizeof out, "%.0f", v->valuedouble);
	else if (cJSON_IsBool(v))
		snprintf(out, sizeof out, "%s", cJSON_IsTrue(v) ? "true" : "false");
	cJSON_Delete(j);
	return out;
}

static void expect(const struct got *g, uint64_t n, const char *action,
		   const char *outcome, const char *actor, const char *ip)
{
	const struct ev *e = line(g, n);

	if ((action ? !e->action || strcmp(action, e->action) : !!e->action) ||
	    (outcome ? !e->outcome || strcmp(outcome, e->outcome) : !!e->outcome) ||
	    (actor ? !e->actor || strcmp(actor, e->actor) : !!e->actor) ||
	    (ip ? !e->src_ip || strcmp(ip, e->src_ip) : !!e->src_ip))
		fail_msg("line %llu: got %s/%s/%s/%s", (unsigned long long)n,
			 e->action, e->outcome, e->actor, e->src_ip);
}

/* ---- sshd ---------------------------------------------------------------- */

static void test_sshd_injection(void **state)
{
	struct got g = {0};

	(void)state;
	run_file(FX "programs/openssh-forms.log", &g);
	/* the user name holds " from 1.2.3.4": the address is the last one */
	expect(&g, 24, "login", "failure", "admin from 1.2.3.4", "10.0.0.1");
	expect(&g, 25, "login", "failure", "x from 6.6.6.6 port 1 ssh2", "10.0.0.1");
	/* not an OpenSSH line: no address taken from it */
	assert_null(line(&g, 26)->src_ip);
	assert_null(line(&g, 26)->outcome);
	expect(&g, 27, "disconnect", "failure", "x 6.6.6.6 port 1", "10.0.0.2");
	/* pam_unix fields are read from the left: rhost before the user */
	expect(&g, 28, "login", "failure", "x rhost=6.6.6.6", "10.0.0.3");
	/* a certificate id after "ssh2: " cannot move the address */
	expect(&g, 29, "login", "success", "bob", "10.0.0.4");
	assert_string_equal(attr(line(&g, 29), "auth_info"),
			    "ED25519-CERT SHA256:abc ID evil from 6.6.6.6 port 1 ssh2 "
			    "(serial 1) CA ED25519 SHA256:def");
	expect(&g, 30, "login", "failure", "x for y from 6.6.6.6", "10.0.0.5");
	got_free(&g);
}

static void test_sshd_failure_forms(void **state)
{
	struct got g = {0};

	(void)state;
	run_file(FX "programs/openssh-forms.log", &g);
	assert_int_equal(g.n, 49);
	expect(&g, 1, "connect", NULL, NULL, "203.0.113.5");
	expect(&g, 2, "login", "failure", "admin", "203.0.113.5");
	assert_string_equal(attr(line(&g, 2), "invalid_user"), "true");
	expect(&g, 3, "login", "failure", NULL, "203.0.113.5");
	expect(&g, 4, "login", "failure", "admin", "203.0.113.5");
	expect(&g, 5, "disconnect", "failure", "admin", "203.0.113.5");
	assert_string_equal(attr(line(&g, 5), "preauth"), "true");
	expect(&g, 6, "login", "failure", "root", "203.0.113.5");
	expect(&g, 10, "login", "failure", "root", "203.0.113.5");
	assert_string_equal(attr(line(&g, 10), "method"), "max-attempts");
	expect(&g, 11, "disconnect", "failure", "root", "203.0.113.5");
	assert_string_equal(attr(line(&g, 11), "method"), "max-attempts");
	expect(&g, 12, "login", "failure", "root", "203.0.113.5");
	assert_string_equal(attr(line(&g, 12), "failures"), "1");
	expect(&g, 13, "disconnect", "failure", "bob", "198.51.100.7");
	expect(&g, 14, "login", "failure", "bob", "198.51.100.8");
	assert_string_equal(attr(line(&g, 14), "reason"), "not listed in AllowUsers");
	expect(&g, 15, "login", "failure", "bob", "198.51.100.8");
	assert_string_equal(attr(line(&g, 15), "method"), "none");
	expect(&g, 17, "login", "failure", "carol", "198.51.100.9");
	expect(&g, 18, "login", "failure", "dave", "198.51.100.10");
	expect(&g, 19, "login", "failure", "root", "198.51.100.11");
	expect(&g, 21, "login", "failure", "bob", "198.51.100.12");
	expect(&g, 22, "login", "failure", "bob", "198.51.100.12");
	assert_string_equal(attr(line(&g, 22), "method"), "keyboard-interactive/pam");
	expect(&g, 23, "login", "success", "alice", "192.0.2.10");
	for (uint64_t i = 1; i <= 25; i++)
		assert_string_equal(line(&g, i)->source, "sshd");
	got_free(&g);
}

static void test_real_auth_lines(void **state)
{
	struct got g = {0};
	const struct ev *e;

	(void)state;
	run_file(FX "programs/elastic-auth.log", &g);
	expect(&g, 1, "login", "success", "vagrant", "10.0.2.2");
	assert_string_equal(attr(line(&g, 1), "auth_info"),
			    "RSA 39:33:99:e9:a0:dc:f2:33:a3:e5:72:3b:7c:3a:56:84");
	expect(&g, 2, "login", "failure", "test", "10.0.2.2");
	expect(&g, 3, "sudo", "success", "vagrant", NULL);
	e = line(&g, 3);
	assert_string_equal(attr(e, "target_user"), "root");
	assert_string_equal(attr(e, "command"), "/bin/ls");
	assert_string_equal(attr(e, "cwd"), "/home/vagrant");
	assert_string_equal(attr(e, "tty"), "pts/0");
	/* a host name (UseDNS) is no address */
	expect(&g, 4, "login", "failure", "test", NULL);
	assert_string_equal(attr(line(&g, 4), "src_host"), "test.example.com");
	assert_string_equal(attr(line(&g, 4), "invalid_user"), "true");
	expect(&g, 5, "sudo", "failure", "alice", NULL);
	assert_string_equal(attr(line(&g, 5), "target_user"), "root");
	expect(&g, 6, "session-open", "success", "vagrant", NULL);
	expect(&g, 7, "su", "success", "root", NULL);
	assert_string_equal(attr(line(&g, 7), "target_user"), "tsg");
	expect(&g, 8, "su", "success", "root", NULL);
	assert_string_equal(attr(line(&g, 8), "tty"), "/dev/pts/1");
	expect(&g, 9, "session-open", "success", "vagrant", NULL);
	expect(&g, 10, "sudo", "failure", "tsg", NULL);
	assert_string_equal(attr(line(&g, 10), "failures"), "3");
	assert_string_equal(attr(line(&g, 10), "command"), "/bin/ls");
	expect(&g, 11, "sudo", "failure", "tsg", NULL);
	assert_string_equal(attr(line(&g, 11), "reason"), "user NOT in sudoers");
	expect(&g, 12, "login", "failure", "root", "202.109.143.106");
	expect(&g, 14, "login", "failure", "root", "202.109.143.106");
	expect(&g, 15, "login", "failure", "root", "202.109.143.106");
	/* the fatal line is kept as it is */
	assert_null(line(&g, 13)->action);
	got_free(&g);
}

/* ---- sudo, su, logind, kernel ---------------------------------------------- */

static void test_local_programs(void **state)
{
	struct got g = {0};
	const struct ev *e;

	(void)state;
	run_file(FX "programs/openssh-forms.log", &g);
	expect(&g, 31, "sudo", "success", "bob", NULL);
	assert_string_equal(attr(line(&g, 31), "command"), "/usr/bin/cat /etc/shadow");
	expect(&g, 32, "sudo", "failure", "bob", NULL);
	assert_string_equal(attr(line(&g, 32), "reason"), "command not allowed");
	expect(&g, 33, "sudo", "failure", "bob", NULL);
	expect(&g, 35, "sudo", "failure", "bob", NULL);
	/* a working directory may hold " ; USER=": the line says so */
	e = line(&g, 36);
	assert_string_equal(attr(e, "ambiguous"), "true");
	expect(&g, 37, "su", "failure", "bob", NULL);
	assert_string_equal(attr(line(&g, 37), "target_user"), "root");
	expect(&g, 38, "su", "failure", "bob", NULL);
	expect(&g, 39, "su", "success", "bob", NULL);
	assert_string_equal(attr(line(&g, 39), "tty"), "pts/0");
	expect(&g, 40, "session-open", "success", "bob", NULL);
	expect(&g, 41, "session-open", "success", "bob", NULL);
	assert_string_equal(attr(line(&g, 41), "session"), "3");
	expect(&g, 42, "logout", NULL, NULL, NULL);
	expect(&g, 43, "session-close", NULL, NULL, NULL);
	assert_string_equal(line(&g, 43)->source, "systemd-logind");
	expect(&g, 44, "oom-kill", NULL, NULL, NULL);
	assert_string_equal(attr(line(&g, 44), "comm"), "python3");
	assert_string_equal(attr(line(&g, 44), "process_id"), "1234");
	assert_string_equal(attr(line(&g, 44), "uid"), "1000");
	expect(&g, 45, "segfault", NULL, NULL, NULL);
	assert_string_equal(attr(line(&g, 45), "comm"), "python3");
	expect(&g, 46, "usb-attach", NULL, NULL, NULL);
	assert_string_equal(attr(line(&g, 46), "usb_vendor"), "0781");
	assert_string_equal(attr(line(&g, 47), "usb_serial"), "4C530001230617115051");
	expect(&g, 48, "apparmor-denied", "failure", NULL, NULL);
	assert_string_equal(line(&g, 48)->resource, "/etc/shadow");
	assert_string_equal(attr(line(&g, 48), "comm"), "tcpdump");
	expect(&g, 49, "firewall", "blocked", NULL, "203.0.113.50");
	assert_string_equal(attr(line(&g, 49), "dst_port"), "3389");
	got_free(&g);
}

/* ---- attempts -------------------------------------------------------------- */

static void test_attempt_ids(void **state)
{
	struct got g = {0};
	char a[64];

	(void)state;
	run_file(FX "programs/openssh-forms.log", &g);
	/* connection 200: one try, five lines */
	snprintf(a, sizeof a, "%s", attr(line(&g, 1), "attempt"));
	assert_true(a[0] != '\0');
	for (uint64_t i = 2; i <= 5; i++)
		assert_string_equal(attr(line(&g, i), "attempt"), a);
	/* connection 201: two tries; the summary lines follow the second */
	snprintf(a, sizeof a, "%s", attr(line(&g, 6), "attempt"));
	assert_string_equal(attr(line(&g, 7), "attempt"), a);
	assert_string_not_equal(attr(line(&g, 8), "attempt"), a);
	snprintf(a, sizeof a, "%s", attr(line(&g, 8), "attempt"));
	for (uint64_t i = 9; i <= 12; i++)
		assert_string_equal(attr(line(&g, i), "attempt"), a);
	/* refused by AllowUsers, the "none" probe, the password: one try */
	snprintf(a, sizeof a, "%s", attr(line(&g, 14), "attempt"));
	assert_string_equal(attr(line(&g, 15), "attempt"), a);
	assert_string_equal(attr(line(&g, 16), "attempt"), a);
	/* sudo: two PAM failures are two tries, the summary follows the last */
	snprintf(a, sizeof a, "%s", attr(line(&g, 33), "attempt"));
	assert_string_not_equal(attr(line(&g, 34), "attempt"), a);
	snprintf(a, sizeof a, "%s", attr(line(&g, 34), "attempt"));
	assert_string_equal(attr(line(&g, 35), "attempt"), a);
	snprintf(a, sizeof a, "%s", attr(line(&g, 37), "attempt"));
	assert_string_equal(attr(line(&g, 38), "attempt"), a);
	got_free(&g);
}

/* loghub's real brute force: connection 24833 tried six passwords. */
static void test_attempts_loghub(void **state)
{
	struct got g = {0};
	char seen[64][32];
	size_t nseen = 0;

	(void)state;
	run_file(FX "loghub/OpenSSH_2k.log", &g);
	for (size_t i = 0; i < g.n; i++) {
		const char *a;
		int dup = 0;
		if (!strstr(g.v[i].attrs ? g.v[i].attrs : "", "\"pid\":\"24833\""))
			continue;
		a = attr(&g.v[i], "attempt");
		if (!*a)
			continue;
		for (size_t k = 0; k < nseen; k++)
			dup |= !strcmp(seen[k], a);
		if (!dup && nseen < 64)
			snprintf(seen[nseen++], sizeof seen[0], "%s", a);
	}
	/* grep -c 'sshd\[24833\]: Failed password' OpenSSH_2k.log: 6 */
	assert_int_equal(nseen, 6);
	got_free(&g);
}

/* Downstream: the breach scope counts one failed attempt once. */
static void test_scope_counts_attempts(void **state)
{
	static const char incident[] =
		"id: INC-1\ntitle: t\n"
		"covered_entity: {name: X, type: provider}\n"
		"discovered: 2026-03-04T09:30:00Z\n"
		"window: {from: 2026-03-01T00:00:00Z, to: 2026-03-04T09:30:00Z}\n"
		"suspects: {actors: [], ips: [203.0.113.5], credentials: []}\n";
	struct cf_db_archive arch = {.sha256sums = "00", .path = "a", .verified = 1};
	struct got g = {0};
	struct cf_ctx ctx;
	struct cf_incident *inc;
	char *dir = tu_tempdir(), *db = tu_path(dir, "t.db"), *yml = tu_path(dir, "i.yaml");
	cJSON *out;

	(void)state;
	cf_ctx_init(&ctx);
	tu_write_file(yml, incident, sizeof incident - 1, 0600);
	assert_int_equal(cf_db_open(&ctx, db, CF_DB_WRITE, &g.db), CF_OK);
	assert_int_equal(cf_db_begin(g.db, &ctx), CF_OK);
	assert_int_equal(cf_db_insert_archive(g.db, &ctx, &arch), CF_OK);
	run_file(FX "programs/openssh-forms.log", &g);
	assert_int_equal(cf_db_commit(g.db, &ctx), CF_OK);
	assert_int_equal(cf_db_close(g.db, &ctx), CF_OK);
	got_free(&g);
	g.db = NULL;

	assert_int_equal(cf_db_open(&ctx, db, CF_DB_READ, &g.db), CF_OK);
	assert_int_equal(cf_incident_load(&ctx, yml, &inc), CF_OK);
	assert_int_equal(cf_scope_compute(&ctx, g.db, inc, 0, &out), CF_OK);
	/* lines 2-12 are eleven failure lines from 203.0.113.5, of three
	 * attempts: connection 200's one try, connection 201's two */
	assert_int_equal(cf_json_int(out, "failed_count", -1), 3);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(out, "failed_attempts")), 3);
	cJSON_Delete(out);
	cf_incident_free(inc);
	cf_db_close(g.db, &ctx);
	tu_rmtree(dir);
	free(db);
	free(yml);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sshd_injection),
		cmocka_unit_test(test_sshd_failure_forms),
		cmocka_unit_test(test_real_auth_lines),
		cmocka_unit_test(test_local_programs),
		cmocka_unit_test(test_attempt_ids),
		cmocka_unit_test(test_attempts_loghub),
		cmocka_unit_test(test_scope_counts_attempts),
	};

	tu_init();
	return cmocka_run_group_tests(tests, setup, teardown);
}
