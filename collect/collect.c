/* SPDX-License-Identifier: Apache-2.0
 *
 * One collection, start to finish (SPEC sections 2 and 3): load the key,
 * the profile and the previous archive's identity, write collection.json,
 * run each source in profile order, then items.jsonl, log.jsonl,
 * signer.pub, SHA256SUMS and its signature, and rename OUT.partial to OUT.
 *
 * Paths are walked one component at a time from the root with
 * openat(O_NOFOLLOW): no symlink is ever followed, neither at the end of a
 * path nor in the middle, so a collection under --root never leaves the
 * tree it was given (an absolute symlink in a disk image points at the
 * image's host, not ours). items.jsonl and log.jsonl are spooled to
 * unlinked temporary files while the collection runs, so memory does not
 * grow with the number of items.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libfyaml.h>
#include <magic.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sqlite3.h>

#include "casefile/alloc.h"
#include "casefile/archive.h"
#include "casefile/buf.h"
#include "casefile/cli.h"
#include "casefile/core.h"
#include "casefile/error.h"
#include "casefile/evidence.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "casefile/progress.h"
#include "casefile/time.h"
#include "casefile/utf8.h"
#include "collect.h"

#define MEM_MAX (4u << 20)     /* files up to this size are held in memory */
#define MAX_DEPTH 48           /* folder levels walked below a pattern */

/* ==== uid/gid names ====================================================== */

struct idname {
	long id;
	char *name;
};

struct cf_idmap {
	struct idname *u, *g;
	size_t nu, ng;
};

static void idmap_release(struct cf_idmap *m)
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

struct seen {
	char **v;
	size_t cap, n;
};

struct cf_collector {
	const struct cf_collect_opts *o;
	struct cf_ctx *ctx;
	char *root;              /* normalised --root, NULL for "/" */
	cf_ewriter *w;
	cf_reader *r;
	int items_fd, log_fd;
	cf_sha256 *items_h, *log_h;
	uint64_t items_len, log_len;
	struct cf_buf line;
	struct cf_idmap ids;
	cf_progress *prog;
	struct seen seen;
	struct cf_collect_summary *s;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

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

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 1099511628211ULL;
	return h;
}

static void seen_reset(struct seen *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->v[i]);
	free(t->v);
	memset(t, 0, sizeof *t);
}

/* 1 when s was already there, 0 when added, -1 on no memory. */
static int seen_add(struct seen *t, const char *s)
{
	size_t i;

	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		char **v = cf_calloc(cap, sizeof *v);
		if (!v)
			return -1;
		for (size_t j = 0; j < t->cap; j++) {
			if (!t->v[j])
				continue;
			for (i = fnv(t->v[j]) & (cap - 1); v[i]; i = (i + 1) & (cap - 1))
				;
			v[i] = t->v[j];
		}
		free(t->v);
		t->v = v;
		t->cap = cap;
	}
	for (i = fnv(s) & (t->cap - 1); t->v[i]; i = (i + 1) & (t->cap - 1))
		if (!strcmp(t->v[i], s))
			return 1;
	if (!(t->v[i] = cf_strdup(s)))
		return -1;
	t->n++;
	return 0;
}

char *cf_member_name(const char *source_id, const char *host_path)
{
	struct cf_buf b;

	cf_buf_init(&b);
	while (*host_path == '/')
		host_path++;
	if (cf_buf_printf(&b, "%s%s/%s", CF_EVIDENCE_PREFIX, source_id, host_path) < 0)
		return NULL;
	return cf_buf_detach(&b);
}

/* The member name for a host path (of a file, or of a database whose
 * snapshot is stored): the path, or, for one that is not UTF-8 (pax path
 * records, SHA256SUMS as read by tools and every JSON file need UTF-8),
 * the path in the escaped form of cf_utf8_escape; items.jsonl keeps the
 * exact bytes (path_hex). *skip is NULL when the name can be stored, else
 * why not: "unstorable-name" (not a member name at all) or "name-taken"
 * (the name is already a member: the first keeps it). Names with '%' are
 * where an escaped name and a real one could meet; a snapshot and a raw
 * file can also claim one name (an mlflow store inside its artifact root).
 * Every name is checked, so no two items ever share a member. NULL on no
 * memory. */
static char *member_for(struct cf_srcrun *sr, const char *host_path,
			const char **skip)
{
	struct cf_ctx nctx;
	char *esc = NULL, *m;

	*skip = NULL;
	if (cf_utf8_invalid(host_path, strlen(host_path)) >= 0 &&
	    !(esc = cf_utf8_escape(host_path)))
		return NULL;
	m = cf_member_name(sr->src->id, esc ? esc : host_path);
	free(esc);
	if (!m)
		return NULL;
	cf_ctx_init(&nctx);
	if (cf_path_check_member(&nctx, m) != CF_OK) {
		*skip = "unstorable-name";
	} else {
		switch (seen_add(&sr->c->seen, m)) {
		case 1: *skip = "name-taken"; break;
		case -1: free(m); return NULL;
		}
	}
	return m;
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

static const char *type_name(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "directory";
	case S_IFLNK: return "symlink";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	case S_IFCHR: return "char-device";
	case S_IFBLK: return "block-device";
	}
	return "unknown";
}

static int64_t ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000LL + t->tv_nsec;
}

/* Nanoseconds since the epoch do not fit a JSON number exactly (cJSON
 * holds doubles): they are written as a decimal string. */
static int add_ns(cJSON *j, const char *key, const struct timespec *t)
{
	char s[32];

	snprintf(s, sizeof s, "%lld", (long long)ts_ns(t));
	return cf_json_add_str(j, key, s);
}

