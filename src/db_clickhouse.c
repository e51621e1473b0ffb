/* SPDX-License-Identifier: Apache-2.0
 *
 * The timeline store on ClickHouse, over its HTTP interface with libcurl.
 *
 * For fleet-scale incidents (hundreds of hosts, billions of events) the same
 * four tables as the SQLite store (events, rejects, patients, archives) live
 * in a ClickHouse database; with `?cluster=NAME` each is a MergeTree table
 * `<t>_local` on every shard behind a Distributed table `<t>` that spreads
 * inserted rows over the shards (insert_distributed_sync, so a build that
 * returns has its rows on the shards). Written for the oldest server known
 * to work, Debian 12's clickhouse-server 18.16: no DateTime64 (times are
 * Int64 microseconds), no query parameters, so every literal goes through
 * sql_quote() and every row through tsv_field(); nothing from the evidence
 * is ever pasted into SQL unescaped.
 *
 * Rows are sent in TabSeparated batches of a few MiB. ClickHouse has no
 * transactions: an archive's rows are flushed at commit with its `archives`
 * row last, and a build that died half-way is detected by has_archive()
 * (rows of the archive but no archive row), which deletes the partial rows
 * before the archive is built again, so re-ingesting never doubles events.
 * Every row carries an insertion number `ins`, so that ties in time come out
 * in insertion order exactly as SQLite's rowid gives them: `query` and
 * `scope` answer identically on both backends.
 *
 * Schema changes on a cluster need either ZooKeeper (ON CLUSTER) or the
 * shards' HTTP addresses in the URI (`&shards=H:P,H:P`), which this backend
 * then visits one by one. This file never prints.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/db.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/time.h"
#include "db_backend.h"

#define BATCH_BYTES (4u << 20)   /* flush a table's rows past this */
#define ERRBODY_MAX 4096         /* bytes of a server error kept */
#define MUTATION_WAIT_S 120

enum { T_EVENTS, T_REJECTS, T_PATIENTS, T_ARCHIVES, T_N };

static const char *const table_name[T_N] = {"events", "rejects", "patients",
					    "archives"};

static const char *const table_cols[T_N] = {
	[T_EVENTS] = "ins UInt64, ts_us Int64, ts_desc Nullable(String),"
		     " source String, host Nullable(String), actor Nullable(String),"
		     " actor_role Nullable(String), action Nullable(String),"
		     " outcome Nullable(String), patient Nullable(String),"
		     " resource Nullable(String), src_ip Nullable(String),"
		     " model Nullable(String), model_version Nullable(String),"
		     " decision Nullable(String), score Nullable(Float64),"
		     " message Nullable(String), attrs Nullable(String),"
		     " archive String, member String, line UInt64, `offset` UInt64",
	[T_REJECTS] = "ins UInt64, archive String, member String, line UInt64,"
		      " `offset` UInt64, reason String",
	[T_PATIENTS] = "ins UInt64, id String, state Nullable(String),"
		       " has_contact UInt8, archive Nullable(String),"
		       " member Nullable(String), line UInt64",
	[T_ARCHIVES] = "sha256sums String, path Nullable(String),"
		       " signer Nullable(String), verified UInt8, sequence Int64,"
		       " host Nullable(String), built_at Int64",
};

static const char *const table_order[T_N] = {
	[T_EVENTS] = "(ts_us, ins)",
	[T_REJECTS] = "(archive, member, line, ins)",
	[T_PATIENTS] = "(id, ins)",
	[T_ARCHIVES] = "sha256sums",
};

static const char event_cols[] =
	"ts_us, ts_desc, source, host, actor, actor_role, action, outcome,"
	" patient, resource, src_ip, model, model_version, decision, score,"
	" message, attrs, archive, member, line, `offset`";

/* The handle of a ClickHouse store: the common part first (store). */
struct ch_conn {
	struct cf_db store;
	char *location;      /* the URI */
	CURL *curl;
	char *base;          /* "http://HOST:PORT/" of the node we talk to */
	char *dbname;        /* [A-Za-z0-9_]+ */
	char *cluster;       /* NULL for a single server */
	char **shards;       /* HTTP bases of every shard, for DDL */
	size_t nshards;
	struct cf_buf rows[T_N]; /* pending TabSeparated rows */
	uint64_t ins;        /* next insertion number */
	int writable;
	char curl_err[CURL_ERROR_SIZE];
};

static struct ch_conn *conn(cf_db *db)
{
	return (struct ch_conn *)db;
}

/* ---- escaping ----------------------------------------------------------- */

/* Appends s as a ClickHouse string literal: '...' with \ and ' escaped. */
static int sql_quote(struct cf_buf *b, const char *s)
{
	if (cf_buf_putc(b, '\''))
		return -1;
	for (; *s; s++) {
		if ((*s == '\\' || *s == '\'') && cf_buf_putc(b, '\\'))
			return -1;
		if (cf_buf_putc(b, *s))
			return -1;
	}
	return cf_buf_putc(b, '\'');
}

