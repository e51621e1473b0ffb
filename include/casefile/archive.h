/* SPDX-License-Identifier: Apache-2.0
 *
 * Reading evidence archives: a streaming member iterator and the verifier.
 *
 * Both read an archive once, front to back, through libarchive, never
 * extracting anything to disk. The iterator hands each member's bytes to the
 * caller in blocks while hashing them, so that `timeline build` parses what
 * `verify` checked in the same pass; the verifier (SPEC section 4) reports
 * every problem it finds, each naming the member and what is wrong.
 *
 * Member names are checked with cf_path_check_member(); an archive may be
 * hostile: bounded memory, limits on member count, size and expansion.
 */
#ifndef CASEFILE_ARCHIVE_H
#define CASEFILE_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "casefile/hash.h"
#include "casefile/sign.h"

struct cf_ctx;

/* ---- member iterator ---------------------------------------------------- */

typedef struct cf_archive cf_archive;

struct cf_member {
	const char *name;      /* member name (valid until the next _next) */
	uint64_t size;         /* size from the header */
	int type;              /* AE_IFREG, AE_IFDIR, AE_IFLNK, ... */
	int64_t mtime_ns;      /* from the pax header */
	const char *pax_sha256;/* hex from the CF_PAX_SHA256 keyword, or NULL */
	uint64_t index;        /* 0-based position in the archive */
	const char *link;      /* symlink or hard-link target, or NULL */
	int hardlink;          /* 1 when link names a hard link */
};

/* Limits on hostile input. The expansion bound applies once
 * CF_ARCHIVE_RATIO_FREE uncompressed bytes have been read: from then on the
 * uncompressed stream may not exceed CF_ARCHIVE_MAX_RATIO times the
 * compressed bytes consumed (evidence logs compress 5-20:1; 1000:1 is
 * a decompression bomb). CF_ARCHIVE_MAX_HEADER bounds one member's headers
 * (pax extended header included); libarchive itself refuses pax headers
 * above 1 MiB. */
#define CF_ARCHIVE_MAX_MEMBERS 1000010
#define CF_ARCHIVE_MAX_RATIO 1000
#define CF_ARCHIVE_RATIO_FREE (16ULL * 1024 * 1024)
#define CF_ARCHIVE_MAX_HEADER (1024 * 1024 + 4096)

/* Opens an archive (tar/pax under any compression libarchive reads).
 * CF_FATAL (errno on ctx) when the file cannot be opened or read,
 * CF_FAILED when it is not a readable compressed stream. Close with
 * cf_archive_close. */
int cf_archive_open(struct cf_ctx *ctx, const char *path, cf_archive **out);
/* Same; on CF_FAILED *kind names the problem (see cf_archive_error_kind,
 * plus "bad-format" for what is not a tar stream). */
int cf_archive_open_ex(struct cf_ctx *ctx, const char *path, cf_archive **out,
		       const char **kind);
/* Advances to the next member: CF_OK, CF_EOF at the end, CF_FAILED/CF_FATAL
 * (truncation, decompression error, bad header) with the message set.
 * CF_WARN when the member was read but is unsafe (name refused by
 * cf_path_check_member, link, hard link, device, fifo, directory) or its
 * header drew a warning: m is filled and ctx says why; the caller decides
 * whether to skip it. At the end, the end-of-archive marker must be whole
 * and nothing but zero padding may follow it (else CF_FAILED, kind
 * "truncated" or "trailing-data"). */
int cf_archive_next(cf_archive *a, struct cf_ctx *ctx, struct cf_member *m);
/* Reads up to n bytes of the current member's data (hashed as read).
 * Returns the number of bytes (0 at the member's end) or -1 with ctx set. */
long cf_archive_read(cf_archive *a, struct cf_ctx *ctx, void *buf, size_t n);
/* Zero-copy variant: *p points at up to one read-ahead block of data, valid
 * until the next call on a. Bytes, 0 at the member's end, -1 with ctx set. */
long cf_archive_read_block(cf_archive *a, struct cf_ctx *ctx, const void **p);
/* SHA-256 of the current member's data once it has been read to its end
 * (the rest is read and hashed if the caller stopped early). */
int cf_archive_member_digest(cf_archive *a, struct cf_ctx *ctx,
			     uint8_t out[CF_SHA256_LEN]);
