/* SPDX-License-Identifier: Apache-2.0
 *
 * Tests of cf_sqlite_open_untrusted(): a sound database opens read-only; a
 * damaged one is refused by quick_check with the file named; a symlink and
 * a file that is not a database are refused; nothing is written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "casefile/error.h"
#include "casefile/sqlite_safe.h"

static char dir[] = "/tmp/cf-sqlite-safe-XXXXXX";
static char good[128], bad[128], link_[128], text[128];

static int setup(void **state)
{
	sqlite3 *db;
	char *sql;
	FILE *f;

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(good, sizeof good, "%s/good.db", dir);
	snprintf(bad, sizeof bad, "%s/bad.db", dir);
	snprintf(link_, sizeof link_, "%s/link.db", dir);
	snprintf(text, sizeof text, "%s/text.db", dir);
	if (sqlite3_open(good, &db) != SQLITE_OK)
		return -1;
	sql = "PRAGMA page_size=1024; CREATE TABLE t(a TEXT); CREATE INDEX ti ON t(a);"
	      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<2000)"
	      " INSERT INTO t SELECT printf('row %d %s', i, hex(randomblob(20))) FROM n;";
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	sqlite3_close(db);
	/* bad.db: the same file with a page in the middle overwritten. */
	{
		FILE *in = fopen(good, "rb"), *out = fopen(bad, "wb");
		char buf[1024];
		size_t n, page = 0;
		if (!in || !out)
			return -1;
		while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
			if (page == 20)
				memset(buf, 0x5a, n);
			fwrite(buf, 1, n, out);
			page++;
		}
		fclose(in);
		fclose(out);
	}
	if (symlink(good, link_) < 0)
		return -1;
	if (!(f = fopen(text, "w")))
		return -1;
	fputs("not a database\n", f);
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(good);
	unlink(bad);
	unlink(link_);
	unlink(text);
	rmdir(dir);
	return 0;
}

static void test_good_opens_read_only(void **state)
{
	struct cf_ctx ctx;
	sqlite3 *db;
	struct stat before, after;

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_equal(stat(good, &before), 0);
	assert_int_equal(cf_sqlite_open_untrusted(&ctx, good, CF_SQLITE_QUICK_CHECK, &db),
			 CF_OK);
	assert_non_null(db);
	assert_int_not_equal(sqlite3_exec(db, "INSERT INTO t VALUES('x')", NULL, NULL, NULL),
			     SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(stat(good, &after), 0);
	assert_int_equal(before.st_size, after.st_size);
	assert_int_equal(before.st_mtime, after.st_mtime);
}

static void test_damaged_refused(void **state)
{
	struct cf_ctx ctx;
	sqlite3 *db = (sqlite3 *)1;

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_equal(cf_sqlite_open_untrusted(&ctx, bad, CF_SQLITE_QUICK_CHECK, &db),
			 CF_FAILED);
	assert_null(db);
	assert_non_null(strstr(cf_errmsg(&ctx), bad));
}

static void test_symlink_and_text_refused(void **state)
{
	struct cf_ctx ctx;
	sqlite3 *db;

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_equal(cf_sqlite_open_untrusted(&ctx, link_, 0, &db), CF_FAILED);
	assert_non_null(strstr(cf_errmsg(&ctx), link_));
	cf_ctx_init(&ctx);
	assert_int_equal(cf_sqlite_open_untrusted(&ctx, text, CF_SQLITE_QUICK_CHECK, &db),
			 CF_FAILED);
	assert_non_null(strstr(cf_errmsg(&ctx), text));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_opens_read_only),
		cmocka_unit_test(test_damaged_refused),
		cmocka_unit_test(test_symlink_and_text_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
