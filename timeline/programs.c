/* SPDX-License-Identifier: Apache-2.0
 *
 * What a program's message means, whatever carried it: a syslog line, a
 * journal entry. The table maps a program name (syslog tag, journal
 * SYSLOG_IDENTIFIER or _COMM) to the interpreter of its messages, which
 * sets actor, action, outcome and address on the event and names its
 * source. Adding a program is one interpreter and one row; syslog and the
 * journal never test program names themselves.
 *
 * Interpreters read messages from the left by their fixed parts (the
 * formats of sudo's eventlog, util-linux and shadow su, systemd-logind,
 * Linux-PAM's pam_unix and the kernel), never by searching the text for a
 * keyword that a user-chosen part (a working directory, a command line, a
 * user name) could also hold. They also say how a line stands to a login
 * attempt (enum tl_attempt): here the lines of one attempt of one process
 * get one "attempt" id ("PID-N", N counting the attempts of the member),
 * so that a failure logged three ways (sshd's "Invalid user", pam_unix's
 * "authentication failure", sshd's "Failed password") counts once. The
 * open attempts live in the run (struct tl_programs), one slot per
 * process, dropped when a process has been silent for TL_ATTEMPT_IDLE
 * (longer than sshd's LoginGraceTime allows), so that memory follows the
 * connections open at once, not the size of the log.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/time.h"
#include "tl.h"

#define TL_ATTEMPT_IDLE (600 * CF_US_PER_SEC)

/* ---- helpers -------------------------------------------------------------- */

static int starts(const char *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	return n >= k && !memcmp(s, lit, k);
}

/* First occurrence of lit in s[0..n), or NULL. */
static const char *find(const char *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);

	for (size_t i = 0; k <= n && i <= n - k; i++)
		if (s[i] == lit[0] && !memcmp(s + i, lit, k))
			return s + i;
	return NULL;
}

/* Last occurrence of lit in s[0..n), or NULL. */
static const char *rfind(const char *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);

	for (size_t i = n >= k ? n - k + 1 : 0; i-- > 0;)
		if (!memcmp(s + i, lit, k))
			return s + i;
	return NULL;
}

void tl_set_addr(struct tl_run *r, struct cf_event *ev, const char *s,
		 size_t n)
{
	unsigned char bin[16];
	char a[64];

	if (n && n < sizeof a) {
		memcpy(a, s, n);
		a[n] = '\0';
		if (inet_pton(AF_INET, a, bin) == 1 || inet_pton(AF_INET6, a, bin) == 1) {
			ev->src_ip = tl_str(r, s, n);
			return;
		}
	}
	if (n)
		tl_attr_str(r, "src_host", s, n);
}

/* The process id the caller put in the attributes ("pid":"123" or
 * "pid":123), 0 when none. Keys are ours: a quote in a value is always
 * escaped, so "pid" after '{' or ',' is the key. */
static unsigned long attr_pid(const struct tl_run *r)
{
	const char *a = r->attrs.data, *p;
	size_t n = r->attrs.len;
	unsigned long v = 0;

	for (p = a; p && (p = find(p, n - (size_t)(p - a), "\"pid\":")); p += 6) {
		if (p == a || (p[-1] != ',' && p[-1] != '{'))
			continue;
		p += 6;
		if (p < a + n && *p == '"')
			p++;
		for (; p < a + n && *p >= '0' && *p <= '9' && v < 100000000; p++)
			v = v * 10 + (unsigned long)(*p - '0');
		return v;
	}
	return 0;
}

/* ---- login attempts --------------------------------------------------------- */

struct slot {
	unsigned long pid;    /* 0: free */
	unsigned prog;        /* table row */
	int open;             /* the attempt has not concluded */
	int64_t last_us;      /* time of its last line */
	uint64_t id;          /* attempt number in the member */
};

struct tl_programs {
	struct slot *v;
	size_t cap, used;     /* cap: a power of two */
	uint64_t seq;         /* attempts so far */
};

