/* SPDX-License-Identifier: Apache-2.0
 *
 * The evidence-archive verifier (SPEC section 4): one streaming pass over an
 * archive, remembering what the checks at the end need; the checks and the
 * result (problems, JSON, chains) are in src/archive_verdict.c.
 *
 * SHA256SUMS and its signature come last in the archive, so every member's
 * digest is computed as it streams by and kept (name, size, 32 bytes, a few
 * flags: about 100 bytes a member, members bounded by
 * CF_ARCHIVE_MAX_MEMBERS, in an open-addressing index by name); the
 * comparisons happen at the end. Only the small metadata members are held
 * whole (collection.json up to 1 MiB, SHA256SUMS up to 64 MiB, the
 * signature, signer.pub); items.jsonl is read line by line. What the pass
 * sees as it goes (member order, unsafe names, pax digests, items.jsonl
 * against each header) is reported on the spot, with a kind, the member
 * concerned and one sentence; the verdict is "no problem at all".
 *
 * It must never extract or write anything, and never trust what the archive
 * says about who signed it: only the keys the caller passes are trusted
 * (signer.pub only names an untrusted signer).
 */
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/archive.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/evidence.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "casefile/progress.h"
#include "archive_verify_int.h"

#define MAX_COLLECTION (1024 * 1024)
#define MAX_SUMS (64 * 1024 * 1024)
#define MAX_SIG 4096
#define MAX_SIGNER (64 * 1024)
#define MAX_ITEM_LINE (1024 * 1024)
/* Member names held at once: all of them together at most MAX_NAME_BYTES
 * (libarchive bounds one at 1 MiB), so that hostile names cannot grow the
 * verifier past a bounded size whatever the pax headers claim; a problem
 * keeps at most CF_PATH_MAX bytes of the name it concerns. */
#define MAX_NAME_BYTES (256u << 20)

/* ---- member index ------------------------------------------------------- */

static size_t hash_name(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return (size_t)h;
}

struct rec *cf_verify_int_find(struct pass *p, const char *name)
{
	size_t i;

	if (!p->tabcap)
		return NULL;
	for (i = hash_name(name) & (p->tabcap - 1); p->tab[i];
	     i = (i + 1) & (p->tabcap - 1))
		if (!strcmp(p->v[p->tab[i] - 1].name, name))
			return &p->v[p->tab[i] - 1];
	return NULL;
}

static int grow_table(struct pass *p)
{
	size_t cap = p->tabcap ? p->tabcap * 2 : 1024, i, j;
	uint32_t *t = cf_calloc(cap, sizeof *t);

	if (!t)
		return -1;
	for (j = 0; j < p->n; j++) {
		for (i = hash_name(p->v[j].name) & (cap - 1); t[i];
		     i = (i + 1) & (cap - 1))
			;
		t[i] = (uint32_t)(j + 1);
	}
	free(p->tab);
	p->tab = t;
	p->tabcap = cap;
	return 0;
}

/* Adds a record for a first occurrence; NULL on no memory. */
static struct rec *add_rec(struct pass *p, const char *name)
{
	struct rec *r;
	size_t i;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		struct rec *v = cf_realloc(p->v, cap * sizeof *v);
		if (!v)
			return NULL;
		p->v = v;
		p->cap = cap;
	}
	r = &p->v[p->n];
	memset(r, 0, sizeof *r);
	r->sums = -1;
	if (!(r->name = cf_strdup(name)))
		return NULL;
	p->n++;
	if ((p->n * 2 > p->tabcap && grow_table(p) < 0))
		return NULL;
	for (i = hash_name(name) & (p->tabcap - 1); p->tab[i];
	     i = (i + 1) & (p->tabcap - 1))
		;
	p->tab[i] = (uint32_t)p->n;
	return r;
}

/* ---- the order of SPEC section 2 ---------------------------------------- */

static const struct {
	const char *name;
	int rank;
} ranks[] = {
	{CF_MEMBER_COLLECTION, 0},
	/* 1: evidence/... and anything else */
	{CF_MEMBER_ITEMS, 2},
	{CF_MEMBER_LOG, 3},
	{CF_MEMBER_SIGNER, 4},
	{CF_MEMBER_SUMS, 5},
	{CF_MEMBER_SIG, 6},
};

static int rank(const char *name)
{
	for (size_t i = 0; i < sizeof ranks / sizeof ranks[0]; i++)
		if (!strcmp(name, ranks[i].name))
			return ranks[i].rank;
	return 1;
}

/* ---- items.jsonl, line by line ------------------------------------------ */

