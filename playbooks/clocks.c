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
 *
 * Days are the covered entity's local calendar days (covered_entity.
 * time_zone, else the offset written in `discovered`), counted with the
 * core's cf_local_day() as the breach report counts them, and a deadline
 * of whole days ends when the next local day begins: a discovery at 20:00
 * on December 31 in Chicago is a December 31 discovery, whatever the UTC
 * date. Deadlines of hours ("PT4H") run on the clock.
 */
#include <stdio.h>
#include <string.h>

#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/scope.h"
#include "casefile/time.h"
#include "casefile/tz.h"
#include "playbook.h"

#define DAY_US (86400LL * CF_US_PER_SEC)

int pb_cal_from_state(struct cf_ctx *ctx, const cJSON *state, struct pb_cal *cal)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(state, "calendar");
	const char *zone = cf_json_str(c, "time_zone", NULL);
	const cJSON *off = cJSON_GetObjectItemCaseSensitive(c, "offset_s");

	cal->tz = NULL;
	cal->offset_s = 0;
	/* a state written before the calendar was kept counts UTC days */
	if (cJSON_IsNumber(off) && off->valuedouble > -86400 && off->valuedouble < 86400)
		cal->offset_s = (int)off->valuedouble;
	if (!zone || !*zone)
		return CF_OK;
	if (!cf_tz_name_ok(zone))
		return cf_set_error(ctx, 0, "state: '%s' is not a time zone name", zone);
	return cf_tz_load(ctx, zone, &cal->tz);
}

void pb_cal_release(struct pb_cal *cal)
{
	cf_tz_free(cal->tz);
	cal->tz = NULL;
}

static int64_t local_day(const struct pb_cal *cal, int64_t us)
{
	return cal ? cf_local_day(cal->tz, cal->offset_s, us) : cf_local_day(NULL, 0, us);
}

/* The instant local day `day` is over (the next one begins). */
static int64_t day_end(const struct pb_cal *cal, int64_t day)
{
	return cal ? cf_local_day_start(cal->tz, cal->offset_s, day + 1)
		   : cf_local_day_start(NULL, 0, day + 1);
}

/* The later of a deadline and the end of the day after a law-enforcement
 * delay's last day (delay_until begins that day), as the report's
 * cf_breach_duties_compute() moves a due day. */
static int64_t delayed(const struct pb_cal *cal, int64_t due, int64_t delay_until)
{
	int64_t end;

	if (!delay_until)
		return due;
	end = day_end(cal, local_day(cal, delay_until));
	return end > due ? end : due;
}

char *pb_due_date(const struct pb_cal *cal, int64_t due, char out[PB_DATE_STR])
{
	int64_t y;
	unsigned m, d;

	/* the last day of a deadline is the day its last instant falls on */
	cf_civil_from_days(local_day(cal, due - 1), &y, &m, &d);
	snprintf(out, PB_DATE_STR, "%04d-%02u-%02u", (int)y, m, d);
	return out;
}

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

void pb_clocks_compute(struct pb_clocks *c, const struct pb_cal *cal,
		       int64_t discovered, int64_t delay_until, const cJSON *values)
{
	int64_t y, day = local_day(cal, discovered);
	unsigned m, d;

	memset(c, 0, sizeof *c);
	c->discovered = discovered;
	c->delay_until = delay_until > discovered ? delay_until : 0;
	c->affected = count_of(values, "affected", 0);
	c->max_state = count_of(values, "by_state", 1);
	/* the 60th local day after the day of discovery, to its end */
	c->individuals = delayed(cal, day_end(cal, day + 60), c->delay_until);
	cf_civil_from_days(day, &y, &m, &d);
	if (c->affected >= 500) {
		c->hhs = c->individuals;
		c->hhs_basis = "500 or more affected: notify HHS with the individuals (164.408(b))";
	} else if (c->affected >= 0) {
		/* 60 days after December 31 of the local year of discovery */
		c->hhs = delayed(cal, day_end(cal, cf_days_from_civil(y, 12, 31) + 60),
				 c->delay_until);
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
}

int64_t pb_step_due(const struct pb_step *s, const struct pb_cal *cal,
		    int64_t discovered, int64_t delay_until)
{
	int64_t due;

	if (s->deadline_us < 0)
		return 0;
	/* whole days are calendar days, ending with the local day; hours run
	 * on the clock */
	if (s->deadline_us % DAY_US == 0)
		due = day_end(cal, local_day(cal, discovered) + s->deadline_us / DAY_US);
	else
		due = discovered + s->deadline_us;
	if ((s->kind == PB_NOTIFY || s->kind == PB_DEADLINE) && delay_until > discovered)
		due = delayed(cal, due, delay_until);
	return due;
}
