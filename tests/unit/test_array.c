/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for cf_array_grow() (src/array.c): the first capacity, the
 * doubling, no reallocation while there is room, and a failure (injected,
 * or a size past size_t) that leaves the array and its capacity as they
 * were, so that the caller's cleanup frees what it had.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>

#include "casefile/alloc.h"
#include "casefile/array.h"
#include "testutil.h"

struct pair {
	int64_t a, b;
};

static int teardown(void **state)
{
	(void)state;
	tu_faults_off();
	return 0;
}

static void test_first_then_doubles(void **state)
{
	struct pair *v = NULL;
	size_t n = 0, cap = 0;

	(void)state;
	for (; n < 21; n++) {
		assert_int_equal(cf_array_grow(&v, n, &cap, sizeof *v, 4), 0);
		assert_true(n < cap);
		v[n].a = (int64_t)n;
		v[n].b = -(int64_t)n;
		if (n < 4)
			assert_int_equal(cap, 4);
		else if (n < 8)
			assert_int_equal(cap, 8);
		else if (n < 16)
			assert_int_equal(cap, 16);
		else
			assert_int_equal(cap, 32);
	}
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(v[i].a, (int64_t)i);
		assert_int_equal(v[i].b, -(int64_t)i);
	}
	free(v);
}

static void test_room_left_allocates_nothing(void **state)
{
	char *v = NULL, *before;
	size_t cap = 0;

	(void)state;
	assert_int_equal(cf_array_grow(&v, 0, &cap, 1, 8), 0);
	before = v;
	cf_fault_set(CF_FAULT_ALLOC, 1, 1); /* any allocation would fail */
	for (size_t n = 1; n < 8; n++)
		assert_int_equal(cf_array_grow(&v, n, &cap, 1, 8), 0);
	assert_ptr_equal(v, before);
	assert_int_equal(cap, 8);
	assert_int_equal(cf_fault_count(CF_FAULT_ALLOC), 0);
	free(v);
}

static void test_failure_changes_nothing(void **state)
{
	int *v = NULL;
	size_t cap = 0;

	(void)state;
	assert_int_equal(cf_array_grow(&v, 0, &cap, sizeof *v, 2), 0);
	v[0] = 7;
	v[1] = 8;
	cf_fault_set(CF_FAULT_ALLOC, 1, 0);
	errno = 0;
	assert_int_equal(cf_array_grow(&v, 2, &cap, sizeof *v, 2), -1);
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(cap, 2);
	assert_non_null(v);
	assert_int_equal(v[0], 7);
	assert_int_equal(v[1], 8);
	/* the next call, with memory, grows it keeping the elements */
	assert_int_equal(cf_array_grow(&v, 2, &cap, sizeof *v, 2), 0);
	assert_int_equal(cap, 4);
	assert_int_equal(v[1], 8);
	free(v);
}

static void test_size_overflow_refused(void **state)
{
	char *v = NULL;
	size_t cap = SIZE_MAX / 2 + 1; /* doubling wraps to 0 */

	(void)state;
	errno = 0;
	assert_int_equal(cf_array_grow(&v, cap, &cap, 1, 8), -1);
	assert_int_equal(errno, ENOMEM);
	assert_null(v);
	cap = 4; /* 8 elements of SIZE_MAX / 4 bytes do not fit */
	errno = 0;
	assert_int_equal(cf_array_grow(&v, 4, &cap, SIZE_MAX / 4, 1), -1);
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(cap, 4);
	assert_null(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_first_then_doubles, teardown),
		cmocka_unit_test_teardown(test_room_left_allocates_nothing, teardown),
		cmocka_unit_test_teardown(test_failure_changes_nothing, teardown),
		cmocka_unit_test_teardown(test_size_overflow_refused, teardown),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
