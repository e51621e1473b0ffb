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

#endif
