/* SPDX-License-Identifier: Apache-2.0
 *
 * Sigma rules over timeline events (timeline/sigma.c, sigma_eval.c): the
 * modifiers, the condition language, correlations at the edges of their
 * timespan and group-by, refusals that name the feature, and every SigmaHQ
 * rule of tests/fixtures/sigma loaded or refused with a reason. Events are
 * made here and fed in time order, as cf_db_query_events streams them.
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
#include "testutil.h"
#include "../../timeline/sigma.h"

#define S 1000000LL

static struct sigma_set *load(const char *yaml)
{
	struct sigma_set *s = sigma_set_new();
	struct cf_ctx ctx;
	size_t n;
	const struct sigma_refusal *r;

	cf_ctx_init(&ctx);
	assert_non_null(s);
	assert_int_equal(sigma_load_string(s, &ctx, "t.yml", yaml, strlen(yaml)),
			 CF_OK);
	assert_int_equal(sigma_link(s, &ctx), CF_OK);
	r = sigma_refusals(s, &n);
	if (n)
		fail_msg("refused: %s: %s", r[0].where, r[0].reason);
	return s;
}

/* The reason a one-rule text is refused for. */
static char *refusal(const char *yaml)
{
	struct sigma_set *s = sigma_set_new();
	struct cf_ctx ctx;
	size_t n;
	const struct sigma_refusal *r;
	char *out;

	cf_ctx_init(&ctx);
	assert_int_equal(sigma_load_string(s, &ctx, "t.yml", yaml, strlen(yaml)),
			 CF_OK);
	assert_int_equal(sigma_link(s, &ctx), CF_OK);
	r = sigma_refusals(s, &n);
	assert_int_equal(n, 1);
	assert_int_equal(sigma_rule_count(s), 0);
	out = malloc(strlen(r[0].where) + strlen(r[0].reason) + 3);
	sprintf(out, "%s: %s", r[0].where, r[0].reason);
	sigma_set_free(s);
	return out;
}

static void feed(struct sigma_set *s, struct cf_event *e)
{
	struct cf_ctx ctx;
	cf_ctx_init(&ctx);
	assert_int_equal(sigma_feed(s, &ctx, e), CF_OK);
}

/* Findings so far, mid-stream (sigma_finish would end the stream). */
static size_t found(struct sigma_set *s)
{
	size_t n;
	sigma_findings(s, &n);
	return n;
}

/* Number of events the rules matched (sum of detection counts). */
static uint64_t total(struct sigma_set *s, size_t *nfind)
{
	struct cf_ctx ctx;
	size_t n;
	const struct sigma_finding *const *f;
	uint64_t t = 0;

	cf_ctx_init(&ctx);
	assert_int_equal(sigma_finish(s, &ctx), CF_OK);
	f = sigma_findings(s, &n);
	for (size_t i = 0; i < n; i++)
		t += f[i]->count;
	if (nfind)
		*nfind = n;
	return t;
}

#define RULE(det) "title: t\nid: r1\nlogsource:\n  product: linux\n  service: sshd\n" \
		  "detection:\n" det

static struct cf_event sshd(int64_t ts, const char *msg)
{
	struct cf_event e = {.ts_us = ts, .source = "syslog", .message = msg,
			     .attrs = "{\"program\":\"sshd\",\"pid\":\"42\"}",
			     .member = "var/log/auth.log", .line = 1};
	return e;
}

static uint64_t count_msgs(const char *yaml, const char *const *msgs)
{
	struct sigma_set *s = load(yaml);
	uint64_t n;

	for (int i = 0; msgs[i]; i++) {
		struct cf_event e = sshd(i * S, msgs[i]);
		e.actor = i % 2 ? "root" : "alice";
		e.src_ip = i % 2 ? "10.1.2.3" : "2001:db8::7";
		feed(s, &e);
	}
	n = total(s, NULL);
	sigma_set_free(s);
	return n;
}

