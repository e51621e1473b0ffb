/* SPDX-License-Identifier: Apache-2.0
 *
 * `timeline build`: verified evidence archives into the timeline store.
 *
 * Each archive is verified first (cf_archive_verify); one that fails is
 * refused unless the caller allows unverified evidence, whose events then
 * carry "unverified": true. An archive already in the store (same
 * sha256sums digest) adds nothing. Otherwise the archive is read twice more,
 * front to back, never extracted: once for casefile/items.jsonl (category,
 * MIME type and mtime of each member, which comes after the evidence in the
 * archive), once to parse every evidence member with the parser chosen by
 * tl_detect(); compressed rotated logs are decompressed on the fly. The
 * rows of one archive form one transaction, so an interrupted build leaves
 * no half archive behind. The only file written besides the store is the
 * private temporary copy of an MLflow SQLite snapshot, removed at once.
 */
#include <errno.h>
#include <magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/archive.h"
#include "casefile/error.h"
#include "casefile/evidence.h"
#include "casefile/json.h"
#include "casefile/time.h"
#include "build.h"
#include "tl.h"

#define HEAD (64u << 10)

struct item {
	char *member, *category, *mime, *path;
	int64_t mtime_us;
};

struct items {
	struct item *v;
	size_t n, cap;
};

struct sink_state {
	cf_db *db;
	struct cf_ctx *ctx;
	struct tl_build_stats *st;
	const char *parser;
	int failed;
};

/* ---- statistics --------------------------------------------------------- */

static struct tl_parser_count *count_for(struct tl_build_stats *st,
					 const char *name)
{
	/* parsers name their source with a constant: compare pointers first */
	if (st->last_name == name && st->last)
		return st->last;
	for (size_t i = 0; i < st->nparsers; i++)
		if (!strcmp(st->parsers[i].name, name)) {
			st->last_name = name;
			return st->last = &st->parsers[i];
		}
	if (st->nparsers == TL_MAX_PARSERS)
		return &st->parsers[TL_MAX_PARSERS - 1];
	snprintf(st->parsers[st->nparsers].name,
		 sizeof st->parsers[0].name, "%s", name);
	return &st->parsers[st->nparsers++];
}

static int sink_event(void *arg, const struct cf_event *ev)
{
	struct sink_state *s = arg;

	if (cf_db_insert_event(s->db, s->ctx, ev) != CF_OK) {
		s->failed = 1;
		return CF_FAILED;
	}
	s->st->events++;
	count_for(s->st, ev->source)->events++;
	return CF_OK;
}

static int sink_reject(void *arg, const struct cf_reject *r)
{
	struct sink_state *s = arg;

	if (cf_db_insert_reject(s->db, s->ctx, r) != CF_OK) {
		s->failed = 1;
		return CF_FAILED;
	}
	s->st->rejects++;
	count_for(s->st, s->parser)->rejects++;
	return CF_OK;
}

static int sink_patient(void *arg, const struct cf_patient *p)
{
	struct sink_state *s = arg;

	if (cf_db_insert_patient(s->db, s->ctx, p) != CF_OK) {
		s->failed = 1;
		return CF_FAILED;
	}
	s->st->patients++;
	return CF_OK;
}

/* ---- items.jsonl -------------------------------------------------------- */

static void items_free(struct items *it)
{
	for (size_t i = 0; i < it->n; i++) {
		free(it->v[i].member);
		free(it->v[i].category);
		free(it->v[i].mime);
		free(it->v[i].path);
	}
	free(it->v);
	memset(it, 0, sizeof *it);
}

static int items_add_line(struct items *it, const char *s, size_t n)
{
	struct cf_ctx jctx;
	cJSON *o = NULL;
	struct item *x;
	const cJSON *st;
	int tz;

	cf_ctx_init(&jctx);
	if (cf_json_parse(&jctx, s, n, &o) != CF_OK || !cf_json_str(o, "member", NULL)) {
		cJSON_Delete(o);
		return 0; /* the items parser records it as a reject later */
	}
	if (it->n == it->cap) {
		size_t cap = it->cap ? it->cap * 2 : 64;
		struct item *v = cf_realloc(it->v, cap * sizeof *v);
		if (!v) {
			cJSON_Delete(o);
			return -1;
		}
		it->v = v;
		it->cap = cap;
	}
	x = &it->v[it->n];
	memset(x, 0, sizeof *x);
	x->member = cf_strdup(cf_json_str(o, "member", ""));
	if (cf_json_str(o, "category", NULL))
		x->category = cf_strdup(cf_json_str(o, "category", NULL));
	if (cf_json_str(o, "mime", NULL))
		x->mime = cf_strdup(cf_json_str(o, "mime", NULL));
	if (cf_json_str(o, "path", NULL))
		x->path = cf_strdup(cf_json_str(o, "path", NULL));
	st = cJSON_GetObjectItemCaseSensitive(o, "stat");
	if (tl_json_time(cJSON_GetObjectItemCaseSensitive(st ? st : o, "mtime"),
			 &x->mtime_us, &tz))
		x->mtime_us = 0;
	it->n++;
	cJSON_Delete(o);
	return x->member ? 0 : -1;
}