/* Appends one TabSeparated field: NULL as \N, with the escapes the format
 * defines for backslash, tab, newline, carriage return and NUL-free text. */
static int tsv_field(struct cf_buf *b, const char *s, int last)
{
	if (!s) {
		if (cf_buf_puts(b, "\\N"))
			return -1;
	} else {
		for (; *s; s++) {
			const char *esc = NULL;
			switch (*s) {
			case '\\': esc = "\\\\"; break;
			case '\t': esc = "\\t"; break;
			case '\n': esc = "\\n"; break;
			case '\r': esc = "\\r"; break;
			case '\b': esc = "\\b"; break;
			case '\f': esc = "\\f"; break;
			}
			if (esc ? cf_buf_puts(b, esc) : cf_buf_putc(b, *s))
				return -1;
		}
	}
	return cf_buf_putc(b, last ? '\n' : '\t');
}

static int tsv_u64(struct cf_buf *b, uint64_t v, int last)
{
	return cf_buf_printf(b, "%" PRIu64 "%c", v, last ? '\n' : '\t');
}

static int tsv_i64(struct cf_buf *b, int64_t v, int last)
{
	return cf_buf_printf(b, "%" PRId64 "%c", v, last ? '\n' : '\t');
}

/* Unescapes a TabSeparated field in place; returns NULL for \N. */
static char *tsv_unescape(char *f)
{
	char *r = f, *w = f;

	if (!strcmp(f, "\\N"))
		return NULL;
	while (*r) {
		if (*r != '\\' || !r[1]) {
			*w++ = *r++;
			continue;
		}
		r++;
		switch (*r) {
		case 't': *w++ = '\t'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case 'b': *w++ = '\b'; break;
		case 'f': *w++ = '\f'; break;
		case '0': *w++ = '\0'; break;
		default: *w++ = *r; break;
		}
		r++;
	}
	*w = '\0';
	return f;
}

/* Splits a line into at most n tab-separated fields; returns the count. */
static size_t tsv_split(char *line, char **fields, size_t n)
{
	size_t k = 0;

	while (k < n) {
		char *tab = strchr(line, '\t');
		fields[k++] = line;
		if (!tab)
			break;
		*tab = '\0';
		line = tab + 1;
	}
	return k;
}

/* ---- HTTP --------------------------------------------------------------- */

/* Receives a response: either into a bounded buffer (errors, small
 * results) or line by line into a callback (query results). */
struct sink {
	struct cf_buf buf;        /* whole body, or the partial last line */
	int (*line)(void *arg, char *line);
	void *arg;
	int stopped;              /* the line callback's non-zero value */
	int nomem;
};

static size_t on_body(char *p, size_t size, size_t n, void *user)
{
	struct sink *s = user;
	size_t len = size * n;

	if (cf_buf_append(&s->buf, p, len) < 0) {
		s->nomem = 1;
		return 0;
	}
	if (!s->line)
		return len;
	/* Hand over every complete line, then keep the partial one: one
	 * move per block received, not one per line. */
	size_t start = 0;
	for (;;) {
		char *line = s->buf.data + start;
		char *nl = memchr(line, '\n', s->buf.len - start);
		int r;

		if (!nl)
			break;
		*nl = '\0';
		start = (size_t)(nl - s->buf.data) + 1;
		if ((r = s->line(s->arg, line)) != 0) {
			s->stopped = r;
			return 0;
		}
	}
	memmove(s->buf.data, s->buf.data + start, s->buf.len - start);
	s->buf.len -= start;
	s->buf.data[s->buf.len] = '\0';
	return len;
}

/* POSTs body to base; the query goes in the URL when body carries data
 * (INSERT), else the body is the query. */
static int ch_post(struct ch_conn *c, struct cf_ctx *ctx, const char *base,
		   const char *url_query, const char *body, size_t len,
		   struct sink *sink)
{
	struct cf_buf url;
	long status = 0;
	CURLcode cc;
	int rc = CF_OK;

	cf_buf_init(&url);
	if (cf_buf_puts(&url, base) || cf_buf_puts(&url, "?insert_distributed_sync=1"))
		goto nomem;
	if (url_query) {
		char *q = curl_easy_escape(c->curl, url_query, 0);
		if (!q || cf_buf_puts(&url, "&query=") || cf_buf_puts(&url, q)) {
			curl_free(q);
			goto nomem;
		}
		curl_free(q);
	}
	curl_easy_setopt(c->curl, CURLOPT_URL, url.data);
	curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, sink);
	cc = curl_easy_perform(c->curl);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	if (sink->stopped) {
		rc = sink->stopped;
	} else if (sink->nomem) {
		rc = cf_set_nomem(ctx, "reading a ClickHouse answer");
	} else if (cc != CURLE_OK) {
		rc = cf_set_error(ctx, 0, "%s: %s", base,
				  c->curl_err[0] ? c->curl_err : curl_easy_strerror(cc));
	} else if (status != 200) {
		const char *msg = sink->buf.data ? sink->buf.data : "";
		int n = (int)strcspn(msg, "\n");
		rc = cf_set_error(ctx, 0, "%s: ClickHouse answered %ld: %.*s", base,
				  status, n > 600 ? 600 : n, msg);
	}
	cf_buf_release(&url);
	return rc;
