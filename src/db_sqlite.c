/* SPDX-License-Identifier: Apache-2.0
 *
 * The SQLite backend of the timeline store (the default: a file beside the
 * case): opening, writing, closing and findings here, queries in
 * db_sqlite_read.c.
 *
 * Bulk loading is what matters for speed: statements are prepared
 * once, the whole build is one transaction, and when a build starts on an
 * empty store the secondary indexes are created once at the end instead of
 * being updated row by row (a sorted index build is several times cheaper
 * than 10 million random B-tree inserts).
 *
 * A build is all or nothing, even when killed: its readers must never take
 * half a build for a whole one (an incident's scope would be short of
 * patients, decisions would lack their model's lineage). A new store is
 * written as "<path>.partial" beside the final name, without a journal on
 * disk, and renamed over it only at close, once its indexes exist and it is
 * fsynced (src/atomic.c); the next build replaces a partial file left by a
 * killed one. Its rows are committed to that file before its indexes are
 * built, so that a second connection can build the text index meanwhile
 * (src/db_sqlite_textbuild.c). An existing store is written in WAL mode in one transaction,
 * committed at close: until then readers see it as it was, and after a
 * crash SQLite discards what the build wrote. An archive's rows are a
 * savepoint inside that transaction.
 *
 * A store may come from someone else: it is opened with SQLITE_DBCONFIG_
 * DEFENSIVE and trusted_schema off, and refused unless its application_id
 * and columns are casefile's. This file never prints.
 */
#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "casefile/alloc.h"
#include "casefile/atomic.h"
#include "casefile/buf.h"
#include "casefile/db.h"
#include "casefile/error.h"
#include "casefile/sqlite_safe.h"
#include "casefile/patient.h"
#include "db_backend.h"
#include "db_sqlite_int.h"

#define APPLICATION_ID 0x43464c31 /* "CFL1" */


/* ---- SQLite: schema ----------------------------------------------------- */

/* Detection findings (cf_db_insert_finding): in every store written since
 * they exist; a store built before has none until a write adds the table. */
#define FINDINGS_SQL \
	"CREATE TABLE IF NOT EXISTS findings (" \
	" id INTEGER PRIMARY KEY, detected_at INTEGER NOT NULL," \
	" rule_id TEXT NOT NULL, title TEXT, level TEXT, group_key TEXT," \
	" count INTEGER NOT NULL, first_us INTEGER, last_us INTEGER, events TEXT);"

/* The patient facts of casefile/patient.h (struct cf_patient_cols), in
 * every store written since they exist; a store built before holds only
 * has_contact (0/1) and gets them, empty, on its next write. */
