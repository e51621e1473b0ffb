/* SPDX-License-Identifier: Apache-2.0
 *
 * Private to the timeline store (src/db.c, src/db_clickhouse.c): the table of
 * backend operations behind include/casefile/db.h and the handle they share.
 * Callers of the store never see this; a backend fills `ops` at open and
 * frees only its own state in ops->close (cf_db_close frees the handle).
 */
#ifndef CASEFILE_DB_BACKEND_H
#define CASEFILE_DB_BACKEND_H

#include <sqlite3.h>
#include <stdint.h>

#include "casefile/atomic.h"
#include "casefile/db.h"

struct cf_ctx;

struct db_ops {
	int (*has_archive)(cf_db *, struct cf_ctx *, const char *);
	int (*begin)(cf_db *, struct cf_ctx *);
	int (*commit)(cf_db *, struct cf_ctx *);
	void (*rollback)(cf_db *);
	int (*event)(cf_db *, struct cf_ctx *, const struct cf_event *);
	int (*reject)(cf_db *, struct cf_ctx *, const struct cf_reject *);
	int (*patient)(cf_db *, struct cf_ctx *, const struct cf_patient *);
	int (*archive)(cf_db *, struct cf_ctx *, const struct cf_db_archive *);
	int (*query)(cf_db *, struct cf_ctx *, const struct cf_db_filter *,
		     cf_db_event_fn, void *);
	int (*patients)(cf_db *, struct cf_ctx *, cf_db_patient_fn, void *);
	int (*archives)(cf_db *, struct cf_ctx *, cf_db_archive_fn, void *);
	int (*counts)(cf_db *, struct cf_ctx *, int64_t *, int64_t *);
	int (*link)(cf_db *, struct cf_ctx *); /* optional: decisions to lineage */
	int (*close)(cf_db *, struct cf_ctx *);
	void (*abandon)(cf_db *); /* optional: close without keeping the build */
};

enum { ST_EVENT, ST_REJECT, ST_PATIENT, ST_ARCHIVE, ST_HAS_ARCHIVE, ST_N };

struct ch_conn; /* src/db_clickhouse.c */

struct cf_db {
	const struct db_ops *ops;
	char *location;
	/* SQLite */
	sqlite3 *sq;
	sqlite3_stmt *st[ST_N];
	int writable;
	int deferred_indexes; /* create the indexes at close */
	int in_txn;           /* an archive's savepoint is open */
	int in_build;         /* the build's transaction is open */
	int fresh;            /* built in `at.tmp`, renamed over `at.path` at close */
	struct cf_atomic at;
	/* ClickHouse */
	struct ch_conn *ch;
};

/* Opens "clickhouse://HOST:PORT/DATABASE[?cluster=NAME[&shards=H:P,...]]";
 * on success *out is a handle whose ops talk to ClickHouse. */
int cf_db_clickhouse_open(struct cf_ctx *ctx, const char *uri, int mode,
			  cf_db **out);

#endif
