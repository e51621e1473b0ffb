/* SPDX-License-Identifier: Apache-2.0
 *
 * The timeline builder (timeline/build.c, with pipe.c, explain.c and
 * build_archives.c behind it): verified archives into the store, with
 * counts per parser for the summary. Used by cmd_timeline.c.
 */
#ifndef CASEFILE_TIMELINE_BUILD_H
#define CASEFILE_TIMELINE_BUILD_H

#include <magic.h>
#include <stdint.h>

#include "casefile/db.h"
#include "casefile/hash.h"
#include "casefile/progress.h"
#include "casefile/sign.h"
#include "tl.h"

struct cf_ctx;
struct tl_mapping;
struct tl_sshd;

#define TL_MAX_PARSERS 24

struct tl_parser_count {
	char name[32];
	uint64_t events, rejects;
};

/* A member no parser reads: counted, never fed to a parser line by line. */
struct tl_not_parsed {
	char *member;
	char *type;    /* MIME type (items.jsonl, else libmagic, without
			  parameters), else the category, else "unknown" */
	char *reason;  /* why: what ruled the content out, or no bid */
};

/* What `timeline build --explain` shows of one member (heap strings). */
struct tl_explanation {
	char *archive;        /* the path given */
	char *member, *path, *category, *mime;
	const char *mime_from;    /* "items.jsonl", "libmagic" or NULL */
	const char *compression;  /* "gzip", "bzip2", "xz", "zstd" or NULL */
	const char *parser;       /* the parser that takes it, NULL: none */
	char *reason;             /* why it is not parsed, or NULL */
	char *first_line;         /* the line the bids saw (bounded), or NULL */
	struct tl_detect_info info; /* the bids (info.line cleared) */
	int detected;             /* info holds the bids */
};

struct tl_build_stats {
	uint64_t events, rejects, patients;
	uint64_t members;  /* members parsed */
	uint64_t skipped;  /* members with nothing to parse (binary, config) */
	struct tl_not_parsed *not_parsed; /* `skipped` of them, in order */
	size_t nnot_parsed, not_parsed_cap;
	struct tl_parser_count parsers[TL_MAX_PARSERS];
	size_t nparsers;
	const char *last_name;          /* cache of the last lookup */
	struct tl_parser_count *last;
};

struct tl_builder {
	struct cf_ctx *ctx;
	cf_db *db;
	cf_key *const *keys;
	size_t nkeys;
	int allow_unverified;
	const struct tl_mapping *mapping;
	cf_progress *progress;  /* may be NULL */
	uint64_t progress_pos;  /* this archive's compressed bytes counted in
				   progress so far (read_member) */
	magic_t magic;          /* NULL when libmagic has no database */
	struct tl_sshd *sshd;   /* sshd patterns, compiled by tl_builder_init */
	uint64_t unpacked;      /* rotated-log bytes decompressed in this
				   build (at most TL_UNPACK_BUILD_MAX) */
	/* --explain: members matching one of these fnmatch(3) patterns (by
	 * member name or original path) are explained, not parsed; nothing
	 * is written, and db may be NULL */
	const char *const *explain;
	size_t nexplain;
	struct tl_explanation *ex;
	size_t nex, excap;
	const char *archive_path; /* the archive being explained */
	struct tl_build_stats stats;
};

enum tl_archive_status {
	TL_ARCHIVE_ADDED,
	TL_ARCHIVE_ADDED_UNVERIFIED,
	TL_ARCHIVE_PRESENT,   /* already in the store: nothing added */
	TL_ARCHIVE_REFUSED,   /* failed verification */
};

struct tl_archive_result {
	enum tl_archive_status status;
	int verified;
	char sha256sums[CF_SHA256_HEX];
	char signer[CF_FINGERPRINT_LEN];
	char problem[512];     /* first verification problem, "" if none */
	uint64_t events, rejects;
};

/* CF_OK, or CF_FATAL when the sshd patterns cannot be compiled (ctx says
 * why; nothing to release then). */
int tl_builder_init(struct tl_builder *b, struct cf_ctx *ctx, cf_db *db);
void tl_builder_release(struct tl_builder *b);
/* Verifies and adds one archive. CF_OK when the archive was handled (see
 * res->status: refused is not an error here), CF_FAILED/CF_FATAL when it
 * could not be read or the store failed (the archive's rows rolled back). */
int tl_build_archive(struct tl_builder *b, const char *path,
		     struct tl_archive_result *res);
/* How the build verifies: items.jsonl kept, and the open file with every
 * member's digest, so that the parse pass reads the very bytes verified. */
#define TL_VERIFY_FLAGS (CF_VERIFY_KEEP_ITEMS | CF_VERIFY_KEEP_FD)
/* The same for an archive already verified (by a verification thread of
 * `build -j`) with TL_VERIFY_FLAGS: takes over vr, which it frees. A parse
 * pass that meets other bytes than those verified refuses the archive
 * (status refused, problem CF_KIND_CHANGED), keeping nothing of it. */
struct cf_verify_result;
int tl_build_verified(struct tl_builder *b, const char *path,
		      struct cf_verify_result *vr, struct tl_archive_result *res);

#define TL_MAX_JOBS 64 /* verification threads of tl_build_archives */

/* Verifies and adds the n archives of paths strictly in that order, as n
 * calls of tl_build_archive would, calling done(arg, path, res) after each
 * archive handled: CF_OK to go on; anything else stops the build and is
 * returned (done sets b->ctx). With jobs > 1 (at most TL_MAX_JOBS), up to
 * `jobs` threads verify the next archives ahead of the one being built,
 * holding at most jobs + 1 results (each an open file, items.jsonl and the
 * members' digests); the store is the same as with jobs 1. CF_OK when
 * every archive was handled (refused ones included); else CF_FAILED or
 * CF_FATAL as tl_build_archive for the archive that stopped the build
 * (ctx names it; its rows rolled back), or done's code. */
int tl_build_archives(struct tl_builder *b, char *const *paths, size_t n,
		      int jobs,
		      int (*done)(void *arg, const char *path,
				  const struct tl_archive_result *res),
		      void *arg);

#endif
