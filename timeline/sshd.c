/* SPDX-License-Identifier: Apache-2.0
 *
 * OpenSSH server messages: who logged in or failed to, from where, how.
 *
 * Called through the program table (programs.c) for messages of sshd,
 * from syslog lines or journal entries. The messages are free text whose
 * wording OpenSSH has kept stable for years, so a table of POSIX extended
 * regexes turns them into actor, action, outcome and source address. Each
 * pattern spells the whole message, anchored at both ends, because parts
 * of it come from the client: the user name (up to 100 bytes, anything
 * but ':', which sshd cuts off as the BSD auth style), the text of a
 * disconnect, a certificate's key id. A user name "x from 6.6.6.6" must
 * never become the address: the fixed parts after it ("from ADDR port N
 * ssh2", up to the end or to the ": " of the key info, which a user name
 * cannot hold) decide where the name ends. An address that is not numeric
 * (a reverse-DNS name with UseDNS) goes to "src_host", never to src_ip.
 * The formats are those of OpenSSH's auth.c (auth_log, allowed_user,
 * auth_root_allowed, auth_maxtries_exceeded, getpwnamallow), auth-pam.c,
 * packet.c (the connection id "[PREAMBLE ]ADDR port N", the preamble being
 * "invalid user U", "authenticating user U" or "user U") and of Linux-PAM's
 * pam_unix; " [preauth]" (added by the monitor for its child's lines) is
 * cut first and kept as an attribute.
 *
 * Every pattern also says how its line stands to a login attempt
 * (enum tl_attempt), so that programs.c can give the lines of one attempt
 * one id. An unrecognised sshd message is still an event, with its text.
 * The patterns are compiled once per build, when the builder starts
 * (tl_sshd_new), never per member or line; the parse reads them only, so
 * one compiled set may serve parses in several threads.
 *
 * They are written in POSIX ERE and run by PCRE2 (JIT-compiled where the
 * platform allows), which on large auth logs is many times cheaper than
 * glibc's regexec recovering submatches: the patterns use only what both
 * read alike (no back-references, anchored at both ends, alternatives that
 * cannot match at the same place), and the options make PCRE2 read them as
 * POSIX does: '.' matches a newline too (DOTALL) and '$' only the end of
 * the text (DOLLAR_ENDONLY). The text is valid UTF-8 (tl_str), matched as
 * bytes: no class of a pattern holds a byte of a multi-byte character.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <assert.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "tl.h"

/* What a pattern's groups mean; 0 = none. */
struct pattern {
	const char *re;
	const char *action, *outcome, *method;
	unsigned char user, ip, port;
	unsigned char mgrp;   /* group holding the method ("password") */
	unsigned char inval;  /* group that, matched, says "invalid user" */
	unsigned char pre;    /* connection preamble ("invalid user"...) */
	unsigned char why;    /* reason or text, kept as "reason" */
	unsigned char info;   /* key info after "ssh2: " */
	unsigned char count;  /* "PAM N more authentication failures" */
	unsigned char att;    /* enum tl_attempt */
	unsigned char flags;
};

#define F_INVALID 1   /* the user is always an invalid one */
#define F_ROOT 2      /* the actor is root (ROOT LOGIN REFUSED) */
#define F_TOOMANY 4   /* failure when the reason is too many failures */

/* an address has a dot or a colon: a port number is never one */
#define IP "([0-9A-Fa-f]*[.:][0-9A-Fa-f.:]*)"
#define USR "([^:]*)"
#define PRE "(invalid user|authenticating user|user) " USR " "
#define AUTH " for (invalid user )?" USR " from " IP " port ([0-9]+)( +ssh[12](: (.+))?)?$"
#define PAMF "logname=[^ ]* uid=[0-9]* euid=[0-9]* tty=[^ ]* ruser=[^ ]* " \
	"rhost=([^ ]*)( +user=(.*))?$"
#define PAMMSG "(Authentication failure|User not known to the underlying " \
	"authentication module|Maximum number of tries exceeded|Permission " \
	"denied|User account has expired|Authentication token is no longer " \
	"valid; new one required|Insufficient credentials to access " \
	"authentication data|Authentication service cannot retrieve " \
	"authentication info|Conversation error|System error)"

