/* SPDX-License-Identifier: Apache-2.0
 *
 * The read operations of the ClickHouse timeline store (src/db_clickhouse.c):
 * events matching a filter, patients, archives and row counts, streamed as
 * TabSeparated lines from one SELECT each and handed to the caller's
 * callback line by line, so a query of millions of events holds one line
 * at a time. Events come ordered by time, then by insertion number (`ins`),
 * exactly as SQLite's rowid orders them: `query` and `scope` answer
 * identically on both backends. Filter values reach the SQL only through
 * cf_ch_quote(). This file never prints.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/db.h"
#include "casefile/error.h"
#include "casefile/patient.h"
#include "casefile/time.h"
#include "db_clickhouse_int.h"

static const char event_cols[] =
	"ts_us, ts_desc, source, host, actor, actor_role, action, outcome,"
	" patient, resource, src_ip, model, model_version, decision, score,"
	" message, attrs, archive, member, line, `offset`, ins";

/* ---- reading ------------------------------------------------------------ */

struct event_reader {
	cf_db_event_fn fn;
	void *arg;
	struct cf_ctx *ctx;
	int bad;
};

static int read_event_line(void *arg, char *line)
{
	struct event_reader *r = arg;
	char *f[22];
	struct cf_event e = {0};
	char *score;

	if (cf_ch_tsv_split(line, f, 22) != 22) {
		r->bad = 1;
		return CF_FAILED;
	}
	for (int i = 0; i < 21; i++)
		if (i != 0 && i != 14 && i != 19 && i != 20)
			f[i] = cf_ch_tsv_unescape(f[i]);
	e.ts_us = strtoll(f[0], NULL, 10);
	e.ts_desc = f[1];
	e.source = f[2];
	e.host = f[3];
	e.actor = f[4];
	e.actor_role = f[5];
	e.action = f[6];
	e.outcome = f[7];
	e.patient = f[8];
	e.resource = f[9];
	e.src_ip = f[10];
	e.model = f[11];
	e.model_version = f[12];
	e.decision = f[13];
	score = cf_ch_tsv_unescape(f[14]);
	e.has_score = score != NULL;
	e.score = score ? strtod(score, NULL) : 0;
	e.message = f[15];
	e.attrs = f[16];
	e.archive = f[17];
	e.member = f[18];
	e.line = strtoull(f[19], NULL, 10);
	e.offset = strtoull(f[20], NULL, 10);
	e.id = strtoll(f[21], NULL, 10);
	return r->fn(r->arg, &e);
}

/* The WHERE clause of a filter (the same as SQLite's filter_where() in
 * src/db_sqlite.c), values quoted by cf_ch_quote(). Returns the word that
 * continues it: " WHERE" when the filter selects everything, else " AND";
 * a failure stays on q. */
static const char *ch_where(struct cf_buf *q, const struct cf_db_filter *f)
{
	const char *w = " WHERE";
	struct {
		const char *col, *val;
	} eq[] = {{"patient", f->patient}, {"actor", f->actor},
		  {"model", f->model},     {"model_version", f->model_version},
		  {"action", f->action},   {"source", f->source},
		  {"host", f->host},       {"outcome", f->outcome},
		  {"src_ip", f->src_ip}};

	for (size_t i = 0; i < sizeof eq / sizeof eq[0]; i++) {
		if (!eq[i].val)
			continue;
		cf_buf_printf(q, "%s %s = ", w, eq[i].col);
		cf_ch_quote(q, eq[i].val);
		w = " AND";
	}
	if (f->has_from) {
		cf_buf_printf(q, "%s ts_us >= %" PRId64, w, f->from_us);
		w = " AND";
	}
	if (f->has_to) {
		cf_buf_printf(q, "%s ts_us <= %" PRId64, w, f->to_us);
		w = " AND";
	}
	if (f->text) {
		/* ASCII case folding, as SQLite's lower() */
		cf_buf_printf(q, "%s positionCaseInsensitive(message, ", w);
		cf_ch_quote(q, f->text);
		cf_buf_puts(q, ") > 0");
		w = " AND";
	}
	if (f->has_id) {
		cf_buf_printf(q, "%s ins = %" PRId64, w, f->id);
		w = " AND";
	}
	return w;
}

