/* SPDX-License-Identifier: Apache-2.0
 *
 * YAML over libfyaml, with every error as "FILE:LINE:COL: message".
 *
 * libfyaml prints diagnostics to stderr by default; the core must not print,
 * so a diag object with an output callback collects the first error (and its
 * position) into the caller's context instead.
 *
 * libfyaml 0.7.12, the release Debian 12 ships, crashes on some malformed
 * documents: nine bytes ("? d:  \t :") make it write through a null
 * pointer while it cleans up after the error (found by fuzz_yaml; the
 * library's later releases fix a series of such bugs). YAML reaches
 * casefile from other people (playbooks, incident files, scenarios), and a
 * crash would take down a command that is holding a case. So every
 * document is parsed first in a forked child with the same settings; only
 * when that child finishes is the document parsed here. A child killed by
 * a signal, or still parsing after PARSE_SECONDS, makes the document
 * refused with an error naming the file. The check costs one fork per
 * YAML file read; such files are few and small.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/utf8.h"
#include "casefile/yaml.h"

/* Offset of the first byte of text that is not valid UTF-8, or of the
 * first NUL, or -1. YAML must be Unicode, and libfyaml 0.7.12 loops forever
 * on a directive whose name holds an invalid byte ("%A\xca"), so such input
 * never reaches it. */
static long bad_utf8(const char *text, size_t len)
{
	long bad = cf_utf8_invalid(text, len);
	/* A NUL byte is valid UTF-8 but not a YAML character. */
	const char *nul = memchr(text, '\0', bad >= 0 ? (size_t)bad : len);
	return nul ? (long)(nul - text) : bad;
}

#define PARSE_SECONDS 30

/* libfyaml's parse of text (taken over and freed, on failure too), its
 * diagnostics collected on *diag (created here; NULL when out of memory). */
static struct fy_document *parse(char *text, size_t len, struct fy_diag **diag)
{
	struct fy_diag_cfg dcfg;
	struct fy_parse_cfg pcfg;

	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.colorize = false;
	if (!(*diag = fy_diag_create(&dcfg))) {
		free(text);
		return NULL;
	}
	fy_diag_set_collect_errors(*diag, true);
	memset(&pcfg, 0, sizeof pcfg);
	pcfg.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_AUTO;
	pcfg.diag = *diag;
	return fy_document_build_from_malloc_string(&pcfg, text, len);
}

/* CF_OK when libfyaml parses text in a child process and the child ends
 * normally (whether or not the text is valid YAML); see the top of the
 * file. The child leaves through _exit: nothing of this process's state
 * (buffered output, exit handlers) runs twice. */
static int parse_in_child(struct cf_ctx *ctx, const char *name, char *text,
			  size_t len)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return cf_set_fatal(ctx, errno, "%s: cannot start the YAML parser's "
				    "check", name);
	if (pid == 0) {
		struct fy_diag *diag;

		signal(SIGALRM, SIG_DFL);
		alarm(PARSE_SECONDS);
		fy_document_destroy(parse(text, len, &diag));
		if (diag)
			fy_diag_destroy(diag);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return cf_set_fatal(ctx, errno, "%s: cannot wait for the YAML "
					    "parser's check", name);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return CF_OK;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		return cf_set_error(ctx, 0, "%s: refused: the YAML parser was still "
				    "parsing it after %d s", name, PARSE_SECONDS);
	if (WIFSIGNALED(status))
		return cf_set_error(ctx, 0, "%s: refused: the YAML parser (libfyaml "
				    "%s) crashes on it (signal %d)", name,
				    fy_library_version(), WTERMSIG(status));
	return cf_set_error(ctx, 0, "%s: refused: the YAML parser (libfyaml %s) "
			    "failed on it (exit status %d)", name,
			    fy_library_version(), WEXITSTATUS(status));
}

/* Parses text, which must come from malloc: the document takes it over
 * and frees it (on failure too). libfyaml's diagnostics are collected, not
 * printed, and the first error becomes "NAME:LINE:COL: message". */
static int load(struct cf_ctx *ctx, const char *name, char *text, size_t len,
		struct fy_document **doc)
{
	struct fy_diag_error *err;
	struct fy_diag *diag;
	void *iter = NULL;
	int rc;

