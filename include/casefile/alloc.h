/* SPDX-License-Identifier: Apache-2.0
 *
 * Allocation and I/O wrappers with fault injection.
 *
 * All core allocations go through cf_malloc() and friends so that a test (or
 * the CASEFILE_FAULT environment variable, read once by cf_fault_from_env())
 * can make the Nth allocation, write or fsync fail, as SQLite's test harness
 * does. OpenSSL's allocator is routed through the same counter by
 * cf_fault_hook_openssl(), and SQLite's allocator and file writes and syncs
 * by cf_fault_hook_sqlite() when a fault is armed.
 * libarchive, libmagic and libfyaml allocate on their own and are not
 * counted. Nothing here prints or aborts: a failure returns NULL or -1 with
 * errno set, and the callers turn it into an error path.
 *
 * CASEFILE_FAULT=count fails nothing and counts every call, so that a test
 * can learn how many there are in a run and then fail each one in turn.
 */
#ifndef CASEFILE_ALLOC_H
#define CASEFILE_ALLOC_H

#include <stddef.h>
#include <sys/types.h>

enum cf_fault_kind {
	CF_FAULT_ALLOC = 0, /* cf_malloc/calloc/realloc/strdup and OpenSSL's */
	CF_FAULT_WRITE,     /* cf_write_all() */
	CF_FAULT_FSYNC,     /* cf_fsync() */
	CF_FAULT_KINDS
};

/* Makes the nth call (1-based, counted from now) of that kind fail, and every
 * later one when `sticky`. n = 0 disables injection for that kind. */
void cf_fault_set(enum cf_fault_kind kind, unsigned long n, int sticky);
/* How many calls of that kind were made since the last cf_fault_set(). */
unsigned long cf_fault_count(enum cf_fault_kind kind);
/* Reads CASEFILE_FAULT="alloc:N[,write:N][,fsync:N]" (N+ for N and every
 * later call) or "count" once; ignores junk. */
void cf_fault_from_env(void);
/* 1 when injection or counting is armed for some kind. */
int cf_fault_armed(void);
/* While on, calls are neither counted nor failed: for one-time library
 * start-up that is not casefile's to test (see cf_core_init()). */
void cf_fault_pause(int on);
/* 1 when CASEFILE_FAULT=count asked for counting only. */
int cf_fault_counting(void);
/* Counts one call of that kind; 1 when it must fail. For wrappers around
 * other libraries' allocators and I/O. */
int cf_fault_hit(enum cf_fault_kind kind);
/* Routes OpenSSL's allocations through the counter. Call before any other
 * OpenSSL call; returns 0 on success. */
int cf_fault_hook_openssl(void);
/* Routes SQLite's allocations, and the writes and syncs of every SQLite file
 * opened after it, through the counter (a VFS over the default one). Call
 * before SQLite is first used, and only when cf_fault_armed(): it costs a
 * header per allocation. Returns 0 on success. */
int cf_fault_hook_sqlite(void);

/* How many allocations were refused in this thread so far (injected or
 * real), counting those made through cf_malloc() for OpenSSL and cJSON.
 * A library call that fails while this number moves failed for lack of
 * memory, not because of its input: a parse error, a signature that does
 * not verify. */
unsigned long cf_alloc_failures(void);

void *cf_malloc(size_t n);
void *cf_calloc(size_t n, size_t size);
void *cf_realloc(void *p, size_t n);
char *cf_strdup(const char *s);
char *cf_strndup(const char *s, size_t n);
/* Frees after wiping n bytes (secrets, PHI). NULL is a no-op. */
void cf_free_secret(void *p, size_t n);

/* write(2) until all is written, retrying EINTR. 0 or -1 with errno. */
int cf_write_all(int fd, const void *buf, size_t len);
/* fsync(2) through the fault counter. */
int cf_fsync(int fd);

#endif
