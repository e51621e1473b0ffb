/* SPDX-License-Identifier: Apache-2.0
 *
 * A host's SQLite database at rest (an EHR application's store, an
 * inference service's request log), collected as a snapshot: one event per
 * row that names a patient, source "database", action "record", so that an
 * incident that exposed the database (`exposed_data` with what: database,
 * casefile-incident(5); src/scope_data.c) counts the patients in it, each
 * cited to the archive member and the table and rowid of the row (the
 * event's line is the rowid; attributes table, column, rowid).
 *
 * Which column names a patient is decided from the schema alone, never
 * from the values: in any table, a column named like a dataset's patient
 * column (patient_id, patient, subject_id, person_id, mrn; any case, as
 * dataset.c reads CSV headers), else, in a table named "patient" or
 * "patients" (one row per patient, as in a FHIR-shaped or Synthea-shaped
 * schema), its "id" column. A table with neither is not read, nor is a
 * virtual table (its module's code would run on the file's terms). An incident
 * entry may narrow the rows counted to one table and column; it cannot name
 * a column this rule does not read (scope says so rather than guess).
 *
 * The snapshot comes from a possibly compromised host: it is read from a
 * private copy, opened by cf_sqlite_open_untrusted (read-only, defensive,
 * no triggers or views, quick_check first), with bounded work: at most
 * TL_DB_TABLES tables and TL_DB_ROWS rows, patient values of at most
 * TL_DB_VALUE bytes; what is beyond is a reject that says so, never a
 * silent cut. A row whose patient column is empty or NULL names nobody and
 * is not an event. An MLflow store is mlflow.c's, not this file's.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/sqlite_safe.h"
#include "tl.h"

#define TL_DB_TABLES 4096
#define TL_DB_ROWS 20000000
#define TL_DB_VALUE 256

/* The patient column of table t (its name into col, colsz bytes), from
 * its columns' names; 0 when it has none, -1 when the table cannot be
 * described (noted in why). */
static int patient_column(sqlite3 *db, const char *t, char *col, size_t colsz,
			  char *why)
{
	sqlite3_stmt *s = NULL;
	int found = 0, idcol = 0, rc;
	int patient_table = !strcasecmp(t, "patient") || !strcasecmp(t, "patients");

	if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?1, 'main')",
			       -1, &s, NULL) != SQLITE_OK) {
		cf_sqlite_note_step(db, SQLITE_ERROR, why);
		return -1;
	}
	sqlite3_bind_text(s, 1, t, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(s, 0);
		size_t len = n ? strlen(n) : 0;
		if (!n || len >= colsz)
			continue;
		if (!found && tl_dataset_patient_col(n, len)) {
			memcpy(col, n, len + 1);
			found = 1;
		} else if (!found && !idcol && patient_table && !strcasecmp(n, "id")) {
			memcpy(col, n, len + 1);
			idcol = 1;
		}
	}
	cf_sqlite_note_step(db, rc, why);
	sqlite3_finalize(s);
	return found || idcol;
}

/* "name" quoted as an SQL identifier into out (outsz bytes); -1 when it
 * does not fit. */
static int quote_ident(const char *name, char *out, size_t outsz)
{
	size_t k = 0;

	if (outsz < 3)
		return -1;
	out[k++] = '"';
	for (const char *p = name; *p; p++) {
		if (k + 3 >= outsz)
			return -1;
		if (*p == '"')
			out[k++] = '"';
		out[k++] = *p;
	}
	out[k++] = '"';
	out[k] = '\0';
	return 0;
}

struct db_state {
	uint64_t rows;  /* rows read, over every table */
	int tables;     /* tables with a patient column */
};

static int emit_row(struct tl_run *r, const char *table, const char *col,
		    sqlite3_int64 rowid, const char *v, size_t n)
{
	struct cf_event ev = {.ts_us = r->meta->ref_us,
			      .ts_desc = "File Modified (record present)",
			      .source = "database", .action = "record"};

	if (n > 8 && !strncmp(v, "Patient/", 8)) {
		v += 8;
		n -= 8;
	}
	tl_event_reset(r);
	if (n > TL_DB_VALUE || memchr(v, 0, n) || !tl_utf8_ok(v, n))
		return tl_reject(r, (uint64_t)rowid, 0, "database: table %s rowid "
				 "%lld: the %s value is not a patient id (over %d "
				 "bytes, or not UTF-8 text)",
				 tl_str(r, table, strnlen(table, 128)), (long long)rowid,
				 tl_str(r, col, strnlen(col, 128)), TL_DB_VALUE);
	ev.patient = tl_str(r, v, n);
	ev.resource = tl_strf(r, "%s rowid %lld", table, (long long)rowid);
	ev.message = tl_strf(r, "record of patient %s in table %s (rowid %lld) of %s",
			     ev.patient, table, (long long)rowid,
			     r->meta->path ? r->meta->path : r->meta->member);
	tl_attr_str(r, "table", table, (size_t)-1);
	tl_attr_str(r, "column", col, (size_t)-1);
	tl_attr_int(r, "rowid", rowid);
	return tl_emit(r, &ev, (uint64_t)rowid, 0);
}