	*doc = NULL;
	long bad = bad_utf8(text, len);
	if (bad >= 0) {
		int line = 1;
		long col0 = 0;
		for (long i = 0; i < bad; i++)
			if (text[i] == '\n')
				line++, col0 = i + 1;
		cf_set_error(ctx, 0, "%s:%d:%ld: not valid UTF-8 text (byte 0x%02x)",
			     name, line, bad - col0 + 1, (unsigned char)text[bad]);
		free(text);
		return CF_FAILED;
	}
	if ((rc = parse_in_child(ctx, name, text, len)) != CF_OK) {
		free(text);
		return rc; /* CF_FATAL when no child could be started */
	}
	*doc = parse(text, len, &diag);
	if (!diag)
		return cf_set_nomem(ctx, name);
	if (!*doc) {
		err = fy_diag_errors_iterate(diag, &iter);
		/* libfyaml's collected errors are already 1-based (unlike
		 * the 0-based marks of tokens used by cf_yaml_mark()). */
		if (err && err->line > 0 && err->column > 0)
			cf_set_error(ctx, 0, "%s:%d:%d: %s", name, err->line,
				     err->column, err->msg ? err->msg : "syntax error");
		else if (err)
			cf_set_error(ctx, 0, "%s: %s", name,
				     err->msg ? err->msg : "syntax error");
		else
			cf_set_error(ctx, 0, "%s: not a valid YAML document", name);
	}
	fy_diag_destroy(diag);
	return *doc ? CF_OK : CF_FAILED;
}

int cf_yaml_load_string(struct cf_ctx *ctx, const char *name, const char *text,
			size_t len, struct fy_document **doc)
{
	/* All len bytes, NULs included (strndup would stop at a NUL and
	 * leave the parser reading past the copy). */
	char *copy = cf_malloc(len + 1);

	*doc = NULL;
	if (!copy)
		return cf_set_nomem(ctx, name);
	memcpy(copy, text, len);
	copy[len] = '\0';
	return load(ctx, name, copy, len, doc);
}

int cf_yaml_load(struct cf_ctx *ctx, const char *path, struct fy_document **doc)
{
	struct cf_buf b;
	char *text;
	size_t len;
	int rc;

	cf_buf_init(&b);
	*doc = NULL;
	rc = cf_buf_read_file(ctx, &b, path, CF_YAML_MAX_BYTES);
	if (rc != CF_OK) {
		cf_buf_release(&b);
		return rc;
	}
	len = b.len;
	if (!(text = cf_buf_detach(&b)))
		return cf_set_nomem(ctx, path);
	return load(ctx, path, text, len, doc);
}

/* libfyaml 0.7 exposes marks on tokens only: a collection is located by its
 * first scalar (the first key of a mapping, the first item of a sequence). */
static struct fy_token *first_token(struct fy_node *n, int depth)
{
	void *iter = NULL;

	if (!n || depth > 64)
		return NULL;
	if (fy_node_is_scalar(n))
		return fy_node_get_scalar_token(n);
	if (fy_node_is_mapping(n)) {
		struct fy_node_pair *p = fy_node_mapping_iterate(n, &iter);
		return p ? first_token(fy_node_pair_key(p), depth + 1) : NULL;
	}
	if (fy_node_is_sequence(n))
		return first_token(fy_node_sequence_iterate(n, &iter), depth + 1);
	return NULL;
}

void cf_yaml_mark(struct fy_node *n, int *line, int *col)
{
	struct fy_token *t = first_token(n, 0);
	const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;

	*line = m ? m->line + 1 : 0;
	*col = m ? m->column + 1 : 0;
}

int cf_yaml_error(struct cf_ctx *ctx, const char *file, struct fy_node *n,
		  const char *fmt, ...)
{
	char msg[CF_ERRMSG_MAX];
	va_list ap;
	int line, col;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cf_yaml_mark(n, &line, &col);
	return cf_set_error(ctx, 0, "%s:%d:%d: %s", file, line, col, msg);
}

struct fy_node *cf_yaml_get(struct fy_node *map, const char *key)
{
	if (!map || !fy_node_is_mapping(map))
		return NULL;
	return fy_node_mapping_lookup_by_string(map, key, FY_NT);
}

