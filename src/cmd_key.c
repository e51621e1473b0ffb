/* SPDX-License-Identifier: Apache-2.0
 *
 * `casefile key generate|fingerprint`: the signer's keys (SPEC section 1).
 *
 * Argument parsing and printing only; the key handling is in src/sign.c.
 * The private key never reaches stdout: `generate` prints the fingerprint,
 * the one thing a responder reads aloud or pastes into a custody form.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/cli.h"
#include "casefile/json.h"
#include "casefile/sign.h"
#include "commands.h"

static const char usage_text[] =
	"usage: casefile key generate [--force] [--passphrase-file FILE] [--json] PREFIX\n"
	"       casefile key fingerprint [--passphrase-file FILE] [--json] KEYFILE\n"
	"\n"
	"  generate      write PREFIX.key (Ed25519, PKCS#8 PEM, mode 0600) and\n"
	"                PREFIX.pub (SubjectPublicKeyInfo PEM); print the fingerprint\n"
	"  fingerprint   print SHA256:<hex SHA-256 of the raw 32-byte public key>\n"
	"\n"
	"  --force                 replace existing key files\n"
	"  --passphrase-file FILE  encrypt (generate) or decrypt (fingerprint of an\n"
	"                          encrypted private key) with the first line of FILE\n"
	"  --json                  print one JSON object on stdout\n"
	"  -h, --help              show this help\n";

enum { OPT_FORCE = 256 };

static const struct option options[] = {
	{"force", no_argument, NULL, OPT_FORCE},
	CF_CLI_OPT_HELP, CF_CLI_OPT_JSON, CF_CLI_OPT_PASS, CF_CLI_OPT_END,
};

struct key_opts {
	int force, json;
	const char *passfile;
};

/* Prints {"fingerprint":..., plus extra members} or the bare fingerprint. */
static int print_result(const struct key_opts *o, const char *fp,
			const char *priv, const char *pub)
{
	cJSON *j;
	int bad;

	if (!o->json) {
		puts(fp);
		return CF_EXIT_OK;
	}
	bad = !(j = cJSON_CreateObject()) || cf_json_add_str(j, "fingerprint", fp) ||
	      (priv && cf_json_add_str(j, "private_key", priv)) ||
	      (pub && cf_json_add_str(j, "public_key", pub));
	return cf_cli_print_json(j, bad);
}

static int key_generate(const struct key_opts *o, const char *prefix)
{
	struct cf_ctx ctx;
	char fp[CF_FINGERPRINT_LEN], *pass = NULL, *kpath = NULL, *ppath = NULL;
	cf_key *k = NULL;
	int rc = CF_EXIT_RUNTIME;

	cf_ctx_init(&ctx);
	if (o->passfile && cf_passphrase_read(&ctx, o->passfile, &pass) != CF_OK)
		goto fail;
	if (!(k = cf_key_generate(&ctx)) ||
	    cf_key_save(&ctx, k, prefix, pass, o->force) != CF_OK ||
	    cf_key_fingerprint(&ctx, k, fp) != CF_OK)
		goto fail;
	kpath = malloc(strlen(prefix) + 5);
	ppath = malloc(strlen(prefix) + 5);
	if (!kpath || !ppath) {
		cf_cli_error("out of memory");
		goto out;
	}
	sprintf(kpath, "%s.key", prefix);
	sprintf(ppath, "%s.pub", prefix);
	if (!cf_cli_globals.quiet && !o->json)
		fprintf(stderr,
			"casefile key generate: wrote %s (private, mode 0600%s) and %s\n",
			kpath, pass ? ", encrypted" : "", ppath);
	rc = print_result(o, fp, kpath, ppath);
	goto out;
fail:
	rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
out:
	if (pass)
		cf_free_secret(pass, strlen(pass));
	free(kpath);
	free(ppath);
	cf_key_free(k);
	return rc;
}

static int key_fingerprint(const struct key_opts *o, const char *path)
{
	struct cf_ctx ctx;
	char fp[CF_FINGERPRINT_LEN], *pass = NULL;
	cf_key *k = NULL;
	int rc;

	cf_ctx_init(&ctx);
	/* With a passphrase the file must be an (encrypted) private key; the
	 * loaders' "give --passphrase-file" advice is followed here too. */
	if (o->passfile && cf_passphrase_read(&ctx, o->passfile, &pass) != CF_OK)
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	else if (!(k = pass ? cf_key_load_private(&ctx, path, pass)
			    : cf_key_load_public(&ctx, path)) ||
		 cf_key_fingerprint(&ctx, k, fp) != CF_OK)
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	else
		rc = print_result(o, fp, NULL, NULL);
	if (pass)
		cf_free_secret(pass, strlen(pass));
	cf_key_free(k);
	return rc;
}

int cmd_key(int argc, char **argv)
{
	struct key_opts o = {0, 0, NULL};
	struct cf_cli_args a = CF_CLI_ARGS(argc - 1, argv + 1, "h", options,
					   usage_text);
	const char *sub;
	int c;

	if ((c = cf_cli_subcommand(argc, argv, usage_text)) >= 0)
		return c;
	sub = argv[1];
	while ((c = cf_cli_next(&a)) > 0)
		if (c == OPT_FORCE)
			o.force = 1;
	if (c != -1)
		return a.exit;
	o.json = a.json;
	o.passfile = a.passphrase;
	if (optind + 1 != argc - 1)
		return cf_cli_usage("expected exactly one %s",
				    !strcmp(sub, "generate") ? "PREFIX" : "KEYFILE");
	if (o.force && strcmp(sub, "generate"))
		return cf_cli_usage("--force goes with 'generate'");
	if (!strcmp(sub, "generate"))
		return key_generate(&o, argv[optind + 1]);
	return key_fingerprint(&o, argv[optind + 1]);
}
