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
#include "casefile/keyring.h"
#include "commands.h"
#include "proof.h"
#include "seal.h"

static const char usage_text[] =
	"usage: casefile disclose --log LOG --lines LIST [--seal FILE] [--trust PUB...]\n"
	"                         [--key KEY] -o PROOF.json [--json]\n"
	"       casefile disclose --archive ARCHIVE --members NAME[,NAME...]\n"
	"                         [--trust PUB...] [--key KEY] -o PROOF.json [--json]\n"
	"\n"
	"  Writes the chosen lines of LOG (LIST such as 12,40-45; lines count from 1)\n"
	"  with RFC 6962 inclusion proofs against the latest checkpoint in LOG.seal\n"
	"  signed by a trusted key; or the chosen members of a verified evidence\n"
	"  archive with its signed SHA256SUMS. Check either with\n"
	"  'casefile verify --proof'.\n"
	"\n"
	"  --trust PUB    public key whose signatures count; repeatable\n"
	"  --key KEY      private key whose public half counts (default, without\n"
	"                 --trust: $CASEFILE_KEY); --key PUB is the deprecated\n"
	"                 spelling of --trust\n"
	"  --seal FILE    seal file (default: LOG.seal)\n"
	"  --members LIST member names, separated by commas (repeatable)\n"
	"  -o FILE        where to write the proof\n"
	"  --json         print one JSON object on stdout\n";

enum { OPT_LOG = 256, OPT_LINES, OPT_SEAL, OPT_KEY, OPT_ARCHIVE,
       OPT_MEMBERS };

/* --key is repeatable here (a trusted key, or the signer's): its own row. */
static const struct option options[] = {
	{"archive", required_argument, NULL, OPT_ARCHIVE},
	{"key", required_argument, NULL, OPT_KEY},
	{"lines", required_argument, NULL, OPT_LINES},
	{"log", required_argument, NULL, OPT_LOG},
	{"members", required_argument, NULL, OPT_MEMBERS},
	CF_CLI_OPT_OUTPUT,
	{"seal", required_argument, NULL, OPT_SEAL},
	CF_CLI_OPT_TRUST,
	CF_CLI_OPT_HELP, CF_CLI_OPT_JSON, CF_CLI_OPT_END,
};

/* Splits every --members value at commas into names (pointers into a
 * copy held by *store). */