int cf_yaml_is_null(struct fy_node *n)
{
	const char *s;
	size_t len;

	if (!n || !fy_node_is_scalar(n) || fy_node_get_style(n) != FYNS_PLAIN)
		return 0;
	s = fy_node_get_scalar(n, &len);
	return !s || len == 0 || (len == 1 && *s == '~') ||
	       (len == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) ||
			     !memcmp(s, "NULL", 4)));
}

char *cf_yaml_strdup(struct fy_node *n)
{
	const char *s;
	size_t len;

	if (!n || !fy_node_is_scalar(n))
		return NULL;
	s = fy_node_get_scalar(n, &len);
	return s ? cf_strndup(s, len) : NULL;
}

int cf_yaml_str(struct cf_ctx *ctx, const char *file, struct fy_node *map,
		const char *key, char **out)
{
	struct fy_node *n = cf_yaml_get(map, key);
	char *s;

	if (!n)
		return CF_EOF;
	if (!fy_node_is_scalar(n))
		return cf_yaml_error(ctx, file, n, "'%s' must be a string", key);
	if (!(s = cf_yaml_strdup(n)))
		return cf_set_nomem(ctx, file);
	free(*out);
	*out = s;
	return CF_OK;
}

int cf_yaml_int(struct cf_ctx *ctx, const char *file, struct fy_node *map,
		const char *key, int64_t *out)
{
	struct fy_node *n = cf_yaml_get(map, key);
	const char *s;
	size_t len;
	char tmp[32], *end;
	long long v;

	if (!n)
		return CF_EOF;
	s = fy_node_is_scalar(n) ? fy_node_get_scalar(n, &len) : NULL;
	if (!s || len == 0 || len >= sizeof tmp)
		return cf_yaml_error(ctx, file, n, "'%s' must be an integer", key);
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	errno = 0;
	v = strtoll(tmp, &end, 10);
	/* Sizes may carry a unit: 10k, 64M, 2G (powers of 1024). A value
	 * that the unit would overflow is refused, never wrapped. */
	long long unit = *end == 'k' || *end == 'K' ? 1024LL
			 : *end == 'M'             ? 1024LL * 1024
			 : *end == 'G'             ? 1024LL * 1024 * 1024
						   : 1;
	if (unit > 1) {
		if (v > LLONG_MAX / unit || v < LLONG_MIN / unit)
			errno = ERANGE;
		else
			v *= unit;
		end++;
	}
	if (errno || *end)
		return cf_yaml_error(ctx, file, n, "'%s' must be an integer, not '%s'",
				     key, tmp);
	*out = v;
	return CF_OK;
}

int cf_yaml_bool(struct cf_ctx *ctx, const char *file, struct fy_node *map,
		 const char *key, int *out)
{
	struct fy_node *n = cf_yaml_get(map, key);
	const char *s;
	size_t len;

	if (!n)
		return CF_EOF;
	s = fy_node_is_scalar(n) ? fy_node_get_scalar(n, &len) : NULL;
	if (s && len == 4 && !strncmp(s, "true", 4))
		*out = 1;
	else if (s && len == 5 && !strncmp(s, "false", 5))
		*out = 0;
	else
		return cf_yaml_error(ctx, file, n, "'%s' must be true or false", key);
	return CF_OK;
}

int cf_yaml_check_keys(struct cf_ctx *ctx, const char *file,
		       struct fy_node *map, const char *const *known)
{
	struct fy_node_pair *pair;
	void *iter = NULL;

	if (!map || !fy_node_is_mapping(map))
		return cf_yaml_error(ctx, file, map, "expected a mapping");
	while ((pair = fy_node_mapping_iterate(map, &iter))) {
		struct fy_node *k = fy_node_pair_key(pair);
		const char *s;
		size_t len;
		int found = 0;

		s = k && fy_node_is_scalar(k) ? fy_node_get_scalar(k, &len) : NULL;
		if (!s)
			return cf_yaml_error(ctx, file, k, "keys must be strings");
		for (const char *const *p = known; *p && !found; p++)
			found = strlen(*p) == len && !strncmp(*p, s, len);
		if (!found)
			return cf_yaml_error(ctx, file, k, "unknown key '%.*s'",
					     (int)len, s);
	}
	return CF_OK;
}
