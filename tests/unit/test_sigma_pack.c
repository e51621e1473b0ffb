/* SPDX-License-Identifier: Apache-2.0
 *
 * The shipped Sigma rule pack (timeline/sigma/): it loads whole, with no
 * refusal, holds at least 25 rules that report, and every one of them has
 * a case below that fires and one that does not. Each case is a few
 * events made from a template (repeated n times, step seconds apart, "%u"
 * in a text replaced by the repetition's number); the cases run one after
 * the other, weeks apart, through one loaded pack, and a case fires when a
 * finding of its rule holds one of its events.
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
#include "casefile/time.h"
#include "../../timeline/sigma.h"

#define PACK FIXTURE_DIR "/../../timeline/sigma"

struct tev {
	const char *ts;         /* RFC 3339 */
	unsigned n, step;       /* repetitions (0: 1), seconds apart */
	const char *source, *actor, *role, *action, *outcome, *patient, *ip;
	const char *model, *version, *decision, *message, *attrs;
	double score;
	int has_score;
};

struct kase {
	const char *rule;
	int fires;
	struct tev ev[3];
};

#define FHIR(...) {.source = "fhir-auditevent", __VA_ARGS__}
#define SSHD(...) {.source = "sshd", .attrs = "{\"program\":\"sshd\"}", __VA_ARGS__}
#define SUDO(cmd) {.ts = "2026-03-02T10:00:00Z", .source = "sudo", .actor = "jdoe", \
		   .attrs = "{\"program\":\"sudo\",\"target_user\":\"root\",\"command\":\"" cmd "\"}"}
#define AUDIT(args) {.ts = "2026-03-02T10:00:00Z", .source = "auditd", \
		     .attrs = "{\"types\":\"SYSCALL,EXECVE,CWD,PATH\"," args "}"}
#define DECISION(...) {.source = "model-decision", .model = "sepsis-risk", __VA_ARGS__}
#define TRAIL(...) {.source = "cloudtrail", __VA_ARGS__}
#define T0 "2026-03-02T10:00:00Z"