/* The member's header against the original stat items.jsonl records
 * (signed with it): mode with its setuid/setgid bits, owner ids, mtime.
 * An item without a stat vouches for none of them. 0, or -1 on no
 * memory. */
static int check_stat(struct pass *p, struct rec *r, const cJSON *item)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(item, "stat");
	const char *mode = cf_json_str(st, "mode", NULL);
	const char *mt = cf_json_str(st, "mtime_ns", NULL);
	char *end;
	unsigned long m;
	long long ns;

	if (!cJSON_IsObject(st) || !mode)
		return 0;
	m = strtoul(mode, &end, 8);
	if (*end || (m & 07777) != r->mode)
		return cf_verify_int_problem(p->res, "inconsistent-metadata", r->name,
					     "the header gives mode %04o, items.jsonl %.12s",
					     r->mode, mode);
	if (cf_json_int(st, "uid", -1) != r->uid ||
	    cf_json_int(st, "gid", -1) != r->gid)
		return cf_verify_int_problem(p->res, "inconsistent-metadata", r->name,
					     "the header gives owner %lld:%lld, items.jsonl "
					     "%lld:%lld",
					     (long long)r->uid, (long long)r->gid,
					     (long long)cf_json_int(st, "uid", -1),
					     (long long)cf_json_int(st, "gid", -1));
	if (mt) {
		ns = strtoll(mt, &end, 10);
		if (*end || ns != r->mtime_ns)
			return cf_verify_int_problem(p->res, "inconsistent-metadata",
						     r->name,
						     "the header gives mtime %lld ns, "
						     "items.jsonl %.24s",
						     (long long)r->mtime_ns, mt);
	}
	r->stat = 1;
	return 0;
}

static int item_line(struct pass *p, const char *s, size_t len)
{
	struct cf_verify_result *res = p->res;
	struct cf_ctx ctx;
	cJSON *j = NULL;
	const char *member, *sha;
	struct rec *r;
	int rc = 0;

	p->item_line++;
	cf_ctx_init(&ctx);
	if (cf_json_parse(&ctx, s, len, &j) != CF_OK && ctx.err == ENOMEM)
		return -1;
	if (!cJSON_IsObject(j)) {
		rc = cf_verify_int_problem(res, "inconsistent-metadata", CF_MEMBER_ITEMS,
					   "line %zu is not a JSON object", p->item_line);
		goto out;
	}
	member = cf_json_str(j, "member", NULL);
	if (!member)
		goto out; /* an item recorded without content (skipped) */
	if (!(r = cf_verify_int_find(p, member))) {
		rc = cf_verify_int_problem(res, "inconsistent-metadata", member,
					   "items.jsonl line %zu names this member, which "
					   "is not in the archive before items.jsonl",
					   p->item_line);
		goto out;
	}
	if (r->item) {
		rc = cf_verify_int_problem(res, "inconsistent-metadata", member,
					   "items.jsonl describes this member twice (line %zu)",
					   p->item_line);
		goto out;
	}
	r->item = 1;
	sha = cf_json_str(j, "sha256", "");
	if (strlen(sha) != 64 ||
	    cf_unhex(sha, 64, r->item_sha, CF_SHA256_LEN) < 0) {
		r->item = 0;
		rc = cf_verify_int_problem(res, "inconsistent-metadata", member,
					   "items.jsonl line %zu has no valid sha256",
					   p->item_line);
		goto out;
	}
	if ((rc = check_stat(p, r, j)) < 0)
		goto out;
	if (cf_json_int(j, "size", -1) != (int64_t)r->size)
		rc = cf_verify_int_problem(res, "inconsistent-metadata", member,
					   "items.jsonl line %zu gives size %lld, the member "
					   "has %llu bytes",
					   p->item_line, (long long)cf_json_int(j, "size", -1),
					   (unsigned long long)r->size);
out:
	cJSON_Delete(j);
	return rc;
}

static int items_data(struct pass *p, const char *s, size_t n)
{
	while (n) {
		const char *nl = memchr(s, '\n', n);
		size_t k = nl ? (size_t)(nl - s) : n;
		if (p->line.len + k > MAX_ITEM_LINE) {
			/* count the line, report it, drop what remains of it */
			if (cf_verify_int_problem(p->res, "limit", CF_MEMBER_ITEMS,
						  "line %zu is longer than %d bytes",
						  p->item_line + 1, MAX_ITEM_LINE) < 0)
				return -1;
			p->line.len = 0;
			p->skipping = 1;
		} else if (!p->skipping &&
			   cf_buf_append(&p->line, s, k) < 0) {
			return -1;
		}
		if (!nl)
			return 0;
		if (p->skipping)
			p->item_line++;
		else if (item_line(p, p->line.data ? p->line.data : "",
				   p->line.len) < 0)
			return -1;
		p->skipping = 0;
		p->line.len = 0;
		s = nl + 1;
		n -= k + 1;
	}
	return 0;
}

