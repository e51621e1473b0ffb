/* SPDX-License-Identifier: Apache-2.0
 *
 * Private to the archive reader: the state of an open evidence archive
 * (struct cf_archive) and the calls between the files that share it.
 * src/archive.c owns the handle, the decompression thread and the member
 * iterator; src/archive_headers.c walks the tar headers between two
 * members' data so that nothing hidden there passes unseen. Both read and
 * write the same fields, hence one definition here. Nothing outside these
 * two files may include it: callers get the opaque cf_archive of
 * casefile/archive.h.
 */
#ifndef CASEFILE_ARCHIVE_INT_H
#define CASEFILE_ARCHIVE_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "casefile/archive.h"
#include "archive_container.h"

struct archive_entry;

#define RING_SLOTS 8
#define RING_HALF (RING_SLOTS / 2)
#define RING_BUF (1024 * 1024)

/* Decompressed blocks from the producer thread to the tar reader. Slots go
 * free -> filled (by the producer) -> in use (handed to tar, valid until the
 * next read callback) -> free. */
struct ring {
	pthread_t thread;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv_free, cv_full;
	uint8_t *buf[RING_SLOTS];
	size_t len[RING_SLOTS];
	uint64_t packed[RING_SLOTS]; /* compressed bytes consumed at publish */
	unsigned rd, wr, filled, inuse;
	int pwait, cwait;            /* producer / consumer asleep */
	int done, stop;              /* producer finished; consumer gone */
	const char *kind;            /* producer's failure kind, or NULL */
	char msg[400];
};

struct cf_archive {
	struct archive *raw;   /* file -> filters -> decompressed tar stream */
	struct archive *tar;   /* tar/pax reader over raw's blocks */
	int fd;
	int own_fd;            /* opened here (closed by _close) */
	struct tap tap;        /* the compressed bytes' framing */

	/* Bound to a verification (cf_archive_reopen): every member must be
	 * the one the verifier saw at that position, and whatever a caller
	 * reads of it must hash to what the verifier hashed. */
	const struct cf_seen *seen;
	size_t nseen;
	cf_sha256 *h;

	/* the seam between raw and tar */
	struct ring ring;
	uint64_t packed;       /* compressed bytes behind what tar has been fed */
	const uint8_t *last;   /* last block handed to tar (valid until the next) */
	size_t last_len;
	uint64_t fed;          /* decompressed bytes handed to tar */
	uint64_t holes;        /* zero bytes made up for sparse members */
	int raw_eof;           /* raw reported the end of its stream */
	char why[512];         /* our own message when the seam failed */

	/* the current member */
	char *name;
	char pax_hex[CF_SHA256_HEX];
	uint64_t count;        /* members returned so far */
	uint64_t size;         /* size from the header */
	uint64_t off;          /* data bytes handed out so far */
	uint64_t data_start;   /* tar-stream offset of the data */
	uint64_t pad_from;     /* where its data ends and padding begins */
	int has_data;          /* the member is a regular file with data */
	int data_eof;          /* all of its data has been handed out */
	int digested;          /* digest computed (hash context final) */
	uint8_t digest[CF_SHA256_LEN];
	const uint8_t *pend;   /* block from libarchive not yet handed out */
	size_t pend_len;
	uint64_t pend_off;     /* its offset in the member */

	/* end of archive */
	int ended;             /* CF_EOF returned */
	uint64_t padded_end;   /* tar offset where the last member's data ends,
				  rounded up to 512 (from the header, then
				  from libarchive once the data is read) */
	const char *kind;      /* problem kind of the last failure, or NULL */

	/* the headers between two members' data (see "headers" below) */
	uint64_t hdr_from;     /* tar offset where they begin */
	int hdr_active;        /* capturing while libarchive reads them */
	uint8_t *cap;          /* [hdr_from, hdr_from + ncap) from slots gone */
	size_t ncap;
	int cap_over;          /* more than CF_ARCHIVE_MAX_HEADER: not kept */
	char hidden[300];
};

/* Keeps a copy of the header bytes in the slot tar is about to hand back
 * (called by the seam while libarchive reads headers, a->hdr_active). */
void cf_archive_int_capture(cf_archive *a);

/* Walks [pad_from, data_start): data padding, then the header chain. 1
 * with a->hidden set when something there is hidden, 0 otherwise. */
int cf_archive_int_walk_headers(cf_archive *a, uint64_t pad_from,
				uint64_t data_start);

/* Reads the member's digest attribute into a->pax_hex ("" when absent,
 * "malformed" when it is not 64 hex digits); any other extended attribute
 * sets a->hidden. */
void cf_archive_int_read_pax_digest(cf_archive *a, struct archive_entry *e);

#endif
