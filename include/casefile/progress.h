/* SPDX-License-Identifier: Apache-2.0
 *
 * Progress line on stderr for long work: items, bytes, rate and ETA.
 *
 * Shown only when enabled (by default: stderr is a terminal; --progress and
 * --quiet override), redrawn at most 10 times a second so that it never costs
 * measurable time on the hot path, and erased at the end so that it never
 * mixes with the messages and data that follow. The reporter belongs to the
 * command layer's side of the core: it writes to the FILE it is given.
 */
#ifndef CASEFILE_PROGRESS_H
#define CASEFILE_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

typedef struct cf_progress cf_progress;

enum cf_progress_mode {
	CF_PROGRESS_AUTO = 0, /* on when the stream is a terminal */
	CF_PROGRESS_ON,
	CF_PROGRESS_OFF,
};

/* total_bytes / total_items may be 0 when unknown (no ETA then). Returns
 * NULL on no memory, which callers treat as "no progress". */
cf_progress *cf_progress_new(FILE *out, const char *label,
			     enum cf_progress_mode mode, uint64_t total_bytes,
			     uint64_t total_items);
/* Adds to the counters and redraws if 100 ms have passed. NULL is a no-op. */
void cf_progress_add(cf_progress *p, uint64_t bytes, uint64_t items);
/* The same for work that reports where it is rather than what it did: the
 * counters move up to bytes and items (never back). NULL is a no-op. */
void cf_progress_set(cf_progress *p, uint64_t bytes, uint64_t items);
/* Forces a redraw now (used by tests). */
void cf_progress_draw(cf_progress *p);
/* Erases the line and frees. NULL is a no-op. */
void cf_progress_free(cf_progress *p);
/* Formats the line that would be drawn into buf (for tests). */
void cf_progress_format(const cf_progress *p, int64_t now_us, char *buf,
			size_t n);
/* 1 when it draws anything. */
int cf_progress_enabled(const cf_progress *p);

#endif
