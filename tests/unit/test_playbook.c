/* SPDX-License-Identifier: Apache-2.0
 *
 * Playbooks: the validator (every error kind, with its line and column,
 * all reported in one pass), decision expressions, the HIPAA clocks,
 * CACAO round trips, and the engine's resume logic against a real case
 * whose custody log must verify with one entry per step, even when a
 * crash fell between a step's completion and its custody entry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/case.h"
#include "casefile/core.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/sign.h"
#include "casefile/time.h"
#include "playbook.h"
#include "rules.h"

#define HEAD "id: t\ntitle: T\nroles: [ic, po]\nsteps:\n"

static struct pb_playbook *load_ok(const char *text)
{
	struct pb_playbook *pb = NULL;
	struct pb_diag d;
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	pb_diag_init(&d);
	if (pb_load_string(&ctx, "t.yaml", text, strlen(text), &d, &pb) != CF_OK)
		for (size_t i = 0; i < d.n; i++)
			print_message("%s\n", d.msg[i]);
	pb_diag_release(&d);
	assert_non_null(pb);
	return pb;
}

/* Loads text that must fail; returns 1 when some message equals want. */
static int has_error(const char *text, const char *want, size_t *count)
{
	struct pb_playbook *pb = NULL;
	struct pb_diag d;
	struct cf_ctx ctx;
	int found = 0;

	cf_ctx_init(&ctx);
	pb_diag_init(&d);
	assert_int_equal(pb_load_string(&ctx, "t.yaml", text, strlen(text), &d, &pb), CF_FAILED);
	assert_null(pb);
	for (size_t i = 0; i < d.n; i++)
		found |= !strcmp(d.msg[i], want);
	if (!found)
		for (size_t i = 0; i < d.n; i++)
			print_message("got: %s\n", d.msg[i]);
	if (count)
		*count = d.n;
	pb_diag_release(&d);
	return found;
}

static void test_valid_minimal(void **state)
{
	struct pb_playbook *pb;

	(void)state;
	pb = load_ok(HEAD "  - {id: a, kind: action, title: A, owner: ic, deadline: PT4H}\n"
		     "  - {id: b, kind: deadline, title: B, deadline: P60D}\n");
	assert_int_equal(pb->nsteps, 2);
	assert_int_equal(pb->steps[0].deadline_us, 4 * 3600LL * CF_US_PER_SEC);
	assert_string_equal(pb_successor(pb, 0, 0), "b");
	assert_null(pb_successor(pb, 1, 0));
	pb_free(pb);
}

static void test_each_error_with_position(void **state)
{
	size_t n = 0;

	(void)state;
	assert_true(has_error(HEAD "  - id: a\n    kind: acton\n    title: A\n",
			      "t.yaml:6:11: unknown step kind 'acton' (action, run, decision, parallel, notify, deadline)",
			      NULL));
	assert_true(has_error(HEAD "  - id: a\n    kind: action\n    title: A\n",
			      "t.yaml:5:5: step 'a' has no 'owner'", NULL));
	assert_true(has_error(HEAD "  - {id: a, kind: action, title: A, owner: ic, deadline: P6X}\n",
			      "t.yaml:5:58: bad duration 'P6X' (ISO 8601 days/hours/minutes/weeks, e.g. P60D or PT4H)",
			      NULL));
	assert_true(has_error(HEAD "  - {id: a, kind: run, title: A, owner: ic, run: [frobnicate]}\n",
			      "t.yaml:5:51: unknown casefile command 'frobnicate'", NULL));
	assert_true(has_error(HEAD "  - {id: a, kind: action, title: A, owner: ic, next: zz}\n",
			      "t.yaml:5:54: reference to unknown step 'zz'", NULL));
	assert_true(has_error(HEAD "  - {id: a, kind: action, title: A, owner: ic, next: end}\n"
			      "  - {id: b, kind: action, title: B, owner: ic}\n",
			      "t.yaml:6:6: step 'b' is unreachable: no step leads to it", NULL));
	assert_true(has_error(HEAD "  - {id: a, kind: action, title: A, owner: ic, next: b}\n"
			      "  - {id: b, kind: action, title: B, owner: ic, next: a}\n",
			      "t.yaml:5:6: step 'a' is in a cycle without exit: the end cannot be reached from it",
			      NULL));
	assert_true(has_error(HEAD "  - {id: a, kind: action, title: A, owner: nobody}\n",
			      "t.yaml:5:44: owner 'nobody' is not one of the playbook's roles", NULL));
	assert_true(has_error(HEAD "  - {id: a, kind: decision, title: A, condition: 'affected >=', on_true: end, on_false: end}\n",
			      "t.yaml:5:62: bad condition: expected a value at the end (at column 12 of the condition)",
			      NULL));
	/* every error at once: four distinct problems, four messages */
	assert_true(has_error(HEAD "  - {id: a, kind: acton, title: A}\n"
			      "  - {id: b, kind: action, title: B, deadline: PX}\n"
			      "  - {id: c, kind: run, title: C, owner: ic, run: [nope]}\n"
			      "  - {id: d, kind: action, title: D, owner: ic, next: zz, colour: red}\n",
			      "t.yaml:8:58: unknown key 'colour'", &n));
	assert_int_equal(n, 6);
}

