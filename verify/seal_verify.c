/* SPDX-License-Identifier: Apache-2.0
 *
 * Checking a log against its seal (`casefile verify --log`).
 *
 * One streaming pass recomputes the tree over the log's lines, compares
 * every completed 256-line block with the block roots the checkpoints
 * list, and every checkpoint's root at its size. The first mismatch gives
 * the smallest range the seal can name: the first bad block, narrowed by
 * the last checkpoint that still matched. To tell a modification from an
 * insertion or a removal, the lines around it are hashed again and the
 * next sealed blocks are searched for at shifted positions: a block found
 * d lines later means d lines were inserted, d lines earlier means removed,
 * in place means changed (or reordered) in place.
 *
 * Must never: report lines after the last checkpoint as tampering (they
 * are unsealed), or trust any checkpoint whose signatures fail.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/hash.h"
#include "seal.h"

#define B ((uint64_t)1 << SEAL_BLOCK_LEVEL)
#define RESYNC_BLOCKS 16 /* search shifts up to 16 blocks (4096 lines) */
#define RESYNC_TRIES 3   /* later sealed blocks to look for */

struct vstate {
	uint8_t (*sealed)[CF_MERKLE_HASH]; /* every sealed block root */
	uint64_t nsealed;
	uint64_t *block_end;               /* log offset after each block */
	int bad;                           /* a block differed */
	uint64_t bad_block;                /* the first that did */
};

static int check_block(void *arg, uint64_t index, const uint8_t root[32],
		       uint64_t end_off)
{
	struct vstate *v = arg;

	if (index >= v->nsealed)
		return 0;
	v->block_end[index] = end_off;
	if (!v->bad && memcmp(root, v->sealed[index], 32)) {
		v->bad = 1;
		v->bad_block = index;
	}
	return 0;
}

void seal_report_release(struct seal_report *rep)
{
	free(rep->problems);
	rep->problems = NULL;
	rep->nproblems = 0;
}

/* Leaf hashes of up to cap lines from offset off into win; count in *n. */
static int read_window(struct cf_ctx *ctx, const char *path, uint64_t off,
		       uint8_t (*win)[32], uint64_t cap, uint64_t *n)
{
	cf_merkle_hasher *h = cf_merkle_hasher_new(ctx);
	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	FILE *f = NULL;
	int rc = CF_FAILED;

	*n = 0;
	if (!h)
		return CF_FAILED;
	if (!(f = fopen(path, "re")) || fseeko(f, (off_t)off, SEEK_SET)) {
		cf_set_error(ctx, errno, "cannot read '%s'", path);
		goto out;
	}
	while (*n < cap && (len = getline(&line, &lcap, f)) > 0 &&
	       line[len - 1] == '\n')
		if (cf_merkle_leaf(h, line, (size_t)len - 1, win[(*n)++]))
			goto out;
	rc = CF_OK;
out:
	if (f)
		fclose(f);
	free(line);
	cf_merkle_hasher_free(h);
	return rc;
}

/* Searches sealed block t among the window's lines at shifts 0, +-1, ...;
 * 1 with *shift set when found. */
static int find_shift(cf_merkle_hasher *h, uint8_t (*win)[32], uint64_t nwin,
		      uint64_t ws, const uint8_t want[32], uint64_t t,
		      int64_t *shift)
{
	for (int64_t d = 0; d <= (int64_t)(RESYNC_BLOCKS * B); d++) {
		for (int sgn = 0; sgn < (d ? 2 : 1); sgn++) {
			int64_t delta = sgn ? -d : d;
			int64_t p = (int64_t)(t * B) + delta - (int64_t)ws;
			struct cf_merkle_frontier f;
			if (p < 0 || (uint64_t)p + B > nwin)
				continue;
			cf_merkle_frontier_init(&f, -1);
			for (uint64_t i = 0; i < B; i++)
				if (cf_merkle_frontier_push(&f, h, 0, win[p + (int64_t)i]))
					return 0;
			if (!memcmp(f.node[SEAL_BLOCK_LEVEL], want, 32)) {
				*shift = delta;
				return 1;
			}
		}
	}
	return 0;
}

