/* SPDX-License-Identifier: Apache-2.0
 *
 * Streaming a log into a Merkle frontier at several million lines a second.
 *
 * The log is read once in 8 MiB blocks with pread(2). Each block's complete
 * lines are hashed on both cores: the lines are split at a 256-line block
 * boundary, each thread computes its lines' leaf hashes and the roots of its
 * whole blocks, and the main thread then pushes those block roots (one push
 * per 256 lines) and the few leaves around them into the frontier. A line
 * longer than the buffer is hashed in pieces. An unfinished last line (no
 * newline yet) is never consumed: it belongs to the next seal.
 *
 * Must never: write to the log, or read beyond the size given (a growing
 * log is sealed up to a snapshot of its length).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "seal.h"

#define BUF_CAP (8u << 20)
#define MAX_BATCH (1u << 18) /* lines hashed per parallel round */
#define PAR_MIN 2048         /* below this, one thread is faster */

struct seal_scanner {
	int fd;
	const char *path;
	uint64_t off;      /* file offset of buf[0] */
	uint64_t limit;    /* never read at or beyond this offset */
	char *buf;
	size_t len, pos;   /* bytes in buf, bytes consumed */
	int eof;
	int stuck;         /* an unfinished long line was rewound */
	uint64_t partial;  /* unfinished bytes at the end, once eof */
	const char **lp;   /* line starts of the current batch */
	uint32_t *ll;      /* and lengths */
	uint8_t (*leaf)[CF_MERKLE_HASH];
	uint8_t (*broot)[CF_MERKLE_HASH];
	cf_merkle_hasher *h[2];
	cf_progress *progress;  /* may be NULL */
};

seal_scanner *seal_scanner_new(struct cf_ctx *ctx, int fd, const char *path,
			       uint64_t offset, uint64_t limit)
{
	seal_scanner *s = cf_calloc(1, sizeof *s);

	if (!s)
		goto nomem;
	s->fd = fd;
	s->path = path;
	s->off = offset;
	s->limit = limit;
	s->buf = cf_malloc(BUF_CAP);
	s->lp = cf_malloc(MAX_BATCH * sizeof *s->lp);
	s->ll = cf_malloc(MAX_BATCH * sizeof *s->ll);
	s->leaf = cf_malloc(MAX_BATCH * sizeof *s->leaf);
	s->broot = cf_malloc((MAX_BATCH >> SEAL_BLOCK_LEVEL) * sizeof *s->broot + 32);
	if (!s->buf || !s->lp || !s->ll || !s->leaf || !s->broot)
		goto nomem;
	if (!(s->h[0] = cf_merkle_hasher_new(ctx)) ||
	    !(s->h[1] = cf_merkle_hasher_new(ctx))) {
		seal_scanner_free(s);
		return NULL;
	}
	return s;
nomem:
	seal_scanner_free(s);
	cf_set_nomem(ctx, path);
	return NULL;
}

void seal_scanner_free(seal_scanner *s)
{
	if (!s)
		return;
	cf_merkle_hasher_free(s->h[0]);
	cf_merkle_hasher_free(s->h[1]);
	free(s->buf);
	free(s->lp);
	free(s->ll);
	free(s->leaf);
	free(s->broot);
	free(s);
}

void seal_scanner_progress(seal_scanner *s, cf_progress *progress)
{
	s->progress = progress;
}

uint64_t seal_scanner_offset(const seal_scanner *s)
{
	return s->off + s->pos;
}

uint64_t seal_scanner_partial(const seal_scanner *s)
{
	return s->partial;
}

/* Moves the unconsumed bytes to the front and reads more. 0, or -1. */
static int refill(seal_scanner *s, struct cf_ctx *ctx)
{
	size_t keep = s->len - s->pos;

	memmove(s->buf, s->buf + s->pos, keep);
	s->off += s->pos;
	s->pos = 0;
	s->len = keep;
	while (s->len < BUF_CAP && s->off + s->len < s->limit) {
		uint64_t want = s->limit - (s->off + s->len);
		size_t n = BUF_CAP - s->len;
		ssize_t r;
		if (want < n)
			n = (size_t)want;
		r = pread(s->fd, s->buf + s->len, n, (off_t)(s->off + s->len));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			cf_set_error(ctx, errno, "cannot read '%s'", s->path);
			return -1;
		}
		if (r == 0) {
			s->limit = s->off + s->len; /* the file shrank */
			break;
		}
		s->len += (size_t)r;
	}
	if (s->off + s->len >= s->limit)
		s->eof = 1;
	return 0;
}

