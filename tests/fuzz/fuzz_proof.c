/* SPDX-License-Identifier: Apache-2.0
 *
 * Fuzz target for disclosure proofs (proof_verify): a proof is checked by
 * a regulator or a patient who did not make it, from whatever file they
 * were sent. The seeds include refused shapes: duplicate, unknown and
 * mistyped keys, relabelled logs and archives.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/core.h"
#include "casefile/error.h"
#include "fuzz_file.h"
#include "proof.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cf_key *key;
	struct proof_report rep;
	struct cf_ctx ctx;
	char path[64];

	if (fuzz_signed_file(data, size, path, &key, &ctx))
		return 0;
	memset(&rep, 0, sizeof rep);
	(void)proof_verify(&ctx, path, &key, 1, &rep);
	/* An accepted proof names its log or archive by what is signed and
	 * hands back every item it proved. */
	if (rep.ok && (!rep.items || !rep.item ||
		       (!strcmp(rep.kind, "log") ? !rep.log_id[0] : !rep.sums_hex[0])))
		abort();
	proof_report_release(&rep);
	fuzz_file_done(path);
	return 0;
}
