/* SPDX-License-Identifier: Apache-2.0
 *
 * Running one parser over one member: line splitting with a length cap,
 * the per-event string arena, attributes, and decompression on the fly.
 *
 * Lines are cut from 256 KiB blocks without copying when they fit in a
 * block; a line longer than TL_LINE_MAX is skipped to its newline and
 * recorded as a reject, so memory stays bounded whatever the input. Every
 * string that reaches the store is valid UTF-8: invalid bytes become U+FFFD
 * and the event says so, because SQLite, JSON and CSV output all need text.
 * Compressed rotated logs are read through libarchive's "raw" format,
 * straight from the member's stream: never extracted. Only the built-in
 * gzip, bzip2, xz and zstd decoders are enabled (cf_archive_support_filters),
 * never a filter that would start an external program, and the output is
 * bounded like an archive's: the expansion ratio after a free allowance,
 * bytes per member and bytes per build (struct tl_unpack_budget).
 */
#include <archive.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/archive.h"
#include "casefile/error.h"
#include "casefile/time.h"
#include "casefile/tz.h"
#include "casefile/utf8.h"
#include "tl.h"

#define BLOCK (256u << 10)

int tl_run_init(struct tl_run *r, const struct tl_parser *p,
		const struct tl_meta *m, const struct tl_sink *s,
		struct cf_ctx *ctx)
{
	memset(r, 0, sizeof *r);
	r->parser = p;
	r->meta = m;
	r->sink = s;
	r->ctx = ctx;
	r->refused = cf_alloc_failures();
	cf_buf_init(&r->attrs);
	r->attrs.limit = 4 * TL_FIELD_MAX;
	tl_doc_init(&r->doc);
	if (!(r->arena = cf_malloc(TL_ARENA)))
		return cf_set_nomem(ctx, "parsing");
	if (p->state_size && !(r->state = cf_calloc(1, p->state_size))) {
		cf_set_nomem(ctx, p->name);
		goto fail;
	}
	if (p->start && p->start(r) != CF_OK)
		goto fail;
	return CF_OK;
fail:
	free(r->state);
	r->state = NULL;
	free(r->arena);
	r->arena = NULL;
	return CF_FAILED;
}

void tl_run_release(struct tl_run *r)
{
	if (r->parser && r->parser->free && r->state)
		r->parser->free(r);
	free(r->state);
	r->state = NULL;
	tl_programs_free(r->programs);
	r->programs = NULL;
	tl_inservice_free(r->inservice);
	r->inservice = NULL;
	tl_sshd_run_free(r);
	cf_buf_release(&r->attrs);
	tl_doc_release(&r->doc);
	free(r->arena);
	r->arena = NULL;
}

/* ---- strings ------------------------------------------------------------ */

