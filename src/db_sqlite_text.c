/* SPDX-License-Identifier: Apache-2.0
 *
 * Free text in a SQLite store: how a filter's text (a substring of the
 * message, ASCII letters matched without regard to case, as
 * instr(lower(message), lower(text)) has it) is looked up in the FTS5
 * trigram index of the messages (src/db_sqlite_index.c), kept apart from
 * the other filters of src/db_sqlite_read.c.
 *
 * The index is case-sensitive: a text's trigram is looked for in each of
 * its ASCII case variants ("get" OR "GET" OR "Get"...), which is exactly
 * what lower() folds, and nothing else (a folding index would also fold
 * letters lower() keeps, such as the Kelvin sign to "k"). A text of three
 * ASCII characters is then answered by the index alone, with no message
 * read; a longer one only narrows the candidates (detail=none keeps no
 * positions), each checked against its message. An index from before,
 * which folds, is still used to narrow, and replaced on the next write.
 *
 * The span and histogram of a text that many messages hold (a quarter of
 * the ids or more) do not look each candidate up in the table: the
 * index's answer becomes a bitmap of event ids. Beside another filter, it
 * is tested by a function registered on the connection (cf_text_hit) along
 * that filter's index; with at most a time range, a read-only store keeps
 * the time of every event by id (8 bytes an event, read once along the
 * time index) and the bitmap's set bits are bucketed from it: at scale 10
 * (1.4 M events, 630,000 holding "GET") 2 ms of CPU instead of 1.1 s. Both
 * are kept while PRAGMA data_version says no other connection wrote.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "db_sqlite_int.h"

/* How many trigram groups of a long text go into the FTS5 query: each is
 * up to eight variants; the candidates are checked against the message
 * anyway, so fewer groups only means more candidates. */
#define MATCH_GROUPS_MAX 16
/* The bitmap of a histogram covers at most this many ids (16 MiB). */
#define HITS_IDS_MAX ((int64_t)1 << 27)
/* The times of the events by id are kept for at most this many (64 MiB). */
#define TIMES_IDS_MAX ((int64_t)1 << 23)
/* No event with this id: a gap in the ids. */
#define NO_TIME INT64_MIN

int sq_text_index_kind(struct sq_store *db)
{
	if (!db->text_index)
		db->text_index = (int)sq_int(db, "SELECT coalesce((SELECT 2 +"
					     " (instr(sql, 'case_sensitive 1') > 0)"
					     " FROM sqlite_schema WHERE type = 'table'"
					     " AND name = '" SQ_TEXT_INDEX "'), 1)");
	if (db->text_index < 1)
		db->text_index = 1; /* an error: as if it were not there */
	return db->text_index;
}

int sq_has_text_index(struct sq_store *db)
{
	return sq_text_index_kind(db) >= SQ_TEXT_FOLDED;
}

static size_t text_chars(const char *text)
{
	size_t n = 0;

	for (const char *p = text; *p; p++)
		n += ((unsigned char)*p & 0xc0) != 0x80;
	return n;
}

int sq_use_text_index(struct sq_store *db, const struct cf_db_filter *f)
{
	return f->text && !db->text_scan && text_chars(f->text) >= 3 &&
	       sq_has_text_index(db);
}

int sq_text_exact(struct sq_store *db, const struct cf_db_filter *f)
{
	if (!sq_use_text_index(db, f) || strlen(f->text) != 3 ||
	    sq_text_index_kind(db) != SQ_TEXT_CASED)
		return 0;
	for (const char *p = f->text; *p; p++)
		if ((unsigned char)*p >= 0x80)
			return 0;
	return 1;
}

/* One trigram (bytes s..e) as an FTS5 group of its ASCII case variants,
 * each quoted: ("get" OR "geT" OR ... OR "GET"). */
