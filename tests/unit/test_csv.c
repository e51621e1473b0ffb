/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of the CSV writer (src/csv.c): RFC 4180 quoting, and every
 * cell a spreadsheet would run as a formula (first character, after any
 * leading spaces, one of = + - @ TAB CR) neutralised with a quote inside a
 * quoted field, while plain numbers (a negative score) and l2tcsv's "-"
 * stay as they are.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "casefile/buf.h"
#include "casefile/csv.h"

static void field_is(const char *in, const char *want)
{
	struct cf_buf b;

	cf_buf_init(&b);
	assert_int_equal(cf_csv_field(&b, in), 0);
	assert_string_equal(b.data ? b.data : "", want);
	cf_buf_release(&b);
}

static void plain_fields_stay_bare(void **state)
{
	(void)state;
	field_is(NULL, "");
	field_is("", "");
	field_is("plain", "plain");
	field_is("pract-0666", "pract-0666");
	field_is("a b", "a b");
	field_is("caf\xc3\xa9", "caf\xc3\xa9");
	field_is("x=1", "x=1");
	field_is("'quoted", "'quoted");
}

static void quoting_follows_rfc4180(void **state)
{
	(void)state;
	field_is("a,b", "\"a,b\"");
	field_is("say \"hi\"", "\"say \"\"hi\"\"\"");
	field_is("\"", "\"\"\"\"");
	field_is("two\nlines", "\"two\nlines\"");
	field_is("cr\rlf", "\"cr\rlf\"");
	field_is("a\r\nb", "\"a\r\nb\"");
}

static void every_formula_start_is_neutralised(void **state)
{
	(void)state;
	field_is("=HYPERLINK(\"http://x\",\"y\")",
		 "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
	field_is("=1+1", "\"'=1+1\"");
	field_is("+1+cmd|' /C calc'!A0", "\"'+1+cmd|' /C calc'!A0\"");
	field_is("-2+3", "\"'-2+3\"");
	field_is("@SUM(A1)", "\"'@SUM(A1)\"");
	field_is("\t=1", "\"'\t=1\"");
	field_is("\tx", "\"'\tx\"");
	field_is("\r=1", "\"'\r=1\"");
	field_is("\rx", "\"'\rx\"");
	/* after leading spaces, which some importers trim */
	field_is(" =1+1", "\"' =1+1\"");
	field_is("   @x", "\"'   @x\"");
	field_is("  -x", "\"'  -x\"");
	field_is("  \tx", "\"'  \tx\"");
	/* the quote of the neutralised cell goes inside the quotes */
	field_is("=A1,\"b\"", "\"'=A1,\"\"b\"\"\"");
	/* a space-only cell, or a danger later in the cell, is no formula */
	field_is("   ", "   ");
	field_is("a=1", "a=1");
	field_is("x -1", "x -1");
}

static void plain_numbers_are_not_formulas(void **state)
{
	(void)state;
	field_is("-3", "-3");
	field_is("-0.25", "-0.25");
	field_is("17", "17");
	field_is("0.87", "0.87");
	field_is("-", "-");
	field_is("--", "\"'--\"");
	/* but anything more than a plain number is */
	field_is("+3", "\"'+3\"");
	field_is("-3-1", "\"'-3-1\"");
	field_is("-3.", "\"'-3.\"");
	field_is("-.5", "\"'-.5\"");
	field_is("-1e5", "\"'-1e5\"");
	field_is(" -3", "\"' -3\"");
	field_is("-3 ", "\"'-3 \"");
	assert_int_equal(cf_csv_is_formula("-3"), 0);
	assert_int_equal(cf_csv_is_formula("-x"), 1);
	assert_int_equal(cf_csv_is_formula(NULL), 0);
}

static void rows_join_fields(void **state)
{
	const char *v[] = {"a", NULL, "=b", "c,d", "-1"};
	struct cf_buf b;

	(void)state;
	cf_buf_init(&b);
	assert_int_equal(cf_csv_row(&b, v, 5, "\r\n"), 0);
	assert_string_equal(b.data, "a,,\"'=b\",\"c,d\",-1\r\n");
	cf_buf_release(&b);
	cf_buf_init(&b);
	assert_int_equal(cf_csv_row(&b, v, 0, "\n"), 0);
	assert_string_equal(b.data, "\n");
	cf_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_fields_stay_bare),
		cmocka_unit_test(quoting_follows_rfc4180),
		cmocka_unit_test(every_formula_start_is_neutralised),
		cmocka_unit_test(plain_numbers_are_not_formulas),
		cmocka_unit_test(rows_join_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