void tl_programs_free(struct tl_programs *p)
{
	if (!p)
		return;
	free(p->v);
	free(p);
}

static size_t slot_hash(unsigned long pid, unsigned prog, size_t cap)
{
	return (size_t)((pid * 2654435761u) ^ prog) & (cap - 1);
}

static int idle(const struct slot *s, int64_t now)
{
	int64_t d = now - s->last_us;
	return d > TL_ATTEMPT_IDLE || d < -TL_ATTEMPT_IDLE;
}

/* Rebuilds the table, without the slots idle at `now`, growing it when
 * more than a quarter stays used. 0, or -1 when out of memory. */
static int rehash(struct tl_programs *p, int64_t now)
{
	size_t live = 0, cap = p->cap ? p->cap : 64;
	struct slot *v;

	for (size_t i = 0; i < p->cap; i++)
		live += p->v[i].pid && !idle(&p->v[i], now);
	while (live * 4 >= cap)
		cap *= 2;
	if (!(v = cf_calloc(cap, sizeof *v)))
		return -1;
	for (size_t i = 0; i < p->cap; i++) {
		const struct slot *s = &p->v[i];
		size_t h;
		if (!s->pid || idle(s, now))
			continue;
		for (h = slot_hash(s->pid, s->prog, cap); v[h].pid; h = (h + 1) & (cap - 1))
			;
		v[h] = *s;
	}
	free(p->v);
	p->v = v;
	p->cap = cap;
	p->used = live;
	return 0;
}

/* The slot of (pid, prog), made when absent; NULL when out of memory. */
static struct slot *slot_of(struct tl_run *r, unsigned long pid, unsigned prog,
			    int64_t now)
{
	struct tl_programs *p = r->programs;
	size_t h;

	if (!p && !(p = r->programs = cf_calloc(1, sizeof *p)))
		return NULL;
	if ((p->used + 1) * 2 > p->cap && rehash(p, now))
		return NULL;
	for (h = slot_hash(pid, prog, p->cap); p->v[h].pid; h = (h + 1) & (p->cap - 1))
		if (p->v[h].pid == pid && p->v[h].prog == prog)
			return &p->v[h];
	p->v[h].pid = pid;
	p->v[h].prog = prog;
	p->v[h].last_us = now;
	p->v[h].id = 0; /* no attempt yet */
	p->used++;
	return &p->v[h];
}

/* Gives the line its attempt id. Out of memory leaves the id out; the
 * run then fails at tl_emit (r->refused). */
static void attempt(struct tl_run *r, const struct cf_event *ev, unsigned prog,
		    enum tl_attempt att)
{
	unsigned long pid = attr_pid(r);
	struct slot *s;
	int fresh;

	if (att == TL_ATT_NONE || !pid || !(s = slot_of(r, pid, prog, ev->ts_us)))
		return;
	fresh = !s->id || idle(s, ev->ts_us);
	switch (att) {
	case TL_ATT_OPEN:
		fresh = 1;
		break;
	case TL_ATT_IN:
	case TL_ATT_TRY:
		fresh = fresh || !s->open;
		break;
	default:
		break;
	}
	if (fresh)
		s->id = ++r->programs->seq;
	s->open = att == TL_ATT_OPEN || att == TL_ATT_IN;
	s->last_us = ev->ts_us;
	tl_attr_str(r, "attempt", tl_strf(r, "%lu-%llu", pid, (unsigned long long)s->id),
		    (size_t)-1);
}

/* ---- PAM (pam_unix and modules of its format) ----------------------------- */

struct pam {
	const char *svc, *ruser, *logname, *user, *tty, *rhost;
	size_t svcn, rusern, lognamen, usern, ttyn, rhostn;
};

/* "pam_X(SVC:auth): authentication failure; logname=L uid=U euid=E tty=T
 * ruser=R rhost=H[  user=USER]": fields read from the left in their fixed
 * order, each up to its space; only the user, last, runs to the end. */