int tl_month(const char *s)
{
	static const char m[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

	for (int i = 0; i < 12; i++)
		if (!memcmp(s, m + 3 * i, 3))
			return i + 1;
	return 0;
}

long long tl_digits(const char *s, size_t n, size_t *used)
{
	long long v = 0;
	size_t i;

	for (i = 0; i < n && i < 18 && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (s[i] - '0');
	if (used)
		*used = i;
	return v;
}

int tl_utf8_ok(const char *s, size_t n)
{
	return !memchr(s, 0, n) && cf_utf8_invalid(s, n) < 0;
}

void tl_event_reset(struct tl_run *r)
{
	r->arena_used = 0;
	cf_buf_reset(&r->attrs);
}

const char *tl_str(struct tl_run *r, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out;
	size_t o = 0, room;

	if (!s)
		return NULL;
	if (n == (size_t)-1)
		n = strlen(s);
	room = TL_ARENA - r->arena_used;
	if (room < 16)
		return "";
	out = r->arena + r->arena_used;
	for (size_t i = 0; i < n;) {
		size_t k;
		if (p[i] >= 0x20 && p[i] < 0x80) { /* plain ASCII run */
			size_t j = i + 1, lim = n;
			if (lim - i > room - o - 5)
				lim = i + (room - o - 5);
			if (lim - i > TL_FIELD_MAX - o)
				lim = i + (TL_FIELD_MAX - o);
			while (j < lim && p[j] >= 0x20 && p[j] < 0x80)
				j++;
			if (j <= i)
				break;
			memcpy(out + o, p + i, j - i);
			o += j - i;
			i = j;
			continue;
		}
		k = p[i] ? cf_utf8_char(s + i, n - i) : 1;
		if (o + 4 >= room || o >= TL_FIELD_MAX)
			break;
		if (!p[i]) {
			i++;
			continue;
		}
		if (!k) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(out + o, p + i, k);
		o += k;
		i += k;
	}
	out[o] = '\0';
	r->arena_used += o + 1;
	return out;
}

const char *tl_strf(struct tl_run *r, const char *fmt, ...)
{
	va_list ap;
	size_t room = TL_ARENA - r->arena_used;
	char *out = r->arena + r->arena_used;
	int n;

	if (room < 2)
		return "";
	va_start(ap, fmt);
	n = vsnprintf(out, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return "";
	if ((size_t)n >= room)
		n = (int)room - 1;
	r->arena_used += (size_t)n + 1;
	/* the arguments may hold raw bytes from the evidence */
	if (!tl_utf8_ok(out, (size_t)n))
		return tl_str(r, out, (size_t)n);
	return out;
}

const char *tl_patient_id(struct tl_run *r, const char *ref)
{
	const char *h;
	size_t n;

	if (!ref || !*ref)
		return NULL;
	if (!strncmp(ref, "Patient/", 8))
		ref += 8;
	n = (h = strchr(ref, '/')) ? (size_t)(h - ref) : strlen(ref);
	if (!n)
		return NULL;
	return tl_str(r, ref, n);
}

/* ---- attributes --------------------------------------------------------- */

static void attr_key(struct tl_run *r, const char *key)
{
	cf_buf_putc(&r->attrs, r->attrs.len ? ',' : '{');
	cf_buf_putc(&r->attrs, '"');
	cf_buf_puts(&r->attrs, key); /* keys are ours: plain ASCII */
	cf_buf_puts(&r->attrs, "\":");
}

static void json_escape(struct cf_buf *b, const char *s)
{
	const char *run = s;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p != '"' && *p != '\\' && *p >= 0x20)
			continue;
		cf_buf_append(b, run, (size_t)((const char *)p - run));
		if (*p == '"' || *p == '\\') {
			cf_buf_putc(b, '\\');
			cf_buf_putc(b, (char)*p);
		} else {
			cf_buf_printf(b, "\\u%04x", *p);
		}
		run = (const char *)p + 1;
	}
	cf_buf_puts(b, run);
}

void tl_attr_str(struct tl_run *r, const char *key, const char *val, size_t n)
{
	size_t mark = r->arena_used;
	const char *clean;

	if (!val)
		return;
	clean = tl_str(r, val, n);
	attr_key(r, key);
	cf_buf_putc(&r->attrs, '"');
	json_escape(&r->attrs, clean);
	cf_buf_putc(&r->attrs, '"');
	r->arena_used = mark; /* the copy was only needed for escaping */
}

void tl_attr_int(struct tl_run *r, const char *key, int64_t v)
{
	attr_key(r, key);
	cf_buf_printf(&r->attrs, "%lld", (long long)v);
}

void tl_attr_bool(struct tl_run *r, const char *key, int v)
{
	attr_key(r, key);
	cf_buf_puts(&r->attrs, v ? "true" : "false");
}

void tl_attr_json(struct tl_run *r, const char *key, const cJSON *v)
{
	char *txt;

	if (!v)
		return;
	if (cJSON_IsString(v)) {
		tl_attr_str(r, key, v->valuestring, (size_t)-1);
		return;
	}
	if (!(txt = cJSON_PrintUnformatted(v)))
		return;
	if (tl_utf8_ok(txt, strlen(txt))) {
		attr_key(r, key);
		cf_buf_puts(&r->attrs, txt);
	} else {
		tl_attr_str(r, key, txt, (size_t)-1);
	}
	free(txt);
}

void tl_attr_tz(struct tl_run *r, int off)
{
	int a = off < 0 ? -off : off;

	attr_key(r, "tz");
	if (a >= 0 && a / 3600 < 100) { /* "+hh:mm" by hand: once per event */
		char t[8] = {'"', off < 0 ? '-' : '+', (char)('0' + a / 36000),
			     (char)('0' + a / 3600 % 10), ':',
			     (char)('0' + a / 600 % 6), (char)('0' + a / 60 % 10), '"'};
		cf_buf_append(&r->attrs, t, sizeof t);
		return;
	}
	cf_buf_printf(&r->attrs, "\"%c%02d:%02d\"", off < 0 ? '-' : '+',
		      a / 3600, a / 60 % 60);
}

/* ---- emitting ----------------------------------------------------------- */

int tl_emit(struct tl_run *r, struct cf_event *ev, uint64_t lineno,
	    uint64_t off)
{
	int rc;

	if (r->meta->unverified)
		tl_attr_bool(r, "unverified", 1);
	if (cf_alloc_failures() != r->refused) {
		tl_event_reset(r);
		return cf_set_nomem(r->ctx, "parsing");
	}
	if (r->attrs.len)
		cf_buf_putc(&r->attrs, '}');
	if (!ev->host) /* from collection.json: any bytes a host could hold */
		ev->host = tl_str(r, r->meta->host, (size_t)-1);
	ev->attrs = r->attrs.len ? r->attrs.data : NULL;
	ev->archive = r->meta->archive;
	ev->member = r->meta->member;
	ev->line = lineno;
	ev->offset = off;
	if (!ev->source)
		ev->source = r->parser->name;
	rc = r->sink->event(r->sink->arg, ev);
	r->events++;
	tl_event_reset(r);
	return rc;
}

int tl_reject(struct tl_run *r, uint64_t lineno, uint64_t off,
	      const char *fmt, ...)
{
	char reason[256];
	struct cf_reject rj = {.archive = r->meta->archive,
			       .member = r->meta->member,
			       .line = lineno,
			       .offset = off,
			       .reason = reason};
	va_list ap;

	if (cf_alloc_failures() != r->refused) {
		tl_event_reset(r);
		return cf_set_nomem(r->ctx, "parsing");
	}
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	if (!tl_utf8_ok(reason, strlen(reason)))
		snprintf(reason, sizeof reason, "%s: unparseable line",
			 r->parser->name);
	r->rejects++;
	tl_event_reset(r);
	return r->sink->reject(r->sink->arg, &rj);
}

int tl_patient(struct tl_run *r, struct cf_patient *p, uint64_t lineno)
{
	int rc;

	p->archive = r->meta->archive;
	p->member = r->meta->member;
	p->line = lineno;
	rc = r->sink->patient ? r->sink->patient(r->sink->arg, p) : CF_OK;
	tl_event_reset(r);
	return rc;
}

/* ---- local times --------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int64_t tl_local_to_utc(struct tl_run *r, int64_t local, int64_t after_us)
{
	const struct tl_meta *m = r->meta;
	int64_t frac = local - floor_div(local, CF_US_PER_SEC) * CF_US_PER_SEC;
	int64_t first, second, utc;
	int off, kind;

	if (!m->tz) {
		tl_attr_tz(r, m->tz_offset_s);
		if (!m->tz_known)
			tl_attr_bool(r, "tz_assumed", 1);
		return local - (int64_t)m->tz_offset_s * CF_US_PER_SEC;
	}
	kind = cf_tz_local_to_utc(m->tz, floor_div(local, CF_US_PER_SEC), &first,
				  &off, &second);
	utc = first * CF_US_PER_SEC + frac;
	if (kind == CF_TZ_AMBIGUOUS && utc < after_us &&
	    second * CF_US_PER_SEC + frac >= after_us) {
		utc = second * CF_US_PER_SEC + frac; /* the hour again, after */
		off = (int)((local - utc) / CF_US_PER_SEC);
	}
	tl_attr_tz(r, off);
	tl_attr_str(r, "tz_name", cf_tz_name(m->tz), (size_t)-1);
	if (kind == CF_TZ_AMBIGUOUS)
		tl_attr_bool(r, "tz_ambiguous", 1);
	else if (kind == CF_TZ_GAP)
		tl_attr_bool(r, "tz_gap", 1);
	return utc;
}