nomem:
	cf_buf_release(&url);
	return cf_set_nomem(ctx, "ClickHouse request");
}

/* Runs a statement whose answer is small (DDL, counts); *out, when given,
 * receives the body (caller releases). */
static int ch_exec(struct ch_conn *c, struct cf_ctx *ctx, const char *base,
		   const char *sql, struct cf_buf *out)
{
	struct sink s = {.line = NULL};
	int rc;

	cf_buf_init(&s.buf);
	s.buf.limit = out ? 0 : ERRBODY_MAX * 16;
	rc = ch_post(c, ctx, base, NULL, sql, strlen(sql), &s);
	if (rc == CF_OK && out) {
		*out = s.buf;
		return CF_OK;
	}
	cf_buf_release(&s.buf);
	return rc;
}

/* A single unsigned number answered by sql (e.g. count()). */
static int ch_u64(struct ch_conn *c, struct cf_ctx *ctx, const char *sql,
		  uint64_t *v)
{
	struct cf_buf out;
	char *end;
	int rc = ch_exec(c, ctx, c->base, sql, &out);

	if (rc != CF_OK)
		return rc;
	errno = 0;
	*v = strtoull(out.data ? out.data : "", &end, 10);
	if (!out.data || end == out.data || errno)
		rc = cf_set_error(ctx, 0, "%s: unexpected answer to '%s'", c->base,
				  sql);
	cf_buf_release(&out);
	return rc;
}

/* ---- names -------------------------------------------------------------- */

/* "db.events" for reading and inserting (the Distributed table on a
 * cluster), or "db.events_local" when local is set (data tables). */
static int table_ref(const struct ch_conn *c, struct cf_buf *b, int t, int local)
{
	return cf_buf_printf(b, "%s.%s%s", c->dbname, table_name[t],
			     local && c->cluster ? "_local" : "");
}

/* Runs DDL on every node that must hold it: each listed shard, or the node
 * itself with ON CLUSTER (needs ZooKeeper), or the single server. */
static int ch_ddl(struct ch_conn *c, struct cf_ctx *ctx, const char *sql)
{
	if (c->cluster && c->nshards) {
		for (size_t i = 0; i < c->nshards; i++)
			if (ch_exec(c, ctx, c->shards[i], sql, NULL) != CF_OK)
				return CF_FAILED;
		return CF_OK;
	}
	return ch_exec(c, ctx, c->base, sql, NULL);
}

static int create_schema(struct ch_conn *c, struct cf_ctx *ctx)
{
	struct cf_buf q;
	const char *on = "";
	int rc = CF_OK;

	cf_buf_init(&q);
	if (c->cluster && !c->nshards) {
		/* ON CLUSTER NAME: the cluster name was checked to be a
		 * plain identifier when the URI was parsed. */
		if (cf_buf_printf(&q, " ON CLUSTER %s", c->cluster))
			goto nomem;
		on = cf_buf_detach(&q);
		if (!on)
			goto nomem;
	}
	cf_buf_reset(&q);
	if (cf_buf_printf(&q, "CREATE DATABASE IF NOT EXISTS %s%s", c->dbname, on))
		goto nomem;
	if ((rc = ch_ddl(c, ctx, q.data)) != CF_OK)
		goto out;
	for (int t = 0; t < T_N && rc == CF_OK; t++) {
		cf_buf_reset(&q);
		if (cf_buf_puts(&q, "CREATE TABLE IF NOT EXISTS ") ||
		    table_ref(c, &q, t, 1) ||
		    cf_buf_printf(&q, "%s (%s) ENGINE = MergeTree() ORDER BY %s", on,
				  table_cols[t], table_order[t]))
			goto nomem;
		if ((rc = ch_ddl(c, ctx, q.data)) != CF_OK || !c->cluster)
			continue;
		cf_buf_reset(&q);
		if (cf_buf_puts(&q, "CREATE TABLE IF NOT EXISTS ") ||
		    table_ref(c, &q, t, 0) || cf_buf_printf(&q, "%s AS ", on) ||
		    table_ref(c, &q, t, 1) ||
		    cf_buf_printf(&q, " ENGINE = Distributed(%s, %s, %s_local, rand())",
				  c->cluster, c->dbname, table_name[t]))
			goto nomem;
		rc = ch_ddl(c, ctx, q.data);
	}
	goto out;
nomem:
	rc = cf_set_nomem(ctx, "ClickHouse schema");
out:
	if (*on)
		free((char *)on);
	cf_buf_release(&q);
	return rc;
}

