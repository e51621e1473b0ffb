/* SPDX-License-Identifier: Apache-2.0
 *
 * The indexes of a SQLite store that serve the viewer's and `timeline
 * query`'s filters (src/db_sqlite_read.c), kept apart from the bulk
 * loading of src/db_sqlite.c, which calls the two functions below: when a
 * build starts and when it is kept.
 *
 * Equality filters (source address, host, source parser, outcome, model)
 * each get an index ending with the time, so that a page of events in time
 * order and the histogram's counts read only the matching entries; the
 * columns that are mostly empty (address, model) are indexed where set.
 * Free text gets an FTS5 index of the messages with the trigram tokenizer
 * (substrings, case kept), detail=none to keep it small and quick to
 * build: a text of three ASCII characters is answered by it exactly, a
 * longer one only narrows the candidates and the query checks each
 * candidate's message (src/db_sqlite_text.c), so answers are the same with
 * it or without it. An index from before, which folds case, is replaced
 * on the next write. A new store gets all of them once its rows are in,
 * the text index on a second connection and thread while the writer
 * builds the others (src/db_sqlite_textbuild.c); a store that grows gets
 * the new rows' messages added at close (triggers are off on every
 * connection, see src/db_sqlite.c); a store from before these indexes
 * gets them on its next write.
 */
#include <stdint.h>

#include "casefile/error.h"
#include "db_sqlite_int.h"

static const char filter_index_sql[] =
	"CREATE INDEX IF NOT EXISTS events_src_ip ON events(src_ip, ts_us)"
	" WHERE src_ip IS NOT NULL;"
	"CREATE INDEX IF NOT EXISTS events_host ON events(host, ts_us);"
	"CREATE INDEX IF NOT EXISTS events_source ON events(source, ts_us);"
	"CREATE INDEX IF NOT EXISTS events_outcome ON events(outcome, ts_us);"
	"CREATE INDEX IF NOT EXISTS events_model ON events(model, model_version,"
	" ts_us) WHERE model IS NOT NULL;";

/* hashsize: the terms FTS5 holds in memory before it writes them out as
 * a segment (1 MiB by default): at 64 MiB, a store of a million events
 * writes a few dozen segments instead of hundreds, and merges them far
 * less (the index's build took half the CPU time). */
static const char text_index_sql[] =
	"CREATE VIRTUAL TABLE IF NOT EXISTS " SQ_TEXT_INDEX " USING fts5("
	SQ_TEXT_INDEX_ARGS ");"
	"INSERT INTO " SQ_TEXT_INDEX "(" SQ_TEXT_INDEX ", rank)"
	" VALUES('hashsize', " SQ_TEXT_HASHSIZE ");"
	"INSERT INTO " SQ_TEXT_INDEX "(" SQ_TEXT_INDEX ") VALUES('rebuild');";

static int exec(struct sq_store *db, struct cf_ctx *ctx, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db->sq, sql, NULL, NULL, &msg) == SQLITE_OK)
		return CF_OK;
	cf_set_error(ctx, 0, "%s: indexing: %s", db->location,
		     msg ? msg : sqlite3_errmsg(db->sq));
	sqlite3_free(msg);
	return CF_FAILED;
}

int sq_filter_index_begin(struct sq_store *db, struct cf_ctx *ctx)
{
	if (db->deferred_indexes)
		return CF_OK;
	/* rows come one by one: the indexes exist first */
	if (exec(db, ctx, filter_index_sql) != CF_OK)
		return CF_FAILED;
	/* an index from before that folds case: built anew at the end */
	if (sq_text_index_kind(db) == SQ_TEXT_FOLDED) {
		if (exec(db, ctx, "DROP TABLE " SQ_TEXT_INDEX) != CF_OK)
			return CF_FAILED;
		db->text_index = SQ_TEXT_NONE;
	}
	db->text_from = sq_has_text_index(db) ?
		sq_int(db, "SELECT coalesce(max(id), 0) FROM events") : -1;
	return CF_OK;
}

int sq_filter_index_end(struct sq_store *db, struct cf_ctx *ctx)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (db->deferred_indexes || db->text_from < 0) {
		db->text_index = 0; /* looked up again */
		return exec(db, ctx, db->deferred_indexes ? filter_index_sql : "") ||
		       (!db->textbuild && exec(db, ctx, text_index_sql)) ?
			       CF_FAILED : CF_OK;
	}
	if (sqlite3_prepare_v2(db->sq, "INSERT INTO " SQ_TEXT_INDEX "(rowid,"
			       " message) SELECT id, message FROM events WHERE"
			       " id > ?", -1, &s, NULL) != SQLITE_OK)
		return sq_err(db, ctx, "indexing the messages");
	sqlite3_bind_int64(s, 1, db->text_from);
	rc = sqlite3_step(s) == SQLITE_DONE ? CF_OK :
	     sq_err(db, ctx, "indexing the messages");
	sqlite3_finalize(s);
	return rc;
}
