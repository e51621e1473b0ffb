/* SPDX-License-Identifier: Apache-2.0
 *
 * Fuzz target for the custody log checker (cf_custody_verify): a case
 * folder may come from elsewhere, and a forged or broken log must be
 * named, never crash the checker.
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "casefile/case.h"
#include "casefile/core.h"
#include "casefile/error.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cf_key *key;
	struct cf_custody_report rep = {0};
	struct cf_ctx ctx;
	char path[64];

	if (fuzz_signed_file(data, size, path, &key, &ctx))
		return 0;
	(void)cf_custody_verify(&ctx, path, &key, 1, &rep);
	fuzz_file_done(path);
	return 0;
}
