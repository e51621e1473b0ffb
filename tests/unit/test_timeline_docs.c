/* SPDX-License-Identifier: Apache-2.0
 *
 * Tests of the web access log, FHIR AuditEvent, CloudTrail and auditd
 * parsers, and of the evidence pointers of records inside JSON documents,
 * on real third-party samples (origins in the SOURCE.md files beside the
 * fixtures). Expected values are upstream's own (plaso's test of its Apache
 * parser) or read off the samples by hand, never our parser's output:
 * request lines holding raw quotes, patients named by absolute, contained
 * and identifier references, purposes of use, CloudTrail Insights and
 * service events, interleaved and interpreted audit records, the record
 * index, byte offset and line of each CloudTrail record, and documents
 * refused whole.
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
#include "../../timeline/tl.h"

#define FX FIXTURE_DIR "/timeline/"

struct ev {
	char *actor, *action, *outcome, *patient, *resource, *src_ip, *attrs;
	uint64_t line, off;
};

struct got {
	struct ev ev[64];
	size_t n, rejects;
	uint64_t reject_line, reject_off;
	char reason[256];
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
	x->actor = xdup(e->actor);
	x->action = xdup(e->action);
	x->outcome = xdup(e->outcome);
	x->patient = xdup(e->patient);
	x->resource = xdup(e->resource);
	x->src_ip = xdup(e->src_ip);
	x->attrs = xdup(e->attrs);
	x->line = e->line;
	x->off = e->offset;
	if (e->attrs) { /* always one valid JSON object */
		cJSON *j = cJSON_Parse(e->attrs);
		assert_true(cJSON_IsObject(j));
		cJSON_Delete(j);
	}
	return 0;
}

static int on_reject(void *arg, const struct cf_reject *r)
{
	struct got *g = arg;

	g->rejects++;
	g->reject_line = r->line;
	g->reject_off = r->offset;
	snprintf(g->reason, sizeof g->reason, "%s", r->reason);
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
		struct ev *x = &g->ev[i];
		free(x->actor), free(x->action), free(x->outcome), free(x->patient);
		free(x->resource), free(x->src_ip), free(x->attrs);
	}
	memset(g, 0, sizeof *g);
}

static struct tl_meta meta(void)
{
	struct tl_meta m = {.archive = "00", .member = "evidence/x"};
	cf_time_parse("2026-01-02T00:00:00Z", -1, &m.ref_us, NULL);
	m.tz_known = 1;
	return m;
}

static void run_buf(const struct tl_parser *p, const void *buf, size_t len,
		    struct got *g)
{
	struct tl_meta m = meta();
	struct tl_sink s = {on_event, on_reject, on_patient, g};
	struct tl_run r;
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	assert_int_equal(tl_run_init(&r, p, &m, &s, &ctx), CF_OK);
	assert_int_equal(tl_run_buffer(&r, buf, len), CF_OK);
	tl_run_release(&r);
}

static char *slurp(const char *path, size_t *len)
{
	struct cf_buf b;
	struct cf_ctx ctx;
	char *s;

	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	assert_int_equal(cf_buf_read_file(&ctx, &b, path, 0), CF_OK);
	s = malloc(b.len + 1);
	assert_non_null(s);
	memcpy(s, b.data, b.len);
	s[b.len] = '\0';
	*len = b.len;
	cf_buf_release(&b);
	return s;
}

/* Runs a file through p, or through the parser tl_detect picks (p NULL). */
static void run_file(const struct tl_parser *p, const char *path, struct got *g)
{
	size_t len;
	char *s = slurp(path, &len);

	if (!p)
		p = tl_detect("evidence/x", NULL, NULL, (unsigned char *)s, len);
	assert_non_null(p);
	run_buf(p, s, len, g);
	free(s);
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

static const struct ev *at_line(const struct got *g, uint64_t line)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->ev[i].line == line)
			return &g->ev[i];
	fail_msg("no event at line %llu", (unsigned long long)line);
	return NULL;
}

/* ---- web access logs ---------------------------------------------------- */

/* plaso's apache_access.log: plaso's own test expects 14 events and one
 * warning (line 8, whose user agent has no closing quote); lines 13 and 14
 * carry raw quotes inside the request line. */
