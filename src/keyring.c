/* SPDX-License-Identifier: Apache-2.0
 *
 * The trusted keyring (see include/casefile/keyring.h): one way for every
 * command to turn the files named with --trust (and, for one release, the
 * public keys still named with --key) into the keys its verifiers accept.
 *
 * Must never: keep a private half (every key added is copied down to its
 * raw 32-byte public key), or trust a private key file named as a public
 * one (cf_key_load_trusted refuses it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/keyring.h"

struct cf_keyring {
	cf_key **keys; /* owned, public halves only */
	size_t n, cap;
};

cf_keyring *cf_keyring_new(struct cf_ctx *ctx)
{
	cf_keyring *kr = cf_calloc(1, sizeof *kr);

	if (!kr)
		cf_set_nomem(ctx, "keyring");
	return kr;
}

void cf_keyring_free(cf_keyring *kr)
{
	if (!kr)
		return;
	for (size_t i = 0; i < kr->n; i++)
		cf_key_free(kr->keys[i]);
	free(kr->keys);
	free(kr);
}

/* Appends k, which the keyring then owns (freed here on failure). */
static int take(struct cf_ctx *ctx, cf_keyring *kr, cf_key *k)
{
	if (kr->n == kr->cap) {
		size_t cap = kr->cap ? 2 * kr->cap : 4;
		cf_key **v = cf_realloc(kr->keys, cap * sizeof *v);
		if (!v) {
			cf_key_free(k);
			return cf_set_nomem(ctx, "keyring");
		}
		kr->keys = v;
		kr->cap = cap;
	}
	kr->keys[kr->n++] = k;
	return CF_OK;
}

int cf_keyring_add_key(struct cf_ctx *ctx, cf_keyring *kr, const cf_key *k)
{
	uint8_t raw[CF_ED25519_PUB_LEN];
	cf_key *pub;

	if (cf_key_raw_public(ctx, k, raw) != CF_OK ||
	    !(pub = cf_key_from_raw_public(ctx, raw)))
		return ctx->code ? ctx->code : CF_FAILED;
	return take(ctx, kr, pub);
}

int cf_keyring_add_file(struct cf_ctx *ctx, cf_keyring *kr, const char *path)
{
	cf_key *k = cf_key_load_trusted(ctx, path);

	return k ? take(ctx, kr, k) : CF_FAILED;
}

int cf_keyring_add_signer(struct cf_ctx *ctx, cf_keyring *kr,
			  const char *path)
{
	/* cf_key_load_public reads a private key file through the private
	 * loader (owner-only) and keeps only its public half. */
	cf_key *k = cf_key_load_public(ctx, path);

	return k ? take(ctx, kr, k) : CF_FAILED;
}

int cf_keyring_add_legacy(struct cf_ctx *ctx, cf_keyring *kr,
			  const char *path, int *was_public)
{
	int kind = cf_key_file_kind(ctx, path);

	*was_public = 0;
	if (kind < 0)
		return kind;
	if (kind == CF_KEY_FILE_PRIVATE)
		return CF_OK;
	*was_public = 1;
	return cf_keyring_add_file(ctx, kr, path);
}

size_t cf_keyring_count(const cf_keyring *kr)
{
	return kr ? kr->n : 0;
}

cf_key *const *cf_keyring_keys(const cf_keyring *kr)
{
	return kr ? kr->keys : NULL;
}

const cf_key *cf_key_find(cf_key *const *keys, size_t n, const char *fp)
{
	char k[CF_FINGERPRINT_LEN];
	struct cf_ctx c;

	for (size_t i = 0; fp && i < n; i++) {
		cf_ctx_init(&c);
		if (cf_key_fingerprint(&c, keys[i], k) == CF_OK && !strcmp(k, fp))
			return keys[i];
	}
	return NULL;
}
