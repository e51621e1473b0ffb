/* SPDX-License-Identifier: Apache-2.0
 *
 * Web server logs: access logs in the common, combined and vhost_combined
 * formats, and the Apache error log (2.2 and 2.4 styles).
 *
 * An access line gives who (the authenticated user), from where (client
 * address), what (method and URI) and the result (status): a status below
 * 400 counts as success. When the URI names a FHIR patient
 * ("/Patient/ID", "?patient=ID", "subject=Patient/ID") the event carries
 * that patient, so that web logs of an EHR front end take part in scoping.
 * Apache and nginx escape quotes inside the request; other servers (and
 * forged lines) do not, so a request holding raw quotes is read by
 * anchoring on the status and size from the end of the line (marked
 * "raw_quotes": where a request and a user agent both hold such quotes the
 * split is a guess, the last plausible one). A reject says what failed.
 * Error-log time stamps are local time of the host, like BSD syslog.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/error.h"
#include "casefile/time.h"
#include "tl.h"

static int dig(const char *s, int n, long *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

static int civil_us(long y, long mo, long d, long h, long mi, long s,
		    int64_t *us)
{
	static const unsigned char dm[] = {31, 29, 31, 30, 31, 30,
					   31, 31, 30, 31, 30, 31};
	if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > dm[mo - 1] ||
	    h > 23 || mi > 59 || s > 60)
		return -1;
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100) || y % 400 == 0))
		return -1;
	*us = ((cf_days_from_civil(y, (unsigned)mo, (unsigned)d) * 24 + h) * 60 +
	       mi) * 60 * CF_US_PER_SEC + s * CF_US_PER_SEC;
	return 0;
}

/* "20/Jul/2009:22:59:26 +0000" (26 chars) */
static int clf_time(const char *s, size_t n, int64_t *us, int *off)
{
	long d, y, h, mi, se, zh, zm;
	int mo;

	if (n < 26 || s[2] != '/' || s[6] != '/' || s[11] != ':' || s[20] != ' ' ||
	    (s[21] != '+' && s[21] != '-') || dig(s, 2, &d) ||
	    !(mo = tl_month(s + 3)) || dig(s + 7, 4, &y) || dig(s + 12, 2, &h) ||
	    dig(s + 15, 2, &mi) || dig(s + 18, 2, &se) || dig(s + 22, 2, &zh) ||
	    dig(s + 24, 2, &zm) || zh > 23 || zm > 59)
		return -1;
	if (civil_us(y, mo, d, h, mi, se, us))
		return -1;
	*off = (int)((zh * 60 + zm) * 60) * (s[21] == '-' ? -1 : 1);
	*us -= (int64_t)*off * CF_US_PER_SEC;
	return 0;
}

/* Reads a "quoted" field with \" escapes; returns the index after it. */
static size_t quoted(const char *s, size_t n, size_t i, size_t *b, size_t *e)
{
	if (i >= n || s[i] != '"')
		return 0;
	*b = ++i;
	while (i < n && s[i] != '"') {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		i++;
	}
	if (i >= n)
		return 0;
	*e = i;
	return i + 1;
}

/* The patient a FHIR-style URI names, or NULL. */
static const char *uri_patient(struct tl_run *r, const char *u, size_t n)
{
	static const char *const keys[] = {"/Patient/", "patient=Patient%2F",
					   "patient=Patient/", "subject=Patient/",
					   "subject=Patient%2F", "patient=", NULL};
	for (int k = 0; keys[k]; k++) {
		size_t kl = strlen(keys[k]);
		for (size_t i = 0; i + kl < n; i++) {
			size_t j;
			if (memcmp(u + i, keys[k], kl))
				continue;
			if (keys[k][0] != '/' && i && u[i - 1] != '?' && u[i - 1] != '&')
				continue;
			j = i + kl;
			while (j < n && (isalnum((unsigned char)u[j]) || u[j] == '-' ||
					 u[j] == '.' || u[j] == '_'))
				j++;
			if (j > i + kl)
				return tl_str(r, u + i + kl, j - i - kl);
		}
	}
	return NULL;
}

