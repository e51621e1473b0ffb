/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the JSON evidence parser on its own (tl_json): JSON
 * lines or one document, each object routed to FHIR, CloudTrail, model
 * decisions or a field mapping. The member descriptions include the
 * model-decision category and mappings of both kinds, which is how the
 * decision and mapping code is reached.
 *
 * The first byte chooses what is known about the member (fuzz_tl_meta),
 * the rest is the member; the sink of fuzz_timeline.h checks every result.
 */
#include <stdint.h>

#include "fuzz_timeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_tl_parser(&tl_json, data, size);
}
