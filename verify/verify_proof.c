/* SPDX-License-Identifier: Apache-2.0
 *
 * `casefile verify --key PUB --proof PROOF.json`: checks a disclosure proof
 * of either kind (log lines or archive members) without the rest of the log
 * or archive. Exit 0 proven, 1 not proven (forged, altered, untrusted
 * signer), 3 unreadable.
 */
#include <stdio.h>
#include <stdlib.h>

#include "casefile/alloc.h"
#include "casefile/cli.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "keys.h"
#include "proof.h"
#include "verify_modes.h"

static const char usage_text[] =
	"usage: casefile verify --key PUB [--key PUB...] --proof PROOF.json [--json]\n"
	"\n"
	"  Checks a proof written by 'casefile disclose': the signed checkpoint\n"
	"  and each line's inclusion proof, or the signed SHA256SUMS and each\n"
	"  member's SHA-256.\n";


int verify_proof_main(int argc, char **argv)
{
	struct proof_report r;
	struct vm_args a;
	struct cf_ctx ctx;
	cf_key **keys = NULL;
	int rc;

	if ((rc = vm_parse(argc, argv, usage_text, &a)) >= 0)
		goto out;
	if (a.first_operand != argc || !a.proof || !a.nkeys || a.log || a.custody) {
		rc = cf_cli_usage("give --key PUB and --proof PROOF.json");
		goto out;
	}
	cf_ctx_init(&ctx);
	if (keys_load_trusted(&ctx, a.keys, a.nkeys, &keys) != CF_OK ||
	    proof_verify(&ctx, a.proof, keys, a.nkeys, &r) != CF_OK) {
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		goto out;
	}
	if (a.json) {
		cJSON *j = cJSON_CreateObject();
		if (!j || cf_json_add_bool(j, "ok", r.ok) ||
		    cf_json_add_str(j, "proof", a.proof) ||
		    cf_json_add_str(j, "kind", r.kind) ||
		    cf_json_add_int(j, "items", (int64_t)r.items) ||
		    cf_json_add_str(j, "signer", r.signer[0] ? r.signer : NULL) ||
		    cf_json_add_str(j, "detail", r.detail) ||
		    cf_json_emit(&ctx, stdout, j) != CF_OK) {
			cJSON_Delete(j);
			cf_cli_error("cannot print the result");
			rc = CF_EXIT_RUNTIME;
			goto out;
		}
		cJSON_Delete(j);
	} else if (r.ok) {
		printf("%s: OK, %s, signer %s\n", a.proof, r.detail, r.signer);
	} else {
		cf_cli_error("%s: %s", a.proof, r.detail);
		printf("%s: FAILED\n", a.proof);
	}
	rc = r.ok ? CF_EXIT_OK : CF_EXIT_EVIDENCE;
out:
	keys_free(keys, a.nkeys);
	vm_release(&a);
	return rc;
}
