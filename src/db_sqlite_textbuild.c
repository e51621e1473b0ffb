/* SPDX-License-Identifier: Apache-2.0
 *
 * The FTS5 text index of a new SQLite store (src/db_sqlite_index.c),
 * built on the second core while the writer builds the b-tree indexes.
 *
 * Once a new store's rows are in, two index builds remain and each keeps
 * one core busy for seconds at a million events: the sorted b-tree
 * indexes and the text index. One connection runs one statement at a
 * time, so the text index is built by a second connection to the same
 * ".partial" file, on a thread of its own:
 *   1. the writer commits the rows (the file is still only the partial
 *      one, renamed over the store's name at close: nothing takes it for
 *      a finished store); the second connection attaches a private
 *      temporary database and, under a read lock on the store, copies the
 *      messages into it (0.4 to 1 s at a million events, against about
 *      2 s for the text index and 4 s for the b-tree indexes);
 *   2. its thread then builds there, by FTS5's 'rebuild', an FTS5 table
 *      of the copy declared as the store's (same tokenizer, detail,
 *      hashsize: the same rows in its shadow tables as the store's own
 *      'rebuild' would write, segment for segment), while the
 *      writer builds the b-tree indexes and commits them. The writer
 *      needs the file to itself to write pages out: its busy handler waits
 *      for the copy, which never waits on the writer;
 *   3. then, in one transaction of the second connection, the store gets
 *      the FTS5 table and its shadow tables filled from the temporary copy
 *      (a shadow table is written only by a connection without
 *      SQLITE_DBCONFIG_DEFENSIVE: this one opens only our own partial
 *      file).
 * When a fault is armed (casefile/alloc.h), SQLite's allocations and
 * writes are counted: the same steps then run on the calling thread one
 * after the other, so that "the Nth allocation" is the same call in every
 * run; they run so too when no thread can be started. An error on either
 * side fails the build (src/db_sqlite.c drops the partial file); the
 * temporary database goes when the second connection closes.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/sqlite_safe.h"
#include "db_sqlite_int.h"

struct sq_textbuild {
	sqlite3 *sq;        /* the second connection */
	pthread_t thread;
	int started;        /* the thread runs */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int copied;         /* the messages are read: the store is free */
	atomic_int stop;    /* the build failed elsewhere: give up */
	int rc;             /* SQLITE_OK, or the first failure's code */
	char msg[256];      /* and its message */
};

#define T "textbuild"

/* The store's text index (src/db_sqlite_index.c), and the same index of
 * the copy of the messages. */
#define TEXT_TABLE \
	"CREATE VIRTUAL TABLE main." SQ_TEXT_INDEX " USING fts5(" \
	SQ_TEXT_INDEX_ARGS ");"
#define COPY_TEXT_TABLE \
	"CREATE VIRTUAL TABLE " T "." SQ_TEXT_INDEX " USING fts5(message," \
	" content='msg', content_rowid='id', " SQ_TEXT_INDEX_OPTS ");"

static int tb_exec(struct sq_textbuild *tb, const char *sql)
{
	int rc;

	if (tb->rc != SQLITE_OK)
		return tb->rc;
	rc = sqlite3_exec(tb->sq, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		tb->rc = rc;
		snprintf(tb->msg, sizeof tb->msg, "%s", sqlite3_errmsg(tb->sq));
	}
	return rc;
}

static int tb_stopped(void *arg)
{
	return atomic_load(&((struct sq_textbuild *)arg)->stop);
}

/* The writer's busy handler: the store's lock is held by the copy of the
 * messages until it ends; after it, anyone else's is waited for as
 * sqlite3_busy_timeout(5000) would. */
static int tb_busy(void *arg, int n)
{
	struct sq_textbuild *tb = arg;
	pthread_mutex_lock(&tb->mu);
	while (!tb->copied)
		pthread_cond_wait(&tb->cv, &tb->mu);
	pthread_mutex_unlock(&tb->mu);
	if (n >= 100)
		return 0;
	if (n > 0)
		usleep(50000);
	return 1;
}

/* Steps 1 (the copy, its read transaction begun by the caller) and 2.
 * Uses no allocator but SQLite's. */
static void *tb_work(void *arg)
{
	struct sq_textbuild *tb = arg;

	tb_exec(tb, "INSERT INTO " T ".msg SELECT id, message FROM main.events");
	/* the read lock goes whatever happened; a copy that cannot be
	 * committed is a failure, not fewer messages */
	if (!sqlite3_get_autocommit(tb->sq))
		tb_exec(tb, "COMMIT");
	if (!sqlite3_get_autocommit(tb->sq))
		sqlite3_exec(tb->sq, "ROLLBACK", NULL, NULL, NULL);
	pthread_mutex_lock(&tb->mu);
	tb->copied = 1;
	pthread_cond_broadcast(&tb->cv);
	pthread_mutex_unlock(&tb->mu);
	tb_exec(tb, "INSERT INTO " T "." SQ_TEXT_INDEX "(" SQ_TEXT_INDEX ")"
		    " VALUES('rebuild')");
	return NULL;
}

