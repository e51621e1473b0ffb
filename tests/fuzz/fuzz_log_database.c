/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for a host's SQLite database at rest
 * (tl_database_sqlite, timeline/sqlitedb.c): the rows naming patients of
 * a snapshot from a possibly compromised host. SQLite reads files by path,
 * so the input is written to a temporary file (fuzz_file.h), as the
 * builder copies a member to one; the first byte chooses what is known
 * about the member (fuzz_tl_meta); the sink of fuzz_timeline.h checks
 * every result.
 */
#include <stdint.h>

#include "fuzz_file.h"
#include "fuzz_timeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tl_sink s = {fuzz_tl_on_event, fuzz_tl_on_reject,
			    fuzz_tl_on_patient, NULL};
	struct tl_run r;
	struct cf_ctx ctx;
	char path[64];
	int tables;

	if (!size || fuzz_file(data + 1, size - 1, path))
		return 0;
	cf_ctx_init(&ctx);
	if (tl_run_init(&r, &tl_database, fuzz_tl_meta(data[0]), &s, &ctx) == CF_OK) {
		tl_database_sqlite(&r, path, &tables);
		tl_run_release(&r);
	}
	fuzz_file_done(path);
	return 0;
}
