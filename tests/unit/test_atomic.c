/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the atomic writer (src/atomic.c): a file appears under its
 * final name complete or not at all. Besides the normal paths, every
 * allocation, write, fsync and open() the writer makes is failed in turn
 * (SQLite-style: N = 1, 2, ... until the operation succeeds without
 * reaching the fault), and each failure must leave a clear message, no file
 * under the final name and no ".partial" behind. This test is linked with
 * -Wl,--wrap=open (UNIT_LINK_atomic in tests/CMakeLists.txt).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/atomic.h"
#include "casefile/error.h"
#include "testutil.h"

struct fx {
	char *dir, *path, *partial;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	f->dir = tu_tempdir();
	f->path = tu_path(f->dir, "out.bin");
	f->partial = tu_path(f->dir, "out.bin.partial");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	tu_faults_off();
	free(f->path);
	free(f->partial);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

static void assert_content(const char *path, const char *want)
{
	size_t n;
	char *got = tu_read_file(path, &n);

	assert_non_null(got);
	assert_int_equal(n, strlen(want));
	assert_string_equal(got, want);
	free(got);
}

static void test_write_and_mode(void **state)
{
	struct fx *f = *state;
	struct cf_ctx ctx;
	mode_t old = umask(077);

	cf_ctx_init(&ctx);
	/* The requested mode holds whatever the umask. */
	assert_int_equal(cf_write_file_atomic(&ctx, f->path, "hello", 5, 0644, 0),
			 CF_OK);
	assert_content(f->path, "hello");
	assert_int_equal(tu_mode(f->path), 0644);
	assert_false(tu_exists(f->partial));
	umask(0);
	assert_int_equal(cf_write_file_atomic(&ctx, f->path, "again", 5, 0600, 0),
			 CF_OK);
	assert_int_equal(tu_mode(f->path), 0600);
	assert_content(f->path, "again");
	umask(old);
	/* An empty file is a file. */
	assert_int_equal(cf_write_file_atomic(&ctx, f->path, "", 0, 0600, 0), CF_OK);
	assert_content(f->path, "");
}

static void test_no_replace(void **state)
{
	struct fx *f = *state;
	struct cf_ctx ctx;
	struct cf_atomic a;

	cf_ctx_init(&ctx);
	tu_write_file(f->path, "original", 8, 0644);
	assert_int_equal(cf_write_file_atomic(&ctx, f->path, "new", 3, 0644,
					      CF_ATOMIC_NO_REPLACE),
			 CF_FAILED);
	assert_non_null(strstr(ctx.msg, f->path));
	assert_non_null(strstr(ctx.msg, "File exists"));
	assert_content(f->path, "original");
	assert_false(tu_exists(f->partial));
	/* The target appearing between begin and commit is caught too. */
	unlink(f->path);
	assert_int_equal(cf_atomic_begin(&ctx, &a, f->path, 0644,
					 CF_ATOMIC_NO_REPLACE),
			 CF_OK);
	assert_int_equal(cf_atomic_write(&ctx, &a, "new", 3), CF_OK);
	tu_write_file(f->path, "racer", 5, 0644);
	assert_int_equal(cf_atomic_commit(&ctx, &a), CF_FAILED);
	assert_non_null(strstr(ctx.msg, "File exists"));
	assert_content(f->path, "racer");
	assert_false(tu_exists(f->partial));
	cf_atomic_abort(&a); /* after a failed commit: a no-op */
}

static void test_abort_and_stale_partial(void **state)
{
	struct fx *f = *state;
	struct cf_ctx ctx;
	struct cf_atomic a;

	cf_ctx_init(&ctx);
	/* A partial file left by a killed run is replaced. */
	tu_write_file(f->partial, "stale stale stale", 17, 0644);
	assert_int_equal(cf_atomic_begin(&ctx, &a, f->path, 0600, 0), CF_OK);
	assert_int_equal(cf_atomic_write(&ctx, &a, "part", 4), CF_OK);
	assert_true(tu_exists(f->partial));
	assert_false(tu_exists(f->path));
	cf_atomic_abort(&a);
	cf_atomic_abort(&a);
	assert_false(tu_exists(f->partial));
	assert_false(tu_exists(f->path));

	assert_int_equal(cf_atomic_begin(&ctx, &a, f->path, 0600, 0), CF_OK);
	assert_int_equal(cf_atomic_write(&ctx, &a, "one ", 4), CF_OK);
	assert_int_equal(cf_atomic_write(&ctx, &a, "two", 3), CF_OK);
	assert_int_equal(cf_atomic_commit(&ctx, &a), CF_OK);
	cf_atomic_abort(&a); /* after commit: a no-op, the file stays */
	assert_content(f->path, "one two");
	assert_int_equal(cf_atomic_commit(&ctx, &a), CF_FAILED);
	assert_non_null(strstr(ctx.msg, "not open"));
}

static void test_symlink_partial_not_followed(void **state)
{
	struct fx *f = *state;
	char *victim = tu_path(f->dir, "victim");
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	tu_write_file(victim, "precious", 8, 0644);
	assert_int_equal(symlink(victim, f->partial), 0);
	assert_int_equal(cf_write_file_atomic(&ctx, f->path, "evil", 4, 0644, 0),
			 CF_FAILED);
	assert_non_null(strstr(ctx.msg, "cannot create"));
	assert_non_null(strstr(ctx.msg, f->partial));
	assert_content(victim, "precious");
	assert_false(tu_exists(f->path));
	free(victim);
}

static void test_missing_folder(void **state)
{
	struct fx *f = *state;
	char *p = tu_path(f->dir, "no/such/dir/file");
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	assert_int_equal(cf_write_file_atomic(&ctx, p, "x", 1, 0644, 0), CF_FAILED);
	assert_non_null(strstr(ctx.msg, "cannot create"));
	assert_non_null(strstr(ctx.msg, "No such file or directory"));
	free(p);
}

/* ---- fault injection ---------------------------------------------------- */

static const char payload[] = "evidence bytes that must arrive whole\n";

/* One multi-step write: begin, three writes, commit. */
static int write_steps(struct cf_ctx *ctx, const char *path)
{
	struct cf_atomic a;
	int rc;

	if ((rc = cf_atomic_begin(ctx, &a, path, 0600, CF_ATOMIC_NO_REPLACE)))
		return rc;
	for (int i = 0; i < 3; i++) {
		size_t third = (sizeof payload - 1) / 3;
		size_t n = i < 2 ? third : sizeof payload - 1 - 2 * third;
		if ((rc = cf_atomic_write(ctx, &a, payload + i * third, n))) {
			cf_atomic_abort(&a);
			return rc;
		}
	}
	return cf_atomic_commit(ctx, &a);
}

static int write_once(struct cf_ctx *ctx, const char *path)
{
	return cf_write_file_atomic(ctx, path, payload, sizeof payload - 1, 0600,
				    CF_ATOMIC_NO_REPLACE);
}

/* Fails the Nth call of `kind` for N = 1, 2, ... until op succeeds without
 * reaching the fault. Returns the number of failing N seen. */
static unsigned long fault_loop(struct fx *f, enum cf_fault_kind kind,
				int (*op)(struct cf_ctx *, const char *))
{
	unsigned long n;

	for (n = 1; n < 10000; n++) {
		struct cf_ctx ctx;
		int rc;
		cf_ctx_init(&ctx);
		cf_fault_set(kind, n, 0);
		rc = op(&ctx, f->path);
		if (cf_fault_count(kind) < n) {
			cf_fault_set(kind, 0, 0);
			if (rc != CF_OK)
				fail_msg("no fault reached but failed: %s", ctx.msg);
			assert_content(f->path, payload);
			assert_int_equal(tu_mode(f->path), 0600);
			unlink(f->path);
			return n - 1;
		}
		cf_fault_set(kind, 0, 0);
		if (rc == CF_OK) {
			/* The fault was absorbed (e.g. a retried path): the
			 * result must still be whole. */
			assert_content(f->path, payload);
			unlink(f->path);
			continue;
		}
		if (!ctx.msg[0])
			fail_msg("fault %d at call %lu: failure without a message",
				 kind, n);
		if (tu_exists(f->path))
			fail_msg("fault %d at call %lu (%s): '%s' exists", kind, n,
				 ctx.msg, f->path);
		if (tu_exists(f->partial))
			fail_msg("fault %d at call %lu (%s): partial file left",
				 kind, n, ctx.msg);
		assert_int_equal(tu_count_entries(f->dir), 0);
	}
	fail_msg("fault loop did not finish");
	return 0;
}

static void test_alloc_faults(void **state)
{
	struct fx *f = *state;

	assert_true(fault_loop(f, CF_FAULT_ALLOC, write_once) >= 2);
	assert_true(fault_loop(f, CF_FAULT_ALLOC, write_steps) >= 2);
}

static void test_write_faults(void **state)
{
	struct fx *f = *state;

	assert_int_equal(fault_loop(f, CF_FAULT_WRITE, write_once), 1);
	assert_int_equal(fault_loop(f, CF_FAULT_WRITE, write_steps), 3);
}

static void test_fsync_faults(void **state)
{
	struct fx *f = *state;

	/* The file, then its folder. */
	assert_int_equal(fault_loop(f, CF_FAULT_FSYNC, write_once), 2);
	assert_int_equal(fault_loop(f, CF_FAULT_FSYNC, write_steps), 2);
}

/* A state file rewritten in place whose folder cannot be synced: the
 * write fails, but the file is never lost. It holds the new bytes, whole
 * (the old ones went with the rename), never nothing. */
static void test_replace_folder_sync_fails(void **state)
{
	struct fx *f = *state;
	static const char old[] = "state before\n", now[] = "state after\n";
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	assert_int_equal(cf_write_file_atomic(&ctx, f->path, old, sizeof old - 1,
					      0600, 0), CF_OK);
	cf_fault_set(CF_FAULT_FSYNC, 2, 0); /* the file, then its folder */
	assert_int_not_equal(cf_write_file_atomic(&ctx, f->path, now,
						  sizeof now - 1, 0600, 0),
			     CF_OK);
	cf_fault_set(CF_FAULT_FSYNC, 0, 0);
	assert_true(ctx.msg[0] != '\0');
	assert_content(f->path, now);
	assert_false(tu_exists(f->partial));
	unlink(f->path);
}

static void test_open_faults(void **state)
{
	struct fx *f = *state;
	unsigned long n;

	for (n = 1; n < 100; n++) {
		struct cf_ctx ctx;
		int rc;
		cf_ctx_init(&ctx);
		tu_open_fail(n, EACCES);
		rc = write_once(&ctx, f->path);
		if (tu_open_count() < n) {
			tu_open_fail(0, 0);
			assert_int_equal(rc, CF_OK);
			assert_content(f->path, payload);
			unlink(f->path);
			break;
		}
		tu_open_fail(0, 0);
		assert_int_not_equal(rc, CF_OK);
		/* A clean message: what could not be opened, and why. */
		assert_non_null(strstr(ctx.msg, f->dir));
		assert_non_null(strstr(ctx.msg, "Permission denied"));
		assert_false(tu_exists(f->path));
		assert_false(tu_exists(f->partial));
	}
	/* The partial file, then the folder to sync. */
	assert_int_equal(n, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_and_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_and_stale_partial, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_symlink_partial_not_followed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_folder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsync_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_folder_sync_fails, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_open_faults, setup, teardown),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
