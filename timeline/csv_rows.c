/* SPDX-License-Identifier: Apache-2.0
 *
 * CSV members fed to libcsv line by line, for the parsers of CSV files
 * (dataset.c, roster.c): see csv_rows.h. It only tracks positions and
 * recovers from a bad line; what a row means is the parser's.
 */
#include "casefile/error.h"
#include "csv_rows.h"

int tl_csv_init(struct tl_run *r, const char *what,
		void (*field)(void *, size_t, void *), void (*row)(int, void *))
{
	struct tl_csv *c = r->state;

	if (csv_init(&c->csv, CSV_APPEND_NULL) != 0)
		return cf_set_nomem(r->ctx, what);
	c->what = what;
	c->field = field;
	c->row = row;
	c->arg = c;
	c->r = r;
	return CF_OK;
}

void tl_csv_release(struct tl_csv *c)
{
	csv_free(&c->csv);
}

int tl_csv_line(struct tl_run *r, const char *s, size_t n, uint64_t ln,
		uint64_t off)
{
	struct tl_csv *c = r->state;

	if (c->row_line == 0) {
		c->row_line = ln;
		c->row_off = off;
	}
	c->line = ln;
	c->off = off + n + 1;
	if (csv_parse(&c->csv, s, n, c->field, c->row, c->arg) != n ||
	    csv_parse(&c->csv, "\n", 1, c->field, c->row, c->arg) != 1) {
		int rc = tl_reject(r, ln, off, "%s: %s", c->what,
				   csv_strerror(csv_error(&c->csv)));
		/* start again at the next line */
		csv_free(&c->csv);
		if (csv_init(&c->csv, CSV_APPEND_NULL) != 0)
			return cf_set_nomem(r->ctx, c->what);
		c->col = 0;
		c->row_line = 0;
		return rc;
	}
	return c->rc;
}

int tl_csv_end(struct tl_run *r)
{
	struct tl_csv *c = r->state;

	csv_fini(&c->csv, c->field, c->row, c->arg);
	return c->rc;
}

void tl_csv_reject_row(struct tl_csv *c, const char *why)
{
	if (!c->rc)
		c->rc = tl_reject(c->r, c->row_line, c->row_off, "%s: %s", c->what, why);
}

void tl_csv_row_done(struct tl_csv *c)
{
	c->header_done = 1;
	c->col = 0;
	c->row_line = c->line + 1;
	c->row_off = c->off;
}
