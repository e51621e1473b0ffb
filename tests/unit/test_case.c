/* SPDX-License-Identifier: Apache-2.0
 *
 * Cases and the custody log: creation, appends, every kind of tampering
 * named at the right entry, a torn last line refused, the log bound to its
 * case (case.json, case id, no empty or foreign log), no append after a
 * forged entry (CF_TAMPERED), and fault injection
 * (allocation, write, fsync failing at every point of an append) leaving a
 * log that verifies, with or without the entry but never half of it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/case.h"
#include "casefile/core.h"
#include "casefile/error.h"

struct fx {
	char dir[64];
	char casedir[96];
	char log[128];
	cf_key *key, *other;
	cf_case *c;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct cf_ctx ctx;

	cf_core_init();
	cf_ctx_init(&ctx);
	strcpy(f->dir, "/tmp/cf-case-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->casedir, sizeof f->casedir, "%s/case", f->dir);
	snprintf(f->log, sizeof f->log, "%s/custody.jsonl", f->casedir);
	f->key = cf_key_generate(&ctx);
	f->other = cf_key_generate(&ctx);
	assert_non_null(f->key);
	assert_non_null(f->other);
	assert_int_equal(cf_case_create(&ctx, f->casedir, "CASE-1", "Dana Examiner",
					f->key, NULL),
			 CF_OK);
	assert_int_equal(cf_case_open(&ctx, f->casedir, &f->c), CF_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[200];

	cf_fault_set(CF_FAULT_ALLOC, 0, 0);
	cf_fault_set(CF_FAULT_WRITE, 0, 0);
	cf_fault_set(CF_FAULT_FSYNC, 0, 0);
	cf_case_free(f->c);
	cf_key_free(f->key);
	cf_key_free(f->other);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void append_n(struct fx *f, int n)
{
	struct cf_ctx ctx;
	char note[32];

	cf_ctx_init(&ctx);
	for (int i = 0; i < n; i++) {
		snprintf(note, sizeof note, "entry %d", i);
		assert_int_equal(cf_custody_append(&ctx, f->c, f->key, "test",
						   "00ff", note),
				 CF_OK);
	}
}

static void verify(struct fx *f, cf_key *k, struct cf_custody_report *r)
{
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	assert_int_equal(cf_custody_verify(&ctx, f->log, &k, 1, r), CF_OK);
}

/* Lines of the log, each without its newline, into a NULL-ended array. */
static char **read_lines(const char *path, size_t *n)
{
	struct cf_ctx ctx;
	struct cf_buf b;
	char **v = calloc(256, sizeof *v), *p, *nl;

	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	assert_int_equal(cf_buf_read_file(&ctx, &b, path, 0), CF_OK);
	*n = 0;
	for (p = b.data; p && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		v[(*n)++] = strndup(p, (size_t)(nl - p));
	}
	cf_buf_release(&b);
	return v;
}

static void write_lines(const char *path, char **v, size_t n, int torn)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%s%s", v[i], (torn && i == n - 1) ? "" : "\n");
	assert_int_equal(fclose(fp), 0);
}