static const char *const patient_facts_add[] = {
	"ALTER TABLE patients ADD COLUMN reach INTEGER",
	"ALTER TABLE patients ADD COLUMN deceased INTEGER",
	"ALTER TABLE patients ADD COLUMN next_of_kin INTEGER",
	"ALTER TABLE patients ADD COLUMN birth_date TEXT",
};

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS events ("
	" id INTEGER PRIMARY KEY, ts_us INTEGER NOT NULL, ts_desc TEXT,"
	" source TEXT NOT NULL, host TEXT, actor TEXT, actor_role TEXT,"
	" action TEXT, outcome TEXT, patient TEXT, resource TEXT, src_ip TEXT,"
	" model TEXT, model_version TEXT, decision TEXT, score REAL,"
	" message TEXT, attrs TEXT, archive TEXT NOT NULL, member TEXT NOT NULL,"
	" line INTEGER, \"offset\" INTEGER);"
	"CREATE TABLE IF NOT EXISTS rejects ("
	" id INTEGER PRIMARY KEY, archive TEXT NOT NULL, member TEXT NOT NULL,"
	" line INTEGER, \"offset\" INTEGER, reason TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS patients ("
	" id TEXT PRIMARY KEY, state TEXT, has_contact INTEGER NOT NULL,"
	" archive TEXT, member TEXT, line INTEGER, reach INTEGER,"
	" deceased INTEGER, next_of_kin INTEGER, birth_date TEXT);"
	"CREATE TABLE IF NOT EXISTS archives ("
	" sha256sums TEXT PRIMARY KEY, path TEXT, signer TEXT,"
	" verified INTEGER NOT NULL, sequence INTEGER, host TEXT,"
	" built_at INTEGER);"
	FINDINGS_SQL;

static const char index_sql[] =
	"CREATE INDEX IF NOT EXISTS events_patient ON events(patient, ts_us);"
	"CREATE INDEX IF NOT EXISTS events_actor ON events(actor, ts_us);"
	"CREATE INDEX IF NOT EXISTS events_time ON events(ts_us);";

static const char *const stmt_sql[ST_N] = {
	[ST_EVENT] = "INSERT INTO events (ts_us, ts_desc, source, host, actor,"
		     " actor_role, action, outcome, patient, resource, src_ip, model,"
		     " model_version, decision, score, message, attrs, archive, member,"
		     " line, \"offset\") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_REJECT] = "INSERT INTO rejects (archive, member, line, \"offset\","
		      " reason) VALUES (?,?,?,?,?)",
	[ST_PATIENT] = "INSERT INTO patients (id, state, has_contact, archive,"
		       " member, line, " PATIENT_FACTS_COLS ") VALUES (?,?,?,?,?,?,?,?,?,?)"
		       " ON CONFLICT(id) DO UPDATE"
		       " SET state = coalesce(patients.state, excluded.state),"
		       /* the facts of both, the first birth date
			* (casefile/patient.h) */
		       " has_contact = (patients.has_contact OR excluded.has_contact),"
		       " reach = coalesce(patients.reach, 0) | excluded.reach,"
		       " deceased = (coalesce(patients.deceased, 0) OR excluded.deceased),"
		       " next_of_kin = (coalesce(patients.next_of_kin, 0) OR excluded.next_of_kin),"
		       " birth_date = coalesce(patients.birth_date, excluded.birth_date)",
	[ST_ARCHIVE] = "INSERT OR IGNORE INTO archives (sha256sums, path, signer,"
		       " verified, sequence, host, built_at) VALUES (?,?,?,?,?,?,?)",
	[ST_HAS_ARCHIVE] = "SELECT 1 FROM archives WHERE sha256sums = ?",
};


const char sq_event_cols[] =
	"ts_us, ts_desc, source, host, actor, actor_role, action, outcome,"
	" patient, resource, src_ip, model, model_version, decision, score,"
	" message, attrs, archive, member, line, \"offset\"";

int sq_err(struct sq_store *db, struct cf_ctx *ctx, const char *what)
{
	return cf_set_error(ctx, 0, "%s: %s: %s", db->location, what,
			    sqlite3_errmsg(db->sq));
}

/* SQLite may roll back the whole transaction on its own when a statement
 * fails for lack of memory or an I/O error; every later statement would
 * then commit by itself, and half a build would reach the store. So before
 * each write of a build: still inside its transaction? */
static int sq_in_build(struct sq_store *db, struct cf_ctx *ctx)
{
	if (db->in_build && sqlite3_get_autocommit(db->sq))
		return cf_set_error(ctx, 0,
				    "%s: SQLite rolled the build back after an "
				    "error; nothing of it is kept",
				    db->location);
	return CF_OK;
}

static int sq_exec(struct sq_store *db, struct cf_ctx *ctx, const char *sql)
{
	char *msg = NULL;

	if (sq_in_build(db, ctx) != CF_OK)
		return CF_FAILED;
	if (sqlite3_exec(db->sq, sql, NULL, NULL, &msg) == SQLITE_OK)
		return CF_OK;
	cf_set_error(ctx, 0, "%s: %s", db->location, msg ? msg : "SQLite error");
	sqlite3_free(msg);
	return CF_FAILED;
}

/* Single integer from a query, or -1. */
int64_t sq_int(struct sq_store *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db->sq, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* A store must be empty (new) or carry our application_id and columns. */
static int sq_check_store(struct sq_store *db, struct cf_ctx *ctx, int *is_new)
{
	sqlite3_stmt *s = NULL;
	int rc;
	int64_t app = sq_int(db, "PRAGMA application_id"), ntables;
	char sql[512];

	/* -1 is also an application id a file may carry: only a failed
	 * read for lack of memory is told apart from it */
	if (app == -1 && sqlite3_errcode(db->sq) == SQLITE_NOMEM)
		return cf_set_nomem(ctx, db->location);
	ntables = sq_int(db, "SELECT count(*) FROM sqlite_schema");
	if (ntables < 0)
		return sq_err(db, ctx, "not an SQLite database");
	*is_new = ntables == 0;
	if (*is_new)
		return CF_OK;
	if (app != APPLICATION_ID)
		return cf_set_error(ctx, 0, "%s: not a casefile timeline database",
				    db->location);
	snprintf(sql, sizeof sql, "SELECT id, %s FROM events LIMIT 0", sq_event_cols);
	if (sqlite3_prepare_v2(db->sq, sql, -1, &s, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return cf_set_error(ctx, 0, "%s: damaged timeline database: %s",
				    db->location, sqlite3_errmsg(db->sq));
	}
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(db->sq, "SELECT id, state, has_contact, archive,"
				       " member, line FROM patients LIMIT 0",
			       -1, &s, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return cf_set_error(ctx, 0, "%s: damaged timeline database: %s",
				    db->location, sqlite3_errmsg(db->sq));
	}
	sqlite3_finalize(s);
	s = NULL;
	/* without them: a store written before the patient facts columns
	 * (any other failure, e.g. memory, is one) */
	rc = sqlite3_prepare_v2(db->sq, "SELECT " PATIENT_FACTS_COLS
				" FROM patients LIMIT 0", -1, &s, NULL);
	sqlite3_finalize(s);
	db->patient_facts = rc == SQLITE_OK;
	if (rc != SQLITE_OK && ((rc & 0xff) != SQLITE_ERROR ||
				!strstr(sqlite3_errmsg(db->sq), "no such column")))
		return sq_err(db, ctx, "reading the patients table");
	return CF_OK;
}

static int sq_setup_write(struct sq_store *db, struct cf_ctx *ctx, int is_new)
{
	int64_t nevents;

	/* page_size before anything is written; a journal in memory for the
	 * new file (defensive mode refuses journal_mode=OFF): if the build
	 * dies, the whole partial file goes */
	if ((is_new && sq_exec(db, ctx, "PRAGMA page_size=8192;")) ||
	    sq_exec(db, ctx, db->fresh ?
			"PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF;" :
			"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"))
		return CF_FAILED;
	/* threads: SQLite's sorter may use a second core to build indexes */
	if (sq_exec(db, ctx, "PRAGMA cache_size=-65536; PRAGMA temp_store=FILE;"
			     "PRAGMA threads=2;") ||
	    sq_exec(db, ctx, "BEGIN IMMEDIATE"))
		return CF_FAILED;
	db->in_build = 1;
	if (is_new) {
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA application_id=%d;",
			 APPLICATION_ID);
		if (sq_exec(db, ctx, pragma))
			return CF_FAILED;
	}
	if (sq_exec(db, ctx, schema_sql))
		return CF_FAILED;
	if (!is_new && !db->patient_facts)
		for (size_t i = 0; i < sizeof patient_facts_add / sizeof *patient_facts_add; i++)
			if (sq_exec(db, ctx, patient_facts_add[i]))
				return CF_FAILED;
	db->patient_facts = 1;
	nevents = sq_int(db, "SELECT count(*) FROM (SELECT 1 FROM events LIMIT 1)");
	/* Indexes are built after the bulk insert when the table was empty. */
	if (nevents == 0)
		db->deferred_indexes = 1;
	else if (sq_exec(db, ctx, index_sql))
		return CF_FAILED;
	if (sq_filter_index_begin(db, ctx) != CF_OK)
		return CF_FAILED;
	for (int i = 0; i < ST_N; i++)
		if (sqlite3_prepare_v3(db->sq, stmt_sql[i], -1,
				       SQLITE_PREPARE_PERSISTENT, &db->st[i],
				       NULL) != SQLITE_OK)
			return sq_err(db, ctx, "preparing statements");
	return CF_OK;
}

/* ---- SQLite: writing ---------------------------------------------------- */

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static int sq_step_reset(struct sq_store *db, struct cf_ctx *ctx, sqlite3_stmt *s,
			 const char *what)
{
	int rc;

	if (sq_in_build(db, ctx) != CF_OK) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return CF_FAILED;
	}
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sq_err(db, ctx, what);
	return CF_OK;
}

static int sq_event(cf_db *h, struct cf_ctx *ctx, const struct cf_event *e)
{
	struct sq_store *db = (struct sq_store *)h;
	sqlite3_stmt *s = db->st[ST_EVENT];
	const char *txt[] = {e->ts_desc, e->source, e->host, e->actor,
			     e->actor_role, e->action, e->outcome, e->patient,
			     e->resource, e->src_ip, e->model, e->model_version,
			     e->decision};
	int i = 1;

	sqlite3_bind_int64(s, i++, e->ts_us);
	for (size_t k = 0; k < sizeof txt / sizeof txt[0]; k++)
		bind_text(s, i++, txt[k]);
	if (e->has_score)
		sqlite3_bind_double(s, i++, e->score);
	else
		sqlite3_bind_null(s, i++);
	bind_text(s, i++, e->message);
	bind_text(s, i++, e->attrs);
	bind_text(s, i++, e->archive ? e->archive : "");
	bind_text(s, i++, e->member ? e->member : "");
	sqlite3_bind_int64(s, i++, (sqlite3_int64)e->line);
	sqlite3_bind_int64(s, i++, (sqlite3_int64)e->offset);
	return sq_step_reset(db, ctx, s, "inserting an event");
}

static int sq_reject(cf_db *h, struct cf_ctx *ctx, const struct cf_reject *r)
{
	struct sq_store *db = (struct sq_store *)h;
	sqlite3_stmt *s = db->st[ST_REJECT];

	bind_text(s, 1, r->archive ? r->archive : "");
	bind_text(s, 2, r->member ? r->member : "");
	sqlite3_bind_int64(s, 3, (sqlite3_int64)r->line);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)r->offset);
	bind_text(s, 5, r->reason ? r->reason : "unparsed");
	return sq_step_reset(db, ctx, s, "inserting a reject");
}

