/* SPDX-License-Identifier: Apache-2.0
 *
 * Linux audit logs (auditd's audit.log, RAW and ENRICHED formats).
 *
 * A kernel event is written as several records (SYSCALL, CWD, PATH,
 * PROCTITLE, ...) sharing the serial in msg=audit(SECONDS.MILLIS:SERIAL);
 * as auparse does, consecutive records with the same time and serial form
 * one event, ended early by an EOE record. The event is emitted at its first
 * record's line and offset, with the record types, interpreted syscall,
 * uid/auid and result in its attributes. Names come only from the evidence
 * (the ENRICHED suffix after 0x1d, acct= fields) and from the fixed
 * meanings (0 is root, 4294967295 is unset): never from the passwd file of
 * the machine running casefile, which is not the machine that logged.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "tl.h"

#define MAX_RECORDS 256          /* longer events are split */
#define MAX_EVENT_BYTES (1u << 20)

struct au_state {
	struct cf_buf text;       /* the records of the open event, '\n'-joined */
	int open;
	int64_t sec, msec;
	uint64_t serial;
	uint64_t line, off;       /* first record */
	int nrec;
};

static int au_start(struct tl_run *r)
{
	struct au_state *st = cf_calloc(1, sizeof *st);

	if (!st)
		return cf_set_nomem(r->ctx, "auditd");
	cf_buf_init(&st->text);
	r->state = st;
	return CF_OK;
}

static void au_free(struct tl_run *r)
{
	struct au_state *st = r->state;

	if (st)
		cf_buf_release(&st->text);
	free(st);
	r->state = NULL;
}

/* x86_64 system call names for the numbers seen in audit rules. */
static const char *syscall_name(long nr)
{
	static const struct {
		int nr;
		const char *name;
	} t[] = {{0, "read"},        {1, "write"},      {2, "open"},
		 {3, "close"},       {4, "stat"},       {5, "fstat"},
		 {6, "lstat"},       {9, "mmap"},       {21, "access"},
		 {41, "socket"},     {42, "connect"},   {43, "accept"},
		 {49, "bind"},       {50, "listen"},    {56, "clone"},
		 {57, "fork"},       {58, "vfork"},     {59, "execve"},
		 {62, "kill"},       {76, "truncate"},  {77, "ftruncate"},
		 {82, "rename"},     {83, "mkdir"},     {84, "rmdir"},
		 {85, "creat"},      {86, "link"},      {87, "unlink"},
		 {88, "symlink"},    {90, "chmod"},     {91, "fchmod"},
		 {92, "chown"},      {93, "fchown"},    {94, "lchown"},
		 {101, "ptrace"},    {105, "setuid"},   {106, "setgid"},
		 {113, "setreuid"},  {117, "setresuid"}, {165, "mount"},
		 {166, "umount2"},   {175, "init_module"}, {176, "delete_module"},
		 {188, "setxattr"},  {189, "lsetxattr"}, {190, "fsetxattr"},
		 {197, "removexattr"}, {257, "openat"}, {258, "mkdirat"},
		 {260, "fchownat"},  {263, "unlinkat"}, {264, "renameat"},
		 {268, "fchmodat"},  {288, "accept4"},  {313, "finit_module"},
		 {316, "renameat2"}, {322, "execveat"}, {437, "openat2"}};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (t[i].nr == nr)
			return t[i].name;
	return NULL;
}

/* Finds key=value in a record (top level or inside msg='...'); value
 * without quotes. Returns its length or -1. */
static long field(const char *s, size_t n, const char *key, const char **v)
{
	size_t kl = strlen(key);

	for (size_t i = 0; i + kl < n; i++) {
		size_t j, e;
		if ((i && s[i - 1] != ' ' && s[i - 1] != '\'') ||
		    memcmp(s + i, key, kl) || s[i + kl] != '=')
			continue;
		j = i + kl + 1;
		if (j < n && s[j] == '"') {
			for (e = ++j; e < n && s[e] != '"'; e++)
				;
		} else {
			for (e = j; e < n && s[e] != ' ' && s[e] != '\'' && s[e] != 0x1d;
			     e++)
				;
		}
		*v = s + j;
		return (long)(e - j);
	}
	return -1;
}

