/* SPDX-License-Identifier: Apache-2.0
 *
 * Linux audit logs (auditd's audit.log, RAW and ENRICHED formats).
 *
 * A kernel event is written as several records (SYSCALL, CWD, PATH,
 * PROCTITLE, ...) sharing the time and serial in
 * msg=audit(SECONDS.MILLIS:SERIAL). Records of concurrent events arrive
 * interleaved and not always SYSCALL first, so, as auparse does, up to
 * AU_WINDOW events stay open at once: a record joins the open event of its
 * time and serial; an event closes at its EOE record, when it is more than
 * AU_TIMEOUT_S seconds older than the newest record, when the window is
 * full, or at the end of the member. Events are emitted in the order of
 * their first record, at its line and offset, with the record types,
 * uid/auid and result in the attributes. The action is the system call of
 * the SYSCALL record wherever it sits in the event (the name the ENRICHED
 * suffix gives, else the name of an interpreted log, else the x86_64
 * number's), else the type of the first record that is not an auxiliary
 * one (PATH, CWD, PROCTITLE, ...). Names come only from the evidence (the
 * ENRICHED suffix after 0x1d: AUID, UID, SYSCALL; acct= fields; the names
 * of an `ausearch -i` log) and from the fixed meanings (0 is root,
 * 4294967295 is unset): never from the passwd file of the machine running
 * casefile, which is not the machine that logged.
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
#define AU_WINDOW 8              /* events open at once */
#define AU_TIMEOUT_S 2           /* auparse's end-of-event timeout */

struct au_event {
	struct cf_buf text;       /* its records, '\n'-joined */
	int64_t sec, msec;
	uint64_t serial;
	uint64_t line, off;       /* first record */
	int nrec;
	int done;                 /* complete, waits for older ones */
};

struct au_state {
	struct au_event ev[AU_WINDOW]; /* open events, oldest first */
	int n;
};

static int au_start(struct tl_run *r)
{
	struct au_state *st = r->state;

	for (int i = 0; i < AU_WINDOW; i++)
		cf_buf_init(&st->ev[i].text);
	return CF_OK;
}

static void au_free(struct tl_run *r)
{
	struct au_state *st = r->state;

	for (int i = 0; i < AU_WINDOW; i++)
		cf_buf_release(&st->ev[i].text);
}

/* x86_64 system call names for the numbers seen in audit rules. */
static const char *syscall_name(long nr)
{
	static const struct {
		int nr;
		const char *name;
	} t[] = {{0, "read"},        {1, "write"},      {2, "open"},
		 {3, "close"},       {4, "stat"},       {5, "fstat"},
		 {6, "lstat"},       {9, "mmap"},       {13, "rt_sigaction"},
		 {14, "rt_sigprocmask"}, {21, "access"}, {23, "select"},
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
		 {228, "clock_gettime"}, {316, "renameat2"}, {322, "execveat"},
		 {437, "openat2"}};
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

/* The name of a uid field: the fixed meanings of the numbers, "uid:N"
 * for the others; a value that does not start like a number is already a
 * name (an `ausearch -i` log: auid=vagrant). */
static const char *uid_name(struct tl_run *r, const char *v, long l)
{
	if (l > 0 && !isdigit((unsigned char)v[0]) && v[0] != '-')
		return tl_str(r, v, (size_t)l);
	if (l == 10 && !memcmp(v, "4294967295", 10))
		return "unset";
	if (l == 2 && !memcmp(v, "-1", 2))
		return "unset";
	if (l == 1 && v[0] == '0')
		return "root";
	return tl_strf(r, "uid:%.*s", (int)l, v);
}

/* One record of an event's text: [b, e) without its ENRICHED suffix,
 * [eb, e2) the suffix (eb == e2 when there is none). */
struct rec {
	const char *b, *e, *eb, *e2;
};

static void rec_at(const char *p, const char *end, struct rec *rc)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *g;

	rc->b = p;
	rc->e2 = nl ? nl : end;
	g = memchr(p, 0x1d, (size_t)(rc->e2 - p));
	rc->e = g ? g : rc->e2;
	rc->eb = g ? g + 1 : rc->e2;
}

