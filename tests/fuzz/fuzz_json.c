/* SPDX-License-Identifier: Apache-2.0
 *
 * Fuzz target for cf_json_parse(): collection.json, items.jsonl, FHIR and
 * CloudTrail evidence are all hostile JSON. Checks the depth pre-scan and
 * the trailing-data rule, the typed getters on every member, and that what
 * is accepted prints and parses again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/core.h"
#include "casefile/error.h"
#include "casefile/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_ctx ctx;
	struct cf_buf b;
	cJSON *j = NULL, *again = NULL, *it;

	cf_core_init();
	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	if (cf_json_parse(&ctx, (const char *)data, size, &j) != CF_OK) {
		if (j || !ctx.msg[0])
			abort();
		return 0;
	}
	cJSON_ArrayForEach(it, j) {
		if (!it->string)
			continue;
		(void)cf_json_str(j, it->string, NULL);
		(void)cf_json_num(j, it->string, 0);
		(void)cf_json_int(j, it->string, 0);
		(void)cf_json_bool(j, it->string, 0);
	}
	if (cf_json_append_line(&b, j) == 0) {
		if (b.len == 0 || b.data[b.len - 1] != '\n')
			abort();
		if (cf_json_parse(&ctx, b.data, b.len, &again) != CF_OK)
			abort();
	}
	cJSON_Delete(again);
	cJSON_Delete(j);
	cf_buf_release(&b);
	return 0;
}
