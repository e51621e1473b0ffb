/* SPDX-License-Identifier: Apache-2.0
 *
 * Items: what every source records for what it finds (see items.h), in
 * one place so that a file, a command's output and a database snapshot
 * get the same items.jsonl entry, the same member naming and the same
 * counts whichever source found them.
 *
 * A host file is read once (reader.c) and stored with the bytes read and
 * their digest; a read error keeps the bytes before it (complete: false)
 * and goes to log.jsonl too. Symlinks, FIFOs, sockets and devices are
 * recorded and never opened. A member name is the host path under
 * evidence/<source id>/, escaped where it is not UTF-8 (items.jsonl keeps
 * the exact bytes as path_hex); no two items ever share one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/evidence.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "casefile/utf8.h"
#include "collector.h"
#include "items.h"
#include "reader.h"
#include "source.h"
#include "writer.h"

/* ==== member names ======================================================= */

static char *member_name(const char *source_id, const char *host_path)
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
	m = member_name(sr->src->id, esc ? esc : host_path);
	free(esc);
	if (!m)
		return NULL;
	cf_ctx_init(&nctx);
	if (cf_path_check_member(&nctx, m) != CF_OK) {
		*skip = "unstorable-name";
	} else {
		switch (cf_collector_take_name(sr->c, m)) {
		case 1: *skip = "name-taken"; break;
		case -1: free(m); return NULL;
		}
	}
	return m;
}

/* ==== items.jsonl entries ================================================ */

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
static void add_ns(struct cf_jb *jb, cJSON *j, const char *key,
		   const struct timespec *t)
{
	char s[32];

	snprintf(s, sizeof s, "%lld", (long long)ts_ns(t));
	cf_jb_str(jb, j, key, s);
}

static cJSON *stat_json(const struct stat *st)
{
	struct cf_jb jb;
	cJSON *j = cf_jb_init(&jb);
	char mode[16];

	snprintf(mode, sizeof mode, "%04o", (unsigned)(st->st_mode & 07777));
	cf_jb_str(&jb, j, "type", type_name(st->st_mode));
	cf_jb_time(&jb, j, "mtime", ts_ns(&st->st_mtim) / 1000);
	add_ns(&jb, j, "mtime_ns", &st->st_mtim);
	cf_jb_time(&jb, j, "ctime", ts_ns(&st->st_ctim) / 1000);
	add_ns(&jb, j, "ctime_ns", &st->st_ctim);
	cf_jb_str(&jb, j, "mode", mode);
	cf_jb_int(&jb, j, "uid", st->st_uid);
	cf_jb_int(&jb, j, "gid", st->st_gid);
	cf_jb_int(&jb, j, "inode", (int64_t)st->st_ino);
	cf_jb_int(&jb, j, "device", (int64_t)st->st_dev);
	cf_jb_int(&jb, j, "size", (int64_t)st->st_size);
	return cf_jb_finish(&jb);
}

/* Adds "stat" to j; -1 on no memory. */
static int add_stat(cJSON *j, const struct stat *st)
{
	cJSON *sj = stat_json(st);

	return !sj || cf_json_add_item(j, "stat", sj) ? -1 : 0;
}

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

