/* SPDX-License-Identifier: Apache-2.0
 *
 * The examiner's signing key, looked up in one order for every command
 * (see signkey.h). Never prints; never keeps the passphrase longer than
 * the key load needs it.
 */
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/signkey.h"

/* The first non-empty of a, b, c, or NULL. */
static const char *first(const char *a, const char *b, const char *c)
{
	if (a && *a)
		return a;
	if (b && *b)
		return b;
	return c && *c ? c : NULL;
}

cf_key *cf_signkey_load(struct cf_ctx *ctx, const char *opt_key,
			const char *opt_pass, const char *case_key,
			const char **used)
{
	const char *path = first(opt_key, getenv("CASEFILE_KEY"), case_key);
	const char *pf = first(opt_pass, getenv("CASEFILE_PASSPHRASE_FILE"), NULL);

	if (used)
		*used = path;
	if (!path) {
		cf_set_error(ctx, 0, "no signing key: give one on the command line, "
			     "set CASEFILE_KEY or record one with `casefile init --key`");
		return NULL;
	}
	return cf_signkey_load_file(ctx, path, pf);
}

cf_key *cf_signkey_load_file(struct cf_ctx *ctx, const char *path,
			     const char *passfile)
{
	char *pass = NULL;
	cf_key *k;

	if (passfile && cf_passphrase_read(ctx, passfile, &pass) != CF_OK)
		return NULL;
	k = cf_key_load_private(ctx, path, pass);
	if (pass)
		cf_free_secret(pass, strlen(pass));
	return k;
}
