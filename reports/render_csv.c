/* SPDX-License-Identifier: Apache-2.0
 *
 * The CSV files of the breach package (render.h): the affected
 * individuals, the successful accesses counted, the per-State counts and
 * the HHS portal fields.
 *
 * A privacy officer opens these in a spreadsheet, so every field that
 * comes from evidence goes through the core writer (cf_csv_field), which
 * quotes and neutralises formulas; lines end in CRLF as RFC 4180 says. The
 * appends are unchecked: the buffer's sticky error is checked once.
 */
#include "casefile/buf.h"
#include "casefile/csv.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "render_int.h"

#define get cf_rget
#define str cf_rstr

static int csv_done(struct cf_ctx *ctx, const struct cf_buf *out)
{
	return cf_buf_error(out) ? cf_set_nomem(ctx, "csv") : CF_OK;
}

int cf_report_csv_patients(struct cf_ctx *ctx, const cJSON *model, struct cf_buf *out)
{
	const cJSON *p;

	cf_buf_puts(out, "patient,state,has_contact,archive,member,line\r\n");
	cJSON_ArrayForEach(p, get(get(model, "affected"), "patients")) {
		const cJSON *c = cJSON_GetArrayItem(get(p, "evidence"), 0), *hc = get(p, "has_contact");

		cf_csv_field(out, str(p, "id"));
		cf_buf_putc(out, ',');
		cf_csv_field(out, str(p, "state"));
		cf_buf_puts(out, cJSON_IsTrue(hc) ? ",yes," : cJSON_IsFalse(hc) ? ",no," : ",unknown,");
		cf_csv_field(out, str(c, "archive"));
		cf_buf_putc(out, ',');
		cf_csv_field(out, str(c, "member"));
		cf_buf_printf(out, ",%lld\r\n", (long long)cf_json_int(c, "line", 0));
	}
	return csv_done(ctx, out);
}

int cf_report_csv_states(struct cf_ctx *ctx, const cJSON *model, struct cf_buf *out)
{
	const cJSON *s;

	cf_buf_puts(out, "state,count,media_notice\r\n");
	cJSON_ArrayForEach(s, get(get(model, "affected"), "by_state")) {
		cf_csv_field(out, str(s, "state"));
		cf_buf_printf(out, ",%lld,%s\r\n", (long long)cf_json_int(s, "count", 0),
			      cf_json_bool(s, "media_notice", 0) ? "yes" : "no");
	}
	return csv_done(ctx, out);
}

int cf_report_csv_portal(struct cf_ctx *ctx, const cJSON *model, struct cf_buf *out)
{
	const cJSON *f;

	cf_buf_puts(out, "field,value,to_confirm\r\n");
	cJSON_ArrayForEach(f, get(model, "hhs_portal")) {
		cf_csv_field(out, str(f, "field"));
		cf_buf_putc(out, ',');
		cf_csv_field(out, str(f, "value"));
		cf_buf_puts(out, cf_json_bool(f, "confirm", 0) ? ",yes\r\n" : ",no\r\n");
	}
	return csv_done(ctx, out);
}

int cf_report_csv_accesses(struct cf_ctx *ctx, const cJSON *model, struct cf_buf *out)
{
	static const char *const keys[] = {"ts", "actor", "src_ip", "action",
		"patient", "resource", NULL};
	const cJSON *a;

	cf_buf_puts(out, "time,actor,src_ip,action,patient,resource,archive,member,line\r\n");
	cJSON_ArrayForEach(a, get(get(model, "timeline"), "accesses")) {
		const cJSON *c = get(a, "cite");

		for (size_t i = 0; keys[i]; i++) {
			cf_csv_field(out, str(a, keys[i]));
			cf_buf_putc(out, ',');
		}
		cf_csv_field(out, str(c, "archive"));
		cf_buf_putc(out, ',');
		cf_csv_field(out, str(c, "member"));
		cf_buf_printf(out, ",%lld\r\n", (long long)cf_json_int(c, "line", 0));
	}
	return csv_done(ctx, out);
}
