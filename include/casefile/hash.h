/* SPDX-License-Identifier: Apache-2.0
 *
 * Streaming SHA-256 over OpenSSL 3 EVP.
 *
 * One cf_sha256 handle holds one EVP_MD_CTX and one fetched EVP_MD, reused
 * for every digest (cf_sha256_reset) so that hashing thousands of members
 * costs no allocation per member. Digests are 32 raw bytes; hex is lowercase.
 */
#ifndef CASEFILE_HASH_H
#define CASEFILE_HASH_H

#include <stddef.h>
#include <stdint.h>

struct cf_ctx;
typedef struct cf_sha256 cf_sha256;

#define CF_SHA256_LEN 32
#define CF_SHA256_HEX 65 /* 64 hex digits + NUL */

/* New handle, ready for cf_sha256_update. NULL with ctx set on failure. */
cf_sha256 *cf_sha256_new(struct cf_ctx *ctx);
void cf_sha256_free(cf_sha256 *h);
/* Starts a new digest. CF_OK or CF_FATAL. */
int cf_sha256_reset(cf_sha256 *h, struct cf_ctx *ctx);
int cf_sha256_update(cf_sha256 *h, struct cf_ctx *ctx, const void *p, size_t n);
/* Writes 32 bytes to out and leaves the handle needing a reset. */
int cf_sha256_final(cf_sha256 *h, struct cf_ctx *ctx, uint8_t out[CF_SHA256_LEN]);

/* One-shot digest of a memory block. */
int cf_sha256_buf(struct cf_ctx *ctx, const void *p, size_t n,
		  uint8_t out[CF_SHA256_LEN]);
/* Digest of a whole file, read with O_NOFOLLOW; *size gets its length. */
int cf_sha256_file(struct cf_ctx *ctx, const char *path,
		   uint8_t out[CF_SHA256_LEN], uint64_t *size);

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void cf_hex(const uint8_t *p, size_t n, char *out);
/* Parses exactly 2n lowercase or uppercase hex digits; 0 or -1. */
int cf_unhex(const char *hex, size_t hexlen, uint8_t *out, size_t n);

#endif