static const char *const msgs[] = {
	"Failed password for root from 10.1.2.3 port 22 ssh2",
	"Accepted publickey for alice from 2001:db8::7 port 4 ssh2",
	"error: Corrupted MAC on input.",
	"Invalid user a*b from 10.1.2.3",
	NULL,
};

static void test_modifiers(void **state)
{
	(void)state;
	/* plain value: whole, case-insensitive */
	assert_int_equal(count_msgs(RULE("  s:\n    actor: ROOT\n  condition: s\n"), msgs), 2);
	/* cased */
	assert_int_equal(count_msgs(RULE("  s:\n    actor|cased: ROOT\n  condition: s\n"), msgs), 0);
	assert_int_equal(count_msgs(RULE("  s:\n    message|contains: password\n  condition: s\n"), msgs), 1);
	assert_int_equal(count_msgs(RULE("  s:\n    message|startswith: 'error:'\n  condition: s\n"), msgs), 1);
	assert_int_equal(count_msgs(RULE("  s:\n    message|endswith: SSH2\n  condition: s\n"), msgs), 2);
	/* all: every value */
	assert_int_equal(count_msgs(RULE("  s:\n    message|contains|all: [failed, root]\n  condition: s\n"), msgs), 1);
	assert_int_equal(count_msgs(RULE("  s:\n    message|contains|all: [failed, alice]\n  condition: s\n"), msgs), 0);
	/* wildcards, and an escaped '*' is literal */
	assert_int_equal(count_msgs(RULE("  s:\n    message: 'Failed * for ?oot *'\n  condition: s\n"), msgs), 1);
	assert_int_equal(count_msgs(RULE("  s:\n    message: 'Invalid user a\\*b *'\n  condition: s\n"), msgs), 1);
	assert_int_equal(count_msgs(RULE("  s:\n    message: 'Invalid user a\\*c *'\n  condition: s\n"), msgs), 0);
	/* re: PCRE2, case-sensitive unless |i */
	assert_int_equal(count_msgs(RULE("  s:\n    message|re: '^(Failed|Accepted) \\w+ for'\n  condition: s\n"), msgs), 2);
	assert_int_equal(count_msgs(RULE("  s:\n    message|re: '^failed'\n  condition: s\n"), msgs), 0);
	assert_int_equal(count_msgs(RULE("  s:\n    message|re|i: '^failed'\n  condition: s\n"), msgs), 1);
	/* cidr, IPv4 and IPv6 */
	assert_int_equal(count_msgs(RULE("  s:\n    src_ip|cidr: 10.0.0.0/8\n  condition: s\n"), msgs), 2);
	assert_int_equal(count_msgs(RULE("  s:\n    src_ip|cidr: 10.1.2.4/32\n  condition: s\n"), msgs), 0);
	assert_int_equal(count_msgs(RULE("  s:\n    src_ip|cidr: '2001:db8::/32'\n  condition: s\n"), msgs), 2);
	/* exists, null */
	assert_int_equal(count_msgs(RULE("  s:\n    attrs.pid|exists: true\n  condition: s\n"), msgs), 4);
	assert_int_equal(count_msgs(RULE("  s:\n    patient|exists: true\n  condition: s\n"), msgs), 0);
	assert_int_equal(count_msgs(RULE("  s:\n    patient: null\n  condition: s\n"), msgs), 4);
	assert_int_equal(count_msgs(RULE("  s:\n    actor: null\n  condition: s\n"), msgs), 0);
	/* base64: "root" is cm9vdA== */
	{
		static const char *const b[] = {"x cm9vdA== y", "cm9vdA==", NULL};
		assert_int_equal(count_msgs(RULE("  s:\n    message|base64: root\n  condition: s\n"), b), 1);
		assert_int_equal(count_msgs(RULE("  s:\n    message|base64|contains: root\n  condition: s\n"), b), 2);
		/* base64offset: "root" after 0, 1 or 2 bytes */
		static const char *const o[] = {"echo eHJvb3Q= | base64 -d",
						"echo eHhyb290 | base64 -d",
						"cm9vdA", "nothing", NULL};
		assert_int_equal(count_msgs(RULE("  s:\n    message|base64offset|contains: root\n  condition: s\n"), o), 3);
	}
	/* windash: '-' or '/' (and the dashes) */
	{
		static const char *const w[] = {"ls /la", "ls -la", "ls \xe2\x80\x93la", "ls la", NULL};
		assert_int_equal(count_msgs(RULE("  s:\n    message|windash|contains: ' -la'\n  condition: s\n"), w), 3);
	}
	/* keywords, a list of maps (OR), fieldref, numbers */
	assert_int_equal(count_msgs(RULE("  k:\n    - 'corrupted mac'\n    - 'invalid user'\n  condition: k\n"), msgs), 2);
	assert_int_equal(count_msgs(RULE("  s:\n    - actor: alice\n    - message|contains: invalid\n  condition: s\n"), msgs), 3);
	assert_int_equal(count_msgs(RULE("  s:\n    attrs.pid|gte: 42\n  condition: s\n"), msgs), 4);
	assert_int_equal(count_msgs(RULE("  s:\n    attrs.pid|lt: 42\n  condition: s\n"), msgs), 0);
	assert_int_equal(count_msgs(RULE("  s:\n    actor|fieldref: actor\n  condition: s\n"), msgs), 4);
	/* Sigma names: User is the actor, SourceIp the address */
	assert_int_equal(count_msgs(RULE("  s:\n    User: alice\n    SourceIp|cidr: '::/0'\n  condition: s\n"), msgs), 2);
}

