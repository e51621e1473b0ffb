/* SPDX-License-Identifier: Apache-2.0
 *
 * Private to the ClickHouse store: the handle (struct ch_conn) and the
 * calls between its three files. src/db_clickhouse_http.c talks to the
 * server (the URI, HTTP requests, escaping of SQL literals and
 * TabSeparated fields, the schema); src/db_clickhouse.c is the backend
 * proper (open and close, writing in batches, lineage);
 * src/db_clickhouse_read.c answers the read operations. Nothing else may
 * include it: the rest of casefile sees a cf_db (casefile/db.h).
 */
#ifndef CASEFILE_DB_CLICKHOUSE_INT_H
#define CASEFILE_DB_CLICKHOUSE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/db.h"
#include "db_backend.h"

#define ERRBODY_MAX 4096         /* bytes of a server error kept */

/* T_FINDINGS (detection findings) is written outside builds: after
 * T_ARCHIVES, so that the build-only loops (purge, insertion numbers)
 * stop before it. T_EVENTS_P is the events that name a patient, ordered
 * by patient (ClickHouse 18.16 has neither data-skipping indexes nor
 * projections, and refuses a Nullable sorting key): filled by the server
 * itself, a materialized view on each node's events table (CH_EVENTS_MV),
 * never written by casefile but changed with the events (lineage updates,
 * purges: cf_ch_events_ddl). */
enum { T_EVENTS, T_REJECTS, T_PATIENTS, T_ARCHIVES, T_FINDINGS, T_EVENTS_P,
       T_N };
#define CH_EVENTS_MV "events_by_patient_mv"

/* The patients table's columns for the facts of casefile/patient.h
 * (struct cf_patient_cols); a store created before them has none until
 * a write adds them (cf_ch_create_schema). */
#define CH_PATIENT_FACTS \
	"reach Nullable(UInt8), deceased Nullable(UInt8)," \
	" next_of_kin Nullable(UInt8), birth_date Nullable(String)"

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
	int by_patient;      /* T_EVENTS_P: 0 not looked up, 1 absent, 2 there */
	int writable;
	char curl_err[CURL_ERROR_SIZE];
};

/* Receives a response: either into a bounded buffer (errors, small
 * results) or line by line into a callback (query results). */
struct sink {
	struct cf_buf buf;        /* whole body, or the partial last line */
	int (*line)(void *arg, char *line);
	void *arg;
	int stopped;              /* the line callback's non-zero value */
	int nomem;
};

static inline struct ch_conn *conn(cf_db *db)
{
	return (struct ch_conn *)db;
}

static inline char *dup_or_null(const char *s, int *nomem)
{
	char *d;

	if (!s)
		return NULL;
	if (!(d = cf_strdup(s)))
		*nomem = 1;
	return d;
}

/* ---- escaping (db_clickhouse_http.c) ---- */

/* Appends s as a ClickHouse string literal: '...' with \ and ' escaped.
 * 0, or -1 when b failed. */
int cf_ch_quote(struct cf_buf *b, const char *s);
/* Appends one TabSeparated field (NULL as \N) and a tab, or a newline
 * when last. 0, or -1 when b failed. */
int cf_ch_tsv_field(struct cf_buf *b, const char *s, int last);
int cf_ch_tsv_u64(struct cf_buf *b, uint64_t v, int last);
int cf_ch_tsv_i64(struct cf_buf *b, int64_t v, int last);
/* Unescapes a TabSeparated field in place; returns NULL for \N. */
char *cf_ch_tsv_unescape(char *f);
/* Splits a line into at most n tab-separated fields; returns the count. */
size_t cf_ch_tsv_split(char *line, char **fields, size_t n);

/* ---- HTTP (db_clickhouse_http.c) ---- */

/* POSTs body to base; the query goes in the URL when body carries data
 * (INSERT), else the body is the query. The answer goes to sink. CF_OK,
 * the line callback's non-zero value, or CF_FAILED/CF_FATAL on ctx. */
int cf_ch_post(struct ch_conn *c, struct cf_ctx *ctx, const char *base,
	       const char *url_query, const char *body, size_t len,
	       struct sink *sink);
/* Runs a statement whose answer is small (DDL, counts); *out, when given,
 * receives the body (caller releases). */
int cf_ch_exec(struct ch_conn *c, struct cf_ctx *ctx, const char *base,
	       const char *sql, struct cf_buf *out);
/* A single unsigned number answered by sql (e.g. count()). */
int cf_ch_u64(struct ch_conn *c, struct cf_ctx *ctx, const char *sql,
	      uint64_t *v);
/* The number answered by "SELECT expr FROM" table t (e.g. count(),
 * max(ins)), the table named as cf_ch_table_ref(c, b, t, 0) names it. */
int cf_ch_table_u64(struct ch_conn *c, struct cf_ctx *ctx, const char *expr,
		    int t, uint64_t *v);

/* ---- names and schema (db_clickhouse_http.c) ---- */

/* Appends "db.events" (the Distributed table on a cluster), or
 * "db.events_local" when local is set. 0, or -1 when b failed. */
int cf_ch_table_ref(const struct ch_conn *c, struct cf_buf *b, int t,
		    int local);
/* Runs DDL on every node that must hold it. */
int cf_ch_ddl(struct ch_conn *c, struct cf_ctx *ctx, const char *sql);
/* The table a query of f reads: T_EVENTS_P for a patient when the store
 * has it, else T_EVENTS (-1 on error, with ctx set). */
int cf_ch_events_table(struct ch_conn *c, struct cf_ctx *ctx,
		       const struct cf_db_filter *f);
/* Runs sql, an ALTER of the events table (named as cf_ch_table_ref(c, b,
 * T_EVENTS, 1) writes it), with cf_ch_ddl, then the same on T_EVENTS_P
 * when the store has it. */
int cf_ch_events_ddl(struct ch_conn *c, struct cf_ctx *ctx, const char *sql);
/* Merges the parts of the patients' copy on every node (OPTIMIZE, not
 * FINAL: the parts a build left, not a rewrite of an already merged
 * table): a lookup reads a few granules in each part that holds the
 * patient, so after a build of many batches the part count, not the
 * rows, is what it pays for. A no-op when the store has no copy. */
int cf_ch_merge_by_patient(struct ch_conn *c, struct cf_ctx *ctx);
/* *has: whether the patients table (its _local one on a cluster when
 * local) at the node base has the CH_PATIENT_FACTS columns. */
int cf_ch_has_patient_facts(struct ch_conn *c, struct cf_ctx *ctx,
			    const char *base, int local, int *has);
/* Creates the database and its tables when they do not exist, and adds
 * the columns a store created by an older casefile lacks. */
int cf_ch_create_schema(struct ch_conn *c, struct cf_ctx *ctx);
/* Fills c->base, dbname, cluster and shards from
 * clickhouse://HOST[:PORT]/DATABASE[?cluster=NAME[&shards=H:P,H:P]]. */
int cf_ch_parse_uri(struct cf_ctx *ctx, struct ch_conn *c, const char *uri);

/* ---- reading (db_clickhouse_read.c): the db_ops read operations ---- */

db_query_op cf_ch_query;
db_span_op cf_ch_span;
db_histogram_op cf_ch_histogram;
db_patients_op cf_ch_patients;
db_archives_op cf_ch_archives;
db_counts_op cf_ch_counts;
db_findings_op cf_ch_findings;

#endif