/* The query time limit, then the output format. */
static void ch_tail(struct cf_buf *q, const struct cf_db_filter *f)
{
	if (f->timeout_ms)
		cf_buf_printf(q, " SETTINGS max_execution_time = %u.%03u",
			      f->timeout_ms / 1000, f->timeout_ms % 1000);
	cf_buf_puts(q, " FORMAT TabSeparated");
}

/* Posts the SELECT in q to the node we talk to and hands each line of the
 * answer to line(arg, line). A query that could not be built is no memory;
 * a CF_FAILED after the line callback set *bad says "<base>: malformed
 * <what> row from ClickHouse". CF_OK, the callback's non-zero value, or
 * CF_FAILED/CF_FATAL on ctx. */
static int ch_select(struct ch_conn *c, struct cf_ctx *ctx,
		     const struct cf_buf *q, int (*line)(void *, char *),
		     void *arg, const int *bad, const char *what)
{
	struct sink s = {.line = line, .arg = arg};
	int rc;

	if (q->err)
		return cf_set_nomem(ctx, "ClickHouse query");
	cf_buf_init(&s.buf);
	rc = cf_ch_post(c, ctx, c->base, NULL, q->data, q->len, &s);
	if (rc == CF_FAILED && *bad)
		cf_set_error(ctx, 0, "%s: malformed %s row from ClickHouse",
			     c->base, what);
	cf_buf_release(&s.buf);
	return rc;
}

int cf_ch_query(cf_db *db, struct cf_ctx *ctx, const struct cf_db_filter *f,
		cf_db_event_fn fn, void *arg)
{
	struct ch_conn *c = conn(db);
	struct event_reader r = {fn, arg, ctx, 0};
	struct cf_buf q;
	int rc, t;

	cf_buf_init(&q);
	if ((t = cf_ch_events_table(c, ctx, f)) < 0)
		return CF_FAILED;
	cf_buf_printf(&q, "SELECT %s FROM ", event_cols);
	cf_ch_table_ref(c, &q, t, 0);
	ch_where(&q, f);
	cf_buf_puts(&q, " ORDER BY ts_us, ins");
	if (f->limit || f->offset)
		cf_buf_printf(&q, " LIMIT %" PRIu64 " OFFSET %" PRIu64,
			      f->limit && f->limit <= INT64_MAX ? f->limit :
								 (uint64_t)INT64_MAX,
			      f->offset);
	ch_tail(&q, f);
	rc = ch_select(c, ctx, &q, read_event_line, &r, &r.bad, "event");
	cf_buf_release(&q);
	return rc;
}

/* Rows of numbers: the span's one row, or the histogram's buckets. */
struct num_reader {
	int64_t *span;          /* count, first, last */
	int64_t *counts;        /* buckets */
	size_t n;
	int bad;
};

static int read_num_line(void *arg, char *line)
{
	struct num_reader *r = arg;
	char *f[3];
	int64_t b;

	if (r->span) {
		if (cf_ch_tsv_split(line, f, 3) != 3)
			return r->bad = 1, CF_FAILED;
		for (int i = 0; i < 3; i++)
			r->span[i] = strtoll(f[i], NULL, 10);
		return 0;
	}
	if (cf_ch_tsv_split(line, f, 2) != 2)
		return r->bad = 1, CF_FAILED;
	b = strtoll(f[0], NULL, 10);
	if (b >= 0 && (uint64_t)b < r->n)
		r->counts[b] = strtoll(f[1], NULL, 10);
	return 0;
}

static int ch_numbers(struct ch_conn *c, struct cf_ctx *ctx, struct cf_buf *q,
		      struct num_reader *r)
{
	return ch_select(c, ctx, q, read_num_line, r, &r->bad, "count");
}

