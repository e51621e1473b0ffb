/* SPDX-License-Identifier: Apache-2.0
 *
 * The timeline store behind include/casefile/db.h: the public verbs, which
 * dispatch through the table of operations of the backend a location names
 * (db_backend.h). A backend is one row of the scheme table and one file
 * (src/db_sqlite.c, the default; src/db_clickhouse.c), owning its handle
 * and state, as git's ref backends do: callers never know which one they
 * talk to. This file never prints.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/db.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "db_backend.h"

/* Location schemes, tried in order; a location with none is a SQLite file. */
static const struct scheme {
	const char *prefix;
	int keep_prefix; /* the backend parses the whole URI */
	int (*open)(struct cf_ctx *ctx, const char *location, int mode,
		    cf_db **out);
} schemes[] = {
	{"clickhouse://", 1, cf_db_clickhouse_open},
	{"sqlite:", 0, cf_db_sqlite_open},
};

int cf_db_open(struct cf_ctx *ctx, const char *location, int mode, cf_db **out)
{
	*out = NULL;
	if (!location || !*location)
		return cf_set_error(ctx, 0, "no database given");
	for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
		size_t k = strlen(schemes[i].prefix);

		if (!strncmp(location, schemes[i].prefix, k))
			return schemes[i].open(ctx, schemes[i].keep_prefix ?
						       location : location + k,
					       mode, out);
	}
	return cf_db_sqlite_open(ctx, location, mode, out);
}

int cf_db_close(cf_db *db, struct cf_ctx *ctx)
{
	return db ? db->ops->close(db, ctx) : CF_OK;
}

void cf_db_abandon(cf_db *db)
{
	struct cf_ctx ignore;

	if (!db)
		return;
	if (db->ops->abandon) {
		db->ops->abandon(db);
	} else {
		cf_ctx_init(&ignore);
		db->ops->close(db, &ignore);
	}
}

int cf_db_has_archive(cf_db *db, struct cf_ctx *ctx, const char *digest)
{
	return db->ops->has_archive(db, ctx, digest);
}

int cf_db_begin(cf_db *db, struct cf_ctx *ctx)
{
	return db->ops->begin(db, ctx);
}

int cf_db_commit(cf_db *db, struct cf_ctx *ctx)
{
	return db->ops->commit(db, ctx);
}

void cf_db_rollback(cf_db *db)
{
	db->ops->rollback(db);
}

int cf_db_insert_event(cf_db *db, struct cf_ctx *ctx, const struct cf_event *ev)
{
	return db->ops->event(db, ctx, ev);
}

int cf_db_insert_reject(cf_db *db, struct cf_ctx *ctx, const struct cf_reject *r)
{
	return db->ops->reject(db, ctx, r);
}

int cf_db_insert_patient(cf_db *db, struct cf_ctx *ctx,
			 const struct cf_patient *p)
{
	return db->ops->patient(db, ctx, p);
}

int cf_db_insert_archive(cf_db *db, struct cf_ctx *ctx,
			 const struct cf_db_archive *a)
{
	return db->ops->archive(db, ctx, a);
}

int cf_db_query_events(cf_db *db, struct cf_ctx *ctx,
		       const struct cf_db_filter *f, cf_db_event_fn fn, void *arg)
{
	static const struct cf_db_filter all;

	return db->ops->query(db, ctx, f ? f : &all, fn, arg);
}

int cf_db_event_span(cf_db *db, struct cf_ctx *ctx,
		     const struct cf_db_filter *f, int64_t *count,
		     int64_t *first_us, int64_t *last_us)
{
	static const struct cf_db_filter all;

	if (count)
		*count = 0;
	*first_us = *last_us = 0;
	if (!db->ops->span)
		return cf_set_error(ctx, 0, "this store cannot count events");
	return db->ops->span(db, ctx, f ? f : &all, count, first_us, last_us);
}

int cf_db_histogram(cf_db *db, struct cf_ctx *ctx, const struct cf_db_filter *f,
		    int64_t start_us, int64_t width_us, size_t n,
		    int64_t *counts)
{
	static const struct cf_db_filter all;

	if (width_us <= 0 || n == 0)
		return cf_set_error(ctx, EINVAL, "histogram: bad buckets");
	memset(counts, 0, n * sizeof *counts);
	if (!db->ops->histogram)
		return cf_set_error(ctx, 0, "this store cannot count events");
	return db->ops->histogram(db, ctx, f ? f : &all, start_us, width_us, n,
				  counts);
}

int cf_db_query_patients(cf_db *db, struct cf_ctx *ctx, cf_db_patient_fn fn,
			 void *arg)
{
	return db->ops->patients(db, ctx, fn, arg);
}

int cf_db_query_archives(cf_db *db, struct cf_ctx *ctx, cf_db_archive_fn fn,
			 void *arg)
{
	return db->ops->archives(db, ctx, fn, arg);
}

int cf_db_counts(cf_db *db, struct cf_ctx *ctx, int64_t *events,
		 int64_t *rejects)
{
	return db->ops->counts(db, ctx, events, rejects);
}

int cf_db_link_lineage(cf_db *db, struct cf_ctx *ctx)
{
	/* a backend without the join leaves decisions as they were logged */
	return db->ops->link ? db->ops->link(db, ctx) : CF_OK;
}

int cf_db_insert_finding(cf_db *db, struct cf_ctx *ctx,
			 const struct cf_finding *f)
{
	if (!db->ops->finding)
		return cf_set_error(ctx, 0, "this store cannot keep findings");
	return db->ops->finding(db, ctx, f);
}

int cf_db_query_findings(cf_db *db, struct cf_ctx *ctx, cf_db_finding_fn fn,
			 void *arg)
{
	/* a backend without findings has none */
	return db->ops->findings ? db->ops->findings(db, ctx, fn, arg) : CF_OK;
}

cJSON *cf_event_json(const struct cf_event *e, int with_id)
{
	static const char *const keys[] = {
		"ts_desc", "source", "host", "actor", "actor_role", "action",
		"outcome", "patient", "resource", "src_ip", "model",
		"model_version", "decision", "message", "archive", "member"};
	const char *vals[] = {e->ts_desc, e->source, e->host, e->actor,
			      e->actor_role, e->action, e->outcome, e->patient,
			      e->resource, e->src_ip, e->model, e->model_version,
			      e->decision, e->message, e->archive, e->member};
	struct cf_jb jb;
	cJSON *j = cf_jb_init(&jb), *a;

	if (with_id)
		cf_jb_int(&jb, j, "id", e->id);
	cf_jb_time(&jb, j, "time", e->ts_us);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (vals[i])
			cf_jb_str(&jb, j, keys[i], vals[i]);
	if (e->has_score)
		cf_jb_num(&jb, j, "score", e->score);
	if (e->attrs && (a = cJSON_Parse(e->attrs)))
		cf_jb_item(&jb, j, "attrs", a);
	cf_jb_int(&jb, j, "line", (int64_t)e->line);
	cf_jb_int(&jb, j, "offset", (int64_t)e->offset);
	return cf_jb_finish(&jb);
}
