/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the verifier's reading of casefile/collection.json
 * (check_collection) and the archive chain built on it
 * (cf_archive_verify_chain): the input is collection.json in an archive
 * that is otherwise valid and signed by a trusted key (fuzz_meta.h).
 */
#include <stdint.h>

#include "fuzz_meta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_meta_run(FUZZ_META_COLLECTION, data, size);
}
