/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the string set (src/strset.c): a key is new once and seen
 * after, across the growths of the table; similar keys (one a prefix of
 * another, the empty string) stay apart; a failed add (each allocation it
 * makes, injected) leaves the keys as they were; release empties the set
 * for reuse.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "casefile/alloc.h"
#include "casefile/strset.h"
#include "testutil.h"

static int teardown(void **state)
{
	(void)state;
	tu_faults_off();
	return 0;
}

static void test_new_once_then_seen(void **state)
{
	struct cf_strset t = {0};
	char k[32];

	(void)state;
	/* 5000 keys: the table grows from 256 slots five times */
	for (int i = 0; i < 5000; i++) {
		snprintf(k, sizeof k, "archive\nmember\n%d", i);
		assert_int_equal(cf_strset_add(&t, k), 0);
	}
	assert_int_equal(t.n, 5000);
	assert_true(t.cap >= 10000);
	for (int i = 4999; i >= 0; i--) {
		snprintf(k, sizeof k, "archive\nmember\n%d", i);
		assert_int_equal(cf_strset_add(&t, k), 1);
	}
	assert_int_equal(t.n, 5000);
	cf_strset_release(&t);
	assert_null(t.v);
	assert_int_equal(t.n, 0);
	assert_int_equal(t.cap, 0);
}

static void test_similar_keys_apart(void **state)
{
	struct cf_strset t = {0};
	const char *keys[] = {"", "a", "ab", "abc", "b", "ba", "A"};

	(void)state;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		assert_int_equal(cf_strset_add(&t, keys[i]), 0);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		assert_int_equal(cf_strset_add(&t, keys[i]), 1);
	cf_strset_release(&t);
	/* reusable after release */
	assert_int_equal(cf_strset_add(&t, "a"), 0);
	assert_int_equal(cf_strset_add(&t, "a"), 1);
	cf_strset_release(&t);
}

/* Fails the nth allocation of an add that grows the table (the new table,
 * then the copy of the key): the add says -1 and the keys stay as they
 * were; the same add with memory then succeeds. */
static void test_failed_add_keeps_keys(void **state)
{
	char k[16];

	(void)state;
	for (unsigned long nth = 1; nth <= 2; nth++) {
		struct cf_strset t = {0};

		for (int i = 0; i < 128; i++) { /* half of 256: the next grows */
			snprintf(k, sizeof k, "k%d", i);
			assert_int_equal(cf_strset_add(&t, k), 0);
		}
		cf_fault_set(CF_FAULT_ALLOC, nth, 0);
		assert_int_equal(cf_strset_add(&t, "new"), -1);
		tu_faults_off();
		assert_int_equal(t.n, 128);
		for (int i = 0; i < 128; i++) {
			snprintf(k, sizeof k, "k%d", i);
			assert_int_equal(cf_strset_add(&t, k), 1);
		}
		assert_int_equal(cf_strset_add(&t, "new"), 0);
		assert_int_equal(cf_strset_add(&t, "new"), 1);
		cf_strset_release(&t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_new_once_then_seen, teardown),
		cmocka_unit_test_teardown(test_similar_keys_apart, teardown),
		cmocka_unit_test_teardown(test_failed_add_keeps_keys, teardown),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
