/* SPDX-License-Identifier: Apache-2.0
 *
 * The "counting" section of the breach report in HTML and Markdown: the
 * statements reports/model_counting.c wrote (who is counted, how they are
 * reached, discovery against the evidence), each with its rule, and the
 * patients a person must look at (phone-only, unreachable, deceased,
 * minors, unknown outcome). Values are escaped for each format here.
 */
#include "casefile/buf.h"
#include "casefile/error.h"
#include "escape.h"
#include "render_int.h"

#define get cf_rget

/* The patient lists worth a look, by their key in the counting blocks. */
static const struct {
	const char *block, *sub, *key, *label;
} lists[] = {
	{"to_confirm", NULL, "patients", "Outcome unknown (to confirm)"},
	{"reach", NULL, "phone_only_patients", "Phone only (no written notice)"},
	{"reach", NULL, "unreachable_patients", "No usable contact"},
	{"reach", "deceased", "patients", "Deceased (next of kin)"},
	{"reach", "minors", "patients", "Minors (parent or guardian)"},
};

static const cJSON *list_of(const cJSON *sec, size_t i)
{
	const cJSON *b = get(sec, lists[i].block);

	return get(lists[i].sub ? get(b, lists[i].sub) : b, lists[i].key);
}

static void ids(struct cf_buf *out, const cJSON *arr, cf_esc_fn esc)
{
	const cJSON *e;
	int n;

	/* a few in the body; every one in report.json */
	CF_REPORT_FOR_ROWS(e, arr, n) {
		if (n == CF_REPORT_BODY_PATIENTS)
			break;
		if (n)
			cf_buf_puts(out, ", ");
		esc(out, cJSON_IsString(e) ? e->valuestring : "");
	}
	if (cJSON_GetArraySize(arr) > n)
		cf_buf_printf(out, " and %d more (report.json)", cJSON_GetArraySize(arr) - n);
}

/* The statements, each with its rule, then the lists of patients to look
 * at: one list in either format. */
int cf_report_counting(const struct cf_render *r)
{
	const struct cf_report_markup *m = r->m;
	const cJSON *sec = get(r->model, "counting"), *s;

	cf_buf_puts(r->out, m->html ? "<ul>\n" : "");
	cJSON_ArrayForEach(s, get(sec, "statements")) {
		cf_esc_put(r->out, m->esc, s, m->item, "text", NULL);
		if (*cf_rstr(s, "rule"))
			cf_esc_put(r->out, m->esc, s, m->html ? " <span class=\"cite\">(" : " (",
				   "rule", m->html ? ")</span>" : ")", NULL);
		cf_buf_puts(r->out, m->item_end);
	}
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
		if (!cJSON_GetArraySize(list_of(sec, i)))
			continue;
		cf_buf_printf(r->out, "%s%s: ", m->item, lists[i].label);
		ids(r->out, list_of(sec, i), m->esc);
		cf_buf_puts(r->out, m->item_end);
	}
	cf_buf_puts(r->out, m->html ? "</ul>\n" : "");
	return CF_OK;
}
