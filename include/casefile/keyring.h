/* SPDX-License-Identifier: Apache-2.0
 *
 * The trusted keyring: the public keys a command trusts to have signed
 * archives, seal checkpoints, proofs and custody entries (SPEC section 1:
 * `--trust FILE`, repeatable, is always a trusted public key; `--key FILE`
 * always a private signing key). Every part loads its trusted keys here, so
 * that a key file means the same thing to every command.
 *
 * Only public halves are kept: a keyring never holds a private key, even
 * when it trusts the public half of the user's own signing key. The order
 * is the order of addition. Nothing here prints; errors go on the context.
 */
#ifndef CASEFILE_KEYRING_H
#define CASEFILE_KEYRING_H

#include <stddef.h>
#include "casefile/sign.h"

struct cf_ctx;
typedef struct cf_keyring cf_keyring;

/* An empty keyring, freed with cf_keyring_free(); NULL (ctx set) out of
 * memory. */
cf_keyring *cf_keyring_new(struct cf_ctx *ctx);
/* Frees the keyring and its keys; NULL does nothing. */
void cf_keyring_free(cf_keyring *kr);

/* Trusts the public key in path (SubjectPublicKeyInfo PEM, `--trust`). A
 * private key file is refused, naming it: trust is given to a public key.
 * CF_OK, or CF_FAILED / CF_FATAL with the message on ctx. */
int cf_keyring_add_file(struct cf_ctx *ctx, cf_keyring *kr, const char *path);
/* Trusts the public half of the private key file at path (owner-only, as
 * every private key): the user's own signing key, where a command that
 * signs nothing is given one. CF_OK, or the loader's error on ctx. */
int cf_keyring_add_signer(struct cf_ctx *ctx, cf_keyring *kr,
			  const char *path);
/* Trusts the public half of k (copied: k stays the caller's). */
int cf_keyring_add_key(struct cf_ctx *ctx, cf_keyring *kr, const cf_key *k);
/* A `--key FILE` in a command where --key once named a trusted public key
 * (verify, timeline build, disclose, report; the old spelling is kept for
 * one release): when FILE holds a public key it is trusted and *was_public
 * is 1; when it holds a private key nothing is added, *was_public is 0 and
 * FILE is the caller's (the signing key, --key's meaning). CF_FAILED with
 * the message on ctx when FILE cannot be read or is no key. The command
 * layer's cf_cli_key_legacy() adds the deprecation warning. */
int cf_keyring_add_legacy(struct cf_ctx *ctx, cf_keyring *kr,
			  const char *path, int *was_public);

/* How many keys are trusted, and the keys themselves (valid until the next
 * addition or cf_keyring_free), for the verifiers that take an array. */
size_t cf_keyring_count(const cf_keyring *kr);
cf_key *const *cf_keyring_keys(const cf_keyring *kr);

/* The key among the n in keys whose fingerprint ("SHA256:...") is fp, or
 * NULL (also for a NULL fp). */
const cf_key *cf_key_find(cf_key *const *keys, size_t n, const char *fp);

#endif
