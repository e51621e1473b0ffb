/* SPDX-License-Identifier: Apache-2.0
 *
 * What `casefile status` shows of a case (pb_case_status, case_status.h):
 * its archives and whether they still match the custody log, the custody
 * log's head and verification, the timeline store beside the case, the
 * reports written, the playbook runs and the deadlines still open.
 *
 * It lives with the playbooks because a run's deadlines are the engine's
 * (pb_status); everything else comes from the core (cases and custody, the
 * store, JSON). It reads the case and writes nothing: the custody log is
 * read once, bounded, every line parsed as JSON; the evidence files are
 * hashed only when trusted keys ask for the custody log's full check.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/case.h"
#include "casefile/db.h"
#include "casefile/error.h"
#include "casefile/hash.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "case_status.h"
#include "playbook.h"

#define MAX_CUSTODY (256u << 20)

/* SHA-256 hex of n bytes at p; 0 or -1. */
static int sha_hex(struct cf_ctx *ctx, const char *p, size_t n, char hex[CF_SHA256_HEX])
{
	cf_sha256 *h = cf_sha256_new(ctx);
	uint8_t d[CF_SHA256_LEN];
	int bad = !h || cf_sha256_update(h, ctx, p, n) != CF_OK ||
		  cf_sha256_final(h, ctx, d) != CF_OK;

	cf_sha256_free(h);
	if (!bad)
		cf_hex(d, sizeof d, hex);
	return bad ? -1 : 0;
}

/* The custody log: entry count, head, last entry; the archives from its
 * add entries and the reports from its report-* entries. */
static int read_custody(struct cf_ctx *ctx, const char *dir, cJSON *j,
			cJSON *archives, cJSON *reports)
{
	char *path = cf_path_join(dir, CF_CUSTODY_FILE), hex[CF_SHA256_HEX] = "";
	const char *line, *last = NULL, *end;
	struct cf_buf b;
	cJSON *cu, *e = NULL;
	size_t lastn = 0;
	int64_t n = 0;
	int rc;

	cf_buf_init(&b);
	if (!path)
		return cf_set_nomem(ctx, "status");
	rc = cf_buf_read_file(ctx, &b, path, MAX_CUSTODY);
	free(path);
	if (rc != CF_OK)
		goto out;
	rc = CF_FAILED;
	for (line = b.data ? b.data : ""; *line; line = *end ? end + 1 : end) {
		cJSON *o;
		const char *act;

		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		if (end == line)
			continue;
		n++;
		last = line;
		lastn = (size_t)(end - line);
		if (!(o = cJSON_ParseWithLength(line, (size_t)(end - line))))
			continue; /* a bad line: the verification names it */
		act = cf_json_str(o, "action", "");
		if (!strcmp(act, "add")) {
			cJSON *a = cJSON_CreateObject();
			if (!a || !cJSON_AddItemToArray(archives, a) ||
			    cf_json_add_str(a, "file", cf_json_str(cJSON_GetObjectItem(o, "file"), "name", NULL)) ||
			    cf_json_add_str(a, "sha256sums", cf_json_str(o, "subject", NULL)) ||
			    cf_json_add_str(a, "added_at", cf_json_str(o, "time", NULL)) ||
			    cf_json_add_int(a, "entry", cf_json_int(o, "seq", 0))) {
				cJSON_Delete(o);
				rc = cf_set_nomem(ctx, "status");
				goto out;
			}
		} else if (!strncmp(act, "report-", 7)) {
			cJSON *r = cJSON_CreateObject();
			const char *note = cf_json_str(o, "note", "");
			if (!r || !cJSON_AddItemToArray(reports, r) ||
			    cf_json_add_str(r, "kind", act + 7) ||
			    cf_json_add_str(r, "time", cf_json_str(o, "time", NULL)) ||
			    cf_json_add_str(r, "file", !strncmp(note, "wrote ", 6) ? note + 6 : note)) {
				cJSON_Delete(o);
				rc = cf_set_nomem(ctx, "status");
				goto out;
			}
		}
		cJSON_Delete(e);
		e = o;
	}
	if (last && sha_hex(ctx, last, lastn, hex))
		goto out;
	if (!(cu = cJSON_AddObjectToObject(j, "custody")) ||
	    cf_json_add_int(cu, "entries", n) ||
	    cf_json_add_str(cu, "head", *hex ? hex : NULL) ||
	    cf_json_add_int(cu, "last_seq", cf_json_int(e, "seq", 0)) ||
	    cf_json_add_str(cu, "last_time", cf_json_str(e, "time", NULL)) ||
	    cf_json_add_str(cu, "last_action", cf_json_str(e, "action", NULL))) {
		rc = cf_set_nomem(ctx, "status");
		goto out;
	}
	rc = CF_OK;
out:
	cJSON_Delete(e);
	cf_buf_release(&b);
	return rc;
}

/* Each archive's state: "missing" when its file is gone from evidence/,
 * else what the full check found ("intact", "replaced"), or "present"
 * when no check ran. */
