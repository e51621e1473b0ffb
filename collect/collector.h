/* SPDX-License-Identifier: Apache-2.0
 *
 * The collector (collector.c): the state of one collection that every
 * source shares - the archive writer and the file reader, the host root
 * (--root), owner names from the host's /etc/passwd and /etc/group, the
 * names already taken, the counts, and the two journals items.jsonl and
 * log.jsonl, spooled to unlinked files while the collection runs.
 *
 * The run loop (collect.c) creates and finishes it; a source's runner only
 * sees it through a struct cf_srcrun and the functions below and in
 * items.h. Nothing here calls the run loop or a runner.
 */
#ifndef CASEFILE_COLLECT_COLLECTOR_H
#define CASEFILE_COLLECT_COLLECTOR_H

#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>

#include "casefile/progress.h"
#include "casefile/sign.h"
#include "reader.h"
#include "writer.h"

struct cf_ctx;
struct cf_source;
struct cf_collector;

/* Everything one source needs while it runs. */
struct cf_srcrun {
	struct cf_collector *c;
	const struct cf_source *src;
	struct cf_ctx *ctx;
};

/* What the collection holds so far (for the summary and the log). */
struct cf_collect_counts {
	uint64_t items;       /* members stored from the host */
	uint64_t bytes;       /* their bytes */
	uint64_t unreadable;  /* items with a read error */
	uint64_t changed;     /* files that changed while read */
	uint64_t skipped;     /* items recorded without their bytes */
};

struct cf_collector_conf {
	const char *out;                  /* OUT; OUT.partial until finished */
	enum cf_compress compress;
	const char *root;                 /* normalised --root, NULL for "/" */
	cf_progress *progress;            /* may be NULL; not owned */
	const volatile sig_atomic_t *stop; /* non-zero: stop (may be NULL) */
};

/* Opens OUT.partial, the reader, the journals and the host's owner names.
 * On failure *out may hold a collector to free (OUT.partial is removed). */
int cf_collector_new(struct cf_ctx *ctx, const struct cf_collector_conf *conf,
		     struct cf_collector **out);
/* Removes OUT.partial unless finished, and frees. NULL is a no-op. */
void cf_collector_free(struct cf_collector *c);
/* Adds items.jsonl, log.jsonl, signer.pub (key's public half), SHA256SUMS
 * and its signature, and renames OUT.partial to OUT; sums_hex gets the
 * digest of SHA256SUMS. */
int cf_collector_finish(struct cf_collector *c, const cf_key *key,
			char sums_hex[CF_SHA256_HEX]);
/* Starts a source: names and paths taken before are forgotten (member
 * names carry the source id, so they cannot meet another source's). */
void cf_collector_next_source(struct cf_collector *c);
/* Adds a member made by casefile (collection.json, journals, signer.pub):
 * now, 0644, the collecting user. fd >= 0 copies len bytes from fd, else
 * data. sha may be NULL (computed from data). */
int cf_collector_add_own(struct cf_collector *c, const char *name, int fd,
			 const void *data, uint64_t len, const uint8_t *sha);

/* Root given with --root, or NULL for the live host. */
const char *cf_collector_root(const struct cf_collector *c);
cf_reader *cf_collector_reader(struct cf_collector *c);
cf_ewriter *cf_collector_writer(struct cf_collector *c);
cf_progress *cf_collector_progress(struct cf_collector *c);
struct cf_collect_counts *cf_collector_counts(struct cf_collector *c);
/* The signal that asked the collection to stop, 0 when none did. */
int cf_collector_stopped(const struct cf_collector *c);
/* 1 when s was taken already in this source, 0 when now taken, -1 on no
 * memory: host paths and member names are each collected once. */
int cf_collector_take_name(struct cf_collector *c, const char *s);
/* Archive metadata of a host file from its stat (owner names from the
 * host's files), or of a member casefile makes when st is NULL. */
void cf_collector_meta(struct cf_collector *c, const struct stat *st,
		       struct cf_member_meta *m);

/* Real path of a host path under --root (heap). */
char *cf_real_path(struct cf_collector *c, const char *host_path);
/* Opens the folder of host path `dir` under the root without following any
 * symlink on the way; -1 with errno. */
int cf_open_dir_nofollow(struct cf_collector *c, const char *dir);

/* Appends j (taken over) to items.jsonl with its collected_at. */
int cf_collect_item(struct cf_collector *c, cJSON *j);
/* The same for an entry whose type is still being found in the reader's
 * typing slot `slot` (taken over; -1: none): the entry is held back until
 * it is known, and when fill is set its "mime" and "description" fields
 * (present, in place) get it. Entries keep their order. */
int cf_collect_item_typed(struct cf_collector *c, cJSON *j, int slot, int fill);
/* Appends to log.jsonl: level "info", "warning" or "error". extra taken over. */
int cf_collect_log(struct cf_collector *c, const char *level, const char *event,
		   const char *source, const char *message, cJSON *extra);

#endif
