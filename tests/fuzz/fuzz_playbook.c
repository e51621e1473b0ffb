/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the playbook loader and validator (YAML through
 * libfyaml, the schema checks, the graph checks) and for decision
 * conditions: the input is loaded as a playbook, then checked and
 * evaluated as a condition against fixed values. Results do not matter;
 * memory errors, undefined behaviour, leaks and hangs do.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/error.h"
#include "playbook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char values_text[] =
		"{\"scope\":{\"affected\":612,\"by_state\":{\"CA\":501},\"patients\":[\"a\"]},"
		"\"q\":true,\"s\":\"x\"}";
	struct pb_playbook *pb = NULL;
	struct pb_diag diag;
	struct cf_ctx ctx;
	cJSON *values;
	char *expr, err[200];
	size_t pos;
	int r;

	cf_ctx_init(&ctx);
	pb_diag_init(&diag);
	pb_load_string(&ctx, "fuzz.yaml", (const char *)data, size, &diag, &pb);
	pb_free(pb);
	pb_diag_release(&diag);
	if (size > 4096 || !(expr = malloc(size + 1)))
		return 0;
	memcpy(expr, data, size);
	expr[size] = '\0';
	values = cJSON_Parse(values_text);
	pb_expr_check(expr, &pos, err, sizeof err);
	pb_expr_eval(&ctx, expr, values, &r);
	cJSON_Delete(values);
	free(expr);
	return 0;
}