/* Reads casefile/items.jsonl out of the archive (bounded). */
static int items_load(struct cf_ctx *ctx, const char *path, struct items *it)
{
	cf_archive *a = NULL;
	struct cf_member m;
	struct cf_buf b;
	char block[65536];
	long got;
	int rc;

	cf_buf_init(&b);
	b.limit = 256u << 20;
	if ((rc = cf_archive_open(ctx, path, &a)) != CF_OK)
		return rc;
	while ((rc = cf_archive_next(a, ctx, &m)) == CF_OK || rc == CF_WARN) {
		if (strcmp(m.name, CF_MEMBER_ITEMS))
			continue;
		while ((got = cf_archive_read(a, ctx, block, sizeof block)) > 0)
			if (cf_buf_append(&b, block, (size_t)got)) {
				rc = cf_set_error(ctx, errno, "%s: items.jsonl", path);
				goto out;
			}
		if (got < 0) {
			rc = CF_FAILED;
			goto out;
		}
		break;
	}
	rc = CF_OK;
	for (char *p = b.data; p && *p;) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (items_add_line(it, p, n)) {
			rc = cf_set_nomem(ctx, "items.jsonl");
			break;
		}
		p = nl ? nl + 1 : p + n;
	}
out:
	cf_buf_release(&b);
	cf_archive_close(a);
	return rc;
}

static const struct item *item_of(const struct items *it, const char *member)
{
	for (size_t i = 0; i < it->n; i++)
		if (!strcmp(it->v[i].member, member))
			return &it->v[i];
	return NULL;
}

/* ---- members ------------------------------------------------------------ */

struct member_reader {
	cf_archive *a;
};

static long read_member(void *arg, struct cf_ctx *ctx, void *buf, size_t n)
{
	struct member_reader *mr = arg;

	return cf_archive_read(mr->a, ctx, buf, n);
}

/* Fills up to HEAD bytes from rd. */
static long fill_head(tl_read_fn rd, void *arg, struct cf_ctx *ctx,
		      unsigned char *head)
{
	size_t n = 0;
	long got;

	while (n < HEAD && (got = rd(arg, ctx, head + n, HEAD - n)) > 0)
		n += (size_t)got;
	return got < 0 ? -1 : (long)n;
}

/* Copies the rest of an SQLite snapshot to a private temporary file and
 * reads MLflow lineage from it. */
static int mlflow_snapshot(struct tl_run *r, const unsigned char *head, size_t n,
			   tl_read_fn rd, void *arg)
{
	char path[] = "/tmp/casefile-mlflow-XXXXXX";
	const char *tmp = getenv("TMPDIR");
	char *tpl = NULL;
	char block[65536];
	long got;
	int fd, rc = CF_OK;

	if (tmp && *tmp && (tpl = cf_malloc(strlen(tmp) + 32)))
		sprintf(tpl, "%s/casefile-mlflow-XXXXXX", tmp);
	if ((fd = mkstemp(tpl ? tpl : path)) < 0) {
		free(tpl);
		return tl_reject(r, 0, 0, "MLflow store: no temporary file: %s",
				 strerror(errno));
	}
	if (cf_write_all(fd, head, n))
		rc = -1;
	while (rc == CF_OK && (got = rd(arg, r->ctx, block, sizeof block)) > 0)
		if (cf_write_all(fd, block, (size_t)got))
			rc = -1;
	close(fd);
	if (rc == CF_OK)
		rc = tl_mlflow_sqlite(r, tpl ? tpl : path);
	else
		rc = tl_reject(r, 0, 0, "MLflow store: cannot copy the snapshot");
	unlink(tpl ? tpl : path);
	free(tpl);
	return rc;
}

static const char *magic_mime(magic_t mg, const unsigned char *head, size_t n)
{
	return mg ? magic_buffer(mg, head, n) : NULL;
}

