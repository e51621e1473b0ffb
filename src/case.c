/* SPDX-License-Identifier: Apache-2.0
 *
 * Cases (SPEC section 5): the case folder (create, open, configuration) and
 * the append to its signed, hash-chained custody log. Checking a log and
 * the evidence folder is in src/custody_verify.c; both share
 * src/custody_int.h.
 *
 * A custody line is built with cJSON (members in a fixed order), signed with
 * the actor's Ed25519 key over the line without its "sig" member, and
 * appended with one write(2) under flock(LOCK_EX) followed by fsync: two
 * commands that append at once serialise on the lock, and a crash leaves the
 * whole line or nothing.
 *
 * An append first checks the whole log under the lock (the same pass as the
 * verifier, bound to case.json, but only one signature: that of the last
 * entry the appending key signed, which the prev chain makes cover every
 * entry before it). That costs one SHA-256 and one JSON parse per entry,
 * about a second for a million entries, and buys the rule that no command
 * ever chains a new entry onto a forged, foreign or reordered one.
 *
 * Must never: rewrite or truncate an existing entry (only a failed append of
 * its own is truncated away), accept a log whose last line is torn, or
 * append to a log that fails the check.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "casefile/alloc.h"
#include "casefile/atomic.h"
#include "casefile/buf.h"
#include "casefile/case.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "casefile/time.h"
#include "custody_int.h"

struct cf_case {
	char *dir;       /* case folder as given or found */
	char *id;        /* case id from case.json */
	char *examiner;  /* examiner from case.json ("" when none) */
	char *key_path;  /* key path recorded at init, or NULL */
	char *log_path;  /* dir/custody.jsonl */
};


/* ---- case folder -------------------------------------------------------- */

void cf_case_free(cf_case *c)
{
	if (!c)
		return;
	free(c->dir);
	free(c->id);
	free(c->examiner);
	free(c->key_path);
	free(c->log_path);
	free(c);
}

const char *cf_case_dir(const cf_case *c) { return c->dir; }
const char *cf_case_id(const cf_case *c) { return c->id; }
const char *cf_case_examiner(const cf_case *c) { return c->examiner; }
const char *cf_case_key_path(const cf_case *c) { return c->key_path; }

/* A random (version 4) UUID for a case created without an id. */
static int new_uuid(struct cf_ctx *ctx, char out[37])
{
	uint8_t u[16];

	if (RAND_bytes(u, sizeof u) != 1)
		return cf_set_error(ctx, 0, "cannot draw random bytes for a case id");
	u[6] = (u[6] & 0x0f) | 0x40;
	u[8] = (u[8] & 0x3f) | 0x80;
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10],
		 u[11], u[12], u[13], u[14], u[15]);
	return CF_OK;
}

/* Creates dir, or accepts an existing empty one. */
static int make_case_dir(struct cf_ctx *ctx, const char *dir)
{
	struct stat st;
	int fd;
	char *sub = NULL;

	if (mkdir(dir, 0750) == 0)
		return CF_OK;
	if (errno != EEXIST)
		return cf_set_error(ctx, errno, "cannot create '%s'", dir);
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return cf_set_error(ctx, ENOTDIR, "'%s'", dir);
	/* "Empty" without readdir's allocation: a case.json, custody.jsonl or
	 * evidence/ already there means a case (or something else) lives
	 * here; refuse rather than mix two cases. */
	for (int i = 0; i < 3; i++) {
		const char *n = i == 0 ? CF_CASE_FILE : i == 1 ? CF_CUSTODY_FILE
							      : CF_CASE_EVIDENCE;
		if (!(sub = cf_path_join(dir, n)))
			return cf_set_nomem(ctx, dir);
		fd = lstat(sub, &st);
		free(sub);
		if (fd == 0)
			return cf_set_error(ctx, EEXIST,
					    "'%s' already holds a case (%s)", dir, n);
	}
	return CF_OK;
}

int cf_case_create(struct cf_ctx *ctx, const char *dir, const char *case_id,
		   const char *examiner, const cf_key *key, const char *key_path)
{
	return cf_case_create_ex(ctx, dir, case_id, examiner, key, key_path,
				 NULL, 0);
}

