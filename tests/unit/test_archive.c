/* SPDX-License-Identifier: Apache-2.0
 *
 * Tests of the archive member iterator (src/archive.c) on reference
 * archives built by tests/fixtures/verify/make-archive.sh with GNU tar,
 * sha256sum, openssl and zstd, never with casefile's own writer.
 *
 * Each digest the iterator reports is checked against the digest of the
 * source file computed independently, for every compression and for every
 * way of reading (zero-copy blocks, small copies, not reading at all).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <archive_entry.h>

#include "casefile/archive.h"
#include "casefile/error.h"
#include "casefile/evidence.h"
#include "casefile/hash.h"

static char dir[] = "/tmp/test_archive.XXXXXX";

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	/* a 300 KiB log (several read-ahead blocks), an empty file, a small
	 * one and an incompressible one */
	return sh("set -e; cd %s; mkdir -p root/var/log root/etc;"
		  "openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null;"
		  "seq 1 40000 | sed 's/^/Mar  1 10:00:00 host app[1]: line /' "
		  "  | head -c 307200 > root/var/log/syslog;"
		  ": > root/var/log/empty.log; echo hello > root/etc/hosts;"
		  "head -c 100000 /dev/urandom > root/var/log/blob;"
		  "for c in zstd gzip none; do %s/verify/make-archive.sh -o a.$c -c $c "
		  "  -k k.pem -C root var/log/syslog var/log/empty.log etc/hosts "
		  "  var/log/blob; done",
		  dir, FIXTURE_DIR);
}

static int teardown(void **state)
{
	(void)state;
	return sh("rm -rf %s", dir);
}

static const char *const expect_names[] = {
	CF_MEMBER_COLLECTION,
	"evidence/files/var/log/syslog",
	"evidence/files/var/log/empty.log",
	"evidence/files/etc/hosts",
	"evidence/files/var/log/blob",
	CF_MEMBER_ITEMS,
	CF_MEMBER_LOG,
	CF_MEMBER_SIGNER,
	CF_MEMBER_SUMS,
	CF_MEMBER_SIG,
};
#define NEXPECT (sizeof expect_names / sizeof expect_names[0])

/* Digest of the evidence member's source file, or -1 when not evidence. */
static int source_digest(const char *name, uint8_t d[CF_SHA256_LEN])
{
	char path[512];
	struct cf_ctx ctx;
	uint64_t size;

	if (strncmp(name, "evidence/files/", 15))
		return -1;
	snprintf(path, sizeof path, "%s/root/%s", dir, name + 15);
	cf_ctx_init(&ctx);
	assert_int_equal(cf_sha256_file(&ctx, path, d, &size), CF_OK);
	return 0;
}

enum mode { BLOCKS, SMALL_COPIES, SKIP };

static void walk(const char *file, enum mode mode)
{
	char path[512], hex[CF_SHA256_HEX];
	struct cf_ctx ctx;
	struct cf_member m;
	cf_archive *a;
	uint8_t d[CF_SHA256_LEN], want[CF_SHA256_LEN];
	size_t i = 0;
	int r;

	cf_ctx_init(&ctx);
	snprintf(path, sizeof path, "%s/%s", dir, file);
	assert_int_equal(cf_archive_open(&ctx, path, &a), CF_OK);
	while ((r = cf_archive_next(a, &ctx, &m)) == CF_OK) {
		uint64_t got = 0;
		cf_sha256 *h = cf_sha256_new(&ctx);
		uint8_t copy_d[CF_SHA256_LEN];

		assert_true(i < NEXPECT);
		assert_string_equal(m.name, expect_names[i]);
		assert_int_equal(m.index, i);
		assert_int_equal(m.type, AE_IFREG);
		assert_non_null(h);
		if (mode == BLOCKS) {
			const void *p;
			long n;
			while ((n = cf_archive_read_block(a, &ctx, &p)) > 0) {
				cf_sha256_update(h, &ctx, p, (size_t)n);
				got += (uint64_t)n;
			}
			assert_int_equal(n, 0);
		} else if (mode == SMALL_COPIES) {
			char buf[7];
			long n;
			while ((n = cf_archive_read(a, &ctx, buf, sizeof buf)) > 0) {
				assert_true(n <= 7);
				cf_sha256_update(h, &ctx, buf, (size_t)n);
				got += (uint64_t)n;
			}
			assert_int_equal(n, 0);
		}
		assert_int_equal(cf_archive_member_digest(a, &ctx, d), CF_OK);
		if (mode != SKIP) {
			/* what we were handed is what was hashed */
			assert_int_equal(got, m.size);
			cf_sha256_final(h, &ctx, copy_d);
			assert_memory_equal(copy_d, d, CF_SHA256_LEN);
		}
		cf_sha256_free(h);
		if (source_digest(m.name, want) == 0) {
			assert_memory_equal(d, want, CF_SHA256_LEN);
			cf_hex(want, CF_SHA256_LEN, hex);
			assert_non_null(m.pax_sha256);
			assert_string_equal(m.pax_sha256, hex);
		}
		if (!strcmp(m.name, CF_MEMBER_SIG))
			assert_int_equal(m.size, 64);
		i++;
	}
	assert_int_equal(r, CF_EOF);
	assert_int_equal(i, NEXPECT);
	/* EOF is sticky */
	assert_int_equal(cf_archive_next(a, &ctx, &m), CF_EOF);
	assert_true(cf_archive_position(a) > 0);
	cf_archive_close(a);
}

