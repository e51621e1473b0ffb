/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit test of the reader's typing (collect/reader.c, cf_reader_magic): it
 * makes one full libmagic pass per item and takes the rest from libmagic's
 * cheap checks; the MIME type and description it records must be exactly
 * what a full MIME pass and a full description pass give, as items.jsonl
 * recorded them before. Compared on every file of tests/fixtures (logs of
 * many formats, JSON, SQLite, archives, keys) and on made-up buffers that
 * a soft rule types (scripts, gzip, ELF, PDF, a CDF header), an empty one
 * and binary noise. The same answers must come back through the typing
 * slots, typed by the two typing threads at once (each with its own
 * libmagic handle, the CDF check only under a lock).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <magic.h>
#include <cmocka.h>

#include "casefile/error.h"
#include "collect/reader.h"

static magic_t full_mime, full_desc;
static cf_reader *rd;
static unsigned checked, soft_typed;

/* Expected answers kept for the pass through the slots. */
#define KEPT_MAX 2048
static struct kept {
	char path[512];
	char mime[128], desc[256];
} *kept;
static size_t nkept;

static magic_t cookie(int flags)
{
	size_t max = 64 * 1024;
	magic_t m = magic_open(flags | MAGIC_ERROR);

	assert_non_null(m);
	assert_int_equal(magic_load(m, NULL), 0);
	magic_setparam(m, MAGIC_PARAM_BYTES_MAX, &max);
	return m;
}

/* The reader's answer against the two full passes. */
static void same_as_two_passes(const char *what, const void *p, size_t n)
{
	struct cf_item it;
	char mime[128], desc[256];
	const char *s;

	if (n > 64 * 1024)
		n = 64 * 1024;
	s = magic_buffer(full_mime, p, n);
	snprintf(mime, sizeof mime, "%s", s ? s : "");
	s = magic_buffer(full_desc, p, n);
	snprintf(desc, sizeof desc, "%s", s ? s : "");
	memset(&it, 0, sizeof it);
	cf_reader_magic(rd, p, n, &it);
	if (strcmp(it.mime, mime) || strcmp(it.desc, desc))
		fail_msg("%s: reader says '%s' / '%s', libmagic '%s' / '%s'", what,
			 it.mime, it.desc, mime, desc);
	if (strcmp(mime, "text/plain") && strcmp(mime, "application/octet-stream"))
		soft_typed++;
	checked++;
	if (nkept < KEPT_MAX) {
		snprintf(kept[nkept].path, sizeof kept[nkept].path, "%s", what);
		memcpy(kept[nkept].mime, mime, sizeof mime);
		memcpy(kept[nkept].desc, desc, sizeof desc);
		nkept++;
	}
}

static int one_file(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	static unsigned char buf[64 * 1024];
	FILE *f;
	size_t n;

	(void)st;
	(void)ftw;
	if (flag != FTW_F)
		return 0;
	assert_non_null(f = fopen(path, "rb"));
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	same_as_two_passes(path, buf, n);
	return 0;
}

static void fixtures_type_as_before(void **state)
{
	(void)state;
	assert_int_equal(nftw(FIXTURE_DIR, one_file, 16, FTW_PHYS), 0);
	assert_true(checked > 300);
	/* both paths of the reader were taken */
	assert_true(soft_typed > 20);
}

static void le16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void le32(unsigned char *p, uint32_t v)
{
	le16(p, v & 0xffff);
	le16(p + 2, v >> 16);
}

/* A CDF (OLE2) file of three 512-byte sectors made from the layout in
 * [MS-CFB] 2.2 and 2.6: header, one FAT sector, one directory sector with
 * only the root entry. libmagic's CDF check reads it ("Composite Document
 * File V2 Document"); without that check soft magic says "OLE 2 Compound
 * Document", so a reader that skipped the check would differ. */
static void make_cdf(unsigned char b[1536])
{
	static const char root[] = "Root Entry";

	memset(b, 0, 1536);
	memcpy(b, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8);
	le16(b + 24, 0x3e);         /* minor version */
	le16(b + 26, 3);            /* major version: 512-byte sectors */
	le16(b + 28, 0xfffe);       /* byte order */
	le16(b + 30, 9);            /* sector shift */
	le16(b + 32, 6);            /* mini sector shift */
	le32(b + 44, 1);            /* FAT sectors */
	le32(b + 48, 1);            /* first directory sector */
	le32(b + 56, 4096);         /* mini stream cutoff */
	le32(b + 60, 0xfffffffe);   /* no mini FAT */
	le32(b + 68, 0xfffffffe);   /* no DIFAT sector */
	for (int i = 0; i < 109; i++)
		le32(b + 76 + 4 * i, i ? 0xffffffff : 0); /* FAT in sector 0 */
	for (int i = 0; i < 128; i++)
		le32(b + 512 + 4 * i, i == 0 ? 0xfffffffd : i == 1 ? 0xfffffffe : 0xffffffff);
	for (int i = 0; root[i]; i++)
		le16(b + 1024 + 2 * i, (unsigned char)root[i]);
	le16(b + 1024 + 64, sizeof root * 2);
	b[1024 + 66] = 5; /* root storage */
	b[1024 + 67] = 1; /* black */
	for (int e = 0; e < 4; e++)
		for (int k = 0; k < 3; k++) /* no siblings, no child */
			le32(b + 1024 + 128 * e + 68 + 4 * k, 0xffffffff);
	le32(b + 1024 + 116, 0xfffffffe); /* no stream */
}

