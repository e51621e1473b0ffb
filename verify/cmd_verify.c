/* SPDX-License-Identifier: Apache-2.0
 *
 * `casefile verify`: checks evidence (SPEC section 4).
 *
 * Argument parsing and printing only. The archive checks are in the core
 * (src/archive_verify.c) because `timeline build` and `add` verify archives
 * too. Each mode is one function (verify_archives for archives) so that the
 * other kinds of evidence can be dispatched beside it. The verdict is the
 * exit status: 0 every archive intact, 1 any problem, 3 an archive that
 * could not be read at all; a report line never says OK for an archive with
 * a problem, and every problem is printed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/archive.h"
#include "casefile/cli.h"
#include "casefile/json.h"
#include "casefile/keyring.h"
#include "casefile/progress.h"
#include "casefile/sign.h"
#include "casefile/utf8.h"
#include "commands.h"
#include "verify_modes.h"

static const char usage_text[] =
	"usage: casefile verify --trust PUB [--trust PUB...] [--json] ARCHIVE...\n"
	"       casefile verify --trust PUB [--trust PUB...] --log LOG [--seal FILE]\n"
	"                       [--json]\n"
	"       casefile verify --trust PUB [--trust PUB...] --proof PROOF.json [--json]\n"
	"       casefile verify --trust PUB [--trust PUB...] --custody [DIR|FILE]\n"
	"                       [--json]\n"
	"\n"
	"('casefile verify --log LOG --help' and so on explain each form.)\n"
	"\n"
	"Checks evidence archives in one streaming pass, never extracting them:\n"
	"every member against SHA256SUMS and its pax header, missing, added,\n"
	"duplicated or reordered members, unsafe names, the Ed25519 signature\n"
	"of SHA256SUMS by a trusted key, collection.json and items.jsonl, and,\n"
	"given several archives, their `previous` chain.\n"
	"\n"
	"  --trust PUB     trust this public key (PEM); may be repeated\n"
	"  -k, --key KEY   trust the public half of this private key; a public\n"
	"                  key here is the deprecated spelling of --trust\n"
	"  --json          print one JSON object on stdout\n"
	"  -h, --help      show this help\n"
	"\n"
	"Exit status: 0 all intact, 1 a problem was found, 2 usage error,\n"
	"3 an archive or key could not be read.\n";

/* -k/--key is repeatable here (a trusted key, or the signer's). */
static const struct option options[] = {
	{"key", required_argument, NULL, 'k'},
	CF_CLI_OPT_TRUST, CF_CLI_OPT_HELP, CF_CLI_OPT_JSON, CF_CLI_OPT_END,
};

struct verify_opts {
	char **trust; /* --trust files, in the order given */
	char **keys;  /* --key files, in the order given */
	size_t ntrust, nkeys;
	int json;
};

/* ---- archives ----------------------------------------------------------- */

/* A result for an archive that could not be read, for --json. */
static struct cf_verify_result *unreadable(const char *path, const char *msg)
{
	struct cf_verify_result *r = calloc(1, sizeof *r);

	if (!r || !(r->path = strdup(path)) ||
	    cf_verify_add_problem(r, "unreadable", NULL, msg) < 0) {
		cf_verify_result_free(r);
		return NULL;
	}
	return r;
}

static int verify_one(const char *path, cf_key *const *keys, size_t nkeys,
		      struct cf_verify_result **out)
{
	cf_progress *pg = cf_cli_progress("verify", path);
	struct cf_ctx ctx;
	int rc;

	cf_ctx_init(&ctx);
	rc = cf_archive_verify(&ctx, path,
		&(struct cf_verify_opts){
			.trusted = keys,
			.ntrusted = nkeys,
			.progress = pg}, out);
	cf_progress_free(pg);
	if (rc == CF_OK)
		return CF_EXIT_OK;
	cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	*out = unreadable(path, cf_errmsg(&ctx));
	return CF_EXIT_RUNTIME;
}

/* Prints s with control bytes escaped (cf_utf8_safe): member names come
 * from the archive, and a hostile one must not drive the terminal. */
static void put_safe(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(4 * n + 1);

	if (!out) {
		fputs("(name not shown: out of memory)", stdout);
		return;
	}
	fputs(cf_utf8_safe(out, s, n, 0), stdout);
	free(out);
}

