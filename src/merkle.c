/* SPDX-License-Identifier: Apache-2.0
 *
 * RFC 6962 Merkle trees over OpenSSL's SHA-256.
 *
 * Sealing must keep up with a log being read at disk speed (SPEC asks for
 * millions of lines a second), so the hasher keeps one cf_sha256 handle (one
 * EVP_MD_CTX and one fetched EVP_MD) for its lifetime: no allocation per leaf
 * or node. The proof
 * algorithms follow RFC 6962 section 2.1.1-2.1.2 (generation) and RFC 9162
 * section 2.1.3.2 and 2.1.4.2 (verification) step by step, so that they
 * can be read against the RFC. Nothing here trusts a size or index from a
 * proof to bound a loop or an array: the loops are bounded by the proof's
 * own length and by 64-bit shifts.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/hash.h"
#include "casefile/merkle.h"

/* The hash functions below return -1 on failure without a message: the
 * handle's calls get no context. */
struct cf_merkle_hasher {
	cf_sha256 *sha;
};

/* SHA-256 of the empty string: the root of the empty tree. */
static const uint8_t empty_root[CF_MERKLE_HASH] = {
	0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
	0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
	0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
};

cf_merkle_hasher *cf_merkle_hasher_new(struct cf_ctx *ctx)
{
	cf_merkle_hasher *h = cf_calloc(1, sizeof *h);

	if (!h || !(h->sha = cf_sha256_new(NULL))) {
		cf_merkle_hasher_free(h);
		cf_set_nomem(ctx, "Merkle hasher");
		return NULL;
	}
	return h;
}

void cf_merkle_hasher_free(cf_merkle_hasher *h)
{
	if (!h)
		return;
	cf_sha256_free(h->sha);
	free(h);
}

void cf_merkle_empty_root(uint8_t out[CF_MERKLE_HASH])
{
	memcpy(out, empty_root, CF_MERKLE_HASH);
}

int cf_merkle_leaf_begin(cf_merkle_hasher *h)
{
	static const uint8_t zero = 0x00;

	assert(h && h->sha);
	return cf_sha256_reset(h->sha, NULL) == CF_OK &&
			       cf_sha256_update(h->sha, NULL, &zero, 1) == CF_OK
		       ? 0
		       : -1;
}

int cf_merkle_leaf_update(cf_merkle_hasher *h, const void *data, size_t n)
{
	return cf_sha256_update(h->sha, NULL, data, n) == CF_OK ? 0 : -1;
}

int cf_merkle_leaf_end(cf_merkle_hasher *h, uint8_t out[CF_MERKLE_HASH])
{
	return cf_sha256_final(h->sha, NULL, out) == CF_OK ? 0 : -1;
}

int cf_merkle_leaf(cf_merkle_hasher *h, const void *data, size_t n,
		   uint8_t out[CF_MERKLE_HASH])
{
	if (cf_merkle_leaf_begin(h) || cf_merkle_leaf_update(h, data, n))
		return -1;
	return cf_merkle_leaf_end(h, out);
}

int cf_merkle_node(cf_merkle_hasher *h, const uint8_t l[CF_MERKLE_HASH],
		   const uint8_t r[CF_MERKLE_HASH], uint8_t out[CF_MERKLE_HASH])
{
	uint8_t buf[1 + 2 * CF_MERKLE_HASH];

	assert(h && h->sha);
	buf[0] = 0x01;
	memcpy(buf + 1, l, CF_MERKLE_HASH);
	memcpy(buf + 1 + CF_MERKLE_HASH, r, CF_MERKLE_HASH);
	if (cf_sha256_reset(h->sha, NULL) != CF_OK ||
	    cf_sha256_update(h->sha, NULL, buf, sizeof buf) != CF_OK ||
	    cf_sha256_final(h->sha, NULL, out) != CF_OK)
		return -1;
	return 0;
}

/* ---- frontier ------------------------------------------------------------ */

void cf_merkle_frontier_init(struct cf_merkle_frontier *f, int watch_level)
{
	memset(f, 0, sizeof *f);
	f->watch_level = watch_level;
}

