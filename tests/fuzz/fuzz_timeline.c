/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the timeline parsers together: arbitrary bytes
 * through the parser tl_detect() chooses (or, by the first byte, any one
 * parser), checked by the sink of fuzz_timeline.h. This is the target that
 * also fuzzes detection and decompression: an input that starts with the
 * magic of gzip, bzip2, xz or zstd goes through tl_unpack first, as a
 * rotated log in an archive does, with a budget of FUZZ_UNPACK_MAX bytes
 * that what comes out may never pass. fuzz_log_<format>.c fuzz each parser
 * on its own. Nothing is written anywhere.
 */
#include <stdint.h>

#include "casefile/buf.h"
#include "fuzz_timeline.h"

#define FUZZ_UNPACK_MAX (4u << 20)

/* The member as tl_unpack gives it (cut at a limit or an error: the bytes
 * before it, as the builder parses them). */
static int unpack(const uint8_t *data, size_t size, struct cf_buf *out)
{
	struct tl_unpack_budget bg = {FUZZ_UNPACK_MAX, FUZZ_UNPACK_MAX, 0};
	struct tl_unpack *u;
	struct cf_ctx ctx;
	char blk[65536];
	long got;

	cf_ctx_init(&ctx);
	if (tl_unpack_open(&ctx, data, size, NULL, NULL, &bg, &u) != CF_OK)
		return -1;
	while ((got = tl_unpack_read(u, &ctx, blk, sizeof blk)) > 0)
		if (cf_buf_append(out, blk, (size_t)got))
			break;
	tl_unpack_close(u);
	if (out->len > FUZZ_UNPACK_MAX || bg.used > FUZZ_UNPACK_MAX)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct tl_parser *const all[] = {
		&tl_syslog, &tl_auditd, &tl_access_log, &tl_apache_error, &tl_json,
		&tl_items, &tl_collector_log, &tl_mlflow_lineage, &tl_roster,
		&tl_dataset};
	const struct tl_parser *p;
	struct cf_buf plain;
	int rc = 0;

	if (!size)
		return 0;
	if (data[0] < sizeof all / sizeof all[0])
		return fuzz_tl_run(all[data[0]], fuzz_tl_meta(0), data + 1,
				   size - 1);
	if (!tl_is_compressed(data, size)) {
		if (tl_foreign_compression(data, size) ||
		    !(p = tl_detect("evidence/x", NULL, NULL, data, size)))
			return 0;
		return fuzz_tl_run(p, fuzz_tl_meta(0), data, size);
	}
	cf_buf_init(&plain);
	if (unpack(data, size, &plain) == 0 && plain.len &&
	    !tl_foreign_compression((const uint8_t *)plain.data, plain.len) &&
	    (p = tl_detect("evidence/x.gz", NULL, NULL,
			   (const uint8_t *)plain.data, plain.len)))
		rc = fuzz_tl_run(p, fuzz_tl_meta(0), (const uint8_t *)plain.data,
				 plain.len);
	cf_buf_release(&plain);
	return rc;
}
