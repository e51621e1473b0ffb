/* SPDX-License-Identifier: Apache-2.0
 *
 * syslog files: RFC 3164 (BSD, year-less local time), RFC 5424, and the
 * rsyslog variants with an RFC 3339 time stamp, with or without <PRI>,
 * mixed in one file; FreeBSD's "syslogd -v" form with "<facility.level>"
 * (or "<4.6>") between the time and the host.
 *
 * A BSD time stamp has neither year nor zone. The zone is the collected
 * host's: its tz database rules when collection.json names the zone (the
 * offset of each time stamp, daylight saving time included; "tz" and
 * "tz_name" kept in the event), else its UTC offset at collection time.
 * A wall-clock time that happens twice (clocks going back) is read as its
 * first occurrence unless that would put it before the line before it
 * while the second would not; a time that never happened (clocks jumping
 * forward) is read with the offset before the jump; both are marked
 * ("tz_ambiguous", "tz_gap").
 *
 * The year: the first dated line takes the latest year that does not put
 * it more than a day after the member's reference time (its file's mtime,
 * else the collection's start: a log is not written after its file's
 * mtime; the day covers an unknown zone and a clock a little off). Each
 * later line takes the year that puts it nearest to the line before it,
 * never after that limit: a step back of less than six months (a late
 * line, clock jitter, "Mar  1" then "Feb 28") is a step back in time, a
 * larger one (December to January) a new year. An RFC 3339 time stamp in
 * the file anchors the lines after it. "Feb 29" takes the nearest leap
 * year. A file whose lines leave gaps of more than six months, or that
 * spans many years, cannot be dated from its lines alone; events carry
 * "year_inferred" so that a reader knows.
 *
 * Lines that start with a space or a tab continue the record before them
 * (multi-line kernel or Java traces): they are appended to its message
 * (each after one space, up to TL_FIELD_MAX bytes, then "message_cut"),
 * the event keeps the first line's evidence pointer and says how many
 * lines it covers in "lines". The event is therefore emitted when the
 * next record starts, or at the end of the member.
 *
 * rsyslog's "message repeated N times: [ MSG]" is the event MSG, with
 * "repeat": N (the line stands for N more occurrences of the line before
 * it; a failure repeated is counted N times by scope). Messages of
 * programs casefile knows (sshd...) are interpreted further
 * (tl_program_interpret). A line without a syslog header (junk, or an
 * indented line after a rejected one) is a reject, never dropped.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/time.h"
#include "casefile/tz.h"
#include "tl.h"

#define DAY_US (86400 * CF_US_PER_SEC)

struct sys_state {
	int have_prev;
	int64_t prev_local;   /* wall-clock time (us) of the last dated line */
	int64_t prev_utc;     /* and its UTC time */
	/* the record being built: its event is held (with a copy of the
	 * run's arena and attributes, which every line resets) until the
	 * next record starts, for the continuation lines */
	int held;
	struct cf_event ev;
	uint64_t ln, off, nlines;
	struct cf_buf arena, attrs, more;
	int cut;
};

static int sys_start(struct tl_run *r)
{
	struct sys_state *st = r->state;

	cf_buf_init(&st->arena);
	cf_buf_init(&st->attrs);
	cf_buf_init(&st->more);
	return CF_OK;
}

static void sys_free(struct tl_run *r)
{
	struct sys_state *st = r->state;

	cf_buf_release(&st->arena);
	cf_buf_release(&st->attrs);
	cf_buf_release(&st->more);
}

/* Holds the event being built in place of emitting it. Its strings are in
 * the run's arena (tl_str), in static storage or in the meta: copying the
 * arena's bytes back at the same address brings every one back. */
static int hold(struct tl_run *r, struct cf_event *ev, uint64_t ln,
		uint64_t off)
{
	struct sys_state *st = r->state;

	cf_buf_reset(&st->arena);
	cf_buf_reset(&st->attrs);
	cf_buf_reset(&st->more);
	if (cf_buf_append(&st->arena, r->arena, r->arena_used) ||
	    cf_buf_append(&st->attrs, r->attrs.data, r->attrs.len))
		return cf_set_nomem(r->ctx, "syslog");
	st->ev = *ev;
	st->ln = ln;
	st->off = off;
	st->nlines = 1;
	st->cut = 0;
	st->held = 1;
	return CF_OK;
}