/* 1 when a record's type is one that only completes another record. */
static int auxiliary(const char *t, size_t n)
{
	static const char *const aux[] = {
		"CWD", "PATH", "PROCTITLE", "EXECVE", "SOCKADDR", "SOCKETCALL",
		"OBJ_PID", "FD_PAIR", "BPRM_FCAPS", "CAPSET", "MMAP", "IPC",
		"MQ_OPEN", "MQ_SENDRECV", "MQ_NOTIFY", "MQ_GETSETATTR", "KERN_MODULE",
		"NETFILTER_PKT", "SECCOMP", "OPENAT2", "EOE", NULL};
	for (int i = 0; aux[i]; i++)
		if (strlen(aux[i]) == n && !memcmp(aux[i], t, n))
			return 1;
	return 0;
}

/* key=value from the main record, else from any record of the event. */
static long mfield(const struct rec *m, const char *s, size_t n,
		   const char *key, const char **v)
{
	long l = field(m->b, (size_t)(m->e - m->b), key, v);

	return l >= 0 ? l : field(s, n, key, v);
}

/* Appends an EXECVE argument or a PATH name as the program saw it: auditd
 * writes it quoted when it is plain text, else (a space, a quote, a
 * control byte) as hex, which is decoded here, up to a NUL. "(null)" and
 * other unquoted values that are not hex are kept as written. */
static void untrusted(struct cf_buf *b, const char *v, long l)
{
	int hex = l > 0 && l % 2 == 0 && v[-1] != '"';

	for (long i = 0; hex && i < l; i++)
		hex = isxdigit((unsigned char)v[i]) != 0;
	if (!hex) {
		cf_buf_append(b, v, (size_t)l);
		return;
	}
	for (long i = 0; i < l; i += 2) {
		char x[3] = {v[i], v[i + 1], 0};
		int c = (int)strtol(x, NULL, 16);
		if (!c)
			break;
		cf_buf_putc(b, (char)c);
	}
}

/* Sigma's auditd fields (timeline/sigma_map.c): a0..a9, the arguments of
 * the EXECVE record (decoded), else those of the main record (a SYSCALL's
 * registers, in hex as logged); name and nametype, those of every PATH
 * record in item order, '\n'-joined. */
static void au_args(struct tl_run *r, const char *s, size_t n,
		    const struct rec *m)
{
	struct rec ex = *m, rr;
	struct cf_buf b, names, types;
	const char *v;
	long l;
	int have_ex = 0;

	cf_buf_init(&b);
	cf_buf_init(&names);
	cf_buf_init(&types);
	for (const char *p = s; p && p < s + n;) {
		rec_at(p, s + n, &rr);
		if (!have_ex && !strncmp(rr.b + 5, "EXECVE ", 7)) {
			ex = rr;
			have_ex = 1;
		}
		if (!strncmp(rr.b + 5, "PATH ", 5)) {
			if ((l = field(rr.b, (size_t)(rr.e - rr.b), "name", &v)) > 0) {
				if (names.len)
					cf_buf_putc(&names, '\n');
				untrusted(&names, v, l);
			}
			if ((l = field(rr.b, (size_t)(rr.e - rr.b), "nametype", &v)) > 0) {
				if (types.len)
					cf_buf_putc(&types, '\n');
				cf_buf_append(&types, v, (size_t)l);
			}
		}
		p = rr.e2 < s + n ? rr.e2 + 1 : NULL;
	}
	for (int i = 0; i < 10; i++) {
		char key[4] = {'a', (char)('0' + i), 0};
		if ((l = field(ex.b, (size_t)(ex.e - ex.b), key, &v)) < 0)
			continue;
		cf_buf_reset(&b);
		if (have_ex)
			untrusted(&b, v, l);
		else
			cf_buf_append(&b, v, (size_t)l);
		tl_attr_str(r, key, b.data ? b.data : "", b.data ? b.len : 0);
	}
	if (names.len && names.data)
		tl_attr_str(r, "name", names.data, names.len);
	if (types.len && types.data)
		tl_attr_str(r, "nametype", types.data, types.len);
	cf_buf_release(&b);
	cf_buf_release(&names);
	cf_buf_release(&types);
}

