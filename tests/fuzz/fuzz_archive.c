/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the archive verifier: the whole of
 * cf_archive_verify (filters, tar/pax headers, member names, SHA256SUMS,
 * items.jsonl, collection.json, the signature) over arbitrary bytes.
 *
 * The input is handed over as an in-memory file (memfd, named through
 * /proc/self/fd), so that fuzzing never writes to disk. One trusted key is
 * generated once. The verdict does not matter here; memory errors,
 * undefined behaviour, leaks and hangs do (the expansion bound keeps
 * decompression bombs short).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "casefile/archive.h"
#include "casefile/error.h"
#include "casefile/sign.h"

static cf_key *trusted;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_verify_result *res = NULL, *two[2];
	struct cf_ctx ctx;
	char path[64];
	int fd;

	cf_ctx_init(&ctx);
	if (!trusted && !(trusted = cf_key_generate(&ctx)))
		abort();
	fd = memfd_create("fuzz_archive", MFD_CLOEXEC);
	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (cf_archive_verify(&ctx, path,
		&(struct cf_verify_opts){
			.trusted = &trusted,
			.ntrusted = 1}, &res) == CF_OK) {
		cJSON_Delete(cf_verify_result_json(res));
		/* the chain code reads collection.json from the result */
		two[0] = res;
		two[1] = res;
		cf_archive_verify_chain(&ctx, two, 2);
	}
	cf_verify_result_free(res);
	close(fd);
	return 0;
}
