/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for `playbook import --cacao`: arbitrary JSON is parsed,
 * converted to our model, written back as YAML (libfyaml's emitter) and
 * loaded again, as the command does. Results do not matter; memory
 * errors, undefined behaviour, leaks and hangs do.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "casefile/error.h"
#include "casefile/json.h"
#include "playbook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pb_playbook *pb = NULL, *back = NULL;
	struct cf_ctx ctx;
	cJSON *j = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *mem;

	cf_ctx_init(&ctx);
	if (cf_json_parse(&ctx, (const char *)data, size, &j) != CF_OK)
		return 0;
	if (pb_cacao_import(&ctx, j, &pb) == CF_OK && (mem = open_memstream(&text, &len))) {
		pb_write_yaml(&ctx, pb, mem);
		fclose(mem);
		pb_load_string(&ctx, "import.yaml", text, len, NULL, &back);
	}
	pb_free(back);
	pb_free(pb);
	free(text);
	cJSON_Delete(j);
	return 0;
}
