/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the error context (src/error.c): graded codes, the errno
 * suffix, prefixes added as an error travels up, and truncation of
 * messages that do not fit (reporting must never need memory).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "casefile/error.h"
#include "testutil.h"

static void test_init_clears(void **state)
{
	struct cf_ctx ctx;

	(void)state;
	memset(&ctx, 'x', sizeof ctx);
	cf_ctx_init(&ctx);
	assert_int_equal(ctx.err, 0);
	assert_int_equal(ctx.code, CF_OK);
	assert_string_equal(ctx.msg, "");
	assert_string_equal(cf_errmsg(&ctx), "unknown error");
	assert_string_equal(cf_errmsg(NULL), "unknown error");
}

static void test_set_error_with_errno(void **state)
{
	struct cf_ctx ctx;

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_equal(cf_set_error(&ctx, ENOENT, "cannot open '%s'", "x.tar"),
			 CF_FAILED);
	assert_int_equal(ctx.code, CF_FAILED);
	assert_int_equal(ctx.err, ENOENT);
	assert_string_equal(cf_errmsg(&ctx),
			    "cannot open 'x.tar': No such file or directory");
}

static void test_set_error_without_errno(void **state)
{
	struct cf_ctx ctx;

	(void)state;
	cf_ctx_init(&ctx);
	cf_set_error(&ctx, 0, "line %d: bad", 7);
	assert_string_equal(ctx.msg, "line 7: bad");
	assert_int_equal(ctx.err, 0);
}

static void test_fatal_and_nomem(void **state)
{
	struct cf_ctx ctx;

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_equal(cf_set_fatal(&ctx, EIO, "disk"), CF_FATAL);
	assert_int_equal(ctx.code, CF_FATAL);
	assert_string_equal(ctx.msg, "disk: Input/output error");
	assert_int_equal(cf_set_nomem(&ctx, "SHA256SUMS"), CF_FATAL);
	assert_int_equal(ctx.err, ENOMEM);
	assert_string_equal(ctx.msg, "SHA256SUMS: Cannot allocate memory");
}

static void test_null_ctx(void **state)
{
	(void)state;
	assert_int_equal(cf_set_error(NULL, EIO, "x"), CF_FAILED);
	assert_int_equal(cf_set_fatal(NULL, EIO, "x"), CF_FATAL);
	assert_int_equal(cf_error_prefix(NULL, "p"), CF_FAILED);
}

static void test_prefix(void **state)
{
	struct cf_ctx ctx;

	(void)state;
	cf_ctx_init(&ctx);
	cf_set_fatal(&ctx, 0, "bad byte");
	assert_int_equal(cf_error_prefix(&ctx, "%s line %d", "SHA256SUMS", 3),
			 CF_FATAL);
	assert_string_equal(ctx.msg, "SHA256SUMS line 3: bad byte");
	/* A prefix on a clean context still marks it failed. */
	cf_ctx_init(&ctx);
	assert_int_equal(cf_error_prefix(&ctx, "f"), CF_FAILED);
	assert_string_equal(ctx.msg, "f: ");
}

static void test_truncation(void **state)
{
	struct cf_ctx ctx;
	char big[3000];

	(void)state;
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	cf_ctx_init(&ctx);
	cf_set_error(&ctx, ENOENT, "%s", big);
	assert_int_equal(strlen(ctx.msg), CF_ERRMSG_MAX - 1);
	assert_string_equal(ctx.msg + CF_ERRMSG_MAX - 4, "...");
	/* Exactly filling the buffer with the errno text also truncates. */
	cf_set_error(&ctx, 0, "%.*s", CF_ERRMSG_MAX - 10, big);
	cf_error_prefix(&ctx, "%s", "0123456789abc");
	assert_int_equal(strlen(ctx.msg), CF_ERRMSG_MAX - 1);
	assert_memory_equal(ctx.msg, "0123456789abc: aaa", 18);
	assert_string_equal(ctx.msg + CF_ERRMSG_MAX - 4, "...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_clears),
		cmocka_unit_test(test_set_error_with_errno),
		cmocka_unit_test(test_set_error_without_errno),
		cmocka_unit_test(test_fatal_and_nomem),
		cmocka_unit_test(test_null_ctx),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_truncation),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
