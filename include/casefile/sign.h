/* SPDX-License-Identifier: Apache-2.0
 *
 * Ed25519 keys: generation, PEM storage, signing, verification, fingerprints.
 *
 * Private keys are PKCS#8 PEM (optionally encrypted with a passphrase, AES-256
 * -CBC via PBES2), written 0600 through the atomic writer; public keys are
 * SubjectPublicKeyInfo PEM, so `openssl pkey` and `openssl pkeyutl` read both.
 * Like ssh, loading a private key that the group or others can read is
 * refused. A fingerprint is "SHA256:" + hex SHA-256 of the raw 32-byte public
 * key (SPEC section 1). Key material held by OpenSSL is freed with
 * EVP_PKEY_free, which cleanses it; passphrases are wiped here.
 */
#ifndef CASEFILE_SIGN_H
#define CASEFILE_SIGN_H

#include <stddef.h>
#include <stdint.h>

struct cf_ctx;
typedef struct cf_key cf_key;

#define CF_ED25519_SIG_LEN 64
#define CF_ED25519_PUB_LEN 32
#define CF_FINGERPRINT_LEN 72 /* "SHA256:" + 64 hex + NUL */

cf_key *cf_key_generate(struct cf_ctx *ctx);
/* Makes OpenSSL load what casefile uses (SHA-256, Ed25519, the PEM and
 * PKCS#8 encoders and decoders, AES-256-CBC and PBKDF2 for passphrases) now
 * rather than on first use. Errors are ignored: the real use reports them. */
void cf_crypto_warm_up(void);
void cf_key_free(cf_key *k);
/* 1 when the key holds a private half. */
int cf_key_has_private(const cf_key *k);

/* Writes PREFIX.key (0600) and PREFIX.pub atomically. Refuses to replace an
 * existing file unless force. passphrase may be NULL (unencrypted). */
int cf_key_save(struct cf_ctx *ctx, const cf_key *k, const char *prefix,
		const char *passphrase, int force);

/* Loads a private key; refuses one readable by group or others, naming the
 * file. passphrase may be NULL; a wrong one gives a clear error. */
cf_key *cf_key_load_private(struct cf_ctx *ctx, const char *path,
			    const char *passphrase);
/* Loads a public key (SubjectPublicKeyInfo PEM), or the public half of a
 * private key file given instead. */
cf_key *cf_key_load_public(struct cf_ctx *ctx, const char *path);
/* Loads a key to trust (SPEC section 1, --trust): SubjectPublicKeyInfo PEM
 * only; a private key file is refused, naming it. */
cf_key *cf_key_load_trusted(struct cf_ctx *ctx, const char *path);
/* What a key file holds, judged by its PEM label alone (nothing is parsed;
 * the bytes read are wiped): CF_KEY_FILE_PRIVATE for a private key, else
 * CF_KEY_FILE_PUBLIC (whose loader then says whether it really is one);
 * CF_FAILED, message on ctx, when it cannot be read. */
enum { CF_KEY_FILE_PUBLIC = 1, CF_KEY_FILE_PRIVATE = 2 };
int cf_key_file_kind(struct cf_ctx *ctx, const char *path);
/* Builds a public key from 32 raw bytes. */
cf_key *cf_key_from_raw_public(struct cf_ctx *ctx, const uint8_t pub[32]);

/* Reads a passphrase from the first line of a file (newline stripped) into
 * a heap string that the caller frees with cf_free_secret(s, strlen(s)). */
int cf_passphrase_read(struct cf_ctx *ctx, const char *path, char **out);

int cf_key_sign(struct cf_ctx *ctx, const cf_key *k, const void *msg,
		size_t len, uint8_t sig[CF_ED25519_SIG_LEN]);
/* CF_OK when valid, CF_FAILED (message set) when not, CF_FATAL when the
 * check could not be made (out of memory): not a verdict. */
int cf_key_verify(struct cf_ctx *ctx, const cf_key *k, const void *msg,
		  size_t len, const uint8_t *sig, size_t siglen);

int cf_key_raw_public(struct cf_ctx *ctx, const cf_key *k,
		      uint8_t out[CF_ED25519_PUB_LEN]);
int cf_key_fingerprint(struct cf_ctx *ctx, const cf_key *k,
		       char out[CF_FINGERPRINT_LEN]);
/* The public key as SubjectPublicKeyInfo PEM into a heap string. */
int cf_key_public_pem(struct cf_ctx *ctx, const cf_key *k, char **pem);

#endif
