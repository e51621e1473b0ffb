/* SPDX-License-Identifier: Apache-2.0
 *
 * A JSON document read whole from a member's lines, for a parser that
 * declares a document callback (MLflow's lineage.json) or that finds one
 * (the JSON parser's pretty-printed documents). The line splitter
 * hands over lines without their end; the document is joined again with
 * the '\n' it took off and the '\r' before it, so that its bytes, and the
 * offsets the JSON parser finds in them, are the member's. Past TL_DOC_MAX
 * the bytes are dropped and the document becomes one reject at its first
 * line, as does one that cJSON refuses.
 */
#include "casefile/error.h"
#include "casefile/json.h"
#include "tl.h"

void tl_doc_init(struct tl_doc *d)
{
	*d = (struct tl_doc){.line = 1};
	cf_buf_init(&d->b);
	d->b.limit = TL_DOC_MAX;
}

void tl_doc_release(struct tl_doc *d)
{
	cf_buf_release(&d->b);
}

void tl_doc_line(struct tl_doc *d, const char *s, size_t n, uint64_t ln,
		 uint64_t off)
{
	if (!d->lines++) {
		d->line = ln;
		d->off = off;
	}
	if (d->too_big)
		return;
	/* the splitter took a '\r' off the line before (every line held
	 * ends with the '\n' put back below): put it back too */
	if (d->b.len && off == d->off + d->b.len + 1) {
		d->b.data[d->b.len - 1] = '\r';
		if (cf_buf_putc(&d->b, '\n'))
			goto too_big;
	}
	if (cf_buf_append(&d->b, s, n) || cf_buf_putc(&d->b, '\n'))
		goto too_big;
	return;
too_big:
	d->too_big = 1;
	cf_buf_release(&d->b);
}

int tl_doc_end(struct tl_run *r, const char *what,
	       int (*fn)(struct tl_run *r, const cJSON *o, const struct tl_doc *d))
{
	struct tl_doc *d = &r->doc;
	struct cf_ctx jctx;
	cJSON *o = NULL;
	int rc;

	cf_ctx_init(&jctx);
	if (d->too_big)
		rc = tl_reject(r, d->line, d->off, "%s larger than %u bytes", what,
			       TL_DOC_MAX);
	else if (cf_json_parse(&jctx, d->b.data ? d->b.data : "", d->b.len, &o) != CF_OK)
		rc = tl_reject(r, d->line, d->off, "invalid %s (%llu lines): %s",
			       what, (unsigned long long)d->lines, cf_errmsg(&jctx));
	else
		rc = fn(r, o, d);
	cJSON_Delete(o);
	tl_doc_release(d);
	tl_doc_init(d);
	return rc;
}
