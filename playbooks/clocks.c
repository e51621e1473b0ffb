/* SPDX-License-Identifier: Apache-2.0
 *
 * The HIPAA breach-notification clocks (45 CFR 164.404-164.412).
 *
 * Individuals: without unreasonable delay and no later than 60 calendar
 * days after discovery (164.404(b)). HHS: at the same time when 500 or more
 * individuals are affected, otherwise within 60 days after the end of the
 * calendar year of discovery (164.408(b),(c)). Media: when more than 500
 * residents of one state are affected, on the individuals' clock
 * (164.406). A law-enforcement delay (164.412) moves a deadline that falls
 * inside it to the day after the delay's last day. While the counts are not known the
 * clocks assume the stricter case, so nothing is shown as later than it
 * may be.
 */
#include <string.h>

#include "casefile/time.h"
#include "playbook.h"

#define DAY_US (86400LL * CF_US_PER_SEC)

static long count_of(const cJSON *values, const char *name, int take_max)
{
	const cJSON *j = pb_value_lookup(values, name), *e;
	double best = -1;

	if (!j)
		return -1;
	if (cJSON_IsNumber(j))
		return (long)j->valuedouble;
	if (!take_max || !cJSON_IsObject(j))
		return -1;
	best = 0;
	cJSON_ArrayForEach(e, j)
		if (cJSON_IsNumber(e) && e->valuedouble > best &&
		    strcmp(e->string ? e->string : "", "unknown"))
			best = e->valuedouble;
	return (long)best;
}

static int64_t day_of(int64_t us)
{
	return us / DAY_US - (us % DAY_US < 0);
}

/* A last day on or before the delay's last day moves to the day after. */
static int64_t delayed_day(int64_t day, int64_t delay_last)
{
	return delay_last >= 0 && day <= delay_last ? delay_last + 1 : day;
}

/* The clocks as last days, as the breach report counts them (reports/
 * rules.c): 60 days after the day of discovery; the annual log 60 days
 * after December 31; a delay over at delay_until (the start of the day
 * after its last day) moves a deadline it covers to that day. */
static void last_days(struct pb_clocks *c)
{
	int64_t disc = day_of(c->discovered), y;
	int64_t delay_last = c->delay_until ? day_of(c->delay_until) - 1 : -1;
	unsigned m, d;

	cf_civil_from_days(disc, &y, &m, &d);
	c->individuals_day = delayed_day(disc + 60, delay_last);
	if (c->affected >= 0 && c->affected < 500)
		c->hhs_day = delayed_day(cf_days_from_civil(y, 12, 31) + 60, delay_last);
	else
		c->hhs_day = c->individuals_day;
	c->media_day = c->media ? c->individuals_day : -1;
}

void pb_clocks_compute(struct pb_clocks *c, int64_t discovered,
		       int64_t delay_until, const cJSON *values)
{
	int64_t y, end_of_year;
	unsigned m, d;

	memset(c, 0, sizeof *c);
	c->discovered = discovered;
	c->delay_until = delay_until > discovered ? delay_until : 0;
	c->affected = count_of(values, "affected", 0);
	c->max_state = count_of(values, "by_state", 1);
	c->individuals = discovered + 60 * DAY_US;
	/* delay_until is when the delay is over (the start of the day after
	 * its last day, casefile-incident(5)); a deadline it covers becomes
	 * that whole next day, as in the breach report. */
	if (c->delay_until && c->delay_until + DAY_US > c->individuals)
		c->individuals = c->delay_until + DAY_US;
	/* End of the calendar year of discovery, then 60 days: the first
	 * instant after the 60th day. */
	cf_civil_from_days(discovered / DAY_US - (discovered % DAY_US < 0), &y, &m, &d);
	end_of_year = cf_days_from_civil(y + 1, 1, 1) * DAY_US;
	if (c->affected >= 500) {
		c->hhs = c->individuals;
		c->hhs_basis = "500 or more affected: notify HHS with the individuals (164.408(b))";
	} else if (c->affected >= 0) {
		c->hhs = end_of_year + 60 * DAY_US;
		if (c->delay_until && c->delay_until + DAY_US > c->hhs)
			c->hhs = c->delay_until + DAY_US;
		c->hhs_basis = "fewer than 500 affected: annual log to HHS within 60 days after the calendar year ends (164.408(c))";
	} else {
		c->hhs = c->individuals;
		c->hhs_basis = "affected count not known yet: assuming 500 or more (164.408(b))";
	}
	if (c->max_state > 500) {
		c->media = c->individuals;
		c->media_basis = "more than 500 residents of one state: notify prominent media (164.406)";
	} else if (c->max_state >= 0) {
		c->media = 0;
		c->media_basis = "no state with more than 500 affected residents: no media notice required";
	} else {
		c->media = c->individuals;
		c->media_basis = "per-state counts not known yet: assuming a media notice is required (164.406)";
	}
	last_days(c);
}

int64_t pb_step_due(const struct pb_step *s, int64_t discovered,
		    int64_t delay_until)
{
	int64_t due;

	if (s->deadline_us < 0)
		return 0;
	due = discovered + s->deadline_us;
	if ((s->kind == PB_NOTIFY || s->kind == PB_DEADLINE) &&
	    delay_until > discovered && delay_until + DAY_US > due)
		due = delay_until + DAY_US;
	return due;
}
