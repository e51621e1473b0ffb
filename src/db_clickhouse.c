/* SPDX-License-Identifier: Apache-2.0
 *
 * The timeline store on ClickHouse, over its HTTP interface with libcurl.
 *
 * For fleet-scale incidents (hundreds of hosts, billions of events) the same
 * four tables as the SQLite store (events, rejects, patients, archives) live
 * in a ClickHouse database; with `?cluster=NAME` each is a MergeTree table
 * `<t>_local` on every shard behind a Distributed table `<t>` that spreads
 * inserted rows over the shards (insert_distributed_sync, so a build that
 * returns has its rows on the shards). Talking to the server (URI, HTTP,
 * escaping, schema) is src/db_clickhouse_http.c, the read operations
 * src/db_clickhouse_read.c; this file opens and closes the store, writes
 * and links lineage. Every literal goes through cf_ch_quote() and every
 * row through cf_ch_tsv_field(); nothing from the evidence is ever pasted
 * into SQL unescaped.
 *
 * Rows are sent in TabSeparated batches of a few MiB. ClickHouse has no
 * transactions: an archive's rows are flushed at commit with its `archives`
 * row last, and a build that died half-way is detected by has_archive()
 * (rows of the archive but no archive row), which deletes the partial rows
 * before the archive is built again, so re-ingesting never doubles events.
 * Every row carries an insertion number `ins`, so that ties in time come out
 * in insertion order exactly as SQLite's rowid gives them: `query` and
 * `scope` answer identically on both backends. This file never prints.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "casefile/alloc.h"
#include "casefile/array.h"
#include "casefile/buf.h"
#include "casefile/db.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/patient.h"
#include "casefile/time.h"
#include "db_clickhouse_int.h"

#define BATCH_BYTES (4u << 20)   /* flush a table's rows past this */
#define MUTATION_WAIT_S 120

/* ---- writing ------------------------------------------------------------ */

static int flush_table(struct ch_conn *c, struct cf_ctx *ctx, int t)
{
	static const char *const cols[T_N] = {
		/* parenthesised: one string each, not two elements */
		[T_EVENTS] = ("ins, ts_us, ts_desc, source, host, actor, actor_role,"
			      " action, outcome, patient, resource, src_ip, model,"
			      " model_version, decision, score, message, attrs, archive,"
			      " member, line, `offset`"),
		[T_REJECTS] = "ins, archive, member, line, `offset`, reason",
		[T_PATIENTS] = ("ins, id, state, has_contact, archive, member, line,"
				" reach, deceased, next_of_kin, birth_date"),
		[T_ARCHIVES] = "sha256sums, path, signer, verified, sequence, host, built_at",
		[T_FINDINGS] = ("ins, detected_at, rule_id, title, level, group_key,"
				" count, first_us, last_us, events"),
	};
	struct cf_buf q;
	struct sink s = {.line = NULL};
	int rc;

	if (!c->rows[t].len)
		return CF_OK;
	cf_buf_init(&q);
	cf_buf_init(&s.buf);
	s.buf.limit = ERRBODY_MAX * 16;
	if (cf_buf_puts(&q, "INSERT INTO ") || cf_ch_table_ref(c, &q, t, 0) ||
	    cf_buf_printf(&q, " (%s) FORMAT TabSeparated", cols[t])) {
		cf_buf_release(&q);
		return cf_set_nomem(ctx, "ClickHouse insert");
	}
	rc = cf_ch_post(c, ctx, c->base, q.data, c->rows[t].data, c->rows[t].len, &s);
	cf_buf_reset(&c->rows[t]);
	cf_buf_release(&q);
	cf_buf_release(&s.buf);
	return rc;
}

static int maybe_flush(struct ch_conn *c, struct cf_ctx *ctx, int t)
{
	return c->rows[t].len >= BATCH_BYTES ? flush_table(c, ctx, t) : CF_OK;
}