static int pam_failure(const char *s, size_t n, struct pam *p)
{
	static const char *const key[] = {"logname=", " uid=", " euid=", " tty=",
					  " ruser=", " rhost=", NULL};
	const char **val[] = {&p->logname, NULL, NULL, &p->tty, &p->ruser, &p->rhost};
	size_t *len[] = {&p->lognamen, NULL, NULL, &p->ttyn, &p->rusern, &p->rhostn};
	const char *q = find(s, n, ":auth): authentication failure; ");
	size_t i;

	memset(p, 0, sizeof *p);
	if (!starts(s, n, "pam_") || !q || !(p->svc = memchr(s, '(', (size_t)(q - s))))
		return 0;
	p->svc++;
	p->svcn = (size_t)(q - p->svc);
	i = (size_t)(q - s) + 32;
	for (int k = 0; key[k]; k++) {
		size_t e;
		if (!starts(s + i, n - i, key[k]))
			return 0;
		i += strlen(key[k]);
		for (e = i; e < n && s[e] != ' '; e++)
			;
		if (val[k]) {
			*val[k] = s + i;
			*len[k] = e - i;
		}
		i = e;
	}
	while (i < n && s[i] == ' ')
		i++;
	if (starts(s + i, n - i, "user=")) {
		p->user = s + i + 5;
		p->usern = n - i - 5;
	} else if (i < n) {
		return 0;
	}
	return 1;
}

/* "pam_X(SVC:session): session opened for user T[(uid=N)] by A[(uid=M)]"
 * and "... session closed for user T". */
static int pam_session(struct tl_run *r, struct cf_event *ev, const char *s,
		       size_t n)
{
	const char *q = find(s, n, ":session): session ");
	const char *t, *e, *by;
	int open;

	if (!starts(s, n, "pam_") || !q)
		return 0;
	q += 19;
	if (starts(q, (size_t)(s + n - q), "opened for user "))
		open = 1;
	else if (starts(q, (size_t)(s + n - q), "closed for user "))
		open = 0;
	else
		return 0;
	t = q + 16;
	for (e = t; e < s + n && *e != '(' && *e != ' '; e++)
		;
	tl_attr_str(r, "target_user", t, (size_t)(e - t));
	ev->action = open ? "session-open" : "session-close";
	ev->outcome = "success";
	if (open && (by = find(e, (size_t)(s + n - e), " by "))) {
		by += 4;
		for (e = by; e < s + n && *e != '(' && *e != ' '; e++)
			;
		if (e > by)
			ev->actor = tl_str(r, by, (size_t)(e - by));
	}
	if (!ev->actor && !open)
		ev->actor = tl_str(r, t, (size_t)(e - t));
	return 1;
}

/* A PAM authentication failure of a local program (sudo, su): the actor is
 * the invoking user (ruser, else logname), the target the user whose
 * password was asked. One failure is one try. */
static int pam_local(struct tl_run *r, struct cf_event *ev, const char *s,
		     size_t n, const char *action, enum tl_attempt *att)
{
	struct pam p;

	if (!pam_failure(s, n, &p))
		return pam_session(r, ev, s, n);
	ev->action = action;
	ev->outcome = "failure";
	if (p.rusern)
		ev->actor = tl_str(r, p.ruser, p.rusern);
	else if (p.lognamen)
		ev->actor = tl_str(r, p.logname, p.lognamen);
	if (p.usern)
		tl_attr_str(r, "target_user", p.user, p.usern);
	if (p.ttyn)
		tl_attr_str(r, "tty", p.tty, p.ttyn);
	if (p.rhostn)
		tl_set_addr(r, ev, p.rhost, p.rhostn);
	tl_attr_str(r, "method", "pam", (size_t)-1);
	*att = TL_ATT_TRY;
	return 1;
}

/* ---- sudo ------------------------------------------------------------------- */

