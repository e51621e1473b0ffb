/* SPDX-License-Identifier: Apache-2.0
 *
 * Cases and the signed, hash-chained custody log (SPEC section 5).
 *
 * A custody line is built with cJSON (members in a fixed order), signed with
 * the actor's Ed25519 key over the line without its "sig" member, and
 * appended with one write(2) under flock(LOCK_EX) followed by fsync: two
 * commands that append at once serialise on the lock, and a crash leaves the
 * whole line or nothing. Only the last line is read to append (seeking
 * backwards from the end), so appending costs the same on a log of ten
 * entries or ten million. The verifier streams the log once, line by line,
 * with bounded memory (CF_CUSTODY_MAX_LINE per line).
 *
 * Must never: rewrite or truncate an existing entry (only a failed append of
 * its own is truncated away), or accept a log whose last line is torn.
 */
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
#include "casefile/lines.h"
#include "casefile/path.h"
#include "casefile/time.h"

struct cf_case {
	char *dir;       /* case folder as given or found */
	char *id;        /* case id from case.json */
	char *examiner;  /* examiner from case.json ("" when none) */
	char *key_path;  /* key path recorded at init, or NULL */
	char *log_path;  /* dir/custody.jsonl */
};

static const char *const custody_keys[] = {
	"seq", "time", "actor", "signer", "action", "subject", "note", "prev", "sig",
};
#define NKEYS (sizeof custody_keys / sizeof custody_keys[0])
#define SIG_TAIL_LEN (sizeof ",\"sig\":\"" - 1 + 2 * CF_ED25519_SIG_LEN + 2)
#define MAX_CASE_JSON (64 * 1024)

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

/* ---- custody line format ------------------------------------------------ */

size_t cf_custody_signed_part(const char *line, size_t len, char *msg,
			      uint8_t sig[CF_ED25519_SIG_LEN])
{
	const char *tail;

	if (len < SIG_TAIL_LEN + 2)
		return 0;
	tail = line + len - SIG_TAIL_LEN;
	if (memcmp(tail, ",\"sig\":\"", 8) || memcmp(line + len - 2, "\"}", 2) ||
	    cf_unhex(tail + 8, 2 * CF_ED25519_SIG_LEN, sig, CF_ED25519_SIG_LEN))
		return 0;
	memcpy(msg, line, len - SIG_TAIL_LEN);
	msg[len - SIG_TAIL_LEN] = '}';
	return len - SIG_TAIL_LEN + 1;
}

/* The unsigned line {"seq",...,"prev"} as compact JSON (heap) or NULL. */
static char *unsigned_line(uint64_t seq, const char *actor, const char *signer,
			   const char *action, const char *subject,
			   const char *note, const char *prev)
{
	char now[CF_TIME_STR], *s = NULL;
	cJSON *j = cJSON_CreateObject();

	if (!j || cf_json_add_int(j, "seq", (int64_t)seq) ||
	    cf_json_add_str(j, "time", cf_time_format(cf_time_now(), now)) ||
	    cf_json_add_str(j, "actor", actor) ||
	    cf_json_add_str(j, "signer", signer) ||
	    cf_json_add_str(j, "action", action) ||
	    cf_json_add_str(j, "subject", subject) ||
	    cf_json_add_str(j, "note", note) || cf_json_add_str(j, "prev", prev))
		goto out;
	s = cJSON_PrintUnformatted(j);
out:
	cJSON_Delete(j);
	return s;
}

/* ---- append ------------------------------------------------------------- */

/* seq and prev for the next entry, from the log's current state. */
static int next_link(struct cf_ctx *ctx, int fd, const char *path,
		     uint64_t *seq, char prev[CF_SHA256_HEX])
{
	struct stat st;
	struct cf_buf last;
	uint8_t d[CF_SHA256_LEN];
	cJSON *j = NULL, *s;
	char c;
	int rc = CF_FAILED;

	if (fstat(fd, &st) < 0)
		return cf_set_error(ctx, errno, "cannot stat '%s'", path);
	if (st.st_size == 0) {
		*seq = 1;
		memset(prev, '0', 64);
		prev[64] = '\0';
		return CF_OK;
	}
	if (pread(fd, &c, 1, st.st_size - 1) != 1)
		return cf_set_error(ctx, errno ? errno : EIO, "cannot read '%s'", path);
	if (c != '\n')
		return cf_set_error(ctx, 0,
				    "'%s': the last entry is torn (no final newline); "
				    "run 'casefile verify --custody' and repair the log "
				    "before appending",
				    path);
	cf_buf_init(&last);
	if (cf_last_line(ctx, fd, st.st_size, CF_CUSTODY_MAX_LINE, path, &last,
			 NULL) != CF_OK)
		goto out;
	if (cf_json_parse(ctx, last.data, last.len, &j) != CF_OK) {
		cf_error_prefix(ctx, "'%s' last entry", path);
		goto out;
	}
	s = cJSON_GetObjectItemCaseSensitive(j, "seq");
	if (!cJSON_IsNumber(s) || s->valuedouble < 1 ||
	    s->valuedouble > 9007199254740991.0 ||
	    s->valuedouble != (double)(uint64_t)s->valuedouble) {
		cf_set_error(ctx, 0, "'%s': the last entry has no valid seq", path);
		goto out;
	}
	*seq = (uint64_t)s->valuedouble + 1;
	if (cf_sha256_buf(ctx, last.data, last.len, d) != CF_OK)
		goto out;
	cf_hex(d, sizeof d, prev);
	rc = CF_OK;
out:
	cJSON_Delete(j);
	cf_buf_release(&last);
	return rc;
}