static int ch_event(cf_db *db, struct cf_ctx *ctx, const struct cf_event *e)
{
	struct ch_conn *c = conn(db);
	struct cf_buf *b = &c->rows[T_EVENTS];
	const char *txt[] = {e->ts_desc, e->source ? e->source : "", e->host,
			     e->actor, e->actor_role, e->action, e->outcome,
			     e->patient, e->resource, e->src_ip, e->model,
			     e->model_version, e->decision};
	int bad = cf_ch_tsv_u64(b, c->ins++, 0) || cf_ch_tsv_i64(b, e->ts_us, 0);

	for (size_t k = 0; k < sizeof txt / sizeof txt[0] && !bad; k++)
		bad = cf_ch_tsv_field(b, txt[k], 0);
	if (!bad)
		bad = e->has_score ? cf_buf_printf(b, "%.17g\t", e->score)
				   : cf_buf_puts(b, "\\N\t");
	if (bad || cf_ch_tsv_field(b, e->message, 0) || cf_ch_tsv_field(b, e->attrs, 0) ||
	    cf_ch_tsv_field(b, e->archive ? e->archive : "", 0) ||
	    cf_ch_tsv_field(b, e->member ? e->member : "", 0) ||
	    cf_ch_tsv_u64(b, e->line, 0) || cf_ch_tsv_u64(b, e->offset, 1))
		return cf_set_nomem(ctx, "ClickHouse rows");
	return maybe_flush(c, ctx, T_EVENTS);
}

static int ch_reject(cf_db *db, struct cf_ctx *ctx, const struct cf_reject *r)
{
	struct ch_conn *c = conn(db);
	struct cf_buf *b = &c->rows[T_REJECTS];

	if (cf_ch_tsv_u64(b, c->ins++, 0) || cf_ch_tsv_field(b, r->archive ? r->archive : "", 0) ||
	    cf_ch_tsv_field(b, r->member ? r->member : "", 0) || cf_ch_tsv_u64(b, r->line, 0) ||
	    cf_ch_tsv_u64(b, r->offset, 0) ||
	    cf_ch_tsv_field(b, r->reason ? r->reason : "unparsed", 1))
		return cf_set_nomem(ctx, "ClickHouse rows");
	return maybe_flush(c, ctx, T_REJECTS);
}

static int ch_patient(cf_db *db, struct cf_ctx *ctx, const struct cf_patient *p)
{
	struct ch_conn *c = conn(db);
	struct cf_buf *b = &c->rows[T_PATIENTS];
	struct cf_patient_cols f;

	cf_patient_to_cols(p->has_contact, &f);
	if (cf_ch_tsv_u64(b, c->ins++, 0) || cf_ch_tsv_field(b, p->id ? p->id : "", 0) ||
	    cf_ch_tsv_field(b, p->state, 0) || cf_ch_tsv_u64(b, (uint64_t)f.has_contact, 0) ||
	    cf_ch_tsv_field(b, p->archive, 0) || cf_ch_tsv_field(b, p->member, 0) ||
	    cf_ch_tsv_u64(b, p->line, 0) || cf_ch_tsv_u64(b, (uint64_t)f.reach, 0) ||
	    cf_ch_tsv_u64(b, (uint64_t)f.deceased, 0) ||
	    cf_ch_tsv_u64(b, (uint64_t)f.next_of_kin, 0) ||
	    cf_ch_tsv_field(b, f.birth_date[0] ? f.birth_date : NULL, 1))
		return cf_set_nomem(ctx, "ClickHouse rows");
	return maybe_flush(c, ctx, T_PATIENTS);
}

static int ch_archive(cf_db *db, struct cf_ctx *ctx, const struct cf_db_archive *a)
{
	struct cf_buf *b = &conn(db)->rows[T_ARCHIVES];

	if (cf_ch_tsv_field(b, a->sha256sums ? a->sha256sums : "", 0) ||
	    cf_ch_tsv_field(b, a->path, 0) || cf_ch_tsv_field(b, a->signer, 0) ||
	    cf_ch_tsv_u64(b, a->verified ? 1 : 0, 0) || cf_ch_tsv_i64(b, a->sequence, 0) ||
	    cf_ch_tsv_field(b, a->host, 0) || cf_ch_tsv_i64(b, a->built_at, 1))
		return cf_set_nomem(ctx, "ClickHouse rows");
	return CF_OK;
}