static void test_conditions(void **state)
{
	(void)state;
	assert_int_equal(count_msgs(RULE("  a:\n    actor: root\n  b:\n    message|contains: failed\n"
					 "  condition: a and not b\n"), msgs), 2);
	assert_int_equal(count_msgs(RULE("  a:\n    actor: root\n  b:\n    message|contains: accepted\n"
					 "  condition: a or b\n"), msgs), 2);
	assert_int_equal(count_msgs(RULE("  a:\n    actor: root\n  b:\n    message|contains: failed\n"
					 "  c:\n    message|contains: invalid\n"
					 "  condition: not (a and b) and (b or c or not a)\n"), msgs), 3);
	assert_int_equal(count_msgs(RULE("  sel_a:\n    actor: root\n  sel_b:\n    message|contains: mac\n"
					 "  condition: 1 of sel_*\n"), msgs), 3);
	assert_int_equal(count_msgs(RULE("  sel_a:\n    actor: root\n  sel_b:\n    message|contains: failed\n"
					 "  condition: all of sel_*\n"), msgs), 0);
	assert_int_equal(count_msgs(RULE("  a:\n    actor: root\n  _b:\n    actor: nobody\n"
					 "  condition: all of them\n"), msgs), 2);
	assert_int_equal(count_msgs(RULE("  a:\n    actor: root\n  b:\n    actor: alice\n"
					 "  condition: 1 of them\n"), msgs), 4);
	/* a list of conditions is their OR */
	assert_int_equal(count_msgs(RULE("  a:\n    actor: root\n  b:\n    message|contains: accepted\n"
					 "  condition:\n    - a\n    - b\n"), msgs), 2);
	/* not binds tighter than and, and than or */
	assert_int_equal(count_msgs(RULE("  a:\n    actor: root\n  b:\n    actor: alice\n"
					 "  condition: not a and b or a\n"), msgs), 4);
}

