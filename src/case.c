/* SPDX-License-Identifier: Apache-2.0
 *
 * Cases and the signed, hash-chained custody log (SPEC section 5).
 *
 * A custody line is built with cJSON (members in a fixed order), signed with
 * the actor's Ed25519 key over the line without its "sig" member, and
 * appended with one write(2) under flock(LOCK_EX) followed by fsync: two
 * commands that append at once serialise on the lock, and a crash leaves the
 * whole line or nothing. The verifier streams the log once, line by line,
 * with bounded memory (CF_CUSTODY_MAX_LINE per line).
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

struct cf_case {
	char *dir;       /* case folder as given or found */
	char *id;        /* case id from case.json */
	char *examiner;  /* examiner from case.json ("" when none) */
	char *key_path;  /* key path recorded at init, or NULL */
	char *log_path;  /* dir/custody.jsonl */
};

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

/* ---- checking a log ----------------------------------------------------- */

/* An evidence file an add entry recorded. */
struct rec {
	char *name;
	char hex[CF_SHA256_HEX];
	uint64_t seq;
};

/* What one pass over a log checks besides the chain (see scan_log). */
struct scan {
	const char *case_id;  /* id every bound entry must name; NULL: entry 1's */
	const char *case_hex; /* SHA-256 of case.json entry 1 must name, or NULL */
	cf_key *const *trusted;
	char (*fps)[CF_FINGERPRINT_LEN];
	size_t ntrusted;
	/* Append: only the signature of the last entry signed by trusted[0] is
	 * checked (the prev chain pins every entry before it); entries of
	 * other signers pass, as the appender cannot know their keys. */
	int tail_sig;
	struct cf_buf own;    /* tail_sig: that last line */
	uint64_t own_seq;
	char *first_id;       /* case id of the first bound entry (heap) */
	int want_files;       /* collect the add entries' files */
	struct rec *recs;
	size_t nrecs, caprecs;
	char *msg;            /* CF_CUSTODY_MAX_LINE + 2 bytes of scratch */
};

static const char *const keys_v2[] = {
	"seq", "case", "time", "actor", "signer", "action", "subject", "file",
	"note", "prev", "sig",
};
static const char *const keys_v1[] = {
	"seq", "time", "actor", "signer", "action", "subject", "note", "prev", "sig",
};
#define NKEYS_V2 (sizeof keys_v2 / sizeof keys_v2[0])
#define NKEYS_V1 (sizeof keys_v1 / sizeof keys_v1[0])
#define MAX_EVIDENCE 100000

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

static int is_hex64(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == 64;
}

