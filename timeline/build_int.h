/* SPDX-License-Identifier: Apache-2.0
 *
 * The timeline builder's private header: what timeline/build.c shares with
 * the two files it leans on, pipe.c (the parse/insert pipeline and the
 * sinks the parsers write to) and explain.c (members not parsed, and
 * --explain). cmd_timeline.c never includes it: its view is build.h.
 */
#ifndef CASEFILE_TIMELINE_BUILD_INT_H
#define CASEFILE_TIMELINE_BUILD_INT_H

#include <pthread.h>
#include <stddef.h>

#include "casefile/db.h"
#include "build.h"

struct cf_ctx;

/* ---- pipe.c: the parse/insert pipeline ---------------------------------- */

#define TL_PIPE_NBATCH 4 /* batches in flight between the two threads */

struct tl_batch;

/* One archive's pass: the producer (parsing thread) fills batches through
 * the sinks, the consumer (calling thread) inserts them, in order. */
struct tl_pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct tl_batch *b[TL_PIPE_NBATCH];
	struct tl_batch *full[TL_PIPE_NBATCH];   /* FIFO of batches to insert */
	size_t head, nfull;
	struct tl_batch *freeb[TL_PIPE_NBATCH];
	size_t nfree;
	struct tl_batch *cur;            /* being filled by the producer */
	int done, abort;
};

/* The arg of the sinks tl_pipe_event/_reject/_patient. */
struct tl_sink_state {
	struct tl_pipe *pp;
	struct cf_ctx *ctx;   /* the producer's */
	struct tl_build_stats *st;
	const char *parser;   /* rejects are counted under it */
	int failed;           /* a row could not be queued */
};

/* 0, or -1 when memory runs out (nothing to release then). */
int tl_pipe_init(struct tl_pipe *pp);
void tl_pipe_release(struct tl_pipe *pp);
/* Producer: the end of the pass (or its failure); queues what is left. */
void tl_pipe_finish(struct tl_pipe *pp);
/* Consumer: inserts batches until the producer is done. On a store error
 * it tells the producer to stop, drains, and returns CF_FAILED (ctx set). */
int tl_pipe_consume(struct tl_pipe *pp, cf_db *db, struct cf_ctx *ctx);
/* Sinks (arg: struct tl_sink_state): copy the row into the current batch
 * and count it. CF_FAILED (s->failed set) when the consumer gave up. */
int tl_pipe_event(void *arg, const struct cf_event *ev);
int tl_pipe_reject(void *arg, const struct cf_reject *rj);
int tl_pipe_patient(void *arg, const struct cf_patient *p);

/* ---- explain.c: members not parsed, and --explain ----------------------- */

/* Counts a member no parser reads under `type` (else the type of mime,
 * else category, else "unknown"), with why. CF_OK or CF_FATAL (ctx). */
int tl_not_parsed(struct tl_builder *b, struct cf_ctx *ctx, const char *member,
		  const char *type, const char *mime, const char *category,
		  const char *reason);
/* 1 when --explain names the member (by member name or original path). */
int tl_explained(const struct tl_builder *b, const char *member,
		 const char *path);
/* "gzip", "bzip2", "xz", "zstd" or "compressed" for a compressed head. */
const char *tl_compression_name(const unsigned char *h, size_t n);
/* A new explanation on b for a member, or NULL (ctx set) without memory. */
struct tl_explanation *tl_explanation_new(struct tl_builder *b,
					  struct cf_ctx *ctx, const char *member,
					  const char *path, const char *category);
/* x->reason = why. CF_OK or CF_FATAL (ctx). */
int tl_explain_reason(struct tl_explanation *x, struct cf_ctx *ctx,
		      const char *why);
/* Frees the members not parsed and the explanations of b. */
void tl_explain_release(struct tl_builder *b);

#endif