static void test_logsource(void **state)
{
	struct sigma_set *s = load(RULE("  s:\n    actor: root\n  condition: s\n"));
	struct cf_event e = sshd(0, "x");

	(void)state;
	e.actor = "root";
	feed(s, &e);
	e.attrs = "{\"program\":\"sudo\"}";    /* another program */
	feed(s, &e);
	e.source = "auditd";                      /* another log */
	feed(s, &e);
	assert_int_equal(total(s, NULL), 1);
	sigma_set_free(s);
}

static void test_refusals(void **state)
{
	char *r;

	(void)state;
	r = refusal(RULE("  s:\n    actor|expand: '%x%'\n  condition: s\n"));
	assert_non_null(strstr(r, "t.yml:8: unsupported modifier 'expand'"));
	free(r);
	r = refusal(RULE("  s:\n    CommandLine: x\n  condition: s\n"));
	assert_non_null(strstr(r, "t.yml:8: field 'CommandLine' is not in the timeline"));
	free(r);
	r = refusal(RULE("  s:\n    actor: x\n  condition: s | count() by actor > 5\n"));
	assert_non_null(strstr(r, "aggregation"));
	free(r);
	r = refusal(RULE("  s:\n    actor: x\n  condition: s and t\n"));
	assert_non_null(strstr(r, "unknown identifier 't'"));
	free(r);
	r = refusal(RULE("  s:\n    actor: x\n  condition: (s\n"));
	assert_non_null(strstr(r, "missing ')'"));
	free(r);
	r = refusal(RULE("  s:\n    actor|re: '('\n  condition: s\n"));
	assert_non_null(strstr(r, "bad regular expression"));
	free(r);
	r = refusal("title: w\nlogsource:\n  product: windows\n  category: process_creation\n"
		    "detection:\n  s:\n    actor: x\n  condition: s\n");
	assert_non_null(strstr(r, "logsource"));
	free(r);
	r = refusal("title: c\ncorrelation:\n  type: value_sum\n  rules: [x]\n  timespan: 1m\n");
	assert_non_null(strstr(r, "value_sum"));
	free(r);
	r = refusal("title: c\ncorrelation:\n  type: event_count\n  rules: [nope]\n"
		    "  timespan: 1m\n  condition:\n    gte: 2\n");
	assert_non_null(strstr(r, "no rule named 'nope'"));
	free(r);
}

static void test_yaml_line(void **state)
{
	struct sigma_set *s = sigma_set_new();
	struct cf_ctx ctx;
	size_t n;
	const struct sigma_refusal *r;
	const char *y = "title: ok\nlogsource:\n  product: linux\ndetection:\n  s:\n    actor: x\n"
			"  condition: s\n---\ntitle: bad\ndetection: {a: [\n";

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_equal(sigma_load_string(s, &ctx, "t.yml", y, strlen(y)), CF_OK);
	r = sigma_refusals(s, &n);
	assert_int_equal(n, 1);
	assert_int_equal(sigma_rule_count(s), 1);
	/* the error is on line 10 or 11 of the file, not of the document */
	assert_true(!strncmp(r[0].reason, "t.yml:10:", 9) ||
		    !strncmp(r[0].reason, "t.yml:11:", 9));
	sigma_set_free(s);
}

/* ---- correlations ------------------------------------------------------- */

#define BASE "title: fail\nname: ssh_fail\nlogsource:\n  product: linux\n  service: sshd\n" \
	     "detection:\n  s:\n    message|startswith: Failed\n  condition: s\n---\n"

static void run_fails(struct sigma_set *s, const int64_t *ts, const char *const *ip,
		      size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct cf_event e = sshd(ts[i], "Failed password for root");
		e.src_ip = ip[i];
		e.actor = i % 2 ? "root" : "admin";
		feed(s, &e);
	}
}

