/* SPDX-License-Identifier: Apache-2.0
 *
 * Tests of the timeline store (src/db.c): schema, batched inserts, the
 * archive idempotence record, filtered queries, deferred indexes, the
 * refusal of databases that are not casefile's, and builds that are all or
 * nothing (a new store appears only complete, an existing one changes only
 * when the build is kept).
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
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/db.h"
#include "casefile/error.h"

static char dbpath[64], partial[80];

static void remove_files(void)
{
	const char *suffix[] = {"", "-wal", "-shm", "-journal"};
	char p[96];

	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		snprintf(p, sizeof p, "%s%s", dbpath, suffix[i]);
		unlink(p);
	}
	unlink(partial);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dbpath, sizeof dbpath, "/tmp/cf-test-db-%d.sqlite", (int)getpid());
	snprintf(partial, sizeof partial, "%s.partial", dbpath);
	remove_files();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	remove_files();
	return 0;
}

static int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void fill(cf_db *db, struct cf_ctx *ctx)
{
	struct cf_event e = {.ts_us = 2000, .source = "fhir-auditevent",
			     .actor = "pract-1", .action = "read",
			     .outcome = "success", .patient = "p1",
			     .archive = "aa", .member = "evidence/x", .line = 2,
			     .offset = 10, .attrs = "{\"k\":1}"};
	struct cf_reject r = {.archive = "aa", .member = "evidence/x", .line = 3,
			      .offset = 20, .reason = "bad"};
	struct cf_patient p = {.id = "p1", .state = "MA", .has_contact = 1};
	struct cf_db_archive a = {.sha256sums = "aa", .path = "x.tar.zst",
				  .verified = 1};

	assert_int_equal(cf_db_begin(db, ctx), CF_OK);
	assert_int_equal(cf_db_insert_event(db, ctx, &e), CF_OK);
	e.ts_us = 1000;
	e.patient = "p2";
	e.actor = "pract-2";
	e.has_score = 1;
	e.score = 0.5;
	assert_int_equal(cf_db_insert_event(db, ctx, &e), CF_OK);
	assert_int_equal(cf_db_insert_reject(db, ctx, &r), CF_OK);
	assert_int_equal(cf_db_insert_patient(db, ctx, &p), CF_OK);
	p.state = NULL;
	assert_int_equal(cf_db_insert_patient(db, ctx, &p), CF_OK);
	assert_int_equal(cf_db_insert_archive(db, ctx, &a), CF_OK);
	assert_int_equal(cf_db_commit(db, ctx), CF_OK);
}

/* A store at dbpath holding what fill() adds. */
static void make_store(void)
{
	struct cf_ctx ctx;
	cf_db *db;

	cf_ctx_init(&ctx);
	assert_int_equal(cf_db_open(&ctx, dbpath, CF_DB_WRITE, &db), CF_OK);
	fill(db, &ctx);
	assert_int_equal(cf_db_close(db, &ctx), CF_OK);
}

struct collect {
	int n;
	int64_t ts[8];
	char patient[8][16];
};

static int on_event(void *arg, const struct cf_event *e)
{
	struct collect *c = arg;
	if (c->n < 8) {
		c->ts[c->n] = e->ts_us;
		snprintf(c->patient[c->n], 16, "%s", e->patient ? e->patient : "");
	}
	c->n++;
	return 0;
}

static int on_patient(void *arg, const struct cf_patient *p)
{
	char *state = arg;
	snprintf(state, 8, "%s", p->state ? p->state : "");
	return 0;
}

static void test_roundtrip(void **state)
{
	struct cf_ctx ctx;
	cf_db *db;
	struct collect c = {0};
	struct cf_db_filter f = {0};
	char st[8] = "";
	int64_t ne, nr;

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_equal(cf_db_open(&ctx, dbpath, CF_DB_WRITE, &db), CF_OK);
	assert_int_equal(cf_db_has_archive(db, &ctx, "aa"), 0);
	fill(db, &ctx);
	assert_int_equal(cf_db_has_archive(db, &ctx, "aa"), 1);
	assert_int_equal(cf_db_close(db, &ctx), CF_OK);

	assert_int_equal(cf_db_open(&ctx, dbpath, CF_DB_READ, &db), CF_OK);
	assert_int_equal(cf_db_counts(db, &ctx, &ne, &nr), CF_OK);
	assert_int_equal(ne, 2);
	assert_int_equal(nr, 1);
	assert_int_equal(cf_db_query_events(db, &ctx, NULL, on_event, &c), CF_OK);
	assert_int_equal(c.n, 2);
	assert_true(c.ts[0] == 1000 && c.ts[1] == 2000); /* time order */
	memset(&c, 0, sizeof c);
	f.patient = "p1";
	assert_int_equal(cf_db_query_events(db, &ctx, &f, on_event, &c), CF_OK);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.patient[0], "p1");
	memset(&c, 0, sizeof c);
	f.patient = NULL;
	f.has_to = 1;
	f.to_us = 1500;
	assert_int_equal(cf_db_query_events(db, &ctx, &f, on_event, &c), CF_OK);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.patient[0], "p2");
	/* the first known state is kept when a later row has none */
	assert_int_equal(cf_db_query_patients(db, &ctx, on_patient, st), CF_OK);
	assert_string_equal(st, "MA");
	assert_int_equal(cf_db_close(db, &ctx), CF_OK);
}