/* ---- writing ------------------------------------------------------------ */

static int flush_table(struct ch_conn *c, struct cf_ctx *ctx, int t)
{
	static const char *const cols[T_N] = {
		[T_EVENTS] = "ins, ts_us, ts_desc, source, host, actor, actor_role,"
			     " action, outcome, patient, resource, src_ip, model,"
			     " model_version, decision, score, message, attrs, archive,"
			     " member, line, `offset`",
		[T_REJECTS] = "ins, archive, member, line, `offset`, reason",
		[T_PATIENTS] = "ins, id, state, has_contact, archive, member, line",
		[T_ARCHIVES] = "sha256sums, path, signer, verified, sequence, host, built_at",
	};
	struct cf_buf q;
	struct sink s = {.line = NULL};
	int rc;

	if (!c->rows[t].len)
		return CF_OK;
	cf_buf_init(&q);
	cf_buf_init(&s.buf);
	s.buf.limit = ERRBODY_MAX * 16;
	if (cf_buf_puts(&q, "INSERT INTO ") || table_ref(c, &q, t, 0) ||
	    cf_buf_printf(&q, " (%s) FORMAT TabSeparated", cols[t])) {
		cf_buf_release(&q);
		return cf_set_nomem(ctx, "ClickHouse insert");
	}
	rc = ch_post(c, ctx, c->base, q.data, c->rows[t].data, c->rows[t].len, &s);
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
	int bad = tsv_u64(b, c->ins++, 0) || tsv_i64(b, e->ts_us, 0);

	for (size_t k = 0; k < sizeof txt / sizeof txt[0] && !bad; k++)
		bad = tsv_field(b, txt[k], 0);
	if (!bad)
		bad = e->has_score ? cf_buf_printf(b, "%.17g\t", e->score)
				   : cf_buf_puts(b, "\\N\t");
	if (bad || tsv_field(b, e->message, 0) || tsv_field(b, e->attrs, 0) ||
	    tsv_field(b, e->archive ? e->archive : "", 0) ||
	    tsv_field(b, e->member ? e->member : "", 0) ||
	    tsv_u64(b, e->line, 0) || tsv_u64(b, e->offset, 1))
		return cf_set_nomem(ctx, "ClickHouse rows");
	return maybe_flush(c, ctx, T_EVENTS);
}

static int ch_reject(cf_db *db, struct cf_ctx *ctx, const struct cf_reject *r)
{
	struct ch_conn *c = conn(db);
	struct cf_buf *b = &c->rows[T_REJECTS];

	if (tsv_u64(b, c->ins++, 0) || tsv_field(b, r->archive ? r->archive : "", 0) ||
	    tsv_field(b, r->member ? r->member : "", 0) || tsv_u64(b, r->line, 0) ||
	    tsv_u64(b, r->offset, 0) ||
	    tsv_field(b, r->reason ? r->reason : "unparsed", 1))
		return cf_set_nomem(ctx, "ClickHouse rows");
	return maybe_flush(c, ctx, T_REJECTS);
}

static int ch_patient(cf_db *db, struct cf_ctx *ctx, const struct cf_patient *p)
{
	struct ch_conn *c = conn(db);
	struct cf_buf *b = &c->rows[T_PATIENTS];

	if (tsv_u64(b, c->ins++, 0) || tsv_field(b, p->id ? p->id : "", 0) ||
	    tsv_field(b, p->state, 0) || tsv_u64(b, p->has_contact ? 1 : 0, 0) ||
	    tsv_field(b, p->archive, 0) || tsv_field(b, p->member, 0) ||
	    tsv_u64(b, p->line, 1))
		return cf_set_nomem(ctx, "ClickHouse rows");
	return maybe_flush(c, ctx, T_PATIENTS);
}

