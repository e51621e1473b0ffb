/* SPDX-License-Identifier: Apache-2.0
 *
 * casefile's entry point: global options and the one dispatch table.
 *
 * As in git.c, the table *is* the command line: every command is one row of
 * src/commands.def, which also declares what the command needs set up
 * (the case, the signing key, the trusted keys). main() sets up the core
 * (allocator hooks, fault injection), strips the options every command
 * shares (--progress, --quiet), names the command for messages, lets it
 * parse its arguments, opens and loads what its row asks for (one error
 * message for each, the same for every command), runs it, and checks that
 * stdout reached its destination.
 *
 * Adding a command (keep this list true):
 *   1. cmd_foo() in its part (collect/, verify/, ...) or src/ for the core,
 *      declared in src/commands.h;
 *   2. one row in src/commands.def, kept sorted, with the preconditions
 *      main sets up for it (flags) and its subcommands;
 *   3. its source in the part's list in CMakeLists.txt;
 *   4. man/casefile-foo.1, installed by the man loop in CMakeLists.txt,
 *      whose SYNOPSIS is the usage `casefile foo -h` prints
 *      (tests/cli/main/help-vs-man.sh);
 *   5. tests in tests/cli/foo/ (at least --help and one usage error).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/cli.h"
#include "casefile/core.h"
#include "casefile/error.h"
#include "casefile/signkey.h"
#include "commands.h"

struct command {
	const char *name;
	int (*plain)(int argc, char **argv);
	int (*env)(int argc, char **argv, struct cf_cmd_env *env);
	unsigned flags;
	const char *summary;
};

#define CF_HANDLER_PLAIN(fn) fn, NULL
#define CF_HANDLER_ENV(fn) NULL, fn
static const struct command commands[] = {
#define CF_COMMAND(name, kind, flags, subs, summary) \
	{#name, CF_HANDLER_##kind(cmd_##name), flags, summary},
#include "commands.def"
#undef CF_COMMAND
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const struct command *find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void usage(FILE *f)
{
	fputs("usage: casefile [--version] [--help] [--progress|--quiet] "
	      "COMMAND [ARGS]\n\ncommands:\n",
	      f);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\n'casefile COMMAND --help' shows a command's usage; "
	      "'man casefile-COMMAND' documents it.\n"
	      "Exit status: 0 success, 1 evidence check failed, 2 usage error, "
	      "3 runtime error.\n",
	      f);
}

/* Opens and loads what env->need asks for (src/commands.def), each with
 * its one error message; 0, or the exit status of the failure. */
static int setup(struct cf_cmd_env *env)
{
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	if ((env->need & CF_CMD_CASE) &&
	    cf_case_open(&ctx, env->case_dir, &env->c) != CF_OK)
		return cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	if ((env->need & CF_CMD_SIGNKEY) &&
	    !(env->signkey = cf_signkey_load(&ctx, env->key, env->passphrase,
					     env->c ? cf_case_key_path(env->c)
						    : NULL,
					     &env->key_path)))
		return cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	if (!(env->need & CF_CMD_TRUST))
		return 0;
	if (!(env->trusted = cf_keyring_new(&ctx)))
		return cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	for (size_t i = 0; i < env->ntrust; i++)
		if (cf_keyring_add_file(&ctx, env->trusted, env->trust[i]) != CF_OK)
			return cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	if (!env->ntrust && env->signkey &&
	    cf_keyring_add_key(&ctx, env->trusted, env->signkey) != CF_OK)
		return cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	return 0;
}

/* Runs c on argv: a PLAIN command directly; an ENV command parses, then
 * main sets up its preconditions and runs its body. */
static int run(const struct command *c, int argc, char **argv)
{
	struct cf_cmd_env env;
	int rc;

	if (c->plain)
		return c->plain(argc, argv);
	memset(&env, 0, sizeof env);
	env.need = c->flags;
	if (!(env.trust = cf_calloc((size_t)argc + 1, sizeof *env.trust))) {
		cf_cli_error("out of memory");
		return CF_EXIT_RUNTIME;
	}
	rc = c->env(argc, argv, &env);
	if (rc == CF_CMD_RUN && !(rc = setup(&env)))
		rc = env.run(&env);
	cf_keyring_free(env.trusted);
	cf_key_free(env.signkey);
	cf_case_free(env.c);
	free(env.trust);
	return rc;
}

int cmd_help(int argc, char **argv)
{
	/* "help --help" (also what "help help" becomes) shows the list. */
	if (argc > 1 && strcmp(argv[1], "--help") && strcmp(argv[1], "-h")) {
		const struct command *c = find(argv[1]);
		char *args[] = {argv[1], "--help", NULL};
		if (!c)
			return cf_cli_usage("no command '%s'", argv[1]);
		cf_cli_set_command(c->name);
		return run(c, 2, args);
	}
	usage(stdout);
	return cf_cli_finish_stdout();
}

/* Runs the command of the table argv[0] names (for shell completion). */
static int run_named(int argc, char **argv)
{
	const struct command *c = find(argv[0]);

	return c ? run(c, argc, argv) : CF_EXIT_USAGE;
}

static int version(void)
{
	char v[2048];

	cf_version_string(v, sizeof v);
	puts(v);
	return cf_cli_finish_stdout();
}

/* Removes the shared options (--progress, --quiet, -q) from a command's
 * argv, before "--": they work after the command as before it. */
static int strip_common(int argc, char **argv)
{
	int out = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		if (cf_cli_common_option(argv[i]))
			continue;
		argv[out++] = argv[i];
	}
	argv[out] = NULL;
	return out;
}

int main(int argc, char **argv)
{
	const struct command *c;
	int i = 1, rc;

	cf_core_init();
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V"))
			return version();
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return cf_cli_finish_stdout();
		}
		if (!cf_cli_common_option(argv[i])) {
			cf_cli_usage("unknown option '%s'", argv[i]);
			return CF_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return CF_EXIT_USAGE;
	}
	if (!strcmp(argv[i], "__complete")) /* hidden: src/cmd_complete.c */
		return cmd_complete(argc - i, argv + i, run_named);
	if (!(c = find(argv[i]))) {
		cf_cli_usage("'%s' is not a casefile command", argv[i]);
		return CF_EXIT_USAGE;
	}
	cf_cli_set_command(c->name);
	argc = strip_common(argc - i, argv + i);
	rc = run(c, argc, argv + i);
	if (rc == CF_EXIT_OK)
		rc = cf_cli_finish_stdout();
	if (cf_fault_counting())
		fprintf(stderr, "casefile: fault counts: alloc=%lu write=%lu "
				"fsync=%lu\n",
			cf_fault_count(CF_FAULT_ALLOC),
			cf_fault_count(CF_FAULT_WRITE),
			cf_fault_count(CF_FAULT_FSYNC));
	return rc;
}