/* ---- the streaming pass ------------------------------------------------- */

/* The buffer to keep a member in, with its limit, or NULL. */
static struct cf_buf *keep(struct pass *p, const char *name, size_t *max)
{
	if (!strcmp(name, CF_MEMBER_COLLECTION))
		return *max = MAX_COLLECTION, &p->collection;
	if (!strcmp(name, CF_MEMBER_SUMS))
		return *max = MAX_SUMS, &p->sums;
	if (!strcmp(name, CF_MEMBER_SIG))
		return *max = MAX_SIG, &p->sig;
	if (!strcmp(name, CF_MEMBER_SIGNER))
		return *max = MAX_SIGNER, &p->signer;
	return NULL;
}

/* Reads the current member's data; -1 when the archive broke (problem
 * added), -2 on no memory. */
static int read_member(struct pass *p, cf_archive *a, struct cf_ctx *ctx,
		       struct rec *r)
{
	struct cf_buf *b;
	size_t max = 0;
	int items = !strcmp(r->name, CF_MEMBER_ITEMS), over = 0;
	const void *d;
	long n;

	b = keep(p, r->name, &max);
	if (items) {
		p->seen_items = 1;
		p->item_line = 0;
		cf_buf_reset(&p->line);
	}
	while ((n = cf_archive_read_block(a, ctx, &d)) > 0) {
		if (b && !over) {
			if (b->len + (size_t)n > max) {
				over = 1;
				if (cf_verify_int_problem(p->res, "limit", r->name,
							  "larger than the %zu bytes allowed",
							  max) < 0)
					return -2;
			} else if (cf_buf_append(b, d, (size_t)n) < 0) {
				return -2;
			}
		}
		if (items && items_data(p, d, (size_t)n) < 0)
			return -2;
		if (items && p->keep_items && !p->items_over) {
			if (p->items.len + (size_t)n > CF_VERIFY_ITEMS_MAX)
				p->items_over = 1;
			else if (cf_buf_append(&p->items, d, (size_t)n) < 0)
				return -2;
		}
		cf_progress_set(p->progress, cf_archive_position(a), p->res->members);
	}
	if (n == 0 && items && (p->line.len || p->skipping))
		if (items_data(p, "\n", 1) < 0) /* a last line without \n */
			return -2;
	if (n < 0 || cf_archive_member_digest(a, ctx, r->digest) != CF_OK) {
		const char *k = cf_archive_error_kind(a);

		if (ctx->err == ENOMEM)
			return -2; /* our failure, not the archive's */
		/* The compressed stream breaks ahead of the tar reader: such a
		 * failure belongs to the stream, not to the member being read. */
		int stream_fault = !k || !strcmp(k, "decompression-error") ||
				   !strcmp(k, "limit");
		if (cf_verify_int_problem(p->res, k ? k : "decompression-error",
					  stream_fault ? NULL : r->name, "%s",
					  cf_errmsg(ctx)) < 0)
			return -2;
		return -1;
	}
	r->hashed = 1;
	return 0;
}

static int check_pax(struct pass *p, const struct rec *r,
		     const struct cf_member *m)
{
	char hex[CF_SHA256_HEX];

	cf_hex(r->digest, CF_SHA256_LEN, hex);
	if (!m->pax_sha256) {
		if (strncmp(r->name, CF_EVIDENCE_PREFIX,
			    strlen(CF_EVIDENCE_PREFIX)))
			return 0;
		return cf_verify_int_problem(p->res, "pax-mismatch", r->name,
					     "the pax header lacks the %s keyword",
					     CF_PAX_SHA256);
	}
	if (strcmp(m->pax_sha256, hex))
		return cf_verify_int_problem(p->res, "pax-mismatch", r->name,
					     "content SHA-256 %s differs from the pax "
					     "header's %.64s",
					     hex, m->pax_sha256);
	return 0;
}

/* Remembers a member in archive order for cf_archive_reopen: its rec's
 * name and digest, or for a repeated member a copy of the name and the
 * digest of its own data. -1 stop, -2 no memory, 0 go on. */
static int remember(struct pass *p, cf_archive *a, struct cf_ctx *ctx,
		    struct rec *r, int first, int safe)
{
	struct cf_seen *sn;

