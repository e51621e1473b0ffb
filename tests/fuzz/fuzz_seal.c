/* SPDX-License-Identifier: Apache-2.0
 *
 * Fuzz target for seal files (seal_read: every checkpoint parsed, its
 * signatures and chain checked): the seal travels with the log it
 * protects and may have been tampered with.
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "casefile/core.h"
#include "casefile/error.h"
#include "fuzz_file.h"
#include "seal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cf_key *key;
	struct seal_report rep = {0};
	struct seal_cp *cps = NULL;
	struct cf_ctx ctx;
	size_t ncps = 0;
	char path[64];

	if (fuzz_signed_file(data, size, path, &key, &ctx))
		return 0;
	if (seal_read(&ctx, path, &key, 1, &cps, &ncps, &rep) == CF_OK)
		seal_cps_free(cps, ncps);
	seal_report_release(&rep);
	fuzz_file_done(path);
	return 0;
}