/* The common part of an items.jsonl entry. */
static cJSON *item_new(struct cf_srcrun *sr, const char *member, const char *path,
		       const char *category, const char *kind)
{
	struct cf_jb jb;
	cJSON *j = cf_jb_init(&jb);

	if (!category)
		category = sr->src->category;
	if (!category)
		category = guess_category(path ? path : "");
	cf_jb_str(&jb, j, "member", member);
	cf_jb_str(&jb, j, "source", sr->src->id);
	cf_jb_str(&jb, j, "category", category);
	cf_jb_path(&jb, j, "path", path);
	cf_jb_str(&jb, j, "kind", kind);
	return cf_jb_finish(&jb);
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

/* Logs a problem with host path `path` as "event" at level, with the
 * offset of a read error when offset >= 0. */
static int log_path(struct cf_srcrun *sr, const char *level, const char *event,
		    const char *path, int64_t offset, const char *message)
{
	struct cf_jb jb;
	cJSON *x = cf_jb_init(&jb);

	cf_jb_path(&jb, x, "path", path);
	if (offset >= 0)
		cf_jb_int(&jb, x, "offset", offset);
	if (!(x = cf_jb_finish(&jb)))
		return cf_set_nomem(sr->ctx, path);
	return cf_collect_log(sr->c, level, event, sr->src->id, message, x);
}

int cf_collect_record(struct cf_srcrun *sr, const char *path,
		      const char *category, const char *skip_reason,
		      const char *error, const struct stat *st)
{
	cJSON *j = item_new(sr, NULL, path, category, "file");
	struct cf_collect_counts *n = cf_collector_counts(sr->c);

	if (!j || cf_json_add_str(j, "skip_reason", skip_reason) ||
	    cf_json_add_bool(j, "changed_during_read", 0) ||
	    !cJSON_AddArrayToObject(j, "read_errors") || (st && add_stat(j, st)))
		goto nomem;
	if (error) {
		cJSON *e = cJSON_CreateObject();
		if (!e)
			goto nomem;
		cJSON_AddItemToArray(cJSON_GetObjectItem(j, "read_errors"), e);
		if (cf_json_add_int(e, "offset", 0) || cf_json_add_str(e, "error", error))
			goto nomem;
	}
	if (!strcmp(skip_reason, "unreadable"))
		n->unreadable++;
	else
		n->skipped++;
	return cf_collect_item(sr->c, j);
nomem:
	cJSON_Delete(j);
	return cf_set_nomem(sr->ctx, "items");
}

int cf_collect_unreadable(struct cf_srcrun *sr, const char *path,
			  const char *category, const char *why,
			  const struct stat *st)
{
	int rc = log_path(sr, "error", "read-error", path, -1, why);

	return rc != CF_OK ? rc : cf_collect_record(sr, path, category, "unreadable", why, st);
}

/* Stores len bytes (from fd at offset 0, or from mem when fd < 0) as
 * member `name` with the metadata of st (NULL: a member casefile made),
 * and counts them; it (NULL for a member casefile made) gives the holes of
 * a sparse file. */
static int store(struct cf_collector *c, struct cf_ctx *ctx, const char *name,
		 const struct stat *st, int fd, const void *mem, uint64_t len,
		 const uint8_t sha[CF_SHA256_LEN], const struct cf_item *it)
{
	struct cf_collect_counts *n = cf_collector_counts(c);
	struct cf_member_meta m = {0};
	int rc;

	cf_collector_meta(c, st, &m);
	m.name = name;
	if (it) {
		m.holes = it->holes;
		m.nholes = it->nholes;
	}
	if (fd >= 0)
		rc = cf_ewriter_add_fd(cf_collector_writer(c), ctx, &m, fd, len, sha);
	else
		rc = cf_ewriter_add_mem(cf_collector_writer(c), ctx, &m, mem, (size_t)len, sha);
	if (rc == CF_OK) {
		n->items++;
		n->bytes += len;
	}
	return rc;
}

/* ==== host files ========================================================== */

/* A symlink is recorded with its target, never followed. */
static int record_symlink(struct cf_srcrun *sr, int dirfd, const char *name,
			  const char *host_path, const struct stat *lst,
			  const char *category)
{
	char target[4096];
	ssize_t n = readlinkat(dirfd, name, target, sizeof target - 1);
	cJSON *j = item_new(sr, NULL, host_path, category, "symlink");

	target[n > 0 ? n : 0] = '\0';
	if (!j || add_stat(j, lst) ||
	    cf_json_add_path(j, "symlink_target", n >= 0 ? target : NULL) ||
	    cf_json_add_str(j, "skip_reason", "symlink") ||
	    cf_json_add_bool(j, "changed_during_read", 0) ||
	    !cJSON_AddArrayToObject(j, "read_errors")) {
		cJSON_Delete(j);
		return cf_set_nomem(sr->ctx, host_path);
	}
	cf_collector_counts(sr->c)->skipped++;
	return cf_collect_item(sr->c, j);
}

int cf_collect_file(struct cf_srcrun *sr, int dirfd, const char *name,
		    const char *host_path, const struct stat *lst,
		    const char *category, struct cf_item_result *res)
{
	struct cf_collector *c = sr->c;
	struct cf_collect_counts *n = cf_collector_counts(c);
	struct cf_ctx *ctx = sr->ctx;
	struct cf_item it;
	char *member = NULL, hex[CF_SHA256_HEX];
	const char *skip = NULL;
	cJSON *j = NULL;
	int64_t max = sr->src->max_size;
	const char *unstorable;
	int rc, fill = 0;

	if (res)
		memset(res, 0, sizeof *res);
	switch (cf_collector_take_name(c, host_path)) {
	case 1: return CF_OK;
	case -1: return cf_set_nomem(ctx, host_path);
	}
	if (S_ISLNK(lst->st_mode))
		return record_symlink(sr, dirfd, name, host_path, lst, category);
	if (!S_ISREG(lst->st_mode))
		return cf_collect_record(sr, host_path, category, "special-file", NULL, lst);

	if (!(member = member_for(sr, host_path, &unstorable)))
		return cf_set_nomem(ctx, host_path);
	if (unstorable)
		max = 1; /* hashed and recorded, not copied */
	rc = cf_reader_read(cf_collector_reader(c), ctx, dirfd, name, max, &it,
			    cf_collector_progress(c));
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
		fill = 1; /* "" until the typing slot says */
	}
	if (add_stat(j, it.have_stat ? &it.st : lst) ||
	    cf_json_add_bool(j, "changed_during_read", it.changed) ||
	    add_errors(j, &it) || cf_json_add_str(j, "skip_reason", skip) ||
	    (it.err && cf_json_add_bool(j, "complete", 0)))
		goto nomem;
	if (it.err) {
		if ((rc = log_path(sr, "error", "read-error", host_path,
				   (int64_t)it.err_offset, it.errtext)) != CF_OK)
			goto out;
		n->unreadable++;
	}
	if (it.changed) {
		if ((rc = log_path(sr, "warning", "changed-during-read", host_path, -1,
				   "file changed while it was read")) != CF_OK)
			goto out;
		n->changed++;
	}
	if (it.hash_only)
		n->skipped++;
	if (!skip && it.hashed) {
		if ((rc = store(c, ctx, member, &it.st, it.mem ? -1 : it.spool_fd, it.mem,
				it.size, it.sha, &it)) != CF_OK)
			goto out;
		if (res)
			res->stored = 1;
	}
	if (res && it.hashed) {
		res->size = it.size;
		cf_hex(it.sha, sizeof it.sha, res->sha);
	}
	rc = cf_collect_item_typed(c, j, it.type_slot, fill);
	it.type_slot = -1; /* the collector's now */
	j = NULL;
	goto out;
nomem:
	rc = cf_set_nomem(ctx, host_path);
out:
	cf_reader_done(cf_collector_reader(c), &it);
	cJSON_Delete(j);
	free(member);
	return rc;
}

