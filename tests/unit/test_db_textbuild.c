/* SPDX-License-Identifier: Apache-2.0
 *
 * Tests of the text index built aside (src/db_sqlite_textbuild.c): while
 * the writer connection builds a b-tree index in its own transaction (with
 * a page cache small enough to need the file to itself), the second
 * connection's index, once copied in, is the one FTS5's 'rebuild' makes
 * (its integrity-check passes, its shadow tables hold the same rows as a
 * store indexed by 'rebuild', MATCH answers the same), with thousands of
 * messages or none; a failure on the
 * second connection fails the build with a message naming the store and
 * leaves no text index; a build abandoned midway stops it.
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

#include "casefile/error.h"
#include "db_sqlite_int.h"

static char path[64], ref[64];

static int setup(void **state)
{
	(void)state;
	snprintf(path, sizeof path, "/tmp/cf-test-tb-%d.sqlite", (int)getpid());
	snprintf(ref, sizeof ref, "/tmp/cf-test-tb-%d-ref.sqlite", (int)getpid());
	unlink(path);
	unlink(ref);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	unlink(ref);
	return 0;
}

static void exec(sqlite3 *sq, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(sq, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
}

static int64_t one(sqlite3 *sq, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int64_t v = -1;

	if (sqlite3_prepare_v2(sq, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(sq));
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	else
		fail_msg("%s: %s", sql, sqlite3_errmsg(sq));
	sqlite3_finalize(s);
	return v;
}

/* A store's events (ids with gaps, some messages empty or missing) in an
 * open transaction of sq, as a build leaves them before its indexes. */
static void fill(sqlite3 *sq, const char *message_col, int n)
{
	char sql[640];

	exec(sq, "PRAGMA page_size=8192; PRAGMA journal_mode=MEMORY;"
		 " PRAGMA synchronous=OFF; BEGIN IMMEDIATE");
	snprintf(sql, sizeof sql, "CREATE TABLE events (id INTEGER PRIMARY KEY,"
		 " host TEXT, %s TEXT)", message_col);
	exec(sq, sql);
	snprintf(sql, sizeof sql, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL"
		 " SELECT i + 1 FROM n WHERE i < %d) INSERT INTO events SELECT"
		 " i * 3 + (i %% 7), 'h' || (i * 7919 %% 101), CASE WHEN i %% 97 = 0"
		 " THEN NULL WHEN i %% 89 = 0 THEN '' ELSE printf('user u%%d from"
		 " 10.%%d.%%d.1 port %%d \"%%s\" Ünïcode %%x', i %% 313, i %% 17,"
		 " i %% 251, i * 13, substr('ABCDEFGHIJKLMNOPQRSTUVWXYZ', i %% 26 + 1,"
		 " 3), i) END FROM n WHERE %d > 0", n, n);
	exec(sq, sql);
}

static sqlite3 *open_db(const char *p)
{
	sqlite3 *sq = NULL;

	assert_int_equal(sqlite3_open_v2(p, &sq, SQLITE_OPEN_READWRITE |
					 SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
					 NULL), SQLITE_OK);
	return sq;
}

