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

#include <sys/types.h>

#include <sqlite3.h>

struct cf_ctx;

#define CF_SQLITE_QUICK_CHECK 1

/* What every connection casefile opens turns off: triggers, views,
 * extension loading and SQL functions named by the schema; and, when
 * defensive, writes to the schema and to virtual tables' shadow tables
 * (only the connection that copies a text index in needs those). */
void cf_sqlite_harden(sqlite3 *db, int defensive);

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

/* ---- a live database on a host, opened by SQLite as the file checked ----
 *
 * SQLite opens files by path. A collector checks a source (lstat: a
 * regular file, no symlink) and then lets SQLite open it: in between, an
 * intruder can swap the path for a symlink or another file, and SQLite
 * would read that one under the source's name. SQLite cannot be given a
 * file descriptor: "/proc/self/fd/N" is resolved back to a path by
 * SQLite's own symlink resolution, and the names of the -wal, -shm and
 * -journal files are derived from the database's path, so a live WAL
 * database could not be read consistently that way. Instead:
 *
 * 1. cf_sqlite_pin_init() opens the file itself, relative to its folder's
 *    descriptor (opened without following symlinks), with O_NOFOLLOW, and
 *    keeps that descriptor's device and inode;
 * 2. while the pin is armed on the calling thread, every open(2) SQLite's
 *    unix VFS makes (through its documented system-call table,
 *    xSetSystemCall) is checked on the descriptor it returns: the first
 *    one during CF_SQLITE_PIN_MAIN is the database, and must be the same
 *    device and inode as the pinned file; during CF_SQLITE_PIN_SIDES a
 *    file named after it with -wal, -shm or -journal must be the same
 *    file as that name opened (O_NOFOLLOW) in the pinned folder. All of
 *    them are opened with O_NOFOLLOW. A mismatch closes the descriptor and
 *    fails the open, so SQLite never reads a byte of the other file;
 * 3. cf_sqlite_pin_check() tells whether anything was refused, or whether
 *    the database's open was never seen (fail closed).
 *
 * The check is on the descriptor SQLite then reads through, so no later
 * swap (a rename back included) changes what was read. */

enum cf_sqlite_pin_phase { CF_SQLITE_PIN_OFF = 0, CF_SQLITE_PIN_MAIN, CF_SQLITE_PIN_SIDES };

struct cf_sqlite_pin {
	int fd;               /* the database, O_RDONLY|O_NOFOLLOW; -1 when none */
	int dirfd;            /* its folder (not owned) */
	const char *base;     /* its name in dirfd (not owned) */
	dev_t dev;            /* identity of fd */
	ino_t ino;
	enum cf_sqlite_pin_phase phase;
	char main[4096];      /* the name SQLite opened the database by */
	int seen;             /* the database's open was checked */
	char why[256];        /* first refusal, "" when none */
};

/* Opens base in dirfd without following a symlink and pins it (fd, dev,
 * ino); refuses what is not a regular file. The pin is then armed on the
 * calling thread with cf_sqlite_pin_arm(). CF_OK, or CF_FAILED with ctx
 * saying why. Release with cf_sqlite_pin_release() in any case; a pin
 * that was never initialised must be {.fd = -1}. */
int cf_sqlite_pin_init(struct cf_ctx *ctx, struct cf_sqlite_pin *pin, int dirfd,
		       const char *base);
/* Arms the pin on this thread for phase (CF_SQLITE_PIN_OFF disarms). One
 * pin at a time per thread. CF_OK, or CF_FAILED when SQLite's unix VFS
 * offers no system-call table (ctx says so). */
int cf_sqlite_pin_arm(struct cf_ctx *ctx, struct cf_sqlite_pin *pin,
		      enum cf_sqlite_pin_phase phase);
/* CF_OK when every open SQLite made was the pinned file (or its side
 * files) and the database's open was seen; else CF_FAILED with the reason
 * in ctx, naming `name`. */
int cf_sqlite_pin_check(struct cf_ctx *ctx, const struct cf_sqlite_pin *pin,
			const char *name);
/* Disarms and closes. */
void cf_sqlite_pin_release(struct cf_sqlite_pin *pin);

#endif