static int archive_states(struct cf_ctx *ctx, const char *dir, cJSON *archives,
			  const struct cf_custody_report *rep, int checked)
{
	cJSON *a;

	cJSON_ArrayForEach(a, archives) {
		const char *f = cf_json_str(a, "file", "");
		char *ev = cf_path_join(dir, CF_CASE_EVIDENCE), *p = ev ? cf_path_join(ev, f) : NULL;
		const char *state = checked ? "intact" : "present";
		struct stat st;

		free(ev);
		if (!p)
			return cf_set_nomem(ctx, "status");
		if (!*f || stat(p, &st))
			state = "missing";
		free(p);
		for (size_t i = 0; rep && i < rep->nfiles; i++)
			if (!strcmp(rep->files[i].name, f))
				state = rep->files[i].kind;
		if (cf_json_add_str(a, "state", state))
			return cf_set_nomem(ctx, "status");
	}
	return CF_OK;
}

struct tl_count {
	int64_t n, verified;
};

static int on_archive(void *arg, const struct cf_db_archive *a)
{
	struct tl_count *t = arg;

	t->n++;
	t->verified += a->verified != 0;
	return 0;
}

/* The timeline store of the case (CASE/timeline.db, where the playbooks
 * build it), or null. */
static int timeline_of(struct cf_ctx *ctx, const char *dir, cJSON *j)
{
	char *p = cf_path_join(dir, "timeline.db");
	struct tl_count t = {0, 0};
	int64_t events = 0, rejects = 0;
	struct cf_ctx scratch;
	struct stat st;
	cf_db *db = NULL;
	cJSON *o;
	int rc = CF_OK;

	if (!p)
		return cf_set_nomem(ctx, "status");
	cf_ctx_init(&scratch);
	if (stat(p, &st)) {
		free(p);
		return cJSON_AddNullToObject(j, "timeline") ? CF_OK : cf_set_nomem(ctx, "status");
	}
	if (!(o = cJSON_AddObjectToObject(j, "timeline")) || cf_json_add_str(o, "db", p)) {
		rc = cf_set_nomem(ctx, "status");
	} else if (cf_db_open(&scratch, p, CF_DB_READ, &db) != CF_OK ||
		   cf_db_counts(db, &scratch, &events, &rejects) != CF_OK ||
		   cf_db_query_archives(db, &scratch, on_archive, &t) != CF_OK) {
		if (cf_json_add_str(o, "error", cf_errmsg(&scratch)))
			rc = cf_set_nomem(ctx, "status");
	} else if (cf_json_add_int(o, "events", events) || cf_json_add_int(o, "rejects", rejects) ||
		   cf_json_add_int(o, "archives", t.n) ||
		   cf_json_add_int(o, "verified_archives", t.verified)) {
		rc = cf_set_nomem(ctx, "status");
	}
	if (db)
		cf_db_close(db, &scratch);
	free(p);
	return rc;
}

/* Adds a copy of v (when there is one) under key; 0 or -1. */
static int add_copy(cJSON *o, const char *key, const cJSON *v)
{
	cJSON *c;

	if (!v)
		return 0;
	if (!(c = cJSON_Duplicate(v, 1)))
		return -1;
	if (!cJSON_AddItemToObject(o, key, c)) {
		cJSON_Delete(c);
		return -1;
	}
	return 0;
}