static int ch_archive(cf_db *db, struct cf_ctx *ctx, const struct cf_db_archive *a)
{
	struct cf_buf *b = &conn(db)->rows[T_ARCHIVES];

	if (tsv_field(b, a->sha256sums ? a->sha256sums : "", 0) ||
	    tsv_field(b, a->path, 0) || tsv_field(b, a->signer, 0) ||
	    tsv_u64(b, a->verified ? 1 : 0, 0) || tsv_i64(b, a->sequence, 0) ||
	    tsv_field(b, a->host, 0) || tsv_i64(b, a->built_at, 1))
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
		    sql_quote(&q, c->dbname)) {
			rc = cf_set_nomem(ctx, "ClickHouse delete");
			break;
		}
		/* On a cluster every shard applies its own mutations. */
		pending = 0;
		for (size_t i = 0; i < (c->nshards ? c->nshards : 1) && rc == CF_OK; i++) {
			struct cf_buf out;
			rc = ch_exec(c, ctx, c->nshards ? c->shards[i] : c->base,
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
		if (cf_buf_puts(&q, "ALTER TABLE ") || table_ref(c, &q, t, 1) ||
		    (c->cluster && !c->nshards &&
		     cf_buf_printf(&q, " ON CLUSTER %s", c->cluster)) ||
		    cf_buf_puts(&q, " DELETE WHERE archive = ") ||
		    sql_quote(&q, digest)) {
			rc = cf_set_nomem(ctx, "ClickHouse delete");
			break;
		}
		rc = ch_ddl(c, ctx, q.data);
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
	    table_ref(c, &q, T_ARCHIVES, 0) ||
	    cf_buf_puts(&q, " WHERE sha256sums = ") || sql_quote(&q, digest)) {
		cf_buf_release(&q);
		return cf_set_nomem(ctx, "ClickHouse query");
	}
	rc = ch_u64(c, ctx, q.data, &n);
	if (rc == CF_OK && !n && c->writable) {
		/* Not recorded: are there rows of an unfinished build? */
		for (int t = 0; t < T_ARCHIVES && rc == CF_OK && !partial; t++) {
			cf_buf_reset(&q);
			if (cf_buf_puts(&q, "SELECT count() FROM ") ||
			    table_ref(c, &q, t, 0) ||
			    cf_buf_puts(&q, " WHERE archive = ") ||
			    sql_quote(&q, digest)) {
				rc = cf_set_nomem(ctx, "ClickHouse query");
				break;
			}
			rc = ch_u64(c, ctx, q.data, &partial);
		}
		if (rc == CF_OK && partial)
			rc = purge_partial(c, ctx, digest);
	}
	cf_buf_release(&q);
	if (rc != CF_OK)
		return CF_FAILED;
	return n ? 1 : 0;
}

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
	char *f[21];
	struct cf_event e = {0};
	char *score;

	if (tsv_split(line, f, 21) != 21) {
		r->bad = 1;
		return CF_FAILED;
	}
	for (int i = 0; i < 21; i++)
		if (i != 0 && i != 14 && i != 19 && i != 20)
			f[i] = tsv_unescape(f[i]);
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
	score = tsv_unescape(f[14]);
	e.has_score = score != NULL;
	e.score = score ? strtod(score, NULL) : 0;
	e.message = f[15];
	e.attrs = f[16];
	e.archive = f[17];
	e.member = f[18];
	e.line = strtoull(f[19], NULL, 10);
	e.offset = strtoull(f[20], NULL, 10);
	return r->fn(r->arg, &e);
}

static int ch_query(cf_db *db, struct cf_ctx *ctx, const struct cf_db_filter *f,
		    cf_db_event_fn fn, void *arg)
{
	struct ch_conn *c = conn(db);
	struct event_reader r = {fn, arg, ctx, 0};
	struct sink s = {.line = read_event_line, .arg = &r};
	struct cf_buf q;
	const char *where = " WHERE";
	int rc;
	struct {
		const char *col, *val;
	} eq[] = {{"patient", f->patient}, {"actor", f->actor},
		  {"model", f->model},     {"model_version", f->model_version},
		  {"action", f->action},   {"source", f->source}};

	cf_buf_init(&q);
	cf_buf_init(&s.buf);
	if (cf_buf_printf(&q, "SELECT %s FROM ", event_cols) ||
	    table_ref(c, &q, T_EVENTS, 0))
		goto nomem;
	for (size_t i = 0; i < sizeof eq / sizeof eq[0]; i++) {
		if (!eq[i].val)
			continue;
		if (cf_buf_printf(&q, "%s %s = ", where, eq[i].col) ||
		    sql_quote(&q, eq[i].val))
			goto nomem;
		where = " AND";
	}
	if (f->has_from && cf_buf_printf(&q, "%s ts_us >= %" PRId64, where, f->from_us))
		goto nomem;
	where = f->has_from ? " AND" : where;
	if (f->has_to && cf_buf_printf(&q, "%s ts_us <= %" PRId64, where, f->to_us))
		goto nomem;
	if (cf_buf_puts(&q, " ORDER BY ts_us, ins FORMAT TabSeparated"))
		goto nomem;
	rc = ch_post(c, ctx, c->base, NULL, q.data, q.len, &s);
	if (rc == CF_FAILED && r.bad)
		cf_set_error(ctx, 0, "%s: malformed event row from ClickHouse", c->base);
	cf_buf_release(&q);
	cf_buf_release(&s.buf);
	return rc;
nomem:
	cf_buf_release(&q);
	return cf_set_nomem(ctx, "ClickHouse query");
}

/* Folds the rows of one patient id as SQLite's upsert does: the first row's
 * evidence, the first non-null state, contact if any row has it. */
struct patient_reader {
	cf_db_patient_fn fn;
	void *arg;
	char *id, *state, *archive, *member;
	uint64_t line;
	int has_contact, have, bad, nomem;
};

