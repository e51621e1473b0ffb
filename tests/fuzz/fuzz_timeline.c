/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the timeline parsers: arbitrary bytes through the
 * parser tl_detect() chooses (or, by the first byte, any one parser), with
 * a sink that checks every string is valid UTF-8 and every attribute set is
 * a JSON object, as the store requires. Nothing is written anywhere.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/error.h"
#include "../../timeline/tl.h"

static int on_event(void *arg, const struct cf_event *e)
{
	const char *f[] = {e->source, e->host, e->actor, e->action, e->outcome,
			   e->patient, e->resource, e->src_ip, e->model,
			   e->model_version, e->decision, e->message, e->attrs};
	(void)arg;
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		if (f[i] && !tl_utf8_ok(f[i], strlen(f[i])))
			abort();
	if (e->attrs) {
		cJSON *j = cJSON_Parse(e->attrs);
		if (!cJSON_IsObject(j))
			abort();
		cJSON_Delete(j);
	}
	return 0;
}

static int on_reject(void *arg, const struct cf_reject *r)
{
	(void)arg;
	if (!r->reason || !tl_utf8_ok(r->reason, strlen(r->reason)))
		abort();
	return 0;
}

static int on_patient(void *arg, const struct cf_patient *p)
{
	(void)arg;
	if (!p->id)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct tl_parser *const all[] = {
		&tl_syslog, &tl_auditd, &tl_access_log, &tl_apache_error, &tl_json,
		&tl_items, &tl_collector_log, &tl_mlflow_lineage, &tl_roster};
	const struct tl_parser *p;
	struct tl_meta m = {.archive = "00", .member = "evidence/x",
			    .ref_us = 1772323200000000LL, .tz_known = 1};
	struct tl_sink s = {on_event, on_reject, on_patient, NULL};
	struct tl_run r;
	struct cf_ctx ctx;

	if (!size)
		return 0;
	if (data[0] < sizeof all / sizeof all[0]) {
		p = all[data[0]];
		data++;
		size--;
	} else if (!(p = tl_detect("evidence/x", NULL, NULL, data, size))) {
		return 0;
	}
	cf_ctx_init(&ctx);
	if (tl_run_init(&r, p, &m, &s, &ctx) != CF_OK)
		return 0;
	tl_run_buffer(&r, data, size);
	tl_run_release(&r);
	return 0;
}
