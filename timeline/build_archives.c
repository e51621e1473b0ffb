/* SPDX-License-Identifier: Apache-2.0
 *
 * `timeline build` of the archives of one command line (tl_build_archives):
 * each is built into the store in command-line order, by the calling
 * thread, while with -j N up to N threads verify the next archives ahead
 * of it, each taking the next archive in that order. Inserts stay
 * sequential and ordered, so the store is exactly what a sequential run
 * writes; what runs in parallel is the verification pass (decompress and
 * hash every byte), the costliest part of adding many archives. At most
 * N + 1 verification results are held at once: each holds an open file,
 * items.jsonl and the members' digests. This file never parses, never
 * touches the store and never prints: build.c does the first two, the
 * caller's `done` callback the last.
 */
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/archive.h"
#include "casefile/error.h"
#include "build.h"

/* One archive's verification, filled by a worker. */
struct vslot {
	struct cf_verify_result *vr;
	struct cf_ctx ctx;
	int rc, done;
};

struct vpool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *const *paths;
	size_t n, next;
	size_t taken;  /* results the build has taken */
	size_t ahead;  /* verified ahead of the build at most */
	struct vslot *slot;
	cf_key *const *keys;
	size_t nkeys;
	int stop;
};

static void *verify_worker(void *arg)
{
	struct vpool *p = arg;

	for (;;) {
		size_t i;
		struct cf_verify_result *vr = NULL;
		struct cf_ctx ctx;
		int rc;

		pthread_mutex_lock(&p->mu);
		while (!p->stop && p->next < p->n &&
		       p->next >= p->taken + p->ahead)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->stop || p->next >= p->n) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		i = p->next++;
		pthread_mutex_unlock(&p->mu);
		cf_ctx_init(&ctx);
		rc = cf_archive_verify(&ctx, p->paths[i],
			&(struct cf_verify_opts){
				.trusted = p->keys,
				.ntrusted = p->nkeys,
				.flags = TL_VERIFY_FLAGS}, &vr);
		pthread_mutex_lock(&p->mu);
		p->slot[i].vr = vr;
		p->slot[i].ctx = ctx;
		p->slot[i].rc = rc;
		p->slot[i].done = 1;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
}

/* Waits for archive i's verification; returns its code (ctx set). */
static int vpool_wait(struct vpool *p, size_t i, struct cf_ctx *ctx,
		      struct cf_verify_result **vr)
{
	int rc;

	assert(i < p->n && i == p->taken); /* taken in order, once each */
	pthread_mutex_lock(&p->mu);
	while (!p->slot[i].done)
		pthread_cond_wait(&p->cv, &p->mu);
	*vr = p->slot[i].vr;
	p->slot[i].vr = NULL;
	p->taken = i + 1;
	pthread_cond_broadcast(&p->cv);
	rc = p->slot[i].rc;
	if (rc != CF_OK)
		*ctx = p->slot[i].ctx;
	pthread_mutex_unlock(&p->mu);
	return rc;
}

/* Tells the workers to take no new archive, joins them, frees what the
 * build did not take. */
static void vpool_stop(struct vpool *p, pthread_t *th, int nth)
{
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (int t = 0; t < nth; t++)
		pthread_join(th[t], NULL);
	for (size_t i = 0; i < p->n; i++)
		cf_verify_result_free(p->slot[i].vr);
	free(p->slot);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
}

/* Each archive verified by the calling thread just before it is built. */
static int build_in_order(struct tl_builder *b, char *const *paths, size_t n,
			  int (*done)(void *arg, const char *path,
				      const struct tl_archive_result *res),
			  void *arg)
{
	for (size_t i = 0; i < n; i++) {
		struct tl_archive_result res;
		int rc;

		if ((rc = tl_build_archive(b, paths[i], &res)) != CF_OK ||
		    (rc = done(arg, paths[i], &res)) != CF_OK)
			return rc;
	}
	return CF_OK;
}

int tl_build_archives(struct tl_builder *b, char *const *paths, size_t n,
		      int jobs,
		      int (*done)(void *arg, const char *path,
				  const struct tl_archive_result *res),
		      void *arg)
{
	struct vpool pool = {0};
	pthread_t th[TL_MAX_JOBS];
	int nth = 0, rc = CF_OK;

	if (jobs > TL_MAX_JOBS)
		jobs = TL_MAX_JOBS;
	if (jobs <= 1 || n <= 1)
		return build_in_order(b, paths, n, done, arg);
	pool.paths = paths;
	pool.n = n;
	pool.keys = b->keys;
	pool.nkeys = b->nkeys;
	pool.ahead = (size_t)jobs + 1;
	if (!(pool.slot = cf_calloc(n, sizeof *pool.slot)))
		return cf_set_fatal(b->ctx, 0, "out of memory");
	pthread_mutex_init(&pool.mu, NULL);
	pthread_cond_init(&pool.cv, NULL);
	for (; nth < jobs && (size_t)nth < n; nth++)
		if (pthread_create(&th[nth], NULL, verify_worker, &pool))
			break;
	if (!nth) { /* no thread at all: verify in order, as with -j 1 */
		vpool_stop(&pool, th, 0);
		return build_in_order(b, paths, n, done, arg);
	}
	for (size_t i = 0; i < n && rc == CF_OK; i++) {
		struct tl_archive_result res;
		struct cf_verify_result *vr = NULL;

		memset(&res, 0, sizeof res);
		if ((rc = vpool_wait(&pool, i, b->ctx, &vr)) != CF_OK) {
			cf_verify_result_free(vr);
			cf_error_prefix(b->ctx, "%s", paths[i]);
		} else if ((rc = tl_build_verified(b, paths[i], vr, &res)) == CF_OK) {
			rc = done(arg, paths[i], &res);
		}
	}
	vpool_stop(&pool, th, nth);
	return rc;
}