int cf_case_create_ex(struct cf_ctx *ctx, const char *dir, const char *case_id,
		      const char *examiner, const cf_key *key,
		      const char *key_path, char *const *ch_hosts,
		      size_t nch_hosts)
{
	char uuid[37], fp[CF_FINGERPRINT_LEN], now[CF_TIME_STR];
	char hex[CF_SHA256_HEX], *p_json = NULL, *p_log = NULL, *p_ev = NULL;
	char *abs_key = NULL, *text = NULL;
	uint8_t d[CF_SHA256_LEN];
	cJSON *j = NULL;
	cf_case *c = NULL;
	int fd, rc = CF_FAILED;

	if (!case_id) {
		if (new_uuid(ctx, uuid) != CF_OK)
			return CF_FAILED;
		case_id = uuid;
	}
	if (cf_key_fingerprint(ctx, key, fp) != CF_OK)
		return CF_FAILED;
	if (make_case_dir(ctx, dir) != CF_OK)
		return CF_FAILED;
	p_json = cf_path_join(dir, CF_CASE_FILE);
	p_log = cf_path_join(dir, CF_CUSTODY_FILE);
	p_ev = cf_path_join(dir, CF_CASE_EVIDENCE);
	/* An absolute key path, so that commands run from anywhere find it. */
	if (key_path && !(abs_key = realpath(key_path, NULL))) {
		rc = cf_set_error(ctx, errno, "cannot resolve '%s'", key_path);
		goto out;
	}
	if (!p_json || !p_log || !p_ev || !(j = cJSON_CreateObject()) ||
	    cf_json_add_int(j, "format", 1) || cf_json_add_str(j, "id", case_id) ||
	    cf_json_add_str(j, "examiner", examiner ? examiner : "") ||
	    cf_json_add_str(j, "created_at", cf_time_format(cf_time_now(), now)) ||
	    cf_json_add_str(j, "key", abs_key) || cf_json_add_str(j, "signer", fp) ||
	    (nch_hosts &&
	     !cJSON_AddItemToObject(j, "clickhouse_hosts",
				    cJSON_CreateStringArray(
					    (const char *const *)ch_hosts,
					    (int)nch_hosts))) ||
	    !(text = cJSON_Print(j))) {
		rc = cf_set_nomem(ctx, "case.json");
		goto out;
	}
	if (mkdir(p_ev, 0750) < 0) {
		rc = cf_set_error(ctx, errno, "cannot create '%s'", p_ev);
		goto out;
	}
	fd = open(p_log, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0) {
		rc = cf_set_error(ctx, errno, "cannot create '%s'", p_log);
		goto out;
	}
	close(fd);
	{
		size_t n = strlen(text);
		text[n] = '\n'; /* cJSON_Print ends without one; room for the NUL */
		if (cf_write_file_atomic(ctx, p_json, text, n + 1, 0640,
					 CF_ATOMIC_NO_REPLACE) != CF_OK ||
		    cf_sha256_buf(ctx, text, n + 1, d) != CF_OK)
			goto out;
	}
	cf_hex(d, sizeof d, hex);
	if (cf_case_open(ctx, dir, &c) != CF_OK ||
	    cf_custody_append(ctx, c, key, "init", hex, "case created") != CF_OK)
		goto out;
	rc = CF_OK;
out:
	cf_case_free(c);
	cJSON_Delete(j);
	free(text);
	free(abs_key);
	free(p_json);
	free(p_log);
	free(p_ev);
	return rc;
}

/* The nearest folder holding case.json from the current one upwards. */
static int find_case_dir(struct cf_ctx *ctx, char **out)
{
	char *cwd = getcwd(NULL, 0), *cand = NULL;
	struct stat st;

	if (!cwd)
		return cf_set_error(ctx, errno, "cannot read the current folder");
	for (;;) {
		char *slash;
		if (!(cand = cf_path_join(cwd, CF_CASE_FILE))) {
			free(cwd);
			return cf_set_nomem(ctx, "case folder");
		}
		if (lstat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
			free(cand);
			*out = cwd;
			return CF_OK;
		}
		free(cand);
		slash = strrchr(cwd, '/');
		if (!slash || slash == cwd) {
			free(cwd);
			return cf_set_error(ctx, 0,
					    "not inside a case (no %s here or above); "
					    "give -C DIR or run 'casefile init'",
					    CF_CASE_FILE);
		}
		*slash = '\0';
	}
}