/* ==== members casefile makes ============================================== */

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
	struct cf_collect_counts *n = cf_collector_counts(c);
	struct cf_ctx *ctx = sr->ctx;
	struct cf_item it;
	uint8_t sha[CF_SHA256_LEN];
	char hex[CF_SHA256_HEX];
	cJSON *j = NULL;
	const char *unstorable = NULL;
	char *mname = NULL;
	int rc;

	memset(&it, 0, sizeof it);
	it.type_slot = -1;
	if (fd >= 0)
		rc = cf_fd_sha256(ctx, fd, sha, &len);
	else
		rc = cf_sha256_buf(ctx, data, (size_t)len, sha);
	if (rc != CF_OK)
		goto out;
	cf_hex(sha, sizeof sha, hex);
	if (fd < 0) {
		cf_reader_magic(cf_collector_reader(c), data, (size_t)len, &it);
	} else {
		uint8_t head[4096];
		ssize_t got = pread(fd, head, sizeof head, 0);
		cf_reader_magic(cf_collector_reader(c), head, got > 0 ? (size_t)got : 0, &it);
	}
	/* The suffix of a snapshot is a host path, named as files are */
	if (!(mname = member_for(sr, member_suffix, &unstorable)))
		goto nomem;
	if (!(j = item_new(sr, unstorable ? NULL : mname, path, category, kind)) ||
	    cf_json_add_int(j, "size", (int64_t)len) || cf_json_add_str(j, "sha256", hex) ||
	    cf_json_add_str(j, "mime", it.mime) || cf_json_add_str(j, "description", it.desc) ||
	    (st && add_stat(j, st)) ||
	    cf_json_add_bool(j, "changed_during_read", 0) ||
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
		n->skipped++;
		rc = cf_collect_item(c, j);
		j = NULL;
		goto out;
	}
	if ((rc = store(c, ctx, mname, st, fd, data, len, sha, NULL)) != CF_OK)
		goto out;
	cf_progress_add(cf_collector_progress(c), len, 0);
	if (res) {
		res->stored = 1;
		res->size = len;
		memcpy(res->sha, hex, sizeof hex);
	}
	rc = cf_collect_item(c, j);
	j = NULL;
	goto out;
nomem:
	rc = cf_set_nomem(ctx, member_suffix);
out:
	cJSON_Delete(j);
	cJSON_Delete(extra);
	free(mname);
	return rc;
}
