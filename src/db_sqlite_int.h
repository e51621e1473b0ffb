/* SPDX-License-Identifier: Apache-2.0
 *
 * Private to the SQLite backend of the timeline store: the handle shared
 * by src/db_sqlite.c (opening, writing, closing, findings) and
 * src/db_sqlite_read.c (queries, histograms, patients, archives, counts).
 */
#ifndef CASEFILE_DB_SQLITE_INT_H
#define CASEFILE_DB_SQLITE_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "casefile/atomic.h"
#include "casefile/db.h"
#include "db_backend.h"

enum { ST_EVENT, ST_REJECT, ST_PATIENT, ST_ARCHIVE, ST_HAS_ARCHIVE, ST_N };

/* The handle of a SQLite store: the common part first. */
struct sq_store {
	struct cf_db base;
	char *location;
	sqlite3 *sq;
	sqlite3_stmt *st[ST_N];
	int writable;
	int deferred_indexes; /* create the indexes at close */
	int in_txn;           /* an archive's savepoint is open */
	int in_build;         /* the build's transaction is open */
	int fresh;            /* built in `at.tmp`, renamed over `at.path` at close */
	int patient_facts;    /* patients has the PATIENT_FACTS_COLS columns */
	int text_index;       /* SQ_TEXT_INDEX: 0 not looked up, else SQ_TEXT_* */
	int text_scan;        /* this query reads messages without it */
	int hit_fn;           /* cf_text_hit is registered on sq */
	struct sq_text_hits {
		unsigned char *bits; /* bit (id - lo): the text's events */
		int64_t lo, nids;
		int on;              /* this query tests cf_text_hit(id) */
		char *text;          /* the text it is of (NULL bits: few) */
		int64_t version;     /* PRAGMA data_version when read */
		int64_t *ts;         /* ts_us by id - ts_lo (any text's) */
		int64_t ts_lo, ts_n, ts_version;
	} hits;
	int64_t text_from;    /* a growing store's last event id before the
			       * build (-1: it has no SQ_TEXT_INDEX yet) */
	struct sq_textbuild *textbuild; /* SQ_TEXT_INDEX built aside */
	struct cf_atomic at;
};

const char *sq_col_text(sqlite3_stmt *s, int i);
/* Where sq_each hands each row: the caller's callback of its kind. */
struct sq_rows {
	void *arg;
	cf_db_patient_fn patient;
	cf_db_archive_fn archive;
	cf_db_finding_fn finding;
};
/* Turns one row into its record and hands it on; non-zero stops. */
typedef int (*sq_row_fn)(sqlite3_stmt *s, const struct sq_rows *to);
/* Runs sql and calls row on each row until one returns non-zero, which
 * is returned; CF_OK at the end, or the store's error ("querying WHAT",
 * "reading WHAT"). */
int sq_each(struct sq_store *db, struct cf_ctx *ctx, const char *sql,
	    const char *what, sq_row_fn row, const struct sq_rows *to);
/* The patient facts' columns, and the events' columns in the order
 * sq_query reads them. */
#define PATIENT_FACTS_COLS "reach, deceased, next_of_kin, birth_date"
extern const char sq_event_cols[];

/* The read operations of db_ops (src/db_sqlite_read.c). */
db_query_op sq_query;
db_span_op sq_span;
db_histogram_op sq_histogram;
db_patients_op sq_patients;
db_archives_op sq_archives;
db_counts_op sq_counts;
/* The filters' indexes (src/db_sqlite_index.c): the FTS5 index of the
 * messages, and the calls of a build's start (after the schema) and its
 * end (before the commit). sq_has_text_index: 1 when the store has it. */
#define SQ_TEXT_INDEX "events_text"
/* Its declaration: its options after the content table's name and
 * rowid (arguments of fts5), and the terms it holds in memory before it
 * writes a segment. */
#define SQ_TEXT_INDEX_OPTS \
	"tokenize='trigram case_sensitive 1', detail=none, columnsize=0"
