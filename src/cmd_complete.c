/* SPDX-License-Identifier: Apache-2.0
 *
 * Shell completion's answers: `casefile __complete WORD...` prints, one a
 * line, the words that may take the place of the last WORD (the one being
 * typed, "" at a fresh position) after the others, and nothing where a
 * file name goes (the shell then completes files). completion/casefile.bash
 * calls it and keeps the candidates that start with what was typed.
 *
 * Nothing here is a copy of the command line: the commands and their
 * subcommands are the rows of src/commands.def (cf_commands), and a
 * command's options come from the command itself, run with --help: the
 * long options its usage synopsis names for the subcommand (the forms of
 * `casefile timeline build`, so that build is not offered query's
 * --patient, timeline's subcommands sharing one getopt table; verify's
 * --log, which selects another parser), or, when the synopsis names none,
 * every long option of the getopt table cf_cli_next hands to
 * cf_cli_help_hook. A parser that prints its usage without cf_cli_next
 * (timeline detect) is answered from its synopsis.
 *
 * It is hidden: not a row of the table, so not in `casefile help`, its man
 * page checks or the playbook validator's commands. It must never do a
 * command's work: a command runs only with --help, which prints its usage
 * (stdout is captured) and returns.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "casefile/cli.h"
#include "casefile/command.h"
#include "commands.h"

/* The command words whose options are asked for ("timeline build"), for
 * the hook. */
static char forms_of[128];

/* ---- the usage synopsis ------------------------------------------------- */

/* The options printed so far, to print each once. */
static char printed[128][48];
static size_t nprinted;

/* Prints the option opt (len bytes, "--word") unless it was printed. */
static void put_option(const char *opt, size_t len)
{
	if (len >= sizeof printed[0])
		return;
	for (size_t i = 0; i < nprinted; i++)
		if (!strncmp(printed[i], opt, len) && !printed[i][len])
			return;
	if (nprinted < sizeof printed / sizeof printed[0]) {
		memcpy(printed[nprinted], opt, len);
		printed[nprinted++][len] = '\0';
	}
	printf("%.*s\n", (int)len, opt);
}

static int is_word(char ch)
{
	return isalnum((unsigned char)ch) || ch == '-';
}

/* Prints the "--word"s of the forms of `casefile NAME...` in the synopsis
 * of usage (its text up to the first blank line); returns their count. */
static size_t synopsis_options(const char *usage, const char *name)
{
	const char *end = strstr(usage, "\n\n"), *p = usage, *form, *next;
	size_t nlen = strlen(name), n = 0;

	if (!end)
		end = usage + strlen(usage);
	while ((form = strstr(p, "casefile ")) && form < end) {
		form += 9;
		next = strstr(form, "casefile ");
		if (!next || next > end)
			next = end;
		p = next;
		if (strncmp(form, name, nlen) || !isspace((unsigned char)form[nlen]))
			continue;
		for (const char *q = form; (q = strstr(q, "--")) && q < next;) {
			size_t len = 2;
			while (is_word(q[len]))
				len++;
			if (len > 2 && !is_word(q[-1]) && q + len <= next) {
				put_option(q, len);
				n++;
			}
			q += len;
		}
	}
	return n;
}

/* cf_cli_help_hook: the long options the synopsis of the subcommand names
 * (the forms of the mode options, as verify's --log, included), or when it
 * names none all of the command's table; then --help. */
static void print_options(const struct option *o, const char *usage)
{
	char opt[64];

	if (!synopsis_options(usage, forms_of))
		for (size_t i = 0; o[i].name; i++) {
			int n = snprintf(opt, sizeof opt, "--%s", o[i].name);
			if (n > 0 && (size_t)n < sizeof opt)
				put_option(opt, (size_t)n);
		}
	put_option("--help", 6);
}

/* ---- the answers -------------------------------------------------------- */

static void print_commands(void)
{
	size_t n;
	const struct cf_command_info *c = cf_commands(&n);

	for (size_t i = 0; i < n; i++)
		printf("%s\n", c[i].name);
}

static void print_subcommands(const struct cf_command_info *c)
{
	for (const char *p = c->subs; *p;) {
		size_t n = strcspn(p, " ");
		printf("%.*s\n", (int)n, p);
		p += n + strspn(p + n, " ");
	}
}

/* Runs `argv[0] [argv[1]] --help` with stdout going to a temporary file,
 * then prints the options (see print_options) or, when the parser printed
 * its usage itself, those of its synopsis. */
static int command_options(char **argv, int argc,
			   int (*run)(int argc, char **argv))
{
	static char text[65536];
	char *args[] = {argv[0], argv[1], "--help", NULL};
	FILE *tmp = tmpfile();
	int saved = -1;
	size_t len;

	if (argc == 1)
		args[1] = "--help", args[2] = NULL;
	snprintf(forms_of, sizeof forms_of, "%s%s%s", argv[0],
		 argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
	if (!tmp || fflush(stdout) || (saved = dup(STDOUT_FILENO)) < 0 ||
	    dup2(fileno(tmp), STDOUT_FILENO) < 0)
		goto out;
	cf_cli_help_hook = print_options;
	run(argc + 1, args);
	cf_cli_help_hook = NULL;
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	rewind(tmp);
	len = fread(text, 1, sizeof text - 1, tmp);
	text[len] = '\0';
	if (!strncmp(text, "usage:", 6)) {
		synopsis_options(text, forms_of);
		put_option("--help", 6);
	} else
		fputs(text, stdout);
out:
	if (saved >= 0)
		close(saved);
	if (tmp)
		fclose(tmp);
	return cf_cli_finish_stdout();
}

int cmd_complete(int argc, char **argv, int (*run)(int argc, char **argv))
{
	const struct cf_command_info *c;
	const char *cur = argc > 1 ? argv[argc - 1] : "";
	int i = 1, words;

	/* the global options before the command */
	while (i < argc - 1 && argv[i][0] == '-')
		i++;
	if (i >= argc - 1) {
		if (cur[0] == '-')
			fputs("--help\n--version\n--progress\n--quiet\n", stdout);
		else
			print_commands();
		return cf_cli_finish_stdout();
	}
	if (!(c = cf_command_find(argv[i])))
		return CF_EXIT_OK;
	words = argc - 1 - i; /* the words typed after the command's name */
	if (!strcmp(c->name, "help")) {
		if (words == 1 && cur[0] != '-')
			print_commands();
		return cf_cli_finish_stdout();
	}
	if (c->subs && words == 1) {
		if (cur[0] == '-')
			fputs("--help\n", stdout);
		else
			print_subcommands(c);
		return cf_cli_finish_stdout();
	}
	if (c->subs && !cf_command_has_sub(c, argv[i + 1]))
		return CF_EXIT_OK;
	/* an operand, or an option's argument: a file name */
	if (cur[0] != '-')
		return CF_EXIT_OK;
	return command_options(argv + i, c->subs ? 2 : 1, run);
}
