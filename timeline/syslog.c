/* SPDX-License-Identifier: Apache-2.0
 *
 * syslog files: RFC 3164 (BSD, year-less local time), RFC 5424, and the
 * rsyslog variants with an RFC 3339 time stamp, with or without <PRI>.
 *
 * A BSD time stamp has neither year nor zone. The zone is the collected
 * host's UTC offset (collection.json), kept in the event as "tz"; the year
 * is inferred from the member's reference time (the file's mtime, else the
 * collection's start): the first line takes the reference's year, or the
 * year before when its month and day come after the reference's (a log is
 * never written after its file's mtime), and the year moves on each time
 * the month goes backwards (December to January). A file that spans more
 * than twelve months cannot be dated from its lines alone; events carry
 * "year_inferred" so that a reader knows. Messages of programs casefile
 * knows (sshd...) are interpreted further (tl_program_interpret). A line without a syslog header (the second
 * line of a multi-line message, junk) is a reject, never dropped.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/time.h"
#include "tl.h"

struct sys_state {
	int have_year;
	int64_t year;
	unsigned last_month;
};

static int sys_start(struct tl_run *r)
{
	if (!(r->state = cf_calloc(1, sizeof(struct sys_state))))
		return cf_set_nomem(r->ctx, "syslog");
	return CF_OK;
}

static void sys_free(struct tl_run *r)
{
	free(r->state);
	r->state = NULL;
}

static const unsigned char month_days[] = {31, 29, 31, 30, 31, 30,
					    31, 31, 30, 31, 30, 31};

static int num(const char *s, size_t n, size_t *i, int digits, long *v)
{
	*v = 0;
	for (int k = 0; k < digits; k++, (*i)++) {
		if (*i >= n || !isdigit((unsigned char)s[*i]))
			return -1;
		*v = *v * 10 + (s[*i] - '0');
	}
	return 0;
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* "Mmm dd hh:mm:ss[.ffffff]": fills month, day and seconds of day (us).
 * Returns the length consumed, 0 when s does not start with one. */
