/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for YAML loading (src/yaml.c): syntax errors and schema errors
 * both point at FILE:LINE:COL with 1-based numbers that match what an
 * editor shows, and the scalar helpers tell absent, valid and invalid apart.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/yaml.h"
#include "testutil.h"

static const char doc_text[] =
	"id: stolen-credentials\n"         /* 1 */
	"title: \"Stolen: creds\"\n"       /* 2 */
	"steps:\n"                         /* 3 */
	"  - kind: action\n"               /* 4 */
	"    owner: security\n"            /* 5 */
	"limits:\n"                        /* 6 */
	"  max_size: 64M\n"                /* 7 */
	"  small: 10k\n"                   /* 8 */
	"  count: -12\n"                   /* 9 */
	"  bad: 12x\n"                     /* 10 */
	"  huge: 99999999999999999999\n"   /* 11 */
	"  wrap: 9007199254740993G\n"      /* 12 */
	"  enabled: true\n"                /* 13 */
	"  off: false\n"                   /* 14 */
	"  yes: yes\n"                     /* 15 */
	"  list: [a, b]\n"                 /* 16 */
	"  empty: \"\"\n";                 /* 17 */

static struct fy_document *load_ok(const char *text)
{
	struct cf_ctx ctx;
	struct fy_document *doc = NULL;

	cf_ctx_init(&ctx);
	if (cf_yaml_load_string(&ctx, "p.yaml", text, strlen(text), &doc) != CF_OK)
		fail_msg("refused: %s", ctx.msg);
	return doc;
}

static void load_bad(const char *text, const char *want)
{
	struct cf_ctx ctx;
	struct fy_document *doc = (struct fy_document *)1;

	cf_ctx_init(&ctx);
	assert_int_equal(cf_yaml_load_string(&ctx, "p.yaml", text, strlen(text),
					     &doc),
			 CF_FAILED);
	assert_null(doc);
	if (strncmp(ctx.msg, want, strlen(want)))
		fail_msg("message '%s' does not start with '%s'", ctx.msg, want);
}

static void test_syntax_error_positions(void **state)
{
	(void)state;
	/* Tab used as indentation: the tab is line 2, column 1. */
	load_bad("a:\n\tb: 1\n", "p.yaml:2:1: tab character");
	/* The second "a" is line 3, column 1. */
	load_bad("x: 0\na: 1\na: 2\n", "p.yaml:3:1: duplicate key");
	/* "b: c" nested on the same line: the second ':' is column 5. */
	load_bad("k: v\na: b: c\n", "p.yaml:2:5: invalid nested block mapping");
	/* An unclosed flow sequence is found at the end: line 3, column 1. */
	load_bad("a: [1, 2\nb: 3\n", "p.yaml:3:1: flow sequence without a closing");
	/* Invalid UTF-8 is refused before parsing, at the offending byte
	 * (libfyaml 0.7.12 hangs on it in a directive name). */
	load_bad("%A\xca\n", "p.yaml:1:3: not valid UTF-8 text (byte 0xca)");
	load_bad("a: b\nc: \xff\n", "p.yaml:2:4: not valid UTF-8 text (byte 0xff)");
	load_bad("a: \xc3", "p.yaml:1:4: not valid UTF-8 text (byte 0xc3)");
	load_bad("a: \xed\xa0\x80\n", "p.yaml:1:4: not valid UTF-8");
	{
		/* A NUL byte is refused, and bytes after it are still read
		 * from the caller's buffer, not past a shorter copy. */
		struct cf_ctx ctx;
		struct fy_document *doc;
		cf_ctx_init(&ctx);
		assert_int_equal(cf_yaml_load_string(&ctx, "n.yaml", "a: 1\nb: x\0y\n",
						     12, &doc),
				 CF_FAILED);
		assert_string_equal(ctx.msg,
				    "n.yaml:2:5: not valid UTF-8 text (byte 0x00)");
	}
	/* Not a document at all: the message still names the file. */
	load_bad("", "p.yaml: ");
	/* Valid non-ASCII text is fine. */
	fy_document_destroy(load_ok("name: caf\xc3\xa9 \xe2\x82\xac\n"));
}

