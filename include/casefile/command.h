/* SPDX-License-Identifier: Apache-2.0
 *
 * The command table (src/commands.def) as data, for the core and the
 * parts: the names, subcommands, preconditions and summaries of casefile's
 * commands. There is one table; src/main.c dispatches from the same rows.
 * A part that must know the command line (the playbook validator, which
 * refuses a run step naming no command) asks here instead of keeping a
 * list of its own.
 */
#ifndef CASEFILE_COMMAND_H
#define CASEFILE_COMMAND_H

#include <stddef.h>

/* Preconditions a command's row declares; main sets them up (see
 * src/commands.def for their exact meaning and src/commands.h for the
 * struct that carries them to the command). */
#define CF_CMD_CASE 0x1u    /* open the case: -C DIR or the current one */
#define CF_CMD_SIGNKEY 0x2u /* load the signing key: --key, env, case */
#define CF_CMD_TRUST 0x4u   /* load the trusted keyring: --trust PUB... */

struct cf_command_info {
	const char *name;    /* "timeline" */
	const char *subs;    /* "build query scope", NULL for none */
	unsigned flags;      /* CF_CMD_* */
	const char *summary; /* one line for `casefile --help` */
};

/* The rows, sorted by name; *n gets their count. Static data. */
const struct cf_command_info *cf_commands(size_t *n);
/* The row named name, or NULL. */
const struct cf_command_info *cf_command_find(const char *name);
/* 1 when sub (a non-empty word) is one of c's subcommands; 0 otherwise,
 * and for a command without subcommands. */
int cf_command_has_sub(const struct cf_command_info *c, const char *sub);
/* 1 when argv[0..argc) starts with a command and, for a command with
 * subcommands, one of them (a non-empty word); 0 otherwise. */
int cf_command_known(char *const *argv, size_t argc);

#endif
