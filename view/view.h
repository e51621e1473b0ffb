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

struct cf_ctx;
struct cf_incident;

#define VIEW_PAGE_DEFAULT 100     /* events per /api/events page */
#define VIEW_PAGE_MAX 1000        /* the most a page may ask for */
#define VIEW_BUCKETS_DEFAULT 120  /* histogram buckets */
#define VIEW_BUCKETS_MAX 1000
#define VIEW_TIMEOUT_MS 5000      /* each query's time limit */

/* What the API reads: the store, and the incident (may be NULL). */
struct view_src {
	cf_db *db;
	const struct cf_incident *inc;
	const char *incident_path;
	unsigned timeout_ms;      /* per query; 0: VIEW_TIMEOUT_MS */
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

#endif