static int parse_member(struct tl_builder *b, cf_archive *a,
			const struct cf_member *m, const struct items *it,
			struct tl_meta *meta_base, struct sink_state *ss)
{
	struct member_reader mr = {a};
	struct tl_unpack *u = NULL;
	const struct item *item = item_of(it, m->name);
	unsigned char *head = NULL, *chead = NULL;
	struct tl_meta meta = *meta_base;
	const struct tl_parser *p;
	struct tl_sink sink = {sink_event, sink_reject, sink_patient, ss};
	struct tl_run run;
	tl_read_fn rd = read_member;
	void *rdarg = &mr;
	const char *mime;
	long n;
	int rc = CF_OK, is_sqlite;

	if (!(head = cf_malloc(HEAD)))
		return cf_set_nomem(b->ctx, "reading members");
	if ((n = fill_head(rd, rdarg, b->ctx, head)) < 0) {
		rc = CF_FAILED;
		goto out;
	}
	if (tl_is_compressed(head, (size_t)n)) {
		if (tl_unpack_open(b->ctx, head, (size_t)n, rd, rdarg, &u) != CF_OK) {
			struct cf_reject rj = {meta.archive, m->name, 0, 0,
					       "cannot decompress the member"};
			rc = sink_reject(ss, &rj);
			goto out;
		}
		/* u reads from the compressed head until it is consumed: keep it
		 * alive (chead) and read the plain head into a new buffer */
		chead = head;
		if (!(head = cf_malloc(HEAD))) {
			rc = cf_set_nomem(b->ctx, "decompressing");
			goto out;
		}
		rd = tl_unpack_read;
		rdarg = u;
		if ((n = fill_head(rd, rdarg, b->ctx, head)) < 0) {
			struct cf_reject rj = {meta.archive, m->name, 0, 0,
					       "decompression error"};
			rc = sink_reject(ss, &rj);
			goto out;
		}
	}
	meta.member = m->name;
	meta.category = item ? item->category : NULL;
	meta.path = item ? item->path : NULL;
	if (item && item->mtime_us)
		meta.ref_us = item->mtime_us;
	else if (m->mtime_ns)
		meta.ref_us = m->mtime_ns / 1000;
	mime = item && item->mime ? item->mime : magic_mime(b->magic, head, (size_t)n);
	is_sqlite = n >= 16 && !memcmp(head, "SQLite format 3", 16);
	if (is_sqlite) {
		if (!(meta.category && (!strcmp(meta.category, CF_CAT_MODEL_LINEAGE) ||
					strstr(m->name, "mlflow"))))
			goto out;
		ss->parser = "mlflow";
		b->stats.members++;
		if ((rc = tl_run_init(&run, &tl_mlflow_lineage, &meta, &sink, b->ctx)))
			goto out;
		rc = mlflow_snapshot(&run, head, (size_t)n, rd, rdarg);
		tl_run_release(&run);
		goto out;
	}
	if (!(p = tl_detect(m->name, meta.category, mime, head, (size_t)n))) {
		b->stats.skipped++;
		goto out;
	}
	b->stats.members++;
	ss->parser = p->name;
	if ((rc = tl_run_init(&run, p, &meta, &sink, b->ctx)))
		goto out;
	rc = tl_run_stream(&run, head, (size_t)n, rd, rdarg);
	tl_run_release(&run);
	if (ss->failed && rc == CF_OK)
		rc = CF_FAILED;
out:
	tl_unpack_close(u);
	free(head);
	free(chead);
	return rc;
}

/* ---- archives ----------------------------------------------------------- */

static void meta_from_collection(const cJSON *c, struct tl_meta *m)
{
	const cJSON *host = cJSON_GetObjectItemCaseSensitive(c, "host");
	const cJSON *tz = cJSON_GetObjectItemCaseSensitive(host, "timezone");
	const char *off = cf_json_str(tz, "utc_offset", NULL);
	int dummy;

	m->host = cf_json_str(host, "hostname", NULL);
	if (off && strlen(off) == 6 && (off[0] == '+' || off[0] == '-') && off[3] == ':') {
		int h = (off[1] - '0') * 10 + (off[2] - '0');
		int mi = (off[4] - '0') * 10 + (off[5] - '0');
		if (h >= 0 && h < 24 && mi >= 0 && mi < 60) {
			m->tz_offset_s = (off[0] == '-' ? -1 : 1) * (h * 3600 + mi * 60);
			m->tz_known = 1;
		}
	}
	if (cf_time_parse(cf_json_str(c, "started_at", ""), -1, &m->ref_us, &dummy))
		m->ref_us = cf_time_now();
}

int tl_build_archive(struct tl_builder *b, const char *path,
		     struct tl_archive_result *res)
{
	struct cf_verify_result *vr = NULL;
	struct items it = {0};
	struct tl_meta meta = {0};
	struct sink_state ss = {b->db, b->ctx, &b->stats, "?", 0};
	cf_archive *a = NULL;
	struct cf_member m;
	int rc, has, in_txn = 0;

