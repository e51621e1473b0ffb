/* SPDX-License-Identifier: Apache-2.0
 *
 * Chain-of-custody report (see custody_report.h).
 *
 * The custody log is JSON lines written by the core (case.h); this file
 * only reads it. Verification of its hash chain and signatures is the
 * core's cf_custody_verify() against keys the user names; without them the
 * report says "not verified" rather than trusting the log's own claims.
 * Archives are listed in name order so two runs over one case give the
 * same report. The renderer's appends are unchecked: the buffer's first
 * failure is sticky and is checked once at the end; the report itself is
 * built with the core's sticky JSON builder, checked once too.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "casefile/alloc.h"
#include "casefile/array.h"
#include "casefile/buf.h"
#include "casefile/case.h"
#include "casefile/error.h"
#include "casefile/hash.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "custody_report.h"
#include "escape.h"

#define MAX_LOG (256u << 20)
#define MAX_ARCHIVES 100000

/* The verifier's verdict as JSON: the chain, its binding to the case,
 * and the files of evidence/ that do not match their add entries. */
static cJSON *check_json(const struct cf_custody_report *r)
{
	struct cf_jb jb;
	cJSON *o = cf_jb_init(&jb), *a;

	cf_jb_bool(&jb, o, "ok", r->first_bad == 0 && r->nfiles == 0);
	cf_jb_int(&jb, o, "entries", (int64_t)r->entries);
	cf_jb_int(&jb, o, "first_bad", (int64_t)r->first_bad);
	cf_jb_str(&jb, o, "kind", r->kind);
	cf_jb_str(&jb, o, "detail", r->detail);
	cf_jb_str(&jb, o, "head", r->head);
	cf_jb_int(&jb, o, "unbound", (int64_t)r->unbound);
	cf_jb_bool(&jb, o, "evidence_checked", r->evidence_checked);
	a = cf_jb_array(&jb, o, "files");
	for (size_t i = 0; i < r->nfiles; i++) {
		cJSON *f = cf_jb_object(&jb, a, NULL);

		cf_jb_str(&jb, f, "file", r->files[i].name);
		cf_jb_str(&jb, f, "kind", r->files[i].kind);
		cf_jb_int(&jb, f, "entry", (int64_t)r->files[i].entry);
		cf_jb_str(&jb, f, "detail", r->files[i].detail);
	}
	return cf_jb_finish(&jb);
}

