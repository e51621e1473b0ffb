/* SPDX-License-Identifier: Apache-2.0
 *
 * Tests of timeline/build.c's one guarantee that no command-line test can
 * time: the events stored are parsed from the bytes verified. An archive is
 * verified (as `timeline build` and its -j pool do), then rewritten in
 * place, on the same inode, with another signed archive between the
 * verification and the parse pass: the build must refuse it as
 * changed-after-verify, with exit-status meaning "tampered" (refused, not
 * an error), and keep no event of it. Renamed over instead, the file
 * verified is the one parsed. The fixtures are made by
 * tests/fixtures/timeline/make-archive.sh (GNU tar, openssl, zstd).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "casefile/archive.h"
#include "casefile/db.h"
#include "casefile/error.h"
#include "casefile/sign.h"
#include "../../timeline/build.h"
#include "testutil.h"

static char *dir;
static cf_key *key;

static int setup(void **state)
{
	char cmd[4096];
	struct cf_ctx ctx;
	char *pub;

	(void)state;
	tu_init();
	dir = tu_tempdir();
	snprintf(cmd, sizeof cmd,
		 "set -e; cd '%s'; mkdir -p r1/var/log r2/var/log;"
		 "openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null;"
		 "openssl pkey -in k.pem -pubout -out k.pub;"
		 "printf 'Mar  3 10:00:01 h sshd[1]: Accepted password for alice from 192.0.2.1 port 22 ssh2\\n' > r1/var/log/auth.log;"
		 "printf 'Mar  3 10:00:02 h sshd[1]: Accepted password for mallory from 203.0.113.9 port 22 ssh2\\n' > r2/var/log/auth.log;"
		 "bash '%s/timeline/make-archive.sh' good.tar.zst k.pem r1 var/log/auth.log:auth-log;"
		 "bash '%s/timeline/make-archive.sh' other.tar.zst k.pem r2 var/log/auth.log:auth-log",
		 dir, FIXTURE_DIR, FIXTURE_DIR);
	if (system(cmd) != 0)
		return -1;
	cf_ctx_init(&ctx);
	pub = tu_path(dir, "k.pub");
	key = cf_key_load_public(&ctx, pub);
	free(pub);
	return key ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	cf_key_free(key);
	tu_rmtree(dir);
	return 0;
}

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

/* Verifies path as the build does, runs fn(path) between the verification
 * and the parse pass, builds; the result and the events stored. */
static void build_with(const char *path, const char *db_name,
		       void (*between)(const char *path),
		       struct tl_archive_result *res, int64_t *events)
{
	struct cf_verify_result *vr = NULL;
	struct tl_builder b;
	struct cf_ctx ctx;
	cf_db *db = NULL;
	char *dbp = tu_path(dir, db_name);
	int64_t rejects;

	cf_ctx_init(&ctx);
	assert_int_equal(cf_archive_verify(&ctx, path,
		&(struct cf_verify_opts){
			.trusted = &key,
			.ntrusted = 1,
			.flags = TL_VERIFY_FLAGS}, &vr),
			 CF_OK);
	assert_true(vr->ok);
	between(path);
	assert_int_equal(cf_db_open(&ctx, dbp, CF_DB_WRITE, &db), CF_OK);
	assert_int_equal(tl_builder_init(&b, &ctx, db), CF_OK);
	b.keys = &key;
	b.nkeys = 1;
	assert_int_equal(tl_build_verified(&b, path, vr, res), CF_OK);
	tl_builder_release(&b);
	assert_int_equal(cf_db_counts(db, &ctx, events, &rejects), CF_OK);
	assert_int_equal(cf_db_close(db, &ctx), CF_OK);
	free(dbp);
}

static void rewrite_in_place(const char *path)
{
	char *other = tu_path(dir, "other.tar.zst");

	/* cp opens the existing file with O_TRUNC: the same inode */
	sh("cp '%s' '%s'", other, path);
	free(other);
}

static void rename_over(const char *path)
{
	char *other = tu_path(dir, "other.tar.zst");

	sh("cp '%s' '%s.new'", other, path);
	sh("mv '%s.new' '%s'", path, path);
	free(other);
}

static void rewritten_in_place_is_refused(void **s)
{
	struct tl_archive_result res;
	char *good = tu_path(dir, "good.tar.zst"), *a = tu_path(dir, "a.tar.zst");
	int64_t events = -1;

	(void)s;
	sh("cp '%s' '%s'", good, a);
	build_with(a, "inplace.db", rewrite_in_place, &res, &events);
	assert_int_equal(res.status, TL_ARCHIVE_REFUSED);
	assert_false(res.verified);
	assert_non_null(strstr(res.problem, CF_KIND_CHANGED));
	assert_int_equal(events, 0);
	free(good);
	free(a);
}

static void renamed_over_reads_the_file_verified(void **s)
{
	struct tl_archive_result res;
	char *good = tu_path(dir, "good.tar.zst"), *a = tu_path(dir, "b.tar.zst");
	int64_t events = -1;

	(void)s;
	sh("cp '%s' '%s'", good, a);
	build_with(a, "renamed.db", rename_over, &res, &events);
	assert_int_equal(res.status, TL_ARCHIVE_ADDED);
	assert_true(res.verified);
	assert_true(events > 0);
	{
		/* alice's login (the file verified), never mallory's */
		char cmd[1024];
		char *dbp = tu_path(dir, "renamed.db");
		snprintf(cmd, sizeof cmd,
			 "sqlite3 '%s' \"select count(*) from events where "
			 "actor='mallory'\" | grep -qx 0 && sqlite3 '%s' "
			 "\"select count(*) from events where actor='alice'\" "
			 "| grep -qx 1",
			 dbp, dbp);
		assert_int_equal(system(cmd), 0);
		free(dbp);
	}
	free(good);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rewritten_in_place_is_refused),
		cmocka_unit_test(renamed_over_reads_the_file_verified),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