/* 1 when s[i..] is `" SSS SIZE` (status: 3 digits, size: digits or "-")
 * followed by the end of the line or a space (with `quote_next`, by the end
 * of the line or ` "`); *after gets the index after SIZE. */
static int status_at(const char *s, size_t n, size_t i, int quote_next,
		     size_t *after)
{
	long st;
	size_t j;

	if (i + 6 > n || s[i] != '"' || s[i + 1] != ' ' || dig(s + i + 2, 3, &st) ||
	    s[i + 5] != ' ')
		return 0;
	j = i + 6;
	if (j < n && s[j] == '-') {
		j++;
	} else {
		size_t b = j;
		while (j < n && isdigit((unsigned char)s[j]))
			j++;
		if (j == b)
			return 0;
	}
	if (j < n && (s[j] != ' ' || (quote_next && (j + 1 >= n || s[j + 1] != '"'))))
		return 0;
	*after = j;
	return 1;
}

/* The referer and user agent after the size: ` "REF" "UA"` where the user
 * agent runs to the last quote of the line (it may hold raw quotes, the
 * referer may not). Returns 0 when the tail is not that. */
static int tail_fields(const char *s, size_t n, size_t i, size_t *rb,
		       size_t *re, size_t *ub, size_t *ue)
{
	const char *q;

	if (i + 2 > n || s[i] != ' ' || s[i + 1] != '"')
		return 0;
	*rb = i + 2;
	if (!(q = memchr(s + *rb, '"', n - *rb)))
		return 0;
	*re = (size_t)(q - s);
	if (*re + 3 > n || s[*re + 1] != ' ' || s[*re + 2] != '"' || s[n - 1] != '"' ||
	    n - 1 < *re + 3)
		return 0;
	*ub = *re + 3;
	*ue = n - 1;
	return 1;
}

/* The request, status and size as Apache and nginx write them (quotes in
 * the request escaped), then the optional referer and user agent, each a
 * quoted field with escapes; later fields (nginx's X-Forwarded-For) are
 * left alone. Returns 0 when the line is not that. */
static int strict_fields(const char *s, size_t n, size_t i, size_t f[8])
{
	size_t j, k;

	if (!(j = quoted(s, n, i, &f[0], &f[1])) || !status_at(s, n, j - 1, 0, &k))
		return 0;
	f[2] = j + 1;      /* status */
	f[3] = k;          /* end of size */
	f[4] = f[5] = f[6] = f[7] = 0;
	if (k == n || k + 1 >= n || s[k + 1] != '"')
		return 1;
	if (!(j = quoted(s, n, k + 1, &f[4], &f[5])))
		return 0;
	if (j == n)
		return 1;
	if (s[j] != ' ' || !(j = quoted(s, n, j + 1, &f[6], &f[7])))
		return 0;
	return j == n || s[j] == ' ';
}

/* A request line holding raw quotes (attack payloads do: `GET /?q=" OR
 * 1=1`): the status and size are taken from the end, the request is what
 * lies before them. The last `" SSS SIZE` whose tail is the end of the line
 * or a referer and a user agent wins; the user agent may hold quotes too.
 * Returns 0 when no such split exists; *why says what is missing. */
static int loose_fields(const char *s, size_t n, size_t i, size_t f[8],
			const char **why)
{
	int seen_status = 0;

	*why = memchr(s + i + 1, '"', n - i - 1) ? "no status and size after the request" :
						   "request field not closed by a quote";
	for (size_t p = n; p-- > i + 1;) {
		size_t k, rb, re, ub, ue;
		if (!status_at(s, n, p, 1, &k))
			continue;
		seen_status = 1;
		f[0] = i + 1;
		f[1] = p;
		f[2] = p + 2;
		f[3] = k;
		if (k == n) {
			f[4] = f[5] = f[6] = f[7] = 0;
			return 1;
		}
		if (tail_fields(s, n, k, &rb, &re, &ub, &ue)) {
			f[4] = rb, f[5] = re, f[6] = ub, f[7] = ue;
			return 1;
		}
	}
	if (seen_status)
		*why = "referer or user agent field not closed by a quote";
	return 0;
}

