/* SPDX-License-Identifier: Apache-2.0
 *
 * A reader of tz database files (TZif, RFC 8536) and of the POSIX TZ rule
 * in their footer, so that local times of a host can be converted with
 * that host's zone rules, daylight saving time included, without touching
 * the process's TZ (timeline builds parse in threads).
 *
 * A zone is its transitions (UTC instant -> offset) plus the footer rule
 * for instants after the last one: a "slim" file (zic -b slim) ends its
 * table where the rule takes over, a "fat" one lists transitions to 2037.
 * Files are small (a few KiB; 1 MiB is refused), names are checked before
 * they become paths, and every count in a file is checked against its
 * length: a zone name comes from evidence (collection.json).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/time.h"
#include "casefile/tz.h"

#define TZ_FILE_MAX (1u << 20)
#define TZ_MAX_TIMES 100000
#define TZ_MAX_OFF (26 * 3600) /* offsets beyond +-26 h are refused */

/* A POSIX TZ rule date: Jn, n or Mm.w.d, at `secs` local time. */
struct rule_date {
	char kind; /* 'J', 'D' (zero-based day) or 'M' */
	int m, w, d, day;
	int32_t secs;
};

struct cf_tz {
	char name[CF_TZ_NAME_MAX + 1];
	size_t n;          /* transitions */
	int64_t *at;       /* their UTC instants, increasing */
	int32_t *off;      /* offset after each */
	int32_t first_off; /* before the first: time type 0 */
	/* footer rule */
	int has_rule, has_dst;
	int32_t std_off, dst_off; /* seconds east */
	struct rule_date start, end;
};

/* ---- names and files ---------------------------------------------------- */

int cf_tz_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0, comp = 0;

	if (!n || n > CF_TZ_NAME_MAX || name[0] == '/')
		return 0;
	for (size_t i = 0; i <= n; i++) {
		char c = name[i];
		if (c == '/' || c == '\0') {
			if (!comp || (comp == 1 && name[i - 1] == '.') ||
			    (comp == 2 && name[i - 1] == '.' && name[i - 2] == '.'))
				return 0;
			comp = 0;
			continue;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '+' ||
		      c == '.'))
			return 0;
		comp++;
	}
	return 1;
}

const char *cf_tz_name(const struct cf_tz *tz)
{
	return tz->name;
}

void cf_tz_free(struct cf_tz *tz)
{
	if (!tz)
		return;
	free(tz->at);
	free(tz->off);
	free(tz);
}

int cf_tz_load(struct cf_ctx *ctx, const char *name, struct cf_tz **out)
{
	const char *dir = getenv("TZDIR");
	struct cf_buf b;
	char *path;
	int rc;

	*out = NULL;
	if (!cf_tz_name_ok(name))
		return cf_set_error(ctx, 0, "time zone name refused: not a tz "
				    "database name");
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	if (!(path = cf_malloc(strlen(dir) + strlen(name) + 2)))
		return cf_set_nomem(ctx, "time zone");
	strcpy(path, dir);
	strcat(path, "/");
	strcat(path, name);
	cf_buf_init(&b);
	rc = cf_buf_read_file(ctx, &b, path, TZ_FILE_MAX);
	free(path);
	if (rc == CF_OK)
		rc = cf_tz_parse(ctx, name, b.data ? b.data : "", b.len, out);
	else if (ctx->code != CF_FATAL)
		cf_error_prefix(ctx, "time zone '%s'", name);
	cf_buf_release(&b);
	return rc;
}

/* ---- the POSIX TZ rule of the footer ------------------------------------ */

/* Name: alphabetic run of 3+ or <...>. Returns the new position or NULL. */
static const char *rule_name(const char *s)
{
	const char *b = s;

	if (*s == '<') {
		while (*++s && *s != '>')
			;
		return *s == '>' && s - b >= 4 ? s + 1 : NULL;
	}
	while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'))
		s++;
	return s - b >= 3 ? s : NULL;
}

/* [+-]hh[:mm[:ss]], hours up to max_h. */
static const char *rule_hms(const char *s, int max_h, int32_t *v)
{
	int sign = 1;
	long part[3] = {0, 0, 0};

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	for (int k = 0; k < 3; k++) {
		int digits = 0;
		if (k && *s != ':')
			break;
		if (k)
			s++;
		while (*s >= '0' && *s <= '9' && digits < 3) {
			part[k] = part[k] * 10 + (*s++ - '0');
			digits++;
		}
		if (!digits)
			return NULL;
	}
	if (part[0] > max_h || part[1] > 59 || part[2] > 59)
		return NULL;
	*v = (int32_t)(sign * (part[0] * 3600 + part[1] * 60 + part[2]));
	return s;
}

static const char *rule_num(const char *s, int lo, int hi, int *v)
{
	long x = 0;
	int digits = 0;

	while (*s >= '0' && *s <= '9' && digits < 4) {
		x = x * 10 + (*s++ - '0');
		digits++;
	}
	if (!digits || x < lo || x > hi)
		return NULL;
	*v = (int)x;
	return s;
}