int cf_custody_load(struct cf_ctx *ctx, const char *casedir,
		    cf_key *const *trusted, size_t ntrusted, cJSON **entries,
		    cJSON **check)
{
	struct cf_custody_report vr = {0};
	char *path = cf_path_join(casedir, CF_CUSTODY_FILE);
	struct cf_buf b;
	struct cf_jb jb = CF_JB_INIT;
	cJSON *arr = NULL;
	char *p, *nl;
	long line = 0;
	int rc = CF_FAILED;

	*entries = NULL;
	*check = NULL;
	cf_buf_init(&b);
	if (!path || !(arr = cJSON_CreateArray())) {
		rc = cf_set_nomem(ctx, "custody");
		goto out;
	}
	/* the status of a failed read or check is kept: out of memory there
	 * is CF_FATAL, not a plain failure */
	if ((rc = cf_buf_read_file(ctx, &b, path, MAX_LOG)) != CF_OK)
		goto out;
	rc = CF_FAILED;
	if (ntrusted) {
		if ((rc = cf_custody_verify_case(ctx, casedir, trusted, ntrusted, &vr)) !=
		    CF_OK)
			goto out;
		rc = CF_FAILED;
		if (!(*check = check_json(&vr))) {
			rc = cf_set_nomem(ctx, "custody");
			goto out;
		}
	}
	for (p = b.data; p && *p; p = nl + 1) {
		cJSON *e;

		line++;
		if (!(nl = strchr(p, '\n'))) {
			if (*check && !cJSON_IsTrue(cJSON_GetObjectItem(*check, "ok")))
				break;
			cf_set_error(ctx, 0, "%s:%ld: last line is not terminated "
				     "(truncated log?)", path, line);
			goto out;
		}
		if (cf_json_parse(ctx, p, (size_t)(nl - p), &e) != CF_OK) {
			/* cJSON ran out of memory: no verdict on the line */
			if (ctx->err == ENOMEM) {
				rc = cf_set_nomem(ctx, path);
				goto out;
			}
			/* A verified log that fails there is reported as such,
			 * with the entries before the bad line. */
			if (*check && !cJSON_IsTrue(cJSON_GetObjectItem(*check, "ok")))
				break;
			cf_error_prefix(ctx, "%s:%ld", path, line);
			goto out;
		}
		if (!cJSON_IsObject(e)) {
			cJSON_Delete(e);
			cf_set_error(ctx, 0, "%s:%ld: not a JSON object", path, line);
			goto out;
		}
		cf_jb_item(&jb, arr, NULL, e);
	}
	if (jb.err) {
		rc = cf_set_nomem(ctx, "custody");
		goto out;
	}
	*entries = arr;
	arr = NULL;
	rc = CF_OK;
out:
	if (rc != CF_OK) {
		cJSON_Delete(*check);
		*check = NULL;
	}
	cJSON_Delete(arr);
	cf_custody_report_release(&vr);
	cf_buf_release(&b);
	free(path);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_archives(struct cf_ctx *ctx, const char *casedir, cJSON *arr)
{
	char *dir = cf_path_join(casedir, CF_CASE_EVIDENCE), **names = NULL;
	size_t n = 0, cap = 0;
	DIR *d = NULL;
	struct dirent *de;
	int rc = CF_FAILED;

	if (!dir)
		return cf_set_nomem(ctx, "archives");
	if (!(d = opendir(dir))) {
		rc = errno == ENOENT ? CF_OK : cf_set_error(ctx, errno, "cannot read '%s'", dir);
		goto out;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == MAX_ARCHIVES) {
			cf_set_error(ctx, 0, "%s: more than %d files", dir, MAX_ARCHIVES);
			goto out;
		}
		if (n == cap) {
			char **g = cf_realloc(names, (cap = cap ? cap * 2 : 16) * sizeof *names);
			if (!g) { rc = cf_set_nomem(ctx, "archives"); goto out; }
			names = g;
		}
		if (!(names[n] = cf_strdup(de->d_name))) { rc = cf_set_nomem(ctx, "archives"); goto out; }
		n++;
	}
	if (n) /* qsort on a NULL array is undefined even for none */
		qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		char *p = cf_path_join(dir, names[i]), hex[CF_SHA256_HEX];
		uint8_t dg[CF_SHA256_LEN];
		uint64_t size = 0;
		struct stat st;
		cJSON *o;

		if (!p) { rc = cf_set_nomem(ctx, "archives"); goto out; }
		if (lstat(p, &st) || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		if (cf_sha256_file(ctx, p, dg, &size) != CF_OK) {
			/* out of memory while hashing is the runtime status */
			if (ctx->err == ENOMEM)
				rc = cf_set_nomem(ctx, p);
			free(p);
			goto out;
		}
		free(p);
		cf_hex(dg, sizeof dg, hex);
		if (!(o = cJSON_CreateObject()) || !cJSON_AddItemToArray(arr, o) ||
		    cf_json_add_str(o, "file", names[i]) ||
		    cf_json_add_int(o, "size", (int64_t)size) ||
		    cf_json_add_str(o, "file_sha256", hex)) {
			rc = cf_set_nomem(ctx, "archives");
			goto out;
		}
	}
	rc = CF_OK;
out:
	cf_strv_free(names, n);
	if (d)
		closedir(d);
	free(dir);
	return rc;
}

/* Marks each archive with what the check found ("ok", "extra",
 * "replaced") and lists the missing ones; without a check, no status. */
static void mark_archives(struct cf_jb *jb, cJSON *arch, const cJSON *check)
{
	const cJSON *f;
	cJSON *a;

	if (!cJSON_IsObject(check) || !cf_json_bool(check, "evidence_checked", 0))
		return;
	cJSON_ArrayForEach(a, arch)
		cf_jb_str(jb, a, "status", "ok");
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(check, "files")) {
		const char *name = cf_json_str(f, "file", ""), *kind = cf_json_str(f, "kind", "");

		if (jb->err)
			return;
		cJSON_ArrayForEach(a, arch)
			if (!strcmp(cf_json_str(a, "file", ""), name))
				break;
		if (a) {
			/* in place: the value keeps its key (see normalise_time
			 * in model.c), and the old one stays when no memory */
			if (!cJSON_SetValuestring(cJSON_GetObjectItemCaseSensitive(a, "status"), kind))
				jb->err = -1;
			continue;
		}
		a = cf_jb_object(jb, arch, NULL);
		cf_jb_str(jb, a, "file", name);
		cf_jb_item(jb, a, "size", NULL);
		cf_jb_item(jb, a, "file_sha256", NULL);
		cf_jb_str(jb, a, "status", kind);
	}
}