/* A file name of evidence/: one path component, not "." or "..". */
static int is_file_name(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

/* Checks the member order and types of a parsed entry; *format gets 2
 * (with "case" and "file") or 1 (before binding). */
static int check_fields(const cJSON *j, struct cf_custody_report *r,
			uint64_t n, int *format)
{
	const char *const *keys;
	const cJSON *it, *f;
	size_t i = 0, nkeys;

	if (!cJSON_IsObject(j))
		return bad(r, n, "bad-json", "entry %llu is not a JSON object",
			   (unsigned long long)n);
	*format = j->child && j->child->next && j->child->next->string &&
			  !strcmp(j->child->next->string, "case") ? 2 : 1;
	keys = *format == 2 ? keys_v2 : keys_v1;
	nkeys = *format == 2 ? NKEYS_V2 : NKEYS_V1;
	for (it = j->child; it; it = it->next, i++) {
		const char *k = i < nkeys ? keys[i] : "(none)";
		int ok;
		if (i >= nkeys || strcmp(it->string, k))
			return bad(r, n, "bad-field",
				   "entry %llu: member %zu is '%s', expected '%s'",
				   (unsigned long long)n, i + 1, it->string, k);
		if (!strcmp(k, "seq"))
			ok = cJSON_IsNumber(it);
		else if (!strcmp(k, "subject") || !strcmp(k, "note"))
			ok = cJSON_IsString(it) || cJSON_IsNull(it);
		else if (!strcmp(k, "file"))
			ok = cJSON_IsNull(it) ||
			     (cJSON_IsObject(it) && (f = it->child) &&
			      !strcmp(f->string, "name") && cJSON_IsString(f) &&
			      is_file_name(f->valuestring) && (f = f->next) &&
			      !strcmp(f->string, "sha256") && cJSON_IsString(f) &&
			      is_hex64(f->valuestring) && !f->next);
		else
			ok = cJSON_IsString(it);
		if (!ok)
			return bad(r, n, "bad-field", "entry %llu: '%s' has the wrong type",
				   (unsigned long long)n, it->string);
	}
	if (i != nkeys)
		return bad(r, n, "bad-field", "entry %llu has %zu members, expected %zu",
			   (unsigned long long)n, i, nkeys);
	return 0;
}

/* Remembers the file an add entry recorded; -1 out of memory. */
static int add_rec(struct scan *s, const cJSON *file, uint64_t n)
{
	if (s->nrecs == s->caprecs) {
		size_t cap = s->caprecs ? 2 * s->caprecs : 16;
		struct rec *g = cf_realloc(s->recs, cap * sizeof *g);
		if (!g)
			return -1;
		s->recs = g;
		s->caprecs = cap;
	}
	if (!(s->recs[s->nrecs].name =
		      cf_strdup(cf_json_str(file, "name", ""))))
		return -1;
	snprintf(s->recs[s->nrecs].hex, CF_SHA256_HEX, "%s",
		 cf_json_str(file, "sha256", ""));
	s->recs[s->nrecs++].seq = n;
	return 0;
}

/* Entry 1's subject is the SHA-256 of case.json (when known); 1 when not. */
static int check_case_json(const cJSON *j, uint64_t n, const struct scan *s,
			   struct cf_custody_report *r)
{
	if (n != 1 || !s->case_hex ||
	    !strcmp(cf_json_str(j, "subject", ""), s->case_hex))
		return 0;
	return bad(r, n, "case-json-mismatch",
		   "entry 1: %s has SHA-256 %s, but init recorded %s (case.json "
		   "was edited or replaced, or the log is from another case)",
		   CF_CASE_FILE, s->case_hex, cf_json_str(j, "subject", "none"));
}

/* The binding of one entry: entry 1 is this case's init, every entry names
 * the case; a format 1 entry only in a prefix of the log. 1 when bad, -1
 * out of memory. */
static int check_binding(const cJSON *j, int format, uint64_t n, struct scan *s,
			 struct cf_custody_report *r)
{
	const char *id, *want;

	if (n == 1 && strcmp(cf_json_str(j, "action", ""), "init"))
		return bad(r, n, "not-init",
			   "entry 1 is '%s', not the case's init entry (entry 1 "
			   "was removed or replaced)", cf_json_str(j, "action", ""));
	if (format == 1) {
		if (r->unbound != n - 1)
			return bad(r, n, "case-mismatch",
				   "entry %llu names no case id, after entries "
				   "that do", (unsigned long long)n);
		r->unbound = n;
		return check_case_json(j, n, s, r);
	}
	id = cf_json_str(j, "case", "");
	if (!s->first_id) {
		if (!(s->first_id = cf_strdup(id)))
			return -1;
		snprintf(r->case_id, sizeof r->case_id, "%s", id);
	}
	want = s->case_id ? s->case_id : s->first_id;
	if (strcmp(id, want))
		return bad(r, n, "case-mismatch",
			   "entry %llu names case '%.100s', but %s names '%.100s' "
			   "(an entry or a log from another case, or an edited "
			   "%s)", (unsigned long long)n, id,
			   s->case_id ? CF_CASE_FILE : "entry 1", want,
			   s->case_id ? CF_CASE_FILE : "entry");
	if (check_case_json(j, n, s, r))
		return 1;
	if (s->want_files && !strcmp(cf_json_str(j, "action", ""), "add") &&
	    cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "file")) &&
	    add_rec(s, cJSON_GetObjectItemCaseSensitive(j, "file"), n) < 0)
		return -1;
	return 0;
}

/* The signature of one line by the key of fingerprint signer; 1 when bad,
 * -1 when the check ran out of memory (ctx): never a forgery for that. */
static int check_sig(struct cf_ctx *ctx, const char *line, size_t len,
		     uint64_t n, const char *signer, struct scan *s,
		     struct cf_custody_report *r)
{
	unsigned long refused = cf_alloc_failures();
	uint8_t sig[CF_ED25519_SIG_LEN];
	struct cf_ctx sub;
	size_t mlen, k;

