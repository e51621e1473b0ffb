/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the dataset CSV parser on its own
 * (tl_dataset, libcsv underneath): a header with a patient column, then one
 * record a row.
 *
 * The first byte chooses what is known about the member (fuzz_tl_meta),
 * the rest is the member; the sink of fuzz_timeline.h checks every result.
 */
#include <stdint.h>

#include "fuzz_timeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_tl_parser(&tl_dataset, data, size);
}