	if (p->nseen == p->seencap) {
		size_t cap = p->seencap ? p->seencap * 2 : 256;
		struct cf_seen *v = cf_realloc(p->seen, cap * sizeof *v);
		if (!v)
			return -2;
		p->seen = v;
		p->seencap = cap;
	}
	sn = &p->seen[p->nseen];
	memset(sn, 0, sizeof *sn);
	if (first) {
		sn->name = r->name;
		memcpy(sn->digest, r->digest, CF_SHA256_LEN);
		sn->hashed = r->hashed;
		p->nseen++;
		return 0;
	}
	if (!(sn->name = cf_strdup(r->name)))
		return -2;
	p->nseen++;
	if (safe && r->regular) {
		if (cf_archive_member_digest(a, ctx, sn->digest) != CF_OK)
			return ctx->err == ENOMEM ? -2 : -1;
		sn->hashed = 1;
	}
	return 0;
}

/* One member: -1 stop (archive broken), -2 no memory, 0 go on. */
static int one_member(struct pass *p, cf_archive *a, struct cf_ctx *ctx,
		      const struct cf_member *m, int code)
{
	struct cf_verify_result *res = p->res;
	struct rec *r = cf_verify_int_find(p, m->name);
	int rk = rank(m->name), safe = 1, rc, first = !r;
	size_t len = strlen(m->name);

	if (first && (p->name_bytes += len + 1) > MAX_NAME_BYTES) {
		if (cf_verify_int_problem(res, "limit", NULL,
					  "member names add up to more than %u bytes",
					  MAX_NAME_BYTES) < 0)
			return -2;
		return -1;
	}

	if (code == CF_WARN) {
		struct cf_ctx c2;
		cf_ctx_init(&c2);
		if (cf_path_check_member(&c2, m->name) != CF_OK ||
		    m->hardlink ||
		    (m->type != AE_IFREG && m->type != AE_IFDIR)) {
			safe = 0;
			if (cf_verify_int_problem(res, "unsafe-name", m->name, "%s",
						  cf_errmsg(ctx)) < 0)
				return -2;
		} else if (m->type == AE_IFDIR) {
			if (cf_verify_int_problem(res, "added-member", m->name,
						  "a directory entry, which SHA256SUMS "
						  "cannot list") < 0)
				return -2;
			safe = 0;
		} else if (cf_verify_int_problem(res, "bad-header", m->name, "%s",
						 cf_errmsg(ctx)) < 0) {
			return -2;
		}
	}
	if (m->hidden &&
	    cf_verify_int_problem(res, "hidden-data", m->name, "%s", m->hidden) < 0)
		return -2;
	if (r) {
		if (cf_verify_int_problem(res, "duplicate-member", m->name,
					  "appears more than once (again at position %llu)",
					  (unsigned long long)m->index + 1) < 0)
			return -2;
	} else {
		if (!(r = add_rec(p, m->name)))
			return -2;
		r->size = m->size;
		r->mode = m->mode;
		r->uid = m->uid;
		r->gid = m->gid;
		r->mtime_ns = m->mtime_ns;
		r->unsafe = !safe;
		r->regular = safe && m->type == AE_IFREG;
		if (rk < p->maxrank &&
		    cf_verify_int_problem(res, "reordered-member", m->name,
					  "out of the evidence format's order "
					  "(collection.json, evidence/, items.jsonl, "
					  "log.jsonl, signer.pub, SHA256SUMS, "
					  "SHA256SUMS.sig)") < 0)
			return -2;
		if (rk > p->maxrank)
			p->maxrank = rk;
	}
	if (!safe || !first) {
		/* nothing verified of an unsafe or repeated member */
		return p->keep_seen ? remember(p, a, ctx, r, first, safe) : 0;
	}
	if ((rc = read_member(p, a, ctx, r)) < 0)
		return rc;
	if (check_pax(p, r, m) < 0)
		return -2;
	return p->keep_seen ? remember(p, a, ctx, r, 1, 1) : 0;
}

