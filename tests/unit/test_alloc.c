/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the fault-injecting allocator and I/O wrappers
 * (src/alloc.c): the counters that every other fault-injection test relies
 * on, the CASEFILE_FAULT syntax the CLI tests use, and the routing of
 * OpenSSL's allocations through the same counter.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "casefile/alloc.h"
#include "testutil.h"

static int teardown(void **state)
{
	(void)state;
	tu_faults_off();
	unsetenv("CASEFILE_FAULT");
	return 0;
}

static void test_nth_alloc_fails_once(void **state)
{
	void *a, *b, *c, *d;

	(void)state;
	cf_fault_set(CF_FAULT_ALLOC, 3, 0);
	a = cf_malloc(10);
	b = cf_calloc(2, 8);
	errno = 0;
	c = cf_strdup("x");
	assert_null(c);
	assert_int_equal(errno, ENOMEM);
	d = cf_realloc(NULL, 5);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(d);
	assert_int_equal(cf_fault_count(CF_FAULT_ALLOC), 4);
	free(a);
	free(b);
	free(d);
}

static void test_sticky(void **state)
{
	void *a;

	(void)state;
	cf_fault_set(CF_FAULT_ALLOC, 2, 1);
	a = cf_malloc(1);
	assert_non_null(a);
	assert_null(cf_malloc(1));
	assert_null(cf_calloc(1, 1));
	assert_null(cf_strndup("abc", 2));
	free(a);
	cf_fault_set(CF_FAULT_ALLOC, 0, 0);
	a = cf_malloc(1);
	assert_non_null(a);
	assert_int_equal(cf_fault_count(CF_FAULT_ALLOC), 0); /* disarmed */
	free(a);
}

static void test_zero_sizes_and_strings(void **state)
{
	char *p = cf_malloc(0), *q = cf_calloc(0, 0), *s = cf_strndup("abcdef", 3);

	(void)state;
	assert_non_null(p);
	assert_non_null(q);
	assert_string_equal(s, "abc");
	free(s);
	s = cf_strndup("ab", 10);
	assert_string_equal(s, "ab");
	cf_free_secret(s, 2);
	cf_free_secret(NULL, 10);
	free(p);
	free(q);
}

static void test_write_fault(void **state)
{
	char *dir = tu_tempdir(), *path = tu_path(dir, "w");
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	static char big[300000];
	size_t n;
	char *back;

	(void)state;
	assert_true(fd >= 0);
	memset(big, 'q', sizeof big);
	cf_fault_set(CF_FAULT_WRITE, 2, 0);
	assert_int_equal(cf_write_all(fd, "ab", 2), 0);
	errno = 0;
	assert_int_equal(cf_write_all(fd, "cd", 2), -1);
	assert_int_equal(errno, EIO);
	assert_int_equal(cf_write_all(fd, big, sizeof big), 0);
	close(fd);
	back = tu_read_file(path, &n);
	assert_int_equal(n, 2 + sizeof big);
	assert_memory_equal(back, "abqq", 4);
	free(back);
	/* A bad descriptor is an error, not a loop. */
	cf_fault_set(CF_FAULT_WRITE, 0, 0);
	assert_int_equal(cf_write_all(-1, "x", 1), -1);
	assert_int_equal(errno, EBADF);
	free(path);
	tu_rmtree(dir);
}

static void test_fsync_fault(void **state)
{
	char *dir = tu_tempdir(), *path = tu_path(dir, "f");
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	(void)state;
	assert_true(fd >= 0);
	cf_fault_set(CF_FAULT_FSYNC, 1, 0);
	errno = 0;
	assert_int_equal(cf_fsync(fd), -1);
	assert_int_equal(errno, EIO);
	assert_int_equal(cf_fsync(fd), 0);
	assert_int_equal(cf_fault_count(CF_FAULT_FSYNC), 2);
	close(fd);
	free(path);
	tu_rmtree(dir);
}

static void test_env_parsing(void **state)
{
	void *a;

	(void)state;
	setenv("CASEFILE_FAULT", "alloc:2", 1);
	cf_fault_from_env();
	a = cf_malloc(1);
	assert_non_null(a);
	assert_null(cf_malloc(1));
	free(a);
	assert_non_null(a = cf_malloc(1)); /* not sticky */
	free(a);

	setenv("CASEFILE_FAULT", "write:1,fsync:2", 1);
	cf_fault_set(CF_FAULT_ALLOC, 0, 0);
	cf_fault_from_env();
	assert_int_equal(cf_write_all(-1, "", 0), -1); /* write #1 fails */
	assert_int_equal(errno, EIO);
	assert_int_equal(cf_fsync(-1), -1);            /* fsync #1: real, EBADF */
	assert_int_equal(errno, EBADF);
	assert_int_equal(cf_fsync(-1), -1);            /* fsync #2 injected */
	assert_int_equal(errno, EIO);

	setenv("CASEFILE_FAULT", "alloc:1+", 1);
	cf_fault_from_env();
	assert_null(cf_malloc(1));
	assert_null(cf_malloc(1)); /* '+' makes it sticky */
	cf_fault_set(CF_FAULT_ALLOC, 0, 0);
}

static void test_env_junk_ignored(void **state)
{
	void *a;

	(void)state;
	setenv("CASEFILE_FAULT", "bogus,allocx:1,,alloc,writ:1", 1);
	cf_fault_from_env();
	for (int i = 0; i < 5; i++) {
		a = cf_malloc(1);
		assert_non_null(a);
		free(a);
	}
	assert_int_equal(cf_write_all(-1, "", 0), 0);
	assert_int_equal(cf_fault_count(CF_FAULT_ALLOC), 0);
	/* A later valid item still counts. */
	setenv("CASEFILE_FAULT", "junk,fsync:1", 1);
	cf_fault_from_env();
	assert_int_equal(cf_fsync(-1), -1);
	assert_int_equal(errno, EIO);
	unsetenv("CASEFILE_FAULT");
	cf_fault_set(CF_FAULT_ALLOC, 5, 0);
	cf_fault_from_env(); /* unset variable changes nothing */
	assert_int_equal(cf_fault_count(CF_FAULT_ALLOC), 0);
	a = cf_malloc(1);
	assert_int_equal(cf_fault_count(CF_FAULT_ALLOC), 1);
	free(a);
}

static void test_openssl_routed(void **state)
{
	EVP_MD_CTX *m;

	(void)state;
	cf_fault_set(CF_FAULT_ALLOC, 1, 1);
	m = EVP_MD_CTX_new();
	assert_null(m);
	assert_true(cf_fault_count(CF_FAULT_ALLOC) >= 1);
	cf_fault_set(CF_FAULT_ALLOC, 0, 0);
	m = EVP_MD_CTX_new();
	assert_non_null(m);
	EVP_MD_CTX_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_nth_alloc_fails_once, teardown),
		cmocka_unit_test_teardown(test_sticky, teardown),
		cmocka_unit_test_teardown(test_zero_sizes_and_strings, teardown),
		cmocka_unit_test_teardown(test_write_fault, teardown),
		cmocka_unit_test_teardown(test_fsync_fault, teardown),
		cmocka_unit_test_teardown(test_env_parsing, teardown),
		cmocka_unit_test_teardown(test_env_junk_ignored, teardown),
		cmocka_unit_test_teardown(test_openssl_routed, teardown),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
