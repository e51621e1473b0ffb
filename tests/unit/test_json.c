/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the JSON helpers (src/json.c): parsing with the depth limit
 * and the trailing-data rule, typed getters, adders, and the `--json` writer
 * reporting a full disk or a closed stream instead of losing output.
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

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "testutil.h"

static cJSON *parse_ok(const char *s)
{
	struct cf_ctx ctx;
	cJSON *j = NULL;

	cf_ctx_init(&ctx);
	if (cf_json_parse(&ctx, s, strlen(s), &j) != CF_OK)
		fail_msg("'%s' refused: %s", s, ctx.msg);
	return j;
}

/* Parses s, expecting a refusal whose message contains want. */
static void parse_bad(const char *s, size_t len, const char *want)
{
	struct cf_ctx ctx;
	cJSON *j = (cJSON *)1;

	cf_ctx_init(&ctx);
	assert_int_equal(cf_json_parse(&ctx, s, len, &j), CF_FAILED);
	assert_null(j);
	if (!strstr(ctx.msg, want))
		fail_msg("message '%s' lacks '%s'", ctx.msg, want);
}

static void test_parse_and_getters(void **state)
{
	cJSON *j = parse_ok("{\"s\":\"text\",\"n\":2.5,\"i\":-42,\"big\":1e300,"
			    "\"t\":true,\"f\":false,\"z\":null,\"a\":[1]}");

	(void)state;
	assert_string_equal(cf_json_str(j, "s", NULL), "text");
	assert_null(cf_json_str(j, "n", NULL));        /* wrong type */
	assert_string_equal(cf_json_str(j, "nope", "d"), "d");
	assert_true(cf_json_num(j, "n", 0) == 2.5);
	assert_true(cf_json_num(j, "s", -1) == -1);
	assert_int_equal(cf_json_int(j, "i", 0), -42);
	assert_int_equal(cf_json_int(j, "big", 7), 7); /* out of int64 range */
	assert_int_equal(cf_json_int(j, "t", 7), 7);
	assert_int_equal(cf_json_bool(j, "t", -1), 1);
	assert_int_equal(cf_json_bool(j, "f", -1), 0);
	assert_int_equal(cf_json_bool(j, "z", -1), -1);
	assert_int_equal(cf_json_bool(j, "i", -1), -1);
	/* Getters on a non-object, or NULL, give the default. */
	assert_int_equal(cf_json_int(cJSON_GetObjectItem(j, "a"), "x", 3), 3);
	assert_string_equal(cf_json_str(NULL, "s", "d"), "d");
	cJSON_Delete(j);
}

static void test_length_not_nul(void **state)
{
	struct cf_ctx ctx;
	const char *s = "{\"a\":1}GARBAGE";
	cJSON *j;

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_equal(cf_json_parse(&ctx, s, 7, &j), CF_OK);
	assert_int_equal(cf_json_int(j, "a", 0), 1);
	cJSON_Delete(j);
	parse_bad(s, strlen(s), "trailing data after JSON at byte 7");
}

static void test_trailing(void **state)
{
	cJSON *j;

	(void)state;
	j = parse_ok(" {\"a\":1} \r\n\t ");
	cJSON_Delete(j);
	parse_bad("{} {}", 5, "trailing data after JSON at byte 3");
	parse_bad("[1]x", 4, "at byte 3");
	/* A NUL byte does not end the input: data hidden after it is
	 * trailing data, not ignored. */
	parse_bad("{}\0hidden", 9, "trailing data after JSON at byte 2");
}

static void test_invalid(void **state)
{
	(void)state;
	parse_bad("{\"a\":}", 6, "invalid JSON at byte 5");
	parse_bad("", 0, "invalid JSON");
	parse_bad("[1,2", 4, "invalid JSON");
	parse_bad("{'a':1}", 7, "invalid JSON at byte ");
}

/* cJSON answers a refused allocation like a syntax error; the wrapper must
 * say "out of memory" instead, so that a verifier never calls a good
 * metadata file malformed because memory ran out. Every allocation of the
 * parse is failed in turn. */
