/* SPDX-License-Identifier: Apache-2.0
 *
 * RFC 6962 Merkle trees: the reference tree's roots, proofs generated here
 * verified here for every leaf and every pair of sizes of small trees (and
 * each proof rejected once mutated), and every vector of transparency-dev's
 * corpus: all valid proofs accepted, all mutated ones rejected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "casefile/core.h"
#include "casefile/error.h"
#include "casefile/hash.h"
#include "casefile/json.h"
#include "casefile/merkle.h"

/* The reference leaves of RFC 6962's test tree (as in certificate-
 * transparency and transparency-dev) and the roots of its prefixes. */
static const char *const ref_leaves[8] = {
	"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
	"606162636465666768696a6b6c6d6e6f",
};
static const char *const ref_roots[8] = {
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static cf_merkle_hasher *H;

static int setup(void **state)
{
	struct cf_ctx ctx;

	(void)state;
	cf_core_init();
	cf_ctx_init(&ctx);
	H = cf_merkle_hasher_new(&ctx);
	return H ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	cf_merkle_hasher_free(H);
	return 0;
}

static void ref_leaf_hashes(uint8_t out[8][32])
{
	for (int i = 0; i < 8; i++) {
		uint8_t d[16];
		size_t n = strlen(ref_leaves[i]) / 2;
		assert_int_equal(cf_unhex(ref_leaves[i], 2 * n, d, n), 0);
		assert_int_equal(cf_merkle_leaf(H, d, n, out[i]), 0);
	}
}

static void test_reference_roots(void **state)
{
	uint8_t leaves[8][32], root[32], want[32];
	struct cf_merkle_frontier f;
	struct cf_merkle_array a;

	(void)state;
	ref_leaf_hashes(leaves);
	a.leaf = (const uint8_t(*)[32])leaves;
	a.h = H;
	cf_merkle_frontier_init(&f, -1);
	cf_merkle_frontier_root(&f, H, root);
	assert_int_equal(cf_sha256_buf(NULL, "", 0, want), CF_OK);
	assert_memory_equal(root, want, 32);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(cf_merkle_frontier_push(&f, H, 0, leaves[i]), 0);
		assert_int_equal(cf_merkle_frontier_root(&f, H, root), 0);
		assert_int_equal(cf_unhex(ref_roots[i], 64, want, 32), 0);
		assert_memory_equal(root, want, 32);
		a.n = (uint64_t)i + 1;
		assert_int_equal(cf_merkle_range_root(H, cf_merkle_array_subtree, &a,
						      0, a.n, root),
				 0);
		assert_memory_equal(root, want, 32);
	}
}

static void test_frontier_misaligned_push_refused(void **state)
{
	struct cf_merkle_frontier f;
	uint8_t x[32] = {0};

	(void)state;
	cf_merkle_frontier_init(&f, 2);
	assert_int_equal(cf_merkle_frontier_push(&f, H, 0, x), 0);
	assert_int_equal(cf_merkle_frontier_push(&f, H, 1, x), -1);
	assert_int_equal(cf_merkle_frontier_push(&f, H, 0, x), 0);
	assert_int_equal(cf_merkle_frontier_push(&f, H, 1, x), 0);
	/* Four leaves: the watched level-2 node completed with this push. */
	assert_int_equal(f.watched, 1);
	assert_int_equal(f.size, 4);
}

/* Generated proofs for every leaf and size pair of trees up to 40 leaves
 * verify, and each fails once a bit of it is flipped. */
static void test_generated_proofs(void **state)
{
	enum { N = 40 };
	uint8_t leaves[N][32], roots[N + 1][32], proof[CF_MERKLE_MAX_PROOF][32];
	struct cf_merkle_array a;
	struct cf_ctx ctx;
	size_t n;

	(void)state;
	cf_ctx_init(&ctx);
	for (int i = 0; i < N; i++) {
		uint8_t d[4] = {(uint8_t)i, 1, 2, 3};
		assert_int_equal(cf_merkle_leaf(H, d, sizeof d, leaves[i]), 0);
	}
	a.leaf = (const uint8_t(*)[32])leaves;
	a.h = H;
	a.n = N;
	for (uint64_t s = 0; s <= N; s++)
		assert_int_equal(cf_merkle_range_root(H, cf_merkle_array_subtree, &a,
						      0, s, roots[s]),
				 0);
	for (uint64_t s = 1; s <= N; s++) {
		for (uint64_t i = 0; i < s; i++) {
			assert_int_equal(cf_merkle_inclusion_proof(&ctx, H,
					 cf_merkle_array_subtree, &a, i, s, proof, &n),
					 CF_OK);
			assert_int_equal(cf_merkle_verify_inclusion(&ctx, H, i, s,
					 leaves[i], 32, (const uint8_t(*)[32])proof, n,
					 roots[s], 32),
					 CF_OK);
			assert_int_not_equal(cf_merkle_verify_inclusion(&ctx, H,
					     i, s, leaves[(i + 1) % N], 32,
					     (const uint8_t(*)[32])proof, n, roots[s], 32),
					     CF_OK);
			if (n) {
				proof[n / 2][5] ^= 0x10;
				assert_int_not_equal(cf_merkle_verify_inclusion(&ctx,
						     H, i, s, leaves[i], 32,
						     (const uint8_t(*)[32])proof, n,
						     roots[s], 32),
						     CF_OK);
			}
		}
		for (uint64_t s1 = 1; s1 <= s; s1++) {
			assert_int_equal(cf_merkle_consistency_proof(&ctx, H,
					 cf_merkle_array_subtree, &a, s1, s, proof, &n),
					 CF_OK);
			assert_int_equal(cf_merkle_verify_consistency(&ctx, H, s1, s,
					 roots[s1], 32, roots[s], 32,
					 (const uint8_t(*)[32])proof, n),
					 CF_OK);
			if (n) {
				proof[0][0] ^= 1;
				assert_int_not_equal(cf_merkle_verify_consistency(&ctx,
						     H, s1, s, roots[s1], 32, roots[s], 32,
						     (const uint8_t(*)[32])proof, n),
						     CF_OK);
			}
		}
	}
}