int cf_custody_report_build(struct cf_ctx *ctx, const char *casedir,
			    cf_key *const *trusted, size_t ntrusted,
			    int64_t generated_at, cJSON **out)
{
	struct cf_jb jb = CF_JB_INIT;
	cJSON *rep, *entries = NULL, *check = NULL, *caseinfo = NULL;
	cJSON *sum, *actors, *actions, *arch;
	const cJSON *e;
	char *cpath = cf_path_join(casedir, "case.json");
	int rc = CF_FAILED;

	*out = NULL;
	if (!cpath) {
		rc = cf_set_nomem(ctx, "custody report");
		goto out;
	}
	if (cf_json_parse_file(ctx, cpath, 1u << 20, &caseinfo) != CF_OK) {
		/* out of memory while parsing case.json is not a bad case.json */
		if (ctx->err == ENOMEM)
			rc = cf_set_nomem(ctx, cpath);
		goto out;
	}
	if ((rc = cf_custody_load(ctx, casedir, trusted, ntrusted, &entries, &check)) != CF_OK)
		goto out;
	rc = CF_FAILED;
	/* the adds are checked once, at the end (the builder owns what it
	 * was given from here on, added or freed) */
	rep = cf_jb_init(&jb);
	cf_jb_str(&jb, rep, "format", "casefile-custody-report/1");
	cf_jb_time(&jb, rep, "generated_at", generated_at);
	cf_jb_made(&jb, rep, "case", caseinfo);
	caseinfo = NULL;
	sum = cf_jb_object(&jb, rep, "summary");
	cf_jb_int(&jb, sum, "entries", cJSON_GetArraySize(entries));
	cf_jb_str(&jb, sum, "first", cf_json_str(cJSON_GetArrayItem(entries, 0), "time", NULL));
	cf_jb_str(&jb, sum, "last", cf_json_str(cJSON_GetArrayItem(entries,
			cJSON_GetArraySize(entries) - 1), "time", NULL));
	actors = cf_jb_object(&jb, sum, "actors");
	actions = cf_jb_object(&jb, sum, "actions");
	cf_jb_item(&jb, sum, "verification", check); /* NULL: not verified */
	check = NULL;
	cJSON_ArrayForEach(e, entries) {
		const char *k[2] = {cf_json_str(e, "actor", "unknown"), cf_json_str(e, "action", "unknown")};
		cJSON *tab[2] = {actors, actions};

		for (int i = 0; i < 2; i++) {
			cJSON *c = cJSON_GetObjectItemCaseSensitive(tab[i], k[i]);
			if (c)
				cJSON_SetNumberValue(c, c->valuedouble + 1);
			else
				cf_jb_int(&jb, tab[i], k[i], 1);
		}
	}
	cf_jb_made(&jb, rep, "entries", entries);
	entries = NULL;
	arch = cf_jb_array(&jb, rep, "archives");
	if (!jb.err && (rc = list_archives(ctx, casedir, arch)) != CF_OK)
		goto out;
	mark_archives(&jb, arch, cJSON_GetObjectItem(sum, "verification"));
	rc = (*out = cf_jb_finish(&jb)) ? CF_OK : cf_set_nomem(ctx, "custody report");
out:
	free(cpath);
	cJSON_Delete(jb.root);
	cJSON_Delete(entries);
	cJSON_Delete(check);
	cJSON_Delete(caseinfo);
	return rc;
}

/* A member of o as report text: strings as they are, numbers whole. */
static void put(struct cf_buf *out, cf_esc_fn esc, const cJSON *o, const char *key)
{
	char b[64];

	esc(out, cf_json_text(cJSON_GetObjectItemCaseSensitive(o, key), b));
}