/* A finding waits with the others of its run; ch_close() sends them, so
 * that a run abandoned half-way (ch_abandon) stores nothing, as SQLite's
 * transaction does. */
static int ch_finding(cf_db *db, struct cf_ctx *ctx, const struct cf_finding *f)
{
	struct ch_conn *c = conn(db);
	struct cf_buf *b = &c->rows[T_FINDINGS];

	if (!c->writable)
		return cf_set_error(ctx, 0, "%s: opened read-only", c->location);
	if (cf_ch_tsv_u64(b, c->ins++, 0) || cf_ch_tsv_i64(b, f->detected_at, 0) ||
	    cf_ch_tsv_field(b, f->rule_id ? f->rule_id : "", 0) ||
	    cf_ch_tsv_field(b, f->title, 0) || cf_ch_tsv_field(b, f->level, 0) ||
	    cf_ch_tsv_field(b, f->group_key, 0) || cf_ch_tsv_i64(b, f->count, 0) ||
	    cf_ch_tsv_i64(b, f->first_us, 0) || cf_ch_tsv_i64(b, f->last_us, 0) ||
	    cf_ch_tsv_field(b, f->events, 1))
		return cf_set_nomem(ctx, "ClickHouse rows");
	return CF_OK;
}

static int ch_begin(cf_db *db, struct cf_ctx *ctx)
{
	(void)ctx;
	for (int t = 0; t < T_N; t++)
		cf_buf_reset(&conn(db)->rows[t]);
	return CF_OK;
}

/* The archives row goes last: it is what says the archive is complete. */
static int ch_commit(cf_db *db, struct cf_ctx *ctx)
{
	for (int t = 0; t < T_N; t++)
		if (flush_table(conn(db), ctx, t) != CF_OK)
			return CF_FAILED;
	return CF_OK;
}

static void ch_rollback(cf_db *db)
{
	/* Rows already sent stay until has_archive() removes them on the
	 * next build: there is no archive row to make them count. */
	for (int t = 0; t < T_N; t++)
		cf_buf_reset(&conn(db)->rows[t]);
}

/* Waits until every shard has applied its pending mutations (ALTER ...
 * DELETE/UPDATE run in the background in ClickHouse). */
static int wait_mutations(struct ch_conn *c, struct cf_ctx *ctx)
{
	struct cf_buf q;
	uint64_t pending = 1;
	int rc = CF_OK;
	time_t until = time(NULL) + MUTATION_WAIT_S;

	cf_buf_init(&q);
	while (rc == CF_OK && pending) {
		struct timespec ts = {0, 100 * 1000 * 1000};
		cf_buf_reset(&q);
		if (cf_buf_puts(&q, "SELECT count() FROM system.mutations WHERE"
				    " is_done = 0 AND database = ") ||
		    cf_ch_quote(&q, c->dbname)) {
			rc = cf_set_nomem(ctx, "ClickHouse delete");
			break;
		}
		/* On a cluster every shard applies its own mutations. */
		pending = 0;
		for (size_t i = 0; i < (c->nshards ? c->nshards : 1) && rc == CF_OK; i++) {
			struct cf_buf out;
			rc = cf_ch_exec(c, ctx, c->nshards ? c->shards[i] : c->base,
					q.data, &out);
			if (rc == CF_OK)
				pending += strtoull(out.data ? out.data : "0", NULL, 10);
			if (rc == CF_OK)
				cf_buf_release(&out);
		}
		if (pending && time(NULL) > until)
			rc = cf_set_error(ctx, 0, "%s: waiting for its "
					  "mutations took too long", c->base);
		else if (pending)
			nanosleep(&ts, NULL);
	}
	cf_buf_release(&q);
	return rc;
}

