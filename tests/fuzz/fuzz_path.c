/* SPDX-License-Identifier: Apache-2.0
 *
 * Fuzz target for the member-name check and path normalisation: member
 * names come from archives. Checks that normalising is idempotent, never
 * yields "..", and that a name the check accepts is already normal. Also
 * the escape of host names that are not UTF-8 (collect's member names):
 * its result is UTF-8, unchanged for UTF-8 without '%', and undoes
 * exactly to the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/core.h"
#include "casefile/error.h"
#include "casefile/path.h"
#include "casefile/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_escape(const char *s)
{
	char *e = cf_utf8_escape(s), *back, *o;
	size_t n = strlen(s);

	if (!e)
		return;
	if (cf_utf8_invalid(e, strlen(e)) >= 0)
		abort();
	if (cf_utf8_invalid(s, n) < 0 && !strchr(s, '%') && strcmp(e, s))
		abort();
	if (!(back = malloc(strlen(e) + 1))) {
		free(e);
		return;
	}
	o = back;
	for (const char *p = e; *p;) {
		if (*p == '%') {
			char h[3] = {p[1], p[2], 0};
			if (!p[1] || !p[2])
				abort();
			*o++ = (char)strtoul(h, NULL, 16);
			p += 3;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	if (strcmp(back, s))
		abort();
	free(back);
	free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_ctx ctx;
	char *s, *norm = NULL, *twice = NULL, *j;
	int member_ok;

	cf_core_init();
	if (size > 3 * 4096)
		return 0;
	if (!(s = malloc(size + 1)))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	cf_ctx_init(&ctx);
	member_ok = cf_path_check_member(&ctx, s) == CF_OK;
	if (!member_ok && !ctx.msg[0])
		abort();
	if (cf_path_normalise(&ctx, s, &norm) == CF_OK) {
		if (!strcmp(norm, "..") || !strncmp(norm, "../", 3) ||
		    strstr(norm, "/../") || strstr(norm, "//"))
			abort();
		if (cf_path_normalise(&ctx, norm, &twice) != CF_OK ||
		    strcmp(norm, twice))
			abort();
		if (member_ok && strcmp(norm, s))
			abort();
	} else if (member_ok && strlen(s) > 0) {
		abort();
	}
	if ((j = cf_path_join("base", s)))
		free(j);
	check_escape(s);
	free(twice);
	free(norm);
	free(s);
	return 0;
}
