/* SPDX-License-Identifier: Apache-2.0
 *
 * Throttled progress line on stderr (see include/casefile/progress.h).
 *
 * The clock is read at most once per 64 updates and the line redrawn at most
 * every 100 ms, so a loop calling cf_progress_add() per 64 KiB block pays a
 * branch and an addition, nothing more.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/progress.h"

#define REDRAW_US 100000 /* at most 10 redraws a second */

struct cf_progress {
	FILE *out;
	char label[32];
	uint64_t bytes, items, total_bytes, total_items;
	int64_t start_us, last_us;
	unsigned calls;
	int enabled, drawn;
};

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

cf_progress *cf_progress_new(FILE *out, const char *label,
			     enum cf_progress_mode mode, uint64_t total_bytes,
			     uint64_t total_items)
{
	cf_progress *p = cf_calloc(1, sizeof *p);

	assert(out && label);
	if (!p)
		return NULL;
	p->out = out;
	snprintf(p->label, sizeof p->label, "%s", label);
	p->total_bytes = total_bytes;
	p->total_items = total_items;
	p->start_us = p->last_us = mono_us();
	p->enabled = mode == CF_PROGRESS_ON ||
		     (mode == CF_PROGRESS_AUTO && isatty(fileno(out)));
	return p;
}

int cf_progress_enabled(const cf_progress *p)
{
	return p && p->enabled;
}

/* 1536 -> "1.5 KiB" */
static void human(uint64_t v, char *buf, size_t n)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double d = (double)v;
	int u = 0;

	while (d >= 1024 && u < 4)
		d /= 1024, u++;
	assert(u < (int)(sizeof unit / sizeof unit[0]));
	if (u == 0)
		snprintf(buf, n, "%llu B", (unsigned long long)v);
	else
		snprintf(buf, n, "%.1f %s", d, unit[u]);
}

/* ", ETA m:ss" for what is left at that rate, or "" when unknown. */
static void eta_text(uint64_t done, uint64_t total, double rate, char *buf,
		     size_t n)
{
	uint64_t left;

	buf[0] = '\0';
	if (!total || rate <= 0 || done > total)
		return;
	left = (uint64_t)((double)(total - done) / rate);
	snprintf(buf, n, ", ETA %llu:%02llu", (unsigned long long)(left / 60),
		 (unsigned long long)(left % 60));
}

void cf_progress_format(const cf_progress *p, int64_t now_us, char *buf,
			size_t n)
{
	double secs = (double)(now_us - p->start_us) / 1e6;
	double rate = secs > 0 ? (double)p->bytes / secs : 0;
	char b[32], r[32], eta[32];
	size_t len;

	assert(p && buf && n > 0);
	len = (size_t)snprintf(buf, n, "%s: %llu", p->label,
			       (unsigned long long)p->items);
	if (len < n && p->total_items)
		len += (size_t)snprintf(buf + len, n - len, "/%llu",
					(unsigned long long)p->total_items);
	if (len >= n)
		return;
	/* Work counted in items alone (events read from a store): their rate,
	 * and the ETA from their total. */
	if (!p->total_bytes && !p->bytes && p->total_items) {
		rate = secs > 0 ? (double)p->items / secs : 0;
		eta_text(p->items, p->total_items, rate, eta, sizeof eta);
		snprintf(buf + len, n - len, " items, %.0f items/s%s", rate, eta);
		return;
	}
	human(p->bytes, b, sizeof b);
	human((uint64_t)rate, r, sizeof r);
	eta_text(p->bytes, p->total_bytes, rate, eta, sizeof eta);
	snprintf(buf + len, n - len, " items, %s, %s/s%s", b, r, eta);
}

void cf_progress_draw(cf_progress *p)
{
	char line[160];

	if (!p || !p->enabled)
		return;
	cf_progress_format(p, mono_us(), line, sizeof line);
	fprintf(p->out, "\r\033[K%s", line);
	fflush(p->out);
	p->drawn = 1;
}

/* Redraws when 64 updates and 100 ms have passed since the last time. */
static void tick(cf_progress *p)
{
	int64_t now;

	if (!p->enabled || (++p->calls & 63) != 0)
		return;
	now = mono_us();
	if (now - p->last_us < REDRAW_US)
		return;
	p->last_us = now;
	cf_progress_draw(p);
}

void cf_progress_add(cf_progress *p, uint64_t bytes, uint64_t items)
{
	if (!p)
		return;
	/* The counters only grow: a wrap would show a bogus rate and ETA. */
	assert(p->bytes + bytes >= p->bytes && p->items + items >= p->items);
	p->bytes += bytes;
	p->items += items;
	tick(p);
}

void cf_progress_set(cf_progress *p, uint64_t bytes, uint64_t items)
{
	if (!p)
		return;
	if (bytes > p->bytes)
		p->bytes = bytes;
	if (items > p->items)
		p->items = items;
	tick(p);
}

void cf_progress_free(cf_progress *p)
{
	if (!p)
		return;
	if (p->drawn) {
		fputs("\r\033[K", p->out);
		fflush(p->out);
	}
	free(p);
}
