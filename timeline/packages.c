/* SPDX-License-Identifier: Apache-2.0
 *
 * Debian package logs: /var/log/dpkg.log, /var/log/apt/history.log and
 * /var/log/apt/term.log (and their rotations). What was installed, upgraded
 * or removed on a host, when, and, from apt's history, by whom and with
 * which command line: the trace an intruder's tooling or a tampered package
 * leaves.
 *
 * The three formats write local time without a zone ("2023-06-12 10:41:12",
 * apt with two spaces between date and time). It is converted as syslog's
 * year-less lines are: with the host's zone rules when collection.json
 * names its zone, else with its UTC offset; the offset applied is kept as
 * "tz" ("tz_assumed" when the host's zone is unknown).
 *
 * - dpkg.log: one event per line. install, upgrade, remove, purge,
 *   configure and trigproc lines name a package, its architecture and two
 *   versions ("<none>" for none); status lines name the state reached;
 *   startup and conffile lines are kept too. A line of any other shape is a
 *   reject naming what failed.
 * - history.log: stanzas from "Start-Date:" to "End-Date:". Each package of
 *   an Install, Upgrade, Downgrade, Reinstall, Remove or Purge list is one
 *   event at the line of its list, dated by Start-Date, with the stanza's
 *   Requested-By user as actor (apt writes it only for sudo or pkexec
 *   runs), its Commandline and its Error (outcome "failure"). A stanza
 *   without a package list is still one event ("apt-run"). The stanza is
 *   held until its End-Date (bounded: a stanza over HIST_MAX bytes is
 *   emitted where it stands).
 * - term.log: stanzas from "Log started:" to "Log ended:", the terminal
 *   output of one apt run: one event per stanza at its "Log started:" line,
 *   with the output (at most TL_FIELD_MAX bytes, "output_truncated" beyond),
 *   the number of lines it covers and the dpkg errors it reports (outcome
 *   "failure"). Output outside a stanza is a reject.
 * In history.log and term.log a blank line between stanzas is the format's
 * separator, not data; anywhere else every line ends as an event or as a
 * reject.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/time.h"
#include "casefile/tz.h"
#include "tl.h"

#define HIST_MAX (16u << 20)  /* bytes of one history stanza held */

/* ---- shared ------------------------------------------------------------- */

static int digits(const char *s, int n, long *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/* "YYYY-MM-DD HH:MM:SS" (`gap` spaces, 1 or 2, between date and time), a
 * local time: *us gets its value as if it were UTC. Returns the length
 * consumed, 0 when s does not start with one, (size_t)-1 when out of range. */
static size_t local_stamp(const char *s, size_t n, int gap, int64_t *us)
{
	static const unsigned char mdays[] = {31, 29, 31, 30, 31, 30,
					      31, 31, 30, 31, 30, 31};
	size_t len = 18 + (size_t)gap, t = 10 + (size_t)gap;
	long y, mo, d, h, mi, se;

	if (n < len || s[4] != '-' || s[7] != '-' || s[10] != ' ' ||
	    (gap == 2 && s[11] != ' ') || s[t + 2] != ':' || s[t + 5] != ':' ||
	    digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + t, 2, &h) || digits(s + t + 3, 2, &mi) ||
	    digits(s + t + 6, 2, &se))
		return 0;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
	    mi > 59 || se > 60 ||
	    (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)))
		return (size_t)-1;
	*us = ((cf_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
		(h * 60 + mi) * 60 + se) * CF_US_PER_SEC);
	return len;
}

/* Splits "name:arch" into attributes; the resource is the whole. */
static void package_attrs(struct tl_run *r, struct cf_event *ev,
			  const char *p, size_t n)
{
	const char *colon = memchr(p, ':', n);

	ev->resource = tl_str(r, p, n);
	tl_attr_str(r, "package", p, colon ? (size_t)(colon - p) : n);
	if (colon)
		tl_attr_str(r, "arch", colon + 1, n - (size_t)(colon + 1 - p));
}

