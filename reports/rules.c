/* SPDX-License-Identifier: Apache-2.0
 *
 * HIPAA breach-notification deadlines and thresholds (see rules.h).
 *
 * Pure calendar arithmetic on day numbers: no time zone, no clock. The rule
 * counts calendar days, so "60 days after discovery" is the discovery date
 * plus 60, whatever month or year boundary lies between. The thresholds
 * differ on purpose and are easy to get wrong: HHS is immediate at 500 OR
 * MORE (164.408(b)), media needs MORE THAN 500 residents of one State
 * (164.406(a)), substitute notice is conspicuous at 10 OR MORE
 * (164.404(d)(2)(ii)). This file must never round, guess or print.
 */
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/time.h"
#include "rules.h"

int64_t cf_breach_add_days(int64_t day, int64_t days)
{
	return day + days;
}

int64_t cf_breach_annual_due(int64_t year)
{
	return cf_breach_add_days(cf_days_from_civil(year, 12, 31),
				  CF_BREACH_NOTICE_DAYS);
}

enum cf_subst_kind cf_breach_substitute(uint64_t no_contact)
{
	if (no_contact == 0)
		return CF_SUBST_NONE;
	return no_contact >= CF_BREACH_SUBST_THRESHOLD ? CF_SUBST_CONSPICUOUS
						       : CF_SUBST_ALTERNATIVE;
}

const char *cf_breach_substitute_name(enum cf_subst_kind k)
{
	switch (k) {
	case CF_SUBST_ALTERNATIVE: return "alternative";
	case CF_SUBST_CONSPICUOUS: return "conspicuous";
	default: return "none";
	}
}

int64_t cf_breach_retain_until(int64_t day)
{
	int64_t y;
	unsigned m, d;

	cf_civil_from_days(day, &y, &m, &d);
	y += CF_BREACH_RETAIN_YEARS;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return cf_days_from_civil(y, 3, 1);
	return cf_days_from_civil(y, m, d);
}

int cf_breach_state_needs_media(const struct cf_state_count *s)
{
	return s->state && strcmp(s->state, "unknown") &&
	       s->count > CF_BREACH_MEDIA_THRESHOLD;
}

/* The later of a deadline and the day after a law-enforcement delay ends:
 * notices held back under 164.412 are due once the delay is over. */
static int64_t delayed(int64_t due, int64_t le_day)
{
	if (le_day >= 0 && le_day + 1 > due)
		return le_day + 1;
	return due;
}

int cf_breach_duties_compute(const struct cf_breach_facts *f,
			     struct cf_breach_duties *d)
{
	int64_t y;
	unsigned m, dd;

	memset(d, 0, sizeof *d);
	d->not_before = f->le_delay_day >= 0 ? f->le_delay_day + 1 : -1;
	d->ba_due = d->individual_due = d->hhs_due = d->media_due = -1;
	d->substitute_until = -1;
	d->notify = f->affected > 0 && !f->not_breach;
	if (!d->notify)
		return 0;
	if (f->business_associate) {
		d->ba_due = delayed(cf_breach_add_days(f->discovered_day,
						       CF_BREACH_NOTICE_DAYS),
				    f->le_delay_day);
		return 0;
	}
	d->individual_due = delayed(
		cf_breach_add_days(f->discovered_day, CF_BREACH_NOTICE_DAYS),
		f->le_delay_day);
	d->hhs_immediate = f->affected >= CF_BREACH_HHS_THRESHOLD;
	if (d->hhs_immediate) {
		d->hhs_due = d->individual_due;
	} else {
		cf_civil_from_days(f->discovered_day, &y, &m, &dd);
		d->hhs_due = delayed(cf_breach_annual_due(y), f->le_delay_day);
	}
	d->media_due = -1;
	for (size_t i = 0; i < f->nstates; i++)
		if (cf_breach_state_needs_media(&f->states[i]))
			d->nmedia_states++;
	if (d->nmedia_states) {
		d->media_states = cf_calloc(d->nmedia_states, sizeof(size_t));
		if (!d->media_states)
			return -1;
		d->nmedia_states = 0;
		for (size_t i = 0; i < f->nstates; i++)
			if (cf_breach_state_needs_media(&f->states[i]))
				d->media_states[d->nmedia_states++] = i;
		d->media_required = 1;
		d->media_due = d->individual_due;
	}
	d->substitute = cf_breach_substitute(f->no_contact);
	d->substitute_until = d->substitute == CF_SUBST_CONSPICUOUS
		? cf_breach_add_days(d->individual_due, CF_BREACH_SUBST_DAYS)
		: -1;
	return 0;
}