/* ---- line splitting ----------------------------------------------------- */

struct splitter {
	struct cf_buf carry;  /* partial line across blocks */
	uint64_t lineno, off; /* next line's number and offset */
	int skipping;         /* inside an over-long line */
	uint64_t skipped;     /* its length so far */
};

static int one_line(struct tl_run *r, struct splitter *sp, const char *s,
		    size_t n)
{
	uint64_t ln = ++sp->lineno, off = sp->off;
	int rc;

	sp->off += n + 1;
	r->lines++;
	if (n && s[n - 1] == '\r')
		n--;
	tl_event_reset(r);
	if (!r->parser->line) { /* a document parser */
		tl_doc_line(&r->doc, s, n, ln, off);
		return CF_OK;
	}
	rc = r->parser->line(r, s, n, ln, off);
	return rc;
}

static int split(struct tl_run *r, struct splitter *sp, const char *p,
		 size_t n)
{
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t take = nl ? (size_t)(nl - p) : n;
		int rc;

		if (!sp->skipping && sp->carry.len + take > TL_LINE_MAX) {
			sp->skipping = 1;
			sp->skipped = sp->carry.len;
			cf_buf_reset(&sp->carry);
		}
		if (sp->skipping) {
			sp->skipped += take;
			if (nl) {
				uint64_t ln = ++sp->lineno, off = sp->off;
				sp->off += sp->skipped + 1;
				r->lines++;
				sp->skipping = 0;
				sp->skipped = 0;
				if ((rc = tl_reject(r, ln, off,
						    "line longer than %u bytes",
						    TL_LINE_MAX)))
					return rc;
			}
		} else if (!nl) {
			if (cf_buf_append(&sp->carry, p, take))
				return cf_set_nomem(r->ctx, "reading lines");
		} else if (sp->carry.len) {
			if (cf_buf_append(&sp->carry, p, take))
				return cf_set_nomem(r->ctx, "reading lines");
			rc = one_line(r, sp, sp->carry.data, sp->carry.len);
			cf_buf_reset(&sp->carry);
			if (rc)
				return rc;
		} else if ((rc = one_line(r, sp, p, take))) {
			return rc;
		}
		if (!nl)
			break;
		p = nl + 1;
		n -= take + 1;
	}
	return CF_OK;
}

