/* SPDX-License-Identifier: Apache-2.0
 *
 * Private to the archive verifier: what the streaming pass
 * (src/archive_verify.c) remembers of an archive, and the calls between it
 * and the verdict (src/archive_verdict.c) that judges what was remembered.
 * The pass fills struct pass member by member; the verdict reads it after
 * the last member and adds problems to the result. Nothing else may include
 * it: callers see struct cf_verify_result of casefile/archive.h.
 */
#ifndef CASEFILE_ARCHIVE_VERIFY_INT_H
#define CASEFILE_ARCHIVE_VERIFY_INT_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/archive.h"
#include "casefile/buf.h"
#include "casefile/progress.h"
#include "casefile/sign.h"

/* What the pass remembers of one member (its first occurrence). */
struct rec {
	char *name;
	uint64_t size;
	uint8_t digest[CF_SHA256_LEN];
	uint8_t item_sha[CF_SHA256_LEN]; /* what items.jsonl claims */
	long sums;       /* index in SHA256SUMS, -1 when not listed */
	unsigned regular : 1, hashed : 1, unsafe : 1, item : 1;
	unsigned stat : 1; /* items.jsonl vouched for the header's stat */
	unsigned mode;   /* from the member's header */
	int64_t uid, gid, mtime_ns;
};

struct pass {
	struct cf_verify_result *res;
	struct rec *v;
	size_t n, cap;
	uint32_t *tab;   /* open addressing: index + 1, 0 = empty */
	size_t tabcap;
	int maxrank;
	struct cf_buf collection, sums, sig, signer, line;
	struct cf_buf items;  /* raw items.jsonl, with CF_VERIFY_KEEP_ITEMS */
	int keep_items, items_over;
	int seen_items;
	int broken;      /* the stream failed: later members were never seen */
	int skipping;    /* dropping the rest of an over-long items line */
	size_t item_line;
	cf_progress *progress;  /* may be NULL */
	size_t name_bytes;  /* bytes of member names held */
	/* with CF_VERIFY_KEEP_FD: every member in order; first occurrences
	 * share the name of their rec */
	int keep_seen;
	struct cf_seen *seen;
	size_t nseen, seencap;
};

/* The record of the member called name (its first occurrence), or NULL. */
struct rec *cf_verify_int_find(struct pass *p, const char *name);

/* Adds a problem to r unless one of that kind and member is there; after
 * MAX_PROBLEMS one "too-many-problems" and nothing more. Clears r->ok. 0,
 * or -1 on no memory. */
int cf_verify_int_problem(struct cf_verify_result *r, const char *kind,
			  const char *member, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The checks once the pass is over: required members, SHA256SUMS against
 * the digests, collection.json, the signature against the trusted keys,
 * header bits against items.jsonl. 0, or -1 on no memory. */
int cf_verify_int_after_pass(struct pass *p, cf_key *const *trusted,
			     size_t ntrusted);

#endif
