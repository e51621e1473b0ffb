/* SPDX-License-Identifier: Apache-2.0
 *
 * RFC 6962 (RFC 9162 section 2.1) Merkle trees: hashes, roots, inclusion
 * and consistency proofs, and a frontier for trees built as data arrives.
 *
 * leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || left || right), the
 * empty tree's root = SHA-256(""). Sealed logs (seal), disclosure proofs
 * (disclose) and their verification all go through this module, so that
 * there is one implementation of the tree for the writer and the checker.
 *
 * Proof generation reads the tree through a callback that returns the hash
 * of a perfect subtree [start, start + 2^level): a caller can serve it from
 * an array of leaf hashes (cf_merkle_array_subtree) or from stored block
 * hashes, without holding every leaf. Verification never trusts sizes or
 * indexes from the proof beyond the RFC's algorithm: every malformed proof
 * is rejected, none crashes.
 */
#ifndef CASEFILE_MERKLE_H
#define CASEFILE_MERKLE_H

#include <stddef.h>
#include <stdint.h>

struct cf_ctx;

#define CF_MERKLE_HASH 32
#define CF_MERKLE_MAX_LEVELS 64
#define CF_MERKLE_MAX_PROOF 128 /* hashes in a proof: 2 * 64 covers any tree */

/* Streaming hasher reused for many leaves and nodes (one EVP_MD_CTX). */
typedef struct cf_merkle_hasher cf_merkle_hasher;
cf_merkle_hasher *cf_merkle_hasher_new(struct cf_ctx *ctx);
void cf_merkle_hasher_free(cf_merkle_hasher *h);
/* SHA-256(0x00 || data). 0, or -1 on an OpenSSL failure. */
int cf_merkle_leaf(cf_merkle_hasher *h, const void *data, size_t n,
		   uint8_t out[CF_MERKLE_HASH]);
/* A leaf fed in pieces (for lines longer than a read buffer). */
int cf_merkle_leaf_begin(cf_merkle_hasher *h);
int cf_merkle_leaf_update(cf_merkle_hasher *h, const void *data, size_t n);
int cf_merkle_leaf_end(cf_merkle_hasher *h, uint8_t out[CF_MERKLE_HASH]);
/* SHA-256(0x01 || l || r); out may alias l or r. */
int cf_merkle_node(cf_merkle_hasher *h, const uint8_t l[CF_MERKLE_HASH],
		   const uint8_t r[CF_MERKLE_HASH], uint8_t out[CF_MERKLE_HASH]);
/* Root of the empty tree. */
void cf_merkle_empty_root(uint8_t out[CF_MERKLE_HASH]);

/* ---- frontier (compact range) -------------------------------------------
 * The roots of the perfect subtrees that make up a tree of `size` leaves:
 * one per set bit of size, level = bit number. 64 levels cover any size,
 * so a seal can store it and extend the tree later without the old leaves. */
struct cf_merkle_frontier {
	uint64_t size;                                   /* leaves so far */
	uint8_t node[CF_MERKLE_MAX_LEVELS][CF_MERKLE_HASH];/* valid where bit set */
	int watch_level;   /* -1, or a level whose completed nodes are reported */
	int watched;       /* 1 when the last push completed a watch_level node */
	uint8_t watch[CF_MERKLE_HASH]; /* that node */
};
void cf_merkle_frontier_init(struct cf_merkle_frontier *f, int watch_level);
/* Appends a perfect subtree of 2^level leaves; size must be a multiple of
 * 2^level. Returns 0, or -1 (misaligned, overflow or hash failure). */
int cf_merkle_frontier_push(struct cf_merkle_frontier *f, cf_merkle_hasher *h,
			    unsigned level, const uint8_t hash[CF_MERKLE_HASH]);
/* Root of the tree so far (the empty root for size 0). */
int cf_merkle_frontier_root(const struct cf_merkle_frontier *f,
			    cf_merkle_hasher *h, uint8_t out[CF_MERKLE_HASH]);

/* ---- proofs ------------------------------------------------------------- */

/* Hash of the perfect subtree of 2^level leaves starting at `start`. */
typedef int (*cf_merkle_subtree_fn)(void *arg, uint64_t start, unsigned level,
				    uint8_t out[CF_MERKLE_HASH]);

/* Root of leaves [start, end) (MTH of RFC 6962) through the callback. */
int cf_merkle_range_root(cf_merkle_hasher *h, cf_merkle_subtree_fn fn,
			 void *arg, uint64_t start, uint64_t end,
			 uint8_t out[CF_MERKLE_HASH]);
/* Inclusion proof (audit path) for leaf `index` of a tree of `size` leaves
 * into proof[]; *n gets the number of hashes. CF_OK or CF_FAILED. */
int cf_merkle_inclusion_proof(struct cf_ctx *ctx, cf_merkle_hasher *h,
			      cf_merkle_subtree_fn fn, void *arg, uint64_t index,
			      uint64_t size,
			      uint8_t proof[][CF_MERKLE_HASH], size_t *n);
/* Consistency proof from size1 to size2 (0 < size1 <= size2). */
int cf_merkle_consistency_proof(struct cf_ctx *ctx, cf_merkle_hasher *h,
				cf_merkle_subtree_fn fn, void *arg,
				uint64_t size1, uint64_t size2,
				uint8_t proof[][CF_MERKLE_HASH], size_t *n);

/* RFC 9162 2.1.3.2. Roots and leaf are given with their lengths, as they
 * come from outside: anything but 32 bytes is rejected. CF_OK when the
 * proof holds, CF_FAILED with the reason on ctx otherwise. */
int cf_merkle_verify_inclusion(struct cf_ctx *ctx, cf_merkle_hasher *h,
			       uint64_t index, uint64_t size,
			       const uint8_t *leaf, size_t leaf_len,
			       const uint8_t proof[][CF_MERKLE_HASH], size_t n,
			       const uint8_t *root, size_t root_len);
/* RFC 9162 2.1.4.2. Equal sizes need an empty proof and equal roots (the
 * empty tree's root for size 0); a proof from the empty tree proves
 * nothing and is refused. */
int cf_merkle_verify_consistency(struct cf_ctx *ctx, cf_merkle_hasher *h,
				 uint64_t size1, uint64_t size2,
				 const uint8_t *root1, size_t len1,
				 const uint8_t *root2, size_t len2,
				 const uint8_t proof[][CF_MERKLE_HASH], size_t n);

/* A subtree callback over an array of leaf hashes: arg points to a
 * struct cf_merkle_array. Costs 2^level - 1 node hashes per call. */
struct cf_merkle_array {
	const uint8_t (*leaf)[CF_MERKLE_HASH];
	uint64_t n;
	cf_merkle_hasher *h;
};
int cf_merkle_array_subtree(void *arg, uint64_t start, unsigned level,
			    uint8_t out[CF_MERKLE_HASH]);

#endif
