/* SPDX-License-Identifier: Apache-2.0
 *
 * The auditd parser's command arguments and file names (timeline/auditd.c):
 * a0..a9 from an event's EXECVE record, hex-encoded arguments decoded,
 * else the SYSCALL record's registers as logged; name and nametype from
 * every PATH record, one per line. Sigma's auditd rules test these
 * (timeline/sigma_map.c), so a real SigmaHQ rule is run on the events
 * too. Samples: Elastic's `uname -a` event and plaso's ENRICHED log
 * (tests/fixtures/timeline/auditd/SOURCE.md, ../SOURCE.md); expected values
 * are read off the records by eye.
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
#include "../../timeline/sigma.h"
#include "../../timeline/tl.h"

#define FX FIXTURE_DIR "/timeline/"

struct got {
	struct cf_event ev[16];
	char *attrs[16];
	size_t n;
};

static int on_event(void *arg, const struct cf_event *e)
{
	struct got *g = arg;

	assert_true(g->n < 16);
	g->ev[g->n] = *e;
	g->attrs[g->n] = e->attrs ? strdup(e->attrs) : NULL;
	g->ev[g->n].attrs = g->attrs[g->n];
	/* the strings of e live until the next event: keep what is used */
	g->ev[g->n].message = NULL;
	g->ev[g->n].actor = NULL;
	g->ev[g->n].action = NULL;
	g->ev[g->n].outcome = NULL;
	g->ev[g->n].host = NULL;
	g->ev[g->n].src_ip = NULL;
	g->ev[g->n].ts_desc = NULL;
	g->ev[g->n].archive = NULL;
	g->ev[g->n].member = NULL;
	g->n++;
	return 0;
}

static int on_reject(void *arg, const struct cf_reject *r)
{
	(void)arg;
	(void)r;
	fail_msg("rejected");
	return 0;
}

static int on_patient(void *arg, const struct cf_patient *p)
{
	(void)arg;
	(void)p;
	return 0;
}

static void run_file(const char *path, struct got *g)
{
	struct tl_meta m = {.archive = "00", .member = "evidence/audit.log"};
	struct tl_sink s = {on_event, on_reject, on_patient, g};
	struct tl_run r;
	struct cf_ctx ctx;
	struct cf_buf b;

	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	cf_time_parse("2026-01-02T00:00:00Z", -1, &m.ref_us, NULL);
	m.tz_known = 1;
	assert_int_equal(cf_buf_read_file(&ctx, &b, path, 0), CF_OK);
	assert_int_equal(tl_run_init(&r, &tl_auditd, &m, &s, &ctx), CF_OK);
	assert_int_equal(tl_run_buffer(&r, b.data, b.len), CF_OK);
	tl_run_release(&r);
	cf_buf_release(&b);
}

static void got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->attrs[i]);
	memset(g, 0, sizeof *g);
}

/* attrs[key] as a string, or NULL when absent. */
static const char *attr(const struct got *g, size_t i, const char *key,
			char *buf, size_t n)
{
	cJSON *j = cJSON_Parse(g->attrs[i]);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
	const char *out = NULL;

	if (cJSON_IsString(v)) {
		snprintf(buf, n, "%s", v->valuestring);
		out = buf;
	}
	cJSON_Delete(j);
	return out;
}

static size_t by_serial(const struct got *g, const char *serial)
{
	char b[32];

	for (size_t i = 0; i < g->n; i++) {
		cJSON *j = cJSON_Parse(g->attrs[i]);
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "serial");
		snprintf(b, sizeof b, "%.0f", cJSON_IsNumber(s) ? s->valuedouble : -1.0);
		cJSON_Delete(j);
		if (!strcmp(b, serial))
			return i;
	}
	fail_msg("no event with serial %s", serial);
	return 0;
}

/* Elastic's `uname -a`: the EXECVE arguments, not the SYSCALL registers
 * (a0=10812c8); both PATH names, in item order. */
static void test_execve_args(void **state)
{
	struct got g = {0};
	char b[256];

	(void)state;
	run_file(FX "auditd/beats-execve.log", &g);
	assert_int_equal(g.n, 1);
	assert_string_equal(attr(&g, 0, "a0", b, sizeof b), "uname");
	assert_string_equal(attr(&g, 0, "a1", b, sizeof b), "-a");
	assert_null(attr(&g, 0, "a2", b, sizeof b));
	assert_string_equal(attr(&g, 0, "name", b, sizeof b),
			    "/bin/uname\n/lib64/ld-linux-x86-64.so.2");
	assert_string_equal(attr(&g, 0, "nametype", b, sizeof b), "NORMAL\nNORMAL");
	got_free(&g);
}

/* plaso's ENRICHED log: serial 487 runs /bin/sh -c with a hex-encoded
 * third argument (67726570... is "grep -c . /etc/hostname"); serial 447
 * has no EXECVE, so a0 is its SYSCALL's first register as logged. */
static void test_hex_args_and_registers(void **state)
{
	struct got g = {0};
	char b[256];
	size_t i;

	(void)state;
	run_file(FX "plaso/audit_enriched.log", &g);
	i = by_serial(&g, "487");
	assert_string_equal(attr(&g, i, "a0", b, sizeof b), "/bin/sh");
	assert_string_equal(attr(&g, i, "a1", b, sizeof b), "-c");
	assert_string_equal(attr(&g, i, "a2", b, sizeof b), "grep -c . /etc/hostname");
	i = by_serial(&g, "735");
	assert_string_equal(attr(&g, i, "a1", b, sizeof b), "/tmp/my report.txt");
	i = by_serial(&g, "447");
	assert_null(attr(&g, i, "name", b, sizeof b));
	assert_non_null(attr(&g, i, "a0", b, sizeof b));
	got_free(&g);
}

/* SigmaHQ's "System Owner or User Discovery - Linux" (type: EXECVE, a0
 * one of hostname, id, uname...) fires on `uname -a` and on plaso's `id`,
 * and on nothing else of the two samples. */
static void test_sigmahq_rule_fires(void **state)
{
	static const char *const files[] = {FX "auditd/beats-execve.log",
					    FX "plaso/audit_enriched.log"};
	struct sigma_set *s = sigma_set_new();
	const struct sigma_finding *const *f;
	struct cf_ctx ctx;
	size_t n;

	(void)state;
	cf_ctx_init(&ctx);
	assert_non_null(s);
	assert_int_equal(sigma_load_path(s, &ctx, FIXTURE_DIR "/sigma/rules/linux/"
					 "auditd/execve/lnx_auditd_user_discovery.yml"),
			 CF_OK);
	assert_int_equal(sigma_link(s, &ctx), CF_OK);
	assert_int_equal(sigma_rule_count(s), 1);
	for (size_t k = 0; k < 2; k++) {
		struct got g = {0};
		run_file(files[k], &g);
		for (size_t i = 0; i < g.n; i++) {
			g.ev[i].source = "auditd";
			assert_int_equal(sigma_feed(s, &ctx, &g.ev[i]), CF_OK);
		}
		got_free(&g);
	}
	assert_int_equal(sigma_finish(s, &ctx), CF_OK);
	f = sigma_findings(s, &n);
	assert_int_equal(n, 1);
	assert_int_equal(f[0]->count, 2);
	sigma_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_execve_args),
		cmocka_unit_test(test_hex_args_and_registers),
		cmocka_unit_test(test_sigmahq_rule_fires),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