static const struct kase cases[] = {
	/* EHR: bulk access, at night (local time of the log) */
	{"casefile-ehr-bulk-patients", 1, {FHIR(.ts = T0, .n = 100, .step = 10, .actor = "pract-1",
		.action = "search-type", .outcome = "success", .patient = "pat-%u")}},
	{"casefile-ehr-bulk-patients", 0, {FHIR(.ts = T0, .n = 99, .step = 10, .actor = "pract-1",
		.action = "search-type", .outcome = "success", .patient = "pat-%u")}},
	{"casefile-ehr-bulk-night", 1, {FHIR(.ts = "2026-03-02T02:00:00Z", .n = 20, .step = 60,
		.actor = "pract-1", .action = "read", .outcome = "success", .patient = "pat-%u",
		.attrs = "{\"tz\":\"+00:00\"}")}},
	{"casefile-ehr-bulk-night", 0, {FHIR(.ts = "2026-03-02T02:00:00Z", .n = 20, .step = 60,
		.actor = "pract-1", .action = "read", .outcome = "success", .patient = "pat-%u",
		.attrs = "{\"tz\":\"+08:00\"}")}},    /* 10:00 where it was logged */
	/* logins */
	{"casefile-ehr-login-failures", 1, {FHIR(.ts = T0, .n = 2, .step = 20, .actor = "pract-1",
		.action = "110122", .outcome = "failure")}},
	{"casefile-ehr-login-failures", 0, {FHIR(.ts = T0, .n = 2, .step = 600, .actor = "pract-1",
		.action = "110122", .outcome = "failure")}},
	{"casefile-ehr-impossible-travel", 1, {
		FHIR(.ts = T0, .actor = "pract-1", .action = "read", .ip = "10.20.1.5"),
		FHIR(.ts = "2026-03-02T10:30:00Z", .actor = "pract-1", .action = "read", .ip = "203.0.113.77")}},
	{"casefile-ehr-impossible-travel", 0, {
		FHIR(.ts = T0, .actor = "pract-1", .action = "read", .ip = "10.20.1.5"),
		FHIR(.ts = "2026-03-02T12:30:00Z", .actor = "pract-1", .action = "read", .ip = "203.0.113.77")}},
	/* restricted records, break the glass */
	{"casefile-ehr-restricted-refused", 1, {FHIR(.ts = T0, .actor = "pract-1", .action = "read",
		.outcome = "failure", .patient = "pat-1", .attrs = "{\"outcome_code\":\"4\"}")}},
	{"casefile-ehr-restricted-refused", 0, {FHIR(.ts = T0, .actor = "pract-1", .action = "read",
		.outcome = "failure", .patient = "pat-1", .attrs = "{\"outcome_code\":\"8\"}")}},
	{"casefile-ehr-restricted-repeated", 1, {FHIR(.ts = T0, .n = 2, .step = 86400, .actor = "pract-1",
		.action = "read", .patient = "pat-1", .attrs = "{\"outcome_code\":\"4\"}")}},
	{"casefile-ehr-restricted-repeated", 0, {FHIR(.ts = T0, .n = 2, .step = 86400, .actor = "pract-1",
		.action = "read", .patient = "pat-%u", .attrs = "{\"outcome_code\":\"4\"}")}},
	{"casefile-ehr-break-glass", 1, {FHIR(.ts = T0, .actor = "pract-1", .action = "read",
		.patient = "pat-1", .attrs = "{\"purpose\":\"ETREAT\"}")}},
	{"casefile-ehr-break-glass", 0, {FHIR(.ts = T0, .actor = "pract-1", .action = "read",
		.patient = "pat-1", .attrs = "{\"purpose\":\"TREAT\"}")}},
	{"casefile-ehr-break-glass-repeated", 1, {FHIR(.ts = T0, .n = 4, .step = 3600, .actor = "pract-1",
		.action = "read", .patient = "pat-%u", .attrs = "{\"purpose\":\"ETREAT\"}")}},
	{"casefile-ehr-break-glass-repeated", 0, {FHIR(.ts = T0, .n = 3, .step = 3600, .actor = "pract-1",
		.action = "read", .patient = "pat-%u", .attrs = "{\"purpose\":\"ETREAT\"}")}},
	{"casefile-ehr-scripted-client", 1, {{.ts = T0, .source = "access-log", .action = "GET",
		.attrs = "{\"user_agent\":\"python-requests/2.31.0\"}"}}},
	{"casefile-ehr-scripted-client", 0, {{.ts = T0, .source = "access-log", .action = "GET",
		.attrs = "{\"user_agent\":\"Mozilla/5.0 (X11; Linux x86_64)\"}"}}},
	{"casefile-service-account-interactive", 1, {FHIR(.ts = T0, .actor = "svc-ehr-batch",
		.action = "110122", .outcome = "success")}},
	{"casefile-service-account-interactive", 0, {DECISION(.ts = T0, .actor = "svc-ehr-batch",
		.version = "3", .decision = "low-risk")}},
	/* sshd */
	{"casefile-ssh-bruteforce", 1, {SSHD(.ts = T0, .n = 10, .step = 10, .actor = "root",
		.action = "login", .outcome = "failure", .ip = "198.51.100.9")}},
	{"casefile-ssh-bruteforce", 0, {SSHD(.ts = T0, .n = 9, .step = 10, .actor = "root",
		.action = "login", .outcome = "failure", .ip = "198.51.100.9")}},
	{"casefile-ssh-bruteforce-success", 1, {
		SSHD(.ts = T0, .actor = "jdoe", .action = "login", .outcome = "failure", .ip = "198.51.100.9"),
		SSHD(.ts = "2026-03-02T10:01:00Z", .actor = "jdoe", .action = "login", .outcome = "success",
		     .ip = "198.51.100.9")}},
	{"casefile-ssh-bruteforce-success", 0, {
		SSHD(.ts = T0, .actor = "jdoe", .action = "login", .outcome = "success", .ip = "198.51.100.9"),
		SSHD(.ts = "2026-03-02T10:01:00Z", .actor = "jdoe", .action = "login", .outcome = "failure",
		     .ip = "198.51.100.9")}},
	{"casefile-ssh-user-spray", 1, {SSHD(.ts = T0, .n = 5, .step = 5, .actor = "user%u",
		.action = "login", .outcome = "failure", .ip = "198.51.100.9")}},
	{"casefile-ssh-user-spray", 0, {SSHD(.ts = T0, .n = 5, .step = 5, .actor = "root",
		.action = "login", .outcome = "failure", .ip = "198.51.100.9")}},
	{"casefile-ssh-root-login", 1, {SSHD(.ts = T0, .actor = "root", .action = "login",
		.outcome = "success", .ip = "198.51.100.9")}},
	{"casefile-ssh-root-login", 0, {SSHD(.ts = T0, .actor = "root", .action = "login",
		.outcome = "failure", .ip = "198.51.100.9")}},
	/* sudo and auditd */
	{"casefile-sudo-shell", 1, {SUDO("/bin/bash")}},
	{"casefile-sudo-shell", 0, {SUDO("/usr/bin/systemctl restart nginx")}},
	{"casefile-sudo-archive-phi", 1, {SUDO("/usr/bin/tar czf /tmp/x.tgz /var/lib/ehr/export")}},
	{"casefile-sudo-archive-phi", 0, {SUDO("/usr/bin/tar czf /tmp/etc.tgz /etc")}},
	{"casefile-auditd-archive-phi", 1, {AUDIT("\"a0\":\"tar\",\"a1\":\"czf\",\"a2\":\"/tmp/o.tgz\",\"a3\":\"/var/lib/ehr\"")}},
	{"casefile-auditd-archive-phi", 0, {AUDIT("\"a0\":\"tar\",\"a1\":\"czf\",\"a2\":\"/tmp/o.tgz\",\"a3\":\"/etc\"")}},
	{"casefile-auditd-db-dump", 1, {AUDIT("\"a0\":\"/usr/bin/pg_dump\",\"a1\":\"ehr\"")}},
	{"casefile-auditd-db-dump", 0, {AUDIT("\"a0\":\"/usr/bin/psql\",\"a1\":\"ehr\"")}},
	{"casefile-auditd-log-wipe", 1, {AUDIT("\"a0\":\"shred\",\"a1\":\"/var/log/auth.log\"")}},
	{"casefile-auditd-log-wipe", 0, {AUDIT("\"a0\":\"shred\",\"a1\":\"/tmp/x\"")}},
	/* models */
	{"casefile-model-change-outside-window", 1, {{.ts = "2026-03-01T10:00:00Z", /* Sunday */
		.source = "mlflow", .action = "stage-changed", .model = "sepsis-risk", .version = "6",
		.decision = "Archived"}}},
	{"casefile-model-change-outside-window", 0, {{.ts = "2026-03-04T11:30:00Z", /* Wednesday */
		.source = "mlflow", .action = "stage-changed", .model = "sepsis-risk", .version = "8",
		.decision = "Production"}}},
	{"casefile-model-archived-decisions", 1, {DECISION(.ts = T0, .version = "5",
		.attrs = "{\"model_stage\":\"Archived\"}")}},
	{"casefile-model-archived-decisions", 0, {DECISION(.ts = T0, .version = "5",
		.attrs = "{\"model_stage\":\"Production\"}")}},
	{"casefile-model-decision-no-version", 1, {DECISION(.ts = T0, .decision = "low-risk")}},
	{"casefile-model-decision-no-version", 0, {DECISION(.ts = T0, .version = "7", .decision = "low-risk")}},
	{"casefile-model-override-spike", 1, {DECISION(.ts = T0, .n = 5, .step = 3600, .version = "7",
		.outcome = "overridden")}},
	{"casefile-model-override-spike", 0, {DECISION(.ts = T0, .n = 4, .step = 3600, .version = "7",
		.outcome = "overridden")}},
	{"casefile-model-missed-high-repeated", 1, {DECISION(.ts = T0, .n = 3, .step = 3600, .version = "7",
		.outcome = "overridden", .attrs = "{\"override_decision\":\"high-risk\"}")}},
	{"casefile-model-missed-high-repeated", 0, {DECISION(.ts = T0, .n = 3, .step = 3600, .version = "7",
		.outcome = "overridden", .attrs = "{\"override_decision\":\"low-risk\"}")}},
	{"casefile-model-score-out-of-range", 1, {DECISION(.ts = T0, .version = "7", .score = 1.5,
		.has_score = 1)}},
	{"casefile-model-score-out-of-range", 0, {DECISION(.ts = T0, .version = "7", .score = 0.5,
		.has_score = 1)}},
	/* CloudTrail */
	{"casefile-aws-bucket-public", 1, {TRAIL(.ts = T0, .actor = "ops", .action = "PutBucketPolicy",
		.attrs = "{\"bucket\":\"phi-exports\"}")}},
	{"casefile-aws-bucket-public", 0, {TRAIL(.ts = T0, .action = "GetBucketPolicy", .actor = "ops")}},
	{"casefile-aws-phi-getobject-burst", 1, {TRAIL(.ts = T0, .n = 100, .step = 1, .actor = "ops",
		.action = "GetObject", .attrs = "{\"bucket\":\"phi-exports\"}")}},
	{"casefile-aws-phi-getobject-burst", 0, {TRAIL(.ts = T0, .n = 100, .step = 1, .actor = "ops",
		.action = "GetObject", .attrs = "{\"bucket\":\"web-assets\"}")}},
	{"casefile-aws-trail-stopped", 1, {TRAIL(.ts = T0, .actor = "ops", .action = "StopLogging")}},
	{"casefile-aws-trail-stopped", 0, {TRAIL(.ts = T0, .actor = "ops", .action = "StartLogging")}},
	{"casefile-aws-console-bruteforce", 1, {TRAIL(.ts = T0, .n = 5, .step = 10, .actor = "root",
		.action = "ConsoleLogin", .ip = "198.51.100.9",
		.attrs = "{\"error_message\":\"Failed authentication\"}")}},
	{"casefile-aws-console-bruteforce", 0, {TRAIL(.ts = T0, .n = 4, .step = 10, .actor = "root",
		.action = "ConsoleLogin", .ip = "198.51.100.9",
		.attrs = "{\"error_message\":\"Failed authentication\"}")}},
};

