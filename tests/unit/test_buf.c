/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the growable buffer (src/buf.c): growth, the E2BIG limit
 * that bounds memory on hostile input, printf, detach, the sticky first
 * failure, and reading a file with a maximum size.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "testutil.h"

static void test_growth(void **state)
{
	struct cf_buf b;
	char piece[37];

	(void)state;
	cf_buf_init(&b);
	assert_null(b.data);
	for (size_t i = 0; i < sizeof piece; i++)
		piece[i] = (char)('a' + i % 26);
	for (int i = 0; i < 30000; i++)
		assert_int_equal(cf_buf_append(&b, piece, sizeof piece), 0);
	assert_int_equal(b.len, 30000 * sizeof piece);
	assert_true(b.cap > b.len);
	assert_int_equal(b.cap & (b.cap - 1), 0); /* doubled from 256 */
	assert_int_equal(b.data[b.len], '\0');
	for (int i = 0; i < 30000; i++)
		assert_memory_equal(b.data + i * sizeof piece, piece, sizeof piece);
	cf_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	assert_int_equal(cf_buf_puts(&b, "x"), 0);
	assert_int_equal(cf_buf_putc(&b, 'y'), 0);
	assert_int_equal(cf_buf_append(&b, NULL, 0), 0);
	assert_string_equal(b.data, "xy");
	cf_buf_release(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
}

static void test_limit(void **state)
{
	struct cf_buf b;

	(void)state;
	cf_buf_init(&b);
	b.limit = 10;
	assert_int_equal(cf_buf_puts(&b, "0123456789"), 0);
	errno = 0;
	assert_int_equal(cf_buf_putc(&b, 'x'), -1);
	assert_int_equal(errno, E2BIG);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "0123456789");
	cf_buf_reset(&b);
	assert_int_equal(cf_buf_printf(&b, "%s", "abcdefghijk"), -1);
	assert_int_equal(errno, E2BIG);
	assert_int_equal(b.len, 0);
	cf_buf_release(&b);
}

static void test_overflowing_reserve(void **state)
{
	struct cf_buf b;

	(void)state;
	cf_buf_init(&b);
	assert_int_equal(cf_buf_putc(&b, 'a'), 0);
	errno = 0;
	assert_int_equal(cf_buf_reserve(&b, SIZE_MAX), -1);
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(cf_buf_reserve(&b, SIZE_MAX - 1), -1);
	assert_string_equal(b.data, "a");
	cf_buf_release(&b);
}

static void test_printf(void **state)
{
	struct cf_buf b;
	char big[1000];

	(void)state;
	cf_buf_init(&b);
	assert_int_equal(cf_buf_printf(&b, "%d-%s", 42, "x"), 0);
	assert_int_equal(cf_buf_printf(&b, "|%05.1f", 2.25), 0);
	assert_string_equal(b.data, "42-x|002.2");
	assert_int_equal(b.len, strlen("42-x|002.2"));
	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(cf_buf_printf(&b, "%s", big), 0);
	assert_int_equal(b.len, 10 + 999);
	assert_int_equal(b.data[b.len], '\0');
	cf_buf_release(&b);
}

