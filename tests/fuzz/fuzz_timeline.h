/* SPDX-License-Identifier: Apache-2.0
 *
 * What the timeline fuzz targets share: a sink that checks every result a
 * parser hands over as the store requires it (every string valid UTF-8,
 * every attribute set a JSON object, every reject with a reason, every
 * patient with an id; a violation aborts), and one call that runs a parser
 * over the input with it. fuzz_timeline.c reaches every parser through one
 * target; each fuzz_log_<format>.c fuzzes one parser on its own, so that
 * its coverage is not diluted by the others.
 *
 * A parser's behaviour also depends on what is known about the member
 * (struct tl_meta): the host's UTC offset, the reference time that dates
 * year-less lines, the items.jsonl category, a user field mapping. In the
 * focused targets the first input byte chooses one of eight such
 * descriptions, the extremes included (offsets of +-23:59, reference times
 * at the ends of what a pax header can claim), all of them values that
 * build.c can hand over. Seeds start with a digit '0'..'7' to stay text.
 * Header-only: each target is one program.
 */
#ifndef CASEFILE_FUZZ_TIMELINE_H
#define CASEFILE_FUZZ_TIMELINE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/error.h"
#include "casefile/evidence.h"
#include "../../timeline/tl.h"

#define FUZZ_TL_METAS 8

static inline int fuzz_tl_on_event(void *arg, const struct cf_event *e)
{
	const char *f[] = {e->source, e->host, e->actor, e->actor_role,
			   e->action, e->outcome, e->patient, e->resource,
			   e->src_ip, e->model, e->model_version, e->decision,
			   e->message, e->attrs};
	(void)arg;
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		if (f[i] && !tl_utf8_ok(f[i], strlen(f[i])))
			abort();
	if (e->attrs) {
		cJSON *j = cJSON_Parse(e->attrs);
		if (!cJSON_IsObject(j))
			abort();
		cJSON_Delete(j);
	}
	return 0;
}

static inline int fuzz_tl_on_reject(void *arg, const struct cf_reject *r)
{
	(void)arg;
	if (!r->reason || !tl_utf8_ok(r->reason, strlen(r->reason)))
		abort();
	return 0;
}

static inline int fuzz_tl_on_patient(void *arg, const struct cf_patient *p)
{
	(void)arg;
	if (!p->id || !tl_utf8_ok(p->id, strlen(p->id)) ||
	    (p->state && !tl_utf8_ok(p->state, strlen(p->state))))
		abort();
	return 0;
}

/* The member descriptions the focused targets choose from; [0] is the one
 * fuzz_timeline.c always uses. The mappings are what tl_mapping_load()
 * accepts: any paths, kind and name optional. */
static inline const struct tl_meta *fuzz_tl_meta(unsigned i)
{
	/* a pax mtime saturates at this many seconds (src/archive.c) */
#define FUZZ_TL_PAX_MAX ((INT64_MAX / 1000000000 - 1) * 1000000)
	static const struct tl_mapping decisions = {
		.name = "scorer", .kind = "decisions",
		.fields = {
			[TL_F_TIME] = {"ts", "request.time"},
			[TL_F_MODEL] = {"model.name", "model"},
			[TL_F_MODEL_VERSION] = {"model.version"},
			[TL_F_DECISION] = {"result.label", "output"},
			[TL_F_SCORE] = {"result.score"},
			[TL_F_PATIENT] = {"subject.reference", "patient"},
			[TL_F_ACTOR] = {"requester"},
		},
	};
	static const struct tl_mapping events = {
		.name = "app", .kind = "events", .success = "ok",
		.fields = {
			[TL_F_TIME] = {"when", "event.created"},
			[TL_F_ACTOR] = {"who.name", "who"},
			[TL_F_ACTOR_ROLE] = {"who.role"},
			[TL_F_ACTION] = {"what"},
			[TL_F_OUTCOME] = {"status"},
			[TL_F_SRC_IP] = {"net.ip"},
			[TL_F_HOST] = {"node"},
			[TL_F_MESSAGE] = {"text"},
		},
	};
	static const struct tl_mapping odd = {
		.fields = {
			[TL_F_TIME] = {"t", "t..", ".", ""},
			[TL_F_ACTOR] = {"a.b.c.d.e.f.g.h"},
			[TL_F_PATIENT] = {"."},
			[TL_F_SCORE] = {"s"},
			[TL_F_OUTCOME] = {"o"},
		},
	};
	static const struct tl_meta m[FUZZ_TL_METAS] = {
		{.archive = "00", .member = "evidence/x",
		 .ref_us = 1772323200000000LL, .tz_known = 1},
		{.archive = "01", .member = "evidence/paths/var/log/auth.log",
		 .category = CF_CAT_AUTH_LOG, .host = "web01",
		 .ref_us = 1772323200000000LL, .tz_offset_s = 19800,
		 .tz_known = 1, .unverified = 1},
		{.archive = "02", .member = "evidence/x/decisions.jsonl",
		 .category = CF_CAT_MODEL_DECISION,
		 .ref_us = 1767227400000000LL}, /* 2026-01-01T00:30Z */
		{.archive = "03", .member = "evidence/x", .mapping = &decisions,
		 .ref_us = 1772323200000000LL, .tz_offset_s = -28800,
		 .tz_known = 1},
		{.archive = "04", .member = "evidence/x", .mapping = &events,
		 .ref_us = FUZZ_TL_PAX_MAX, .tz_offset_s = -86340,
		 .tz_known = 1},
		{.archive = "05", .member = "evidence/x",
		 .category = CF_CAT_SYSTEM_LOG, .ref_us = -FUZZ_TL_PAX_MAX,
		 .tz_offset_s = 86340, .tz_known = 1},
		{.archive = "06", .member = "evidence/x",
		 .category = CF_CAT_ACCESS_LOG, .host = "h\xc3\xb4te\xff",
		 .ref_us = -1},
		{.archive = "07", .member = "evidence/x.csv", .mapping = &odd,
		 .tz_known = 1},
	};
#undef FUZZ_TL_PAX_MAX
	return &m[i % FUZZ_TL_METAS];
}

/* Runs parser p over the bytes as member m, checking every result. */
static inline int fuzz_tl_run(const struct tl_parser *p,
			      const struct tl_meta *m, const uint8_t *data,
			      size_t size)
{
	/* compiled once for the process, as a build compiles them once */
	static struct tl_sshd *sshd;
	struct tl_sink s = {fuzz_tl_on_event, fuzz_tl_on_reject,
			    fuzz_tl_on_patient, NULL};
	struct tl_meta mm = *m;
	struct tl_run r;
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	if (!sshd && tl_sshd_new(&ctx, &sshd) != CF_OK)
		return 0;
	mm.sshd = sshd;
	if (tl_run_init(&r, p, &mm, &s, &ctx) != CF_OK)
		return 0;
	tl_run_buffer(&r, data, size);
	tl_run_release(&r);
	return 0;
}

/* A focused target: the first byte chooses the member's description, the
 * rest is the member. */
static inline int fuzz_tl_parser(const struct tl_parser *p,
				 const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	return fuzz_tl_run(p, fuzz_tl_meta(data[0]), data + 1, size - 1);
}

#endif