/* An empty subcommand looped forever in the command check (fuzzing). */
static void test_command_known(void **state)
{
	char *ok[] = {"timeline", "scope"}, *empty[] = {"timeline", ""},
	     *part[] = {"timeline", "sco"}, *bad[] = {"frob"}, *lone[] = {"verify"};

	(void)state;
	assert_true(pb_command_known(ok, 2));
	assert_false(pb_command_known(empty, 2));
	assert_false(pb_command_known(part, 2));
	assert_false(pb_command_known(bad, 1));
	assert_false(pb_command_known(ok, 1)); /* timeline needs a subcommand */
	assert_true(pb_command_known(lone, 1));
	assert_true(has_error(HEAD "  - {id: a, kind: run, title: A, owner: ic, run: [key, '']}\n",
			      "t.yaml:5:51: unknown casefile command 'key '", NULL));
}

static void test_loop_with_exit_is_valid(void **state)
{
	struct pb_playbook *pb;

	(void)state;
	pb = load_ok(HEAD "  - {id: a, kind: action, title: A, owner: ic}\n"
		     "  - {id: q, kind: decision, title: Q, owner: po, question: ok?, on_true: end, on_false: a}\n");
	assert_null(pb_successor(pb, 1, 1));
	assert_string_equal(pb_successor(pb, 1, 0), "a");
	pb_free(pb);
}

static void test_expressions(void **state)
{
	struct cf_ctx ctx;
	cJSON *v = cJSON_Parse("{\"scope\":{\"affected\":612,\"by_state\":{\"CA\":501,\"NV\":111,"
			       "\"unknown\":0},\"patients\":[\"a\",\"b\"]},\"q1\":true,\"name\":\"x\"}");
	char err[200];
	size_t pos;
	int r = -1;

	(void)state;
	cf_ctx_init(&ctx);
	assert_non_null(v);
	assert_int_equal(pb_expr_eval(&ctx, "affected >= 500", v, &r), CF_OK);
	assert_int_equal(r, 1);
	assert_int_equal(pb_expr_eval(&ctx, "scope.affected < 500", v, &r), CF_OK);
	assert_int_equal(r, 0);
	assert_int_equal(pb_expr_eval(&ctx, "max(by_state) > 500 and q1", v, &r), CF_OK);
	assert_int_equal(r, 1);
	assert_int_equal(pb_expr_eval(&ctx, "len(patients) == 2 && not (name != 'x')", v, &r), CF_OK);
	assert_int_equal(r, 1);
	assert_int_equal(pb_expr_eval(&ctx, "sum(by_state) == 612 || false", v, &r), CF_OK);
	assert_int_equal(r, 1);
	/* a value nobody computed is an error, never false */
	assert_int_equal(pb_expr_eval(&ctx, "missing > 3", v, &r), CF_FAILED);
	assert_non_null(strstr(cf_errmsg(&ctx), "no value named 'missing'"));
	assert_int_equal(pb_expr_eval(&ctx, "name > 3", v, &r), CF_FAILED);
	assert_int_equal(pb_expr_eval(&ctx, "affected", v, &r), CF_FAILED);
	assert_int_equal(pb_expr_check("affected >= 500 and (q1", &pos, err, sizeof err), -1);
	assert_int_equal(pos, 23);
	assert_int_equal(pb_expr_check("a == 1 )", &pos, err, sizeof err), -1);
	assert_int_equal(pos, 7);
	assert_int_equal(pb_expr_check("((((((((((((((((((((((((((((((((((a))))))))))))))))))))))))))))))))))",
				       &pos, err, sizeof err), -1);
	cJSON_Delete(v);
}

