/* SPDX-License-Identifier: Apache-2.0
 *
 * The collector: the state one collection shares between its sources (see
 * collector.h), kept apart from the run loop so that a source's runner
 * needs nothing but this toolkit, items.c and walk.c, and never the loop
 * that calls it.
 *
 * Paths are walked one component at a time from the root with
 * openat(O_NOFOLLOW): no symlink is ever followed, neither at the end of a
 * path nor in the middle, so a collection under --root never leaves the
 * tree it was given (an absolute symlink in a disk image points at the
 * image's host, not ours). Owner names come from the collected host's
 * /etc/passwd and /etc/group, not from NSS on the collecting machine.
 * items.jsonl and log.jsonl are spooled to unlinked temporary files while
 * the collection runs, so memory does not grow with the number of items.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/evidence.h"
#include "casefile/json.h"
#include "casefile/strset.h"
#include "casefile/time.h"
#include "casefile/utf8.h"
#include "collector.h"

#define MEM_MAX (4u << 20)     /* files up to this size are held in memory */
#define PEND_MAX 64            /* items.jsonl entries held back at most */

/* ==== uid/gid names ====================================================== */

struct idname {
	long id;
	char *name;
};

struct idmap {
	struct idname *u, *g;
	size_t nu, ng;
};

static void idmap_release(struct idmap *m)
{
	for (size_t i = 0; i < m->nu; i++)
		free(m->u[i].name);
	for (size_t i = 0; i < m->ng; i++)
		free(m->g[i].name);
	free(m->u);
	free(m->g);
	memset(m, 0, sizeof *m);
}

/* Owner names go into pax headers, which are UTF-8: a name from the
 * host's /etc/passwd that is not (one planted line) would stop every
 * file of that owner from being archived, so it is kept escaped
 * (cf_utf8_escape). */
static int idmap_add(struct idname **v, size_t *n, long id, const char *name)
{
	struct idname *nv;

	if (*n >= 65536)
		return 0;
	if (!(nv = cf_realloc(*v, (*n + 1) * sizeof *nv)))
		return -1;
	*v = nv;
	if (!(nv[*n].name = cf_utf8_invalid(name, strlen(name)) < 0 ? cf_strdup(name)
								 : cf_utf8_escape(name)))
		return -1;
	nv[*n].id = id;
	(*n)++;
	return 0;
}

static const char *idmap_find(const struct idname *v, size_t n, long id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].id == id)
			return v[i].name;
	return NULL;
}

/* ==== the collector ====================================================== */

struct cf_collector {
	struct cf_ctx *ctx;
	char *root;              /* normalised --root, NULL for "/" */
	const volatile sig_atomic_t *stop;
	cf_ewriter *w;
	cf_reader *r;
	int items_fd, log_fd;
	cf_sha256 *items_h, *log_h;
	uint64_t items_len, log_len;
	struct cf_buf line;
	struct idmap ids;
	cf_progress *prog;
	struct cf_strset seen;   /* names taken in this source */
	struct cf_collect_counts counts;
	/* items.jsonl entries held back, in order, until the oldest one's
	 * type is known (reader.c types on a thread of its own) */
	struct pend {
		cJSON *j;
		int slot, fill;
	} pend[PEND_MAX];
	size_t phead, npend, ntyped;
};

const char *cf_collector_root(const struct cf_collector *c)
{
	return c->root;
}

cf_reader *cf_collector_reader(struct cf_collector *c)
{
	return c->r;
}

cf_ewriter *cf_collector_writer(struct cf_collector *c)
{
	return c->w;
}

cf_progress *cf_collector_progress(struct cf_collector *c)
{
	return c->prog;
}

struct cf_collect_counts *cf_collector_counts(struct cf_collector *c)
{
	return &c->counts;
}

int cf_collector_stopped(const struct cf_collector *c)
{
	return c->stop ? (int)*c->stop : 0;
}

int cf_collector_take_name(struct cf_collector *c, const char *s)
{
	return cf_strset_add(&c->seen, s);
}

void cf_collector_next_source(struct cf_collector *c)
{
	cf_strset_release(&c->seen);
}