int cf_merkle_frontier_push(struct cf_merkle_frontier *f, cf_merkle_hasher *h,
			    unsigned level, const uint8_t hash[CF_MERKLE_HASH])
{
	uint8_t cur[CF_MERKLE_HASH];
	uint64_t step;

	if (level >= CF_MERKLE_MAX_LEVELS - 1)
		return -1;
	step = (uint64_t)1 << level;
	if (f->size & (step - 1) || f->size > UINT64_MAX - step)
		return -1;
	f->watched = 0;
	memcpy(cur, hash, CF_MERKLE_HASH);
	/* Like binary addition: each carry merges a left sibling that was
	 * waiting at this level with the new right subtree. */
	for (;;) {
		if ((int)level == f->watch_level) {
			f->watched = 1;
			memcpy(f->watch, cur, CF_MERKLE_HASH);
		}
		if (!(f->size & ((uint64_t)1 << level)))
			break;
		if (cf_merkle_node(h, f->node[level], cur, cur))
			return -1;
		level++;
	}
	/* size + step fits in 64 bits, so the carry stops below bit 64. */
	assert(level < CF_MERKLE_MAX_LEVELS);
	memcpy(f->node[level], cur, CF_MERKLE_HASH);
	f->size += step;
	return 0;
}

int cf_merkle_frontier_root(const struct cf_merkle_frontier *f,
			    cf_merkle_hasher *h, uint8_t out[CF_MERKLE_HASH])
{
	uint8_t acc[CF_MERKLE_HASH];
	int have = 0;

	/* The smallest subtree is the rightmost; fold leftwards. */
	for (unsigned l = 0; l < CF_MERKLE_MAX_LEVELS; l++) {
		if (!(f->size & ((uint64_t)1 << l)))
			continue;
		if (!have)
			memcpy(acc, f->node[l], CF_MERKLE_HASH);
		else if (cf_merkle_node(h, f->node[l], acc, acc))
			return -1;
		have = 1;
	}
	memcpy(out, have ? acc : empty_root, CF_MERKLE_HASH);
	return 0;
}

/* ---- proof generation (RFC 6962 2.1.1, 2.1.2) ---------------------------- */

/* Largest power of two strictly below n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
	uint64_t k = 1;

	assert(n >= 2);
	while (k << 1 < n)
		k <<= 1;
	assert(k < n && n - k <= k);
	return k;
}

static int is_pow2(uint64_t n)
{
	return n && !(n & (n - 1));
}

static unsigned log2u(uint64_t n)
{
	unsigned l = 0;

	while (n >>= 1)
		l++;
	return l;
}

int cf_merkle_range_root(cf_merkle_hasher *h, cf_merkle_subtree_fn fn,
			 void *arg, uint64_t start, uint64_t end,
			 uint8_t out[CF_MERKLE_HASH])
{
	uint8_t l[CF_MERKLE_HASH], r[CF_MERKLE_HASH];
	uint64_t n = end - start, k;

	if (end < start)
		return -1;
	if (n == 0) {
		memcpy(out, empty_root, CF_MERKLE_HASH);
		return 0;
	}
	if (is_pow2(n) && !(start & (n - 1))) {
		assert((uint64_t)1 << log2u(n) == n);
		return fn(arg, start, log2u(n), out);
	}
	k = split_point(n);
	if (cf_merkle_range_root(h, fn, arg, start, start + k, l) ||
	    cf_merkle_range_root(h, fn, arg, start + k, end, r))
		return -1;
	return cf_merkle_node(h, l, r, out);
}

struct gen {
	cf_merkle_hasher *h;
	cf_merkle_subtree_fn fn;
	void *arg;
	uint8_t (*proof)[CF_MERKLE_HASH];
	size_t n;
};

static int gen_add(struct gen *g, uint64_t start, uint64_t end)
{
	if (g->n >= CF_MERKLE_MAX_PROOF)
		return -1;
	return cf_merkle_range_root(g->h, g->fn, g->arg, start, end,
				    g->proof[g->n++]);
}

/* PATH(m, D[start:end]). */
static int gen_path(struct gen *g, uint64_t m, uint64_t start, uint64_t end)
{
	uint64_t n = end - start, k;

	assert(start <= end && m < n);
	if (n <= 1)
		return 0;
	k = split_point(n);
	if (m < k)
		return gen_path(g, m, start, start + k) ||
		       gen_add(g, start + k, end);
	return gen_path(g, m - k, start + k, end) || gen_add(g, start, start + k);
}

