/* SPDX-License-Identifier: Apache-2.0
 *
 * `casefile verify --trust PUB --proof PROOF.json`: checks a disclosure proof
 * of either kind (log lines or archive members) without the rest of the log
 * or archive, and shows what it proved: the lines or members themselves,
 * the bytes that were checked, escaped for the terminal (cf_utf8_safe).
 * Exit 0 proven, 1 not proven (forged, altered, relabelled, malformed,
 * untrusted signer), 3 unreadable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/cli.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/utf8.h"
#include "proof.h"
#include "verify_modes.h"

static const char usage_text[] =
	"usage: casefile verify --trust PUB [--trust PUB...] --proof PROOF.json [--json]\n"
	"\n"
	"  Checks a proof written by 'casefile disclose': the signed checkpoint\n"
	"  and each line's inclusion proof, or the signed SHA256SUMS and each\n"
	"  member's SHA-256, and shows the proven lines or members.\n";

#define CHUNK 4096

/* Prints p[0..n) as lines, each after indent, with every byte a terminal
 * could obey (control characters, bytes that are not UTF-8, NUL) shown as
 * \xNN. Long lines go out in pieces cut between characters. */
static void put_bytes(const uint8_t *p, size_t n, const char *indent)
{
	static char in[CHUNK + 1], out[4 * CHUNK + 1];
	size_t i = 0;

	while (i < n) {
		const uint8_t *nl = memchr(p + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - p) : n;
		fputs(indent, stdout);
		while (i < end) {
			size_t k = end - i < CHUNK ? end - i : CHUNK;
			const uint8_t *z = memchr(p + i, 0, k);
			if (z == p + i) {
				fputs("\\x00", stdout);
				i++;
				continue;
			}
			if (z)
				k = (size_t)(z - (p + i));
			for (int back = 0; i + k < end && k > 1 && back < 3 &&
					   (p[i + k] & 0xc0) == 0x80; back++)
				k--;
			memcpy(in, p + i, k);
			in[k] = '\0';
			fputs(cf_utf8_safe(out, in, k, 0), stdout);
			i += k;
		}
		putchar('\n');
		i = end + 1;
	}
}

static void print_items(const struct proof_report *r)
{
	char hx[CF_SHA256_HEX];

	for (size_t i = 0; i < r->items; i++) {
		const struct proof_item *it = &r->item[i];
		if (it->name) {
			char *name = malloc(4 * strlen(it->name) + 1);
			cf_hex(it->sha256, CF_SHA256_LEN, hx);
			printf("  member %s (%zu bytes, sha256 %s):\n",
			       name ? cf_utf8_safe(name, it->name, strlen(it->name), 0)
				    : "(name not shown: out of memory)",
			       it->len, hx);
			free(name);
			put_bytes(it->data, it->len, "    ");
		} else {
			char pre[40];
			snprintf(pre, sizeof pre, "  line %llu: ",
				 (unsigned long long)it->line);
			if (it->len)
				put_bytes(it->data, it->len, pre);
			else
				printf("%s\n", pre);
		}
	}
}

int verify_proof_main(int argc, char **argv)
{
	struct proof_report r = {0};
	struct vm_args a;
	struct cf_ctx ctx;
	cf_keyring *kr = NULL;
	int rc;

	if ((rc = vm_start(argc, argv, usage_text, VM_PROOF, 0,
			   "give --trust PUB and --proof PROOF.json", &a, &ctx,
			   &kr)) >= 0)
		goto out;
	if (proof_verify(&ctx, a.proof, cf_keyring_keys(kr), cf_keyring_count(kr),
			 &r) != CF_OK) {
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		goto out;
	}
	if (a.json) {
		struct cf_jb jb;
		cJSON *j = cf_jb_init(&jb);
		int bad;

		cf_jb_bool(&jb, j, "ok", r.ok);
		cf_jb_str(&jb, j, "proof", a.proof);
		cf_jb_str(&jb, j, "kind", r.kind);
		cf_jb_int(&jb, j, "items", (int64_t)r.items);
		cf_jb_str(&jb, j, "signer", r.signer[0] ? r.signer : NULL);
		cf_jb_str(&jb, j, "detail", r.detail);
		bad = jb.err || (r.ok && proof_report_json(&r, j)) ||
		      cf_json_emit(&ctx, stdout, j) != CF_OK;
		cJSON_Delete(cf_jb_finish(&jb));
		if (bad) {
			cf_cli_error("cannot print the result");
			rc = CF_EXIT_RUNTIME;
			goto out;
		}
	} else if (r.ok) {
		printf("%s: OK, %s, signer %s\n", a.proof, r.detail, r.signer);
		print_items(&r);
		if (fflush(stdout) || ferror(stdout)) {
			cf_cli_error("cannot print the result");
			rc = CF_EXIT_RUNTIME;
			goto out;
		}
	} else {
		cf_cli_error("%s: %s", a.proof, r.detail);
		printf("%s: FAILED\n", a.proof);
	}
	rc = r.ok ? CF_EXIT_OK : CF_EXIT_EVIDENCE;
out:
	proof_report_release(&r);
	cf_keyring_free(kr);
	vm_release(&a);
	return rc;
}