static void patient_clear(struct patient_reader *r)
{
	free(r->id);
	free(r->state);
	free(r->archive);
	free(r->member);
	r->id = r->state = r->archive = r->member = NULL;
	r->have = 0;
}

static int patient_emit(struct patient_reader *r)
{
	struct cf_patient p = {r->id, r->state, r->has_contact, r->archive,
			       r->member, r->line};
	int rc = r->have ? r->fn(r->arg, &p) : 0;

	patient_clear(r);
	return rc;
}

static char *dup_or_null(const char *s, int *nomem)
{
	char *d;

	if (!s)
		return NULL;
	if (!(d = cf_strdup(s)))
		*nomem = 1;
	return d;
}

static int read_patient_line(void *arg, char *line)
{
	struct patient_reader *r = arg;
	char *f[6];
	int rc;

	if (tsv_split(line, f, 6) != 6) {
		r->bad = 1;
		return CF_FAILED;
	}
	for (int i = 0; i < 5; i++)
		if (i != 2)
			f[i] = tsv_unescape(f[i]);
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
		r->have = 1;
	}
	if (!r->state && f[1])
		r->state = dup_or_null(f[1], &r->nomem);
	if (atoi(f[2]))
		r->has_contact = 1;
	return r->nomem ? CF_FATAL : 0;
}

static int ch_patients(cf_db *db, struct cf_ctx *ctx, cf_db_patient_fn fn,
		       void *arg)
{
	struct ch_conn *c = conn(db);
	struct patient_reader r = {.fn = fn, .arg = arg};
	struct sink s = {.line = read_patient_line, .arg = &r};
	struct cf_buf q;
	int rc;

	cf_buf_init(&q);
	cf_buf_init(&s.buf);
	if (cf_buf_puts(&q, "SELECT id, state, has_contact, archive, member, line FROM ") ||
	    table_ref(c, &q, T_PATIENTS, 0) ||
	    cf_buf_puts(&q, " ORDER BY id, ins FORMAT TabSeparated")) {
		cf_buf_release(&q);
		return cf_set_nomem(ctx, "ClickHouse query");
	}
	rc = ch_post(c, ctx, c->base, NULL, q.data, q.len, &s);
	if (rc == CF_OK)
		rc = patient_emit(&r);
	if (r.nomem)
		rc = cf_set_nomem(ctx, "reading patients");
	else if (r.bad)
		rc = cf_set_error(ctx, 0, "%s: malformed patient row from ClickHouse",
				  c->base);
	patient_clear(&r);
	cf_buf_release(&q);
	cf_buf_release(&s.buf);
	return rc;
}

struct archive_reader {
	cf_db_archive_fn fn;
	void *arg;
	int bad;
};

static int read_archive_line(void *arg, char *line)
{
	struct archive_reader *r = arg;
	char *f[7];
	struct cf_db_archive a;

	if (tsv_split(line, f, 7) != 7) {
		r->bad = 1;
		return CF_FAILED;
	}
	a.sha256sums = tsv_unescape(f[0]);
	a.path = tsv_unescape(f[1]);
	a.signer = tsv_unescape(f[2]);
	a.verified = atoi(f[3]) != 0;
	a.sequence = strtoll(f[4], NULL, 10);
	a.host = tsv_unescape(f[5]);
	a.built_at = strtoll(f[6], NULL, 10);
	return a.sha256sums ? r->fn(r->arg, &a) : 0;
}

/* The same query as SQLite's sq_archives(). */
static int ch_archives(cf_db *db, struct cf_ctx *ctx, cf_db_archive_fn fn,
		       void *arg)
{
	struct ch_conn *c = conn(db);
	struct archive_reader r = {fn, arg, 0};
	struct sink s = {.line = read_archive_line, .arg = &r};
	struct cf_buf q;
	int rc;

	cf_buf_init(&q);
	cf_buf_init(&s.buf);
	if (cf_buf_puts(&q, "SELECT sha256sums, path, signer, verified, sequence,"
			    " host, built_at FROM ") ||
	    table_ref(c, &q, T_ARCHIVES, 0) ||
	    cf_buf_puts(&q, " ORDER BY sha256sums FORMAT TabSeparated")) {
		cf_buf_release(&q);
		return cf_set_nomem(ctx, "ClickHouse query");
	}
	rc = ch_post(c, ctx, c->base, NULL, q.data, q.len, &s);
	if (rc == CF_FAILED && r.bad)
		cf_set_error(ctx, 0, "%s: malformed archive row from ClickHouse", c->base);
	cf_buf_release(&q);
	cf_buf_release(&s.buf);
	return rc;
}