/* Deletes the rows of an archive whose build did not finish, and waits for
 * the mutations to be done (ClickHouse applies them in the background). */
static int purge_partial(struct ch_conn *c, struct cf_ctx *ctx, const char *digest)
{
	struct cf_buf q;
	int rc = CF_OK;

	cf_buf_init(&q);
	for (int t = 0; t < T_ARCHIVES && rc == CF_OK; t++) {
		cf_buf_reset(&q);
		if (cf_buf_puts(&q, "ALTER TABLE ") || cf_ch_table_ref(c, &q, t, 1) ||
		    (c->cluster && !c->nshards &&
		     cf_buf_printf(&q, " ON CLUSTER %s", c->cluster)) ||
		    cf_buf_puts(&q, " DELETE WHERE archive = ") ||
		    cf_ch_quote(&q, digest)) {
			rc = cf_set_nomem(ctx, "ClickHouse delete");
			break;
		}
		rc = t == T_EVENTS ? cf_ch_events_ddl(c, ctx, q.data) :
					 cf_ch_ddl(c, ctx, q.data);
	}
	if (rc == CF_OK)
		rc = wait_mutations(c, ctx);
	cf_buf_release(&q);
	return rc;
}

static int ch_has_archive(cf_db *db, struct cf_ctx *ctx, const char *digest)
{
	struct ch_conn *c = conn(db);
	struct cf_buf q;
	uint64_t n = 0, partial = 0;
	int rc;

	cf_buf_init(&q);
	if (cf_buf_puts(&q, "SELECT count() FROM ") ||
	    cf_ch_table_ref(c, &q, T_ARCHIVES, 0) ||
	    cf_buf_puts(&q, " WHERE sha256sums = ") || cf_ch_quote(&q, digest)) {
		cf_buf_release(&q);
		return cf_set_nomem(ctx, "ClickHouse query");
	}
	rc = cf_ch_u64(c, ctx, q.data, &n);
	if (rc == CF_OK && !n && c->writable) {
		/* Not recorded: are there rows of an unfinished build? */
		for (int t = 0; t < T_ARCHIVES && rc == CF_OK && !partial; t++) {
			cf_buf_reset(&q);
			if (cf_buf_puts(&q, "SELECT count() FROM ") ||
			    cf_ch_table_ref(c, &q, t, 0) ||
			    cf_buf_puts(&q, " WHERE archive = ") ||
			    cf_ch_quote(&q, digest)) {
				rc = cf_set_nomem(ctx, "ClickHouse query");
				break;
			}
			rc = cf_ch_u64(c, ctx, q.data, &partial);
		}
		if (rc == CF_OK && partial)
			rc = purge_partial(c, ctx, digest);
	}
	cf_buf_release(&q);
	if (rc != CF_OK)
		return CF_FAILED;
	return n ? 1 : 0;
}

/* ---- lineage ----------------------------------------------------------- */

/* A registry event the decisions are joined to (source "mlflow"). */
struct lin {
	char *model, *version, *run;
	char *stage;     /* the stage reached (stage-changed), else NULL */
	int64_t ts_us;
	int production;  /* 1: stage changed to Production */
	int is_stage;    /* 1: stage-changed; 0: version created */
};

struct lin_set {
	struct lin *v;
	size_t n, cap;
	int nomem;
};