int cf_case_open(struct cf_ctx *ctx, const char *dir, cf_case **out)
{
	char *found = NULL, *p_json = NULL;
	cJSON *j = NULL;
	cf_case *c = NULL;
	const char *id, *key;
	int rc = CF_FAILED;

	*out = NULL;
	if (!dir) {
		if (find_case_dir(ctx, &found) != CF_OK)
			return CF_FAILED;
		dir = found;
	}
	if (!(p_json = cf_path_join(dir, CF_CASE_FILE))) {
		rc = cf_set_nomem(ctx, dir);
		goto out;
	}
	if (cf_json_parse_file(ctx, p_json, MAX_CASE_JSON, &j) != CF_OK)
		goto out;
	id = cf_json_str(j, "id", NULL);
	key = cf_json_str(j, "key", NULL);
	if (!id || !*id) {
		rc = cf_set_error(ctx, 0, "'%s' has no case id", p_json);
		goto out;
	}
	if (!(c = cf_calloc(1, sizeof *c)) || !(c->dir = cf_strdup(dir)) ||
	    !(c->id = cf_strdup(id)) ||
	    !(c->examiner = cf_strdup(cf_json_str(j, "examiner", ""))) ||
	    (key && !(c->key_path = cf_strdup(key))) ||
	    !(c->log_path = cf_path_join(dir, CF_CUSTODY_FILE))) {
		rc = cf_set_nomem(ctx, p_json);
		goto out;
	}
	*out = c;
	c = NULL;
	rc = CF_OK;
out:
	cf_case_free(c);
	cJSON_Delete(j);
	free(p_json);
	free(found);
	return rc;
}

/* The unsigned line {"seq",...,"prev"} as compact JSON (heap) or NULL. */
static char *unsigned_line(uint64_t seq, const char *case_id, const char *actor,
			   const char *signer, const char *action,
			   const char *subject, const char *file,
			   const char *file_hex, const char *note,
			   const char *prev)
{
	char now[CF_TIME_STR], *s = NULL;
	cJSON *j = cJSON_CreateObject(), *fo;

	if (!j || cf_json_add_int(j, "seq", (int64_t)seq) ||
	    cf_json_add_str(j, "case", case_id) ||
	    cf_json_add_str(j, "time", cf_time_format(cf_time_now(), now)) ||
	    cf_json_add_str(j, "actor", actor) ||
	    cf_json_add_str(j, "signer", signer) ||
	    cf_json_add_str(j, "action", action) ||
	    cf_json_add_str(j, "subject", subject))
		goto out;
	if (file) {
		if (!(fo = cJSON_AddObjectToObject(j, "file")) ||
		    cf_json_add_str(fo, "name", file) ||
		    cf_json_add_str(fo, "sha256", file_hex))
			goto out;
	} else if (!cJSON_AddNullToObject(j, "file")) {
		goto out;
	}
	if (cf_json_add_str(j, "note", note) || cf_json_add_str(j, "prev", prev))
		goto out;
	s = cJSON_PrintUnformatted(j);
out:
	cJSON_Delete(j);
	return s;
}


/* ---- append ------------------------------------------------------------- */

/* seq and prev for the next entry, after checking the whole log (fd, under
 * the lock) as custody_scan_log does, bound to case.json: a log that fails is
 * refused with CF_TAMPERED. */