static int access_line(struct tl_run *r, const char *s, size_t n, uint64_t ln,
		       uint64_t off)
{
	struct cf_event ev = {.ts_desc = "Event Recorded"};
	const char *tok[4], *why;
	size_t tl[4], i = 0, nt = 0, f[8];
	long status;
	int tzoff, raw = 0;

	if (!n)
		return tl_reject(r, ln, off, "empty line");
	if (memchr(s, '\0', n))
		return tl_reject(r, ln, off, "NUL byte in line");
	while (i < n && s[i] != '[' && nt < 4) {
		tok[nt] = s + i;
		while (i < n && s[i] != ' ')
			i++;
		tl[nt] = (size_t)(s + i - tok[nt]);
		nt++;
		while (i < n && s[i] == ' ')
			i++;
	}
	if (i >= n || s[i] != '[')
		return tl_reject(r, ln, off, "access log: no [time] field");
	if (nt != 3 && nt != 4)
		return tl_reject(r, ln, off,
				 "access log: %zu fields before the time (3 or 4 expected)",
				 nt);
	if (i + 28 > n || s[i + 27] != ']' ||
	    clf_time(s + i + 1, 26, &ev.ts_us, &tzoff))
		return tl_reject(r, ln, off, "access log: bad or out-of-range time");
	i += 28;
	while (i < n && s[i] == ' ')
		i++;
	if (i >= n || s[i] != '"')
		return tl_reject(r, ln, off, "access log: no quoted request after the time");
	if (!strict_fields(s, n, i, f)) {
		if (!loose_fields(s, n, i, f, &why))
			return tl_reject(r, ln, off, "access log: %s", why);
		raw = 1;
	}
	dig(s + f[2], 3, &status);
	if (f[3] > f[2] + 4 && !(f[3] - f[2] - 4 == 1 && s[f[2] + 4] == '-'))
		tl_attr_str(r, "bytes", s + f[2] + 4, f[3] - f[2] - 4);
	if (nt == 4) {
		tl_attr_str(r, "vhost", tok[0], tl[0]);
		memmove(tok, tok + 1, 3 * sizeof tok[0]);
		memmove(tl, tl + 1, 3 * sizeof tl[0]);
	}
	ev.src_ip = tl_str(r, tok[0], tl[0]);
	if (!(tl[2] == 1 && tok[2][0] == '-'))
		ev.actor = tl_str(r, tok[2], tl[2]);
	tl_attr_tz(r, tzoff);
	tl_attr_int(r, "status", status);
	if (raw)
		tl_attr_bool(r, "raw_quotes", 1);
	{ /* "METHOD URI PROTO": the protocol is the last word, so that a URI
	   * with spaces (raw payloads) stays whole */
		const char *q = s + f[0], *sp1, *sp2 = NULL;
		size_t ql = f[1] - f[0];
		sp1 = memchr(q, ' ', ql);
		if (sp1) {
			for (const char *p = q + ql; p-- > sp1 + 1;)
				if (*p == ' ') {
					sp2 = p;
					break;
				}
			if (sp2 && !(q + ql - sp2 > 5 && !memcmp(sp2 + 1, "HTTP/", 5)))
				sp2 = NULL;
		}
		if (sp1) {
			size_t ul = sp2 ? (size_t)(sp2 - sp1 - 1) : ql - (size_t)(sp1 + 1 - q);
			ev.action = tl_str(r, q, (size_t)(sp1 - q));
			ev.resource = tl_str(r, sp1 + 1, ul);
			ev.patient = uri_patient(r, sp1 + 1, ul);
			if (sp2)
				tl_attr_str(r, "protocol", sp2 + 1,
					    ql - (size_t)(sp2 + 1 - q));
		} else {
			tl_attr_str(r, "request", q, ql);
		}
		ev.message = tl_str(r, q, ql);
	}
	if (f[5] > f[4] && !(f[5] - f[4] == 1 && s[f[4]] == '-'))
		tl_attr_str(r, "referer", s + f[4], f[5] - f[4]);
	if (f[6])
		tl_attr_str(r, "user_agent", s + f[6], f[7] - f[6]);
	ev.outcome = status < 400 ? "success" : "failure";
	return tl_emit(r, &ev, ln, off);
}

