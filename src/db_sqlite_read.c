/* SPDX-License-Identifier: Apache-2.0
 *
 * Reading a SQLite timeline store: events through a filter (every value
 * bound, never pasted into SQL, with a time limit), the span and histogram
 * of what a filter selects, patients, archives and counts. Readers open
 * the store read-write where the file allows it and set query_only
 * (src/db_sqlite.c), so that a build killed mid-write is recovered first.
 */
#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/db.h"
#include "casefile/error.h"
#include "casefile/patient.h"
#include "db_sqlite_int.h"

/* ---- SQLite: reading ---------------------------------------------------- */

const char *sq_col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/* The integer in column i, or dflt when it is NULL. */
static int col_int_or(sqlite3_stmt *s, int i, int dflt)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? dflt : sqlite3_column_int(s, i);
}

/* The WHERE clause of a filter, with ? for every value (never a value
 * pasted into the SQL), and its binding: filter_where() and filter_bind()
 * walk the same fields in the same order. */
static const char *const eq_cols[] = {
	"patient", "actor", "model", "model_version", "action", "source",
	"host", "outcome", "src_ip",
};

static void filter_eq_vals(const struct cf_db_filter *f, const char **v)
{
	v[0] = f->patient;
	v[1] = f->actor;
	v[2] = f->model;
	v[3] = f->model_version;
	v[4] = f->action;
	v[5] = f->source;
	v[6] = f->host;
	v[7] = f->outcome;
	v[8] = f->src_ip;
}

#define NEQ (sizeof eq_cols / sizeof eq_cols[0])

/* Free text: see src/db_sqlite_text.c. */
#define TEXT_MANY 20000
#define TEXT_PAGE_MAX 2000

/* Appends the clause; returns the word that continues it (" WHERE" when
 * the filter selects everything, else " AND"); failures stay on sql. */
static const char *filter_where(struct sq_store *db, struct cf_buf *sql,
				const struct cf_db_filter *f)
{
	const char *v[NEQ], *w = " WHERE";

	filter_eq_vals(f, v);
	for (size_t i = 0; i < NEQ; i++) {
		if (!v[i])
			continue;
		cf_buf_printf(sql, "%s %s = ?", w, eq_cols[i]);
		w = " AND";
	}
	if (f->has_from && !cf_buf_printf(sql, "%s ts_us >= ?", w))
		w = " AND";
	if (f->has_to && !cf_buf_printf(sql, "%s ts_us <= ?", w))
		w = " AND";
	if (f->text && db->hits.on) {
		/* a histogram's bitmap of the text's events (no value) */
		if (!cf_buf_printf(sql, "%s cf_text_hit(id)", w))
			w = " AND";
	} else {
		if (sq_use_text_index(db, f) &&
		    !cf_buf_printf(sql, "%s id IN (SELECT rowid FROM " SQ_TEXT_INDEX
				   " WHERE " SQ_TEXT_INDEX " MATCH ?)", w))
			w = " AND";
		if (f->text && !sq_text_exact(db, f) &&
		    !cf_buf_printf(sql, "%s instr(lower(message), lower(?)) > 0", w))
			w = " AND";
	}
	if (f->has_id && !cf_buf_printf(sql, "%s id = ?", w))
		w = " AND";
	return w;
}

/* Binds the filter's values after the n parameters already bound;
 * returns the number of the next one. */
static int filter_bind(struct sq_store *db, sqlite3_stmt *s,
		       const struct cf_db_filter *f, int n)
{
	const char *v[NEQ];
	char *m;

	filter_eq_vals(f, v);
	for (size_t i = 0; i < NEQ; i++)
		if (v[i])
			sqlite3_bind_text(s, ++n, v[i], -1, SQLITE_STATIC);
	if (f->has_from)
		sqlite3_bind_int64(s, ++n, f->from_us);
	if (f->has_to)
		sqlite3_bind_int64(s, ++n, f->to_us);
	if (f->text && !db->hits.on && sq_use_text_index(db, f)) {
		/* no memory: a NULL matches nothing, and the statement's
		 * other uses of memory fail too */
		if ((m = sq_text_match(f->text)))
			sqlite3_bind_text(s, ++n, m, -1, free);
		else
			sqlite3_bind_null(s, ++n);
	}
	if (f->text && !db->hits.on && !sq_text_exact(db, f))
		sqlite3_bind_text(s, ++n, f->text, -1, SQLITE_STATIC);
	if (f->has_id)
		sqlite3_bind_int64(s, ++n, f->id);
	return n + 1;
}

