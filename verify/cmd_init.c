/* SPDX-License-Identifier: Apache-2.0
 *
 * `casefile init DIR`: create a case folder (case.json, custody.jsonl,
 * evidence/) and its first custody entry (SPEC section 5). Parsing and
 * printing only; the case is made by cf_case_create() in the core.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "casefile/case.h"
#include "casefile/cli.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "commands.h"
#include "casefile/signkey.h"

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

enum { OPT_ID = 256, OPT_EXAMINER, OPT_KEY, OPT_PASS, OPT_JSON, OPT_CH };

#define MAX_CH_HOSTS 64

static const struct option options[] = {
	{"case-id", required_argument, NULL, OPT_ID},
	{"clickhouse-host", required_argument, NULL, OPT_CH},
	{"examiner", required_argument, NULL, OPT_EXAMINER},
	{"help", no_argument, NULL, 'h'},
	{"json", no_argument, NULL, OPT_JSON},
	{"key", required_argument, NULL, OPT_KEY},
	{"passphrase-file", required_argument, NULL, OPT_PASS},
	{NULL, 0, NULL, 0},
};

int cmd_init(int argc, char **argv)
{
	const char *id = NULL, *examiner = getenv("USER"), *keyopt = NULL;
	const char *pass = NULL, *keypath = NULL;
	char fp[CF_FINGERPRINT_LEN];
	struct cf_ctx ctx;
	cf_case *c = NULL;
	cf_key *key = NULL;
	int json = 0, ch, rc;
	char *hosts[MAX_CH_HOSTS];
	size_t nhosts = 0;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (ch) {
		case 'h':
			fputs(usage_text, stdout);
			return CF_EXIT_OK;
		case OPT_ID: id = optarg; break;
		case OPT_EXAMINER: examiner = optarg; break;
		case OPT_KEY: keyopt = optarg; break;
		case OPT_PASS: pass = optarg; break;
		case OPT_JSON: json = 1; break;
		case OPT_CH:
			if (!*optarg || nhosts == MAX_CH_HOSTS)
				return cf_cli_usage("--clickhouse-host takes a host "
						    "name, at most %d times",
						    MAX_CH_HOSTS);
			hosts[nhosts++] = optarg;
			break;
		default:
			return cf_cli_bad_option(argv);
		}
	}
	if (optind != argc - 1)
		return cf_cli_usage("give exactly one DIR");
	if (id && !*id)
		return cf_cli_usage("--case-id must not be empty");
	cf_ctx_init(&ctx);
	if (!(key = cf_signkey_load(&ctx, keyopt, pass, NULL, &keypath)) ||
	    cf_key_fingerprint(&ctx, key, fp) != CF_OK ||
	    cf_case_create_ex(&ctx, argv[optind], id, examiner, key, keypath,
			      hosts, nhosts) != CF_OK ||
	    cf_case_open(&ctx, argv[optind], &c) != CF_OK) {
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		goto out;
	}
	if (json) {
		cJSON *j = cJSON_CreateObject();
		if (!j || cf_json_add_str(j, "case", cf_case_dir(c)) ||
		    cf_json_add_str(j, "id", cf_case_id(c)) ||
		    cf_json_add_str(j, "examiner", cf_case_examiner(c)) ||
		    cf_json_add_str(j, "signer", fp) ||
		    cf_json_emit(&ctx, stdout, j) != CF_OK) {
			cJSON_Delete(j);
			rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
			goto out;
		}
		cJSON_Delete(j);
	} else {
		printf("case %s created in %s, signer %s\n", cf_case_id(c),
		       cf_case_dir(c), fp);
	}
	rc = CF_EXIT_OK;
out:
	cf_case_free(c);
	cf_key_free(key);
	return rc;
}
