/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the command table as data (src/command.c): the
 * subcommands a command's row carries are whole words of its list, which
 * cf_cli_subcommand() and cf_command_known() both go by, so that the
 * commands with subcommands keep no list of their own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "casefile/command.h"
#include "testutil.h"

static void test_has_sub_whole_words(void **state)
{
	const struct cf_command_info *key = cf_command_find("key");

	(void)state;
	assert_non_null(key);
	assert_true(cf_command_has_sub(key, "generate"));
	assert_true(cf_command_has_sub(key, "fingerprint"));
	/* parts, runs and neighbours of the list are not subcommands */
	assert_false(cf_command_has_sub(key, "gen"));
	assert_false(cf_command_has_sub(key, "erate"));
	assert_false(cf_command_has_sub(key, "generate fingerprint"));
	assert_false(cf_command_has_sub(key, "fingerprints"));
	assert_false(cf_command_has_sub(key, " "));
	assert_false(cf_command_has_sub(key, ""));
	assert_false(cf_command_has_sub(key, NULL));
	assert_false(cf_command_has_sub(NULL, "generate"));
	/* a command without subcommands has none */
	assert_false(cf_command_has_sub(cf_command_find("seal"), "generate"));
}

/* The commands whose cmd_*.c ask the table for their subcommands. */
static void test_rows_of_table_commands(void **state)
{
	static const struct { const char *cmd, *subs[8]; } want[] = {
		{"drill", {"list", "start", "inject", "decide", "status", "end"}},
		{"key", {"generate", "fingerprint"}},
		{"playbook", {"list", "show", "validate", "run", "status", "export", "import"}},
		{"report", {"breach", "custody", "drill", "hhs-log", "mailing"}},
	};

	(void)state;
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		const struct cf_command_info *c = cf_command_find(want[i].cmd);
		size_t n = 0;

		assert_non_null(c);
		assert_non_null(c->subs);
		for (; n < 8 && want[i].subs[n]; n++) {
			char *argv[] = {(char *)want[i].cmd, (char *)want[i].subs[n], NULL};
			assert_true(cf_command_has_sub(c, want[i].subs[n]));
			assert_true(cf_command_known(argv, 2));
		}
		/* and no more than those: n words, n - 1 spaces */
		{
			size_t words = 1;
			for (const char *p = c->subs; *p; p++)
				words += *p == ' ';
			assert_int_equal(words, n);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_has_sub_whole_words),
		cmocka_unit_test(test_rows_of_table_commands),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