static int print_text(struct cf_verify_result **res, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct cf_verify_result *r = res[i];
		if (!r || (r->nproblems == 1 &&
			   !strcmp(r->problems[0].kind, "unreadable")))
			continue; /* already reported on stderr */
		if (r->ok) {
			cf_cli_put_tone(stdout, CF_TONE_OK, "OK");
			printf(" %s signer %s sha256sums %s\n", r->path,
			       r->signer, r->sums_hex);
			continue;
		}
		for (size_t k = 0; k < r->nproblems; k++) {
			const struct cf_problem *p = &r->problems[k];
			cf_cli_put_tone(stdout, CF_TONE_FAIL, "FAIL");
			printf(" %s: ", r->path);
			if (p->member) {
				put_safe(p->member);
				fputs(": ", stdout);
			}
			put_safe(p->detail);
			putchar('\n');
		}
	}
	return CF_EXIT_OK;
}

static int print_json(struct cf_verify_result **res, size_t n, int ok)
{
	struct cf_ctx ctx;
	cJSON *j = cJSON_CreateObject(), *a;
	int rc = CF_EXIT_RUNTIME;

	cf_ctx_init(&ctx);
	if (!j || cf_json_add_bool(j, "ok", ok) ||
	    !(a = cJSON_AddArrayToObject(j, "archives")))
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		cJSON *o;
		if (!res[i])
			goto nomem;
		if (!(o = cf_verify_result_json(res[i])))
			goto nomem;
		cJSON_AddItemToArray(a, o);
	}
	rc = cf_json_emit(&ctx, stdout, j) == CF_OK
		     ? CF_EXIT_OK
		     : cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	goto out;
nomem:
	cf_cli_error("out of memory");
out:
	cJSON_Delete(j);
	return rc;
}

static int verify_archives(const struct verify_opts *o, char **paths,
			   size_t n)
{
	struct cf_verify_result **res = NULL;
	cf_keyring *kr = NULL;
	struct cf_ctx ctx;
	int rc = CF_EXIT_RUNTIME, runtime = 0, ok = 1, prc;
	size_t i;

	cf_ctx_init(&ctx);
	if (!(res = calloc(n, sizeof *res))) {
		cf_cli_error("out of memory");
		goto out;
	}
	if (!(kr = cf_cli_keyring(&ctx, o->trust, o->ntrust, o->keys, o->nkeys))) {
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		goto out;
	}
	for (i = 0; i < n; i++)
		if (verify_one(paths[i], cf_keyring_keys(kr), cf_keyring_count(kr),
			       &res[i]) != CF_EXIT_OK)
			runtime = 1;
	if (cf_archive_verify_chain(&ctx, res, n) != CF_OK) {
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		goto out;
	}
	for (i = 0; i < n; i++)
		if (!res[i] || !res[i]->ok)
			ok = 0;
	prc = o->json ? print_json(res, n, ok) : print_text(res, n);
	if (prc != CF_EXIT_OK)
		rc = prc;
	else
		rc = runtime ? CF_EXIT_RUNTIME : ok ? CF_EXIT_OK : CF_EXIT_EVIDENCE;
	if (rc != CF_EXIT_RUNTIME && cf_cli_finish_stdout() != CF_EXIT_OK)
		rc = CF_EXIT_RUNTIME;
out:
	for (i = 0; res && i < n; i++)
		cf_verify_result_free(res[i]);
	cf_keyring_free(kr);
	free(res);
	return rc;
}

/* ---- command line ------------------------------------------------------- */

int cmd_verify(int argc, char **argv)
{
	struct verify_opts o = {NULL, NULL, 0, 0, 0};
	struct cf_cli_args a = CF_CLI_ARGS(argc, argv, "hk:", options, usage_text);
	int (*mode)(int, char **);
	int c, rc;

	/* Sealed logs, proofs and custody logs (SPEC section 5). */
	if (verify_mode_select(argc, argv, &mode))
		return mode(argc, argv);

	o.keys = calloc((size_t)argc, sizeof *o.keys);
	o.trust = calloc((size_t)argc, sizeof *o.trust);
	if (!o.keys || !o.trust) {
		free(o.keys);
		free(o.trust);
		cf_cli_error("out of memory");
		return CF_EXIT_RUNTIME;
	}
	while ((c = cf_cli_next(&a)) > 0) {
		if (c == 'k')
			o.keys[o.nkeys++] = optarg;
		else if (c == CF_CLI_TRUST)
			o.trust[o.ntrust++] = optarg;
	}
	o.json = a.json;
	if (c != -1)
		rc = a.exit;
	else if (optind >= argc)
		rc = cf_cli_usage("no ARCHIVE given");
	else if (!o.nkeys && !o.ntrust)
		rc = cf_cli_usage("--trust PUB is required: only the keys named "
				  "are trusted");
	else
		rc = verify_archives(&o, argv + optind, (size_t)(argc - optind));
	free(o.keys);
	free(o.trust);
	return rc;
}