static void test_expand(void **state)
{
	struct cf_ctx ctx;
	cJSON *v = cJSON_Parse("{\"vars\":{\"root\":\"/mnt/img\",\"n\":3},"
			       "\"incident\":{\"id\":\"INC-1\"}}");
	char *out = NULL;

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_equal(pb_expand(&ctx, "--root=${root}/x", v, &out), CF_OK);
	assert_string_equal(out, "--root=/mnt/img/x");
	free(out);
	assert_int_equal(pb_expand(&ctx, "${incident.id}-${n}", v, &out), CF_OK);
	assert_string_equal(out, "INC-1-3");
	free(out);
	assert_int_equal(pb_expand(&ctx, "plain", v, &out), CF_OK);
	assert_string_equal(out, "plain");
	free(out);
	assert_int_equal(pb_expand(&ctx, "${nope}", v, &out), CF_FAILED);
	assert_non_null(strstr(cf_errmsg(&ctx), "no value named 'nope'"));
	assert_int_equal(pb_expand(&ctx, "${incident}", v, &out), CF_FAILED);
	assert_int_equal(pb_expand(&ctx, "${root", NULL, &out), CF_FAILED);
	assert_int_equal(pb_expand(&ctx, "${}", NULL, &out), CF_FAILED);
	cJSON_Delete(v);
	/* the validator checks the syntax of every argument */
	assert_true(has_error(HEAD "  - {id: a, kind: run, title: A, owner: ic, run: [verify, '${key']}\n",
			      "t.yaml:5:51: '${key': '${' without a name and '}'", NULL));
}

static void test_clocks(void **state)
{
	struct pb_clocks c;
	int64_t disc, want;
	char t[CF_TIME_STR], day[PB_DATE_STR];
	cJSON *small = cJSON_Parse("{\"s\":{\"affected\":12,\"by_state\":{\"CA\":12}}}");
	cJSON *big = cJSON_Parse("{\"s\":{\"affected\":900,\"by_state\":{\"CA\":450,\"unknown\":450}}}");

	(void)state;
	assert_int_equal(cf_time_parse("2026-03-04T09:30:00Z", -1, &disc, NULL), 0);
	pb_clocks_compute(&c, NULL, disc, 0, NULL);
	/* May 3 is the 60th day: late from the first instant of May 4 */
	assert_string_equal(cf_time_format(c.individuals, t), "2026-05-04T00:00:00.000000Z");
	assert_string_equal(pb_due_date(NULL, c.individuals, day), "2026-05-03");
	assert_int_equal(c.hhs, c.individuals); /* unknown count: assume 500+ */
	assert_int_equal(c.media, c.individuals);
	pb_clocks_compute(&c, NULL, disc, 0, small);
	assert_int_equal(c.affected, 12);
	/* 60 days after 2026-12-31 ends: 2027-03-02T00:00 */
	assert_string_equal(cf_time_format(c.hhs, t), "2027-03-02T00:00:00.000000Z");
	assert_int_equal(c.media, 0);
	pb_clocks_compute(&c, NULL, disc, 0, big);
	assert_int_equal(c.hhs, c.individuals);
	assert_int_equal(c.media, 0); /* 'unknown' is not a state */
	/* a delay over at 00:00 June 1 (its last day May 31): the notices are
	 * due by the end of June 1, as in the breach report */
	assert_int_equal(cf_time_parse("2026-06-01T00:00:00Z", -1, &want, NULL), 0);
	pb_clocks_compute(&c, NULL, disc, want, big);
	assert_string_equal(cf_time_format(c.individuals, t), "2026-06-02T00:00:00.000000Z");
	/* a delay over before the 60 days are: no change */
	assert_int_equal(cf_time_parse("2026-04-01T00:00:00Z", -1, &want, NULL), 0);
	pb_clocks_compute(&c, NULL, disc, want, big);
	assert_string_equal(cf_time_format(c.individuals, t), "2026-05-04T00:00:00.000000Z");
	cJSON_Delete(small);
	cJSON_Delete(big);
}

