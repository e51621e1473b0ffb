/* SPDX-License-Identifier: Apache-2.0
 *
 * OpenSSH server messages: who logged in or failed to, from where, how.
 *
 * Called by the syslog parser for lines whose program is sshd. The
 * messages are free text whose wording OpenSSH has kept stable for years,
 * so a short table of POSIX extended regexes (log lines only, never
 * structured formats) turns them into actor, action, outcome and source
 * address. An unrecognised sshd message is still an event, with its text.
 * The patterns are compiled once per build, when the builder starts
 * (tl_sshd_new), never per member or line; the parse reads them only, so
 * one compiled set may serve parses in several threads.
 */
#include <assert.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "tl.h"

struct pattern {
	const char *re;
	const char *action, *outcome, *method;
	int user, ip, port; /* capture group numbers, 0 = none */
	int invalid_user;
};

#define IP "([0-9A-Fa-f.:]+)"
static const struct pattern patterns[] = {
	{"^Accepted (password|publickey|keyboard-interactive/pam|gssapi-with-mic|hostbased) for (.+) from " IP " port ([0-9]+)",
	 "login", "success", NULL, 2, 3, 4, 0},
	{"^Failed (password|publickey|keyboard-interactive/pam|none|hostbased) for invalid user (.*) from " IP "( port ([0-9]+))?",
	 "login", "failure", NULL, 2, 3, 5, 1},
	{"^Failed (password|publickey|keyboard-interactive/pam|none|hostbased) for (.+) from " IP "( port ([0-9]+))?",
	 "login", "failure", NULL, 2, 3, 5, 0},
	{"^Invalid user (.*) from " IP "( port ([0-9]+))?$",
	 "login", "failure", "invalid-user", 1, 2, 4, 1},
	{"^input_userauth_request: invalid user (.*) \\[preauth\\]",
	 "login", "failure", "invalid-user", 1, 0, 0, 1},
	{"^pam_unix\\(sshd:auth\\): authentication failure;.* rhost=([^ ]*)( +user=([^ ]+))?",
	 "login", "failure", "pam", 3, 1, 0, 0},
	{"^authentication failure;.* rhost=([^ ]*)( +user=([^ ]+))?",
	 "login", "failure", "pam", 3, 1, 0, 0},
	{"^pam_unix\\(sshd:session\\): session opened for user ([^ ]+)",
	 "session-open", "success", NULL, 1, 0, 0, 0},
	{"^pam_unix\\(sshd:session\\): session closed for user ([^ ]+)",
	 "session-close", "success", NULL, 1, 0, 0, 0},
	{"^Disconnected from (invalid |authenticating )?user (.+) " IP " port ([0-9]+)",
	 "disconnect", NULL, NULL, 2, 3, 4, 0},
	{"^Received disconnect from " IP "( port ([0-9]+))?:",
	 "disconnect", NULL, NULL, 0, 1, 3, 0},
	{"^Disconnected from " IP " port ([0-9]+)",
	 "disconnect", NULL, NULL, 0, 1, 2, 0},
	{"^Connection closed by (invalid |authenticating )?user (.+) " IP " port ([0-9]+)",
	 "disconnect", NULL, NULL, 2, 3, 4, 0},
	{"^Connection closed by " IP "( port ([0-9]+))?",
	 "disconnect", NULL, NULL, 0, 1, 3, 0},
	{"^Connection from " IP " port ([0-9]+)",
	 "connect", NULL, NULL, 0, 1, 2, 0},
	{"^reverse mapping checking getaddrinfo for .* \\[" IP "\\] failed",
	 "dns-mismatch", NULL, NULL, 0, 1, 0, 0},
	{"^error: maximum authentication attempts exceeded for (invalid user )?(.+) from " IP " port ([0-9]+)",
	 "login", "failure", "max-attempts", 2, 3, 4, 0},
	{"^PAM ([0-9]+) more authentication failures?;.* rhost=([^ ]*)( +user=([^ ]+))?",
	 "login", "failure", "pam", 4, 2, 0, 0},
};
#define NPAT (sizeof patterns / sizeof patterns[0])

struct tl_sshd {
	regex_t rx[NPAT];
	size_t n;  /* compiled so far */
	/* Literal start of each pattern: regexec runs only when it matches,
	 * which keeps the cost per line to a few memcmp on large auth logs. */
	char prefix[NPAT][24];
};

int tl_sshd_new(struct cf_ctx *ctx, struct tl_sshd **out)
{
	struct tl_sshd *s = cf_calloc(1, sizeof *s);

	*out = NULL;
	if (!s)
		return cf_set_nomem(ctx, "sshd patterns");
	for (; s->n < NPAT; s->n++) {
		const char *re = patterns[s->n].re + 1;
		size_t k = 0;
		int e = regcomp(&s->rx[s->n], patterns[s->n].re, REG_EXTENDED);
		if (e) {
			char why[128];
			size_t i = s->n;
			regerror(e, &s->rx[i], why, sizeof why);
			tl_sshd_free(s);
			if (e == REG_ESPACE)
				return cf_set_nomem(ctx, "sshd patterns");
			return cf_set_fatal(ctx, 0, "sshd pattern %zu: %s", i + 1, why);
		}
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
		regfree(&s->rx[i]);
	free(s);
}

int tl_sshd_interpret(struct tl_run *r, struct cf_event *ev, const char *msg,
		      size_t n)
{
	const struct tl_sshd *sx = r->meta->sshd;
	regmatch_t m[8];
	const char *text;

	assert(sx && sx->n == NPAT); /* compiled at builder start */
	text = tl_str(r, msg, n); /* NUL-terminated copy for regexec */
	for (size_t i = 0; i < NPAT; i++) {
		const struct pattern *p = &patterns[i];
		if (strncmp(text, sx->prefix[i], strlen(sx->prefix[i])) ||
		    regexec(&sx->rx[i], text, 8, m, 0))
			continue;
		ev->action = p->action;
		ev->outcome = p->outcome;
		if (p->user && m[p->user].rm_so >= 0 &&
		    m[p->user].rm_eo > m[p->user].rm_so)
			ev->actor = tl_str(r, text + m[p->user].rm_so,
					   (size_t)(m[p->user].rm_eo - m[p->user].rm_so));
		if (p->ip && m[p->ip].rm_so >= 0 && m[p->ip].rm_eo > m[p->ip].rm_so)
			ev->src_ip = tl_str(r, text + m[p->ip].rm_so,
					    (size_t)(m[p->ip].rm_eo - m[p->ip].rm_so));
		if (p->port && m[p->port].rm_so >= 0)
			tl_attr_str(r, "src_port", text + m[p->port].rm_so,
				    (size_t)(m[p->port].rm_eo - m[p->port].rm_so));
		if (p->method)
			tl_attr_str(r, "method", p->method, (size_t)-1);
		else if (i < 3)
			tl_attr_str(r, "method", text + m[1].rm_so,
				    (size_t)(m[1].rm_eo - m[1].rm_so));
		if (p->invalid_user)
			tl_attr_bool(r, "invalid_user", 1);
		return 1;
	}
	return 0;
}
