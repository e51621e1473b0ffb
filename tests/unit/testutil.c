/* SPDX-License-Identifier: Apache-2.0
 *
 * Shared helpers for the unit tests (see testutil.h). Compiled into every
 * unit test; the open() hook is only active in tests linked with
 * -Wl,--wrap=open, where calls to open() from the core land in
 * __wrap_open() below.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/core.h"
#include "testutil.h"

void tu_init(void)
{
	cf_core_init();
}

char *tu_tempdir(void)
{
	const char *t = getenv("TMPDIR");
	char *d = malloc(4096);

	assert_non_null(d);
	snprintf(d, 4096, "%s/casefile-unit.XXXXXX", t && *t ? t : "/tmp");
	assert_non_null(mkdtemp(d));
	return d;
}

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(p);
	return unlink(p);
}

void tu_rmtree(char *dir)
{
	if (!dir)
		return;
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

char *tu_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	assert_non_null(p);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

char *tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		size_t r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	assert_false(ferror(f));
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

void tu_write_file(const char *path, const void *p, size_t n, mode_t mode)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

int tu_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int tu_mode(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

int tu_count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

void tu_faults_off(void)
{
	for (int k = 0; k < CF_FAULT_KINDS; k++)
		cf_fault_set(k, 0, 0);
	tu_open_fail(0, 0);
}

int tu_memcheck(void)
{
	const char *m = getenv("CASEFILE_MEMCHECK");

	return m && *m && strcmp(m, "0");
}

/* ---- open() failure injection (-Wl,--wrap=open) ------------------------ */

static unsigned long open_target, open_calls;
static int open_err;

void tu_open_fail(unsigned long n, int err)
{
	open_target = n;
	open_calls = 0;
	open_err = err;
}

unsigned long tu_open_count(void)
{
	return open_calls;
}

/* Weak so that tests linked without --wrap=open still link (and never call
 * __wrap_open). */
int __real_open(const char *path, int flags, ...) __attribute__((weak));
int __wrap_open(const char *path, int flags, ...);

int __wrap_open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if (open_target && ++open_calls == open_target) {
		errno = open_err;
		return -1;
	}
	return __real_open(path, flags, mode);
}
