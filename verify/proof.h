/* SPDX-License-Identifier: Apache-2.0
 *
 * Disclosure proofs (SPEC section 5): chosen lines of a sealed log with
 * RFC 6962 inclusion proofs against a signed checkpoint, or chosen members
 * of an evidence archive with the signed SHA256SUMS. A proof is one JSON
 * file (format in man/casefile-seal.5) that a regulator or a patient can
 * check with `casefile verify --proof` without the rest of the log or the
 * archive.
 *
 * A proof names its log or archive only by what is signed: the log id
 * inside the signed checkpoint, the SHA-256 of the signed SHA256SUMS. The
 * verifier refuses anything it would not check (unknown or duplicate keys,
 * values of the wrong type), so that what it reports is what the file
 * says to every other reader.
 */
#ifndef CASEFILE_VERIFY_PROOF_H
#define CASEFILE_VERIFY_PROOF_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "casefile/hash.h"
#include "casefile/sign.h"

struct cf_ctx;

#define PROOF_FORMAT "casefile-proof/2"
/* Proofs written before log ids and strict checks: refused, with a reason. */
#define PROOF_FORMAT_V1 "casefile-proof/1"
#define PROOF_MAX_ITEMS 100000
#define PROOF_MAX_FILE ((size_t)512 << 20)

/* Parses "12,40-45" into a sorted list of distinct 1-based numbers (heap
 * array freed by the caller). CF_FAILED with the reason on bad syntax, 0,
 * or more than PROOF_MAX_ITEMS numbers. */
int proof_parse_lines(struct cf_ctx *ctx, const char *spec, uint64_t **out,
		      size_t *n);

/* Writes the proof of lines (1-based, sorted) of log against the latest
 * checkpoint in seal that a trusted key signed. Every proof is checked
 * against the checkpoint before the file is written (atomically). */
int proof_write_log(struct cf_ctx *ctx, const char *log, const char *seal,
		    cf_key *const *trusted, size_t ntrusted,
		    const uint64_t *lines, size_t nlines, const char *out);

/* Writes the proof of the named members of an evidence archive: their
 * bytes with SHA256SUMS and its signature. The archive is verified first
 * (cf_archive_verify) against trusted; a failing one is refused. Each
 * member is at most PROOF_MAX_MEMBER bytes. */
#define PROOF_MAX_MEMBER ((uint64_t)64 << 20)
int proof_write_archive(struct cf_ctx *ctx, const char *archive,
			cf_key *const *trusted, size_t ntrusted,
			char *const *members, size_t nmembers, const char *out);

/* One proven line or member: what the verifier checked. */
struct proof_item {
	uint64_t line;                 /* log proofs: 1-based line number */
	char *name;                    /* archive proofs: member name */
	uint8_t sha256[CF_SHA256_LEN]; /* archive proofs: its SHA-256 */
	uint8_t *data;                 /* the proven bytes (NUL after them) */
	size_t len;
};

struct proof_report {
	int ok;
	char kind[16];                 /* "log" or "archive" */
	size_t items;                  /* lines or members proven */
	char signer[CF_FINGERPRINT_LEN];
	char log_id[2 * 16 + 1];       /* log proofs: the signed log id */
	char sums_hex[CF_SHA256_HEX];  /* archive proofs: SHA-256 of SHA256SUMS */
	struct proof_item *item;       /* items entries (heap) */
	char detail[512];              /* what is wrong, or what was proven */
};

/* Checks a proof file of either kind. CF_OK when the check ran
 * (rep->ok tells), CF_FAILED when the file cannot be read at all. Release
 * rep with proof_report_release either way. */
int proof_verify(struct cf_ctx *ctx, const char *path, cf_key *const *trusted,
		 size_t ntrusted, struct proof_report *rep);
void proof_report_release(struct proof_report *rep);
/* Adds what was proven to j: "log_id" and "lines":[{"n","text" or
 * "data_b64"}], or "sha256sums" and "members":[{"name","sha256","size",
 * "text" or "data_b64"}] ("text" when the bytes are UTF-8 without NUL).
 * 0, or -1 on no memory. */
int proof_report_json(const struct proof_report *rep, cJSON *j);

#endif