static void test_load_file(void **state)
{
	char *dir = tu_tempdir(), *path = tu_path(dir, "pb.yaml"),
	     *missing = tu_path(dir, "none.yaml");
	struct cf_ctx ctx;
	struct fy_document *doc;
	char want[4200];

	(void)state;
	cf_ctx_init(&ctx);
	tu_write_file(path, doc_text, strlen(doc_text), 0644);
	assert_int_equal(cf_yaml_load(&ctx, path, &doc), CF_OK);
	assert_non_null(fy_document_root(doc));
	fy_document_destroy(doc);

	tu_write_file(path, "ok: 1\nbad: [\n", 13, 0644);
	assert_int_equal(cf_yaml_load(&ctx, path, &doc), CF_FAILED);
	assert_null(doc);
	snprintf(want, sizeof want, "%s:3:1: ", path);
	assert_memory_equal(ctx.msg, want, strlen(want));

	assert_int_equal(cf_yaml_load(&ctx, missing, &doc), CF_FAILED);
	assert_non_null(strstr(ctx.msg, missing));
	assert_non_null(strstr(ctx.msg, "No such file or directory"));

	/* Larger than CF_YAML_MAX_BYTES: refused before parsing. */
	assert_int_equal(truncate(path, CF_YAML_MAX_BYTES + 1), 0);
	assert_int_equal(cf_yaml_load(&ctx, path, &doc), CF_FAILED);
	assert_non_null(strstr(ctx.msg, "larger than"));
	free(path);
	free(missing);
	tu_rmtree(dir);
}

static void test_marks_and_errors(void **state)
{
	struct fy_document *doc = load_ok(doc_text);
	struct fy_node *root = fy_document_root(doc), *limits;
	struct cf_ctx ctx;
	int line, col;

	(void)state;
	cf_yaml_mark(cf_yaml_get(root, "id"), &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, 5);
	limits = cf_yaml_get(root, "limits");
	assert_non_null(limits);
	cf_yaml_mark(cf_yaml_get(limits, "bad"), &line, &col);
	assert_int_equal(line, 10);
	assert_int_equal(col, 8);
	/* A collection is located by its first scalar. */
	cf_yaml_mark(cf_yaml_get(root, "steps"), &line, &col);
	assert_int_equal(line, 4);
	assert_int_equal(col, 5);
	cf_yaml_mark(NULL, &line, &col);
	assert_int_equal(line, 0);
	assert_int_equal(col, 0);

	cf_ctx_init(&ctx);
	assert_int_equal(cf_yaml_error(&ctx, "p.yaml", cf_yaml_get(limits, "small"),
				       "'%s' is too small", "small"),
			 CF_FAILED);
	assert_string_equal(ctx.msg, "p.yaml:8:10: 'small' is too small");
	assert_null(cf_yaml_get(root, "absent"));
	assert_null(cf_yaml_get(cf_yaml_get(root, "id"), "x")); /* not a map */
	assert_null(cf_yaml_get(NULL, "x"));
	fy_document_destroy(doc);
}

static void test_check_keys(void **state)
{
	static const char *const top[] = {"id", "title", "steps", "limits", NULL};
	static const char *const step[] = {"kind", "owner", NULL};
	static const char *const few[] = {"id", NULL};
	struct fy_document *doc = load_ok(doc_text);
	struct fy_node *root = fy_document_root(doc), *s;
	struct cf_ctx ctx;
	void *iter = NULL;

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_equal(cf_yaml_check_keys(&ctx, "p.yaml", root, top), CF_OK);
	s = fy_node_sequence_iterate(cf_yaml_get(root, "steps"), &iter);
	assert_int_equal(cf_yaml_check_keys(&ctx, "p.yaml", s, step), CF_OK);
	assert_int_equal(cf_yaml_check_keys(&ctx, "p.yaml", root, few), CF_FAILED);
	assert_string_equal(ctx.msg, "p.yaml:2:1: unknown key 'title'");
	assert_int_equal(cf_yaml_check_keys(&ctx, "p.yaml", s, few), CF_FAILED);
	assert_string_equal(ctx.msg, "p.yaml:4:5: unknown key 'kind'");
	assert_int_equal(cf_yaml_check_keys(&ctx, "p.yaml",
					    cf_yaml_get(root, "steps"), few),
			 CF_FAILED);
	assert_string_equal(ctx.msg, "p.yaml:4:5: expected a mapping");
	fy_document_destroy(doc);

	doc = load_ok("id: 1\n[a, b]: 2\n");
	assert_int_equal(cf_yaml_check_keys(&ctx, "q.yaml", fy_document_root(doc),
					    few),
			 CF_FAILED);
	assert_string_equal(ctx.msg, "q.yaml:2:2: keys must be strings");
	fy_document_destroy(doc);
}