/* Bytes of the compressed archive consumed so far (for progress). */
uint64_t cf_archive_position(const cf_archive *a);
/* Uncompressed tar-stream bytes read so far. */
uint64_t cf_archive_uncompressed(const cf_archive *a);
/* Problem kind of the last failure ("truncated", "trailing-data",
 * "decompression-error", "bad-header", "limit"), or NULL. The strings are
 * static. */
const char *cf_archive_error_kind(const cf_archive *a);
void cf_archive_close(cf_archive *a);

/* ---- verification (SPEC section 4) -------------------------------------- */

struct cf_problem {
	char *kind;    /* "hash-mismatch", "missing-member", "added-member",
			  "duplicate-member", "reordered-member", "unsafe-name",
			  "bad-signature", "untrusted-signer", "inconsistent-metadata",
			  "truncated", "trailing-data", "decompression-error",
			  "chain-gap", "chain-fork", "chain-missing", ... */
	char *member;  /* member concerned, or NULL */
	char *detail;  /* one sentence for people */
};

struct cf_verify_result {
	char *path;
	int ok;                        /* 1 when no problem */
	char signer[CF_FINGERPRINT_LEN];/* fingerprint of the trusted signer, "" if none */
	char sums_hex[CF_SHA256_HEX];  /* SHA-256 of SHA256SUMS ("sha256sums digest") */
	cJSON *collection;             /* parsed collection.json, or NULL */
	struct cf_problem *problems;
	size_t nproblems;
	uint64_t members;              /* members read */
	uint64_t bytes;                /* uncompressed bytes read */
	/* With CF_VERIFY_KEEP_ITEMS: the raw bytes of items.jsonl (NULL when
	 * the archive has none), so that a caller parsing the evidence needs
	 * no second pass to reach it; items_too_large when it passed
	 * CF_VERIFY_ITEMS_MAX and was not kept. */
	char *items;
	size_t items_len;
	int items_too_large;
};

#define CF_VERIFY_KEEP_ITEMS 1
#define CF_VERIFY_ITEMS_MAX (256u << 20)

/* Verifies one archive against the trusted public keys in one streaming
 * pass. Returns CF_OK when the check ran (res->ok tells the verdict) or
 * CF_FAILED/CF_FATAL when it could not run at all (cannot open, no memory).
 * The result is freed with cf_verify_result_free. */
int cf_archive_verify(struct cf_ctx *ctx, const char *path,
		      cf_key *const *trusted, size_t ntrusted,
		      struct cf_verify_result **res);
/* Same, reporting progress: progress(ud, compressed bytes consumed so far,
 * members so far) is called as the archive is read (it may be NULL). */
int cf_archive_verify_ex(struct cf_ctx *ctx, const char *path,
			 cf_key *const *trusted, size_t ntrusted,
			 void (*progress)(void *ud, uint64_t pos,
					  uint64_t members),
			 void *ud,
			 struct cf_verify_result **res);
/* cf_archive_verify_ex with flags (CF_VERIFY_KEEP_ITEMS). */
int cf_archive_verify_flags(struct cf_ctx *ctx, const char *path,
			    cf_key *const *trusted, size_t ntrusted, int flags,
			    void (*progress)(void *ud, uint64_t pos,
					     uint64_t members),
			    void *ud, struct cf_verify_result **res);
/* Adds a problem to a result (and clears ok), once per kind and member.
 * 0, or -1 on no memory. */
int cf_verify_add_problem(struct cf_verify_result *r, const char *kind,
			  const char *member, const char *detail);
/* Checks the `previous` chain across archives of one case (order, gaps,
 * forks, a link to an archive not given), adding problems to the results.
 * Runs only when n >= 2: a single archive is not checked for its
 * predecessor. NULL entries (archives that could not be read) are skipped.
 * Problem kinds: "chain-gap", "chain-fork", "chain-missing". */
int cf_archive_verify_chain(struct cf_ctx *ctx, struct cf_verify_result **res,
			    size_t n);
void cf_verify_result_free(struct cf_verify_result *r);
/* {"path","ok","signer","sha256sums","problems":[{"kind","member","detail"}]} */
cJSON *cf_verify_result_json(const struct cf_verify_result *r);

#endif