static const struct pattern patterns[] = {
	/* auth.c auth_log(): "%s %s%s%s for %s%.100s from %.200s port %d ssh2%s%s" */
	{"^Accepted ([^ ]+)" AUTH, "login", "success", NULL,
	 3, 4, 5, 1, 2, 0, 0, 8, 0, TL_ATT_TRY, 0},
	{"^Failed ([^ ]+)" AUTH, "login", "failure", NULL,
	 3, 4, 5, 1, 2, 0, 0, 8, 0, TL_ATT_TRY, 0},
	{"^Partial ([^ ]+)" AUTH, "login", "partial", NULL,
	 3, 4, 5, 1, 2, 0, 0, 8, 0, TL_ATT_IN, 0},
	{"^Postponed ([^ ]+)" AUTH, "login", "postponed", NULL,
	 3, 4, 5, 1, 2, 0, 0, 8, 0, TL_ATT_IN, 0},
	/* getpwnamallow(): "Invalid user %.100s from %.100s port %d" */
	{"^Invalid user " USR " from " IP "( port ([0-9]+))?$",
	 "login", "failure", "invalid-user", 1, 2, 4, 0, 0, 0, 0, 0, 0,
	 TL_ATT_IN, F_INVALID},
	{"^input_userauth_request: invalid user " USR "$",
	 "login", "failure", "invalid-user", 1, 0, 0, 0, 0, 0, 0, 0, 0,
	 TL_ATT_IN, F_INVALID},
	/* pam_unix: "authentication failure; logname=%s uid=%d euid=%d
	 * tty=%s ruser=%s rhost=%s %s%s" (" user=%s") */
	{"^pam_[a-z0-9_]+\\(sshd:auth\\): authentication failure; " PAMF,
	 "login", "failure", "pam", 3, 1, 0, 0, 0, 0, 0, 0, 0, TL_ATT_IN, 0},
	{"^PAM ([0-9]+) more authentication failures?; " PAMF,
	 "login", "failure", "pam", 4, 2, 0, 0, 0, 0, 0, 0, 1, TL_ATT_AFTER, 0},
	/* auth-pam.c: "PAM: %s for %s%.100s from %.100s" */
	{"^error: PAM: " PAMMSG " for (illegal user |invalid user )?" USR " from ([^ ]+)$",
	 "login", "failure", "pam", 3, 4, 0, 0, 2, 0, 1, 0, 0, TL_ATT_IN, 0},
	/* allowed_user() */
	{"^User (.+) from ([^ ]+) not allowed because (not listed in AllowUsers|"
	 "listed in DenyUsers|not in any group|a group is listed in DenyGroups|"
	 "none of user's groups are listed in AllowGroups)$",
	 "login", "failure", "not-allowed", 1, 2, 0, 0, 0, 0, 3, 0, 0, TL_ATT_IN, 0},
	{"^User (.+) not allowed because (account is locked|shell .+ does not exist|"
	 "shell .+ is not executable)$",
	 "login", "failure", "not-allowed", 1, 0, 0, 0, 0, 0, 2, 0, 0, TL_ATT_IN, 0},
	/* auth_root_allowed(): "ROOT LOGIN REFUSED FROM %.200s port %d" */
	{"^ROOT LOGIN REFUSED FROM " IP "( port ([0-9]+))?$",
	 "login", "failure", "root-refused", 0, 1, 3, 0, 0, 0, 0, 0, 0,
	 TL_ATT_IN, F_ROOT},
	/* auth_maxtries_exceeded() */
	{"^error: maximum authentication attempts exceeded for (invalid user )?" USR
	 " from " IP " port ([0-9]+) ssh[12]$",
	 "login", "failure", "max-attempts", 2, 3, 4, 0, 1, 0, 0, 0, 0,
	 TL_ATT_AFTER, 0},
	/* packet.c: "Disconnecting %s: %.100s" with the connection id */
	{"^Disconnecting " PRE IP " port ([0-9]+): (.*)$",
	 "disconnect", NULL, NULL, 2, 3, 4, 0, 0, 1, 5, 0, 0, TL_ATT_AFTER,
	 F_TOOMANY},
	{"^Disconnecting: (Too many authentication failures)( for (invalid user )?" USR ")?$",
	 "disconnect", NULL, NULL, 4, 0, 0, 0, 3, 0, 1, 0, 0, TL_ATT_AFTER,
	 F_TOOMANY},
	/* sshpkt_fatal(): "Connection closed by %s", "Connection reset by %s",
	 * "Disconnected from %s" */
	{"^Connection (closed|reset) by " PRE IP " port ([0-9]+)$",
	 "disconnect", NULL, NULL, 3, 4, 5, 0, 0, 2, 0, 0, 0, TL_ATT_AFTER, 0},
	{"^Connection (closed|reset) by " IP "( port ([0-9]+))?$",
	 "disconnect", NULL, NULL, 0, 2, 4, 0, 0, 0, 0, 0, 0, TL_ATT_AFTER, 0},
	{"^Disconnected from (" PRE ")?" IP " port ([0-9]+)$",
	 "disconnect", NULL, NULL, 3, 4, 5, 0, 0, 2, 0, 0, 0, TL_ATT_AFTER, 0},
	{"^(error: )?Received disconnect from " IP "( port ([0-9]+))?: ?[0-9]+: (.*)$",
	 "disconnect", NULL, NULL, 0, 2, 4, 0, 0, 0, 5, 0, 0, TL_ATT_AFTER, 0},
	{"^Connection from " IP " port ([0-9]+)( on .*)?$",
	 "connect", NULL, NULL, 0, 1, 2, 0, 0, 0, 0, 0, 0, TL_ATT_OPEN, 0},
	{"^Did not receive identification string from " IP "( port ([0-9]+))?$",
	 "connect", NULL, NULL, 0, 1, 3, 0, 0, 0, 0, 0, 0, TL_ATT_NONE, 0},
	{"^reverse mapping checking getaddrinfo for .* \\[" IP "\\] failed"
	 "( - POSSIBLE BREAK-IN ATTEMPT!|\\.)?$",
	 "dns-mismatch", NULL, NULL, 0, 1, 0, 0, 0, 0, 0, 0, 0, TL_ATT_NONE, 0},
	{"^Address " IP " maps to .*, but this does not map back to the address"
	 "( - POSSIBLE BREAK-IN ATTEMPT!|\\.)?$",
	 "dns-mismatch", NULL, NULL, 0, 1, 0, 0, 0, 0, 0, 0, 0, TL_ATT_NONE, 0},
	{"^pam_[a-z0-9_]+\\(sshd:session\\): session opened for user ([^ (]+)(\\(uid=[0-9]+\\))? by .*$",
	 "session-open", "success", NULL, 1, 0, 0, 0, 0, 0, 0, 0, 0, TL_ATT_NONE, 0},
	{"^pam_[a-z0-9_]+\\(sshd:session\\): session closed for user ([^ (]+)$",
	 "session-close", "success", NULL, 1, 0, 0, 0, 0, 0, 0, 0, 0, TL_ATT_NONE, 0},
};
#define NPAT (sizeof patterns / sizeof patterns[0])
#define NGROUP 10

