/* SPDX-License-Identifier: Apache-2.0
 *
 * A database source cannot be redirected (issue: collectors read what they
 * checked). The `sqlite` and `mlflow` sources check the database's path
 * (a regular file, no symlink) and then let SQLite open it by path; an
 * intruder who swaps the path in between must not get another file read
 * and stored under the source's name.
 *
 * The race is made deterministic: sqlite3_open_v2 is wrapped
 * (-Wl,--wrap=sqlite3_open_v2, tests/CMakeLists.txt), and the wrapper
 * performs the swap right before the real open of the source's "file:"
 * URI, i.e. after every check the collector made. The swap is one of: the
 * database replaced by a symlink to a planted database, the database
 * replaced (rename) by the planted database itself, or the database's -wal
 * replaced by a symlink. A whole collection then runs, and the archive
 * must hold no byte of the planted database while its item records the
 * read error. Before the pin (src/sqlite_safe.c), SQLite followed the
 * symlink or read the renamed file, and the planted rows were stored as
 * the source's snapshot.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "casefile/error.h"
#include "casefile/sign.h"
#include "collect/collect.h"
#include "testutil.h"

enum swap { SWAP_NONE, SWAP_SYMLINK, SWAP_RENAME, SWAP_WAL_SYMLINK };

static enum swap swap_kind;
static char *swap_db, *swap_evil; /* the source database, the planted one */
static int swapped;

int __real_sqlite3_open_v2(const char *name, sqlite3 **db, int flags, const char *vfs);

int __wrap_sqlite3_open_v2(const char *name, sqlite3 **db, int flags, const char *vfs)
{
	char tmp[4200], side[4200];

	if (swap_kind != SWAP_NONE && !swapped && !strncmp(name, "file:", 5) &&
	    strstr(name, "/host/")) {
		swapped = 1;
		snprintf(tmp, sizeof tmp, "%s.swap", swap_db);
		switch (swap_kind) {
		case SWAP_SYMLINK:
			assert_int_equal(symlink(swap_evil, tmp), 0);
			assert_int_equal(rename(tmp, swap_db), 0);
			break;
		case SWAP_RENAME:
			assert_int_equal(rename(swap_evil, swap_db), 0);
			break;
		case SWAP_WAL_SYMLINK:
			snprintf(side, sizeof side, "%s-wal", swap_db);
			snprintf(tmp, sizeof tmp, "%s-wal", swap_evil);
			assert_int_equal(unlink(side), 0);
			assert_int_equal(symlink(tmp, side), 0);
			break;
		default:
			break;
		}
	}
	return __real_sqlite3_open_v2(name, db, flags, vfs);
}

static void make_db(const char *path, const char *word, int wal, sqlite3 **keep)
{
	sqlite3 *db;
	char sql[256];

	assert_int_equal(__real_sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
						SQLITE_OPEN_CREATE, NULL), SQLITE_OK);
	snprintf(sql, sizeof sql,
		 "%sCREATE TABLE t(x); INSERT INTO t VALUES ('%s-rows-0123456789');",
		 wal ? "PRAGMA journal_mode=wal; PRAGMA wal_autocheckpoint=0; " : "", word);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	if (keep)
		*keep = db; /* a live connection: the -wal stays, uncheckpointed */
	else
		sqlite3_close(db);
}

/* 1 when any member of the archive holds needle. *items gets items.jsonl. */
static int archive_has(const char *path, const char *needle, char **items)
{
	struct archive *ar = archive_read_new();
	struct archive_entry *e;
	int found = 0;

	*items = NULL;
	archive_read_support_format_tar(ar);
	assert_int_equal(archive_read_open_filename(ar, path, 65536), ARCHIVE_OK);
	while (archive_read_next_header(ar, &e) == ARCHIVE_OK) {
		size_t n = (size_t)archive_entry_size(e);
		char *buf = calloc(1, n + 1);
		assert_non_null(buf);
		assert_int_equal(archive_read_data(ar, buf, n), (ssize_t)n);
		if (memmem(buf, n, needle, strlen(needle)))
			found = 1;
		if (!strcmp(archive_entry_pathname(e), "casefile/items.jsonl"))
			*items = buf;
		else
			free(buf);
	}
	archive_read_free(ar);
	assert_non_null(*items);
	return found;
}