static void test_detach(void **state)
{
	struct cf_buf b;
	char *s;

	(void)state;
	cf_buf_init(&b);
	s = cf_buf_detach(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	cf_buf_puts(&b, "hello");
	s = cf_buf_detach(&b);
	assert_string_equal(s, "hello");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	free(s);
	cf_buf_release(&b);
}

static void test_alloc_failure_keeps_contents(void **state)
{
	struct cf_buf b;
	char block[300];

	(void)state;
	memset(block, 'k', sizeof block);
	cf_buf_init(&b);
	assert_int_equal(cf_buf_puts(&b, "keep"), 0);
	cf_fault_set(CF_FAULT_ALLOC, 1, 0);
	errno = 0;
	assert_int_equal(cf_buf_append(&b, block, sizeof block), -1);
	assert_int_equal(errno, ENOMEM);
	assert_string_equal(b.data, "keep");
	assert_int_equal(b.len, 4);
	cf_fault_set(CF_FAULT_ALLOC, 1, 0);
	assert_null(cf_buf_detach(&(struct cf_buf){0}));
	cf_fault_set(CF_FAULT_ALLOC, 0, 0);
	cf_buf_release_secret(&b);
	cf_buf_release_secret(&b);
}

/* The first failure is sticky (as sqlite3_str's accError): every later
 * append is refused without writing, even one that would fit, so that a
 * document built with unchecked appends is never missing a piece in the
 * middle; cf_buf_reset forgets the failure. */
static void test_sticky_error(void **state)
{
	struct cf_buf b;
	char block[300];

	(void)state;
	cf_buf_init(&b);
	b.limit = 6;
	assert_int_equal(cf_buf_error(&b), 0);
	assert_int_equal(cf_buf_puts(&b, "abc"), 0);
	assert_int_equal(cf_buf_puts(&b, "defg"), -1);
	assert_int_equal(cf_buf_error(&b), E2BIG);
	errno = 0;
	assert_int_equal(cf_buf_putc(&b, 'x'), -1);      /* would fit */
	assert_int_equal(errno, E2BIG);
	assert_int_equal(cf_buf_printf(&b, "%d", 1), -1);
	assert_int_equal(cf_buf_reserve(&b, 0), -1);
	assert_string_equal(b.data, "abc");
	cf_buf_reset(&b);
	assert_int_equal(cf_buf_error(&b), 0);
	assert_int_equal(cf_buf_puts(&b, "xyz"), 0);
	assert_string_equal(b.data, "xyz");
	cf_buf_release(&b);

	/* ENOMEM: the allocation that failed is not retried by the next
	 * append, which would otherwise succeed and leave a hole */
	memset(block, 'k', sizeof block);
	cf_buf_init(&b);
	assert_int_equal(cf_buf_puts(&b, "keep"), 0);
	cf_fault_set(CF_FAULT_ALLOC, 1, 0);
	assert_int_equal(cf_buf_append(&b, block, sizeof block), -1);
	cf_fault_set(CF_FAULT_ALLOC, 0, 0);
	assert_int_equal(cf_buf_error(&b), ENOMEM);
	errno = 0;
	assert_int_equal(cf_buf_append(&b, block, sizeof block), -1);
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(cf_buf_puts(&b, "!"), -1);
	assert_string_equal(b.data, "keep");
	cf_buf_release(&b);
	assert_int_equal(cf_buf_error(&b), 0);
	assert_int_equal(cf_buf_puts(&b, "again"), 0);
	cf_buf_release(&b);
}

static void test_read_file(void **state)
{
	char *dir = tu_tempdir(), *path = tu_path(dir, "data"),
	     *missing = tu_path(dir, "nope");
	static char content[200000];
	struct cf_buf b;
	struct cf_ctx ctx;

	(void)state;
	for (size_t i = 0; i < sizeof content; i++)
		content[i] = (char)(i * 7);
	tu_write_file(path, content, sizeof content, 0644);
	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	assert_int_equal(cf_buf_read_file(&ctx, &b, path, 0), CF_OK);
	assert_int_equal(b.len, sizeof content);
	assert_memory_equal(b.data, content, sizeof content);
	cf_buf_release(&b);

	assert_int_equal(cf_buf_read_file(&ctx, &b, path, sizeof content), CF_OK);
	cf_buf_release(&b);

	assert_int_equal(cf_buf_read_file(&ctx, &b, path, sizeof content - 1),
			 CF_FAILED);
	assert_non_null(strstr(ctx.msg, path));
	assert_non_null(strstr(ctx.msg, "larger than 199999 bytes"));
	assert_true(b.len <= sizeof content - 1);
	cf_buf_release(&b);

	assert_int_equal(cf_buf_read_file(&ctx, &b, missing, 0), CF_FAILED);
	assert_non_null(strstr(ctx.msg, "cannot open"));
	assert_non_null(strstr(ctx.msg, "No such file or directory"));
	assert_int_equal(cf_buf_read_file(&ctx, &b, dir, 0), CF_FAILED);
	assert_non_null(strstr(ctx.msg, "Is a directory"));

	cf_fault_set(CF_FAULT_ALLOC, 1, 0);
	assert_int_equal(cf_buf_read_file(&ctx, &b, path, 0), CF_FATAL);
	assert_int_equal(ctx.err, ENOMEM);
	cf_fault_set(CF_FAULT_ALLOC, 0, 0);
	cf_buf_release(&b);
	free(path);
	free(missing);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_overflowing_reserve),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_alloc_failure_keeps_contents),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_sticky_error),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
