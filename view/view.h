/* SPDX-License-Identifier: Apache-2.0
 *
 * `casefile view` (view/): the timeline, findings and evidence served to a
 * browser. view/api.c answers the JSON API from the store, knowing nothing
 * of HTTP (a request is a path and a way to look up its parameters, so the
 * unit tests call it directly); view/http.c is the web server (Debian's
 * libmicrohttpd), the token check, the security headers and the page's
 * files; view/cmd_view.c parses the command line and waits for a signal.
 * Nothing here writes to the store or to the case: the store is opened
 * with CF_DB_READ.
 */
#ifndef CASEFILE_VIEW_H
#define CASEFILE_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/db.h"
#include "casefile/sign.h"

struct cf_ctx;
struct cf_incident;
struct cf_jb;
struct cJSON;
struct view_archives;

#define VIEW_PAGE_DEFAULT 100     /* events per /api/events page */
#define VIEW_PAGE_MAX 1000        /* the most a page may ask for */
#define VIEW_BUCKETS_DEFAULT 120  /* histogram buckets */
#define VIEW_BUCKETS_MAX 1000
#define VIEW_TIMEOUT_MS 5000      /* each query's time limit */
#define VIEW_RAW_MAX 65536        /* bytes of a raw line shown, at most */
#define VIEW_ARCHIVES_MAX 32      /* verified archives kept open */

/* What the API reads: the store, and the incident (may be NULL). */
struct view_src {
	cf_db *db;
	const struct cf_incident *inc;
	const char *incident_path;
	unsigned timeout_ms;      /* per query; 0: VIEW_TIMEOUT_MS */
	/* raw lines (view/raw.c): the keys an archive must be signed by
	 * (none: no raw lines), the case whose evidence/ holds archives
	 * (may be NULL), and the archives verified so far */
	cf_key *const *trusted;
	size_t ntrusted;
	const char *case_dir;
	struct view_archives *archives;
};

/* Looks up a request parameter (NULL: absent). */
typedef const char *(*view_param_fn)(void *arg, const char *name);

/* Answers one API request: path is the part after "/api/" ("events",
 * "histogram", "findings", "scope", "event/ID"). *body gets a JSON text
 * (the caller frees it) and *status the HTTP status: 200, 400 (a bad
 * parameter: {"error": "..."}), 404 (no such path or event), 503 (the
 * query timed out or failed; the message is in the body). Returns CF_OK,
 * or CF_FATAL when out of memory (then *body is NULL). */
int view_api(const struct view_src *src, const char *path, view_param_fn get,
	     void *arg, char **body, int *status);

/* The filter that request parameters name (from, to, actor, patient, ip,
 * host, outcome, source, model ("NAME" or "NAME@VERSION"), version,
 * action, q). *model_buf holds a copy of model when it carries a version
 * (free() it after using f). 0, or -1 with a message in err. */
int view_filter(view_param_fn get, void *arg, struct cf_db_filter *f,
		char **model_buf, char *err, size_t errlen);

/* The archives verified so far (view/raw.c): made empty, freed with
 * everything they keep open. NULL on no memory; free(NULL) is a no-op. */
struct view_archives *view_archives_new(void);
void view_archives_free(struct view_archives *c);

/* Adds to obj the raw line behind an event: "available" and, when the
 * archive named by digest (found at store_path, else in the case's
 * evidence/) verified and its member's bytes hashed to the verified ones,
 * "raw" (the line, at most VIEW_RAW_MAX bytes: "truncated"; bytes that are
 * not UTF-8 written %XX: "escaped"), "signer" and "archive_file"; else
 * "reason", and no bytes. CF_OK, or CF_FATAL on no memory (jb->err). */
int view_raw(const struct view_src *src, const char *digest,
	     const char *store_path, const char *member, uint64_t line,
	     uint64_t offset, struct cf_jb *jb, struct cJSON *obj);

#endif