static int finish(struct tl_run *r, struct splitter *sp)
{
	int rc = CF_OK;

	if (sp->skipping) {
		rc = tl_reject(r, sp->lineno + 1, sp->off,
			       "line longer than %u bytes", TL_LINE_MAX);
		r->lines++;
	} else if (sp->carry.len) {
		/* last line without a newline */
		rc = one_line(r, sp, sp->carry.data, sp->carry.len);
	}
	cf_buf_release(&sp->carry);
	if (rc == CF_OK && r->parser->document)
		rc = tl_doc_end(r, r->parser->doc_name, r->parser->document);
	if (rc == CF_OK && r->parser->end)
		rc = r->parser->end(r);
	if (rc == CF_OK && r->inservice)
		rc = tl_decisions_end(r);
	if (rc == CF_OK && cf_alloc_failures() != r->refused)
		rc = cf_set_nomem(r->ctx, "parsing");
	return rc;
}

/* Hands a block to the parser: raw to a binary parser, split into lines
 * to a line parser. */
static int feed(struct tl_run *r, struct splitter *sp, const void *p, size_t n)
{
	int rc;

	if (!r->parser->bytes)
		return split(r, sp, p, n);
	rc = r->parser->bytes(r, p, n, sp->off);
	sp->off += n;
	return rc;
}