/* SUBPROOF(m, D[start:end], b). */
static int gen_sub(struct gen *g, uint64_t m, uint64_t start, uint64_t end,
		   int b)
{
	uint64_t n = end - start, k;

	assert(start <= end && m >= 1 && m <= n);
	if (m == n)
		return b ? 0 : gen_add(g, start, end);
	k = split_point(n);
	if (m <= k)
		return gen_sub(g, m, start, start + k, b) ||
		       gen_add(g, start + k, end);
	return gen_sub(g, m - k, start + k, end, 0) || gen_add(g, start, start + k);
}

int cf_merkle_inclusion_proof(struct cf_ctx *ctx, cf_merkle_hasher *h,
			      cf_merkle_subtree_fn fn, void *arg, uint64_t index,
			      uint64_t size,
			      uint8_t proof[][CF_MERKLE_HASH], size_t *n)
{
	struct gen g = {h, fn, arg, proof, 0};

	*n = 0;
	if (index >= size)
		return cf_set_error(ctx, 0, "leaf %llu is not in a tree of %llu",
				    (unsigned long long)index,
				    (unsigned long long)size);
	if (gen_path(&g, index, 0, size))
		return cf_set_error(ctx, 0, "cannot compute an inclusion proof");
	assert(g.n <= CF_MERKLE_MAX_PROOF);
	*n = g.n;
	return CF_OK;
}

int cf_merkle_consistency_proof(struct cf_ctx *ctx, cf_merkle_hasher *h,
				cf_merkle_subtree_fn fn, void *arg,
				uint64_t size1, uint64_t size2,
				uint8_t proof[][CF_MERKLE_HASH], size_t *n)
{
	struct gen g = {h, fn, arg, proof, 0};

	*n = 0;
	if (size1 == 0 || size1 > size2)
		return cf_set_error(ctx, 0, "no consistency proof from %llu to %llu",
				    (unsigned long long)size1,
				    (unsigned long long)size2);
	if (gen_sub(&g, size1, 0, size2, 1))
		return cf_set_error(ctx, 0, "cannot compute a consistency proof");
	assert(g.n <= CF_MERKLE_MAX_PROOF);
	*n = g.n;
	return CF_OK;
}

/* ---- verification (RFC 9162 2.1.3.2, 2.1.4.2) ---------------------------- */

static int check_len(struct cf_ctx *ctx, const char *what, size_t len)
{
	if (len != CF_MERKLE_HASH)
		return cf_set_error(ctx, 0, "%s is %zu bytes, not %d", what, len,
				    CF_MERKLE_HASH);
	return CF_OK;
}

/* The walk up the tree both proofs make (RFC 9162 2.1.3.2 step 5, 2.1.4.2
 * step 6), from node fn of a tree whose last node is sn: each hash of the
 * proof joins sr on the side the path gives, and fr as well when it is on
 * the left (fr is NULL for an inclusion proof). The proof must end exactly
 * at the root. */
