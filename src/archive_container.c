/* SPDX-License-Identifier: Apache-2.0
 *
 * The compressed container of an evidence archive: nothing hidden.
 *
 * Everything that SHA256SUMS covers is in the tar stream; bytes of the file
 * outside it would ride along unsigned. libarchive decodes without minding
 * them (gzip's extra field and comment, a second gzip member, zstd's
 * skippable frames, bytes after the last frame), so the compressed bytes
 * pass through this walker on their way to libarchive. It reads only the
 * containers' framing (RFC 1952 headers, RFC 8878 frame and block headers;
 * the gzip deflate stream is inflated to a scratch buffer with zlib to find
 * where it ends) and refuses, with kind "hidden-data" or "trailing-data",
 * anything that is not one gzip member without FEXTRA/FCOMMENT, or zstd
 * frames only.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "archive_container.h"

enum {
	T_START, T_NONE,
	G_HDR, G_NAME, G_HCRC, G_DEFLATE, G_TRAILER, G_END,
	Z_MAGIC, Z_FHD, Z_BLK,
};

#define ZSTD_MAGIC 0xFD2FB528u
#define GZ_FNAME_MAX 1024

static int tap_fail(struct tap *t, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int tap_fail(struct tap *t, const char *kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->why, sizeof t->why, fmt, ap);
	va_end(ap);
	t->kind = kind;
	return -1;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* A header field of t->need bytes is in t->acc: act on it. */
static int tap_step(struct tap *t)
{
	const uint8_t *b = t->acc;
	uint32_t v;

	switch (t->state) {
	case T_START:
		if (b[0] == 0x1f && b[1] == 0x8b) {
			t->state = G_HDR;
			t->need = 10; /* keeps the 4 bytes read */
			return 0;
		}
		if ((le32(b) & 0xFFFFFFF0u) == 0x184D2A50u)
			return tap_fail(t, "hidden-data",
					"the archive starts with a zstd skippable "
					"frame, which no signature covers");
		t->nacc = 0;
		if (le32(b) == ZSTD_MAGIC) {
			t->state = Z_FHD;
			t->need = 1;
		} else {
			t->state = T_NONE;
		}
		return 0;
	case G_HDR:
		t->nacc = 0;
		if (b[2] != 8 || (b[3] & 0xE0))
			return tap_fail(t, "decompression-error",
					"a gzip header with an unknown method or "
					"flags");
		if (b[3] & 0x04)
			return tap_fail(t, "hidden-data",
					"the gzip header has an extra field "
					"(FEXTRA), which no signature covers");
		if (b[3] & 0x10)
			return tap_fail(t, "hidden-data",
					"the gzip header has a comment (FCOMMENT), "
					"which no signature covers");
		t->gzflags = b[3];
		t->namelen = 0;
		t->state = t->gzflags & 0x08 ? G_NAME
			   : t->gzflags & 0x02 ? G_HCRC : G_DEFLATE;
		t->need = t->state == G_HCRC ? 2 : 0;
		return 0;
	case G_HCRC:
		t->nacc = 0;
		t->state = G_DEFLATE;
		return 0;
	case G_TRAILER:
		t->nacc = 0;
		t->state = G_END;
		return 0;
	case Z_FHD: {
		static const int did_len[4] = {0, 1, 2, 4};
		static const int fcs_len[4] = {0, 2, 4, 8};
		int single = (b[0] >> 5) & 1, fcs = b[0] >> 6;

		t->nacc = 0;
		if (b[0] & 0x08)
			return tap_fail(t, "decompression-error",
					"a zstd frame header with the reserved bit "
					"set");
		t->zsum = (b[0] >> 2) & 1;
		t->skip = (uint64_t)(!single) + (uint64_t)did_len[b[0] & 3] +
			  (uint64_t)(fcs == 0 ? single : fcs_len[fcs]);
		t->state = Z_BLK;
		t->need = 3;
		return 0;
	}
	case Z_BLK:
		t->nacc = 0;
		v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16;
		if (((v >> 1) & 3) == 3)
			return tap_fail(t, "decompression-error",
					"a zstd block of the reserved type");
		t->skip = ((v >> 1) & 3) == 1 ? 1 : v >> 3;
		if (v & 1) { /* the frame's last block */
			t->skip += t->zsum ? 4 : 0;
			t->frames++;
			t->state = Z_MAGIC;
			t->need = 4;
		}
		return 0;
	case Z_MAGIC:
		t->nacc = 0;
		v = le32(b);
		if (v == ZSTD_MAGIC) {
			t->state = Z_FHD;
			t->need = 1;
			return 0;
		}
		if ((v & 0xFFFFFFF0u) == 0x184D2A50u)
			return tap_fail(t, "hidden-data",
					"a zstd skippable frame after frame %d, "
					"which no signature covers",
					t->frames);
		return tap_fail(t, "trailing-data",
				"bytes after the end of the zstd stream (at "
				"compressed byte %llu)",
				(unsigned long long)(t->total - 4));
	}
	return 0;
}

