/* SPDX-License-Identifier: Apache-2.0
 *
 * Cases and the signed, hash-chained custody log (SPEC section 5).
 *
 * A case is a folder with case.json, custody.jsonl and evidence/. Every
 * command that reads or writes case data appends one custody entry: seq,
 * case id, time, actor, action, subject digest, the evidence file it
 * records (add), note, the SHA-256 of the previous entry and the actor's
 * Ed25519 signature. Appends are single write(2)s of a whole line under an
 * exclusive lock, then fsync, so that concurrent commands serialise and a
 * crash leaves either the whole entry or none.
 *
 * Binding: entry 1 is "init", names the case id and has as subject the
 * SHA-256 of case.json as written at init; every entry names the case id;
 * every "add" entry names its file in evidence/ and that file's SHA-256.
 * A log, a case.json or an evidence file taken from another case, or
 * edited, no longer matches. Logs written before binding (format 1: no
 * "case" and "file" members) still verify as a chain bound to case.json
 * through entry 1; the report says they predate binding.
 */
#ifndef CASEFILE_CASE_H
#define CASEFILE_CASE_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/hash.h"
#include "casefile/keyring.h"
#include "casefile/sign.h"

struct cf_ctx;
struct cf_verify_result;
typedef struct cf_case cf_case;

#define CF_CASE_FILE "case.json"
#define CF_CUSTODY_FILE "custody.jsonl"
#define CF_CASE_EVIDENCE "evidence"

/* Creates DIR (must not exist or be empty) with case.json, an empty
 * custody log and evidence/, and appends the "init" entry signed by key. */
int cf_case_create(struct cf_ctx *ctx, const char *dir, const char *case_id,
		   const char *examiner, const cf_key *key, const char *key_path);
/* Same, also naming the ClickHouse hosts (besides loopback) that the
 * case's playbook runs may send a --db URL to ("clickhouse_hosts" in
 * case.json, read by cf_case_clickhouse_hosts). */
int cf_case_create_ex(struct cf_ctx *ctx, const char *dir, const char *case_id,
		      const char *examiner, const cf_key *key,
		      const char *key_path, char *const *ch_hosts,
		      size_t nch_hosts);
/* Opens the case at dir, or when dir is NULL the nearest folder holding
 * case.json from the current folder upwards. */
int cf_case_open(struct cf_ctx *ctx, const char *dir, cf_case **out);
void cf_case_free(cf_case *c);
const char *cf_case_dir(const cf_case *c);
const char *cf_case_id(const cf_case *c);
const char *cf_case_examiner(const cf_case *c);
/* Path of the signing key recorded at init (may be NULL). */
const char *cf_case_key_path(const cf_case *c);
/* The case configuration's "clickhouse_hosts" (case.json): the ClickHouse
 * hosts, besides loopback, that `playbook run` steps may name in a --db
 * URL. *hosts (heap strings in a heap array, *n of them; NULL and 0 when
 * the key is absent) is freed by the caller. A value that is not an array
 * of non-empty strings is an error naming case.json. */
int cf_case_clickhouse_hosts(struct cf_ctx *ctx, const cf_case *c,
			     char ***hosts, size_t *n);

/* Takes the evidence archive at path into the case (`casefile add`): its
 * copy in evidence/ (named as path's last component) is verified against
 * trusted through the descriptor it was written with, then renamed into
 * place (0440, never replacing a file) and recorded by an "add" entry
 * signed by key. A file already there with the same bytes is recorded
 * again, not copied. CF_OK and out->status when it ran:
 *   CF_CASE_ADD_ADDED    copied, verified, recorded;
 *   CF_CASE_ADD_ALREADY  identical file already in evidence/, recorded;
 *   CF_CASE_ADD_REFUSED  the copy failed verification (out->verify says
 *                        why), was removed, and "add-refused" recorded.
 * CF_FAILED / CF_FATAL with the message on ctx otherwise (out->verify may
 * then still hold a refusal's problems). Release out with
 * cf_case_add_result_release, whatever the return. */
enum cf_case_add_status { CF_CASE_ADD_ADDED = 1, CF_CASE_ADD_ALREADY,
			  CF_CASE_ADD_REFUSED };
struct cf_case_add_result {
	enum cf_case_add_status status;
	char *dest;                      /* its path in evidence/ (heap) */
	struct cf_verify_result *verify; /* NULL for ALREADY */
};
int cf_case_add(struct cf_ctx *ctx, cf_case *c, const cf_key *key,
		const cf_keyring *trusted, const char *path,
		struct cf_case_add_result *out);