int tl_run_buffer(struct tl_run *r, const void *buf, size_t len)
{
	struct splitter sp = {0};
	int rc;

	cf_buf_init(&sp.carry);
	if ((rc = feed(r, &sp, buf, len))) {
		cf_buf_release(&sp.carry);
		return rc;
	}
	return finish(r, &sp);
}

int tl_run_stream(struct tl_run *r, const void *head, size_t headlen,
		  tl_read_fn rd, void *arg)
{
	struct splitter sp = {0};
	char *block = NULL;
	long got;
	int rc;

	cf_buf_init(&sp.carry);
	if ((rc = feed(r, &sp, head, headlen)))
		goto out;
	if (rd) {
		if (!(block = cf_malloc(BLOCK))) {
			rc = cf_set_nomem(r->ctx, "reading");
			goto out;
		}
		while ((got = rd(arg, r->ctx, block, BLOCK)) > 0)
			if ((rc = feed(r, &sp, block, (size_t)got)))
				goto out;
		if (got < 0) {
			/* a read error is recorded, the lines before it kept */
			tl_reject(r, sp.lineno + 1, sp.off, "read error: %s",
				  cf_errmsg(r->ctx));
		}
	}
	free(block);
	return finish(r, &sp);
out:
	free(block);
	cf_buf_release(&sp.carry);
	return rc;
}

/* ---- decompression ------------------------------------------------------ */

struct tl_unpack {
	struct archive *a;
	const unsigned char *head;
	size_t headlen, headpos;
	tl_read_fn rd;
	void *arg;
	struct cf_ctx *ctx;
	char *block;
	struct tl_unpack_budget *budget;
	uint64_t packed;   /* compressed bytes handed to libarchive */
	uint64_t out;      /* decompressed bytes handed out */
	int stopped;       /* a limit was reached: every read fails */
};

int tl_is_compressed(const unsigned char *p, size_t n)
{
	return (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) ||
	       (n >= 3 && !memcmp(p, "BZh", 3)) ||
	       (n >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6)) ||
	       (n >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4));
}

const char *tl_foreign_compression(const unsigned char *p, size_t n)
{
	static const struct {
		const char *name, *magic;
		size_t len;
	} tab[] = {
		{"compress (.Z)", "\x1f\x9d", 2},
		{"lrzip", "LRZI", 4},
		{"lz4", "\x04\x22\x4d\x18", 4},
		{"lz4 (legacy)", "\x02\x21\x4c\x18", 4},
		{"lzop", "\x89LZO\0\r\n\x1a\n", 9},
		{"grzip", "GRZipII\0", 8},
		{"lzip", "LZIP", 4},
	};

	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
		if (n >= tab[i].len && !memcmp(p, tab[i].magic, tab[i].len))
			return tab[i].name;
	return NULL;
}

static la_ssize_t unpack_cb(struct archive *a, void *arg, const void **buf)
{
	struct tl_unpack *u = arg;
	long got;

	(void)a;
	if (u->headpos < u->headlen) {
		*buf = u->head + u->headpos;
		got = (long)(u->headlen - u->headpos);
		u->headpos = u->headlen;
		u->packed += (uint64_t)got;
		return got;
	}
	if (!u->rd)
		return 0;
	got = u->rd(u->arg, u->ctx, u->block, BLOCK);
	*buf = u->block;
	if (got > 0)
		u->packed += (uint64_t)got;
	return got < 0 ? -1 : got;
}

