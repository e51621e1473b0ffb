/* SPDX-License-Identifier: Apache-2.0
 *
 * Private to the timeline store (src/db.c and its backends, src/db_sqlite.c
 * and src/db_clickhouse.c): the table of backend operations behind
 * include/casefile/db.h and the common part of a handle. Callers of the
 * store never see this; a backend fills `ops` at open and frees its whole
 * handle in ops->close and ops->abandon.
 */
#ifndef CASEFILE_DB_BACKEND_H
#define CASEFILE_DB_BACKEND_H

#include <stdint.h>

#include "casefile/db.h"

struct cf_ctx;

/* The read operations' types: a backend declares its own with them
 * (db_sqlite_int.h, db_clickhouse_int.h), so that each signature is
 * written once, here, and a definition that strays from it does not
 * compile. */
typedef int db_query_op(cf_db *, struct cf_ctx *, const struct cf_db_filter *,
			cf_db_event_fn, void *);
typedef int db_span_op(cf_db *, struct cf_ctx *, const struct cf_db_filter *,
		       int64_t *, int64_t *, int64_t *);
typedef int db_histogram_op(cf_db *, struct cf_ctx *,
			    const struct cf_db_filter *, int64_t, int64_t,
			    size_t, int64_t *);
typedef int db_patients_op(cf_db *, struct cf_ctx *, cf_db_patient_fn, void *);
typedef int db_archives_op(cf_db *, struct cf_ctx *, cf_db_archive_fn, void *);
typedef int db_counts_op(cf_db *, struct cf_ctx *, int64_t *, int64_t *);
typedef int db_findings_op(cf_db *, struct cf_ctx *, cf_db_finding_fn, void *);

struct db_ops {
	int (*has_archive)(cf_db *, struct cf_ctx *, const char *);
	int (*begin)(cf_db *, struct cf_ctx *);
	int (*commit)(cf_db *, struct cf_ctx *);
	void (*rollback)(cf_db *);
	int (*event)(cf_db *, struct cf_ctx *, const struct cf_event *);
	int (*reject)(cf_db *, struct cf_ctx *, const struct cf_reject *);
	int (*patient)(cf_db *, struct cf_ctx *, const struct cf_patient *);
	int (*archive)(cf_db *, struct cf_ctx *, const struct cf_db_archive *);
	db_query_op *query;
	db_span_op *span;
	db_histogram_op *histogram;
	db_patients_op *patients;
	db_archives_op *archives;
	db_counts_op *counts;
	int (*link)(cf_db *, struct cf_ctx *); /* optional: decisions to lineage */
	int (*finding)(cf_db *, struct cf_ctx *, const struct cf_finding *);
	db_findings_op *findings;
	int (*close)(cf_db *, struct cf_ctx *);
	void (*abandon)(cf_db *); /* optional: close without keeping the build */
};

/* The common part of every backend's handle, its first member: a backend
 * allocates its own handle (struct sq_store, struct ch_conn) and frees it,
 * with all its state, in ops->close and ops->abandon. */
struct cf_db {
	const struct db_ops *ops;
};

/* Opens a SQLite store at path (a file). */
int cf_db_sqlite_open(struct cf_ctx *ctx, const char *path, int mode,
		      cf_db **out);
/* Opens "clickhouse://HOST:PORT/DATABASE[?cluster=NAME[&shards=H:P,...]]";
 * on success *out is a handle whose ops talk to ClickHouse. */
int cf_db_clickhouse_open(struct cf_ctx *ctx, const char *uri, int mode,
			  cf_db **out);

#endif