static int split_members(char *const *vals, size_t nvals, char ***names,
			 size_t *n, char **store)
{
	size_t total = 0, cap = 1;
	char *p;

	for (size_t i = 0; i < nvals; i++) {
		total += strlen(vals[i]) + 1;
		for (p = vals[i]; *p; p++)
			cap += *p == ',';
		cap++;
	}
	*n = 0;
	if (!(*store = cf_malloc(total + 1)) || !(*names = cf_calloc(cap, sizeof **names)))
		return -1;
	p = *store;
	for (size_t i = 0; i < nvals; i++) {
		char *tok, *save = NULL;
		strcpy(p, vals[i]);
		for (tok = strtok_r(p, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			(*names)[(*n)++] = tok;
		p += strlen(vals[i]) + 1;
	}
	return 0;
}

static int print_done(const char *out, const char *kind, size_t items,
		      const char *from, int json)
{
	struct cf_ctx ctx;
	cJSON *j;

	if (!json) {
		if (!cf_cli_globals.quiet)
			printf("%s: %zu %s(s) of %s with proofs\n", out, items,
			       !strcmp(kind, "log") ? "line" : "member", from);
		return CF_EXIT_OK;
	}
	cf_ctx_init(&ctx);
	if (!(j = cJSON_CreateObject()) || cf_json_add_str(j, "proof", out) ||
	    cf_json_add_str(j, "kind", kind) ||
	    cf_json_add_int(j, "items", (int64_t)items) ||
	    cf_json_emit(&ctx, stdout, j) != CF_OK) {
		cJSON_Delete(j);
		cf_cli_error("cannot print the result");
		return CF_EXIT_RUNTIME;
	}
	cJSON_Delete(j);
	return CF_EXIT_OK;
}

int cmd_disclose(int argc, char **argv)
{
	const char *log = NULL, *spec = NULL, *out = NULL, *archive = NULL;
	const char *envkey = NULL;
	char **keyv, **trustv, **memv, **names = NULL, *store = NULL, *seal = NULL;
	uint64_t *lines = NULL;
	size_t nlines = 0, nkeys = 0, ntrust = 0, nmemv = 0, nnames = 0;
	struct cf_ctx ctx;
	cf_keyring *kr = NULL;
	struct cf_cli_args a = CF_CLI_ARGS(argc, argv, "ho:", options, usage_text);
	int json = 0, c, rc = CF_EXIT_RUNTIME;

	keyv = cf_calloc((size_t)argc + 1, sizeof *keyv);
	trustv = cf_calloc((size_t)argc + 1, sizeof *trustv);
	memv = cf_calloc((size_t)argc + 1, sizeof *memv);
	if (!keyv || !trustv || !memv) {
		cf_cli_error("out of memory");
		goto out;
	}
	while ((c = cf_cli_next(&a)) > 0) {
		switch (c) {
		case OPT_LOG: log = optarg; break;
		case OPT_LINES: spec = optarg; break;
		case OPT_SEAL: seal = optarg; break;
		case OPT_KEY: keyv[nkeys++] = optarg; break;
		case CF_CLI_TRUST: trustv[ntrust++] = optarg; break;
		case OPT_ARCHIVE: archive = optarg; break;
		case OPT_MEMBERS: memv[nmemv++] = optarg; break;
		case 'o': out = optarg; break;
		}
	}
	if (c != -1) {
		rc = a.exit;
		goto out;
	}
	json = a.json;
	seal = seal ? cf_strdup(seal) : NULL;
	if (optind != argc || !out || !!log == !!archive || (log && (!spec || nmemv)) ||
	    (archive && (!nmemv || spec))) {
		rc = cf_cli_usage("give --log LOG --lines LIST, or --archive ARCHIVE "
				  "--members NAMES, and -o FILE");
		goto out;
	}
	/* Without --trust or --key: the public half of the signing key. */
	if (!nkeys && !ntrust && (envkey = getenv("CASEFILE_KEY")) && !*envkey)
		envkey = NULL;
	if (!nkeys && !ntrust && !envkey) {
		rc = cf_cli_usage("give --trust PUB (or --key KEY, or set CASEFILE_KEY)");
		goto out;
	}
	cf_ctx_init(&ctx);
	if (log && proof_parse_lines(&ctx, spec, &lines, &nlines) != CF_OK) {
		rc = cf_cli_usage("%s", cf_errmsg(&ctx));
		goto out;
	}
	if (archive && (split_members(memv, nmemv, &names, &nnames, &store) ||
			!nnames)) {
		rc = nnames ? CF_EXIT_RUNTIME : cf_cli_usage("--members names nothing");
		goto out;
	}
	if (log && !seal && (seal = cf_malloc(strlen(log) + sizeof SEAL_SUFFIX)))
		sprintf(seal, "%s%s", log, SEAL_SUFFIX);
	if (log && !seal) {
		cf_cli_error("out of memory");
		goto out;
	}
	if (!(kr = cf_cli_keyring(&ctx, trustv, ntrust, keyv, nkeys)) ||
	    (envkey && cf_keyring_add_signer(&ctx, kr, envkey) != CF_OK) ||
	    (log ? proof_write_log(&ctx, log, seal, cf_keyring_keys(kr),
				   cf_keyring_count(kr), lines, nlines, out)
		 : proof_write_archive(&ctx, archive, cf_keyring_keys(kr),
				       cf_keyring_count(kr), names, nnames,
				       out)) != CF_OK) {
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		goto out;
	}
	rc = print_done(out, log ? "log" : "archive", log ? nlines : nnames,
			log ? log : archive, json);
out:
	cf_keyring_free(kr);
	free(keyv);
	free(trustv);
	free(memv);
	free(names);
	free(store);
	free(lines);
	free(seal);
	return rc;
}
