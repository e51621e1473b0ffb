/* SPDX-License-Identifier: Apache-2.0
 *
 * Tests of MLflow lineage on a store built with MLflow's own schema
 * (demo/schemas/mlflow-sqlite-core.sql) and the rows of
 * tests/fixtures/timeline/mlflow/store.sql: every fact of the registry
 * becomes one event at a time the store records (or, for an alias, a time
 * labelled inferred), a time the store never set is a reject and never an
 * event dated 1970, runs carry their input datasets; and decisions carry
 * their override as its own outcome and their inputs' PHI categories.
 * Expected counts are worked out by hand from store.sql (see its comments).
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

#include "casefile/error.h"
#include "testutil.h"
#include "../../timeline/tl.h"

#define EV_MAX 64

struct got {
	int n, rejects;
	int64_t ts[EV_MAX];
	char *action[EV_MAX], *attrs[EV_MAX], *outcome[EV_MAX], *desc[EV_MAX];
};

static char *dup0(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int on_event(void *arg, const struct cf_event *e)
{
	struct got *g = arg;

	assert_true(g->n < EV_MAX);
	g->ts[g->n] = e->ts_us;
	g->action[g->n] = dup0(e->action);
	g->attrs[g->n] = dup0(e->attrs);
	g->outcome[g->n] = dup0(e->outcome);
	g->desc[g->n] = dup0(e->ts_desc);
	g->n++;
	return CF_OK;
}

static int on_reject(void *arg, const struct cf_reject *r)
{
	(void)r;
	((struct got *)arg)->rejects++;
	return CF_OK;
}

static int on_patient(void *arg, const struct cf_patient *p)
{
	(void)arg;
	(void)p;
	return CF_OK;
}

static void got_free(struct got *g)
{
	for (int i = 0; i < g->n; i++) {
		free(g->action[i]);
		free(g->attrs[i]);
		free(g->outcome[i]);
		free(g->desc[i]);
	}
}

static int count(const struct got *g, const char *action)
{
	int n = 0;

	for (int i = 0; i < g->n; i++)
		n += !strcmp(g->action[i], action);
	return n;
}

static void exec_file(sqlite3 *db, const char *path)
{
	char *sql = tu_read_file(path, NULL), *err = NULL;

	assert_non_null(sql);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", path, err);
	free(sql);
}

static void test_store(void **state)
{
	char *dir = tu_tempdir(), *path = tu_path(dir, "mlflow.db");
	struct tl_meta m = {.archive = "00", .member = "evidence/mlflow/mlflow.db"};
	struct got g = {0};
	struct tl_sink s = {on_event, on_reject, on_patient, &g};
	struct cf_ctx ctx;
	struct tl_run r;
	sqlite3 *db;

	(void)state;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	exec_file(db, FIXTURE_DIR "/../../demo/schemas/mlflow-sqlite-core.sql");
	exec_file(db, FIXTURE_DIR "/timeline/mlflow/store.sql");
	sqlite3_close(db);
	cf_ctx_init(&ctx);
	assert_int_equal(tl_run_init(&r, &tl_mlflow_lineage, &m, &s, &ctx), CF_OK);
	assert_int_equal(tl_mlflow_sqlite(&r, path), CF_OK);
	tl_run_release(&r);
	/* 2 models, 2 versions created, 2 stages, 2 aliases, 3 run times */
	assert_int_equal(g.n, 11);
	assert_int_equal(count(&g, "model-registered"), 2);
	assert_int_equal(count(&g, "version-created"), 2);
	assert_int_equal(count(&g, "stage-changed"), 2);
	assert_int_equal(count(&g, "alias-set"), 2);
	assert_int_equal(count(&g, "run-started"), 2);
	assert_int_equal(count(&g, "run-ended"), 1); /* run8 still running */
	/* triage@1 created at no known time, its alias neither: rejects */
	assert_int_equal(g.rejects, 2);
	for (int i = 0; i < g.n; i++) {
		/* 2026-02-02 or later: never 1970 */
		assert_true(g.ts[i] >= 1770000000000000LL);
		if (!strcmp(g.action[i], "alias-set")) {
			assert_int_equal(g.ts[i], 1772623800000000LL);
			assert_non_null(strstr(g.attrs[i], "\"time_inferred\":true"));
			assert_non_null(strstr(g.desc[i], "inferred"));
		}
		if (!strcmp(g.action[i], "run-started") && g.ts[i] == 1772100000000000LL) {
			assert_non_null(strstr(g.attrs[i], "\"digest\":\"4f5e6d7c\""));
			assert_non_null(strstr(g.attrs[i], "\"context\":\"training\""));
			assert_non_null(strstr(g.attrs[i], "\"max_depth\":\"9\""));
		}
	}
	got_free(&g);
	free(path);
	tu_rmtree(dir);
}

static void test_decision_override(void **state)
{
	static const char log[] =
		"{\"time\":\"2026-03-02T10:00:00Z\",\"model\":\"sepsis-risk\","
		"\"model_version\":\"7\",\"patient\":\"p1\",\"input_ref\":"
		"\"Observation/obs-1\",\"output\":\"low-risk\",\"score\":0.1,"
		"\"threshold\":0.5,\"user\":\"pract-1\",\"override\":{\"by\":\"pract-2\","
		"\"decision\":\"high-risk\",\"reason\":\"lactate\"}}\n"
		"{\"time\":\"2026-03-02T10:01:00Z\",\"model\":\"sepsis-risk\","
		"\"model_version\":\"7\",\"patient\":\"p2\",\"input_ref\":"
		"[\"https://ehr/fhir/ImagingStudy/i-1\",\"MedicationRequest/m-1\"],"
		"\"output\":\"low-risk\",\"score\":0.2,\"user\":\"pract-1\",\"override\":null}\n";
	struct tl_meta m = {.archive = "00", .member = "d.jsonl",
			    .category = "model-decision"};
	struct got g = {0};
	struct tl_sink s = {on_event, on_reject, on_patient, &g};
	struct cf_ctx ctx;
	struct tl_run r;

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_equal(tl_run_init(&r, &tl_json, &m, &s, &ctx), CF_OK);
	assert_int_equal(tl_run_buffer(&r, log, sizeof log - 1), CF_OK);
	tl_run_release(&r);
	/* the 2 decisions, then sepsis-risk@7's in-service first and last */
	assert_int_equal(g.n, 4);
	assert_string_equal(g.action[0], "decision");
	assert_string_equal(g.outcome[0], "overridden");
	assert_non_null(strstr(g.attrs[0], "\"override_by\":\"pract-2\""));
	assert_non_null(strstr(g.attrs[0], "\"override_reason\":\"lactate\""));
	assert_non_null(strstr(g.attrs[0], "\"phi_categories\":[\"observations\"]"));
	assert_non_null(strstr(g.attrs[0], "\"requested_by\":\"pract-1\""));
	assert_string_equal(g.outcome[1], "success");
	assert_null(strstr(g.attrs[1], "override_by"));
	assert_non_null(strstr(g.attrs[1],
			       "\"phi_categories\":[\"imaging\",\"medications\"]"));
	got_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store),
		cmocka_unit_test(test_decision_override),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