/* sudo's eventlog line, after "USER : ": "[REASON ; ][HOST=h ; ]TTY=t ;
 * [CHROOT=c ; ]PWD=d ; USER=u ; [GROUP=g ; ][TSID=i ; ][ENV=e ; ]COMMAND=c".
 * The keys come in this order; the working directory and the command are
 * the user's and may hold " ; USER=", so each value ends at the first
 * " ; " followed by a key still to come, COMMAND runs to the end, and a
 * line where that is not the only reading is marked "ambiguous". */
static int interpret_sudo(struct tl_run *r, struct cf_event *ev,
			  const char *msg, size_t n, enum tl_attempt *att)
{
	static const char *const key[] = {"HOST=", "TTY=", "CHROOT=", "PWD=",
					  "USER=", "GROUP=", "TSID=", "ENV=",
					  "COMMAND=", NULL};
	static const char *const attr[] = {"submit_host", "tty", "chroot", "cwd",
					   "target_user", "target_group", "tsid",
					   "env", "command"};
	const char *s = msg, *sep, *end = msg + n;
	int k = 0, fields = 0;

	while (s < end && *s == ' ')
		s++;
	if (starts(s, (size_t)(end - s), "pam_"))
		return pam_local(r, ev, s, (size_t)(end - s), "sudo", att);
	if (!(sep = find(s, (size_t)(end - s), " : ")) || sep == s)
		return 0;
	ev->actor = tl_str(r, s, (size_t)(sep - s));
	ev->action = "sudo";
	s = sep + 3;
	if (starts(s, (size_t)(end - s), "(command continued) ")) {
		tl_attr_str(r, "command_continued", s + 20, (size_t)(end - s - 20));
		return 1;
	}
	/* a reason first: anything that is not a key */
	for (k = 0; key[k] && !starts(s, (size_t)(end - s), key[k]); k++)
		;
	if (!key[k]) {
		const char *e = find(s, (size_t)(end - s), " ; ");
		size_t rn = e ? (size_t)(e - s) : (size_t)(end - s);
		long long tries = tl_digits(s, rn, NULL);
		tl_attr_str(r, "reason", s, rn);
		ev->outcome = "failure";
		if (tries > 0 && find(s, rn, " incorrect password attempt")) {
			tl_attr_int(r, "failures", tries);
			*att = TL_ATT_AFTER;
		} else {
			*att = TL_ATT_TRY;
		}
		s = e ? e + 3 : end;
	} else {
		ev->outcome = "success";
	}
	for (k = 0; key[k] && s < end; k++) {
		const char *e = end;
		if (!starts(s, (size_t)(end - s), key[k]))
			continue;
		s += strlen(key[k]);
		if (key[k + 1]) { /* up to " ; " and a key still to come */
			for (const char *q = s; (q = find(q, (size_t)(end - q), " ; ")); q += 3) {
				int later = 0;
				for (int j = k + 1; key[j] && !later; j++)
					later = starts(q + 3, (size_t)(end - q - 3), key[j]);
				if (later) {
					e = q;
					break;
				}
			}
		}
		tl_attr_str(r, attr[k], s, (size_t)(e - s));
		fields++;
		s = e < end ? e + 3 : end;
	}
	if (!fields)
		return 1;
	/* another reading: a later " ; USER=" or " ; COMMAND=" */
	{
		const char *pwd = find(msg, n, "PWD=");
		if (pwd && (find(pwd, (size_t)(end - pwd), " ; USER=") !=
			    rfind(pwd, (size_t)(end - pwd), " ; USER=") ||
			    find(pwd, (size_t)(end - pwd), " ; COMMAND=") !=
			    rfind(pwd, (size_t)(end - pwd), " ; COMMAND=")))
			tl_attr_bool(r, "ambiguous", 1);
	}
	return 1;
}

/* ---- su ----------------------------------------------------------------------- */

/* util-linux: "[FAILED SU |FAILED RUNUSER ](to TARGET) USER on TTY";
 * shadow: "Successful su for TARGET by USER", "FAILED su for TARGET by
 * USER", "+ TTY USER:TARGET", "- TTY USER:TARGET". */
