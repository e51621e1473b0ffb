/* SPDX-License-Identifier: Apache-2.0
 *
 * One collection, start to finish (SPEC sections 2 and 3): the run loop.
 * Load the profile and the previous archive's identity, open the collector
 * (collector.c), write collection.json, run each source in profile order
 * through its row of the table of source types (profile.c), then finish:
 * items.jsonl, log.jsonl, signer.pub, SHA256SUMS and its signature, and
 * the rename of OUT.partial to OUT.
 *
 * Only this file knows the order of a collection; the sources know nothing
 * of it (they are called through the table, with a struct cf_srcrun), and
 * the key and the signals are the caller's (cmd_collect.c), so that the
 * run can be driven from a test as well as from the command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "casefile/alloc.h"
#include "casefile/array.h"
#include "casefile/buf.h"
#include "casefile/core.h"
#include "casefile/error.h"
#include "casefile/evidence.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "casefile/time.h"
#include "collect.h"
#include "collector.h"
#include "previous.h"
#include "profile.h"
#include "system.h"

/* ==== collection.json ===================================================== */

static void uuid_v4(char out[37])
{
	uint8_t u[16];

	if (RAND_bytes(u, sizeof u) != 1) {
		/* The id names the collection; it is not a secret. */
		int fd = open("/proc/sys/kernel/random/uuid", O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, out, 36) : -1;
		if (fd >= 0)
			close(fd);
		out[n == 36 ? 36 : 0] = '\0';
		return;
	}
	u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
	u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10],
		 u[11], u[12], u[13], u[14], u[15]);
}

static int collection_json(struct cf_ctx *ctx, const struct cf_collect_opts *o,
			   const char *root, const char *collection_id,
			   const struct cf_profile *p, const char *prev_hex,
			   uint64_t seq, int64_t started, struct cf_buf *out)
{
	static const char *const comp[] = {"zstd", "gzip", "none"};
	struct cf_jb jb;
	cJSON *j = cf_jb_init(&jb), *host = NULL, *x;
	char *text;
	int rc = CF_OK;

	cf_jb_int(&jb, j, "format", CF_EVIDENCE_FORMAT);
	cf_jb_str(&jb, j, "collection_id", collection_id);
	cf_jb_str(&jb, j, "case_id", o->case_id);
	cf_jb_str(&jb, j, "examiner", o->examiner);
	if (jb.err)
		goto nomem;
	if ((rc = cf_host_facts(ctx, root, &host)) != CF_OK)
		goto out;
	cf_jb_item(&jb, j, "host", host);
	if (!jb.err)
		cf_jb_made(&jb, j, "tool", cf_tool_json());
	if (p->path) {
		x = cf_jb_object(&jb, j, "profile");
		cf_jb_str(&jb, x, "name", p->name);
		cf_jb_str(&jb, x, "sha256", p->sha256);
		cf_jb_str(&jb, x, "path", p->path);
	} else {
		cf_jb_item(&jb, j, "profile", NULL);
	}
	cf_jb_time(&jb, j, "started_at", started);
	if (prev_hex) {
		x = cf_jb_object(&jb, j, "previous");
		cf_jb_str(&jb, x, "sha256sums", prev_hex);
		cf_jb_int(&jb, x, "sequence", (int64_t)seq - 1);
	} else {
		cf_jb_item(&jb, j, "previous", NULL);
	}
	cf_jb_int(&jb, j, "sequence", (int64_t)seq);
	cf_jb_str(&jb, j, "compression", comp[o->compress]);
	cf_jb_str(&jb, j, "root", root);
	if (jb.err || !(text = cJSON_PrintBuffered(j, 4096, 1)))
		goto nomem;
	if (cf_buf_puts(out, text) < 0 || cf_buf_putc(out, '\n') < 0) {
		free(text);
		goto nomem;
	}
	free(text);
	goto out;
nomem:
	rc = cf_set_nomem(ctx, CF_MEMBER_COLLECTION);
out:
	cJSON_Delete(j);
	return rc;
}

/* ==== the run ============================================================= */

