/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of reports/custody_report.c on a real case made with the core
 * (cf_case_create, cf_custody_append): the report lists every entry and
 * archive; with a trusted key the log verifies, with another key or after
 * an entry is altered it does not, and without keys it is "not verified".
 * An evidence file removed, replaced or added behind the log's back is
 * named with what is wrong, and the verdict fails.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/case.h"
#include "casefile/core.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "custody_report.h"

/* sha256("abc"), the bytes of the one evidence file */
#define ABC_SHA256 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

struct fx {
	char dir[64], casedir[96];
	cf_key *key, *other;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct cf_ctx ctx;
	cf_case *c = NULL;
	char path[160];
	FILE *a;

	cf_core_init();
	cf_ctx_init(&ctx);
	strcpy(f->dir, "/tmp/cf-rcust-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->casedir, sizeof f->casedir, "%s/case", f->dir);
	assert_non_null(f->key = cf_key_generate(&ctx));
	assert_non_null(f->other = cf_key_generate(&ctx));
	assert_int_equal(cf_case_create(&ctx, f->casedir, "CASE-9", "Dana <Examiner>",
					f->key, NULL), CF_OK);
	assert_int_equal(cf_case_open(&ctx, f->casedir, &c), CF_OK);
	assert_int_equal(cf_custody_append_file(&ctx, c, f->key, "add",
		"3f6a1c0e9b2d4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c",
		"ehr-1.tar.zst", ABC_SHA256, "ehr-1.tar.zst"), CF_OK);
	assert_int_equal(cf_custody_append(&ctx, c, f->key, "report-breach", NULL,
					   "<script>x</script>"), CF_OK);
	cf_case_free(c);
	snprintf(path, sizeof path, "%s/evidence/ehr-1.tar.zst", f->casedir);
	assert_non_null(a = fopen(path, "w"));
	fputs("abc", a);
	fclose(a);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[200];

	cf_key_free(f->key);
	cf_key_free(f->other);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static cJSON *build(struct fx *f, cf_key *key)
{
	struct cf_ctx ctx;
	cJSON *rep = NULL;

	cf_ctx_init(&ctx);
	if (cf_custody_report_build(&ctx, f->casedir, key ? &key : NULL, key ? 1 : 0,
				    0, &rep) != CF_OK)
		fail_msg("%s", cf_errmsg(&ctx));
	return rep;
}

static const cJSON *verdict(const cJSON *rep)
{
	return cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "summary"), "verification");
}

static void trusted_key_verifies_and_lists_everything(void **state)
{
	struct fx *f = *state;
	cJSON *rep = build(f, f->key);
	const cJSON *a = cJSON_GetArrayItem(cJSON_GetObjectItem(rep, "archives"), 0);
	struct cf_ctx ctx;
	struct cf_buf b;

	assert_true(cf_json_bool(verdict(rep), "ok", 0));
	assert_true(cf_json_bool(verdict(rep), "evidence_checked", 0));
	assert_string_equal(cf_json_str(a, "status", ""), "ok");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(rep, "entries")), 3);
	assert_int_equal(cf_json_int(cJSON_GetObjectItem(rep, "summary"), "entries", 0), 3);
	/* sha256("abc") */
	assert_string_equal(cf_json_str(a, "file_sha256", ""),
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_string_equal(cf_json_str(a, "file", ""), "ehr-1.tar.zst");
	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	assert_int_equal(cf_custody_report_render(&ctx, rep, "html", &b), CF_OK);
	assert_null(strstr(b.data, "<script>"));
	assert_non_null(strstr(b.data, "&lt;script&gt;x&lt;/script&gt;"));
	assert_non_null(strstr(b.data, "Dana &lt;Examiner&gt;"));
	assert_non_null(strstr(b.data, "OK."));
	cf_buf_release(&b);
	cJSON_Delete(rep);
}

static void no_key_is_not_verified(void **state)
{
	struct fx *f = *state;
	cJSON *rep = build(f, NULL);
	struct cf_ctx ctx;
	struct cf_buf b;

	assert_true(cJSON_IsNull(verdict(rep)));
	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	assert_int_equal(cf_custody_report_render(&ctx, rep, "md", &b), CF_OK);
	assert_non_null(strstr(b.data, "not verified"));
	assert_null(strstr(b.data, "OK."));
	cf_buf_release(&b);
	cJSON_Delete(rep);
}

static void other_key_or_altered_entry_fails(void **state)
{
	struct fx *f = *state;
	cJSON *rep = build(f, f->other);
	char path[160], cmd[300];

	assert_false(cf_json_bool(verdict(rep), "ok", 1));
	cJSON_Delete(rep);
	/* alter the note of entry 2 */
	snprintf(path, sizeof path, "%s/custody.jsonl", f->casedir);
	snprintf(cmd, sizeof cmd, "sed -i 's/ehr-1.tar.zst/ehr-2.tar.zst/' '%s'", path);
	assert_int_equal(system(cmd), 0);
	rep = build(f, f->key);
	assert_false(cf_json_bool(verdict(rep), "ok", 1));
	assert_int_equal(cf_json_int(verdict(rep), "first_bad", 0), 2);
	cJSON_Delete(rep);
}

