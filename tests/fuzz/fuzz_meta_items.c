/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the verifier's reading of casefile/items.jsonl
 * (item_line, and its cross-checks with the members and SHA256SUMS in
 * check_sums): the input is items.jsonl in an archive that is otherwise
 * valid and signed by a trusted key (fuzz_meta.h).
 */
#include <stdint.h>

#include "fuzz_meta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_meta_run(FUZZ_META_ITEMS, data, size);
}
