/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for SHA256SUMS (src/sums.c): what the writer produces the
 * strict parser reads back byte for byte, and every deviation from the
 * `sha256sum` format is refused with its line number, because the bytes of
 * this file are what the signature covers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/sums.h"
#include "testutil.h"

#define H0 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define H1 "35af2d15ebde4d67b29569ec19749e813c76f02286afc5a2a9871c2bfbdaab32"

static void test_round_trip(void **state)
{
	const char *names[] = {"casefile/collection.json",
			       "evidence/files/var/log/auth.log",
			       "casefile/items.jsonl", "casefile/signer.pub"};
	struct cf_sums s, back;
	struct cf_buf b, b2;
	struct cf_ctx ctx;
	uint8_t d[CF_SHA256_LEN];

	(void)state;
	cf_ctx_init(&ctx);
	cf_sums_init(&s);
	cf_sums_init(&back);
	cf_buf_init(&b);
	cf_buf_init(&b2);
	/* More than the initial capacity, so the table grows. */
	for (int i = 0; i < 200; i++) {
		char name[64];
		for (size_t k = 0; k < sizeof d; k++)
			d[k] = (uint8_t)(i * 31 + k);
		snprintf(name, sizeof name, "%s.%d", names[i % 4], i);
		assert_int_equal(cf_sums_add(&ctx, &s, name, d), CF_OK);
	}
	assert_int_equal(cf_sums_format(&ctx, &s, &b), CF_OK);
	assert_int_equal(cf_sums_parse(&ctx, b.data, b.len, &back), CF_OK);
	assert_int_equal(back.n, 200);
	for (size_t i = 0; i < back.n; i++) {
		assert_string_equal(back.v[i].name, s.v[i].name);
		assert_memory_equal(back.v[i].digest, s.v[i].digest, CF_SHA256_LEN);
		assert_int_equal(back.v[i].line, i + 1);
	}
	assert_int_equal(cf_sums_format(&ctx, &back, &b2), CF_OK);
	assert_int_equal(b.len, b2.len);
	assert_memory_equal(b.data, b2.data, b.len);
	assert_int_equal(cf_sums_find(&back, "casefile/items.jsonl.2"), 2);
	assert_int_equal(cf_sums_find(&back, "casefile/items.jsonl"), -1);
	cf_sums_release(&s);
	cf_sums_release(&back);
	cf_buf_release(&b);
	cf_buf_release(&b2);
}

static void test_exact_format(void **state)
{
	struct cf_sums s;
	struct cf_buf b;
	struct cf_ctx ctx;
	uint8_t d[CF_SHA256_LEN];

	(void)state;
	cf_ctx_init(&ctx);
	cf_sums_init(&s);
	cf_buf_init(&b);
	assert_int_equal(cf_unhex(H0, 64, d, sizeof d), 0);
	assert_int_equal(cf_sums_add(&ctx, &s, "a b", d), CF_OK);
	assert_int_equal(cf_sums_add(&ctx, &s, "x\ny", d), CF_FAILED);
	assert_non_null(strstr(ctx.msg, "newline"));
	assert_int_equal(cf_sums_format(&ctx, &s, &b), CF_OK);
	assert_string_equal(b.data, H0 "  a b\n");
	cf_sums_release(&s);
	cf_sums_release(&s);
	/* Empty manifest: empty text, and empty text parses to nothing. */
	cf_buf_reset(&b);
	assert_int_equal(cf_sums_format(&ctx, &s, &b), CF_OK);
	assert_int_equal(b.len, 0);
	assert_int_equal(cf_sums_parse(&ctx, "", 0, &s), CF_OK);
	assert_int_equal(s.n, 0);
	cf_buf_release(&b);
}

static void bad(const char *text, size_t len, const char *want)
{
	struct cf_sums s;
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	cf_sums_init(&s);
	if (cf_sums_parse(&ctx, text, len, &s) == CF_OK)
		fail_msg("accepted: '%.*s'", (int)len, text);
	if (!strstr(ctx.msg, want))
		fail_msg("message '%s' lacks '%s'", ctx.msg, want);
	cf_sums_release(&s);
}

#define BAD(t, w) bad(t, sizeof(t) - 1, w)

static void test_strictness(void **state)
{
	(void)state;
	BAD(H0 "  a", "does not end with a newline");
	BAD(H0 "  a\r\n", "line 1: carriage return");
	BAD(H0 "  a\n" H1 " b\n", "line 2: expected '<64 lowercase hex>  <name>'");
	BAD(H0 "  a\n" H1 " *b\n", "line 2: expected");     /* binary marker */
	BAD("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855  a\n",
	    "line 1: expected");
	BAD("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85  a\n",
	    "line 1: expected");                              /* 63 digits */
	BAD(H0 " a\n", "line 1: expected");         /* one space */
	BAD(H0 "  a\n\n", "line 2: expected");                /* blank line */
	BAD(H0 "  a\n" H0 "\tb\n", "line 2: expected");
	BAD(H0 "  /etc/passwd\n", "line 1: absolute member name");
	BAD(H0 "  ok\n" H0 "  ../x\n", "line 2: member name '../x' has a '..'");
	BAD(H0 "  a//b\n", "line 1: member name 'a//b' has an empty component");
	BAD(H0 "  a\\b\n", "backslash");
	BAD(H0 "  a\x01" "b\n", "control character");
	bad(H0 "  a\0b\n", 70, "carriage return or NUL byte");
	BAD(H0 "  \n", "line 1: expected");
	BAD("\n", "line 1: expected");
}

static void test_long_name(void **state)
{
	size_t n = 66 + 4097 + 1;
	char *t = malloc(n);

	(void)state;
	memcpy(t, H0 "  ", 66);
	memset(t + 66, 'a', 4097);
	t[n - 1] = '\n';
	bad(t, n, "line 1: name too long");
	/* 4096 bytes is the limit, and accepted. */
	t[n - 2] = '\n';
	{
		struct cf_sums s;
		struct cf_ctx ctx;
		cf_sums_init(&s);
		cf_ctx_init(&ctx);
		assert_int_equal(cf_sums_parse(&ctx, t, n - 1, &s), CF_OK);
		assert_int_equal(strlen(s.v[0].name), 4096);
		cf_sums_release(&s);
	}
	free(t);
}

static void test_alloc_failures(void **state)
{
	const char text[] = H0 "  a\n" H1 "  b\n";
	struct cf_sums s;
	struct cf_ctx ctx;
	unsigned long n;

	(void)state;
	/* Every allocation in turn fails cleanly (no leak: see memcheck). */
	for (n = 1;; n++) {
		int rc;
		cf_sums_init(&s);
		cf_ctx_init(&ctx);
		cf_fault_set(CF_FAULT_ALLOC, n, 0);
		rc = cf_sums_parse(&ctx, text, sizeof text - 1, &s);
		if (cf_fault_count(CF_FAULT_ALLOC) < n) {
			assert_int_equal(rc, CF_OK);
			assert_int_equal(s.n, 2);
			cf_sums_release(&s);
			break;
		}
		assert_int_equal(rc, CF_FATAL);
		assert_non_null(strstr(ctx.msg, "Cannot allocate memory"));
		cf_sums_release(&s);
	}
	cf_fault_set(CF_FAULT_ALLOC, 0, 0);
	assert_true(n > 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_exact_format),
		cmocka_unit_test(test_strictness),
		cmocka_unit_test(test_long_name),
		cmocka_unit_test(test_alloc_failures),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