int cf_ch_span(cf_db *db, struct cf_ctx *ctx, const struct cf_db_filter *f,
	       int64_t *count, int64_t *first_us, int64_t *last_us)
{
	struct ch_conn *c = conn(db);
	int64_t v[3] = {0, 0, 0};
	struct num_reader r = {.span = v};
	struct cf_buf q;
	int rc, t;

	cf_buf_init(&q);
	if ((t = cf_ch_events_table(c, ctx, f)) < 0)
		return CF_FAILED;
	cf_buf_puts(&q, "SELECT count(), min(ts_us), max(ts_us) FROM ");
	cf_ch_table_ref(c, &q, t, 0);
	ch_where(&q, f);
	ch_tail(&q, f);
	rc = ch_numbers(c, ctx, &q, &r);
	cf_buf_release(&q);
	if (count)
		*count = v[0];
	*first_us = v[0] ? v[1] : 0;
	*last_us = v[0] ? v[2] : 0;
	return rc;
}

int cf_ch_histogram(cf_db *db, struct cf_ctx *ctx, const struct cf_db_filter *f,
		    int64_t start_us, int64_t width_us, size_t n,
		    int64_t *counts)
{
	struct ch_conn *c = conn(db);
	struct num_reader r = {.counts = counts, .n = n};
	struct cf_buf q;
	int64_t end_us;
	const char *w;
	int rc, t;

	if (n > INT64_MAX || __builtin_mul_overflow((int64_t)n, width_us, &end_us) ||
	    __builtin_add_overflow(end_us, start_us, &end_us))
		end_us = INT64_MAX;
	if ((t = cf_ch_events_table(c, ctx, f)) < 0)
		return CF_FAILED;
	cf_buf_init(&q);
	cf_buf_printf(&q, "SELECT intDiv(ts_us - (%" PRId64 "), %" PRId64
		      ") AS b, count() FROM ", start_us, width_us);
	cf_ch_table_ref(c, &q, t, 0);
	w = ch_where(&q, f);
	cf_buf_printf(&q, "%s ts_us >= %" PRId64 " AND ts_us < %" PRId64
		      " GROUP BY b", w, start_us, end_us);
	ch_tail(&q, f);
	rc = ch_numbers(c, ctx, &q, &r);
	cf_buf_release(&q);
	return rc;
}

/* Folds the rows of one patient id as SQLite's upsert does: the first row's
 * evidence, the first non-null state and birth date, a contact, reach,
 * death or next of kin if any row has it (casefile/patient.h). */
struct patient_reader {
	cf_db_patient_fn fn;
	void *arg;
	char *id, *state, *archive, *member, *birth;
	uint64_t line;
	int has_contact, reach, deceased, kin, have, bad, nomem;
};

static void patient_clear(struct patient_reader *r)
{
	free(r->id);
	free(r->state);
	free(r->archive);
	free(r->member);
	free(r->birth);
	r->id = r->state = r->archive = r->member = r->birth = NULL;
	r->have = 0;
}

static int patient_emit(struct patient_reader *r)
{
	struct cf_patient p = {r->id, r->state,
			       cf_patient_from_cols(r->has_contact, r->reach,
						    r->deceased, r->kin, r->birth),
			       r->archive, r->member, r->line};
	int rc = r->have ? r->fn(r->arg, &p) : 0;

	patient_clear(r);
	return rc;
}