static void test_indexes_created(void **state)
{
	sqlite3 *sq;
	sqlite3_stmt *s;

	(void)state;
	make_store();
	assert_int_equal(sqlite3_open(dbpath, &sq), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(sq,
		"SELECT count(*) FROM sqlite_schema WHERE type='index' AND name LIKE 'events_%'",
		-1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	/* patient, actor and time; the filters' (src/db_sqlite_index.c):
	 * address, host, source, outcome, model */
	assert_int_equal(sqlite3_column_int(s, 0), 8);
	sqlite3_finalize(s);
	sqlite3_close(sq);
}

static void test_refuses_foreign(void **state)
{
	struct cf_ctx ctx;
	cf_db *db = NULL;
	sqlite3 *sq;

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_equal(sqlite3_open(dbpath, &sq), SQLITE_OK);
	assert_int_equal(sqlite3_exec(sq, "CREATE TABLE events(x)", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(sq);
	assert_int_equal(cf_db_open(&ctx, dbpath, CF_DB_WRITE, &db), CF_FAILED);
	assert_null(db);
	assert_non_null(strstr(cf_errmsg(&ctx), "not a casefile timeline"));
	assert_int_equal(cf_db_open(&ctx, "/nonexistent/x.db", CF_DB_READ, &db),
			 CF_FAILED);
}

/* One more archive, "bb", with one event. */
static void add_bb(cf_db *db, struct cf_ctx *ctx)
{
	struct cf_event e = {.ts_us = 3000, .source = "syslog", .archive = "bb",
			     .member = "evidence/y", .line = 1};
	struct cf_db_archive a = {.sha256sums = "bb", .path = "y.tar.zst",
				  .verified = 1};

	assert_int_equal(cf_db_begin(db, ctx), CF_OK);
	assert_int_equal(cf_db_insert_event(db, ctx, &e), CF_OK);
	assert_int_equal(cf_db_insert_archive(db, ctx, &a), CF_OK);
	assert_int_equal(cf_db_commit(db, ctx), CF_OK);
}

static int64_t events_in(const char *path)
{
	struct cf_ctx ctx;
	cf_db *db;
	int64_t ne, nr;

	cf_ctx_init(&ctx);
	assert_int_equal(cf_db_open(&ctx, path, CF_DB_READ, &db), CF_OK);
	assert_int_equal(cf_db_counts(db, &ctx, &ne, &nr), CF_OK);
	assert_int_equal(cf_db_close(db, &ctx), CF_OK);
	return ne;
}

/* A new store is built under NAME.partial; NAME appears at close only. */
static void test_new_store_appears_complete(void **state)
{
	struct cf_ctx ctx;
	cf_db *db, *rd = NULL;

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_equal(cf_db_open(&ctx, dbpath, CF_DB_WRITE, &db), CF_OK);
	fill(db, &ctx);
	assert_false(exists(dbpath));
	assert_true(exists(partial));
	assert_int_equal(cf_db_open(&ctx, dbpath, CF_DB_READ, &rd), CF_FAILED);
	assert_null(rd);
	assert_int_equal(cf_db_close(db, &ctx), CF_OK);
	assert_false(exists(partial));
	assert_int_equal(events_in(dbpath), 2);
}

/* An abandoned new store leaves nothing; a stale partial file (from a
 * killed build) is replaced by the next build. */
static void test_new_store_abandoned(void **state)
{
	struct cf_ctx ctx;
	cf_db *db;
	FILE *f;

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_equal(cf_db_open(&ctx, dbpath, CF_DB_WRITE, &db), CF_OK);
	fill(db, &ctx);
	cf_db_abandon(db);
	assert_false(exists(dbpath));
	assert_false(exists(partial));
	assert_non_null(f = fopen(partial, "w"));
	fputs("a killed build's half-written store", f);
	fclose(f);
	make_store();
	assert_false(exists(partial));
	assert_int_equal(events_in(dbpath), 2);
	cf_db_abandon(NULL);
}

/* An existing store: readers see it as it was until the build is kept; an
 * abandoned build changes nothing; an archive rolled back is dropped while
 * the rest of the build is kept. */
static void test_existing_store_all_or_nothing(void **state)
{
	struct cf_ctx ctx;
	cf_db *db;
	struct cf_event e = {.ts_us = 4000, .source = "syslog", .archive = "cc",
			     .member = "evidence/z", .line = 1};

	(void)state;
	cf_ctx_init(&ctx);
	make_store();
	assert_int_equal(cf_db_open(&ctx, dbpath, CF_DB_WRITE, &db), CF_OK);
	add_bb(db, &ctx);
	assert_int_equal(cf_db_has_archive(db, &ctx, "bb"), 1);
	assert_int_equal(events_in(dbpath), 2);
	cf_db_abandon(db);
	assert_int_equal(events_in(dbpath), 2);

	assert_int_equal(cf_db_open(&ctx, dbpath, CF_DB_WRITE, &db), CF_OK);
	assert_int_equal(cf_db_has_archive(db, &ctx, "bb"), 0);
	assert_int_equal(cf_db_begin(db, &ctx), CF_OK);
	assert_int_equal(cf_db_insert_event(db, &ctx, &e), CF_OK);
	cf_db_rollback(db);
	add_bb(db, &ctx);
	assert_int_equal(cf_db_close(db, &ctx), CF_OK);
	assert_int_equal(events_in(dbpath), 3);
	assert_false(exists(partial));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indexes_created, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_foreign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_store_appears_complete, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_new_store_abandoned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_existing_store_all_or_nothing, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
