/* SPDX-License-Identifier: Apache-2.0
 *
 * Login records of a Linux host: wtmp (logins, logouts, boots, shutdowns),
 * btmp (failed logins) and lastlog (the last login of each uid).
 *
 * wtmp and btmp are arrays of glibc's `struct utmp` as x86-64 (and every
 * other little-endian Linux) lays it out, 384 bytes each; lastlog is an
 * array of `struct lastlog`, 292 bytes, indexed by uid and usually sparse.
 * The records arrive through the parser's `bytes` callback in blocks of any
 * size, so a record may straddle two blocks: the part that does not fit is
 * carried, and a partial record left at the end is a reject naming it. A
 * record with impossible values (a type outside 0-9, microseconds beyond a
 * second, a negative pid, padding that is not zero) is a reject naming its
 * number and offset, never an event built on guesses. Strings may fill
 * their field without a NUL (utmp(5)); they are cut at the field's end and
 * sanitised like every other string. Times are seconds since the epoch in
 * UTC, read as unsigned 32 bits as glibc 2.40 does (good until 2106).
 *
 * Which file it is comes from its name (btmp*, wtmp*, utmp*, lastlog*);
 * a utmp file detected by its record shape alone is read as wtmp. A logout
 * (DEAD_PROCESS) often carries no user: it takes the user, host and address
 * of the open login on the same tty, as last(1) pairs them. The pairing
 * table is bounded; a boot or shutdown closes every open login. This file
 * must never trust a length or an offset from the evidence: every field
 * has the fixed size of the structure.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "tl.h"

/* struct utmp (glibc, <bits/utmp.h>, 64-bit with 32-bit time compat) */
#define UT_SIZE 384
#define UT_TYPE 0      /* int16, then 2 bytes of padding */
#define UT_PID 4       /* int32 */
#define UT_LINE 8      /* char[32] */
#define UT_LINESIZE 32
#define UT_ID 40       /* char[4] */
#define UT_USER 44     /* char[32] */
#define UT_NAMESIZE 32
#define UT_HOST 76     /* char[256] */
#define UT_HOSTSIZE 256
#define UT_EXIT 332    /* int16 e_termination, int16 e_exit */
#define UT_SESSION 336 /* int32 */
#define UT_SEC 340     /* int32 (read unsigned) */
#define UT_USEC 344    /* int32 */
#define UT_ADDR 348    /* 16 bytes, network order */
#define UT_RESERVED 364 /* 20 bytes */

/* struct lastlog (glibc, <bits/utmp.h>) */
#define LL_SIZE 292
#define LL_TIME 0      /* int32 (read unsigned) */
#define LL_LINE 4      /* char[32] */
#define LL_HOST 36     /* char[256] */

/* ut_type values (utmp(5)) */
enum { UT_EMPTY, UT_RUN_LVL, UT_BOOT_TIME, UT_NEW_TIME, UT_OLD_TIME,
       UT_INIT_PROCESS, UT_LOGIN_PROCESS, UT_USER_PROCESS, UT_DEAD_PROCESS,
       UT_ACCOUNTING };

static const char *const type_names[] = {
	"EMPTY", "RUN_LVL", "BOOT_TIME", "NEW_TIME", "OLD_TIME",
	"INIT_PROCESS", "LOGIN_PROCESS", "USER_PROCESS", "DEAD_PROCESS",
	"ACCOUNTING",
};

enum kind { K_WTMP, K_BTMP, K_UTMP, K_LASTLOG };
static const char *const kind_names[] = {"wtmp", "btmp", "utmp", "lastlog"};

/* An open login waiting for its logout, by tty. */
struct open_login {
	char line[UT_LINESIZE];
	char user[UT_NAMESIZE];
	char host[UT_HOSTSIZE];
	char addr[INET6_ADDRSTRLEN];
	uint64_t record;
	int64_t ts_us;
};
#define OPEN_MAX 256  /* concurrent sessions remembered */

struct utmp_state {
	enum kind kind;
	size_t size;                 /* record size */
	unsigned char carry[UT_SIZE]; /* a record cut by a block's end */
	size_t carried;
	uint64_t record;             /* records seen (the next is record + 1) */
	uint64_t off;                /* offset of the next record */
	struct open_login *open;     /* OPEN_MAX slots, oldest first */
	size_t nopen;
};

