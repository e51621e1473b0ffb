/* SPDX-License-Identifier: Apache-2.0
 *
 * The parse/insert pipeline of `timeline build` (used by timeline/build.c):
 * parsing (archive reading, decompression, parsers) runs in a second thread
 * and hands finished rows over in batches of up to 4096 rows and 4 MiB of
 * strings, four batches in flight; the calling thread inserts them into the
 * store. On two cores the parsers and SQLite then work at the same time.
 * Rows are copied into the batch's pool, so a parser's arena is free again
 * at once. The sinks here also keep the build's counts per parser. This
 * file never touches an archive and never decides what a member is: the
 * producer (build.c) feeds it, the consumer inserts in the order produced,
 * so the store is what one thread would write.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/db.h"
#include "casefile/error.h"
#include "build.h"
#include "build_int.h"

/* ---- statistics --------------------------------------------------------- */

static struct tl_parser_count *count_for(struct tl_build_stats *st,
					 const char *name)
{
	/* parsers name their source with a constant: compare pointers first */
	if (st->last_name == name && st->last)
		return st->last;
	for (size_t i = 0; i < st->nparsers; i++)
		if (!strcmp(st->parsers[i].name, name)) {
			st->last_name = name;
			return st->last = &st->parsers[i];
		}
	if (st->nparsers == TL_MAX_PARSERS)
		return &st->parsers[TL_MAX_PARSERS - 1];
	snprintf(st->parsers[st->nparsers].name,
		 sizeof st->parsers[0].name, "%s", name);
	return &st->parsers[st->nparsers++];
}

/* ---- batches ------------------------------------------------------------ */

#define BATCH_RECS 4096
#define BATCH_POOL (4u << 20) /* > the largest row (fields and attrs capped) */

enum { REC_EVENT, REC_REJECT, REC_PATIENT };

struct rec {
	int kind;
	union {
		struct cf_event ev;
		struct cf_reject rj;
		struct cf_patient pt;
	} u;
};

struct tl_batch {
	struct rec *r;
	size_t n;
	char *pool;
	size_t used;
};

static void batch_free(struct tl_batch *b)
{
	if (!b)
		return;
	free(b->r);
	free(b->pool);
	free(b);
}

int tl_pipe_init(struct tl_pipe *pp)
{
	memset(pp, 0, sizeof *pp);
	for (int i = 0; i < TL_PIPE_NBATCH; i++) {
		struct tl_batch *b = cf_calloc(1, sizeof *b);
		if (!b || !(b->r = cf_malloc(BATCH_RECS * sizeof *b->r)) ||
		    !(b->pool = cf_malloc(BATCH_POOL))) {
			batch_free(b);
			for (int k = 0; k < i; k++)
				batch_free(pp->b[k]);
			return -1;
		}
		pp->b[i] = b;
		pp->freeb[pp->nfree++] = b;
	}
	pthread_mutex_init(&pp->mu, NULL);
	pthread_cond_init(&pp->cv, NULL);
	return 0;
}

void tl_pipe_release(struct tl_pipe *pp)
{
	for (int i = 0; i < TL_PIPE_NBATCH; i++)
		batch_free(pp->b[i]);
	pthread_mutex_destroy(&pp->mu);
	pthread_cond_destroy(&pp->cv);
}

/* ---- producer side ------------------------------------------------------ */

/* Producer: queues the current batch (if any) and, when take_new, waits
 * for a free one. -1 when the consumer gave up. */
static int pipe_flush(struct tl_pipe *pp, int take_new)
{
	int rc;

	pthread_mutex_lock(&pp->mu);
	if (pp->cur && pp->cur->n) {
		pp->full[(pp->head + pp->nfull) % TL_PIPE_NBATCH] = pp->cur;
		pp->nfull++;
		pp->cur = NULL;
		pthread_cond_broadcast(&pp->cv);
	}
	if (take_new && !pp->cur) {
		while (!pp->nfree && !pp->abort)
			pthread_cond_wait(&pp->cv, &pp->mu);
		if (pp->nfree && !pp->abort) {
			pp->cur = pp->freeb[--pp->nfree];
			pp->cur->n = 0;
			pp->cur->used = 0;
		}
	}
	rc = pp->abort ? -1 : 0;
	pthread_mutex_unlock(&pp->mu);
	return rc;
}

/* Producer: the end of the pass (or its failure). */
void tl_pipe_finish(struct tl_pipe *pp)
{
	pipe_flush(pp, 0);
	pthread_mutex_lock(&pp->mu);
	if (pp->cur) { /* an empty batch never queued */
		pp->freeb[pp->nfree++] = pp->cur;
		pp->cur = NULL;
	}
	pp->done = 1;
	pthread_cond_broadcast(&pp->cv);
	pthread_mutex_unlock(&pp->mu);
}

/* Room for one row with `bytes` of strings in the current batch. */
static struct rec *pipe_room(struct tl_pipe *pp, size_t bytes)
{
	if (pp->cur && (pp->cur->n == BATCH_RECS || pp->cur->used + bytes > BATCH_POOL) &&
	    pipe_flush(pp, 0))
		return NULL;
	if (!pp->cur && pipe_flush(pp, 1))
		return NULL;
	if (!pp->cur)
		return NULL;
	return &pp->cur->r[pp->cur->n++];
}