static int next_link(struct cf_ctx *ctx, int fd, const cf_case *c,
		     const cf_key *key, uint64_t *seq, char prev[CF_SHA256_HEX])
{
	struct cf_custody_report r;
	char hex[CF_SHA256_HEX], *id = NULL, ch;
	cf_key *k = (cf_key *)key; /* scan only reads it */
	struct scan s;
	struct stat st;
	FILE *f = NULL;
	int dfd, rc = CF_FAILED;

	memset(&r, 0, sizeof r);
	memset(&s, 0, sizeof s);
	cf_buf_init(&s.own);
	if (fstat(fd, &st) < 0)
		return cf_set_error(ctx, errno, "cannot stat '%s'", c->log_path);
	if (st.st_size == 0) {
		*seq = 1;
		memset(prev, '0', 64);
		prev[64] = '\0';
		return CF_OK;
	}
	if (pread(fd, &ch, 1, st.st_size - 1) != 1)
		return cf_set_error(ctx, errno ? errno : EIO, "cannot read '%s'",
				    c->log_path);
	if (ch != '\n')
		return cf_set_error(ctx, 0,
				    "'%s': the last entry is torn (no final newline); "
				    "run 'casefile verify --custody' and repair the log "
				    "before appending",
				    c->log_path);
	if (custody_read_case_json(ctx, c->dir, &id, hex) != CF_OK)
		goto out;
	s.case_id = c->id;
	s.case_hex = hex;
	s.trusted = &k;
	s.ntrusted = 1;
	s.tail_sig = 1;
	if ((dfd = dup(fd)) < 0) {
		cf_set_error(ctx, errno, "cannot read '%s'", c->log_path);
		goto out;
	}
	if (!(f = fdopen(dfd, "r"))) {
		cf_set_error(ctx, errno, "cannot read '%s'", c->log_path);
		close(dfd);
		goto out;
	}
	if (fseeko(f, 0, SEEK_SET) < 0) {
		cf_set_error(ctx, errno, "cannot read '%s'", c->log_path);
		goto out;
	}
	if (custody_scan_log(ctx, f, c->log_path, &s, &r) != CF_OK)
		goto out;
	if (r.first_bad) {
		cf_set_tampered(ctx, "'%s': entry %llu: %s: %s; nothing is appended "
				"after it (run 'casefile verify --custody')",
				c->log_path, (unsigned long long)r.first_bad, r.kind,
				r.detail);
		goto out;
	}
	*seq = r.entries + 1;
	memcpy(prev, r.head, CF_SHA256_HEX);
	rc = CF_OK;
out:
	if (f)
		fclose(f);
	custody_scan_release(&s);
	free(id);
	return rc;
}

int cf_custody_append(struct cf_ctx *ctx, cf_case *c, const cf_key *key,
		      const char *action, const char *subject_hex,
		      const char *note)
{
	return cf_custody_append_file(ctx, c, key, action, subject_hex, NULL,
				      NULL, note);
}

