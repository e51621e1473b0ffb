/* SPDX-License-Identifier: Apache-2.0
 *
 * The previous archive of a case (previous.c): verified in one streaming
 * pass against the trusted keys before a new archive is chained to it, and
 * read for its SHA256SUMS digest and sequence number.
 */
#ifndef CASEFILE_COLLECT_PREVIOUS_H
#define CASEFILE_COLLECT_PREVIOUS_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/hash.h"
#include "casefile/sign.h"

struct cf_ctx;

/* Verifies the previous archive against the trusted keys in one streaming
 * pass and gives its SHA256SUMS digest and sequence. CF_FAILED when it does
 * not verify (the message names the first problem). */
int cf_previous_read(struct cf_ctx *ctx, const char *path,
		     cf_key *const *trusted, size_t ntrusted,
		     char sums_hex[CF_SHA256_HEX], uint64_t *sequence);
/* The same with the collecting key and the public key files `trust` as the
 * trusted keys. */
int cf_previous_link(struct cf_ctx *ctx, const char *path, cf_key *key,
		     char *const *trust, size_t ntrust,
		     char sums_hex[CF_SHA256_HEX], uint64_t *sequence);

#endif
