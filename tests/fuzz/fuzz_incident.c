/* SPDX-License-Identifier: Apache-2.0
 *
 * Fuzz target for incident files: typed by a person during an incident,
 * and every deadline is computed from them. Two loaders read them, the
 * scope's (cf_incident_load, which counts the affected individuals) and
 * the report's (cf_report_incident_load, which checks every key and hands
 * the file to the templates); both run on each input. Where both accept a
 * file they must read the same discovery time and window, or the notice
 * and the count would rest on different incidents; a refusal must say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "casefile/core.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/scope.h"
#include "casefile/time.h"
#include "fuzz_file.h"
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The time at key of o, or INT64_MIN when absent or not a time. */
static int64_t time_at(const cJSON *o, const char *key)
{
	const char *s = cf_json_str(o, key, NULL);
	int64_t us;

	return s && cf_time_parse(s, -1, &us, NULL) == 0 ? us : INT64_MIN;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_incident *inc = NULL;
	struct cf_ctx ctx, rctx;
	cJSON *j = NULL;
	char path[64];
	int a, b;

	cf_core_init();
	cf_ctx_init(&ctx);
	cf_ctx_init(&rctx);
	if (fuzz_file(data, size, path))
		return 0;
	a = cf_incident_load(&ctx, path, &inc);
	b = cf_report_incident_load(&rctx, path, &j);
	if ((a != CF_OK && !ctx.msg[0]) || (b != CF_OK && !rctx.msg[0]))
		abort();
	if ((a == CF_OK) != (inc != NULL) || (b == CF_OK) != (j != NULL))
		abort();
	if (a == CF_OK && b == CF_OK) {
		const cJSON *w = cJSON_GetObjectItemCaseSensitive(j, "window");
		if (time_at(j, "discovered") != inc->discovered_us ||
		    time_at(w, "from") != inc->from_us || time_at(w, "to") != inc->to_us)
			abort();
	}
	cf_incident_free(inc);
	cJSON_Delete(j);
	fuzz_file_done(path);
	return 0;
}
