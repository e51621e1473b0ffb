/* SPDX-License-Identifier: Apache-2.0
 *
 * The commands of the dispatch table (src/commands.def, run by src/main.c).
 * Each lives in its part (collect/, verify/, ...) or, for commands of the
 * core (key), in src/, and takes argv with argv[0] = the command's name. A
 * command returns a process exit status (SPEC section 0) and is the only
 * code that prints.
 *
 * A command whose row declares preconditions (CF_CMD_CASE, CF_CMD_SIGNKEY,
 * CF_CMD_TRUST) is called in two steps, so that a usage error is reported
 * before a missing case or key: its cmd_NAME(argc, argv, env) parses argv
 * into env (the shared options below, its own options in env->opts), sets
 * env->run and returns CF_CMD_RUN; main then opens and loads what env->need
 * says, printing the error (exit 3, or 1 for a tampered custody log) when
 * that fails, and calls env->run(env), which does the command's one library
 * call and prints. main frees what it set up.
 */
#ifndef CASEFILE_COMMANDS_H
#define CASEFILE_COMMANDS_H

#include <stddef.h>

#include "casefile/case.h"
#include "casefile/cli.h"
#include "casefile/command.h"
#include "casefile/keyring.h"
#include "casefile/sign.h"

/* Returned by a command's parser: "set up env->need, then env->run". */
#define CF_CMD_RUN (-1)

struct cf_cmd_env {
	/* Set by the parser from argv (NULL/0 when not given). */
	const char *case_dir;   /* -C DIR */
	const char *key;        /* --key KEY (the private signing key) */
	const char *passphrase; /* --passphrase-file FILE */
	char **trust;           /* --trust PUB, in order: room for argc
				   entries, allocated by main */
	size_t ntrust;
	unsigned need;          /* CF_CMD_*: the row's flags; a parser may
				   clear those a subcommand does not need */
	int (*run)(struct cf_cmd_env *env); /* the command's body */
	void *opts;             /* the command's own options (its parser's) */

	/* Set up by main before run, as need says (else NULL). */
	cf_case *c;             /* CF_CMD_CASE */
	cf_key *signkey;        /* CF_CMD_SIGNKEY */
	const char *key_path;   /* the file signkey was loaded from */
	cf_keyring *trusted;    /* CF_CMD_TRUST: the --trust keys, or the
				   public half of signkey when none given */
};

/* The end of an ENV command's option loop, c being the last return of
 * cf_cli_next: every ENV command takes exactly one operand (named operand
 * in the usage error) and the shared --key and --passphrase-file, taken
 * into env. Returns -1 to go on, the operand being argv[optind], or the
 * exit status after -h, a bad option or a wrong count of operands. */
static inline int cf_cmd_env_args(struct cf_cmd_env *env,
				  const struct cf_cli_args *a, int c,
				  const char *operand)
{
	if (c != -1)
		return a->exit;
	if (optind != a->argc - 1)
		return cf_cli_usage("give exactly one %s", operand);
	env->key = a->key;
	env->passphrase = a->passphrase;
	return -1;
}

/* PLAIN commands (they set up what they need themselves). */
int cmd_collect(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_disclose(int argc, char **argv);
int cmd_drill(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_playbook(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_timeline(int argc, char **argv);
/* The hidden `casefile __complete WORD...` (src/cmd_complete.c), not a row of
 * the table: run runs a command of the table on argv (for its --help). */
int cmd_complete(int argc, char **argv, int (*run)(int argc, char **argv));
int cmd_verify(int argc, char **argv);
int cmd_view(int argc, char **argv);

/* ENV commands (two steps, see above). */
int cmd_add(int argc, char **argv, struct cf_cmd_env *env);
int cmd_init(int argc, char **argv, struct cf_cmd_env *env);
int cmd_seal(int argc, char **argv, struct cf_cmd_env *env);

#endif