void cf_case_add_result_release(struct cf_case_add_result *r);

/* Appends a custody entry signed by key: flock(LOCK_EX) on the log, the
 * whole log checked (one pass: format, seq, prev chain, case id, entry 1
 * the init of this case.json, and the signature of the last entry signed
 * with key), one write(2) of the whole line, fsync. Refuses a log whose
 * last line is torn (no final newline), and a log that fails the check:
 * nothing is ever chained onto a forged entry (ctx->code is then
 * CF_TAMPERED, so that the command exits 1). An empty log takes only
 * "init". On any failure the log is left as it was (a partial write is
 * truncated away). subject_hex may be NULL (no digest), note may be NULL.
 * The actor is the case's examiner. Entries signed by other keys than key
 * cannot be checked here: verify --custody with the trusted keys does. */
int cf_custody_append(struct cf_ctx *ctx, cf_case *c, const cf_key *key,
		      const char *action, const char *subject_hex,
		      const char *note);
/* The same, recording an evidence file: file is its name in evidence/
 * (no '/'), file_hex the lowercase hex SHA-256 of its bytes; both NULL or
 * both set. "add" entries use it; verify compares evidence/ against them. */
int cf_custody_append_file(struct cf_ctx *ctx, cf_case *c, const cf_key *key,
			   const char *action, const char *subject_hex,
			   const char *file, const char *file_hex,
			   const char *note);

/* A file of evidence/ that does not match the add entries of the log. */
struct cf_custody_file {
	char *name;        /* file name in evidence/ (heap) */
	char kind[16];     /* "missing", "extra" or "replaced" */
	uint64_t entry;    /* seq of the add entry recording it, 0 for extra */
	char detail[320];  /* what is wrong, with the digests */
};

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
	/* Binding (added). More kinds: "empty", "not-init" (entry 1 is not an
	 * init), "case-mismatch" (another case id, or none after a bound
	 * entry), "case-json-mismatch" (case.json is not the one of init). */
	char case_id[256];       /* case id named by entry 1 ("" if none) */
	uint64_t unbound;        /* entries 1..unbound predate binding (format 1) */
	int evidence_checked;    /* evidence/ was compared with the add entries */
	struct cf_custody_file *files; /* evidence/ problems (heap), nfiles */
	size_t nfiles;
};
/* Verifies the custody log FILE on its own: the log is not empty, entry 1
 * is "init", every line parses, seq increases by one, each prev equals the
 * SHA-256 of the previous line, every entry names entry 1's case id (a
 * format 1 prefix names none), each signature verifies by a trusted key.
 * CF_OK when the check ran; report->first_bad tells. Release the report
 * with cf_custody_report_release. */
int cf_custody_verify(struct cf_ctx *ctx, const char *path,
		      cf_key *const *trusted, size_t ntrusted,
		      struct cf_custody_report *report);
/* Verifies the case in dir: its custody log as cf_custody_verify does, and
 * that entry 1 and every entry name case.json's id, that entry 1's subject
 * is the SHA-256 of case.json, and, when the chain is intact and bound,
 * every file of evidence/ against the add entries (report->files: missing,
 * extra, replaced). The case is intact when first_bad == 0 and nfiles == 0.
 * Cost: one pass over the log, one SHA-256 of every evidence file. */
int cf_custody_verify_case(struct cf_ctx *ctx, const char *dir,
			   cf_key *const *trusted, size_t ntrusted,
			   struct cf_custody_report *report);
/* Frees report->files (the report can be reused); NULL does nothing. */
void cf_custody_report_release(struct cf_custody_report *report);

/* Bytes of the custody line format, shared with tests and tools:
 * {"seq","case","time","actor","signer","action","subject","file","note",
 * "prev","sig"} in that order ("file" is null or {"name","sha256"}; format
 * 1 lines lack "case" and "file"); sig is the hex Ed25519 signature over the line without its
 * `,"sig":"..."` member (the text up to `,"sig":` followed by `}`). */
#define CF_CUSTODY_MAX_LINE 65536

/* The signed message of a custody line (len bytes, no newline): writes the
 * line's prefix up to `,"sig":` plus "}" into msg (at least len bytes) and
 * returns its length, or 0 when the line does not end in a well-formed
 * `,"sig":"<128 hex>"}` member; *sig gets the 64 signature bytes. */
size_t cf_custody_signed_part(const char *line, size_t len, char *msg,
			      uint8_t sig[CF_ED25519_SIG_LEN]);

#endif
