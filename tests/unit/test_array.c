/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the growing arrays and string vectors of src/array.c: the
 * capacity sequence the loaders relied on when each wrote it out itself
 * (first, then doubling), the array left whole when memory runs out, and the
 * refusal of a size that would wrap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/array.h"
#include "testutil.h"

static int teardown(void **state)
{
	(void)state;
	tu_faults_off();
	return 0;
}

static void test_grow_first_then_doubles(void **state)
{
	int *v = NULL, *nv;
	size_t cap = 0, n;

	(void)state;
	for (n = 0; n < 100; n++) {
		nv = cf_array_grow(v, &cap, n + 1, sizeof *v, 8);
		assert_non_null(nv);
		v = nv;
		v[n] = (int)n;
		if (n < 8)
			assert_int_equal(cap, 8);
		else if (n < 16)
			assert_int_equal(cap, 16);
	}
	assert_int_equal(cap, 128);
	for (n = 0; n < 100; n++)
		assert_int_equal(v[n], (int)n);
	free(v);
}

static void test_grow_with_room_returns_same(void **state)
{
	size_t cap = 4;
	char *v = malloc(4);

	(void)state;
	assert_non_null(v);
	cf_fault_set(CF_FAULT_ALLOC, 1, 1);
	assert_ptr_equal(cf_array_grow(v, &cap, 4, 1, 64), v);
	assert_int_equal(cap, 4);
	assert_int_equal(cf_fault_count(CF_FAULT_ALLOC), 0);
	free(v);
}

static void test_grow_to_need_at_once(void **state)
{
	size_t cap = 0;
	char *v = cf_array_grow(NULL, &cap, 1000, 1, 64);

	(void)state;
	assert_non_null(v);
	assert_int_equal(cap, 1024);
	free(v);
}

static void test_grow_nomem_keeps_array(void **state)
{
	size_t cap = 0;
	int *v = cf_array_grow(NULL, &cap, 1, sizeof *v, 2);

	(void)state;
	assert_non_null(v);
	v[0] = 42;
	cf_fault_set(CF_FAULT_ALLOC, 1, 0);
	errno = 0;
	assert_null(cf_array_grow(v, &cap, 3, sizeof *v, 2));
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(cap, 2);
	assert_int_equal(v[0], 42);
	free(v);
}

static void test_grow_refuses_wrapping_size(void **state)
{
	size_t cap = 0;

	(void)state;
	errno = 0;
	assert_null(cf_array_grow(NULL, &cap, SIZE_MAX / 4, 16, 64));
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(cap, 0);
	assert_null(cf_array_grow(NULL, &cap, SIZE_MAX, 1, 64));
	assert_int_equal(cap, 0);
}

/* cf_array_add: the new element is zeroed whatever the memory held, the
 * ones before are kept, and on no memory the array is left as it was. */
static void test_add_zeroes_the_new_element(void **state)
{
	size_t cap = 0, n;
	long *v = NULL, *nv;

	(void)state;
	for (n = 0; n < 5; n++) {
		assert_non_null(nv = cf_array_add(v, &cap, n, sizeof *v, 2));
		v = nv;
		assert_int_equal(v[n], 0);
		v[n] = (long)n + 100;
	}
	assert_int_equal(cap, 8);
	for (size_t i = 5; i < cap; i++)
		v[i] = -1; /* garbage where the next one goes */
	assert_non_null(nv = cf_array_add(v, &cap, n, sizeof *v, 2));
	assert_ptr_equal(nv, v); /* room already */
	assert_int_equal(v[n], 0);
	assert_int_equal(v[6], -1);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(v[i], (long)i + 100);
	cf_fault_set(CF_FAULT_ALLOC, 1, 0);
	assert_null(cf_array_add(v, &cap, 8, sizeof *v, 2));
	assert_int_equal(cap, 8);
	assert_int_equal(v[4], 104);
	free(v);
}

static void test_strv_free(void **state)
{
	char **v = calloc(3, sizeof *v);

	(void)state;
	assert_non_null(v);
	v[0] = strdup("a");
	v[1] = strdup("bc");
	v[2] = NULL;
	cf_strv_free(v, 3);
	cf_strv_free(NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_grow_first_then_doubles, teardown),
		cmocka_unit_test_teardown(test_grow_with_room_returns_same, teardown),
		cmocka_unit_test_teardown(test_grow_to_need_at_once, teardown),
		cmocka_unit_test_teardown(test_grow_nomem_keeps_array, teardown),
		cmocka_unit_test_teardown(test_grow_refuses_wrapping_size, teardown),
		cmocka_unit_test_teardown(test_add_zeroes_the_new_element, teardown),
		cmocka_unit_test_teardown(test_strv_free, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
