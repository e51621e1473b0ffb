/* SPDX-License-Identifier: Apache-2.0
 *
 * Shared helpers for the cmocka unit tests: scratch folders, reading and
 * writing whole files, and file-mode checks.
 *
 * Every test that touches the file system works in its own folder made by
 * tu_tempdir() under $TMPDIR and removed by tu_rmtree(), so tests can run in
 * parallel and never write into the source tree. Helpers abort the test (via
 * cmocka's assertions) on set-up failures, so callers stay straight-line.
 */
#ifndef CASEFILE_TESTUTIL_H
#define CASEFILE_TESTUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Sets up the core once (allocator hooks, no fault armed). */
void tu_init(void);
/* A fresh folder "$TMPDIR/casefile-unit.XXXXXX"; heap string. */
char *tu_tempdir(void);
/* Removes a folder and everything under it, then frees the string. */
void tu_rmtree(char *dir);
/* dir + "/" + name into a heap string. */
char *tu_path(const char *dir, const char *name);
/* Whole file into a NUL-terminated heap buffer (NULL if unreadable);
 * *len (may be NULL) gets its length. */
char *tu_read_file(const char *path, size_t *len);
/* Creates or truncates path with mode (exact, umask ignored). */
void tu_write_file(const char *path, const void *p, size_t n, mode_t mode);
/* 1 when path exists (lstat). */
int tu_exists(const char *path);
/* Permission bits of path, or -1. */
int tu_mode(const char *path);
/* Number of entries in dir (without . and ..). */
int tu_count_entries(const char *dir);
/* Disarms every fault kind and the open() hook (for teardowns). */
void tu_faults_off(void);
/* 1 when the environment asks for a quick run (under valgrind). */
int tu_memcheck(void);

/* Hooks for tests linked with -Wl,--wrap=open: makes the nth open() call
 * from the core (1-based, counted from now) fail with errno err; 0 disarms.
 * tu_open_count() is the number of calls since arming. */
void tu_open_fail(unsigned long n, int err);
unsigned long tu_open_count(void);

#endif
