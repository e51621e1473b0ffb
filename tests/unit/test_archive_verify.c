/* SPDX-License-Identifier: Apache-2.0
 *
 * Tests of the verifier's library side (src/archive_verify.c and
 * src/archive_verdict.c): the result and its JSON, the chain rules on hand-made results, and out-of-memory at
 * every allocation of a whole verification, which must end in a clean
 * CF_FATAL or a complete result, never a crash, a leak or a false "ok";
 * and the bound re-read (cf_archive_reopen) that parses what was verified:
 * a file renamed over the path is not read, one rewritten in place is
 * caught member by member, a pipe cannot be read twice.
 * The CLI tests (tests/cli/verify/) drive the mutation suite.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "casefile/alloc.h"
#include "casefile/archive.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/sign.h"

static char dir[] = "/tmp/test_archive_verify.XXXXXX";
static cf_key *key;

static int setup(void **state)
{
	char cmd[2048], path[512];
	struct cf_ctx ctx;

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(cmd, sizeof cmd,
		 "set -e; cd %s; mkdir -p root/var/log;"
		 "openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null;"
		 "openssl pkey -in k.pem -pubout -out k.pub;"
		 "seq 1 2000 > root/var/log/a.log; echo b > root/var/log/b.log;"
		 "%s/verify/make-archive.sh -o a.tar.zst -k k.pem -C root "
		 "var/log/a.log var/log/b.log;"
		 "seq 1 1999 > root/var/log/a.log; echo c > root/var/log/b.log;"
		 "%s/verify/make-archive.sh -o other.tar.zst -k k.pem -C root "
		 "var/log/a.log var/log/b.log",
		 dir, FIXTURE_DIR, FIXTURE_DIR);
	if (system(cmd) != 0)
		return -1;
	cf_ctx_init(&ctx);
	snprintf(path, sizeof path, "%s/k.pub", dir);
	return (key = cf_key_load_public(&ctx, path)) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	cf_key_free(key);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd);
}

static void test_ok_and_json(void **s)
{
	char path[512], fp[CF_FINGERPRINT_LEN];
	struct cf_verify_result *r;
	struct cf_ctx ctx;
	cJSON *j;

	(void)s;
	cf_ctx_init(&ctx);
	snprintf(path, sizeof path, "%s/a.tar.zst", dir);
	assert_int_equal(cf_archive_verify(&ctx, path,
		&(struct cf_verify_opts){
			.trusted = &key,
			.ntrusted = 1}, &r), CF_OK);
	assert_true(r->ok);
	assert_int_equal(r->nproblems, 0);
	assert_int_equal(r->members, 8);
	assert_non_null(r->collection);
	assert_int_equal(cf_key_fingerprint(&ctx, key, fp), CF_OK);
	assert_string_equal(r->signer, fp);
	assert_int_equal(strlen(r->sums_hex), 64);
	j = cf_verify_result_json(r);
	assert_non_null(j);
	assert_string_equal(cf_json_str(j, "path", ""), path);
	assert_true(cf_json_bool(j, "ok", 0));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "problems")), 0);
	cJSON_Delete(j);

	/* no trusted key: the valid signature names an untrusted signer */
	cf_verify_result_free(r);
	assert_int_equal(cf_archive_verify(&ctx, path,
		&(struct cf_verify_opts){
			0}, &r), CF_OK);
	assert_false(r->ok);
	assert_int_equal(r->nproblems, 1);
	assert_string_equal(r->problems[0].kind, "untrusted-signer");
	assert_non_null(strstr(r->problems[0].detail, fp));
	/* problems are kept once per kind and member */
	assert_int_equal(cf_verify_add_problem(r, "untrusted-signer",
					       "SHA256SUMS.sig", "again"), 0);
	assert_int_equal(r->nproblems, 1);
	cf_verify_result_free(r);
	cf_verify_result_free(NULL);
}

/* A result with only what the chain rules read. */
static struct cf_verify_result *fake(const char *path, const char *sums,
				     int seq, const char *prev, int pseq)
{
	struct cf_verify_result *r = calloc(1, sizeof *r);
	char json[400];
	struct cf_ctx ctx;

	assert_non_null(r);
	r->path = strdup(path);
	r->ok = 1;
	snprintf(r->sums_hex, sizeof r->sums_hex, "%s", sums);
	if (prev)
		snprintf(json, sizeof json,
			 "{\"sequence\":%d,\"previous\":{\"sha256sums\":\"%s\","
			 "\"sequence\":%d}}", seq, prev, pseq);
	else
		snprintf(json, sizeof json, "{\"sequence\":%d,\"previous\":null}",
			 seq);
	cf_ctx_init(&ctx);
	assert_int_equal(cf_json_parse(&ctx, json, strlen(json), &r->collection),
			 CF_OK);
	return r;
}

#define H(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	     c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c