	if (!(mlen = cf_custody_signed_part(line, len, s->msg, sig)))
		return bad(r, n, "bad-field", "entry %llu: sig is not the last "
			   "member or not 128 hex digits", (unsigned long long)n);
	for (k = 0; k < s->ntrusted && strcmp(s->fps[k], signer); k++)
		;
	if (k == s->ntrusted)
		return bad(r, n, "untrusted-signer",
			   "entry %llu is signed by %s, which is not a trusted key",
			   (unsigned long long)n, signer);
	cf_ctx_init(&sub);
	if (cf_key_verify(&sub, s->trusted[k], s->msg, mlen, sig, sizeof sig) !=
	    CF_OK && cf_alloc_failures() != refused) {
		cf_set_nomem(ctx, "custody signature");
		return -1;
	}
	if (sub.code != CF_OK)
		return bad(r, n, "bad-signature",
			   "entry %llu: the signature does not verify with %s",
			   (unsigned long long)n, signer);
	return 0;
}

/* Checks one line (without its newline): 0 good, 1 bad (in r), -1 a
 * runtime failure (in ctx). */
static int check_line(struct cf_ctx *ctx, const char *line, size_t len,
		      uint64_t n, const uint8_t prev[CF_SHA256_LEN],
		      struct scan *s, struct cf_custody_report *r)
{
	uint8_t sig[CF_ED25519_SIG_LEN], want[CF_SHA256_LEN];
	cJSON *j = NULL;
	const char *signer, *prevhex;
	struct cf_ctx sub;
	int res = 1, format = 0, b;
	int64_t t;

	cf_ctx_init(&sub);
	if (cf_json_parse(&sub, line, len, &j) != CF_OK) {
		if (sub.err == ENOMEM) {
			cf_set_nomem(ctx, "custody entry");
			res = -1;
		} else {
			bad(r, n, "bad-json", "entry %llu is not valid JSON: %s",
			    (unsigned long long)n, cf_errmsg(&sub));
		}
		goto out;
	}
	if (check_fields(j, r, n, &format))
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
	if ((b = check_binding(j, format, n, s, r)) != 0) {
		if (b < 0) {
			cf_set_nomem(ctx, "custody entry");
			res = -1;
		}
		goto out;
	}
	if (cf_time_parse(cf_json_str(j, "time", ""), -1, &t, NULL) < 0) {
		bad(r, n, "bad-field", "entry %llu: time is not RFC 3339",
		    (unsigned long long)n);
		goto out;
	}
	signer = cf_json_str(j, "signer", "");
	if (s->tail_sig) {
		/* Well formed now; the signature of the last own entry is
		 * checked at the end. */
		if (!cf_custody_signed_part(line, len, s->msg, sig)) {
			bad(r, n, "bad-field", "entry %llu: sig is not the last "
			    "member or not 128 hex digits", (unsigned long long)n);
			goto out;
		}
		if (!strcmp(signer, s->fps[0])) {
			s->own.len = 0;
			if (cf_buf_append(&s->own, line, len)) {
				cf_set_nomem(ctx, "custody entry");
				res = -1;
				goto out;
			}
			s->own_seq = n;
		}
	} else if ((b = check_sig(ctx, line, len, n, signer, s, r)) != 0) {
		res = b;
		goto out;
	}
	if (!r->first_us)
		r->first_us = t;
	r->last_us = t;
	res = 0;
out:
	cJSON_Delete(j);
	return res;
}

/* One pass over the log f: every line checked as above, the chain's head
 * and count in r. CF_OK when the check ran (r->first_bad tells). */
static int scan_log(struct cf_ctx *ctx, FILE *f, const char *path,
		    struct scan *s, struct cf_custody_report *r)
{
	uint8_t prev[CF_SHA256_LEN] = {0};
	cf_sha256 *h = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	uint64_t n = 0;
	int rc = CF_FAILED, res;

