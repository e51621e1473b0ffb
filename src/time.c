/* SPDX-License-Identifier: Apache-2.0
 *
 * RFC 3339 parsing and formatting on int64 microseconds (UTC).
 *
 * Calendar arithmetic uses Howard Hinnant's days_from_civil algorithm rather
 * than timegm()/gmtime_r() so that results never depend on the process's TZ,
 * the C library's range limits or locale, and so that a hostile timestamp
 * ("9999-99-99") is refused instead of normalised into another date.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casefile/time.h"

int64_t cf_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void cf_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned char dm[] = {31, 28, 31, 30, 31, 30,
					   31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

/* Reads exactly n digits at s[*i]; -1 when they are not all digits. */
static long digits(const char *s, size_t len, size_t *i, int n)
{
	long v = 0;

	if (*i + (size_t)n > len)
		return -1;
	for (int k = 0; k < n; k++) {
		char c = s[*i + (size_t)k];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*i += (size_t)n;
	return v;
}

static int expect(const char *s, size_t len, size_t *i, char c)
{
	if (*i >= len || s[*i] != c)
		return -1;
	(*i)++;
	return 0;
}

int cf_time_parse(const char *s, long slen, int64_t *us, int *offset_s)
{
	size_t len = slen < 0 ? strlen(s) : (size_t)slen, i = 0;
	long y, mo, d, h, mi, sec, frac = 0, off = 0;
	int fdigits = 0;

	if ((y = digits(s, len, &i, 4)) < 1 || expect(s, len, &i, '-') ||
	    (mo = digits(s, len, &i, 2)) < 1 || mo > 12 ||
	    expect(s, len, &i, '-') || (d = digits(s, len, &i, 2)) < 1 ||
	    d > (long)days_in_month(y, (unsigned)mo))
		return -1;
	if (i >= len || (s[i] != 'T' && s[i] != 't' && s[i] != ' '))
		return -1;
	i++;
	if ((h = digits(s, len, &i, 2)) < 0 || h > 23 ||
	    expect(s, len, &i, ':') || (mi = digits(s, len, &i, 2)) < 0 ||
	    mi > 59 || expect(s, len, &i, ':') ||
	    (sec = digits(s, len, &i, 2)) < 0 || sec > 60)
		return -1;
	if (sec == 60) /* leap second: held at :59.999999 */
		sec = 59, frac = 999999, fdigits = 6;
	if (i < len && (s[i] == '.' || s[i] == ',')) {
		i++;
		if (i >= len || s[i] < '0' || s[i] > '9')
			return -1;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (fdigits < 6)
				frac = frac * 10 + (s[i] - '0'), fdigits++;
			i++;
		}
	}
	while (fdigits < 6)
		frac *= 10, fdigits++;
	if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i < len && (s[i] == '+' || s[i] == '-')) {
		int sign = s[i] == '-' ? -1 : 1;
		long oh, om;
		i++;
		if ((oh = digits(s, len, &i, 2)) < 0 || oh > 23)
			return -1;
		if (i < len && s[i] == ':')
			i++;
		if ((om = digits(s, len, &i, 2)) < 0 || om > 59)
			return -1;
		off = sign * (oh * 3600 + om * 60);
	} else {
		return -1;
	}
	if (i != len)
		return -1;
	*us = ((cf_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
		h * 3600 + mi * 60 + sec - off) *
	       CF_US_PER_SEC) + frac;
	if (offset_s)
		*offset_s = (int)off;
	return 0;
}

int cf_time_parse_bound(const char *s, int end, int64_t *us)
{
	char full[CF_TIME_STR];

	if (strlen(s) == 10) {
		/* a date alone: its first or last microsecond, UTC */
		snprintf(full, sizeof full, "%sT%s", s,
			 end ? "23:59:59.999999Z" : "00:00:00Z");
		return cf_time_parse(full, -1, us, NULL);
	}
	return cf_time_parse(s, -1, us, NULL);
}

char *cf_time_format(int64_t us, char out[CF_TIME_STR])
{
	int64_t secs = us / CF_US_PER_SEC, frac = us % CF_US_PER_SEC, days, y;
	int64_t sod;
	unsigned m, d;

	if (frac < 0)
		frac += CF_US_PER_SEC, secs--;
	days = secs / 86400;
	sod = secs % 86400;
	if (sod < 0)
		sod += 86400, days--;
	cf_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		strcpy(out, y < 0 ? "0000-01-01T00:00:00.000000Z"
				  : "9999-12-31T23:59:59.999999Z");
		return out;
	}
	/* Each field is bounded above, so the output always fits. */
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = 'T';
	out[11] = (char)('0' + sod / 36000);
	out[12] = (char)('0' + sod / 3600 % 10);
	out[13] = ':';
	out[14] = (char)('0' + sod % 3600 / 600);
	out[15] = (char)('0' + sod % 3600 / 60 % 10);
	out[16] = ':';
	out[17] = (char)('0' + sod % 60 / 10);
	out[18] = (char)('0' + sod % 10);
	out[19] = '.';
	for (int k = 25; k >= 20; k--) {
		out[k] = (char)('0' + frac % 10);
		frac /= 10;
	}
	out[26] = 'Z';
	out[27] = '\0';
	return out;
}

int64_t cf_time_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * CF_US_PER_SEC + ts.tv_nsec / 1000;
}

int cf_duration_parse(const char *s, int64_t *us)
{
	/* The largest total that still fits in int64 microseconds. */
	const int64_t max_s = INT64_MAX / CF_US_PER_SEC;
	int64_t total = 0;
	int in_time = 0, any = 0, rank = 0;

	if (!s || *s++ != 'P')
		return -1;
	while (*s) {
		int64_t v = 0, mult;
		int nd = 0, r;
		if (*s == 'T') {
			if (in_time)
				return -1;
			in_time = 1;
			s++;
			if (!*s)
				return -1;
			continue;
		}
		while (*s >= '0' && *s <= '9') {
			if (++nd > 9)
				return -1;
			v = v * 10 + (*s++ - '0');
		}
		if (!nd)
			return -1;
		switch (*s) {
		case 'W': mult = in_time ? 0 : 7 * 86400LL, r = 1; break;
		case 'D': mult = in_time ? 0 : 86400LL, r = 2; break;
		case 'H': mult = in_time ? 3600LL : 0, r = 3; break;
		case 'M': mult = in_time ? 60LL : 0, r = 4; break;
		case 'S': mult = in_time ? 1LL : 0, r = 5; break;
		default: return -1;
		}
		/* Each unit at most once and in ISO 8601 order ("P1D1D" and
		 * "PT1S1H" are refused), and no overflow: v * mult is at most
		 * 999999999 weeks, far inside int64. */
		if (!mult || r <= rank || v * mult > max_s - total)
			return -1;
		rank = r;
		total += v * mult;
		any = 1;
		s++;
	}
	if (!any)
		return -1;
	*us = total * CF_US_PER_SEC;
	return 0;
}
