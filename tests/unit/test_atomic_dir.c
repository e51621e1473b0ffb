/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the atomic publish of a set of files into a folder
 * (cf_atomic_dir_*, src/atomic.c): a package of files appears whole in its
 * folder or not at all, replacing the files of an earlier package of the
 * same names and leaving every other file alone; no staging folder stays
 * behind. Besides the normal paths, every allocation, write and fsync is
 * failed in turn (N = 1, 2, ... until the publish succeeds without
 * reaching the fault): each failure must leave a message and the earlier
 * package exactly as it was, except the sync of the output folder once the
 * files are in place, which is a warning (unsynced).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
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
	char *dir, *out;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	f->dir = tu_tempdir();
	f->out = tu_path(f->dir, "pkg");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	tu_faults_off();
	free(f->out);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

static void assert_file(const char *dir, const char *name, const char *want)
{
	char *p = tu_path(dir, name);
	char *got = tu_read_file(p, NULL);

	if (!got)
		fail_msg("'%s' missing", p);
	assert_string_equal(got, want);
	free(got);
	free(p);
}

/* 1 when dir holds an entry whose name starts with ".casefile-". */
static int has_stage(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int found = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		found |= !strncmp(de->d_name, ".casefile-", 10);
	closedir(d);
	return found;
}

/* The earlier package: a.txt and keep.txt. */
static void earlier(struct fx *f)
{
	char *p;

	assert_int_equal(mkdir(f->out, 0700), 0);
	p = tu_path(f->out, "a.txt");
	tu_write_file(p, "old a\n", 6, 0600);
	free(p);
	p = tu_path(f->out, "keep.txt");
	tu_write_file(p, "kept\n", 5, 0600);
	free(p);
}

static void assert_earlier(struct fx *f)
{
	assert_int_equal(tu_count_entries(f->out), 2);
	assert_file(f->out, "a.txt", "old a\n");
	assert_file(f->out, "keep.txt", "kept\n");
}

/* A package of three files: two written here, one by "another writer"
 * at the path the stage gives. */
static int publish(struct cf_ctx *ctx, struct fx *f, int *unsynced)
{
	struct cf_atomic_dir d;
	char *p;
	int rc;

	*unsynced = 0;
	if ((rc = cf_atomic_dir_begin(ctx, &d, f->out, 0700, "test")) != CF_OK)
		return rc;
	if ((rc = cf_atomic_dir_add(ctx, &d, "a.txt", "new a\n", 6, 0600)) == CF_OK &&
	    (rc = cf_atomic_dir_add(ctx, &d, "b.txt", "new b\n", 6, 0640)) == CF_OK) {
		if (!(p = cf_atomic_dir_path(ctx, &d, "c.bin")))
			rc = CF_FAILED;
		else
			rc = cf_write_file_atomic(ctx, p, "c", 1, 0600, 0);
		free(p);
	}
	if (rc == CF_OK)
		rc = cf_atomic_dir_commit(ctx, &d, unsynced);
	cf_atomic_dir_abort(&d);
	return rc;
}

static void assert_published(struct fx *f)
{
	assert_int_equal(tu_count_entries(f->out), 4);
	assert_file(f->out, "a.txt", "new a\n");
	assert_file(f->out, "b.txt", "new b\n");
	assert_file(f->out, "c.bin", "c");
	assert_file(f->out, "keep.txt", "kept\n");
	{
		char *p = tu_path(f->out, "b.txt");
		assert_int_equal(tu_mode(p), 0640);
		free(p);
	}
}

static void test_publish_over_earlier(void **state)
{
	struct fx *f = *state;
	struct cf_ctx ctx;
	int unsynced;

	earlier(f);
	cf_ctx_init(&ctx);
	assert_int_equal(publish(&ctx, f, &unsynced), CF_OK);
	assert_int_equal(unsynced, 0);
	assert_published(f);
	assert_false(has_stage(f->out));
}

static void test_creates_folder(void **state)
{
	struct fx *f = *state;
	struct cf_ctx ctx;
	int unsynced;

	cf_ctx_init(&ctx);
	assert_int_equal(publish(&ctx, f, &unsynced), CF_OK);
	assert_int_equal(tu_mode(f->out), 0700);
	assert_int_equal(tu_count_entries(f->out), 3);
	assert_file(f->out, "a.txt", "new a\n");
}

static void test_not_a_folder(void **state)
{
	struct fx *f = *state;
	struct cf_ctx ctx;
	int unsynced;

	tu_write_file(f->out, "x", 1, 0600);
	cf_ctx_init(&ctx);
	assert_int_equal(publish(&ctx, f, &unsynced), CF_FAILED);
	assert_non_null(strstr(ctx.msg, "cannot create"));
	assert_non_null(strstr(ctx.msg, f->out));
}