static int run_source(struct cf_collector *c, struct cf_ctx *ctx,
		      const struct cf_source *src)
{
	struct cf_srcrun sr = {c, src, ctx};
	const struct cf_collect_counts *n = cf_collector_counts(c);
	uint64_t items = n->items, unread = n->unreadable;
	int64_t t0 = cf_time_now();
	struct cf_jb jb;
	cJSON *x;
	int rc;

	cf_collector_next_source(c);
	x = cf_jb_init(&jb);
	cf_jb_str(&jb, x, "type", src->type->name);
	if (!(x = cf_jb_finish(&jb)))
		return cf_set_nomem(ctx, src->id);
	if ((rc = cf_collect_log(c, "info", "source-start", src->id, NULL, x)) != CF_OK)
		return rc;
	if ((rc = src->type->run(&sr)) != CF_OK)
		return rc;
	x = cf_jb_init(&jb);
	cf_jb_int(&jb, x, "items", (int64_t)(n->items - items));
	cf_jb_int(&jb, x, "unreadable", (int64_t)(n->unreadable - unread));
	cf_jb_int(&jb, x, "duration_ms", (cf_time_now() - t0) / 1000);
	if (!(x = cf_jb_finish(&jb)))
		return cf_set_nomem(ctx, src->id);
	return cf_collect_log(c, "info", "source-end", src->id, NULL, x);
}

/* arg as a normalised absolute path, relative to the current folder. */
static int absolute(struct cf_ctx *ctx, const char *arg, const char *what,
		    char **out)
{
	char cwd[4096], *abs;
	int rc;

	if (arg[0] == '/')
		abs = cf_strdup(arg);
	else if (!getcwd(cwd, sizeof cwd))
		return cf_set_error(ctx, errno, "cannot get the current folder");
	else
		abs = cf_path_join(cwd, arg);
	if (!abs)
		return cf_set_nomem(ctx, what);
	rc = cf_path_normalise(ctx, abs, out);
	free(abs);
	return rc;
}

/* The PATH arguments become one `files` source named "paths". */
static int paths_source(struct cf_ctx *ctx, const struct cf_collect_opts *o,
			struct cf_source *s)
{
	memset(s, 0, sizeof *s);
	s->type = cf_source_type_find("files");
	s->category = NULL; /* guessed per file */
	s->explicit_paths = 1;
	if (!(s->id = cf_strdup("paths")) ||
	    !(s->paths = cf_calloc(o->npaths, sizeof *s->paths)))
		return cf_set_nomem(ctx, "paths");
	for (size_t i = 0; i < o->npaths; i++) {
		int rc;
		if (o->paths[i][0] != '/' && o->root)
			return cf_set_error(ctx, 0,
					    "'%s': with --root, paths must be absolute paths on that host",
					    o->paths[i]);
		if ((rc = absolute(ctx, o->paths[i], "paths", &s->paths[s->npaths])) != CF_OK)
			return rc;
		s->npaths++;
	}
	return CF_OK;
}

static void paths_release(struct cf_source *s)
{
	free(s->id);
	cf_strv_free(s->paths, s->npaths);
}

/* --root as a normalised absolute path without a trailing '/'; *root stays
 * NULL for the live host ("/" or no --root). */
static int set_root(struct cf_ctx *ctx, const char *arg, char **root)
{
	struct stat st;
	int rc;

	*root = NULL;
	if (!arg)
		return CF_OK;
	if ((rc = absolute(ctx, arg, "--root", root)) != CF_OK)
		return rc;
	if (stat(*root, &st) < 0 || !S_ISDIR(st.st_mode))
		return cf_set_error(ctx, errno ? errno : ENOTDIR, "--root '%s'", arg);
	if (!strcmp(*root, "/")) {
		free(*root);
		*root = NULL;
	} else {
		size_t n = strlen(*root);
		if (n > 1 && (*root)[n - 1] == '/')
			(*root)[n - 1] = '\0';
	}
	return CF_OK;
}

/* The profile and the PATH arguments as sources; *ppath gets the profile
 * file (heap, NULL without --profile). */
static int load_sources(struct cf_ctx *ctx, const struct cf_collect_opts *o,
			struct cf_profile *prof, struct cf_source *paths,
			char **ppath)
{
	int rc;

	if (o->profile) {
		if (!(*ppath = cf_profile_find(ctx, o->profile)))
			return CF_FAILED;
		if ((rc = cf_profile_load(ctx, *ppath, prof)) != CF_OK)
			return rc;
	}
	if (o->npaths) {
		if ((rc = paths_source(ctx, o, paths)) != CF_OK)
			return rc;
		for (size_t i = 0; i < prof->n; i++)
			if (!strcmp(prof->v[i].id, paths->id))
				return cf_set_error(ctx, 0,
						    "profile '%s' has a source named 'paths', which PATH arguments use",
						    *ppath);
	}
	if (!o->profile && !o->npaths)
		return cf_set_error(ctx, 0, "nothing to collect: give --profile or PATHs");
	return CF_OK;
}

static int log_started(struct cf_collector *c, struct cf_ctx *ctx,
		       const struct cf_collect_opts *o, const char *collection_id,
		       const char *ppath)
{
	struct cf_jb jb;
	cJSON *x = cf_jb_init(&jb);

	cf_jb_str(&jb, x, "collection_id", collection_id);
	cf_jb_str(&jb, x, "output", o->out);
	cf_jb_str(&jb, x, "profile", ppath);
	if (!(x = cf_jb_finish(&jb)))
		return cf_set_nomem(ctx, "log");
	return cf_collect_log(c, "info", "started", NULL, NULL, x);
}