static size_t word(const char *s, size_t n, size_t i, size_t *end)
{
	while (i < n && s[i] == ' ')
		i++;
	*end = i;
	while (*end < n && s[*end] != ' ')
		(*end)++;
	return i;
}

/* ---- dpkg.log ----------------------------------------------------------- */

static const struct {
	const char *verb, *action;
} dpkg_verbs[] = {
	{"install", "package-install"},
	{"upgrade", "package-upgrade"},
	{"remove", "package-remove"},
	{"purge", "package-purge"},
	{"configure", "package-configure"},
	{"trigproc", "package-trigproc"},
	{"status", "package-status"},
	{"startup", "dpkg-startup"},
	{"conffile", "package-conffile"},
};

int tl_dpkg_verb(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof dpkg_verbs / sizeof dpkg_verbs[0]; i++) {
		size_t k = strlen(dpkg_verbs[i].verb);
		if (n >= k && !memcmp(s, dpkg_verbs[i].verb, k) &&
		    (n == k || s[k] == ' '))
			return (int)i;
	}
	return -1;
}

static int dpkg_line(struct tl_run *r, const char *s, size_t n, uint64_t ln,
		     uint64_t off)
{
	struct cf_event ev = {.ts_desc = "Event Recorded", .source = "dpkg"};
	size_t k, a, e, f[4][2], nf = 0, i;
	int64_t us;
	int v;

	if (!n)
		return tl_reject(r, ln, off, "empty line");
	if (memchr(s, '\0', n))
		return tl_reject(r, ln, off, "NUL byte in line");
	if ((k = local_stamp(s, n, 1, &us)) == (size_t)-1)
		return tl_reject(r, ln, off, "dpkg.log: time stamp out of range");
	if (!k || k >= n || s[k] != ' ')
		return tl_reject(r, ln, off, "dpkg.log: no \"YYYY-MM-DD HH:MM:SS\" time stamp");
	a = word(s, n, k, &e);
	if ((v = tl_dpkg_verb(s + a, e - a)) < 0)
		return tl_reject(r, ln, off, "dpkg.log: unknown action '%s'",
				 tl_str(r, s + a, e - a < 40 ? e - a : 40));
	for (i = e; nf < 4; i = f[nf][1], nf++) {
		f[nf][0] = word(s, n, i, &f[nf][1]);
		if (f[nf][0] == f[nf][1])
			break;
	}
	/* what the rest of the line holds after the verb */
	if (!strcmp(dpkg_verbs[v].verb, "startup") || !strcmp(dpkg_verbs[v].verb, "conffile")) {
		if (nf != 2 || f[1][1] != n)
			return tl_reject(r, ln, off, "dpkg.log: %s line without its two fields",
					 dpkg_verbs[v].verb);
		if (dpkg_verbs[v].verb[0] == 's') {
			tl_attr_str(r, "kind", s + f[0][0], f[0][1] - f[0][0]);
			tl_attr_str(r, "operation", s + f[1][0], f[1][1] - f[1][0]);
		} else {
			ev.resource = tl_str(r, s + f[0][0], f[0][1] - f[0][0]);
			tl_attr_str(r, "conffile", s + f[0][0], f[0][1] - f[0][0]);
			tl_attr_str(r, "decision", s + f[1][0], f[1][1] - f[1][0]);
		}
	} else if (!strcmp(dpkg_verbs[v].verb, "status")) {
		/* status STATE PKG VERSION */
		if (nf != 3 || f[2][1] != n)
			return tl_reject(r, ln, off, "dpkg.log: status line without state, "
					 "package and version");
		tl_attr_str(r, "state", s + f[0][0], f[0][1] - f[0][0]);
		package_attrs(r, &ev, s + f[1][0], f[1][1] - f[1][0]);
		tl_attr_str(r, "version", s + f[2][0], f[2][1] - f[2][0]);
	} else {
		/* VERB PKG OLD NEW, "<none>" for a version that is not */
		if (nf != 3 || f[2][1] != n)
			return tl_reject(r, ln, off, "dpkg.log: %s line without package "
					 "and two versions", dpkg_verbs[v].verb);
		package_attrs(r, &ev, s + f[0][0], f[0][1] - f[0][0]);
		if (f[1][1] - f[1][0] != 6 || memcmp(s + f[1][0], "<none>", 6))
			tl_attr_str(r, "old_version", s + f[1][0], f[1][1] - f[1][0]);
		if (f[2][1] - f[2][0] != 6 || memcmp(s + f[2][0], "<none>", 6))
			tl_attr_str(r, "version", s + f[2][0], f[2][1] - f[2][0]);
	}
	ev.ts_us = tl_local_to_utc(r, us, INT64_MIN);
	ev.action = dpkg_verbs[v].action;
	ev.message = tl_str(r, s + k + 1, n - k - 1);
	return tl_emit(r, &ev, ln, off);
}

