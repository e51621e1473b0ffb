/* SPDX-License-Identifier: Apache-2.0
 *
 * Who a breach scope counts and how they are reached, at each boundary
 * (src/patient.c, src/scope_count.c through cf_scope_compute): State
 * names and codes, minors (17 years 364 days vs 18 years, February 29),
 * written-notice reach (postal, e-mail with and without consent,
 * phone-only), decedents, accesses of unknown outcome (presumed a breach,
 * 164.402(2)), treatment-relationship accesses, residents of unknown State
 * who could tip the media threshold (500 vs 501), and discovery against
 * the first refused access. Each store is built in /tmp by the test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/db.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/patient.h"
#include "casefile/scope.h"
#include "casefile/time.h"
#include "scope_count.h"

#define DAY_US (86400LL * 1000000LL)

static char dbpath[64];

static void remove_files(void)
{
	const char *suffix[] = {"", "-wal", "-shm", "-journal", ".partial"};
	char p[96];

	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		snprintf(p, sizeof p, "%s%s", dbpath, suffix[i]);
		unlink(p);
	}
}

static int setup(void **state)
{
	(void)state;
	snprintf(dbpath, sizeof dbpath, "/tmp/cf-test-scope-rules-%d.sqlite", (int)getpid());
	remove_files();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	remove_files();
	return 0;
}

static int64_t at(int y, unsigned m, unsigned d, int h)
{
	return cf_days_from_civil(y, m, d) * DAY_US + (int64_t)h * 3600LL * 1000000LL;
}

/* ---- pure rules ---------------------------------------------------------------- */

static void test_state_codes(void **state)
{
	(void)state;
	assert_string_equal(cf_state_code("ca"), "CA");
	assert_string_equal(cf_state_code("CA"), "CA");
	assert_string_equal(cf_state_code("California"), "CA");
	assert_string_equal(cf_state_code(" california "), "CA");
	assert_string_equal(cf_state_code("Ohio."), "OH");
	assert_string_equal(cf_state_code("District of Columbia"), "DC");
	assert_string_equal(cf_state_code("dc"), "DC");
	assert_string_equal(cf_state_code("Puerto Rico"), "PR");
	assert_string_equal(cf_state_code("U.S. Virgin Islands"), "VI");
	assert_string_equal(cf_state_code("Northern Mariana Islands"), "MP");
	assert_string_equal(cf_state_code("gu"), "GU");
	assert_null(cf_state_code("Calif."));
	assert_null(cf_state_code("XX"));
	assert_null(cf_state_code("C"));
	assert_null(cf_state_code(""));
	assert_null(cf_state_code(NULL));
}

static void test_minor_boundary(void **state)
{
	int v = cf_patient_set_birth(0, "2008-03-05");
	int leap = cf_patient_set_birth(0, "2008-02-29");

	(void)state;
	assert_int_equal(cf_patient_birth_day(v), cf_days_from_civil(2008, 3, 5));
	/* 17 years 364 days: still a minor; the 18th birthday: no longer */
	assert_true(cf_patient_is_minor(cf_patient_birth_day(v), cf_days_from_civil(2026, 3, 4)));
	assert_false(cf_patient_is_minor(cf_patient_birth_day(v), cf_days_from_civil(2026, 3, 5)));
	/* born on February 29: of age on March 1 of a common year */
	assert_true(cf_patient_is_minor(cf_patient_birth_day(leap), cf_days_from_civil(2026, 2, 28)));
	assert_false(cf_patient_is_minor(cf_patient_birth_day(leap), cf_days_from_civil(2026, 3, 1)));
	/* partial or impossible dates are not recorded */
	assert_int_equal(cf_patient_set_birth(CF_CONTACT_POSTAL, "2008-03"), CF_CONTACT_POSTAL);
	assert_int_equal(cf_patient_set_birth(CF_CONTACT_POSTAL, "2009-02-30"), CF_CONTACT_POSTAL);
	assert_int_equal(cf_patient_set_birth(0, NULL), 0);
	assert_true(cf_patient_birth_day(CF_CONTACT_POSTAL) == INT64_MIN);
	assert_false(cf_patient_is_minor(INT64_MIN, 0));
	/* the contact bits survive a birth date */
	assert_int_equal(cf_patient_set_birth(CF_CONTACT_POSTAL | CF_CONTACT_KINDS, "1990-01-01") &
			 CF_PATIENT_FLAGS, CF_CONTACT_POSTAL | CF_CONTACT_KINDS);
}