static int read_patient_line(void *arg, char *line)
{
	struct patient_reader *r = arg;
	char *f[10];
	int rc;

	if (cf_ch_tsv_split(line, f, 10) != 10) {
		r->bad = 1;
		return CF_FAILED;
	}
	for (int i = 0; i < 10; i++)
		if (i != 5)
			f[i] = cf_ch_tsv_unescape(f[i]);
	if (!f[0])
		return 0;
	if (r->have && strcmp(r->id, f[0]) && (rc = patient_emit(r)) != 0)
		return rc;
	if (!r->have) {
		r->id = dup_or_null(f[0], &r->nomem);
		r->archive = dup_or_null(f[3], &r->nomem);
		r->member = dup_or_null(f[4], &r->nomem);
		r->line = strtoull(f[5], NULL, 10);
		r->has_contact = 0;
		r->reach = r->deceased = r->kin = -1;
		r->have = 1;
	}
	if (!r->state && f[1])
		r->state = dup_or_null(f[1], &r->nomem);
	if (!r->birth && f[9])
		r->birth = dup_or_null(f[9], &r->nomem);
	/* has_contact: 0/1, or the packed facts of an older casefile's row */
	r->has_contact |= f[2] ? atoi(f[2]) : 0;
	if (f[6])
		r->reach = (r->reach < 0 ? 0 : r->reach) | atoi(f[6]);
	if (f[7])
		r->deceased = r->deceased > 0 || atoi(f[7]) > 0;
	if (f[8])
		r->kin = r->kin > 0 || atoi(f[8]) > 0;
	return r->nomem ? CF_FATAL : 0;
}

int cf_ch_patients(cf_db *db, struct cf_ctx *ctx, cf_db_patient_fn fn,
		   void *arg)
{
	struct ch_conn *c = conn(db);
	struct patient_reader r = {.fn = fn, .arg = arg};
	struct cf_buf q;
	int rc, facts = 0;

	/* a store created before the facts columns reads them as unknown */
	if ((rc = cf_ch_has_patient_facts(c, ctx, c->base, 0, &facts)) != CF_OK)
		return rc;
	cf_buf_init(&q);
	cf_buf_puts(&q, "SELECT id, state, has_contact, archive, member, line, ");
	cf_buf_puts(&q, facts ? "reach, deceased, next_of_kin, birth_date FROM " :
				"NULL, NULL, NULL, NULL FROM ");
	cf_ch_table_ref(c, &q, T_PATIENTS, 0);
	cf_buf_puts(&q, " ORDER BY id, ins FORMAT TabSeparated");
	/* a malformed row stops the answer with CF_FAILED: said there */
	rc = ch_select(c, ctx, &q, read_patient_line, &r, &r.bad, "patient");
	if (rc == CF_OK)
		rc = patient_emit(&r);
	if (r.nomem)
		rc = cf_set_nomem(ctx, "reading patients");
	patient_clear(&r);
	cf_buf_release(&q);
	return rc;
}

/* The rows of an answer that become records one by one (archives,
 * findings): each row split into its nf fields, made a record by row and
 * handed to the caller's callback of that kind. A row with another number
 * of fields stops the answer (bad). */
struct row_reader {
	size_t nf;
	int (*row)(struct row_reader *r, char **f);
	void *arg;
	cf_db_archive_fn archive;
	cf_db_finding_fn finding;
	int bad;
};

#define ROW_FIELDS_MAX 9

static int read_row_line(void *arg, char *line)
{
	struct row_reader *r = arg;
	char *f[ROW_FIELDS_MAX];

	assert(r->nf <= ROW_FIELDS_MAX);
	if (cf_ch_tsv_split(line, f, r->nf) != r->nf) {
		r->bad = 1;
		return CF_FAILED;
	}
	return r->row(r, f);
}

static int archive_row(struct row_reader *r, char **f)
{
	struct cf_db_archive a = {
		.sha256sums = cf_ch_tsv_unescape(f[0]),
		.path = cf_ch_tsv_unescape(f[1]),
		.signer = cf_ch_tsv_unescape(f[2]),
		.verified = atoi(f[3]) != 0,
		.sequence = strtoll(f[4], NULL, 10),
		.host = cf_ch_tsv_unescape(f[5]),
		.built_at = strtoll(f[6], NULL, 10),
	};

	return a.sha256sums ? r->archive(r->arg, &a) : 0;
}

