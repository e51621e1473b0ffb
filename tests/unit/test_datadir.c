/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for locating shipped data (src/datadir.c): $CASEFILE_DATA
 * comes first, a missing kind or file gives a clear error, and an unknown
 * kind is refused rather than turned into an arbitrary path.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "casefile/datadir.h"
#include "casefile/error.h"
#include "testutil.h"

static void test_env_first(void **state)
{
	char *dir = tu_tempdir(), *prof = tu_path(dir, "profiles"),
	     *file = tu_path(prof, "ehr.yaml"), *got;
	struct cf_ctx ctx;

	(void)state;
	assert_int_equal(mkdir(prof, 0755), 0);
	tu_write_file(file, "x: 1\n", 5, 0644);
	setenv("CASEFILE_DATA", dir, 1);
	cf_ctx_init(&ctx);
	got = cf_data_dir(&ctx, "profiles");
	assert_non_null(got);
	assert_string_equal(got, prof);
	free(got);
	got = cf_data_file(&ctx, "profiles", "ehr.yaml");
	assert_non_null(got);
	assert_string_equal(got, file);
	free(got);
	got = cf_data_file(&ctx, "profiles", "nope.yaml");
	assert_null(got);
	assert_non_null(strstr(ctx.msg, "no shipped profiles 'nope.yaml'"));
	assert_non_null(strstr(ctx.msg, "No such file or directory"));
	unsetenv("CASEFILE_DATA");
	free(prof);
	free(file);
	tu_rmtree(dir);
}

static void test_env_without_kind_falls_through(void **state)
{
	char *dir = tu_tempdir(), *got;
	struct cf_ctx ctx;

	(void)state;
	/* $CASEFILE_DATA without a playbooks folder is skipped: the answer
	 * is another candidate, or an error naming the kind. */
	setenv("CASEFILE_DATA", dir, 1);
	cf_ctx_init(&ctx);
	got = cf_data_dir(&ctx, "playbooks");
	if (got) {
		assert_null(strstr(got, dir));
		free(got);
	} else {
		assert_string_equal(ctx.msg,
				    "cannot find the shipped playbooks: No such file or directory");
	}
	/* An empty variable counts as unset. */
	setenv("CASEFILE_DATA", "", 1);
	got = cf_data_dir(&ctx, "templates");
	free(got);
	unsetenv("CASEFILE_DATA");
	tu_rmtree(dir);
}

static void test_unknown_kind(void **state)
{
	struct cf_ctx ctx;

	(void)state;
	cf_ctx_init(&ctx);
	assert_null(cf_data_dir(&ctx, "../etc"));
	assert_string_equal(ctx.msg, "unknown data kind '../etc'");
	assert_null(cf_data_file(&ctx, "secrets", "x"));
	assert_string_equal(ctx.msg, "unknown data kind 'secrets'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_first),
		cmocka_unit_test(test_env_without_kind_falls_through),
		cmocka_unit_test(test_unknown_kind),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
