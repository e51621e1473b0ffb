/* SPDX-License-Identifier: Apache-2.0
 *
 * `casefile disclose`: export the minimum necessary for a regulator or a
 * patient (SPEC section 5): chosen lines of a sealed log with inclusion
 * proofs against its latest signed checkpoint. Parsing and printing only;
 * proofs are built and self-checked in proof.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/cli.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "commands.h"
#include "keys.h"
#include "proof.h"
#include "seal.h"

static const char usage_text[] =
	"usage: casefile disclose --log LOG --lines LIST [--seal FILE] [--key PUB...]\n"
	"                         -o PROOF.json [--json]\n"
	"\n"
	"  Writes the chosen lines of LOG (LIST such as 12,40-45; lines count from 1)\n"
	"  with RFC 6962 inclusion proofs against the latest checkpoint in LOG.seal\n"
	"  signed by a trusted key. Check it with 'casefile verify --proof'.\n"
	"\n"
	"  --key PUB      key whose checkpoints count (default: the public half of\n"
	"                 $CASEFILE_KEY); repeatable\n"
	"  --seal FILE    seal file (default: LOG.seal)\n"
	"  -o FILE        where to write the proof\n"
	"  --json         print one JSON object on stdout\n";

enum { OPT_LOG = 256, OPT_LINES, OPT_SEAL, OPT_KEY, OPT_JSON };

static const struct option options[] = {
	{"help", no_argument, NULL, 'h'},
	{"json", no_argument, NULL, OPT_JSON},
	{"key", required_argument, NULL, OPT_KEY},
	{"lines", required_argument, NULL, OPT_LINES},
	{"log", required_argument, NULL, OPT_LOG},
	{"output", required_argument, NULL, 'o'},
	{"seal", required_argument, NULL, OPT_SEAL},
	{NULL, 0, NULL, 0},
};

int cmd_disclose(int argc, char **argv)
{
	const char *log = NULL, *spec = NULL, *out = NULL;
	char **keyv, *seal = NULL;
	uint64_t *lines = NULL;
	size_t nlines = 0, nkeys = 0;
	struct cf_ctx ctx;
	cf_key **keys = NULL;
	int json = 0, c, rc = CF_EXIT_RUNTIME;

	if (!(keyv = cf_calloc((size_t)argc + 2, sizeof *keyv))) {
		cf_cli_error("out of memory");
		return CF_EXIT_RUNTIME;
	}
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ho:", options, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_text, stdout);
			free(keyv);
			return CF_EXIT_OK;
		case OPT_LOG: log = optarg; break;
		case OPT_LINES: spec = optarg; break;
		case OPT_SEAL: seal = optarg; break;
		case OPT_KEY: keyv[nkeys++] = optarg; break;
		case OPT_JSON: json = 1; break;
		case 'o': out = optarg; break;
		default:
			free(keyv);
			return cf_cli_bad_option(argv);
		}
	}
	if (optind != argc || !log || !spec || !out) {
		free(keyv);
		return cf_cli_usage("give --log LOG, --lines LIST and -o FILE");
	}
	if (!nkeys && getenv("CASEFILE_KEY") && *getenv("CASEFILE_KEY"))
		keyv[nkeys++] = getenv("CASEFILE_KEY");
	if (!nkeys) {
		free(keyv);
		return cf_cli_usage("give --key PUB (or set CASEFILE_KEY)");
	}
	cf_ctx_init(&ctx);
	if (proof_parse_lines(&ctx, spec, &lines, &nlines) != CF_OK) {
		free(keyv);
		return cf_cli_usage("%s", cf_errmsg(&ctx));
	}
	if (seal)
		seal = cf_strdup(seal);
	else if ((seal = cf_malloc(strlen(log) + sizeof SEAL_SUFFIX)))
		sprintf(seal, "%s%s", log, SEAL_SUFFIX);
	if (!seal) {
		cf_cli_error("out of memory");
		goto out;
	}
	if (keys_load_trusted(&ctx, keyv, nkeys, &keys) != CF_OK ||
	    proof_write_log(&ctx, log, seal, keys, nkeys, lines, nlines, out) !=
		    CF_OK) {
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		goto out;
	}
	if (json) {
		cJSON *j = cJSON_CreateObject();
		if (!j || cf_json_add_str(j, "proof", out) ||
		    cf_json_add_str(j, "kind", "log") ||
		    cf_json_add_int(j, "items", (int64_t)nlines) ||
		    cf_json_emit(&ctx, stdout, j) != CF_OK) {
			cJSON_Delete(j);
			cf_cli_error("cannot print the result");
			goto out;
		}
		cJSON_Delete(j);
	} else if (!cf_cli_globals.quiet) {
		printf("%s: %zu line(s) of %s with inclusion proofs\n", out, nlines, log);
	}
	rc = CF_EXIT_OK;
out:
	keys_free(keys, nkeys);
	free(keyv);
	free(lines);
	free(seal);
	return rc;
}