struct tl_sshd {
	pcre2_code *rx[NPAT];
	size_t n;  /* compiled so far */
	/* Literal start of each pattern: regexec runs only when it matches,
	 * which keeps the cost per line to a few memcmp on large auth logs. */
	char prefix[NPAT][24];
};

/* PCRE2's allocations through casefile's, whose failures a run counts. */
static void *pc_malloc(PCRE2_SIZE n, void *arg)
{
	(void)arg;
	return cf_malloc(n);
}

static void pc_free(void *p, void *arg)
{
	(void)arg;
	free(p);
}

static pcre2_match_data *match_data_new(void)
{
	pcre2_general_context *gc = pcre2_general_context_create(pc_malloc, pc_free, NULL);
	pcre2_match_data *md = gc ? pcre2_match_data_create(NGROUP, gc) : NULL;

	pcre2_general_context_free(gc);
	return md;
}

int tl_sshd_new(struct cf_ctx *ctx, struct tl_sshd **out)
{
	struct tl_sshd *s = cf_calloc(1, sizeof *s);

	*out = NULL;
	if (!s)
		return cf_set_nomem(ctx, "sshd patterns");
	for (; s->n < NPAT; s->n++) {
		const char *re = patterns[s->n].re + 1;
		size_t k = 0;
		int e;
		PCRE2_SIZE eoff;

		s->rx[s->n] = pcre2_compile((PCRE2_SPTR)patterns[s->n].re,
					    PCRE2_ZERO_TERMINATED,
					    PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY,
					    &e, &eoff, NULL);
		if (!s->rx[s->n]) {
			PCRE2_UCHAR why[128];
			size_t i = s->n;
			pcre2_get_error_message(e, why, sizeof why);
			tl_sshd_free(s);
			if (e == PCRE2_ERROR_NOMEMORY)
				return cf_set_nomem(ctx, "sshd patterns");
			return cf_set_fatal(ctx, 0, "sshd pattern %zu: %s", i + 1,
					    (const char *)why);
		}
		/* the interpreter when JIT is not available: same answers */
		(void)pcre2_jit_compile(s->rx[s->n], PCRE2_JIT_COMPLETE);
		while (re[k] && !strchr("\\()[]{}.*+?|^$", re[k]) && k < 23)
			k++;
		memcpy(s->prefix[s->n], re, k);
		s->prefix[s->n][k] = '\0';
	}
	*out = s;
	return CF_OK;
}