	/* One digest handle for every line: no allocation per entry. */
	if (!(h = cf_sha256_new(ctx)))
		return CF_FAILED;
	if (s->ntrusted && !(s->fps = cf_calloc(s->ntrusted, sizeof *s->fps))) {
		rc = cf_set_nomem(ctx, path);
		goto out;
	}
	for (size_t i = 0; i < s->ntrusted; i++)
		if (cf_key_fingerprint(ctx, s->trusted[i], s->fps[i]) != CF_OK)
			goto out;
	if (!(s->msg = cf_malloc(CF_CUSTODY_MAX_LINE + 2))) {
		rc = cf_set_nomem(ctx, path);
		goto out;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		n++;
		if (line[len - 1] != '\n') {
			bad(r, n, "torn-line",
			    "entry %llu is torn: the log ends without a newline "
			    "(an interrupted or partial write)",
			    (unsigned long long)n);
			break;
		}
		line[--len] = '\0';
		if ((size_t)len > CF_CUSTODY_MAX_LINE) {
			bad(r, n, "bad-json", "entry %llu is longer than %d bytes",
			    (unsigned long long)n, CF_CUSTODY_MAX_LINE);
			break;
		}
		if ((res = check_line(ctx, line, (size_t)len, n, prev, s, r)) < 0)
			goto out;
		if (res)
			break;
		if (cf_sha256_reset(h, ctx) != CF_OK ||
		    cf_sha256_update(h, ctx, line, (size_t)len) != CF_OK ||
		    cf_sha256_final(h, ctx, prev) != CF_OK)
			goto out;
		r->entries = n;
	}
	if (ferror(f)) {
		rc = cf_set_error(ctx, errno, "cannot read '%s'", path);
		goto out;
	}
	if (n == 0)
		bad(r, 1, "empty", "the custody log has no entries: an "
		    "initialised case always has its init entry (the log was "
		    "emptied or replaced)");
	if (!r->first_bad && s->tail_sig && s->own_seq) {
		if ((res = check_sig(ctx, s->own.data, s->own.len, s->own_seq,
				     s->fps[0], s, r)) < 0)
			goto out;
		if (res)
			r->entries = s->own_seq - 1;
	}
	if (r->entries)
		cf_hex(prev, sizeof prev, r->head);
	rc = CF_OK;
out:
	cf_sha256_free(h);
	free(line);
	return rc;
}

static void scan_release(struct scan *s)
{
	for (size_t i = 0; i < s->nrecs; i++)
		free(s->recs[i].name);
	free(s->recs);
	free(s->fps);
	free(s->msg);
	free(s->first_id);
	cf_buf_release(&s->own);
}

void cf_custody_report_release(struct cf_custody_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nfiles; i++)
		free(r->files[i].name);
	free(r->files);
	r->files = NULL;
	r->nfiles = 0;
}

