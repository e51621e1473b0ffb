/* SPDX-License-Identifier: Apache-2.0
 *
 * Inside the core's custody code, shared by src/case.c (the case folder and
 * the append, which checks the whole log under its lock before it chains a
 * new entry) and src/custody_verify.c (the one pass that checks a log, and
 * the binding to case.json and evidence/). Nothing outside these two files
 * includes it: the contract is include/casefile/case.h.
 */
#ifndef CASEFILE_CUSTODY_INT_H
#define CASEFILE_CUSTODY_INT_H

#include <stdint.h>
#include <stdio.h>

#include "casefile/buf.h"
#include "casefile/case.h"

#define SIG_TAIL_LEN (sizeof ",\"sig\":\"" - 1 + 2 * CF_ED25519_SIG_LEN + 2)
#define MAX_CASE_JSON (64 * 1024)

/* An evidence file an add entry recorded. */
struct rec {
	char *name;
	char hex[CF_SHA256_HEX];
	uint64_t seq;
};

/* What one pass over a log checks besides the chain (see scan_log). */
struct scan {
	const char *case_id;  /* id every bound entry must name; NULL: entry 1's */
	const char *case_hex; /* SHA-256 of case.json entry 1 must name, or NULL */
	cf_key *const *trusted;
	char (*fps)[CF_FINGERPRINT_LEN];
	size_t ntrusted;
	/* Append: only the signature of the last entry signed by trusted[0] is
	 * checked (the prev chain pins every entry before it); entries of
	 * other signers pass, as the appender cannot know their keys. */
	int tail_sig;
	struct cf_buf own;    /* tail_sig: that last line */
	uint64_t own_seq;
	char *first_id;       /* case id of the first bound entry (heap) */
	int want_files;       /* collect the add entries' files */
	struct rec *recs;
	size_t nrecs, caprecs;
	char *msg;            /* CF_CUSTODY_MAX_LINE + 2 bytes of scratch */
};

/* One pass over the log f: every line checked as s says, the chain's head
 * and count in r. CF_OK when the check ran (r->first_bad tells). */
int custody_scan_log(struct cf_ctx *ctx, FILE *f, const char *path,
		     struct scan *s, struct cf_custody_report *r);
/* Frees what a scan collected. */
void custody_scan_release(struct scan *s);
/* case.json of dir: its id (heap) and the SHA-256 of its bytes, read once. */
int custody_read_case_json(struct cf_ctx *ctx, const char *dir, char **id,
			   char hex[CF_SHA256_HEX]);
/* 1 when s is 64 lowercase hex digits. */
int custody_is_hex64(const char *s);
/* 1 when s can name a file of evidence/ (no '/', not "." or ".."). */
int custody_is_file_name(const char *s);

#endif