/* Emits the held event, with its continuation lines. */
static int flush(struct tl_run *r)
{
	struct sys_state *st = r->state;
	struct cf_event *ev = &st->ev;

	if (!st->held)
		return CF_OK;
	st->held = 0;
	tl_event_reset(r);
	memcpy(r->arena, st->arena.data, st->arena.len);
	r->arena_used = st->arena.len;
	if (cf_buf_append(&r->attrs, st->attrs.data, st->attrs.len))
		return cf_set_nomem(r->ctx, "syslog");
	if (st->more.len) {
		size_t m = ev->message ? strlen(ev->message) : 0;
		struct cf_buf all;
		cf_buf_init(&all);
		if (cf_buf_append(&all, ev->message, m) ||
		    cf_buf_append(&all, st->more.data, st->more.len)) {
			cf_buf_release(&all);
			return cf_set_nomem(r->ctx, "syslog");
		}
		if (all.len > TL_FIELD_MAX)
			st->cut = 1;
		ev->message = tl_str(r, all.data, all.len);
		cf_buf_release(&all);
	}
	if (st->nlines > 1)
		tl_attr_int(r, "lines", (int64_t)st->nlines);
	if (st->cut)
		tl_attr_bool(r, "message_cut", 1);
	return tl_emit(r, ev, st->ln, st->off);
}

/* An indented line: the held record's next line. */
static int continuation(struct tl_run *r, const char *s, size_t n)
{
	struct sys_state *st = r->state;
	size_t i = 0;

	st->nlines++;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (i == n)
		return CF_OK;
	if (st->more.len + (n - i) + 1 > TL_FIELD_MAX) {
		st->cut = 1;
		return CF_OK;
	}
	if (cf_buf_putc(&st->more, ' ') || cf_buf_append(&st->more, s + i, n - i))
		return cf_set_nomem(r->ctx, "syslog");
	return CF_OK;
}

static int sys_end(struct tl_run *r)
{
	return flush(r);
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

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The host's UTC offset (seconds) at a UTC instant (us). */
static int host_offset(const struct tl_meta *m, int64_t utc_us)
{
	return m->tz ? cf_tz_offset(m->tz, floor_div(utc_us, CF_US_PER_SEC))
		     : m->tz_offset_s;
}

/* Remembers a dated line: the next year-less one is dated near it. */
static void note_time(struct tl_run *r, int64_t utc_us)
{
	struct sys_state *st = r->state;

	st->have_prev = 1;
	st->prev_utc = utc_us;
	st->prev_local = utc_us + (int64_t)host_offset(r->meta, utc_us) * CF_US_PER_SEC;
}

static unsigned days_in(int64_t y, unsigned mon)
{
	return mon == 2 && !is_leap(y) ? 28 : month_days[mon - 1];
}

/* Dates a year-less "Mmm dd hh:mm:ss" in local time (us), by the rules of
 * the header comment. -1 when no year has that date. */
static int date_local(struct tl_run *r, unsigned mon, unsigned day,
		      int64_t tod, int64_t *out)
{
	struct sys_state *st = r->state;
	int64_t ref = r->meta->ref_us, limit, base, y, best = 0;
	unsigned bm, bd;
	int found = 0;

	limit = ref + (int64_t)host_offset(r->meta, ref) * CF_US_PER_SEC + DAY_US;
	cf_civil_from_days(floor_div(st->have_prev ? st->prev_local : limit - DAY_US,
				     DAY_US), &base, &bm, &bd);
	for (y = base - 8; y <= base + 1; y++) {
		int64_t t;
		if (day > days_in(y, mon))
			continue;
		t = cf_days_from_civil(y, mon, day) * DAY_US + tod;
		if (t > limit)
			continue;
		if (!found || (st->have_prev ? llabs(t - st->prev_local) <
						       llabs(best - st->prev_local)
					      : t > best))
			best = t;
		found = 1;
	}
	if (!found)
		return -1;
	*out = best;
	return 0;
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

/* FreeBSD syslogd -v writes "<4.6>", -vv "<auth.info>" (names from
 * <syslog.h>'s facilitynames and prioritynames, numbers when a code has
 * no name) between the time and the host. Returns the length of
 * "<fac.pri> " at s, adding "facility" and "severity", or 0. */
static size_t verbose_facpri(struct tl_run *r, const char *s, size_t n)
{
	static const char *const fac[] = {
		"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
		"uucp", "cron", "authpriv", "ftp", "ntp", "security", "console",
		NULL, "local0", "local1", "local2", "local3", "local4", "local5",
		"local6", "local7"};
	static const struct {
		const char *name;
		int v;
	} pri[] = {{"emerg", 0}, {"panic", 0}, {"alert", 1}, {"crit", 2},
		   {"err", 3}, {"error", 3}, {"warning", 4}, {"warn", 4},
		   {"notice", 5}, {"info", 6}, {"debug", 7}};
	size_t dot = 0, end, i;
	long f = -1, p = -1;

	if (n < 5 || s[0] != '<')
		return 0;
	for (end = 1; end < n && end < 24 && s[end] != '>'; end++)
		if (s[end] == '.' && !dot)
			dot = end;
	if (end >= n || s[end] != '>' || !dot || dot == 1 || dot + 1 == end ||
	    end + 1 >= n || s[end + 1] != ' ')
		return 0;
	for (i = 0; i < sizeof fac / sizeof fac[0]; i++)
		if (fac[i] && strlen(fac[i]) == dot - 1 &&
		    !memcmp(fac[i], s + 1, dot - 1))
			f = (long)i;
	for (i = 0; i < sizeof pri / sizeof pri[0]; i++)
		if (strlen(pri[i].name) == end - dot - 1 &&
		    !memcmp(pri[i].name, s + dot + 1, end - dot - 1))
			p = pri[i].v;
	if (f < 0) {
		size_t used;
		f = (long)tl_digits(s + 1, dot - 1, &used);
		if (used != dot - 1 || f > 23)
			return 0;
	}
	if (p < 0) {
		if (end - dot != 2 || !isdigit((unsigned char)s[dot + 1]) ||
		    s[dot + 1] > '7')
			return 0;
		p = s[dot + 1] - '0';
	}
	tl_attr_int(r, "facility", f);
	tl_attr_int(r, "severity", p);
	return end + 2;
}

/* rsyslog's "message repeated N times: [ MSG]": the event is MSG's, with
 * "repeat": N; then the program's interpreter. The message stays the
 * line's own. */
static void interpret(struct tl_run *r, struct cf_event *ev, const char *prog,
		      size_t plen, const char *msg, size_t n)
{
	static const char pre[] = "message repeated ";
	size_t i = sizeof pre - 1;
	int64_t times = 0;

	if (n > i + 10 && !memcmp(msg, pre, i) && msg[n - 1] == ']' &&
	    isdigit((unsigned char)msg[i])) {
		for (; i < n && isdigit((unsigned char)msg[i]) && times < 1000000000; i++)
			times = times * 10 + (msg[i] - '0');
		if (n - i > 9 && !memcmp(msg + i, " times: [", 9) && times > 0) {
			i += 9;
			while (i < n - 1 && msg[i] == ' ')
				i++;
			tl_attr_int(r, "repeat", times);
			msg += i;
			n -= i + 1;
		}
	}
	tl_program_interpret(r, ev, prog, plen, msg, n);
}

/* After the time: [<fac.pri>] [HOST] TAG[PID]: MSG. */
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
		return hold(r, ev, ln, off);
	}
	while (i < n && s[i] == ' ')
		i++;
	i += verbose_facpri(r, s + i, n - i);
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
	interpret(r, ev, s + ts, te - ts, msg, mlen);
	return hold(r, ev, ln, off);
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
	note_time(r, ev->ts_us);
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
	interpret(r, ev, f[2], fl[2], s + i, n - i);
	return hold(r, ev, ln, off);
}

