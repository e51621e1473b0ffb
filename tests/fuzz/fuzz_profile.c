/* SPDX-License-Identifier: Apache-2.0
 *
 * Fuzz target for collection profiles (cf_profile_load_string): a profile
 * may be handed over by anyone, and its errors must be FILE:LINE:COL
 * messages, never a crash or a hang.
 */
#include <stdint.h>
#include <stdlib.h>

#include "casefile/core.h"
#include "casefile/error.h"
#include "collect/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_profile p;
	struct cf_ctx ctx;

	cf_core_init();
	cf_ctx_init(&ctx);
	if (cf_profile_load_string(&ctx, "fuzz.yaml", (const char *)data, size, &p) ==
	    CF_OK)
		cf_profile_release(&p);
	return 0;
}
