/* SPDX-License-Identifier: Apache-2.0
 *
 * State breach-notification overlays as data (casefile-states(5)): the
 * notices that State laws add to the HIPAA ones (an attorney general, a
 * State agency, the consumer reporting agencies, a variant letter), read
 * from a YAML file that casefile ships (reports/states/states.yaml) and an
 * organisation may replace with its own (`report breach --states FILE`).
 *
 * The rules change more often than the code, and a privacy officer, not a
 * programmer, must be able to read and correct them: every figure (the
 * residents threshold, the clock, its basis, the recipients) is in the
 * file with its citation and the day it was last checked against the
 * statute, and every notice computed from it is marked to confirm. The
 * loader refuses what it cannot read exactly, naming FILE:LINE:COL; the
 * evaluation is a pure function of the rules, the per-State counts and
 * the local days the clocks run from, and the business-day arithmetic
 * (weekends and US federal holidays, computed by rule) is here too so
 * that it is tested at each boundary.
 */
#ifndef CF_REPORTS_STATES_H
#define CF_REPORTS_STATES_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

struct cf_ctx;

#define CF_STATES_FORMAT "casefile-state-rules/1"
#define CF_STATES_FILE "states.yaml"   /* the shipped file (kind "states") */
#define CF_STATES_MAX_RULES 1000
#define CF_STATES_MAX_DAYS 3650        /* longest clock accepted, days */

/* ---- the calendar ----------------------------------------------------------- */

/* Day of the week of a day number (days since 1970-01-01): 0 Sunday ..
 * 6 Saturday. */
int cf_weekday(int64_t day);
/* The name of the US federal holiday observed on `day` (5 U.S.C. 6103,
 * with the observed day: a Saturday holiday is observed the Friday
 * before, a Sunday one the Monday after; Juneteenth from 2021), or NULL. */
const char *cf_us_federal_holiday(int64_t day);
/* 1 when day is neither a Saturday, a Sunday nor an observed federal
 * holiday. */
int cf_business_day(int64_t day);
/* The n-th business day after `day` (n >= 0; n == 0 gives day itself). */
int64_t cf_business_days_add(int64_t day, int64_t n);

/* ---- the rules ----------------------------------------------------------------- */

/* Loads and checks a State rules file. *out (freed with cJSON_Delete) is
 * {"format", "source": path, "rules": [rule...]}, each rule the file's
 * entry with its values checked and typed (residents_at_least, days and
 * months as numbers, business_days as a boolean, absent optional keys as
 * null) and "line" its line in the file. Errors are "FILE:LINE:COL:
 * message": an unknown key, a missing or malformed value, a duplicate id.
 * CF_OK, CF_FAILED, or CF_FATAL on no memory. */
int cf_state_rules_load(struct cf_ctx *ctx, const char *path, cJSON **out);

/* The days each clock may run from, local calendar days of the covered
 * entity (-1: not known). */
struct cf_state_clocks {
	int64_t discovery;      /* the breach was discovered */
	int64_t determination;  /* a breach was determined; -1: none recorded */
	int64_t hhs;            /* HHS is (to be) notified */
	int64_t notice;         /* the notices to individuals go out */
	const char *entity_type;/* covered_entity.type ("provider" when absent) */
};

/* Evaluates the rules (cf_state_rules_load) against the per-State resident
 * counts `by_state` (the model's [{state, count}]) and the clocks. *out
 * (freed with cJSON_Delete) is {"notices": [...], "not_triggered": [...]}:
 * a notice for each rule whose State has at least residents_at_least
 * residents (and whose entity_types, when given, include the entity's
 * type), with its recipients, due date (null when the rule sets no fixed
 * period), the day its clock ran from and why, the citation and
 * "to_confirm": true; every other rule of a State with residents is listed
 * in not_triggered with the reason. CF_OK, or CF_FATAL on no memory. */
int cf_state_rules_eval(struct cf_ctx *ctx, const cJSON *rules,
			const cJSON *by_state, const struct cf_state_clocks *c,
			cJSON **out);

#endif