static void test_access_raw_quotes(void **state)
{
	struct got g = {0};
	const struct ev *e;
	char b[256];

	(void)state;
	run_file(&tl_access_log, FX "plaso/apache_access.log", &g);
	assert_int_equal(g.n, 14);
	assert_int_equal(g.rejects, 1);
	assert_int_equal(g.reject_line, 8);
	assert_non_null(strstr(g.reason, "user agent"));
	e = at_line(&g, 13);
	assert_string_equal(e->src_ip, "1.2.3.4");
	assert_string_equal(e->action, "GET");
	assert_string_equal(e->resource,
			    "/aaaa.xxxx/SomeText?action=edit&template=<script>alert(\"text\")</script>");
	assert_string_equal(attr(e, "protocol", b, sizeof b), "HTTP/1.0");
	assert_string_equal(attr(e, "status", b, sizeof b), "404");
	assert_string_equal(attr(e, "bytes", b, sizeof b), "1164");
	assert_string_equal(attr(e, "raw_quotes", b, sizeof b), "true");
	assert_string_equal(e->outcome, "failure");
	e = at_line(&g, 14);
	assert_string_equal(e->resource,
			    "/$%7B(\"TextString\"+\"123456\")%7D/actionChain1.action");
	/* plaso's event 4: combined format, unchanged by the fallback */
	e = at_line(&g, 5);
	assert_string_equal(attr(e, "referer", b, sizeof b), "http://localhost/");
	assert_string_equal(attr(e, "user_agent", b, sizeof b),
			    "Mozilla/5.0 (X11; Linux i686; rv:2.0b12pre) Gecko/20100101 Firefox/4");
	assert_string_equal(attr(e, "raw_quotes", b, sizeof b), "");
	/* plaso's event 13: a Kerberos user name */
	assert_string_equal(at_line(&g, 15)->actor, "pyllyukko@EXAMPLE.COM");
	got_free(&g);
}

/* Reasons name what failed: an Apache error-log line (loghub) has no
 * fields before its time. */
static void test_access_reject_reasons(void **state)
{
	static const char errlog[] = "[Sun Dec 04 04:47:44 2005] [notice] "
				     "workerEnv.init() ok /etc/httpd/conf/workers2.properties\n";
	static const char notime[] = "10.0.0.1 - - 13/Jan/2016:19:31:16 \"GET / HTTP/1.1\" 200 1\n";
	struct got g = {0};

	(void)state;
	run_buf(&tl_access_log, errlog, sizeof errlog - 1, &g);
	assert_int_equal(g.rejects, 1);
	assert_non_null(strstr(g.reason, "0 fields before the time"));
	got_free(&g);
	run_buf(&tl_access_log, notime, sizeof notime - 1, &g);
	assert_non_null(strstr(g.reason, "no [time] field"));
	got_free(&g);
}

/* ---- FHIR --------------------------------------------------------------- */

/* The spec's PIX query: the patient is named by entity.what.identifier
 * (type Person, role Patient), with no reference. */
static void test_fhir_identifier_patient(void **state)
{
	struct got g = {0};

	(void)state;
	run_file(NULL, FX "fhir/audit-event-example-pixQuery.json", &g);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.ev[0].patient, "e3cdfc81a0d24bd^^^&2.16.840.1.113883.4.2&ISO");
	assert_string_equal(g.ev[0].actor, "95");
	assert_string_equal(g.ev[0].action, "ITI-9");
	got_free(&g);
}

/* The spec's vread example with its entity named by an absolute URL, by a
 * contained Patient, and with purposes of use on the event and the agent. */
static void test_fhir_reference_forms(void **state)
{
	struct got g = {0};
	char b[128];

	(void)state;
	run_file(NULL, FX "fhir/audit-event-vread-variants.ndjson", &g);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.rejects, 0);
	assert_string_equal(g.ev[0].patient, "123");
	assert_string_equal(attr(&g.ev[0], "resource_types", b, sizeof b), "Patient");
	assert_string_equal(g.ev[0].resource, "Patient/123");
	assert_string_equal(g.ev[1].patient, "MRN-4711");
	assert_string_equal(g.ev[2].patient, "example");
	assert_string_equal(attr(&g.ev[2], "purpose", b, sizeof b), "TREAT,HPAYMT");
	got_free(&g);
}

