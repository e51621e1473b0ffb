/* SPDX-License-Identifier: Apache-2.0
 *
 * Sealed logs (SPEC section 5): LOG.seal, a JSON-lines file of signed
 * checkpoints of an RFC 6962 Merkle tree over LOG's lines, and its checks.
 *
 * A checkpoint stores the tree's frontier, so that sealing reads only the
 * lines appended since the last checkpoint, and the roots of the 256-line
 * blocks completed since the previous one, so that verification can name
 * the altered block (and, by realigning later blocks, tell modification
 * from insertion and removal). Format: man/casefile-seal.5.
 *
 * The log is only ever read. The seal is only ever appended to (one line,
 * one write, fsync, under flock), except that a torn last line left by a
 * crash during a write is cut off before the next append.
 */
#ifndef CASEFILE_VERIFY_SEAL_H
#define CASEFILE_VERIFY_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/hash.h"
#include "casefile/merkle.h"
#include "casefile/progress.h"
#include "casefile/sign.h"

struct cf_ctx;

#define SEAL_SUFFIX ".seal"
#define SEAL_BLOCK_LEVEL 8 /* 256 lines per block */
#define SEAL_MAX_FILE ((size_t)1 << 30)
/* A log's identity: 128 bits drawn at random by the first seal and carried,
 * signed, by every checkpoint (and so by every proof). A seal made before
 * log ids has, as its id, the first 128 bits of the SHA-256 of its first
 * checkpoint's line; the next seal writes that id into its checkpoints. */
#define SEAL_LOG_ID_LEN 16
#define SEAL_LOG_ID_HEX (2 * SEAL_LOG_ID_LEN + 1)

/* One checkpoint as read from a seal file. */
struct seal_cp {
	int has_id;        /* carries log_id (0: a checkpoint from before ids) */
	uint8_t log_id[SEAL_LOG_ID_LEN];
	uint64_t n;        /* 1-based checkpoint number */
	uint64_t size;     /* lines covered */
	uint64_t bytes;    /* bytes of LOG covered (ends after a '\n') */
	uint8_t root[CF_MERKLE_HASH];
	uint8_t prev[CF_MERKLE_HASH];  /* SHA-256 of the previous checkpoint line */
	uint8_t hash[CF_MERKLE_HASH];  /* SHA-256 of this line */
	int64_t time_us;
	char signer[CF_FINGERPRINT_LEN];
	uint8_t head_sig[CF_ED25519_SIG_LEN]; /* over the canonical head */
	unsigned block_level;
	uint8_t (*blocks)[CF_MERKLE_HASH]; /* blocks completed since the previous */
	size_t nblocks;
	struct cf_merkle_frontier fr;
	uint64_t line;     /* line number in the seal file */
};

/* ---- sealing ------------------------------------------------------------- */

struct seal_result {
	uint64_t new_lines;   /* lines sealed by this run (0: nothing new) */
	uint64_t size;        /* lines covered by the latest checkpoint */
	uint64_t bytes;
	uint64_t checkpoint;  /* its number */
	char root_hex[CF_SHA256_HEX];
	char log_id[SEAL_LOG_ID_HEX]; /* the log's id ("" while nothing is sealed) */
	int repaired;         /* a torn last seal line was cut off */
	int id_added;         /* a checkpoint was written to add the log id */
};

/* Seals LOG's complete lines appended since the last checkpoint into
 * LOG.seal (seal_path may be NULL for that default). The first checkpoint
 * draws the log id; when the last checkpoint predates log ids, a
 * checkpoint carrying the id is written even without new lines. CF_OK with
 * res set;
 * CF_FAILED when the log no longer matches the sealed part's shape (shorter
 * than sealed, or no line end where the seal says), or on I/O errors. */
int seal_log(struct cf_ctx *ctx, const char *log_path, const char *seal_path,
	     const cf_key *key, cf_progress *progress,
	     struct seal_result *res);

/* ---- verification -------------------------------------------------------- */

struct seal_problem {
	char kind[32];      /* modified, inserted, removed, altered, truncated,
			       forged-checkpoint, untrusted-signer,
			       reordered-checkpoints, rolled-back-checkpoint,
			       broken-chain, bad-checkpoint */
	uint64_t from, to;  /* 1-based log lines concerned (0 when none) */
	uint64_t checkpoint;/* checkpoint number or seal line (0 when none) */
	char detail[384];
};

