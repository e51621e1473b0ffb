/* SPDX-License-Identifier: Apache-2.0
 *
 * The CSV writer (include/casefile/csv.h): RFC 4180 quoting plus the OWASP
 * neutralisation of cells a spreadsheet would run as formulas. It only
 * appends to a buffer; the caller decides where the bytes go.
 */
#include <string.h>

#include "casefile/buf.h"
#include "casefile/csv.h"

/* -?[0-9]+(\.[0-9]+)? and nothing else, or a lone "-" (the empty
 * placeholder of plaso's l2tcsv): text no spreadsheet runs. */
static int plain_number(const char *s)
{
	if (!strcmp(s, "-"))
		return 1;
	size_t i = s[0] == '-', d;

	for (d = i; s[i] >= '0' && s[i] <= '9'; i++)
		;
	if (i == d)
		return 0;
	if (s[i] == '.') {
		for (d = ++i; s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	return s[i] == '\0';
}

int cf_csv_is_formula(const char *s)
{
	const char *p = s;

	if (!s)
		return 0;
	while (*p == ' ')
		p++;
	return *p && strchr("=+-@\t\r", *p) && !plain_number(s);
}

int cf_csv_field(struct cf_buf *b, const char *s)
{
	int guard, quote;

	if (!s)
		return 0;
	guard = cf_csv_is_formula(s);
	quote = guard || strpbrk(s, ",\"\r\n") != NULL;
	if (quote && cf_buf_putc(b, '"'))
		return -1;
	if (guard && cf_buf_putc(b, '\''))
		return -1;
	for (; *s; s++)
		if ((*s == '"' && cf_buf_putc(b, '"')) || cf_buf_putc(b, *s))
			return -1;
	return quote ? cf_buf_putc(b, '"') : 0;
}

int cf_csv_row(struct cf_buf *b, const char *const *v, size_t n,
	       const char *eol)
{
	for (size_t i = 0; i < n; i++)
		if ((i && cf_buf_putc(b, ',')) || cf_csv_field(b, v[i]))
			return -1;
	return cf_buf_puts(b, eol) < 0 ? -1 : 0;
}