/* The clocks count the covered entity's local calendar days (45 CFR
 * 164.404(b)), as the breach report does, with America/Chicago from
 * tests/fixtures/tz. */
static void test_clocks_local(void **state)
{
	struct cf_ctx ctx;
	struct pb_cal cal = {NULL, 0}, fixed = {NULL, -6 * 3600};
	struct pb_clocks c;
	struct pb_step days = {0}, hours = {0};
	int64_t disc, delay;
	char t[CF_TIME_STR], day[PB_DATE_STR];
	cJSON *small = cJSON_Parse("{\"affected\":12,\"by_state\":{\"IL\":12}}");
	cJSON *st = cJSON_Parse("{\"calendar\":{\"time_zone\":\"America_Chicago\",\"offset_s\":0}}");

	(void)state;
	cf_ctx_init(&ctx);
	setenv("TZDIR", FIXTURE_DIR "/tz", 1);
	assert_int_equal(pb_cal_from_state(&ctx, st, &cal), CF_OK);
	assert_non_null(cal.tz);
	/* 20:00 on Dec 31 in Chicago is Jan 1 02:00 UTC: a Dec 31 discovery.
	 * Individuals by Mar 1 (ends 06:00 UTC Mar 2, CST), the annual HHS log
	 * of 2026 by Mar 1 2027, not of 2027. */
	assert_int_equal(cf_time_parse("2026-12-31T20:00:00-06:00", -1, &disc, NULL), 0);
	pb_clocks_compute(&c, &cal, disc, 0, small);
	assert_string_equal(pb_due_date(&cal, c.individuals, day), "2027-03-01");
	assert_string_equal(cf_time_format(c.individuals, t), "2027-03-02T06:00:00.000000Z");
	assert_string_equal(pb_due_date(&cal, c.hhs, day), "2027-03-01");
	assert_string_equal(cf_time_format(c.hhs, t), "2027-03-02T06:00:00.000000Z");
	/* the same with only the offset written in `discovered` */
	pb_clocks_compute(&c, &fixed, disc, 0, small);
	assert_string_equal(pb_due_date(&fixed, c.hhs, day), "2027-03-01");
	/* one microsecond later on the same local day: same dates; at local
	 * midnight the next day */
	pb_clocks_compute(&c, &cal, disc + 4 * 3600 * CF_US_PER_SEC - 1, 0, small);
	assert_string_equal(pb_due_date(&cal, c.individuals, day), "2027-03-01");
	pb_clocks_compute(&c, &cal, disc + 4 * 3600 * CF_US_PER_SEC, 0, small);
	assert_string_equal(pb_due_date(&cal, c.individuals, day), "2027-03-02");
	assert_string_equal(pb_due_date(&cal, c.hhs, day), "2028-02-29"); /* 2028 is leap */
	/* across the spring DST change (Mar 8 2026): Jan 10 + 60 = Mar 11,
	 * which ends at 05:00 UTC (CDT), not 06:00 */
	assert_int_equal(cf_time_parse("2026-01-10T12:00:00-06:00", -1, &disc, NULL), 0);
	pb_clocks_compute(&c, &cal, disc, 0, small);
	assert_string_equal(cf_time_format(c.individuals, t), "2026-03-12T05:00:00.000000Z");
	/* and back (Nov 1 2026): Sep 10 + 60 = Nov 9, ends 06:00 UTC (CST) */
	assert_int_equal(cf_time_parse("2026-09-10T23:30:00-05:00", -1, &disc, NULL), 0);
	pb_clocks_compute(&c, &cal, disc, 0, small);
	assert_string_equal(cf_time_format(c.individuals, t), "2026-11-10T06:00:00.000000Z");
	/* a delay over at 00:00 CDT May 21 (last day May 20) moves a deadline
	 * it covers to the end of May 21, local */
	assert_int_equal(cf_time_parse("2026-03-04T09:30:00-06:00", -1, &disc, NULL), 0);
	assert_int_equal(cf_time_parse("2026-05-21T05:00:00Z", -1, &delay, NULL), 0);
	pb_clocks_compute(&c, &cal, disc, delay, small);
	assert_string_equal(cf_time_format(c.individuals, t), "2026-05-22T05:00:00.000000Z");
	assert_string_equal(pb_due_date(&cal, c.individuals, day), "2026-05-21");
	/* step deadlines: whole days end with the local day; hours run on */
	days.kind = PB_NOTIFY;
	assert_int_equal(cf_duration_parse("P60D", &days.deadline_us), 0);
	hours.kind = PB_ACTION;
	assert_int_equal(cf_duration_parse("PT4H", &hours.deadline_us), 0);
	assert_int_equal(cf_time_parse("2026-12-31T20:00:00-06:00", -1, &disc, NULL), 0);
	assert_string_equal(cf_time_format(pb_step_due(&days, &cal, disc, 0), t),
			    "2027-03-02T06:00:00.000000Z");
	assert_string_equal(cf_time_format(pb_step_due(&hours, &cal, disc, 0), t),
			    "2027-01-01T06:00:00.000000Z");
	assert_string_equal(cf_time_format(pb_step_due(&days, &cal, disc, delay), t),
			    "2027-03-02T06:00:00.000000Z");
	/* a state of an older run, without a calendar, counts UTC days */
	pb_cal_release(&cal);
	assert_null(cal.tz);
	cJSON_Delete(st);
	st = cJSON_Parse("{}");
	assert_int_equal(pb_cal_from_state(&ctx, st, &cal), CF_OK);
	assert_null(cal.tz);
	assert_int_equal(cal.offset_s, 0);
	cJSON_Delete(st);
	/* a zone name from a tampered state is refused, not opened */
	st = cJSON_Parse("{\"calendar\":{\"time_zone\":\"../../etc/passwd\"}}");
	assert_int_equal(pb_cal_from_state(&ctx, st, &cal), CF_FAILED);
	cJSON_Delete(st);
	cJSON_Delete(small);
}

