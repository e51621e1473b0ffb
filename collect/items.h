/* SPDX-License-Identifier: Apache-2.0
 *
 * Items (items.c): what a source records for each thing it finds - a host
 * file read once into a member, a member casefile made (command output,
 * database snapshot, lineage, host facts), or an item that could not be
 * collected - each with its items.jsonl entry and the counts. The member
 * name of a host path is made here, the same way for every source.
 */
#ifndef CASEFILE_COLLECT_ITEMS_H
#define CASEFILE_COLLECT_ITEMS_H

#include <stdint.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>

#include "casefile/hash.h"
#include "collector.h"

struct cf_ctx;

/* What became of an item: stored as a member or not, its size and digest
 * (sha is "" when the item was not hashed). */
struct cf_item_result {
	int stored;
	uint64_t size;
	char sha[CF_SHA256_HEX];
};

/* Collects one file: `name` in folder dirfd, whose host path is host_path
 * and whose lstat is st. Symlinks and special files are recorded only.
 * category overrides the source's when not NULL. res (may be NULL) gets
 * what became of it. CF_FATAL only when the archive failed. */
int cf_collect_file(struct cf_srcrun *sr, int dirfd, const char *name,
		    const char *host_path, const struct stat *st,
		    const char *category, struct cf_item_result *res);
/* Adds a member made by casefile (command output, snapshot, lineage,
 * system facts) with its items.jsonl entry. path is the host path it
 * describes (may be NULL); kind: "command-output", "sqlite-snapshot",
 * "derived". fd >= 0 copies len bytes from fd, else data/len. extra (may be
 * NULL, taken over) adds members to the item. */
int cf_collect_generated(struct cf_srcrun *sr, const char *member_suffix,
			 const char *path, const char *kind,
			 const char *category, const struct stat *st, int fd,
			 const void *data, uint64_t len, cJSON *extra,
			 struct cf_item_result *res);
/* Records an item that could not be collected (no member). */
int cf_collect_record(struct cf_srcrun *sr, const char *path,
		      const char *category, const char *skip_reason,
		      const char *error, const struct stat *st);
/* Logs a read-error of path (message: why) and records it unreadable. */
int cf_collect_unreadable(struct cf_srcrun *sr, const char *path,
			  const char *category, const char *why,
			  const struct stat *st);
/* Hashes a whole fd from offset 0 (our own temporary files). */
int cf_fd_sha256(struct cf_ctx *ctx, int fd, uint8_t out[CF_SHA256_LEN],
		 uint64_t *len);

#endif
