/* SPDX-License-Identifier: Apache-2.0
 *
 * Decision cohorts (src/scope_cohort.c through cf_scope_compute): a store
 * with decisions of two versions of one model, overrides, a decision
 * without a patient, decisions on both edges of the incident window and
 * just outside it, and a decision of a model that is not a suspect. The
 * expected numbers are counted by hand from the rows written below. Also
 * the cohort file (one CSV row per patient and version) and the
 * in-service events the decision parser emits at the end of a member
 * (timeline/mapping.c), driven with tl_run_buffer. The store is built in
 * /tmp by the test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/buf.h"
#include "casefile/db.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/scope.h"
#include "casefile/time.h"
#include "testutil.h"
#include "../../timeline/tl.h"

#define HOUR_US (3600LL * 1000000LL)

static char dbpath[64];

static void remove_files(void)
{
	const char *suffix[] = {"", "-wal", "-shm", "-journal"};
	char p[96];

	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		snprintf(p, sizeof p, "%s%s", dbpath, suffix[i]);
		unlink(p);
	}
}

static int setup(void **state)
{
	(void)state;
	snprintf(dbpath, sizeof dbpath, "/tmp/cf-test-scope-cohort-%d.sqlite", (int)getpid());
	remove_files();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	remove_files();
	return 0;
}

static int64_t t0(void)
{
	return cf_days_from_civil(2026, 3, 1) * 24 * HOUR_US;
}

static void decision(cf_db *db, struct cf_ctx *ctx, int64_t h, const char *model,
		     const char *version, const char *patient, const char *outcome,
		     uint64_t line)
{
	struct cf_event e = {.ts_us = t0() + h * HOUR_US, .source = "model-decision",
			     .action = "decision", .model = model,
			     .model_version = version, .decision = "high",
			     .outcome = outcome, .patient = patient,
			     .archive = "aa", .member = "logs/decisions.jsonl",
			     .line = line, .offset = line * 100};

	assert_int_equal(cf_db_insert_event(db, ctx, &e), CF_OK);
}

/* The window is hours 0..48 inclusive. */
static void build(void)
{
	struct cf_ctx ctx;
	struct cf_db_archive a = {.sha256sums = "aa", .path = "x.tar.zst", .verified = 1};
	cf_db *db;

	remove_files();
	cf_ctx_init(&ctx);
	assert_int_equal(cf_db_open(&ctx, dbpath, CF_DB_WRITE, &db), CF_OK);
	assert_int_equal(cf_db_begin(db, &ctx), CF_OK);
	decision(db, &ctx, -1, "sepsis-risk", "7", "p1", "success", 1);   /* before */
	decision(db, &ctx, 0, "sepsis-risk", "7", "p1", "success", 2);    /* edge */
	decision(db, &ctx, 1, "sepsis-risk", "7", "p2", "overridden", 3);
	decision(db, &ctx, 2, "sepsis-risk", "6", "p1", "success", 4);
	decision(db, &ctx, 3, "sepsis-risk", "7", "p1", "overridden", 5);
	decision(db, &ctx, 4, "sepsis-risk", "7", NULL, "success", 6);    /* no patient */
	decision(db, &ctx, 5, "other-model", "1", "p9", "success", 7);    /* not a suspect */
	decision(db, &ctx, 10, "sepsis-risk", "6", "p3", "overridden", 8);
	decision(db, &ctx, 48, "sepsis-risk", "7", "p3", "success", 9);   /* edge */
	decision(db, &ctx, 49, "sepsis-risk", "7", "p4", "success", 10);  /* after */
	assert_int_equal(cf_db_insert_archive(db, &ctx, &a), CF_OK);
	assert_int_equal(cf_db_commit(db, &ctx), CF_OK);
	assert_int_equal(cf_db_close(db, &ctx), CF_OK);
}

static struct cf_suspect_model suspects[] = {{"sepsis-risk", NULL}};

static cJSON *scope_of(void)
{
	struct cf_incident inc;
	struct cf_ctx ctx;
	cf_db *db;
	cJSON *j = NULL;

	memset(&inc, 0, sizeof inc);
	inc.id = "INC-C";
	inc.from_us = t0();
	inc.to_us = t0() + 48 * HOUR_US;
	inc.discovered_us = inc.to_us;
	inc.discovered_day = cf_days_from_civil(2026, 3, 3);
	inc.models = suspects;
	inc.nmodels = 1;
	cf_ctx_init(&ctx);
	assert_int_equal(cf_db_open(&ctx, dbpath, CF_DB_READ, &db), CF_OK);
	assert_int_equal(cf_scope_compute(&ctx, db, &inc, 0, &j), CF_OK);
	assert_int_equal(cf_db_close(db, &ctx), CF_OK);
	return j;
}