static int walk(struct cf_ctx *ctx, cf_merkle_hasher *h, const char *what,
		uint64_t fn, uint64_t sn, const uint8_t proof[][CF_MERKLE_HASH],
		size_t n, uint8_t *fr, uint8_t *sr)
{
	for (size_t i = 0; i < n; i++) {
		if (sn == 0)
			return cf_set_error(ctx, 0, "%s proof is too long", what);
		if ((fn & 1) || fn == sn) {
			if ((fr && cf_merkle_node(h, proof[i], fr, fr)) ||
			    cf_merkle_node(h, proof[i], sr, sr))
				return cf_set_error(ctx, 0, "SHA-256 failed");
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else if (cf_merkle_node(h, sr, proof[i], sr)) {
			return cf_set_error(ctx, 0, "SHA-256 failed");
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return cf_set_error(ctx, 0, "%s proof is too short", what);
	return CF_OK;
}

int cf_merkle_verify_inclusion(struct cf_ctx *ctx, cf_merkle_hasher *h,
			       uint64_t index, uint64_t size,
			       const uint8_t *leaf, size_t leaf_len,
			       const uint8_t proof[][CF_MERKLE_HASH], size_t n,
			       const uint8_t *root, size_t root_len)
{
	uint8_t r[CF_MERKLE_HASH];

	if (check_len(ctx, "leaf hash", leaf_len) != CF_OK ||
	    check_len(ctx, "root", root_len) != CF_OK)
		return CF_FAILED;
	if (index >= size)
		return cf_set_error(ctx, 0, "leaf index %llu outside a tree of %llu",
				    (unsigned long long)index,
				    (unsigned long long)size);
	memcpy(r, leaf, CF_MERKLE_HASH);
	if (walk(ctx, h, "inclusion", index, size - 1, proof, n, NULL, r) != CF_OK)
		return CF_FAILED;
	if (memcmp(r, root, CF_MERKLE_HASH))
		return cf_set_error(ctx, 0,
				    "inclusion proof does not lead to the root");
	return CF_OK;
}

int cf_merkle_verify_consistency(struct cf_ctx *ctx, cf_merkle_hasher *h,
				 uint64_t size1, uint64_t size2,
				 const uint8_t *root1, size_t len1,
				 const uint8_t *root2, size_t len2,
				 const uint8_t proof[][CF_MERKLE_HASH], size_t n)
{
	uint8_t fr[CF_MERKLE_HASH], sr[CF_MERKLE_HASH];
	uint64_t fnode, snode;
	size_t i = 0;

	if (size2 < size1)
		return cf_set_error(ctx, 0, "tree shrank from %llu to %llu",
				    (unsigned long long)size1,
				    (unsigned long long)size2);
	if (size1 == size2) {
		if (n)
			return cf_set_error(ctx, 0,
					    "equal sizes need an empty proof");
		if (len1 != len2 || memcmp(root1, root2, len1))
			return cf_set_error(ctx, 0, "roots of equal trees differ");
		if (size1 == 0 && (check_len(ctx, "root", len1) != CF_OK ||
				   memcmp(root1, empty_root, CF_MERKLE_HASH)))
			return cf_set_error(ctx, 0, "not the empty tree's root");
		return CF_OK;
	}
	if (size1 == 0)
		return cf_set_error(ctx, 0,
				    "a consistency proof from the empty tree proves nothing");
	if (check_len(ctx, "first root", len1) != CF_OK ||
	    check_len(ctx, "second root", len2) != CF_OK)
		return CF_FAILED;
	if (n == 0)
		return cf_set_error(ctx, 0, "empty consistency proof");
	/* Step 2: a power-of-two first tree is itself the first node. */
	fnode = size1 - 1;
	snode = size2 - 1;
	if (is_pow2(size1)) {
		memcpy(fr, root1, CF_MERKLE_HASH);
	} else {
		memcpy(fr, proof[0], CF_MERKLE_HASH);
		i = 1;
	}
	memcpy(sr, fr, CF_MERKLE_HASH);
	while (fnode & 1) {
		fnode >>= 1;
		snode >>= 1;
	}
	if (walk(ctx, h, "consistency", fnode, snode, proof + i, n - i, fr, sr) != CF_OK)
		return CF_FAILED;
	if (memcmp(fr, root1, CF_MERKLE_HASH))
		return cf_set_error(ctx, 0,
				    "consistency proof does not lead to the first root");
	if (memcmp(sr, root2, CF_MERKLE_HASH))
		return cf_set_error(ctx, 0,
				    "consistency proof does not lead to the second root");
	return CF_OK;
}

/* ---- array-backed subtrees ----------------------------------------------- */

int cf_merkle_array_subtree(void *arg, uint64_t start, unsigned level,
			    uint8_t out[CF_MERKLE_HASH])
{
	const struct cf_merkle_array *a = arg;
	struct cf_merkle_frontier f;
	uint64_t n;

	if (level >= CF_MERKLE_MAX_LEVELS - 1)
		return -1;
	n = (uint64_t)1 << level;
	if (start > a->n || a->n - start < n)
		return -1;
	cf_merkle_frontier_init(&f, -1);
	for (uint64_t i = 0; i < n; i++)
		if (cf_merkle_frontier_push(&f, a->h, 0, a->leaf[start + i]))
			return -1;
	/* 2^level leaves fold into the one node of that level. */
	assert(f.size == n);
	memcpy(out, f.node[level], CF_MERKLE_HASH);
	return 0;
}
