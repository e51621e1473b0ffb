/* SPDX-License-Identifier: Apache-2.0
 *
 * cJSON's allocator hooks, and an arena for documents that live only until
 * the next one is parsed (a JSON line of evidence: parsed, mapped to an
 * event, deleted). Building a tree costs cJSON one malloc per value and
 * per string, and deleting it as many frees: for a million FHIR
 * AuditEvents that was about a quarter of the parsing thread. In an arena
 * the nodes are carved one after the other from one block that is reused
 * from line to line.
 *
 * cJSON's hooks are process-wide, and `timeline build` parses on its own
 * thread while other threads may use cJSON: the arena in use is a
 * thread-local pointer, set only for the duration of cf_json_parse_in, so
 * whatever else a thread allocates through cJSON (printing, building
 * objects, parsing any other file) still comes from malloc. A pointer into
 * one of the calling thread's arenas is never passed to free(): freeing a
 * node of an arena tree costs nothing, and its memory returns when the
 * arena is next reset. A node that does not fit goes to malloc as before,
 * so a large line costs what it did and memory stays bounded by the cap.
 * The rule for callers: delete the tree on the thread that parsed it,
 * before the arena's next parse.
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/json.h"

/* The arenas of this thread (a thread parses one member at a time; a few
 * leave room for nesting), and the one that serves allocations now. */
#define ARENAS_PER_THREAD 4
static _Thread_local struct cf_json_arena *mine[ARENAS_PER_THREAD];
static _Thread_local struct cf_json_arena *serving;

void *cf_json_hook_malloc(size_t n)
{
	struct cf_json_arena *a = serving;

	if (a) {
		size_t al = alignof(max_align_t);
		size_t need = (n + al - 1) & ~(al - 1);
		if (need >= n && need <= a->cap - a->used) {
			void *p = a->mem + a->used;
			a->used += need;
			return p;
		}
	}
	return cf_malloc(n);
}

void cf_json_hook_free(void *p)
{
	const char *c = p;

	if (!p)
		return;
	for (int i = 0; i < ARENAS_PER_THREAD; i++)
		if (mine[i] && c >= mine[i]->mem && c < mine[i]->mem + mine[i]->cap)
			return;
	free(p);
}

int cf_json_arena_init(struct cf_ctx *ctx, struct cf_json_arena *a,
		       size_t cap)
{
	memset(a, 0, sizeof *a);
	for (int i = 0; i < ARENAS_PER_THREAD; i++)
		if (!mine[i]) {
			if (!(a->mem = cf_malloc(cap)))
				return cf_set_nomem(ctx, "JSON arena");
			a->cap = cap;
			mine[i] = a;
			return CF_OK;
		}
	return CF_OK; /* no slot: this arena parses with malloc */
}

void cf_json_arena_release(struct cf_json_arena *a)
{
	if (!a)
		return;
	for (int i = 0; i < ARENAS_PER_THREAD; i++)
		if (mine[i] == a)
			mine[i] = NULL;
	free(a->mem);
	memset(a, 0, sizeof *a);
}

int cf_json_parse_in(struct cf_ctx *ctx, struct cf_json_arena *a,
		     const char *text, size_t len, cJSON **out)
{
	int rc;

	if (!a || !a->mem)
		return cf_json_parse(ctx, text, len, out);
	a->used = 0;
	serving = a;
	rc = cf_json_parse(ctx, text, len, out);
	serving = NULL;
	return rc;
}
