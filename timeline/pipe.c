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

/* Room in the current batch for a record of that kind and `bytes` of
 * strings, or NULL when the consumer failed (the sink then fails too). */
static struct rec *sink_room(struct tl_sink_state *s, int kind, size_t bytes)
{
	struct rec *r = pipe_room(s->pp, bytes);

	if (!r) {
		s->failed = 1;
		return NULL;
	}
	r->kind = kind;
	return r;
}

int tl_pipe_event(void *arg, const struct cf_event *ev)
{
	struct tl_sink_state *s = arg;
	size_t bytes = len0(ev->ts_desc) + len0(ev->source) + len0(ev->host) +
		       len0(ev->actor) + len0(ev->actor_role) + len0(ev->action) +
		       len0(ev->outcome) + len0(ev->patient) + len0(ev->resource) +
		       len0(ev->src_ip) + len0(ev->model) + len0(ev->model_version) +
		       len0(ev->decision) + len0(ev->message) + len0(ev->attrs) +
		       len0(ev->member);
	struct rec *r = sink_room(s, REC_EVENT, bytes);
	struct tl_batch *b = s->pp->cur;
	struct cf_event *e;

	if (!r)
		return CF_FAILED;
	e = &r->u.ev;
	*e = *ev; /* the archive digest outlives the pass: not copied */
	e->ts_desc = keep(b, ev->ts_desc);
	e->source = keep(b, ev->source);
	e->host = keep(b, ev->host);
	e->actor = keep(b, ev->actor);
	e->actor_role = keep(b, ev->actor_role);
	e->action = keep(b, ev->action);
	e->outcome = keep(b, ev->outcome);
	e->patient = keep(b, ev->patient);
	e->resource = keep(b, ev->resource);
	e->src_ip = keep(b, ev->src_ip);
	e->model = keep(b, ev->model);
	e->model_version = keep(b, ev->model_version);
	e->decision = keep(b, ev->decision);
	e->message = keep(b, ev->message);
	e->attrs = keep(b, ev->attrs);
	e->member = keep(b, ev->member);
	s->st->events++;
	count_for(s->st, ev->source)->events++;
	return CF_OK;
}

int tl_pipe_reject(void *arg, const struct cf_reject *rj)
{
	struct tl_sink_state *s = arg;
	struct rec *r = sink_room(s, REC_REJECT,
				  len0(rj->member) + len0(rj->reason));
	struct tl_batch *b = s->pp->cur;

	if (!r)
		return CF_FAILED;
	r->u.rj = *rj;
	r->u.rj.member = keep(b, rj->member);
	r->u.rj.reason = keep(b, rj->reason);
	s->st->rejects++;
	count_for(s->st, s->parser)->rejects++;
	return CF_OK;
}

int tl_pipe_patient(void *arg, const struct cf_patient *p)
{
	struct tl_sink_state *s = arg;
	struct rec *r = sink_room(s, REC_PATIENT, len0(p->id) + len0(p->state) +
						   len0(p->member));
	struct tl_batch *b = s->pp->cur;

	if (!r)
		return CF_FAILED;
	r->u.pt = *p;
	r->u.pt.id = keep(b, p->id);
	r->u.pt.state = keep(b, p->state);
	r->u.pt.member = keep(b, p->member);
	s->st->patients++;
	return CF_OK;
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