#define SQ_TEXT_INDEX_ARGS \
	"message, content='events', content_rowid='id', " SQ_TEXT_INDEX_OPTS
#define SQ_TEXT_HASHSIZE "67108864"
int sq_filter_index_begin(struct sq_store *db, struct cf_ctx *ctx);
int sq_filter_index_end(struct sq_store *db, struct cf_ctx *ctx);
int sq_has_text_index(struct sq_store *db);
/* A new store's text index built on a second connection and thread while
 * the writer builds the other indexes (src/db_sqlite_textbuild.c).
 * sq_textbuild_start, in the build's transaction: commits the rows to the
 * partial file, starts the text index and opens the writer's transaction
 * for the b-tree indexes (db->textbuild set). sq_textbuild_finish, after
 * the writer committed them: waits for the text index and puts it in the
 * store. sq_textbuild_abort: stops it and drops it (no-op without one).
 * Both of the first two clear db->textbuild on failure. */
struct sq_textbuild;
int sq_textbuild_start(struct sq_store *db, struct cf_ctx *ctx);
int sq_textbuild_finish(struct sq_store *db, struct cf_ctx *ctx);
void sq_textbuild_abort(struct sq_store *db);

/* Free text (src/db_sqlite_text.c). The kind of SQ_TEXT_INDEX a store
 * has: none, one that folds case (before the case-sensitive one), or the
 * case-sensitive one. */
enum { SQ_TEXT_NONE = 1, SQ_TEXT_FOLDED = 2, SQ_TEXT_CASED = 3 };
int sq_text_index_kind(struct sq_store *db);
/* 1 when f's text narrows through the index (three characters or more,
 * an index there, the query not told to scan). */
int sq_use_text_index(struct sq_store *db, const struct cf_db_filter *f);
/* 1 when the index's answer for f's text is the exact one: no message
 * needs checking. */
int sq_text_exact(struct sq_store *db, const struct cf_db_filter *f);
/* The FTS5 query of a text (heap), or NULL on no memory. */
char *sq_text_match(const char *text);
/* How many messages the index gives for f's text, counted up to max (or
 * -1 on error). */
int64_t sq_text_candidates(struct sq_store *db, const struct cf_db_filter *f,
			   int64_t max);
/* For a histogram or span of an exact text: the index's events as a
 * bitmap in db->hits, tested in SQL by cf_text_hit(id), and kept for the
 * next call with the same text (a read-only store's span, then its
 * histogram). CF_OK when it is on; 1 when this text is better counted the
 * usual way (not exact, or few events); CF_FAILED with the error on ctx.
 * sq_text_hits_off ends its use by a query; sq_text_hits_free frees it
 * (at close). */
int sq_text_hits_load(struct sq_store *db, struct cf_ctx *ctx,
		      const struct cf_db_filter *f);
void sq_text_hits_off(struct sq_store *db);
void sq_text_hits_free(struct sq_store *db);
/* With the bitmap on, a read-only store and a filter of text and time
 * alone: the span (first and last time, count when not NULL) or the
 * histogram (as sq_histogram, of times in [start_us, end_us)) from the
 * times of the events by id, kept in memory. CF_OK when answered; 1 when
 * not (the SQL way then); CF_FAILED with the error on ctx. */
int sq_text_span(struct sq_store *db, struct cf_ctx *ctx,
		 const struct cf_db_filter *f, int64_t *count,
		 int64_t *first_us, int64_t *last_us);
int sq_text_histogram(struct sq_store *db, struct cf_ctx *ctx,
		      const struct cf_db_filter *f, int64_t first_us,
		      int64_t width_us, size_t nb, int64_t start_us,
		      int64_t end_us, int64_t *counts);

int sq_err(struct sq_store *db, struct cf_ctx *ctx, const char *what);
int64_t sq_int(struct sq_store *db, const char *sql);

#endif
