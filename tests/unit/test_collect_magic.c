/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit test of the reader's typing (collect/reader.c, cf_reader_magic): it
 * makes one full libmagic pass per item and takes the rest from libmagic's
 * cheap checks; the MIME type and description it records must be exactly
 * what a full MIME pass and a full description pass give, as items.jsonl
 * recorded them before. Compared on every file of tests/fixtures (logs of
 * many formats, JSON, SQLite, archives, keys) and on made-up buffers that
 * a soft rule types (scripts, gzip, ELF, PDF), an empty one and binary
 * noise.
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
	unsigned char noise[4096];
	unsigned x = 12345;

	(void)state;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		same_as_two_passes(texts[i], texts[i], strlen(texts[i]));
	same_as_two_passes("gzip", gz, sizeof gz);
	same_as_two_passes("elf", elf, sizeof elf);
	same_as_two_passes("empty", "", 0);
	for (size_t i = 0; i < sizeof noise; i++)
		noise[i] = (unsigned char)((x = x * 1103515245 + 12345) >> 16);
	same_as_two_passes("noise", noise, sizeof noise);
}

static int setup(void **state)
{
	struct cf_ctx ctx;

	(void)state;
	cf_ctx_init(&ctx);
	full_mime = cookie(MAGIC_MIME_TYPE);
	full_desc = cookie(MAGIC_NONE);
	return cf_reader_new(&ctx, "/tmp", 1024, &rd) == CF_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	cf_reader_free(rd);
	magic_close(full_mime);
	magic_close(full_desc);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fixtures_type_as_before),
		cmocka_unit_test(made_up_buffers_type_as_before),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
