/* SPDX-License-Identifier: Apache-2.0
 *
 * Trusted public keys for the case, seal and disclose commands (see
 * keys.h). The signing key is found by the core's cf_signkey_load(), the
 * same way for every part.
 */
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "keys.h"

void keys_free(cf_key **keys, size_t n)
{
	for (size_t i = 0; keys && i < n; i++)
		cf_key_free(keys[i]);
	free(keys);
}

int keys_load_trusted(struct cf_ctx *ctx, char *const *paths, size_t n,
		      cf_key ***out)
{
	cf_key **v = cf_calloc(n ? n : 1, sizeof *v);

	*out = NULL;
	if (!v)
		return cf_set_nomem(ctx, "keys");
	for (size_t i = 0; i < n; i++)
		if (!(v[i] = cf_key_load_public(ctx, paths[i]))) {
			keys_free(v, n);
			return CF_FAILED;
		}
	*out = v;
	return CF_OK;
}

const cf_key *keys_find(cf_key *const *trusted, size_t n, const char *fp)
{
	char k[CF_FINGERPRINT_LEN];
	struct cf_ctx c;

	for (size_t i = 0; fp && i < n; i++) {
		cf_ctx_init(&c);
		if (cf_key_fingerprint(&c, trusted[i], k) == CF_OK && !strcmp(k, fp))
			return trusted[i];
	}
	return NULL;
}