static void attr_field(struct tl_run *r, const char *s, size_t n,
		       const char *key)
{
	const char *v;
	long l = field(s, n, key, &v);

	if (l > 0 && !(l == 1 && v[0] == '?') && !(l == 6 && !memcmp(v, "(none)", 6)))
		tl_attr_str(r, key, v, (size_t)l);
}

static const char *uid_name(struct tl_run *r, const char *v, long l)
{
	if (l == 10 && !memcmp(v, "4294967295", 10))
		return "unset";
	if (l == 2 && !memcmp(v, "-1", 2))
		return "unset";
	if (l == 1 && v[0] == '0')
		return "root";
	return tl_strf(r, "uid:%.*s", (int)l, v);
}

static int au_flush(struct tl_run *r)
{
	struct au_state *st = r->state;
	struct cf_event ev = {.ts_desc = "Event Recorded", .source = "auditd"};
	const char *s = st->text.data, *v, *enr;
	size_t n = st->text.len;
	long l;
	struct cf_buf types;
	int rc;

	if (!st->open)
		return CF_OK;
	st->open = 0;
	ev.ts_us = st->sec * 1000000 + st->msec * 1000;
	cf_buf_init(&types);
	for (const char *p = s; p && p < s + n;) {
		const char *t = strstr(p, "type=");
		size_t tl;
		if (!t || t >= s + n)
			break;
		t += 5;
		tl = strcspn(t, " \n");
		if (types.len)
			cf_buf_putc(&types, ',');
		cf_buf_append(&types, t, tl);
		p = memchr(t, '\n', (size_t)(s + n - t));
		if (p)
			p++;
	}
	tl_attr_str(r, "types", types.data ? types.data : "", (size_t)-1);
	tl_attr_int(r, "serial", (int64_t)st->serial);
	tl_attr_int(r, "records", st->nrec);
	{ /* action: the first record type, or the syscall's name */
		const char *t = s + 5;
		size_t tl = strcspn(t, " \n");
		ev.action = tl_str(r, t, tl);
	}
	if ((l = field(s, n, "syscall", &v)) > 0) {
		char num[24];
		const char *name;
		snprintf(num, sizeof num, "%.*s", (int)(l < 20 ? l : 20), v);
		tl_attr_str(r, "syscall_nr", num, (size_t)-1);
		if ((name = syscall_name(strtol(num, NULL, 10)))) {
			tl_attr_str(r, "syscall", name, (size_t)-1);
			if (!strncmp(ev.action, "SYSCALL", 7))
				ev.action = name;
		}
	}
	if ((l = field(s, n, "auid", &v)) > 0)
		tl_attr_str(r, "auid_name", uid_name(r, v, l), (size_t)-1);
	if ((l = field(s, n, "uid", &v)) > 0)
		tl_attr_str(r, "uid_name", uid_name(r, v, l), (size_t)-1);
	attr_field(r, s, n, "auid");
	attr_field(r, s, n, "uid");
	attr_field(r, s, n, "pid");
	attr_field(r, s, n, "ses");
	attr_field(r, s, n, "exe");
	attr_field(r, s, n, "comm");
	attr_field(r, s, n, "key");
	attr_field(r, s, n, "terminal");
	attr_field(r, s, n, "op");
	/* who: acct= of a user-space message, then the ENRICHED names, then auid */
	if ((l = field(s, n, "acct", &v)) > 0 && !(l == 1 && v[0] == '?'))
		ev.actor = tl_str(r, v, (size_t)l);
	else if ((enr = memchr(s, 0x1d, n)) &&
		 (l = field(enr + 1, n - (size_t)(enr + 1 - s), "AUID", &v)) > 0 &&
		 !(l == 5 && !memcmp(v, "unset", 5)))
		ev.actor = tl_str(r, v, (size_t)l);
	else if ((l = field(s, n, "auid", &v)) > 0 &&
		 strcmp(uid_name(r, v, l), "unset"))
		ev.actor = uid_name(r, v, l);
	if ((enr = memchr(s, 0x1d, n))) {
		size_t el = strcspn(enr + 1, "\n");
		tl_attr_str(r, "enriched", enr + 1, el);
	}
	if ((l = field(s, n, "res", &v)) > 0)
		ev.outcome = (l == 7 && !memcmp(v, "success", 7)) || (l == 1 && v[0] == '1') ?
				     "success" : "failure";
	else if ((l = field(s, n, "success", &v)) > 0)
		ev.outcome = l == 3 && !memcmp(v, "yes", 3) ? "success" : "failure";
	if ((l = field(s, n, "addr", &v)) > 0 && !(l == 1 && v[0] == '?'))
		ev.src_ip = tl_str(r, v, (size_t)l);
	if ((l = field(s, n, "node", &v)) > 0)
		ev.host = tl_str(r, v, (size_t)l);
	{
		const char *m = strstr(s, "): ");
		size_t ml = m ? strcspn(m + 3, "\n\x1d") : 0;
		ev.message = m ? tl_str(r, m + 3, ml) : NULL;
	}
	cf_buf_release(&types);
	rc = tl_emit(r, &ev, st->line, st->off);
	cf_buf_reset(&st->text);
	st->nrec = 0;
	return rc;
}