/* The query time limit: SQLite calls back every few thousand steps of its
 * virtual machine, and a non-zero answer interrupts the statement. */
static int64_t mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int deadline_passed(void *arg)
{
	return mono_ms() > *(const int64_t *)arg;
}

static void deadline_set(struct sq_store *db, const struct cf_db_filter *f,
			 int64_t *deadline)
{
	if (!f->timeout_ms)
		return;
	*deadline = mono_ms() + f->timeout_ms;
	sqlite3_progress_handler(db->sq, 4000, deadline_passed, deadline);
}

/* Ends a statement's time limit: CF_OK after SQLITE_DONE, else the
 * error of the failed step. */
static int deadline_end(struct sq_store *db, struct cf_ctx *ctx,
			const struct cf_db_filter *f, int step, const char *what)
{
	if (f->timeout_ms)
		sqlite3_progress_handler(db->sq, 0, NULL, NULL);
	if (step == SQLITE_DONE)
		return CF_OK;
	if (step == SQLITE_INTERRUPT)
		return cf_set_error(ctx, ETIMEDOUT, "%s: %s: query timed out after"
				    " %u ms", db->location, what, f->timeout_ms);
	return sq_err(db, ctx, what);
}

static int sq_prepare(struct sq_store *db, struct cf_ctx *ctx,
		      struct cf_buf *sql, sqlite3_stmt **s)
{
	if (sql->err)
		return cf_set_nomem(ctx, "building a query");
	if (sqlite3_prepare_v2(db->sq, sql->data, -1, s, NULL) != SQLITE_OK)
		return sq_err(db, ctx, "querying events");
	return CF_OK;
}

int sq_query(cf_db *h, struct cf_ctx *ctx, const struct cf_db_filter *f,
		    cf_db_event_fn fn, void *arg)
{
	struct sq_store *db = (struct sq_store *)h;
	struct cf_buf sql;
	sqlite3_stmt *s = NULL;
	int64_t deadline = 0;
	int rc = CF_FAILED, n, step;

	/* A page in time order of a text that many messages hold is found
	 * sooner by reading the time index until the page is full than by
	 * sorting all the candidates of the text index. */
	if (sq_use_text_index(db, f) && f->limit && f->limit <= TEXT_PAGE_MAX &&
	    f->offset <= TEXT_PAGE_MAX &&
	    sq_text_candidates(db, f, TEXT_MANY) >= TEXT_MANY)
		db->text_scan = 1;
	cf_buf_init(&sql);
	cf_buf_printf(&sql, "SELECT %s, id FROM events", sq_event_cols);
	filter_where(db, &sql, f);
	cf_buf_puts(&sql, " ORDER BY ts_us, id");
	if (f->limit || f->offset)
		cf_buf_puts(&sql, " LIMIT ? OFFSET ?");
	if (sq_prepare(db, ctx, &sql, &s) != CF_OK)
		goto out;
	n = filter_bind(db, s, f, 0);
	if (f->limit || f->offset) {
		sqlite3_bind_int64(s, n++, f->limit && f->limit <= INT64_MAX ?
					   (sqlite3_int64)f->limit : -1);
		sqlite3_bind_int64(s, n, f->offset <= INT64_MAX ?
					 (sqlite3_int64)f->offset : INT64_MAX);
	}
	deadline_set(db, f, &deadline);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct cf_event e = {0};
		int c = 0, cb;

		e.ts_us = sqlite3_column_int64(s, c++);
		e.ts_desc = sq_col_text(s, c++);
		e.source = sq_col_text(s, c++);
		e.host = sq_col_text(s, c++);
		e.actor = sq_col_text(s, c++);
		e.actor_role = sq_col_text(s, c++);
		e.action = sq_col_text(s, c++);
		e.outcome = sq_col_text(s, c++);
		e.patient = sq_col_text(s, c++);
		e.resource = sq_col_text(s, c++);
		e.src_ip = sq_col_text(s, c++);
		e.model = sq_col_text(s, c++);
		e.model_version = sq_col_text(s, c++);
		e.decision = sq_col_text(s, c++);
		e.has_score = sqlite3_column_type(s, c) != SQLITE_NULL;
		e.score = sqlite3_column_double(s, c++);
		e.message = sq_col_text(s, c++);
		e.attrs = sq_col_text(s, c++);
		e.archive = sq_col_text(s, c++);
		e.member = sq_col_text(s, c++);
		e.line = (uint64_t)sqlite3_column_int64(s, c++);
		e.offset = (uint64_t)sqlite3_column_int64(s, c++);
		e.id = sqlite3_column_int64(s, c++);
		if ((cb = fn(arg, &e)) != 0) {
			rc = cb;
			step = SQLITE_DONE;
			break;
		}
	}
	/* rc is still CF_FAILED unless the callback stopped the reading */
	if ((n = deadline_end(db, ctx, f, step, "reading events")) != CF_OK ||
	    rc == CF_FAILED)
		rc = n;
