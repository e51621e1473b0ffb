/* SPDX-License-Identifier: Apache-2.0
 *
 * Opening a SQLite database that came from somewhere else (a collected MLflow
 * store, a snapshot taken from a compromised host) without trusting it.
 *
 * Read-only, never following a symlink, with SQLite's defensive mode on,
 * trusted_schema off, triggers, views and extension loading off, cell size
 * checks on and memory mapping off (a corrupt file then yields an error,
 * not a crash), and, when asked, PRAGMA quick_check before any query, so a
 * damaged or crafted file is refused with a clear message up front.
 */
#ifndef CASEFILE_SQLITE_SAFE_H
#define CASEFILE_SQLITE_SAFE_H

#include <sqlite3.h>

struct cf_ctx;

#define CF_SQLITE_QUICK_CHECK 1

/* Opens path read-only with the settings above. flags: CF_SQLITE_QUICK_CHECK
 * runs PRAGMA quick_check and refuses a database that fails it. On failure
 * *out is NULL and ctx names the file and the reason. */
int cf_sqlite_open_untrusted(struct cf_ctx *ctx, const char *path, int flags,
			     sqlite3 **out);

/* Queries of a store whose schema depends on the version of the program
 * that wrote it (MLflow adds tables over time). A query whose table the
 * store lacks reads as no rows; any other failure, to prepare (a table
 * replaced by a view, which the open above refuses to run; a column of
 * another type) or to step to the end (corruption that quick_check let
 * through, an I/O error), is noted in why (CF_SQLITE_WHY bytes, the first
 * failure kept), so that the caller can say what it could not read
 * instead of passing off part of a store as all of it. */
#define CF_SQLITE_WHY 160
/* 1 and *st prepared; 0 when there is nothing to read (*st NULL). */
int cf_sqlite_prepare_optional(sqlite3 *db, const char *sql, sqlite3_stmt **st,
			       char *why);
/* After the last sqlite3_step of a statement: notes a step that ended in
 * an error (rc is what sqlite3_step returned). */
void cf_sqlite_note_step(sqlite3 *db, int rc, char *why);

#endif