static int sq_patient(cf_db *h, struct cf_ctx *ctx, const struct cf_patient *p)
{
	struct sq_store *db = (struct sq_store *)h;
	sqlite3_stmt *s = db->st[ST_PATIENT];
	struct cf_patient_cols c;

	cf_patient_to_cols(p->has_contact, &c);
	bind_text(s, 1, p->id);
	bind_text(s, 2, p->state);
	sqlite3_bind_int(s, 3, c.has_contact);
	bind_text(s, 4, p->archive);
	bind_text(s, 5, p->member);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)p->line);
	sqlite3_bind_int(s, 7, c.reach);
	sqlite3_bind_int(s, 8, c.deceased);
	sqlite3_bind_int(s, 9, c.next_of_kin);
	bind_text(s, 10, c.birth_date[0] ? c.birth_date : NULL);
	return sq_step_reset(db, ctx, s, "inserting a patient");
}

static int sq_archive(cf_db *h, struct cf_ctx *ctx,
		      const struct cf_db_archive *a)
{
	struct sq_store *db = (struct sq_store *)h;
	sqlite3_stmt *s = db->st[ST_ARCHIVE];

	bind_text(s, 1, a->sha256sums);
	bind_text(s, 2, a->path);
	bind_text(s, 3, a->signer);
	sqlite3_bind_int(s, 4, a->verified ? 1 : 0);
	sqlite3_bind_int64(s, 5, a->sequence);
	bind_text(s, 6, a->host);
	sqlite3_bind_int64(s, 7, a->built_at);
	return sq_step_reset(db, ctx, s, "recording the archive");
}