int tl_unpack_open(struct cf_ctx *ctx, const void *head, size_t headlen,
		   tl_read_fn rd, void *arg, struct tl_unpack_budget *budget,
		   struct tl_unpack **out)
{
	struct tl_unpack *u;
	struct archive_entry *e;
	int rc;

	*out = NULL;
	if (!(u = cf_calloc(1, sizeof *u)) || !(u->block = cf_malloc(BLOCK))) {
		free(u);
		return cf_set_nomem(ctx, "decompressing");
	}
	u->head = head;
	u->headlen = headlen;
	u->rd = rd;
	u->arg = arg;
	u->ctx = ctx;
	u->budget = budget;
	if (!(u->a = archive_read_new())) {
		tl_unpack_close(u);
		return cf_set_nomem(ctx, "decompressing");
	}
	if ((rc = cf_archive_support_filters(ctx, u->a, CF_FILTERS_LOGS)) != CF_OK) {
		tl_unpack_close(u);
		return rc;
	}
	if (archive_read_support_format_raw(u->a) != ARCHIVE_OK ||
	    archive_read_open(u->a, u, NULL, unpack_cb, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(u->a, &e) != ARCHIVE_OK) {
		cf_set_error(ctx, 0, "cannot decompress: %s",
			     archive_error_string(u->a) ? archive_error_string(u->a)
							: "unknown error");
		tl_unpack_close(u);
		return CF_FAILED;
	}
	*out = u;
	return CF_OK;
}

/* CF_OK when `got` more decompressed bytes stay within the limits, else
 * CF_FAILED with ctx naming the limit (the member stops there). */
static int unpack_within(struct tl_unpack *u, struct cf_ctx *ctx, uint64_t got)
{
	const struct tl_unpack_budget *bg = u->budget;
	uint64_t out = u->out + got;

	if (out > CF_ARCHIVE_RATIO_FREE && out / CF_ARCHIVE_MAX_RATIO > u->packed)
		return cf_set_error(ctx, 0, "decompression stopped after %llu "
				    "bytes: expands beyond %d:1 (%llu compressed "
				    "bytes; possible decompression bomb)",
				    (unsigned long long)u->out,
				    CF_ARCHIVE_MAX_RATIO,
				    (unsigned long long)u->packed);
	if (bg && out > bg->member_max)
		return cf_set_error(ctx, 0, "decompression stopped after %llu "
				    "bytes: limit of %llu decompressed bytes "
				    "per member",
				    (unsigned long long)u->out,
				    (unsigned long long)bg->member_max);
	if (bg && got > bg->build_max - bg->used) /* used <= build_max */
		return cf_set_error(ctx, 0, "decompression stopped after %llu "
				    "bytes: limit of %llu decompressed bytes of "
				    "rotated logs per build reached",
				    (unsigned long long)u->out,
				    (unsigned long long)bg->build_max);
	return CF_OK;
}

long tl_unpack_read(void *arg, struct cf_ctx *ctx, void *buf, size_t n)
{
	struct tl_unpack *u = arg;
	la_ssize_t got;

	if (u->stopped) {
		cf_set_error(ctx, 0, "decompression stopped at a limit");
		return -1;
	}
	got = archive_read_data(u->a, buf, n);
	if (got < 0) {
		cf_set_error(ctx, 0, "decompression error: %s",
			     archive_error_string(u->a));
		return -1;
	}
	if (unpack_within(u, ctx, (uint64_t)got) != CF_OK) {
		u->stopped = 1;
		return -1;
	}
	u->out += (uint64_t)got;
	if (u->budget)
		u->budget->used += (uint64_t)got;
	return (long)got;
}

void tl_unpack_close(struct tl_unpack *u)
{
	if (!u)
		return;
	if (u->a)
		archive_read_free(u->a);
	free(u->block);
	free(u);
}
