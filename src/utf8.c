/* SPDX-License-Identifier: Apache-2.0
 *
 * UTF-8 validation and the reversible escape of names that are not UTF-8
 * (see include/casefile/utf8.h). glibc's iconv does the decoding, so the
 * rules (no overlong forms, no surrogates, nothing above U+10FFFF) are
 * those of the C library rather than a hand-written table. The target is
 * UTF-32: glibc's UTF-8 to UTF-8 conversion lets code points beyond
 * U+10FFFF through. ASCII, which is almost every name and line, is passed
 * over without calling iconv.
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/utf8.h"

long cf_utf8_invalid(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && !((unsigned char)s[i] & 0x80))
		i++;
	if (i == n)
		return -1;

	iconv_t cd = iconv_open("UTF-32LE", "UTF-8");
	char out[4096], *in = (char *)s + i;
	size_t left = n - i;
	long bad = -1;

	if (cd == (iconv_t)-1)
		return (long)i; /* no converter: treat the text as not proven valid */
	while (left) {
		char *o = out;
		size_t olen = sizeof out;
		if (iconv(cd, &in, &left, &o, &olen) == (size_t)-1 && errno != E2BIG) {
			bad = (long)(in - s);
			break;
		}
	}
	iconv_close(cd);
	return bad;
}

char *cf_utf8_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s), i = 0;
	struct cf_buf b;

	cf_buf_init(&b);
	while (i <= n) {
		long bad = cf_utf8_invalid(s + i, n - i);
		size_t end = bad < 0 ? n : i + (size_t)bad;
		for (; i < end; i++) {
			int r = s[i] == '%' ? cf_buf_puts(&b, "%25") : cf_buf_putc(&b, s[i]);
			if (r < 0)
				goto nomem;
		}
		if (i == n)
			break;
		char x[4] = {'%', hex[(unsigned char)s[i] >> 4], hex[(unsigned char)s[i] & 15], 0};
		if (cf_buf_puts(&b, x) < 0)
			goto nomem;
		i++;
	}
	return cf_buf_detach(&b);
nomem:
	cf_buf_release(&b);
	return NULL;
}

char *cf_utf8_safe(char *out, const char *s, size_t max, int keep_lines)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strnlen(s, max), i = 0, o = 0;

	/* a cut inside a character moves back to its start */
	for (int back = 0; p[n] && n > 0 && (p[n] & 0xc0) == 0x80 && back < 3; back++)
		n--;
	while (i < n) {
		long bad = cf_utf8_invalid(s + i, n - i);
		size_t end = bad < 0 ? n : i + (size_t)bad;
		while (i < end) {
			size_t k = 1;
			int ctl = (p[i] < 0x20 && !(keep_lines && (p[i] == '\n' || p[i] == '\t'))) ||
				  p[i] == 0x7f;
			if (p[i] == 0xc2 && i + 1 < end && p[i + 1] <= 0x9f)
				ctl = 1, k = 2;
			else if (p[i] >= 0xc0)
				while (i + k < end && (p[i + k] & 0xc0) == 0x80)
					k++;
			for (size_t j = 0; j < k; j++) {
				if (ctl)
					o += (size_t)sprintf(out + o, "\\x%02x", p[i + j]);
				else
					out[o++] = (char)p[i + j];
			}
			i += k;
		}
		if (i < n) /* a byte that is not UTF-8 */
			o += (size_t)sprintf(out + o, "\\x%02x", p[i++]);
	}
	out[o] = '\0';
	return out;
}