static int interpret_su(struct tl_run *r, struct cf_event *ev, const char *msg,
			size_t n, enum tl_attempt *att)
{
	const char *s = msg, *end = msg + n, *a, *b;
	int ok = 1;

	if (starts(s, n, "pam_"))
		return pam_local(r, ev, s, n, "su", att);
	if (starts(s, n, "FAILED SU ") || starts(s, n, "FAILED RUNUSER ")) {
		ok = 0;
		s = find(s, n, "(");
	}
	if (s && starts(s, (size_t)(end - s), "(to ") &&
	    (a = find(s, (size_t)(end - s), ") ")) && (b = rfind(a, (size_t)(end - a), " on "))) {
		tl_attr_str(r, "target_user", s + 4, (size_t)(a - s - 4));
		ev->actor = tl_str(r, a + 2, (size_t)(b - a - 2));
		tl_attr_str(r, "tty", b + 4, (size_t)(end - b - 4));
	} else if ((starts(msg, n, "Successful su for ") || starts(msg, n, "FAILED su for ")) &&
		   (b = rfind(msg, n, " by "))) {
		ok = msg[0] == 'S';
		a = msg + (ok ? 18 : 14);
		if (b < a)
			return 0;
		tl_attr_str(r, "target_user", a, (size_t)(b - a));
		ev->actor = tl_str(r, b + 4, (size_t)(end - b - 4));
	} else if (n > 2 && (msg[0] == '+' || msg[0] == '-') && msg[1] == ' ' &&
		   (a = find(msg + 2, n - 2, " ")) && (b = rfind(a, (size_t)(end - a), ":"))) {
		ok = msg[0] == '+';
		tl_attr_str(r, "tty", msg + 2, (size_t)(a - msg - 2));
		ev->actor = tl_str(r, a + 1, (size_t)(b - a - 1));
		tl_attr_str(r, "target_user", b + 1, (size_t)(end - b - 1));
	} else {
		return 0;
	}
	ev->action = "su";
	ev->outcome = ok ? "success" : "failure";
	*att = ok ? TL_ATT_NONE : TL_ATT_AFTER;
	return 1;
}

/* ---- systemd-logind ------------------------------------------------------- */

/* "New session ID of user USER.", "Removed session ID.", "Session ID
 * logged out. Waiting for processes to exit.", "System is rebooting.",
 * "System is powering down." */
static int interpret_logind(struct tl_run *r, struct cf_event *ev,
			    const char *msg, size_t n, enum tl_attempt *att)
{
	const char *end = msg + n, *a;

	(void)att;
	if (starts(msg, n, "New session ") && (a = find(msg, n, " of user ")) &&
	    n > 1 && msg[n - 1] == '.' && a + 9 < end - 1) {
		tl_attr_str(r, "session", msg + 12, (size_t)(a - msg - 12));
		ev->actor = tl_str(r, a + 9, (size_t)(end - 1 - a - 9));
		ev->action = "session-open";
		ev->outcome = "success";
	} else if (starts(msg, n, "Removed session ") && msg[n - 1] == '.') {
		tl_attr_str(r, "session", msg + 16, n - 17);
		ev->action = "session-close";
	} else if (starts(msg, n, "Session ") && (a = find(msg, n, " logged out."))) {
		tl_attr_str(r, "session", msg + 8, (size_t)(a - msg - 8));
		ev->action = "logout";
	} else if (starts(msg, n, "System is rebooting")) {
		ev->action = "reboot";
	} else if (starts(msg, n, "System is powering down")) {
		ev->action = "shutdown";
	} else {
		return 0;
	}
	return 1;
}

/* ---- kernel ----------------------------------------------------------------- */

/* The value of KEY="v" (audit fields: a value with a space or a quote is
 * hex-encoded, never quoted) or KEY=v, preceded by a space. */
