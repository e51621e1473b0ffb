/* SPDX-License-Identifier: Apache-2.0
 *
 * The timeline store: events, rejects, patients and archives (SPEC section 6).
 *
 * A small interface over a backend chosen by the location given to
 * cf_db_open(): a file path (or "sqlite:PATH") is an embedded SQLite
 * database; "clickhouse://HOST:PORT/DB" is reserved for a ClickHouse backend
 * speaking HTTP, which this build refuses with a clear message. Callers only
 * ever see the verbs below, so the timeline builder, `timeline query`, the
 * scope computation and the breach report work the same on either.
 *
 * A build is all or nothing: nothing it writes is seen by readers before
 * cf_db_close() keeps it, and a build that fails (cf_db_abandon()) or is
 * killed leaves the store as it was, or no store at all when it was new.
 * Inside it each archive's rows are one unit (cf_db_begin .. cf_db_commit),
 * with prepared statements reused for every row. A database file
 * is untrusted input (someone may hand us one): it is opened with SQLite's
 * defensive mode and with trusted_schema off, so that a crafted schema
 * cannot run functions or write through views. This module never prints.
 */
#ifndef CASEFILE_DB_H
#define CASEFILE_DB_H

#include <stdint.h>

struct cf_ctx;

typedef struct cf_db cf_db;

/* One timeline event. Strings may be NULL (stored as NULL); they are only
 * read during the call that receives the event. */
struct cf_event {
	int64_t ts_us;          /* UTC microseconds since the epoch */
	const char *ts_desc;    /* what the time means ("Event Recorded", ...) */
	const char *source;     /* parser name ("syslog", "fhir-auditevent", ...) */
	const char *host;
	const char *actor;      /* who acted (user id, practitioner, IAM user) */
	const char *actor_role;
	const char *action;     /* what was done ("read", "login", ...) */
	const char *outcome;    /* "success", "failure" or the source's word */
	const char *patient;    /* patient id without a "Patient/" prefix */
	const char *resource;   /* resource touched (URL path, FHIR reference) */
	const char *src_ip;
	const char *model;
	const char *model_version;
	const char *decision;   /* a model's output label */
	double score;           /* valid when has_score */
	int has_score;
	const char *message;    /* one line for people */
	const char *attrs;      /* JSON object text, or NULL */
	const char *archive;    /* sha256sums digest (hex) of the archive */
	const char *member;     /* archive member the event came from */
	uint64_t line;          /* 1-based line in the member (0: not line-based) */
	uint64_t offset;        /* byte offset of that line in the member */
	int64_t id;             /* the event's number in the store (set by
				 * cf_db_query_events; ignored on insert) */
};

/* A line (or document) that could not be parsed. */
struct cf_reject {
	const char *archive, *member;
	uint64_t line, offset;
	const char *reason;
};

/* A patient seen in the evidence (FHIR Patient resource or roster CSV). */
struct cf_patient {
	const char *id;       /* without "Patient/" */
	const char *state;    /* two-letter state, or NULL */
	int has_contact;      /* CF_CONTACT_* bits and birth date of
			       * casefile/patient.h (older stores: 0 or 1);
			       * stored in columns of their own
			       * (struct cf_patient_cols) */
	const char *archive, *member;
	uint64_t line;
};

/* One archive added to the store (the idempotence record). */
struct cf_db_archive {
	const char *sha256sums; /* hex digest: the archive's identity */
	const char *path;
	const char *signer;     /* fingerprint, or NULL */
	int verified;           /* 0 when built with --allow-unverified */
	int64_t sequence;
	const char *host;
	int64_t built_at;       /* UTC microseconds */
};

/* Selection of events; NULL / has_* = 0 means "any". */
struct cf_db_filter {
	const char *patient;
	const char *actor;
	const char *model;
	const char *model_version;
	const char *action;
	int64_t from_us, to_us;  /* inclusive bounds when has_from / has_to */
	int has_from, has_to;
	const char *source;      /* parser name */
	const char *host;
	const char *outcome;
	const char *src_ip;
	const char *text;        /* a substring of the message, ASCII letters
				  * matched without regard to case */
	int64_t id;              /* only the event with this id, when has_id */
	int has_id;
	uint64_t limit;          /* at most this many events (0: all) */
	uint64_t offset;         /* after skipping this many, in time order */
	unsigned timeout_ms;     /* a query running longer fails with
				  * "query timed out" (0: no limit) */
};

enum {
	CF_DB_READ = 0,    /* open an existing store read-only */
	CF_DB_WRITE = 1,   /* create if missing, for building */
};

/* Opens the store named by `location` (path, "sqlite:PATH" or a URI).
 * CF_DB_WRITE creates the schema when absent. Returns CF_OK, or CF_FAILED
 * with a message naming the location (missing file, not a casefile store,
 * unsupported backend). *out is freed with cf_db_close(). */
int cf_db_open(struct cf_ctx *ctx, const char *location, int mode,
	       cf_db **out);
/* Closes. A store opened with CF_DB_WRITE keeps the build: deferred indexes
 * are created, the build is committed, and a new SQLite store (written as
 * "<path>.partial") is fsynced and renamed to its name. Returns CF_OK, or
 * CF_FAILED with the build dropped as by cf_db_abandon(); the handle is
 * freed either way. NULL is a no-op. */
int cf_db_close(cf_db *db, struct cf_ctx *ctx);
/* Closes a store opened for writing without keeping the build: an existing
 * SQLite store stays as it was before cf_db_open(), a new one is removed.
 * (ClickHouse keeps the archives committed so far.) Never fails; frees the
 * handle; NULL is a no-op. */