const struct tl_parser tl_dpkg_log = {
	.name = "dpkg",
	.line = dpkg_line,
};

/* ---- apt history.log ---------------------------------------------------- */

/* A field of the stanza: a span of hist.text (len SIZE_MAX: absent). */
struct span {
	size_t at, len;
	uint64_t line, off;
};

enum { H_CMD, H_BY, H_ERROR, H_END, H_NFIELDS };
#define H_LISTS_MAX 16 /* package lists of one stanza kept apart */

static const struct {
	const char *key, *action;
} hist_lists[] = {
	{"Install", "package-install"},
	{"Upgrade", "package-upgrade"},
	{"Downgrade", "package-downgrade"},
	{"Reinstall", "package-reinstall"},
	{"Remove", "package-remove"},
	{"Purge", "package-purge"},
};

struct hist {
	int open;            /* a Start-Date was seen */
	int64_t start_us;    /* local time, as if UTC */
	uint64_t start_line, start_off;
	struct cf_buf text;  /* copies of the stanza's field values */
	struct span field[H_NFIELDS];
	struct span list[H_LISTS_MAX];
	int list_kind[H_LISTS_MAX];
	size_t nlists;
};

static void hist_clear(struct hist *h);

static int hist_start(struct tl_run *r)
{
	struct hist *h = r->state;

	cf_buf_init(&h->text);
	hist_clear(h);
	return CF_OK;
}

static void hist_clear(struct hist *h)
{
	cf_buf_reset(&h->text);
	h->open = 0;
	h->nlists = 0;
	for (int i = 0; i < H_NFIELDS; i++)
		h->field[i].len = SIZE_MAX;
}

static void hist_free(struct tl_run *r)
{
	struct hist *h = r->state;

	cf_buf_release(&h->text);
}

static const char *hist_get(struct tl_run *r, const struct hist *h, int f)
{
	return h->field[f].len == SIZE_MAX ? NULL
		: tl_str(r, h->text.data + h->field[f].at, h->field[f].len);
}

/* The stanza's attributes and actor, on every event of it. */
static void hist_common(struct tl_run *r, const struct hist *h,
			struct cf_event *ev)
{
	const char *by = hist_get(r, h, H_BY), *cmd = hist_get(r, h, H_CMD);
	const char *err = hist_get(r, h, H_ERROR), *end = hist_get(r, h, H_END);

	ev->ts_us = tl_local_to_utc(r, h->start_us, INT64_MIN);
	if (cmd)
		tl_attr_str(r, "commandline", cmd, (size_t)-1);
	if (by) { /* "user (1000)" */
		const char *paren = strstr(by, " (");
		size_t ul = paren ? (size_t)(paren - by) : strlen(by);
		ev->actor = tl_str(r, by, ul);
		tl_attr_str(r, "requested_by", by, (size_t)-1);
		if (paren) {
			char *stop;
			long uid = strtol(paren + 2, &stop, 10);
			if (stop != paren + 2 && *stop == ')' && uid >= 0)
				tl_attr_int(r, "uid", uid);
		}
	}
	if (err) {
		tl_attr_str(r, "error", err, (size_t)-1);
		ev->outcome = "failure";
	} else if (end) {
		ev->outcome = "success";
	}
	if (end)
		tl_attr_str(r, "end_date", end, (size_t)-1);
	else
		tl_attr_bool(r, "end_missing", 1);
	tl_attr_int(r, "stanza_line", (int64_t)h->start_line);
}

