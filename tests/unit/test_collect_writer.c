/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of the evidence-archive writer and the single-pass reader
 * (collect/writer.c, collect/reader.c): members come out in order with
 * their SHA-256 as a SCHILY.xattr pax keyword (and no LIBARCHIVE.xattr
 * copy), nanosecond mtimes survive, SHA256SUMS lists every member and its
 * signature verifies; an unfinished or failing write never leaves a file
 * under the final name; files larger than the memory buffer go through a
 * spool and still hash and read back exactly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "casefile/alloc.h"
#include "casefile/core.h"
#include "casefile/error.h"
#include "casefile/evidence.h"
#include "casefile/hash.h"
#include "collect/reader.h"
#include "collect/writer.h"

struct fix {
	char dir[64], out[128], partial[160];
	cf_key *key;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof *f);
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	strcpy(f->dir, "/tmp/cf-writer-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->out, sizeof f->out, "%s/out.tar.zst", f->dir);
	snprintf(f->partial, sizeof f->partial, "%s.partial", f->out);
	f->key = cf_key_generate(&ctx);
	*state = f;
	return f->key ? 0 : -1;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	char cmd[128];

	cf_key_free(f->key);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void sha(const void *p, size_t n, uint8_t out[CF_SHA256_LEN])
{
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	assert_int_equal(cf_sha256_buf(&ctx, p, n, out), CF_OK);
}

static void writes_members_in_order_with_digests(void **state)
{
	struct fix *f = *state;
	struct cf_member_meta m = {"evidence/s/var/log/a.log", 1700000000, 123456789,
				   0640, 0, 4, "root", "adm"};
	static const char a[] = "line one\nline two\n";
	uint8_t da[CF_SHA256_LEN], db[CF_SHA256_LEN], sig[CF_ED25519_SIG_LEN];
	char hex[CF_SHA256_HEX], sums_hex[CF_SHA256_HEX], *sums = NULL;
	struct archive_entry *e;
	struct archive *ar;
	struct cf_ctx ctx;
	cf_ewriter *w;
	struct stat st;
	size_t sums_len = 0;
	int spool, n = 0;
	static const char *const order[] = {"evidence/s/var/log/a.log",
					    "evidence/s/big.bin", CF_MEMBER_SUMS,
					    CF_MEMBER_SIG};
	uint8_t *big = malloc(1 << 20);

	cf_ctx_init(&ctx);
	for (int i = 0; i < 1 << 20; i++)
		big[i] = (uint8_t)(i * 7);
	sha(a, sizeof a - 1, da);
	sha(big, 1 << 20, db);
	assert_int_equal(cf_ewriter_open(&ctx, f->out, CF_COMPRESS_ZSTD, &w), CF_OK);
	assert_int_equal(stat(f->partial, &st), 0);
	assert_int_equal(cf_ewriter_add_mem(w, &ctx, &m, a, sizeof a - 1, da), CF_OK);
	spool = cf_spool_open(&ctx, f->dir);
	assert_true(spool >= 0);
	assert_int_equal(write(spool, big, 1 << 20), 1 << 20);
	m.name = "evidence/s/big.bin";
	assert_int_equal(cf_ewriter_add_fd(w, &ctx, &m, spool, 1 << 20, db), CF_OK);
	close(spool);
	assert_int_equal(stat(f->out, &st), -1); /* not before finish */
	assert_int_equal(cf_ewriter_finish(w, &ctx, f->key, sums_hex), CF_OK);
	cf_ewriter_free(w);
	assert_int_equal(stat(f->out, &st), 0);
	assert_int_equal(stat(f->partial, &st), -1);

	ar = archive_read_new();
	archive_read_support_filter_zstd(ar);
	archive_read_support_format_tar(ar);
	assert_int_equal(archive_read_open_filename(ar, f->out, 65536), ARCHIVE_OK);
	while (archive_read_next_header(ar, &e) == ARCHIVE_OK) {
		const char *name, *xname;
		const void *xval;
		size_t xlen;
		int nx;
		assert_true(n < 4);
		assert_string_equal(archive_entry_pathname(e), order[n]);
		nx = archive_entry_xattr_reset(e);
		assert_int_equal(nx, 1); /* only the SCHILY one */
		archive_entry_xattr_next(e, &xname, &xval, &xlen);
		assert_string_equal(xname, CF_XATTR_SHA256);
		assert_int_equal(xlen, 64);
		name = archive_entry_pathname(e);
		if (n == 0) {
			cf_hex(da, sizeof da, hex);
			assert_memory_equal(xval, hex, 64);
			assert_int_equal(archive_entry_mtime(e), 1700000000);
			assert_int_equal(archive_entry_mtime_nsec(e), 123456789);
			assert_int_equal(archive_entry_perm(e), 0640);
			assert_int_equal(archive_entry_gid(e), 4);
			assert_string_equal(archive_entry_gname(e), "adm");
		}
		if (!strcmp(name, CF_MEMBER_SUMS)) {
			sums_len = (size_t)archive_entry_size(e);
			sums = malloc(sums_len + 1);
			assert_int_equal(archive_read_data(ar, sums, sums_len), (ssize_t)sums_len);
			sums[sums_len] = '\0';
		} else if (!strcmp(name, CF_MEMBER_SIG)) {
			assert_int_equal(archive_read_data(ar, sig, sizeof sig), sizeof sig);
		}
		n++;
	}
	assert_int_equal(n, 4);
	archive_read_free(ar);
	/* SHA256SUMS: sha256sum format, the evidence members, in order. */
	cf_hex(da, sizeof da, hex);
	assert_memory_equal(sums, hex, 64);
	assert_non_null(strstr(sums, "  evidence/s/var/log/a.log\n"));
	assert_non_null(strstr(sums, "  evidence/s/big.bin\n"));
	assert_int_equal(cf_key_verify(&ctx, f->key, sums, sums_len, sig, sizeof sig), CF_OK);
	sha(sums, sums_len, da);
	cf_hex(da, sizeof da, hex);
	assert_string_equal(hex, sums_hex);
	sums[0] ^= 1; /* a forgery must fail */
	assert_int_not_equal(cf_key_verify(&ctx, f->key, sums, sums_len, sig, sizeof sig),
			     CF_OK);
	free(sums);
	free(big);
}

static void abandoned_write_leaves_nothing(void **state)
{
	struct fix *f = *state;
	struct cf_member_meta m = {"casefile/x", 0, 0, 0644, 0, 0, NULL, NULL};
	uint8_t d[CF_SHA256_LEN];
	struct cf_ctx ctx;
	struct stat st;
	cf_ewriter *w;

	cf_ctx_init(&ctx);
	sha("x", 1, d);
	assert_int_equal(cf_ewriter_open(&ctx, f->out, CF_COMPRESS_NONE, &w), CF_OK);
	assert_int_equal(cf_ewriter_add_mem(w, &ctx, &m, "x", 1, d), CF_OK);
	cf_ewriter_free(w);
	assert_int_equal(stat(f->out, &st), -1);
	assert_int_equal(stat(f->partial, &st), -1);
}

static void failed_fsync_leaves_nothing(void **state)
{
	struct fix *f = *state;
	char hex[CF_SHA256_HEX];
	struct cf_ctx ctx;
	struct stat st;
	cf_ewriter *w;

	cf_ctx_init(&ctx);
	assert_int_equal(cf_ewriter_open(&ctx, f->out, CF_COMPRESS_GZIP, &w), CF_OK);
	cf_fault_set(CF_FAULT_FSYNC, 1, 0);
	assert_int_not_equal(cf_ewriter_finish(w, &ctx, f->key, hex), CF_OK);
	cf_fault_set(CF_FAULT_FSYNC, 0, 0);
	cf_ewriter_free(w);
	assert_int_equal(stat(f->out, &st), -1);
	assert_int_equal(stat(f->partial, &st), -1);
}

static void refuses_unsafe_member_names(void **state)
{
	struct fix *f = *state;
	struct cf_member_meta m = {"evidence/s/../../etc/passwd", 0, 0, 0644, 0, 0, NULL, NULL};
	uint8_t d[CF_SHA256_LEN];
	struct cf_ctx ctx;
	cf_ewriter *w;

	cf_ctx_init(&ctx);
	sha("x", 1, d);
	assert_int_equal(cf_ewriter_open(&ctx, f->out, CF_COMPRESS_NONE, &w), CF_OK);
	assert_int_not_equal(cf_ewriter_add_mem(w, &ctx, &m, "x", 1, d), CF_OK);
	cf_ewriter_free(w);
}

static void refuses_to_replace_an_archive(void **state)
{
	struct fix *f = *state;
	struct cf_ctx ctx;
	cf_ewriter *w;
	int fd = open(f->out, O_WRONLY | O_CREAT, 0644);

	close(fd);
	cf_ctx_init(&ctx);
	assert_int_not_equal(cf_ewriter_open(&ctx, f->out, CF_COMPRESS_ZSTD, &w), CF_OK);
	assert_non_null(strstr(cf_errmsg(&ctx), "out.tar.zst"));
	unlink(f->out);
}

/* A file bigger than the memory buffer is spooled; one smaller is not. */
static void reader_spools_large_files(void **state)
{
	struct fix *f = *state;
	char path[128];
	size_t n = 300000;
	uint8_t *data = malloc(n), *back = malloc(n), d[CF_SHA256_LEN];
	struct cf_item it;
	struct cf_ctx ctx;
	cf_reader *r;
	int fd;

	for (size_t i = 0; i < n; i++)
		data[i] = (uint8_t)(i * 13 + (i >> 8));
	snprintf(path, sizeof path, "%s/src.bin", f->dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	close(fd);
	sha(data, n, d);
	cf_ctx_init(&ctx);
	assert_int_equal(cf_reader_new(&ctx, f->dir, 100000, &r), CF_OK);
	assert_int_equal(cf_reader_read(r, &ctx, AT_FDCWD, path, 0, &it, NULL), CF_OK);
	assert_true(it.hashed);
	assert_int_equal(it.size, n);
	assert_memory_equal(it.sha, d, sizeof d);
	assert_null(it.mem);
	assert_true(it.spool_fd >= 0);
	assert_int_equal(pread(it.spool_fd, back, n, 0), (ssize_t)n);
	assert_memory_equal(back, data, n);
	assert_false(it.changed);
	/* typed on the reader's typing thread */
	assert_true(it.type_slot >= 0);
	cf_reader_type_wait(r, it.type_slot, it.mime, it.desc);
	it.type_slot = -1;
	assert_string_equal(it.mime, "application/octet-stream");
	assert_string_equal(it.desc, "data");
	cf_reader_done(r, &it);
	/* max_size: hashed, not kept */
	assert_int_equal(cf_reader_read(r, &ctx, AT_FDCWD, path, 1000, &it, NULL), CF_OK);
	assert_true(it.hash_only);
	assert_memory_equal(it.sha, d, sizeof d);
	assert_null(it.mem);
	assert_int_equal(it.spool_fd, -1);
	cf_reader_done(r, &it);
	/* small: in memory */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "{\"a\":1}\n", 8), 8);
	close(fd);
	assert_int_equal(cf_reader_read(r, &ctx, AT_FDCWD, path, 0, &it, NULL), CF_OK);
	assert_non_null(it.mem);
	assert_memory_equal(it.mem, "{\"a\":1}\n", 8);
	cf_reader_done(r, &it);
	/* a symlink is not followed */
	snprintf(path, sizeof path, "%s/link", f->dir);
	assert_int_equal(symlink("src.bin", path), 0);
	assert_int_equal(cf_reader_read(r, &ctx, AT_FDCWD, path, 0, &it, NULL), CF_OK);
	assert_false(it.hashed);
	assert_int_not_equal(it.err, 0);
	cf_reader_done(r, &it);
	cf_reader_free(r);
	free(data);
	free(back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(writes_members_in_order_with_digests, setup, teardown),
		cmocka_unit_test_setup_teardown(abandoned_write_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(failed_fsync_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_unsafe_member_names, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_to_replace_an_archive, setup, teardown),
		cmocka_unit_test_setup_teardown(reader_spools_large_files, setup, teardown),
	};
	cf_core_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
