/* SPDX-License-Identifier: Apache-2.0
 *
 * Time zone rules from the tz database (TZif files, RFC 8536), for turning
 * the local wall-clock times of a source host's logs into UTC with the
 * daylight saving time in force at each instant.
 *
 * glibc's mktime() would do the same through setenv("TZ") and tzset(), but
 * that changes process-wide state and timeline builds parse members in
 * threads; a zone loaded here is an immutable value that any number of
 * threads may read. A file is read once (cf_tz_load), its transitions kept,
 * and instants beyond the last transition follow the file's footer (the
 * POSIX TZ rule of version 2+ files: "CST6CDT,M3.2.0,M11.1.0"). Leap-second
 * records ("right/" zones) are ignored: casefile's times are POSIX times.
 */
#ifndef CASEFILE_TZ_H
#define CASEFILE_TZ_H

#include <stddef.h>
#include <stdint.h>

struct cf_ctx;
struct cf_tz;

#define CF_TZ_NAME_MAX 255 /* longest zone name accepted */

/* Kinds of local time, as cf_tz_local_to_utc() finds them. */
enum {
	CF_TZ_UNIQUE = 0,    /* one instant has this wall-clock time */
	CF_TZ_AMBIGUOUS = 1, /* two (clocks went back over it) */
	CF_TZ_GAP = 2,       /* none (clocks jumped over it) */
};

/* 1 when name is a plausible tz database name ("Europe/Berlin", "UTC",
 * "America/Argentina/Buenos_Aires"): letters, digits, '_', '-', '+', '.'
 * and '/' between non-empty components, no "." or ".." component, not
 * absolute. A name from evidence must pass before it names a file. */
int cf_tz_name_ok(const char *name);

/* Loads zone `name` from the tz database: $TZDIR when set, else
 * /usr/share/zoneinfo. CF_OK with *out (free with cf_tz_free), CF_FAILED
 * when the name is refused, the file is missing or not a valid TZif file,
 * CF_FATAL on no memory; the message names the zone. */
int cf_tz_load(struct cf_ctx *ctx, const char *name, struct cf_tz **out);
/* Parses TZif bytes (version 1, 2, 3 or 4); `name` is kept for messages
 * and cf_tz_name(). Same returns as cf_tz_load. */
int cf_tz_parse(struct cf_ctx *ctx, const char *name, const void *p, size_t n,
		struct cf_tz **out);
void cf_tz_free(struct cf_tz *tz);
const char *cf_tz_name(const struct cf_tz *tz);

/* UTC offset (seconds east) in force at `utc_s` (seconds since the epoch). */
int cf_tz_offset(const struct cf_tz *tz, int64_t utc_s);

/* The UTC instant of the wall-clock time `local_s` (seconds since the epoch
 * as if the local time were UTC). Returns CF_TZ_UNIQUE, CF_TZ_AMBIGUOUS
 * (then *utc_s is the first occurrence, the one before clocks went back) or
 * CF_TZ_GAP (then the offset in force before the jump is used: 02:30 in a
 * spring-forward gap from 02:00 to 03:00 reads as 03:30 after it).
 * *offset_s gets the offset applied. `alt_s` (may be NULL) gets the other
 * occurrence of an ambiguous time, else *utc_s. */
int cf_tz_local_to_utc(const struct cf_tz *tz, int64_t local_s, int64_t *utc_s,
		       int *offset_s, int64_t *alt_s);

#endif