static const char *rule_date(const char *s, struct rule_date *r)
{
	if (*s == 'J') {
		r->kind = 'J';
		s = rule_num(s + 1, 1, 365, &r->day);
	} else if (*s == 'M') {
		r->kind = 'M';
		if (!(s = rule_num(s + 1, 1, 12, &r->m)) || *s++ != '.' ||
		    !(s = rule_num(s, 1, 5, &r->w)) || *s++ != '.')
			return NULL;
		s = rule_num(s, 0, 6, &r->d);
	} else {
		r->kind = 'D';
		s = rule_num(s, 0, 365, &r->day);
	}
	r->secs = 7200;
	if (s && *s == '/')
		s = rule_hms(s + 1, 167, &r->secs);
	return s;
}

/* "STDoff[DST[off][,start[/t],end[/t]]]"; empty: no rule. 0 or -1. */
static int parse_rule(struct cf_tz *tz, const char *s)
{
	int32_t v;

	if (!*s)
		return 0;
	if (!(s = rule_name(s)) || !(s = rule_hms(s, 24, &v)))
		return -1;
	tz->std_off = -v;
	tz->has_rule = 1;
	if (!*s)
		return 0;
	if (!(s = rule_name(s)))
		return -1;
	tz->has_dst = 1;
	tz->dst_off = tz->std_off + 3600;
	if (*s && *s != ',') {
		if (!(s = rule_hms(s, 24, &v)))
			return -1;
		tz->dst_off = -v;
	}
	if (!*s) { /* no dates: the US rules, as POSIX systems assume */
		s = ",M3.2.0,M11.1.0";
	}
	if (*s++ != ',' || !(s = rule_date(s, &tz->start)) || *s++ != ',' ||
	    !(s = rule_date(s, &tz->end)) || *s)
		return -1;
	return 0;
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Local seconds (as if UTC) at which rule date r falls in year y. */
static int64_t rule_local(const struct rule_date *r, int64_t y)
{
	static const unsigned char mdays[] = {31, 28, 31, 30, 31, 30,
					      31, 31, 30, 31, 30, 31};
	int64_t day;

	if (r->kind == 'J') {
		day = cf_days_from_civil(y, 1, 1) + r->day - 1;
		if (is_leap(y) && r->day >= 60)
			day++;
	} else if (r->kind == 'D') {
		day = cf_days_from_civil(y, 1, 1) + r->day;
	} else {
		int64_t first = cf_days_from_civil(y, (unsigned)r->m, 1);
		int wd = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01: Thu */
		int len = mdays[r->m - 1] + (r->m == 2 && is_leap(y));
		int dom = (r->d - wd + 7) % 7 + 7 * (r->w - 1);
		while (dom >= len)
			dom -= 7;
		day = first + dom;
	}
	return day * 86400 + r->secs;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int32_t rule_offset(const struct cf_tz *tz, int64_t t)
{
	int64_t y, s, e;
	unsigned m, d;

	if (!tz->has_dst)
		return tz->std_off;
	cf_civil_from_days(floor_div(t + tz->std_off, 86400), &y, &m, &d);
	s = rule_local(&tz->start, y) - tz->std_off;
	e = rule_local(&tz->end, y) - tz->dst_off;
	if (s < e)
		return t >= s && t < e ? tz->dst_off : tz->std_off;
	return t >= e && t < s ? tz->std_off : tz->dst_off;
}

/* ---- TZif --------------------------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct counts {
	uint32_t isut, isstd, leap, time, type, chr;
};

static size_t block_size(const struct counts *c, size_t tsize)
{
	return (size_t)c->time * (tsize + 1) + (size_t)c->type * 6 + c->chr +
	       (size_t)c->leap * (tsize + 4) + c->isstd + c->isut;
}

static int header(const unsigned char *p, size_t n, struct counts *c)
{
	if (n < 44 || memcmp(p, "TZif", 4))
		return -1;
	c->isut = be32(p + 20);
	c->isstd = be32(p + 24);
	c->leap = be32(p + 28);
	c->time = be32(p + 32);
	c->type = be32(p + 36);
	c->chr = be32(p + 40);
	if (c->time > TZ_MAX_TIMES || c->type > 256 || c->leap > 1000 ||
	    c->chr > 65536 || c->isut > 256 || c->isstd > 256)
		return -1;
	return 0;
}

int cf_tz_parse(struct cf_ctx *ctx, const char *name, const void *buf,
		size_t n, struct cf_tz **out)
{
	const unsigned char *p = buf, *d, *types;
	struct counts c;
	size_t tsize = 4, need;
	struct cf_tz *tz;

	*out = NULL;
	if (header(p, n, &c))
		goto bad;
	need = 44 + block_size(&c, 4);
	if (p[4] >= '2') { /* skip the 32-bit block for the 64-bit one */
		if (need > n || header(p + need, n - need, &c))
			goto bad;
		p += need;
		n -= need;
		tsize = 8;
		need = 44 + block_size(&c, 8);
	}
	if (need > n || !c.type)
		goto bad;
	if (!(tz = cf_calloc(1, sizeof *tz)))
		return cf_set_nomem(ctx, "time zone");
	snprintf(tz->name, sizeof tz->name, "%s", name ? name : "");
	if (c.time && (!(tz->at = cf_malloc(c.time * sizeof *tz->at)) ||
		       !(tz->off = cf_malloc(c.time * sizeof *tz->off)))) {
		cf_tz_free(tz);
		return cf_set_nomem(ctx, "time zone");
	}
	d = p + 44;
	types = d + (size_t)c.time * (tsize + 1);
	for (uint32_t k = 0; k < c.type; k++) {
		int32_t o = (int32_t)be32(types + 6 * k);
		if (o < -TZ_MAX_OFF || o > TZ_MAX_OFF)
			goto bad_free;
	}
	tz->first_off = (int32_t)be32(types);
	for (uint32_t i = 0; i < c.time; i++) {
		unsigned idx = d[(size_t)c.time * tsize + i];
		tz->at[i] = tsize == 8 ? be64(d + 8 * i) : (int32_t)be32(d + 4 * i);
		if (idx >= c.type || (i && tz->at[i] <= tz->at[i - 1]))
			goto bad_free;
		tz->off[i] = (int32_t)be32(types + 6 * idx);
	}
	tz->n = c.time;
	if (tsize == 8) { /* footer: "\n" TZ-string "\n" */
		const char *f = (const char *)p + need, *e;
		char rule[256];
		size_t fl = n - need;
		if (fl < 2 || f[0] != '\n' || !(e = memchr(f + 1, '\n', fl - 1)) ||
		    (size_t)(e - f - 1) >= sizeof rule)
			goto bad_free;
		memcpy(rule, f + 1, (size_t)(e - f - 1));
		rule[e - f - 1] = '\0';
		if (parse_rule(tz, rule))
			goto bad_free;
	}
	*out = tz;
	return CF_OK;
bad_free:
	cf_tz_free(tz);
bad:
	return cf_set_error(ctx, 0, "time zone '%s': not a valid TZif file",
			    name ? name : "");
}

