/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the web access log parser on its own
 * (tl_access_log): common, combined and vhost_combined lines.
 *
 * The first byte chooses what is known about the member (fuzz_tl_meta),
 * the rest is the member; the sink of fuzz_timeline.h checks every result.
 */
#include <stdint.h>

#include "fuzz_timeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_tl_parser(&tl_access_log, data, size);
}