static int collect_lineage(void *arg, const struct cf_event *e)
{
	struct lin_set *ls = arg;
	struct lin *l;
	int prod;

	if (!e->model || !e->action)
		return 0;
	prod = !strcmp(e->action, "stage-changed") && e->decision &&
	       !strcmp(e->decision, "Production");
	if (strcmp(e->action, "stage-changed") && strcmp(e->action, "version-created"))
		return 0;
	if (!(l = cf_array_add(ls->v, &ls->cap, ls->n, sizeof *l, 32)))
		goto nomem;
	ls->v = l;
	l += ls->n;
	l->ts_us = e->ts_us;
	l->production = prod;
	l->is_stage = !strcmp(e->action, "stage-changed");
	l->stage = l->is_stage ? dup_or_null(e->decision, &ls->nomem) : NULL;
	l->model = dup_or_null(e->model, &ls->nomem);
	l->version = dup_or_null(e->model_version, &ls->nomem);
	if (!l->is_stage && e->attrs) {
		cJSON *a = cJSON_Parse(e->attrs);
		l->run = dup_or_null(cf_json_str(a, "run_id", NULL), &ls->nomem);
		cJSON_Delete(a);
	}
	ls->n++;
	return ls->nomem ? CF_FATAL : 0;
nomem:
	ls->nomem = 1;
	return CF_FATAL;
}

static void lin_free(struct lin_set *ls)
{
	for (size_t i = 0; i < ls->n; i++) {
		free(ls->v[i].model);
		free(ls->v[i].version);
		free(ls->v[i].run);
		free(ls->v[i].stage);
	}
	free(ls->v);
}

/* SET attrs = attrs with the members of `members` (a JSON object's text)
 * appended, as SQLite's json_set(coalesce(attrs, '{}'), ...) does for keys
 * that are not there yet. */
static int append_attrs(struct cf_buf *q, const cJSON *members)
{
	char *text = cJSON_PrintUnformatted(members);
	size_t n;
	int r;

	if (!text)
		return -1;
	n = strlen(text);
	text[n - 1] = '\0'; /* drop the closing brace, then the opening one */
	r = cf_buf_puts(q, "attrs = concat(if(isNull(attrs) OR assumeNotNull(attrs)"
			   " = '{}', '{', concat(substring(assumeNotNull(attrs), 1,"
			   " length(assumeNotNull(attrs)) - 1), ',')), ") ||
	    cf_ch_quote(q, text + 1) || cf_buf_puts(q, ", '}')");
	cJSON_free(text);
	return r;
}

/* One ALTER TABLE events(_local) UPDATE ... on every node that holds data.
 * The condition must never be NULL: ClickHouse 18.16 applies an update as
 * if(cond, new, old) and a NULL cond (a comparison with a NULL column) then
 * yields NULL, wiping the column in rows the WHERE did not select. Hence
 * ifNull(column, '') in every comparison. */
static int lin_update(struct ch_conn *c, struct cf_ctx *ctx, const struct lin *l,
		      const struct lin *next)
{
	struct cf_buf q;
	struct cf_jb jb;
	cJSON *m = cf_jb_init(&jb);
	int rc;

	/* Both the query and the attributes keep their first failure: the
	 * appends are written plainly and checked once, before the DDL. */
	cf_buf_init(&q);
	cf_buf_puts(&q, "ALTER TABLE ");
	cf_ch_table_ref(c, &q, T_EVENTS, 1);
	if (c->cluster && !c->nshards)
		cf_buf_printf(&q, " ON CLUSTER %s", c->cluster);
	cf_buf_puts(&q, " UPDATE ");
	if (l->production) {
		cf_jb_bool(&jb, m, "model_version_inferred", 1);
		cf_buf_puts(&q, "model_version = ");
		cf_ch_quote(&q, l->version);
		cf_buf_puts(&q, ", ");
		if (jb.err || append_attrs(&q, m))
			goto nomem;
		cf_buf_puts(&q, " WHERE source = 'model-decision' AND"
			   " isNull(model_version) AND ifNull(model, '') = ");
		cf_ch_quote(&q, l->model);
		cf_buf_printf(&q, " AND ts_us >= %" PRId64, l->ts_us);
		if (next)
			cf_buf_printf(&q, " AND ts_us < %" PRId64, next->ts_us);
	} else {
		char t[CF_TIME_STR];
		cf_time_format(l->ts_us, t);
		/* SQLite's strftime('%Y-%m-%dT%H:%M:%fZ'): milliseconds. */
		memcpy(t + 23, "Z", 2);
		cf_jb_str(&jb, m, "model_run", l->run);
		cf_jb_str(&jb, m, "model_version_created", t);
		if (jb.err || append_attrs(&q, m))
			goto nomem;
		cf_buf_puts(&q, " WHERE source = 'model-decision' AND"
			   " ifNull(model, '') = ");
		cf_ch_quote(&q, l->model);
		cf_buf_puts(&q, " AND ifNull(model_version, '') = ");
		cf_ch_quote(&q, l->version);
		cf_buf_puts(&q, " AND (isNull(attrs) OR position(assumeNotNull(attrs),"
			   " '\"model_run\":') = 0)");
	}
	if (cf_buf_error(&q))
		goto nomem;
	rc = cf_ch_events_ddl(c, ctx, q.data);
	cJSON_Delete(m);
	cf_buf_release(&q);
	return rc;
nomem:
	cJSON_Delete(m);
	cf_buf_release(&q);
	return cf_set_nomem(ctx, "ClickHouse lineage");
}