/* ---- transparency-dev vectors ------------------------------------------- */

static unsigned accepted, rejected, files;

/* Base64 to bytes; -1 when not base64. */
static int unb64(const char *s, uint8_t *out, size_t cap, size_t *n)
{
	size_t l = strlen(s);
	int r, pad = 0;

	if (l % 4 || l / 4 * 3 > cap)
		return -1;
	if (l == 0) {
		*n = 0;
		return 0;
	}
	r = EVP_DecodeBlock(out, (const unsigned char *)s, (int)l);
	if (r < 0)
		return -1;
	pad = (s[l - 1] == '=') + (s[l - 2] == '=');
	*n = (size_t)r - (size_t)pad;
	return 0;
}

/* Decodes a JSON array of base64 hashes; -1 when an element is not a
 * 32-byte hash (a malformed proof, which counts as rejected). */
static int proof_of(const cJSON *arr, uint8_t p[][32], size_t *n)
{
	const cJSON *it;
	uint8_t buf[64];
	size_t l;

	*n = 0;
	if (cJSON_IsNull(arr) || !arr)
		return 0;
	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsString(it) || *n >= CF_MERKLE_MAX_PROOF ||
		    unb64(it->valuestring, buf, sizeof buf, &l) || l != 32)
			return -1;
		memcpy(p[(*n)++], buf, 32);
	}
	return 0;
}

static int run_case(const char *path)
{
	uint8_t proof[CF_MERKLE_MAX_PROOF][32], r1[64], r2[64];
	size_t n, l1, l2;
	struct cf_ctx ctx;
	cJSON *j = NULL;
	int want_err, rc = CF_FAILED;

	cf_ctx_init(&ctx);
	assert_int_equal(cf_json_parse_file(&ctx, path, 1 << 20, &j), CF_OK);
	want_err = cJSON_IsTrue(cJSON_GetObjectItem(j, "wantErr"));
	if (strstr(path, "/inclusion/")) {
		int64_t idx = cf_json_int(j, "leafIdx", -1);
		int64_t size = cf_json_int(j, "treeSize", -1);
		if (idx >= 0 && size >= 0 &&
		    !unb64(cf_json_str(j, "root", ""), r1, sizeof r1, &l1) &&
		    !unb64(cf_json_str(j, "leafHash", ""), r2, sizeof r2, &l2) &&
		    !proof_of(cJSON_GetObjectItem(j, "proof"), proof, &n))
			rc = cf_merkle_verify_inclusion(&ctx, H, (uint64_t)idx,
							(uint64_t)size, r2, l2,
							(const uint8_t(*)[32])proof,
							n, r1, l1);
	} else {
		int64_t s1 = cf_json_int(j, "size1", -1);
		int64_t s2 = cf_json_int(j, "size2", -1);
		if (s1 >= 0 && s2 >= 0 &&
		    !unb64(cf_json_str(j, "root1", ""), r1, sizeof r1, &l1) &&
		    !unb64(cf_json_str(j, "root2", ""), r2, sizeof r2, &l2) &&
		    !proof_of(cJSON_GetObjectItem(j, "proof"), proof, &n))
			rc = cf_merkle_verify_consistency(&ctx, H, (uint64_t)s1,
							  (uint64_t)s2, r1, l1, r2,
							  l2,
							  (const uint8_t(*)[32])proof,
							  n);
	}
	if ((rc == CF_OK) == want_err)
		print_error("%s: %s (wantErr %d): %s\n", path,
			    rc == CF_OK ? "accepted" : "rejected", want_err,
			    cf_errmsg(&ctx));
	cJSON_Delete(j);
	files++;
	if (rc == CF_OK)
		accepted++;
	else
		rejected++;
	return (rc == CF_OK) == want_err;
}

static unsigned wrong;

static int visit(const char *path, const struct stat *st, int type,
		 struct FTW *ftw)
{
	size_t l = strlen(path);

	(void)st;
	(void)ftw;
	if (type == FTW_F && l > 5 && !strcmp(path + l - 5, ".json"))
		wrong += (unsigned)run_case(path);
	return 0;
}

static void test_vectors(void **state)
{
	(void)state;
	assert_int_equal(nftw(FIXTURE_DIR "/merkle-vectors", visit, 16, FTW_PHYS), 0);
	assert_int_equal(wrong, 0);
	assert_int_equal(files, 196);
	/* Both kinds occur, so neither "accept all" nor "reject all" passes. */
	assert_true(accepted >= 10);
	assert_true(rejected >= 150);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_roots),
		cmocka_unit_test(test_frontier_misaligned_push_refused),
		cmocka_unit_test(test_generated_proofs),
		cmocka_unit_test(test_vectors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