/* The runs under CASE/playbooks/, with their open deadlines. */
static int runs_of(struct cf_ctx *ctx, const char *dir, int64_t now, cJSON *runs,
		   cJSON *deadlines)
{
	char *pdir = cf_path_join(dir, "playbooks");
	struct dirent *d;
	DIR *dp;
	int rc = CF_OK;

	if (!pdir)
		return cf_set_nomem(ctx, "status");
	if (!(dp = opendir(pdir))) {
		free(pdir);
		return CF_OK;
	}
	while (rc == CF_OK && (d = readdir(dp))) {
		struct pb_playbook *pb = NULL;
		struct pb_diag diag;
		struct cf_ctx scratch;
		cJSON *state = NULL, *st = NULL, *r, *s;
		char *path;
		int done = 0, total = 0;

		if (d->d_name[0] == '.')
			continue;
		cf_ctx_init(&scratch);
		pb_diag_init(&diag);
		if (pb_state_load(&scratch, dir, d->d_name, &state) != CF_OK) {
			cJSON_Delete(state);
			pb_diag_release(&diag);
			continue;
		}
		/* the playbook the run recorded, else the shipped one of that id */
		path = cf_json_str(state, "playbook_path", NULL) &&
		       !access(cf_json_str(state, "playbook_path", ""), R_OK)
		       ? cf_strdup(cf_json_str(state, "playbook_path", ""))
		       : pb_resolve(&scratch, d->d_name);
		if (!path || pb_load(&scratch, path, &diag, &pb) != CF_OK ||
		    pb_status(&scratch, pb, state, now, &st) != CF_OK) {
			/* listed, without its steps: the playbook is gone */
			if (!(r = cJSON_CreateObject()) || !cJSON_AddItemToArray(runs, r) ||
			    cf_json_add_str(r, "playbook", d->d_name) ||
			    cf_json_add_str(r, "run_id", cf_json_str(state, "run_id", NULL)) ||
			    cf_json_add_str(r, "error", diag.n ? diag.msg[0] : cf_errmsg(&scratch)))
				rc = cf_set_nomem(ctx, "status");
			free(path);
			pb_free(pb);
			cJSON_Delete(state);
			pb_diag_release(&diag);
			continue;
		}
		free(path);
		pb_diag_release(&diag);
		cJSON_ArrayForEach(s, cJSON_GetObjectItem(st, "steps")) {
			const char *status = cf_json_str(s, "status", "");

			total++;
			done += !strcmp(status, "done");
			if (strcmp(status, "done") && cf_json_str(s, "deadline", NULL)) {
				cJSON *o = cJSON_CreateObject();
				if (!o || !cJSON_AddItemToArray(deadlines, o) ||
				    cf_json_add_str(o, "playbook", pb->id) ||
				    cf_json_add_str(o, "step", cf_json_str(s, "id", NULL)) ||
				    cf_json_add_str(o, "title", cf_json_str(s, "title", NULL)) ||
				    cf_json_add_str(o, "due", cf_json_str(s, "deadline", NULL)) ||
				    cf_json_add_str(o, "status", status))
					rc = cf_set_nomem(ctx, "status");
			}
		}
		if (!(r = cJSON_CreateObject()) || !cJSON_AddItemToArray(runs, r) ||
		    cf_json_add_str(r, "playbook", pb->id) ||
		    cf_json_add_str(r, "run_id", cf_json_str(st, "run_id", NULL)) ||
		    cf_json_add_str(r, "discovered", cf_json_str(st, "discovered", NULL)) ||
		    cf_json_add_str(r, "current", cf_json_str(st, "current", NULL)) ||
		    cf_json_add_bool(r, "finished", cf_json_str(st, "finished", NULL) != NULL) ||
		    cf_json_add_int(r, "steps_done", done) || cf_json_add_int(r, "steps", total) ||
		    add_copy(r, "hipaa", cJSON_GetObjectItem(st, "hipaa")))
			rc = cf_set_nomem(ctx, "status");
		cJSON_Delete(st);
		cJSON_Delete(state);
		pb_free(pb);
	}
	closedir(dp);
	free(pdir);
	return rc;
}

int pb_case_status(struct cf_ctx *ctx, const cf_case *c, cf_key *const *trusted,
		   size_t ntrusted, int64_t now, cJSON **out)
{
	const char *dir = cf_case_dir(c);
	struct cf_custody_report rep;
	cJSON *j = cJSON_CreateObject(), *o, *archives, *reports, *runs, *dl, *cu;
	int rc = CF_FAILED, checked = 0;

	*out = NULL;
	memset(&rep, 0, sizeof rep);
	if (!j || !(o = cJSON_AddObjectToObject(j, "case")) ||
	    cf_json_add_str(o, "dir", dir) || cf_json_add_str(o, "id", cf_case_id(c)) ||
	    cf_json_add_str(o, "examiner", cf_case_examiner(c)) ||
	    !(archives = cJSON_AddArrayToObject(j, "archives")) ||
	    !(reports = cJSON_AddArrayToObject(j, "reports")) ||
	    !(runs = cJSON_AddArrayToObject(j, "playbook_runs")) ||
	    !(dl = cJSON_AddArrayToObject(j, "open_deadlines"))) {
		rc = cf_set_nomem(ctx, "status");
		goto out;
	}
	if ((rc = read_custody(ctx, dir, j, archives, reports)) != CF_OK)
		goto out;
	cu = cJSON_GetObjectItem(j, "custody");
	/* with trusted keys: the full check of the log and of evidence/ */
	if (ntrusted) {
		if ((rc = cf_custody_verify_case(ctx, dir, trusted, ntrusted, &rep)) != CF_OK)
			goto out;
		checked = !rep.first_bad;
		if (cf_json_add_bool(cu, "verified", !rep.first_bad && !rep.nfiles) ||
		    cf_json_add_int(cu, "first_bad", (int64_t)rep.first_bad) ||
		    cf_json_add_str(cu, "problem", rep.first_bad ? rep.detail
					: rep.nfiles ? rep.files[0].detail : NULL)) {
			rc = cf_set_nomem(ctx, "status");
			goto out;
		}
	} else if (!cJSON_AddNullToObject(cu, "verified")) {
		rc = cf_set_nomem(ctx, "status");
		goto out;
	}
	if ((rc = archive_states(ctx, dir, archives, ntrusted ? &rep : NULL, checked)) != CF_OK ||
	    (rc = timeline_of(ctx, dir, j)) != CF_OK ||
	    (rc = runs_of(ctx, dir, now, runs, dl)) != CF_OK)
		goto out;
	*out = j;
	j = NULL;
out:
	cf_custody_report_release(&rep);
	cJSON_Delete(j);
	return rc;
}
