/* SPDX-License-Identifier: Apache-2.0
 *
 * Sealed logs, below the command line: roots equal to the reference tree
 * whatever the batch and block boundaries, extension reading only new
 * lines, unfinished last lines left alone, and allocation, write and fsync
 * faults at every point of a seal leaving a seal that verifies, with or
 * without the new checkpoint; one log id throughout a seal. Lines of the
 * disclosure list parser too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/core.h"
#include "casefile/error.h"
#include "casefile/hash.h"
#include "casefile/merkle.h"
#include "proof.h"
#include "seal.h"

struct fx {
	char dir[64], log[96], seal[104];
	cf_key *key;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct cf_ctx ctx;

	cf_core_init();
	cf_ctx_init(&ctx);
	strcpy(f->dir, "/tmp/cf-seal-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->log, sizeof f->log, "%s/app.log", f->dir);
	snprintf(f->seal, sizeof f->seal, "%s/app.log.seal", f->dir);
	assert_non_null(f->key = cf_key_generate(&ctx));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	cf_fault_set(CF_FAULT_ALLOC, 0, 0);
	cf_fault_set(CF_FAULT_WRITE, 0, 0);
	cf_fault_set(CF_FAULT_FSYNC, 0, 0);
	cf_key_free(f->key);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void append_lines(const char *path, int from, int to, const char *tail)
{
	FILE *fp = fopen(path, "a");

	assert_non_null(fp);
	for (int i = from; i <= to; i++)
		fprintf(fp, "line %d %.*s\n", i, i % 37, "abcdefghijklmnopqrstuvwxyz0123456789");
	if (tail)
		fputs(tail, fp);
	assert_int_equal(fclose(fp), 0);
}

/* Root over lines [1, n] of the file computed the slow, obvious way. */
static void reference_root(const char *path, uint64_t n, uint8_t root[32])
{
	struct cf_ctx ctx;
	struct cf_merkle_array a;
	uint8_t (*leaf)[32] = calloc(n + 1, 32);
	char *line = NULL;
	size_t cap = 0;
	uint64_t i = 0;
	FILE *fp = fopen(path, "r");

	cf_ctx_init(&ctx);
	a.h = cf_merkle_hasher_new(&ctx);
	while (i < n && getline(&line, &cap, fp) > 0) {
		assert_int_equal(cf_merkle_leaf(a.h, line, strlen(line) - 1, leaf[i]), 0);
		i++;
	}
	assert_int_equal(i, n);
	a.leaf = (const uint8_t(*)[32])leaf;
	a.n = n;
	assert_int_equal(cf_merkle_range_root(a.h, cf_merkle_array_subtree, &a, 0, n,
					      root),
			 0);
	cf_merkle_hasher_free(a.h);
	fclose(fp);
	free(line);
	free(leaf);
}

static void verify_ok(struct fx *f, uint64_t sealed, uint64_t unsealed)
{
	struct seal_report rep;
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	assert_int_equal(seal_verify(&ctx, f->log, f->seal, &f->key, 1, NULL,
				     &rep),
			 CF_OK);
	if (!rep.ok)
		print_error("%s\n", rep.nproblems ? rep.problems[0].detail : "?");
	assert_true(rep.ok);
	assert_int_equal(rep.sealed_lines, sealed);
	assert_int_equal(rep.unsealed_lines, unsealed);
	seal_report_release(&rep);
}

static void test_roots_match_reference(void **state)
{
	struct fx *f = *state;
	struct seal_result r;
	struct cf_ctx ctx;
	uint8_t want[32];
	char hex[65];
	/* Sizes around block (256) and power-of-two boundaries. */
	static const int ends[] = {1, 2, 255, 256, 257, 700, 1024, 5000, 70001};
	int from = 1;

	cf_ctx_init(&ctx);
	for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
		append_lines(f->log, from, ends[i], NULL);
		from = ends[i] + 1;
		assert_int_equal(seal_log(&ctx, f->log, NULL, f->key, NULL, &r),
				 CF_OK);
		assert_int_equal(r.size, (uint64_t)ends[i]);
		assert_int_equal(r.checkpoint, i + 1);
		reference_root(f->log, r.size, want);
		cf_hex(want, 32, hex);
		assert_string_equal(r.root_hex, hex);
		verify_ok(f, r.size, 0);
	}
}

