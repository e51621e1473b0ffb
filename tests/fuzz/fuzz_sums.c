/* SPDX-License-Identifier: Apache-2.0
 *
 * Fuzz target for cf_sums_parse(): SHA256SUMS comes from the archive, so it
 * is attacker-controlled. Besides "no crash, no leak", it checks the
 * property verify relies on: whatever the strict parser accepts, the writer
 * renders back byte for byte (two readings can never disagree).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/core.h"
#include "casefile/error.h"
#include "casefile/sums.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_ctx ctx;
	struct cf_sums s;
	struct cf_buf b;

	cf_core_init();
	cf_ctx_init(&ctx);
	cf_sums_init(&s);
	cf_buf_init(&b);
	if (cf_sums_parse(&ctx, (const char *)data, size, &s) == CF_OK) {
		if (cf_sums_format(&ctx, &s, &b) != CF_OK)
			abort();
		if (b.len != size || (size && memcmp(b.data, data, size)))
			abort();
		for (size_t i = 0; i < s.n; i++)
			if (s.v[i].line != i + 1 ||
			    cf_sums_find(&s, s.v[i].name) < 0)
				abort();
	} else if (!ctx.msg[0]) {
		abort(); /* every refusal says why */
	}
	cf_buf_release(&b);
	cf_sums_release(&s);
	return 0;
}
