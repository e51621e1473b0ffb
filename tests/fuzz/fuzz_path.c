/* SPDX-License-Identifier: Apache-2.0
 *
 * Fuzz target for the member-name check and path normalisation: member
 * names come from archives. Checks that normalising is idempotent, never
 * yields "..", and that a name the check accepts is already normal.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/core.h"
#include "casefile/error.h"
#include "casefile/path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	free(twice);
	free(norm);
	free(s);
	return 0;
}
