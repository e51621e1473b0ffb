/* SPDX-License-Identifier: Apache-2.0
 *
 * Cases and the signed, hash-chained custody log (SPEC section 5).
 *
 * A case is a folder with case.json, custody.jsonl and evidence/. Every
 * command that reads or writes case data appends one custody entry: seq,
 * time, actor, action, subject digest, note, the SHA-256 of the previous
 * entry and the actor's Ed25519 signature. Appends are single write(2)s of a
 * whole line under an exclusive lock, then fsync, so that concurrent
 * commands serialise and a crash leaves either the whole entry or none.
 */
#ifndef CASEFILE_CASE_H
#define CASEFILE_CASE_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/hash.h"
#include "casefile/sign.h"

struct cf_ctx;
typedef struct cf_case cf_case;

#define CF_CASE_FILE "case.json"
#define CF_CUSTODY_FILE "custody.jsonl"
#define CF_CASE_EVIDENCE "evidence"

/* Creates DIR (must not exist or be empty) with case.json, an empty
 * custody log and evidence/, and appends the "init" entry signed by key. */
int cf_case_create(struct cf_ctx *ctx, const char *dir, const char *case_id,
		   const char *examiner, const cf_key *key, const char *key_path);
/* Opens the case at dir, or when dir is NULL the nearest folder holding
 * case.json from the current folder upwards. */
int cf_case_open(struct cf_ctx *ctx, const char *dir, cf_case **out);
void cf_case_free(cf_case *c);
const char *cf_case_dir(const cf_case *c);
const char *cf_case_id(const cf_case *c);
const char *cf_case_examiner(const cf_case *c);
/* Path of the signing key recorded at init (may be NULL). */
const char *cf_case_key_path(const cf_case *c);

/* Appends a custody entry signed by key: flock(LOCK_EX) on the log, the
 * last line read backwards from the end for seq and prev, one write(2) of
 * the whole line, fsync. Refuses a log whose last line is torn (no final
 * newline). On any failure the log is left as it was (a partial write is
 * truncated away). subject_hex may be NULL (no digest), note may be NULL.
 * The actor is the case's examiner. */
int cf_custody_append(struct cf_ctx *ctx, cf_case *c, const cf_key *key,
		      const char *action, const char *subject_hex,
		      const char *note);

struct cf_custody_report {
	uint64_t entries;        /* entries read */
	uint64_t first_bad;      /* 1-based seq/line of the first bad entry, 0 if none */
	char detail[512];        /* what is wrong with it */
	/* Added fields (compatible: callers zero or ignore them). */
	char kind[32];           /* "bad-json", "bad-field", "seq-gap",
				    "prev-mismatch", "bad-signature",
				    "untrusted-signer", "torn-line", "" if none */
	char head[CF_SHA256_HEX];/* SHA-256 of the last good line ("" if none):
				    recording it elsewhere detects a later
				    removal of trailing entries */
	int64_t first_us, last_us;/* times of the first and last good entry */
};
/* Verifies custody.jsonl: every line parses, seq increases by one, each
 * prev equals the SHA-256 of the previous line, each signature verifies by
 * a trusted key. CF_OK when the check ran; report->first_bad tells. */
int cf_custody_verify(struct cf_ctx *ctx, const char *path,
		      cf_key *const *trusted, size_t ntrusted,
		      struct cf_custody_report *report);

/* Bytes of the custody line format, shared with tests and tools:
 * {"seq","time","actor","signer","action","subject","note","prev","sig"} in
 * that order; sig is the hex Ed25519 signature over the line without its
 * `,"sig":"..."` member (the text up to `,"sig":` followed by `}`). */
#define CF_CUSTODY_MAX_LINE 65536

/* The signed message of a custody line (len bytes, no newline): writes the
 * line's prefix up to `,"sig":` plus "}" into msg (at least len bytes) and
 * returns its length, or 0 when the line does not end in a well-formed
 * `,"sig":"<128 hex>"}` member; *sig gets the 64 signature bytes. */
size_t cf_custody_signed_part(const char *line, size_t len, char *msg,
			      uint8_t sig[CF_ED25519_SIG_LEN]);

#endif