static void test_reach(void **state)
{
	const int k = CF_CONTACT_KINDS | CF_CONTACT_ANY;

	(void)state;
	assert_int_equal(cf_patient_reach(k | CF_CONTACT_POSTAL, 1), CF_REACH_POSTAL);
	assert_int_equal(cf_patient_reach(k | CF_CONTACT_EMAIL, 1), CF_REACH_NONE);
	assert_int_equal(cf_patient_reach(k | CF_CONTACT_EMAIL | CF_CONTACT_EMAIL_CONSENT, 1),
			 CF_REACH_EMAIL);
	assert_int_equal(cf_patient_reach(k | CF_CONTACT_PHONE, 1), CF_REACH_PHONE_ONLY);
	assert_int_equal(cf_patient_reach(k | CF_CONTACT_PHONE | CF_CONTACT_EMAIL, 1),
			 CF_REACH_PHONE_ONLY);
	assert_int_equal(cf_patient_reach(CF_CONTACT_KINDS, 1), CF_REACH_NONE);
	/* a store built before the kinds were kept: 1 still reaches */
	assert_int_equal(cf_patient_reach(1, 1), CF_REACH_ANY);
	assert_int_equal(cf_patient_reach(0, 1), CF_REACH_NONE);
	assert_int_equal(cf_patient_reach(k | CF_CONTACT_POSTAL, 0), CF_REACH_UNKNOWN);
	assert_true(cf_reach_written(CF_REACH_POSTAL));
	assert_true(cf_reach_written(CF_REACH_EMAIL));
	assert_true(cf_reach_written(CF_REACH_ANY));
	assert_false(cf_reach_written(CF_REACH_PHONE_ONLY));
	assert_false(cf_reach_written(CF_REACH_NONE));
	assert_false(cf_reach_written(CF_REACH_UNKNOWN));
}

static void test_purpose(void **state)
{
	(void)state;
	assert_true(cf_scope_purpose_treatment("{\"purpose\":\"TREAT\"}"));
	assert_true(cf_scope_purpose_treatment("{\"x\":1,\"purpose\":\"HPAYMT,ETREAT\"}"));
	assert_false(cf_scope_purpose_treatment("{\"purpose\":\"TREATX,HPAYMT\"}"));
	assert_false(cf_scope_purpose_treatment("{\"purpose\":\"HOPERAT\"}"));
	assert_false(cf_scope_purpose_treatment("{\"note\":\"TREAT\"}"));
	assert_false(cf_scope_purpose_treatment(NULL));
}

/* ---- the scope on a store -------------------------------------------------------- */

static char *actors[] = {"pract-0666"};

static void incident(struct cf_incident *inc)
{
	memset(inc, 0, sizeof *inc);
	inc->id = "INC-T";
	inc->from_us = at(2026, 3, 1, 0);
	inc->to_us = at(2026, 3, 4, 9);
	inc->discovered_us = at(2026, 3, 4, 9);
	inc->discovered_day = cf_days_from_civil(2026, 3, 4);
	inc->actors = actors;
	inc->nactors = 1;
}

static void event(cf_db *db, struct cf_ctx *ctx, int64_t ts, const char *outcome,
		  const char *patient, const char *attrs)
{
	static uint64_t line;
	struct cf_event e = {.ts_us = ts, .source = "fhir-auditevent",
			     .actor = "pract-0666", .action = "read",
			     .outcome = outcome, .patient = patient,
			     .archive = "aa", .member = "evidence/audit.ndjson",
			     .line = ++line, .attrs = attrs};

	assert_int_equal(cf_db_insert_event(db, ctx, &e), CF_OK);
}

static void patient(cf_db *db, struct cf_ctx *ctx, const char *id, const char *st, int hc)
{
	struct cf_patient p = {.id = id, .state = st, .has_contact = hc,
			       .archive = "aa", .member = "evidence/patients.ndjson"};

	assert_int_equal(cf_db_insert_patient(db, ctx, &p), CF_OK);
}

static cJSON *scope_of(const struct cf_incident *inc)
{
	struct cf_ctx ctx;
	cf_db *db;
	cJSON *j = NULL;

	cf_ctx_init(&ctx);
	assert_int_equal(cf_db_open(&ctx, dbpath, CF_DB_READ, &db), CF_OK);
	assert_int_equal(cf_scope_compute(&ctx, db, inc, 0, &j), CF_OK);
	assert_int_equal(cf_db_close(db, &ctx), CF_OK);
	return j;
}

