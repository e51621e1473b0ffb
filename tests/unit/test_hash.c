/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for SHA-256 (src/hash.c): every one of the 65 NIST CAVP
 * SHA256ShortMsg vectors, one-shot and streamed byte by byte; streaming in
 * uneven chunks equals one-shot; file hashing; hex helpers.
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
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/hash.h"
#include "testutil.h"

/* Value after "KEY = " on a line of a .rsp file, or NULL. */
static const char *field(const char *line, const char *key)
{
	size_t l = strlen(key);

	if (strncmp(line, key, l) || strncmp(line + l, " =", 2))
		return NULL;
	line += l + 2;
	return *line == ' ' ? line + 1 : line;
}

static void test_nist_short_msg(void **state)
{
	FILE *f = fopen(FIXTURE_DIR "/crypto/SHA256ShortMsg.rsp", "r");
	char line[2048], md_hex[CF_SHA256_HEX];
	uint8_t msg[600], d1[CF_SHA256_LEN], d2[CF_SHA256_LEN];
	long bits = -1;
	size_t mlen = 0;
	int vectors = 0;
	struct cf_ctx ctx;
	cf_sha256 *h;

	(void)state;
	assert_non_null(f);
	cf_ctx_init(&ctx);
	h = cf_sha256_new(&ctx);
	assert_non_null(h);
	while (fgets(line, sizeof line, f)) {
		const char *v;
		line[strcspn(line, "\r\n")] = '\0';
		if ((v = field(line, "Len"))) {
			bits = strtol(v, NULL, 10);
		} else if ((v = field(line, "Msg"))) {
			mlen = (size_t)bits / 8;
			assert_true(mlen <= sizeof msg);
			/* Len = 0 has an empty Msg (NIST's own file says 00). */
			if (mlen)
				assert_int_equal(cf_unhex(v, strlen(v), msg, mlen), 0);
		} else if ((v = field(line, "MD"))) {
			assert_int_equal(cf_sha256_buf(&ctx, msg, mlen, d1), CF_OK);
			assert_int_equal(cf_sha256_reset(h, &ctx), CF_OK);
			for (size_t i = 0; i < mlen; i++)
				assert_int_equal(cf_sha256_update(h, &ctx, msg + i, 1),
						 CF_OK);
			assert_int_equal(cf_sha256_final(h, &ctx, d2), CF_OK);
			cf_hex(d1, sizeof d1, md_hex);
			if (strcmp(md_hex, v))
				fail_msg("Len = %ld: got %s, expected %s", bits, md_hex, v);
			assert_memory_equal(d1, d2, sizeof d1);
			vectors++;
		}
	}
	fclose(f);
	cf_sha256_free(h);
	assert_int_equal(vectors, 65);
}

static void test_streaming_equals_one_shot(void **state)
{
	size_t n = 1 << 20, pos = 0, step = 1;
	uint8_t *data = malloc(n), a[CF_SHA256_LEN], b[CF_SHA256_LEN];
	struct cf_ctx ctx;
	cf_sha256 *h;

	(void)state;
	assert_non_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (uint8_t)(i * 2654435761u >> 13);
	cf_ctx_init(&ctx);
	assert_int_equal(cf_sha256_buf(&ctx, data, n, a), CF_OK);
	h = cf_sha256_new(&ctx);
	assert_non_null(h);
	/* Deliberately awkward chunk sizes: 1, 3, 7, ... 65537 bytes. */
	while (pos < n) {
		size_t c = step < n - pos ? step : n - pos;
		assert_int_equal(cf_sha256_update(h, &ctx, data + pos, c), CF_OK);
		pos += c;
		step = step * 2 + 1;
		if (step > 65537)
			step = 1;
	}
	assert_int_equal(cf_sha256_update(h, &ctx, NULL, 0), CF_OK);
	assert_int_equal(cf_sha256_final(h, &ctx, b), CF_OK);
	assert_memory_equal(a, b, sizeof a);
	/* The handle is reusable after a reset. */
	assert_int_equal(cf_sha256_reset(h, &ctx), CF_OK);
	assert_int_equal(cf_sha256_update(h, &ctx, data, n), CF_OK);
	assert_int_equal(cf_sha256_final(h, &ctx, b), CF_OK);
	assert_memory_equal(a, b, sizeof a);
	cf_sha256_free(h);
	cf_sha256_free(NULL);
	free(data);
}

static void test_file(void **state)
{
	char *dir = tu_tempdir(), *path = tu_path(dir, "f"), *link = tu_path(dir, "l");
	static uint8_t content[300001];
	uint8_t a[CF_SHA256_LEN], b[CF_SHA256_LEN];
	uint64_t size = 0;
	struct cf_ctx ctx;

	(void)state;
	memset(content, 0xa5, sizeof content);
	tu_write_file(path, content, sizeof content, 0644);
	cf_ctx_init(&ctx);
	assert_int_equal(cf_sha256_file(&ctx, path, a, &size), CF_OK);
	assert_int_equal(size, sizeof content);
	assert_int_equal(cf_sha256_buf(&ctx, content, sizeof content, b), CF_OK);
	assert_memory_equal(a, b, sizeof a);
	assert_int_equal(cf_sha256_file(&ctx, path, a, NULL), CF_OK);
	/* Symlinks are never followed (evidence is read as found). */
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(cf_sha256_file(&ctx, link, a, &size), CF_FAILED);
	assert_non_null(strstr(ctx.msg, link));
	assert_int_equal(cf_sha256_file(&ctx, dir, a, &size), CF_FAILED);
	assert_non_null(strstr(ctx.msg, "Is a directory"));
	/* No memory for the read buffer. */
	cf_fault_set(CF_FAULT_ALLOC, 1, 0);
	assert_int_equal(cf_sha256_file(&ctx, path, a, &size), CF_FATAL);
	cf_fault_set(CF_FAULT_ALLOC, 0, 0);
	free(path);
	free(link);
	tu_rmtree(dir);
}

static void test_hex(void **state)
{
	uint8_t b[4] = {0x00, 0x9f, 0xa0, 0xff}, back[4];
	char hex[9];

	(void)state;
	cf_hex(b, 4, hex);
	assert_string_equal(hex, "009fa0ff");
	assert_int_equal(cf_unhex("009FA0ff", 8, back, 4), 0);
	assert_memory_equal(b, back, 4);
	assert_int_equal(cf_unhex("009fa0f", 7, back, 4), -1);
	assert_int_equal(cf_unhex("009fa0fg", 8, back, 4), -1);
	assert_int_equal(cf_unhex("009fa0 f", 8, back, 4), -1);
	cf_hex(b, 0, hex);
	assert_string_equal(hex, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nist_short_msg),
		cmocka_unit_test(test_streaming_equals_one_shot),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_hex),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
