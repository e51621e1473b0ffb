/* SPDX-License-Identifier: Apache-2.0
 *
 * Finding the examiner's signing key for commands that append to a case's
 * custody log, the same way for every part: the --key option, else
 * $CASEFILE_KEY, else the key recorded in case.json at `casefile init`; the
 * passphrase from --passphrase-file, else $CASEFILE_PASSPHRASE_FILE.
 *
 * A responder sets the key once per shell (or once per case) instead of on
 * every command. The passphrase is wiped as soon as the key is loaded.
 */
#ifndef CASEFILE_SIGNKEY_H
#define CASEFILE_SIGNKEY_H

#include "casefile/sign.h"

struct cf_ctx;

/* Loads the private key. opt_key, opt_pass and case_key may be NULL or "".
 * *used (may be NULL) gets the path chosen. NULL with ctx set when no key
 * is named anywhere ("no signing key: ...") or it cannot be loaded. */
cf_key *cf_signkey_load(struct cf_ctx *ctx, const char *opt_key,
			const char *opt_pass, const char *case_key,
			const char **used);
/* Loads the private key at path exactly, with the passphrase in the first
 * line of passfile (may be NULL; wiped once the key is loaded). NULL with
 * ctx set. */
cf_key *cf_signkey_load_file(struct cf_ctx *ctx, const char *path,
			     const char *passfile);

#endif