static void test_nomem_is_not_invalid(void **state)
{
	static const char doc[] = "{\"a\": [1, 2, {\"b\": \"c\"}], \"d\": null}";
	unsigned long before = cf_alloc_failures();
	int failed = 0;

	(void)state;
	for (unsigned long n = 1; n < 100; n++) {
		struct cf_ctx ctx;
		cJSON *j = NULL;
		int rc;

		cf_ctx_init(&ctx);
		cf_fault_set(CF_FAULT_ALLOC, n, 0);
		rc = cf_json_parse(&ctx, doc, strlen(doc), &j);
		cf_fault_set(CF_FAULT_ALLOC, 0, 0);
		if (rc == CF_OK) {
			assert_true(cJSON_IsObject(j));
			cJSON_Delete(j);
			continue;
		}
		failed++;
		assert_null(j);
		assert_int_equal(ctx.err, ENOMEM);
		if (strstr(ctx.msg, "invalid JSON"))
			fail_msg("allocation %lu: '%s'", n, ctx.msg);
	}
	assert_true(failed > 5);
	assert_int_equal(cf_alloc_failures() - before, (unsigned long)failed);
}

/* The document of test_builder, built with the sticky builder. */
static cJSON *build_doc(void)
{
	struct cf_jb jb;
	cJSON *j = cf_jb_init(&jb), *a, *o;

	cf_jb_str(&jb, j, "s", "text");
	cf_jb_path(&jb, j, "p", "a\xff");
	cf_jb_int(&jb, j, "i", 42);
	cf_jb_num(&jb, j, "n", 0.5);
	cf_jb_bool(&jb, j, "b", 1);
	cf_jb_time(&jb, j, "t", 0);
	cf_jb_item(&jb, j, "z", NULL);
	cf_jb_made(&jb, j, "m", cJSON_CreateString("made"));
	a = cf_jb_array(&jb, j, "a");
	for (int k = 0; k < 3; k++) {
		o = cf_jb_object(&jb, a, NULL);
		cf_jb_int(&jb, o, "k", k);
	}
	/* made values and nulls append to an array */
	a = cf_jb_array(&jb, j, "l");
	cf_jb_made(&jb, a, NULL, cJSON_CreateNumber(1));
	cf_jb_item(&jb, a, NULL, NULL);
	cf_jb_made(&jb, a, NULL, cJSON_CreateString("x"));
	o = cf_jb_object(&jb, j, "o");
	cf_jb_str(&jb, o, "x", NULL);
	return cf_jb_finish(&jb);
}

/* Every member lands in order; and when any one allocation fails, the
 * whole document is refused (NULL), never a document with a member
 * missing, though the later adds would succeed. */
static void test_builder(void **state)
{
	static const char want[] =
		"{\"s\":\"text\",\"p\":\"a%FF\",\"p_hex\":\"61ff\",\"i\":42,"
		"\"n\":0.5,\"b\":true,\"t\":\"1970-01-01T00:00:00.000000Z\","
		"\"z\":null,\"m\":\"made\",\"a\":[{\"k\":0},{\"k\":1},{\"k\":2}],"
		"\"l\":[1,null,\"x\"],"
		"\"o\":{\"x\":null}}";
	cJSON *j = build_doc();
	char *s;
	int failed = 0;

	(void)state;
	assert_non_null(j);
	assert_non_null(s = cJSON_PrintUnformatted(j));
	assert_string_equal(s, want);
	cJSON_free(s);
	cJSON_Delete(j);
	for (unsigned long n = 1; n < 200; n++) {
		cf_fault_set(CF_FAULT_ALLOC, n, 0);
		j = build_doc();
		cf_fault_set(CF_FAULT_ALLOC, 0, 0);
		if (!j) {
			failed++;
			continue;
		}
		assert_non_null(s = cJSON_PrintUnformatted(j));
		assert_string_equal(s, want);
		cJSON_free(s);
		cJSON_Delete(j);
	}
	assert_true(failed > 10);
}

/* An add to an object made elsewhere (CF_JB_INIT); a NULL from a maker is
 * a failure, and an item offered after a failure is freed, not leaked. */
