/* SPDX-License-Identifier: Apache-2.0
 *
 * Finding the keys the case, seal and disclose commands sign and verify
 * with: --key, else $CASEFILE_KEY, else the key recorded in case.json; the
 * passphrase from --passphrase-file, else $CASEFILE_PASSPHRASE_FILE.
 * Nothing here prints; errors go on the context.
 */
#ifndef CASEFILE_VERIFY_KEYS_H
#define CASEFILE_VERIFY_KEYS_H

#include <stddef.h>
#include "casefile/sign.h"

struct cf_ctx;

/* Trusted public keys from n paths into a heap array freed with
 * keys_free(). */
int keys_load_trusted(struct cf_ctx *ctx, char *const *paths, size_t n,
		      cf_key ***out);
/* The key among trusted whose fingerprint is fp, or NULL. */
const cf_key *keys_find(cf_key *const *trusted, size_t n, const char *fp);
void keys_free(cf_key **keys, size_t n);

#endif