static void made_up_buffers_type_as_before(void **state)
{
	static const char *const texts[] = {
		"#!/usr/bin/python3\nimport sys\nprint(sys.argv)\n",
		"#!/bin/sh\nset -e\necho hello\n",
		"#include <stdio.h>\nint main(void)\n{\n\treturn 0;\n}\n",
		"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
		"<?xml version=\"1.0\"?>\n<a><b/></a>\n",
		"Mar  1 14:02:03 host sshd[1]: Accepted publickey for u from 10.0.0.1\n",
		"{\"a\":1}\n{\"a\":2}\n",
		"a,b,c\n1,2,3\n4,5,6\n",
		"caf\xc3\xa9 au lait\n",
		"line\r\nline\r\n",
	};
	static const unsigned char gz[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3};
	static const unsigned char elf[64] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
	unsigned char noise[4096], cdf[1536];
	unsigned x = 12345;

	(void)state;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		same_as_two_passes(texts[i], texts[i], strlen(texts[i]));
	same_as_two_passes("gzip", gz, sizeof gz);
	same_as_two_passes("elf", elf, sizeof elf);
	same_as_two_passes("empty", "", 0);
	make_cdf(cdf);
	same_as_two_passes("cdf", cdf, sizeof cdf);
	assert_non_null(strstr(kept[nkept - 1].desc, "Composite Document File"));
	for (size_t i = 0; i < sizeof noise; i++)
		noise[i] = (unsigned char)((x = x * 1103515245 + 12345) >> 16);
	same_as_two_passes("noise", noise, sizeof noise);
}

/* Everything typed above again, through the slots: both typing threads
 * busy at once, answers taken in the order queued. */
static void slots_type_as_before(void **state)
{
	static unsigned char buf[64 * 1024];
	int slot[CF_TYPE_SLOTS];
	size_t head = 0, tail = 0;

	(void)state;
	assert_int_equal(cf_reader_typists(rd), CF_TYPISTS);
	assert_true(CF_TYPISTS >= 2);
	assert_true(nkept > 300);
	while (head < nkept) {
		char mime[128], desc[256];

		while (tail < nkept && tail - head < CF_TYPE_SLOTS) {
			size_t n = 0;
			const char *p = kept[tail].path;
			FILE *f = p[0] == '/' ? fopen(p, "rb") : NULL;

			if (f) {
				n = fread(buf, 1, sizeof buf, f);
				fclose(f);
			} else if (!strcmp(p, "cdf")) {
				make_cdf(buf);
				n = 1536;
			} else if (!strcmp(p, "empty")) {
				n = 0;
			} else {
				tail++; /* other made-up buffers: checked above */
				slot[(tail - 1) % CF_TYPE_SLOTS] = -2;
				continue;
			}
			slot[tail % CF_TYPE_SLOTS] = cf_reader_type_start(rd, buf, n);
			assert_true(slot[tail % CF_TYPE_SLOTS] >= 0);
			tail++;
		}
		if (slot[head % CF_TYPE_SLOTS] != -2) {
			cf_reader_type_wait(rd, slot[head % CF_TYPE_SLOTS], mime, desc);
			if (strcmp(mime, kept[head].mime) || strcmp(desc, kept[head].desc))
				fail_msg("%s: slot says '%s' / '%s', libmagic '%s' / '%s'",
					 kept[head].path, mime, desc, kept[head].mime,
					 kept[head].desc);
		}
		head++;
	}
}

static int setup(void **state)
{
	struct cf_ctx ctx;

	(void)state;
	cf_ctx_init(&ctx);
	full_mime = cookie(MAGIC_MIME_TYPE);
	full_desc = cookie(MAGIC_NONE);
	kept = calloc(KEPT_MAX, sizeof *kept);
	if (!kept)
		return -1;
	return cf_reader_new(&ctx, "/tmp", 1024, &rd) == CF_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	cf_reader_free(rd);
	magic_close(full_mime);
	magic_close(full_desc);
	free(kept);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fixtures_type_as_before),
		cmocka_unit_test(made_up_buffers_type_as_before),
		cmocka_unit_test(slots_type_as_before),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