static struct sigma_set *pack(void)
{
	struct sigma_set *s = sigma_set_new();
	struct cf_ctx ctx;
	size_t n;

	cf_ctx_init(&ctx);
	assert_non_null(s);
	assert_int_equal(sigma_load_path(s, &ctx, PACK), CF_OK);
	assert_int_equal(sigma_link(s, &ctx), CF_OK);
	sigma_refusals(s, &n);
	if (n)
		fail_msg("%s: %s", sigma_refusals(s, &n)[0].where,
			 sigma_refusals(s, &n)[0].reason);
	return s;
}

/* "%u" of a template text with the repetition's number. */
static const char *fmt(char *buf, size_t n, const char *s, unsigned k)
{
	const char *u = s ? strstr(s, "%u") : NULL;

	if (!u)
		return s;
	snprintf(buf, n, "%.*s%u%s", (int)(u - s), s, k, u + 2);
	return buf;
}

/* Feeds case i, shifted by i weeks x CASE_WEEKS (weekday and hour kept,
 * every window of the pack long closed between cases), its events
 * numbered from (i + 1) * ID_SPAN. */
#define CASE_WEEKS 4
#define ID_SPAN 1000000
static void feed_case(struct sigma_set *s, size_t i)
{
	const struct kase *c = &cases[i];
	int64_t shift = (int64_t)i * CASE_WEEKS * 7 * 86400 * 1000000;
	int64_t id = (int64_t)(i + 1) * ID_SPAN;
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	for (size_t j = 0; j < 3 && c->ev[j].ts; j++) {
		const struct tev *t = &c->ev[j];
		int64_t t0;
		assert_int_equal(cf_time_parse(t->ts, -1, &t0, NULL), 0);
		for (unsigned k = 0; k < (t->n ? t->n : 1); k++) {
			char a[64], p[64], ip[64];
			struct cf_event e = {
				.ts_us = shift + t0 + (int64_t)k * t->step * 1000000,
				.id = id++, .source = t->source,
				.actor = fmt(a, sizeof a, t->actor, k),
				.actor_role = t->role, .action = t->action,
				.outcome = t->outcome, .patient = fmt(p, sizeof p, t->patient, k),
				.src_ip = fmt(ip, sizeof ip, t->ip, k), .model = t->model,
				.model_version = t->version, .decision = t->decision,
				.message = t->message, .attrs = t->attrs, .score = t->score,
				.has_score = t->has_score, .archive = "a", .member = "m",
				.line = k + 1,
			};
			assert_int_equal(sigma_feed(s, &ctx, &e), CF_OK);
		}
	}
}