static int tb_fail(struct sq_store *db, struct cf_ctx *ctx,
		   struct sq_textbuild *tb)
{
	if ((tb->rc & 0xff) == SQLITE_NOMEM)
		return cf_set_nomem(ctx, db->location);
	return cf_set_error(ctx, 0, "%s: indexing the messages: %s",
			    db->location, tb->msg[0] ? tb->msg : "SQLite error");
}

void sq_textbuild_abort(struct sq_store *db)
{
	struct sq_textbuild *tb = db->textbuild;

	if (!tb)
		return;
	db->textbuild = NULL;
	atomic_store(&tb->stop, 1);
	if (tb->started)
		pthread_join(tb->thread, NULL);
	if (db->sq)
		sqlite3_busy_timeout(db->sq, 5000);
	sqlite3_close(tb->sq); /* the temporary database goes with it */
	pthread_mutex_destroy(&tb->mu);
	pthread_cond_destroy(&tb->cv);
	free(tb);
}

int sq_textbuild_start(struct sq_store *db, struct cf_ctx *ctx)
{
	struct sq_textbuild *tb;
	int rc;

	/* step 1: the rows committed, in the partial file only */
	if (sqlite3_exec(db->sq, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return sq_err(db, ctx, "committing the events");
	db->in_build = 0;
	if (!(tb = cf_calloc(1, sizeof *tb)))
		return cf_set_nomem(ctx, db->location);
	pthread_mutex_init(&tb->mu, NULL);
	pthread_cond_init(&tb->cv, NULL);
	db->textbuild = tb;
	rc = sqlite3_open_v2(db->at.tmp, &tb->sq, SQLITE_OPEN_READWRITE |
			     SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, NULL);
	if (rc != SQLITE_OK) {
		tb->rc = tb->sq ? rc : SQLITE_NOMEM;
		snprintf(tb->msg, sizeof tb->msg, "%s", sqlite3_errstr(tb->rc));
		goto fail;
	}
	cf_sqlite_harden(tb->sq, 0);
	sqlite3_busy_timeout(tb->sq, 5000);
	sqlite3_progress_handler(tb->sq, 10000, tb_stopped, tb);
	/* a journal in memory, as the writer's: one on disk beside the
	 * partial file would outlive a killed build */
	tb_exec(tb, "ATTACH '' AS " T ";"
		    "PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF;"
		    "PRAGMA " T ".cache_size=-16384;"
		    "CREATE TABLE " T ".msg (id INTEGER PRIMARY KEY, message TEXT);"
		    COPY_TEXT_TABLE
		    "INSERT INTO " T "." SQ_TEXT_INDEX "(" SQ_TEXT_INDEX ", rank)"
		    " VALUES('hashsize', " SQ_TEXT_HASHSIZE ");"
		    /* the read lock, held until the copy ends */
		    "BEGIN; SELECT count(*) FROM main.sqlite_schema;");
	if (tb->rc != SQLITE_OK)
		goto fail;
	if (cf_fault_armed() ||
	    pthread_create(&tb->thread, NULL, tb_work, tb) != 0)
		tb_work(tb);
	else
		tb->started = 1;
	/* step 2, the writer's part: the b-tree indexes, in a transaction
	 * of their own */
	sqlite3_busy_handler(db->sq, tb_busy, tb);
	if (sqlite3_exec(db->sq, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		sq_err(db, ctx, "indexing");
		sq_textbuild_abort(db);
		return CF_FAILED;
	}
	db->in_build = 1;
	return CF_OK;
fail:
	tb_fail(db, ctx, tb);
	sq_textbuild_abort(db);
	return CF_FAILED;
}

int sq_textbuild_finish(struct sq_store *db, struct cf_ctx *ctx)
{
	struct sq_textbuild *tb = db->textbuild;
	int rc = CF_OK;

	if (tb->started) {
		pthread_join(tb->thread, NULL);
		tb->started = 0;
	}
	sqlite3_busy_timeout(db->sq, 5000);
	/* step 3 */
	tb_exec(tb, "BEGIN IMMEDIATE;"
		    TEXT_TABLE
		    "DELETE FROM main." SQ_TEXT_INDEX "_data;"
		    "DELETE FROM main." SQ_TEXT_INDEX "_idx;"
		    "DELETE FROM main." SQ_TEXT_INDEX "_config;"
		    "INSERT INTO main." SQ_TEXT_INDEX "_data SELECT * FROM "
		    T "." SQ_TEXT_INDEX "_data;"
		    "INSERT INTO main." SQ_TEXT_INDEX "_idx SELECT * FROM "
		    T "." SQ_TEXT_INDEX "_idx;"
		    "INSERT INTO main." SQ_TEXT_INDEX "_config SELECT * FROM "
		    T "." SQ_TEXT_INDEX "_config;"
		    "COMMIT;");
	if (tb->rc != SQLITE_OK) {
		if (!sqlite3_get_autocommit(tb->sq))
			sqlite3_exec(tb->sq, "ROLLBACK", NULL, NULL, NULL);
		rc = tb_fail(db, ctx, tb);
	}
	sq_textbuild_abort(db);
	db->text_index = 0; /* looked up again */
	return rc;
}
