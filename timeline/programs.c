/* SPDX-License-Identifier: Apache-2.0
 *
 * What a program's message means, whatever carried it: a syslog line, a
 * journal entry. The table maps a program name (syslog tag, journal
 * SYSLOG_IDENTIFIER or _COMM) to the interpreter of its messages, which
 * sets actor, action, outcome and address on the event and names its
 * source. Adding a program is one interpreter and one row; syslog and the
 * journal never test program names themselves.
 */
#include <string.h>

#include "tl.h"

static int interpret_sshd(struct tl_run *r, struct cf_event *ev,
			  const char *msg, size_t n)
{
	return tl_sshd_interpret(r, ev, msg, n);
}

static const struct program {
	const char *name;   /* program name */
	int prefix;         /* 1: name is a prefix ("sshd-session", "sshd") */
	const char *source; /* the event's source when recognised */
	int (*interpret)(struct tl_run *r, struct cf_event *ev, const char *msg,
			 size_t n);
} programs[] = {
	{"sshd", 1, "sshd", interpret_sshd},
};

int tl_program_interpret(struct tl_run *r, struct cf_event *ev,
			 const char *prog, size_t plen, const char *msg,
			 size_t n)
{
	for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++) {
		const struct program *p = &programs[i];
		size_t k = strlen(p->name);

		if (plen < k || memcmp(prog, p->name, k) || (!p->prefix && plen != k))
			continue;
		if (!p->interpret(r, ev, msg, n))
			return 0;
		ev->source = p->source;
		return 1;
	}
	return 0;
}
