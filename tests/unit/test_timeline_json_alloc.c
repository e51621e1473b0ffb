/* SPDX-License-Identifier: Apache-2.0
 *
 * The JSON-lines parser of `timeline build` (timeline/json.c) parses each
 * line's tree in an arena it reuses (src/json_arena.c): the number of
 * allocations of a member must not grow with its number of lines, and the
 * events must be those of a parse without the arena. The lines are the HL7
 * FHIR R4 AuditEvent examples of tests/fixtures/timeline/fhir (see its
 * SOURCE.md), repeated.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "testutil.h"
#include "../../timeline/tl.h"

#define FX FIXTURE_DIR "/timeline/fhir/audit-event-vread-variants.ndjson"

struct seen {
	size_t events, rejects;
	struct cf_buf all; /* every event's fields, in order */
};

static void put(struct cf_buf *b, const char *s)
{
	cf_buf_puts(b, s ? s : "(null)");
	cf_buf_putc(b, '|');
}

static int on_event(void *arg, const struct cf_event *e)
{
	struct seen *s = arg;

	s->events++;
	cf_buf_printf(&s->all, "%lld|%llu|", (long long)e->ts_us,
		      (unsigned long long)e->line);
	put(&s->all, e->actor);
	put(&s->all, e->action);
	put(&s->all, e->outcome);
	put(&s->all, e->patient);
	put(&s->all, e->resource);
	put(&s->all, e->src_ip);
	put(&s->all, e->message);
	put(&s->all, e->attrs);
	cf_buf_putc(&s->all, '\n');
	return CF_OK;
}

static int on_reject(void *arg, const struct cf_reject *r)
{
	(void)r;
	((struct seen *)arg)->rejects++;
	return CF_OK;
}

static int on_patient(void *arg, const struct cf_patient *p)
{
	(void)arg;
	(void)p;
	return CF_OK;
}

/* The fixture's lines `copies` times over, parsed: allocations counted. */
static unsigned long run(const char *text, size_t len, int copies,
			 struct seen *s)
{
	struct tl_meta m = {.archive = "00", .member = "evidence/audit.ndjson",
			    .tz_known = 1};
	struct tl_sink sink = {on_event, on_reject, on_patient, s};
	struct tl_run r;
	struct cf_ctx ctx;
	struct cf_buf b;
	unsigned long count;

	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	for (int i = 0; i < copies; i++)
		cf_buf_append(&b, text, len);
	assert_int_equal(tl_run_init(&r, &tl_json, &m, &sink, &ctx), CF_OK);
	cf_fault_set(CF_FAULT_ALLOC, ULONG_MAX, 0); /* count, never fail */
	assert_int_equal(tl_run_buffer(&r, b.data, b.len), CF_OK);
	count = cf_fault_count(CF_FAULT_ALLOC);
	cf_fault_set(CF_FAULT_ALLOC, 0, 0);
	tl_run_release(&r);
	cf_buf_release(&b);
	return count;
}

static size_t count_values(const cJSON *j)
{
	size_t n = 1;
	const cJSON *c;

	for (c = j->child; c; c = c->next)
		n += count_values(c);
	return n;
}

/* The JSON values (objects, arrays, strings, numbers ...) of the lines. */
static size_t values_in(const char *text, size_t len)
{
	size_t n = 0;

	for (const char *p = text, *e; p < text + len; p = e + 1) {
		struct cf_ctx ctx;
		cJSON *j = NULL;
		if (!(e = memchr(p, '\n', (size_t)(text + len - p))))
			e = text + len;
		cf_ctx_init(&ctx);
		if (e > p && cf_json_parse(&ctx, p, (size_t)(e - p), &j) == CF_OK)
			n += count_values(j);
		cJSON_Delete(j);
	}
	return n;
}

static void test_allocations_flat(void **state)
{
	size_t len;
	char *text = tu_read_file(FX, &len);
	struct seen one = {0}, many = {0};
	unsigned long a1, a50;

	(void)state;
	assert_non_null(text);
	cf_buf_init(&one.all);
	cf_buf_init(&many.all);
	a1 = run(text, len, 1, &one);
	a50 = run(text, len, 50, &many);
	assert_true(one.events >= 3);
	assert_int_equal(one.rejects, 0);
	assert_int_equal(many.events, 50 * one.events);
	/* 49 more copies of the lines: a tree from malloc costs at least one
	 * allocation per value; the mapping itself may take a few per event */
	if (a50 - a1 >= 49 * values_in(text, len) / 4)
		fail_msg("%lu allocations for 1 copy, %lu for 50, %zu JSON values"
			 " a copy", a1, a50, values_in(text, len));
	cf_buf_release(&one.all);
	cf_buf_release(&many.all);
	free(text);
}

/* The same events, field by field, as a run whose trees come from malloc:
 * a single arena slot per thread is taken by the first run, and one run
 * nested in it (no slot left in a thread that holds four) parses without. */
static void test_same_events_without_arena(void **state)
{
	size_t len;
	char *text = tu_read_file(FX, &len);
	struct seen with = {0}, without = {0};
	struct cf_json_arena hold[4];
	struct cf_ctx ctx;

	(void)state;
	assert_non_null(text);
	cf_ctx_init(&ctx);
	cf_buf_init(&with.all);
	cf_buf_init(&without.all);
	run(text, len, 3, &with);
	for (int i = 0; i < 4; i++) /* every slot of this thread taken */
		assert_int_equal(cf_json_arena_init(&ctx, &hold[i], 1024), CF_OK);
	run(text, len, 3, &without);
	for (int i = 0; i < 4; i++)
		cf_json_arena_release(&hold[i]);
	assert_int_equal(with.events, without.events);
	assert_int_equal(with.all.len, without.all.len);
	assert_memory_equal(with.all.data, without.all.data, with.all.len);
	cf_buf_release(&with.all);
	cf_buf_release(&without.all);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allocations_flat),
		cmocka_unit_test(test_same_events_without_arena),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