static int lin_cmp(const void *a, const void *b)
{
	const struct lin *x = a, *y = b;
	int c = strcmp(x->model, y->model);

	if (c)
		return c;
	if (x->ts_us != y->ts_us)
		return x->ts_us < y->ts_us ? -1 : 1;
	/* ties: a stable order (the greatest stage last, as SQLite's
	 * ORDER BY ts_us DESC, decision DESC picks it) */
	if ((c = x->is_stage - y->is_stage))
		return c;
	if ((c = strcmp(x->stage ? x->stage : "", y->stage ? y->stage : "")))
		return c;
	return strcmp(x->version ? x->version : "", y->version ? y->version : "");
}

/* Decisions of (model, version) in [from, to) (INT64_MIN/INT64_MAX: open)
 * not yet given a stage get model_stage = stage, or Production labelled
 * inferred when stage is NULL (the SQLite store's STAGE_AT). */
static int stage_update(struct ch_conn *c, struct cf_ctx *ctx, const struct lin *v,
			int64_t from, int64_t to, const char *stage)
{
	struct cf_buf q;
	cJSON *m = cJSON_CreateObject();
	int rc;

	cf_buf_init(&q);
	if (!m || cf_json_add_str(m, "model_stage", stage ? stage : "Production") ||
	    (!stage && cf_json_add_bool(m, "model_stage_inferred", 1)) ||
	    cf_buf_puts(&q, "ALTER TABLE ") || cf_ch_table_ref(c, &q, T_EVENTS, 1) ||
	    (c->cluster && !c->nshards &&
	     cf_buf_printf(&q, " ON CLUSTER %s", c->cluster)) ||
	    cf_buf_puts(&q, " UPDATE ") || append_attrs(&q, m) ||
	    cf_buf_puts(&q, " WHERE source = 'model-decision' AND ifNull(model, '') = ") ||
	    cf_ch_quote(&q, v->model) ||
	    cf_buf_puts(&q, " AND ifNull(model_version, '') = ") ||
	    cf_ch_quote(&q, v->version) ||
	    (from != INT64_MIN && cf_buf_printf(&q, " AND ts_us >= %" PRId64, from)) ||
	    (to != INT64_MAX && cf_buf_printf(&q, " AND ts_us < %" PRId64, to)) ||
	    cf_buf_puts(&q, " AND (isNull(attrs) OR position(assumeNotNull(attrs),"
			" '\"model_stage\":') = 0)")) {
		cJSON_Delete(m);
		cf_buf_release(&q);
		return cf_set_nomem(ctx, "ClickHouse lineage");
	}
	rc = cf_ch_events_ddl(c, ctx, q.data);
	cJSON_Delete(m);
	cf_buf_release(&q);
	return rc;
}

/* The stage of each version over time, from its stage-changed events
 * (ls sorted by lin_cmp): before the first, Production inferred; from
 * each recorded time on, the stage recorded (of equal times, the last). */