static int sys_line(struct tl_run *r, const char *s, size_t n, uint64_t ln,
		    uint64_t off)
{
	struct sys_state *st = r->state;
	struct cf_event ev = {.ts_desc = "Event Recorded"};
	unsigned mon, day;
	int64_t tod, us;
	size_t k, i = 0;
	int tzoff, rc;

	if (!n) /* a blank line inside a trace does not end the record */
		return tl_reject(r, ln, off, "empty line");
	if (s[0] == ' ' || s[0] == '\t') {
		if (st->held)
			return continuation(r, s, n);
		return tl_reject(r, ln, off, "syslog: indented line without "
			"a record before it");
	}
	if ((rc = flush(r)) != CF_OK)
		return rc;
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
		if (day > month_days[mon - 1] ||
		    date_local(r, mon, day, tod, &us))
			return tl_reject(r, ln, off, "syslog: no such day");
		tl_attr_bool(r, "year_inferred", 1);
		ev.ts_us = tl_local_to_utc(r, us, st->have_prev ? st->prev_utc
							     : INT64_MIN);
		note_time(r, ev.ts_us);
		return bsd_rest(r, &ev, s + i + k, n - i - k, ln, off);
	}
	if ((k = rfc3339_time(s + i, n - i, &us, &tzoff)) == (size_t)-1)
		return tl_reject(r, ln, off, "syslog: bad or out-of-range time stamp");
	if (k) {
		ev.ts_us = us;
		note_time(r, us);
		tl_attr_tz(r, tzoff);
		return bsd_rest(r, &ev, s + i + k, n - i - k, ln, off);
	}
	return tl_reject(r, ln, off, "syslog: no syslog header");
}

const struct tl_parser tl_syslog = {
	.name = "syslog",
	.state_size = sizeof(struct sys_state),
	.start = sys_start,
	.line = sys_line,
	.end = sys_end,
	.free = sys_free,
};
