/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the timeline parsers together: arbitrary bytes
 * through the parser tl_detect() chooses (or, by the first byte, any one
 * parser), checked by the sink of fuzz_timeline.h. This is the target that
 * also fuzzes detection; fuzz_log_<format>.c fuzz each parser on its own.
 * Nothing is written anywhere.
 */
#include <stdint.h>

#include "fuzz_timeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct tl_parser *const all[] = {
		&tl_syslog, &tl_auditd, &tl_access_log, &tl_apache_error, &tl_json,
		&tl_items, &tl_collector_log, &tl_mlflow_lineage, &tl_roster};
	const struct tl_parser *p;

	if (!size)
		return 0;
	if (data[0] < sizeof all / sizeof all[0]) {
		p = all[data[0]];
		data++;
		size--;
	} else if (!(p = tl_detect("evidence/x", NULL, NULL, data, size))) {
		return 0;
	}
	return fuzz_tl_run(p, fuzz_tl_meta(0), data, size);
}