static int log_finished(struct cf_collector *c, struct cf_ctx *ctx, int64_t t0)
{
	const struct cf_collect_counts *n = cf_collector_counts(c);
	struct cf_jb jb;
	cJSON *x = cf_jb_init(&jb);

	cf_jb_time(&jb, x, "finished_at", cf_time_now());
	cf_jb_int(&jb, x, "items", (int64_t)n->items);
	cf_jb_int(&jb, x, "bytes", (int64_t)n->bytes);
	cf_jb_int(&jb, x, "unreadable", (int64_t)n->unreadable);
	cf_jb_int(&jb, x, "changed_during_read", (int64_t)n->changed);
	cf_jb_int(&jb, x, "duration_ms", (cf_time_now() - t0) / 1000);
	if (!(x = cf_jb_finish(&jb)))
		return cf_set_nomem(ctx, CF_MEMBER_LOG);
	return cf_collect_log(c, "info", "finished", NULL, NULL, x);
}

int cf_collect_run(struct cf_ctx *ctx, const struct cf_collect_opts *o,
		   struct cf_collect_summary *s)
{
	struct cf_collector *c = NULL;
	struct cf_collector_conf conf;
	struct cf_profile prof;
	struct cf_source paths;
	struct cf_buf coll;
	char prev_hex[CF_SHA256_HEX], *ppath = NULL, *root = NULL;
	uint64_t seq = 0;
	int64_t t0 = cf_time_now();
	int rc;

	memset(s, 0, sizeof *s);
	memset(&prof, 0, sizeof prof);
	memset(&paths, 0, sizeof paths);
	cf_buf_init(&coll);
	snprintf(s->out, sizeof s->out, "%s", o->out);

	if ((rc = set_root(ctx, o->root, &root)) != CF_OK ||
	    (rc = load_sources(ctx, o, &prof, &paths, &ppath)) != CF_OK)
		goto out;
	if (o->previous &&
	    (rc = cf_previous_link(ctx, o->previous, o->key, o->trust, o->ntrust,
				   prev_hex, &seq)) != CF_OK)
		goto out;
	seq++;
	s->sequence = seq;
	uuid_v4(s->collection_id);

	/* From here a signal stops the run between items and OUT.partial is
	 * removed (SIGKILL leaves only OUT.partial): armed before OUT.partial
	 * is created, so that no signal can leave it behind. */
	if (o->stop)
		o->stop->armed = 1;
	conf.out = o->out;
	conf.compress = o->compress;
	conf.root = root;
	conf.progress = o->progress;
	conf.stop = o->stop ? &o->stop->signal : NULL;
	if ((rc = cf_collector_new(ctx, &conf, &c)) != CF_OK)
		goto out;
	if ((rc = collection_json(ctx, o, root, s->collection_id, &prof,
				  o->previous ? prev_hex : NULL, seq, t0, &coll)) != CF_OK ||
	    (rc = cf_collector_add_own(c, CF_MEMBER_COLLECTION, -1, coll.data, coll.len,
				       NULL)) != CF_OK ||
	    (rc = log_started(c, ctx, o, s->collection_id, ppath)) != CF_OK)
		goto out;
	for (size_t i = 0; i < prof.n && rc == CF_OK; i++)
		rc = run_source(c, ctx, &prof.v[i]);
	if (rc == CF_OK && o->npaths)
		rc = run_source(c, ctx, &paths);
	if (rc == CF_OK && cf_collector_stopped(c))
		rc = cf_set_fatal(ctx, EINTR, "interrupted by signal %d", cf_collector_stopped(c));
	if (rc != CF_OK || (rc = log_finished(c, ctx, t0)) != CF_OK ||
	    (rc = cf_collector_finish(c, o->key, s->sums_hex)) != CF_OK)
		goto out;
	{
		const struct cf_collect_counts *n = cf_collector_counts(c);
		s->items = n->items;
		s->bytes = n->bytes;
		s->unreadable = n->unreadable;
		s->changed = n->changed;
		s->skipped = n->skipped;
	}
	s->duration_us = cf_time_now() - t0;
out:
	if (rc != CF_OK && c && cf_collector_writer(c))
		cf_error_prefix(ctx, "'%s' not written", o->out);
	cf_collector_free(c); /* removes OUT.partial unless committed */
	cf_buf_release(&coll);
	free(root);
	cf_profile_release(&prof);
	paths_release(&paths);
	free(ppath);
	return rc;
}
