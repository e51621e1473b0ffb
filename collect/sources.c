/* SPDX-License-Identifier: Apache-2.0
 *
 * The `command`, `sqlite` and `mlflow` sources (SPEC section 3).
 *
 * command: argv is run with posix_spawnp, never through a shell, stdin from
 * /dev/null, stdout and stderr straight into unlinked spool files (no pipe
 * to deadlock, no memory growth), in its own process group that is killed
 * at the timeout. stdout, stderr and status.json become members.
 *
 * sqlite: the database is opened through a `file:...?mode=ro` URI with
 * SQLITE_OPEN_READONLY, never for writing, under a pin (sqlite_safe.h): the
 * file SQLite opens, and its -wal, -shm and -journal, must be the very
 * files checked in the folder held open (same device and inode, no
 * symlink), or the open fails and the item is recorded unreadable, so a
 * path swapped between the check and the open is never read under the
 * source's name. It is copied with the online
 * backup API in one step, which holds one read transaction for the whole
 * copy: the snapshot contains whole transactions only, even while the
 * application keeps writing. The -wal and -journal files are then taken raw
 * as they are. (A reader of a live WAL database maps its -shm index, as
 * every SQLite reader does; the database file itself is never opened
 * writable. A WAL database without a -wal file has no live connection:
 * it is opened immutable=1, so that no -wal or -shm appears beside it.)
 *
 * mlflow: the tracking database snapshot, the artifact root (large files
 * hashed only), and lineage.json built from the snapshot (never from the
 * live database): registered models, their versions with stage and
 * aliases, the source runs with params, metrics, tags and source commit,
 * and the digests of each version's artifacts.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "casefile/sqlite_safe.h"

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/evidence.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "casefile/time.h"
#include "collector.h"
#include "items.h"
#include "source.h"
#include "sources.h"
#include "walk.h"
#include "writer.h"

extern char **environ;

#define BACKUP_RETRY_MS 50
#define BACKUP_RETRIES 600 /* 30 s of a writer holding the lock */
#define LINEAGE_MAX (64u << 20)

/* ==== command ============================================================ */

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static int add_spool(struct cf_srcrun *sr, const char *name, const char *what,
		     int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return cf_set_fatal(sr->ctx, errno, "cannot read a temporary file");
	return cf_collect_generated(sr, name, what, "command-output", NULL, NULL, fd,
				    NULL, (uint64_t)st.st_size, NULL, NULL);
}