/* The deflate stream of a gzip member, inflated to nowhere: consumes what
 * it can of p and says how much. -1 on a corrupt stream. */
static long tap_inflate(struct tap *t, const uint8_t *p, size_t n)
{
	uint8_t out[16384];
	int r;

	if (!t->zinit) {
		memset(&t->z, 0, sizeof t->z);
		if (inflateInit2(&t->z, -15) != Z_OK)
			return tap_fail(t, "decompression-error",
					"cannot start zlib");
		t->zinit = 1;
	}
	t->z.next_in = (Bytef *)p;
	t->z.avail_in = (uInt)n;
	do {
		t->z.next_out = out;
		t->z.avail_out = sizeof out;
		r = inflate(&t->z, Z_NO_FLUSH);
	} while (r == Z_OK && t->z.avail_in);
	if (r == Z_STREAM_END) {
		t->state = G_TRAILER;
		t->need = 8;
	} else if (r != Z_OK && r != Z_BUF_ERROR) {
		return tap_fail(t, "decompression-error", "gzip data: %s",
				t->z.msg ? t->z.msg : "corrupt");
	}
	return (long)(n - t->z.avail_in);
}

int cf_tap_feed(struct tap *t, const uint8_t *p, size_t n, int eof)
{
	t->total += n;
	while (n) {
		size_t k;

		if (t->kind)
			return -1;
		if (t->skip) {
			k = n < t->skip ? n : (size_t)t->skip;
			t->skip -= k;
		} else if (t->state == T_NONE) {
			k = n;
		} else if (t->state == G_END) {
			return tap_fail(t, "hidden-data",
					"bytes after the gzip member (a second "
					"member or trailing data), which no "
					"signature covers");
		} else if (t->state == G_DEFLATE) {
			long got = tap_inflate(t, p, n);
			if (got < 0)
				return -1;
			k = (size_t)got;
		} else if (t->state == G_NAME) {
			const uint8_t *z = memchr(p, 0, n);
			k = z ? (size_t)(z - p) + 1 : n;
			if ((t->namelen += k) > GZ_FNAME_MAX)
				return tap_fail(t, "hidden-data",
						"the gzip header's file name is "
						"longer than %d bytes",
						GZ_FNAME_MAX);
			if (z) {
				t->state = t->gzflags & 0x02 ? G_HCRC
							     : G_DEFLATE;
				t->need = t->state == G_HCRC ? 2 : 0;
			}
		} else {
			k = t->need - t->nacc < n ? t->need - t->nacc : n;
			memcpy(t->acc + t->nacc, p, k);
			t->nacc += k;
			if (t->nacc == t->need && tap_step(t) < 0)
				return -1;
		}
		p += k;
		n -= k;
	}
	if (!eof)
		return 0;
	if (t->kind)
		return -1;
	switch (t->state) {
	case T_START:
	case T_NONE:
	case G_END:
		return 0;
	case Z_MAGIC:
		if (!t->nacc && !t->skip)
			return 0;
		break;
	}
	return tap_fail(t, "truncated",
			"the compressed stream ends inside a %s",
			t->state >= Z_MAGIC ? "zstd frame" : "gzip member");
}


void cf_tap_init(struct tap *t)
{
	t->need = 4; /* the magic number tells the container */
}

void cf_tap_release(struct tap *t)
{
	if (t->zinit)
		inflateEnd(&t->z);
	t->zinit = 0;
}
