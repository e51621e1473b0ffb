/* SPDX-License-Identifier: Apache-2.0
 *
 * Reading one source file exactly once (reader.c): open without following
 * a symlink or touching atime, read while hashing and typing, fstat again,
 * and keep the bytes (memory or spool) for the archive writer. Its own
 * header so that the collector toolkit holds a reader without knowing how
 * it reads; it never writes a source.
 */
#ifndef CASEFILE_COLLECT_READER_H
#define CASEFILE_COLLECT_READER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "casefile/hash.h"
#include "casefile/progress.h"

struct cf_ctx;
struct cf_extent;

/* What collecting one file found out; filled by cf_reader_read(). */
struct cf_item {
	struct stat st;            /* fstat before reading */
	int have_stat;
	int changed;               /* size/mtime/ctime changed while reading */
	uint64_t size;             /* bytes read */
	uint8_t sha[CF_SHA256_LEN];
	int hashed;                /* sha is valid */
	char mime[128], desc[256]; /* libmagic, "" when unknown */
	int err;                   /* errno of the first read error, 0 if none */
	uint64_t err_offset;
	char errtext[256];         /* "open: Permission denied", ... */
	/* Content: in mem (len = size) or in spool_fd, unless hash_only. */
	const uint8_t *mem;
	int spool_fd;              /* -1 when none; owned by the reader */
	int hash_only;
	/* A sparse source's runs of zeros (whole 4 KiB blocks), which the
	 * spool does not hold: stored as holes. Owned by the reader. */
	const struct cf_extent *holes;
	size_t nholes;
	/* >= 0: mime and desc are being found on the typing thread, in this
	 * slot (cf_reader_type_wait); they are "" here until then */
	int type_slot;
};

/* Typing slots: items whose type may be pending at once. */
#define CF_TYPE_SLOTS 8

typedef struct cf_reader cf_reader;

/* The reader owns the block buffer, the in-memory buffer for small files
 * (mem_max bytes) and the libmagic handles. */
int cf_reader_new(struct cf_ctx *ctx, const char *spool_dir, size_t mem_max,
		  cf_reader **r);
void cf_reader_free(cf_reader *r);
/* Opens path read-only without following symlinks or touching atime, reads
 * it once while hashing and typing it, and keeps its bytes (memory or spool)
 * unless its size passes max_size (0 = no limit). Read errors are recorded
 * in it (the bytes before the error are kept); only CF_FATAL (no memory,
 * spool cannot be written) is returned as failure. */
int cf_reader_read(cf_reader *r, struct cf_ctx *ctx, int dirfd,
		   const char *path, int64_t max_size, struct cf_item *it,
		   cf_progress *progress);
/* Releases the content of the last read (closes its spool) and its typing
 * slot, if it still holds one. */
void cf_reader_done(cf_reader *r, struct cf_item *it);
/* Types a memory block with libmagic, now, on the calling thread. */
void cf_reader_magic(cf_reader *r, const void *p, size_t n, struct cf_item *it);
/* Queues the first n bytes (64 KiB at most, copied) of p for the typing
 * thread: the slot, or -1 when there is no thread or no free slot (type it
 * with cf_reader_magic then). */
int cf_reader_type_start(cf_reader *r, const void *p, size_t n);
/* Waits for slot's type, copies it (mime, desc: NULL to drop it) and
 * frees the slot. */
void cf_reader_type_wait(cf_reader *r, int slot, char mime[128], char desc[256]);

#endif
