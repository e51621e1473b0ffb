/* SPDX-License-Identifier: Apache-2.0
 *
 * `casefile verify --trust PUB --log LOG [--seal FILE]`: checks a sealed log
 * (SPEC section 5). Parsing and printing only; the check is in
 * seal_verify.c. Exit 0 when every sealed line is intact (lines after the
 * last checkpoint are reported as unsealed, not as tampering), 1 when an
 * alteration or a bad checkpoint is found, 3 when the check cannot run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/cli.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/time.h"
#include "seal.h"
#include "verify_modes.h"

static const char usage_text[] =
	"usage: casefile verify --trust PUB [--trust PUB...] --log LOG [--seal FILE] [--json]\n"
	"\n"
	"  Checks LOG against the signed checkpoints in LOG.seal.\n"
	"\n"
	"  --trust PUB   trusted public key (repeatable; --key PUB is the\n"
	"                deprecated spelling)\n"
	"  --log LOG     the sealed log\n"
	"  --seal FILE   seal file (default: LOG.seal)\n"
	"  --json        print one JSON object on stdout\n"
	"  -h, --help    show this help\n";


static int print_json(const char *log, const struct seal_report *r)
{
	struct cf_jb jb;
	cJSON *j = cf_jb_init(&jb), *arr, *o;

	cf_jb_bool(&jb, j, "ok", r->ok);
	cf_jb_str(&jb, j, "log", log);
	cf_jb_int(&jb, j, "checkpoints", (int64_t)r->checkpoints);
	cf_jb_int(&jb, j, "sealed_lines", (int64_t)r->sealed_lines);
	cf_jb_int(&jb, j, "unsealed_lines", (int64_t)r->unsealed_lines);
	cf_jb_int(&jb, j, "partial_bytes", (int64_t)r->partial_bytes);
	cf_jb_str(&jb, j, "signer", r->checkpoints ? r->signer : NULL);
	cf_jb_str(&jb, j, "root", r->checkpoints ? r->root_hex : NULL);
	cf_jb_str(&jb, j, "log_id", r->checkpoints ? r->log_id : NULL);
	if (r->checkpoints) {
		cf_jb_bool(&jb, j, "log_id_derived", r->log_id_derived);
		cf_jb_time(&jb, j, "first_checkpoint", r->first_us);
		cf_jb_time(&jb, j, "last_checkpoint", r->last_us);
	}
	arr = cf_jb_array(&jb, j, "problems");
	for (size_t i = 0; i < r->nproblems && !jb.err; i++) {
		const struct seal_problem *p = &r->problems[i];
		o = cf_jb_object(&jb, arr, NULL);
		cf_jb_str(&jb, o, "kind", p->kind);
		cf_jb_int(&jb, o, "from_line", (int64_t)p->from);
		cf_jb_int(&jb, o, "to_line", (int64_t)p->to);
		cf_jb_int(&jb, o, "checkpoint", (int64_t)p->checkpoint);
		cf_jb_str(&jb, o, "detail", p->detail);
	}
	return cf_cli_print_json(cf_jb_finish(&jb), 0);
}

static void print_text(const char *log, const struct seal_report *r)
{
	char t1[CF_TIME_STR], t2[CF_TIME_STR];

	for (size_t i = 0; i < r->nproblems; i++)
		cf_cli_error("%s: %s", r->problems[i].kind, r->problems[i].detail);
	if (r->torn_seal && !cf_cli_globals.quiet)
		cf_cli_error("the seal's last line is incomplete (an interrupted "
			     "seal); it was ignored");
	if (!r->ok) {
		printf("%s: FAILED (%zu problem%s)\n", log, r->nproblems,
		       r->nproblems == 1 ? "" : "s");
		return;
	}
	if (!r->checkpoints)
		printf("%s: OK, no checkpoint yet; %llu line(s) unsealed\n", log,
		       (unsigned long long)r->unsealed_lines);
	else
		printf("%s: OK, log id %s%s, %llu line(s) sealed by %llu "
		       "checkpoint(s) from %s to %s, signer %s, root %s; %llu "
		       "line(s) unsealed\n",
		       log, r->log_id, r->log_id_derived ? " (from the first "
		       "checkpoint: a seal made before log ids)" : "",
		       (unsigned long long)r->sealed_lines,
		       (unsigned long long)r->checkpoints,
		       cf_time_format(r->first_us, t1), cf_time_format(r->last_us, t2),
		       r->signer, r->root_hex, (unsigned long long)r->unsealed_lines);
	if (r->partial_bytes)
		printf("%s: %llu byte(s) of an unfinished last line not sealed\n", log,
		       (unsigned long long)r->partial_bytes);
}

int verify_log_main(int argc, char **argv)
{
	struct seal_report rep = {0};
	cf_progress *pg;
	struct vm_args a;
	struct cf_ctx ctx;
	cf_keyring *kr = NULL;
	char *seal = NULL;
	int rc;

	if ((rc = vm_start(argc, argv, usage_text, VM_LOG, 0,
			   "give --trust PUB and --log LOG (and nothing else)",
			   &a, &ctx, &kr)) >= 0)
		goto out;
	if (a.seal)
		seal = cf_strdup(a.seal);
	else if ((seal = cf_malloc(strlen(a.log) + sizeof SEAL_SUFFIX)))
		sprintf(seal, "%s%s", a.log, SEAL_SUFFIX);
	if (!seal) {
		cf_cli_error("out of memory");
		rc = CF_EXIT_RUNTIME;
		goto out;
	}
	pg = cf_cli_progress("verify", a.log);
	rc = seal_verify(&ctx, a.log, seal, cf_keyring_keys(kr), cf_keyring_count(kr),
			 pg, &rep);
	cf_progress_free(pg);
	if (rc != CF_OK) {
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		goto out;
	}
	if (a.json) {
		rc = print_json(a.log, &rep);
		if (rc == CF_EXIT_OK && !rep.ok)
			rc = CF_EXIT_EVIDENCE;
	} else {
		print_text(a.log, &rep);
		rc = rep.ok ? CF_EXIT_OK : CF_EXIT_EVIDENCE;
	}
out:
	seal_report_release(&rep);
	cf_keyring_free(kr);
	vm_release(&a);
	free(seal);
	return rc;
}
