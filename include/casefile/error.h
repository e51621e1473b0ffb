/* SPDX-License-Identifier: Apache-2.0
 *
 * Error context and graded return codes shared by the whole core.
 *
 * Every core function returns one of the CF_* codes below and, on failure,
 * leaves a human-readable message (with the errno text when there is one) on
 * a struct cf_ctx that the caller owns. The core never prints and never
 * exits: only the command layer turns a context into a message on stderr and
 * an exit status. The grading follows libarchive: OK, EOF, WARN (the job went
 * on but something must be reported), FAILED (this operation failed, the
 * caller may go on with the next one) and FATAL (the handle is unusable).
 */
#ifndef CASEFILE_ERROR_H
#define CASEFILE_ERROR_H

#include <stddef.h>

enum {
	CF_OK = 0,
	CF_EOF = 1,
	CF_WARN = -20,
	CF_FAILED = -25,
	CF_TAMPERED = -26, /* ctx->code only (functions return CF_FAILED): the
			      failure is an evidence check (exit status 1) */
	CF_FATAL = -30,
};

/* Process exit statuses, SPEC section 0. */
enum {
	CF_EXIT_OK = 0,       /* success, evidence intact */
	CF_EXIT_EVIDENCE = 1, /* an evidence check failed */
	CF_EXIT_USAGE = 2,    /* usage error */
	CF_EXIT_RUNTIME = 3,  /* cannot read/write, out of memory, bad input */
};

#define CF_ERRMSG_MAX 1024

struct cf_ctx {
	int err;                  /* errno of the last failure, or 0 */
	int code;                 /* CF_* code of the last failure */
	char msg[CF_ERRMSG_MAX];  /* last message, "" when none */
};

/* Clears the context. */
void cf_ctx_init(struct cf_ctx *ctx);

/* Records a failure: formats the message and, when err != 0, appends
 * ": strerror(err)". Returns CF_FAILED so callers can `return cf_set_error()`. */
int cf_set_error(struct cf_ctx *ctx, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Same as cf_set_error() but records CF_TAMPERED: what failed is an
 * evidence check (a forged or foreign entry, a replaced file), so that the
 * command exits 1, not 3. Returns CF_FAILED. */
int cf_set_tampered(struct cf_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Same as cf_set_error() but returns and records CF_FATAL. */
int cf_set_fatal(struct cf_ctx *ctx, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records out-of-memory while doing `what`; returns CF_FATAL. */
int cf_set_nomem(struct cf_ctx *ctx, const char *what);

/* Prefixes the current message with "prefix: " (for adding a file name or
 * a line number as the error travels up). Returns the recorded code. */
int cf_error_prefix(struct cf_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The last message; never NULL. */
const char *cf_errmsg(const struct cf_ctx *ctx);

#endif
