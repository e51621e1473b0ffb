/* SPDX-License-Identifier: Apache-2.0
 *
 * UTF-8 checks for bytes that come from a host: file names, log text.
 *
 * A Linux file name is any run of bytes, but JSON strings, pax path
 * records and member names are UTF-8. Names that are not stay recoverable:
 * cf_utf8_escape writes every byte that is not part of a valid UTF-8
 * sequence, and every '%', as "%XX", so the original bytes can be read back
 * from the escaped form and never two different names share one.
 * cf_utf8_safe makes text from evidence safe to show on a terminal.
 */
#ifndef CASEFILE_UTF8_H
#define CASEFILE_UTF8_H

#include <stddef.h>

/* Length (1 to 4) of the well-formed UTF-8 character at s[0..n), or 0 when
 * there is none: a stray or truncated sequence, an overlong form, a
 * surrogate (U+D800 to U+DFFF) or a code point above U+10FFFF. NUL is a
 * character (length 1). */
size_t cf_utf8_char(const char *s, size_t n);
/* Offset of the first byte of s[0..n) that is not part of a valid UTF-8
 * sequence (cf_utf8_char), or -1 when all of it is valid (NUL is valid
 * UTF-8: callers that refuse it check for it). */
long cf_utf8_invalid(const char *s, size_t n);
/* 1 when s[0..n) is valid UTF-8 with no control character but tab (no C0,
 * DEL or C1 U+0080 to U+009F): text that shows exactly what its bytes say. */
int cf_utf8_printable(const char *s, size_t n);
/* A heap copy of the NUL-terminated s with '%' and every invalid byte
 * written as "%XX" (upper-case hex); NULL on no memory. */
char *cf_utf8_escape(const char *s);
/* For a terminal: copies whole characters of s, at most max bytes of it,
 * into out (room for 4 * max + 1 bytes), writing control characters (C0,
 * DEL, and C1 U+0080 to U+009F, which some terminals obey as escape
 * sequences) and bytes that are not UTF-8 as "\xNN". With keep_lines,
 * newline and tab stay as they are. Returns out. */
char *cf_utf8_safe(char *out, const char *s, size_t max, int keep_lines);

#endif
