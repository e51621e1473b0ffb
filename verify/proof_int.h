/* SPDX-License-Identifier: Apache-2.0
 *
 * Private to the disclosure proofs: what the writer (verify/proof.c) and
 * the checker (verify/proof_check.c) share. The checker's report carries
 * the proven bytes as base64 when they are not text, in the encoding the
 * writer uses. Nothing outside these two files may include it; the
 * commands use verify/proof.h.
 */
#ifndef CASEFILE_VERIFY_PROOF_INT_H
#define CASEFILE_VERIFY_PROOF_INT_H

#include <stddef.h>
#include <stdint.h>

/* Standard base64 of n bytes, NUL-terminated (heap string freed by the
 * caller), or NULL on no memory. */
char *proof_b64(const uint8_t *p, size_t n);

#endif
