/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of collection profiles (collect/profile.c): a valid profile
 * of every source type loads with its defaults, and every kind of mistake
 * is refused with FILE:LINE:COL pointing at the offending node, because a
 * responder fixing a profile under pressure must be sent to the right place.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "casefile/error.h"
#include "casefile/evidence.h"
#include "collect/profile.h"

static const char good[] =
	"profile: test-host\n"
	"description: all types\n"
	"sources:\n"
	"  - id: logs\n"
	"    type: files\n"
	"    category: auth-log\n"
	"    paths: [/var/log/auth.log*, /var/log/**/*.gz]\n"
	"    exclude: ['*.swp']\n"
	"    max_size: 64M\n"
	"  - id: ps\n"
	"    type: command\n"
	"    argv: [ps, -ef]\n"
	"  - id: db\n"
	"    type: sqlite\n"
	"    path: /var/lib/app.db\n"
	"  - id: models\n"
	"    type: mlflow\n"
	"    store: /srv/mlflow/mlflow.db\n"
	"    artifacts: /srv/mlflow/artifacts\n"
	"  - id: host\n"
	"    type: system\n";

static void loads_every_type(void **state)
{
	struct cf_profile p;
	struct cf_ctx ctx;

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_equal(cf_profile_load_string(&ctx, "good.yaml", good, strlen(good), &p),
			 CF_OK);
	assert_string_equal(p.name, "test-host");
	assert_int_equal(p.n, 5);
	assert_string_equal(p.v[0].type->name, "files");
	assert_string_equal(p.v[0].category, CF_CAT_AUTH_LOG);
	assert_int_equal(p.v[0].npaths, 2);
	assert_string_equal(p.v[0].paths[1], "/var/log/**/*.gz");
	assert_int_equal(p.v[0].nexclude, 1);
	assert_int_equal(p.v[0].max_size, 64LL << 20);
	assert_string_equal(p.v[1].type->name, "command");
	assert_string_equal(p.v[1].category, CF_CAT_COMMAND_OUTPUT);
	assert_int_equal(p.v[1].nargv, 2);
	assert_null(p.v[1].argv[2]); /* NULL-terminated for exec */
	assert_int_equal(p.v[1].timeout_s, 30);
	assert_string_equal(p.v[2].paths[0], "/var/lib/app.db");
	assert_string_equal(p.v[2].category, CF_CAT_DATABASE);
	assert_string_equal(p.v[3].store, "/srv/mlflow/mlflow.db");
	assert_string_equal(p.v[3].category, CF_CAT_MODEL_LINEAGE);
	assert_string_equal(p.v[4].type->name, "system");
	assert_int_equal(strlen(p.sha256), 64);
	cf_profile_release(&p);
}

/* Each bad profile and the exact "FILE:LINE:COL: message" start. */
static const struct {
	const char *text, *want;
} bad[] = {
	{"profile: x\nsources:\n  - id: a\n    type: files\n    category: auth-log\n"
	 "    paths: [/x]\n    exclud: ['*.swp']\n",
	 "bad.yaml:7:5: unknown key 'exclud'"},
	{"profile: x\nsources:\n  - id: a\n    type: file\n",
	 "bad.yaml:4:11: unknown source type 'file'"},
	{"profile: x\nsources:\n  - id: a\n    type: files\n    category: logs\n"
	 "    paths: [/x]\n",
	 "bad.yaml:5:15: unknown category 'logs'"},
	{"profile: x\nsources:\n  - id: a\n    type: files\n    category: config\n"
	 "    paths: [relative/path]\n",
	 "bad.yaml:6:13: 'paths' entries must be absolute paths"},
	{"profile: x\nsources:\n  - id: a\n    type: system\n  - id: a\n    type: system\n",
	 "bad.yaml:5:9: duplicate source id 'a'"},
	{"profile: x\nsources:\n  - id: Bad Id\n    type: system\n",
	 "bad.yaml:3:9: source id 'Bad Id' must match"},
	{"profile: x\nsources:\n  - id: c\n    type: command\n    argv: [ls]\n"
	 "    timeout: soon\n",
	 "bad.yaml:6:14: 'timeout' must be an integer"},
	{"profile: x\nsources:\n  - id: f\n    type: files\n    paths: [/x]\n",
	 "bad.yaml:3:5: source 'f' lacks 'category'"},
	{"profile: x\nsources:\n  - id: m\n    type: mlflow\n    store: /a.db\n",
	 "bad.yaml:3:5: missing 'artifacts'"},
	{"profile: x\nsources:\n  - id: a\n    type: system\n    type: files\n", "bad.yaml:5:5: duplicate key"},
	{"profile: x\nsources: [\n", "bad.yaml:3:1: flow sequence without a closing"},
	{"sources:\n  - id: a\n    type: system\n", "bad.yaml:1:1: missing 'profile'"},
	{"profile: x\nsources: []\n", "bad.yaml:2:1: 'sources' must list 1 to"},
};

static void errors_name_file_line_column(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct cf_profile p;
		struct cf_ctx ctx;
		int rc;

		cf_ctx_init(&ctx);
		rc = cf_profile_load_string(&ctx, "bad.yaml", bad[i].text,
					    strlen(bad[i].text), &p);
		if (rc == CF_OK || strncmp(cf_errmsg(&ctx), bad[i].want, strlen(bad[i].want)))
			fail_msg("case %zu: got '%s', want '%s...'", i,
				 rc == CF_OK ? "(accepted)" : cf_errmsg(&ctx), bad[i].want);
	}
}

static void categories_are_the_spec_list(void **state)
{
	(void)state;
	assert_non_null(cf_category_lookup("model-decision"));
	assert_non_null(cf_category_lookup("command-output"));
	assert_null(cf_category_lookup("model"));
	assert_null(cf_category_lookup(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loads_every_type),
		cmocka_unit_test(errors_name_file_line_column),
		cmocka_unit_test(categories_are_the_spec_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
