/* SPDX-License-Identifier: Apache-2.0
 *
 * UTF-8 validation and the reversible escape of names that are not UTF-8
 * (see include/casefile/utf8.h). This is the one decoder of the program:
 * member names, JSON and YAML text, proof lines and timeline fields are all
 * checked here, so that one rule holds everywhere: RFC 3629's well-formed
 * sequences only, which refuses overlong forms (C0 AF for '/'), the UTF-16
 * surrogates U+D800 to U+DFFF and anything above U+10FFFF. ASCII, which is
 * almost every name and line, costs one comparison a byte.
 */
#include <stdio.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/utf8.h"

size_t cf_utf8_char(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned c = n ? p[0] : 0, cp;
	size_t len;

	if (!n)
		return 0;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) /* 0xc0 and 0xc1 only start overlong forms */
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4) /* F5 and up start beyond U+10FFFF */
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

long cf_utf8_invalid(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		if (!((unsigned char)s[i] & 0x80)) {
			i++;
			continue;
		}
		if (!(k = cf_utf8_char(s + i, n - i)))
			return (long)i;
		i += k;
	}
	return -1;
}

int cf_utf8_printable(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f ||
		    (p[i] == 0xc2 && i + 1 < n && p[i + 1] <= 0x9f) ||
		    !(k = cf_utf8_char(s + i, n - i)))
			return 0;
		i += k;
	}
	return 1;
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
