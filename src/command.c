/* SPDX-License-Identifier: Apache-2.0
 *
 * The command table (src/commands.def) as data for the core and the parts:
 * cf_commands() lists the rows, cf_command_known() says whether an argv
 * names a command and, where it has them, a subcommand (cf_command_has_sub,
 * which cf_cli_subcommand also asks). Function pointers
 * stay in src/main.c: the core never calls a command.
 */
#include <string.h>

#include "casefile/command.h"

static const struct cf_command_info table[] = {
#define CF_COMMAND(name, kind, flags, subs, summary) {#name, subs, flags, summary},
#include "commands.def"
#undef CF_COMMAND
};

#define NTABLE (sizeof table / sizeof table[0])

const struct cf_command_info *cf_commands(size_t *n)
{
	*n = NTABLE;
	return table;
}

const struct cf_command_info *cf_command_find(const char *name)
{
	for (size_t i = 0; name && i < NTABLE; i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	return NULL;
}

int cf_command_has_sub(const struct cf_command_info *c, const char *sub)
{
	const char *p;
	size_t len;

	/* an empty subcommand would match everywhere (and never move on), one
	 * with a space a run of the list ("generate fingerprint") */
	if (!c || !c->subs || !sub || !(len = strlen(sub)) || strchr(sub, ' '))
		return 0;
	for (p = c->subs; (p = strstr(p, sub)); p += len)
		if ((p == c->subs || p[-1] == ' ') && (p[len] == ' ' || !p[len]))
			return 1;
	return 0;
}

int cf_command_known(char *const *argv, size_t argc)
{
	const struct cf_command_info *c;

	if (argc == 0 || !(c = cf_command_find(argv[0])))
		return 0;
	if (!c->subs)
		return 1;
	return argc >= 2 && cf_command_has_sub(c, argv[1]);
}