static int sq_has_archive(cf_db *h, struct cf_ctx *ctx, const char *digest)
{
	struct sq_store *db = (struct sq_store *)h;
	sqlite3_stmt *s = db->st[ST_HAS_ARCHIVE];
	int rc;

	bind_text(s, 1, digest);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return sq_err(db, ctx, "looking up the archive");
}

static int sq_begin(cf_db *h, struct cf_ctx *ctx)
{
	struct sq_store *db = (struct sq_store *)h;
	if (sq_exec(db, ctx, "SAVEPOINT archive"))
		return CF_FAILED;
	db->in_txn = 1;
	return CF_OK;
}

static int sq_commit(cf_db *h, struct cf_ctx *ctx)
{
	struct sq_store *db = (struct sq_store *)h;
	db->in_txn = 0;
	return sq_exec(db, ctx, "RELEASE archive");
}

static void sq_rollback(cf_db *h)
{
	struct sq_store *db = (struct sq_store *)h;
	if (db->in_txn)
		sqlite3_exec(db->sq, "ROLLBACK TO archive; RELEASE archive", NULL,
			     NULL, NULL);
	db->in_txn = 0;
}

/* The stage of a decision's version at its time (ties: the greatest). */
#define STAGE_AT "SELECT l.decision FROM temp.lineage l WHERE l.action =" \
	" 'stage-changed' AND l.model = events.model AND l.model_version =" \
	" events.model_version AND l.ts_us <= events.ts_us ORDER BY l.ts_us" \
	" DESC, l.decision DESC LIMIT 1"

