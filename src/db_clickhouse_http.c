/* SPDX-License-Identifier: Apache-2.0
 *
 * Talking to ClickHouse for the timeline store (src/db_clickhouse.c): the
 * URI, HTTP requests with libcurl, escaping, table names and the schema.
 *
 * Written for the oldest server known to work, Debian 12's
 * clickhouse-server 18.16: no DateTime64 (times are Int64 microseconds), no
 * query parameters, so every literal goes through cf_ch_quote() and every
 * row through cf_ch_tsv_field(); nothing from the evidence is ever pasted
 * into SQL unescaped. The host in the URI may only hold the characters of
 * a DNS name or an IP address, and database and cluster names only
 * letters, digits and '_', so nothing else reaches a URL or a statement.
 *
 * Schema changes on a cluster need either ZooKeeper (ON CLUSTER) or the
 * shards' HTTP addresses in the URI (`&shards=H:P,H:P`), which cf_ch_ddl()
 * then visits one by one. This file never prints.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "db_clickhouse_int.h"

static const char *const table_name[T_N] = {"events", "rejects", "patients",
					    "archives", "findings",
					    "events_by_patient"};

#define EVENT_COLS_A "ins UInt64, ts_us Int64, ts_desc Nullable(String)," \
	" source String, host Nullable(String), actor Nullable(String)," \
	" actor_role Nullable(String), action Nullable(String)," \
	" outcome Nullable(String), "
#define EVENT_COLS_B ", resource Nullable(String), src_ip Nullable(String)," \
	" model Nullable(String), model_version Nullable(String)," \
	" decision Nullable(String), score Nullable(Float64)," \
	" message Nullable(String), attrs Nullable(String)," \
	" archive String, member String, line UInt64, `offset` UInt64"
/* The columns the view copies, patient made not Nullable, and which rows:
 * the alias hides the column in WHERE (18.16), so a NULL patient becomes
 * "\0", which no id can hold (they are C strings), and is left out. */
#define EVENT_MV_COLS "ins, ts_us, ts_desc, source, host, actor, actor_role," \
	" action, outcome, ifNull(patient, '\\0') AS patient, resource, src_ip," \
	" model, model_version, decision, score, message, attrs, archive," \
	" member, line, `offset`"
#define EVENT_MV_WHERE " WHERE patient != '\\0'"

static const char *const table_cols[T_N] = {
	[T_EVENTS] = EVENT_COLS_A "patient Nullable(String)" EVENT_COLS_B,
	[T_EVENTS_P] = EVENT_COLS_A "patient String" EVENT_COLS_B,
	[T_REJECTS] = "ins UInt64, archive String, member String, line UInt64,"
		      " `offset` UInt64, reason String",
	[T_PATIENTS] = "ins UInt64, id String, state Nullable(String),"
		       " has_contact UInt8, archive Nullable(String),"
		       " member Nullable(String), line UInt64, " CH_PATIENT_FACTS,
	[T_ARCHIVES] = "sha256sums String, path Nullable(String),"
		       " signer Nullable(String), verified UInt8, sequence Int64,"
		       " host Nullable(String), built_at Int64",
	/* SQLite's findings table (src/db_sqlite.c), ins for its id */
	[T_FINDINGS] = "ins UInt64, detected_at Int64, rule_id String,"
		       " title Nullable(String), level Nullable(String),"
		       " group_key Nullable(String), count Int64, first_us Int64,"
		       " last_us Int64, events Nullable(String)",
};

/* Rows per mark of the patients' copy of the events. A lookup reads
 * whole granules of every column, in each part that holds the patient:
 * at the default 8192 that is tens of thousands of rows of messages and
 * attributes for a patient's few hundred events; at 256 it is a few
 * hundred rows per part. The price is a primary index 32 times larger
 * (one key per 256 rows, in memory), small against the rows it indexes. */
#define CH_BY_PATIENT_GRANULARITY "index_granularity = 256"
#define CH_BY_PATIENT_SETTINGS " SETTINGS " CH_BY_PATIENT_GRANULARITY