/* Writes text to evidence/name in the case, or removes it (text NULL). */
static void put_evidence(struct fx *f, const char *name, const char *text)
{
	char path[200];
	FILE *a;

	snprintf(path, sizeof path, "%s/evidence/%s", f->casedir, name);
	if (!text) {
		assert_int_equal(remove(path), 0);
		return;
	}
	assert_non_null(a = fopen(path, "w"));
	fputs(text, a);
	assert_int_equal(fclose(a), 0);
}

/* The archive row of the report named name, or NULL. */
static const cJSON *row(const cJSON *rep, const char *name)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, cJSON_GetObjectItem(rep, "archives"))
		if (!strcmp(cf_json_str(a, "file", ""), name))
			return a;
	return NULL;
}

static void evidence_swapped_added_or_removed_is_named(void **state)
{
	struct fx *f = *state;
	const cJSON *v, *p;
	struct cf_ctx ctx;
	struct cf_buf b;
	cJSON *rep;

	put_evidence(f, "ehr-1.tar.zst", "abd"); /* swapped */
	put_evidence(f, "planted.tar.zst", "x"); /* never added */
	rep = build(f, f->key);
	v = verdict(rep);
	assert_false(cf_json_bool(v, "ok", 1));
	assert_int_equal(cf_json_int(v, "first_bad", -1), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(v, "files")), 2);
	p = cJSON_GetArrayItem(cJSON_GetObjectItem(v, "files"), 0);
	assert_string_equal(cf_json_str(p, "file", ""), "ehr-1.tar.zst");
	assert_string_equal(cf_json_str(p, "kind", ""), "replaced");
	assert_int_equal(cf_json_int(p, "entry", 0), 2);
	assert_non_null(strstr(cf_json_str(p, "detail", ""), ABC_SHA256));
	assert_string_equal(cf_json_str(row(rep, "planted.tar.zst"), "status", ""), "extra");
	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	assert_int_equal(cf_custody_report_render(&ctx, rep, "md", &b), CF_OK);
	assert_non_null(strstr(b.data, "planted.tar.zst: extra"));
	assert_null(strstr(b.data, "OK."));
	cf_buf_release(&b);
	cJSON_Delete(rep);

	put_evidence(f, "ehr-1.tar.zst", NULL); /* removed */
	put_evidence(f, "planted.tar.zst", NULL);
	rep = build(f, f->key);
	v = verdict(rep);
	assert_false(cf_json_bool(v, "ok", 1));
	p = cJSON_GetArrayItem(cJSON_GetObjectItem(v, "files"), 0);
	assert_string_equal(cf_json_str(p, "kind", ""), "missing");
	assert_string_equal(cf_json_str(row(rep, "ehr-1.tar.zst"), "status", ""), "missing");
	cJSON_Delete(rep);
}

/* Out of memory at any allocation of the report (the case, the log, the
 * summary, the archives): the report a run without a fault gives, or an
 * error that says so, with the runtime status CF_FATAL, and no report. Without a key: the core's key
 * reading is not what this tests. */
static void every_allocation_failure_is_out_of_memory(void **state)
{
	struct fx *f = *state;
	cJSON *ref = build(f, NULL);
	unsigned long n;
	int done = 0;

	for (n = 1; !done; n++) {
		struct cf_ctx ctx;
		cJSON *rep = NULL;
		int rc;

		cf_ctx_init(&ctx);
		cf_fault_set(CF_FAULT_ALLOC, n, 0);
		rc = cf_custody_report_build(&ctx, f->casedir, NULL, 0, 0, &rep);
		done = cf_fault_count(CF_FAULT_ALLOC) < n;
		cf_fault_set(CF_FAULT_ALLOC, 0, 0);
		if (rc == CF_OK) {
			assert_true(cJSON_Compare(rep, ref, 1));
		} else {
			if (!strstr(cf_errmsg(&ctx), strerror(ENOMEM)))
				fail_msg("alloc %lu: %s", n, cf_errmsg(&ctx));
			/* the runtime status, not a plain failure */
			if (rc != CF_FATAL)
				fail_msg("alloc %lu: status %d, not CF_FATAL: %s", n, rc,
					 cf_errmsg(&ctx));
			assert_null(rep);
		}
		cJSON_Delete(rep);
	}
	assert_true(n > 50); /* the cJSON allocations were counted too */
	cJSON_Delete(ref);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(trusted_key_verifies_and_lists_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(no_key_is_not_verified, setup, teardown),
		cmocka_unit_test_setup_teardown(other_key_or_altered_entry_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(evidence_swapped_added_or_removed_is_named, setup, teardown),
		cmocka_unit_test_setup_teardown(every_allocation_failure_is_out_of_memory, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