/* The UTC day a clock's last instant falls on. */
static int64_t last_day(int64_t over_us)
{
	int64_t day = 86400 * CF_US_PER_SEC, t = over_us - 1;

	return t / day - (t % day < 0);
}

/* playbook status and the breach report name the same last days: for
 * discoveries at any time of day, around year ends and leap days, below
 * and above 500 affected, with and without a law-enforcement delay, the
 * clocks' last days equal cf_breach_duties_compute's (reports/rules.c). */
static void test_clocks_agree_with_report(void **state)
{
	static const char *const when[] = {"2026-03-04T09:30:00Z", "2026-03-04T00:00:00Z",
		"2026-12-31T23:59:59Z", "2027-11-02T12:00:00Z", "2024-01-01T00:00:01Z"};
	static const long counts[] = {12, 499, 500, 900};
	static const int delays[] = {0, 30, 90, 400};

	(void)state;
	for (size_t w = 0; w < sizeof when / sizeof when[0]; w++)
		for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++)
			for (size_t l = 0; l < sizeof delays / sizeof delays[0]; l++) {
				struct pb_clocks c;
				struct cf_breach_duties d;
				struct cf_state_count sc = {"CA", (uint64_t)counts[k]};
				struct cf_breach_facts f;
				int64_t disc, delay = 0;
				char js[128];
				cJSON *v;

				assert_int_equal(cf_time_parse(when[w], -1, &disc, NULL), 0);
				memset(&f, 0, sizeof f);
				f.discovered_day = disc / (86400 * CF_US_PER_SEC);
				f.le_delay_day = -1;
				f.affected = (uint64_t)counts[k];
				f.states = &sc;
				f.nstates = 1;
				if (delays[l]) {
					/* the delay's last day, and the instant it is over */
					f.le_delay_day = f.discovered_day + delays[l];
					delay = (f.le_delay_day + 1) * 86400 * CF_US_PER_SEC;
				}
				snprintf(js, sizeof js, "{\"s\":{\"affected\":%ld,\"by_state\":{\"CA\":%ld}}}",
					 counts[k], counts[k]);
				assert_non_null(v = cJSON_Parse(js));
				pb_clocks_compute(&c, NULL, disc, delay, v);
				assert_int_equal(cf_breach_duties_compute(&f, &d), 0);
				/* a clock is over when its last (UTC) day ends */
				assert_int_equal(last_day(c.individuals), d.individual_due);
				assert_int_equal(last_day(c.hhs), d.hhs_due);
				assert_int_equal(c.media ? last_day(c.media) : -1,
						 d.media_required ? d.media_due : -1);
				free(d.media_states);
				cJSON_Delete(v);
			}
}