/* ---- the sinks the parsers write to ------------------------------------- */

static size_t len0(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static const char *keep(struct tl_batch *b, const char *s)
{
	size_t n;
	char *p;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	p = b->pool + b->used;
	memcpy(p, s, n);
	b->used += n;
	return p;
}

/* The strings of each record kind, which the batch copies into its pool;
 * a record's other fields are copied as they are (the archive digest
 * outlives the pass: not copied). */
#define STR(type, field) offsetof(type, field)
static const size_t event_strs[] = {
	STR(struct cf_event, ts_desc),   STR(struct cf_event, source),
	STR(struct cf_event, host),      STR(struct cf_event, actor),
	STR(struct cf_event, actor_role), STR(struct cf_event, action),
	STR(struct cf_event, outcome),   STR(struct cf_event, patient),
	STR(struct cf_event, resource),  STR(struct cf_event, src_ip),
	STR(struct cf_event, model),     STR(struct cf_event, model_version),
	STR(struct cf_event, decision),  STR(struct cf_event, message),
	STR(struct cf_event, attrs),     STR(struct cf_event, member),
};
static const size_t reject_strs[] = {
	STR(struct cf_reject, member), STR(struct cf_reject, reason),
};
static const size_t patient_strs[] = {
	STR(struct cf_patient, id), STR(struct cf_patient, state),
	STR(struct cf_patient, member),
};
#undef STR

#define NSTRS(a) (sizeof a / sizeof a[0])
static const struct {
	size_t size;
	const size_t *strs;
	size_t nstrs;
} kinds[] = {
	[REC_EVENT] = {sizeof(struct cf_event), event_strs, NSTRS(event_strs)},
	[REC_REJECT] = {sizeof(struct cf_reject), reject_strs, NSTRS(reject_strs)},
	[REC_PATIENT] = {sizeof(struct cf_patient), patient_strs, NSTRS(patient_strs)},
};
#undef NSTRS

static const char **str_at(void *rec, size_t off)
{
	return (const char **)((char *)rec + off);
}

/* Copies a record of that kind at src into the current batch, and its
 * strings into the batch's pool, and counts it (events and rejects also
 * under the name of their source or parser). CF_OK, or CF_FAILED when the
 * consumer failed (the sink then fails too). */
static int sink_put(struct tl_sink_state *s, int kind, const void *src,
		    const char *counted_as)
{
	size_t bytes = 0;
	struct rec *r;

	for (size_t i = 0; i < kinds[kind].nstrs; i++)
		bytes += len0(*str_at((void *)src, kinds[kind].strs[i]));
	if (!(r = pipe_room(s->pp, bytes))) {
		s->failed = 1;
		return CF_FAILED;
	}
	r->kind = kind;
	memcpy(&r->u, src, kinds[kind].size);
	for (size_t i = 0; i < kinds[kind].nstrs; i++) {
		const char **f = str_at(&r->u, kinds[kind].strs[i]);
		*f = keep(s->pp->cur, *f);
	}
	if (kind == REC_EVENT) {
		s->st->events++;
		count_for(s->st, counted_as)->events++;
	} else if (kind == REC_REJECT) {
		s->st->rejects++;
		count_for(s->st, counted_as)->rejects++;
	} else {
		s->st->patients++;
	}
	return CF_OK;
}

int tl_pipe_event(void *arg, const struct cf_event *ev)
{
	return sink_put(arg, REC_EVENT, ev, ev->source);
}

int tl_pipe_reject(void *arg, const struct cf_reject *rj)
{
	struct tl_sink_state *s = arg;

	return sink_put(s, REC_REJECT, rj, s->parser);
}

int tl_pipe_patient(void *arg, const struct cf_patient *p)
{
	return sink_put(arg, REC_PATIENT, p, NULL);
}

/* ---- consumer side ------------------------------------------------------ */

/* Consumer: inserts batches until the producer is done. On a store error
 * it tells the producer to stop, drains, and returns CF_FAILED (ctx set). */
int tl_pipe_consume(struct tl_pipe *pp, cf_db *db, struct cf_ctx *ctx)
{
	int rc = CF_OK;

	for (;;) {
		struct tl_batch *b;
		pthread_mutex_lock(&pp->mu);
		while (!pp->nfull && !pp->done)
			pthread_cond_wait(&pp->cv, &pp->mu);
		if (!pp->nfull) {
			pthread_mutex_unlock(&pp->mu);
			return rc;
		}
		b = pp->full[pp->head];
		pp->head = (pp->head + 1) % TL_PIPE_NBATCH;
		pp->nfull--;
		pthread_mutex_unlock(&pp->mu);
		for (size_t i = 0; rc == CF_OK && i < b->n; i++) {
			struct rec *r = &b->r[i];
			if (r->kind == REC_EVENT)
				rc = cf_db_insert_event(db, ctx, &r->u.ev);
			else if (r->kind == REC_REJECT)
				rc = cf_db_insert_reject(db, ctx, &r->u.rj);
			else
				rc = cf_db_insert_patient(db, ctx, &r->u.pt);
		}
		pthread_mutex_lock(&pp->mu);
		pp->freeb[pp->nfree++] = b;
		if (rc != CF_OK)
			pp->abort = 1;
		pthread_cond_broadcast(&pp->cv);
		pthread_mutex_unlock(&pp->mu);
	}
}