static int link_stages(struct ch_conn *c, struct cf_ctx *ctx, const struct lin_set *ls)
{
	int rc = CF_OK;

	for (size_t i = 0; i < ls->n && rc == CF_OK; i++) {
		const struct lin *v = &ls->v[i];
		int64_t from = INT64_MIN;
		const char *stage = NULL;
		int seen = 0;
		if (!v->version)
			continue;
		for (size_t j = 0; j < i && !seen; j++) /* each version once */
			seen = ls->v[j].version && !strcmp(ls->v[j].model, v->model) &&
			       !strcmp(ls->v[j].version, v->version);
		if (seen)
			continue;
		for (size_t j = i; j < ls->n && rc == CF_OK; j++) {
			const struct lin *s = &ls->v[j];
			if (!s->is_stage || !s->version || strcmp(s->model, v->model) ||
			    strcmp(s->version, v->version))
				continue;
			if (s->ts_us != from || from == INT64_MIN) {
				if (from == INT64_MIN || s->ts_us != from)
					rc = stage_update(c, ctx, v, from, s->ts_us, stage);
				from = s->ts_us;
			}
			stage = s->stage;
		}
		if (rc == CF_OK)
			rc = stage_update(c, ctx, v, from, INT64_MAX, stage);
	}
	return rc;
}

/* The same join as the SQLite store's link step (src/db.c), expressed as a
 * few mutations: one per Production interval of a model (decisions without
 * a version get the version live at their time), then one per created
 * version (decisions of that version get its run and creation time). */
static int ch_link(cf_db *db, struct cf_ctx *ctx)
{
	struct ch_conn *c = conn(db);
	struct cf_db_filter f = {.source = "mlflow"};
	struct lin_set ls = {0};
	int rc;

	rc = cf_ch_query(db, ctx, &f, collect_lineage, &ls);
	if (ls.nomem)
		rc = cf_set_nomem(ctx, "ClickHouse lineage");
	if (rc != CF_OK || !ls.n)
		goto out;
	/* Production changes per model in time order; stable enough for
	 * the registry's handful of events. */
	qsort(ls.v, ls.n, sizeof *ls.v, lin_cmp);
	for (size_t i = 0; i < ls.n && rc == CF_OK; i++) {
		const struct lin *next = NULL;
		if (!ls.v[i].production || !ls.v[i].version)
			continue;
		for (size_t j = i + 1; j < ls.n && !next; j++)
			if (ls.v[j].production && ls.v[j].version &&
			    !strcmp(ls.v[j].model, ls.v[i].model))
				next = &ls.v[j];
		rc = lin_update(c, ctx, &ls.v[i], next);
	}
	if (rc == CF_OK)
		rc = wait_mutations(c, ctx);
	for (size_t i = 0; i < ls.n && rc == CF_OK; i++) {
		int seen = 0;
		if (ls.v[i].is_stage || !ls.v[i].version)
			continue;
		/* The first version-created event of a version counts. */
		for (size_t j = 0; j < i && !seen; j++)
			seen = !ls.v[j].is_stage && ls.v[j].version &&
			       !strcmp(ls.v[j].model, ls.v[i].model) &&
			       !strcmp(ls.v[j].version, ls.v[i].version);
		if (!seen)
			rc = lin_update(c, ctx, &ls.v[i], NULL);
	}
	if (rc == CF_OK)
		rc = wait_mutations(c, ctx);
	if (rc == CF_OK && (rc = link_stages(c, ctx, &ls)) == CF_OK)
		rc = wait_mutations(c, ctx);
out:
	/* the build's events are in and updated: merge what it left for
	 * patient lookups */
	if (rc == CF_OK)
		rc = cf_ch_merge_by_patient(c, ctx);
	lin_free(&ls);
	return rc;
}

/* ---- open and close ----------------------------------------------------- */

