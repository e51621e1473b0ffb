/* SPDX-License-Identifier: Apache-2.0
 *
 * SHA256SUMS: the manifest every evidence archive is signed through.
 *
 * The format is exactly what `sha256sum -c` reads: per line 64 lowercase hex
 * digits, two spaces, the member name, '\n'. Parsing is strict (no CR, no
 * '*' binary marker, no backslash-escaped names, no blank lines) because the
 * bytes of this file are what the Ed25519 signature covers and what identifies
 * the archive: two parsers must never disagree about what it says.
 */
#ifndef CASEFILE_SUMS_H
#define CASEFILE_SUMS_H

#include <stddef.h>
#include <stdint.h>
#include "casefile/hash.h"

struct cf_ctx;
struct cf_buf;

#define CF_SUMS_NAME "SHA256SUMS"
#define CF_SUMS_SIG_NAME "SHA256SUMS.sig"
#define CF_SUMS_MAX_ENTRIES 1000000

struct cf_sums_entry {
	char *name;                    /* member name, heap */
	uint8_t digest[CF_SHA256_LEN];
	size_t line;                   /* 1-based line in SHA256SUMS */
};

struct cf_sums {
	struct cf_sums_entry *v;
	size_t n, cap;
};

void cf_sums_init(struct cf_sums *s);
void cf_sums_release(struct cf_sums *s);
/* Appends an entry (name is copied). */
int cf_sums_add(struct cf_ctx *ctx, struct cf_sums *s, const char *name,
		const uint8_t digest[CF_SHA256_LEN]);
/* Renders in sha256sum format into b. */
int cf_sums_format(struct cf_ctx *ctx, const struct cf_sums *s,
		   struct cf_buf *b);
/* Parses text; errors say "SHA256SUMS line N: ...". Member names are
 * checked with cf_path_check_member(). */
int cf_sums_parse(struct cf_ctx *ctx, const char *text, size_t len,
		  struct cf_sums *s);
/* Index of the entry with that name, or -1. Linear; callers with many
 * lookups build their own index. */
long cf_sums_find(const struct cf_sums *s, const char *name);

#endif
