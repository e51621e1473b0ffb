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

enum { OPT_KEY = 256, OPT_PASS, OPT_TRUST, OPT_JSON };

static const struct option options[] = {
	{"help", no_argument, NULL, 'h'},
	{"json", no_argument, NULL, OPT_JSON},
	{"key", required_argument, NULL, OPT_KEY},
	{"passphrase-file", required_argument, NULL, OPT_PASS},
	{"trust", required_argument, NULL, OPT_TRUST},
	{NULL, 0, NULL, 0},
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
		printf("%s: FAILED verification, not added\n", archive);
		rc = CF_EXIT_EVIDENCE;
	} else if (json) {
		cJSON *j = cJSON_CreateObject();
		if (!j || cf_json_add_str(j, "added", r.dest) ||
		    cf_json_add_str(j, "sha256sums", r.verify->sums_hex) ||
		    cf_json_add_str(j, "signer", r.verify->signer) ||
		    cf_json_emit(&ctx, stdout, j) != CF_OK)
			rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		cJSON_Delete(j);
	} else {
		printf("added %s: sha256sums %s, signer %s\n", r.dest,
		       r.verify->sums_hex, r.verify->signer);
	}
	cf_case_add_result_release(&r);
	return rc;
}

int cmd_add(int argc, char **argv, struct cf_cmd_env *env)
{
	const char *name;
	struct cf_ctx ctx;
	int ch;

	optind = 1;
	opterr = 0;
	json = 0;
	while ((ch = getopt_long(argc, argv, "hC:", options, NULL)) != -1) {
		switch (ch) {
		case 'h':
			fputs(usage_text, stdout);
			return CF_EXIT_OK;
		case 'C': env->case_dir = optarg; break;
		case OPT_KEY: env->key = optarg; break;
		case OPT_PASS: env->passphrase = optarg; break;
		case OPT_TRUST: env->trust[env->ntrust++] = optarg; break;
		case OPT_JSON: json = 1; break;
		default:
			return cf_cli_bad_option(argv);
		}
	}
	if (optind != argc - 1)
		return cf_cli_usage("give exactly one ARCHIVE");
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