static void test_zstd_blocks(void **s) { (void)s; walk("a.zstd", BLOCKS); }
static void test_zstd_copies(void **s) { (void)s; walk("a.zstd", SMALL_COPIES); }
static void test_zstd_skip(void **s) { (void)s; walk("a.zstd", SKIP); }
static void test_gzip(void **s) { (void)s; walk("a.gzip", SMALL_COPIES); }
static void test_none(void **s) { (void)s; walk("a.none", BLOCKS); }

/* Reads to the end; returns the last code and leaves kind in *kind. */
static int drain(const char *path, const char **kind, char *msg, size_t n)
{
	struct cf_ctx ctx;
	struct cf_member m;
	cf_archive *a;
	int r;

	cf_ctx_init(&ctx);
	*kind = NULL;
	if ((r = cf_archive_open(&ctx, path, &a)) != CF_OK) {
		snprintf(msg, n, "%s", cf_errmsg(&ctx));
		return r;
	}
	while ((r = cf_archive_next(a, &ctx, &m)) == CF_OK || r == CF_WARN)
		;
	*kind = cf_archive_error_kind(a);
	snprintf(msg, n, "%s", cf_errmsg(&ctx));
	cf_archive_close(a);
	return r;
}

static void test_truncated(void **s)
{
	char path[512], msg[1024];
	const char *kind;
	/* cut inside a member, at a member boundary (no end marker), and
	 * inside the end-of-archive marker */
	const char *cuts[] = {"20000", "$(( ($(tar -tvRf a.none | sed -n "
				       "'/SHA256SUMS.sig/s/^block \\([0-9]*\\).*/\\1/p') "
				       "+ 2) * 512 ))",
			      "$(( $(stat -c %s a.none) - 10240 + 512 ))",
			      "$(( ($(tar -tvRf a.none | sed -n "
			      "'/SHA256SUMS.sig/s/^block \\([0-9]*\\).*/\\1/p') "
			      "+ 2) * 512 + 512 ))"};

	(void)s;
	for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		assert_int_equal(sh("cd %s && head -c %s a.none > cut.tar && "
				    "zstd -q -f cut.tar -o cut.tar.zst",
				    dir, cuts[i]),
				 0);
		snprintf(path, sizeof path, "%s/cut.tar", dir);
		assert_int_equal(drain(path, &kind, msg, sizeof msg), CF_FAILED);
		assert_non_null(kind);
		assert_string_equal(kind, "truncated");
		snprintf(path, sizeof path, "%s/cut.tar.zst", dir);
		assert_int_equal(drain(path, &kind, msg, sizeof msg), CF_FAILED);
		assert_string_equal(kind, "truncated");
	}
	/* a zstd frame cut short */
	assert_int_equal(sh("cd %s && head -c $(( $(stat -c %%s a.zstd) - 9 )) "
			    "a.zstd > cut.zst", dir), 0);
	snprintf(path, sizeof path, "%s/cut.zst", dir);
	assert_int_not_equal(drain(path, &kind, msg, sizeof msg), CF_EOF);
	assert_non_null(kind);
}