static int au_flush(struct tl_run *r, struct au_event *ae)
{
	struct cf_event ev = {.ts_desc = "Event Recorded", .source = "auditd"};
	const char *s = ae->text.data, *v;
	size_t n = ae->text.len;
	long l;
	struct cf_buf types;
	struct rec m = {0}, first = {0};
	int have_main = 0, is_syscall = 0, rc;

	ev.ts_us = ae->sec * 1000000 + ae->msec * 1000;
	cf_buf_init(&types);
	/* the types in arrival order; the main record: SYSCALL, else the first
	 * record that is not auxiliary, else the first */
	for (const char *p = s; p && p < s + n;) {
		struct rec rr;
		size_t tl;
		rec_at(p, s + n, &rr);
		tl = strcspn(rr.b + 5, " \n");
		if (types.len)
			cf_buf_putc(&types, ',');
		cf_buf_append(&types, rr.b + 5, tl);
		if (p == s)
			first = rr;
		if (!is_syscall && tl == 7 && !memcmp(rr.b + 5, "SYSCALL", 7)) {
			m = rr;
			have_main = is_syscall = 1;
		} else if (!have_main && !auxiliary(rr.b + 5, tl)) {
			m = rr;
			have_main = 1;
		}
		p = rr.e2 < s + n ? rr.e2 + 1 : NULL;
	}
	if (!have_main)
		m = first;
	tl_attr_str(r, "types", types.data ? types.data : "", (size_t)-1);
	tl_attr_int(r, "serial", (int64_t)ae->serial);
	tl_attr_int(r, "records", ae->nrec);
	ev.action = tl_str(r, m.b + 5, strcspn(m.b + 5, " \n"));
	if (is_syscall && (l = field(m.b, (size_t)(m.e - m.b), "syscall", &v)) > 0) {
		const char *name = NULL;
		long el;
		tl_attr_str(r, "syscall_nr", v, (size_t)(l < 20 ? l : 20));
		if ((el = field(m.eb, (size_t)(m.e2 - m.eb), "SYSCALL", &v)) > 0)
			name = tl_str(r, v, (size_t)el);         /* ENRICHED */
		else if (!isdigit((unsigned char)v[0]))
			name = tl_str(r, v, (size_t)l);          /* ausearch -i */
		else if (l < 20) {
			char num[24];
			snprintf(num, sizeof num, "%.*s", (int)l, v);
			name = syscall_name(strtol(num, NULL, 10));
		}
		if (name) {
			tl_attr_str(r, "syscall", name, (size_t)-1);
			ev.action = name;
		}
	}
	{ /* uid and auid names: the ENRICHED ones, else what the numbers mean */
		static const char *const k[][3] = {{"auid", "AUID", "auid_name"},
						   {"uid", "UID", "uid_name"}};
		for (int i = 0; i < 2; i++) {
			long el = field(m.eb, (size_t)(m.e2 - m.eb), k[i][1], &v);
			if (el > 0)
				tl_attr_str(r, k[i][2], v, (size_t)el);
			else if ((l = mfield(&m, s, n, k[i][0], &v)) > 0)
				tl_attr_str(r, k[i][2], uid_name(r, v, l), (size_t)-1);
		}
	}
	{
		static const char *const keys[] = {"auid", "uid", "pid", "ses", "exe",
						   "comm", "key", "terminal", "op", NULL};
		for (int i = 0; keys[i]; i++) {
			l = mfield(&m, s, n, keys[i], &v);
			if (l > 0 && !(l == 1 && v[0] == '?') &&
			    !(l == 6 && !memcmp(v, "(none)", 6)))
				tl_attr_str(r, keys[i], v, (size_t)l);
		}
	}
	au_args(r, s, n, &m);
	/* who: acct= of a user-space message, then the ENRICHED name of the
	 * auid, then the auid */
	if ((l = mfield(&m, s, n, "acct", &v)) > 0 && !(l == 1 && v[0] == '?'))
		ev.actor = tl_str(r, v, (size_t)l);
	else if ((l = field(m.eb, (size_t)(m.e2 - m.eb), "AUID", &v)) > 0 ||
		 (l = field(s, n, "AUID", &v)) > 0) {
		if (!(l == 5 && !memcmp(v, "unset", 5)))
			ev.actor = tl_str(r, v, (size_t)l);
	} else if ((l = mfield(&m, s, n, "auid", &v)) > 0 &&
		   strcmp(uid_name(r, v, l), "unset"))
		ev.actor = uid_name(r, v, l);
	if (m.eb < m.e2)
		tl_attr_str(r, "enriched", m.eb, (size_t)(m.e2 - m.eb));
	if ((l = mfield(&m, s, n, "res", &v)) > 0)
		ev.outcome = (l == 7 && !memcmp(v, "success", 7)) || (l == 1 && v[0] == '1') ?
				     "success" : "failure";
	else if ((l = mfield(&m, s, n, "success", &v)) > 0)
		ev.outcome = l == 3 && !memcmp(v, "yes", 3) ? "success" : "failure";
	if ((l = mfield(&m, s, n, "addr", &v)) > 0 && !(l == 1 && v[0] == '?'))
		ev.src_ip = tl_str(r, v, (size_t)l);
	if ((l = mfield(&m, s, n, "node", &v)) > 0)
		ev.host = tl_str(r, v, (size_t)l);
	{
		const char *mm = memmem(m.b, (size_t)(m.e - m.b), "): ", 3);
		ev.message = mm ? tl_str(r, mm + 3, (size_t)(m.e - mm - 3)) : NULL;
	}
	cf_buf_release(&types);
	rc = tl_emit(r, &ev, ae->line, ae->off);
	cf_buf_reset(&ae->text);
	ae->nrec = 0;
	ae->done = 0;
	return rc;
}