static void test_builder_existing(void **state)
{
	struct cf_jb jb = CF_JB_INIT;
	cJSON *j = cJSON_CreateObject();

	(void)state;
	assert_non_null(j);
	cf_jb_int(&jb, j, "a", 1);
	assert_int_equal(jb.err, 0);
	cf_jb_made(&jb, j, "b", NULL);
	assert_int_equal(jb.err, -1);
	cf_jb_item(&jb, j, "c", cJSON_CreateString("dropped"));
	cf_jb_str(&jb, j, "d", "dropped");
	assert_null(cf_jb_object(&jb, j, "e"));
	assert_int_equal(cJSON_GetArraySize(j), 1);
	assert_null(cf_jb_finish(&jb)); /* no root of its own */
	cJSON_Delete(j);
}

static char *nested(int depth, const char *open, const char *close)
{
	char *s = malloc((size_t)depth * 2 + 1);

	assert_non_null(s);
	for (int i = 0; i < depth; i++) {
		s[i] = open[i % strlen(open)];
		s[2 * depth - 1 - i] = close[i % strlen(close)];
	}
	s[2 * depth] = '\0';
	return s;
}

static void test_depth_limit(void **state)
{
	char *ok = nested(CF_JSON_MAX_DEPTH, "[", "]");
	char *deep = nested(CF_JSON_MAX_DEPTH + 1, "[", "]");
	char *huge = nested(100000, "[", "]");
	cJSON *j;

	(void)state;
	j = parse_ok(ok);
	cJSON_Delete(j);
	parse_bad(deep, strlen(deep), "nested deeper than 64 levels at byte 64");
	parse_bad(huge, strlen(huge), "at byte 64");
	/* Brackets inside strings do not count, escaped quotes included. */
	j = parse_ok("{\"k\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
		     "[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[[[\"}");
	cJSON_Delete(j);
	/* More than 64 brackets in all, strings included, but 64 levels: the
	 * quick count of brackets is not the answer, the walk is. */
	free(ok);
	ok = malloc(2 * CF_JSON_MAX_DEPTH + 8);
	assert_non_null(ok);
	{
		size_t n = 0;
		for (int i = 0; i < CF_JSON_MAX_DEPTH; i++)
			ok[n++] = '[';
		memcpy(ok + n, "\"{[\"", 4);
		n += 4;
		for (int i = 0; i < CF_JSON_MAX_DEPTH; i++)
			ok[n++] = ']';
		ok[n] = '\0';
	}
	j = parse_ok(ok);
	cJSON_Delete(j);
	free(ok);
	free(deep);
	free(huge);
}

static void test_parse_file(void **state)
{
	char *dir = tu_tempdir(), *path = tu_path(dir, "c.json");
	struct cf_ctx ctx;
	cJSON *j;

	(void)state;
	cf_ctx_init(&ctx);
	tu_write_file(path, "{\"format\":1}\n", 13, 0644);
	assert_int_equal(cf_json_parse_file(&ctx, path, 100, &j), CF_OK);
	assert_int_equal(cf_json_int(j, "format", 0), 1);
	cJSON_Delete(j);
	assert_int_equal(cf_json_parse_file(&ctx, path, 12, &j), CF_FAILED);
	assert_null(j);
	assert_non_null(strstr(ctx.msg, "larger than 12 bytes"));
	tu_write_file(path, "{\"format\":}", 11, 0644);
	assert_int_equal(cf_json_parse_file(&ctx, path, 0, &j), CF_FAILED);
	assert_non_null(strstr(ctx.msg, path));
	assert_non_null(strstr(ctx.msg, ": invalid JSON at byte 10"));
	assert_int_equal(strncmp(ctx.msg, path, strlen(path)), 0);
	tu_write_file(path, "", 0, 0644);
	assert_int_equal(cf_json_parse_file(&ctx, path, 0, &j), CF_FAILED);
	free(path);
	tu_rmtree(dir);
}

