/* SPDX-License-Identifier: Apache-2.0
 *
 * The tar headers of an evidence archive: nothing hidden between members.
 *
 * libarchive reads the headers between two members' data and keeps what it
 * understands: a global pax header ('g'), an unknown pax keyword, an
 * extended attribute other than casefile's digest, or data padding that is
 * not zero would pass unseen, outside every signature. So the bytes from
 * the end of one member's data to the start of the next one's are walked
 * here: the tar headers' chain (typeflag, size), the pax records of each
 * extended header, and the padding. They are read where they passed: the
 * slot tar holds, and a copy of what slots already handed back held
 * (cf_archive_int_capture(), at most CF_ARCHIVE_MAX_HEADER bytes). It lives
 * apart from the iterator (src/archive.c) because it is a parser of its
 * own, over bytes libarchive has already judged; it only reports (sets
 * a->hidden) and never fails the read: what is not at hand is not claimed.
 */
#include <archive.h>
#include <archive_entry.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/evidence.h"
#include "archive_int.h"

void cf_archive_int_capture(cf_archive *a)
{
	uint64_t start = a->fed - a->last_len, from = a->hdr_from + a->ncap;

	if (a->cap_over || from >= a->fed)
		return;
	if (from < start) { /* not seen: give up the walk, never guess */
		a->cap_over = 1;
		return;
	}
	if (!a->cap && !(a->cap = cf_malloc(CF_ARCHIVE_MAX_HEADER + 4096))) {
		a->cap_over = 1;
		return;
	}
	if (a->ncap + (a->fed - from) > CF_ARCHIVE_MAX_HEADER + 4096) {
		a->cap_over = 1;
		return;
	}
	memcpy(a->cap + a->ncap, a->last + (from - start), a->fed - from);
	a->ncap += a->fed - from;
}

/* Byte at tar offset off of the header region, or -1 when not at hand. */
static int hbyte(const cf_archive *a, uint64_t off)
{
	uint64_t start = a->fed - a->last_len;

	if (off < a->hdr_from)
		return -1;
	if (off - a->hdr_from < a->ncap)
		return a->cap[off - a->hdr_from];
	if (a->last && off >= start && off < a->fed)
		return a->last[off - start];
	return -1;
}

/* Copies n bytes at off into out; 0, or -1 when not at hand. */
static int hcopy(const cf_archive *a, uint64_t off, uint8_t *out, size_t n)
{
	uint64_t start = a->fed - a->last_len;

	/* the usual case: all of it in the slot tar holds */
	if (a->last && off >= start && off >= a->hdr_from + a->ncap &&
	    off + n <= a->fed) {
		memcpy(out, a->last + (off - start), n);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		int c = hbyte(a, off + i);
		if (c < 0)
			return -1;
		out[i] = (uint8_t)c;
	}
	return 0;
}

static int hidden_at(cf_archive *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int hidden_at(cf_archive *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->hidden, sizeof a->hidden, fmt, ap);
	va_end(ap);
	return 1;
}

/* The pax keywords an evidence archive may carry: what casefile's writer
 * and GNU tar's pax format write, all of them read and checked. */
static int known_keyword(const char *k, size_t n)
{
	static const char *const known[] = {
		"path", "linkpath", "size", "mtime", "atime", "ctime", "uid",
		"gid", "uname", "gname", "hdrcharset", CF_PAX_SHA256,
	};

	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strlen(known[i]) == n && !memcmp(known[i], k, n))
			return 1;
	return n > 11 && !memcmp(k, "GNU.sparse.", 11);
}

