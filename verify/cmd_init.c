/* SPDX-License-Identifier: Apache-2.0
 *
 * `casefile init DIR`: create a case folder (case.json, custody.jsonl,
 * evidence/) and its first custody entry (SPEC section 5). Parsing and
 * printing only: main loads the signing key (the row's CF_CMD_SIGNKEY) and
 * the case is made by cf_case_create_ex() in the core.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/case.h"
#include "casefile/cli.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "commands.h"

static const char usage_text[] =
	"usage: casefile init [--case-id ID] [--examiner NAME] [--key KEY]\n"
	"                     [--passphrase-file FILE] [--clickhouse-host HOST]...\n"
	"                     [--json] DIR\n"
	"\n"
	"  Creates the case folder DIR with case.json, custody.jsonl and evidence/,\n"
	"  and signs the first custody entry. KEY's path is recorded in case.json\n"
	"  so that later commands inside the case sign without --key.\n"
	"\n"
	"  --case-id ID            case identifier (default: a random UUID)\n"
	"  --examiner NAME         examiner named in custody entries (default: $USER)\n"
	"  --key KEY               Ed25519 private key (default: $CASEFILE_KEY)\n"
	"  --passphrase-file FILE  passphrase of an encrypted key\n"
	"                          (default: $CASEFILE_PASSPHRASE_FILE)\n"
	"  --clickhouse-host HOST  a ClickHouse host (besides loopback) that the\n"
	"                          case's playbook runs may use (repeatable)\n"
	"  --json                  print one JSON object on stdout\n"
	"  -h, --help              show this help\n";

enum { OPT_ID = 256, OPT_EXAMINER, OPT_CH };

#define MAX_CH_HOSTS 64

static const struct option options[] = {
	{"case-id", required_argument, NULL, OPT_ID},
	{"clickhouse-host", required_argument, NULL, OPT_CH},
	{"examiner", required_argument, NULL, OPT_EXAMINER},
	CF_CLI_OPT_HELP, CF_CLI_OPT_JSON, CF_CLI_OPT_KEY, CF_CLI_OPT_PASS,
	CF_CLI_OPT_END,
};

/* What the parser read; one command runs per process. */
static struct {
	const char *id, *examiner, *dir;
	char *hosts[MAX_CH_HOSTS];
	size_t nhosts;
	int json;
} o;

/* Creates the case with the key main loaded (CF_CMD_SIGNKEY: --key or
 * $CASEFILE_KEY, whose path case.json records) and prints it. */
static int run(struct cf_cmd_env *env)
{
	char fp[CF_FINGERPRINT_LEN];
	struct cf_ctx ctx;
	cf_case *c = NULL;
	int rc;

	cf_ctx_init(&ctx);
	if (cf_key_fingerprint(&ctx, env->signkey, fp) != CF_OK ||
	    cf_case_create_ex(&ctx, o.dir, o.id, o.examiner, env->signkey,
			      env->key_path, o.hosts, o.nhosts) != CF_OK ||
	    cf_case_open(&ctx, o.dir, &c) != CF_OK) {
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		goto out;
	}
	if (o.json) {
		struct cf_jb jb;
		cJSON *j = cf_jb_init(&jb);
		cf_jb_str(&jb, j, "case", cf_case_dir(c));
		cf_jb_str(&jb, j, "id", cf_case_id(c));
		cf_jb_str(&jb, j, "examiner", cf_case_examiner(c));
		cf_jb_str(&jb, j, "signer", fp);
		rc = jb.err || cf_json_emit(&ctx, stdout, j) != CF_OK;
		cJSON_Delete(cf_jb_finish(&jb));
		if (rc) {
			rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
			goto out;
		}
	} else {
		printf("case %s created in %s, signer %s\n", cf_case_id(c),
		       cf_case_dir(c), fp);
	}
	rc = CF_EXIT_OK;
out:
	cf_case_free(c);
	return rc;
}

int cmd_init(int argc, char **argv, struct cf_cmd_env *env)
{
	struct cf_cli_args a = CF_CLI_ARGS(argc, argv, "h", options, usage_text);
	int ch;

	memset(&o, 0, sizeof o);
	o.examiner = getenv("USER");
	while ((ch = cf_cli_next(&a)) > 0) {
		switch (ch) {
		case OPT_ID: o.id = optarg; break;
		case OPT_EXAMINER: o.examiner = optarg; break;
		case OPT_CH:
			if (!*optarg || o.nhosts == MAX_CH_HOSTS)
				return cf_cli_usage("--clickhouse-host takes a host "
						    "name, at most %d times",
						    MAX_CH_HOSTS);
			o.hosts[o.nhosts++] = optarg;
			break;
		}
	}
	if ((ch = cf_cmd_env_args(env, &a, ch, "DIR")) >= 0)
		return ch;
	o.json = a.json;
	if (o.id && !*o.id)
		return cf_cli_usage("--case-id must not be empty");
	o.dir = argv[optind];
	env->run = run;
	return CF_CMD_RUN;
}