int cf_source_command(struct cf_srcrun *sr)
{
	const struct cf_source *src = sr->src;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int out = -1, err = -1, rc, status = 0, timed_out = 0, spawned = 0;
	int64_t t0, dur;
	pid_t pid = -1;
	cJSON *st = NULL, *argv = NULL, *x;
	char *text = NULL;

	if (cf_collector_root(sr->c))
		return cf_collect_log(sr->c, "warning", "not-run", src->id,
				      "--root given: a command would describe the collecting "
				      "host, not the tree under --root", NULL);
	if ((out = cf_spool_open(sr->ctx, cf_ewriter_dir(cf_collector_writer(sr->c)))) < 0 ||
	    (err = cf_spool_open(sr->ctx, cf_ewriter_dir(cf_collector_writer(sr->c)))) < 0) {
		rc = CF_FATAL;
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out, 1);
	posix_spawn_file_actions_adddup2(&fa, err, 2);
	posix_spawnattr_setpgroup(&at, 0);
	{
		sigset_t none;
		sigemptyset(&none);
		posix_spawnattr_setsigmask(&at, &none);
	}
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
	t0 = cf_time_now();
	rc = posix_spawnp(&pid, src->argv[0], &fa, &at, src->argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc != 0) {
		const char *e = strerror(rc);
		rc = cf_collect_record(sr, src->argv[0], NULL, "unreadable", e, NULL);
		if (rc == CF_OK)
			rc = cf_collect_log(sr->c, "error", "command", src->id, e, NULL);
		goto out;
	}
	spawned = 1;
	for (long wait = 1;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			status = 0;
			break;
		}
		if (!timed_out && cf_time_now() - t0 > src->timeout_s * CF_US_PER_SEC) {
			kill(-pid, SIGKILL);
			timed_out = 1;
		}
		sleep_ms(wait);
		if (wait < 50)
			wait *= 2;
	}
	dur = cf_time_now() - t0;
	if (!(st = cJSON_CreateObject()) || !(argv = cJSON_AddArrayToObject(st, "argv")))
		goto nomem;
	for (size_t i = 0; i < src->nargv; i++) {
		cJSON *s = cJSON_CreateString(src->argv[i]);
		if (!s)
			goto nomem;
		cJSON_AddItemToArray(argv, s);
	}
	if (cf_json_add_time(st, "started_at", t0) ||
	    cf_json_add_int(st, "duration_ms", dur / 1000) ||
	    (WIFEXITED(status) ? cf_json_add_int(st, "exit_status", WEXITSTATUS(status))
			       : cf_json_add_str(st, "exit_status", NULL)) ||
	    (WIFSIGNALED(status) ? cf_json_add_int(st, "signal", WTERMSIG(status))
				 : cf_json_add_str(st, "signal", NULL)) ||
	    cf_json_add_bool(st, "timed_out", timed_out) ||
	    cf_json_add_int(st, "timeout_s", src->timeout_s))
		goto nomem;
	if ((rc = add_spool(sr, "stdout", src->argv[0], out)) != CF_OK ||
	    (rc = add_spool(sr, "stderr", src->argv[0], err)) != CF_OK)
		goto out;
	if (!(text = cJSON_PrintBuffered(st, 1024, 1)))
		goto nomem;
	if ((rc = cf_collect_generated(sr, "status.json", src->argv[0], "command-output",
				       NULL, NULL, -1, text, strlen(text), NULL, NULL)) !=
	    CF_OK)
		goto out;
	x = cJSON_Duplicate(st, 1);
	if (!x)
		goto nomem;
	rc = cf_collect_log(sr->c, timed_out || !WIFEXITED(status) ||
					   WEXITSTATUS(status) ? "warning" : "info",
			    "command", src->id, timed_out ? "timed out, killed" : NULL, x);
	goto out;
nomem:
	rc = cf_set_nomem(sr->ctx, src->id);
out:
	if (spawned && !timed_out && rc != CF_OK)
		kill(-pid, SIGKILL);
	free(text);
	cJSON_Delete(st);
	if (out >= 0)
		close(out);
	if (err >= 0)
		close(err);
	return rc;
}

/* ==== sqlite ============================================================= */

/* 1 when the pinned file (fd, name in dirfd) is an SQLite database in WAL
 * mode (header bytes 18-19 = 2) whose -wal file is absent: no connection
 * is live and every committed page is in the main file. Opening it
 * normally, even read-only, would create -wal and -shm beside it. */