static int kv(const char *s, size_t n, const char *key, const char **v,
	      size_t *vn)
{
	char k[32];
	const char *p, *e, *end = s + n;

	if (strlen(key) + 3 > sizeof k)
		return 0;
	k[0] = ' ';
	strcpy(k + 1, key);
	strcat(k, "=");
	if (!(p = find(s, n, k)))
		return 0;
	p += strlen(k);
	if (p < end && *p == '"') {
		p++;
		if (!(e = memchr(p, '"', (size_t)(end - p))))
			return 0;
	} else {
		for (e = p; e < end && *e != ' ' && *e != ','; e++)
			;
	}
	*v = p;
	*vn = (size_t)(e - p);
	return 1;
}

static void kv_attr(struct tl_run *r, const char *s, size_t n, const char *key,
		    const char *name)
{
	const char *v;
	size_t vn;

	if (kv(s, n, key, &v, &vn))
		tl_attr_str(r, name, v, vn);
}

/* "COMM[PID]: " at s: the length of the prefix, 0 when none. */
static size_t comm_pid(struct tl_run *r, const char *s, size_t n)
{
	const char *b = memchr(s, '[', n), *e;

	if (!b || b == s || !(e = memchr(b, ']', (size_t)(s + n - b))) || e + 2 > s + n ||
	    e[1] != ':' || memchr(s, ' ', (size_t)(b - s)))
		return 0;
	tl_attr_str(r, "comm", s, (size_t)(b - s));
	tl_attr_str(r, "process_id", b + 1, (size_t)(e - b - 1));
	return (size_t)(e + 2 - s);
}

static int interpret_kernel(struct tl_run *r, struct cf_event *ev,
			    const char *msg, size_t n, enum tl_attempt *att)
{
	const char *s = msg, *end, *v;
	size_t k, vn;

	(void)att;
	if (n > 2 && s[0] == '[') { /* "[ 316.559919] " printk time */
		const char *e = memchr(s, ']', n);
		if (!e)
			return 0;
		s = e + 1;
		while (s < msg + n && *s == ' ')
			s++;
	}
	end = msg + n;
	n = (size_t)(end - s);
	if (starts(s, n, "audit: type=") || starts(s, n, "audit(")) {
		ev->action = "audit";
		kv_attr(r, s, n, "type", "audit_type");
		if (kv(s, n, "apparmor", &v, &vn)) {
			tl_attr_str(r, "apparmor", v, vn);
			if (vn == 6 && !memcmp(v, "DENIED", 6)) {
				ev->action = "apparmor-denied";
				ev->outcome = "failure";
			}
			kv_attr(r, s, n, "operation", "operation");
			kv_attr(r, s, n, "profile", "profile");
			if (kv(s, n, "name", &v, &vn))
				ev->resource = tl_str(r, v, vn);
		}
		kv_attr(r, s, n, "comm", "comm");
		kv_attr(r, s, n, "pid", "process_id");
		return 1;
	}
	if ((starts(s, n, "Out of memory: Kill") || starts(s, n, "Killed process ")) &&
	    (v = find(s, n, "process "))) {
		const char *p = v + 8, *e = p;
		while (e < end && *e >= '0' && *e <= '9')
			e++;
		tl_attr_str(r, "process_id", p, (size_t)(e - p));
		if (e + 2 < end && e[0] == ' ' && e[1] == '(') {
			const char *c = memchr(e + 2, ')', (size_t)(end - e - 2));
			if (c)
				tl_attr_str(r, "comm", e + 2, (size_t)(c - e - 2));
		}
		if ((v = find(s, n, " UID:"))) {
			const char *u = v + 5;
			for (e = u; e < end && *e >= '0' && *e <= '9'; e++)
				;
			tl_attr_str(r, "uid", u, (size_t)(e - u));
		}
		ev->action = "oom-kill";
		return 1;
	}
	if ((find(s, n, "]: segfault at ") || find(s, n, "]: general protection")) &&
	    (k = comm_pid(r, s, n))) {
		const char *in = rfind(s + k, n - k, " in ");
		ev->action = "segfault";
		if (in)
			tl_attr_str(r, "in", in + 4, (size_t)(end - in - 4));
		return 1;
	}
	if (starts(s, n, "usb ") && (v = find(s, n, ": "))) {
		const char *t = v + 2;
		size_t tn = (size_t)(end - t);
		tl_attr_str(r, "usb_port", s + 4, (size_t)(v - s - 4));
		if (starts(t, tn, "New USB device found")) {
			ev->action = "usb-attach";
			kv_attr(r, t, tn, "idVendor", "usb_vendor");
			kv_attr(r, t, tn, "idProduct", "usb_product");
		} else if (starts(t, tn, "USB disconnect")) {
			ev->action = "usb-detach";
		} else if (starts(t, tn, "Product: ")) {
			ev->action = "usb-device";
			tl_attr_str(r, "usb_name", t + 9, tn - 9);
		} else if (starts(t, tn, "Manufacturer: ")) {
			ev->action = "usb-device";
			tl_attr_str(r, "usb_maker", t + 14, tn - 14);
		} else if (starts(t, tn, "SerialNumber: ")) {
			ev->action = "usb-device";
			tl_attr_str(r, "usb_serial", t + 14, tn - 14);
		} else {
			return 0;
		}
		return 1;
	}
	if (find(s, n, " SRC=") && find(s, n, " DST=") && (starts(s, n, "[") ||
							  starts(s, n, "IN="))) {
		/* netfilter LOG: "[UFW BLOCK] IN=eth0 OUT= ... SRC=a DST=b ..." */
		const char *e = s[0] == '[' ? memchr(s, ']', n) : NULL;
		if (e) {
			tl_attr_str(r, "prefix", s + 1, (size_t)(e - s - 1));
			if (find(s, (size_t)(e - s), "BLOCK") || find(s, (size_t)(e - s), "DROP") ||
			    find(s, (size_t)(e - s), "REJECT"))
				ev->outcome = "blocked";
		}
		if (kv(s, n, "SRC", &v, &vn))
			tl_set_addr(r, ev, v, vn);
		kv_attr(r, s, n, "DST", "dst_ip");
		kv_attr(r, s, n, "PROTO", "proto");
		kv_attr(r, s, n, "DPT", "dst_port");
		ev->action = "firewall";
		return 1;
	}
	return 0;
}