static size_t bsd_time(const char *s, size_t n, unsigned *mon, unsigned *day,
		       int64_t *tod_us)
{
	size_t i = 4;
	long d, h, mi, se, frac = 0;
	int fd = 0;

	if (n < 15 || !(*mon = (unsigned)tl_month(s)) || s[3] != ' ')
		return 0;
	if (s[i] == ' ')
		i++;
	if (isdigit((unsigned char)s[i]) && i + 1 < n &&
	    isdigit((unsigned char)s[i + 1])) {
		if (num(s, n, &i, 2, &d))
			return 0;
	} else if (num(s, n, &i, 1, &d)) {
		return 0;
	}
	if (i >= n || s[i++] != ' ' || num(s, n, &i, 2, &h) || i >= n ||
	    s[i++] != ':' || num(s, n, &i, 2, &mi) || i >= n || s[i++] != ':' ||
	    num(s, n, &i, 2, &se))
		return 0;
	if (i < n && s[i] == '.') {
		for (i++; i < n && isdigit((unsigned char)s[i]); i++, fd++)
			if (fd < 6)
				frac = frac * 10 + (s[i] - '0');
		for (; fd < 6; fd++)
			frac *= 10;
	}
	if (d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return (size_t)-1;
	*day = (unsigned)d;
	*tod_us = ((h * 60 + mi) * 60 + se) * CF_US_PER_SEC + frac;
	return i;
}

/* RFC 3339 time stamp at s: length consumed (0 when none). */
static size_t rfc3339_time(const char *s, size_t n, int64_t *us, int *off)
{
	size_t end = 0;

	while (end < n && s[end] != ' ')
		end++;
	if (end < 19 || !isdigit((unsigned char)s[0]) || s[4] != '-' ||
	    s[10] != 'T')
		return 0;
	if (cf_time_parse(s, (long)end, us, off))
		return (size_t)-1;
	return end;
}

static int64_t infer_year(struct tl_run *r, unsigned mon, unsigned day)
{
	struct sys_state *st = r->state;

	if (!st->have_year) {
		int64_t ry;
		unsigned rm, rd;
		int64_t local = r->meta->ref_us +
				(int64_t)r->meta->tz_offset_s * CF_US_PER_SEC;
		int64_t days = local / (86400 * CF_US_PER_SEC);

		if (local < 0 && local % (86400 * CF_US_PER_SEC))
			days--;
		cf_civil_from_days(days, &ry, &rm, &rd);
		st->year = (mon > rm || (mon == rm && day > rd)) ? ry - 1 : ry;
		st->have_year = 1;
	} else if (mon < st->last_month) {
		st->year++;
	}
	st->last_month = mon;
	return st->year;
}

static int is_level(const char *s, size_t n)
{
	static const char *const lv[] = {"EMERG", "ALERT", "CRIT", "ERR", "ERROR",
					 "WARNING", "WARN", "NOTICE", "INFO",
					 "DEBUG", NULL};
	for (int i = 0; lv[i]; i++)
		if (strlen(lv[i]) == n && !memcmp(lv[i], s, n))
			return 1;
	return 0;
}

/* After the time: [HOST] TAG[PID]: MSG. */
static int bsd_rest(struct tl_run *r, struct cf_event *ev, const char *s,
		   size_t n, uint64_t ln, uint64_t off)
{
	size_t i = 0, hs, he, ts, te, ps = 0, pe = 0;
	const char *msg;
	size_t mlen;

	if (i < n && s[i] == ':') { /* "Mar 11 09:39:39: --- last message ..." */
		i++;
		while (i < n && s[i] == ' ')
			i++;
		ev->message = tl_str(r, s + i, n - i);
		return tl_emit(r, ev, ln, off);
	}
	while (i < n && s[i] == ' ')
		i++;
	hs = i;
	while (i < n && s[i] != ' ')
		i++;
	he = i;
	while (i < n && s[i] == ' ')
		i++;
	if (he == hs)
		return tl_reject(r, ln, off, "syslog: no host or message");
	/* A host-less line: the first word is already the tag ("sshd[3]:"). */
	if (s[he - 1] == ':' || memchr(s + hs, '[', he - hs)) {
		i = hs;
	} else if (is_level(s + hs, he - hs)) {
		tl_attr_str(r, "severity", s + hs, he - hs);
	} else {
		ev->host = tl_str(r, s + hs, he - hs);
	}
	ts = i;
	while (i < n && s[i] != ' ' && s[i] != '[' && s[i] != ':')
		i++;
	te = i;
	if (i < n && s[i] == ' ') {
		/* a tag with spaces ("syslogd 1.4.1: restart", "-- root[1]: x")
		 * ends at ": " or at "[pid]:" within a few words */
		size_t q = i, lim = n - i < 48 ? n : i + 48, spaces = 0;
		for (; q < lim; q++) {
			if (s[q] == ' ')
				spaces++;
			if (s[q] == '[' || (s[q] == ':' && q + 1 < n && s[q + 1] == ' '))
				break;
		}
		if (q < lim && spaces <= 2 &&
		    (s[q] == ':' || (memchr(s + q, ']', lim - q) &&
				     ((const char *)memchr(s + q, ']', lim - q))[1] == ':'))) {
			i = q;
			te = q;
		}
	}
	if (i < n && s[i] == '[') {
		ps = ++i;
		while (i < n && s[i] != ']')
			i++;
		pe = i;
		if (i < n)
			i++;
	}
	if (i < n && s[i] == ':') {
		i++;
	} else if (i < n && s[i] == ' ' && i + 1 < n && s[i + 1] == '<') {
		i++; /* macOS "prog[pid] <Info>: msg" keeps the level in msg */
	} else if (i >= n && te > ts) {
		/* tag only */
	} else if (ps == 0) {
		/* no "tag:": the first word is the tag, the rest the message */
	}
	while (i < n && s[i] == ' ')
		i++;
	msg = s + i;
	mlen = n - i;
	while (mlen && msg[mlen - 1] == ' ')
		mlen--;
	if (te > ts)
		tl_attr_str(r, "program", s + ts, te - ts);
	if (pe > ps)
		tl_attr_str(r, "pid", s + ps, pe - ps);
	ev->message = tl_str(r, msg, mlen);
	tl_program_interpret(r, ev, s + ts, te - ts, msg, mlen);
	return tl_emit(r, ev, ln, off);
}

static int rfc5424(struct tl_run *r, struct cf_event *ev, const char *s,
		   size_t n, uint64_t ln, uint64_t off)
{
	const char *f[5];
	size_t fl[5], i = 0;
	int tzoff;

	for (int k = 0; k < 5; k++) {
		f[k] = s + i;
		while (i < n && s[i] != ' ')
			i++;
		fl[k] = (size_t)(s + i - f[k]);
		if (i >= n || !fl[k])
			return tl_reject(r, ln, off, "syslog: truncated RFC 5424 header");
		i++;
	}
	/* f: TIMESTAMP HOSTNAME APP-NAME PROCID MSGID */
	if (fl[0] == 1 && f[0][0] == '-')
		return tl_reject(r, ln, off, "syslog: RFC 5424 line without time");
	if (cf_time_parse(f[0], (long)fl[0], &ev->ts_us, &tzoff))
		return tl_reject(r, ln, off, "syslog: bad or out-of-range time stamp");
	tl_attr_tz(r, tzoff);
	if (!(fl[1] == 1 && f[1][0] == '-'))
		ev->host = tl_str(r, f[1], fl[1]);
	if (!(fl[2] == 1 && f[2][0] == '-'))
		tl_attr_str(r, "program", f[2], fl[2]);
	if (!(fl[3] == 1 && f[3][0] == '-'))
		tl_attr_str(r, "pid", f[3], fl[3]);
	if (!(fl[4] == 1 && f[4][0] == '-'))
		tl_attr_str(r, "msgid", f[4], fl[4]);
	/* STRUCTURED-DATA: "-" or [id k="v" ...]..., ']' escaped as \] */
	if (s[i] == '-') {
		i++;
	} else if (s[i] == '[') {
		size_t sd = i;
		int in_q = 0;
		while (i < n) {
			if (s[i] == '\\' && i + 1 < n) {
				i += 2;
				continue;
			}
			if (s[i] == '"')
				in_q = !in_q;
			else if (s[i] == ']' && !in_q && (i + 1 >= n || s[i + 1] != '['))
				break;
			i++;
		}
		if (i >= n)
			return tl_reject(r, ln, off, "syslog: unterminated structured data");
		i++;
		tl_attr_str(r, "sd", s + sd, i - sd);
	} else {
		return tl_reject(r, ln, off, "syslog: bad structured data");
	}
	while (i < n && s[i] == ' ')
		i++;
	if (n - i >= 3 && !memcmp(s + i, "\xef\xbb\xbf", 3))
		i += 3;
	ev->message = tl_str(r, s + i, n - i);
	tl_program_interpret(r, ev, f[2], fl[2], s + i, n - i);
	return tl_emit(r, ev, ln, off);
}

static int sys_line(struct tl_run *r, const char *s, size_t n, uint64_t ln,
		    uint64_t off)
{
	struct cf_event ev = {.ts_desc = "Event Recorded"};
	unsigned mon, day;
	int64_t tod, us;
	size_t k, i = 0;
	int tzoff;

	if (!n)
		return tl_reject(r, ln, off, "empty line");
	if (memchr(s, '\0', n))
		return tl_reject(r, ln, off, "NUL byte in line");
	if (s[0] == '<') { /* <PRI> */
		long pri = 0;
		for (i = 1; i < n && i < 5 && isdigit((unsigned char)s[i]); i++)
			pri = pri * 10 + (s[i] - '0');
		if (i == 1 || i >= n || s[i] != '>' || pri > 191)
			return tl_reject(r, ln, off, "syslog: bad <PRI>");
		i++;
		tl_attr_int(r, "facility", pri / 8);
		tl_attr_int(r, "severity", pri % 8);
		if (n - i >= 2 && s[i] == '1' && s[i + 1] == ' ')
			return rfc5424(r, &ev, s + i + 2, n - i - 2, ln, off);
	}
	if ((k = bsd_time(s + i, n - i, &mon, &day, &tod)) == (size_t)-1)
		return tl_reject(r, ln, off, "syslog: time stamp out of range");
	if (k) {
		int64_t year = infer_year(r, mon, day);
		if (mon == 2 && day == 29 && !is_leap(year))
			return tl_reject(r, ln, off,
					 "syslog: Feb 29 in inferred year %lld",
					 (long long)year);
		if (day > month_days[mon - 1])
			return tl_reject(r, ln, off, "syslog: no such day");
		us = cf_days_from_civil(year, mon, day) * 86400 * CF_US_PER_SEC + tod;
		ev.ts_us = us - (int64_t)r->meta->tz_offset_s * CF_US_PER_SEC;
		tl_attr_bool(r, "year_inferred", 1);
		tl_attr_tz(r, r->meta->tz_offset_s);
		if (!r->meta->tz_known)
			tl_attr_bool(r, "tz_assumed", 1);
		return bsd_rest(r, &ev, s + i + k, n - i - k, ln, off);
	}
	if ((k = rfc3339_time(s + i, n - i, &us, &tzoff)) == (size_t)-1)
		return tl_reject(r, ln, off, "syslog: bad or out-of-range time stamp");
	if (k) {
		ev.ts_us = us;
		tl_attr_tz(r, tzoff);
		return bsd_rest(r, &ev, s + i + k, n - i - k, ln, off);
	}
	return tl_reject(r, ln, off, "syslog: no syslog header");
}

const struct tl_parser tl_syslog = {
	.name = "syslog",
	.start = sys_start,
	.line = sys_line,
	.free = sys_free,
};
