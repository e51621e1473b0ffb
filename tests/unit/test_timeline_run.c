/* SPDX-License-Identifier: Apache-2.0
 *
 * Tests of the runner's contract with a parser's state (timeline/run.c):
 * a parser declares state_size and the runner allocates the state zeroed
 * before start, calls the free hook once when there is a state, and frees
 * the state itself, also when start fails or the allocation does. A probe
 * parser records what it was given; a leak shows under memcheck.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "../../timeline/tl.h"
#include "testutil.h"

struct probe_state {
	unsigned char bytes[200];
	int started;
};

static struct {
	int starts, frees, fail_start;
	int zeroed;           /* the state was all zero bytes at start */
	const void *state;    /* r->state seen at start */
} seen;

static int probe_start(struct tl_run *r)
{
	struct probe_state *st = r->state;
	static const unsigned char zero[sizeof(struct probe_state)];

	seen.starts++;
	seen.state = st;
	seen.zeroed = st && !memcmp(st, zero, sizeof *st);
	if (st)
		st->started = 1;
	return seen.fail_start ? cf_set_error(r->ctx, 0, "probe refused") : CF_OK;
}

static void probe_free(struct tl_run *r)
{
	struct probe_state *st = r->state;

	assert_non_null(st);
	assert_int_equal(st->started, 1);
	seen.frees++;
}

static const struct tl_parser probe = {
	.name = "probe",
	.state_size = sizeof(struct probe_state),
	.start = probe_start,
	.free = probe_free,
};

static const struct tl_meta meta = {.archive = "0", .member = "m"};

/* The run of one test, with nothing seen yet. */
struct fixture {
	struct tl_sink sink;
	struct cf_ctx ctx;
	struct tl_run r;
};

static int setup(void **state)
{
	static struct fixture fx;

	memset(&fx, 0, sizeof fx);
	memset(&seen, 0, sizeof seen);
	cf_ctx_init(&fx.ctx);
	*state = &fx;
	return 0;
}

static void test_state_zeroed_then_freed_after_free_hook(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(tl_run_init(&fx->r, &probe, &meta, &fx->sink, &fx->ctx), CF_OK);
	assert_int_equal(seen.starts, 1);
	assert_non_null(seen.state);
	assert_ptr_equal(seen.state, fx->r.state);
	assert_true(seen.zeroed);
	tl_run_release(&fx->r);
	assert_int_equal(seen.frees, 1);
	assert_null(fx->r.state);
}

static void test_start_failure_frees_state_without_free_hook(void **state)
{
	struct fixture *fx = *state;

	seen.fail_start = 1;
	assert_int_equal(tl_run_init(&fx->r, &probe, &meta, &fx->sink, &fx->ctx),
			 CF_FAILED);
	assert_int_equal(seen.starts, 1);
	assert_int_equal(seen.frees, 0);
	assert_null(fx->r.state);
	assert_null(fx->r.arena);
	assert_string_equal(cf_errmsg(&fx->ctx), "probe refused");
}

static void test_state_allocation_failure_names_parser(void **state)
{
	struct fixture *fx = *state;
	int rc;

	/* the first allocation is the string arena, the second the state */
	cf_fault_set(CF_FAULT_ALLOC, 2, 0);
	rc = tl_run_init(&fx->r, &probe, &meta, &fx->sink, &fx->ctx);
	tu_faults_off();
	assert_int_equal(rc, CF_FAILED);
	assert_int_equal(seen.starts, 0);
	assert_null(fx->r.state);
	assert_null(fx->r.arena);
	assert_non_null(strstr(cf_errmsg(&fx->ctx), "probe"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_state_zeroed_then_freed_after_free_hook,
				       setup),
		cmocka_unit_test_setup(test_start_failure_frees_state_without_free_hook,
				       setup),
		cmocka_unit_test_setup(test_state_allocation_failure_names_parser,
				       setup),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
