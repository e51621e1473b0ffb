/* SPDX-License-Identifier: Apache-2.0
 *
 * cf_array_grow() (casefile/array.h): the doubling growth of an array,
 * written once for the many readers that collect rows into one. The array's
 * pointer is read and written through memcpy, so one function serves arrays
 * of every element type without a cast of `struct x **` to `void **`.
 * Nothing here prints; a failure changes nothing.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/array.h"

int cf_array_grow(void *arrayp, size_t n, size_t *cap, size_t size,
		  size_t first)
{
	size_t c = *cap ? *cap * 2 : first;
	void *v;

	if (n < *cap)
		return 0;
	if (c < *cap || c > SIZE_MAX / size) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(&v, arrayp, sizeof v);
	if (!(v = cf_realloc(v, c * size)))
		return -1;
	memcpy(arrayp, &v, sizeof v);
	*cap = c;
	return 0;
}