static int has(const struct cf_verify_result *r, const char *kind)
{
	for (size_t i = 0; i < r->nproblems; i++)
		if (!strcmp(r->problems[i].kind, kind))
			return 1;
	return 0;
}

static void chain(struct cf_verify_result **v, size_t n)
{
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	assert_int_equal(cf_archive_verify_chain(&ctx, v, n), CF_OK);
}

static void release(struct cf_verify_result **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cf_verify_result_free(v[i]);
}

static void test_chain(void **s)
{
	struct cf_verify_result *v[4];

	(void)s;
	/* a good chain, given out of order */
	v[0] = fake("3", H("c"), 3, H("b"), 2);
	v[1] = fake("1", H("a"), 1, NULL, 0);
	v[2] = fake("2", H("b"), 2, H("a"), 1);
	chain(v, 3);
	for (int i = 0; i < 3; i++)
		assert_true(v[i]->ok);
	release(v, 3);

	/* fork, gap, missing, bad first */
	v[0] = fake("1", H("a"), 1, NULL, 0);
	v[1] = fake("2", H("b"), 2, H("a"), 1);
	v[2] = fake("2b", H("d"), 2, H("a"), 1);
	v[3] = fake("5", H("e"), 5, H("f"), 3);
	chain(v, 4);
	assert_true(v[0]->ok);
	assert_true(has(v[1], "chain-fork") && has(v[2], "chain-fork"));
	assert_true(has(v[3], "chain-gap") && has(v[3], "chain-missing"));
	release(v, 4);

	v[0] = fake("x", H("a"), 2, NULL, 0);
	v[1] = fake("y", H("b"), 3, H("a"), 1);
	chain(v, 2);
	assert_true(has(v[0], "chain-gap"));
	assert_true(has(v[1], "chain-gap")); /* says 1, the archive is 2 */
	release(v, 2);

	/* one archive alone is not checked for its predecessor; NULLs skip */
	v[0] = fake("5", H("e"), 5, H("f"), 4);
	v[1] = NULL;
	chain(v, 1);
	assert_true(v[0]->ok);
	chain(v, 2);
	assert_true(has(v[0], "chain-missing"));
	release(v, 2);
}

/* Every allocation of a verification fails in turn: each run ends cleanly,
 * and a run that reports a result reports the right one. */
static void test_out_of_memory(void **s)
{
	char path[512];
	struct cf_verify_result *r;
	struct cf_ctx ctx;
	unsigned long n, total;
	int rc;

	(void)s;
	snprintf(path, sizeof path, "%s/a.tar.zst", dir);
	cf_ctx_init(&ctx);
	cf_fault_set(CF_FAULT_ALLOC, 0, 0);
	assert_int_equal(cf_archive_verify(&ctx, path,
		&(struct cf_verify_opts){
			.trusted = &key,
			.ntrusted = 1}, &r), CF_OK);
	cf_verify_result_free(r);
	cf_fault_set(CF_FAULT_ALLOC, (unsigned long)-1, 0); /* count only */
	assert_int_equal(cf_archive_verify(&ctx, path,
		&(struct cf_verify_opts){
			.trusted = &key,
			.ntrusted = 1}, &r), CF_OK);
	total = cf_fault_count(CF_FAULT_ALLOC);
	cf_verify_result_free(r);
	assert_true(total > 10);
	for (n = 1; n <= total; n++) {
		cf_ctx_init(&ctx);
		cf_fault_set(CF_FAULT_ALLOC, n, 0);
		r = NULL;
		rc = cf_archive_verify(&ctx, path,
			&(struct cf_verify_opts){
				.trusted = &key,
				.ntrusted = 1}, &r);
		cf_fault_set(CF_FAULT_ALLOC, 0, 0);
		if (rc == CF_OK) {
			/* the failure hit something the verdict survives
			 * (an OpenSSL retry), or was reported as a problem */
			assert_non_null(r);
			if (r->ok)
				assert_int_equal(r->nproblems, 0);
		} else {
			assert_null(r);
			assert_true(strlen(cf_errmsg(&ctx)) > 0);
		}
		cf_verify_result_free(r);
	}
}


/* Reads every member of a bound re-read to its end; the code that stopped
 * it (CF_EOF when all went through). */
static int read_all(cf_archive *a, struct cf_ctx *ctx)
{
	struct cf_member m;
	const void *p;
	long n;
	int rc;

	while ((rc = cf_archive_next(a, ctx, &m)) == CF_OK || rc == CF_WARN) {
		while ((n = cf_archive_read_block(a, ctx, &p)) > 0)
			;
		if (n < 0)
			return CF_FAILED;
	}
	return rc;
}

static void copy_file(const char *from, const char *to)
{
	char cmd[1200];

	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
	assert_int_equal(system(cmd), 0);
}

/* A file renamed over the path after verification is never read: the
 * re-read goes through the open file verified. */
