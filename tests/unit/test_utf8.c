/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the UTF-8 check and the escape of names that are not
 * UTF-8 (src/utf8.c). A host's file names are bytes; collect stores the
 * escaped form as the member name and in items.jsonl, so the escape must be
 * exact (only invalid bytes and '%' change) and reversible, and the member
 * names it gives must never let two different host names meet unnoticed
 * (a property test over every short name of a hostile alphabet).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "casefile/utf8.h"
#include "testutil.h"

static void test_invalid_offsets(void **state)
{
	(void)state;
	assert_int_equal(cf_utf8_invalid("", 0), -1);
	assert_int_equal(cf_utf8_invalid("plain ascii", 11), -1);
	assert_int_equal(cf_utf8_invalid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92", 14), -1);
	assert_int_equal(cf_utf8_invalid("ab\xff", 3), 2);
	assert_int_equal(cf_utf8_invalid("\x80", 1), 0);
	/* a sequence cut off at the end of the text */
	assert_int_equal(cf_utf8_invalid("abc\xe2\x82", 5), 3);
	/* overlong encodings, surrogates and code points beyond U+10FFFF */
	assert_int_equal(cf_utf8_invalid("x\xc0\xaf", 3), 1);
	assert_int_equal(cf_utf8_invalid("\xed\xa0\x80", 3), 0);
	assert_int_equal(cf_utf8_invalid("\xf4\x90\x80\x80", 4), 0);
	/* the length is honoured, not the NUL */
	assert_int_equal(cf_utf8_invalid("a\0\xff", 2), -1);
	assert_int_equal(cf_utf8_invalid("a\0\xff", 3), 2);
	/* an invalid byte far into a long text */
	char *big = malloc(20001);
	assert_non_null(big);
	for (int i = 0; i < 10000; i++)
		memcpy(big + 2 * i, "\xc3\xa9", 2);
	big[20000] = '\xfe';
	assert_int_equal(cf_utf8_invalid(big, 20001), 20000);
	free(big);
}

/* One character at a time: the boundaries of RFC 3629's table. */
static void test_char(void **state)
{
	(void)state;
	assert_int_equal(cf_utf8_char("", 0), 0);
	assert_int_equal(cf_utf8_char("a", 1), 1);
	assert_int_equal(cf_utf8_char("\0", 1), 1);
	assert_int_equal(cf_utf8_char("\x7f", 1), 1);
	assert_int_equal(cf_utf8_char("\xc2\x80", 2), 2);         /* U+0080 */
	assert_int_equal(cf_utf8_char("\xdf\xbf", 2), 2);         /* U+07FF */
	assert_int_equal(cf_utf8_char("\xe0\xa0\x80", 3), 3);     /* U+0800 */
	assert_int_equal(cf_utf8_char("\xed\x9f\xbf", 3), 3);     /* U+D7FF */
	assert_int_equal(cf_utf8_char("\xee\x80\x80", 3), 3);     /* U+E000 */
	assert_int_equal(cf_utf8_char("\xef\xbf\xbf", 3), 3);     /* U+FFFF */
	assert_int_equal(cf_utf8_char("\xf0\x90\x80\x80", 4), 4); /* U+10000 */
	assert_int_equal(cf_utf8_char("\xf4\x8f\xbf\xbf", 4), 4); /* U+10FFFF */
	/* overlong forms of '/', U+07FF and U+FFFF */
	assert_int_equal(cf_utf8_char("\xc0\xaf", 2), 0);
	assert_int_equal(cf_utf8_char("\xc1\xbf", 2), 0);
	assert_int_equal(cf_utf8_char("\xe0\x80\xaf", 3), 0);
	assert_int_equal(cf_utf8_char("\xe0\x9f\xbf", 3), 0);
	assert_int_equal(cf_utf8_char("\xf0\x80\x80\xaf", 4), 0);
	assert_int_equal(cf_utf8_char("\xf0\x8f\xbf\xbf", 4), 0);
	/* surrogates */
	assert_int_equal(cf_utf8_char("\xed\xa0\x80", 3), 0);     /* U+D800 */
	assert_int_equal(cf_utf8_char("\xed\xbf\xbf", 3), 0);     /* U+DFFF */
	/* beyond U+10FFFF, and the bytes that can only start it */
	assert_int_equal(cf_utf8_char("\xf4\x90\x80\x80", 4), 0);
	assert_int_equal(cf_utf8_char("\xf5\x80\x80\x80", 4), 0);
	assert_int_equal(cf_utf8_char("\xf7\xbf\xbf\xbf", 4), 0);
	assert_int_equal(cf_utf8_char("\xf8\x88\x80\x80\x80", 5), 0);
	assert_int_equal(cf_utf8_char("\xff", 1), 0);
	/* stray continuation, cut or interrupted sequences */
	assert_int_equal(cf_utf8_char("\x80", 1), 0);
	assert_int_equal(cf_utf8_char("\xe2\x82\xac", 2), 0);
	assert_int_equal(cf_utf8_char("\xe2\x82(", 3), 0);
	/* cf_utf8_invalid follows the same rule */
	assert_int_equal(cf_utf8_invalid("ok \xe0\x80\xaf", 6), 3);
	assert_int_equal(cf_utf8_invalid("ok \xf0\x80\x80\xaf", 7), 3);
	assert_int_equal(cf_utf8_invalid("ok \xed\xbf\xbf", 6), 3);
	assert_int_equal(cf_utf8_invalid("ok \xf5\x80\x80\x80", 7), 3);
}

/* Text a person reads as it is: UTF-8, no control character but tab. */
static void test_printable(void **state)
{
	(void)state;
	assert_true(cf_utf8_printable("", 0));
	assert_true(cf_utf8_printable("a\tb caf\xc3\xa9 \xf0\x9f\x94\x92", 14));
	assert_true(cf_utf8_printable("\xc2\xa0", 2)); /* U+00A0 is not C1 */
	assert_false(cf_utf8_printable("a\nb", 3));
	assert_false(cf_utf8_printable("a\0b", 3));
	assert_false(cf_utf8_printable("\x1b[2J", 4));
	assert_false(cf_utf8_printable("\x7f", 1));
	assert_false(cf_utf8_printable("\xc2\x9b" "2J", 4)); /* C1 CSI */
	assert_false(cf_utf8_printable("x\xc0\xaf", 3));
	assert_false(cf_utf8_printable("\xed\xa0\x80", 3));
	assert_false(cf_utf8_printable("\xf4\x90\x80\x80", 4));
	assert_false(cf_utf8_printable("\xe2\x82", 2));
}

static void escaped(const char *in, const char *want)
{
	char *out = cf_utf8_escape(in);

	assert_non_null(out);
	assert_string_equal(out, want);
	assert_int_equal(cf_utf8_invalid(out, strlen(out)), -1);
	free(out);
}

/* Undoes the escape: "%XX" back to the byte. */
static char *unescape(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	assert_non_null(out);
	while (*s) {
		if (*s == '%') {
			char h[3] = {s[1], s[2], 0};
			*o++ = (char)strtoul(h, NULL, 16);
			s += 3;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

static void test_escape(void **state)
{
	(void)state;
	escaped("", "");
	escaped("/var/log/x\xff.log", "/var/log/x%FF.log");
	escaped("50%\xfe", "50%25%FE");
	escaped("caf\xc3\xa9\xc3", "caf\xc3\xa9%C3");
	escaped("\xc3(", "%C3(");
	escaped("\xe2\x82\xac\x80\xe2\x82\xac", "\xe2\x82\xac%80\xe2\x82\xac");
	escaped("\xc0\xaf", "%C0%AF");

	const char *names[] = {"a%b\xff", "%%%\x80", "\xff\xfe/\xc3\xa9%"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char *e = cf_utf8_escape(names[i]), *back;
		assert_non_null(e);
		back = unescape(e);
		assert_string_equal(back, names[i]);
		free(back);
		free(e);
	}
}

/* The member name collect gives a host name: the name itself when it is
 * UTF-8, else its escape (collect/items.c, member_for). */
static char *member(const char *name)
{
	return cf_utf8_invalid(name, strlen(name)) < 0 ? strdup(name) : cf_utf8_escape(name);
}

struct named {
	char name[8];
	char *m;
};

static int by_member(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->m, ((const struct named *)b)->m);
}

/* Every name of up to 4 bytes over an alphabet built to collide ('%', hex
 * digits, stray and lead bytes, a whole two-byte character): the escape is
 * valid UTF-8 and reads back to the name; no two names that are not UTF-8
 * share a member name; and where a UTF-8 name meets another's escape, it
 * holds a '%', which is what collect checks (name-taken: the first keeps
 * the name, the other is hashed and recorded, never stored under it). */
static void test_member_names_never_meet(void **state)
{
	static const char alpha[] = {'a', '%', '2', '5', 'F', '\xff', '\xc3', '\xa9'};
	const size_t k = sizeof alpha, max = 4;
	size_t n = 0, cap = 1, meets = 0;
	struct named *v;

	(void)state;
	for (size_t i = 0, p = 1; i < max; i++)
		cap += p *= k;
	v = calloc(cap, sizeof *v);
	assert_non_null(v);
	for (size_t len = 0, p = 1; len <= max; len++, p *= k) {
		for (size_t x = 0; x < p; x++, n++) {
			char *back;
			for (size_t i = 0, y = x; i < len; i++, y /= k)
				v[n].name[i] = alpha[y % k];
			assert_non_null(v[n].m = member(v[n].name));
			assert_true(cf_utf8_invalid(v[n].m, strlen(v[n].m)) < 0);
			if (cf_utf8_invalid(v[n].name, len) >= 0) {
				back = unescape(v[n].m);
				assert_string_equal(back, v[n].name);
				free(back);
			}
		}
	}
	assert_int_equal(n, cap);
	qsort(v, n, sizeof *v, by_member);
	for (size_t i = 1; i < n; i++) {
		const char *a = v[i - 1].name, *b = v[i].name;
		int va = cf_utf8_invalid(a, strlen(a)) < 0, vb = cf_utf8_invalid(b, strlen(b)) < 0;
		if (strcmp(v[i - 1].m, v[i].m))
			continue;
		meets++;
		/* never two escaped names, never two UTF-8 names */
		assert_true(va != vb);
		assert_non_null(strchr(v[i].m, '%'));
		assert_non_null(strchr(va ? a : b, '%'));
	}
	assert_true(meets > 0); /* "%FF" and "\xff" do meet: the check is needed */
	for (size_t i = 0; i < n; i++)
		free(v[i].m);
	free(v);
}

static void safe(const char *in, size_t max, int keep, const char *want)
{
	char out[4 * 64 + 1];

	assert_true(max <= 64);
	assert_string_equal(cf_utf8_safe(out, in, max, keep), want);
}

static void test_safe(void **state)
{
	(void)state;
	safe("plain", 64, 0, "plain");
	safe("clear\x1b[2J now", 64, 0, "clear\\x1b[2J now");
	safe("csi \xc2\x9b" "31m", 64, 0, "csi \\xc2\\x9b31m");
	safe("del\x7f", 64, 0, "del\\x7f");
	safe("raw \xff\x9b", 64, 0, "raw \\xff\\x9b");
	safe("caf\xc3\xa9 \xc2\xa0nbsp", 64, 0, "caf\xc3\xa9 \xc2\xa0nbsp");
	safe("two\nlines\tand tab", 64, 0, "two\\x0alines\\x09and tab");
	safe("two\nlines\tand tab", 64, 1, "two\nlines\tand tab");
	/* the cut never splits a character */
	safe("ab\xe2\x82\xac", 4, 0, "ab");
	safe("ab\xe2\x82\xac", 5, 0, "ab\xe2\x82\xac");
	safe("abcdef", 3, 0, "abc");
	/* the worst case fills 4 bytes a byte */
	safe("\x01\x02\x03", 3, 0, "\\x01\\x02\\x03");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invalid_offsets),
		cmocka_unit_test(test_char),
		cmocka_unit_test(test_printable),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_member_names_never_meet),
		cmocka_unit_test(test_safe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