static cJSON *stat_json(const struct stat *st)
{
	cJSON *j = cJSON_CreateObject();
	char mode[16];

	snprintf(mode, sizeof mode, "%04o", (unsigned)(st->st_mode & 07777));
	if (!j || cf_json_add_str(j, "type", type_name(st->st_mode)) ||
	    cf_json_add_time(j, "mtime", ts_ns(&st->st_mtim) / 1000) ||
	    add_ns(j, "mtime_ns", &st->st_mtim) ||
	    cf_json_add_time(j, "ctime", ts_ns(&st->st_ctim) / 1000) ||
	    add_ns(j, "ctime_ns", &st->st_ctim) ||
	    cf_json_add_str(j, "mode", mode) ||
	    cf_json_add_int(j, "uid", st->st_uid) || cf_json_add_int(j, "gid", st->st_gid) ||
	    cf_json_add_int(j, "inode", (int64_t)st->st_ino) ||
	    cf_json_add_int(j, "device", (int64_t)st->st_dev) ||
	    cf_json_add_int(j, "size", (int64_t)st->st_size)) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

/* The common part of an items.jsonl entry. */
static const char *guess_category(const char *p);

static cJSON *item_new(struct cf_srcrun *sr, const char *member, const char *path,
		       const char *category, const char *kind)
{
	cJSON *j = cJSON_CreateObject();

	if (!category)
		category = sr->src->category;
	if (!category)
		category = guess_category(path ? path : "");

	if (!j || cf_json_add_str(j, "member", member) ||
	    cf_json_add_str(j, "source", sr->src->id) ||
	    cf_json_add_str(j, "category", category) ||
	    cf_json_add_path(j, "path", path) || cf_json_add_str(j, "kind", kind)) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

static int item_emit(struct cf_srcrun *sr, cJSON *j)
{
	struct cf_collector *c = sr->c;
	int rc;

	if (cf_json_add_time(j, "collected_at", cf_time_now())) {
		cJSON_Delete(j);
		return cf_set_nomem(sr->ctx, "items");
	}
	rc = spool_line(c, c->items_fd, c->items_h, &c->items_len, j);
	cJSON_Delete(j);
	cf_progress_add(c->prog, 0, 1);
	return rc;
}

static int add_errors(cJSON *j, const struct cf_item *it)
{
	cJSON *arr = cJSON_AddArrayToObject(j, "read_errors"), *e;

	if (!arr)
		return -1;
	if (!it->err)
		return 0;
	if (!(e = cJSON_CreateObject()))
		return -1;
	cJSON_AddItemToArray(arr, e);
	return cf_json_add_int(e, "offset", (int64_t)it->err_offset) ||
	       cf_json_add_str(e, "error", it->errtext);
}

int cf_collect_record(struct cf_srcrun *sr, const char *path,
		      const char *category, const char *skip_reason,
		      const char *error, const struct stat *st)
{
	cJSON *j = item_new(sr, NULL, path, category, "file"), *sj = NULL;
	struct cf_collector *c = sr->c;

	if (!j || cf_json_add_str(j, "skip_reason", skip_reason) ||
	    cf_json_add_bool(j, "changed_during_read", 0) ||
	    (st && !(sj = stat_json(st))) || !cJSON_AddArrayToObject(j, "read_errors"))
		goto nomem;
	if (sj && cf_json_add_item(j, "stat", sj)) {
		sj = NULL;
		goto nomem;
	}
	sj = NULL;
	if (error) {
		cJSON *e = cJSON_CreateObject();
		if (!e)
			goto nomem;
		cJSON_AddItemToArray(cJSON_GetObjectItem(j, "read_errors"), e);
		if (cf_json_add_int(e, "offset", 0) || cf_json_add_str(e, "error", error))
			goto nomem;
	}
	if (!strcmp(skip_reason, "unreadable"))
		c->s->unreadable++;
	else
		c->s->skipped++;
	return item_emit(sr, j);
nomem:
	cJSON_Delete(j);
	cJSON_Delete(sj);
	return cf_set_nomem(sr->ctx, "items");
}

static void meta_from_stat(struct cf_collector *c, const struct stat *st,
			   struct cf_member_meta *m)
{
	m->mtime_s = st->st_mtim.tv_sec;
	m->mtime_ns = st->st_mtim.tv_nsec;
	m->mode = st->st_mode & 07777;
	m->uid = st->st_uid;
	m->gid = st->st_gid;
	m->uname = idmap_find(c->ids.u, c->ids.nu, (long)st->st_uid);
	m->gname = idmap_find(c->ids.g, c->ids.ng, (long)st->st_gid);
}

/* Members casefile makes: now, 0644, owned by the collecting user. */
static void meta_own(struct cf_collector *c, struct cf_member_meta *m)
{
	int64_t now = cf_time_now();

	m->mtime_s = now / CF_US_PER_SEC;
	m->mtime_ns = (long)(now % CF_US_PER_SEC) * 1000;
	m->mode = 0644;
	m->uid = geteuid();
	m->gid = getegid();
	m->uname = idmap_find(c->ids.u, c->ids.nu, (long)m->uid);
	m->gname = idmap_find(c->ids.g, c->ids.ng, (long)m->gid);
}

static void tick(void *arg, uint64_t n)
{
	cf_progress_add(arg, n, 0);
}

int cf_collect_file(struct cf_srcrun *sr, int dirfd, const char *name,
		    const char *host_path, const struct stat *lst,
		    const char *category, struct cf_item_result *res)
{
	struct cf_collector *c = sr->c;
	struct cf_ctx *ctx = sr->ctx;
	struct cf_member_meta m = {0};
	struct cf_item it;
	char *member = NULL, hex[CF_SHA256_HEX];
	const char *skip = NULL;
	cJSON *j = NULL, *sj = NULL;
	int64_t max = sr->src->max_size;
	const char *unstorable;
	int rc;

	if (res)
		memset(res, 0, sizeof *res);
	switch (seen_add(&c->seen, host_path)) {
	case 1: return CF_OK;
	case -1: return cf_set_nomem(ctx, host_path);
	}
	if (S_ISLNK(lst->st_mode)) {
		char target[4096];
		ssize_t n = readlinkat(dirfd, name, target, sizeof target - 1);
		if (!(j = item_new(sr, NULL, host_path, category, "symlink")) ||
		    !(sj = stat_json(lst)))
			goto nomem;
		if (cf_json_add_item(j, "stat", sj)) {
			sj = NULL;
			goto nomem;
		}
		sj = NULL;
		target[n > 0 ? n : 0] = '\0';
		if (cf_json_add_path(j, "symlink_target", n >= 0 ? target : NULL) ||
		    cf_json_add_str(j, "skip_reason", "symlink") ||
		    cf_json_add_bool(j, "changed_during_read", 0) ||
		    !cJSON_AddArrayToObject(j, "read_errors"))
			goto nomem;
		c->s->skipped++;
		return item_emit(sr, j);
	}
	if (!S_ISREG(lst->st_mode))
		return cf_collect_record(sr, host_path, category, "special-file", NULL, lst);

	if (!(member = member_for(sr, host_path, &unstorable)))
		return cf_set_nomem(ctx, host_path);
	if (unstorable)
		max = 1; /* hashed and recorded, not copied */
	rc = cf_reader_read(c->r, ctx, dirfd, name, max, &it, tick, c->prog);
	if (rc != CF_OK)
		goto out;
	if (it.hash_only)
		skip = unstorable ? unstorable : "too-large";
	/* A read error after some bytes keeps those bytes (complete: false);
	 * one before any byte leaves nothing to store. */
	if (it.err && it.have_stat && !S_ISREG(it.st.st_mode))
		skip = "special-file";
	else if (it.err && !it.size)
		skip = "unreadable";

	if (!(j = item_new(sr, !skip && it.hashed ? member : NULL, host_path,
			   category, "file")))
		goto nomem;
	if (it.hashed && (!skip || it.hash_only)) {
		cf_hex(it.sha, sizeof it.sha, hex);
		if (cf_json_add_int(j, "size", (int64_t)it.size) ||
		    cf_json_add_str(j, "sha256", hex) ||
		    cf_json_add_str(j, "mime", it.mime) ||
		    cf_json_add_str(j, "description", it.desc))
			goto nomem;
	}
	{
		if (!(sj = stat_json(it.have_stat ? &it.st : lst)))
			goto nomem;
		if (cf_json_add_item(j, "stat", sj)) {
			sj = NULL;
			goto nomem;
		}
		sj = NULL;
	}
	if (cf_json_add_bool(j, "changed_during_read", it.changed) ||
	    add_errors(j, &it) || cf_json_add_str(j, "skip_reason", skip) ||
	    (it.err && cf_json_add_bool(j, "complete", 0)))
		goto nomem;
	if (it.err) {
		cJSON *x = cJSON_CreateObject();
		if (!x || cf_json_add_path(x, "path", host_path) ||
		    cf_json_add_int(x, "offset", (int64_t)it.err_offset)) {
			cJSON_Delete(x);
			goto nomem;
		}
		if ((rc = cf_collect_log(c, "error", "read-error", sr->src->id,
					 it.errtext, x)) != CF_OK)
			goto out;
		c->s->unreadable++;
	}
	if (it.changed) {
		cJSON *x = cJSON_CreateObject();
		if (!x || cf_json_add_path(x, "path", host_path)) {
			cJSON_Delete(x);
			goto nomem;
		}
		if ((rc = cf_collect_log(c, "warning", "changed-during-read", sr->src->id,
					 "file changed while it was read", x)) != CF_OK)
			goto out;
		c->s->changed++;
	}
	if (it.hash_only)
		c->s->skipped++;
	if (!skip && it.hashed) {
		meta_from_stat(c, &it.st, &m);
		m.name = member;
		if (it.mem)
			rc = cf_ewriter_add_mem(c->w, ctx, &m, it.mem, (size_t)it.size, it.sha);
		else
			rc = cf_ewriter_add_fd(c->w, ctx, &m, it.spool_fd, it.size, it.sha);
		if (rc != CF_OK)
			goto out;
		c->s->items++;
		c->s->bytes += it.size;
		if (res)
			res->stored = 1;
	}
	if (res && it.hashed) {
		res->size = it.size;
		cf_hex(it.sha, sizeof it.sha, res->sha);
	}
	rc = item_emit(sr, j);
	j = NULL;
	goto out;
nomem:
	rc = cf_set_nomem(ctx, host_path);
out:
	cf_reader_done(c->r, &it);
	cJSON_Delete(j);
	cJSON_Delete(sj);
	free(member);
	return rc;
}

int cf_fd_sha256(struct cf_ctx *ctx, int fd, uint8_t out[CF_SHA256_LEN],
		 uint64_t *len)
{
	uint8_t buf[65536];
	cf_sha256 *h = cf_sha256_new(ctx);
	uint64_t off = 0;
	int rc = CF_OK;

	if (!h)
		return CF_FATAL;
	for (;;) {
		ssize_t n = pread(fd, buf, sizeof buf, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = cf_set_fatal(ctx, errno, "cannot read a temporary file");
			break;
		}
		if (n == 0)
			break;
		if ((rc = cf_sha256_update(h, ctx, buf, (size_t)n)) != CF_OK)
			break;
		off += (uint64_t)n;
	}
	if (rc == CF_OK)
		rc = cf_sha256_final(h, ctx, out);
	*len = off;
	cf_sha256_free(h);
	return rc;
}

int cf_collect_generated(struct cf_srcrun *sr, const char *member_suffix,
			 const char *path, const char *kind,
			 const char *category, const struct stat *st, int fd,
			 const void *data, uint64_t len, cJSON *extra,
			 struct cf_item_result *res)
{
	struct cf_collector *c = sr->c;
	struct cf_ctx *ctx = sr->ctx;
	struct cf_member_meta m = {0};
	struct cf_item it;
	uint8_t sha[CF_SHA256_LEN];
	char hex[CF_SHA256_HEX];
	cJSON *j = NULL, *sj = NULL;
	const char *unstorable = NULL;
	char *mname = NULL;
	int rc;

	memset(&it, 0, sizeof it);
	if (fd >= 0)
		rc = cf_fd_sha256(ctx, fd, sha, &len);
	else
		rc = cf_sha256_buf(ctx, data, (size_t)len, sha);
	if (rc != CF_OK)
		goto out;
	cf_hex(sha, sizeof sha, hex);
	if (fd < 0) {
		cf_reader_magic(c->r, data, (size_t)len, &it);
	} else {
		uint8_t head[4096];
		ssize_t n = pread(fd, head, sizeof head, 0);
		cf_reader_magic(c->r, head, n > 0 ? (size_t)n : 0, &it);
	}
	/* The suffix of a snapshot is a host path, named as files are */
	if (!(mname = member_for(sr, member_suffix, &unstorable)))
		goto nomem;
	if (!(j = item_new(sr, unstorable ? NULL : mname, path, category, kind)) ||
	    cf_json_add_int(j, "size", (int64_t)len) || cf_json_add_str(j, "sha256", hex) ||
	    cf_json_add_str(j, "mime", it.mime) || cf_json_add_str(j, "description", it.desc))
		goto nomem;
	if (st) {
		if (!(sj = stat_json(st)))
			goto nomem;
		if (cf_json_add_item(j, "stat", sj)) {
			sj = NULL;
			goto nomem;
		}
		sj = NULL;
	}
	if (cf_json_add_bool(j, "changed_during_read", 0) ||
	    !cJSON_AddArrayToObject(j, "read_errors") ||
	    cf_json_add_str(j, "skip_reason", unstorable))
		goto nomem;
	if (extra) {
		cJSON *x = extra;
		extra = NULL;
		if (cf_json_add_item(j, "details", x))
			goto nomem;
	}
	if (unstorable) {
		c->s->skipped++;
		rc = item_emit(sr, j);
		j = NULL;
		goto out;
	}
	if (st) {
		meta_from_stat(c, st, &m);
	} else {
		meta_own(c, &m);
	}
	m.name = mname;
	if (fd >= 0)
		rc = cf_ewriter_add_fd(c->w, ctx, &m, fd, len, sha);
	else
		rc = cf_ewriter_add_mem(c->w, ctx, &m, data, (size_t)len, sha);
	if (rc != CF_OK)
		goto out;
	c->s->items++;
	c->s->bytes += len;
	cf_progress_add(c->prog, len, 0);
	if (res) {
		res->stored = 1;
		res->size = len;
		memcpy(res->sha, hex, sizeof hex);
	}
	rc = item_emit(sr, j);
	j = NULL;
	goto out;
nomem:
	rc = cf_set_nomem(ctx, member_suffix);
out:
	cJSON_Delete(j);
	cJSON_Delete(sj);
	cJSON_Delete(extra);
	free(mname);
	return rc;
}

/* ==== walking globs ====================================================== */

struct walk {
	struct cf_srcrun *sr;
	const char *category;
	char **comp;
	size_t ncomp;
	int (*each)(void *, const char *, const struct cf_item_result *);
	void *arg;
	uint64_t matched;
};

static int has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static int excluded(const struct cf_source *src, const char *host_path)
{
	const char *base = strrchr(host_path, '/');

	base = base ? base + 1 : host_path;
	for (size_t i = 0; i < src->nexclude; i++) {
		const char *p = src->exclude[i];
		if (strchr(p, '/') ? fnmatch(p, host_path, 0) == 0
				   : fnmatch(p, base, FNM_PERIOD) == 0)
			return 1;
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of a folder (readdir order is the file system's whim; the
 * archive's order must not be). */
static int list_dir(int fd, char ***out, size_t *n)
{
	size_t cap = 0;
	struct dirent *de;
	DIR *d;
	int dfd = dup(fd);

	*out = NULL;
	*n = 0;
	if (dfd < 0 || !(d = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	/* The dup shares the file offset: a folder listed before (a "**"
	 * visits it twice) must be read from its start again. */
	rewinddir(d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (*n == cap) {
			char **v = cf_realloc(*out, (cap = cap ? cap * 2 : 32) * sizeof *v);
			if (!v)
				goto nomem;
			*out = v;
		}
		if (!((*out)[*n] = cf_strdup(de->d_name)))
			goto nomem;
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(*out, *n, sizeof **out, cmp_names);
	return 0;
nomem:
	closedir(d);
	for (size_t i = 0; i < *n; i++)
		free((*out)[i]);
	free(*out);
	*out = NULL;
	*n = 0;
	errno = ENOMEM;
	return -1;
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int walk_tree(struct walk *wk, int dirfd, const char *host, int depth);

static int join_host(struct cf_buf *b, const char *host, const char *name)
{
	cf_buf_reset(b);
	return cf_buf_printf(b, "%s/%s", strcmp(host, "/") ? host : "", name);
}

/* One entry that a pattern matched (or that a folder walk found). */
static int take(struct walk *wk, int dirfd, const char *name, const char *host,
		const struct stat *st, int depth)
{
	struct cf_srcrun *sr = wk->sr;
	struct cf_item_result res;
	int rc;

	if (interrupted)
		return cf_set_fatal(sr->ctx, EINTR, "interrupted by signal %d",
				    (int)interrupted);
	wk->matched++;
	if (excluded(sr->src, host))
		return seen_add(&sr->c->seen, host) == 1
			       ? CF_OK
			       : cf_collect_record(sr, host, wk->category, "excluded",
						   NULL, st);
	if (S_ISDIR(st->st_mode)) {
		int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return cf_collect_record(sr, host, wk->category, "unreadable",
						 strerror(errno), st);
		rc = walk_tree(wk, fd, host, depth + 1);
		close(fd);
		return rc;
	}
	rc = cf_collect_file(sr, dirfd, name, host, st, wk->category, &res);
	if (rc == CF_OK && wk->each && res.sha[0])
		rc = wk->each(wk->arg, host, &res);
	return rc;
}

static int walk_tree(struct walk *wk, int dirfd, const char *host, int depth)
{
	struct cf_buf b;
	char **names;
	size_t n;
	int rc = CF_OK;

	if (depth > MAX_DEPTH)
		return cf_collect_record(wk->sr, host, wk->category, "too-deep", NULL, NULL);
	if (list_dir(dirfd, &names, &n) < 0) {
		struct stat st;
		int e = errno;
		if (e == ENOMEM)
			return cf_set_nomem(wk->sr->ctx, host);
		return cf_collect_record(wk->sr, host, wk->category, "unreadable",
					 strerror(e), fstat(dirfd, &st) ? NULL : &st);
	}
	cf_buf_init(&b);
	for (size_t i = 0; i < n && rc == CF_OK; i++) {
		struct stat st;
		if (join_host(&b, host, names[i]) < 0) {
			rc = cf_set_nomem(wk->sr->ctx, host);
			break;
		}
		if (fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = cf_collect_record(wk->sr, b.data, wk->category, "unreadable",
					       strerror(errno), NULL);
			continue;
		}
		rc = take(wk, dirfd, names[i], b.data, &st, depth);
	}
	cf_buf_release(&b);
	free_names(names, n);
	return rc;
}

/* Matches components comp[i..] below folder dirfd (host path `host`). */
static int walk_glob(struct walk *wk, int dirfd, const char *host, size_t i,
		     int depth)
{
	const char *pat = wk->comp[i];
	int last = i + 1 == wk->ncomp, rc = CF_OK;
	struct cf_buf b;
	struct stat st;
	char **names = NULL;
	size_t n = 0;

	if (depth > MAX_DEPTH)
		return CF_OK;
	cf_buf_init(&b);
	if (!has_glob(pat)) {
		if (fstatat(dirfd, pat, &st, AT_SYMLINK_NOFOLLOW) < 0)
			goto out; /* nothing there: not an item */
		if (join_host(&b, host, pat) < 0)
			goto nomem;
		/* A symlink in the middle of a pattern is recorded, not
		 * followed (/var/run -> /run would leave the tree). */
		if (last || S_ISLNK(st.st_mode))
			rc = take(wk, dirfd, pat, b.data, &st, depth);
		else if (S_ISDIR(st.st_mode)) {
			int fd = openat(dirfd, pat, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				rc = cf_collect_record(wk->sr, b.data, wk->category,
						       "unreadable", strerror(errno), &st);
			else {
				rc = walk_glob(wk, fd, b.data, i + 1, depth + 1);
				close(fd);
			}
		}
		goto out;
	}
	if (list_dir(dirfd, &names, &n) < 0) {
		if (errno == ENOMEM)
			goto nomem;
		rc = cf_collect_record(wk->sr, host, wk->category, "unreadable",
				       strerror(errno), NULL);
		goto out;
	}
	if (!strcmp(pat, "**") && !last) /* zero folders */
		rc = walk_glob(wk, dirfd, host, i + 1, depth);
	for (size_t k = 0; k < n && rc == CF_OK; k++) {
		int dstar = !strcmp(pat, "**");
		if (!dstar && fnmatch(pat, names[k], FNM_PERIOD) != 0)
			continue;
		if (fstatat(dirfd, names[k], &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (join_host(&b, host, names[k]) < 0)
			goto nomem;
		if (last) {
			rc = take(wk, dirfd, names[k], b.data, &st, depth);
		} else if (S_ISDIR(st.st_mode)) {
			int fd;
			if (excluded(wk->sr->src, b.data))
				continue;
			fd = openat(dirfd, names[k], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0) {
				rc = cf_collect_record(wk->sr, b.data, wk->category,
						       "unreadable", strerror(errno), &st);
				continue;
			}
			/* "**" stays on the same component to match deeper. */
			rc = walk_glob(wk, fd, b.data, dstar ? i : i + 1, depth + 1);
			close(fd);
		}
	}
	goto out;
nomem:
	rc = cf_set_nomem(wk->sr->ctx, host);
out:
	free_names(names, n);
	cf_buf_release(&b);
	return rc;
}

int cf_collect_glob(struct cf_srcrun *sr, const char *pattern,
		    const char *category,
		    int (*each)(void *, const char *, const struct cf_item_result *),
		    void *arg)
{
	struct walk wk = {sr, category, NULL, 0, each, arg, 0};
	char *norm = NULL, *copy = NULL, *p, *save = NULL;
	int fd = -1, rc, open_err = ENOENT;

	if ((rc = cf_path_normalise(sr->ctx, pattern, &norm)) != CF_OK)
		return rc;
	if (!(copy = cf_strdup(norm)) ||
	    !(wk.comp = cf_calloc(strlen(norm) / 2 + 2, sizeof *wk.comp))) {
		rc = cf_set_nomem(sr->ctx, pattern);
		goto out;
	}
	for (p = strtok_r(copy, "/", &save); p; p = strtok_r(NULL, "/", &save))
		wk.comp[wk.ncomp++] = p;
	if (wk.ncomp == 0) {
		rc = cf_collect_log(sr->c, "warning", "bad-pattern", sr->src->id,
				    "refusing to collect the whole file system", NULL);
		goto out;
	}
	/* From the root, one component at a time (literal ones by fstatat,
	 * without listing): a symlink anywhere on the way is recorded as an
	 * item and not followed. */
	fd = cf_open_dir_nofollow(sr->c, "/");
	open_err = fd < 0 ? errno : ENOENT;
	if (fd < 0 && sr->src->explicit_paths)
		goto missing;
	if (fd < 0)
		goto nomatch;
	rc = walk_glob(&wk, fd, "/", 0, 0);
	if (rc == CF_OK && wk.matched == 0 && sr->src->explicit_paths)
		goto missing;
	if (rc == CF_OK && wk.matched == 0)
		goto nomatch;
	goto out;
missing:
	/* A path the user named that is not there is an unreadable item;
	 * a profile pattern that matches nothing on this host is not. */
	{
		char msg[300];
		snprintf(msg, sizeof msg, "open: %s", strerror(open_err));
		rc = cf_collect_record(sr, norm, NULL, "unreadable", msg, NULL);
	}
	goto out;
nomatch:
	{
		cJSON *x = cJSON_CreateObject();
		if (!x || cf_json_add_str(x, "pattern", pattern) ||
		    (fd < 0 && cf_json_add_str(x, "reason", strerror(open_err)))) {
			cJSON_Delete(x);
			rc = cf_set_nomem(sr->ctx, pattern);
		} else {
			rc = cf_collect_log(sr->c, "info", "no-match", sr->src->id,
					    "nothing matched the pattern", x);
		}
	}
out:
	if (fd >= 0)
		close(fd);
	free(wk.comp);
	free(copy);
	free(norm);
	return rc;
}

/* ==== the previous archive =============================================== */

int cf_previous_read(struct cf_ctx *ctx, const char *path,
		     cf_key *const *trusted, size_t ntrusted,
		     char sums_hex[CF_SHA256_HEX], uint64_t *sequence)
{
	struct cf_verify_result *vr = NULL;
	const struct cf_problem *p;
	int rc;

	/* One verifying pass (the core reader's limits on hostile input,
	 * nothing extracted): the link goes to an archive that a trusted key
	 * signed, and its digest and sequence are those of the bytes
	 * verified, not of a second read. */
	if ((rc = cf_archive_verify(ctx, path, trusted, ntrusted, &vr)) != CF_OK) {
		cf_error_prefix(ctx, "previous archive");
		goto out;
	}
	if (!vr->ok) {
		p = &vr->problems[0];
		rc = cf_set_error(ctx, 0,
				  "previous archive '%s' does not verify (%s%s%s: "
				  "%s), so no archive can be chained to it%s",
				  path, p->kind, p->member ? " " : "",
				  p->member ? p->member : "", p->detail,
				  !strcmp(p->kind, "untrusted-signer")
					  ? "; name its signer's public key "
					    "with --trust"
					  : "");
		if (!strcmp(p->kind, "missing-member") ||
		    !strcmp(p->kind, "bad-format") ||
		    !strcmp(p->kind, "truncated"))
			cf_error_prefix(ctx, "not an evidence archive");
		goto out;
	}
	*sequence = (uint64_t)cf_json_int(vr->collection, "sequence", 0);
	memcpy(sums_hex, vr->sums_hex, CF_SHA256_HEX);
	rc = CF_OK;
out:
	cf_verify_result_free(vr);
	return rc;
}

/* ==== set-up ============================================================== */

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

static void uuid_v4(char out[37])
{
	uint8_t u[16];

	if (RAND_bytes(u, sizeof u) != 1) {
		/* The id names the collection; it is not a secret. */
		int fd = open("/proc/sys/kernel/random/uuid", O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, out, 36) : -1;
		if (fd >= 0)
			close(fd);
		out[n == 36 ? 36 : 0] = '\0';
		return;
	}
	u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
	u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10],
		 u[11], u[12], u[13], u[14], u[15]);
}

static cJSON *tool_json(void)
{
	cJSON *t = cJSON_CreateObject(), *l;
	char magicv[16];
	int mv = magic_version();

	snprintf(magicv, sizeof magicv, "%d.%02d", mv / 100, mv % 100);
	if (!t || cf_json_add_str(t, "name", "casefile") ||
	    cf_json_add_str(t, "version", CASEFILE_VERSION) ||
	    !(l = cJSON_AddObjectToObject(t, "libraries")) ||
	    cf_json_add_str(l, "libarchive", archive_version_details()) ||
	    cf_json_add_str(l, "openssl", OpenSSL_version(OPENSSL_VERSION)) ||
	    cf_json_add_str(l, "sqlite", sqlite3_libversion()) ||
	    cf_json_add_str(l, "libmagic", magicv) ||
	    cf_json_add_str(l, "cjson", cJSON_Version()) ||
	    cf_json_add_str(l, "libfyaml", fy_library_version())) {
		cJSON_Delete(t);
		return NULL;
	}
	return t;
}

static int collection_json(struct cf_collector *c, const struct cf_profile *p,
			   const char *prev_hex, uint64_t seq, int64_t started,
			   struct cf_buf *out)
{
	const struct cf_collect_opts *o = c->o;
	static const char *const comp[] = {"zstd", "gzip", "none"};
	cJSON *j = cJSON_CreateObject(), *host = NULL, *x;
	char *text;
	int rc = CF_OK;

	if (!j || cf_json_add_int(j, "format", CF_EVIDENCE_FORMAT) ||
	    cf_json_add_str(j, "collection_id", c->s->collection_id) ||
	    cf_json_add_str(j, "case_id", o->case_id) ||
	    cf_json_add_str(j, "examiner", o->examiner))
		goto nomem;
	if ((rc = cf_host_facts(c->ctx, c->root, &host)) != CF_OK)
		goto out;
	if (cf_json_add_item(j, "host", host) || !(x = tool_json()) ||
	    cf_json_add_item(j, "tool", x))
		goto nomem;
	if (p->path) {
		if (!(x = cJSON_AddObjectToObject(j, "profile")) ||
		    cf_json_add_str(x, "name", p->name) ||
		    cf_json_add_str(x, "sha256", p->sha256) ||
		    cf_json_add_str(x, "path", p->path))
			goto nomem;
	} else if (!cJSON_AddNullToObject(j, "profile")) {
		goto nomem;
	}
	if (cf_json_add_time(j, "started_at", started))
		goto nomem;
	if (prev_hex) {
		if (!(x = cJSON_AddObjectToObject(j, "previous")) ||
		    cf_json_add_str(x, "sha256sums", prev_hex) ||
		    cf_json_add_int(x, "sequence", (int64_t)seq - 1))
			goto nomem;
	} else if (!cJSON_AddNullToObject(j, "previous")) {
		goto nomem;
	}
	if (cf_json_add_int(j, "sequence", (int64_t)seq) ||
	    cf_json_add_str(j, "compression", comp[o->compress]) ||
	    cf_json_add_str(j, "root", c->root))
		goto nomem;
	if (!(text = cJSON_PrintBuffered(j, 4096, 1)))
		goto nomem;
	if (cf_buf_puts(out, text) < 0 || cf_buf_putc(out, '\n') < 0) {
		free(text);
		goto nomem;
	}
	free(text);
	goto out;
nomem:
	rc = cf_set_nomem(c->ctx, CF_MEMBER_COLLECTION);
out:
	cJSON_Delete(j);
	return rc;
}

/* ==== the run ============================================================= */

/* Category of a PATH argument's file, guessed from where it lives (a
 * profile names categories explicitly; see casefile-collect(1)). */
static const char *guess_category(const char *p)
{
	if (strstr(p, "/inference/") || strstr(p, "decision"))
		return CF_CAT_MODEL_DECISION;
	if (strstr(p, "auth") || strstr(p, "secure") || strstr(p, "/audit/") ||
	    strstr(p, "/ehr/"))
		return CF_CAT_AUTH_LOG;
	if (strstr(p, "access"))
		return CF_CAT_ACCESS_LOG;
	if (strstr(p, "mlflow") || strstr(p, "/artifacts/") || strstr(p, "/models/"))
		return CF_CAT_MODEL_ARTIFACT;
	if (!strncmp(p, "/etc/", 5) || strstr(p, ".conf") || strstr(p, ".yaml") ||
	    strstr(p, ".ini"))
		return CF_CAT_CONFIG;
	if (strstr(p, ".db") || strstr(p, ".sqlite"))
		return CF_CAT_DATABASE;
	return CF_CAT_SYSTEM_LOG;
}

static int add_own(struct cf_collector *c, const char *name, int fd,
		   const void *data, uint64_t len, const uint8_t *sha)
{
	struct cf_member_meta m = {0};
	uint8_t d[CF_SHA256_LEN];
	int rc;

	meta_own(c, &m);
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

static int run_files(struct cf_srcrun *sr)
{
	int rc = CF_OK;

	for (size_t i = 0; i < sr->src->npaths && rc == CF_OK; i++)
		rc = cf_collect_glob(sr, sr->src->paths[i], NULL, NULL, NULL);
	return rc;
}

static int run_source(struct cf_collector *c, const struct cf_source *src)
{
	struct cf_srcrun sr = {c, src, c->ctx};
	static const char *const tn[] = {"files", "command", "sqlite", "mlflow", "system"};
	uint64_t items = c->s->items, unread = c->s->unreadable;
	int64_t t0 = cf_time_now();
	cJSON *x;
	int rc;

	seen_reset(&c->seen);
	if (!(x = cJSON_CreateObject()) || cf_json_add_str(x, "type", tn[src->type])) {
		cJSON_Delete(x);
		return cf_set_nomem(c->ctx, src->id);
	}
	if ((rc = cf_collect_log(c, "info", "source-start", src->id, NULL, x)) != CF_OK)
		return rc;
	switch (src->type) {
	case CF_SRC_FILES: rc = run_files(&sr); break;
	case CF_SRC_COMMAND: rc = cf_source_command(&sr); break;
	case CF_SRC_SQLITE: rc = cf_source_sqlite(&sr); break;
	case CF_SRC_MLFLOW: rc = cf_source_mlflow(&sr); break;
	case CF_SRC_SYSTEM: rc = cf_source_system(&sr); break;
	}
	if (rc != CF_OK)
		return rc;
	if (!(x = cJSON_CreateObject()) ||
	    cf_json_add_int(x, "items", (int64_t)(c->s->items - items)) ||
	    cf_json_add_int(x, "unreadable", (int64_t)(c->s->unreadable - unread)) ||
	    cf_json_add_int(x, "duration_ms", (cf_time_now() - t0) / 1000)) {
		cJSON_Delete(x);
		return cf_set_nomem(c->ctx, src->id);
	}
	return cf_collect_log(c, "info", "source-end", src->id, NULL, x);
}

/* The PATH arguments become one `files` source named "paths". */
static int paths_source(struct cf_ctx *ctx, const struct cf_collect_opts *o,
			struct cf_source *s)
{
	char cwd[4096];

	memset(s, 0, sizeof *s);
	s->type = CF_SRC_FILES;
	s->category = NULL; /* guessed per file */
	s->explicit_paths = 1;
	if (!(s->id = cf_strdup("paths")) ||
	    !(s->paths = cf_calloc(o->npaths, sizeof *s->paths)))
		return cf_set_nomem(ctx, "paths");
	for (size_t i = 0; i < o->npaths; i++) {
		char *abs = NULL;
		int rc;
		if (o->paths[i][0] == '/') {
			abs = cf_strdup(o->paths[i]);
		} else {
			if (o->root)
				return cf_set_error(ctx, 0,
						    "'%s': with --root, paths must be absolute paths on that host",
						    o->paths[i]);
			if (!getcwd(cwd, sizeof cwd))
				return cf_set_error(ctx, errno, "cannot get the current folder");
			abs = cf_path_join(cwd, o->paths[i]);
		}
		if (!abs)
			return cf_set_nomem(ctx, "paths");
		rc = cf_path_normalise(ctx, abs, &s->paths[s->npaths]);
		free(abs);
		if (rc != CF_OK)
			return rc;
		s->npaths++;
	}
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

static int finish(struct cf_collector *c, const cf_key *key, int64_t t0)
{
	uint8_t d[CF_SHA256_LEN];
	char *pem = NULL;
	cJSON *x;
	int rc;

	if (!(x = cJSON_CreateObject()) ||
	    cf_json_add_time(x, "finished_at", cf_time_now()) ||
	    cf_json_add_int(x, "items", (int64_t)c->s->items) ||
	    cf_json_add_int(x, "bytes", (int64_t)c->s->bytes) ||
	    cf_json_add_int(x, "unreadable", (int64_t)c->s->unreadable) ||
	    cf_json_add_int(x, "changed_during_read", (int64_t)c->s->changed) ||
	    cf_json_add_int(x, "duration_ms", (cf_time_now() - t0) / 1000)) {
		cJSON_Delete(x);
		return cf_set_nomem(c->ctx, CF_MEMBER_LOG);
	}
	if ((rc = cf_collect_log(c, "info", "finished", NULL, NULL, x)) != CF_OK)
		return rc;
	if ((rc = cf_sha256_final(c->items_h, c->ctx, d)) != CF_OK ||
	    (rc = add_own(c, CF_MEMBER_ITEMS, c->items_fd, NULL, c->items_len, d)) != CF_OK)
		return rc;
	if ((rc = cf_sha256_final(c->log_h, c->ctx, d)) != CF_OK ||
	    (rc = add_own(c, CF_MEMBER_LOG, c->log_fd, NULL, c->log_len, d)) != CF_OK)
		return rc;
	if ((rc = cf_key_public_pem(c->ctx, key, &pem)) != CF_OK)
		return rc;
	rc = add_own(c, CF_MEMBER_SIGNER, -1, pem, strlen(pem), NULL);
	free(pem);
	if (rc != CF_OK)
		return rc;
	return cf_ewriter_finish(c->w, c->ctx, key, c->s->sums_hex);
}

static int set_root(struct cf_collector *c)
{
	char *abs = NULL, cwd[4096];
	struct stat st;
	int rc;

	if (!c->o->root)
		return CF_OK;
	if (c->o->root[0] != '/') {
		if (!getcwd(cwd, sizeof cwd))
			return cf_set_error(c->ctx, errno, "cannot get the current folder");
		abs = cf_path_join(cwd, c->o->root);
	} else {
		abs = cf_strdup(c->o->root);
	}
	if (!abs)
		return cf_set_nomem(c->ctx, "--root");
	rc = cf_path_normalise(c->ctx, abs, &c->root);
	free(abs);
	if (rc != CF_OK)
		return rc;
	if (stat(c->root, &st) < 0 || !S_ISDIR(st.st_mode))
		return cf_set_error(c->ctx, errno ? errno : ENOTDIR, "--root '%s'", c->o->root);
	if (!strcmp(c->root, "/")) {
		free(c->root);
		c->root = NULL;
	} else {
		size_t n = strlen(c->root);
		if (n > 1 && c->root[n - 1] == '/')
			c->root[n - 1] = '\0';
	}
	return CF_OK;
}

/* The previous archive's identity, verified against the collecting key
 * and the keys named with --trust. */
static int previous_link(struct cf_ctx *ctx, const struct cf_collect_opts *o,
			 cf_key *key, char prev_hex[CF_SHA256_HEX],
			 uint64_t *seq)
{
	cf_key **keys = cf_calloc(o->ntrust + 1, sizeof *keys);
	size_t n = 0;
	int rc = CF_FAILED;

	if (!keys)
		return cf_set_nomem(ctx, "keys");
	keys[n++] = key;
	for (size_t i = 0; i < o->ntrust; i++, n++)
		if (!(keys[n] = cf_key_load_public(ctx, o->trust[i])))
			goto out;
	rc = cf_previous_read(ctx, o->previous, keys, n, prev_hex, seq);
out:
	for (size_t i = 1; i < n; i++)
		cf_key_free(keys[i]);
	free(keys);
	return rc;
}

int cf_collect_run(struct cf_ctx *ctx, const struct cf_collect_opts *o,
		   struct cf_collect_summary *s)
{
	struct cf_collector c;
	struct cf_profile prof;
	struct cf_source paths;
	struct cf_buf coll;
	struct sigaction sa, old_int, old_term, old_hup;
	char prev_hex[CF_SHA256_HEX], *pass = NULL, *ppath = NULL;
	uint64_t seq = 0;
	int64_t t0 = cf_time_now();
	cf_key *key = NULL;
	int rc, sig_set = 0;

	memset(s, 0, sizeof *s);
	memset(&c, 0, sizeof c);
	memset(&prof, 0, sizeof prof);
	memset(&paths, 0, sizeof paths);
	cf_buf_init(&coll);
	cf_buf_init(&c.line);
	c.o = o;
	c.ctx = ctx;
	c.s = s;
	c.items_fd = c.log_fd = -1;
	snprintf(s->out, sizeof s->out, "%s", o->out);

	if ((rc = set_root(&c)) != CF_OK)
		goto out;
	if (o->passphrase_file &&
	    (rc = cf_passphrase_read(ctx, o->passphrase_file, &pass)) != CF_OK)
		goto out;
	if (!(key = cf_key_load_private(ctx, o->key_path, pass))) {
		rc = CF_FAILED;
		goto out;
	}
	if (o->profile) {
		if (!(ppath = cf_profile_find(ctx, o->profile))) {
			rc = CF_FAILED;
			goto out;
		}
		if ((rc = cf_profile_load(ctx, ppath, &prof)) != CF_OK)
			goto out;
	}
	if (o->npaths) {
		if ((rc = paths_source(ctx, o, &paths)) != CF_OK)
			goto out;
		for (size_t i = 0; i < prof.n; i++)
			if (!strcmp(prof.v[i].id, paths.id)) {
				rc = cf_set_error(ctx, 0,
						  "profile '%s' has a source named 'paths', which PATH arguments use",
						  ppath);
				goto out;
			}
	}
	if (!o->profile && !o->npaths) {
		rc = cf_set_error(ctx, 0, "nothing to collect: give --profile or PATHs");
		goto out;
	}
	if (o->previous) {
		if ((rc = previous_link(ctx, o, key, prev_hex, &seq)) != CF_OK)
			goto out;
	}
	seq++;
	s->sequence = seq;
	uuid_v4(s->collection_id);

	/* SIGINT/SIGTERM/SIGHUP stop between blocks: OUT.partial is removed and
	 * OUT never appears (SIGKILL leaves only OUT.partial). Installed before
	 * OUT.partial is created, so that no signal can leave it behind. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	interrupted = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	sig_set = 1;
	if ((rc = cf_ewriter_open(ctx, o->out, o->compress, &c.w)) != CF_OK ||
	    (rc = cf_reader_new(ctx, cf_ewriter_dir(c.w), MEM_MAX, &c.r)) != CF_OK ||
	    (rc = open_spools(&c)) != CF_OK || (rc = idmap_load(&c)) != CF_OK)
		goto out;
	c.prog = cf_progress_new(stderr, "collect", (enum cf_progress_mode)o->progress, 0, 0);

	if ((rc = collection_json(&c, &prof, o->previous ? prev_hex : NULL, seq, t0,
				  &coll)) != CF_OK ||
	    (rc = add_own(&c, CF_MEMBER_COLLECTION, -1, coll.data, coll.len, NULL)) != CF_OK)
		goto out;
	{
		cJSON *x = cJSON_CreateObject();
		if (!x || cf_json_add_str(x, "collection_id", s->collection_id) ||
		    cf_json_add_str(x, "output", o->out) ||
		    cf_json_add_str(x, "profile", ppath)) {
			cJSON_Delete(x);
			rc = cf_set_nomem(ctx, "log");
			goto out;
		}
		if ((rc = cf_collect_log(&c, "info", "started", NULL, NULL, x)) != CF_OK)
			goto out;
	}
	for (size_t i = 0; i < prof.n && rc == CF_OK; i++)
		rc = run_source(&c, &prof.v[i]);
	if (rc == CF_OK && o->npaths)
		rc = run_source(&c, &paths);
	if (rc == CF_OK && interrupted)
		rc = cf_set_fatal(ctx, EINTR, "interrupted by signal %d", (int)interrupted);
	if (rc != CF_OK)
		goto out;
	rc = finish(&c, key, t0);
	s->duration_us = cf_time_now() - t0;
out:
	if (rc != CF_OK && c.w)
		cf_error_prefix(ctx, "'%s' not written", o->out);
	cf_progress_free(c.prog);
	cf_ewriter_free(c.w); /* removes OUT.partial unless committed */
	if (sig_set) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		sigaction(SIGHUP, &old_hup, NULL);
	}
	cf_reader_free(c.r);
	if (c.items_fd >= 0)
		close(c.items_fd);
	if (c.log_fd >= 0)
		close(c.log_fd);
	cf_sha256_free(c.items_h);
	cf_sha256_free(c.log_h);
	cf_buf_release(&c.line);
	cf_buf_release(&coll);
	idmap_release(&c.ids);
	seen_reset(&c.seen);
	free(c.root);
	cf_profile_release(&prof);
	free(paths.id);
	if (paths.paths)
		for (size_t i = 0; i < paths.npaths; i++)
			free(paths.paths[i]);
	free(paths.paths);
	free(ppath);
	cf_key_free(key);
	if (pass)
		cf_free_secret(pass, strlen(pass));
	return rc;
}
