/* SPDX-License-Identifier: Apache-2.0
 *
 * Member-name checks and lexical path normalisation.
 *
 * Archive member names are attacker-controlled. The check refuses rather
 * than repairs: a name that needs repair is itself a finding for verify, and
 * silently "fixing" it would hide tampering.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/path.h"
#include "casefile/utf8.h"

int cf_path_check_member(struct cf_ctx *ctx, const char *name)
{
	size_t len = strlen(name), depth = 0;
	const char *p = name;

	if (len == 0)
		return cf_set_error(ctx, 0, "empty member name");
	if (len > CF_PATH_MAX)
		return cf_set_error(ctx, 0, "member name longer than %d bytes",
				    CF_PATH_MAX);
	if (name[0] == '/')
		return cf_set_error(ctx, 0, "absolute member name '%s'", name);
	long bad = cf_utf8_invalid(name, len);
	if (bad >= 0)
		return cf_set_error(ctx, 0,
				    "member name is not valid UTF-8 (byte 0x%02x at %ld)",
				    (unsigned char)name[bad], bad);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c < 0x20 || c == 0x7f)
			return cf_set_error(ctx, 0,
					    "member name has a control character at byte %zu",
					    i);
		if (c == '\\')
			return cf_set_error(ctx, 0, "member name '%s' has a backslash",
					    name);
	}
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 0)
			return cf_set_error(ctx, 0,
					    "member name '%s' has an empty component",
					    name);
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return cf_set_error(ctx, 0,
					    "member name '%s' has a '%.*s' component",
					    name, (int)n, p);
		if (++depth > CF_PATH_DEPTH)
			return cf_set_error(ctx, 0,
					    "member name '%s' is deeper than %d components",
					    name, CF_PATH_DEPTH);
		p += n;
		if (*p == '/') {
			p++;
			if (!*p)
				return cf_set_error(ctx, 0,
						    "member name '%s' ends with '/'",
						    name);
		}
	}
	return CF_OK;
}

int cf_path_normalise(struct cf_ctx *ctx, const char *in, char **out)
{
	struct cf_buf b;
	size_t *starts = NULL, n = 0, len = strlen(in);
	int abs = in[0] == '/';
	const char *p = in;

	cf_buf_init(&b);
	starts = cf_calloc(len / 2 + 2, sizeof *starts);
	if (!starts || (abs && cf_buf_putc(&b, '/') < 0))
		goto nomem;
	while (*p) {
		size_t c = strcspn(p, "/");
		if (c == 0 || (c == 1 && p[0] == '.')) {
			/* skip */
		} else if (c == 2 && p[0] == '.' && p[1] == '.') {
			if (n == 0) {
				free(starts);
				cf_buf_release(&b);
				return cf_set_error(ctx, 0,
						    "path '%s' climbs above its start",
						    in);
			}
			b.len = starts[--n];
			b.data[b.len] = '\0';
		} else {
			starts[n++] = b.len;
			if ((b.len > (size_t)abs && cf_buf_putc(&b, '/') < 0) ||
			    cf_buf_append(&b, p, c) < 0)
				goto nomem;
		}
		p += c;
		if (*p == '/')
			p++;
	}
	if (b.len == 0 && cf_buf_putc(&b, '.') < 0)
		goto nomem;
	free(starts);
	if (!(*out = cf_buf_detach(&b)))
		return cf_set_nomem(ctx, in);
	return CF_OK;
nomem:
	free(starts);
	cf_buf_release(&b);
	return cf_set_nomem(ctx, in);
}

char *cf_path_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb;
	char *s;

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	lb = strlen(b);
	s = cf_malloc(la + lb + 2);
	if (!s)
		return NULL;
	memcpy(s, a, la);
	if (la && a[la - 1] != '/')
		s[la++] = '/';
	memcpy(s + la, b, lb + 1);
	return s;
}

int cf_path_mkdirs(struct cf_ctx *ctx, const char *path, mode_t mode)
{
	char *p = cf_strdup(path);
	struct stat st;
	int rc = CF_OK;

	if (!p)
		return cf_set_nomem(ctx, path);
	for (char *s = p + (*p == '/');; s++) {
		if (*s && *s != '/')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			rc = cf_set_error(ctx, errno, "cannot create '%s'", p);
			break;
		}
		if (!c) { /* the last one: an existing file is no folder */
			if (stat(p, &st) < 0)
				rc = cf_set_error(ctx, errno, "cannot create '%s'", p);
			else if (!S_ISDIR(st.st_mode))
				rc = cf_set_error(ctx, ENOTDIR, "cannot create '%s'", p);
			break;
		}
		*s = c;
	}
	free(p);
	return rc;
}