/* The lineage is small (a few events per model version): copy it to a
 * temporary table so that each decision's lookups scan only that. */
static int sq_link(cf_db *h, struct cf_ctx *ctx)
{
	struct sq_store *db = (struct sq_store *)h;
	if (sq_int(db, "SELECT count(*) FROM (SELECT 1 FROM events WHERE"
		       " source = 'mlflow' LIMIT 1)") <= 0)
		return CF_OK;
	return sq_exec(db, ctx,
		"DROP TABLE IF EXISTS temp.lineage;"
		"CREATE TEMP TABLE lineage AS SELECT ts_us, action, model,"
		" model_version, decision, json_extract(attrs, '$.run_id') AS run"
		" FROM events WHERE source = 'mlflow' AND model IS NOT NULL;"
		"UPDATE events SET model_version = (SELECT l.model_version FROM"
		" temp.lineage l WHERE l.action = 'stage-changed' AND l.decision ="
		" 'Production' AND l.model = events.model AND l.ts_us <= events.ts_us"
		" ORDER BY l.ts_us DESC LIMIT 1),"
		" attrs = json_set(coalesce(attrs, '{}'), '$.model_version_inferred', json('true'))"
		" WHERE source = 'model-decision' AND model_version IS NULL AND EXISTS"
		" (SELECT 1 FROM temp.lineage l WHERE l.action = 'stage-changed' AND"
		" l.decision = 'Production' AND l.model = events.model AND"
		" l.ts_us <= events.ts_us);"
		"UPDATE events SET attrs = json_set(coalesce(attrs, '{}'),"
		" '$.model_run', (SELECT l.run FROM temp.lineage l WHERE"
		"  l.action = 'version-created' AND l.model = events.model AND"
		"  l.model_version = events.model_version LIMIT 1),"
		" '$.model_version_created', (SELECT strftime('%Y-%m-%dT%H:%M:%fZ',"
		"  l.ts_us / 1000000.0, 'unixepoch') FROM temp.lineage l WHERE"
		"  l.action = 'version-created' AND l.model = events.model AND"
		"  l.model_version = events.model_version LIMIT 1))"
		" WHERE source = 'model-decision' AND EXISTS (SELECT 1 FROM"
		" temp.lineage l WHERE l.action = 'version-created' AND l.model ="
		" events.model AND l.model_version = events.model_version);"
		/* the version's stage at the decision's time: the last stage
		 * the registry recorded for it by then; none recorded (MLflow
		 * keeps only the current stage and its last update) while it
		 * served decisions: Production, labelled inferred */
		"UPDATE events SET attrs = CASE WHEN (" STAGE_AT ") IS NULL THEN"
		" json_set(coalesce(attrs, '{}'), '$.model_stage', 'Production',"
		"  '$.model_stage_inferred', json('true'))"
		" ELSE json_set(coalesce(attrs, '{}'), '$.model_stage', (" STAGE_AT "))"
		" END"
		" WHERE source = 'model-decision' AND model_version IS NOT NULL AND"
		" json_extract(coalesce(attrs, '{}'), '$.model_stage') IS NULL AND"
		" EXISTS (SELECT 1 FROM temp.lineage l WHERE l.action IN"
		" ('version-created', 'stage-changed') AND l.model = events.model AND"
		" l.model_version = events.model_version);"
		"DROP TABLE temp.lineage;");
}

/* Drops what the build wrote: rolls back its transaction (an existing
 * store stays as it was), closes, removes a new store's partial file. */
static void sq_drop(struct sq_store *db)
{
	sq_textbuild_abort(db);
	for (int i = 0; i < ST_N; i++) {
		sqlite3_finalize(db->st[i]);
		db->st[i] = NULL;
	}
	if (db->in_build)
		sqlite3_exec(db->sq, "ROLLBACK", NULL, NULL, NULL);
	db->in_txn = db->in_build = 0;
	sqlite3_close(db->sq);
	db->sq = NULL;
	/* after sqlite3_close: closing another descriptor of the file would
	 * drop SQLite's POSIX locks */
	if (db->fresh)
		cf_atomic_abort(&db->at);
	db->fresh = 0;
}

