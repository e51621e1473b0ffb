/* SPDX-License-Identifier: Apache-2.0
 *
 * Growing arrays and string vectors (see include/casefile/array.h).
 *
 * One growth rule for every appending loader: start at a small capacity the
 * caller picks, double after, refuse rather than wrap when capacity times
 * element size would not fit in a size_t. It never prints and never sets a
 * context message.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/array.h"

void *cf_array_grow(void *v, size_t *cap, size_t need, size_t size,
		    size_t first)
{
	size_t n = *cap ? *cap : first ? first : 1;
	void *nv;

	if (need <= *cap)
		return v;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			goto toolarge;
		n *= 2;
	}
	if (size && n > SIZE_MAX / size)
		goto toolarge;
	if (!(nv = cf_realloc(v, n * size)))
		return NULL;
	*cap = n;
	return nv;
toolarge:
	errno = ENOMEM;
	return NULL;
}

void *cf_array_add(void *v, size_t *cap, size_t n, size_t size, size_t first)
{
	char *nv;

	if (n == SIZE_MAX || !(nv = cf_array_grow(v, cap, n + 1, size, first)))
		return NULL;
	memset(nv + n * size, 0, size);
	return nv;
}

void cf_strv_free(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