static int count_table(struct ch_conn *c, struct cf_ctx *ctx, int t, int64_t *n)
{
	struct cf_buf q;
	uint64_t v = 0;
	int rc;

	cf_buf_init(&q);
	if (cf_buf_puts(&q, "SELECT count() FROM ") || table_ref(c, &q, t, 0)) {
		cf_buf_release(&q);
		return cf_set_nomem(ctx, "ClickHouse query");
	}
	rc = ch_u64(c, ctx, q.data, &v);
	*n = (int64_t)v;
	cf_buf_release(&q);
	return rc;
}

static int ch_counts(cf_db *db, struct cf_ctx *ctx, int64_t *events,
		     int64_t *rejects)
{
	if (count_table(conn(db), ctx, T_EVENTS, events) != CF_OK ||
	    count_table(conn(db), ctx, T_REJECTS, rejects) != CF_OK)
		return CF_FAILED;
	return CF_OK;
}

/* ---- lineage ----------------------------------------------------------- */

/* A registry event the decisions are joined to (source "mlflow"). */
struct lin {
	char *model, *version, *run;
	int64_t ts_us;
	int production;  /* 1: stage changed to Production; 0: version created */
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
	if (!prod && strcmp(e->action, "version-created"))
		return 0;
	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? ls->cap * 2 : 32;
		struct lin *v = cf_realloc(ls->v, cap * sizeof *v);
		if (!v)
			goto nomem;
		ls->v = v;
		ls->cap = cap;
	}
	l = &ls->v[ls->n];
	memset(l, 0, sizeof *l);
	l->ts_us = e->ts_us;
	l->production = prod;
	l->model = dup_or_null(e->model, &ls->nomem);
	l->version = dup_or_null(e->model_version, &ls->nomem);
	if (!prod && e->attrs) {
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
	    sql_quote(q, text + 1) || cf_buf_puts(q, ", '}')");
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
	cJSON *m = cJSON_CreateObject();
	int rc;

	cf_buf_init(&q);
	if (!m || cf_buf_puts(&q, "ALTER TABLE ") || table_ref(c, &q, T_EVENTS, 1) ||
	    (c->cluster && !c->nshards &&
	     cf_buf_printf(&q, " ON CLUSTER %s", c->cluster)) ||
	    cf_buf_puts(&q, " UPDATE "))
		goto nomem;
	if (l->production) {
		if (cf_json_add_bool(m, "model_version_inferred", 1) ||
		    cf_buf_puts(&q, "model_version = ") || sql_quote(&q, l->version) ||
		    cf_buf_puts(&q, ", ") || append_attrs(&q, m) ||
		    cf_buf_puts(&q, " WHERE source = 'model-decision' AND"
			       " isNull(model_version) AND ifNull(model, '') = ") ||
		    sql_quote(&q, l->model) ||
		    cf_buf_printf(&q, " AND ts_us >= %" PRId64, l->ts_us) ||
		    (next && cf_buf_printf(&q, " AND ts_us < %" PRId64, next->ts_us)))
			goto nomem;
	} else {
		char t[CF_TIME_STR];
		cf_time_format(l->ts_us, t);
		/* SQLite's strftime('%Y-%m-%dT%H:%M:%fZ'): milliseconds. */
		memcpy(t + 23, "Z", 2);
		if (cf_json_add_str(m, "model_run", l->run) ||
		    cf_json_add_str(m, "model_version_created", t) ||
		    append_attrs(&q, m) ||
		    cf_buf_puts(&q, " WHERE source = 'model-decision' AND"
			       " ifNull(model, '') = ") ||
		    sql_quote(&q, l->model) ||
		    cf_buf_puts(&q, " AND ifNull(model_version, '') = ") ||
		    sql_quote(&q, l->version) ||
		    cf_buf_puts(&q, " AND (isNull(attrs) OR position(assumeNotNull(attrs),"
			       " '\"model_run\":') = 0)"))
			goto nomem;
	}
	rc = ch_ddl(c, ctx, q.data);
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
	return x->ts_us < y->ts_us ? -1 : x->ts_us > y->ts_us;
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

	rc = ch_query(db, ctx, &f, collect_lineage, &ls);
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
		if (ls.v[i].production || !ls.v[i].version)
			continue;
		/* The first version-created event of a version counts. */
		for (size_t j = 0; j < i && !seen; j++)
			seen = !ls.v[j].production && ls.v[j].version &&
			       !strcmp(ls.v[j].model, ls.v[i].model) &&
			       !strcmp(ls.v[j].version, ls.v[i].version);
		if (!seen)
			rc = lin_update(c, ctx, &ls.v[i], NULL);
	}
	if (rc == CF_OK)
		rc = wait_mutations(c, ctx);
out:
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
	for (size_t i = 0; i < c->nshards; i++)
		free(c->shards[i]);
	free(c->shards);
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
	(void)ctx;
	conn_free(conn(db));
	return CF_OK;
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
	.query = ch_query,
	.patients = ch_patients,
	.archives = ch_archives,
	.counts = ch_counts,
	.link = ch_link,
	.close = ch_close,
};