struct seal_report {
	int ok;
	uint64_t checkpoints;   /* valid checkpoints */
	uint64_t sealed_lines;  /* lines covered by the last valid one */
	uint64_t unsealed_lines;/* complete lines after it */
	uint64_t partial_bytes; /* bytes of an unfinished last line */
	int64_t first_us, last_us;
	char signer[CF_FINGERPRINT_LEN];
	char root_hex[CF_SHA256_HEX];
	char log_id[SEAL_LOG_ID_HEX]; /* the seal's log id ("" without checkpoint) */
	int log_id_derived;     /* from the first checkpoint's hash (an old seal) */
	int torn_seal;          /* the seal's last line is incomplete (ignored) */
	struct seal_problem *problems;
	size_t nproblems;
};

int seal_verify(struct cf_ctx *ctx, const char *log_path, const char *seal_path,
		cf_key *const *trusted, size_t ntrusted, cf_progress *progress,
		struct seal_report *rep);
void seal_report_release(struct seal_report *rep);

/* ---- shared with disclose ------------------------------------------------ */

/* Reads and checks every checkpoint of a seal file (signatures, chain,
 * one log id throughout); *cps gets the valid prefix; problems are added
 * to rep, and rep->log_id is set from the first checkpoint. */
int seal_read(struct cf_ctx *ctx, const char *seal_path, cf_key *const *trusted,
	      size_t ntrusted, struct seal_cp **cps, size_t *ncps,
	      struct seal_report *rep);
void seal_cps_free(struct seal_cp *cps, size_t n);
/* The canonical head {"log_id","n","size","bytes","root","time","prev",
 * "signer"} that head_sig signs ("log_id" only when cp->has_id), into b
 * (replacing its content). 0 or -1. */
struct cf_buf;
int seal_head_text(struct cf_buf *b, const struct seal_cp *cp);
/* The log id of a seal whose first checkpoint is first. */
void seal_log_id(const struct seal_cp *first, uint8_t out[SEAL_LOG_ID_LEN]);
/* A non-negative integer member that a double holds exactly; 0 or -1. */
#include <cjson/cJSON.h>
int seal_json_u64(const cJSON *j, const char *k, uint64_t *v);
/* Records a problem on the report (and clears rep->ok). */
void seal_add_problem(struct seal_report *rep, const char *kind, uint64_t from,
		      uint64_t to, uint64_t cp, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Parses one checkpoint line and checks its signature against trusted. */
int seal_parse_cp(struct cf_ctx *ctx, const char *line, size_t len,
		  cf_key *const *trusted, size_t ntrusted, struct seal_cp *cp,
		  char kind[32]);

/* Streams the log computing leaf hashes with both cores; used by sealing,
 * verification and disclosure. */
typedef struct seal_scanner seal_scanner;
/* Called for each completed block: index, root, and the log offset just
 * after its last line. */
typedef int (*seal_block_fn)(void *arg, uint64_t index,
			     const uint8_t root[CF_MERKLE_HASH], uint64_t end_off);
seal_scanner *seal_scanner_new(struct cf_ctx *ctx, int fd, const char *path,
			       uint64_t offset, uint64_t limit);
void seal_scanner_free(seal_scanner *s);
/* Sets the log offset reached on progress (cf_progress_set) after every
 * batch of lines (progress may be NULL). */
void seal_scanner_progress(seal_scanner *s, cf_progress *progress);
/* Feeds up to max_lines complete lines into f (watch level = block level).
 * *done gets the count; fewer than asked means the end of the log (or of
 * its complete lines) was reached. */
int seal_scan(seal_scanner *s, struct cf_ctx *ctx, struct cf_merkle_frontier *f,
	      uint64_t max_lines, seal_block_fn fn, void *arg, uint64_t *done);
/* File offset of the next unread line. */
uint64_t seal_scanner_offset(const seal_scanner *s);
/* Bytes after the last complete line when the end was reached. */
uint64_t seal_scanner_partial(const seal_scanner *s);

#endif