static void test_reopen_renamed_over(void **s)
{
	char path[512], other[512];
	struct cf_verify_result *r;
	struct cf_ctx ctx;
	cf_archive *a;

	(void)s;
	cf_ctx_init(&ctx);
	snprintf(path, sizeof path, "%s/swap.tar.zst", dir);
	snprintf(other, sizeof other, "%s/other.tar.zst", dir);
	{
		char a0[512];
		snprintf(a0, sizeof a0, "%s/a.tar.zst", dir);
		copy_file(a0, path);
	}
	assert_int_equal(cf_archive_verify(&ctx, path,
		&(struct cf_verify_opts){
			.trusted = &key,
			.ntrusted = 1,
			.flags = CF_VERIFY_KEEP_FD}, &r),
			 CF_OK);
	assert_true(r->ok);
	assert_int_equal(r->nseen, 8);
	assert_true(r->fd >= 0);
	{
		char tmp[600];
		snprintf(tmp, sizeof tmp, "%s.new", path);
		copy_file(other, tmp);
		assert_int_equal(rename(tmp, path), 0);
	}
	assert_int_equal(cf_archive_reopen(&ctx, r, &a), CF_OK);
	assert_int_equal(read_all(a, &ctx), CF_EOF);
	cf_archive_close(a);
	cf_verify_result_free(r);
}

/* A file rewritten in place (same inode) between verification and the
 * re-read: the member whose bytes differ stops it, as "changed". */
static void test_reopen_rewritten_in_place(void **s)
{
	char path[512], other[512], a0[512];
	struct cf_verify_result *r;
	struct cf_ctx ctx;
	cf_archive *a;

	(void)s;
	cf_ctx_init(&ctx);
	snprintf(path, sizeof path, "%s/inplace.tar.zst", dir);
	snprintf(other, sizeof other, "%s/other.tar.zst", dir);
	snprintf(a0, sizeof a0, "%s/a.tar.zst", dir);
	copy_file(a0, path);
	assert_int_equal(cf_archive_verify(&ctx, path,
		&(struct cf_verify_opts){
			.trusted = &key,
			.ntrusted = 1,
			.flags = CF_VERIFY_KEEP_FD}, &r),
			 CF_OK);
	assert_true(r->ok);
	copy_file(other, path); /* cp truncates and writes: same inode */
	assert_int_equal(cf_archive_reopen(&ctx, r, &a), CF_OK);
	assert_int_equal(read_all(a, &ctx), CF_FAILED);
	assert_non_null(cf_archive_error_kind(a));
	assert_string_equal(cf_archive_error_kind(a), CF_KIND_CHANGED);
	assert_non_null(strstr(cf_errmsg(&ctx), "changed after it was verified"));
	cf_archive_close(a);

	/* a member merely skipped is not read, so not checked; one begun is
	 * hashed to its end when the reader moves on */
	{
		struct cf_member m;
		const void *p;
		int rc;
		assert_int_equal(cf_archive_reopen(&ctx, r, &a), CF_OK);
		while ((rc = cf_archive_next(a, &ctx, &m)) == CF_OK &&
		       !strstr(m.name, "a.log"))
			;
		assert_int_equal(rc, CF_OK);
		assert_true(cf_archive_read_block(a, &ctx, &p) > 0);
		assert_int_equal(cf_archive_next(a, &ctx, &m), CF_FAILED);
		assert_string_equal(cf_archive_error_kind(a), CF_KIND_CHANGED);
		assert_non_null(strstr(cf_errmsg(&ctx), "a.log"));
		cf_archive_close(a);
	}
	cf_verify_result_free(r);
}

/* A pipe (a FIFO) cannot be read twice: refused, never a second archive. */
static void test_reopen_pipe(void **s)
{
	char path[512];
	struct cf_verify_result *r = NULL;
	struct cf_ctx ctx;
	cf_archive *a = NULL;
	int fds[2];
	pid_t pid;

	(void)s;
	cf_ctx_init(&ctx);
	snprintf(path, sizeof path, "%s/a.tar.zst", dir);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char cmd[600];
		close(fds[0]);
		dup2(fds[1], 1);
		snprintf(cmd, sizeof cmd, "cat '%.280s' '%.280s'", path, path);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	assert_int_equal(cf_archive_verify(&ctx, "pipe",
		&(struct cf_verify_opts){
			.trusted = &key,
			.ntrusted = 1,
			.flags = CF_VERIFY_KEEP_FD | CF_VERIFY_OPEN_FD,
			.fd = fds[0]}, &r),
			 CF_OK);
	close(fds[0]);
	assert_int_equal(cf_archive_reopen(&ctx, r, &a), CF_FATAL);
	assert_null(a);
	assert_non_null(strstr(cf_errmsg(&ctx), "not a regular file"));
	cf_verify_result_free(r);
	waitpid(pid, NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok_and_json),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_out_of_memory),
		cmocka_unit_test(test_reopen_renamed_over),
		cmocka_unit_test(test_reopen_rewritten_in_place),
		cmocka_unit_test(test_reopen_pipe),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
