/* SPDX-License-Identifier: Apache-2.0
 *
 * Heap arrays that grow by doubling, and vectors of heap strings.
 *
 * Many loaders append records one at a time to a plain C array (pointer,
 * count, capacity). The growth step was written out beside each of them;
 * here it is once, with the size multiplication checked so that a hostile
 * count can never wrap it. Allocation goes through cf_realloc(), so the
 * fault-injection sweeps reach it as before. Nothing here sets an error
 * message: the caller knows what it was loading and says so.
 */
#ifndef CASEFILE_ARRAY_H
#define CASEFILE_ARRAY_H

#include <stddef.h>

/* Makes room for at least `need` (> 0) elements of `size` bytes in the array
 * v of *cap elements: the capacity becomes `first` when it was 0, else it
 * doubles until it holds `need`. Returns v itself when it already has room,
 * else the moved array with *cap updated; NULL (errno ENOMEM) on no memory
 * or when the size would overflow, leaving v and *cap as they were. */
void *cf_array_grow(void *v, size_t *cap, size_t need, size_t size,
		    size_t first);

/* Makes room for element n (the count so far) as cf_array_grow does and
 * zeroes it: returns the array, moved or not, or NULL on no memory with v
 * as it was. The caller stores the array back, fills v[n] and counts it. */
void *cf_array_add(void *v, size_t *cap, size_t n, size_t size, size_t first);

/* Frees the n heap strings of v, then v. NULL does nothing, whatever n. */
void cf_strv_free(char **v, size_t n);

#endif