/* Events of one package list: "a:arch (1.0), b:arch (1.0, automatic),
 * c:arch (1.0, 1.1)". An entry that does not parse ends the list with a
 * reject (the entries before it stay events). */
static int hist_list(struct tl_run *r, struct hist *h, size_t li)
{
	const struct span *sp = &h->list[li];
	const char *s = h->text.data + sp->at;
	size_t n = sp->len, i = 0;
	int rc, kind = h->list_kind[li];

	while (i < n) {
		struct cf_event ev = {.ts_desc = "Start-Date", .source = "apt"};
		size_t name = i, ne, open, close, c1;
		const char *cp;
		while (i < n && s[i] != ' ' && s[i] != '(' && s[i] != ',')
			i++;
		ne = i;
		if (ne == name || i + 1 >= n || s[i] != ' ' || s[i + 1] != '(' ||
		    !(cp = memchr(s + i, ')', n - i)))
			return tl_reject(r, sp->line, sp->off,
					 "apt history: %s: bad package entry at byte %zu",
					 hist_lists[kind].key, name);
		close = (size_t)(cp - s);
		open = i + 2;
		hist_common(r, h, &ev);
		ev.action = hist_lists[kind].action;
		package_attrs(r, &ev, s + name, ne - name);
		/* "ver", "ver, automatic", "old, new" */
		c1 = open;
		while (c1 < close && s[c1] != ',')
			c1++;
		if (c1 < close) {
			size_t b = c1 + 1;
			while (b < close && s[b] == ' ')
				b++;
			if (close - b == 9 && !memcmp(s + b, "automatic", 9)) {
				tl_attr_str(r, "version", s + open, c1 - open);
				tl_attr_bool(r, "automatic", 1);
			} else {
				size_t c2 = b;
				while (c2 < close && s[c2] != ',')
					c2++;
				tl_attr_str(r, "old_version", s + open, c1 - open);
				tl_attr_str(r, "version", s + b, c2 - b);
				if (c2 < close)
					tl_attr_bool(r, "automatic", 1);
			}
		} else {
			tl_attr_str(r, "version", s + open, close - open);
		}
		ev.message = tl_strf(r, "%s %s", hist_lists[kind].key,
				     tl_str(r, s + name, close + 1 - name));
		if ((rc = tl_emit(r, &ev, sp->line, sp->off)) != CF_OK)
			return rc;
		i = close + 1;
		if (i < n && s[i] == ',')
			i++;
		while (i < n && s[i] == ' ')
			i++;
	}
	return CF_OK;
}

/* Emits the stanza held: one event per package, or one for the run. */
static int hist_flush(struct tl_run *r)
{
	struct hist *h = r->state;
	int rc = CF_OK;

	if (!h->open)
		return CF_OK;
	if (cf_buf_error(&h->text)) {
		hist_clear(h);
		return cf_set_nomem(r->ctx, "apt history");
	}
	for (size_t i = 0; rc == CF_OK && i < h->nlists; i++)
		rc = hist_list(r, h, i);
	if (rc == CF_OK && !h->nlists) {
		struct cf_event ev = {.ts_desc = "Start-Date", .source = "apt",
				      .action = "apt-run"};
		hist_common(r, h, &ev);
		ev.message = hist_get(r, h, H_CMD);
		rc = tl_emit(r, &ev, h->start_line, h->start_off);
	}
	hist_clear(h);
	return rc;
}

