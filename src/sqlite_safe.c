/* SPDX-License-Identifier: Apache-2.0
 *
 * Untrusted SQLite files opened one way everywhere (see
 * include/casefile/sqlite_safe.h). The settings follow SQLite's own advice
 * for databases from untrusted sources ("Defense Against The Dark Arts").
 *
 * Also the pin of a live source database (the second half of the header):
 * a collector's check of a path and SQLite's open of it are two lookups of
 * one name, and an intruder can swap the name in between. The pin makes
 * the descriptor SQLite reads through answer for itself: the unix VFS's
 * open(2) is routed through pinned_open() (SQLite's documented
 * xSetSystemCall; installed once, a plain pass-through on every thread
 * that has no pin armed), which opens with O_NOFOLLOW and compares the
 * device and inode of what it got with the file the collector opened
 * itself in the folder it holds. A descriptor that is not that file is
 * closed before SQLite reads a byte of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/error.h"
#include "casefile/sqlite_safe.h"

void cf_sqlite_harden(sqlite3 *db, int defensive)
{
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, defensive, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
}

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
	cf_sqlite_harden(db, 1);
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

/* ==== the pin of a live database ========================================= */

typedef int (*open_fn)(const char *, int, int);

static open_fn real_open;
static int hook_ok;
static pthread_once_t hook_once = PTHREAD_ONCE_INIT;
static _Thread_local struct cf_sqlite_pin *armed;

static void refuse(struct cf_sqlite_pin *p, const char *path, const char *what)
{
	if (!p->why[0])
		snprintf(p->why, sizeof p->why, "'%s' %s", path, what);
}

/* "-wal", "-shm" or "-journal" when path is the database's name with it. */
static const char *side_suffix(const struct cf_sqlite_pin *p, const char *path)
{
	static const char *const sfx[] = {"-wal", "-shm", "-journal"};
	size_t n = strlen(p->main);

	if (!p->seen || strncmp(path, p->main, n))
		return NULL;
	for (size_t k = 0; k < sizeof sfx / sizeof sfx[0]; k++)
		if (!strcmp(path + n, sfx[k]))
			return sfx[k];
	return NULL;
}

/* 1 when fd is a regular file with the identity of `want`. */
static int same_file(int fd, dev_t dev, ino_t ino)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_dev == dev &&
	       st.st_ino == ino;
}

static int pinned_open(const char *path, int flags, int mode)
{
	struct cf_sqlite_pin *p = armed;
	const char *sfx = NULL;
	char side[4096];
	struct stat want;
	int fd, sfd, ok;

	if (!p)
		return real_open(path, flags, mode);
	/* Checked: the first open of the MAIN phase (the database), and in
	 * either phase its -wal, -shm and -journal. */
	if (!(p->phase == CF_SQLITE_PIN_MAIN && !p->seen) && !(sfx = side_suffix(p, path)))
		return real_open(path, flags, mode);
	fd = real_open(path, flags | O_NOFOLLOW, mode);
	if (fd < 0) {
		if (errno == ELOOP)
			refuse(p, path, "is a symbolic link now: not followed");
		return fd;
	}
	if (!sfx) {
		/* The database itself: the file pinned, nothing else. */
		ok = same_file(fd, p->dev, p->ino) && strlen(path) < sizeof p->main;
		if (ok) {
			strcpy(p->main, path);
			p->seen = 1;
		} else {
			snprintf(p->why, sizeof p->why, "the database was replaced between "
				 "its check and SQLite's open (SQLite was led to '%s', another "
				 "device or inode): not read", path);
		}
	} else {
		/* A side file: the one of that name in the pinned folder
		 * (O_PATH: a check of identity, no permission to read needed). */
		ok = snprintf(side, sizeof side, "%s%s", p->base, sfx) < (int)sizeof side;
		sfd = ok ? openat(p->dirfd, side, O_PATH | O_NOFOLLOW | O_CLOEXEC) : -1;
		ok = sfd >= 0 && fstat(sfd, &want) == 0 && S_ISREG(want.st_mode) &&
		     same_file(fd, want.st_dev, want.st_ino);
		if (sfd >= 0)
			close(sfd);
		if (!ok)
			refuse(p, path, "is not the file of that name beside the database "
			       "(replaced, or its folder was): not read");
	}
	if (!ok) {
		close(fd);
		errno = EACCES;
		return -1;
	}
	return fd;
}

static void hook_install(void)
{
	sqlite3_vfs *u = sqlite3_vfs_find("unix");

	if (!u || u->iVersion < 3 || !u->xGetSystemCall || !u->xSetSystemCall)
		return;
	real_open = (open_fn)u->xGetSystemCall(u, "open");
	if (real_open &&
	    u->xSetSystemCall(u, "open", (sqlite3_syscall_ptr)pinned_open) == SQLITE_OK)
		hook_ok = 1;
}

int cf_sqlite_pin_init(struct cf_ctx *ctx, struct cf_sqlite_pin *pin, int dirfd,
		       const char *base)
{
	const int fl = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	struct stat st;

	memset(pin, 0, sizeof *pin);
	pin->fd = -1;
	pin->dirfd = dirfd;
	pin->base = base;
	pin->fd = openat(dirfd, base, fl | O_NOATIME);
	/* O_NOATIME is only for the owner (or CAP_FOWNER). */
	if (pin->fd < 0 && errno == EPERM)
		pin->fd = openat(dirfd, base, fl);
	if (pin->fd < 0 || fstat(pin->fd, &st) < 0)
		return cf_set_error(ctx, errno, "open");
	if (!S_ISREG(st.st_mode))
		return cf_set_error(ctx, 0, "open: not a regular file");
	pin->dev = st.st_dev;
	pin->ino = st.st_ino;
	return CF_OK;
}

int cf_sqlite_pin_arm(struct cf_ctx *ctx, struct cf_sqlite_pin *pin,
		      enum cf_sqlite_pin_phase phase)
{
	pthread_once(&hook_once, hook_install);
	if (!hook_ok)
		return cf_set_error(ctx, 0, "this SQLite library lets no open be "
				    "checked (no system-call table): not read");
	pin->phase = phase;
	armed = phase == CF_SQLITE_PIN_OFF ? NULL : pin;
	return CF_OK;
}

int cf_sqlite_pin_check(struct cf_ctx *ctx, const struct cf_sqlite_pin *pin,
			const char *name)
{
	if (pin->why[0])
		return cf_set_error(ctx, 0, "%s", pin->why);
	if (!pin->seen)
		return cf_set_error(ctx, 0, "'%s': SQLite did not open the file that was "
				    "checked: not read", name);
	return CF_OK;
}

void cf_sqlite_pin_release(struct cf_sqlite_pin *pin)
{
	if (armed == pin)
		armed = NULL;
	if (pin->fd >= 0)
		close(pin->fd);
	pin->fd = -1;
	pin->phase = CF_SQLITE_PIN_OFF;
}
