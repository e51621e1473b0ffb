/* SPDX-License-Identifier: Apache-2.0
 *
 * CSV members read line by line (dataset.c, roster.c): the runner hands a
 * parser one line at a time, libcsv wants a stream, and a row may run over
 * several lines (a quoted field with a newline). tl_csv feeds the lines to
 * libcsv, keeps where the current row started (line and byte offset, which
 * its rejects and events cite), and turns a line libcsv cannot parse into a
 * reject, starting again at the next line, so that one broken row never
 * swallows the rest of the member. The parser keeps its own columns.
 */
#ifndef CASEFILE_TIMELINE_CSV_ROWS_H
#define CASEFILE_TIMELINE_CSV_ROWS_H

#include <csv.h>
#include <stdint.h>

#include "tl.h"

/* The first member of the parser's state (r->state), so that the parser's
 * table can name tl_csv_line and tl_csv_end as its line and end hooks. */
struct tl_csv {
	struct csv_parser csv;
	const char *what;           /* the parser, first word of its rejects */
	/* libcsv's callbacks, given `arg`: a field, the end of a row */
	void (*field)(void *s, size_t n, void *arg);
	void (*row)(int term, void *arg);
	void *arg;                  /* the parser's state, holding this */
	struct tl_run *r;
	int header_done;            /* 0 while the first row (header) is read */
	int col;                    /* column of the next field of the row */
	uint64_t row_line, row_off; /* where the current row starts */
	uint64_t line, off;         /* the last line fed, and the byte after it */
	int rc;                     /* a sink's failure in `row`: kept */
};

/* For the parser's start: libcsv ready to call field and row with the
 * parser's state (r->state, starting with its struct tl_csv). CF_OK, or
 * out of memory (ctx set). */
int tl_csv_init(struct tl_run *r, const char *what,
		void (*field)(void *, size_t, void *), void (*row)(int, void *));
/* For the parser's free hook. */
void tl_csv_release(struct tl_csv *c);
/* The parser's line hook: feeds one line (and its newline). Returns
 * c->rc, or a line libcsv refused is a reject ("WHAT: libcsv's reason")
 * and its status. */
int tl_csv_line(struct tl_run *r, const char *s, size_t n, uint64_t ln,
		uint64_t off);
/* The parser's end hook: the last row, if it had no newline. c->rc. */
int tl_csv_end(struct tl_run *r);
/* For `row`: the current row is rejected ("WHAT: why", citing where the
 * row starts), unless a sink already failed; the status is kept in c->rc. */
void tl_csv_reject_row(struct tl_csv *c, const char *why);
/* For `row`, once done with a row: the next starts after the last line,
 * and the header is done. */
void tl_csv_row_done(struct tl_csv *c);

#endif
