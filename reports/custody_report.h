/* SPDX-License-Identifier: Apache-2.0
 *
 * The chain-of-custody report of a case folder (SPEC sections 5 and 8):
 * who did what to which evidence, when, read from custody.jsonl, with the
 * archives in evidence/ listed with their size and file SHA-256 and, when
 * the log was verified, whether each matches its add entry (missing, extra
 * and replaced files are named).
 *
 * Reading only: the case folder is never written. A custody line that does
 * not parse is an error naming the file and line, never skipped, because a
 * gap in a chain of custody is exactly what the report must not hide.
 */
#ifndef CF_REPORTS_CUSTODY_REPORT_H
#define CF_REPORTS_CUSTODY_REPORT_H

#include <stdint.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "casefile/sign.h"

struct cf_buf;
struct cf_ctx;

/* Reads DIR/custody.jsonl into an array of entries. With trusted keys
 * (ntrusted > 0) the case is also verified (cf_custody_verify_case) and
 * *check gets {"ok","entries","first_bad","kind","detail","head",
 * "unbound","evidence_checked","files":[{"file","kind","entry","detail"}]};
 * "ok" is false when an entry or a file is bad; without keys
 * *check is NULL: the report then says "not verified", never "OK". */
int cf_custody_load(struct cf_ctx *ctx, const char *casedir,
		    cf_key *const *trusted, size_t ntrusted, cJSON **entries,
		    cJSON **check);
/* Builds {"format","generated_at","case","summary","entries","archives"}. */
int cf_custody_report_build(struct cf_ctx *ctx, const char *casedir,
			    cf_key *const *trusted, size_t ntrusted,
			    int64_t generated_at, cJSON **out);
/* fmt: "html", "md" or "json". */
int cf_custody_report_render(struct cf_ctx *ctx, const cJSON *rep,
			     const char *fmt, struct cf_buf *out);

#endif
