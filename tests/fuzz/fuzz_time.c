/* SPDX-License-Identifier: Apache-2.0
 *
 * Fuzz target for cf_time_parse() and cf_duration_parse(): timestamps come
 * from evidence and durations from playbooks. Checks that anything accepted
 * formats and parses back to the same instant (within 0001-9999), and that
 * durations are never negative (no overflow).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/core.h"
#include "casefile/time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z */
#define MIN_US (-62135596800LL * CF_US_PER_SEC)
#define MAX_US (253402300800LL * CF_US_PER_SEC - 1)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[CF_TIME_STR], *s;
	int64_t us, back, d;
	int off;

	cf_core_init();
	if (size > 4096)
		return 0;
	/* Exact length, not NUL-terminated: the parser must honour len. */
	if (cf_time_parse((const char *)data, (long)size, &us, &off) == 0) {
		if (off <= -86400 || off >= 86400)
			abort();
		cf_time_format(us, out);
		if (strlen(out) != 27)
			abort();
		if (us >= MIN_US && us <= MAX_US &&
		    (cf_time_parse(out, -1, &back, NULL) != 0 || back != us))
			abort();
	}
	if (!(s = malloc(size + 1)))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (cf_duration_parse(s, &d) == 0 && d < 0)
		abort();
	free(s);
	return 0;
}