static int stream(struct pass *p, struct cf_ctx *ctx, int fd, const char *path)
{
	struct cf_verify_result *res = p->res;
	struct cf_member m;
	cf_archive *a = NULL;
	const char *kind;
	int r, rc;

	if ((r = cf_archive_open_fd(ctx, fd, path, &a, &kind)) != CF_OK) {
		if (r == CF_FATAL)
			return r; /* cannot read the file at all */
		p->broken = 1;
		return cf_verify_int_problem(res, kind ? kind : "bad-format", NULL, "%s",
					     cf_errmsg(ctx)) < 0
			       ? cf_set_nomem(ctx, "verifying")
			       : CF_OK;
	}
	rc = CF_OK;
	for (;;) {
		r = cf_archive_next(a, ctx, &m);
		if (r == CF_EOF)
			break;
		if (r != CF_OK && r != CF_WARN) {
			const char *k = cf_archive_error_kind(a);
			if (ctx->err == ENOMEM) {
				rc = CF_FATAL; /* not a verdict on the archive */
				break;
			}
			if (cf_verify_int_problem(res, k ? k : "bad-header", NULL, "%s",
						  cf_errmsg(ctx)) < 0)
				rc = cf_set_nomem(ctx, "verifying");
			p->broken = 1;
			break;
		}
		res->members++;
		r = one_member(p, a, ctx, &m, r);
		if (r == -2) {
			rc = cf_set_nomem(ctx, "verifying");
			break;
		}
		if (r == -1) {
			p->broken = 1;
			break;
		}
	}
	res->bytes = cf_archive_uncompressed(a);
	cf_progress_set(p->progress, cf_archive_position(a), p->res->members);
	cf_archive_close(a);
	return rc;
}

/* ---- entry points ------------------------------------------------------- */

/* Applies fn (cf_buf_init or cf_buf_release) to each text buffer of the
 * pass: one list, so that a buffer added to struct pass is released too. */
static void pass_bufs(struct pass *p, void (*fn)(struct cf_buf *))
{
	struct cf_buf *const bufs[] = {&p->collection, &p->sums, &p->sig,
				       &p->signer, &p->line, &p->items};

	for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
		fn(bufs[i]);
}

/* The verifier proper, on an open file (not closed here; with
 * CF_VERIFY_KEEP_FD the result keeps own_fd, or a duplicate of fd). */
static int verify_fd(struct cf_ctx *ctx, int fd, int own_fd, const char *path,
		     cf_key *const *trusted, size_t ntrusted, int flags,
		     cf_progress *progress, struct cf_verify_result **out)
{
	struct pass p;
	struct cf_verify_result *res;
	int rc;

	*out = NULL;
	memset(&p, 0, sizeof p);
	pass_bufs(&p, cf_buf_init);
	p.keep_items = !!(flags & CF_VERIFY_KEEP_ITEMS);
	p.keep_seen = !!(flags & CF_VERIFY_KEEP_FD);
	p.progress = progress;
	if (!(res = cf_calloc(1, sizeof *res)) || !(res->path = cf_strdup(path))) {
		if (res)
			res->fd = -1;
		rc = cf_set_nomem(ctx, "verifying");
		goto out;
	}
	res->fd = -1;
	res->ok = 1;
	p.res = res;
	if ((rc = stream(&p, ctx, fd, path)) != CF_OK)
		goto out;
	if (cf_verify_int_after_pass(&p, trusted, ntrusted) < 0) {
		rc = cf_set_nomem(ctx, "verifying");
		goto out;
	}
	res->ok = res->nproblems == 0;
	res->items_too_large = p.items_over;
	if (p.keep_items && p.seen_items && !p.items_over) {
		res->items_len = p.items.len;
		if (!(res->items = cf_buf_detach(&p.items))) {
			rc = cf_set_nomem(ctx, "verifying");
			goto out;
		}
	}
	if (p.keep_seen) {
		if ((res->fd = own_fd ? fd : fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0) {
			rc = cf_set_fatal(ctx, errno, "'%s'", path);
			goto out;
		}
		own_fd = 0;
		/* the names of first occurrences pass to the result with it */
		res->seen = p.seen;
		res->nseen = p.nseen;
		p.seen = NULL;
		p.nseen = 0;
		p.n = 0;
	}
	*out = res;
	res = NULL;
out:
	if (own_fd)
		close(fd);
	for (size_t i = 0; i < p.nseen; i++) {
		struct rec *r = cf_verify_int_find(&p, p.seen[i].name);
		if (!r || r->name != p.seen[i].name)
			free(p.seen[i].name); /* a repeated member's copy */
	}
	free(p.seen);
	for (size_t i = 0; i < p.n; i++)
		free(p.v[i].name);
	free(p.v);
	free(p.tab);
	pass_bufs(&p, cf_buf_release);
	cf_verify_result_free(res);
	return rc;
}

int cf_archive_verify(struct cf_ctx *ctx, const char *path,
		      const struct cf_verify_opts *o,
		      struct cf_verify_result **out)
{
	int fd;

	*out = NULL;
	if (o->flags & CF_VERIFY_OPEN_FD)
		return verify_fd(ctx, o->fd, 0, path, o->trusted, o->ntrusted,
				 o->flags, o->progress, out);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return cf_set_fatal(ctx, errno, "cannot open '%s'", path);
	return verify_fd(ctx, fd, 1, path, o->trusted, o->ntrusted, o->flags,
			 o->progress, out);
}
