/* SPDX-License-Identifier: Apache-2.0
 *
 * What `timeline build` keeps about members it does not parse, and what
 * `timeline build --explain` keeps about members it is asked about (both
 * used by timeline/build.c, which decides; this file only records). A
 * member not parsed is counted under its type (the MIME type without
 * parameters, else its category, else "unknown") with the reason, for the
 * summary; an explanation holds the member's facts and the detection bids
 * as heap strings on the builder, for cmd_timeline.c to print. Both grow
 * by doubling and are freed by tl_explain_release. Out of memory sets ctx
 * and leaves the lists as they were.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/array.h"
#include "casefile/error.h"
#include "build.h"
#include "build_int.h"

/* ---- members not parsed ------------------------------------------------- */

/* The type a member not parsed is counted under. */
static char *type_of(const char *mime, const char *category)
{
	if (mime && *mime) {
		size_t n = strcspn(mime, ";");
		while (n && mime[n - 1] == ' ')
			n--;
		return cf_strndup(mime, n);
	}
	return cf_strdup(category && *category ? category : "unknown");
}

/* Counts a member no parser reads, with its type and why. */
int tl_not_parsed(struct tl_builder *b, struct cf_ctx *ctx, const char *member,
		  const char *type, const char *mime, const char *category,
		  const char *reason)
{
	struct tl_build_stats *st = &b->stats;
	struct tl_not_parsed *x;

	st->skipped++;
	if (!(x = cf_array_grow(st->not_parsed, &st->not_parsed_cap,
				st->nnot_parsed + 1, sizeof *x, 32)))
		return cf_set_nomem(ctx, "members not parsed");
	st->not_parsed = x;
	x = &st->not_parsed[st->nnot_parsed];
	x->member = cf_strdup(member);
	x->type = type ? cf_strdup(type) : type_of(mime, category);
	x->reason = cf_strdup(reason);
	if (!x->member || !x->type || !x->reason) {
		free(x->member);
		free(x->type);
		free(x->reason);
		return cf_set_nomem(ctx, "members not parsed");
	}
	st->nnot_parsed++;
	return CF_OK;
}

/* ---- --explain ---------------------------------------------------------- */

/* 1 when --explain names the member (by member name or original path). */
int tl_explained(const struct tl_builder *b, const char *member,
		 const char *path)
{
	for (size_t i = 0; i < b->nexplain; i++)
		if (!fnmatch(b->explain[i], member, 0) ||
		    (path && !fnmatch(b->explain[i], path, 0)))
			return 1;
	return 0;
}

const char *tl_compression_name(const unsigned char *h, size_t n)
{
	if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b)
		return "gzip";
	if (n >= 3 && !memcmp(h, "BZh", 3))
		return "bzip2";
	if (n >= 6 && !memcmp(h, "\xfd" "7zXZ\0", 6))
		return "xz";
	if (n >= 4 && !memcmp(h, "\x28\xb5\x2f\xfd", 4))
		return "zstd";
	return "compressed";
}

static void explanation_free(struct tl_explanation *x)
{
	free(x->archive);
	free(x->member);
	free(x->path);
	free(x->category);
	free(x->mime);
	free(x->reason);
	free(x->first_line);
}

/* A new explanation for a member, or NULL (ctx set) without memory. */
struct tl_explanation *tl_explanation_new(struct tl_builder *b,
					  struct cf_ctx *ctx, const char *member,
					  const char *path, const char *category)
{
	struct tl_explanation *x;

	if (b->nex == b->excap) {
		size_t cap = b->excap ? b->excap * 2 : 8;
		struct tl_explanation *v = cf_realloc(b->ex, cap * sizeof *v);
		if (!v)
			return cf_set_nomem(ctx, "--explain"), NULL;
		b->ex = v;
		b->excap = cap;
	}
	x = &b->ex[b->nex];
	memset(x, 0, sizeof *x);
	x->archive = cf_strdup(b->archive_path ? b->archive_path : "");
	x->member = cf_strdup(member);
	x->path = path ? cf_strdup(path) : NULL;
	x->category = category ? cf_strdup(category) : NULL;
	if (!x->archive || !x->member || (path && !x->path) ||
	    (category && !x->category)) {
		explanation_free(x);
		return cf_set_nomem(ctx, "--explain"), NULL;
	}
	b->nex++;
	return x;
}

int tl_explain_reason(struct tl_explanation *x, struct cf_ctx *ctx,
		      const char *why)
{
	if (!(x->reason = cf_strdup(why)))
		return cf_set_nomem(ctx, "--explain");
	return CF_OK;
}

/* ---- release ------------------------------------------------------------ */

void tl_explain_release(struct tl_builder *b)
{
	for (size_t i = 0; i < b->stats.nnot_parsed; i++) {
		free(b->stats.not_parsed[i].member);
		free(b->stats.not_parsed[i].type);
		free(b->stats.not_parsed[i].reason);
	}
	free(b->stats.not_parsed);
	b->stats.not_parsed = NULL;
	b->stats.nnot_parsed = b->stats.not_parsed_cap = 0;
	for (size_t i = 0; i < b->nex; i++)
		explanation_free(&b->ex[i]);
	free(b->ex);
	b->ex = NULL;
	b->nex = b->excap = 0;
}