static void test_trailing(void **s)
{
	char path[512], msg[1024];
	const char *kind;

	(void)s;
	/* data after the marker, past the record padding */
	assert_int_equal(sh("cd %s && cp a.none t.tar && printf junk >> t.tar",
			    dir), 0);
	snprintf(path, sizeof path, "%s/t.tar", dir);
	assert_int_equal(drain(path, &kind, msg, sizeof msg), CF_FAILED);
	assert_string_equal(kind, "trailing-data");
	/* data inside the record padding, right after the marker */
	assert_int_equal(sh("cd %s && cp a.none t.tar && printf X | dd of=t.tar "
			    "bs=1 seek=$(( $(stat -c %%s a.none) - 100 )) "
			    "conv=notrunc status=none && zstd -q -f t.tar", dir), 0);
	assert_int_equal(drain(path, &kind, msg, sizeof msg), CF_FAILED);
	assert_string_equal(kind, "trailing-data");
	snprintf(path, sizeof path, "%s/t.tar.zst", dir);
	assert_int_equal(drain(path, &kind, msg, sizeof msg), CF_FAILED);
	assert_string_equal(kind, "trailing-data");
	/* more zero padding is still padding */
	assert_int_equal(sh("cd %s && cp a.none t.tar && head -c 20480 /dev/zero "
			    ">> t.tar", dir), 0);
	snprintf(path, sizeof path, "%s/t.tar", dir);
	assert_int_equal(drain(path, &kind, msg, sizeof msg), CF_EOF);
}

static void test_bomb(void **s)
{
	char path[512], msg[1024];
	const char *kind;

	(void)s;
	/* 2 GiB of zeros compress to about 64 KiB: refused long before the
	 * end, by the expansion bound */
	assert_int_equal(sh("cd %s && head -c 2G /dev/zero | zstd -q -1 > "
			    "bomb.zst", dir), 0);
	snprintf(path, sizeof path, "%s/bomb.zst", dir);
	assert_int_equal(drain(path, &kind, msg, sizeof msg), CF_FAILED);
	assert_non_null(kind);
	assert_string_equal(kind, "limit");
	assert_non_null(strstr(msg, "1000:1"));
}

/* A GNU sparse member reads as its holes filled with zeros, whichever way
 * it is read, and its digest is that of the file. */
static void test_sparse(void **s)
{
	char path[512];
	struct cf_ctx ctx;
	struct cf_member m;
	cf_archive *a;
	uint8_t d[CF_SHA256_LEN], want[CF_SHA256_LEN];
	uint64_t size;

	(void)s;
	assert_int_equal(sh("set -e; cd %s; mkdir -p sp; truncate -s 3M sp/f;"
			    "echo middle | dd of=sp/f bs=1 seek=1000000 conv=notrunc status=none;"
			    "echo end >> sp/f; tar --format=pax --sparse -cf sp.tar -C sp f",
			    dir), 0);
	snprintf(path, sizeof path, "%s/sp/f", dir);
	cf_ctx_init(&ctx);
	assert_int_equal(cf_sha256_file(&ctx, path, want, &size), CF_OK);
	snprintf(path, sizeof path, "%s/sp.tar", dir);
	for (int copies = 0; copies < 2; copies++) {
		char buf[1000];
		uint64_t got = 0;
		long n;
		assert_int_equal(cf_archive_open(&ctx, path, &a), CF_OK);
		assert_int_equal(cf_archive_next(a, &ctx, &m), CF_OK);
		assert_int_equal(m.size, size);
		if (copies)
			while ((n = cf_archive_read(a, &ctx, buf, sizeof buf)) > 0)
				got += (uint64_t)n;
		else {
			const void *p;
			while ((n = cf_archive_read_block(a, &ctx, &p)) > 0)
				got += (uint64_t)n;
		}
		assert_int_equal(n, 0);
		assert_int_equal(got, size);
		assert_int_equal(cf_archive_member_digest(a, &ctx, d), CF_OK);
		assert_memory_equal(d, want, CF_SHA256_LEN);
		assert_int_equal(cf_archive_next(a, &ctx, &m), CF_EOF);
		cf_archive_close(a);
	}
}

static void test_open_errors(void **s)
{
	struct cf_ctx ctx;
	cf_archive *a = (cf_archive *)1;

	(void)s;
	cf_ctx_init(&ctx);
	assert_int_equal(cf_archive_open(&ctx, "/nonexistent/x.tar.zst", &a),
			 CF_FATAL);
	assert_null(a);
	assert_non_null(strstr(cf_errmsg(&ctx), "x.tar.zst"));
	assert_int_equal(cf_archive_open(&ctx, dir, &a), CF_FATAL);
	cf_archive_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zstd_blocks),
		cmocka_unit_test(test_zstd_copies),
		cmocka_unit_test(test_zstd_skip),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_trailing),
		cmocka_unit_test(test_bomb),
		cmocka_unit_test(test_sparse),
		cmocka_unit_test(test_open_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
