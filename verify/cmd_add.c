/* SPDX-License-Identifier: Apache-2.0
 *
 * `casefile add [-C DIR] ARCHIVE`: take an evidence archive into a case
 * (SPEC section 5). Parsing and printing only: main opens the case, loads
 * the signing key and the trusted keys (the row's CF_CMD_CASE |
 * CF_CMD_SIGNKEY | CF_CMD_TRUST), and cf_case_add() in the core copies,
 * verifies, commits and records the archive.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "casefile/archive.h"
#include "casefile/case.h"
#include "casefile/cli.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "commands.h"

static const char usage_text[] =
	"usage: casefile add [-C DIR] [--key KEY] [--passphrase-file FILE]\n"
	"                    [--trust PUB...] [--json] ARCHIVE\n"
	"\n"
	"  Verifies ARCHIVE, copies it into the case's evidence/ folder and appends\n"
	"  an \"add\" custody entry with its sha256sums digest.\n"
	"\n"
	"  -C DIR                  the case folder (default: the case around the\n"
	"                          current folder)\n"
	"  --key KEY               signing key for the custody entry (default:\n"
	"                          $CASEFILE_KEY, then the key recorded at init)\n"
	"  --passphrase-file FILE  passphrase of an encrypted key\n"
	"                          (default: $CASEFILE_PASSPHRASE_FILE)\n"
	"  --trust PUB             public key trusted to have signed the archive\n"
	"                          (repeatable; default: the signing key)\n"
	"  --json                  print one JSON object on stdout\n";

static const struct option options[] = {
	CF_CLI_OPT_TRUST,
	CF_CLI_OPT_HELP, CF_CLI_OPT_JSON, CF_CLI_OPT_KEY, CF_CLI_OPT_PASS,
	CF_CLI_OPT_END,
};

static void print_problems(const struct cf_verify_result *r)
{
	for (size_t i = 0; i < r->nproblems; i++)
		cf_cli_error("%s: %s%s%s: %s", r->path, r->problems[i].kind,
			     r->problems[i].member ? " " : "",
			     r->problems[i].member ? r->problems[i].member : "",
			     r->problems[i].detail);
}

/* --json */
static int json;

static int run(struct cf_cmd_env *env)
{
	const char *archive = env->opts;
	struct cf_case_add_result r;
	struct cf_ctx ctx;
	int rc = CF_EXIT_OK;

	cf_ctx_init(&ctx);
	if (cf_case_add(&ctx, env->c, env->signkey, env->trusted, archive,
			&r) != CF_OK) {
		if (r.status == CF_CASE_ADD_REFUSED)
			print_problems(r.verify);
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	} else if (r.status == CF_CASE_ADD_ALREADY) {
		printf("%s is already in the case (identical)\n", r.dest);
	} else if (r.status == CF_CASE_ADD_REFUSED) {
		print_problems(r.verify);
		printf("%s: ", archive);
		cf_cli_put_tone(stdout, CF_TONE_FAIL, "FAILED");
		puts(" verification, not added");
		rc = CF_EXIT_EVIDENCE;
	} else if (json) {
		struct cf_jb jb;
		cJSON *j = cf_jb_init(&jb);
		cf_jb_str(&jb, j, "added", r.dest);
		cf_jb_str(&jb, j, "sha256sums", r.verify->sums_hex);
		cf_jb_str(&jb, j, "signer", r.verify->signer);
		if (jb.err || cf_json_emit(&ctx, stdout, j) != CF_OK)
			rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		cJSON_Delete(cf_jb_finish(&jb));
	} else {
		printf("added %s: sha256sums %s, signer %s\n", r.dest,
		       r.verify->sums_hex, r.verify->signer);
	}
	cf_case_add_result_release(&r);
	return rc;
}

int cmd_add(int argc, char **argv, struct cf_cmd_env *env)
{
	struct cf_cli_args a = CF_CLI_ARGS(argc, argv, "hC:", options, usage_text);
	const char *name;
	struct cf_ctx ctx;
	int ch;

	while ((ch = cf_cli_next(&a)) > 0) {
		if (ch == 'C')
			env->case_dir = optarg;
		else if (ch == CF_CLI_TRUST)
			env->trust[env->ntrust++] = optarg;
	}
	if ((ch = cf_cmd_env_args(env, &a, ch, "ARCHIVE")) >= 0)
		return ch;
	json = a.json;
	/* A name that cannot be a file of evidence/ is refused before the
	 * case is opened. */
	cf_ctx_init(&ctx);
	name = strrchr(argv[optind], '/') ? strrchr(argv[optind], '/') + 1
					  : argv[optind];
	if (cf_path_check_member(&ctx, name) != CF_OK)
		return cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	env->opts = argv[optind];
	env->run = run;
	return CF_CMD_RUN;
}