static void test_cacao_round_trip(void **state)
{
	struct pb_playbook *pb, *back = NULL;
	struct cf_ctx ctx;
	cJSON *j = NULL;

	(void)state;
	cf_ctx_init(&ctx);
	pb = load_ok(HEAD "  - {id: a, kind: action, title: A, owner: ic, checklist: [x, y], deadline: PT1H}\n"
		     "  - {id: r, kind: run, title: R, owner: ic, run: [key, fingerprint, k.pub], save: fp}\n"
		     "  - {id: q, kind: decision, title: Q, condition: 'affected >= 500', on_true: p, on_false: end}\n"
		     "  - id: p\n    kind: parallel\n    title: P\n    steps:\n"
		     "      - {id: n1, kind: notify, title: N1, owner: po, audience: individuals}\n"
		     "      - {id: n2, kind: notify, title: N2, owner: po, audience: hhs, deadline: P60D}\n");
	assert_int_equal(pb_cacao_export(&ctx, pb, 1772616600123456LL, &j), CF_OK);
	assert_string_equal(cf_json_str(j, "type", ""), "playbook");
	assert_string_equal(cf_json_str(j, "spec_version", ""), "cacao-2.0");
	assert_string_equal(cf_json_str(j, "created", ""), "2026-03-04T09:30:00.123Z");
	assert_int_equal(strncmp(cf_json_str(j, "id", ""), "playbook--", 10), 0);
	assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "workflow"),
					    cf_json_str(j, "workflow_start", "")));
	assert_int_equal(pb_cacao_import(&ctx, j, &back), CF_OK);
	assert_int_equal(back->nsteps, pb->nsteps);
	for (size_t i = 0; i < pb->nsteps; i++) {
		const struct pb_step *a = &pb->steps[i];
		size_t k = pb_find(back, a->id);
		const struct pb_step *b;
		assert_int_not_equal(k, PB_NONE);
		b = &back->steps[k];
		assert_int_equal(a->kind, b->kind);
		assert_string_equal(a->title, b->title);
		assert_int_equal(a->deadline_us, b->deadline_us);
		assert_int_equal(a->argc, b->argc);
		assert_int_equal(a->nchecklist, b->nchecklist);
		assert_int_equal(a->nchildren, b->nchildren);
		if (a->owner)
			assert_string_equal(a->owner, b->owner);
		if (a->parent == PB_NONE) {
			const char *x = pb_successor(pb, i, 1), *y = pb_successor(back, k, 1);
			assert_true((!x && !y) || (x && y && !strcmp(x, y)));
		}
	}
	assert_string_equal(back->steps[pb_find(back, "q")].condition, "affected >= 500");
	cJSON_Delete(j);
	pb_free(pb);
	pb_free(back);
}

/* ---- engine --------------------------------------------------------------- */

struct fx {
	char dir[64], casedir[96], log[128], pbpath[128];
	cf_key *key;
	cf_case *c;
};

static int append(void *arg, struct cf_ctx *ctx, const char *action, const char *subject,
		  const char *note)
{
	struct fx *f = arg;
	return cf_custody_append(ctx, f->c, f->key, action, subject, note);
}

static int count_lines(const char *path, const char *needle)
{
	FILE *fp = fopen(path, "r");
	char line[70000];
	int n = 0;

	assert_non_null(fp);
	while (fgets(line, sizeof line, fp))
		n += strstr(line, needle) != NULL;
	fclose(fp);
	return n;
}

