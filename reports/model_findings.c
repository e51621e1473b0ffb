/* SPDX-License-Identifier: Apache-2.0
 *
 * The "findings" section of the breach report model: the detection
 * findings whose events named suspects of the incident (`--from-findings`,
 * the scope's "suspects_from_findings" of casefile/suspects.h), each with
 * its rule, level, count, the suspects it named and the first events of
 * its evidence (archive, member, line). report.json keeps every event the
 * scope recorded; the documents show the first ones.
 */
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "model_int.h"

#define SHOWN_EVENTS 5

/* "actor a, ip b, model m@v": what one finding named. */
static cJSON *named(const cJSON *f)
{
	static const char *const keys[][2] = {
		{"actors", "actor"}, {"ips", "ip"}, {"models", "model"},
	};
	struct cf_buf b;
	const cJSON *x;
	cJSON *s;

	cf_buf_init(&b);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		cJSON_ArrayForEach(x, obj_get(f, keys[i][0]))
			if (cJSON_IsString(x))
				cf_buf_printf(&b, "%s%s %s", b.len ? ", " : "",
					      keys[i][1], x->valuestring);
	s = cf_buf_error(&b) ? NULL : cJSON_CreateString(b.data ? b.data : "");
	cf_buf_release(&b);
	return s;
}

int cf_model_findings(struct build *b)
{
	const cJSON *src = obj_get(b->in->scope, "suspects_from_findings"), *f, *e;
	struct cf_jb jb = CF_JB_INIT;
	cJSON *sec = cf_jb_object(&jb, b->model, "findings");
	cJSON *rows = cf_jb_array(&jb, sec, "rows");

	cJSON_ArrayForEach(f, src) {
		cJSON *r = cf_jb_object(&jb, rows, NULL), *evs;
		int n = 0, total = cJSON_GetArraySize(obj_get(f, "events"));

		cf_jb_str(&jb, r, "rule_id", cf_json_str(f, "rule_id", ""));
		cf_jb_str(&jb, r, "title", cf_json_str(f, "title", ""));
		cf_jb_str(&jb, r, "level", cf_json_str(f, "level", ""));
		cf_jb_int(&jb, r, "count", cf_json_int(f, "count", 0));
		cf_jb_made(&jb, r, "named", jb.err ? NULL : named(f));
		cf_jb_int(&jb, r, "events_recorded", total);
		evs = cf_jb_array(&jb, r, "events");
		cJSON_ArrayForEach(e, obj_get(f, "events")) {
			if (n++ == SHOWN_EVENTS)
				break;
			cf_jb_made(&jb, evs, NULL, cJSON_Duplicate(e, 1));
		}
	}
	cf_jb_bool(&jb, sec, "used", cJSON_GetArraySize(rows) > 0);
	return jb.err ? cf_set_nomem(b->ctx, "report") : CF_OK;
}