out:
	db->text_scan = 0;
	sqlite3_finalize(s);
	cf_buf_release(&sql);
	return rc;
}

/* One aggregate of the filtered events: three statements rather than one,
 * because SQLite answers min() or max() alone from the time index in a few
 * steps, and count(*) alone from the smallest index, where the three
 * together read the whole table. */
static int sq_aggregate(struct sq_store *db, struct cf_ctx *ctx,
			const struct cf_db_filter *f, const char *agg,
			int64_t *out)
{
	struct cf_buf sql;
	sqlite3_stmt *s = NULL;
	int64_t deadline = 0;
	int rc = CF_FAILED, step;

	cf_buf_init(&sql);
	cf_buf_printf(&sql, "SELECT %s FROM events", agg);
	filter_where(db, &sql, f);
	if (sq_prepare(db, ctx, &sql, &s) != CF_OK)
		goto out;
	filter_bind(db, s, f, 0);
	deadline_set(db, f, &deadline);
	if ((step = sqlite3_step(s)) == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		step = SQLITE_DONE;
	}
	rc = deadline_end(db, ctx, f, step, "counting events");
out:
	sqlite3_finalize(s);
	cf_buf_release(&sql);
	return rc;
}

int sq_span(cf_db *h, struct cf_ctx *ctx, const struct cf_db_filter *f,
		   int64_t *count, int64_t *first_us, int64_t *last_us)
{
	struct sq_store *db = (struct sq_store *)h;
	int64_t deadline = 0;
	int rc = CF_FAILED;

	/* a text that many events hold exactly: its bitmap, with the times
	 * by id (text and time alone), or tested as min() and max() read
	 * the time index from either end, where each of the text's events
	 * would be looked up */
	if (sq_use_text_index(db, f)) {
		deadline_set(db, f, &deadline);
		rc = sq_text_hits_load(db, ctx, f);
		if (rc == CF_OK)
			rc = sq_text_span(db, ctx, f, count, first_us, last_us);
		if (f->timeout_ms)
			sqlite3_progress_handler(db->sq, 0, NULL, NULL);
		if (rc != 1)
			goto out;
		rc = CF_FAILED;
	}
	if (count && sq_aggregate(db, ctx, f, "count(*)", count) != CF_OK)
		goto out;
	if (count && !*count) {
		rc = CF_OK;
		goto out;
	}
	if (sq_aggregate(db, ctx, f, "min(ts_us)", first_us) != CF_OK ||
	    sq_aggregate(db, ctx, f, "max(ts_us)", last_us) != CF_OK)
		goto out;
	rc = CF_OK;
out:
	sq_text_hits_off(db);
	return rc;
}