static const char engine_pb[] =
	"id: eng\ntitle: Engine\nroles: [ic]\nsteps:\n"
	"  - {id: a, kind: action, title: A, owner: ic}\n"
	"  - {id: r, kind: run, title: R, owner: ic, run: [key, fingerprint, x]}\n"
	"  - {id: q, kind: decision, title: Q, owner: ic, question: go?, on_true: p, on_false: end}\n"
	"  - id: p\n    kind: parallel\n    title: P\n    steps:\n"
	"      - {id: n1, kind: notify, title: N1, owner: ic, audience: individuals}\n"
	"      - {id: m, kind: deadline, title: M, deadline: P60D}\n"
	"  - {id: z, kind: action, title: Z, owner: ic}\n";

static void test_engine_resume(void **state)
{
	struct fx f;
	struct cf_ctx ctx;
	struct pb_playbook *pb;
	struct pb_run_opts o;
	struct pb_custody cust = {append, &f, f.log};
	struct cf_custody_report rep;
	enum pb_run_result res;
	char *waiting = NULL, *done[3] = {"a=checked", "n1", "z"}, *ans[1] = {"q=yes"};
	cJSON *st = NULL, *status = NULL;
	FILE *fp;

	(void)state;
	cf_core_init();
	cf_ctx_init(&ctx);
	strcpy(f.dir, "/tmp/cf-pb-XXXXXX");
	assert_non_null(mkdtemp(f.dir));
	snprintf(f.casedir, sizeof f.casedir, "%s/case", f.dir);
	snprintf(f.log, sizeof f.log, "%s/custody.jsonl", f.casedir);
	snprintf(f.pbpath, sizeof f.pbpath, "%s/eng.yaml", f.dir);
	cust.log_path = f.log;
	assert_non_null(f.key = cf_key_generate(&ctx));
	assert_int_equal(cf_case_create(&ctx, f.casedir, "CASE-1", "Dana", f.key, NULL), CF_OK);
	assert_int_equal(cf_case_open(&ctx, f.casedir, &f.c), CF_OK);
	assert_non_null(fp = fopen(f.pbpath, "w"));
	fputs(engine_pb, fp);
	fclose(fp);
	assert_int_equal(pb_load(&ctx, f.pbpath, NULL, &pb), CF_OK);

	memset(&o, 0, sizeof o);
	o.case_dir = f.casedir;
	o.self_exe = "/bin/echo"; /* stands in for casefile: prints its argv */
	assert_int_equal(cf_time_parse("2026-03-04T09:30:00Z", -1, &o.discovered, NULL), 0);
	o.now = o.discovered + 3600LL * CF_US_PER_SEC;
	/* 1: nothing given: waits at the first manual step */
	assert_int_equal(pb_run(&ctx, pb, &o, &cust, &res, &waiting), CF_OK);
	assert_int_equal(res, PB_RUN_WAITING);
	assert_string_equal(waiting, "a");
	free(waiting);
	/* 2: a done, the run step runs, waits for the question */
	o.done = done;
	o.ndone = 1;
	assert_int_equal(pb_run(&ctx, pb, &o, &cust, &res, &waiting), CF_OK);
	assert_string_equal(waiting, "q");
	free(waiting);
	assert_int_equal(count_lines(f.log, "step=r visit=1 attempt=1 kind=run status=done exit=0"), 1);
	/* 3: simulate a crash after the answer was recorded but before its
	 * custody entry: mark it owed again; resuming must not duplicate */
	o.answer = ans;
	o.nanswer = 1;
	o.until = "z";
	assert_int_equal(pb_run(&ctx, pb, &o, &cust, &res, &waiting), CF_OK);
	assert_string_equal(waiting, "n1");
	free(waiting);
	assert_int_equal(pb_state_load(&ctx, f.casedir, "eng", &st), CF_OK);
	cJSON_AddTrueToObject(cJSON_GetObjectItem(cJSON_GetObjectItem(st, "steps"), "q"), "owed");
	{
		char path[200], *text = cJSON_Print(st);
		snprintf(path, sizeof path, "%s/playbooks/eng/state.json", f.casedir);
		assert_non_null(fp = fopen(path, "w"));
		fputs(text, fp);
		fclose(fp);
		free(text);
	}
	cJSON_Delete(st);
	o.ndone = 2;
	assert_int_equal(pb_run(&ctx, pb, &o, &cust, &res, &waiting), CF_OK);
	assert_int_equal(res, PB_RUN_STOPPED);
	free(waiting);
	assert_int_equal(count_lines(f.log, "step=q visit=1"), 1);
	/* 4: finish */
	o.until = NULL;
	o.ndone = 3;
	assert_int_equal(pb_run(&ctx, pb, &o, &cust, &res, &waiting), CF_OK);
	assert_int_equal(res, PB_RUN_FINISHED);
	free(waiting);
	/* every step exactly once, plus start and end */
	assert_int_equal(count_lines(f.log, "\"action\":\"playbook-step\""), 7);
	assert_int_equal(count_lines(f.log, "\"action\":\"playbook-start\""), 1);
	assert_int_equal(count_lines(f.log, "\"action\":\"playbook-end\""), 1);
	assert_int_equal(count_lines(f.log, "step=a visit=1 attempt=1 kind=action status=done by=ic note=checked"), 1);
	/* running again changes nothing */
	assert_int_equal(pb_run(&ctx, pb, &o, &cust, &res, &waiting), CF_OK);
	assert_int_equal(res, PB_RUN_FINISHED);
	assert_int_equal(count_lines(f.log, "\"action\":\"playbook-"), 9);
	memset(&rep, 0, sizeof rep);
	assert_int_equal(cf_custody_verify(&ctx, f.log, &f.key, 1, &rep), CF_OK);
	assert_int_equal(rep.first_bad, 0);
	assert_int_equal(rep.entries, 10);
	/* status: all done, notices on time, clocks computed */
	assert_int_equal(pb_state_load(&ctx, f.casedir, "eng", &st), CF_OK);
	assert_int_equal(pb_status(&ctx, pb, st, o.now, &status), CF_OK);
	assert_string_equal(cf_json_str(cJSON_GetObjectItem(cJSON_GetObjectItem(status, "hipaa"),
							     "individuals"), "status", ""), "done");
	assert_string_equal(cf_json_str(cJSON_GetArrayItem(cJSON_GetObjectItem(status, "steps"), 0),
					"status", ""), "done");
	cJSON_Delete(status);
	cJSON_Delete(st);
	pb_free(pb);
	cf_case_free(f.c);
	cf_key_free(f.key);
	{
		char cmd[200];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", f.dir);
		assert_int_equal(system(cmd), 0);
	}
}