int cf_custody_report_render(struct cf_ctx *ctx, const cJSON *rep,
			     const char *fmt, struct cf_buf *out)
{
	static const char *const cols[] = {"seq", "time", "actor", "signer",
		"action", "subject", "note", NULL};
	static const char *const acols[] = {"file", "size", "file_sha256", NULL};
	const cJSON *sum = cJSON_GetObjectItem(rep, "summary"), *e, *v;
	const cJSON *cs = cJSON_GetObjectItem(rep, "case");
	int html = !strcmp(fmt, "html");
	cf_esc_fn esc = html ? cf_esc_html : cf_esc_md;
	const char *cell = html ? "</td><td>" : " | ";

	if (!strcmp(fmt, "json")) {
		char *s = cJSON_Print(rep);
		int r = !s || cf_buf_puts(out, s) || cf_buf_putc(out, '\n');

		free(s);
		return r ? cf_set_nomem(ctx, "custody report") : CF_OK;
	}
	v = cJSON_GetObjectItem(sum, "verification");
	if (html)
		cf_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
			    "<title>Chain of custody</title>\n<style>body{font-family:'DejaVu Sans',Arial,sans-serif;"
			    "max-width:60rem;margin:2rem auto;padding:0 1.5rem;font-size:14px;color:#18181b}"
			    "h1{border-bottom:3px solid #1f3a5f}h2{color:#1f3a5f;border-bottom:1px solid #cbd5e1}"
			    "table{border-collapse:collapse;width:100%;font-size:.85rem}th,td{border:1px solid #cbd5e1;"
			    "padding:.3rem;text-align:left;vertical-align:top}th{background:#f1f5f9}"
			    "td:last-child{overflow-wrap:anywhere}"
			    /* digests as lines of 16: readable and within the page */
			    ".mono{font-family:'DejaVu Sans Mono',monospace;font-size:.75rem;word-break:break-all;"
			    "min-width:17ch}"
			    "@media print{body{margin:0;max-width:none}table{break-inside:auto}tr{break-inside:avoid}}"
			    "</style>\n</head>\n<body>\n<h1>Chain of custody: case ");
	else
		cf_buf_puts(out, "# Chain of custody: case ");
	put(out, esc, cs, "id");
	cf_buf_puts(out, html ? "</h1>\n<p>Examiner: " : "\n\nExaminer: ");
	put(out, esc, cs, "examiner");
	cf_buf_puts(out, ". Generated ");
	put(out, esc, rep, "generated_at");
	cf_buf_puts(out, html ? ".</p>\n<h2>Summary</h2>\n<p>" : ".\n\n## Summary\n\n");
	put(out, esc, sum, "entries");
	cf_buf_puts(out, " entries from ");
	put(out, esc, sum, "first");
	cf_buf_puts(out, " to ");
	put(out, esc, sum, "last");
	cf_buf_puts(out, ". Verification of the hash chain and signatures: ");
	if (!cJSON_IsObject(v)) {
		cf_buf_puts(out, "not verified (no trusted key given with --trust).");
	} else if (cJSON_IsTrue(cJSON_GetObjectItem(v, "ok"))) {
		cf_buf_puts(out, "OK.");
	} else if (cf_json_int(v, "first_bad", 0)) {
		cf_buf_puts(out, "FAILED at entry ");
		put(out, esc, v, "first_bad");
		cf_buf_puts(out, ": ");
		put(out, esc, v, "detail");
	} else {
		cf_buf_puts(out, "FAILED: the files of evidence/ do not match the add entries.");
	}
	if (cJSON_IsObject(v) && cf_json_int(v, "unbound", 0)) {
		cf_buf_puts(out, " Entries 1 to ");
		put(out, esc, v, "unbound");
		cf_buf_puts(out, " predate case binding (no case id, no evidence file digest): the log is bound to case.json through entry 1 only");
		cf_buf_puts(out, cf_json_bool(v, "evidence_checked", 0) ? "." : ", and evidence/ was not checked.");
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(v, "files")) {
		cf_buf_puts(out, html ? "<br>\n" : "\n\n- ");
		esc(out, cf_json_str(e, "file", ""));
		cf_buf_puts(out, ": ");
		esc(out, cf_json_str(e, "kind", ""));
		cf_buf_puts(out, ": ");
		esc(out, cf_json_str(e, "detail", ""));
	}
	cf_buf_puts(out, html ? "</p>\n<h2>Entries</h2>\n<table><thead><tr>" : "\n\n## Entries\n\n|");
	for (int i = 0; cols[i]; i++)
		cf_buf_printf(out, html ? "<th>%s</th>" : " %s |", cols[i]);
	cf_buf_puts(out, html ? "</tr></thead><tbody>\n" : "\n|---|---|---|---|---|---|---|\n");
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(rep, "entries")) {
		cf_buf_puts(out, html ? "<tr>" : "|");
		for (int i = 0; cols[i]; i++) {
			cf_buf_puts(out, html ? (i == 3 || i == 5 ? "<td class=\"mono\">" : "<td>") : " ");
			put(out, esc, e, cols[i]);
			cf_buf_puts(out, html ? "</td>" : " |");
		}
		cf_buf_puts(out, html ? "</tr>\n" : "\n");
	}
	cf_buf_puts(out, html ? "</tbody></table>\n<h2>Archives in evidence/</h2>\n<table><thead><tr><th>File</th>"
		    "<th>Size (bytes)</th><th>File SHA-256</th><th>Against the log</th></tr></thead><tbody>\n"
		    : "\n## Archives in evidence/\n\n| File | Size (bytes) | File SHA-256 | Against the log |\n|---|---|---|---|\n");
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(rep, "archives")) {
		cf_buf_puts(out, html ? "<tr><td>" : "| ");
		for (int i = 0; acols[i]; i++) {
			put(out, esc, e, acols[i]);
			cf_buf_puts(out, html && i == 1 ? "</td><td class=\"mono\">" : cell);
		}
		esc(out, cf_json_str(e, "status", "not checked"));
		cf_buf_puts(out, html ? "</td></tr>\n" : " |\n");
	}
	cf_buf_puts(out, html ? "</tbody></table>\n</body>\n</html>\n" : "");
	return cf_buf_error(out) ? cf_set_nomem(ctx, "custody report") : CF_OK;
}