static void test_scalars(void **state)
{
	struct fy_document *doc = load_ok(doc_text);
	struct fy_node *root = fy_document_root(doc),
		       *lim = cf_yaml_get(root, "limits");
	struct cf_ctx ctx;
	char *s = NULL;
	int64_t v = -1;
	int b = -1;

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_equal(cf_yaml_str(&ctx, "p.yaml", root, "title", &s), CF_OK);
	assert_string_equal(s, "Stolen: creds");
	assert_int_equal(cf_yaml_str(&ctx, "p.yaml", root, "id", &s), CF_OK);
	assert_string_equal(s, "stolen-credentials"); /* replaced, old freed */
	assert_int_equal(cf_yaml_str(&ctx, "p.yaml", root, "nope", &s), CF_EOF);
	assert_string_equal(s, "stolen-credentials");
	assert_int_equal(cf_yaml_str(&ctx, "p.yaml", root, "steps", &s), CF_FAILED);
	assert_string_equal(ctx.msg, "p.yaml:4:5: 'steps' must be a string");
	assert_int_equal(cf_yaml_str(&ctx, "p.yaml", lim, "empty", &s), CF_OK);
	assert_string_equal(s, "");
	free(s);

	assert_int_equal(cf_yaml_int(&ctx, "p.yaml", lim, "max_size", &v), CF_OK);
	assert_int_equal(v, 64LL << 20);
	assert_int_equal(cf_yaml_int(&ctx, "p.yaml", lim, "small", &v), CF_OK);
	assert_int_equal(v, 10240);
	assert_int_equal(cf_yaml_int(&ctx, "p.yaml", lim, "count", &v), CF_OK);
	assert_int_equal(v, -12);
	assert_int_equal(cf_yaml_int(&ctx, "p.yaml", lim, "absent", &v), CF_EOF);
	assert_int_equal(v, -12);
	assert_int_equal(cf_yaml_int(&ctx, "p.yaml", lim, "bad", &v), CF_FAILED);
	assert_string_equal(ctx.msg, "p.yaml:10:8: 'bad' must be an integer, not '12x'");
	assert_int_equal(cf_yaml_int(&ctx, "p.yaml", lim, "huge", &v), CF_FAILED);
	assert_non_null(strstr(ctx.msg, "p.yaml:11:9: 'huge' must be an integer"));
	/* A unit that would overflow is refused, not wrapped. */
	assert_int_equal(cf_yaml_int(&ctx, "p.yaml", lim, "wrap", &v), CF_FAILED);
	assert_non_null(strstr(ctx.msg, "p.yaml:12:9: 'wrap' must be an integer"));
	assert_int_equal(cf_yaml_int(&ctx, "p.yaml", lim, "list", &v), CF_FAILED);
	assert_int_equal(v, -12);

	assert_int_equal(cf_yaml_bool(&ctx, "p.yaml", lim, "enabled", &b), CF_OK);
	assert_int_equal(b, 1);
	assert_int_equal(cf_yaml_bool(&ctx, "p.yaml", lim, "off", &b), CF_OK);
	assert_int_equal(b, 0);
	assert_int_equal(cf_yaml_bool(&ctx, "p.yaml", lim, "absent", &b), CF_EOF);
	assert_int_equal(cf_yaml_bool(&ctx, "p.yaml", lim, "yes", &b), CF_FAILED);
	assert_string_equal(ctx.msg, "p.yaml:15:8: 'yes' must be true or false");
	assert_int_equal(b, 0);

	s = cf_yaml_strdup(cf_yaml_get(lim, "small"));
	assert_string_equal(s, "10k");
	free(s);
	assert_null(cf_yaml_strdup(lim));
	assert_null(cf_yaml_strdup(NULL));
	fy_document_destroy(doc);
}