void cf_db_abandon(cf_db *db);

/* 1 when an archive with this sha256sums digest was already added, 0 when
 * not, CF_FAILED on error. */
int cf_db_has_archive(cf_db *db, struct cf_ctx *ctx, const char *sha256sums);

/* One archive's rows, inside the build: cf_db_rollback drops them (and
 * never fails); cf_db_commit adds them to the build, which cf_db_close
 * keeps. */
int cf_db_begin(cf_db *db, struct cf_ctx *ctx);
int cf_db_commit(cf_db *db, struct cf_ctx *ctx);
void cf_db_rollback(cf_db *db);

int cf_db_insert_event(cf_db *db, struct cf_ctx *ctx, const struct cf_event *ev);
int cf_db_insert_reject(cf_db *db, struct cf_ctx *ctx,
			const struct cf_reject *r);
/* A patient already known keeps its first state unless it had none. */
int cf_db_insert_patient(cf_db *db, struct cf_ctx *ctx,
			 const struct cf_patient *p);
int cf_db_insert_archive(cf_db *db, struct cf_ctx *ctx,
			 const struct cf_db_archive *a);

/* Joins model decisions to the model registry's lineage (events of source
 * "mlflow"): a decision without a version gets the version that was in
 * Production at its time; every decision whose version is known gets, in
 * its attributes, "model_run" (the run that produced the version) and
 * "model_version_created". Cheap when there is no lineage. */
int cf_db_link_lineage(cf_db *db, struct cf_ctx *ctx);

/* A detection finding (`timeline detect --store`, casefile-detect(5)):
 * one rule's matches, or one firing of a correlation for one group. Each
 * run of a rule is stored whole, with its time: a rule that found nothing
 * is stored as one row with count 0, so that readers see it ran. */
struct cf_finding {
	int64_t detected_at;    /* UTC microseconds: the run */
	const char *rule_id;    /* the rule's id (else its name or title) */
	const char *title;
	const char *level;      /* critical, high, medium, low, informational */
	const char *group_key;  /* "field=value, ..." of a correlation, or NULL */
	int64_t count;          /* events matched (0: the rule ran, no finding) */
	int64_t first_us, last_us;
	const char *events;     /* JSON array of the evidence events:
				 * [{"id","ts","archive","member","line",...}] */
};

/* Adds a finding. The store must be open with CF_DB_WRITE; it is kept at
 * cf_db_close() like a build. An existing store without the table gets it. */
int cf_db_insert_finding(cf_db *db, struct cf_ctx *ctx,
			 const struct cf_finding *f);

/* Callbacks return 0 to go on, anything else to stop (returned as is). */
typedef int (*cf_db_event_fn)(void *arg, const struct cf_event *ev);
typedef int (*cf_db_patient_fn)(void *arg, const struct cf_patient *p);
typedef int (*cf_db_archive_fn)(void *arg, const struct cf_db_archive *a);

/* Events matching f in time order (ts_us, then id). Returns CF_OK, the
 * callback's non-zero value, or CF_FAILED. */
int cf_db_query_events(cf_db *db, struct cf_ctx *ctx,
		       const struct cf_db_filter *f, cf_db_event_fn fn,
		       void *arg);
/* How many events match f (limit and offset ignored) and the times of
 * the first and last (both 0 when none). count may be NULL: the times
 * alone, which a store with a time index finds without counting. */
int cf_db_event_span(cf_db *db, struct cf_ctx *ctx,
		     const struct cf_db_filter *f, int64_t *count,
		     int64_t *first_us, int64_t *last_us);
/* Events matching f (limit and offset ignored) counted into n buckets of
 * width_us microseconds from start_us: counts[i] gets the events with
 * start_us + i * width_us <= ts_us < start_us + (i + 1) * width_us; events
 * outside are not counted. width_us > 0, n >= 1. */
int cf_db_histogram(cf_db *db, struct cf_ctx *ctx, const struct cf_db_filter *f,
		    int64_t start_us, int64_t width_us, size_t n,
		    int64_t *counts);
typedef int (*cf_db_finding_fn)(void *arg, const struct cf_finding *f);
/* The findings of the latest run of each rule (count > 0 only), ordered by
 * rule id then first event time. A store without findings (or built before
 * they existed) has none: CF_OK without a call. */
int cf_db_query_findings(cf_db *db, struct cf_ctx *ctx, cf_db_finding_fn fn,
			 void *arg);
/* Every patient row, ordered by id. */
int cf_db_query_patients(cf_db *db, struct cf_ctx *ctx, cf_db_patient_fn fn,
			 void *arg);
/* Every archive row, ordered by sha256sums digest: which archives were
 * added, and whether each was verified (0: --allow-unverified). */
int cf_db_query_archives(cf_db *db, struct cf_ctx *ctx, cf_db_archive_fn fn,
			 void *arg);
/* Number of events and rejects stored (for summaries and tests). */
int cf_db_counts(cf_db *db, struct cf_ctx *ctx, int64_t *events,
		 int64_t *rejects);

/* An event as `timeline query --format jsonl` prints it and the viewer's
 * API serves it (with its store id first when with_id): time, the
 * columns that are set, score, attrs, line and offset. NULL on no
 * memory. */
struct cJSON;
struct cJSON *cf_event_json(const struct cf_event *e, int with_id);

#endif