int cf_custody_append_file(struct cf_ctx *ctx, cf_case *c, const cf_key *key,
			   const char *action, const char *subject_hex,
			   const char *file, const char *file_hex,
			   const char *note)
{
	char fp[CF_FINGERPRINT_LEN], prev[CF_SHA256_HEX];
	char sighex[2 * CF_ED25519_SIG_LEN + 1], *msg = NULL;
	uint8_t sig[CF_ED25519_SIG_LEN];
	struct cf_buf line;
	struct stat st;
	uint64_t seq = 0;
	int fd, rc = CF_FAILED;

	cf_buf_init(&line);
	if (!file != !file_hex || (file && (!custody_is_file_name(file) ||
					    !custody_is_hex64(file_hex))))
		return cf_set_error(ctx, EINVAL, "custody entry: bad evidence file");
	if (cf_key_fingerprint(ctx, key, fp) != CF_OK)
		return CF_FAILED;
	fd = open(c->log_path, O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return cf_set_error(ctx, errno, "cannot open '%s'", c->log_path);
	/* The lock covers the check of the log through fsync: a second
	 * appender waits and then chains onto this entry. */
	if (flock(fd, LOCK_EX) < 0) {
		cf_set_error(ctx, errno, "cannot lock '%s'", c->log_path);
		goto out;
	}
	if (next_link(ctx, fd, c, key, &seq, prev) != CF_OK)
		goto out;
	/* Only init starts a log; a log that lost its entries is not
	 * restarted behind the user's back. */
	if ((seq == 1) != !strcmp(action, "init")) {
		if (seq == 1)
			cf_set_tampered(ctx, "'%s' is empty: an initialised case "
					"always has its init entry (the log was "
					"emptied or replaced)", c->log_path);
		else
			cf_set_error(ctx, 0, "'%s': only a new case's first entry "
				     "is an init", c->log_path);
		goto out;
	}
	if (!(msg = unsigned_line(seq, c->id, c->examiner, fp, action,
				  subject_hex, file, file_hex, note, prev))) {
		cf_set_nomem(ctx, "custody entry");
		goto out;
	}
	if (cf_key_sign(ctx, key, msg, strlen(msg), sig) != CF_OK)
		goto out;
	cf_hex(sig, sizeof sig, sighex);
	msg[strlen(msg) - 1] = '\0'; /* drop the closing brace */
	if (cf_buf_printf(&line, "%s,\"sig\":\"%s\"}\n", msg, sighex)) {
		cf_set_nomem(ctx, "custody entry");
		goto out;
	}
	if (line.len > CF_CUSTODY_MAX_LINE) {
		cf_set_error(ctx, 0, "custody entry longer than %d bytes",
			     CF_CUSTODY_MAX_LINE);
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		cf_set_error(ctx, errno, "cannot stat '%s'", c->log_path);
		goto out;
	}
	/* One write(2) of the whole line: with O_APPEND under the lock it
	 * lands after the last entry in one piece or (full disk, crash) in
	 * part, which the truncate below, or verification, catches. */
	if (cf_write_all(fd, line.data, line.len) < 0) {
		int e = errno;
		if (ftruncate(fd, st.st_size) < 0) { /* best effort */ }
		cf_set_error(ctx, e, "cannot write '%s'", c->log_path);
		goto out;
	}
	if (cf_fsync(fd) < 0) {
		int e = errno;
		/* Not durable: withdraw the entry so that the failed command
		 * leaves no trace it did not report. */
		if (ftruncate(fd, st.st_size) < 0) { /* best effort */ }
		cf_set_error(ctx, e, "cannot fsync '%s'", c->log_path);
		goto out;
	}
	rc = CF_OK;
out:
	free(msg);
	cf_buf_release(&line);
	close(fd); /* releases the lock */
	return rc;
}

/* ---- case configuration ------------------------------------------------- */

int cf_case_clickhouse_hosts(struct cf_ctx *ctx, const cf_case *c,
			     char ***hosts, size_t *n)
{
	char *p = cf_path_join(cf_case_dir(c), CF_CASE_FILE);
	const cJSON *list, *h;
	cJSON *j = NULL;
	int rc = CF_OK;

	*hosts = NULL;
	*n = 0;
	if (!p)
		return cf_set_nomem(ctx, CF_CASE_FILE);
	if (cf_json_parse_file(ctx, p, MAX_CASE_JSON, &j) != CF_OK) {
		free(p);
		return CF_FAILED;
	}
	list = cJSON_GetObjectItemCaseSensitive(j, "clickhouse_hosts");
	if (list && !cJSON_IsArray(list)) {
		rc = cf_set_error(ctx, 0, "%s: clickhouse_hosts must be an array of host names", p);
		list = NULL;
	}
	cJSON_ArrayForEach(h, list) {
		char **v;
		if (!cJSON_IsString(h) || !*h->valuestring) {
			rc = cf_set_error(ctx, 0, "%s: clickhouse_hosts must be an array of host names", p);
			break;
		}
		if (!(v = cf_realloc(*hosts, (*n + 1) * sizeof *v)) ||
		    !(v[*n] = cf_strdup(h->valuestring))) {
			if (v)
				*hosts = v;
			rc = cf_set_nomem(ctx, p);
			break;
		}
		*hosts = v;
		(*n)++;
	}
	if (rc != CF_OK) {
		for (size_t i = 0; i < *n; i++)
			free((*hosts)[i]);
		free(*hosts);
		*hosts = NULL;
		*n = 0;
	}
	cJSON_Delete(j);
	free(p);
	return rc;
}