const struct tl_parser tl_access_log = {
	.name = "access-log",
	.line = access_line,
};

/* "[Sun Dec 04 04:47:44 2005] [notice] msg" or
 * "[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 1:tid 2] [client 1.2.3.4:5] msg" */
static int error_line(struct tl_run *r, const char *s, size_t n, uint64_t ln,
		      uint64_t off)
{
	struct cf_event ev = {.ts_desc = "Event Recorded"};
	long d, h, mi, se, y, frac = 0;
	int mo;
	size_t i = 20, fd = 0;

	if (!n)
		return tl_reject(r, ln, off, "empty line");
	if (memchr(s, '\0', n))
		return tl_reject(r, ln, off, "NUL byte in line");
	if (n < 26 || s[0] != '[' || s[4] != ' ' || s[8] != ' ' ||
	    !(mo = tl_month(s + 5)) || dig(s + 9, 2, &d) || s[11] != ' ' ||
	    dig(s + 12, 2, &h) || dig(s + 15, 2, &mi) || dig(s + 18, 2, &se))
		return tl_reject(r, ln, off, "apache error log: no time stamp");
	if (s[i] == '.')
		for (i++; i < n && isdigit((unsigned char)s[i]); i++, fd++)
			if (fd < 6)
				frac = frac * 10 + (s[i] - '0');
	for (; fd < 6; fd++)
		frac *= 10;
	if (i + 6 > n || s[i] != ' ' || dig(s + i + 1, 4, &y) || s[i + 5] != ']' ||
	    civil_us(y, mo, d, h, mi, se, &ev.ts_us))
		return tl_reject(r, ln, off, "apache error log: bad or out-of-range time");
	ev.ts_us += frac - (int64_t)r->meta->tz_offset_s * CF_US_PER_SEC;
	tl_attr_tz(r, r->meta->tz_offset_s);
	i += 6;
	while (i < n && s[i] == ' ')
		i++;
	while (i < n && s[i] == '[') {
		const char *c = memchr(s + i, ']', n - i);
		size_t b = i + 1, l;
		if (!c)
			break;
		l = (size_t)(c - s) - b;
		if (l > 7 && !memcmp(s + b, "client ", 7)) {
			const char *colon = memchr(s + b + 7, ':', l - 7);
			size_t al = colon && !memchr(colon + 1, ':', (size_t)(c - colon - 1)) ?
					    (size_t)(colon - s) - b - 7 : l - 7;
			ev.src_ip = tl_str(r, s + b + 7, al);
			break; /* the message keeps "[client ...]", as Apache wrote it */
		} else if (l > 4 && !memcmp(s + b, "pid ", 4)) {
			tl_attr_str(r, "pid", s + b + 4, l - 4);
		} else {
			tl_attr_str(r, "level", s + b, l);
		}
		i = (size_t)(c - s) + 1;
		while (i < n && s[i] == ' ')
			i++;
	}
	{
		size_t e = n;
		while (e > i && s[e - 1] == ' ')
			e--;
		ev.message = tl_str(r, s + i, e - i);
	}
	return tl_emit(r, &ev, ln, off);
}

const struct tl_parser tl_apache_error = {
	.name = "apache-error",
	.line = error_line,
};