static int hist_line(struct tl_run *r, const char *s, size_t n, uint64_t ln,
		     uint64_t off)
{
	static const char *const keys[H_NFIELDS] = {"Commandline", "Requested-By",
						    "Error", "End-Date"};
	struct hist *h = r->state;
	const char *colon;
	size_t kl, v;
	int64_t us;
	int rc;

	if (!n)
		return CF_OK; /* the separator between stanzas */
	if (memchr(s, '\0', n))
		return tl_reject(r, ln, off, "NUL byte in line");
	if (!(colon = memchr(s, ':', n)) || colon + 1 >= s + n || colon[1] != ' ')
		return tl_reject(r, ln, off, "apt history: not a \"Field: value\" line");
	kl = (size_t)(colon - s);
	v = kl + 2;
	if (kl == 10 && !memcmp(s, "Start-Date", 10)) {
		size_t k;
		if ((rc = hist_flush(r)) != CF_OK)
			return rc;
		if ((k = local_stamp(s + v, n - v, 2, &us)) == (size_t)-1 ||
		    (!k && (k = local_stamp(s + v, n - v, 1, &us)) == (size_t)-1))
			return tl_reject(r, ln, off, "apt history: Start-Date out of range");
		if (!k)
			return tl_reject(r, ln, off, "apt history: bad Start-Date");
		h->open = 1;
		h->start_us = us;
		h->start_line = ln;
		h->start_off = off;
		return CF_OK;
	}
	if (!h->open)
		return tl_reject(r, ln, off, "apt history: %s outside a stanza "
				 "(no Start-Date before it)", tl_str(r, s, kl < 40 ? kl : 40));
	if (h->text.len + (n - v) > HIST_MAX) {
		/* emit what is held; the stanza goes on without its fields */
		int64_t start = h->start_us;
		uint64_t sl = h->start_line, so = h->start_off;
		if ((rc = hist_flush(r)) != CF_OK)
			return rc;
		h->open = 1;
		h->start_us = start;
		h->start_line = sl;
		h->start_off = so;
	}
	for (int f = 0; f < H_NFIELDS; f++)
		if (kl == strlen(keys[f]) && !memcmp(s, keys[f], kl)) {
			h->field[f] = (struct span){h->text.len, n - v, ln, off};
			cf_buf_append(&h->text, s + v, n - v);
			if (f == H_END)
				return hist_flush(r);
			return CF_OK;
		}
	for (size_t k = 0; k < sizeof hist_lists / sizeof hist_lists[0]; k++)
		if (kl == strlen(hist_lists[k].key) && !memcmp(s, hist_lists[k].key, kl)) {
			if (h->nlists == H_LISTS_MAX)
				return tl_reject(r, ln, off, "apt history: more than %d "
						 "package lists in one stanza", H_LISTS_MAX);
			h->list[h->nlists] = (struct span){h->text.len, n - v, ln, off};
			h->list_kind[h->nlists++] = (int)k;
			cf_buf_append(&h->text, s + v, n - v);
			return CF_OK;
		}
	return tl_reject(r, ln, off, "apt history: unknown field '%s'",
			 tl_str(r, s, kl < 40 ? kl : 40));
}

const struct tl_parser tl_apt_history = {
	.name = "apt",
	.state_size = sizeof(struct hist),
	.start = hist_start,
	.line = hist_line,
	.end = hist_flush,
	.free = hist_free,
};

/* ---- apt term.log ------------------------------------------------------- */

struct term {
	int open;
	int64_t start_us;
	uint64_t start_line, start_off, lines, errors;
	struct cf_buf out;   /* output kept, at most TL_FIELD_MAX bytes */
	int truncated;
	char first_error[256];
};

static int term_start(struct tl_run *r)
{
	struct term *t = r->state;

	cf_buf_init(&t->out);
	return CF_OK;
}

static void term_free(struct tl_run *r)
{
	struct term *t = r->state;

	cf_buf_release(&t->out);
}