/* Emits the complete events at the head of the window (all with `all`). */
static int au_drain(struct tl_run *r, int all)
{
	struct au_state *st = r->state;
	int rc;

	while (st->n && (all || st->ev[0].done)) {
		struct au_event tmp;
		if ((rc = au_flush(r, &st->ev[0])))
			return rc;
		tmp = st->ev[0];
		memmove(&st->ev[0], &st->ev[1], (size_t)(st->n - 1) * sizeof st->ev[0]);
		st->ev[--st->n] = tmp; /* its emptied buffer is reused */
	}
	return CF_OK;
}

static int au_line(struct tl_run *r, const char *s, size_t n, uint64_t ln,
		   uint64_t off)
{
	struct au_state *st = r->state;
	struct au_event *ae = NULL;
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
	for (int k = 0; k < st->n; k++) {
		struct au_event *e = &st->ev[k];
		if (e->done)
			continue;
		if (e->serial == serial && e->sec == sec && e->msec == msec)
			ae = e;
		else if (e->sec + AU_TIMEOUT_S < sec)
			e->done = 1; /* auparse's timeout: it will not grow */
	}
	if (ae && (ae->nrec >= MAX_RECORDS || ae->text.len + n > MAX_EVENT_BYTES)) {
		ae->done = 1;
		ae = NULL;
	}
	if (n >= 9 && !memcmp(t + 5, "EOE ", 4)) {
		/* end of a multi-record event: closes it, is not a record */
		if (!ae)
			return tl_reject(r, ln, off, "auditd: EOE without its event");
		ae->done = 1;
		return au_drain(r, 0);
	}
	if (!ae) {
		if (st->n == AU_WINDOW) {
			st->ev[0].done = 1;
			if ((rc = au_drain(r, 0)))
				return rc;
		}
		ae = &st->ev[st->n++];
		ae->sec = sec;
		ae->msec = msec;
		ae->serial = serial;
		ae->line = ln;
		ae->off = off;
		ae->nrec = 0;
		ae->done = 0;
	} else if (cf_buf_putc(&ae->text, '\n')) {
		return cf_set_nomem(r->ctx, "auditd");
	}
	/* drop "node=X " before type= into the text too: field() finds it */
	if (cf_buf_append(&ae->text, t, n - (size_t)(t - s)) ||
	    (t > s && (cf_buf_putc(&ae->text, ' ') ||
		       cf_buf_append(&ae->text, s, (size_t)(t - s)))))
		return cf_set_nomem(r->ctx, "auditd");
	ae->nrec++;
	return au_drain(r, 0);
}

static int au_end(struct tl_run *r)
{
	return au_drain(r, 1);
}

const struct tl_parser tl_auditd = {
	.name = "auditd",
	.state_size = sizeof(struct au_state),
	.start = au_start,
	.line = au_line,
	.end = au_end,
	.free = au_free,
};
