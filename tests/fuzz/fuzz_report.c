/* SPDX-License-Identifier: Apache-2.0
 *
 * Fuzz target for the breach report built from a scope file: the scope
 * (`timeline scope --json`) travels from the responder to the privacy
 * officer as a file, and `report breach --scope` reads whatever it holds.
 * Each input is a scope; the report model is built against a fixed
 * incident, and every renderer runs on it. Any failure must come with a
 * message, and the HTML, which a browser opens, must hold no script and
 * no javascript: link whatever the scope's strings are: values are
 * escaped, never markup.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/core.h"
#include "casefile/datadir.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "fuzz_file.h"
#include "model.h"
#include "render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char incident_yaml[] =
	"id: INC-2026-014\n"
	"title: Stolen clinician credentials used for bulk FHIR export\n"
	"covered_entity:\n"
	"  name: Example Health\n"
	"  type: provider\n"
	"  contact: {phone: \"1-800-555-0100\", email: privacy@example.org}\n"
	"discovered: 2026-03-04T09:30:00Z\n"
	"window: {from: 2026-03-01T00:00:00Z, to: 2026-03-04T09:30:00Z}\n"
	"suspects: {actors: [pract-0666], models: [sepsis-risk@7]}\n"
	"law_enforcement_delay_until: null\n";

static cJSON *incident;
static char *tpl[3];

static char *read_template(const char *name)
{
	struct cf_ctx ctx;
	struct cf_buf b;
	char *path;

	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	if (!(path = cf_data_file(&ctx, "templates", name)) ||
	    cf_buf_read_file(&ctx, &b, path, 1u << 20) != CF_OK)
		abort();
	free(path);
	return cf_buf_detach(&b);
}

static void set_up(void)
{
	static const char *const names[3] = {CF_TPL_SUMMARY, CF_TPL_NOTICE, CF_TPL_MEDIA};
	struct cf_ctx ctx;
	char path[64];

	cf_core_init();
	cf_ctx_init(&ctx);
	if (fuzz_file((const uint8_t *)incident_yaml, sizeof incident_yaml - 1, path) ||
	    cf_report_incident_load(&ctx, path, &incident) != CF_OK)
		abort();
	fuzz_file_done(path);
	for (int i = 0; i < 3; i++)
		tpl[i] = read_template(names[i]);
}

/* A renderer's result: a message on failure; for HTML, no markup from the
 * scope. */
static void check(int rc, const struct cf_ctx *ctx, const struct cf_buf *b, int html)
{
	if (rc != CF_OK) {
		if (!ctx->msg[0])
			abort();
		return;
	}
	if (html && b->data && (strcasestr(b->data, "<script") ||
				strcasestr(b->data, "href=\"javascript:")))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_report_templates t;
	struct cf_report_input in = {0};
	struct cf_ctx ctx;
	struct cf_buf b;
	cJSON *scope = NULL, *model = NULL;

	if (!incident)
		set_up();
	cf_ctx_init(&ctx);
	if (cf_json_parse(&ctx, (const char *)data, size, &scope) != CF_OK)
		return 0;
	in.incident = incident;
	in.scope = scope;
	in.scope_name = "scope.json";
	in.generated_at = 1772616600000000LL;
	t.summary = tpl[0];
	t.notice = tpl[1];
	t.media = tpl[2];
	if (cf_report_build(&ctx, &in, &model) != CF_OK) {
		if (!ctx.msg[0] || model)
			abort();
		cJSON_Delete(scope);
		return 0;
	}
	cf_buf_init(&b);
	cf_ctx_init(&ctx);
	check(cf_report_html(&ctx, model, &t, &b), &ctx, &b, 1);
	cf_buf_reset(&b);
	cf_ctx_init(&ctx);
	check(cf_report_md(&ctx, model, &t, &b), &ctx, &b, 0);
	cf_buf_reset(&b);
	cf_ctx_init(&ctx);
	check(cf_report_narrative(&ctx, model, CF_TPL_NOTICE, t.notice, &b), &ctx, &b, 0);
	cf_buf_reset(&b);
	cf_ctx_init(&ctx);
	check(cf_report_csv_patients(&ctx, model, &b), &ctx, &b, 0);
	cf_buf_reset(&b);
	cf_ctx_init(&ctx);
	check(cf_report_csv_states(&ctx, model, &b), &ctx, &b, 0);
	cf_buf_reset(&b);
	cf_ctx_init(&ctx);
	check(cf_report_csv_portal(&ctx, model, &b), &ctx, &b, 0);
	cf_buf_release(&b);
	cJSON_Delete(model);
	cJSON_Delete(scope);
	return 0;
}