/* Keeps the build: indexes, commit, and a new store renamed into place. */
static int sq_keep(struct sq_store *db, struct cf_ctx *ctx)
{
	int rc = CF_OK;

	sq_rollback(&db->base);
	for (int i = 0; i < ST_N; i++) {
		sqlite3_finalize(db->st[i]);
		db->st[i] = NULL;
	}
	/* The sorter of CREATE INDEX keeps up to cache_size of keys in
	 * memory before it sorts them (a list merge sort whose cost is cache
	 * misses) and writes them out: runs of 4 MiB sort in the processor's
	 * cache and go to its worker thread (threads=2) while the table scan
	 * goes on. The table is read in order once per index: the page cache
	 * of the inserts is of no use to it. */
	if (db->writable && db->deferred_indexes)
		rc = sq_exec(db, ctx, "PRAGMA cache_size=-4096;");
	/* a new store's text index: on the second core while this
	 * connection builds the others (src/db_sqlite_textbuild.c) */
	if (rc == CF_OK && db->writable && db->fresh && db->in_build &&
	    (db->deferred_indexes || db->text_from < 0) &&
	    (rc = sq_in_build(db, ctx)) == CF_OK)
		rc = sq_textbuild_start(db, ctx);
	if (db->writable && db->deferred_indexes && rc == CF_OK)
		rc = sq_exec(db, ctx, index_sql);
	if (db->writable && rc == CF_OK)
		rc = sq_filter_index_end(db, ctx);
	if (db->writable && rc == CF_OK)
		rc = sq_exec(db, ctx, "PRAGMA optimize;");
	if (db->in_build && rc == CF_OK && (rc = sq_exec(db, ctx, "COMMIT")) == CF_OK)
		db->in_build = 0;
	if (rc == CF_OK && db->textbuild)
		rc = sq_textbuild_finish(db, ctx);
	if (rc != CF_OK) {
		sq_drop(db);
		return rc;
	}
	if (sqlite3_close(db->sq) != SQLITE_OK) {
		sq_drop(db);
		return cf_set_error(ctx, 0, "%s: cannot close the database",
				    db->location);
	}
	db->sq = NULL;
	if (db->fresh) {
		db->fresh = 0;
		rc = cf_atomic_commit(ctx, &db->at);
	}
	return rc;
}

static void sq_free(struct sq_store *db)
{
	sq_text_hits_free(db);
	free(db->location);
	free(db);
}

static void sq_abandon(cf_db *h)
{
	sq_drop((struct sq_store *)h);
	sq_free((struct sq_store *)h);
}

static int sq_close(cf_db *h, struct cf_ctx *ctx)
{
	int rc = sq_keep((struct sq_store *)h, ctx);

	sq_free((struct sq_store *)h);
	return rc;
}

/* ---- SQLite: findings ------------------------------------------------------ */

static int sq_finding(cf_db *h, struct cf_ctx *ctx, const struct cf_finding *f)
{
	struct sq_store *db = (struct sq_store *)h;
	sqlite3_stmt *s = NULL;
	int rc;

	if (!db->writable)
		return cf_set_error(ctx, 0, "%s: opened read-only", db->location);
	if (sqlite3_prepare_v2(db->sq, "INSERT INTO findings (detected_at, rule_id,"
			       " title, level, group_key, count, first_us, last_us,"
			       " events) VALUES (?,?,?,?,?,?,?,?,?)", -1, &s,
			       NULL) != SQLITE_OK)
		return sq_err(db, ctx, "preparing a finding");
	sqlite3_bind_int64(s, 1, f->detected_at);
	bind_text(s, 2, f->rule_id ? f->rule_id : "");
	bind_text(s, 3, f->title);
	bind_text(s, 4, f->level);
	bind_text(s, 5, f->group_key);
	sqlite3_bind_int64(s, 6, f->count);
	sqlite3_bind_int64(s, 7, f->first_us);
	sqlite3_bind_int64(s, 8, f->last_us);
	bind_text(s, 9, f->events);
	rc = sq_step_reset(db, ctx, s, "inserting a finding");
	sqlite3_finalize(s);
	return rc;
}