	memset(res, 0, sizeof *res);
	if ((rc = cf_archive_verify(b->ctx, path, b->keys, b->nkeys, &vr)) != CF_OK)
		return rc;
	res->verified = vr->ok;
	snprintf(res->sha256sums, sizeof res->sha256sums, "%s", vr->sums_hex);
	snprintf(res->signer, sizeof res->signer, "%s", vr->signer);
	if (vr->nproblems)
		snprintf(res->problem, sizeof res->problem, "%s%s%s: %s",
			 vr->problems[0].kind,
			 vr->problems[0].member ? " " : "",
			 vr->problems[0].member ? vr->problems[0].member : "",
			 vr->problems[0].detail ? vr->problems[0].detail : "");
	if (!vr->ok && !b->allow_unverified) {
		res->status = TL_ARCHIVE_REFUSED;
		rc = CF_OK;
		goto out;
	}
	if (!vr->sums_hex[0]) {
		res->status = TL_ARCHIVE_REFUSED;
		snprintf(res->problem, sizeof res->problem,
			 "no SHA256SUMS: the archive has no identity");
		rc = CF_OK;
		goto out;
	}
	if ((has = cf_db_has_archive(b->db, b->ctx, vr->sums_hex)) < 0) {
		rc = CF_FAILED;
		goto out;
	}
	if (has) {
		res->status = TL_ARCHIVE_PRESENT;
		rc = CF_OK;
		goto out;
	}
	meta.archive = res->sha256sums;
	meta.unverified = !vr->ok;
	meta.mapping = b->mapping;
	meta_from_collection(vr->collection, &meta);
	if ((rc = items_load(b->ctx, path, &it)) != CF_OK)
		goto out;
	if ((rc = cf_archive_open(b->ctx, path, &a)) != CF_OK)
		goto out;
	if ((rc = cf_db_begin(b->db, b->ctx)) != CF_OK)
		goto out;
	in_txn = 1;
	{
		uint64_t ev0 = b->stats.events, rj0 = b->stats.rejects;
		while ((rc = cf_archive_next(a, b->ctx, &m)) == CF_OK || rc == CF_WARN) {
			if (rc == CF_WARN || m.type != 0100000 /* AE_IFREG */)
				continue;
			if (strncmp(m.name, CF_EVIDENCE_PREFIX, strlen(CF_EVIDENCE_PREFIX)) &&
			    strcmp(m.name, CF_MEMBER_ITEMS) && strcmp(m.name, CF_MEMBER_LOG))
				continue;
			if ((rc = parse_member(b, a, &m, &it, &meta, &ss)) != CF_OK)
				goto out;
			if (b->progress)
				cf_progress_add(b->progress, 0, 1);
		}
		if (rc != CF_EOF)
			goto out;
		res->events = b->stats.events - ev0;
		res->rejects = b->stats.rejects - rj0;
	}
	{
		struct cf_db_archive rec = {
			.sha256sums = res->sha256sums,
			.path = path,
			.signer = res->signer[0] ? res->signer : NULL,
			.verified = vr->ok,
			.sequence = cf_json_int(vr->collection, "sequence", 0),
			.host = meta.host,
			.built_at = cf_time_now(),
		};
		if ((rc = cf_db_insert_archive(b->db, b->ctx, &rec)) != CF_OK ||
		    (rc = cf_db_commit(b->db, b->ctx)) != CF_OK)
			goto out;
		in_txn = 0;
	}
	res->status = vr->ok ? TL_ARCHIVE_ADDED : TL_ARCHIVE_ADDED_UNVERIFIED;
	rc = CF_OK;
out:
	if (in_txn)
		cf_db_rollback(b->db);
	if (rc != CF_OK)
		cf_error_prefix(b->ctx, "%s", path);
	cf_archive_close(a);
	items_free(&it);
	cf_verify_result_free(vr);
	return rc;
}

int tl_builder_init(struct tl_builder *b, struct cf_ctx *ctx, cf_db *db)
{
	memset(b, 0, sizeof *b);
	b->ctx = ctx;
	b->db = db;
	if ((b->magic = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS)) &&
	    magic_load(b->magic, NULL) != 0) {
		magic_close(b->magic);
		b->magic = NULL; /* detection then relies on content alone */
	}
	return CF_OK;
}

void tl_builder_release(struct tl_builder *b)
{
	if (b->magic)
		magic_close(b->magic);
	b->magic = NULL;
}