/* ---- parallel hashing ------------------------------------------------------ */

struct job {
	seal_scanner *s;
	cf_merkle_hasher *h;
	size_t from, to;          /* batch lines */
	size_t bfrom, bto;        /* whole blocks (batch-relative block numbers) */
	size_t a0;                /* batch index of the first aligned line */
	int rc;
};

static void *run_job(void *arg)
{
	struct job *j = arg;
	seal_scanner *s = j->s;
	const size_t B = (size_t)1 << SEAL_BLOCK_LEVEL;

	j->rc = 0;
	for (size_t i = j->from; i < j->to; i++)
		if (cf_merkle_leaf(j->h, s->lp[i], s->ll[i], s->leaf[i])) {
			j->rc = -1;
			return NULL;
		}
	for (size_t b = j->bfrom; b < j->bto; b++) {
		struct cf_merkle_frontier f;
		size_t first = j->a0 + b * B;
		cf_merkle_frontier_init(&f, -1);
		for (size_t i = 0; i < B; i++)
			if (cf_merkle_frontier_push(&f, j->h, 0, s->leaf[first + i])) {
				j->rc = -1;
				return NULL;
			}
		memcpy(s->broot[b], f.node[SEAL_BLOCK_LEVEL], CF_MERKLE_HASH);
	}
	return NULL;
}

/* Leaf hashes and whole-block roots of batch lines [0, cnt). */
static int hash_batch(seal_scanner *s, size_t cnt, size_t a0, size_t nb)
{
	const size_t B = (size_t)1 << SEAL_BLOCK_LEVEL;
	struct job j[2] = {{s, s->h[0], 0, cnt, 0, nb, a0, 0},
			   {s, s->h[1], cnt, cnt, nb, nb, a0, 0}};
	pthread_t t;

	if (cnt >= PAR_MIN && nb >= 2) {
		size_t mid_b = nb / 2;
		j[0].to = a0 + mid_b * B;
		j[0].bto = mid_b;
		j[1].from = j[0].to;
		j[1].bfrom = mid_b;
		if (pthread_create(&t, NULL, run_job, &j[1]) == 0) {
			run_job(&j[0]);
			pthread_join(t, NULL);
			return j[0].rc || j[1].rc ? -1 : 0;
		}
		/* No thread: do it all here. */
		j[0].to = cnt;
		j[0].bto = nb;
	}
	run_job(&j[0]);
	return j[0].rc;
}

/* ---- the scan loop -------------------------------------------------------- */

static int push_leaf(struct cf_merkle_frontier *f, cf_merkle_hasher *h,
		     const uint8_t leaf[CF_MERKLE_HASH], seal_block_fn fn,
		     void *arg, uint64_t end_off)
{
	if (cf_merkle_frontier_push(f, h, 0, leaf))
		return -1;
	if (f->watched && fn &&
	    fn(arg, (f->size >> SEAL_BLOCK_LEVEL) - 1, f->watch, end_off))
		return -2;
	return 0;
}

/* Pushes the batch's leaves [from, to) one by one; 0, -1 (hash) or -2
 * (callback), as size_t. */
static size_t push_leaves(seal_scanner *s, struct cf_merkle_frontier *f,
			  size_t from, size_t to, seal_block_fn fn, void *arg)
{
	for (size_t i = from; i < to; i++) {
		int r = push_leaf(f, s->h[0], s->leaf[i], fn, arg,
				  s->off + (uint64_t)(s->lp[i] - s->buf) + s->ll[i] + 1);
		if (r)
			return (size_t)(ssize_t)r;
	}
	return 0;
}

/* A line longer than the buffer: hash it in pieces. 1 when done, 0 when
 * the log ends before its newline (nothing consumed), -1 on error. */
static int long_line(seal_scanner *s, struct cf_ctx *ctx,
		     struct cf_merkle_frontier *f, seal_block_fn fn, void *arg)
{
	uint64_t start = s->off;
	uint8_t leaf[CF_MERKLE_HASH];
	char *nl;

