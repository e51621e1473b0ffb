/* SPDX-License-Identifier: Apache-2.0
 *
 * A set of strings for "seen before?" over many keys: the names a
 * collection has already taken, the login attempts a scope has already
 * counted. Open addressing with linear probing, kept at most half full, so
 * that an add costs O(1) on average where a sorted list or a scan would
 * cost O(log n) or O(n) per key over hundreds of thousands of keys. The
 * set holds its own copies; a failed add changes nothing.
 */
#ifndef CASEFILE_STRSET_H
#define CASEFILE_STRSET_H

#include <stddef.h>

/* Initialise with {0}; release with cf_strset_release(). */
struct cf_strset {
	char **v;      /* cap slots (a power of two), NULL when empty */
	size_t cap, n; /* slots, keys held */
};

/* Adds a copy of s: 1 when s was already in the set, 0 when added, -1 on
 * no memory (the keys unchanged). */
int cf_strset_add(struct cf_strset *t, const char *s);
/* Frees every key and the table; the set is empty, ready for reuse. */
void cf_strset_release(struct cf_strset *t);

#endif