char *cf_real_path(struct cf_collector *c, const char *host_path)
{
	struct cf_buf b;

	if (!c->root)
		return cf_strdup(host_path);
	cf_buf_init(&b);
	if (cf_buf_printf(&b, "%s%s", c->root, host_path) < 0)
		return NULL;
	return cf_buf_detach(&b);
}

int cf_open_dir_nofollow(struct cf_collector *c, const char *dir)
{
	const int fl = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	char *copy, *p, *save = NULL;
	int fd, e;

	if ((fd = open(c->root ? c->root : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	if (!(copy = cf_strdup(dir))) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	for (p = strtok_r(copy, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		int nfd = openat(fd, p, fl);
		e = errno;
		close(fd);
		if (nfd < 0) {
			free(copy);
			errno = e == ELOOP ? ENOTDIR : e;
			return -1;
		}
		fd = nfd;
	}
	free(copy);
	return fd;
}

void cf_collector_meta(struct cf_collector *c, const struct stat *st,
		       struct cf_member_meta *m)
{
	if (st) {
		m->mtime_s = st->st_mtim.tv_sec;
		m->mtime_ns = st->st_mtim.tv_nsec;
		m->mode = st->st_mode & 07777;
		m->uid = st->st_uid;
		m->gid = st->st_gid;
	} else {
		/* Members casefile makes: now, 0644, the collecting user. */
		int64_t now = cf_time_now();

		m->mtime_s = now / CF_US_PER_SEC;
		m->mtime_ns = (long)(now % CF_US_PER_SEC) * 1000;
		m->mode = 0644;
		m->uid = geteuid();
		m->gid = getegid();
	}
	m->uname = idmap_find(c->ids.u, c->ids.nu, (long)m->uid);
	m->gname = idmap_find(c->ids.g, c->ids.ng, (long)m->gid);
}

/* ==== items.jsonl and log.jsonl ========================================== */

static int spool_line(struct cf_collector *c, int fd, cf_sha256 *h,
		      uint64_t *len, cJSON *j)
{
	struct cf_ctx *ctx = c->ctx;

	cf_buf_reset(&c->line);
	if (cf_json_append_line(&c->line, j) < 0)
		return cf_set_nomem(ctx, "items");
	if (cf_write_all(fd, c->line.data, c->line.len) < 0)
		return cf_set_fatal(ctx, errno, "cannot write a temporary file in '%s'",
				    cf_ewriter_dir(c->w));
	*len += c->line.len;
	return cf_sha256_update(h, ctx, c->line.data, c->line.len);
}

int cf_collect_log(struct cf_collector *c, const char *level, const char *event,
		   const char *source, const char *message, cJSON *extra)
{
	cJSON *j = cJSON_CreateObject();
	int rc;

	if (!j || cf_json_add_time(j, "time", cf_time_now()) ||
	    cf_json_add_str(j, "level", level) || cf_json_add_str(j, "event", event) ||
	    (source && cf_json_add_str(j, "source", source)) ||
	    (message && cf_json_add_str(j, "message", message))) {
		cJSON_Delete(j);
		cJSON_Delete(extra);
		return cf_set_nomem(c->ctx, "log");
	}
	if (extra) {
		cJSON *it;
		/* a field that cannot be moved ends the line: a log line must
		 * not silently lack what the caller put in it */
		while ((it = extra->child)) {
			cJSON_DetachItemViaPointer(extra, it);
			if (cf_json_add_item(j, it->string, it)) {
				cJSON_Delete(extra);
				cJSON_Delete(j);
				return cf_set_nomem(c->ctx, "log");
			}
		}
		cJSON_Delete(extra);
	}
	rc = spool_line(c, c->log_fd, c->log_h, &c->log_len, j);
	cJSON_Delete(j);
	return rc;
}

/* Puts value in j's string field key, where it is (key order is kept). */
static int set_str(cJSON *j, const char *key, const char *value)
{
	cJSON *n = cJSON_CreateString(value);

	if (!n)
		return -1;
	if (!cJSON_ReplaceItemInObjectCaseSensitive(j, key, n)) {
		cJSON_Delete(n);
		return -1;
	}
	return 0;
}

/* Writes the oldest entry held back, once its type is known. */
static int flush_one(struct cf_collector *c)
{
	struct pend p = c->pend[c->phead];
	int rc = CF_OK;

	c->phead = (c->phead + 1) % PEND_MAX;
	c->npend--;
	if (p.slot >= 0) {
		char mime[128], desc[256];
		cf_reader_type_wait(c->r, p.slot, mime, desc);
		c->ntyped--;
		if (p.fill && (set_str(p.j, "mime", mime) || set_str(p.j, "description", desc)))
			rc = cf_set_nomem(c->ctx, "items");
	}
	if (rc == CF_OK)
		rc = spool_line(c, c->items_fd, c->items_h, &c->items_len, p.j);
	cJSON_Delete(p.j);
	return rc;
}

/* Writes held-back entries until at most keep_typed of them wait for a
 * type and keep in all. When an entry is written depends only on these
 * counts, never on how far the typing thread has got, so a run makes the
 * same calls in the same order every time (fault sweeps rely on it). */
static int flush(struct cf_collector *c, size_t keep_typed, size_t keep)
{
	int rc = CF_OK;

	while (rc == CF_OK && c->npend &&
	       (c->pend[c->phead].slot < 0 || c->ntyped > keep_typed || c->npend > keep))
		rc = flush_one(c);
	return rc;
}

int cf_collect_item_typed(struct cf_collector *c, cJSON *j, int slot, int fill)
{
	struct pend *p;
	int rc;

	if (cf_json_add_time(j, "collected_at", cf_time_now())) {
		cJSON_Delete(j);
		if (slot >= 0)
			cf_reader_type_wait(c->r, slot, NULL, NULL);
		return cf_set_nomem(c->ctx, "items");
	}
	cf_progress_add(c->prog, 0, 1);
	if (slot < 0 && !c->npend) {
		rc = spool_line(c, c->items_fd, c->items_h, &c->items_len, j);
		cJSON_Delete(j);
		return rc;
	}
	p = &c->pend[(c->phead + c->npend++) % PEND_MAX];
	p->j = j;
	p->slot = slot;
	p->fill = fill;
	if (slot >= 0)
		c->ntyped++;
	/* one slot stays free for the next file, one for cf_reader_magic */
	return flush(c, CF_TYPE_SLOTS - 2, PEND_MAX - 1);
}

int cf_collect_item(struct cf_collector *c, cJSON *j)
{
	return cf_collect_item_typed(c, j, -1, 0);
}

/* ==== opening and finishing ============================================== */

/* Reads ROOT/etc/passwd and ROOT/etc/group without following symlinks, so
 * that owner names are those of the host the evidence comes from. Missing
 * files leave names empty (the numeric ids are always recorded). */
static int idmap_load(struct cf_collector *c)
{
	static const char *const files[] = {"passwd", "group"};
	int dfd = cf_open_dir_nofollow(c, "/etc");

	if (dfd < 0)
		return CF_OK;
	for (int k = 0; k < 2; k++) {
		int fd = openat(dfd, files[k], O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
		int bad = 0;

		if (!f) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		if (k == 0) {
			struct passwd *pw;
			while (!bad && (pw = fgetpwent(f)))
				bad = idmap_add(&c->ids.u, &c->ids.nu, (long)pw->pw_uid,
						pw->pw_name);
		} else {
			struct group *gr;
			while (!bad && (gr = fgetgrent(f)))
				bad = idmap_add(&c->ids.g, &c->ids.ng, (long)gr->gr_gid,
						gr->gr_name);
		}
		fclose(f);
		if (bad) {
			close(dfd);
			return cf_set_nomem(c->ctx, "owner names");
		}
	}
	close(dfd);
	return CF_OK;
}

static int open_spools(struct cf_collector *c)
{
	const char *dir = cf_ewriter_dir(c->w);

	if ((c->items_fd = cf_spool_open(c->ctx, dir)) < 0 ||
	    (c->log_fd = cf_spool_open(c->ctx, dir)) < 0)
		return CF_FATAL;
	if (!(c->items_h = cf_sha256_new(c->ctx)) || !(c->log_h = cf_sha256_new(c->ctx)))
		return CF_FATAL;
	return CF_OK;
}

int cf_collector_new(struct cf_ctx *ctx, const struct cf_collector_conf *conf,
		     struct cf_collector **out)
{
	struct cf_collector *c = cf_calloc(1, sizeof *c);
	int rc;

	*out = c;
	if (!c)
		return cf_set_nomem(ctx, "collector");
	c->ctx = ctx;
	c->stop = conf->stop;
	c->items_fd = c->log_fd = -1;
	cf_buf_init(&c->line);
	if (conf->root && !(c->root = cf_strdup(conf->root)))
		return cf_set_nomem(ctx, "--root");
	if ((rc = cf_ewriter_open(ctx, conf->out, conf->compress, &c->w)) != CF_OK ||
	    (rc = cf_reader_new(ctx, cf_ewriter_dir(c->w), MEM_MAX, &c->r)) != CF_OK ||
	    (rc = open_spools(c)) != CF_OK || (rc = idmap_load(c)) != CF_OK)
		return rc;
	c->prog = conf->progress;
	return CF_OK;
}

int cf_collector_add_own(struct cf_collector *c, const char *name, int fd,
			 const void *data, uint64_t len, const uint8_t *sha)
{
	struct cf_member_meta m = {0};
	uint8_t d[CF_SHA256_LEN];
	int rc;

	cf_collector_meta(c, NULL, &m);
	m.name = name;
	if (!sha) {
		if ((rc = cf_sha256_buf(c->ctx, data, (size_t)len, d)) != CF_OK)
			return rc;
		sha = d;
	}
	if (fd >= 0)
		return cf_ewriter_add_fd(c->w, c->ctx, &m, fd, len, sha);
	return cf_ewriter_add_mem(c->w, c->ctx, &m, data, (size_t)len, sha);
}

int cf_collector_finish(struct cf_collector *c, const cf_key *key,
			char sums_hex[CF_SHA256_HEX])
{
	uint8_t d[CF_SHA256_LEN];
	char *pem = NULL;
	int rc;

	if ((rc = flush(c, 0, 0)) != CF_OK)
		return rc;
	if ((rc = cf_sha256_final(c->items_h, c->ctx, d)) != CF_OK ||
	    (rc = cf_collector_add_own(c, CF_MEMBER_ITEMS, c->items_fd, NULL,
				       c->items_len, d)) != CF_OK)
		return rc;
	if ((rc = cf_sha256_final(c->log_h, c->ctx, d)) != CF_OK ||
	    (rc = cf_collector_add_own(c, CF_MEMBER_LOG, c->log_fd, NULL,
				       c->log_len, d)) != CF_OK)
		return rc;
	if ((rc = cf_key_public_pem(c->ctx, key, &pem)) != CF_OK)
		return rc;
	rc = cf_collector_add_own(c, CF_MEMBER_SIGNER, -1, pem, strlen(pem), NULL);
	free(pem);
	if (rc != CF_OK)
		return rc;
	return cf_ewriter_finish(c->w, c->ctx, key, sums_hex);
}

void cf_collector_free(struct cf_collector *c)
{
	if (!c)
		return;
	for (; c->npend; c->npend--, c->phead = (c->phead + 1) % PEND_MAX) {
		if (c->pend[c->phead].slot >= 0)
			cf_reader_type_wait(c->r, c->pend[c->phead].slot, NULL, NULL);
		cJSON_Delete(c->pend[c->phead].j);
	}
	cf_ewriter_free(c->w); /* removes OUT.partial unless committed */
	cf_reader_free(c->r);
	if (c->items_fd >= 0)
		close(c->items_fd);
	if (c->log_fd >= 0)
		close(c->log_fd);
	cf_sha256_free(c->items_h);
	cf_sha256_free(c->log_h);
	cf_buf_release(&c->line);
	idmap_release(&c->ids);
	cf_strset_release(&c->seen);
	free(c->root);
	free(c);
}