/* ---- conversions -------------------------------------------------------- */

/* Number of transitions at or before t. */
static size_t upto(const struct cf_tz *tz, int64_t t)
{
	size_t lo = 0, hi = tz->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (tz->at[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int cf_tz_offset(const struct cf_tz *tz, int64_t t)
{
	size_t k;

	if (!tz->n)
		return tz->has_rule ? rule_offset(tz, t) : tz->first_off;
	if (t >= tz->at[tz->n - 1] && tz->has_rule)
		return rule_offset(tz, t);
	k = upto(tz, t);
	return k ? tz->off[k - 1] : tz->first_off;
}

/* Adds o to the set c (at most 8). */
static void cand_add(int32_t *c, int *nc, int32_t o)
{
	for (int i = 0; i < *nc; i++)
		if (c[i] == o)
			return;
	if (*nc < 8)
		c[(*nc)++] = o;
}

int cf_tz_local_to_utc(const struct cf_tz *tz, int64_t l, int64_t *utc_s,
		       int *offset_s, int64_t *alt_s)
{
	int32_t cand[8], ok[8];
	int nc = 0, nok = 0;
	int64_t lo = l - TZ_MAX_OFF, hi = l + TZ_MAX_OFF;

	/* every offset in force within +-26 h of l is a candidate */
	cand_add(cand, &nc, cf_tz_offset(tz, lo));
	for (size_t i = upto(tz, lo); i < tz->n && tz->at[i] <= hi; i++)
		cand_add(cand, &nc, tz->off[i]);
	if (tz->has_rule && (!tz->n || hi >= tz->at[tz->n - 1])) {
		cand_add(cand, &nc, tz->std_off);
		if (tz->has_dst)
			cand_add(cand, &nc, tz->dst_off);
	}
	cand_add(cand, &nc, cf_tz_offset(tz, hi));
	for (int i = 0; i < nc; i++)
		if (cf_tz_offset(tz, l - cand[i]) == cand[i])
			ok[nok++] = cand[i];
	if (nok) {
		int32_t big = ok[0], small = ok[0];
		for (int i = 1; i < nok; i++) {
			big = ok[i] > big ? ok[i] : big;
			small = ok[i] < small ? ok[i] : small;
		}
		*utc_s = l - big; /* first occurrence: the larger offset */
		*offset_s = big;
		if (alt_s)
			*alt_s = l - small;
		return nok > 1 ? CF_TZ_AMBIGUOUS : CF_TZ_UNIQUE;
	}
	{ /* a gap: the offset before the jump is the one in force just
	   * before the wall-clock time would be reached with the later one */
		int32_t big = cand[0];
		for (int i = 1; i < nc; i++)
			big = cand[i] > big ? cand[i] : big;
		*offset_s = cf_tz_offset(tz, l - big);
		*utc_s = l - *offset_s;
		if (alt_s)
			*alt_s = *utc_s;
		return CF_TZ_GAP;
	}
}
