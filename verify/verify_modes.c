/* SPDX-License-Identifier: Apache-2.0
 *
 * Choosing the `casefile verify` mode from its options: --log, --proof or
 * --custody (each also as --opt=VALUE) select the sealed-log, proof and
 * custody checks; anything else is archive verification. Kept apart from
 * cmd_verify.c so that the archive mode's parser stays untouched by these.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/cli.h"
#include "casefile/error.h"

#include "verify_modes.h"

static int is_opt(const char *a, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(a, name, n) && (a[n] == '\0' || a[n] == '=');
}

int verify_mode_select(int argc, char **argv, int (**fn)(int, char **))
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (is_opt(argv[i], "--log"))
			*fn = verify_log_main;
		else if (is_opt(argv[i], "--proof"))
			*fn = verify_proof_main;
		else if (is_opt(argv[i], "--custody"))
			*fn = verify_custody_main;
		else
			continue;
		return 1;
	}
	return 0;
}

enum { OPT_LOG = 256, OPT_SEAL, OPT_PROOF, OPT_CUSTODY };

/* -k/--key is repeatable here (a trusted key, or the signer's). */
static const struct option options[] = {
	{"custody", no_argument, NULL, OPT_CUSTODY},
	{"key", required_argument, NULL, 'k'},
	{"log", required_argument, NULL, OPT_LOG},
	{"proof", required_argument, NULL, OPT_PROOF},
	{"seal", required_argument, NULL, OPT_SEAL},
	CF_CLI_OPT_TRUST,
	CF_CLI_OPT_HELP, CF_CLI_OPT_JSON, CF_CLI_OPT_END,
};

void vm_release(struct vm_args *a)
{
	free(a->keys);
	free(a->trust);
	a->keys = a->trust = NULL;
}

int vm_parse(int argc, char **argv, const char *usage, struct vm_args *a)
{
	struct cf_cli_args args = CF_CLI_ARGS(argc, argv, "hk:", options, usage);
	int c;

	memset(a, 0, sizeof *a);
	a->keys = cf_calloc((size_t)argc + 1, sizeof *a->keys);
	a->trust = cf_calloc((size_t)argc + 1, sizeof *a->trust);
	if (!a->keys || !a->trust) {
		cf_cli_error("out of memory");
		return CF_EXIT_RUNTIME;
	}
	while ((c = cf_cli_next(&args)) > 0) {
		switch (c) {
		case 'k': a->keys[a->nkeys++] = optarg; break;
		case CF_CLI_TRUST: a->trust[a->ntrust++] = optarg; break;
		case OPT_LOG: a->log = optarg; break;
		case OPT_SEAL: a->seal = optarg; break;
		case OPT_PROOF: a->proof = optarg; break;
		case OPT_CUSTODY: a->custody = 1; break;
		}
	}
	if (c != -1)
		return args.exit;
	a->json = args.json;
	a->first_operand = optind;
	return -1;
}

int vm_start(int argc, char **argv, const char *usage, enum vm_mode mode,
	     int max_operands, const char *misuse, struct vm_args *a,
	     struct cf_ctx *ctx, cf_keyring **kr)
{
	int rc;

	*kr = NULL;
	if ((rc = vm_parse(argc, argv, usage, a)) >= 0)
		return rc;
	if (argc - a->first_operand > max_operands || !VM_HAS_KEYS(a) ||
	    !a->log != (mode != VM_LOG) || !a->proof != (mode != VM_PROOF) ||
	    (a->custody && mode != VM_CUSTODY))
		return cf_cli_usage("%s", misuse);
	cf_ctx_init(ctx);
	if (!(*kr = cf_cli_keyring(ctx, a->trust, a->ntrust, a->keys, a->nkeys)))
		return cf_cli_fail(ctx, CF_EXIT_RUNTIME);
	return -1;
}