static void test_event_count(void **state)
{
	const char *y = BASE "title: brute\nid: c1\ncorrelation:\n  type: event_count\n"
			"  rules: [ssh_fail]\n  group-by: [src_ip]\n  timespan: 60s\n"
			"  condition:\n    gte: 3\n";
	struct sigma_set *s;
	size_t n;
	const struct sigma_finding *const *f;

	(void)state;
	/* 3 events from one address in exactly 60 s: the edge is inside */
	s = load(y);
	run_fails(s, (int64_t[]){0, 30 * S, 60 * S},
		  (const char *[]){"1.1.1.1", "1.1.1.1", "1.1.1.1"}, 3);
	assert_int_equal(total(s, &n), 3);
	assert_int_equal(n, 1);       /* the base rule reports nothing (generate) */
	f = sigma_findings(s, &n);
	assert_string_equal(f[0]->group, "src_ip=1.1.1.1");
	assert_int_equal(f[0]->nev, 3);
	sigma_set_free(s);
	/* one microsecond more: the first falls out */
	s = load(y);
	run_fails(s, (int64_t[]){0, 30 * S, 60 * S + 1},
		  (const char *[]){"1.1.1.1", "1.1.1.1", "1.1.1.1"}, 3);
	assert_int_equal(total(s, &n), 0);
	sigma_set_free(s);
	/* group-by: three events, two addresses */
	s = load(y);
	run_fails(s, (int64_t[]){0, 1, 2, 3},
		  (const char *[]){"1.1.1.1", "2.2.2.2", "1.1.1.1", "2.2.2.2"}, 4);
	assert_int_equal(total(s, &n), 0);
	sigma_set_free(s);
	/* six in a row: two findings (the window starts afresh) */
	s = load(y);
	run_fails(s, (int64_t[]){0, 1, 2, 3, 4, 5},
		  (const char *[]){"1.1.1.1", "1.1.1.1", "1.1.1.1", "1.1.1.1",
				   "1.1.1.1", "1.1.1.1"}, 6);
	assert_int_equal(total(s, &n), 6);
	assert_int_equal(n, 2);
	sigma_set_free(s);
	/* generate: true reports the base rule too */
	s = load(BASE "title: brute\nid: c1\ncorrelation:\n  type: event_count\n"
		 "  rules: [ssh_fail]\n  timespan: 1m\n  generate: true\n"
		 "  condition:\n    gte: 2\n");
	run_fails(s, (int64_t[]){0, 1}, (const char *[]){"a", "b"}, 2);
	assert_int_equal(total(s, &n), 4);
	assert_int_equal(n, 2);
	sigma_set_free(s);
	/* lt: tested when the window closes */
	s = load(BASE "title: few\nid: c2\ncorrelation:\n  type: event_count\n"
		 "  rules: [ssh_fail]\n  group-by: [src_ip]\n  timespan: 10s\n"
		 "  condition:\n    lt: 2\n");
	run_fails(s, (int64_t[]){0, 1, 20 * S},
		  (const char *[]){"1.1.1.1", "1.1.1.1", "1.1.1.1"}, 3);
	assert_int_equal(total(s, &n), 1); /* [0,10s]: 2 events; [20s..]: 1 */
	sigma_set_free(s);
}

static void test_value_count(void **state)
{
	const char *y = BASE "title: spray\nid: c3\ncorrelation:\n  type: value_count\n"
			"  rules: [ssh_fail]\n  group-by: [src_ip]\n  timespan: 5m\n"
			"  condition:\n    field: User\n    gte: 2\n";
	struct sigma_set *s = load(y);
	size_t n;

	(void)state;
	/* the same user twice is one value; then a second user fires */
	run_fails(s, (int64_t[]){0, 2 * S, 4 * S},
		  (const char *[]){"9.9.9.9", "8.8.8.8", "9.9.9.9"}, 3);
	assert_int_equal(total(s, &n), 0); /* 9.9.9.9: admin, admin */
	sigma_set_free(s);
	s = load(y);
	run_fails(s, (int64_t[]){0, 2 * S},
		  (const char *[]){"9.9.9.9", "9.9.9.9"}, 2);
	assert_int_equal(total(s, &n), 2); /* admin, root */
	assert_int_equal(n, 1);
	sigma_set_free(s);
}