/* Names the alteration found in sealed lines [lo, hi) (0-based). */
static int classify(struct cf_ctx *ctx, const char *log_path,
		    const struct vstate *v, uint64_t lo, uint64_t hi,
		    uint64_t cpn, struct seal_report *rep)
{
	uint64_t b = v->bad_block, ws, off, nwin = 0, cap;
	uint8_t (*win)[32] = NULL;
	cf_merkle_hasher *h = NULL;
	int64_t shift = 0;
	int found = 0;

	if (v->bad) {
		ws = b > RESYNC_BLOCKS ? (b - RESYNC_BLOCKS) * B : 0;
		off = ws ? v->block_end[ws / B - 1] : 0;
		cap = (2 * RESYNC_BLOCKS + RESYNC_TRIES + 2) * B;
		if (!(win = cf_malloc(cap * sizeof *win)) ||
		    !(h = cf_merkle_hasher_new(ctx))) {
			free(win);
			return cf_set_nomem(ctx, log_path);
		}
		if (read_window(ctx, log_path, off, win, cap, &nwin) != CF_OK) {
			free(win);
			cf_merkle_hasher_free(h);
			return CF_FAILED;
		}
		for (uint64_t t = b + 1; !found && t <= b + RESYNC_TRIES &&
					 t < v->nsealed; t++)
			if (find_shift(h, win, nwin, ws, v->sealed[t], t, &shift)) {
				found = 1;
				if (!shift)
					hi = hi < t * B ? hi : t * B;
			}
		free(win);
		cf_merkle_hasher_free(h);
	}
	if (found && shift == 0)
		seal_add_problem(rep, "modified", lo + 1, hi, cpn,
				 "%s: lines %" PRIu64 "-%" PRIu64 " were changed or "
				 "reordered in place (the seal narrows an alteration "
				 "to a block of %" PRIu64 " lines; the rest of the log "
				 "still matches at the same positions)",
				 log_path, lo + 1, hi, B);
	else if (found && shift > 0)
		seal_add_problem(rep, "inserted", lo + 1, hi, cpn,
				 "%s: %" PRId64 " line(s) inserted among sealed lines "
				 "%" PRIu64 "-%" PRIu64 " (later sealed lines now "
				 "come %" PRId64 " line(s) later)",
				 log_path, shift, lo + 1, hi, shift);
	else if (found)
		seal_add_problem(rep, "removed", lo + 1, hi, cpn,
				 "%s: %" PRId64 " sealed line(s) removed from lines "
				 "%" PRIu64 "-%" PRIu64 " (later sealed lines now "
				 "come %" PRId64 " line(s) earlier)",
				 log_path, -shift, lo + 1, hi, -shift);
	else
		seal_add_problem(rep, "altered", lo + 1, hi, cpn,
				 "%s: the first alteration is in lines %" PRIu64 "-%"
				 PRIu64 " (changed, inserted or removed lines; the "
				 "seal cannot narrow it further)",
				 log_path, lo + 1, hi);
	return CF_OK;
}

int seal_verify(struct cf_ctx *ctx, const char *log_path, const char *seal_path,
		cf_key *const *trusted, size_t ntrusted, cf_progress *progress,
		struct seal_report *rep)
{
	struct seal_cp *cps = NULL;
	struct vstate v = {0};
	struct cf_merkle_frontier f;
	struct stat st;
	seal_scanner *sc = NULL;
	cf_merkle_hasher *h = NULL;
	uint8_t root[32];
	size_t m = 0, i, bad_cp = SIZE_MAX;
	uint64_t done, at = 0;
	int fd = -1, rc = CF_FAILED, truncated = 0;