static const char *const table_order[T_N] = {
	[T_EVENTS] = "(ts_us, ins)",
	[T_REJECTS] = "(archive, member, line, ins)",
	[T_PATIENTS] = "(id, ins)",
	[T_ARCHIVES] = "sha256sums",
	[T_FINDINGS] = "(rule_id, detected_at, ins)",
	[T_EVENTS_P] = "(patient, ts_us, ins)" CH_BY_PATIENT_SETTINGS,
};

/* ---- escaping ----------------------------------------------------------- */

/* Appends s as a ClickHouse string literal: '...' with \ and ' escaped. */
int cf_ch_quote(struct cf_buf *b, const char *s)
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
int cf_ch_tsv_field(struct cf_buf *b, const char *s, int last)
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

int cf_ch_tsv_u64(struct cf_buf *b, uint64_t v, int last)
{
	return cf_buf_printf(b, "%" PRIu64 "%c", v, last ? '\n' : '\t');
}

int cf_ch_tsv_i64(struct cf_buf *b, int64_t v, int last)
{
	return cf_buf_printf(b, "%" PRId64 "%c", v, last ? '\n' : '\t');
}

/* Unescapes a TabSeparated field in place; returns NULL for \N. */
char *cf_ch_tsv_unescape(char *f)
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
size_t cf_ch_tsv_split(char *line, char **fields, size_t n)
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
int cf_ch_post(struct ch_conn *c, struct cf_ctx *ctx, const char *base,
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
int cf_ch_exec(struct ch_conn *c, struct cf_ctx *ctx, const char *base,
	       const char *sql, struct cf_buf *out)
{
	struct sink s = {.line = NULL};
	int rc;

	cf_buf_init(&s.buf);
	s.buf.limit = out ? 0 : ERRBODY_MAX * 16;
	rc = cf_ch_post(c, ctx, base, NULL, sql, strlen(sql), &s);
	if (rc == CF_OK && out) {
		*out = s.buf;
		return CF_OK;
	}
	cf_buf_release(&s.buf);
	return rc;
}

/* A single unsigned number answered by sql at the node base. */
static int u64_at(struct ch_conn *c, struct cf_ctx *ctx, const char *base,
		  const char *sql, uint64_t *v)
{
	struct cf_buf out;
	char *end;
	int rc = cf_ch_exec(c, ctx, base, sql, &out);

	if (rc != CF_OK)
		return rc;
	errno = 0;
	*v = strtoull(out.data ? out.data : "", &end, 10);
	if (!out.data || end == out.data || errno)
		rc = cf_set_error(ctx, 0, "%s: unexpected answer to '%s'", base,
				  sql);
	cf_buf_release(&out);
	return rc;
}

int cf_ch_u64(struct ch_conn *c, struct cf_ctx *ctx, const char *sql,
	      uint64_t *v)
{
	return u64_at(c, ctx, c->base, sql, v);
}

int cf_ch_table_u64(struct ch_conn *c, struct cf_ctx *ctx, const char *expr,
		    int t, uint64_t *v)
{
	struct cf_buf q;
	int rc;

	cf_buf_init(&q);
	if (cf_buf_printf(&q, "SELECT %s FROM ", expr) ||
	    cf_ch_table_ref(c, &q, t, 0)) {
		cf_buf_release(&q);
		return cf_set_nomem(ctx, "ClickHouse query");
	}
	rc = cf_ch_u64(c, ctx, q.data, v);
	cf_buf_release(&q);
	return rc;
}

/* ---- names -------------------------------------------------------------- */

int cf_ch_has_patient_facts(struct ch_conn *c, struct cf_ctx *ctx,
			    const char *base, int local, int *has)
{
	struct cf_buf q;
	uint64_t n = 0;
	int rc;

	cf_buf_init(&q);
	if (cf_buf_puts(&q, "SELECT count() FROM system.columns WHERE database = ") ||
	    cf_ch_quote(&q, c->dbname) ||
	    cf_buf_printf(&q, " AND table = '%s%s' AND name = 'birth_date'",
			  table_name[T_PATIENTS], local && c->cluster ? "_local" : "")) {
		cf_buf_release(&q);
		return cf_set_nomem(ctx, "ClickHouse query");
	}
	rc = u64_at(c, ctx, base, q.data, &n);
	*has = n > 0;
	cf_buf_release(&q);
	return rc;
}

/* "db.events" for reading and inserting (the Distributed table on a
 * cluster), or "db.events_local" when local is set (data tables). */
int cf_ch_table_ref(const struct ch_conn *c, struct cf_buf *b, int t, int local)
{
	return cf_buf_printf(b, "%s.%s%s", c->dbname, table_name[t],
			     local && c->cluster ? "_local" : "");
}

/* Runs DDL on every node that must hold it: each listed shard, or the node
 * itself with ON CLUSTER (needs ZooKeeper), or the single server. A server
 * refusing ON CLUSTER for want of ZooKeeper (18.16: "DDL background thread
 * is not initialized"; later: "no DistributedDDL configuration") gets an
 * answer that says what to add. */
int cf_ch_ddl(struct ch_conn *c, struct cf_ctx *ctx, const char *sql)
{
	char why[CF_ERRMSG_MAX];

	if (c->cluster && c->nshards) {
		for (size_t i = 0; i < c->nshards; i++)
			if (cf_ch_exec(c, ctx, c->shards[i], sql, NULL) != CF_OK)
				return CF_FAILED;
		return CF_OK;
	}
	if (cf_ch_exec(c, ctx, c->base, sql, NULL) == CF_OK)
		return CF_OK;
	if (!c->cluster || (!strstr(cf_errmsg(ctx), "DistributedDDL") && /* >= 19 */
			    !strstr(cf_errmsg(ctx), "DDL background thread") && /* 18.16 */
			    !strstr(cf_errmsg(ctx), "ZooKeeper")))
		return CF_FAILED;
	snprintf(why, sizeof why, "%s", cf_errmsg(ctx));
	return cf_set_error(ctx, 0, "cluster=%s needs ZooKeeper for ON CLUSTER, which "
			    "this server lacks: add &shards=HOST:PORT,HOST:PORT (each "
			    "shard's HTTP address) to the URI, or give the servers "
			    "<zookeeper> and <distributed_ddl> in their configuration (%s)",
			    c->cluster, why);
}

/* A store made before the patients' copy had its own granularity keeps
 * it at the default 8192 rows per mark: it holds the same rows and
 * columns, so reading it answers the same, only slower, and is left
 * alone. A write drops the copy and its view (rows derived from the
 * events, nothing else), to be made again by cf_ch_create_schema() and
 * filled from the events the store holds. */
static int drop_coarse_by_patient(struct ch_conn *c, struct cf_ctx *ctx,
				  const char *on)
{
	size_t n = c->cluster && c->nshards ? c->nshards : 1;
	uint64_t coarse = 0;
	struct cf_buf q;
	int rc = CF_OK;

	cf_buf_init(&q);
	if (cf_buf_puts(&q, "SELECT count() FROM system.tables WHERE database = ") ||
	    cf_ch_quote(&q, c->dbname) ||
	    cf_buf_printf(&q, " AND name = '%s%s' AND engine_full NOT LIKE"
			  " '%%" CH_BY_PATIENT_GRANULARITY "'", table_name[T_EVENTS_P],
			  c->cluster ? "_local" : ""))
		goto nomem;
	for (size_t i = 0; i < n && rc == CF_OK && !coarse; i++)
		rc = u64_at(c, ctx, c->cluster && c->nshards ? c->shards[i] : c->base,
			    q.data, &coarse);
	if (rc != CF_OK || !coarse)
		goto out;
	for (int k = 0; k < 3 && rc == CF_OK; k++) {
		if (k == 1 && !c->cluster)
			continue;
		cf_buf_reset(&q);
		if (cf_buf_puts(&q, "DROP TABLE IF EXISTS ") ||
		    (k == 0 ? cf_buf_printf(&q, "%s." CH_EVENTS_MV, c->dbname) :
			      cf_ch_table_ref(c, &q, T_EVENTS_P, k == 2)) ||
		    cf_buf_puts(&q, on))
			goto nomem;
		rc = cf_ch_ddl(c, ctx, q.data);
	}
	goto out;
nomem:
	rc = cf_set_nomem(ctx, "ClickHouse schema");
out:
	cf_buf_release(&q);
	return rc;
}

int cf_ch_create_schema(struct ch_conn *c, struct cf_ctx *ctx)
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
	if ((rc = cf_ch_ddl(c, ctx, q.data)) != CF_OK ||
	    (rc = drop_coarse_by_patient(c, ctx, on)) != CF_OK)
		goto out;
	for (int t = 0; t < T_N && rc == CF_OK; t++) {
		cf_buf_reset(&q);
		if (cf_buf_puts(&q, "CREATE TABLE IF NOT EXISTS ") ||
		    cf_ch_table_ref(c, &q, t, 1) ||
		    cf_buf_printf(&q, "%s (%s) ENGINE = MergeTree() ORDER BY %s", on,
				  table_cols[t], table_order[t]))
			goto nomem;
		if ((rc = cf_ch_ddl(c, ctx, q.data)) != CF_OK || !c->cluster)
			continue;
		cf_buf_reset(&q);
		if (cf_buf_puts(&q, "CREATE TABLE IF NOT EXISTS ") ||
		    cf_ch_table_ref(c, &q, t, 0) || cf_buf_printf(&q, "%s AS ", on) ||
		    cf_ch_table_ref(c, &q, t, 1) ||
		    cf_buf_printf(&q, " ENGINE = Distributed(%s, %s, %s_local, rand())",
				  c->cluster, c->dbname, table_name[t]))
			goto nomem;
		rc = cf_ch_ddl(c, ctx, q.data);
	}
	/* the events of each patient, copied by each node as its events
	 * arrive; a store from before the copy gets the rows it holds */
	if (rc == CF_OK) {
		uint64_t has = 0;
		int loc = !(c->cluster && !c->nshards);

		cf_buf_reset(&q);
		if (cf_buf_printf(&q, "SELECT count() FROM system.tables WHERE"
				  " database = '%s' AND name = '" CH_EVENTS_MV "'",
				  c->dbname))
			goto nomem;
		rc = cf_ch_u64(c, ctx, q.data, &has);
		if (rc == CF_OK && !has) {
			cf_buf_reset(&q);
			if (cf_buf_printf(&q, "CREATE MATERIALIZED VIEW IF NOT EXISTS"
					  " %s." CH_EVENTS_MV "%s TO ", c->dbname, on) ||
			    cf_ch_table_ref(c, &q, T_EVENTS_P, 1) ||
			    cf_buf_puts(&q, " AS SELECT " EVENT_MV_COLS " FROM ") ||
			    cf_ch_table_ref(c, &q, T_EVENTS, 1) ||
			    cf_buf_puts(&q, EVENT_MV_WHERE))
				goto nomem;
			if ((rc = cf_ch_ddl(c, ctx, q.data)) == CF_OK) {
				cf_buf_reset(&q);
				if (cf_buf_puts(&q, "INSERT INTO ") ||
				    cf_ch_table_ref(c, &q, T_EVENTS_P, loc) ||
				    cf_buf_puts(&q, " SELECT " EVENT_MV_COLS " FROM ") ||
				    cf_ch_table_ref(c, &q, T_EVENTS, loc) ||
				    cf_buf_puts(&q, EVENT_MV_WHERE))
					goto nomem;
				/* on each listed shard its own rows; with
				 * ON CLUSTER (no INSERT there) through the
				 * Distributed tables, each row once */
				rc = loc ? cf_ch_ddl(c, ctx, q.data) :
					   cf_ch_exec(c, ctx, c->base, q.data, NULL);
			}
		}
		c->by_patient = rc == CF_OK ? 2 : 0;
	}
	/* a store created before the patient facts columns gets them, on
	 * every shard and in the Distributed table; 18.16 has no ADD COLUMN
	 * IF NOT EXISTS, so each node is asked first (with ON CLUSTER, the
	 * node we talk to speaks for all) */
	for (int local = !!c->cluster; local >= 0 && rc == CF_OK; local--) {
		size_t n = c->cluster && c->nshards ? c->nshards : 1;
		for (size_t i = 0; i < n && rc == CF_OK; i++) {
			const char *node = c->cluster && c->nshards ? c->shards[i] : c->base;
			int has = 0;
			if ((rc = cf_ch_has_patient_facts(c, ctx, node, local, &has)) != CF_OK ||
			    has)
				continue;
			cf_buf_reset(&q);
			if (cf_buf_puts(&q, "ALTER TABLE ") ||
			    cf_ch_table_ref(c, &q, T_PATIENTS, local) ||
			    cf_buf_printf(&q, "%s ADD COLUMN reach Nullable(UInt8),"
					  " ADD COLUMN deceased Nullable(UInt8),"
					  " ADD COLUMN next_of_kin Nullable(UInt8),"
					  " ADD COLUMN birth_date Nullable(String)", on))
				goto nomem;
			rc = c->cluster && c->nshards ? cf_ch_exec(c, ctx, node, q.data, NULL)
						       : cf_ch_ddl(c, ctx, q.data);
		}
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

/* ---- the URI ---------------------------------------------------------- */

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
int cf_ch_parse_uri(struct cf_ctx *ctx, struct ch_conn *c, const char *uri)
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

/* ---- the events of each patient ------------------------------------------ */

int cf_ch_events_table(struct ch_conn *c, struct cf_ctx *ctx,
		       const struct cf_db_filter *f)
{
	char sql[256];
	uint64_t has = 0;

	if (!f->patient)
		return T_EVENTS;
	if (!c->by_patient) {
		snprintf(sql, sizeof sql, "SELECT count() FROM system.tables WHERE"
			 " database = '%s' AND name = '" CH_EVENTS_MV "'", c->dbname);
		if (cf_ch_u64(c, ctx, sql, &has) != CF_OK)
			return -1;
		c->by_patient = has ? 2 : 1;
	}
	return c->by_patient == 2 ? T_EVENTS_P : T_EVENTS;
}

int cf_ch_events_ddl(struct ch_conn *c, struct cf_ctx *ctx, const char *sql)
{
	struct cf_buf from, to, q;
	int rc;

	if (cf_ch_ddl(c, ctx, sql) != CF_OK)
		return CF_FAILED;
	if (c->by_patient != 2)
		return CF_OK;
	cf_buf_init(&from);
	cf_buf_init(&to);
	cf_buf_init(&q);
	rc = cf_buf_puts(&from, "ALTER TABLE ") || cf_ch_table_ref(c, &from, T_EVENTS, 1) ||
	     cf_buf_putc(&from, ' ') || cf_buf_puts(&to, "ALTER TABLE ") ||
	     cf_ch_table_ref(c, &to, T_EVENTS_P, 1) || cf_buf_putc(&to, ' ') ?
		     cf_set_nomem(ctx, "ClickHouse update") : CF_OK;
	if (rc == CF_OK && strncmp(sql, from.data, from.len))
		rc = cf_set_error(ctx, EINVAL, "not an ALTER of the events: %.60s", sql);
	if (rc == CF_OK && (cf_buf_puts(&q, to.data) || cf_buf_puts(&q, sql + from.len)))
		rc = cf_set_nomem(ctx, "ClickHouse update");
	if (rc == CF_OK)
		rc = cf_ch_ddl(c, ctx, q.data);
	cf_buf_release(&from);
	cf_buf_release(&to);
	cf_buf_release(&q);
	return rc;
}

int cf_ch_merge_by_patient(struct ch_conn *c, struct cf_ctx *ctx)
{
	struct cf_buf q;
	int rc;

	if (c->by_patient != 2)
		return CF_OK;
	cf_buf_init(&q);
	if (cf_buf_puts(&q, "OPTIMIZE TABLE ") || cf_ch_table_ref(c, &q, T_EVENTS_P, 1) ||
	    (c->cluster && !c->nshards &&
	     cf_buf_printf(&q, " ON CLUSTER %s", c->cluster))) {
		cf_buf_release(&q);
		return cf_set_nomem(ctx, "ClickHouse merge");
	}
	rc = cf_ch_ddl(c, ctx, q.data);
	cf_buf_release(&q);
	return rc;
}
