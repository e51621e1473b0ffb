/* SPDX-License-Identifier: Apache-2.0
 *
 * `timeline query` output formats (timeline/query.c).
 */
#ifndef CASEFILE_TIMELINE_QUERY_H
#define CASEFILE_TIMELINE_QUERY_H

#include <stdio.h>

#include "casefile/db.h"

enum tl_format {
	TL_FMT_TABLE, TL_FMT_CSV, TL_FMT_JSONL, TL_FMT_L2TCSV, TL_FMT_TIMESKETCH
};

struct tl_query_out {
	FILE *f;
	enum tl_format format;
	uint64_t rows;
	uint64_t untimed;   /* timesketch: events left out, time unknown */
	int nomem;
};

/* The format named, or -1. */
int tl_query_format(const char *name);
/* Writes the header (if the format has one) and the selected events. */
int tl_query_run(struct cf_ctx *ctx, cf_db *db, const struct cf_db_filter *f,
		 struct tl_query_out *q);

#endif