/* Opens path read-only (never following a symlink) as a stream. */
static FILE *open_log(struct cf_ctx *ctx, const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	FILE *f;

	if (fd < 0 || !(f = fdopen(fd, "r"))) {
		cf_set_error(ctx, errno, "cannot open '%s'", path);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	return f;
}

int cf_custody_verify(struct cf_ctx *ctx, const char *path,
		      cf_key *const *trusted, size_t ntrusted,
		      struct cf_custody_report *report)
{
	struct scan s;
	FILE *f;
	int rc;

	memset(report, 0, sizeof *report);
	memset(&s, 0, sizeof s);
	cf_buf_init(&s.own);
	s.trusted = trusted;
	s.ntrusted = ntrusted;
	if (!(f = open_log(ctx, path)))
		return CF_FAILED;
	rc = scan_log(ctx, f, path, &s, report);
	fclose(f);
	scan_release(&s);
	return rc;
}

/* ---- binding to case.json and evidence/ --------------------------------- */

/* case.json of dir: its id (heap) and the SHA-256 of its bytes, read once. */
static int read_case_json(struct cf_ctx *ctx, const char *dir, char **id,
			  char hex[CF_SHA256_HEX])
{
	char *p = cf_path_join(dir, CF_CASE_FILE);
	uint8_t d[CF_SHA256_LEN];
	struct cf_buf b;
	cJSON *j = NULL;
	int rc = CF_FAILED;

	*id = NULL;
	cf_buf_init(&b);
	if (!p)
		return cf_set_nomem(ctx, dir);
	if (cf_buf_read_file(ctx, &b, p, MAX_CASE_JSON) != CF_OK ||
	    cf_sha256_buf(ctx, b.data ? b.data : "", b.len, d) != CF_OK)
		goto out;
	if (cf_json_parse(ctx, b.data ? b.data : "", b.len, &j) != CF_OK) {
		cf_error_prefix(ctx, "'%s'", p);
		goto out;
	}
	if (!cf_json_str(j, "id", NULL) || !*cf_json_str(j, "id", "")) {
		rc = cf_set_error(ctx, 0, "'%s' has no case id", p);
		goto out;
	}
	if (!(*id = cf_strdup(cf_json_str(j, "id", "")))) {
		rc = cf_set_nomem(ctx, p);
		goto out;
	}
	cf_hex(d, sizeof d, hex);
	rc = CF_OK;
out:
	cJSON_Delete(j);
	cf_buf_release(&b);
	free(p);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Records a problem with the evidence file name; -1 out of memory. */
static int file_problem(struct cf_custody_report *r, const char *name,
			const char *kind, uint64_t entry, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int file_problem(struct cf_custody_report *r, const char *name,
			const char *kind, uint64_t entry, const char *fmt, ...)
{
	struct cf_custody_file *g, *p;
	va_list ap;

	if (!(g = cf_realloc(r->files, (r->nfiles + 1) * sizeof *g)))
		return -1;
	r->files = g;
	p = &g[r->nfiles];
	memset(p, 0, sizeof *p);
	if (!(p->name = cf_strdup(name)))
		return -1;
	r->nfiles++;
	snprintf(p->kind, sizeof p->kind, "%s", kind);
	p->entry = entry;
	va_start(ap, fmt);
	vsnprintf(p->detail, sizeof p->detail, fmt, ap);
	va_end(ap);
	return 0;
}

/* The names in folder dir (not "." and ".."), sorted; *n of them. */
static int list_dir(struct cf_ctx *ctx, const char *dir, char ***out, size_t *n)
{
	char **v = NULL;
	size_t cap = 0;
	struct dirent *de;
	DIR *d;
	int rc = CF_FAILED;

	*out = NULL;
	*n = 0;
	if (!(d = opendir(dir)))
		return errno == ENOENT ? CF_OK
				       : cf_set_error(ctx, errno, "cannot read '%s'", dir);
	errno = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (*n == MAX_EVIDENCE) {
			cf_set_error(ctx, 0, "'%s': more than %d files", dir,
				     MAX_EVIDENCE);
			goto out;
		}
		if (*n == cap) {
			char **g = cf_realloc(v, (cap = cap ? 2 * cap : 16) * sizeof *v);
			if (!g) {
				rc = cf_set_nomem(ctx, dir);
				goto out;
			}
			v = g;
		}
		if (!(v[*n] = cf_strdup(de->d_name))) {
			rc = cf_set_nomem(ctx, dir);
			goto out;
		}
		(*n)++;
		errno = 0;
	}
	if (errno) {
		rc = cf_set_error(ctx, errno, "cannot read '%s'", dir);
		goto out;
	}
	if (*n) /* qsort on a NULL array is undefined even for none */
		qsort(v, *n, sizeof *v, cmp_str);
	*out = v;
	v = NULL;
	rc = CF_OK;
out:
	if (v) {
		for (size_t i = 0; i < *n; i++)
			free(v[i]);
		free(v);
		*n = 0;
	}
	closedir(d);
	return rc;
}

/* Compares evidence/ with the files the add entries recorded (the first
 * entry naming a file counts): missing, extra and replaced files go to
 * r->files. */
static int check_evidence(struct cf_ctx *ctx, const char *casedir,
			  struct scan *s, struct cf_custody_report *r)
{
	char *dir = cf_path_join(casedir, CF_CASE_EVIDENCE), **names = NULL;
	uint8_t *seen = NULL;
	size_t n = 0, i, k;
	int rc = CF_FAILED;

	if (!dir || (s->nrecs && !(seen = cf_calloc(s->nrecs, 1)))) {
		rc = cf_set_nomem(ctx, casedir);
		goto out;
	}
	if (list_dir(ctx, dir, &names, &n) != CF_OK)
		goto out;
	for (i = 0; i < n; i++) {
		char *p, hex[CF_SHA256_HEX];
		uint8_t d[CF_SHA256_LEN];
		struct stat st;
		int e;

		for (k = 0; k < s->nrecs && strcmp(s->recs[k].name, names[i]); k++)
			;
		if (k == s->nrecs) {
			size_t l = strlen(names[i]);
			int partial = l > 8 && !strcmp(names[i] + l - 8, ".partial");
			if (file_problem(r, names[i], "extra", 0,
					 partial ? "in %s/ but no add entry records it "
						   "(the unverified copy of an interrupted "
						   "add: re-run the add or remove it)"
						 : "in %s/ but no add entry records it "
						   "(put there outside casefile, or an add "
						   "interrupted before its entry: re-run it)",
					 CF_CASE_EVIDENCE) < 0)
				goto nomem;
			continue;
		}
		seen[k] = 1;
		if (!(p = cf_path_join(dir, names[i])))
			goto nomem;
		e = lstat(p, &st) < 0 || !S_ISREG(st.st_mode);
		if (!e && cf_sha256_file(ctx, p, d, NULL) != CF_OK) {
			free(p);
			goto out;
		}
		free(p);
		if (!e)
			cf_hex(d, sizeof d, hex);
		if ((e || strcmp(hex, s->recs[k].hex)) &&
		    file_problem(r, names[i], "replaced", s->recs[k].seq,
				 "%s%s, but add entry %llu recorded SHA-256 %s",
				 e ? "not a regular file" : "SHA-256 ",
				 e ? "" : hex, (unsigned long long)s->recs[k].seq,
				 s->recs[k].hex) < 0)
			goto nomem;
	}
	for (k = 0; k < s->nrecs; k++) {
		size_t m;
		/* A file recorded twice (a repeated add) is one file. */
		for (m = 0; m < k && strcmp(s->recs[m].name, s->recs[k].name); m++)
			;
		if (!seen[k] && m == k &&
		    file_problem(r, s->recs[k].name, "missing", s->recs[k].seq,
				 "recorded by add entry %llu (SHA-256 %s) but "
				 "absent from %s/", (unsigned long long)s->recs[k].seq,
				 s->recs[k].hex, CF_CASE_EVIDENCE) < 0)
			goto nomem;
	}
	r->evidence_checked = 1;
	rc = CF_OK;
	goto out;
nomem:
	rc = cf_set_nomem(ctx, "evidence check");
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(seen);
	free(dir);
	return rc;
}

int cf_custody_verify_case(struct cf_ctx *ctx, const char *dir,
			   cf_key *const *trusted, size_t ntrusted,
			   struct cf_custody_report *report)
{
	char hex[CF_SHA256_HEX], *id = NULL, *path = NULL;
	struct scan s;
	FILE *f = NULL;
	int rc = CF_FAILED;

	memset(report, 0, sizeof *report);
	memset(&s, 0, sizeof s);
	cf_buf_init(&s.own);
	s.trusted = trusted;
	s.ntrusted = ntrusted;
	s.want_files = 1;
	if (read_case_json(ctx, dir, &id, hex) != CF_OK)
		goto out;
	if (!(path = cf_path_join(dir, CF_CUSTODY_FILE))) {
		rc = cf_set_nomem(ctx, dir);
		goto out;
	}
	s.case_id = id;
	s.case_hex = hex;
	if (!(f = open_log(ctx, path)) ||
	    scan_log(ctx, f, path, &s, report) != CF_OK)
		goto out;
	/* The files are compared only with a whole, bound chain: a log cut
	 * short, or one whose add entries predate binding, would name files
	 * as extra that are not. */
	if (!report->first_bad && !report->unbound &&
	    check_evidence(ctx, dir, &s, report) != CF_OK)
		goto out;
	rc = CF_OK;
out:
	if (rc != CF_OK)
		cf_custody_report_release(report);
	if (f)
		fclose(f);
	scan_release(&s);
	free(path);
	free(id);
	return rc;
}

/* ---- append ------------------------------------------------------------- */

/* seq and prev for the next entry, after checking the whole log (fd, under
 * the lock) as scan_log does, bound to case.json: a log that fails is
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
	if (read_case_json(ctx, c->dir, &id, hex) != CF_OK)
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
	if (scan_log(ctx, f, c->log_path, &s, &r) != CF_OK)
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
	scan_release(&s);
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
	if (!file != !file_hex || (file && (!is_file_name(file) ||
					    !is_hex64(file_hex))))
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