/* The records of a pax extended header of len bytes at off. */
static int walk_pax(cf_archive *a, uint64_t off, uint64_t len)
{
	uint8_t rec[512];
	uint64_t at = 0;

	while (at < len) {
		uint64_t rlen = 0;
		size_t i, digits = 0;
		int c;

		while ((c = hbyte(a, off + at + digits)) >= '0' && c <= '9' &&
		       digits < 8)
			rlen = rlen * 10 + (uint64_t)(c - '0'), digits++;
		if (c < 0)
			return 0;
		if (c != ' ' || rlen < digits + 2 || rlen > len - at)
			return 0; /* libarchive judges a malformed record */
		/* the keyword runs from after the space to '=' */
		size_t klen = 0, want = rlen - digits - 1;
		if (want > sizeof rec)
			want = sizeof rec;
		if (hcopy(a, off + at + digits + 1, rec, want) < 0)
			return 0;
		for (i = 0; i < want && rec[i] != '='; i++)
			;
		klen = i;
		if (klen == want || !known_keyword((const char *)rec, klen)) {
			for (i = 0; i < klen && i < 60; i++)
				if (rec[i] < 0x20 || rec[i] >= 0x7f)
					rec[i] = '?';
			return hidden_at(a, "its pax header has the keyword "
					 "'%.*s', which casefile never writes "
					 "and no signature covers",
					 (int)(klen < 60 ? klen : 60), rec);
		}
		at += rlen;
	}
	return 0;
}

/* Octal (or base-256) number field of a tar header. */
static uint64_t tar_num(const uint8_t *f, size_t n)
{
	uint64_t v = 0;

	if (f[0] & 0x80) {
		for (size_t i = 1; i < n; i++)
			v = v << 8 | f[i];
		return v;
	}
	while (n && *f == ' ')
		f++, n--;
	for (size_t i = 0; i < n && f[i] >= '0' && f[i] <= '7'; i++)
		v = v * 8 + (uint64_t)(f[i] - '0');
	return v;
}

/* Walks [pad_from, data_start): data padding, then the header chain. 1 with
 * a->hidden set when something there is hidden, 0 otherwise (also when a
 * part is not at hand: nothing is claimed then). */
int cf_archive_int_walk_headers(cf_archive *a, uint64_t pad_from,
				uint64_t data_start)
{
	uint64_t off = (pad_from + 511) & ~(uint64_t)511;
	uint8_t h[512];

	for (uint64_t i = pad_from; i < off && i < data_start; i++) {
		int c = hbyte(a, i);
		if (c < 0)
			return 0;
		if (c)
			return hidden_at(a, "non-zero bytes in the padding "
					 "after the data of the member before "
					 "it");
	}
	while (off + 512 <= data_start) {
		uint64_t size;

		if (hcopy(a, off, h, sizeof h) < 0)
			return 0;
		size = tar_num(h + 124, 12);
		if (h[156] == 'g')
			return hidden_at(a, "a global pax header ('g') comes "
					 "before it, which casefile never "
					 "writes and no signature covers");
		if (h[156] == 'x' && walk_pax(a, off + 512, size))
			return 1;
		if (h[156] != 'x' && h[156] != 'L' && h[156] != 'K')
			return 0; /* the member's own header */
		if (size > data_start)
			return 0;
		off += 512 + ((size + 511) & ~(uint64_t)511);
	}
	return 0;
}

/* ---- extended attributes ----------------------------------------------- */

void cf_archive_int_read_pax_digest(cf_archive *a, struct archive_entry *e)
{
	const char *name;
	const void *val;
	size_t len;

	a->pax_hex[0] = '\0';
	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &val, &len) ==
	       ARCHIVE_OK) {
		if (strcmp(name, CF_XATTR_SHA256)) {
			if (!a->hidden[0])
				hidden_at(a, "it carries the extended attribute "
					  "'%.60s', which casefile never "
					  "writes and no signature covers",
					  name);
			continue;
		}
		if (len == CF_SHA256_HEX - 1) {
			memcpy(a->pax_hex, val, len);
			a->pax_hex[len] = '\0';
		} else {
			/* present but malformed: hand out something that
			 * cannot match any digest */
			strcpy(a->pax_hex, "malformed");
		}
	}
}
