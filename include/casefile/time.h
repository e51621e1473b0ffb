/* SPDX-License-Identifier: Apache-2.0
 *
 * Time as signed 64-bit microseconds since the Unix epoch, UTC.
 *
 * Output is always RFC 3339 UTC with six fractional digits
 * ("2026-03-01T14:02:03.123456Z", SPEC section 0). Parsing accepts RFC 3339
 * with any number of fractional digits (truncated to microseconds), 'Z' or a
 * numeric offset, and a space instead of 'T'; it reports the offset so that
 * callers can keep the source's zone. Years 0001-9999 only: anything else is
 * out of range and refused rather than wrapped.
 */
#ifndef CASEFILE_TIME_H
#define CASEFILE_TIME_H

#include <stdint.h>

#define CF_TIME_STR 32 /* room for "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" + NUL */
#define CF_US_PER_SEC 1000000LL

/* Parses; *us gets UTC microseconds, *offset_s (may be NULL) the offset in
 * seconds east of UTC. Returns 0, or -1 when s is not RFC 3339 or out of
 * range. `len` is the number of bytes of s to read (s need not be NUL-
 * terminated), or -1 for strlen(s). */
int cf_time_parse(const char *s, long len, int64_t *us, int *offset_s);
/* A bound of a time range: RFC 3339 as cf_time_parse(), or a date alone
 * (YYYY-MM-DD, UTC), which is the day's first microsecond as a start and
 * its last as an end (end != 0), so that `--to 2026-03-01` takes in the
 * whole day. 0, or -1 as cf_time_parse(). */
int cf_time_parse_bound(const char *s, int end, int64_t *us);
/* Formats as RFC 3339 UTC with microseconds; returns out. */
char *cf_time_format(int64_t us, char out[CF_TIME_STR]);
/* Microseconds since the epoch from the real-time clock. */
int64_t cf_time_now(void);
/* Days from civil date (proleptic Gregorian) and back; month 1-12. */
int64_t cf_days_from_civil(int64_t y, unsigned m, unsigned d);
void cf_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);
/* Parses an ISO 8601 duration made of days, hours, minutes, seconds and
 * weeks ("P60D", "PT72H", "P1DT12H", "P2W") into microseconds; 0 or -1.
 * Years and months are refused: their length depends on the start date. */
int cf_duration_parse(const char *s, int64_t *us);

#endif
