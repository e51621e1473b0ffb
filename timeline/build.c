/* SPDX-License-Identifier: Apache-2.0
 *
 * `timeline build`: one verified evidence archive into the timeline store.
 *
 * Each archive is verified first (cf_archive_verify), which also keeps
 * casefile/items.jsonl (category, MIME type and mtime of each member,
 * stored after the evidence in the archive); one that fails is refused
 * unless the caller allows unverified evidence, whose events then carry
 * "unverified": true. An archive already in the store (same sha256sums
 * digest) adds nothing. Otherwise the archive is read once more, front to
 * back, never extracted, from the file descriptor the verification read
 * (never by path again) and bound to it (cf_archive_reopen): a member whose
 * bytes are not those verified, in a file rewritten in place or a FIFO that
 * serves another archive, refuses the whole archive and keeps nothing of
 * it. This file holds that pass: items.jsonl, the choice of a parser for
 * each evidence member (tl_detect(); compressed rotated logs decompressed
 * on the fly, MLflow SQLite snapshots and hosts' SQLite databases), the
 * parsing thread, and the archive's transaction. The rows travel to the store through the
 * parse/insert pipeline of pipe.c; members not parsed and --explain are
 * recorded by explain.c; many archives, verified ahead by threads, go
 * through build_archives.c. The rows of one archive form one unit, rolled
 * back if the archive fails; the store keeps them only when the whole
 * build is kept (src/db.c), so an interrupted build leaves no half archive
 * behind. The only file written besides the store is the private temporary
 * copy of an SQLite snapshot (an MLflow store, a host's database), removed
 * at once.
 */
#include <errno.h>
#include <magic.h>
#include <pthread.h>
#include <stdarg.h>
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
#include "casefile/tz.h"
#include "build.h"
#include "build_int.h"
#include "tl.h"

#define HEAD (64u << 10)

struct item {
	char *member, *category, *mime, *path;
	int64_t mtime_us;
	/* an MLflow lineage.json whose snapshot is in the archive: the
	 * snapshot's member (one source of truth per store), else NULL */
	const char *summary_of;
	int snapshot;  /* kind "sqlite-snapshot", its bytes in the archive */
	char *source;  /* items.jsonl "source" (the profile's source id) */
};

/* A member's name (or a snapshot's original path and source) and its
 * place in items.jsonl: the entries of the sorted indexes below. */
struct item_key {
	const char *a, *b;
	size_t i;
};

struct items {
	struct item *v;
	size_t n, cap;
	/* the items sorted by member name, then by their line: a member is
	 * looked up by binary search, never by a scan of every item (an
	 * archive may hold hundreds of thousands of members) */
	struct item_key *by_name;
};

/* ---- items.jsonl -------------------------------------------------------- */

static void items_free(struct items *it)
{
	for (size_t i = 0; i < it->n; i++) {
		free(it->v[i].member);
		free(it->v[i].category);
		free(it->v[i].mime);
		free(it->v[i].path);
		free(it->v[i].source);
	}
	free(it->v);
	free(it->by_name);
	memset(it, 0, sizeof *it);
}

