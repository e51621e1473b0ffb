/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the shared option loop of the commands (cf_cli_next in
 * src/cli.c): the shared rows land in the struct, the command's own options
 * come back to it in order, -h and a bad option end the loop with the exit
 * status the command returns, every parse starts afresh (getopt is
 * global state, and a process may parse twice, as main's dispatch does),
 * and the rows of the shared vocabulary (--db, --trust, -C/--case...)
 * return their shared ids.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "casefile/cli.h"
#include "testutil.h"

enum { OPT_SEAL = 256, OPT_FOLLOW };

static const struct option options[] = {
	{"follow", no_argument, NULL, OPT_FOLLOW},
	{"seal", required_argument, NULL, OPT_SEAL},
	CF_CLI_OPT_HELP, CF_CLI_OPT_JSON, CF_CLI_OPT_KEY, CF_CLI_OPT_PASS,
	CF_CLI_OPT_END,
};

/* Runs the loop over the NULL-ended words; the command's own options are
 * written to seen as "s=VALUE f o=VALUE " (o: -o). Returns the loop's last
 * return (-1 or -2). */
static int parse(struct cf_cli_args *a, char **argv, char *seen, size_t n)
{
	int argc = 0, c;

	while (argv[argc])
		argc++;
	*a = (struct cf_cli_args)CF_CLI_ARGS(argc, argv, "ho:", options,
					     "usage: test\n");
	seen[0] = '\0';
	while ((c = cf_cli_next(a)) > 0) {
		size_t len = strlen(seen);
		if (c == OPT_SEAL)
			snprintf(seen + len, n - len, "s=%s ", optarg);
		else if (c == OPT_FOLLOW)
			snprintf(seen + len, n - len, "f ");
		else if (c == 'o')
			snprintf(seen + len, n - len, "o=%s ", optarg);
		else
			snprintf(seen + len, n - len, "?%d ", c);
	}
	return c;
}

static void test_shared_and_own(void **state)
{
	char *argv[] = {"seal", "--json", "--seal", "S", "--key", "K1",
			"-o", "O", "--passphrase-file", "P", "--follow",
			"--key", "K2", "LOG", NULL};
	struct cf_cli_args a;
	char seen[128];

	(void)state;
	assert_int_equal(parse(&a, argv, seen, sizeof seen), -1);
	assert_string_equal(seen, "s=S o=O f ");
	assert_int_equal(a.json, 1);
	assert_string_equal(a.key, "K2"); /* the last one */
	assert_string_equal(a.passphrase, "P");
	assert_int_equal(optind, 13);
	assert_string_equal(argv[optind], "LOG");
}

static void test_none_given(void **state)
{
	char *argv[] = {"seal", "LOG", NULL};
	struct cf_cli_args a;
	char seen[128];

	(void)state;
	assert_int_equal(parse(&a, argv, seen, sizeof seen), -1);
	assert_string_equal(seen, "");
	assert_int_equal(a.json, 0);
	assert_null(a.key);
	assert_null(a.passphrase);
	assert_int_equal(optind, 1);
}

/* -h and --help end the loop with 0, whatever follows. */
static void test_help(void **state)
{
	char *argv1[] = {"seal", "--seal", "S", "-h", "--bogus", NULL};
	char *argv2[] = {"seal", "--help", NULL};
	struct cf_cli_args a;
	char seen[128];

	(void)state;
	assert_int_equal(parse(&a, argv1, seen, sizeof seen), -2);
	assert_int_equal(a.exit, 0);
	assert_string_equal(seen, "s=S ");
	assert_int_equal(parse(&a, argv2, seen, sizeof seen), -2);
	assert_int_equal(a.exit, 0);
}

/* An unknown option and a missing argument are usage errors (2), and the
 * next parse starts from its own first word again. */
static void test_bad_option(void **state)
{
	char *unknown[] = {"seal", "--follow", "--bogus", "LOG", NULL};
	char *lacks[] = {"seal", "LOG", "--key", NULL};
	char *shortbad[] = {"seal", "-x", NULL};
	char *ok[] = {"seal", "--follow", NULL};
	struct cf_cli_args a;
	char seen[128];

	(void)state;
	cf_cli_set_command("seal");
	assert_int_equal(parse(&a, unknown, seen, sizeof seen), -2);
	assert_int_equal(a.exit, 2);
	assert_string_equal(seen, "f ");
	assert_int_equal(parse(&a, lacks, seen, sizeof seen), -2);
	assert_int_equal(a.exit, 2);
	assert_int_equal(parse(&a, shortbad, seen, sizeof seen), -2);
	assert_int_equal(a.exit, 2);
	assert_int_equal(parse(&a, ok, seen, sizeof seen), -1);
	assert_string_equal(seen, "f ");
	assert_int_equal(optind, 2);
}

/* The rows of the options many commands share come back to the command
 * by their shared ids (the letter where there is a short form), with
 * --include-unverified taking no argument. */
static void test_vocabulary(void **state)
{
	static const struct option vocab[] = {
		CF_CLI_OPT_CASE, CF_CLI_OPT_DB, CF_CLI_OPT_FORMAT,
		CF_CLI_OPT_INCIDENT, CF_CLI_OPT_UNVERIFIED, CF_CLI_OPT_OUTPUT,
		CF_CLI_OPT_TRUST, CF_CLI_OPT_HELP, CF_CLI_OPT_END,
	};
	char *argv[] = {"report", "--db", "D", "--trust", "T1", "-C", "C1",
			"--case", "C2", "--include-unverified", "--output", "O",
			"--format", "F", "--incident", "I", "--trust", "T2",
			"OPERAND", NULL};
	const struct { int id; const char *arg; } want[] = {
		{CF_CLI_DB, "D"}, {CF_CLI_TRUST, "T1"}, {'C', "C1"},
		{'C', "C2"}, {CF_CLI_UNVERIFIED, NULL}, {'o', "O"},
		{CF_CLI_FORMAT, "F"}, {CF_CLI_INCIDENT, "I"},
		{CF_CLI_TRUST, "T2"},
	};
	struct cf_cli_args a = CF_CLI_ARGS(19, argv, "hC:o:", vocab, "usage\n");
	size_t n = 0;
	int c;

	(void)state;
	while ((c = cf_cli_next(&a)) > 0) {
		assert_true(n < sizeof want / sizeof want[0]);
		assert_int_equal(c, want[n].id);
		if (want[n].arg)
			assert_string_equal(optarg, want[n].arg);
		else
			assert_null(optarg);
		n++;
	}
	assert_int_equal(c, -1);
	assert_int_equal(n, sizeof want / sizeof want[0]);
	assert_string_equal(argv[optind], "OPERAND");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_and_own),
		cmocka_unit_test(test_none_given),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_bad_option),
		cmocka_unit_test(test_vocabulary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