static void free_lines(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void test_create_and_verify(void **state)
{
	struct fx *f = *state;
	struct cf_custody_report r;
	struct stat st;
	char p[160];

	assert_string_equal(cf_case_id(f->c), "CASE-1");
	assert_string_equal(cf_case_examiner(f->c), "Dana Examiner");
	assert_null(cf_case_key_path(f->c));
	snprintf(p, sizeof p, "%s/evidence", f->casedir);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	verify(f, f->key, &r);
	assert_int_equal(r.first_bad, 0);
	assert_int_equal(r.entries, 1);
	assert_int_equal(strlen(r.head), 64);
	append_n(f, 4);
	verify(f, f->key, &r);
	assert_int_equal(r.first_bad, 0);
	assert_int_equal(r.entries, 5);
	assert_true(r.last_us >= r.first_us);
}

static void test_line_format(void **state)
{
	struct fx *f = *state;
	size_t n;
	char **v = read_lines(f->log, &n);
	char msg[4096];
	uint8_t sig[64];
	size_t m;

	assert_int_equal(n, 1);
	assert_true(!strncmp(v[0], "{\"seq\":1,\"case\":\"CASE-1\",\"time\":\"", 33));
	assert_non_null(strstr(v[0], "\"file\":null,\"note\":\"case created\""));
	assert_non_null(strstr(v[0], "\"action\":\"init\""));
	assert_non_null(strstr(v[0], "\"prev\":\"" "0000000000000000000000000000000000000000000000000000000000000000\",\"sig\":\""));
	m = cf_custody_signed_part(v[0], strlen(v[0]), msg, sig);
	assert_true(m > 0);
	assert_int_equal(msg[m - 1], '}');
	msg[m] = '\0'; /* the signed part is bytes, not a string */
	assert_null(strstr(msg, "\"sig\""));
	/* A line without a proper sig tail is refused. */
	assert_int_equal(cf_custody_signed_part("{\"seq\":1}", 9, msg, sig), 0);
	free_lines(v, n);
}

static void test_create_refuses_existing_case(void **state)
{
	struct fx *f = *state;
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	assert_int_not_equal(cf_case_create(&ctx, f->casedir, "X", "Y", f->key, NULL),
			     CF_OK);
	assert_non_null(strstr(cf_errmsg(&ctx), "already holds a case"));
}

static void expect_bad(struct fx *f, cf_key *k, uint64_t line, const char *kind)
{
	struct cf_custody_report r;

	verify(f, k, &r);
	assert_int_equal(r.first_bad, line);
	assert_string_equal(r.kind, kind);
	assert_true(strlen(r.detail) > 0);
}

static void test_entry_edited(void **state)
{
	struct fx *f = *state;
	size_t n;
	char **v, *p;

	append_n(f, 3);
	v = read_lines(f->log, &n);
	p = strstr(v[2], "entry 1");
	assert_non_null(p);
	p[6] = '9';
	write_lines(f->log, v, n, 0);
	expect_bad(f, f->key, 3, "bad-signature");
	free_lines(v, n);
}

static void test_entry_removed(void **state)
{
	struct fx *f = *state;
	size_t n;
	char **v;

	append_n(f, 3);
	v = read_lines(f->log, &n);
	free(v[1]);
	memmove(v + 1, v + 2, (n - 2) * sizeof *v);
	write_lines(f->log, v, n - 1, 0);
	expect_bad(f, f->key, 2, "seq-gap");
	free_lines(v, n - 1);
}

static void test_entries_reordered(void **state)
{
	struct fx *f = *state;
	size_t n;
	char **v, *t;

	append_n(f, 3);
	v = read_lines(f->log, &n);
	t = v[1];
	v[1] = v[2];
	v[2] = t;
	write_lines(f->log, v, n, 0);
	expect_bad(f, f->key, 2, "seq-gap");
	free_lines(v, n);
}

/* An entry from another log with the right seq, validly signed by the
 * same key, but not chained to this log. */
static void test_entry_inserted_from_elsewhere(void **state)
{
	struct fx *f = *state;
	struct cf_ctx ctx;
	char other[128];
	cf_case *c2;
	size_t n, n2;
	char **v, **w;

	cf_ctx_init(&ctx);
	snprintf(other, sizeof other, "%s/case2", f->dir);
	assert_int_equal(cf_case_create(&ctx, other, "CASE-2", "Eve", f->key, NULL),
			 CF_OK);
	assert_int_equal(cf_case_open(&ctx, other, &c2), CF_OK);
	assert_int_equal(cf_custody_append(&ctx, c2, f->key, "x", NULL, NULL), CF_OK);
	append_n(f, 2);
	v = read_lines(f->log, &n);
	snprintf(other, sizeof other, "%s/case2/custody.jsonl", f->dir);
	w = read_lines(other, &n2);
	free(v[1]);
	v[1] = strdup(w[1]);
	write_lines(f->log, v, n, 0);
	expect_bad(f, f->key, 2, "prev-mismatch");
	free_lines(v, n);
	free_lines(w, n2);
	cf_case_free(c2);
}

static void test_untrusted_signer(void **state)
{
	struct fx *f = *state;

	append_n(f, 1);
	expect_bad(f, f->other, 1, "untrusted-signer");
}

/* Re-signed by another key: an appender with the wrong key is caught at
 * its entry, and the entries before it still count. */
static void test_entry_signed_by_other_key(void **state)
{
	struct fx *f = *state;
	struct cf_ctx ctx;
	struct cf_custody_report r;

	cf_ctx_init(&ctx);
	append_n(f, 1);
	assert_int_equal(cf_custody_append(&ctx, f->c, f->other, "x", NULL, NULL),
			 CF_OK);
	verify(f, f->key, &r);
	assert_int_equal(r.first_bad, 3);
	assert_string_equal(r.kind, "untrusted-signer");
	assert_int_equal(r.entries, 2);
}

static void test_bad_json(void **state)
{
	struct fx *f = *state;
	size_t n;
	char **v;

	append_n(f, 2);
	v = read_lines(f->log, &n);
	free(v[1]);
	v[1] = strdup("{\"seq\":2,");
	write_lines(f->log, v, n, 0);
	expect_bad(f, f->key, 2, "bad-json");
	free_lines(v, n);
}

static void test_torn_last_line(void **state)
{
	struct fx *f = *state;
	struct cf_ctx ctx;
	size_t n;
	char **v;

	append_n(f, 2);
	v = read_lines(f->log, &n);
	write_lines(f->log, v, n, 1);
	expect_bad(f, f->key, 3, "torn-line");
	cf_ctx_init(&ctx);
	assert_int_not_equal(cf_custody_append(&ctx, f->c, f->key, "x", NULL, NULL),
			     CF_OK);
	assert_non_null(strstr(cf_errmsg(&ctx), "torn"));
	free_lines(v, n);
}

/* Fails the Nth call of one kind for N = 1, 2, ... until an append no
 * longer reaches N calls: after each attempt the log verifies and holds
 * the entry exactly when the append said it succeeded. */
static void fault_sweep(struct fx *f, enum cf_fault_kind kind)
{
	struct cf_custody_report r;
	struct cf_ctx ctx;
	struct stat st;
	uint64_t before;
	unsigned long nth;
	off_t size;

	verify(f, f->key, &r);
	before = r.entries;
	for (nth = 1; nth < 100000; nth++) {
		int rc;
		unsigned long calls;
		cf_ctx_init(&ctx);
		assert_int_equal(stat(f->log, &st), 0);
		size = st.st_size;
		cf_fault_set(kind, nth, 0);
		rc = cf_custody_append(&ctx, f->c, f->key, "fault", "ab", "n");
		calls = cf_fault_count(kind);
		cf_fault_set(kind, 0, 0);
		verify(f, f->key, &r);
		assert_int_equal(r.first_bad, 0);
		if (rc == CF_OK) {
			assert_int_equal(r.entries, before + 1);
			/* A failure OpenSSL absorbed (it has fallbacks): drop
			 * the entry again, or the sweep would chase the calls
			 * that each new entry adds to the check of the log. */
			if (calls >= nth)
				assert_int_equal(truncate(f->log, size), 0);
			else
				before++;
		} else {
			assert_int_equal(r.entries, before);
			assert_true(strlen(cf_errmsg(&ctx)) > 0);
		}
		if (calls < nth) {
			assert_int_equal(rc, CF_OK);
			break;
		}
	}
	assert_true(nth > 1);
	/* The log still takes appends after the faults. */
	append_n(f, 1);
	verify(f, f->key, &r);
	assert_int_equal(r.first_bad, 0);
	assert_int_equal(r.entries, before + 1);
}

static void test_fault_alloc(void **state) { fault_sweep(*state, CF_FAULT_ALLOC); }
static void test_fault_write(void **state) { fault_sweep(*state, CF_FAULT_WRITE); }
static void test_fault_fsync(void **state) { fault_sweep(*state, CF_FAULT_FSYNC); }

/* The log as bytes, to see that a refused append left it alone. */
static char *slurp(const char *path)
{
	struct cf_ctx ctx;
	struct cf_buf b;

	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	assert_int_equal(cf_buf_read_file(&ctx, &b, path, 0), CF_OK);
	return b.data ? b.data : strdup("");
}

/* An append onto the log as it is must be refused as tampering, naming
 * entry `line` and kind, and leave the log unchanged. */
static void expect_append_refused(struct fx *f, uint64_t line, const char *kind)
{
	struct cf_ctx ctx;
	char *before = slurp(f->log), *after, want[64];

	cf_ctx_init(&ctx);
	assert_int_not_equal(cf_custody_append(&ctx, f->c, f->key, "x", NULL, NULL),
			     CF_OK);
	assert_int_equal(ctx.code, CF_TAMPERED);
	snprintf(want, sizeof want, "entry %llu: %s", (unsigned long long)line, kind);
	if (!strstr(cf_errmsg(&ctx), want))
		fail_msg("'%s' lacks '%s'", cf_errmsg(&ctx), want);
	after = slurp(f->log);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void expect_case_bad(struct fx *f, uint64_t line, const char *kind)
{
	struct cf_custody_report r;
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	assert_int_equal(cf_custody_verify_case(&ctx, f->casedir, &f->key, 1, &r),
			 CF_OK);
	assert_int_equal(r.first_bad, line);
	assert_string_equal(r.kind, kind);
	cf_custody_report_release(&r);
}

/* The last entry edited (its signature breaks) or one before it (the
 * chain breaks): nothing is chained onto it. */
static void test_no_append_after_forged_entry(void **state)
{
	struct fx *f = *state;
	size_t n;
	char **v, *p;

	append_n(f, 3);
	v = read_lines(f->log, &n);
	p = strstr(v[3], "entry 2");
	assert_non_null(p);
	p[6] = '7';
	write_lines(f->log, v, n, 0);
	expect_append_refused(f, 4, "bad-signature");
	p[6] = '2';
	p = strstr(v[1], "entry 0");
	p[6] = '7';
	write_lines(f->log, v, n, 0);
	expect_append_refused(f, 3, "prev-mismatch");
	free_lines(v, n);
}

static void test_bound_to_case(void **state)
{
	struct fx *f = *state;
	struct cf_custody_report r;
	struct cf_ctx ctx;
	char p[160];
	FILE *fp;

	append_n(f, 1);
	cf_ctx_init(&ctx);
	assert_int_equal(cf_custody_verify_case(&ctx, f->casedir, &f->key, 1, &r),
			 CF_OK);
	assert_int_equal(r.first_bad, 0);
	assert_int_equal(r.nfiles, 0);
	assert_int_equal(r.unbound, 0);
	assert_string_equal(r.case_id, "CASE-1");
	assert_true(r.evidence_checked);
	cf_custody_report_release(&r);
	/* case.json edited after init */
	snprintf(p, sizeof p, "%s/case.json", f->casedir);
	assert_non_null(fp = fopen(p, "a"));
	fputs(" ", fp);
	assert_int_equal(fclose(fp), 0);
	expect_case_bad(f, 1, "case-json-mismatch");
	expect_append_refused(f, 1, "case-json-mismatch");
	/* the log emptied */
	assert_int_equal(truncate(f->log, 0), 0);
	expect_case_bad(f, 1, "empty");
	cf_ctx_init(&ctx);
	assert_int_not_equal(cf_custody_append(&ctx, f->c, f->key, "x", NULL, NULL),
			     CF_OK);
	assert_int_equal(ctx.code, CF_TAMPERED);
	assert_non_null(strstr(cf_errmsg(&ctx), "empty"));
}

/* The whole log of another case copied in, signed by the same key. */
static void test_foreign_log(void **state)
{
	struct fx *f = *state;
	struct cf_ctx ctx;
	char other[128], cmd[400];

	cf_ctx_init(&ctx);
	snprintf(other, sizeof other, "%s/case2", f->dir);
	assert_int_equal(cf_case_create(&ctx, other, "CASE-2", "Eve", f->key, NULL),
			 CF_OK);
	snprintf(cmd, sizeof cmd, "cp '%s/custody.jsonl' '%s'", other, f->log);
	assert_int_equal(system(cmd), 0);
	expect_case_bad(f, 1, "case-mismatch");
	expect_append_refused(f, 1, "case-mismatch");
}

static void test_open_from_inside(void **state)
{
	struct fx *f = *state;
	struct cf_ctx ctx;
	char old[4096], sub[160];
	cf_case *c = NULL;

	cf_ctx_init(&ctx);
	assert_non_null(getcwd(old, sizeof old));
	snprintf(sub, sizeof sub, "%s/evidence", f->casedir);
	assert_int_equal(chdir(sub), 0);
	assert_int_equal(cf_case_open(&ctx, NULL, &c), CF_OK);
	assert_string_equal(cf_case_id(c), "CASE-1");
	cf_case_free(c);
	assert_int_equal(chdir(f->dir), 0);
	assert_int_not_equal(cf_case_open(&ctx, NULL, &c), CF_OK);
	assert_non_null(strstr(cf_errmsg(&ctx), "not inside a case"));
	assert_int_equal(chdir(old), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_and_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_refuses_existing_case, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_edited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entries_reordered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_inserted_from_elsewhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_untrusted_signer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_signed_by_other_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_last_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_alloc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_fsync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_from_inside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_append_after_forged_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bound_to_case, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_log, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