static int32_t le32(const unsigned char *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 |
			 (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

static int16_t le16(const unsigned char *p)
{
	return (int16_t)((uint16_t)p[0] | (uint16_t)p[1] << 8);
}

/* Length of a fixed-size string field: up to its NUL or its end. */
static size_t field_len(const unsigned char *p, size_t size)
{
	const unsigned char *z = memchr(p, 0, size);

	return z ? (size_t)(z - p) : size;
}

static int all_zero(const unsigned char *p, size_t n)
{
	return !n || (!p[0] && !memcmp(p, p + 1, n - 1));
}

/* The basename of the member's original path (or of its name). */
static const char *base_name(const struct tl_meta *m)
{
	const char *s = m->path ? m->path : m->member, *b = strrchr(s, '/');

	return b ? b + 1 : s;
}

/* Which login file a base name is, or -1: the name itself, or followed by
 * a rotation suffix ("wtmp.1", "btmp-20260301", "wtmp.1.gz"), never
 * another file that starts alike ("lastlog2.db"). */
static int kind_of_name(const char *base)
{
	for (int k = K_WTMP; k <= K_LASTLOG; k++) {
		size_t n = strlen(kind_names[k]);
		if (!strncmp(base, kind_names[k], n) &&
		    (!base[n] || base[n] == '.' || base[n] == '-'))
			return k;
	}
	return -1;
}

/* The address of a record as text into out (INET6_ADDRSTRLEN bytes), or
 * "" when it is zero: IPv4 when only the first word is set, as last(1)
 * reads it. */
static void addr_text(const unsigned char *a, char *out)
{
	out[0] = '\0';
	if (all_zero(a, 16))
		return;
	if (all_zero(a + 4, 12))
		inet_ntop(AF_INET, a, out, INET6_ADDRSTRLEN);
	else
		inet_ntop(AF_INET6, a, out, INET6_ADDRSTRLEN);
}

/* 1 when the n bytes are a literal IPv4 or IPv6 address. */
static int is_address(const char *s, size_t n)
{
	char buf[INET6_ADDRSTRLEN];
	unsigned char bin[16];

	if (!n || n >= sizeof buf)
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET, buf, bin) == 1 || inet_pton(AF_INET6, buf, bin) == 1;
}

/* Why a utmp record cannot be one, or NULL. Strings need no NUL (a full
 * field has none), but what follows a NUL is zero: writers clear the
 * record and copy with strncpy. */
static const char *ut_impossible(const unsigned char *u)
{
	static const struct {
		size_t at, size;
		const char *why;
	} str[] = {{UT_LINE, UT_LINESIZE, "bytes after the end of ut_line"},
		   {UT_USER, UT_NAMESIZE, "bytes after the end of ut_user"},
		   {UT_HOST, UT_HOSTSIZE, "bytes after the end of ut_host"}};
	int16_t type = le16(u + UT_TYPE);
	int32_t usec = le32(u + UT_USEC);

	if (type < UT_EMPTY || type > UT_ACCOUNTING)
		return "type out of range";
	if (u[2] || u[3])
		return "padding after the type is not zero";
	if (le32(u + UT_PID) < 0)
		return "negative pid";
	if (usec < 0 || usec > 999999)
		return "microseconds out of range";
	for (size_t i = 0; i < sizeof str / sizeof str[0]; i++) {
		const unsigned char *p = u + str[i].at;
		size_t n = field_len(p, str[i].size);
		if (!all_zero(p + n, str[i].size - n))
			return str[i].why;
	}
	return NULL;
}

int tl_utmp_plausible(const unsigned char *p, size_t n)
{
	size_t k = n / UT_SIZE;

	if (!k)
		return 0;
	if (k > 16)
		k = 16;
	for (size_t i = 0; i < k; i++) {
		const unsigned char *u = p + i * UT_SIZE;
		int16_t type = le16(u + UT_TYPE);
		if (ut_impossible(u) || type == UT_EMPTY ||
		    !all_zero(u + UT_RESERVED, UT_SIZE - UT_RESERVED) ||
		    !le32(u + UT_SEC) || (!u[UT_LINE] && !u[UT_USER]))
			return 0;
		for (const unsigned char *c = u + UT_LINE; c < u + UT_ID; c++)
			if (*c && (*c < 0x20 || *c > 0x7e))
				return 0;
	}
	return 1;
}

/* ---- wtmp, btmp, utmp --------------------------------------------------- */

static struct open_login *find_open(struct utmp_state *st, const char *line,
				    size_t n)
{
	for (size_t i = st->nopen; i-- > 0;)
		if (!strncmp(st->open[i].line, line, UT_LINESIZE) &&
		    strnlen(st->open[i].line, UT_LINESIZE) == n)
			return &st->open[i];
	return NULL;
}

static void drop_open(struct utmp_state *st, struct open_login *o)
{
	size_t i = (size_t)(o - st->open);

	memmove(o, o + 1, (st->nopen - i - 1) * sizeof *o);
	st->nopen--;
}

static void remember_login(struct utmp_state *st, const unsigned char *u,
			   const char *addr, int64_t ts)
{
	size_t ln = field_len(u + UT_LINE, UT_LINESIZE);
	struct open_login *o;

	if (!ln)
		return;
	if ((o = find_open(st, (const char *)u + UT_LINE, ln)))
		drop_open(st, o); /* a new login on the tty: the old one is gone */
	if (st->nopen == OPEN_MAX)
		drop_open(st, &st->open[0]);
	o = &st->open[st->nopen++];
	memcpy(o->line, u + UT_LINE, UT_LINESIZE);
	memcpy(o->user, u + UT_USER, UT_NAMESIZE);
	memcpy(o->host, u + UT_HOST, UT_HOSTSIZE);
	memcpy(o->addr, addr, sizeof o->addr);
	o->record = st->record;
	o->ts_us = ts;
}

static int ut_record(struct tl_run *r, struct utmp_state *st,
		     const unsigned char *u)
{
	struct cf_event ev = {.ts_desc = "Event Recorded"};
	const char *why = ut_impossible(u), *tty, *user, *host, *what;
	uint64_t rec = st->record, off = st->off;
	int16_t type = le16(u + UT_TYPE);
	int32_t pid = le32(u + UT_PID);
	size_t ln = field_len(u + UT_LINE, UT_LINESIZE),
	       un = field_len(u + UT_USER, UT_NAMESIZE),
	       hn = field_len(u + UT_HOST, UT_HOSTSIZE),
	       in = field_len(u + UT_ID, 4);
	char addr[INET6_ADDRSTRLEN];
	struct open_login *o = NULL;

	if (why)
		return tl_reject(r, rec, off, "%s record %llu at byte %llu: %s",
				 kind_names[st->kind], (unsigned long long)rec,
				 (unsigned long long)off, why);
	if (all_zero(u, UT_SIZE))
		return CF_OK; /* a cleared slot: nothing was recorded */
	tl_event_reset(r);
	ev.source = kind_names[st->kind];
	ev.ts_us = (int64_t)(uint32_t)le32(u + UT_SEC) * 1000000 + le32(u + UT_USEC);
	/* a record with no time set (both fields zero) is kept at the epoch
	 * and marked, so that no export mistakes it for a 1970 login */
	if (!ev.ts_us)
		tl_attr_bool(r, "time_unknown", 1);
	tty = tl_str(r, (const char *)u + UT_LINE, ln);
	user = tl_str(r, (const char *)u + UT_USER, un);
	host = tl_str(r, (const char *)u + UT_HOST, hn);
	addr_text(u + UT_ADDR, addr);
	if (*addr)
		ev.src_ip = tl_str(r, addr, (size_t)-1);
	else if (is_address((const char *)u + UT_HOST, hn))
		ev.src_ip = host;
	tl_attr_str(r, "utmp_type", type_names[type], (size_t)-1);
	if (ln)
		tl_attr_str(r, "tty", tty, (size_t)-1);
	if (in)
		tl_attr_str(r, "ut_id", (const char *)u + UT_ID, in);
	if (un)
		tl_attr_str(r, "user", user, (size_t)-1);
	if (pid)
		tl_attr_int(r, "pid", pid);
	if (le32(u + UT_SESSION))
		tl_attr_int(r, "session", le32(u + UT_SESSION));
	if (le16(u + UT_EXIT) || le16(u + UT_EXIT + 2)) {
		tl_attr_int(r, "exit_termination", le16(u + UT_EXIT));
		tl_attr_int(r, "exit_status", le16(u + UT_EXIT + 2));
	}
	what = "";
	if (st->kind == K_BTMP || type == UT_USER_PROCESS) {
		/* a login; lastb(1): every record of btmp is a failed one */
		int failed = st->kind == K_BTMP;

		if (hn)
			tl_attr_str(r, "remote_host", host, (size_t)-1);
		ev.action = "login";
		ev.outcome = failed ? "failure" : "success";
		ev.actor = un ? user : NULL;
		ev.message = tl_strf(r, "%s %s on %s%s%s",
				     failed ? "failed login for" : "login",
				     un ? user : "?", ln ? tty : "?",
				     hn ? " from " : "", host);
		if (st->kind == K_WTMP)
			remember_login(st, u, addr, ev.ts_us);
		goto emit;
	}
	switch (type) {
	case UT_DEAD_PROCESS:
		if (hn)
			tl_attr_str(r, "remote_host", host, (size_t)-1);
		ev.action = "logout";
		ev.outcome = "success";
		ev.actor = un ? user : NULL;
		if (ln && (o = find_open(st, (const char *)u + UT_LINE, ln))) {
			size_t on = strnlen(o->user, UT_NAMESIZE),
			       oh = strnlen(o->host, UT_HOSTSIZE);
			ev.actor = on ? tl_str(r, o->user, on) : ev.actor;
			if (!ev.src_ip && *o->addr)
				ev.src_ip = tl_str(r, o->addr, (size_t)-1);
			else if (!ev.src_ip && is_address(o->host, oh))
				ev.src_ip = tl_str(r, o->host, oh);
			if (!hn && oh)
				tl_attr_str(r, "remote_host", o->host, oh);
			tl_attr_int(r, "login_record", (int64_t)o->record);
			/* whole seconds, as last(1) counts them */
			if (ev.ts_us >= o->ts_us)
				tl_attr_int(r, "session_seconds",
					    ev.ts_us / 1000000 - o->ts_us / 1000000);
			drop_open(st, o);
		}
		ev.message = tl_strf(r, "logout %s from %s", ev.actor ? ev.actor : "?",
				     ln ? tty : "?");
		break;
	case UT_BOOT_TIME:
		if (hn)
			tl_attr_str(r, "kernel", host, (size_t)-1);
		ev.src_ip = NULL;
		ev.action = "boot";
		ev.message = tl_strf(r, "system boot%s%s", hn ? ", kernel " : "", host);
		st->nopen = 0; /* the sessions before it ended with the system */
		break;
	case UT_RUN_LVL:
		ev.src_ip = NULL;
		if (hn)
			tl_attr_str(r, "kernel", host, (size_t)-1);
		if (un == 8 && !memcmp(u + UT_USER, "shutdown", 8)) {
			ev.action = "shutdown";
			ev.message = tl_strf(r, "system shutdown%s%s",
					     hn ? ", kernel " : "", host);
			st->nopen = 0;
			break;
		}
		/* sysvinit and systemd: the new runlevel in the low byte of
		 * the pid, the previous one in the next */
		ev.action = "runlevel";
		if ((pid & 0xff) > 0x20 && (pid & 0xff) < 0x7f) {
			tl_attr_str(r, "runlevel", (const char[]){(char)(pid & 0xff), 0}, 1);
			what = tl_strf(r, " %c", (char)(pid & 0xff));
		}
		if ((pid >> 8 & 0xff) > 0x20 && (pid >> 8 & 0xff) < 0x7f)
			tl_attr_str(r, "previous_runlevel",
				    (const char[]){(char)(pid >> 8 & 0xff), 0}, 1);
		ev.message = tl_strf(r, "runlevel change%s", what);
		break;
	case UT_NEW_TIME:
	case UT_OLD_TIME:
		ev.src_ip = NULL;
		ev.action = "clock-change";
		ev.message = tl_strf(r, "system clock changed (%s time)",
				     type == UT_NEW_TIME ? "new" : "old");
		break;
	case UT_INIT_PROCESS:
		ev.action = "process-start";
		ev.message = tl_strf(r, "init started a process%s%s", ln ? " on " : "", tty);
		break;
	case UT_LOGIN_PROCESS:
		ev.action = "login-prompt";
		ev.actor = un ? user : NULL;
		ev.message = tl_strf(r, "login prompt%s%s", ln ? " on " : "", tty);
		break;
	case UT_ACCOUNTING:
		ev.action = "accounting";
		ev.actor = un ? user : NULL;
		ev.message = tl_strf(r, "accounting record%s%s", un ? " for " : "", user);
		break;
	default: /* EMPTY with something in it */
		ev.action = "empty-record";
		ev.message = tl_strf(r, "cleared record%s%s", un ? " of " : "", user);
		break;
	}
emit:
	return tl_emit(r, &ev, rec, off);
}

/* ---- lastlog ------------------------------------------------------------ */

static int ll_record(struct tl_run *r, struct utmp_state *st,
		     const unsigned char *l)
{
	struct cf_event ev = {.ts_desc = "Last Login", .source = "lastlog",
			      .action = "last-login", .outcome = "success"};
	uint64_t rec = st->record, off = st->off, uid = rec - 1;
	size_t ln, hn;
	const char *tty, *host;

	if (all_zero(l, LL_SIZE))
		return CF_OK; /* a uid that never logged in (a hole) */
	r->lines++;
	ln = field_len(l + LL_LINE, UT_LINESIZE);
	hn = field_len(l + LL_HOST, UT_HOSTSIZE);
	if (!all_zero(l + LL_LINE + ln, UT_LINESIZE - ln) ||
	    !all_zero(l + LL_HOST + hn, UT_HOSTSIZE - hn))
		return tl_reject(r, rec, off,
				 "lastlog record %llu (uid %llu) at byte %llu: "
				 "bytes after the end of a string",
				 (unsigned long long)rec, (unsigned long long)uid,
				 (unsigned long long)off);
	tl_event_reset(r);
	ev.ts_us = (int64_t)(uint32_t)le32(l + LL_TIME) * 1000000;
	if (!ev.ts_us)
		tl_attr_bool(r, "time_unknown", 1); /* as a utmp record's */
	tty = tl_str(r, (const char *)l + LL_LINE, ln);
	host = tl_str(r, (const char *)l + LL_HOST, hn);
	ev.actor = tl_strf(r, "uid:%llu", (unsigned long long)uid);
	tl_attr_int(r, "uid", (int64_t)uid);
	if (ln)
		tl_attr_str(r, "tty", tty, (size_t)-1);
	if (hn)
		tl_attr_str(r, "remote_host", host, (size_t)-1);
	if (is_address((const char *)l + LL_HOST, hn))
		ev.src_ip = host;
	ev.message = tl_strf(r, "last login of uid %llu%s%s%s%s",
			     (unsigned long long)uid, ln ? " on " : "", tty,
			     hn ? " from " : "", host);
	return tl_emit(r, &ev, rec, off);
}

/* ---- the parser --------------------------------------------------------- */

static int utmp_start(struct tl_run *r)
{
	struct utmp_state *st = r->state;
	int k = kind_of_name(base_name(r->meta));

	st->kind = k < 0 ? K_WTMP : (enum kind)k;
	st->size = st->kind == K_LASTLOG ? LL_SIZE : UT_SIZE;
	if (st->kind != K_LASTLOG && st->kind != K_BTMP &&
	    !(st->open = cf_calloc(OPEN_MAX, sizeof *st->open)))
		return cf_set_nomem(r->ctx, "utmp records");
	return CF_OK;
}

static int one_record(struct tl_run *r, struct utmp_state *st,
		      const unsigned char *p)
{
	int rc;

	st->record++;
	if (st->kind == K_LASTLOG) {
		rc = ll_record(r, st, p);
	} else {
		r->lines++;
		rc = ut_record(r, st, p);
	}
	st->off += st->size;
	return rc;
}

static int utmp_bytes(struct tl_run *r, const void *buf, size_t n, uint64_t off)
{
	struct utmp_state *st = r->state;
	const unsigned char *p = buf;
	int rc;

	(void)off;
	if (st->carried) {
		size_t take = st->size - st->carried;
		if (take > n)
			take = n;
		memcpy(st->carry + st->carried, p, take);
		st->carried += take;
		p += take;
		n -= take;
		if (st->carried < st->size)
			return CF_OK;
		st->carried = 0;
		if ((rc = one_record(r, st, st->carry)))
			return rc;
	}
	while (n >= st->size) {
		/* a sparse lastlog is mostly holes: skip zero runs quickly */
		if (st->kind == K_LASTLOG && !p[0] && n >= 64 * LL_SIZE &&
		    all_zero(p, 64 * LL_SIZE)) {
			st->record += 64;
			st->off += 64 * LL_SIZE;
			p += 64 * LL_SIZE;
			n -= 64 * LL_SIZE;
			continue;
		}
		if ((rc = one_record(r, st, p)))
			return rc;
		p += st->size;
		n -= st->size;
	}
	if (n)
		memcpy(st->carry, p, n);
	st->carried = n;
	return CF_OK;
}

static int utmp_end(struct tl_run *r)
{
	struct utmp_state *st = r->state;

	if (!st->carried || (st->kind == K_LASTLOG && all_zero(st->carry, st->carried)))
		return CF_OK;
	if (st->kind != K_LASTLOG)
		r->lines++;
	return tl_reject(r, st->record + 1, st->off,
			 "%s record %llu at byte %llu: truncated: %zu of %zu bytes",
			 kind_names[st->kind], (unsigned long long)st->record + 1,
			 (unsigned long long)st->off, st->carried, st->size);
}

static void utmp_free(struct tl_run *r)
{
	struct utmp_state *st = r->state;

	free(st->open);
}

const struct tl_parser tl_utmp = {
	.name = "utmp",
	.state_size = sizeof(struct utmp_state),
	.start = utmp_start,
	.end = utmp_end,
	.bytes = utmp_bytes,
	.free = utmp_free,
};

int tl_utmp_named(const char *member)
{
	const char *b = strrchr(member, '/');

	return kind_of_name(b ? b + 1 : member) >= 0;
}