/* Without the commit nothing of the new package shows. */
static void test_abort_leaves_earlier(void **state)
{
	struct fx *f = *state;
	struct cf_atomic_dir d;
	struct cf_ctx ctx;

	earlier(f);
	cf_ctx_init(&ctx);
	assert_int_equal(cf_atomic_dir_begin(&ctx, &d, f->out, 0700, "test"), CF_OK);
	assert_true(has_stage(f->out));
	assert_int_equal(cf_atomic_dir_add(&ctx, &d, "a.txt", "new a\n", 6, 0600), CF_OK);
	assert_int_equal(cf_atomic_dir_add(&ctx, &d, "b.txt", "new b\n", 6, 0600), CF_OK);
	cf_atomic_dir_abort(&d);
	cf_atomic_dir_abort(&d); /* twice is harmless */
	assert_earlier(f);
	assert_false(has_stage(f->out));
}

static void test_bad_names(void **state)
{
	static const char *const bad[] = {"", ".", "..", "../x", "a/b", "/etc/x"};
	struct fx *f = *state;
	struct cf_atomic_dir d;
	struct cf_ctx ctx;

	earlier(f);
	cf_ctx_init(&ctx);
	assert_int_equal(cf_atomic_dir_begin(&ctx, &d, f->out, 0700, "test"), CF_OK);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		cf_ctx_init(&ctx);
		assert_int_equal(cf_atomic_dir_add(&ctx, &d, bad[i], "x", 1, 0600), CF_FAILED);
		assert_non_null(strstr(ctx.msg, "is not a file name"));
		assert_null(cf_atomic_dir_path(&ctx, &d, bad[i]));
	}
	cf_atomic_dir_abort(&d);
	assert_earlier(f);
}

/* Fails the Nth call of kind for N = 1, 2, ... until the publish succeeds
 * without reaching the fault; returns the number of N that failed it. */
static unsigned long fault_loop(struct fx *f, enum cf_fault_kind kind)
{
	unsigned long n, failed = 0;

	for (n = 1; n < 10000; n++) {
		struct cf_ctx ctx;
		int rc, unsynced;

		tu_rmtree(f->dir);
		f->dir = tu_tempdir();
		free(f->out);
		f->out = tu_path(f->dir, "pkg");
		earlier(f);
		cf_ctx_init(&ctx);
		cf_fault_set(kind, n, 0);
		rc = publish(&ctx, f, &unsynced);
		if (cf_fault_count(kind) < n) {
			cf_fault_set(kind, 0, 0);
			if (rc != CF_OK)
				fail_msg("no fault reached but failed: %s", ctx.msg);
			assert_published(f);
			return failed;
		}
		cf_fault_set(kind, 0, 0);
		assert_false(has_stage(f->out));
		if (rc == CF_OK) {
			/* absorbed, or the folder's sync: a warning only */
			assert_published(f);
			continue;
		}
		failed++;
		if (!ctx.msg[0])
			fail_msg("fault %d at call %lu: failure without a message", kind, n);
		assert_earlier(f);
	}
	fail_msg("fault loop did not finish");
	return 0;
}

static void test_alloc_faults(void **state)
{
	assert_true(fault_loop(*state, CF_FAULT_ALLOC) >= 3);
}

static void test_write_faults(void **state)
{
	/* one write per file written in this process (c.bin too) */
	assert_int_equal(fault_loop(*state, CF_FAULT_WRITE), 3);
}

static void test_fsync_faults(void **state)
{
	struct fx *f = *state;
	struct cf_ctx ctx;
	int unsynced = 0, rc;
	unsigned long total;

	/* each file and the staging folder (2 per file), then the output
	 * folder: a warning, not a failure */
	assert_int_equal(fault_loop(f, CF_FAULT_FSYNC), 6);
	cf_fault_set(CF_FAULT_FSYNC, 1000, 0);
	tu_rmtree(f->dir);
	f->dir = tu_tempdir();
	free(f->out);
	f->out = tu_path(f->dir, "pkg");
	earlier(f);
	cf_ctx_init(&ctx);
	assert_int_equal(publish(&ctx, f, &unsynced), CF_OK);
	total = cf_fault_count(CF_FAULT_FSYNC);
	cf_fault_set(CF_FAULT_FSYNC, 0, 0);
	assert_int_equal(total, 7);
	tu_rmtree(f->dir);
	f->dir = tu_tempdir();
	free(f->out);
	f->out = tu_path(f->dir, "pkg");
	earlier(f);
	cf_ctx_init(&ctx);
	cf_fault_set(CF_FAULT_FSYNC, total, 0);
	rc = publish(&ctx, f, &unsynced);
	cf_fault_set(CF_FAULT_FSYNC, 0, 0);
	assert_int_equal(rc, CF_OK);
	assert_int_not_equal(unsynced, 0);
	assert_published(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_publish_over_earlier, setup, teardown),
		cmocka_unit_test_setup_teardown(test_creates_folder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_folder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_leaves_earlier, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsync_faults, setup, teardown),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