/* ---- CloudTrail ----------------------------------------------------------- */

/* AWS's Insights example, a pretty-printed Records[] file: both records
 * are Insights events, each at its own line and offset (found by hand:
 * the "{" of record 0 is byte 27 on line 3, of record 1 byte 1027 on line
 * 29). */
static void test_cloudtrail_insights_records(void **state)
{
	struct got g = {0};
	char b[128];
	size_t len;
	char *s, *crlf;

	(void)state;
	run_file(NULL, FX "awsdocs/insights-records.json", &g);
	assert_int_equal(g.n, 2);
	for (int i = 0; i < 2; i++) {
		assert_string_equal(g.ev[i].action, "insight:UpdateInstanceAssociationStatus");
		assert_string_equal(g.ev[i].resource, "ssm.amazonaws.com");
		assert_null(g.ev[i].outcome);
		assert_null(g.ev[i].src_ip);
		assert_string_equal(attr(&g.ev[i], "insight_type", b, sizeof b),
				    "ApiCallRateInsight");
		assert_string_equal(attr(&g.ev[i], "record", b, sizeof b), i ? "1" : "0");
	}
	assert_string_equal(attr(&g.ev[0], "insight_state", b, sizeof b), "Start");
	assert_string_equal(attr(&g.ev[1], "insight_state", b, sizeof b), "End");
	assert_int_equal(g.ev[0].off, 27);
	assert_int_equal(g.ev[0].line, 3);
	assert_int_equal(g.ev[1].off, 1027);
	assert_int_equal(g.ev[1].line, 29);
	got_free(&g);
	/* the same file with CRLF line ends: one more byte per line before */
	s = slurp(FX "awsdocs/insights-records.json", &len);
	crlf = malloc(2 * len + 1);
	assert_non_null(crlf);
	{
		size_t k = 0;
		for (size_t i = 0; i < len; i++) {
			if (s[i] == '\n')
				crlf[k++] = '\r';
			crlf[k++] = s[i];
		}
		run_buf(&tl_json, crlf, k, &g);
	}
	assert_int_equal(g.n, 2);
	assert_int_equal(g.ev[0].off, 27 + 2);
	assert_int_equal(g.ev[1].off, 1027 + 28);
	assert_int_equal(g.ev[1].line, 29);
	got_free(&g);
	free(crlf);
	free(s);
}

/* The run gave no event and one reject, at line and off, whose reason
 * starts with why; then forgets it. */
static void one_reject(struct got *g, uint64_t line, uint64_t off, const char *why)
{
	assert_int_equal(g->n, 0);
	assert_int_equal(g->rejects, 1);
	assert_int_equal(g->reject_line, line);
	assert_int_equal(g->reject_off, off);
	if (strncmp(g->reason, why, strlen(why)))
		fail_msg("reason: %s", g->reason);
	got_free(g);
}

/* A document read whole (the JSON parser's, MLflow's lineage.json) that
 * cJSON refuses, or that passes TL_DOC_MAX, is one reject at its first
 * line and byte, never a reject per line nor an event. */