static const cJSON *cohort(const cJSON *j, const char *version)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(j, "cohorts"))
		if (!strcmp(cf_json_str(c, "version", ""), version))
			return c;
	fail_msg("no cohort for version %s", version);
	return NULL;
}

static const cJSON *sub(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static void test_cohorts(void **state)
{
	cJSON *j;
	const cJSON *c, *p;

	(void)state;
	build();
	j = scope_of();
	assert_int_equal(cJSON_GetArraySize(sub(j, "cohorts")), 2);
	/* version 6: hours 2 and 10 */
	c = cohort(j, "6");
	assert_string_equal(cf_json_str(c, "model", ""), "sepsis-risk");
	assert_int_equal(cf_json_int(c, "decisions", -1), 2);
	assert_int_equal(cf_json_int(c, "patients", -1), 2);
	assert_int_equal(cf_json_int(c, "overridden", -1), 1);
	assert_int_equal(cf_json_int(c, "acted_on", -1), 1);
	assert_int_equal(cf_json_int(sub(c, "first"), "line", -1), 4);
	assert_int_equal(cf_json_int(sub(c, "last"), "line", -1), 8);
	assert_string_equal(cf_json_str(sub(c, "first"), "member", ""), "logs/decisions.jsonl");
	assert_string_equal(cf_json_str(sub(c, "first"), "archive", ""), "aa");
	/* version 7: hours 0, 1, 3, 4 (no patient), 48; not -1 nor 49 */
	c = cohort(j, "7");
	assert_int_equal(cf_json_int(c, "decisions", -1), 5);
	assert_int_equal(cf_json_int(c, "patients", -1), 3);
	assert_int_equal(cf_json_int(c, "overridden", -1), 2);
	assert_int_equal(cf_json_int(c, "acted_on", -1), 3);
	assert_int_equal(cf_json_int(sub(c, "first"), "line", -1), 2);
	assert_int_equal(cf_json_int(sub(c, "first"), "offset", -1), 200);
	assert_string_equal(cf_json_str(sub(c, "first"), "time", ""),
			    cf_json_str(sub(j, "window"), "from", "?"));
	assert_int_equal(cf_json_int(sub(c, "last"), "line", -1), 9);
	assert_string_equal(cf_json_str(sub(c, "last"), "time", ""),
			    cf_json_str(sub(j, "window"), "to", "?"));
	/* per patient: p1 twice (acted on at 0, overridden at 3), p2, p3 */
	assert_int_equal(cJSON_GetArraySize(sub(c, "by_patient")), 3);
	p = cJSON_GetArrayItem(sub(c, "by_patient"), 0);
	assert_string_equal(cf_json_str(p, "patient", ""), "p1");
	assert_int_equal(cf_json_int(p, "decisions", -1), 2);
	assert_int_equal(cf_json_int(p, "overridden", -1), 1);
	assert_int_equal(cf_json_int(p, "acted_on", -1), 1);
	assert_int_equal(cf_json_int(sub(p, "first"), "line", -1), 2);
	assert_int_equal(cf_json_int(sub(p, "last"), "line", -1), 5);
	cJSON_Delete(j);
}

static void test_cohort_csv(void **state)
{
	struct cf_ctx ctx;
	struct cf_buf b;
	cJSON *j;

	(void)state;
	build();
	j = scope_of();
	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	assert_int_equal(cf_scope_cohort_csv(&ctx, j, &b), CF_OK);
	assert_string_equal(b.data,
		"patient,model,version,decisions,overridden,acted_on,first,last\n"
		"p1,sepsis-risk,6,1,0,1,2026-03-01T02:00:00.000000Z,2026-03-01T02:00:00.000000Z\n"
		"p3,sepsis-risk,6,1,1,0,2026-03-01T10:00:00.000000Z,2026-03-01T10:00:00.000000Z\n"
		"p1,sepsis-risk,7,2,1,1,2026-03-01T00:00:00.000000Z,2026-03-01T03:00:00.000000Z\n"
		"p2,sepsis-risk,7,1,1,0,2026-03-01T01:00:00.000000Z,2026-03-01T01:00:00.000000Z\n"
		"p3,sepsis-risk,7,1,0,1,2026-03-03T00:00:00.000000Z,2026-03-03T00:00:00.000000Z\n");
	cf_buf_release(&b);
	cJSON_Delete(j);
}

/* ---- in-service events from the decision parser -------------------------- */

#define EV_MAX 16

struct got {
	int n;
	char *action[EV_MAX], *version[EV_MAX], *attrs[EV_MAX], *source[EV_MAX];
	int patient[EV_MAX];
	uint64_t line[EV_MAX];
};

static char *dup0(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int on_event(void *arg, const struct cf_event *e)
{
	struct got *g = arg;

	assert_true(g->n < EV_MAX);
	g->action[g->n] = dup0(e->action);
	g->version[g->n] = dup0(e->model_version);
	g->attrs[g->n] = dup0(e->attrs);
	g->source[g->n] = dup0(e->source);
	g->patient[g->n] = e->patient != NULL;
	g->line[g->n] = e->line;
	g->n++;
	return CF_OK;
}

static int on_reject(void *arg, const struct cf_reject *r)
{
	(void)arg;
	(void)r;
	fail_msg("unexpected reject");
	return CF_OK;
}

static int on_patient(void *arg, const struct cf_patient *p)
{
	(void)arg;
	(void)p;
	return CF_OK;
}

/* The line of the one event of action and version (fails unless one). */
static uint64_t only(const struct got *g, const char *action, const char *version)
{
	int k = -1;

	for (int i = 0; i < g->n; i++)
		if (!strcmp(g->action[i], action) && !strcmp(g->version[i], version)) {
			assert_int_equal(k, -1);
			k = i;
		}
	assert_true(k >= 0);
	assert_string_equal(g->source[k], "decision");
	assert_non_null(g->attrs[k]);
	assert_non_null(strstr(g->attrs[k], "\"inferred\":true"));
	assert_false(g->patient[k]);
	return g->line[k];
}

static void test_in_service_events(void **state)
{
	/* version 7 out of time order: its first is line 3; line 4 ties
	 * with line 2 in time and comes later: the last; line 5 names no
	 * version: no interval */
	static const char log[] =
		"{\"time\":\"2026-03-01T10:00:00Z\",\"model\":\"m\",\"model_version\":\"6\",\"patient\":\"p1\",\"output\":\"x\"}\n"
		"{\"time\":\"2026-03-02T10:00:00Z\",\"model\":\"m\",\"model_version\":\"7\",\"patient\":\"p1\",\"output\":\"x\"}\n"
		"{\"time\":\"2026-03-01T11:00:00Z\",\"model\":\"m\",\"model_version\":\"7\",\"patient\":\"p2\",\"output\":\"x\",\"override\":{\"by\":\"dr\"}}\n"
		"{\"time\":\"2026-03-02T10:00:00Z\",\"model\":\"m\",\"model_version\":\"7\",\"patient\":\"p3\",\"output\":\"x\"}\n"
		"{\"time\":\"2026-03-09T10:00:00Z\",\"model\":\"m\",\"patient\":\"p4\",\"output\":\"x\"}\n";
	struct tl_meta m = {.archive = "00", .member = "d.jsonl",
			    .category = "model-decision"};
	struct got g = {0};
	struct tl_sink s = {on_event, on_reject, on_patient, &g};
	struct cf_ctx ctx;
	struct tl_run r;

	(void)state;
	cf_ctx_init(&ctx);
	for (int pass = 0; pass < 2; pass++) { /* a second member: again */
		assert_int_equal(tl_run_init(&r, &tl_json, &m, &s, &ctx), CF_OK);
		assert_int_equal(tl_run_buffer(&r, log, sizeof log - 1), CF_OK);
		tl_run_release(&r);
		assert_int_equal(g.n, 9);
		assert_int_equal(only(&g, "model-in-service-first", "6"), 1);
		assert_int_equal(only(&g, "model-in-service-last", "6"), 1);
		assert_int_equal(only(&g, "model-in-service-first", "7"), 3);
		assert_int_equal(only(&g, "model-in-service-last", "7"), 4);
		for (int i = 0; i < g.n; i++) {
			free(g.action[i]);
			free(g.version[i]);
			free(g.attrs[i]);
			free(g.source[i]);
		}
		g.n = 0;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cohorts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cohort_csv, setup, teardown),
		cmocka_unit_test(test_in_service_events),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
