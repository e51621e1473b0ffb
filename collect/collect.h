/* SPDX-License-Identifier: Apache-2.0
 *
 * The collect part's one entry point (SPEC sections 2 and 3): a whole
 * collection, from profile to signed archive, in cf_collect_run().
 *
 * cmd_collect.c turns argv into a struct cf_collect_opts, loads the
 * signing key, watches the signals and calls cf_collect_run() once.
 * Everything below reads sources and writes only the archive (and unlinked
 * or removed temporary files beside it); nothing here may ever write to,
 * follow a symlink of, or open for writing a source. The modules behind it
 * are listed in collect/README.md.
 */
#ifndef CASEFILE_COLLECT_H
#define CASEFILE_COLLECT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "casefile/hash.h"
#include "casefile/progress.h"
#include "casefile/sign.h"
#include "writer.h"

struct cf_ctx;

/* How a signal stops a run. The caller's handler sets `signal`; the run
 * reads it between items and then fails, removing OUT.partial. The run
 * sets `armed` right before it creates OUT.partial: until then there is
 * nothing to remove, and the handler may let the signal take its default
 * action (a long check of the previous archive stays interruptible). */
struct cf_collect_stop {
	volatile sig_atomic_t armed;
	volatile sig_atomic_t signal;
};

struct cf_collect_opts {
	const char *out;          /* OUT.tar.zst */
	cf_key *key;              /* the signing key (loaded by the caller) */
	const char *profile;      /* id or path, or NULL */
	const char *previous;     /* previous archive or NULL */
	char **trust;             /* --trust: public keys that may have
				     signed the previous archive (besides
				     the collecting key) */
	size_t ntrust;
	const char *case_id, *examiner;
	const char *root;         /* host tree root, NULL for "/" */
	enum cf_compress compress;
	char **paths;             /* PATH arguments */
	size_t npaths;
	cf_progress *progress;    /* the progress line (the caller's), or NULL */
	struct cf_collect_stop *stop; /* NULL: signals are not watched */
};

struct cf_collect_summary {
	uint64_t items, bytes, unreadable, changed, skipped;
	int64_t duration_us;
	char sums_hex[CF_SHA256_HEX];
	char collection_id[40];
	uint64_t sequence;
	char out[4096];
};

/* Runs a whole collection. CF_OK when the archive was written (items may be
 * unreadable: see the summary); otherwise the archive does not exist. */
int cf_collect_run(struct cf_ctx *ctx, const struct cf_collect_opts *o,
		   struct cf_collect_summary *s);

#endif
