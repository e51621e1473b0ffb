/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the JSON arena and the quick member lookups
 * (src/json_arena.c, src/json.c): a tree parsed into the arena is the tree
 * cf_json_parse builds and fails the same way; once the arena exists,
 * parsing line after line allocates nothing; a document larger than the
 * arena still parses (its overflow from malloc) and is deleted cleanly;
 * threads with their own arenas and threads without one parse side by side
 * (the allocator hooks are process-wide); and cf_json_get / cf_json_has
 * give cJSON's own answers (first match, case folding, nameless children).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "testutil.h"

/* A FHIR AuditEvent as one NDJSON line (the shape bench/timeline makes). */
static const char line[] =
	"{\"resourceType\":\"AuditEvent\",\"recorded\":\"2026-03-01T00:00:00.000000Z\","
	"\"type\":{\"code\":\"rest\"},\"subtype\":[{\"code\":\"read\"}],\"action\":\"R\","
	"\"outcome\":\"0\",\"agent\":[{\"requestor\":true,\"who\":{\"identifier\":"
	"{\"value\":\"pract-0580\"}},\"network\":{\"address\":\"10.0.0.77\"}}],"
	"\"entity\":[{\"what\":{\"reference\":\"Patient/p77634\"}}],\"n\":[1.5,null,false]}";

static char *print(const cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);

	assert_non_null(s);
	return s;
}

static void test_same_tree(void **state)
{
	struct cf_json_arena a;
	struct cf_ctx c1, c2;
	cJSON *x = NULL, *y = NULL;
	char *sx, *sy;
	/* refused by both, with the same message */
	char deep[2 * (CF_JSON_MAX_DEPTH + 1) + 2];
	const char *bad[] = {"{\"a\":", "{\"a\":1} x", "\"\\u12\"", deep};

	(void)state;
	for (int i = 0; i <= CF_JSON_MAX_DEPTH; i++) {
		deep[i] = '[';
		deep[2 * CF_JSON_MAX_DEPTH + 1 - i] = ']';
	}
	deep[2 * CF_JSON_MAX_DEPTH + 2] = '\0';
	cf_ctx_init(&c1);
	cf_ctx_init(&c2);
	assert_int_equal(cf_json_arena_init(&c1, &a, 4096), CF_OK);
	for (int round = 0; round < 3; round++) {
		assert_int_equal(cf_json_parse(&c1, line, strlen(line), &x), CF_OK);
		assert_int_equal(cf_json_parse_in(&c2, &a, line, strlen(line), &y), CF_OK);
		sx = print(x);
		sy = print(y);
		assert_string_equal(sx, sy);
		free(sx);
		free(sy);
		cJSON_Delete(x);
		cJSON_Delete(y);
	}
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		cf_ctx_init(&c1);
		cf_ctx_init(&c2);
		y = (cJSON *)1;
		assert_int_equal(cf_json_parse(&c1, bad[i], strlen(bad[i]), &x), CF_FAILED);
		assert_int_equal(cf_json_parse_in(&c2, &a, bad[i], strlen(bad[i]), &y),
				 CF_FAILED);
		assert_null(y);
		assert_string_equal(c1.msg, c2.msg);
	}
	cf_json_arena_release(&a);
}

/* Allocations (cf_malloc and friends) made by parsing `line` n times into
 * the arena, each tree deleted before the next parse. */
static unsigned long allocs_for(struct cf_json_arena *a, int n)
{
	struct cf_ctx ctx;
	unsigned long count;

	cf_ctx_init(&ctx);
	cf_fault_set(CF_FAULT_ALLOC, ULONG_MAX, 0); /* count, never fail */
	for (int i = 0; i < n; i++) {
		cJSON *j = NULL;
		assert_int_equal(cf_json_parse_in(&ctx, a, line, strlen(line), &j), CF_OK);
		assert_string_equal(cf_json_str(j, "outcome", ""), "0");
		cJSON_Delete(j);
	}
	count = cf_fault_count(CF_FAULT_ALLOC);
	cf_fault_set(CF_FAULT_ALLOC, 0, 0);
	return count;
}

static void test_no_allocation_per_line(void **state)
{
	struct cf_json_arena a;
	struct cf_ctx ctx;

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_equal(cf_json_arena_init(&ctx, &a, 64 << 10), CF_OK);
	assert_int_equal(allocs_for(&a, 1), 0);
	assert_int_equal(allocs_for(&a, 1000), 0);
	cf_json_arena_release(&a);
}