int sq_histogram(cf_db *h, struct cf_ctx *ctx,
			const struct cf_db_filter *f, int64_t start_us,
			int64_t width_us, size_t nb, int64_t *counts)
{
	struct sq_store *db = (struct sq_store *)h;
	struct cf_buf sql;
	sqlite3_stmt *s = NULL;
	int64_t deadline = 0, end_us;
	const char *w;
	int rc = CF_FAILED, n, step, bucket;
	const int64_t first_us = start_us; /* bucket 0's start */
	struct cf_db_filter g;

	/* the buckets' end, clamped rather than overflowing */
	if (nb > INT64_MAX || __builtin_mul_overflow((int64_t)nb, width_us, &end_us) ||
	    __builtin_add_overflow(end_us, start_us, &end_us))
		end_us = INT64_MAX;
	cf_buf_init(&sql);
	/* Without free text, one count(*) per bucket: each a range of an
	 * index ending with the time (each filter's, src/db_sqlite_index.c),
	 * counted inside SQLite, where a GROUP BY on the bucket would sort
	 * every row. With it, the candidates' times, bucketed here, unless
	 * the text index answers exactly for many events: then its answer
	 * is a bitmap tested along the filter's index, bucket by bucket
	 * (src/db_sqlite_text.c). */
	bucket = !sq_use_text_index(db, f);
	deadline_set(db, f, &deadline);
	if (!bucket && (n = sq_text_hits_load(db, ctx, f)) != 1) {
		if (n != CF_OK)
			goto out;
		bucket = 1;
		/* text and time alone: from the times by id in memory */
		if ((n = sq_text_histogram(db, ctx, f, first_us, width_us, nb,
					   f->has_from && f->from_us > start_us ?
					   f->from_us : start_us,
					   f->has_to && f->to_us < INT64_MAX &&
					   f->to_us + 1 < end_us ? f->to_us + 1 :
					   end_us, counts)) != 1) {
			rc = n;
			goto out;
		}
	}
	/* the filter's own time range is folded into the one range each
	 * statement has, which SQLite can then read from its index: given
	 * two, it would walk the wider */
	g = *f;
	g.has_from = g.has_to = 0;
	if (f->has_from && f->from_us > start_us)
		start_us = f->from_us;
	if (f->has_to && f->to_us < INT64_MAX && f->to_us + 1 < end_us)
		end_us = f->to_us + 1;
	cf_buf_puts(&sql, bucket ? "SELECT count(*) FROM events" :
				   "SELECT ts_us FROM events");
	w = filter_where(db, &sql, &g);
	cf_buf_printf(&sql, "%s ts_us >= ? AND ts_us < ?", w);
	if (sq_prepare(db, ctx, &sql, &s) != CF_OK)
		goto out;
	n = filter_bind(db, s, &g, 0);
	step = SQLITE_DONE;
	for (size_t i = 0; bucket && i < nb && step == SQLITE_DONE; i++) {
		int64_t lo, hi;

		if (__builtin_mul_overflow((int64_t)i, width_us, &lo) ||
		    __builtin_add_overflow(lo, first_us, &lo))
			break; /* past every time there can be */
		if (i + 1 == nb || __builtin_add_overflow(lo, width_us, &hi) ||
		    hi > end_us)
			hi = end_us;
		if (lo < start_us)
			lo = start_us;
		if (lo >= hi)
			continue;
		sqlite3_reset(s);
		sqlite3_bind_int64(s, n, lo);
		sqlite3_bind_int64(s, n + 1, hi);
		if ((step = sqlite3_step(s)) == SQLITE_ROW) {
			counts[i] = sqlite3_column_int64(s, 0);
			step = sqlite3_step(s);
		}
	}
	if (!bucket) {
		sqlite3_bind_int64(s, n, start_us);
		sqlite3_bind_int64(s, n + 1, end_us);
	}
	while (!bucket && (step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t ts = sqlite3_column_int64(s, 0);
		uint64_t b = ((uint64_t)ts - (uint64_t)first_us) / (uint64_t)width_us;

		if (ts >= first_us && b < nb)
			counts[b]++;
	}
	rc = deadline_end(db, ctx, f, step, "counting events");
out:
	if (f->timeout_ms) /* the time limit ends with the statement */
		sqlite3_progress_handler(db->sq, 0, NULL, NULL);
	sq_text_hits_off(db);
	sqlite3_finalize(s);
	cf_buf_release(&sql);
	return rc;
}

int sq_each(struct sq_store *db, struct cf_ctx *ctx, const char *sql,
	    const char *what, sq_row_fn row, const struct sq_rows *to)
{
	sqlite3_stmt *s = NULL;
	char msg[64];
	int rc = CF_OK, step = SQLITE_DONE;

	if (sqlite3_prepare_v2(db->sq, sql, -1, &s, NULL) != SQLITE_OK) {
		snprintf(msg, sizeof msg, "querying %s", what);
		return sq_err(db, ctx, msg);
	}
	while (rc == CF_OK && (step = sqlite3_step(s)) == SQLITE_ROW)
		rc = row(s, to);
	if (rc == CF_OK && step != SQLITE_DONE) {
		snprintf(msg, sizeof msg, "reading %s", what);
		rc = sq_err(db, ctx, msg);
	}
	sqlite3_finalize(s);
	return rc;
}

static int patient_row(sqlite3_stmt *s, const struct sq_rows *to)
{
	struct cf_patient p = {
		.id = sq_col_text(s, 0),
		.state = sq_col_text(s, 1),
		.has_contact = cf_patient_from_cols(
			sqlite3_column_int(s, 2), col_int_or(s, 6, -1),
			col_int_or(s, 7, -1), col_int_or(s, 8, -1),
			sq_col_text(s, 9)),
		.archive = sq_col_text(s, 3),
		.member = sq_col_text(s, 4),
		.line = (uint64_t)sqlite3_column_int64(s, 5),
	};

	return to->patient(to->arg, &p);
}

int sq_patients(cf_db *h, struct cf_ctx *ctx, cf_db_patient_fn fn,
		       void *arg)
{
	struct sq_store *db = (struct sq_store *)h;
	const struct sq_rows to = {.arg = arg, .patient = fn};

	return sq_each(db, ctx, db->patient_facts ?
		       "SELECT id, state, has_contact, archive, member,"
		       " line, " PATIENT_FACTS_COLS " FROM patients ORDER BY id" :
		       "SELECT id, state, has_contact, archive, member,"
		       " line, NULL, NULL, NULL, NULL FROM patients ORDER BY id",
		       "patients", patient_row, &to);
}

static int archive_row(sqlite3_stmt *s, const struct sq_rows *to)
{
	struct cf_db_archive a = {
		.sha256sums = sq_col_text(s, 0),
		.path = sq_col_text(s, 1),
		.signer = sq_col_text(s, 2),
		.verified = sqlite3_column_int(s, 3) != 0,
		.sequence = sqlite3_column_int64(s, 4),
		.host = sq_col_text(s, 5),
		.built_at = sqlite3_column_int64(s, 6),
	};

	return a.sha256sums ? to->archive(to->arg, &a) : CF_OK;
}

int sq_archives(cf_db *h, struct cf_ctx *ctx, cf_db_archive_fn fn,
		       void *arg)
{
	const struct sq_rows to = {.arg = arg, .archive = fn};

	return sq_each((struct sq_store *)h, ctx,
		       "SELECT sha256sums, path, signer, verified, sequence,"
		       " host, built_at FROM archives ORDER BY sha256sums",
		       "archives", archive_row, &to);
}

int sq_counts(cf_db *h, struct cf_ctx *ctx, int64_t *events,
		     int64_t *rejects)
{
	struct sq_store *db = (struct sq_store *)h;
	*events = sq_int(db, "SELECT count(*) FROM events");
	*rejects = sq_int(db, "SELECT count(*) FROM rejects");
	if (*events < 0 || *rejects < 0)
		return sq_err(db, ctx, "counting rows");
	return CF_OK;
}