/* The same query as SQLite's sq_archives(). */
int cf_ch_archives(cf_db *db, struct cf_ctx *ctx, cf_db_archive_fn fn,
		   void *arg)
{
	struct ch_conn *c = conn(db);
	struct row_reader r = {.nf = 7, .row = archive_row, .arg = arg,
			       .archive = fn};
	struct cf_buf q;
	int rc;

	cf_buf_init(&q);
	cf_buf_puts(&q, "SELECT sha256sums, path, signer, verified, sequence,"
			" host, built_at FROM ");
	cf_ch_table_ref(c, &q, T_ARCHIVES, 0);
	cf_buf_puts(&q, " ORDER BY sha256sums FORMAT TabSeparated");
	rc = ch_select(c, ctx, &q, read_row_line, &r, &r.bad, "archive");
	cf_buf_release(&q);
	return rc;
}

static int count_table(struct ch_conn *c, struct cf_ctx *ctx, int t, int64_t *n)
{
	uint64_t v = 0;
	int rc = cf_ch_table_u64(c, ctx, "count()", t, &v);

	*n = (int64_t)v;
	return rc;
}

int cf_ch_counts(cf_db *db, struct cf_ctx *ctx, int64_t *events,
		 int64_t *rejects)
{
	if (count_table(conn(db), ctx, T_EVENTS, events) != CF_OK ||
	    count_table(conn(db), ctx, T_REJECTS, rejects) != CF_OK)
		return CF_FAILED;
	return CF_OK;
}

/* ---- findings --------------------------------------------------------------- */

static int finding_row(struct row_reader *r, char **f)
{
	struct cf_finding x = {
		.detected_at = strtoll(f[0], NULL, 10),
		.rule_id = cf_ch_tsv_unescape(f[1]),
		.title = cf_ch_tsv_unescape(f[2]),
		.level = cf_ch_tsv_unescape(f[3]),
		.group_key = cf_ch_tsv_unescape(f[4]),
		.count = strtoll(f[5], NULL, 10),
		.first_us = strtoll(f[6], NULL, 10),
		.last_us = strtoll(f[7], NULL, 10),
		.events = cf_ch_tsv_unescape(f[8]),
	};

	return x.rule_id ? r->finding(r->arg, &x) : 0;
}

/* The same query as SQLite's sq_findings(): the latest run of each rule,
 * its findings only, by rule id, first event, then insertion. GLOBAL IN:
 * on a cluster both sides are Distributed tables. A store without the
 * table (built before findings existed, never written since) has none. */
int cf_ch_findings(cf_db *db, struct cf_ctx *ctx, cf_db_finding_fn fn,
		   void *arg)
{
	struct ch_conn *c = conn(db);
	struct row_reader r = {.nf = 9, .row = finding_row, .arg = arg,
			       .finding = fn};
	struct cf_buf q;
	uint64_t n = 0;
	int rc;

	cf_buf_init(&q);
	cf_buf_puts(&q, "SELECT count() FROM system.tables WHERE database = ");
	cf_ch_quote(&q, c->dbname);
	cf_buf_puts(&q, " AND name = 'findings'");
	rc = q.err ? cf_set_nomem(ctx, "ClickHouse query") :
		     cf_ch_u64(c, ctx, q.data, &n);
	if (rc == CF_OK && n) {
		cf_buf_reset(&q);
		cf_buf_puts(&q, "SELECT detected_at, rule_id, title, level,"
				" group_key, count, first_us, last_us, events FROM ");
		cf_ch_table_ref(c, &q, T_FINDINGS, 0);
		cf_buf_puts(&q, " WHERE count > 0 AND (rule_id, detected_at)"
				" GLOBAL IN (SELECT rule_id, max(detected_at) FROM ");
		cf_ch_table_ref(c, &q, T_FINDINGS, 0);
		cf_buf_puts(&q, " GROUP BY rule_id) ORDER BY rule_id, first_us, ins"
				" FORMAT TabSeparated");
		rc = ch_select(c, ctx, &q, read_row_line, &r, &r.bad, "finding");
	}
	cf_buf_release(&q);
	return rc;
}
