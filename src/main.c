/* SPDX-License-Identifier: Apache-2.0
 *
 * casefile's entry point: global options and the one dispatch table.
 *
 * As in git.c, the table *is* the command line: every command is one row.
 * main() sets up the core (allocator hooks, fault injection), strips the
 * options every command shares (--progress, --quiet), names the command for
 * messages, runs it, and checks that stdout reached its destination.
 *
 * Adding a command (keep this list true):
 *   1. cmd_foo() in its part (collect/, verify/, ...) or src/ for the core,
 *      declared in src/commands.h;
 *   2. one row in `commands` below, kept sorted;
 *   3. its source in the part's list in CMakeLists.txt;
 *   4. man/casefile-foo.1, installed by the man loop in CMakeLists.txt;
 *   5. tests in tests/cli/foo/ (at least --help and one usage error).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/cli.h"
#include "casefile/core.h"
#include "casefile/error.h"
#include "commands.h"

static int cmd_help(int argc, char **argv);

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{"add", cmd_add, "verify an evidence archive and add it to the case"},
	{"collect", cmd_collect, "collect a signed evidence archive from a host"},
	{"demo", cmd_demo, "generate a synthetic host with an incident and run the chain"},
	{"disclose", cmd_disclose, "export log lines or archive members with proofs"},
	{"drill", cmd_drill, "run a tabletop drill of a playbook against a scenario"},
	{"help", cmd_help, "show the commands, or one command's usage"},
	{"init", cmd_init, "create a case folder with its custody log"},
	{"key", cmd_key, "generate Ed25519 keys and print fingerprints"},
	{"playbook", cmd_playbook, "list, validate, run and export response playbooks"},
	{"report", cmd_report, "write the breach notification package and custody report"},
	{"seal", cmd_seal, "seal an audit log with signed Merkle checkpoints"},
	{"timeline", cmd_timeline, "build, query and scope the evidence timeline"},
	{"verify", cmd_verify, "check archives, sealed logs, proofs, custody"},
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

static int cmd_help(int argc, char **argv)
{
	/* "help --help" (also what "help help" becomes) shows the list. */
	if (argc > 1 && strcmp(argv[1], "--help") && strcmp(argv[1], "-h")) {
		const struct command *c = find(argv[1]);
		char *args[] = {argv[1], "--help", NULL};
		if (!c)
			return cf_cli_usage("no command '%s'", argv[1]);
		cf_cli_set_command(c->name);
		return c->fn(2, args);
	}
	usage(stdout);
	return cf_cli_finish_stdout();
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
	if (!(c = find(argv[i]))) {
		cf_cli_usage("'%s' is not a casefile command", argv[i]);
		return CF_EXIT_USAGE;
	}
	cf_cli_set_command(c->name);
	argc = strip_common(argc - i, argv + i);
	rc = c->fn(argc, argv + i);
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
