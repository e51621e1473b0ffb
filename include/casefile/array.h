/* SPDX-License-Identifier: Apache-2.0
 *
 * Growing an array one element at a time, as git's ALLOC_GROW does: the
 * capacity doubles when the array is full, so that n appends cost O(n)
 * copying in all, and a failure leaves the array and its capacity as they
 * were, for the caller to free. One call in place of the compare, double,
 * realloc, check and store that every collector of rows (the store's
 * readers, the scope) would otherwise write out. Allocates through
 * cf_realloc(), so fault injection reaches it.
 */
#ifndef CASEFILE_ARRAY_H
#define CASEFILE_ARRAY_H

#include <stddef.h>

/* Makes room for element n of the array whose pointer is at arrayp (the
 * address of a `struct x *`, passed as void *), of elements of size bytes
 * and capacity *cap: when n >= *cap, reallocates it to twice *cap, or to
 * first elements when *cap is 0. Returns 0, or -1 with errno ENOMEM when
 * memory or the size_t range ran out; then *arrayp and *cap are unchanged.
 * size and first > 0. */
int cf_array_grow(void *arrayp, size_t n, size_t *cap, size_t size,
		  size_t first);

#endif