/* The writer's side as src/db_sqlite.c runs it. */
static void writer_init(struct sq_store *db, sqlite3 *sq, const char *p)
{
	memset(db, 0, sizeof *db);
	db->sq = sq;
	db->location = (char *)p;
	db->at.tmp = (char *)p;
	db->in_build = 1;
	sqlite3_db_config(sq, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_busy_timeout(sq, 5000);
}

/* n events: the text index built aside, against 'rebuild' */
static void same_as_rebuild(int n)
{
	struct cf_ctx ctx;
	struct sq_store db;
	sqlite3 *sq, *r;
	const char *tables[] = {"data", "idx", "config"};
	const char *trigrams[] = {"use", "Ünï", "\"AB", "10.", "zzz", " 1b"};
	char sql[512];

	cf_ctx_init(&ctx);
	sq = open_db(path);
	fill(sq, "message", n);
	writer_init(&db, sq, path);
	assert_int_equal(sq_textbuild_start(&db, &ctx), CF_OK);
	assert_non_null(db.textbuild);
	assert_int_equal(db.in_build, 1);
	assert_int_equal(sqlite3_get_autocommit(sq), 0);
	/* pages written out while the copy may still read */
	exec(sq, "PRAGMA cache_size=-64;"
		 " CREATE INDEX events_host ON events(host, message); COMMIT");
	db.in_build = 0;
	assert_int_equal(sq_textbuild_finish(&db, &ctx), CF_OK);
	assert_null(db.textbuild);
	sqlite3_close(sq);

	/* the reference: the events and FTS5's own 'rebuild' */
	r = open_db(ref);
	fill(r, "message", n);
	exec(r, "COMMIT; CREATE VIRTUAL TABLE " SQ_TEXT_INDEX " USING fts5("
		SQ_TEXT_INDEX_ARGS "); INSERT INTO " SQ_TEXT_INDEX "(" SQ_TEXT_INDEX
		", rank) VALUES('hashsize', " SQ_TEXT_HASHSIZE "); INSERT INTO "
		SQ_TEXT_INDEX "(" SQ_TEXT_INDEX ") VALUES('rebuild')");
	sqlite3_close(r);

	sq = open_db(path);
	exec(sq, "INSERT INTO " SQ_TEXT_INDEX "(" SQ_TEXT_INDEX ", rank)"
		 " VALUES('integrity-check', 1)");
	snprintf(sql, sizeof sql, "ATTACH '%s' AS r", ref);
	exec(sq, sql);
	for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
		snprintf(sql, sizeof sql, "SELECT (SELECT count(*) FROM main."
			 SQ_TEXT_INDEX "_%s) - (SELECT count(*) FROM r."
			 SQ_TEXT_INDEX "_%s)", tables[i], tables[i]);
		assert_int_equal(one(sq, sql), 0);
		snprintf(sql, sizeof sql, "SELECT count(*) FROM (SELECT * FROM"
			 " main." SQ_TEXT_INDEX "_%s EXCEPT SELECT * FROM r."
			 SQ_TEXT_INDEX "_%s)", tables[i], tables[i]);
		assert_int_equal(one(sq, sql), 0);
	}
	if (n)
		assert_true(one(sq, "SELECT count(*) FROM " SQ_TEXT_INDEX "_data") > 1);
	for (size_t i = 0; i < sizeof trigrams / sizeof *trigrams; i++) {
		char *m = sqlite3_mprintf("\"%w\"", trigrams[i]);
		char *q = sqlite3_mprintf(
			"SELECT (SELECT count(*) FROM (SELECT rowid FROM "
			SQ_TEXT_INDEX " WHERE " SQ_TEXT_INDEX " MATCH %Q EXCEPT"
			" SELECT id FROM events WHERE instr(message, %Q) > 0)) +"
			" (SELECT count(*) FROM (SELECT id FROM events WHERE"
			" instr(message, %Q) > 0 EXCEPT SELECT rowid FROM "
			SQ_TEXT_INDEX " WHERE " SQ_TEXT_INDEX " MATCH %Q))", m,
			trigrams[i], trigrams[i], m);

		/* three characters: exactly the messages holding them */
		assert_int_equal(one(sq, q), 0);
		sqlite3_free(q);
		sqlite3_free(m);
	}
	assert_true(one(sq, "SELECT count(*) FROM " SQ_TEXT_INDEX " WHERE "
			SQ_TEXT_INDEX " MATCH '\"use\"'") >= n * 9 / 10);
	sqlite3_close(sq);
}

static void test_same_as_rebuild(void **state)
{
	(void)state;
	same_as_rebuild(6000);
}

/* no messages: still the records 'rebuild' writes (the averages) */
static void test_empty_same_as_rebuild(void **state)
{
	(void)state;
	same_as_rebuild(0);
}

/* A store of 6,000 events (their text in column `column`) whose text
 * index has been started aside. */
static sqlite3 *started(struct cf_ctx *ctx, struct sq_store *db,
			const char *column)
{
	sqlite3 *sq = open_db(path);

	cf_ctx_init(ctx);
	fill(sq, column, 6000);
	writer_init(db, sq, path);
	assert_int_equal(sq_textbuild_start(db, ctx), CF_OK);
	return sq;
}

static void test_failure_fails_the_build(void **state)
{
	struct cf_ctx ctx;
	struct sq_store db;
	sqlite3 *sq;

	(void)state;
	sq = started(&ctx, &db, "msg"); /* no message column: the copy fails */
	exec(sq, "CREATE INDEX events_host ON events(host); COMMIT");
	db.in_build = 0;
	assert_int_equal(sq_textbuild_finish(&db, &ctx), CF_FAILED);
	assert_null(db.textbuild);
	assert_non_null(strstr(cf_errmsg(&ctx), path));
	assert_non_null(strstr(cf_errmsg(&ctx), "indexing the messages"));
	assert_non_null(strstr(cf_errmsg(&ctx), "message"));
	assert_int_equal(one(sq, "SELECT count(*) FROM sqlite_schema WHERE name"
			     " LIKE '" SQ_TEXT_INDEX "%'"), 0);
	sqlite3_close(sq);
}

static void test_abandoned(void **state)
{
	struct cf_ctx ctx;
	struct sq_store db;
	sqlite3 *sq;

	(void)state;
	sq = started(&ctx, &db, "message");
	sq_textbuild_abort(&db);
	assert_null(db.textbuild);
	sq_textbuild_abort(&db); /* twice: nothing */
	exec(sq, "ROLLBACK");
	assert_int_equal(one(sq, "SELECT count(*) FROM sqlite_schema WHERE name"
			     " LIKE '" SQ_TEXT_INDEX "%'"), 0);
	assert_int_equal(one(sq, "SELECT count(*) FROM events"), 6000);
	sqlite3_close(sq);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_as_rebuild, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_same_as_rebuild, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_failure_fails_the_build, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_abandoned, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
