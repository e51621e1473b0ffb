/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for MLflow model lineage, lineage.json
 * (tl_mlflow_lineage): registered models, versions, stages, aliases, runs.
 * The SQLite snapshot path needs a file and is not fuzzed here.
 *
 * The first byte chooses what is known about the member (fuzz_tl_meta),
 * the rest is the member; the sink of fuzz_timeline.h checks every result.
 */
#include <stdint.h>

#include "fuzz_timeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_tl_parser(&tl_mlflow_lineage, data, size);
}