static void test_no_memory(void **state)
{
	struct cf_ctx ctx;
	struct fy_document *doc = (struct fy_document *)1;

	(void)state;
	cf_ctx_init(&ctx);
	cf_fault_set(CF_FAULT_ALLOC, 1, 0);
	assert_int_equal(cf_yaml_load_string(&ctx, "m.yaml", "a: 1\n", 5, &doc),
			 CF_FATAL);
	cf_fault_set(CF_FAULT_ALLOC, 0, 0);
	assert_null(doc);
	assert_string_equal(ctx.msg, "m.yaml: Cannot allocate memory");
}

/* cf_yaml_to_json: the two readings of a scalar (typed for the playbook
 * engine, text for the reports), the shape of mappings and lists, the
 * depth bound, and a failed allocation anywhere giving NULL, not a partial
 * tree. */
static void test_to_json(void **state)
{
	static const char text[] =
		"n: 12.5\nq: \"12\"\nb: true\nB: TRUE\nz: ~\nN: Null\ne:\n"
		"l: [1, x, {k: false}]\n";
	static const char *const typed =
		"{\"n\":12.5,\"q\":\"12\",\"b\":true,\"B\":\"TRUE\",\"z\":null,"
		"\"N\":\"Null\",\"e\":null,\"l\":[1,\"x\",{\"k\":false}]}";
	static const char *const plain =
		"{\"n\":\"12.5\",\"q\":\"12\",\"b\":\"true\",\"B\":\"TRUE\",\"z\":null,"
		"\"N\":null,\"e\":null,\"l\":[\"1\",\"x\",{\"k\":\"false\"}]}";
	struct fy_document *doc;
	struct cf_ctx ctx;
	char deep[4 * (CF_YAML_JSON_DEPTH + 2) + 8], *p = deep, *s;
	cJSON *j;
	unsigned long allocs;

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_equal(cf_yaml_load_string(&ctx, "j.yaml", text, strlen(text), &doc), CF_OK);
	for (int typed_mode = 0; typed_mode < 2; typed_mode++) {
		j = cf_yaml_to_json(fy_document_root(doc), typed_mode ? CF_YAML_JSON_TYPED : 0);
		assert_non_null(j);
		assert_non_null(s = cJSON_PrintUnformatted(j));
		assert_string_equal(s, typed_mode ? typed : plain);
		free(s);
		cJSON_Delete(j);
	}
	/* every allocation the conversion makes, failed in turn */
	cf_fault_set(CF_FAULT_ALLOC, ULONG_MAX, 0);
	cJSON_Delete(cf_yaml_to_json(fy_document_root(doc), CF_YAML_JSON_TYPED));
	allocs = cf_fault_count(CF_FAULT_ALLOC);
	assert_true(allocs > 10);
	for (unsigned long i = 1; i <= allocs; i++) {
		cf_fault_set(CF_FAULT_ALLOC, i, 0);
		assert_null(cf_yaml_to_json(fy_document_root(doc), CF_YAML_JSON_TYPED));
	}
	cf_fault_set(CF_FAULT_ALLOC, 0, 0);
	fy_document_destroy(doc);

	/* a list nested deeper than the bound: nulls below it */
	for (int i = 0; i < CF_YAML_JSON_DEPTH + 2; i++)
		*p++ = '[';
	for (int i = 0; i < CF_YAML_JSON_DEPTH + 2; i++)
		*p++ = ']';
	*p++ = '\n';
	assert_int_equal(cf_yaml_load_string(&ctx, "d.yaml", deep, (size_t)(p - deep), &doc),
			 CF_OK);
	assert_non_null(j = cf_yaml_to_json(fy_document_root(doc), 0));
	{
		cJSON *k = j;
		int levels = 0;
		while (cJSON_IsArray(k) && cJSON_GetArraySize(k) == 1) {
			k = cJSON_GetArrayItem(k, 0);
			levels++;
		}
		assert_int_equal(levels, CF_YAML_JSON_DEPTH + 1);
		assert_true(cJSON_IsNull(k));
	}
	cJSON_Delete(j);
	fy_document_destroy(doc);
	assert_non_null(j = cf_yaml_to_json(NULL, 0));
	assert_true(cJSON_IsNull(j));
	cJSON_Delete(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax_error_positions),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_marks_and_errors),
		cmocka_unit_test(test_check_keys),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_no_memory),
		cmocka_unit_test(test_to_json),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