static void match_group(struct cf_buf *b, const char *s, const char *e)
{
	unsigned letters = 0, nl = 0;

	for (const char *p = s; p < e; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
			letters |= 1u << (p - s), nl++;
	cf_buf_putc(b, '(');
	/* a trigram of ASCII letters is 3 bytes: nl <= 3, at most 8 */
	for (unsigned v = 0; v < (1u << nl); v++) {
		unsigned k = 0;
		cf_buf_puts(b, v ? " OR \"" : "\"");
		for (const char *p = s; p < e; p++) {
			char c = *p;
			if (letters & (1u << (p - s))) {
				c = (char)((v >> k++) & 1 ? (c & ~0x20) : (c | 0x20));
			}
			if (c == '"')
				cf_buf_putc(b, '"');
			cf_buf_putc(b, c);
		}
		cf_buf_putc(b, '"');
	}
	cf_buf_putc(b, ')');
}

char *sq_text_match(const char *text)
{
	/* where each character starts, and where the last one counted ends */
	size_t starts[4097], n = 0, i = 0, step, groups = 0;
	struct cf_buf b;

	for (; text[i] && n < sizeof starts / sizeof *starts - 1; i++)
		if (((unsigned char)text[i] & 0xc0) != 0x80)
			starts[n++] = i;
	while (text[i] && ((unsigned char)text[i] & 0xc0) == 0x80)
		i++;
	starts[n] = i;
	cf_buf_init(&b);
	/* a trigram every three characters, and the last; spread wider
	 * when that would be too many groups */
	step = n / 3 > MATCH_GROUPS_MAX ? n / MATCH_GROUPS_MAX : 3;
	for (size_t k = 0; n >= 3; k += step) {
		if (k + 3 > n)
			k = n - 3;
		if (groups++)
			cf_buf_puts(&b, " AND ");
		match_group(&b, text + starts[k], text + starts[k + 3]);
		if (k + 3 >= n)
			break;
	}
	if (b.err) {
		cf_buf_release(&b);
		return NULL;
	}
	return cf_buf_detach(&b);
}

int64_t sq_text_candidates(struct sq_store *db, const struct cf_db_filter *f,
			   int64_t max)
{
	sqlite3_stmt *s = NULL;
	int64_t n = -1;
	char *m = sq_text_match(f->text);

	if (m && sqlite3_prepare_v2(db->sq, "SELECT count(*) FROM (SELECT 1 FROM "
				    SQ_TEXT_INDEX " WHERE " SQ_TEXT_INDEX
				    " MATCH ? LIMIT ?)", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, m, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, max);
		if (sqlite3_step(s) == SQLITE_ROW)
			n = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	free(m);
	return n;
}

/* ---- the histogram's bitmap ---------------------------------------------- */

static void hit_fn(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	const struct sq_text_hits *h = sqlite3_user_data(c);
	int64_t id = sqlite3_value_int64(argv[0]);
	int hit = 0;

	(void)argc;
	if (h->bits && id >= h->lo && id - h->lo < h->nids)
		hit = h->bits[(id - h->lo) >> 3] >> ((id - h->lo) & 7) & 1;
	sqlite3_result_int(c, hit);
}

/* Forgets the text and its bitmap; the times by id stay (any text's). */
static void hits_reset(struct sq_text_hits *h)
{
	free(h->bits);
	free(h->text);
	h->bits = NULL;
	h->text = NULL;
	h->on = 0;
	h->lo = h->nids = 0;
}

int sq_text_hits_load(struct sq_store *db, struct cf_ctx *ctx,
		      const struct cf_db_filter *f)
{
	struct sq_text_hits *h = &db->hits;
	sqlite3_stmt *s = NULL;
	int64_t lo, hi, n = 0, version;
	char *m = NULL;
	int step, rc = CF_FAILED;

	if (!sq_text_exact(db, f))
		return 1;
	/* the last text's answer, while no other connection has written */
	version = sq_int(db, "PRAGMA data_version");
	if (h->text && !strcmp(h->text, f->text) && h->version == version) {
		h->on = h->bits != NULL;
		return h->on ? CF_OK : 1;
	}
	hits_reset(h);
	lo = sq_int(db, "SELECT coalesce(min(id), 0) FROM events");
	hi = sq_int(db, "SELECT coalesce(max(id), -1) FROM events");
	if (lo < 0 || hi < lo || hi - lo >= HITS_IDS_MAX)
		return 1; /* none, or ids too far apart: the usual way */
	if (!db->hit_fn &&
	    sqlite3_create_function(db->sq, "cf_text_hit", 1, SQLITE_UTF8 |
				    SQLITE_DIRECTONLY, h, hit_fn, NULL,
				    NULL) != SQLITE_OK)
		return sq_err(db, ctx, "reading the text index");
	db->hit_fn = 1;
	h->lo = lo;
	h->nids = hi - lo + 1;
	if (!(h->bits = cf_calloc((size_t)(h->nids / 8 + 1), 1)) ||
	    !(h->text = cf_strdup(f->text)) || !(m = sq_text_match(f->text))) {
		cf_set_nomem(ctx, "reading the text index");
		goto out;
	}
	if (sqlite3_prepare_v2(db->sq, "SELECT rowid FROM " SQ_TEXT_INDEX
			       " WHERE " SQ_TEXT_INDEX " MATCH ?", -1, &s,
			       NULL) != SQLITE_OK) {
		sq_err(db, ctx, "reading the text index");
		goto out;
	}
	sqlite3_bind_text(s, 1, m, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		if (id >= lo && id - lo < h->nids) {
			h->bits[(id - lo) >> 3] |= (unsigned char)(1u << ((id - lo) & 7));
			n++;
		}
	}
	if (step == SQLITE_INTERRUPT) {
		cf_set_error(ctx, ETIMEDOUT, "%s: counting events: query timed"
			     " out after %u ms", db->location, f->timeout_ms);
		goto out;
	}
	if (step != SQLITE_DONE) {
		sq_err(db, ctx, "reading the text index");
		goto out;
	}
	h->version = version;
	/* few hits: each is looked up in the table sooner than the time
	 * index is read through (remembered as a text without a bitmap) */
	if (n * 4 < h->nids) {
		free(h->bits);
		h->bits = NULL;
		rc = 1;
	} else {
		rc = CF_OK;
		h->on = 1;
	}
out:
	sqlite3_finalize(s);
	free(m);
	if (rc == CF_FAILED)
		hits_reset(h);
	return rc;
}

void sq_text_hits_off(struct sq_store *db)
{
	db->hits.on = 0;
	if (db->writable) /* its own writes would not show in data_version */
		sq_text_hits_free(db);
}

void sq_text_hits_free(struct sq_store *db)
{
	free(db->hits.bits);
	free(db->hits.text);
	free(db->hits.ts);
	memset(&db->hits, 0, sizeof db->hits);
}

/* ---- the times of the text's events, without SQL --------------------------- */

/* 1 when f selects by its text and at most a time range. */
static int text_only(const struct cf_db_filter *f)
{
	return f->text && !f->patient && !f->actor && !f->model &&
	       !f->model_version && !f->action && !f->source && !f->host &&
	       !f->outcome && !f->src_ip && !f->has_id;
}

/* The time of every event by id (h->ts[id - h->lo]), read once along the
 * time index (a covering index of ids and times: no row of the table) and
 * kept with the bitmap's data_version. CF_OK, 1 when not worth it or not
 * possible (then the SQL way), CF_FAILED with the error on ctx. */
static int times_load(struct sq_store *db, struct cf_ctx *ctx,
		      const struct cf_db_filter *f)
{
	struct sq_text_hits *h = &db->hits;
	sqlite3_stmt *s = NULL;
	int step;

	if (db->writable || !h->on || !text_only(f) || h->nids > TIMES_IDS_MAX)
		return 1;
	if (h->ts && h->ts_version == h->version && h->ts_lo == h->lo &&
	    h->ts_n == h->nids)
		return CF_OK;
	free(h->ts);
	h->ts = NULL;
	if (sqlite3_prepare_v2(db->sq, "SELECT id, ts_us FROM events INDEXED BY"
			       " events_time", -1, &s, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return 1; /* a store without it */
	}
	if (!(h->ts = cf_malloc((size_t)h->nids * sizeof *h->ts))) {
		sqlite3_finalize(s);
		return cf_set_nomem(ctx, "reading the time index");
	}
	for (int64_t i = 0; i < h->nids; i++)
		h->ts[i] = NO_TIME;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		if (id >= h->lo && id - h->lo < h->nids)
			h->ts[id - h->lo] = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	if (step != SQLITE_DONE) {
		free(h->ts);
		h->ts = NULL;
		if (step == SQLITE_INTERRUPT)
			return cf_set_error(ctx, ETIMEDOUT, "%s: counting events:"
					    " query timed out after %u ms",
					    db->location, f->timeout_ms);
		return sq_err(db, ctx, "reading the time index");
	}
	h->ts_version = h->version;
	h->ts_lo = h->lo;
	h->ts_n = h->nids;
	return CF_OK;
}

/* Calls fn for the time of each event of the bitmap in [lo_us, hi_us). */
#define EACH_HIT_TIME(h, lo_us, hi_us, t, body) \
	for (int64_t byte_ = 0; byte_ < ((h)->nids + 7) / 8; byte_++) \
		for (unsigned b_ = (h)->bits[byte_]; b_; b_ &= b_ - 1) { \
			int64_t i_ = byte_ * 8 + __builtin_ctz(b_), t; \
			if (i_ >= (h)->nids || (t = (h)->ts[i_]) == NO_TIME || \
			    t < (lo_us) || t >= (hi_us)) \
				continue; \
			body; \
		}

int sq_text_span(struct sq_store *db, struct cf_ctx *ctx,
		 const struct cf_db_filter *f, int64_t *count,
		 int64_t *first_us, int64_t *last_us)
{
	struct sq_text_hits *h = &db->hits;
	int64_t lo = f->has_from ? f->from_us : INT64_MIN, hi = INT64_MAX;
	int64_t n = 0, first = INT64_MAX, last = INT64_MIN;
	int rc = times_load(db, ctx, f);

	if (rc != CF_OK)
		return rc;
	EACH_HIT_TIME(h, lo, hi, t, {
		if (f->has_to && t > f->to_us)
			continue;
		n++;
		if (t < first)
			first = t;
		if (t > last)
			last = t;
	})
	if (count)
		*count = n;
	/* as SQL's min() and max() of nothing would give */
	*first_us = n ? first : 0;
	*last_us = n ? last : 0;
	return CF_OK;
}

int sq_text_histogram(struct sq_store *db, struct cf_ctx *ctx,
		      const struct cf_db_filter *f, int64_t first_us,
		      int64_t width_us, size_t nb, int64_t start_us,
		      int64_t end_us, int64_t *counts)
{
	struct sq_text_hits *h = &db->hits;
	int rc = times_load(db, ctx, f);

	if (rc != CF_OK)
		return rc;
	EACH_HIT_TIME(h, start_us, end_us, t, {
		uint64_t b = ((uint64_t)t - (uint64_t)first_us) / (uint64_t)width_us;
		if (t >= first_us && b < nb)
			counts[b]++;
	})
	return CF_OK;
}
