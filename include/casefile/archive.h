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
#include "casefile/progress.h"
#include "casefile/sign.h"

struct cf_ctx;

/* ---- decoders ------------------------------------------------------------ */

struct archive;

/* The decompression filters casefile enables on a libarchive read handle,
 * and no others: never archive_read_support_filter_all(), which would let a
 * hostile file make libarchive start an external program (lrzip, lzop,
 * grzip, uudecode...) found on $PATH. CF_FILTERS_ARCHIVE is what an evidence
 * archive may be (none, gzip, zstd: `collect --compress`);
 * CF_FILTERS_LOGS is what a rotated log inside one may be (gzip, bzip2, xz,
 * zstd). */
#define CF_FILTERS_ARCHIVE 1
#define CF_FILTERS_LOGS 2
/* Enables the filters of set `which` on a read handle. CF_OK, or CF_FATAL
 * when this libarchive lacks built-in support for one of them (it would
 * fall back to an external program, which casefile refuses to run). */
int cf_archive_support_filters(struct cf_ctx *ctx, struct archive *la,
			       int which);

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
	unsigned mode;         /* permission bits with setuid/setgid/sticky */
	int64_t uid, gid;
	/* Set when the member's headers carry bytes that no signature
	 * covers and casefile never writes: a global pax header, a pax
	 * keyword or extended attribute other than the known ones, non-zero
	 * data padding. One sentence, valid until the next _next. */
	const char *hidden;
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
/* The holes of pax sparse members (declared runs of zeros, never stored)
 * cost verification only their hashing: the first CF_ARCHIVE_HOLES_FREE
 * bytes of them in an archive are left out of the expansion bound, which
 * counts the rest as it counts decompressed bytes. A sparse lastlog of
 * a few hundred megabytes (uids up to about 900,000) verifies in an archive
 * of a few kilobytes; a member of a terabyte of holes is still refused,
 * once 256 MiB of them have been hashed. */
#define CF_ARCHIVE_HOLES_FREE (256ULL * 1024 * 1024)

/* Opens an archive (tar/pax under any compression libarchive reads).
 * CF_FATAL (errno on ctx) when the file cannot be opened or read,
 * CF_FAILED when it is not a readable compressed stream. Close with
 * cf_archive_close. */
int cf_archive_open(struct cf_ctx *ctx, const char *path, cf_archive **out);
/* Same; on CF_FAILED *kind names the problem (see cf_archive_error_kind,
 * plus "bad-format" for what is not a tar stream). */
int cf_archive_open_ex(struct cf_ctx *ctx, const char *path, cf_archive **out,
		       const char **kind);
/* Same, on a file descriptor that stays the caller's (not closed), read
 * from its current offset; label names the file in messages. */
int cf_archive_open_fd(struct cf_ctx *ctx, int fd, const char *label,
		       cf_archive **out, const char **kind);
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

/* One member as the verifier read it, in archive order. */
struct cf_seen {
	char *name;
	uint8_t digest[CF_SHA256_LEN]; /* SHA-256 of the data verified */
	int hashed;                    /* 0: its data was not read (unsafe
					  or not a regular file) */
};

/* Problem kind of a bound re-read (cf_archive_reopen) that met another
 * archive than the one verified. */
#define CF_KIND_CHANGED "changed-after-verify"

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
	/* With CF_VERIFY_KEEP_FD: the open file that was verified (closed by
	 * cf_verify_result_free; -1 otherwise) and every member as it was
	 * read, in order, for cf_archive_reopen. */
	int fd;
	struct cf_seen *seen;
	size_t nseen;
};

#define CF_VERIFY_KEEP_ITEMS 1
#define CF_VERIFY_KEEP_FD 2
#define CF_VERIFY_ITEMS_MAX (256u << 20)

#define CF_VERIFY_OPEN_FD 4

/* How to verify: the trusted public keys, flags (CF_VERIFY_KEEP_ITEMS,
 * CF_VERIFY_KEEP_FD, CF_VERIFY_OPEN_FD), and where to report progress. */
struct cf_verify_opts {
	cf_key *const *trusted;
	size_t ntrusted;
	int flags;
	/* the compressed bytes consumed so far and the members so far are set
	 * on it (cf_progress_set) as the archive is read; may be NULL */
	cf_progress *progress;
	/* with CF_VERIFY_OPEN_FD: the archive open on fd is read from its
	 * current offset and not closed (with CF_VERIFY_KEEP_FD the result
	 * holds a duplicate of it); the path then only names it in messages
	 * and in res->path */
	int fd;
};

/* Verifies one archive against the trusted public keys in one streaming
 * pass. Returns CF_OK when the check ran (res->ok tells the verdict) or
 * CF_FAILED/CF_FATAL when it could not run at all (cannot open, no memory).
 * The result is freed with cf_verify_result_free. */
int cf_archive_verify(struct cf_ctx *ctx, const char *path,
		      const struct cf_verify_opts *opts,
		      struct cf_verify_result **res);
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
/* Reads again the very archive that vr verified (made with
 * CF_VERIFY_KEEP_FD): from vr's open file rewound to its start, never by
 * path, so a file swapped in since, or a FIFO serving another archive, is
 * never read. The iterator is bound to the verification: a member that is
 * not the one verified at its position, member data a caller reads that
 * does not hash to the bytes verified (checked once the member is read, or
 * when the caller moves on from a member it began), or a member count that
 * differs fail with CF_FAILED and cf_archive_error_kind() ==
 * CF_KIND_CHANGED. Members a caller does not read are skipped unhashed.
 * vr must outlive the iterator. CF_FATAL when vr's file cannot be rewound
 * (a pipe: not a regular file). */
int cf_archive_reopen(struct cf_ctx *ctx, const struct cf_verify_result *vr,
		      cf_archive **out);
/* {"path","ok","signer","sha256sums","problems":[{"kind","member","detail"}]} */
cJSON *cf_verify_result_json(const struct cf_verify_result *r);

#endif
