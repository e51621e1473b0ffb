/* SPDX-License-Identifier: Apache-2.0
 *
 * Key lookup for the case, seal and disclose commands (see keys.h). The
 * environment variables let a responder set the key once per shell instead
 * of on every command; the key recorded in case.json lets every command run
 * inside a case sign without options. Passphrases are wiped after use.
 */
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "keys.h"

cf_key *keys_load_signing(struct cf_ctx *ctx, const char *opt_key,
			  const char *opt_pass, const char *case_key,
			  const char **used)
{
	const char *path = opt_key, *pf = opt_pass;
	char *pass = NULL;
	cf_key *k;

	if (!path || !*path)
		path = getenv("CASEFILE_KEY");
	if (!path || !*path)
		path = case_key;
	if (!path || !*path) {
		cf_set_error(ctx, 0, "no signing key: give --key KEY or set CASEFILE_KEY");
		return NULL;
	}
	if (!pf || !*pf)
		pf = getenv("CASEFILE_PASSPHRASE_FILE");
	if (pf && *pf && cf_passphrase_read(ctx, pf, &pass) != CF_OK)
		return NULL;
	k = cf_key_load_private(ctx, path, pass);
	if (pass)
		cf_free_secret(pass, strlen(pass));
	if (used)
		*used = path;
	return k;
}

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
