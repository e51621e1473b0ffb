/* SPDX-License-Identifier: Apache-2.0
 *
 * Untrusted SQLite files opened one way everywhere (see
 * include/casefile/sqlite_safe.h). The settings follow SQLite's own advice
 * for databases from untrusted sources ("Defense Against The Dark Arts").
 */
#include <stdio.h>
#include <string.h>

#include "casefile/error.h"
#include "casefile/sqlite_safe.h"

int cf_sqlite_open_untrusted(struct cf_ctx *ctx, const char *path, int flags,
			     sqlite3 **out)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	const unsigned char *res;
	int rc;

	*out = NULL;
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW,
			     NULL);
	if (rc != SQLITE_OK) {
		cf_set_error(ctx, 0, "%s: cannot open the database: %s", path,
			     db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return CF_FAILED;
	}
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
	if (sqlite3_exec(db, "PRAGMA cell_size_check=ON; PRAGMA mmap_size=0;", NULL,
			 NULL, NULL) != SQLITE_OK)
		goto bad;
	if (flags & CF_SQLITE_QUICK_CHECK) {
		if (sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st, NULL) !=
			    SQLITE_OK ||
		    sqlite3_step(st) != SQLITE_ROW)
			goto bad;
		res = sqlite3_column_text(st, 0);
		if (!res || strcmp((const char *)res, "ok")) {
			cf_set_error(ctx, 0, "%s: damaged database: %s", path,
				     res ? (const char *)res : "quick_check failed");
			goto fail;
		}
		sqlite3_finalize(st);
	}
	*out = db;
	return CF_OK;
bad:
	cf_set_error(ctx, 0, "%s: not a usable database: %s", path, sqlite3_errmsg(db));
fail:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return CF_FAILED;
}

static void note(sqlite3 *db, char *why)
{
	if (!why[0])
		snprintf(why, CF_SQLITE_WHY, "%s", sqlite3_errmsg(db));
}

int cf_sqlite_prepare_optional(sqlite3 *db, const char *sql, sqlite3_stmt **st,
			       char *why)
{
	*st = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) == SQLITE_OK)
		return 1;
	if (strncmp(sqlite3_errmsg(db), "no such table", 13))
		note(db, why);
	sqlite3_finalize(*st);
	*st = NULL;
	return 0;
}

void cf_sqlite_note_step(sqlite3 *db, int rc, char *why)
{
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		note(db, why);
}