	memset(rep, 0, sizeof *rep);
	rep->ok = 1;
	if (seal_read(ctx, seal_path, trusted, ntrusted, &cps, &m, rep) != CF_OK)
		return CF_FAILED;
	for (i = 0; i < m; i++)
		v.nsealed += cps[i].nblocks;
	if (v.nsealed && (!(v.sealed = cf_malloc(v.nsealed * sizeof *v.sealed)) ||
			  !(v.block_end = cf_calloc(v.nsealed, sizeof *v.block_end)))) {
		cf_set_nomem(ctx, seal_path);
		goto out;
	}
	for (i = 0, at = 0; i < m; at += cps[i].nblocks, i++)
		if (cps[i].nblocks)
			memcpy(v.sealed[at], cps[i].blocks, cps[i].nblocks * 32);
	fd = open(log_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0) {
		cf_set_error(ctx, errno, "cannot open '%s'", log_path);
		goto out;
	}
	if (!(h = cf_merkle_hasher_new(ctx)) ||
	    !(sc = seal_scanner_new(ctx, fd, log_path, 0, (uint64_t)st.st_size)))
		goto out;
	seal_scanner_progress(sc, progress);
	cf_merkle_frontier_init(&f, SEAL_BLOCK_LEVEL);
	for (i = 0; i < m; i++) {
		uint64_t want = cps[i].size - f.size;
		if (seal_scan(sc, ctx, &f, want, check_block, &v, &done) != CF_OK)
			goto out;
		if (done < want) {
			truncated = 1;
			break;
		}
		if (cf_merkle_frontier_root(&f, h, root)) {
			cf_set_error(ctx, 0, "SHA-256 failed");
			goto out;
		}
		if (bad_cp == SIZE_MAX && memcmp(root, cps[i].root, 32))
			bad_cp = i;
	}
	if (m) {
		const struct seal_cp *l = &cps[m - 1];
		rep->checkpoints = m;
		rep->sealed_lines = l->size;
		rep->first_us = cps[0].time_us;
		rep->last_us = l->time_us;
		memcpy(rep->signer, l->signer, sizeof rep->signer);
		cf_hex(l->root, 32, rep->root_hex);
	}
	if (bad_cp != SIZE_MAX || v.bad) {
		uint64_t lo, hi, prev_size;
		size_t c = bad_cp != SIZE_MAX ? bad_cp : i;
		/* A block can only be bad inside a checkpoint that is. */
		if (c >= m)
			c = m - 1;
		prev_size = c ? cps[c - 1].size : 0;
		if (v.bad) {
			lo = v.bad_block * B;
			hi = lo + B;
		} else {
			lo = cps[c].size / B * B;
			hi = cps[c].size;
		}
		if (lo < prev_size)
			lo = prev_size;
		if (hi > cps[c].size)
			hi = cps[c].size;
		if (classify(ctx, log_path, &v, lo, hi, cps[c].n, rep) != CF_OK)
			goto out;
	} else if (truncated) {
		seal_add_problem(rep, "truncated", f.size + 1, cps[i].size, cps[i].n,
				 "%s ends after line %" PRIu64 " but checkpoint %"
				 PRIu64 " sealed %" PRIu64 " lines: the log was "
				 "truncated below a checkpoint",
				 log_path, f.size, cps[i].n, cps[i].size);
	}
	if (!truncated) {
		if (seal_scan(sc, ctx, &f, UINT64_MAX, NULL, NULL, &done) != CF_OK)
			goto out;
		rep->unsealed_lines = done;
	}
	rep->partial_bytes = seal_scanner_partial(sc);
	rc = CF_OK;
out:
	seal_scanner_free(sc);
	cf_merkle_hasher_free(h);
	if (fd >= 0)
		close(fd);
	seal_cps_free(cps, m);
	free(v.sealed);
	free(v.block_end);
	return rc;
}