/* ---- the table -------------------------------------------------------------- */

static int interpret_sshd(struct tl_run *r, struct cf_event *ev,
			  const char *msg, size_t n, enum tl_attempt *att)
{
	return tl_sshd_interpret(r, ev, msg, n, att);
}

static const struct program {
	const char *name;   /* program name */
	int prefix;         /* 1: name is a prefix ("sshd-session", "sshd") */
	const char *source; /* the event's source when recognised */
	int (*interpret)(struct tl_run *r, struct cf_event *ev, const char *msg,
			 size_t n, enum tl_attempt *att);
} programs[] = {
	{"sshd", 1, "sshd", interpret_sshd},
	{"sudo", 0, "sudo", interpret_sudo},
	{"su", 0, "su", interpret_su},
	{"systemd-logind", 0, "systemd-logind", interpret_logind},
	{"kernel", 0, "kernel", interpret_kernel},
};

int tl_program_interpret(struct tl_run *r, struct cf_event *ev,
			 const char *prog, size_t plen, const char *msg,
			 size_t n)
{
	for (unsigned i = 0; i < sizeof programs / sizeof programs[0]; i++) {
		const struct program *p = &programs[i];
		size_t k = strlen(p->name);
		enum tl_attempt att = TL_ATT_NONE;

		if (plen < k || memcmp(prog, p->name, k) || (!p->prefix && plen != k))
			continue;
		if (!p->interpret(r, ev, msg, n, &att))
			return 0;
		ev->source = p->source;
		attempt(r, ev, i, att);
		return 1;
	}
	return 0;
}