static int quiet_wal_db(int fd, int dirfd, const char *name)
{
	unsigned char h[20];
	char side[4096];
	struct stat st;

	if (pread(fd, h, sizeof h, 0) != (ssize_t)sizeof h ||
	    memcmp(h, "SQLite format 3", 16) || h[18] != 2)
		return 0;
	snprintf(side, sizeof side, "%s-wal", name);
	return fstatat(dirfd, side, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT;
}

/* "file:" URI for a path, percent-encoding what a URI would misread;
 * mode=ro always, immutable=1 for a quiet WAL database. */
static char *file_uri(const char *path, int immutable)
{
	struct cf_buf b;

	cf_buf_init(&b);
	if (cf_buf_puts(&b, "file:") < 0)
		return NULL;
	for (const char *p = path; *p; p++) {
		int bad = *p == '?' || *p == '#' || *p == '%' || (unsigned char)*p < 0x20 ||
			  *p == ' ';
		if ((bad ? cf_buf_printf(&b, "%%%02X", (unsigned char)*p)
			 : cf_buf_putc(&b, *p)) < 0) {
			cf_buf_release(&b);
			return NULL;
		}
	}
	if (cf_buf_puts(&b, immutable ? "?mode=ro&immutable=1" : "?mode=ro") < 0) {
		cf_buf_release(&b);
		return NULL;
	}
	return cf_buf_detach(&b);
}

struct snapshot {
	sqlite3 *db;     /* the snapshot, open read-only for lineage */
	char *tmp;       /* its temporary path (removed by snapshot_release) */
};

static void snapshot_release(struct snapshot *s)
{
	if (s->db)
		sqlite3_close(s->db);
	if (s->tmp) {
		char *side = cf_malloc(strlen(s->tmp) + 10);
		unlink(s->tmp);
		/* The copy keeps the source's journal mode: a WAL-mode
		 * snapshot has its own -wal and -shm beside it. */
		for (int k = 0; side && k < 3; k++) {
			static const char *const sfx[] = {"-journal", "-wal", "-shm"};
			sprintf(side, "%s%s", s->tmp, sfx[k]);
			unlink(side);
		}
		free(side);
	}
	free(s->tmp);
	memset(s, 0, sizeof *s);
}

/* Splits host path into folder and base name; the folder is opened
 * without following symlinks. Returns the folder fd or -1. */
static int open_parent(struct cf_srcrun *sr, const char *host, char **base)
{
	char *copy = cf_strdup(host), *slash;
	int fd;

	*base = NULL;
	if (!copy)
		return -1;
	slash = strrchr(copy, '/');
	*slash = '\0';
	fd = cf_open_dir_nofollow(sr->c, copy[0] ? copy : "/");
	if (fd >= 0 && !(*base = cf_strdup(slash + 1))) {
		close(fd);
		fd = -1;
	}
	free(copy);
	return fd;
}

/* Snapshots the database at host path `host` into a member named after it;
 * then takes its -wal and -journal raw. When snap is not NULL the snapshot
 * stays open in it for queries. */
static int sqlite_take(struct cf_srcrun *sr, const char *host,
		       const char *category, struct snapshot *snap)
{
	struct snapshot s = {NULL, NULL};
	struct cf_sqlite_pin pin = {.fd = -1};
	struct cf_ctx pctx;
	sqlite3 *src = NULL;
	sqlite3_backup *bk;
	char *real = NULL, *uri = NULL, *base = NULL, msg[512];
	struct stat st, tst;
	int dirfd = -1, fd = -1, rc = CF_OK, sr_rc, tries = 0, quiet = 0;

	if ((dirfd = open_parent(sr, host, &base)) < 0 ||
	    fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		snprintf(msg, sizeof msg, "open: %s", strerror(errno));
		rc = cf_collect_unreadable(sr, host, category, msg, NULL);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = cf_collect_file(sr, dirfd, base, host, &st, category, NULL);
		goto out;
	}
	/* The file checked is the file read: pinned here, and SQLite's opens
	 * are held to it until the snapshot is taken. */
	cf_ctx_init(&pctx);
	if (cf_sqlite_pin_init(&pctx, &pin, dirfd, base) != CF_OK ||
	    pin.dev != st.st_dev || pin.ino != st.st_ino ||
	    cf_sqlite_pin_arm(&pctx, &pin, CF_SQLITE_PIN_OFF) != CF_OK) {
		rc = cf_collect_unreadable(sr, host, category,
					   cf_errmsg(&pctx)[0] ? cf_errmsg(&pctx)
							       : "open: replaced while being checked",
					   &st);
		goto out;
	}
	quiet = quiet_wal_db(pin.fd, dirfd, base);
	if (!(real = cf_real_path(sr->c, host)) || !(uri = file_uri(real, quiet))) {
		rc = cf_set_nomem(sr->ctx, host);
		goto out;
	}
	cf_sqlite_pin_arm(&pctx, &pin, CF_SQLITE_PIN_MAIN);
	sr_rc = sqlite3_open_v2(uri, &src, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	cf_sqlite_pin_arm(&pctx, &pin, CF_SQLITE_PIN_SIDES);
	if (sr_rc == SQLITE_OK) {
		sqlite3_busy_timeout(src, 5000);
		s.tmp = cf_path_join(cf_ewriter_dir(cf_collector_writer(sr->c)),
				     ".casefile-snapshot.XXXXXX");
		if (!s.tmp || (fd = mkostemp(s.tmp, O_CLOEXEC)) < 0) {
			rc = s.tmp ? cf_set_fatal(sr->ctx, errno, "cannot create a temporary file")
				   : cf_set_nomem(sr->ctx, host);
			goto out;
		}
		close(fd);
		fd = -1;
		sr_rc = sqlite3_open_v2(s.tmp, &s.db, SQLITE_OPEN_READWRITE, NULL);
	}
	if (sr_rc == SQLITE_OK) {
		if (!(bk = sqlite3_backup_init(s.db, "main", src, "main"))) {
			sr_rc = sqlite3_errcode(s.db);
		} else {
			/* One step = one read transaction over every page. */
			while ((sr_rc = sqlite3_backup_step(bk, -1)) == SQLITE_BUSY ||
			       sr_rc == SQLITE_LOCKED) {
				if (++tries > BACKUP_RETRIES)
					break;
				sleep_ms(BACKUP_RETRY_MS);
			}
			if (sr_rc == SQLITE_DONE)
				sr_rc = SQLITE_OK;
			sqlite3_backup_finish(bk);
		}
	}
	cf_sqlite_pin_arm(&pctx, &pin, CF_SQLITE_PIN_OFF);
	if (cf_sqlite_pin_check(&pctx, &pin, real) != CF_OK) {
		snprintf(msg, sizeof msg, "sqlite snapshot: %s", cf_errmsg(&pctx));
		rc = cf_collect_unreadable(sr, host, category, msg, &st);
		goto out;
	}
	if (sr_rc != SQLITE_OK) {
		snprintf(msg, sizeof msg, "sqlite snapshot: %s",
			 src ? sqlite3_errmsg(src) : sqlite3_errstr(sr_rc));
		rc = cf_collect_unreadable(sr, host, category, msg, &st);
		goto out;
	}
	sqlite3_close(s.db);
	s.db = NULL;
	if ((fd = open(s.tmp, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &tst) < 0) {
		rc = cf_set_fatal(sr->ctx, errno, "cannot read the snapshot of '%s'", host);
		goto out;
	}
	{
		cJSON *x = cJSON_CreateObject();
		if (!x || cf_json_add_str(x, "method", "sqlite3 online backup, read-only URI") ||
		    cf_json_add_bool(x, "immutable", quiet) ||
		    cf_json_add_int(x, "retries", tries)) {
			cJSON_Delete(x);
			rc = cf_set_nomem(sr->ctx, host);
			goto out;
		}
		rc = cf_collect_generated(sr, host + 1, host, "sqlite-snapshot", category, &st,
					  fd, NULL, (uint64_t)tst.st_size, x, NULL);
	}
	if (rc != CF_OK)
		goto out;
	if (snap) {
		struct cf_ctx sub;
		cf_ctx_init(&sub);
		/* The snapshot holds what the host's database held: read it for
		 * lineage as untrusted input, after a quick_check. */
		if (cf_sqlite_open_untrusted(&sub, s.tmp, CF_SQLITE_QUICK_CHECK, &s.db) !=
		    CF_OK) {
			rc = cf_collect_unreadable(sr, host, category, cf_errmsg(&sub), &st);
			goto out;
		}
	}
	/* The side files, raw, as they are now, whatever their size: an
	 * mlflow source's max_size is for model artifacts, not for the
	 * database's uncheckpointed transactions. */
	for (int k = 0; k < 2 && rc == CF_OK; k++) {
		struct cf_source whole = *sr->src;
		struct cf_srcrun sr2 = {sr->c, &whole, sr->ctx};
		char side[4096], hs[4096];
		struct stat sst;
		whole.max_size = 0;
		snprintf(side, sizeof side, "%s%s", base, k ? "-journal" : "-wal");
		snprintf(hs, sizeof hs, "%s%s", host, k ? "-journal" : "-wal");
		if (fstatat(dirfd, side, &sst, AT_SYMLINK_NOFOLLOW) == 0)
			rc = cf_collect_file(&sr2, dirfd, side, hs, &sst, category, NULL);
	}
	if (snap && rc == CF_OK) {
		*snap = s;
		s.db = NULL;
		s.tmp = NULL;
	}
out:
	if (src)
		sqlite3_close(src);
	cf_sqlite_pin_release(&pin);
	snapshot_release(&s);
	if (fd >= 0)
		close(fd);
	if (dirfd >= 0)
		close(dirfd);
	free(real);
	free(uri);
	free(base);
	return rc;
}

int cf_source_sqlite(struct cf_srcrun *sr)
{
	return sqlite_take(sr, sr->src->paths[0], NULL, NULL);
}

/* ==== mlflow ============================================================= */

struct artifacts {
	cJSON *list; /* [{"path","sha256","size","stored"}] */
};

static int note_artifact(void *arg, const char *host, const struct cf_item_result *r)
{
	struct artifacts *a = arg;
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return CF_FATAL;
	cJSON_AddItemToArray(a->list, o);
	if (cf_json_add_path(o, "path", host) || cf_json_add_str(o, "sha256", r->sha) ||
	    cf_json_add_int(o, "size", (int64_t)r->size) ||
	    cf_json_add_bool(o, "stored", r->stored))
		return CF_FATAL;
	return CF_OK;
}

/* Prepares sql with up to two text parameters (a NULL one is left unbound,
 * which SQLite reads as null). NULL when the table is missing (older
 * MLflow): the reason is noted in why. */
static sqlite3_stmt *query(sqlite3 *db, const char *sql, const char *p1,
			   const char *p2, char *why)
{
	sqlite3_stmt *st;

	if (!cf_sqlite_prepare_optional(db, sql, &st, why))
		return NULL;
	if (p1)
		sqlite3_bind_text(st, 1, p1, -1, SQLITE_STATIC);
	if (p2)
		sqlite3_bind_text(st, 2, p2, -1, SQLITE_STATIC);
	return st;
}

/* Runs sql (with up to two text parameters) into out: with as_kv, the
 * rows' first two columns as key/value members of the object out; else
 * one object per row (column name -> value; *_time columns in ms become
 * RFC 3339) added to the array out. A missing table (older MLflow) yields
 * nothing. CF_FATAL on no memory. */
static int select_json(sqlite3 *db, const char *sql, const char *p1,
		       const char *p2, int as_kv, cJSON *out, char *why)
{
	sqlite3_stmt *st = query(db, sql, p1, p2, why);
	struct cf_jb jb = CF_JB_INIT;
	int r = SQLITE_DONE;

	if (!st)
		return CF_OK;
	while (!jb.err && (r = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *o;
		if (as_kv) {
			const char *k = (const char *)sqlite3_column_text(st, 0);
			const char *v = (const char *)sqlite3_column_text(st, 1);
			if (k)
				cf_jb_str(&jb, out, k, v);
			continue;
		}
		o = cf_jb_object(&jb, out, NULL);
		for (int i = 0; !jb.err && i < sqlite3_column_count(st); i++) {
			const char *name = sqlite3_column_name(st, i);
			size_t nl = strlen(name);
			int t = sqlite3_column_type(st, i);
			int is_time = nl > 5 && !strcmp(name + nl - 5, "_time");
			if (t == SQLITE_NULL)
				cf_jb_str(&jb, o, name, NULL);
			else if (is_time && t == SQLITE_INTEGER)
				cf_jb_time(&jb, o, name, sqlite3_column_int64(st, i) * 1000);
			else if (t == SQLITE_INTEGER)
				cf_jb_int(&jb, o, name, sqlite3_column_int64(st, i));
			else if (t == SQLITE_FLOAT)
				cf_jb_num(&jb, o, name, sqlite3_column_double(st, i));
			else
				cf_jb_str(&jb, o, name, (const char *)sqlite3_column_text(st, i));
		}
	}
	if (!jb.err)
		cf_sqlite_note_step(db, r, why);
	sqlite3_finalize(st);
	return jb.err ? CF_FATAL : CF_OK;
}

/* One object per row into the array arr (see select_json). */
static int rows(sqlite3 *db, const char *sql, const char *p1, const char *p2,
		cJSON *arr, char *why)
{
	return select_json(db, sql, p1, p2, 0, arr, why);
}

/* key/value rows into an object. */
static int kv(sqlite3 *db, const char *sql, const char *p1, const char *p2,
	      cJSON *obj, char *why)
{
	return select_json(db, sql, p1, p2, 1, obj, why);
}

/* A model-version source URI as a path on the host, or NULL. */
static char *uri_to_path(const char *uri, const char *root, const char *run_uri)
{
	struct cf_buf b;

	cf_buf_init(&b);
	if (!uri)
		return NULL;
	if (!strncmp(uri, "file://", 7))
		cf_buf_puts(&b, uri + 7);
	else if (!strncmp(uri, "mlflow-artifacts:", 17))
		cf_buf_printf(&b, "%s/%s", root, uri + 17 + strspn(uri + 17, "/"));
	else if (!strncmp(uri, "runs:/", 6) && run_uri) {
		const char *rest = strchr(uri + 6, '/');
		char *base = uri_to_path(run_uri, root, NULL);
		if (base)
			cf_buf_printf(&b, "%s/%s", base, rest ? rest + 1 : "");
		free(base);
	} else if (uri[0] == '/')
		cf_buf_puts(&b, uri);
	if (!b.len) {
		cf_buf_release(&b);
		return NULL;
	}
	while (b.len > 1 && b.data[b.len - 1] == '/')
		b.data[--b.len] = '\0';
	return cf_buf_detach(&b);
}

/* The artifacts under `prefix` (a folder or a file). */
static int artifacts_under(cJSON *dst, const cJSON *all, const char *prefix)
{
	size_t n = strlen(prefix);
	const cJSON *a;

	cJSON_ArrayForEach(a, all) {
		const char *p = cf_json_str(a, "path", "");
		if (!strncmp(p, prefix, n) && (p[n] == '/' || p[n] == '\0')) {
			cJSON *d = cJSON_Duplicate(a, 1);
			if (!d)
				return CF_FATAL;
			cJSON_AddItemToArray(dst, d);
		}
	}
	return CF_OK;
}

static int lineage_run(sqlite3 *db, const char *run_id, cJSON *runs,
		       const struct cf_source *src, const cJSON *all, char *why)
{
	cJSON *arr = cJSON_CreateArray(), *r, *o, *m;
	const cJSON *it;
	char *p;
	int rc = CF_FATAL;

	if (!arr)
		return CF_FATAL;
	if (rows(db,
		 "SELECT r.run_uuid AS run_id, r.name, r.experiment_id, e.name AS experiment, "
		 "r.status, r.user_id, r.start_time, r.end_time, r.lifecycle_stage, "
		 "r.source_type, r.source_name, r.source_version, r.artifact_uri "
		 "FROM runs r LEFT JOIN experiments e ON e.experiment_id = r.experiment_id "
		 "WHERE r.run_uuid = ?1",
		 run_id, NULL, arr, why) != CF_OK)
		goto out;
	if (!(r = cJSON_DetachItemFromArray(arr, 0))) {
		rc = CF_OK; /* the version names a run the store lacks */
		goto out;
	}
	cJSON_AddItemToArray(runs, r);
	if (!(o = cJSON_AddObjectToObject(r, "params")) ||
	    kv(db, "SELECT key, value FROM params WHERE run_uuid = ?1 ORDER BY key", run_id,
	       NULL, o, why) != CF_OK ||
	    !(o = cJSON_AddObjectToObject(r, "tags")) ||
	    kv(db, "SELECT key, value FROM tags WHERE run_uuid = ?1 ORDER BY key", run_id,
	       NULL, o, why) != CF_OK ||
	    cf_json_add_str(r, "source_commit",
			    cf_json_str(o, "mlflow.source.git.commit", NULL)) ||
	    !(m = cJSON_AddArrayToObject(r, "metrics")) ||
	    rows(db,
		 "SELECT key, value, step, timestamp AS timestamp_ms, is_nan FROM latest_metrics "
		 "WHERE run_uuid = ?1 ORDER BY key",
		 run_id, NULL, m, why) != CF_OK)
		goto out;
	p = uri_to_path(cf_json_str(r, "artifact_uri", NULL), src->artifacts, NULL);
	if (!(o = cJSON_AddArrayToObject(r, "artifacts")) ||
	    (p && artifacts_under(o, all, p) != CF_OK)) {
		free(p);
		goto out;
	}
	free(p);
	(void)it;
	rc = CF_OK;
out:
	cJSON_Delete(arr);
	return rc;
}

static cJSON *lineage(sqlite3 *db, const struct cf_source *src, const cJSON *all,
		      const char *snap_sha, char *why)
{
	cJSON *j = cJSON_CreateObject(), *models, *runs, *m, *v, *x;

	if (!j || cf_json_add_str(j, "store", src->store) ||
	    cf_json_add_str(j, "store_snapshot_sha256", snap_sha) ||
	    cf_json_add_str(j, "artifact_root", src->artifacts) ||
	    cf_json_add_int(j, "artifact_files", cJSON_GetArraySize(all)) ||
	    !(models = cJSON_AddArrayToObject(j, "registered_models")) ||
	    !(runs = cJSON_AddArrayToObject(j, "runs")) ||
	    rows(db, "SELECT name, description, creation_time, last_updated_time "
		     "FROM registered_models ORDER BY name", NULL, NULL, models, why) != CF_OK)
		goto fail;
	cJSON_ArrayForEach(m, models) {
		const char *name = cf_json_str(m, "name", "");
		cJSON *vers, *tags, *aliases;
		if (!(tags = cJSON_AddObjectToObject(m, "tags")) ||
		    kv(db, "SELECT key, value FROM registered_model_tags WHERE name = ?1 "
			   "ORDER BY key", name, NULL, tags, why) != CF_OK ||
		    !(aliases = cJSON_AddArrayToObject(m, "aliases")) ||
		    rows(db, "SELECT alias, version FROM registered_model_aliases "
			     "WHERE name = ?1 ORDER BY alias", name, NULL, aliases, why) != CF_OK ||
		    !(vers = cJSON_AddArrayToObject(m, "versions")) ||
		    rows(db, "SELECT version, current_stage AS stage, status, source, run_id, "
			     "run_link, storage_location, user_id, description, creation_time, "
			     "last_updated_time FROM model_versions WHERE name = ?1 "
			     "ORDER BY version", name, NULL, vers, why) != CF_OK)
			goto fail;
		cJSON_ArrayForEach(v, vers) {
			char ver[32], *p;
			const cJSON *a;
			cJSON *va, *arts;
			const char *run_id = cf_json_str(v, "run_id", NULL);
			const char *run_uri = NULL;
			snprintf(ver, sizeof ver, "%lld",
				 (long long)cf_json_int(v, "version", 0));
			if (!(va = cJSON_AddArrayToObject(v, "aliases")))
				goto fail;
			cJSON_ArrayForEach(a, aliases)
				if (cf_json_int(a, "version", -1) == cf_json_int(v, "version", 0)) {
					cJSON *s = cJSON_CreateString(cf_json_str(a, "alias", ""));
					if (!s)
						goto fail;
					cJSON_AddItemToArray(va, s);
				}
			if (!(tags = cJSON_AddObjectToObject(v, "tags")) ||
			    kv(db, "SELECT key, value FROM model_version_tags WHERE name = ?1 "
				   "AND version = ?2 ORDER BY key", name, ver, tags, why) != CF_OK)
				goto fail;
			if (run_id) {
				const cJSON *r;
				int found = 0;
				cJSON_ArrayForEach(r, runs)
					if (!strcmp(cf_json_str(r, "run_id", ""), run_id))
						found = 1;
				if (!found && lineage_run(db, run_id, runs, src, all, why) != CF_OK)
					goto fail;
				cJSON_ArrayForEach(r, runs)
					if (!strcmp(cf_json_str(r, "run_id", ""), run_id))
						run_uri = cf_json_str(r, "artifact_uri", NULL);
			}
			p = uri_to_path(cf_json_str(v, "storage_location", NULL), src->artifacts,
					run_uri);
			if (!p)
				p = uri_to_path(cf_json_str(v, "source", NULL), src->artifacts,
						run_uri);
			if (cf_json_add_str(v, "artifact_path", p) ||
			    !(arts = cJSON_AddArrayToObject(v, "artifacts")) ||
			    (p && artifacts_under(arts, all, p) != CF_OK)) {
				free(p);
				goto fail;
			}
			free(p);
		}
	}
	(void)x;
	return j;
fail:
	cJSON_Delete(j);
	return NULL;
}

int cf_source_mlflow(struct cf_srcrun *sr)
{
	const struct cf_source *src = sr->src;
	struct snapshot snap = {NULL, NULL};
	struct artifacts arts = {NULL};
	uint8_t d[CF_SHA256_LEN];
	char hex[CF_SHA256_HEX] = "", why[CF_SQLITE_WHY] = "";
	char *text = NULL;
	cJSON *lin = NULL;
	int rc;

	if ((rc = sqlite_take(sr, src->store, CF_CAT_DATABASE, &snap)) != CF_OK)
		goto out;
	if (!(arts.list = cJSON_CreateArray())) {
		rc = cf_set_nomem(sr->ctx, src->id);
		goto out;
	}
	if ((rc = cf_collect_glob(sr, src->artifacts, CF_CAT_MODEL_ARTIFACT, note_artifact,
				  &arts)) != CF_OK)
		goto out;
	if (!snap.db) {
		rc = cf_collect_log(sr->c, "warning", "no-lineage", src->id,
				    "no snapshot of the tracking store: lineage.json not written",
				    NULL);
		goto out;
	}
	if (snap.tmp) {
		int fd = open(snap.tmp, O_RDONLY | O_CLOEXEC);
		uint64_t len;
		if (fd >= 0 && cf_fd_sha256(sr->ctx, fd, d, &len) == CF_OK)
			cf_hex(d, sizeof d, hex);
		if (fd >= 0)
			close(fd);
	}
	/* What the store did not let us read is said in lineage.json and the
	 * log; the snapshot itself is in the archive either way. */
	if (!(lin = lineage(snap.db, src, arts.list, hex[0] ? hex : NULL, why)) ||
	    (why[0] && (cf_json_add_bool(lin, "complete", 0) ||
			cf_json_add_str(lin, "read_error", why))) ||
	    !(text = cJSON_PrintBuffered(lin, 65536, 1))) {
		rc = cf_set_nomem(sr->ctx, "lineage.json");
		goto out;
	}
	if (why[0]) {
		char msg[CF_SQLITE_WHY + 80];
		snprintf(msg, sizeof msg, "the tracking store could not be read to the end "
			 "(%s): lineage.json is incomplete", why);
		if ((rc = cf_collect_log(sr->c, "warning", "lineage-incomplete", src->id,
					 msg, NULL)) != CF_OK)
			goto out;
	}
	if (strlen(text) > LINEAGE_MAX) {
		rc = cf_collect_log(sr->c, "warning", "too-large", src->id,
				    "lineage.json larger than 64 MiB: not written", NULL);
		goto out;
	}
	rc = cf_collect_generated(sr, "lineage.json", src->store, "derived",
				  CF_CAT_MODEL_LINEAGE, NULL, -1, text, strlen(text), NULL, NULL);
out:
	free(text);
	cJSON_Delete(lin);
	cJSON_Delete(arts.list);
	snapshot_release(&snap);
	return rc;
}
