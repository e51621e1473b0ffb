/* SPDX-License-Identifier: Apache-2.0
 *
 * The string set of casefile/strset.h: FNV-1a hashes into a table of
 * pointers that doubles before it is half full, every key re-placed on
 * growth. Keys are compared in full (strcmp), so a hash collision costs a
 * probe, never a wrong answer. Nothing here prints.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/strset.h"

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 1099511628211ULL;
	return h;
}

int cf_strset_add(struct cf_strset *t, const char *s)
{
	size_t i;

	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		char **v = cf_calloc(cap, sizeof *v);
		if (!v)
			return -1;
		for (size_t j = 0; j < t->cap; j++) {
			if (!t->v[j])
				continue;
			for (i = fnv(t->v[j]) & (cap - 1); v[i]; i = (i + 1) & (cap - 1))
				;
			v[i] = t->v[j];
		}
		free(t->v);
		t->v = v;
		t->cap = cap;
	}
	for (i = fnv(s) & (t->cap - 1); t->v[i]; i = (i + 1) & (t->cap - 1))
		if (!strcmp(t->v[i], s))
			return 1;
	if (!(t->v[i] = cf_strdup(s)))
		return -1;
	t->n++;
	return 0;
}

void cf_strset_release(struct cf_strset *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->v[i]);
	free(t->v);
	memset(t, 0, sizeof *t);
}