/* 1 when a finding of the case's rule holds an event of the case. */
static int fired(const struct sigma_finding *const *f, size_t n, size_t i)
{
	for (size_t k = 0; k < n; k++) {
		if (strcmp(sigma_rule_id(f[k]->rule), cases[i].rule))
			continue;
		for (size_t e = 0; e < f[k]->nev; e++)
			if (f[k]->ev[e].id / ID_SPAN == (int64_t)(i + 1))
				return 1;
	}
	return 0;
}

/* All the cases through one loaded pack, one after the other. */
static void test_cases(void **state)
{
	struct sigma_set *s = pack();
	const struct sigma_finding *const *f;
	struct cf_ctx ctx;
	size_t n;

	(void)state;
	cf_ctx_init(&ctx);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		feed_case(s, i);
	assert_int_equal(sigma_finish(s, &ctx), CF_OK);
	f = sigma_findings(s, &n);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (fired(f, n, i) != cases[i].fires)
			fail_msg("%s (case %zu): %s", cases[i].rule, i,
				 cases[i].fires ? "did not fire" : "fired");
	sigma_set_free(s);
}

/* Every reporting rule of the pack has both cases; at least 25 rules. */
static void test_coverage(void **state)
{
	struct sigma_set *s = pack();
	size_t reporting = 0;

	(void)state;
	for (size_t i = 0; i < sigma_rule_count(s); i++) {
		const struct sigma_rule *r = sigma_rule_at(s, i);
		int have[2] = {0, 0};
		if (!sigma_rule_reports(r))
			continue;
		reporting++;
		for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
			if (!strcmp(cases[k].rule, sigma_rule_id(r)))
				have[cases[k].fires] = 1;
		if (!have[0] || !have[1])
			fail_msg("rule %s lacks a case that %s", sigma_rule_id(r),
				 have[1] ? "does not fire" : "fires");
	}
	assert_true(reporting >= 25);
	sigma_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_coverage),
		cmocka_unit_test(test_cases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
