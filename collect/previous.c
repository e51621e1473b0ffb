/* SPDX-License-Identifier: Apache-2.0
 *
 * The previous archive of a case (see previous.h). A new archive names the
 * SHA256SUMS digest and the sequence of the one before it, so the chain is
 * only as good as that check: the previous archive is verified in full
 * against the trusted keys, in the same single streaming pass that yields
 * its digest, before anything is written. Its own file because it is the
 * one place where collect reads an archive instead of writing one.
 */
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/archive.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/keyring.h"
#include "previous.h"

int cf_previous_read(struct cf_ctx *ctx, const char *path,
		     cf_key *const *trusted, size_t ntrusted,
		     char sums_hex[CF_SHA256_HEX], uint64_t *sequence)
{
	struct cf_verify_result *vr = NULL;
	const struct cf_problem *p;
	int rc;

	/* One verifying pass (the core reader's limits on hostile input,
	 * nothing extracted): the link goes to an archive that a trusted key
	 * signed, and its digest and sequence are those of the bytes
	 * verified, not of a second read. */
	if ((rc = cf_archive_verify(ctx, path,
		&(struct cf_verify_opts){
			.trusted = trusted,
			.ntrusted = ntrusted}, &vr)) != CF_OK) {
		cf_error_prefix(ctx, "previous archive");
		goto out;
	}
	if (!vr->ok) {
		p = &vr->problems[0];
		rc = cf_set_error(ctx, 0,
				  "previous archive '%s' does not verify (%s%s%s: "
				  "%s), so no archive can be chained to it%s",
				  path, p->kind, p->member ? " " : "",
				  p->member ? p->member : "", p->detail,
				  !strcmp(p->kind, "untrusted-signer")
					  ? "; name its signer's public key "
					    "with --trust"
					  : "");
		if (!strcmp(p->kind, "missing-member") ||
		    !strcmp(p->kind, "bad-format") ||
		    !strcmp(p->kind, "truncated"))
			cf_error_prefix(ctx, "not an evidence archive");
		goto out;
	}
	*sequence = (uint64_t)cf_json_int(vr->collection, "sequence", 0);
	memcpy(sums_hex, vr->sums_hex, CF_SHA256_HEX);
	rc = CF_OK;
out:
	cf_verify_result_free(vr);
	return rc;
}

int cf_previous_link(struct cf_ctx *ctx, const char *path, cf_key *key,
		     char *const *trust, size_t ntrust,
		     char sums_hex[CF_SHA256_HEX], uint64_t *sequence)
{
	cf_keyring *kr = cf_keyring_new(ctx);
	int rc = CF_FAILED;

	if (!kr)
		return CF_FATAL;
	if (cf_keyring_add_key(ctx, kr, key) != CF_OK)
		goto out;
	for (size_t i = 0; i < ntrust; i++)
		if (cf_keyring_add_file(ctx, kr, trust[i]) != CF_OK)
			goto out;
	rc = cf_previous_read(ctx, path, cf_keyring_keys(kr),
			      cf_keyring_count(kr), sums_hex, sequence);
out:
	cf_keyring_free(kr);
	return rc;
}