static int items_add_line(struct items *it, const char *s, size_t n)
{
	struct cf_ctx jctx;
	cJSON *o = NULL;
	struct item *x;
	const cJSON *st;
	unsigned long refused = cf_alloc_failures();
	int tz;

	cf_ctx_init(&jctx);
	if (cf_json_parse(&jctx, s, n, &o) != CF_OK || !cf_json_str(o, "member", NULL)) {
		cJSON_Delete(o);
		if (jctx.err == ENOMEM)
			return -1;
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
	if (cf_json_str(o, "source", NULL))
		x->source = cf_strdup(cf_json_str(o, "source", NULL));
	x->snapshot = !strcmp(cf_json_str(o, "kind", ""), "sqlite-snapshot") &&
		      !cf_json_str(o, "skip_reason", NULL);
	st = cJSON_GetObjectItemCaseSensitive(o, "stat");
	if (tl_json_time(cJSON_GetObjectItemCaseSensitive(st ? st : o, "mtime"),
			 &x->mtime_us, &tz))
		x->mtime_us = 0;
	it->n++;
	cJSON_Delete(o);
	/* a category or path lost for lack of memory would send the member
	 * to the wrong parser */
	return cf_alloc_failures() != refused ? -1 : 0;
}

static int key_cmp(const void *x, const void *y)
{
	const struct item_key *p = x, *q = y;
	int c = strcmp(p->a, q->a);

	if (!c)
		c = strcmp(p->b, q->b);
	return c ? c : (p->i > q->i) - (p->i < q->i);
}

/* The first entry (lowest line) of sorted keys k[0..n) equal to (a, b), or
 * NULL. */
static const struct item_key *key_find(const struct item_key *k, size_t n,
				       const char *a, const char *b)
{
	size_t lo = 0, hi = n;

	while (lo < hi) { /* the first entry not below (a, b) */
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(k[mid].a, a);
		if (!c)
			c = strcmp(k[mid].b, b);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && !strcmp(k[lo].a, a) && !strcmp(k[lo].b, b) ? &k[lo] : NULL;
}

/* The collector's mlflow source writes the store's snapshot and a
 * lineage.json made from it (category model-lineage, kind "derived", the
 * same source id and original path). items.jsonl lists every member before
 * any is parsed, in whatever order or thread: a lineage.json whose snapshot
 * the archive holds is marked as its summary (the first such snapshot in
 * items.jsonl), and not counted. The snapshots are sorted by path and
 * source once, so that this stays linear-logarithmic in the items. */
static int items_link_summaries(struct items *it)
{
	struct item_key *snap = NULL;
	size_t ns = 0;

	for (size_t i = 0; i < it->n; i++)
		if (it->v[i].snapshot && it->v[i].path)
			ns++;
	if (!ns)
		return 0;
	if (!(snap = cf_malloc(ns * sizeof *snap)))
		return -1;
	ns = 0;
	for (size_t i = 0; i < it->n; i++)
		if (it->v[i].snapshot && it->v[i].path)
			snap[ns++] = (struct item_key){it->v[i].path,
						       it->v[i].source ? it->v[i].source : "", i};
	qsort(snap, ns, sizeof *snap, key_cmp);
	for (size_t i = 0; i < it->n; i++) {
		struct item *l = &it->v[i];
		const struct item_key *k;
		if (!l->category || strcmp(l->category, CF_CAT_MODEL_LINEAGE) || !l->path)
			continue;
		if ((k = key_find(snap, ns, l->path, l->source ? l->source : "")))
			l->summary_of = it->v[k->i].member;
	}
	free(snap);
	return 0;
}

/* Sorts the items by member name (then line) for item_of. */
static int items_index(struct items *it)
{
	if (!it->n)
		return 0;
	if (!(it->by_name = cf_malloc(it->n * sizeof *it->by_name)))
		return -1;
	for (size_t i = 0; i < it->n; i++)
		it->by_name[i] = (struct item_key){it->v[i].member, "", i};
	qsort(it->by_name, it->n, sizeof *it->by_name, key_cmp);
	return 0;
}

/* The items of items.jsonl, which the verification pass kept (no second
 * read of the archive to reach it, near the end of the stream). */
static int items_load(struct cf_ctx *ctx, const char *path,
		      const struct cf_verify_result *vr, struct items *it)
{
	const char *p = vr->items, *end = vr->items ? vr->items + vr->items_len : NULL;

	if (vr->items_too_large)
		return cf_set_error(ctx, E2BIG, "%s: items.jsonl", path);
	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (items_add_line(it, p, n))
			return cf_set_nomem(ctx, "items.jsonl");
		p += n + (nl != NULL);
	}
	if (items_link_summaries(it) || items_index(it))
		return cf_set_nomem(ctx, "items.jsonl");
	return CF_OK;
}

/* The first item of items.jsonl that describes member, or NULL. */
static const struct item *item_of(const struct items *it, const char *member)
{
	const struct item_key *k = it->by_name ? key_find(it->by_name, it->n, member, "")
					       : NULL;

	return k ? &it->v[k->i] : NULL;
}

/* ---- members ------------------------------------------------------------ */

struct member_reader {
	cf_archive *a;
	struct tl_builder *b;
};

/* Reads the member, and moves the progress line on by the compressed bytes
 * of the archive consumed so far, as they are read: one large log is most
 * of an archive, and a line that moved only between members would stand
 * still through it. */
static long read_member(void *arg, struct cf_ctx *ctx, void *buf, size_t n)
{
	struct member_reader *mr = arg;
	long got = cf_archive_read(mr->a, ctx, buf, n);

	if (mr->b->progress) {
		uint64_t pos = cf_archive_position(mr->a);
		if (pos > mr->b->progress_pos) {
			cf_progress_add(mr->b->progress, pos - mr->b->progress_pos, 0);
			mr->b->progress_pos = pos;
		}
	}
	return got;
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

/* Copies an SQLite snapshot (head, then the rest of rd) to a private
 * temporary file: its name into *out (the caller unlinks and frees it).
 * CF_OK, or CF_FAILED with ctx saying why (no file, a write or read
 * error). */
static int snapshot_copy(struct cf_ctx *ctx, const unsigned char *head, size_t n,
			 tl_read_fn rd, void *arg, char **out)
{
	const char *tmp = getenv("TMPDIR");
	char block[65536];
	char *tpl;
	long got;
	int fd, rc = CF_OK;

	*out = NULL;
	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (!(tpl = cf_malloc(strlen(tmp) + 32)))
		return cf_set_nomem(ctx, "snapshot copy");
	snprintf(tpl, strlen(tmp) + 32, "%s/casefile-sqlite-XXXXXX", tmp);
	if ((fd = mkstemp(tpl)) < 0) {
		rc = cf_set_error(ctx, errno, "no temporary file");
		free(tpl);
		return rc;
	}
	if (cf_write_all(fd, head, n))
		rc = cf_set_error(ctx, errno, "cannot copy the snapshot");
	while (rc == CF_OK && (got = rd(arg, ctx, block, sizeof block)) > 0)
		if (cf_write_all(fd, block, (size_t)got))
			rc = cf_set_error(ctx, errno, "cannot copy the snapshot");
	if (rc == CF_OK && got < 0)
		rc = CF_FAILED;
	close(fd);
	if (rc != CF_OK) {
		unlink(tpl);
		free(tpl);
		return rc;
	}
	*out = tpl;
	return CF_OK;
}

/* Reads MLflow lineage from a snapshot's private copy. */
static int mlflow_snapshot(struct tl_run *r, const unsigned char *head, size_t n,
			   tl_read_fn rd, void *arg)
{
	char *path;
	int rc;

	if (snapshot_copy(r->ctx, head, n, rd, arg, &path) != CF_OK) {
		if (r->ctx->err == ENOMEM)
			return CF_FATAL;
		return tl_reject(r, 0, 0, "MLflow store: cannot copy the snapshot: %s",
				 cf_errmsg(r->ctx));
	}
	rc = tl_mlflow_sqlite(r, path);
	unlink(path);
	free(path);
	return rc;
}

static const char *magic_mime(magic_t mg, const unsigned char *head, size_t n)
{
	return mg ? magic_buffer(mg, head, n) : NULL;
}

/* Records a reject for a whole member that is not parsed (line 0). */
static int member_reject(struct tl_sink_state *ss, const char *archive,
			 const char *member, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int member_reject(struct tl_sink_state *ss, const char *archive,
			 const char *member, const char *fmt, ...)
{
	char why[512];
	struct cf_reject rj = {archive, member, 0, 0, why};
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	return tl_pipe_reject(ss, &rj);
}

/* An SQLite database that is not an MLflow store (a host application's
 * database): its rows naming patients (sqlitedb.c). One without a table
 * with a patient column is a member not parsed, as before. */
static int host_database(struct tl_builder *b, struct tl_sink_state *ss,
			 const struct tl_meta *meta, const struct tl_sink *sink,
			 const char *member, const char *mime,
			 const unsigned char *head, size_t n, tl_read_fn rd,
			 void *arg, struct tl_explanation *x)
{
	static const char none[] = "an SQLite database that is not an MLflow store "
				   "(category model-lineage or \"mlflow\" in its "
				   "name) and has no table with a patient column";
	struct tl_run run;
	char *path;
	int rc, tables;

	if (x) {
		x->parser = "database";
		return CF_OK;
	}
	if (snapshot_copy(ss->ctx, head, n, rd, arg, &path) != CF_OK) {
		if (ss->ctx->err == ENOMEM)
			return CF_FATAL;
		return member_reject(ss, meta->archive, member, "database: cannot copy "
				     "the snapshot: %s", cf_errmsg(ss->ctx));
	}
	ss->parser = "database";
	if ((rc = tl_run_init(&run, &tl_database, meta, sink, ss->ctx)) == CF_OK) {
		rc = tl_database_sqlite(&run, path, &tables);
		if (rc == CF_OK && tables == 0 && !run.rejects && !run.events)
			rc = tl_not_parsed(b, ss->ctx, member, NULL, mime, meta->category,
					   none);
		else
			b->stats.members++;
		tl_run_release(&run);
	}
	unlink(path);
	free(path);
	return rc;
}

/* A member is parsed from its stream; a compressed rotated log through
 * tl_unpack, charged to the build's budget (b->unpacked). A member
 * compressed with a format casefile does not decode (even inside gzip),
 * or one this libarchive has no built-in decoder for, is a reject naming
 * it, never handed to an external program. A limit reached half-way stops
 * the member with a reject (tl_run_stream): the events before it are kept,
 * as for any read error, since they come from verified bytes. */
static int parse_member(struct tl_builder *b, cf_archive *a,
			const struct cf_member *m, const struct items *it,
			struct tl_meta *meta_base, struct tl_sink_state *ss,
			struct tl_explanation *x)
{
	struct member_reader mr = {a, b};
	struct tl_unpack *u = NULL;
	struct tl_unpack_budget budget = TL_UNPACK_BUDGET_INIT;
	const char *foreign;
	const struct item *item = item_of(it, m->name);
	unsigned char *head = NULL, *chead = NULL;
	struct tl_meta meta = *meta_base;
	const struct tl_parser *p;
	struct tl_sink sink = {tl_pipe_event, tl_pipe_reject, tl_pipe_patient, ss};
	struct tl_run run;
	tl_read_fn rd = read_member;
	void *rdarg = &mr;
	const char *mime;
	struct tl_detect_info info;
	long n;
	int rc = CF_OK, is_sqlite;

	budget.used = b->unpacked;
	if (!(head = cf_malloc(HEAD)))
		return cf_set_nomem(ss->ctx, "reading members");
	if ((n = fill_head(rd, rdarg, ss->ctx, head)) < 0) {
		rc = CF_FAILED;
		goto out;
	}
	if (tl_is_compressed(head, (size_t)n)) {
		ss->parser = "decompress";
		if (x)
			x->compression = tl_compression_name(head, (size_t)n);
		if ((rc = tl_unpack_open(ss->ctx, head, (size_t)n, rd, rdarg,
					 &budget, &u)) != CF_OK) {
			if (ss->ctx->err == ENOMEM)
				goto out;
			if (x) {
				char why[600];
				snprintf(why, sizeof why, "cannot decompress the member: %s",
					 cf_errmsg(ss->ctx));
				rc = tl_explain_reason(x, ss->ctx, why);
				goto out;
			}
			rc = member_reject(ss, meta.archive, m->name,
					   "cannot decompress the member: %s",
					   cf_errmsg(ss->ctx));
			goto out;
		}
		/* u reads from the compressed head until it is consumed: keep it
		 * alive (chead) and read the plain head into a new buffer */
		chead = head;
		if (!(head = cf_malloc(HEAD))) {
			rc = cf_set_nomem(ss->ctx, "decompressing");
			goto out;
		}
		rd = tl_unpack_read;
		rdarg = u;
		if ((n = fill_head(rd, rdarg, ss->ctx, head)) < 0) {
			if (x)
				rc = tl_explain_reason(x, ss->ctx, cf_errmsg(ss->ctx));
			else
				rc = member_reject(ss, meta.archive, m->name, "%s",
						   cf_errmsg(ss->ctx));
			goto out;
		}
	}
	if ((foreign = tl_foreign_compression(head, (size_t)n))) {
		char why[200], type[64];
		snprintf(why, sizeof why, "%scompressed with %s, which casefile does "
			 "not decode (only gzip, bzip2, xz and zstd)",
			 u ? "decompresses to data " : "", foreign);
		snprintf(type, sizeof type, "%s-compressed", foreign);
		if (x) {
			rc = tl_explain_reason(x, ss->ctx, why);
			goto out;
		}
		ss->parser = "decompress";
		if ((rc = tl_not_parsed(b, ss->ctx, m->name, type, NULL, NULL, why)) == CF_OK)
			rc = member_reject(ss, meta.archive, m->name, "%s", why);
		goto out;
	}
	meta.member = m->name;
	meta.category = item ? item->category : NULL;
	meta.path = item ? item->path : NULL;
	if (item && item->mtime_us)
		meta.ref_us = item->mtime_us;
	else if (m->mtime_ns)
		meta.ref_us = m->mtime_ns / 1000;
	mime = item && item->mime ? item->mime : magic_mime(b->magic, head, (size_t)n);
	if (x && mime && !(x->mime = cf_strdup(mime))) {
		rc = cf_set_nomem(ss->ctx, "--explain");
		goto out;
	}
	if (x && mime)
		x->mime_from = item && item->mime ? "items.jsonl" : "libmagic";
	if (item && item->summary_of) {
		char why[600];
		snprintf(why, sizeof why, "summary of %s: the MLflow snapshot's "
			 "events stand for it", item->summary_of);
		if (x) {
			x->parser = NULL;
			rc = tl_explain_reason(x, ss->ctx, why);
		} else {
			rc = tl_not_parsed(b, ss->ctx, m->name, "mlflow-lineage-summary", NULL,
					   NULL, why);
		}
		goto out;
	}
	is_sqlite = n >= 16 && !memcmp(head, "SQLite format 3", 16);
	if (is_sqlite) {
		if (!(meta.category && (!strcmp(meta.category, CF_CAT_MODEL_LINEAGE) ||
					strstr(m->name, "mlflow")))) {
			rc = host_database(b, ss, &meta, &sink, m->name, mime, head,
					   (size_t)n, rd, rdarg, x);
			goto out;
		}
		if (x) {
			x->parser = tl_mlflow_lineage.name;
			goto out;
		}
		ss->parser = "mlflow";
		b->stats.members++;
		if ((rc = tl_run_init(&run, &tl_mlflow_lineage, &meta, &sink, ss->ctx)))
			goto out;
		rc = mlflow_snapshot(&run, head, (size_t)n, rd, rdarg);
		tl_run_release(&run);
		goto out;
	}
	p = tl_detect_explain(m->name, meta.category, mime, head, (size_t)n, &info);
	if (x) {
		x->info = info;
		x->info.line = NULL;
		x->detected = 1;
		x->parser = p ? p->name : NULL;
		if (info.line &&
		    !(x->first_line = cf_strndup(info.line, info.len < 200 ? info.len : 200))) {
			rc = cf_set_nomem(ss->ctx, "--explain");
			goto out;
		}
	}
	if (!p) {
		const char *why = info.content ? info.content
					       : "no parser recognised its first lines";
		rc = x ? tl_explain_reason(x, ss->ctx, why)
		       : tl_not_parsed(b, ss->ctx, m->name, NULL, mime, meta.category, why);
		goto out;
	}
	if (x)
		goto out;
	b->stats.members++;
	ss->parser = p->name;
	if ((rc = tl_run_init(&run, p, &meta, &sink, ss->ctx)))
		goto out;
	rc = tl_run_stream(&run, head, (size_t)n, rd, rdarg);
	tl_run_release(&run);
	if (ss->failed && rc == CF_OK)
		rc = CF_FAILED;
out:
	tl_unpack_close(u);
	b->unpacked = budget.used;
	free(head);
	free(chead);
	return rc;
}

/* ---- archives ----------------------------------------------------------- */

struct producer {
	struct tl_builder *b;
	cf_archive *a;
	const struct items *it;
	struct tl_meta *meta;
	struct tl_sink_state ss;
	struct cf_ctx ctx;
	int rc;
};

/* --explain: the members it names, through parse_member's choices without
 * parsing them. */
static int explain_pass(struct tl_builder *b, cf_archive *a, const struct items *it,
			struct tl_meta *meta)
{
	struct cf_member m;
	struct cf_ctx ctx;
	struct tl_sink_state ss = {NULL, &ctx, &b->stats, "?", 0};
	int rc;

	cf_ctx_init(&ctx);
	while ((rc = cf_archive_next(a, &ctx, &m)) == CF_OK || rc == CF_WARN) {
		const struct item *item;
		struct tl_explanation *x;
		if (rc == CF_WARN || m.type != 0100000 /* AE_IFREG */)
			continue;
		if (strncmp(m.name, CF_EVIDENCE_PREFIX, strlen(CF_EVIDENCE_PREFIX)) &&
		    strcmp(m.name, CF_MEMBER_ITEMS) && strcmp(m.name, CF_MEMBER_LOG))
			continue;
		item = item_of(it, m.name);
		if (!tl_explained(b, m.name, item ? item->path : NULL))
			continue;
		if (!(x = tl_explanation_new(b, &ctx, m.name, item ? item->path : NULL,
					     item ? item->category : NULL)) ||
		    (rc = parse_member(b, a, &m, it, meta, &ss, x)) != CF_OK) {
			rc = CF_FATAL;
			break;
		}
	}
	if (rc == CF_EOF)
		return CF_OK;
	return cf_set_error(b->ctx, ctx.err, "%s", ctx.msg[0] ? cf_errmsg(&ctx)
							     : "reading the archive");
}

/* The parse pass over every evidence member, in its own thread. */
static void *produce(void *arg)
{
	struct producer *pr = arg;
	struct cf_member m;
	int rc;

	while ((rc = cf_archive_next(pr->a, &pr->ctx, &m)) == CF_OK || rc == CF_WARN) {
		if (rc == CF_WARN || m.type != 0100000 /* AE_IFREG */)
			continue;
		if (strncmp(m.name, CF_EVIDENCE_PREFIX, strlen(CF_EVIDENCE_PREFIX)) &&
		    strcmp(m.name, CF_MEMBER_ITEMS) && strcmp(m.name, CF_MEMBER_LOG))
			continue;
		if ((rc = parse_member(pr->b, pr->a, &m, pr->it, pr->meta, &pr->ss,
				       NULL)) != CF_OK)
			break;
		if (pr->b->progress) { /* and the bytes read past the member */
			uint64_t pos = cf_archive_position(pr->a);
			cf_progress_add(pr->b->progress, pos > pr->b->progress_pos ?
					pos - pr->b->progress_pos : 0, 1);
			pr->b->progress_pos = pos;
		}
	}
	pr->rc = rc == CF_EOF ? CF_OK : (rc == CF_OK ? CF_FAILED : rc);
	if (pr->rc != CF_OK && !pr->ctx.msg[0])
		cf_set_error(&pr->ctx, 0, "parsing stopped: the store failed");
	tl_pipe_finish(pr->ss.pp);
	return NULL;
}

/* The host facts of collection.json into m. The zone's rules are read from
 * the tz database when its name is there (m->tz, freed by the caller with
 * cf_tz_free); a zone this machine does not know leaves the offset only.
 * CF_OK, or CF_FATAL when memory runs out. */
static int meta_from_collection(struct cf_ctx *ctx, const cJSON *c,
				struct tl_meta *m)
{
	const cJSON *host = cJSON_GetObjectItemCaseSensitive(c, "host");
	const cJSON *tz = cJSON_GetObjectItemCaseSensitive(host, "timezone");
	const char *off = cf_json_str(tz, "utc_offset", NULL);
	const char *zone = cf_json_str(tz, "name", NULL);
	struct cf_tz *rules = NULL;
	struct cf_ctx tzctx;
	int dummy;

	cf_ctx_init(&tzctx);
	if (zone && cf_tz_load(&tzctx, zone, &rules) == CF_FATAL)
		return cf_set_nomem(ctx, "time zone");
	m->tz = rules;

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
	return CF_OK;
}

int tl_build_archive(struct tl_builder *b, const char *path,
		     struct tl_archive_result *res)
{
	struct cf_verify_result *vr = NULL;
	int rc;

	memset(res, 0, sizeof *res);
	if ((rc = cf_archive_verify(b->ctx, path,
		&(struct cf_verify_opts){
			.trusted = b->keys,
			.ntrusted = b->nkeys,
			.flags = TL_VERIFY_FLAGS}, &vr)) != CF_OK)
		return rc;
	return tl_build_verified(b, path, vr, res);
}

int tl_build_verified(struct tl_builder *b, const char *path,
		      struct cf_verify_result *vr, struct tl_archive_result *res)
{
	struct items it = {0};
	struct tl_meta meta = {0};
	cf_archive *a = NULL;
	struct tl_pipe pp;
	struct producer pr = {0};
	int rc, has, in_txn = 0, piped = 0;

	memset(res, 0, sizeof *res);
	b->progress_pos = 0; /* a fresh archive, read from its start */
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
	if (b->nexplain) { /* explain, write nothing */
		meta.archive = res->sha256sums;
		meta.sshd = b->sshd;
		b->archive_path = path;
		if ((rc = meta_from_collection(b->ctx, vr->collection, &meta)) == CF_OK &&
		    (rc = items_load(b->ctx, path, vr, &it)) == CF_OK &&
		    (rc = cf_archive_reopen(b->ctx, vr, &a)) == CF_OK)
			rc = explain_pass(b, a, &it, &meta);
		b->archive_path = NULL;
		if (rc == CF_OK)
			res->status = vr->ok ? TL_ARCHIVE_ADDED : TL_ARCHIVE_ADDED_UNVERIFIED;
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
	meta.sshd = b->sshd;
	if ((rc = meta_from_collection(b->ctx, vr->collection, &meta)) != CF_OK ||
	    (rc = items_load(b->ctx, path, vr, &it)) != CF_OK)
		goto out;
	/* the very file verified, each member bound to the bytes verified */
	if ((rc = cf_archive_reopen(b->ctx, vr, &a)) != CF_OK)
		goto out;
	if ((rc = cf_db_begin(b->db, b->ctx)) != CF_OK)
		goto out;
	in_txn = 1;
	{
		uint64_t ev0 = b->stats.events, rj0 = b->stats.rejects;
		pthread_t th;
		if (tl_pipe_init(&pp)) {
			rc = cf_set_nomem(b->ctx, "building");
			goto out;
		}
		piped = 1;
		cf_ctx_init(&pr.ctx);
		pr.b = b;
		pr.a = a;
		pr.it = &it;
		pr.meta = &meta;
		pr.ss.pp = &pp;
		pr.ss.ctx = &pr.ctx;
		pr.ss.st = &b->stats;
		pr.ss.parser = "?";
		if (pthread_create(&th, NULL, produce, &pr)) {
			rc = cf_set_error(b->ctx, 0, "cannot start the parsing thread");
			goto out;
		}
		rc = tl_pipe_consume(&pp, b->db, b->ctx);
		pthread_join(th, NULL);
		if (rc != CF_OK)
			goto out;
		if (pr.rc != CF_OK && cf_archive_error_kind(a) &&
		    !strcmp(cf_archive_error_kind(a), CF_KIND_CHANGED)) {
			/* Not the archive verified: nothing of it is kept
			 * (the rollback below), and it is refused as
			 * tampered evidence. */
			res->status = TL_ARCHIVE_REFUSED;
			res->verified = 0;
			snprintf(res->problem, sizeof res->problem, "%s: %s",
				 CF_KIND_CHANGED, cf_errmsg(&pr.ctx));
			rc = CF_OK;
			goto out;
		}
		if (pr.rc != CF_OK) {
			rc = pr.rc;
			cf_set_error(b->ctx, pr.ctx.err, "%s", cf_errmsg(&pr.ctx));
			goto out;
		}
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
	if (piped)
		tl_pipe_release(&pp);
	cf_archive_close(a);
	items_free(&it);
	cf_tz_free((struct cf_tz *)meta.tz);
	cf_verify_result_free(vr);
	return rc;
}

int tl_builder_init(struct tl_builder *b, struct cf_ctx *ctx, cf_db *db)
{
	int rc;

	memset(b, 0, sizeof *b);
	b->ctx = ctx;
	b->db = db;
	if ((rc = tl_sshd_new(ctx, &b->sshd)) != CF_OK)
		return rc;
	if ((b->magic = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS)) &&
	    magic_load(b->magic, NULL) != 0) {
		magic_close(b->magic);
		b->magic = NULL; /* detection then relies on content alone */
	}
	return CF_OK;
}

void tl_builder_release(struct tl_builder *b)
{
	tl_explain_release(b);
	tl_sshd_free(b->sshd);
	b->sshd = NULL;
	if (b->magic)
		magic_close(b->magic);
	b->magic = NULL;
}