static void run(const char *type, enum swap kind, int wal, int expect_refused)
{
	char *dir = tu_tempdir(), *host = tu_path(dir, "host");
	char *prof = tu_path(dir, "p.yaml"), *out = tu_path(dir, "out.tar");
	char *items, text[8192];
	struct cf_collect_opts o = {0};
	struct cf_collect_summary sum;
	struct cf_ctx ctx;
	sqlite3 *live = NULL, *live2 = NULL;
	cf_key *k;

	cf_ctx_init(&ctx);
	assert_int_equal(mkdir(host, 0700), 0);
	swap_db = tu_path(host, "app.db");
	swap_evil = tu_path(dir, "planted.db");
	swapped = 0;
	swap_kind = kind;
	make_db(swap_db, "genuine", wal, &live);
	make_db(swap_evil, "planted", wal, &live2);
	assert_non_null(k = cf_key_generate(&ctx));
	if (!strcmp(type, "sqlite"))
		snprintf(text, sizeof text,
			 "profile: swap\nsources:\n  - id: db\n    type: sqlite\n    path: %s\n",
			 swap_db);
	else
		snprintf(text, sizeof text,
			 "profile: swap\nsources:\n  - id: db\n    type: mlflow\n"
			 "    store: %s\n    artifacts: %s/none\n", swap_db, host);
	tu_write_file(prof, text, strlen(text), 0600);
	o.out = out;
	o.key = k;
	o.profile = prof;
	o.compress = CF_COMPRESS_NONE;
	if (cf_collect_run(&ctx, &o, &sum) != CF_OK)
		fail_msg("collect: %s", cf_errmsg(&ctx));
	assert_int_equal(swapped, kind != SWAP_NONE);
	assert_false(archive_has(out, "planted-rows", &items));
	if (getenv("SWAP_DEBUG"))
		fprintf(stderr, "%s\n", items);
	if (expect_refused) {
		/* recorded: the item is unreadable, with the reason */
		assert_non_null(strstr(items, "\"skip_reason\":\"unreadable\""));
		assert_true(strstr(items, "replaced") || strstr(items, "symbolic link"));
		assert_true(sum.unreadable >= 1);
	} else {
		char *again;
		assert_true(archive_has(out, "genuine-rows", &again));
		free(again);
	}
	free(items);
	cf_key_free(k);
	if (live)
		sqlite3_close(live);
	if (live2)
		sqlite3_close(live2);
	swap_kind = SWAP_NONE;
	free(swap_db);
	free(swap_evil);
	free(host);
	free(prof);
	free(out);
	tu_rmtree(dir);
}

static void sqlite_unswapped_is_collected(void **state)
{
	(void)state;
	run("sqlite", SWAP_NONE, 0, 0);
	run("sqlite", SWAP_NONE, 1, 0); /* live WAL: -wal and -shm checked, same files */
	run("mlflow", SWAP_NONE, 0, 0);
}

static void sqlite_symlink_swap_is_refused(void **state)
{
	(void)state;
	run("sqlite", SWAP_SYMLINK, 0, 1);
	run("sqlite", SWAP_SYMLINK, 1, 1);
}

static void sqlite_rename_swap_is_refused(void **state)
{
	(void)state;
	run("sqlite", SWAP_RENAME, 0, 1);
}

static void sqlite_wal_symlink_swap_is_refused(void **state)
{
	(void)state;
	run("sqlite", SWAP_WAL_SYMLINK, 1, 1);
}

static void mlflow_symlink_swap_is_refused(void **state)
{
	(void)state;
	run("mlflow", SWAP_SYMLINK, 0, 1);
}

static void mlflow_rename_swap_is_refused(void **state)
{
	(void)state;
	run("mlflow", SWAP_RENAME, 0, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sqlite_unswapped_is_collected),
		cmocka_unit_test(sqlite_symlink_swap_is_refused),
		cmocka_unit_test(sqlite_rename_swap_is_refused),
		cmocka_unit_test(sqlite_wal_symlink_swap_is_refused),
		cmocka_unit_test(mlflow_symlink_swap_is_refused),
		cmocka_unit_test(mlflow_rename_swap_is_refused),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
