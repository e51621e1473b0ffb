/* SPDX-License-Identifier: Apache-2.0
 *
 * SHA256SUMS reading and writing (see include/casefile/sums.h).
 *
 * The writer and the strict parser live together so that whatever collect
 * writes, verify reads back byte for byte, and anything else is a finding.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/array.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/path.h"
#include "casefile/sums.h"

void cf_sums_init(struct cf_sums *s)
{
	memset(s, 0, sizeof *s);
}

void cf_sums_release(struct cf_sums *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
	cf_sums_init(s);
}

static int add(struct cf_ctx *ctx, struct cf_sums *s, const char *name,
	       size_t namelen, const uint8_t digest[CF_SHA256_LEN], size_t line)
{
	struct cf_sums_entry *v;

	if (s->n == CF_SUMS_MAX_ENTRIES)
		return cf_set_error(ctx, 0, "SHA256SUMS has more than %d entries",
				    CF_SUMS_MAX_ENTRIES);
	if (!(v = cf_array_grow(s->v, &s->cap, s->n + 1, sizeof *v, 64)))
		return cf_set_nomem(ctx, "SHA256SUMS");
	s->v = v;
	assert(s->n < s->cap && s->n < CF_SUMS_MAX_ENTRIES);
	if (!(s->v[s->n].name = cf_strndup(name, namelen)))
		return cf_set_nomem(ctx, "SHA256SUMS");
	memcpy(s->v[s->n].digest, digest, CF_SHA256_LEN);
	s->v[s->n].line = line;
	s->n++;
	return CF_OK;
}

int cf_sums_add(struct cf_ctx *ctx, struct cf_sums *s, const char *name,
		const uint8_t digest[CF_SHA256_LEN])
{
	if (strchr(name, '\n'))
		return cf_set_error(ctx, 0, "member name has a newline");
	return add(ctx, s, name, strlen(name), digest, s->n + 1);
}

int cf_sums_format(struct cf_ctx *ctx, const struct cf_sums *s,
		   struct cf_buf *b)
{
	char hex[CF_SHA256_HEX];

	for (size_t i = 0; i < s->n; i++) {
		cf_hex(s->v[i].digest, CF_SHA256_LEN, hex);
		if (cf_buf_puts(b, hex) < 0 || cf_buf_puts(b, "  ") < 0 ||
		    cf_buf_puts(b, s->v[i].name) < 0 || cf_buf_putc(b, '\n') < 0)
			return cf_set_nomem(ctx, "SHA256SUMS");
	}
	return CF_OK;
}

static int is_lower_hex(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return 0;
	return 1;
}

int cf_sums_parse(struct cf_ctx *ctx, const char *text, size_t len,
		  struct cf_sums *s)
{
	size_t pos = 0, line = 0;

	if (len && text[len - 1] != '\n')
		return cf_set_error(ctx, 0, "SHA256SUMS does not end with a newline");
	while (pos < len) {
		const char *p = text + pos, *nl = memchr(p, '\n', len - pos);
		size_t l;

		/* The text ends with a newline (checked above). */
		assert(nl);
		l = (size_t)(nl - p);
		uint8_t d[CF_SHA256_LEN];
		char name[CF_PATH_MAX + 1];
		int rc;

		line++;
		if (l < 67 || !is_lower_hex(p, 64) || p[64] != ' ' || p[65] != ' ')
			return cf_set_error(ctx, 0,
					    "SHA256SUMS line %zu: expected '<64 lowercase hex>  <name>'",
					    line);
		if (memchr(p, '\r', l) || memchr(p, '\0', l))
			return cf_set_error(ctx, 0,
					    "SHA256SUMS line %zu: carriage return or NUL byte",
					    line);
		if (l - 66 > CF_PATH_MAX)
			return cf_set_error(ctx, 0, "SHA256SUMS line %zu: name too long",
					    line);
		if (cf_unhex(p, 64, d, sizeof d) != 0)
			assert(!"lowercase hex checked above");
		memcpy(name, p + 66, l - 66);
		name[l - 66] = '\0';
		if (cf_path_check_member(ctx, name) != CF_OK)
			return cf_error_prefix(ctx, "SHA256SUMS line %zu", line);
		if ((rc = add(ctx, s, name, l - 66, d, line)) != CF_OK)
			return rc;
		pos += l + 1;
	}
	return CF_OK;
}

long cf_sums_find(const struct cf_sums *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, name))
			return (long)i;
	return -1;
}