static void test_documents_refused_whole(void **state)
{
	static const char bad[] = "\n{\"Records\": [\r\n  {\"eventVersion\": \"1.08\",\r\n ]\r\n";
	static const char lbad[] = "{\"registered_models\": [\n  {\"name\": \"m\"\n}\n";
	const size_t line = 512 << 10, lines = (TL_DOC_MAX / line) + 2;
	char *big = malloc(3 + lines * (line + 1) + 2), *p;
	struct got g = {0};

	(void)state;
	assert_non_null(big);
	run_buf(&tl_json, bad, sizeof bad - 1, &g);
	one_reject(&g, 2, 1, "invalid JSON document (3 lines): ");
	run_buf(&tl_mlflow_lineage, lbad, sizeof lbad - 1, &g);
	one_reject(&g, 1, 0, "invalid lineage JSON (3 lines): ");
	/* AWS's Insights record file cut after its first 30 lines (`head -30
	 * | wc -l`: 30; jq refuses it), in the middle of the first record */
	{
		size_t len, cut = 0;
		char *s = slurp(FX "awsdocs/insights-records.json", &len);

		for (int k = 0; k < 30; k++)
			cut += strcspn(s + cut, "\n") + 1;
		run_buf(&tl_json, s, cut, &g);
		one_reject(&g, 1, 0, "invalid JSON document (30 lines): ");
		free(s);
	}
	/* a blank line, then an array of blank lines past the limit */
	p = big;
	*p++ = '\n';
	*p++ = '[';
	*p++ = '\n';
	for (size_t i = 0; i < lines; i++, p += line + 1) {
		memset(p, ' ', line);
		p[line] = '\n';
	}
	memcpy(p, "]\n", 2);
	run_buf(&tl_json, big, (size_t)(p + 2 - big), &g);
	one_reject(&g, 2, 1, "JSON document larger than 67108864 bytes");
	run_buf(&tl_mlflow_lineage, big + 1, (size_t)(p + 1 - big), &g);
	one_reject(&g, 1, 0, "lineage JSON larger than 67108864 bytes");
	free(big);
}

/* AWS's service event example: sourceIPAddress is a service name. */
static void test_cloudtrail_service_event(void **state)
{
	struct got g = {0};
	char b[128];

	(void)state;
	run_file(NULL, FX "awsdocs/service-event-bid-evicted.json", &g);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.ev[0].action, "service:BidEvictedEvent");
	assert_null(g.ev[0].src_ip);
	assert_string_equal(attr(&g.ev[0], "source_service", b, sizeof b), "ec2.amazonaws.com");
	assert_string_equal(attr(&g.ev[0], "event_type", b, sizeof b), "AwsServiceEvent");
	assert_string_equal(g.ev[0].actor, "ec2.amazonaws.com");
	got_free(&g);
	/* Elastic's console logins (AWS samples): API records keep their name
	 * and an address stays src_ip */
	run_file(NULL, FX "cloudtrail/test-console-login-json.log", &g);
	assert_string_equal(g.ev[0].action, "ConsoleLogin");
	assert_string_equal(g.ev[0].src_ip, "89.160.20.156");
	got_free(&g);
}

/* A Records[] document whose strings hold brackets, braces, commas and
 * escaped quotes: the record offsets still fall on each record's "{". */
static void test_json_record_offsets_hostile_strings(void **state)
{
	static const char *const rec[] = {
		"{\"eventVersion\":\"1.08\",\"eventTime\":\"2026-03-01T00:00:00Z\","
		"\"eventName\":\"A\",\"userAgent\":\"x]},{\\\"[\"}",
		"{\"eventVersion\":\"1.08\",\"eventTime\":\"2026-03-01T00:00:01Z\","
		"\"eventName\":\"B\",\"requestParameters\":{\"k\":[\"]\",\"\\\\\"]}}"};
	char doc[1024];
	size_t at[2];
	int n;
	struct got g = {0};
	char b[32];

	(void)state;
	n = snprintf(doc, sizeof doc, "{\"note\": \"[{\\\"Records\\\": [\",\n\"Records\": [\n  ");
	at[0] = (size_t)n;
	n += snprintf(doc + n, sizeof doc - (size_t)n, "%s,\n  ", rec[0]);
	at[1] = (size_t)n;
	n += snprintf(doc + n, sizeof doc - (size_t)n, "%s\n]}\n", rec[1]);
	run_buf(&tl_json, doc, (size_t)n, &g);
	assert_int_equal(g.rejects, 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.ev[0].action, "A");
	assert_int_equal(g.ev[0].off, at[0]);
	assert_int_equal(g.ev[0].line, 3);
	assert_int_equal(g.ev[1].off, at[1]);
	assert_int_equal(g.ev[1].line, 4);
	assert_string_equal(attr(&g.ev[1], "record", b, sizeof b), "1");
	got_free(&g);
}

/* ---- auditd ------------------------------------------------------------- */

