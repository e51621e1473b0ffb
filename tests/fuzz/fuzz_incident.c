/* SPDX-License-Identifier: Apache-2.0
 *
 * Fuzz target for incident files (cf_incident_load): typed by a person
 * during an incident, and every deadline is computed from them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "casefile/core.h"
#include "casefile/error.h"
#include "casefile/scope.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_incident *inc = NULL;
	struct cf_ctx ctx;
	char path[64];

	cf_core_init();
	cf_ctx_init(&ctx);
	if (fuzz_file(data, size, path))
		return 0;
	if (cf_incident_load(&ctx, path, &inc) == CF_OK)
		cf_incident_free(inc);
	fuzz_file_done(path);
	return 0;
}