void tl_sshd_free(struct tl_sshd *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		pcre2_code_free(s->rx[i]);
	free(s);
}

/* The text of group g, or NULL when it did not take part. */
static const char *grp(const char *text, const PCRE2_SIZE *m, unsigned g,
		       size_t *len)
{
	if (!g || g >= NGROUP || m[2 * g] == PCRE2_UNSET)
		return NULL;
	*len = (size_t)(m[2 * g + 1] - m[2 * g]);
	return text + m[2 * g];
}

/* Fills the event from the groups of pattern p matched on text. */
static void fill(struct tl_run *r, struct cf_event *ev, const struct pattern *p,
		 const char *text, const PCRE2_SIZE *m, enum tl_attempt *att)
{
	const char *s, *method = p->method;
	size_t n, mlen = (size_t)-1;

	ev->action = p->action;
	ev->outcome = p->outcome;
	*att = (enum tl_attempt)p->att;
	if ((s = grp(text, m, p->user, &n)))
		ev->actor = tl_str(r, s, n);
	if (p->flags & F_ROOT)
		ev->actor = "root";
	if ((s = grp(text, m, p->ip, &n)) && n)
		tl_set_addr(r, ev, s, n);
	if ((s = grp(text, m, p->port, &n)))
		tl_attr_str(r, "src_port", s, n);
	if ((s = grp(text, m, p->mgrp, &n))) {
		method = s;
		mlen = n;
		/* the client's first probe: OpenSSH does not count it a try */
		if (n == 4 && !memcmp(s, "none", 4) && *att == TL_ATT_TRY)
			*att = TL_ATT_IN;
	}
	if ((p->flags & F_INVALID) || grp(text, m, p->inval, &n) ||
	    ((s = grp(text, m, p->pre, &n)) && n == 12 && !memcmp(s, "invalid user", 12)))
		tl_attr_bool(r, "invalid_user", 1);
	/* the preamble of a connection that never authenticated */
	if ((s = grp(text, m, p->pre, &n)) && n > 4) {
		ev->outcome = "failure";
		method = "preauth";
		mlen = (size_t)-1;
	}
	if ((s = grp(text, m, p->why, &n))) {
		tl_attr_str(r, "reason", s, n);
		if ((p->flags & F_TOOMANY) && n >= 32 &&
		    !memcmp(s, "Too many authentication failures", 32)) {
			ev->outcome = "failure";
			method = "max-attempts";
			mlen = (size_t)-1;
		}
	}
	if (method)
		tl_attr_str(r, "method", method, mlen);
	if ((s = grp(text, m, p->info, &n)))
		tl_attr_str(r, "auth_info", s, n);
	if ((s = grp(text, m, p->count, &n)))
		tl_attr_int(r, "failures", tl_digits(s, n, NULL));
}

int tl_sshd_interpret(struct tl_run *r, struct cf_event *ev, const char *msg,
		      size_t n, enum tl_attempt *att)
{
	static const char preauth[] = " [preauth]";
	const size_t pl = sizeof preauth - 1;
	const struct tl_sshd *sx = r->meta->sshd;
	pcre2_match_data *md;
	const char *text;
	size_t tn;

	assert(sx && sx->n == NPAT); /* compiled at builder start */
	*att = TL_ATT_NONE;
	while (n && msg[n - 1] == ' ')
		n--;
	if (n >= pl && !memcmp(msg + n - pl, preauth, pl)) {
		n -= pl;
		tl_attr_bool(r, "preauth", 1);
	}
	text = tl_str(r, msg, n); /* valid UTF-8, without NUL bytes */
	tn = strlen(text);
	for (size_t i = 0; i < NPAT; i++) {
		if (strncmp(text, sx->prefix[i], strlen(sx->prefix[i])))
			continue;
		/* the run's own: one compiled set may serve several threads */
		if (!(md = r->sshd_md) && !(md = r->sshd_md = match_data_new()))
			return 0; /* counted by cf_alloc_failures: the run fails */
		if (pcre2_match(sx->rx[i], (PCRE2_SPTR)text, tn, 0, 0, md, NULL) > 0) {
			fill(r, ev, &patterns[i], text, pcre2_get_ovector_pointer(md), att);
			return 1;
		}
	}
	return 0;
}

void tl_sshd_run_free(struct tl_run *r)
{
	pcre2_match_data_free(r->sshd_md);
	r->sshd_md = NULL;
}