static void test_temporal(void **state)
{
	const char *y = BASE "title: ok\nname: ssh_ok\nlogsource:\n  product: linux\n"
			"  service: sshd\ndetection:\n  s:\n    message|startswith: Accepted\n"
			"  condition: s\n---\n"
			"title: then\nid: c4\ncorrelation:\n  type: temporal_ordered\n"
			"  rules: [ssh_fail, ssh_ok]\n  group-by: [src_ip]\n  timespan: 10m\n";
	struct sigma_set *s = load(y);
	struct cf_event e;
	size_t n;

	(void)state;
	/* success before the failure: not in order */
	e = sshd(0, "Accepted password for root");
	e.src_ip = "5.5.5.5";
	feed(s, &e);
	e = sshd(S, "Failed password for root");
	e.src_ip = "5.5.5.5";
	feed(s, &e);
	/* from another address: other group */
	e = sshd(2 * S, "Accepted password for root");
	e.src_ip = "6.6.6.6";
	feed(s, &e);
	assert_int_equal(found(s), 0);
	e = sshd(601 * S, "Accepted password for root");   /* 600 s after: inside */
	e.src_ip = "5.5.5.5";
	feed(s, &e);
	assert_int_equal(total(s, &n), 2);
	assert_int_equal(n, 1);
	sigma_set_free(s);
	/* unordered temporal: both within the timespan, either order */
	s = load(BASE "title: ok\nname: ssh_ok\nlogsource:\n  product: linux\n"
		 "  service: sshd\ndetection:\n  s:\n    message|startswith: Accepted\n"
		 "  condition: s\n---\n"
		 "title: both\nid: c5\ncorrelation:\n  type: temporal\n"
		 "  rules: [ssh_fail, ssh_ok]\n  timespan: 1m\n");
	e = sshd(0, "Accepted password for root");
	feed(s, &e);
	e = sshd(61 * S, "Failed password for root");      /* 61 s: outside */
	feed(s, &e);
	assert_int_equal(found(s), 0);
	e = sshd(62 * S, "Accepted password for root");
	feed(s, &e);
	assert_int_equal(total(s, &n), 2);
	sigma_set_free(s);
}

/* ---- SigmaHQ's rules -------------------------------------------------- */

static void test_sigmahq_rules(void **state)
{
	struct sigma_set *s = sigma_set_new();
	struct cf_ctx ctx;
	size_t n, field = 0, other = 0;
	const struct sigma_refusal *r;

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_equal(sigma_load_path(s, &ctx, FIXTURE_DIR "/sigma/rules"), CF_OK);
	assert_int_equal(sigma_link(s, &ctx), CF_OK);
	r = sigma_refusals(s, &n);
	for (size_t i = 0; i < n; i++) {
		/* every refusal names its feature and the file's line */
		assert_non_null(strstr(r[i].where, ".yml:"));
		assert_true(r[i].reason[0] != '\0');
		if (!strcmp(r[i].feature, "field"))
			field++;
		else
			other++;
		printf("refused %s: %s (%s)\n", r[i].where, r[i].reason, r[i].feature);
	}
	printf("SigmaHQ rules: %zu loaded, %zu refused (%zu for a field the "
	       "timeline does not hold, %zu other)\n", sigma_rule_count(s), n,
	       field, other);
	/* 132 rules: all accounted for; the refused ones only for fields */
	assert_int_equal(sigma_rule_count(s) + n, 132);
	assert_int_equal(other, 0);
	assert_int_equal(n, 17);
	sigma_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modifiers),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_logsource),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_yaml_line),
		cmocka_unit_test(test_event_count),
		cmocka_unit_test(test_value_count),
		cmocka_unit_test(test_temporal),
		cmocka_unit_test(test_sigmahq_rules),
	};
	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
