/* SPDX-License-Identifier: Apache-2.0
 *
 * Error context: the one place where core failures are described.
 *
 * Messages are formatted into a fixed buffer inside the caller's context so
 * that reporting an error never needs memory (out-of-memory must itself be
 * reportable). Messages that do not fit are truncated with "...".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "casefile/error.h"

void cf_ctx_init(struct cf_ctx *ctx)
{
	ctx->err = 0;
	ctx->code = CF_OK;
	ctx->msg[0] = '\0';
}

static void mark_truncated(struct cf_ctx *ctx, int n)
{
	if (n >= (int)sizeof ctx->msg)
		memcpy(ctx->msg + sizeof ctx->msg - 4, "...", 4);
}

static int vset(struct cf_ctx *ctx, int code, int err, const char *fmt,
		va_list ap) __attribute__((format(printf, 4, 0)));

static int vset(struct cf_ctx *ctx, int code, int err, const char *fmt,
		va_list ap)
{
	int n;

	if (!ctx)
		return code;
	ctx->err = err;
	ctx->code = code;
	n = vsnprintf(ctx->msg, sizeof ctx->msg, fmt, ap);
	if (n < 0) {
		ctx->msg[0] = '\0';
		n = 0;
	}
	if (err && n < (int)sizeof ctx->msg)
		n += snprintf(ctx->msg + n, sizeof ctx->msg - n, ": %s",
			      strerror(err));
	mark_truncated(ctx, n);
	return code;
}

int cf_set_error(struct cf_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vset(ctx, CF_FAILED, err, fmt, ap);
	va_end(ap);
	return r;
}

int cf_set_tampered(struct cf_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(ctx, CF_TAMPERED, 0, fmt, ap);
	va_end(ap);
	return CF_FAILED;
}

int cf_set_fatal(struct cf_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vset(ctx, CF_FATAL, err, fmt, ap);
	va_end(ap);
	return r;
}

int cf_set_nomem(struct cf_ctx *ctx, const char *what)
{
	return cf_set_fatal(ctx, ENOMEM, "%s", what);
}

int cf_error_prefix(struct cf_ctx *ctx, const char *fmt, ...)
{
	char old[CF_ERRMSG_MAX];
	va_list ap;
	int n;

	if (!ctx)
		return CF_FAILED;
	memcpy(old, ctx->msg, sizeof old);
	va_start(ap, fmt);
	n = vsnprintf(ctx->msg, sizeof ctx->msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (n < (int)sizeof ctx->msg)
		n += snprintf(ctx->msg + n, sizeof ctx->msg - n, ": %s", old);
	mark_truncated(ctx, n);
	if (ctx->code == CF_OK)
		ctx->code = CF_FAILED;
	return ctx->code;
}

const char *cf_errmsg(const struct cf_ctx *ctx)
{
	return ctx && ctx->msg[0] ? ctx->msg : "unknown error";
}