static int is_ident(const char *s, size_t n)
{
	if (!n || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return !isdigit((unsigned char)s[0]);
}

/* host[:port] -> "http://host:port/"; the host may only hold characters
 * of a DNS name or an IP address, so nothing else reaches the URL. */
static char *endpoint(const char *s, size_t n)
{
	struct cf_buf b;
	size_t colon = n;

	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == ':')
			colon = colon == n ? i : colon;
		else if (!isalnum((unsigned char)ch) && ch != '.' && ch != '-' &&
			 ch != '[' && ch != ']')
			return NULL;
	}
	if (colon == 0)
		return NULL;
	for (size_t i = colon + 1; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return NULL;
	cf_buf_init(&b);
	if (cf_buf_printf(&b, "http://%.*s%s/", (int)n, s, colon == n ? ":8123" : "")) {
		cf_buf_release(&b);
		return NULL;
	}
	return cf_buf_detach(&b);
}

/* clickhouse://HOST[:PORT]/DATABASE[?cluster=NAME[&shards=H:P,H:P]] */
static int parse_uri(struct cf_ctx *ctx, struct ch_conn *c, const char *uri)
{
	const char *p = uri + strlen("clickhouse://"), *slash, *qm, *db;
	size_t dblen;

	slash = strchr(p, '/');
	if (!slash || !(c->base = endpoint(p, (size_t)(slash - p))))
		return cf_set_error(ctx, 0, "'%s': expected clickhouse://HOST:PORT/DATABASE",
				    uri);
	db = slash + 1;
	qm = strchr(db, '?');
	dblen = qm ? (size_t)(qm - db) : strlen(db);
	if (!is_ident(db, dblen) || !(c->dbname = cf_strndup(db, dblen)))
		return cf_set_error(ctx, 0, "'%s': the database name must be letters, "
				    "digits and '_'", uri);
	for (const char *q = qm ? qm + 1 : NULL; q && *q;) {
		size_t n = strcspn(q, "&");
		if (!strncmp(q, "cluster=", 8) && is_ident(q + 8, n - 8)) {
			if (!(c->cluster = cf_strndup(q + 8, n - 8)))
				return cf_set_nomem(ctx, uri);
		} else if (!strncmp(q, "shards=", 7)) {
			for (const char *s = q + 7; s < q + n;) {
				size_t m = strcspn(s, ",&");
				char **v, *e;
				if (m > (size_t)(q + n - s))
					m = (size_t)(q + n - s);
				if (!(e = endpoint(s, m)))
					return cf_set_error(ctx, 0, "'%s': bad shard address '%.*s'",
							    uri, (int)m, s);
				if (!(v = cf_realloc(c->shards, (c->nshards + 1) * sizeof *v))) {
					free(e);
					return cf_set_nomem(ctx, uri);
				}
				c->shards = v;
				c->shards[c->nshards++] = e;
				s += m + (s[m] == ',');
			}
		} else {
			return cf_set_error(ctx, 0, "'%s': unknown or malformed parameter '%.*s'",
					    uri, (int)n, q);
		}
		q += n + (q[n] == '&');
	}
	if (c->nshards && !c->cluster)
		return cf_set_error(ctx, 0, "'%s': shards= goes with cluster=", uri);
	return CF_OK;
}

static int start_ins(struct ch_conn *c, struct cf_ctx *ctx)
{
	uint64_t best = 0;

	for (int t = 0; t < T_ARCHIVES; t++) {
		struct cf_buf q;
		uint64_t v = 0;
		int rc;
		cf_buf_init(&q);
		if (cf_buf_puts(&q, "SELECT max(ins) FROM ") || table_ref(c, &q, t, 0)) {
			cf_buf_release(&q);
			return cf_set_nomem(ctx, "ClickHouse query");
		}
		rc = ch_u64(c, ctx, q.data, &v);
		cf_buf_release(&q);
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
	if ((rc = parse_uri(ctx, c, uri)) != CF_OK)
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
		if ((rc = create_schema(c, ctx)) != CF_OK ||
		    (rc = start_ins(c, ctx)) != CF_OK)
			goto fail;
	} else {
		struct cf_buf q;
		cf_buf_init(&q);
		if (cf_buf_puts(&q, "SELECT count() FROM system.tables WHERE database = ") ||
		    sql_quote(&q, c->dbname) || cf_buf_puts(&q, " AND name = 'events'")) {
			cf_buf_release(&q);
			rc = cf_set_nomem(ctx, uri);
			goto fail;
		}
		rc = ch_u64(c, ctx, q.data, &n);
		cf_buf_release(&q);
		if (rc == CF_OK && !n)
			rc = cf_set_error(ctx, 0, "%s: not a casefile timeline database", uri);
		if (rc != CF_OK)
			goto fail;
	}
	*out = &c->store;
	return CF_OK;
fail:
	conn_free(c);
	return rc == CF_OK ? CF_FAILED : rc;
}
