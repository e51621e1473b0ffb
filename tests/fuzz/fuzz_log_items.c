/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for casefile/items.jsonl read as timeline evidence
 * (tl_items: each item's file times become events). The verifier's own
 * reading of items.jsonl is fuzzed by fuzz_meta_items.c.
 *
 * The first byte chooses what is known about the member (fuzz_tl_meta),
 * the rest is the member; the sink of fuzz_timeline.h checks every result.
 */
#include <stdint.h>

#include "fuzz_timeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_tl_parser(&tl_items, data, size);
}
