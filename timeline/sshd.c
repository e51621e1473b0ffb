/* SPDX-License-Identifier: Apache-2.0
 *
 * OpenSSH server messages: who logged in or failed to, from where, how.
 *
 * Called by the syslog parser for lines whose program is sshd. The
 * messages are free text whose wording OpenSSH has kept stable for years,
 * so a short table of POSIX extended regexes (log lines only, never
 * structured formats) turns them into actor, action, outcome and source
 * address. An unrecognised sshd message is still an event, with its text.
 */
#include <regex.h>
#include <string.h>

#include "casefile/error.h"
#include "tl.h"

struct pattern {
	const char *re;
	const char *action, *outcome, *method;
	int user, ip, port; /* capture group numbers, 0 = none */
	int invalid_user;
	regex_t rx;
	int ok;
};

#define IP "([0-9A-Fa-f.:]+)"
static struct pattern patterns[] = {
	{"^Accepted (password|publickey|keyboard-interactive/pam|gssapi-with-mic|hostbased) for (.+) from " IP " port ([0-9]+)",
	 "login", "success", NULL, 2, 3, 4, 0, {0}, 0},
	{"^Failed (password|publickey|keyboard-interactive/pam|none|hostbased) for invalid user (.*) from " IP "( port ([0-9]+))?",
	 "login", "failure", NULL, 2, 3, 5, 1, {0}, 0},
	{"^Failed (password|publickey|keyboard-interactive/pam|none|hostbased) for (.+) from " IP "( port ([0-9]+))?",
	 "login", "failure", NULL, 2, 3, 5, 0, {0}, 0},
	{"^Invalid user (.*) from " IP "( port ([0-9]+))?$",
	 "login", "failure", "invalid-user", 1, 2, 4, 1, {0}, 0},
	{"^input_userauth_request: invalid user (.*) \\[preauth\\]",
	 "login", "failure", "invalid-user", 1, 0, 0, 1, {0}, 0},
	{"^pam_unix\\(sshd:auth\\): authentication failure;.* rhost=([^ ]*)( +user=([^ ]+))?",
	 "login", "failure", "pam", 3, 1, 0, 0, {0}, 0},
	{"^authentication failure;.* rhost=([^ ]*)( +user=([^ ]+))?",
	 "login", "failure", "pam", 3, 1, 0, 0, {0}, 0},
	{"^pam_unix\\(sshd:session\\): session opened for user ([^ ]+)",
	 "session-open", "success", NULL, 1, 0, 0, 0, {0}, 0},
	{"^pam_unix\\(sshd:session\\): session closed for user ([^ ]+)",
	 "session-close", "success", NULL, 1, 0, 0, 0, {0}, 0},
	{"^Disconnected from (invalid |authenticating )?user (.+) " IP " port ([0-9]+)",
	 "disconnect", NULL, NULL, 2, 3, 4, 0, {0}, 0},
	{"^Received disconnect from " IP "( port ([0-9]+))?:",
	 "disconnect", NULL, NULL, 0, 1, 3, 0, {0}, 0},
	{"^Disconnected from " IP " port ([0-9]+)",
	 "disconnect", NULL, NULL, 0, 1, 2, 0, {0}, 0},
	{"^Connection closed by (invalid |authenticating )?user (.+) " IP " port ([0-9]+)",
	 "disconnect", NULL, NULL, 2, 3, 4, 0, {0}, 0},
	{"^Connection closed by " IP "( port ([0-9]+))?",
	 "disconnect", NULL, NULL, 0, 1, 3, 0, {0}, 0},
	{"^Connection from " IP " port ([0-9]+)",
	 "connect", NULL, NULL, 0, 1, 2, 0, {0}, 0},
	{"^reverse mapping checking getaddrinfo for .* \\[" IP "\\] failed",
	 "dns-mismatch", NULL, NULL, 0, 1, 0, 0, {0}, 0},
	{"^error: maximum authentication attempts exceeded for (invalid user )?(.+) from " IP " port ([0-9]+)",
	 "login", "failure", "max-attempts", 2, 3, 4, 0, {0}, 0},
	{"^PAM ([0-9]+) more authentication failures?;.* rhost=([^ ]*)( +user=([^ ]+))?",
	 "login", "failure", "pam", 4, 2, 0, 0, {0}, 0},
};
#define NPAT (sizeof patterns / sizeof patterns[0])

static int compiled;
/* Literal start of each pattern: regexec runs only when it matches, which
 * keeps the cost per line to a few memcmp on large auth logs. */
static char prefix[sizeof patterns / sizeof patterns[0]][24];

static void compile(void)
{
	for (size_t i = 0; i < NPAT; i++) {
		const char *re = patterns[i].re + 1;
		size_t k = 0;
		patterns[i].ok = regcomp(&patterns[i].rx, patterns[i].re,
					 REG_EXTENDED) == 0;
		while (re[k] && !strchr("\\()[]{}.*+?|^$", re[k]) && k < 23)
			k++;
		memcpy(prefix[i], re, k);
		prefix[i][k] = '\0';
	}
	compiled = 1;
}

int tl_sshd_interpret(struct tl_run *r, struct cf_event *ev, const char *msg,
		      size_t n)
{
	regmatch_t m[8];
	const char *text;

	if (!compiled)
		compile();
	text = tl_str(r, msg, n); /* NUL-terminated copy for regexec */
	for (size_t i = 0; i < NPAT; i++) {
		struct pattern *p = &patterns[i];
		if (!p->ok || strncmp(text, prefix[i], strlen(prefix[i])) ||
		    regexec(&p->rx, text, 8, m, 0))
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