int cf_custody_append(struct cf_ctx *ctx, cf_case *c, const cf_key *key,
		      const char *action, const char *subject_hex,
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
	if (cf_key_fingerprint(ctx, key, fp) != CF_OK)
		return CF_FAILED;
	fd = open(c->log_path, O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return cf_set_error(ctx, errno, "cannot open '%s'", c->log_path);
	/* The lock covers read-last-line through fsync: a second appender
	 * waits and then chains onto this entry. */
	if (flock(fd, LOCK_EX) < 0) {
		cf_set_error(ctx, errno, "cannot lock '%s'", c->log_path);
		goto out;
	}
	if (next_link(ctx, fd, c->log_path, &seq, prev) != CF_OK)
		goto out;
	if (!(msg = unsigned_line(seq, c->examiner, fp, action, subject_hex, note,
				  prev))) {
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

/* ---- verification ------------------------------------------------------- */

static int bad(struct cf_custody_report *r, uint64_t line, const char *kind,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int bad(struct cf_custody_report *r, uint64_t line, const char *kind,
	       const char *fmt, ...)
{
	va_list ap;

	r->first_bad = line;
	snprintf(r->kind, sizeof r->kind, "%s", kind);
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof r->detail, fmt, ap);
	va_end(ap);
	return 1;
}

/* Checks the member order and types of a parsed entry. */
static int check_fields(const cJSON *j, struct cf_custody_report *r,
			uint64_t n)
{
	const cJSON *it;
	size_t i = 0;

	if (!cJSON_IsObject(j))
		return bad(r, n, "bad-json", "entry %llu is not a JSON object",
			   (unsigned long long)n);
	for (it = j->child; it; it = it->next, i++) {
		int str_or_null = cJSON_IsString(it) || cJSON_IsNull(it);
		if (i >= NKEYS || strcmp(it->string, custody_keys[i]))
			return bad(r, n, "bad-field",
				   "entry %llu: member %zu is '%s', expected '%s'",
				   (unsigned long long)n, i + 1, it->string,
				   i < NKEYS ? custody_keys[i] : "(none)");
		if (i == 0 ? !cJSON_IsNumber(it)
			   : (i == 5 || i == 6) ? !str_or_null : !cJSON_IsString(it))
			return bad(r, n, "bad-field", "entry %llu: '%s' has the wrong type",
				   (unsigned long long)n, it->string);
	}
	if (i != NKEYS)
		return bad(r, n, "bad-field", "entry %llu has %zu members, expected %zu",
			   (unsigned long long)n, i, NKEYS);
	return 0;
}

/* Checks one line (without its newline); returns 1 when it is bad. */
static int check_line(struct cf_ctx *ctx, const char *line, size_t len,
		      uint64_t n, const uint8_t prev[CF_SHA256_LEN],
		      cf_key *const *trusted, char (*fps)[CF_FINGERPRINT_LEN],
		      size_t ntrusted, char *msg, struct cf_custody_report *r)
{
	uint8_t sig[CF_ED25519_SIG_LEN], want[CF_SHA256_LEN];
	cJSON *j = NULL;
	const char *signer, *prevhex;
	struct cf_ctx sub;
	size_t mlen, k;
	int res = 1;
	int64_t t;

	cf_ctx_init(&sub);
	if (cf_json_parse(&sub, line, len, &j) != CF_OK) {
		bad(r, n, "bad-json", "entry %llu is not valid JSON: %s",
		    (unsigned long long)n, cf_errmsg(&sub));
		goto out;
	}
	if (check_fields(j, r, n))
		goto out;
	if (cJSON_GetObjectItemCaseSensitive(j, "seq")->valuedouble != (double)n) {
		bad(r, n, "seq-gap", "entry %llu has seq %.0f, expected %llu",
		    (unsigned long long)n,
		    cJSON_GetObjectItemCaseSensitive(j, "seq")->valuedouble,
		    (unsigned long long)n);
		goto out;
	}
	prevhex = cf_json_str(j, "prev", "");
	if (strlen(prevhex) != 64 || cf_unhex(prevhex, 64, want, sizeof want) ||
	    memcmp(want, prev, CF_SHA256_LEN)) {
		bad(r, n, "prev-mismatch",
		    "entry %llu: prev does not match the SHA-256 of entry %llu "
		    "(an entry was edited, removed, inserted or reordered)",
		    (unsigned long long)n, (unsigned long long)(n - 1));
		goto out;
	}
	if (cf_time_parse(cf_json_str(j, "time", ""), -1, &t, NULL) < 0) {
		bad(r, n, "bad-field", "entry %llu: time is not RFC 3339",
		    (unsigned long long)n);
		goto out;
	}
	if (!(mlen = cf_custody_signed_part(line, len, msg, sig))) {
		bad(r, n, "bad-field", "entry %llu: sig is not the last member or "
		    "not 128 hex digits", (unsigned long long)n);
		goto out;
	}
	signer = cf_json_str(j, "signer", "");
	for (k = 0; k < ntrusted && strcmp(fps[k], signer); k++)
		;
	if (k == ntrusted) {
		bad(r, n, "untrusted-signer",
		    "entry %llu is signed by %s, which is not a trusted key",
		    (unsigned long long)n, signer);
		goto out;
	}
	if (cf_key_verify(&sub, trusted[k], msg, mlen, sig, sizeof sig) != CF_OK) {
		bad(r, n, "bad-signature",
		    "entry %llu: the signature does not verify with %s",
		    (unsigned long long)n, signer);
		goto out;
	}
	if (!r->first_us)
		r->first_us = t;
	r->last_us = t;
	res = 0;
out:
	(void)ctx;
	cJSON_Delete(j);
	return res;
}

int cf_custody_verify(struct cf_ctx *ctx, const char *path,
		      cf_key *const *trusted, size_t ntrusted,
		      struct cf_custody_report *report)
{
	char (*fps)[CF_FINGERPRINT_LEN] = NULL;
	char *line = NULL, *msg = NULL;
	uint8_t prev[CF_SHA256_LEN] = {0};
	size_t cap = 0;
	ssize_t len;
	uint64_t n = 0;
	FILE *f = NULL;
	int fd, rc = CF_FAILED;

	memset(report, 0, sizeof *report);
	if (ntrusted && !(fps = cf_calloc(ntrusted, sizeof *fps)))
		return cf_set_nomem(ctx, path);
	for (size_t i = 0; i < ntrusted; i++)
		if (cf_key_fingerprint(ctx, trusted[i], fps[i]) != CF_OK)
			goto out;
	if (!(msg = cf_malloc(CF_CUSTODY_MAX_LINE + 2))) {
		rc = cf_set_nomem(ctx, path);
		goto out;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !(f = fdopen(fd, "r"))) {
		rc = cf_set_error(ctx, errno, "cannot open '%s'", path);
		if (fd >= 0)
			close(fd);
		goto out;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		n++;
		if (line[len - 1] != '\n') {
			bad(report, n, "torn-line",
			    "entry %llu is torn: the log ends without a newline "
			    "(an interrupted or partial write)",
			    (unsigned long long)n);
			break;
		}
		line[--len] = '\0';
		if ((size_t)len > CF_CUSTODY_MAX_LINE) {
			bad(report, n, "bad-json", "entry %llu is longer than %d bytes",
			    (unsigned long long)n, CF_CUSTODY_MAX_LINE);
			break;
		}
		if (check_line(ctx, line, (size_t)len, n, prev, trusted, fps,
			       ntrusted, msg, report))
			break;
		if (cf_sha256_buf(ctx, line, (size_t)len, prev) != CF_OK)
			goto out;
		report->entries = n;
	}
	if (ferror(f)) {
		rc = cf_set_error(ctx, errno, "cannot read '%s'", path);
		goto out;
	}
	if (report->entries)
		cf_hex(prev, sizeof prev, report->head);
	rc = CF_OK;
out:
	if (f)
		fclose(f);
	free(line);
	free(msg);
	free(fps);
	return rc;
}