static void conn_free(struct ch_conn *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	cf_strv_free(c->shards, c->nshards);
	for (int t = 0; t < T_N; t++)
		cf_buf_release(&c->rows[t]);
	free(c->base);
	free(c->dbname);
	free(c->cluster);
	free(c->location);
	free(c);
}

static int ch_close(cf_db *db, struct cf_ctx *ctx)
{
	int rc = flush_table(conn(db), ctx, T_FINDINGS);

	conn_free(conn(db));
	return rc;
}

static void ch_abandon(cf_db *db)
{
	conn_free(conn(db));
}

static const struct db_ops clickhouse_ops = {
	.has_archive = ch_has_archive,
	.begin = ch_begin,
	.commit = ch_commit,
	.rollback = ch_rollback,
	.event = ch_event,
	.reject = ch_reject,
	.patient = ch_patient,
	.archive = ch_archive,
	.query = cf_ch_query,
	.span = cf_ch_span,
	.histogram = cf_ch_histogram,
	.patients = cf_ch_patients,
	.archives = cf_ch_archives,
	.counts = cf_ch_counts,
	.link = ch_link,
	.finding = ch_finding,
	.findings = cf_ch_findings,
	.close = ch_close,
	.abandon = ch_abandon,
};

static int start_ins(struct ch_conn *c, struct cf_ctx *ctx)
{
	uint64_t best = 0;

	for (int t = 0; t < T_ARCHIVES; t++) {
		uint64_t v = 0;
		int rc = cf_ch_table_u64(c, ctx, "max(ins)", t, &v);

		if (rc != CF_OK)
			return rc;
		if (v > best)
			best = v;
	}
	c->ins = best + 1;
	return CF_OK;
}

int cf_db_clickhouse_open(struct cf_ctx *ctx, const char *uri, int mode,
			  cf_db **out)
{
	static int curl_ready;
	struct ch_conn *c = NULL;
	uint64_t n;
	int rc;

	*out = NULL;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return cf_set_error(ctx, 0, "cannot initialise libcurl");
		curl_ready = 1;
	}
	if (!(c = cf_calloc(1, sizeof *c)) || !(c->location = cf_strdup(uri))) {
		rc = cf_set_nomem(ctx, uri);
		goto fail;
	}
	for (int t = 0; t < T_N; t++)
		cf_buf_init(&c->rows[t]);
	if ((rc = cf_ch_parse_uri(ctx, c, uri)) != CF_OK)
		goto fail;
	if (!(c->curl = curl_easy_init())) {
		rc = cf_set_nomem(ctx, uri);
		goto fail;
	}
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->curl_err);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http");
	c->store.ops = &clickhouse_ops;
	c->writable = mode == CF_DB_WRITE;
	if (c->writable) {
		if ((rc = cf_ch_create_schema(c, ctx)) != CF_OK ||
		    (rc = start_ins(c, ctx)) != CF_OK)
			goto fail;
	} else {
		struct cf_buf q;
		cf_buf_init(&q);
		/* one round trip for both the events table and the view
		 * that fills the patients' copy (cf_ch_events_table): a
		 * lookup pays for each request */
		if (cf_buf_puts(&q, "SELECT countIf(name = 'events') + 2 * countIf(name = '"
				    CH_EVENTS_MV "') FROM system.tables WHERE database = ") ||
		    cf_ch_quote(&q, c->dbname)) {
			cf_buf_release(&q);
			rc = cf_set_nomem(ctx, uri);
			goto fail;
		}
		rc = cf_ch_u64(c, ctx, q.data, &n);
		cf_buf_release(&q);
		if (rc == CF_OK && !(n & 1))
			rc = cf_set_error(ctx, 0, "%s: not a casefile timeline database", uri);
		if (rc != CF_OK)
			goto fail;
		c->by_patient = n & 2 ? 2 : 1;
	}
	*out = &c->store;
	return CF_OK;
fail:
	conn_free(c);
	return rc == CF_OK ? CF_FAILED : rc;
}
