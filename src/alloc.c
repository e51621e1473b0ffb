/* SPDX-License-Identifier: Apache-2.0
 *
 * Allocation and write/fsync wrappers with SQLite-style fault injection.
 *
 * A test sets "fail the Nth call" per kind; the wrappers count calls and fail
 * the chosen one (and every later one when sticky) with ENOMEM or EIO. The
 * binary reads CASEFILE_FAULT at start-up so that CLI tests can inject faults
 * into a whole run of collect, verify, seal or timeline build. Counting costs
 * one branch per call when no fault is armed.
 */
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "casefile/alloc.h"

/* The count is atomic: threads of a parallel run allocate too, and a lost
 * increment would make "the Nth call" mean different calls in two runs. */
static struct {
	unsigned long target;
	atomic_ulong count;
	int sticky;
} faults[CF_FAULT_KINDS];
static int counting, paused;
/* Allocations refused so far in this thread, injected or real. */
static _Thread_local unsigned long refused;

unsigned long cf_alloc_failures(void)
{
	return refused;
}

void cf_fault_set(enum cf_fault_kind kind, unsigned long n, int sticky)
{
	faults[kind].target = n;
	atomic_store(&faults[kind].count, 0);
	faults[kind].sticky = sticky;
}

unsigned long cf_fault_count(enum cf_fault_kind kind)
{
	return atomic_load(&faults[kind].count);
}

int cf_fault_armed(void)
{
	for (int k = 0; k < CF_FAULT_KINDS; k++)
		if (faults[k].target)
			return 1;
	return 0;
}

int cf_fault_counting(void)
{
	return counting;
}

void cf_fault_pause(int on)
{
	paused = on;
}

int cf_fault_hit(enum cf_fault_kind kind)
{
	unsigned long c;

	if (!faults[kind].target || paused)
		return 0;
	c = atomic_fetch_add(&faults[kind].count, 1) + 1;
	if (c == faults[kind].target)
		return 1;
	return faults[kind].sticky && c > faults[kind].target;
}

void cf_fault_from_env(void)
{
	static const char *const names[CF_FAULT_KINDS] = {"alloc", "write",
							  "fsync"};
	const char *s = getenv("CASEFILE_FAULT");

	if (s && !strcmp(s, "count")) {
		/* count every call, fail none */
		for (int k = 0; k < CF_FAULT_KINDS; k++)
			cf_fault_set(k, ULONG_MAX, 0);
		counting = 1;
		return;
	}
	while (s && *s) {
		for (int k = 0; k < CF_FAULT_KINDS; k++) {
			size_t l = strlen(names[k]);
			if (!strncmp(s, names[k], l) && s[l] == ':') {
				char *end;
				unsigned long n = strtoul(s + l + 1, &end, 10);
				cf_fault_set(k, n, *end == '+');
			}
		}
		s = strchr(s, ',');
		if (s)
			s++;
	}
}

static void *ossl_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return cf_malloc(n);
}

static void *ossl_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return cf_realloc(p, n);
}

static void ossl_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

int cf_fault_hook_openssl(void)
{
	return CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc, ossl_free)
		       ? 0
		       : -1;
}

void *cf_malloc(size_t n)
{
	void *p;

	if (cf_fault_hit(CF_FAULT_ALLOC)) {
		errno = ENOMEM;
		refused++;
		return NULL;
	}
	if (!(p = malloc(n ? n : 1)))
		refused++;
	return p;
}

void *cf_calloc(size_t n, size_t size)
{
	void *p;

	if (cf_fault_hit(CF_FAULT_ALLOC)) {
		errno = ENOMEM;
		refused++;
		return NULL;
	}
	if (!(p = calloc(n ? n : 1, size ? size : 1)))
		refused++;
	return p;
}

void *cf_realloc(void *p, size_t n)
{
	void *q;

	if (cf_fault_hit(CF_FAULT_ALLOC)) {
		errno = ENOMEM;
		refused++;
		return NULL;
	}
	if (!(q = realloc(p, n ? n : 1)))
		refused++;
	return q;
}

char *cf_strndup(const char *s, size_t n)
{
	size_t l = strnlen(s, n);
	char *d = cf_malloc(l + 1);

	if (d) {
		memcpy(d, s, l);
		d[l] = '\0';
	}
	return d;
}

char *cf_strdup(const char *s)
{
	return cf_strndup(s, strlen(s));
}

void cf_free_secret(void *p, size_t n)
{
	if (!p)
		return;
	OPENSSL_cleanse(p, n);
	free(p);
}

int cf_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	if (cf_fault_hit(CF_FAULT_WRITE)) {
		errno = EIO;
		return -1;
	}
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int cf_fsync(int fd)
{
	if (cf_fault_hit(CF_FAULT_FSYNC)) {
		errno = EIO;
		return -1;
	}
	return fsync(fd);
}
