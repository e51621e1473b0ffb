/* SPDX-License-Identifier: Apache-2.0
 *
 * Fuzz target for incident files: typed by a person during an incident,
 * and every deadline is computed from them. The scope reads them with
 * cf_incident_load (to count the affected individuals), the report with
 * cf_report_incident_load (the same checks, then the document as JSON for
 * the templates); both run on each input. The report may refuse more (a
 * notice needs the covered entity's name) but never accept what the scope
 * refuses, and where both accept a file they must read the same discovery
 * time, window, delay and suspects, or the notice and the count would rest
 * on different incidents. A refusal must say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
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

/* 1 when the JSON list at key of the suspects holds exactly v[0..n). */
static int same_list(const cJSON *sus, const char *key, char **v, size_t n)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(sus, key), *e;
	size_t i = 0;

	if (!a || cJSON_IsNull(a))
		return n == 0;
	if ((size_t)cJSON_GetArraySize(a) != n)
		return 0;
	cJSON_ArrayForEach(e, a)
		if (!cJSON_IsString(e) || strcmp(e->valuestring, v[i++]))
			return 0;
	return 1;
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
	if ((a == CF_OK) != (inc != NULL) || (b == CF_OK) != (j != NULL) ||
	    (b == CF_OK && a != CF_OK))
		abort();
	if (a == CF_OK && b == CF_OK) {
		const cJSON *w = cJSON_GetObjectItemCaseSensitive(j, "window");
		const cJSON *sus = cJSON_GetObjectItemCaseSensitive(j, "suspects");
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(j,
					"law_enforcement_delay_until");

		if (time_at(j, "discovered") != inc->discovered_us ||
		    time_at(w, "from") != inc->from_us || time_at(w, "to") != inc->to_us ||
		    inc->has_law_enforcement_delay != (d && !cJSON_IsNull(d)) ||
		    !same_list(sus, "actors", inc->actors, inc->nactors) ||
		    !same_list(sus, "ips", inc->ips, inc->nips) ||
		    !same_list(sus, "credentials", inc->credentials, inc->ncredentials))
			abort();
		if (inc->has_law_enforcement_delay && !cJSON_IsString(d))
			abort();
	}
	cf_incident_free(inc);
	cJSON_Delete(j);
	fuzz_file_done(path);
	return 0;
}
