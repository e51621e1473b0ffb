/* SPDX-License-Identifier: Apache-2.0
 *
 * Path rules for archive member names and for joining paths.
 *
 * A member name comes from the archive, which may come from an attacker: it
 * must be valid UTF-8 and relative, with no empty, "." or ".." component,
 * no NUL or control character, no backslash, at most CF_PATH_MAX bytes and CF_PATH_DEPTH
 * components. Anything else is refused, not repaired, so that nothing can be
 * written or read outside the place it belongs.
 */
#ifndef CASEFILE_PATH_H
#define CASEFILE_PATH_H

#include <stddef.h>
#include <sys/types.h>

struct cf_ctx;

#define CF_PATH_MAX 4096
#define CF_PATH_DEPTH 64

/* CF_OK or CF_FAILED with the reason on ctx. */
int cf_path_check_member(struct cf_ctx *ctx, const char *name);
/* Lexically normalises an absolute or relative path: collapses "//" and "."
 * and resolves ".." against earlier components; a ".." that would climb
 * above the root or the start is refused. Result in a heap string. */
int cf_path_normalise(struct cf_ctx *ctx, const char *in, char **out);
/* a + "/" + b, without doubling the slash; heap string or NULL. */
char *cf_path_join(const char *a, const char *b);
/* mkdir -p: creates each missing folder of path with mode (before the
 * umask), accepting those that exist. CF_OK when path is a folder at the
 * end; CF_FAILED naming the folder that could not be created (or that
 * exists as something else); CF_FATAL on no memory. */
int cf_path_mkdirs(struct cf_ctx *ctx, const char *path, mode_t mode);

#endif
