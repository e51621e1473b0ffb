/* SPDX-License-Identifier: Apache-2.0
 *
 * The HIPAA Breach Notification Rule's deadlines and thresholds as pure
 * functions (45 CFR 164.404-164.412), so that every figure in a breach
 * report comes from one place that is unit-tested at each boundary.
 *
 * Days are counted as calendar days since 1970-01-01 (UTC), the unit of
 * cf_days_from_civil(). Nothing here reads files, the clock or the locale:
 * the same inputs always give the same dates. What the rule leaves to
 * judgement (whether a law-enforcement statement applies, whether a
 * low-probability-of-compromise finding holds) is never decided here; the
 * report marks it for a person to confirm.
 */
#ifndef CF_REPORTS_RULES_H
#define CF_REPORTS_RULES_H

#include <stddef.h>
#include <stdint.h>

#define CF_BREACH_NOTICE_DAYS 60     /* 164.404(b), 164.406(b), 164.408(b) */
#define CF_BREACH_HHS_THRESHOLD 500  /* 164.408(b): 500 or more -> with notices */
#define CF_BREACH_MEDIA_THRESHOLD 500/* 164.406(a): MORE than 500 in a State */
#define CF_BREACH_SUBST_THRESHOLD 10 /* 164.404(d)(2)(ii): 10 or more */
#define CF_BREACH_SUBST_DAYS 90      /* web posting and toll-free number */
#define CF_BREACH_RETAIN_YEARS 6     /* 164.530(j)(2): documentation kept */

enum cf_subst_kind {
	CF_SUBST_NONE = 0,     /* everyone can be reached by first-class mail */
	CF_SUBST_ALTERNATIVE,  /* fewer than 10: written, telephone or other */
	CF_SUBST_CONSPICUOUS,  /* 10 or more: 90-day web posting or major media,
				  plus a toll-free number for at least 90 days */
};

struct cf_state_count {
	const char *state;     /* two-letter code, or "unknown" */
	uint64_t count;
};

struct cf_breach_facts {
	int64_t discovered_day;   /* day the breach was discovered (164.404(a)(2)) */
	int64_t le_delay_day;     /* last day of a law-enforcement delay, or -1 */
	uint64_t affected;        /* distinct individuals */
	uint64_t no_contact;      /* individuals with insufficient contact info */
	const struct cf_state_count *states;
	size_t nstates;
	int not_breach;           /* 1: determined not a breach (164.402(1),
				     secured, de-identified, low probability) */
	int business_associate;   /* 1: a BA's breach: it notifies its covered
				     entities (164.410), not individuals */
};

struct cf_breach_duties {
	int notify;               /* 1: some notice is owed; 0: no breach, or
				     nobody affected: every due day is -1 */
	int64_t ba_due;           /* BA's notice to the covered entity, or -1 */
	int64_t individual_due;   /* last day for individual notices, or -1 */
	int64_t not_before;       /* first day notices may go out (delay), or -1 */
	int hhs_immediate;        /* 1: HHS with the notices; 0: annual log */
	int64_t hhs_due;          /* last day for the HHS notice, or -1 */
	int media_required;       /* 1 when some State has more than 500 */
	int64_t media_due;        /* last day for the media notice, or -1 */
	size_t *media_states;     /* indexes into facts.states (heap, free()) */
	size_t nmedia_states;
	enum cf_subst_kind substitute;
	int64_t substitute_until; /* web posting / toll-free number kept until,
				     counted from individual_due, or -1 */
};

/* Last day of a period of `days` calendar days after `day`. */
int64_t cf_breach_add_days(int64_t day, int64_t days);
/* Last day for the annual HHS log of breaches affecting fewer than 500
 * discovered in `year`: 60 days after December 31, i.e. March 1 of the next
 * year, or February 29 when that year is a leap year. */
int64_t cf_breach_annual_due(int64_t year);
/* Substitute-notice kind for n individuals without usable contact info. */
enum cf_subst_kind cf_breach_substitute(uint64_t no_contact);
/* 1 when a State count requires media notice (more than 500); "unknown"
 * never does, as it is no State or jurisdiction. */
int cf_breach_state_needs_media(const struct cf_state_count *s);
/* The last day a document made on `day` must be kept: six years later
 * (164.530(j)(2)); a February 29 runs to March 1 of a common year, never
 * to a day short of six years. */
int64_t cf_breach_retain_until(int64_t day);
/* Computes every duty from the facts. le_delay_day is the LAST day of a
 * law-enforcement delay (inclusive; 164.412): each deadline that falls on
 * or before it moves to the next day, and not_before is that day. Nobody
 * affected, or a determination that it is not a breach, owe no notice
 * (notify 0, every due day -1). A business associate owes only its notice
 * to the covered entity, 60 days from its discovery (164.410(b)).
 * Returns 0, or -1 on no memory (media_states). The caller frees
 * d->media_states. */
int cf_breach_duties_compute(const struct cf_breach_facts *f,
			     struct cf_breach_duties *d);
/* Names for output: "none", "alternative", "conspicuous". */
const char *cf_breach_substitute_name(enum cf_subst_kind k);

#endif