static const cJSON *get(const cJSON *o, const char *path)
{
	char k[64];

	while (o && *path) {
		size_t n = strcspn(path, ".");
		snprintf(k, sizeof k, "%.*s", (int)n, path);
		o = cJSON_GetObjectItemCaseSensitive(o, k);
		path += n + (path[n] == '.');
	}
	return o;
}

static int64_t num(const cJSON *o, const char *path)
{
	const cJSON *v = get(o, path);

	assert_non_null(v);
	return (int64_t)v->valuedouble;
}

static void build_mixed(void)
{
	struct cf_ctx ctx;
	struct cf_db_archive a = {.sha256sums = "aa", .path = "x.tar.zst", .verified = 1};
	const int k = CF_CONTACT_KINDS | CF_CONTACT_ANY;
	cf_db *db;

	cf_ctx_init(&ctx);
	assert_int_equal(cf_db_open(&ctx, dbpath, CF_DB_WRITE, &db), CF_OK);
	assert_int_equal(cf_db_begin(db, &ctx), CF_OK);
	/* p6 seen by the same actor a month before the window */
	event(db, &ctx, at(2026, 2, 1, 10), "success", "p6", NULL);
	event(db, &ctx, at(2026, 3, 1, 10), "success", "p1", NULL);
	event(db, &ctx, at(2026, 3, 1, 11), NULL, "p2", NULL);
	event(db, &ctx, at(2026, 3, 1, 12), "unknown", "p3", NULL);
	event(db, &ctx, at(2026, 3, 2, 8), "failure", "p4", NULL);
	event(db, &ctx, at(2026, 3, 3, 9), "success", "p5", "{\"purpose\":\"TREAT\"}");
	event(db, &ctx, at(2026, 3, 3, 10), "success", "p6", NULL);
	patient(db, &ctx, "p1", "ca", k | CF_CONTACT_POSTAL);
	patient(db, &ctx, "p2", "California", k | CF_CONTACT_EMAIL);
	patient(db, &ctx, "p3", NULL, k | CF_CONTACT_PHONE);
	patient(db, &ctx, "p5", "Calif.", CF_CONTACT_KINDS | CF_PATIENT_DECEASED);
	patient(db, &ctx, "p6", NULL,
		cf_patient_set_birth(k | CF_CONTACT_POSTAL, "2008-03-05"));
	assert_int_equal(cf_db_insert_archive(db, &ctx, &a), CF_OK);
	assert_int_equal(cf_db_commit(db, &ctx), CF_OK);
	assert_int_equal(cf_db_close(db, &ctx), CF_OK);
}