static void test_adders_and_lines(void **state)
{
	cJSON *j = cJSON_CreateObject();
	struct cf_buf b;

	(void)state;
	cf_buf_init(&b);
	assert_int_equal(cf_json_add_str(j, "s", "v\"q"), 0);
	assert_int_equal(cf_json_add_str(j, "n", NULL), 0);
	assert_int_equal(cf_json_add_int(j, "i", 4503599627370496LL), 0);
	assert_int_equal(cf_json_add_num(j, "d", 0.5), 0);
	assert_int_equal(cf_json_add_bool(j, "b", 1), 0);
	assert_int_equal(cf_json_add_time(j, "t", 1772373723123456LL), 0);
	assert_int_equal(cf_json_append_line(&b, j), 0);
	assert_int_equal(cf_json_append_line(&b, j), 0);
	assert_string_equal(b.data,
			    "{\"s\":\"v\\\"q\",\"n\":null,\"i\":4503599627370496,"
			    "\"d\":0.5,\"b\":true,\"t\":\"2026-03-01T14:02:03.123456Z\"}\n"
			    "{\"s\":\"v\\\"q\",\"n\":null,\"i\":4503599627370496,"
			    "\"d\":0.5,\"b\":true,\"t\":\"2026-03-01T14:02:03.123456Z\"}\n");
	/* Integers up to 2^52 and microsecond times print exactly. */
	cJSON_Delete(j);
	j = cJSON_CreateObject();
	assert_int_equal(cf_json_add_int(j, "us", 1772373723123457LL), 0);
	assert_int_equal(cf_json_add_int(j, "neg", -4503599627370495LL), 0);
	cf_buf_reset(&b);
	assert_int_equal(cf_json_append_line(&b, j), 0);
	assert_string_equal(b.data, "{\"us\":1772373723123457,\"neg\":-4503599627370495}\n");
	cf_fault_set(CF_FAULT_ALLOC, 1, 1);
	assert_int_equal(cf_json_append_line(&b, j), -1);
	assert_int_equal(cf_json_add_int(j, "x", 1), -1);
	cf_fault_set(CF_FAULT_ALLOC, 0, 0);
	cJSON_Delete(j);
	cf_buf_release(&b);
}

/* Strings from a host that are not UTF-8 are written escaped, so every
 * JSON file stays valid UTF-8; paths also keep their exact bytes. */
static void test_adders_not_utf8(void **state)
{
	cJSON *j = cJSON_CreateObject();
	struct cf_buf b;

	(void)state;
	cf_buf_init(&b);
	assert_int_equal(cf_json_add_str(j, "msg", "bad \xff byte, 100%"), 0);
	assert_int_equal(cf_json_add_str(j, "ok", "100% caf\xc3\xa9"), 0);
	assert_int_equal(cf_json_add_path(j, "path", "/tmp/x\xff%"), 0);
	assert_int_equal(cf_json_add_path(j, "fine", "/var/log/50%.log"), 0);
	assert_int_equal(cf_json_add_path(j, "none", NULL), 0);
	assert_int_equal(cf_json_append_line(&b, j), 0);
	assert_string_equal(b.data,
			    "{\"msg\":\"bad %FF byte, 100%25\",\"ok\":\"100% caf\xc3\xa9\","
			    "\"path\":\"/tmp/x%FF%25\",\"path_hex\":\"2f746d702f78ff25\","
			    "\"fine\":\"/var/log/50%.log\",\"none\":null}\n");
	cf_fault_set(CF_FAULT_ALLOC, 1, 1);
	assert_int_equal(cf_json_add_str(j, "x", "\xff"), -1);
	cf_fault_set(CF_FAULT_ALLOC, 2, 1);
	assert_int_equal(cf_json_add_path(j, "y", "\xff"), -1);
	cf_fault_set(CF_FAULT_ALLOC, 0, 0);
	cJSON_Delete(j);
	cf_buf_release(&b);
}

