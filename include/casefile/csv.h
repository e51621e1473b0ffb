/* SPDX-License-Identifier: Apache-2.0
 *
 * The one CSV writer of casefile: every CSV file or stream it writes
 * (`timeline query --format csv|l2tcsv`, the breach report's affected.csv,
 * states.csv and hhs-portal.csv) goes through it.
 *
 * Cell values come from evidence (actor names, log lines, patient ids) and
 * may be hostile. A spreadsheet that opens the file runs a cell starting
 * with '=', '+', '-', '@', TAB or CR as a formula ("CSV injection", OWASP),
 * also after leading spaces, which some importers trim. Such a cell is
 * neutralised as OWASP recommends: a single quote is put in front of it and
 * the field is quoted, so the spreadsheet shows the text and runs nothing.
 * The one exception is a cell that is entirely a plain decimal number
 * (-?[0-9]+(.[0-9]+)?, e.g. a negative score or offset) or a lone "-"
 * (l2tcsv's empty value): neither is a formula, and both stay as they are. Fields are quoted as RFC 4180 says (a field
 * holding a comma, a double quote, CR or LF is quoted, double quotes are
 * doubled); other fields are written bare.
 *
 * (Debian's libcsv writes fields too, but quotes every field and knows
 * nothing of formulas; this writer is small enough to own.)
 */
#ifndef CASEFILE_CSV_H
#define CASEFILE_CSV_H

#include <stddef.h>

struct cf_buf;

/* 1 when s (a whole cell) would be neutralised: its first character other
 * than a space is one of = + - @ TAB CR and it is neither a plain number
 * nor a lone "-". */
int cf_csv_is_formula(const char *s);
/* Appends one field (NULL is an empty field). 0, or -1 on no memory. */
int cf_csv_field(struct cf_buf *b, const char *s);
/* Appends n fields separated by commas, then eol ("\n" or "\r\n").
 * 0, or -1 on no memory. */
int cf_csv_row(struct cf_buf *b, const char *const *v, size_t n,
	       const char *eol);

#endif