static void test_scope_counts(void **state)
{
	struct cf_incident inc;
	cJSON *j;

	(void)state;
	build_mixed();
	incident(&inc);
	j = scope_of(&inc);
	/* unknown outcomes are presumed: in affected, and listed apart */
	assert_int_equal(num(j, "affected"), 5);
	assert_int_equal(num(j, "to_confirm.count"), 2);
	assert_int_equal(num(j, "to_confirm.affected"), 2);
	assert_int_equal(cJSON_GetArraySize(get(j, "to_confirm.only_unknown")), 2);
	assert_int_equal(cJSON_GetArraySize(get(j, "to_confirm.accesses")), 2);
	/* "ca" and "California" are one State; "Calif." is no State */
	assert_int_equal(num(j, "by_state.CA"), 2);
	assert_int_equal(num(j, "by_state.unknown"), 3);
	assert_int_equal(num(j, "residence.unknown"), 3);
	assert_false(cJSON_IsTrue(get(j, "residence.media_could_change")));
	/* reach: e-mail without consent and phone-only are not written notice;
	 * the decedent without next of kin needs no substitute notice */
	assert_int_equal(num(j, "reach.postal"), 2);
	assert_int_equal(num(j, "reach.none"), 1);
	assert_int_equal(num(j, "reach.phone_only"), 1);
	assert_int_equal(num(j, "reach.substitute_notice_count"), 2);
	assert_int_equal(num(j, "reach.deceased.count"), 1);
	assert_int_equal(num(j, "reach.deceased.no_substitute_required"), 1);
	assert_int_equal(num(j, "reach.minors.count"), 1);
	assert_string_equal(cJSON_GetArrayItem(get(j, "reach.minors.patients"), 0)->valuestring, "p6");
	/* treatment: p5 by purpose, p6 by the earlier access; counted */
	assert_int_equal(num(j, "treatment_relationship.count"), 2);
	assert_false(cJSON_IsTrue(get(j, "treatment_relationship.excluded")));
	/* the refused access on March 2 came before the discovery day */
	assert_true(cJSON_IsTrue(get(j, "discovery.knowable_earlier")));
	assert_string_equal(get(j, "discovery.earliest_sign_day")->valuestring, "2026-03-02");
	assert_false(cJSON_IsTrue(get(j, "urgent_telephone.indicated")));
	cJSON_Delete(j);

	/* excluded on request: out of affected and by_state, still listed */
	inc.exclude_treatment_access = 1;
	inc.imminent_misuse = 1;
	j = scope_of(&inc);
	assert_int_equal(num(j, "affected"), 3);
	assert_int_equal(cJSON_GetArraySize(get(j, "patients")), 3);
	assert_int_equal(num(j, "by_state.unknown"), 1);
	assert_int_equal(num(j, "treatment_relationship.count"), 2);
	assert_int_equal(cJSON_GetArraySize(get(j, "treatment_relationship.patients")), 2);
	assert_null(get(j, "evidence.p5"));
	assert_true(cJSON_IsTrue(get(j, "urgent_telephone.indicated")));
	cJSON_Delete(j);
	/* a discovery on the day of the refused access: nothing earlier */
	inc.exclude_treatment_access = 0;
	inc.discovered_day = cf_days_from_civil(2026, 3, 2);
	j = scope_of(&inc);
	assert_false(cJSON_IsTrue(get(j, "discovery.knowable_earlier")));
	cJSON_Delete(j);
}

/* 300 residents of Texas and `unknown` of unknown State. */
static void build_texas(int unknown)
{
	struct cf_ctx ctx;
	struct cf_db_archive a = {.sha256sums = "aa", .path = "x.tar.zst", .verified = 1};
	cf_db *db;
	char id[16];

	remove_files();
	cf_ctx_init(&ctx);
	assert_int_equal(cf_db_open(&ctx, dbpath, CF_DB_WRITE, &db), CF_OK);
	assert_int_equal(cf_db_begin(db, &ctx), CF_OK);
	for (int i = 0; i < 300 + unknown; i++) {
		snprintf(id, sizeof id, "t%04d", i);
		event(db, &ctx, at(2026, 3, 2, 1), "success", id, NULL);
		patient(db, &ctx, id, i < 300 ? "Texas" : NULL,
			CF_CONTACT_KINDS | CF_CONTACT_ANY | CF_CONTACT_POSTAL);
	}
	assert_int_equal(cf_db_insert_archive(db, &ctx, &a), CF_OK);
	assert_int_equal(cf_db_commit(db, &ctx), CF_OK);
	assert_int_equal(cf_db_close(db, &ctx), CF_OK);
}

static void test_unknown_residence_tips_media(void **state)
{
	struct cf_incident inc;
	cJSON *j;

	(void)state;
	incident(&inc);
	/* 300 + 200 = 500: not more than 500, media notice cannot follow */
	build_texas(200);
	j = scope_of(&inc);
	assert_int_equal(num(j, "by_state.TX"), 300);
	assert_false(cJSON_IsTrue(get(j, "residence.media_could_change")));
	assert_int_equal(cJSON_GetArraySize(get(j, "residence.states_at_risk")), 0);
	cJSON_Delete(j);
	/* 300 + 201 = 501: Texas could need media notice */
	build_texas(201);
	j = scope_of(&inc);
	assert_true(cJSON_IsTrue(get(j, "residence.media_could_change")));
	assert_string_equal(cJSON_GetArrayItem(get(j, "residence.states_at_risk"), 0)->valuestring,
			    "TX");
	assert_false(cJSON_IsTrue(get(j, "discovery.knowable_earlier")));
	cJSON_Delete(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_codes),
		cmocka_unit_test(test_minor_boundary),
		cmocka_unit_test(test_reach),
		cmocka_unit_test(test_purpose),
		cmocka_unit_test_setup_teardown(test_scope_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_residence_tips_media, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