static int finding_row(sqlite3_stmt *s, const struct sq_rows *to)
{
	struct cf_finding f = {
		.detected_at = sqlite3_column_int64(s, 0),
		.rule_id = sq_col_text(s, 1),
		.title = sq_col_text(s, 2),
		.level = sq_col_text(s, 3),
		.group_key = sq_col_text(s, 4),
		.count = sqlite3_column_int64(s, 5),
		.first_us = sqlite3_column_int64(s, 6),
		.last_us = sqlite3_column_int64(s, 7),
		.events = sq_col_text(s, 8),
	};

	return to->finding(to->arg, &f);
}

static int sq_findings(cf_db *h, struct cf_ctx *ctx, cf_db_finding_fn fn,
		       void *arg)
{
	struct sq_store *db = (struct sq_store *)h;
	const struct sq_rows to = {.arg = arg, .finding = fn};

	if (sq_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
		       " AND name = 'findings'") <= 0)
		return CF_OK; /* a store from before findings: none */
	return sq_each(db, ctx, "SELECT detected_at, rule_id, title, level, group_key,"
		       " count, first_us, last_us, events FROM findings f"
		       " WHERE count > 0 AND detected_at = (SELECT"
		       " max(detected_at) FROM findings g WHERE g.rule_id ="
		       " f.rule_id) ORDER BY rule_id, first_us, id",
		       "findings", finding_row, &to);
}

static const struct db_ops sqlite_ops = {
	.has_archive = sq_has_archive,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.event = sq_event,
	.reject = sq_reject,
	.patient = sq_patient,
	.archive = sq_archive,
	.query = sq_query,
	.span = sq_span,
	.histogram = sq_histogram,
	.patients = sq_patients,
	.archives = sq_archives,
	.counts = sq_counts,
	.link = sq_link,
	.finding = sq_finding,
	.findings = sq_findings,
	.close = sq_close,
	.abandon = sq_abandon,
};

static int sq_open(struct sq_store *db, struct cf_ctx *ctx, const char *path,
		   int mode)
{
	/* A reader opens read-write where the file allows it (SQLite falls
	 * back to read-only where it does not) and then sets query_only: a
	 * build killed mid-write leaves a WAL or journal that SQLite must
	 * recover before anyone can read, which a read-only connection
	 * cannot do (SQLITE_READONLY_RECOVERY); query_only keeps every
	 * statement of ours from writing. */
	int flags = mode == CF_DB_WRITE ?
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE :
			    SQLITE_OPEN_READWRITE;
	const char *file = path;
	struct stat st;
	int is_new = 0;

	if (mode == CF_DB_WRITE && lstat(path, &st) != 0 && errno == ENOENT) {
		/* truncates a partial file a killed build left */
		if (cf_atomic_begin(ctx, &db->at, path, 0644, 0) != CF_OK)
			return CF_FAILED;
		db->fresh = 1;
		file = db->at.tmp;
	}
	flags |= SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
	if (sqlite3_open_v2(file, &db->sq, flags, NULL) != SQLITE_OK) {
		int e = db->sq ? sqlite3_extended_errcode(db->sq) : SQLITE_NOMEM;
		return cf_set_error(ctx, 0, "%s: cannot open: %s", file,
				    sqlite3_errstr(e));
	}
	cf_sqlite_harden(db->sq, 1);
	sqlite3_busy_timeout(db->sq, 5000);
	if (mode != CF_DB_WRITE &&
	    sqlite3_exec(db->sq, "PRAGMA query_only = 1", NULL, NULL, NULL) !=
		    SQLITE_OK)
		return sq_err(db, ctx, "cannot open for reading");
	if (sq_check_store(db, ctx, &is_new))
		return CF_FAILED;
	if (mode != CF_DB_WRITE) {
		if (is_new)
			return cf_set_error(ctx, 0,
					    "%s: not a casefile timeline database",
					    path);
		return CF_OK;
	}
	db->writable = 1;
	return sq_setup_write(db, ctx, is_new);
}

int cf_db_sqlite_open(struct cf_ctx *ctx, const char *path, int mode,
		      cf_db **out)
{
	struct sq_store *db;

	*out = NULL;
	if (!(db = cf_calloc(1, sizeof *db)) ||
	    !(db->location = cf_strdup(path))) {
		free(db);
		return cf_set_nomem(ctx, "opening the database");
	}
	db->base.ops = &sqlite_ops;
	if (sq_open(db, ctx, path, mode) != CF_OK) {
		sq_abandon(&db->base);
		return CF_FAILED;
	}
	*out = &db->base;
	return CF_OK;
}
