/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of reports/escape.c and of escaping in the rendered HTML and
 * SVG: a patient id or actor of "<script>" must come out as text in every
 * format, and the template filler must refuse unknown placeholders.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <cmark.h>

#include "casefile/buf.h"
#include "casefile/error.h"
#include "escape.h"
#include "render.h"

static char *esc(cf_esc_fn fn, const char *s)
{
	struct cf_buf b;

	cf_buf_init(&b);
	assert_int_equal(fn(&b, s), 0);
	return cf_buf_detach(&b);
}

static void html_escapes_markup(void **state)
{
	char *s = esc(cf_esc_html, "<script>alert(\"x\")&'</script>\x01");

	(void)state;
	assert_string_equal(s, "&lt;script&gt;alert(&quot;x&quot;)&amp;&#39;&lt;/script&gt;\xef\xbf\xbd");
	free(s);
}

static void md_escape_survives_cmark(void **state)
{
	const char *hostile[] = {"<script>alert(1)</script>", "[x](javascript:alert(1))",
				 "# heading", "1. item", "`code`", "*em* _em_",
				 "&lt;", "<img src=x onerror=alert(1)>", "a|b", NULL};

	(void)state;
	for (int i = 0; hostile[i]; i++) {
		struct cf_buf b, want;
		char *md = esc(cf_esc_md, hostile[i]), *html;

		html = cmark_markdown_to_html(md, strlen(md), CMARK_OPT_DEFAULT);
		cf_buf_init(&b);
		cf_buf_init(&want);
		/* the value renders as exactly one paragraph of escaped text */
		assert_int_equal(cf_buf_puts(&want, "<p>"), 0);
		assert_int_equal(cf_esc_html(&want, hostile[i]), 0);
		assert_int_equal(cf_buf_puts(&want, "</p>\n"), 0);
		/* cmark escapes ' and " differently; compare on the markup chars */
		assert_null(strstr(html, "<script"));
		assert_null(strstr(html, "<img"));
		assert_null(strstr(html, "<a "));
		assert_null(strstr(html, "<h1"));
		assert_null(strstr(html, "<ol"));
		assert_null(strstr(html, "<code"));
		assert_null(strstr(html, "<em"));
		assert_int_equal(strncmp(html, "<p>", 3), 0);
		free(md);
		free(html);
		cf_buf_release(&b);
		cf_buf_release(&want);
	}
}

static void template_fills_and_escapes(void **state)
{
	cJSON *v = cJSON_Parse("{\"a\":\"<b>\",\"n\":5,\"o\":{\"k\":\"x&y\"},\"z\":null}");
	struct cf_ctx ctx;
	struct cf_buf b;

	(void)state;
	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	assert_int_equal(cf_tpl_fill(&ctx, &b, "t", "A {{a}} {{ n }} {{o.k}}[{{z}}]", v,
				     cf_esc_html), CF_OK);
	assert_string_equal(b.data, "A &lt;b&gt; 5 x&amp;y[]");
	cf_buf_reset(&b);
	assert_int_not_equal(cf_tpl_fill(&ctx, &b, "t.md", "x\n{{missing}}", v, cf_esc_html), CF_OK);
	assert_non_null(strstr(cf_errmsg(&ctx), "t.md:2"));
	assert_non_null(strstr(cf_errmsg(&ctx), "missing"));
	assert_int_not_equal(cf_tpl_fill(&ctx, &b, "t", "{{a", v, cf_esc_html), CF_OK);
	cf_buf_release(&b);
	cJSON_Delete(v);
}

/* A model with a hostile patient and actor renders escaped in the HTML
 * tables and in the SVG chart. */
/* Table cells of counts: a number is written, not left blank (the
 * patient-safety cohort table printed empty cells for its counts). */
static void put_writes_numbers(void **state)
{
	cJSON *o = cJSON_Parse("{\"model\":\"sepsis<7>\",\"patients\":328,"
			       "\"score\":0.25,\"flag\":true}");
	struct cf_buf b;

	(void)state;
	cf_buf_init(&b);
	assert_int_equal(cf_esc_put(&b, cf_esc_html, o, "<td>", "model", "</td><td>",
				    "patients", "</td><td>", "score", "</td><td>", "flag",
				    "</td><td>", "absent", "</td>", NULL), 0);
	cf_buf_putc(&b, '\0');
	assert_string_equal(b.data, "<td>sepsis&lt;7&gt;</td><td>328</td><td>0.25</td>"
			    "<td></td><td></td>");
	cf_buf_release(&b);
	cJSON_Delete(o);
}

static void hostile_ids_escaped_in_html_and_svg(void **state)
{
	const char *model_text =
		"{\"incident\":{\"id\":\"<i>\",\"covered_entity\":{\"name\":\"E\"},"
		"\"window\":{\"from\":\"2026-03-01T00:00:00Z\",\"to\":\"2026-03-02T00:00:00Z\"},"
		"\"discovered\":\"2026-03-02T00:00:00Z\"},"
		"\"affected\":{\"count\":{\"value\":1,\"cites\":[]},\"by_state\":[],"
		"\"patients\":[{\"id\":\"<script>alert(1)</script>\",\"state\":\"MA\",\"has_contact\":true,\"evidence\":[]}]},"
		"\"timeline\":{\"accesses_by_actor\":{\"<svg onload=x>\":1},\"accesses\":[{\"ts\":"
		"\"2026-03-01T10:00:00.000000Z\",\"actor\":\"<svg onload=x>\",\"patient\":\"<script>alert(1)</script>\","
		"\"cite\":{\"archive\":\"\\\"><script>\",\"member\":\"m\",\"line\":1}}]}}";
	const struct cf_report_templates t = {"S {{incident_id}}", "N {{entity_name}}", "M"};
	cJSON *m = cJSON_Parse(model_text);
	struct cf_ctx ctx;
	struct cf_buf b;

	(void)state;
	assert_non_null(m);
	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	assert_int_equal(cf_report_svg(&ctx, m, &b), CF_OK);
	assert_non_null(strstr(b.data, "<svg xmlns"));
	assert_non_null(strstr(b.data, "&lt;svg onload=x&gt;"));
	assert_null(strstr(b.data, "<svg onload"));
	cf_buf_reset(&b);
	assert_int_equal(cf_report_html(&ctx, m, &t, &b), CF_OK);
	assert_null(strstr(b.data, "<script"));
	assert_null(strstr(b.data, "<svg onload"));
	assert_null(strstr(b.data, "<i>"));
	assert_non_null(strstr(b.data, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(b.data, "title=\"archive &quot;&gt;&lt;script&gt;"));
	cf_buf_release(&b);
	cJSON_Delete(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(html_escapes_markup),
		cmocka_unit_test(md_escape_survives_cmark),
		cmocka_unit_test(template_fills_and_escapes),
		cmocka_unit_test(hostile_ids_escaped_in_html_and_svg),
		cmocka_unit_test(put_writes_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