/* A document ten times the arena: the nodes that do not fit come from
 * malloc; the tree is whole, and deleting it frees exactly those (the
 * memcheck run of this test would see a wrong free or a leak). */
static void test_overflow_to_malloc(void **state)
{
	struct cf_json_arena a;
	struct cf_ctx ctx;
	struct cf_buf b;
	cJSON *j = NULL;
	char *s;
	int n = 0;

	(void)state;
	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	cf_buf_putc(&b, '[');
	for (int i = 0; i < 2000; i++)
		cf_buf_printf(&b, "%s{\"k%d\":\"value %d\"}", i ? "," : "", i, i);
	cf_buf_putc(&b, ']');
	assert_int_equal(cf_json_arena_init(&ctx, &a, 4096), CF_OK);
	assert_true(b.len > 10 * a.cap);
	for (int round = 0; round < 2; round++) {
		const cJSON *e;
		assert_int_equal(cf_json_parse_in(&ctx, &a, b.data, b.len, &j), CF_OK);
		cJSON_ArrayForEach(e, j) n++;
		s = print(j);
		assert_memory_equal(s, b.data, b.len);
		free(s);
		cJSON_Delete(j);
	}
	assert_int_equal(n, 4000);
	assert_true(a.used <= a.cap);
	cf_json_arena_release(&a);
	cf_buf_release(&b);
}

/* Threads with an arena and threads without parse and delete at once. */
static void *parse_many(void *arg)
{
	int with_arena = *(int *)arg;
	struct cf_json_arena a;
	struct cf_ctx ctx;
	int bad = 0;

	cf_ctx_init(&ctx);
	if (with_arena && cf_json_arena_init(&ctx, &a, 8192) != CF_OK)
		return (void *)1;
	for (int i = 0; i < 2000; i++) {
		cJSON *j = NULL;
		int rc = with_arena ? cf_json_parse_in(&ctx, &a, line, strlen(line), &j) :
				      cf_json_parse(&ctx, line, strlen(line), &j);
		char *s = rc == CF_OK ? cJSON_PrintUnformatted(j) : NULL;
		bad |= !s || !strstr(s, "pract-0580");
		free(s);
		cJSON_Delete(j);
	}
	if (with_arena)
		cf_json_arena_release(&a);
	return bad ? (void *)1 : NULL;
}

static void test_threads(void **state)
{
	pthread_t th[4];
	int kind[4] = {1, 0, 1, 0};

	(void)state;
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, parse_many, &kind[i]), 0);
	for (int i = 0; i < 4; i++) {
		void *r;
		assert_int_equal(pthread_join(th[i], &r), 0);
		assert_null(r);
	}
}

static void test_get_has_as_cjson(void **state)
{
	cJSON *j = NULL, *arr;
	struct cf_ctx ctx;
	static const char doc[] =
		"{\"a\":1,\"ab\":2,\"Ab\":3,\"ab\":4,\"\":5,\"resourceType\":\"x\","
		"\"RESOURCETYPE\":\"y\",\"\xc3\xa9t\xc3\xa9\":6,\"arr\":[1,{\"a\":7}]}";
	static const char *const keys[] = {
		"a", "ab", "Ab", "AB", "aB", "", "resourceType", "resourcetype",
		"RESOURCETYPE", "\xc3\xa9t\xc3\xa9", "\xc3\x89t\xc3\xa9", "arr",
		"missing", "abc",
	};

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_equal(cf_json_parse(&ctx, doc, strlen(doc), &j), CF_OK);
	arr = cJSON_GetObjectItemCaseSensitive(j, "arr");
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		const char *k = keys[i];
		assert_ptr_equal(cf_json_get(j, k), cJSON_GetObjectItemCaseSensitive(j, k));
		assert_int_equal(cf_json_has(j, k), cJSON_HasObjectItem(j, k));
		/* an array's children have no names */
		assert_ptr_equal(cf_json_get(arr, k), cJSON_GetObjectItemCaseSensitive(arr, k));
		assert_int_equal(cf_json_has(arr, k), cJSON_HasObjectItem(arr, k));
	}
	assert_int_equal(cf_json_get(j, "ab")->valueint, 2); /* the first one */
	assert_null(cf_json_get(NULL, "a"));
	assert_null(cf_json_get(j, NULL));
	assert_int_equal(cf_json_has(NULL, "a"), 0);
	assert_int_equal(cf_json_has(j, NULL), 0);
	cJSON_Delete(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_tree),
		cmocka_unit_test(test_no_allocation_per_line),
		cmocka_unit_test(test_overflow_to_malloc),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_get_has_as_cjson),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