/* The rows of one table that name a patient, in rowid order. */
static int read_table(struct tl_run *r, sqlite3 *db, struct db_state *st,
		      const char *t, const char *col, char *why)
{
	char qt[600], qc[600], sql[1400];
	sqlite3_stmt *s = NULL;
	int rc, out = CF_OK;

	if (quote_ident(t, qt, sizeof qt) || quote_ident(col, qc, sizeof qc))
		return tl_reject(r, 0, 0, "database: table %s: name too long",
				 tl_str(r, t, strnlen(t, 128)));
	snprintf(sql, sizeof sql, "SELECT rowid, %s FROM main.%s ORDER BY rowid", qc, qt);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return tl_reject(r, 0, 0, "database: table %s cannot be read by rowid "
				 "(%s)", tl_str(r, t, strnlen(t, 128)),
				 tl_str(r, sqlite3_errmsg(db),
					strnlen(sqlite3_errmsg(db), 200)));
	st->tables++;
	while (out == CF_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		sqlite3_int64 rowid = sqlite3_column_int64(s, 0);
		const char *v = (const char *)sqlite3_column_text(s, 1);
		int n = sqlite3_column_bytes(s, 1);

		if (++st->rows > TL_DB_ROWS) {
			out = tl_reject(r, (uint64_t)rowid, 0, "database: more than %d rows "
					"read; table %s and the tables after it are cut "
					"here", TL_DB_ROWS, tl_str(r, t, strnlen(t, 128)));
			break;
		}
		if (sqlite3_column_type(s, 1) == SQLITE_NULL || !v || n <= 0)
			continue;
		out = emit_row(r, t, col, rowid, v, (size_t)n);
	}
	if (out == CF_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
		cf_sqlite_note_step(db, rc, why);
	sqlite3_finalize(s);
	return out;
}

int tl_database_sqlite(struct tl_run *r, const char *path, int *tables)
{
	struct db_state st = {0, 0};
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	char why[CF_SQLITE_WHY] = "";
	int rc = CF_OK, step = SQLITE_DONE, ntab = 0;

	*tables = 0;
	{
		struct cf_ctx sub;
		cf_ctx_init(&sub);
		if (cf_sqlite_open_untrusted(&sub, path, CF_SQLITE_QUICK_CHECK, &db) !=
		    CF_OK) {
			*tables = -1;
			return tl_reject(r, 0, 0, "database: the SQLite snapshot is not "
					 "usable (cannot open it, or it fails quick_check)");
		}
	}
	if (sqlite3_prepare_v2(db, "SELECT name FROM main.sqlite_schema WHERE type = "
			       "'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
			       "AND coalesce(sql, '') NOT LIKE 'create virtual%' "
			       "ORDER BY name", -1, &s, NULL) != SQLITE_OK) {
		*tables = -1;
		rc = tl_reject(r, 0, 0, "database: cannot list its tables (%s)",
			       tl_str(r, sqlite3_errmsg(db),
				      strnlen(sqlite3_errmsg(db), 200)));
		goto out;
	}
	while (rc == CF_OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);
		char col[512];
		int has;

		if (!t)
			continue;
		if (++ntab > TL_DB_TABLES) {
			rc = tl_reject(r, 0, 0, "database: more than %d tables; the "
				       "tables after %s are not read", TL_DB_TABLES,
				       tl_str(r, t, strnlen(t, 128)));
			break;
		}
		has = patient_column(db, t, col, sizeof col, why);
		if (has > 0)
			rc = read_table(r, db, &st, t, col, why);
		if (st.rows > TL_DB_ROWS)
			break;
	}
	if (rc == CF_OK && st.rows <= TL_DB_ROWS && ntab <= TL_DB_TABLES)
		cf_sqlite_note_step(db, step, why);
	if (rc == CF_OK && why[0])
		rc = tl_reject(r, 0, 0, "database: the SQLite snapshot could not be read "
			       "to the end (%s)", why);
	*tables = st.tables;
out:
	sqlite3_finalize(s);
	sqlite3_close(db);
	return rc;
}

/* Named for the run and the build summary; the builder copies the
 * snapshot and calls tl_database_sqlite, there are no lines to feed. */
const struct tl_parser tl_database = {.name = "database"};