static void test_unfinished_line_waits(void **state)
{
	struct fx *f = *state;
	struct seal_result r;
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	append_lines(f->log, 1, 10, "half");
	assert_int_equal(seal_log(&ctx, f->log, NULL, f->key, NULL, &r), CF_OK);
	assert_int_equal(r.size, 10);
	assert_int_equal(seal_log(&ctx, f->log, NULL, f->key, NULL, &r), CF_OK);
	assert_int_equal(r.new_lines, 0);
	append_lines(f->log, 11, 11, NULL); /* completes "half" + line 11 */
	assert_int_equal(seal_log(&ctx, f->log, NULL, f->key, NULL, &r), CF_OK);
	assert_int_equal(r.size, 11);
	verify_ok(f, 11, 0);
}

static void test_shrunk_log_refused(void **state)
{
	struct fx *f = *state;
	struct seal_result r;
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	append_lines(f->log, 1, 300, NULL);
	assert_int_equal(seal_log(&ctx, f->log, NULL, f->key, NULL, &r), CF_OK);
	assert_int_equal(truncate(f->log, 100), 0);
	assert_int_not_equal(seal_log(&ctx, f->log, NULL, f->key, NULL, &r),
			     CF_OK);
	assert_non_null(strstr(cf_errmsg(&ctx), "no longer matches its seal"));
}

static void copy_file(const char *from, const char *to)
{
	char cmd[256];

	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
	assert_int_equal(system(cmd), 0);
}

/* From one state (300 lines sealed, 300 more to seal), fails the Nth call
 * of one kind for N = 1, 2, ... until a seal no longer reaches N calls:
 * each time the seal verifies and covers 300 lines (failed) or 600 (done). */
static void fault_sweep(struct fx *f, enum cf_fault_kind kind)
{
	struct seal_result r;
	struct cf_ctx ctx;
	char base_log[128], base_seal[128];
	unsigned long nth;

	cf_ctx_init(&ctx);
	append_lines(f->log, 1, 300, NULL);
	assert_int_equal(seal_log(&ctx, f->log, NULL, f->key, NULL, &r), CF_OK);
	append_lines(f->log, 301, 600, NULL);
	snprintf(base_log, sizeof base_log, "%s/base.log", f->dir);
	snprintf(base_seal, sizeof base_seal, "%s/base.seal", f->dir);
	copy_file(f->log, base_log);
	copy_file(f->seal, base_seal);
	for (nth = 1; nth < 100000; nth++) {
		unsigned long calls;
		int rc;
		copy_file(base_seal, f->seal);
		cf_ctx_init(&ctx);
		cf_fault_set(kind, nth, 0);
		rc = seal_log(&ctx, f->log, NULL, f->key, NULL, &r);
		calls = cf_fault_count(kind);
		cf_fault_set(kind, 0, 0);
		if (rc != CF_OK)
			assert_true(strlen(cf_errmsg(&ctx)) > 0);
		verify_ok(f, rc == CF_OK ? 600 : 300, rc == CF_OK ? 0 : 300);
		if (calls < nth) {
			assert_int_equal(rc, CF_OK);
			break;
		}
	}
	assert_true(nth > 1);
}

static void test_fault_alloc(void **state) { fault_sweep(*state, CF_FAULT_ALLOC); }
static void test_fault_write(void **state) { fault_sweep(*state, CF_FAULT_WRITE); }
static void test_fault_fsync(void **state) { fault_sweep(*state, CF_FAULT_FSYNC); }

/* Rewrites checkpoint line `line` (NUL-terminated, no newline) as the key
 * holder could: with log id `id` (NULL: without the member), both
 * signatures made again. Returns a heap line. */