/* Emits the stanza held ("Log ended:" given as `end`, or NULL). */
static int term_flush(struct tl_run *r, const char *end, size_t endlen)
{
	struct term *t = r->state;
	struct cf_event ev = {.ts_desc = "Log started", .source = "apt-term",
			      .action = "apt-output"};

	if (!t->open)
		return CF_OK;
	t->open = 0;
	if (cf_buf_error(&t->out))
		return cf_set_nomem(r->ctx, "apt term.log");
	ev.ts_us = tl_local_to_utc(r, t->start_us, INT64_MIN);
	tl_attr_int(r, "lines", (int64_t)t->lines);
	if (t->out.len)
		tl_attr_str(r, "output", t->out.data, t->out.len);
	if (t->truncated)
		tl_attr_bool(r, "output_truncated", 1);
	if (end)
		tl_attr_str(r, "log_ended", end, endlen);
	else
		tl_attr_bool(r, "end_missing", 1);
	if (t->errors) {
		tl_attr_int(r, "errors", (int64_t)t->errors);
		ev.outcome = "failure";
		ev.message = tl_str(r, t->first_error, (size_t)-1);
	} else {
		ev.message = tl_strf(r, "apt output, %llu lines",
				     (unsigned long long)t->lines);
	}
	cf_buf_reset(&t->out);
	t->truncated = 0;
	return tl_emit(r, &ev, t->start_line, t->start_off);
}

static int term_end(struct tl_run *r)
{
	return term_flush(r, NULL, 0);
}

/* dpkg's and apt's own error lines. */
static int term_is_error(const char *s, size_t n)
{
	return (n >= 13 && !memcmp(s, "dpkg: error p", 13)) ||
	       (n >= 3 && !memcmp(s, "E: ", 3)) ||
	       (n >= 29 && !memcmp(s, "Errors were encountered while", 29));
}

static int term_line(struct tl_run *r, const char *s, size_t n, uint64_t ln,
		     uint64_t off)
{
	struct term *t = r->state;
	int64_t us;
	size_t k;
	int rc;

	if (n >= 13 && !memcmp(s, "Log started: ", 13)) {
		if ((rc = term_flush(r, NULL, 0)) != CF_OK)
			return rc;
		if ((k = local_stamp(s + 13, n - 13, 2, &us)) == (size_t)-1 ||
		    (!k && (k = local_stamp(s + 13, n - 13, 1, &us)) == (size_t)-1))
			return tl_reject(r, ln, off, "apt term.log: time stamp out of range");
		if (!k)
			return tl_reject(r, ln, off, "apt term.log: bad \"Log started:\" time");
		*t = (struct term){.open = 1, .start_us = us, .start_line = ln,
				   .start_off = off, .out = t->out};
		return CF_OK;
	}
	if (n >= 11 && !memcmp(s, "Log ended: ", 11)) {
		if (!t->open)
			return tl_reject(r, ln, off, "apt term.log: \"Log ended:\" "
					 "without \"Log started:\"");
		return term_flush(r, s + 11, n - 11);
	}
	if (!t->open) {
		if (!n)
			return CF_OK; /* the separator between stanzas */
		return tl_reject(r, ln, off, "apt term.log: output outside a "
				 "\"Log started:\" stanza");
	}
	t->lines++;
	if (term_is_error(s, n) && !t->errors++)
		snprintf(t->first_error, sizeof t->first_error, "%.*s",
			 (int)(n < 255 ? n : 255), s);
	if (t->out.len + n + 1 > TL_FIELD_MAX) {
		t->truncated = 1;
		return CF_OK;
	}
	if (t->out.len)
		cf_buf_putc(&t->out, '\n');
	cf_buf_append(&t->out, s, n);
	return CF_OK;
}

const struct tl_parser tl_apt_term = {
	.name = "apt-term",
	.state_size = sizeof(struct term),
	.start = term_start,
	.line = term_line,
	.end = term_end,
	.free = term_free,
};
