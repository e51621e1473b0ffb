/* SPDX-License-Identifier: Apache-2.0
 *
 * Streaming SHA-256 over OpenSSL 3 EVP, one context reused per handle.
 *
 * EVP_MD_fetch is done once per handle: fetching per digest would cost a
 * provider look-up for every archive member. Never hand-rolled: OpenSSL's
 * implementation uses the SHA extensions or AVX2 where the CPU has them.
 * Hashing bytes in memory can only fail for lack of memory, so a failed
 * EVP call is reported as ENOMEM: callers must not take it for a verdict on
 * the data.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/hash.h"

struct cf_sha256 {
	EVP_MD *md;
	EVP_MD_CTX *mctx;
};

cf_sha256 *cf_sha256_new(struct cf_ctx *ctx)
{
	cf_sha256 *h = cf_calloc(1, sizeof *h);

	if (!h) {
		cf_set_nomem(ctx, "sha256");
		return NULL;
	}
	h->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	h->mctx = EVP_MD_CTX_new();
	if (!h->md || !h->mctx || cf_sha256_reset(h, ctx) != CF_OK) {
		if (!h->md || !h->mctx)
			cf_set_fatal(ctx, ENOMEM, "sha256: cannot set up OpenSSL digest");
		cf_sha256_free(h);
		return NULL;
	}
	return h;
}

void cf_sha256_free(cf_sha256 *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->mctx);
	EVP_MD_free(h->md);
	free(h);
}

int cf_sha256_reset(cf_sha256 *h, struct cf_ctx *ctx)
{
	assert(h && h->md && h->mctx);
	if (!EVP_DigestInit_ex2(h->mctx, h->md, NULL))
		return cf_set_fatal(ctx, ENOMEM, "sha256: digest init failed");
	return CF_OK;
}

int cf_sha256_update(cf_sha256 *h, struct cf_ctx *ctx, const void *p, size_t n)
{
	assert(h && h->mctx && (p || !n));
	if (n && !EVP_DigestUpdate(h->mctx, p, n))
		return cf_set_fatal(ctx, ENOMEM, "sha256: digest update failed");
	return CF_OK;
}

int cf_sha256_final(cf_sha256 *h, struct cf_ctx *ctx, uint8_t out[CF_SHA256_LEN])
{
	unsigned int len = 0;

	assert(h && h->mctx);
	if (!EVP_DigestFinal_ex(h->mctx, out, &len) || len != CF_SHA256_LEN)
		return cf_set_fatal(ctx, ENOMEM, "sha256: digest final failed");
	return CF_OK;
}

int cf_sha256_buf(struct cf_ctx *ctx, const void *p, size_t n,
		  uint8_t out[CF_SHA256_LEN])
{
	unsigned int len = 0;

	if (!EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) ||
	    len != CF_SHA256_LEN)
		return cf_set_fatal(ctx, ENOMEM, "sha256: digest failed");
	return CF_OK;
}

int cf_sha256_file(struct cf_ctx *ctx, const char *path,
		   uint8_t out[CF_SHA256_LEN], uint64_t *size)
{
	static const size_t chunk = 1 << 17;
	cf_sha256 *h = NULL;
	uint8_t *buf = NULL;
	uint64_t total = 0;
	int fd = -1, rc = CF_FAILED;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return cf_set_error(ctx, errno, "cannot open '%s'", path);
	buf = cf_malloc(chunk);
	if (!buf) {
		rc = cf_set_nomem(ctx, path);
		goto out;
	}
	if (!(h = cf_sha256_new(ctx)))
		goto out;
	for (;;) {
		ssize_t r = read(fd, buf, chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = cf_set_error(ctx, errno, "cannot read '%s' at offset %llu",
					  path, (unsigned long long)total);
			goto out;
		}
		if (r == 0)
			break;
		if (cf_sha256_update(h, ctx, buf, (size_t)r) != CF_OK)
			goto out;
		assert((size_t)r <= chunk);
		total += (uint64_t)r;
	}
	rc = cf_sha256_final(h, ctx, out);
	if (size)
		*size = total;
out:
	cf_sha256_free(h);
	free(buf);
	close(fd);
	return rc;
}

void cf_hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	assert(out && (p || !n));
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int cf_unhex(const char *hex, size_t hexlen, uint8_t *out, size_t n)
{
	if (hexlen != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}