static char *resign(cf_key *key, const char *line, const uint8_t *id)
{
	struct seal_cp cp;
	struct cf_buf hb, out;
	struct cf_ctx ctx;
	uint8_t sig[CF_ED25519_SIG_LEN];
	char kind[32], sighex[2 * CF_ED25519_SIG_LEN + 1], idhex[SEAL_LOG_ID_HEX];
	const char *rest, *end;

	cf_ctx_init(&ctx);
	cf_buf_init(&hb);
	cf_buf_init(&out);
	assert_int_equal(seal_parse_cp(&ctx, line, strlen(line), &key, 1, &cp, kind),
			 CF_OK);
	free(cp.blocks);
	assert_true(cp.has_id);
	/* the members after log_id, up to head_sig */
	rest = strstr(line, ",\"n\":") + 1;
	end = strstr(line, "\"head_sig\":");
	cp.has_id = id != NULL;
	if (id)
		memcpy(cp.log_id, id, SEAL_LOG_ID_LEN);
	assert_int_equal(seal_head_text(&hb, &cp), 0);
	assert_int_equal(cf_key_sign(&ctx, key, hb.data, hb.len, sig), CF_OK);
	cf_hex(sig, sizeof sig, sighex);
	cf_hex(cp.log_id, SEAL_LOG_ID_LEN, idhex);
	assert_int_equal(cf_buf_printf(&out, "{%s%s%s%.*s\"head_sig\":\"%s\"",
				       id ? "\"log_id\":\"" : "", id ? idhex : "",
				       id ? "\"," : "", (int)(end - rest), rest,
				       sighex), 0);
	assert_int_equal(cf_buf_puts(&out, "}"), 0);
	assert_int_equal(cf_key_sign(&ctx, key, out.data, out.len, sig), CF_OK);
	cf_hex(sig, sizeof sig, sighex);
	out.len--;
	assert_int_equal(cf_buf_printf(&out, ",\"sig\":\"%s\"}", sighex), 0);
	cf_buf_release(&hb);
	return cf_buf_detach(&out);
}

/* A checkpoint chained and signed by a trusted key but naming another log,
 * or dropping the log id after checkpoints that carried it, breaks the
 * chain: one seal, one log. */
static void test_log_id_bound(void **state)
{
	static const uint8_t other[SEAL_LOG_ID_LEN] = {1, 2, 3};
	struct fx *f = *state;
	struct seal_result r;
	struct seal_report rep;
	struct seal_cp *cps;
	struct cf_ctx ctx;
	size_t m;
	char *seal = NULL, *nl, *forged;
	size_t cap = 0;
	FILE *fp;

	cf_ctx_init(&ctx);
	append_lines(f->log, 1, 10, NULL);
	assert_int_equal(seal_log(&ctx, f->log, f->seal, f->key, NULL, &r), CF_OK);
	append_lines(f->log, 11, 20, NULL);
	assert_int_equal(seal_log(&ctx, f->log, f->seal, f->key, NULL, &r), CF_OK);
	assert_int_equal(strlen(r.log_id), 32);
	verify_ok(f, 20, 0);
	assert_non_null(fp = fopen(f->seal, "r"));
	assert_true(getdelim(&seal, &cap, '\0', fp) > 0);
	fclose(fp);
	assert_non_null(nl = strchr(seal, '\n'));
	*nl = '\0';
	nl[1 + strcspn(nl + 1, "\n")] = '\0';
	for (int drop = 0; drop < 2; drop++) {
		forged = resign(f->key, nl + 1, drop ? NULL : other);
		assert_non_null(fp = fopen(f->seal, "w"));
		fprintf(fp, "%s\n%s\n", seal, forged);
		assert_int_equal(fclose(fp), 0);
		free(forged);
		memset(&rep, 0, sizeof rep);
		assert_int_equal(seal_read(&ctx, f->seal, &f->key, 1, &cps, &m, &rep),
				 CF_OK);
		seal_cps_free(cps, m);
		assert_int_equal(m, 1);
		assert_int_equal(rep.nproblems, 1);
		assert_string_equal(rep.problems[0].kind, "broken-chain");
		assert_non_null(strstr(rep.problems[0].detail,
				       drop ? "carries no log id" : "names log"));
		assert_string_equal(rep.log_id, r.log_id);
		seal_report_release(&rep);
	}
	free(seal);
}

static void test_parse_lines(void **state)
{
	struct cf_ctx ctx;
	uint64_t *v;
	size_t n;
	static const char *const bad[] = {"", "0", "5-3", "a", "1,", ",1", "1-",
					  "1--2", "1,,2", "1-200000"};

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_equal(proof_parse_lines(&ctx, "45,12,40-45,12", &v, &n), CF_OK);
	assert_int_equal(n, 7);
	assert_int_equal(v[0], 12);
	assert_int_equal(v[1], 40);
	assert_int_equal(v[6], 45);
	free(v);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_not_equal(proof_parse_lines(&ctx, bad[i], &v, &n), CF_OK);
		assert_null(v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roots_match_reference, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unfinished_line_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shrunk_log_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_alloc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_fsync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_id_bound, setup, teardown),
		cmocka_unit_test(test_parse_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