/* auparse's test3.log: the records of events 194433..194440 interleave
 * (SYSCALL 435, SYSCALL 433, PROCTITLE 433, PROCTITLE 435, ...): each
 * event is its SYSCALL and its PROCTITLE, the ADD_GROUP line one more. */
static void test_auditd_interleaved(void **state)
{
	static const char *const want[][2] = {
		{"194435", "select"}, {"194433", "rt_sigaction"},
		{"194436", "rt_sigaction"}, {"194437", "rt_sigprocmask"},
		{"194438", "rt_sigaction"}, {"194439", "rt_sigprocmask"},
		{"194440", "clock_gettime"}, {"194894", "ADD_GROUP"}};
	struct got g = {0};
	char b[64];

	(void)state;
	run_file(&tl_auditd, FX "auparse/test3.log", &g);
	assert_int_equal(g.rejects, 0);
	assert_int_equal(g.n, 8);
	for (size_t i = 0; i < 8; i++) {
		assert_string_equal(attr(&g.ev[i], "serial", b, sizeof b), want[i][0]);
		assert_string_equal(g.ev[i].action, want[i][1]);
		assert_string_equal(attr(&g.ev[i], "records", b, sizeof b), i < 7 ? "2" : "1");
	}
	assert_string_equal(attr(&g.ev[0], "types", b, sizeof b), "SYSCALL,PROCTITLE");
	assert_int_equal(g.ev[0].line, 1);
	assert_int_equal(g.ev[1].line, 2);
	got_free(&g);
}

/* The same event with its PROCTITLE first: the action is still the call. */
static void test_auditd_syscall_not_first(void **state)
{
	static const char log[] =
		"type=PROCTITLE msg=audit(1783414661.335:485): proctitle=6964\n"
		"type=SYSCALL msg=audit(1783414661.335:485): arch=c000003e syscall=59 "
		"success=yes exit=0 items=2 ppid=2176 pid=2219 auid=1000 uid=0 "
		"\x1d" "ARCH=x86_64 SYSCALL=execve AUID=\"bob\" UID=\"root\"\n"
		"type=EOE msg=audit(1783414661.335:485): \n";
	struct got g = {0};
	char b[64];

	(void)state;
	run_buf(&tl_auditd, log, sizeof log - 1, &g);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.ev[0].action, "execve");
	assert_string_equal(g.ev[0].actor, "bob");
	assert_string_equal(attr(&g.ev[0], "auid_name", b, sizeof b), "bob");
	assert_string_equal(attr(&g.ev[0], "uid_name", b, sizeof b), "root");
	got_free(&g);
}

/* Elastic's auditd fixture: an `ausearch -i` record whose syscall and
 * auid are names, not numbers. */
static void test_auditd_interpreted(void **state)
{
	struct got g = {0};
	char b[64];

	(void)state;
	run_file(&tl_auditd, FX "auditd/beats-interpreted.log", &g);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.ev[0].action, "execve");
	assert_string_equal(g.ev[0].actor, "vagrant");
	assert_string_equal(attr(&g.ev[0], "uid_name", b, sizeof b), "vagrant");
	got_free(&g);
	/* plaso's ENRICHED sample: serial 447 is LOGIN, then SYSCALL (write,
	 * named by the ENRICHED suffix), then PROCTITLE */
	run_file(&tl_auditd, FX "plaso/audit_enriched.log", &g);
	assert_string_equal(at_line(&g, 7)->action, "write");
	assert_string_equal(attr(at_line(&g, 7), "types", b, sizeof b),
			    "LOGIN,SYSCALL,PROCTITLE");
	got_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_access_raw_quotes),
		cmocka_unit_test(test_access_reject_reasons),
		cmocka_unit_test(test_fhir_identifier_patient),
		cmocka_unit_test(test_fhir_reference_forms),
		cmocka_unit_test(test_cloudtrail_insights_records),
		cmocka_unit_test(test_cloudtrail_service_event),
		cmocka_unit_test(test_documents_refused_whole),
		cmocka_unit_test(test_json_record_offsets_hostile_strings),
		cmocka_unit_test(test_auditd_interleaved),
		cmocka_unit_test(test_auditd_syscall_not_first),
		cmocka_unit_test(test_auditd_interpreted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