static void test_status_overdue(void **state)
{
	struct pb_playbook *pb;
	struct cf_ctx ctx;
	cJSON *st, *out = NULL;

	(void)state;
	cf_ctx_init(&ctx);
	pb = load_ok(HEAD "  - {id: a, kind: action, title: A, owner: ic, deadline: PT4H}\n"
		     "  - {id: b, kind: action, title: B, owner: ic, deadline: P60D}\n");
	st = cJSON_Parse("{\"discovered\":\"2026-03-04T09:30:00Z\",\"steps\":{},\"values\":{}}");
	assert_int_equal(pb_status(&ctx, pb, st, 1772616600000000LL + 5 * 3600LL * CF_US_PER_SEC,
				   &out), CF_OK);
	assert_string_equal(cf_json_str(cJSON_GetArrayItem(cJSON_GetObjectItem(out, "steps"), 0),
					"status", ""), "overdue");
	assert_string_equal(cf_json_str(cJSON_GetArrayItem(cJSON_GetObjectItem(out, "steps"), 1),
					"status", ""), "due");
	cJSON_Delete(out);
	cJSON_Delete(st);
	pb_free(pb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_minimal),
		cmocka_unit_test(test_clocks_agree_with_report),
		cmocka_unit_test(test_each_error_with_position),
		cmocka_unit_test(test_command_known),
		cmocka_unit_test(test_loop_with_exit_is_valid),
		cmocka_unit_test(test_expressions),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_clocks),
		cmocka_unit_test(test_clocks_local),
		cmocka_unit_test(test_cacao_round_trip),
		cmocka_unit_test(test_engine_resume),
		cmocka_unit_test(test_status_overdue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