static void test_emit(void **state)
{
	cJSON *j = cJSON_CreateObject();
	struct cf_ctx ctx;
	char *dir = tu_tempdir(), *path = tu_path(dir, "out.json"), *back;
	FILE *f;

	(void)state;
	cf_ctx_init(&ctx);
	cf_json_add_bool(j, "ok", 1);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(cf_json_emit(&ctx, f, j), CF_OK);
	fclose(f);
	back = tu_read_file(path, NULL);
	assert_string_equal(back, "{\"ok\":true}\n");
	free(back);

	/* A full disk. */
	f = fopen("/dev/full", "w");
	if (f) {
		assert_int_equal(cf_json_emit(&ctx, f, j), CF_FAILED);
		assert_non_null(strstr(ctx.msg, "cannot write JSON output"));
		assert_non_null(strstr(ctx.msg, "No space left on device"));
		fclose(f);
	}
	/* A stream that cannot be written (closed for writing). */
	f = fopen(path, "r");
	assert_non_null(f);
	cf_ctx_init(&ctx);
	assert_int_equal(cf_json_emit(&ctx, f, j), CF_FAILED);
	assert_non_null(strstr(ctx.msg, "cannot write JSON output"));
	fclose(f);
	/* No memory for the text. */
	f = fopen(path, "w");
	cf_fault_set(CF_FAULT_ALLOC, 1, 1);
	assert_int_equal(cf_json_emit(&ctx, f, j), CF_FATAL);
	cf_fault_set(CF_FAULT_ALLOC, 0, 0);
	assert_int_equal(ctx.err, ENOMEM);
	fclose(f);
	cJSON_Delete(j);
	free(path);
	tu_rmtree(dir);
}

/* cf_json_index: members found by name as cJSON finds them (the first of
 * a repeated name), entries added earlier winning over later ones of the
 * same name, nothing for an unknown name, and on no memory the index is
 * left as it was. */
static void test_index(void **state)
{
	cJSON *o = cJSON_Parse("{\"p2\":2,\"p1\":1,\"p3\":3,\"p1\":9}");
	cJSON *first = cJSON_CreateString("first");
	struct cf_json_index x = {0};
	char name[16];

	(void)state;
	assert_non_null(o);
	assert_int_equal(cf_json_index_add(&x, "p3", first), 0);
	assert_int_equal(cf_json_index_members(&x, o), 0);
	assert_int_equal(cf_json_index_members(&x, NULL), 0);
	assert_int_equal(cf_json_index_members(&x, first), 0); /* not an object */
	assert_int_equal(x.n, 5);
	cf_json_index_sort(&x);
	assert_ptr_equal(cf_json_index_find(&x, "p1"),
			 cJSON_GetObjectItemCaseSensitive(o, "p1"));
	assert_int_equal(cf_json_index_find(&x, "p1")->valueint, 1);
	assert_int_equal(cf_json_index_find(&x, "p2")->valueint, 2);
	assert_ptr_equal(cf_json_index_find(&x, "p3"), first);
	assert_null(cf_json_index_find(&x, "p"));
	assert_null(cf_json_index_find(&x, "p4"));
	assert_null(cf_json_index_find(&x, ""));
	cf_json_index_release(&x);
	assert_null(cf_json_index_find(&x, "p1"));

	/* many names: each found, in any order of adding */
	for (int i = 999; i >= 0; i--) {
		snprintf(name, sizeof name, "n%d", i * 7919 % 1000);
		assert_int_equal(cf_json_index_add(&x, strdup(name), first), 0);
	}
	cf_json_index_sort(&x);
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof name, "n%d", i);
		assert_ptr_equal(cf_json_index_find(&x, name), first);
	}
	for (size_t i = 0; i < x.n; i++)
		free((char *)x.v[i].name);
	cf_json_index_release(&x);

	cf_fault_set(CF_FAULT_ALLOC, 1, 0);
	assert_int_equal(cf_json_index_members(&x, o), -1);
	cf_fault_set(CF_FAULT_ALLOC, 0, 0);
	assert_int_equal(x.n, 0);
	cJSON_Delete(o);
	cJSON_Delete(first);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_getters),
		cmocka_unit_test(test_length_not_nul),
		cmocka_unit_test(test_trailing),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_nomem_is_not_invalid),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_parse_file),
		cmocka_unit_test(test_adders_and_lines),
		cmocka_unit_test(test_adders_not_utf8),
		cmocka_unit_test(test_emit),
		cmocka_unit_test(test_builder),
		cmocka_unit_test(test_builder_existing),
		cmocka_unit_test(test_index),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