	if (cf_merkle_leaf_begin(s->h[0]))
		goto hashfail;
	for (;;) {
		nl = memchr(s->buf + s->pos, '\n', s->len - s->pos);
		if (nl)
			break;
		if (cf_merkle_leaf_update(s->h[0], s->buf + s->pos, s->len - s->pos))
			goto hashfail;
		s->pos = s->len;
		if (s->eof) {
			/* Unfinished: rewind to its start for the next run. */
			s->partial = s->off + s->len - start;
			s->off = start;
			s->len = s->pos = 0;
			s->stuck = 1;
			return 0;
		}
		if (refill(s, ctx))
			return -1;
	}
	if (cf_merkle_leaf_update(s->h[0], s->buf + s->pos,
				  (size_t)(nl - (s->buf + s->pos))) ||
	    cf_merkle_leaf_end(s->h[0], leaf))
		goto hashfail;
	s->pos = (size_t)(nl - s->buf) + 1;
	switch (push_leaf(f, s->h[0], leaf, fn, arg, s->off + s->pos)) {
	case 0:
		return 1;
	case -2:
		return -1;
	default:
		goto hashfail;
	}
hashfail:
	cf_set_error(ctx, 0, "SHA-256 failed while reading '%s'", s->path);
	return -1;
}

int seal_scan(seal_scanner *s, struct cf_ctx *ctx, struct cf_merkle_frontier *f,
	      uint64_t max_lines, seal_block_fn fn, void *arg, uint64_t *done)
{
	const size_t B = (size_t)1 << SEAL_BLOCK_LEVEL;
	size_t i = 0;

	*done = 0;
	while (*done < max_lines) {
		size_t cnt = 0, p = s->pos, a0, nb;
		uint64_t want = max_lines - *done, g0 = f->size;

		if (!memchr(s->buf + s->pos, '\n', s->len - s->pos)) {
			if (s->eof) {
				if (!s->stuck)
					s->partial = s->len - s->pos;
				break;
			}
			if (refill(s, ctx))
				return CF_FAILED;
			if (s->len == BUF_CAP &&
			    !memchr(s->buf, '\n', s->len)) {
				int r = long_line(s, ctx, f, fn, arg);
				if (r < 0)
					return CF_FAILED;
				if (r == 0)
					break;
				(*done)++;
			}
			continue;
		}
		while (cnt < MAX_BATCH && cnt < want) {
			char *nl = memchr(s->buf + p, '\n', s->len - p);
			if (!nl)
				break;
			s->lp[cnt] = s->buf + p;
			s->ll[cnt++] = (uint32_t)(nl - (s->buf + p));
			p = (size_t)(nl - s->buf) + 1;
		}
		a0 = (size_t)((B - (g0 & (B - 1))) & (B - 1));
		if (a0 > cnt)
			a0 = cnt;
		nb = (cnt - a0) / B;
		if (hash_batch(s, cnt, a0, nb))
			goto hashfail;
		/* Offsets: line i ends at lp[i] + ll[i] + 1 in the buffer. */
		if ((i = push_leaves(s, f, 0, a0, fn, arg)) != 0)
			goto pushfail;
		for (size_t b = 0; b < nb; b++) {
			size_t last = a0 + (b + 1) * B - 1;
			if (cf_merkle_frontier_push(f, s->h[0], SEAL_BLOCK_LEVEL,
						    s->broot[b]))
				goto hashfail;
			if (fn && fn(arg, (f->size >> SEAL_BLOCK_LEVEL) - 1, s->broot[b],
				     s->off + (uint64_t)(s->lp[last] - s->buf) +
					     s->ll[last] + 1))
				return CF_FAILED;
		}
		if ((i = push_leaves(s, f, a0 + nb * B, cnt, fn, arg)) != 0)
			goto pushfail;
		s->pos = p;
		*done += cnt;
		cf_progress_set(s->progress, s->off + s->pos, 0);
	}
	return CF_OK;
pushfail:
	if (i == (size_t)-2)
		return CF_FAILED; /* the callback's error is on its own context */
hashfail:
	return cf_set_error(ctx, 0, "SHA-256 failed while reading '%s'", s->path);
}
