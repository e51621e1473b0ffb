/* SPDX-License-Identifier: Apache-2.0
 *
 * Checking a custody log (SPEC section 5, `casefile verify --custody`): the
 * line format, the one streaming pass over a log (format, seq, prev chain,
 * case id, signatures) with bounded memory (CF_CUSTODY_MAX_LINE per line),
 * and the binding of a case to its case.json and evidence/ folder. The
 * append in src/case.c runs the same pass under its lock
 * (src/custody_int.h).
 *
 * Must never: accept a line it did not fully check, or read a log line of
 * more than CF_CUSTODY_MAX_LINE bytes into memory.
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


/* ---- checking a log ----------------------------------------------------- */


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

int custody_is_hex64(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == 64;
}

/* A file name of evidence/: one path component, not "." or "..". */
int custody_is_file_name(const char *s)
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
			      custody_is_file_name(f->valuestring) && (f = f->next) &&
			      !strcmp(f->string, "sha256") && cJSON_IsString(f) &&
			      custody_is_hex64(f->valuestring) && !f->next);
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
int custody_scan_log(struct cf_ctx *ctx, FILE *f, const char *path,
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

void custody_scan_release(struct scan *s)
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
	rc = custody_scan_log(ctx, f, path, &s, report);
	fclose(f);
	custody_scan_release(&s);
	return rc;
}

/* ---- binding to case.json and evidence/ --------------------------------- */

/* case.json of dir: its id (heap) and the SHA-256 of its bytes, read once. */
int custody_read_case_json(struct cf_ctx *ctx, const char *dir, char **id,
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
	if (custody_read_case_json(ctx, dir, &id, hex) != CF_OK)
		goto out;
	if (!(path = cf_path_join(dir, CF_CUSTODY_FILE))) {
		rc = cf_set_nomem(ctx, dir);
		goto out;
	}
	s.case_id = id;
	s.case_hex = hex;
	if (!(f = open_log(ctx, path)) ||
	    custody_scan_log(ctx, f, path, &s, report) != CF_OK)
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
	custody_scan_release(&s);
	free(path);
	free(id);
	return rc;
}