static int au_line(struct tl_run *r, const char *s, size_t n, uint64_t ln,
		   uint64_t off)
{
	struct au_state *st = r->state;
	const char *a, *t, *colon;
	size_t i;
	int64_t sec = 0, msec = 0;
	uint64_t serial = 0;
	int nd = 0, nm = 0, ns = 0, rc;

	if (!n)
		return tl_reject(r, ln, off, "empty line");
	if (memchr(s, '\0', n))
		return tl_reject(r, ln, off, "NUL byte in line");
	t = n > 5 ? memmem(s, n < 64 ? n : 64, "type=", 5) : NULL;
	a = memmem(s, n, "msg=audit(", 10);
	if (!t || !a || t > a)
		return tl_reject(r, ln, off, "auditd: no type= or msg=audit(");
	i = (size_t)(a - s) + 10;
	for (; i < n && isdigit((unsigned char)s[i]) && nd < 12; i++, nd++)
		sec = sec * 10 + (s[i] - '0');
	if (i >= n || s[i] != '.')
		return tl_reject(r, ln, off, "auditd: time without milliseconds");
	for (i++; i < n && isdigit((unsigned char)s[i]) && nm < 3; i++, nm++)
		msec = msec * 10 + (s[i] - '0');
	for (; nm < 3 && nm > 0; nm++)
		msec *= 10;
	colon = i < n && s[i] == ':' ? s + i : NULL;
	if (!nd || !colon)
		return tl_reject(r, ln, off, "auditd: bad msg=audit(TIME:SERIAL)");
	for (i++; i < n && isdigit((unsigned char)s[i]) && ns < 19; i++, ns++)
		serial = serial * 10 + (uint64_t)(s[i] - '0');
	if (!ns || i + 1 >= n || s[i] != ')' || s[i + 1] != ':')
		return tl_reject(r, ln, off, "auditd: bad msg=audit(TIME:SERIAL)");
	if (nd > 11 || sec > 253402300799LL)
		return tl_reject(r, ln, off, "auditd: time out of range");
	if (st->open && (st->serial != serial || st->sec != sec ||
			 st->msec != msec || st->nrec >= MAX_RECORDS ||
			 st->text.len + n > MAX_EVENT_BYTES))
		if ((rc = au_flush(r)))
			return rc;
	if (n >= 9 && !memcmp(t + 5, "EOE ", 4)) {
		/* end of a multi-record event: closes it, is not a record */
		if (st->open && st->serial == serial)
			return au_flush(r);
		return tl_reject(r, ln, off, "auditd: EOE without its event");
	}
	if (!st->open) {
		st->open = 1;
		st->sec = sec;
		st->msec = msec;
		st->serial = serial;
		st->line = ln;
		st->off = off;
	} else if (cf_buf_putc(&st->text, '\n')) {
		return cf_set_nomem(r->ctx, "auditd");
	}
	/* drop "node=X " before type= into the text too: field() finds it */
	if (cf_buf_append(&st->text, t, n - (size_t)(t - s)) ||
	    (t > s && (cf_buf_putc(&st->text, ' ') ||
		       cf_buf_append(&st->text, s, (size_t)(t - s)))))
		return cf_set_nomem(r->ctx, "auditd");
	st->nrec++;
	return CF_OK;
}

static int au_end(struct tl_run *r)
{
	return au_flush(r);
}

const struct tl_parser tl_auditd = {
	.name = "auditd",
	.start = au_start,
	.line = au_line,
	.end = au_end,
	.free = au_free,
};
