/* SPDX-License-Identifier: Apache-2.0
 *
 * Internal interface of the timeline part: how a parser receives the bytes
 * of one evidence member and hands back events, rejects and patients.
 *
 * A member is parsed by exactly one parser, chosen by tl_detect(). Binary
 * parsers get the raw bytes in blocks; line parsers get each line (without its newline, at most TL_LINE_MAX bytes,
 * with its 1-based number and byte offset); a parser that needs the whole
 * member (a pretty-printed JSON document, an SQLite snapshot) buffers it in
 * its own bounded way. Every line ends as events or as a reject with a
 * reason: nothing is dropped. Strings handed to tl_emit() must stay valid
 * until it returns; tl_str() makes sanitised copies (valid UTF-8, bounded
 * length) in a per-event arena for that purpose.
 */
#ifndef CASEFILE_TIMELINE_TL_H
#define CASEFILE_TIMELINE_TL_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "casefile/buf.h"
#include "casefile/db.h"

struct cf_ctx;
struct cf_tz;

#define TL_LINE_MAX (1u << 20)      /* longer lines become rejects */
#define TL_FIELD_MAX (64u << 10)    /* longer strings are cut (marked) */
#define TL_DOC_MAX (64u << 20)      /* largest JSON document read whole */
#define TL_ARENA (2u << 20)         /* per-event string arena */

/* What is known about the member being parsed. */
struct tl_meta {
	const char *archive;   /* sha256sums digest, hex */
	const char *member;    /* member name */
	const char *path;      /* original path on the host, or NULL */
	const char *category;  /* items.jsonl category, or NULL */
	const char *host;      /* collection host name, or NULL */
	int64_t ref_us;        /* file mtime (else collection start): year inference */
	int tz_offset_s;       /* host's UTC offset (seconds east) */
	int tz_known;          /* 0: offset unknown, UTC assumed */
	/* the host's zone rules (tz database name from collection.json), or
	 * NULL: local times then use tz_offset_s */
	const struct cf_tz *tz;
	int unverified;        /* archive built with --allow-unverified */
	const struct tl_mapping *mapping; /* user field mapping, or NULL */
	/* not of the member but of the build: the sshd patterns compiled
	 * once when it starts (tl_sshd_new), which syslog lines of sshd need */
	const struct tl_sshd *sshd;
};

/* Where results go (the builder writes them to the store; tests collect). */
struct tl_sink {
	int (*event)(void *arg, const struct cf_event *ev);
	int (*reject)(void *arg, const struct cf_reject *r);
	int (*patient)(void *arg, const struct cf_patient *p);
	void *arg;
};

struct tl_run;

/* A JSON document read whole from a member's lines (timeline/doc.c): its
 * bytes as the member holds them, up to TL_DOC_MAX, and where it starts. */
struct tl_doc {
	struct cf_buf b;
	uint64_t line, off, lines; /* its first line and offset; lines read */
	int too_big;               /* past TL_DOC_MAX: the bytes are dropped */
};

struct tl_parser {
	const char *name;
	/* Optional: the size of the parser's state for one member, which the
	 * runner allocates zeroed in r->state before start and frees after
	 * free (as SQLite's VFS declares szOsFile); 0: r->state stays NULL. */
	size_t state_size;
	/* Optional: sets up r->state for one member. */
	int (*start)(struct tl_run *r);
	/* One line: returns CF_OK, or an error only when the sink failed. */
	int (*line)(struct tl_run *r, const char *s, size_t n, uint64_t lineno,
		    uint64_t off);
	/* Optional: end of member (flush grouped records, parse a document). */
	int (*end)(struct tl_run *r);
	/* Instead of line: the member's raw bytes, in order, as they are read
	 * (binary records: utmp, a journal file). `off` is the byte offset of
	 * the first. Returns CF_OK, or an error only when the sink failed or
	 * memory ran out; a read error after some bytes is recorded by the
	 * runner as a reject before `end` is called. */
	int (*bytes)(struct tl_run *r, const void *p, size_t n, uint64_t off);
	/* Optional: releases what r->state holds, called only when there is
	 * a state; the runner then frees the state itself. */
	void (*free)(struct tl_run *r);
	/* Instead of line: the member is one JSON document, which the runner
	 * reads whole into r->doc and hands over parsed, before `end`; one
	 * that is not JSON or passes TL_DOC_MAX is a reject naming doc_name. */
	int (*document)(struct tl_run *r, const cJSON *o, const struct tl_doc *d);
	const char *doc_name;
};

/* One member being parsed. */
struct tl_run {
	const struct tl_parser *parser;
	const struct tl_meta *meta;
	const struct tl_sink *sink;
	struct cf_ctx *ctx;
	void *state;              /* parser's own */
	struct tl_doc doc;        /* a document read whole (tl_doc_line) */
	struct cf_buf attrs;      /* attributes of the event being built */
	char *arena;
	size_t arena_used;
	uint64_t events, rejects; /* counts for this member */
	int64_t lines;
	/* cf_alloc_failures() at the start: a library (cJSON above all)
	 * that runs out of memory fails like on bad input, and an attribute
	 * that cannot be added is left out; when the count moved, what
	 * looks like a reject or a complete event is neither, and the run
	 * fails instead of storing it */
	unsigned long refused;
	/* state of the program interpreters for this member (programs.c:
	 * the login attempts open per process), made when first needed and
	 * freed by tl_run_release */
	struct tl_programs *programs;
	/* the first and last decision of each model version seen in this
	 * member (mapping.c), emitted as in-service events at its end */
	struct tl_inservice *inservice;
	/* sshd.c's PCRE2 match data for this run (one thread's), made when
	 * first needed and freed by tl_run_release */
	void *sshd_md;
};

/* ---- running ------------------------------------------------------------ */

/* Byte source of a member (archive member, file, decompressor). Returns the
 * number of bytes read, 0 at the end, -1 with ctx set on error. */
typedef long (*tl_read_fn)(void *arg, struct cf_ctx *ctx, void *buf, size_t n);

int tl_run_init(struct tl_run *r, const struct tl_parser *p,
		const struct tl_meta *m, const struct tl_sink *s,
		struct cf_ctx *ctx);
void tl_run_release(struct tl_run *r);
/* Feeds a whole byte stream, split into lines, to the run's parser; `head`
 * (n bytes already read for detection) comes first. */
int tl_run_stream(struct tl_run *r, const void *head, size_t headlen,
		  tl_read_fn rd, void *arg);
/* Feeds a buffer (tests, documents held in memory). */
int tl_run_buffer(struct tl_run *r, const void *buf, size_t len);

/* Limits on decompressing rotated logs, besides the archive's expansion
 * bound that every member gets (more than CF_ARCHIVE_MAX_RATIO times its
 * compressed bytes once CF_ARCHIVE_RATIO_FREE bytes are out): bytes out of
 * one member, and bytes out of all the members of one build. Rotated logs
 * run to a few GiB at most; beyond, a member is cut where the limit falls. */
#define TL_UNPACK_MEMBER_MAX (4ULL << 30)
#define TL_UNPACK_BUILD_MAX (64ULL << 30)

struct tl_unpack_budget {
	uint64_t member_max;  /* decompressed bytes per member */
	uint64_t build_max;   /* decompressed bytes per build, every member */
	uint64_t used;        /* decompressed so far in this build */
};
#define TL_UNPACK_BUDGET_INIT {TL_UNPACK_MEMBER_MAX, TL_UNPACK_BUILD_MAX, 0}

/* Wraps a compressed stream (gzip, bzip2, xz or zstd; nested and
 * concatenated streams too) in libarchive's raw reader, with only those
 * built-in decoders: nothing external is ever started. `head` (headlen
 * bytes already read) comes first, then rd; both must outlive the handle.
 * tl_unpack_read reads the decompressed bytes, or -1 with ctx set on a
 * decompression error or at a limit of the budget (NULL: the ratio bound
 * only), which it charges; from then on every read fails. CF_FATAL when
 * this libarchive lacks a built-in decoder, CF_FAILED when the stream
 * cannot be opened. */
struct tl_unpack;
int tl_unpack_open(struct cf_ctx *ctx, const void *head, size_t headlen,
		   tl_read_fn rd, void *arg, struct tl_unpack_budget *budget,
		   struct tl_unpack **out);
long tl_unpack_read(void *u, struct cf_ctx *ctx, void *buf, size_t n);
void tl_unpack_close(struct tl_unpack *u);
/* 1 when the bytes start with the magic of a format tl_unpack decodes. */
int tl_is_compressed(const unsigned char *p, size_t n);
/* The name of the compression format whose magic the bytes start with when
 * it is one casefile does not decode (compress, lrzip, lz4, lzop, grzip,
 * lzip), else NULL. */
const char *tl_foreign_compression(const unsigned char *p, size_t n);

/* ---- helpers for parsers ------------------------------------------------ */

/* Emits an event: fills archive, member, line and offset, closes attrs
 * (adding "unverified" when the archive was not verified). */
int tl_emit(struct tl_run *r, struct cf_event *ev, uint64_t lineno,
	    uint64_t off);
int tl_reject(struct tl_run *r, uint64_t lineno, uint64_t off,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int tl_patient(struct tl_run *r, struct cf_patient *p, uint64_t lineno);

/* Documents read whole (timeline/doc.c): the runner inits and releases
 * r->doc; tl_doc_line adds one line, as the parser's line callback got it;
 * tl_doc_end parses what was read and hands it to fn, or records one reject
 * at its first line naming what ("JSON document", ...), then empties it. */
void tl_doc_init(struct tl_doc *d);
void tl_doc_release(struct tl_doc *d);
void tl_doc_line(struct tl_doc *d, const char *s, size_t n, uint64_t ln,
		 uint64_t off);
int tl_doc_end(struct tl_run *r, const char *what,
	       int (*fn)(struct tl_run *r, const cJSON *o, const struct tl_doc *d));

/* Sanitised copy of n bytes (invalid UTF-8 -> U+FFFD, NUL dropped, cut at
 * TL_FIELD_MAX) in the event arena; "" when the arena is full. NULL in,
 * NULL out. n = (size_t)-1 means strlen. */
const char *tl_str(struct tl_run *r, const char *s, size_t n);
/* printf into the arena. */
const char *tl_strf(struct tl_run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Empties the arena and the attributes (start of an event). */
void tl_event_reset(struct tl_run *r);

/* Attributes: a JSON object built in r->attrs. */
void tl_attr_str(struct tl_run *r, const char *key, const char *val, size_t n);
void tl_attr_int(struct tl_run *r, const char *key, int64_t v);
void tl_attr_bool(struct tl_run *r, const char *key, int v);
/* Adds a cJSON value (any type) under key. */
void tl_attr_json(struct tl_run *r, const char *key, const cJSON *v);
/* Adds "tz":"+HH:MM" for an offset in seconds. */
void tl_attr_tz(struct tl_run *r, int offset_s);
/* A local wall-clock time of the host (us) to UTC, adding the "tz"
 * attributes: with the host's zone rules when r->meta->tz is set
 * (daylight saving time of that instant; a time the clocks went back over
 * is its first occurrence, or the second when only the second comes at or
 * after `after_us`, marked "tz_ambiguous"; one they jumped over, "tz_gap"),
 * else its UTC offset at collection ("tz_assumed" when unknown). after_us
 * is INT64_MIN when nothing came before. */
int64_t tl_local_to_utc(struct tl_run *r, int64_t local_us, int64_t after_us);

/* 1-12 for an English month abbreviation at s (3 bytes), else 0. */
int tl_month(const char *s);
/* The decimal number in the leading digits of s[0..n) (at most 18 of
 * them, so it cannot overflow); *used (when not NULL) is how many digits
 * were read, 0 when s does not start with one. Parsers use it, never
 * strtol, because a line's fields are slices, not NUL-terminated. */
long long tl_digits(const char *s, size_t n, size_t *used);
/* 1 when the n bytes are valid UTF-8 without NUL. */
int tl_utf8_ok(const char *s, size_t n);
/* Strips "Patient/" and a trailing "/_history/..." into the arena. */
const char *tl_patient_id(struct tl_run *r, const char *ref);

/* ---- the parsers ---------------------------------------------------------- */

extern const struct tl_parser tl_syslog;      /* RFC 3164, RFC 5424, rsyslog */
extern const struct tl_parser tl_auditd;
extern const struct tl_parser tl_access_log;  /* common, combined, vhost */
extern const struct tl_parser tl_apache_error;
extern const struct tl_parser tl_json;        /* FHIR, CloudTrail, decisions, mapped JSON */
extern const struct tl_parser tl_items;       /* casefile/items.jsonl */
extern const struct tl_parser tl_collector_log; /* casefile/log.jsonl */
extern const struct tl_parser tl_mlflow_lineage; /* lineage.json */
extern const struct tl_parser tl_roster;      /* patient roster CSV */
extern const struct tl_parser tl_dataset;     /* dataset CSV, a row per patient */
/* 1 when the n bytes at name are a dataset's patient column name
 * (patient_id, patient, subject_id, person_id, mrn; any case). */
int tl_dataset_patient_col(const char *name, size_t n);
extern const struct tl_parser tl_dpkg_log;    /* /var/log/dpkg.log */
extern const struct tl_parser tl_apt_history; /* /var/log/apt/history.log */
extern const struct tl_parser tl_apt_term;    /* /var/log/apt/term.log */
/* Index of the dpkg.log action word at s ("install", "status"...) followed
 * by a space or the end, else -1. */
int tl_dpkg_verb(const char *s, size_t n);
extern const struct tl_parser tl_utmp;        /* wtmp, btmp, utmp, lastlog */
/* 1 when a member's base name is a login record file (wtmp, btmp, utmp,
 * lastlog, with a rotation suffix or none). */
int tl_utmp_named(const char *member);
/* 1 when the head starts with utmp records that look real (up to 16 full
 * records checked: type, pid, time, strings, reserved bytes). */
int tl_utmp_plausible(const unsigned char *head, size_t n);
extern const struct tl_parser tl_journal;     /* systemd journal files (sd-journal) */

/* The sshd message patterns, compiled: once per build, shared read-only by
 * every parse. CF_OK, or CF_FATAL (no memory included) with ctx set. */
struct tl_sshd;
int tl_sshd_new(struct cf_ctx *ctx, struct tl_sshd **out);
void tl_sshd_free(struct tl_sshd *s);
/* How a program's message stands to a login attempt (one authentication
 * try: a password typed, a key offered), for tl_program_interpret, which
 * gives the lines of one attempt of one process the same "attempt" id:
 * NONE not part of one; OPEN a new connection starts one; IN part of the
 * open attempt (starts one if none is open); TRY concludes the open
 * attempt (or one of its own); AFTER follows the last attempt, concluded
 * or not (a disconnect, a summary of failures), else stands alone. */
enum tl_attempt { TL_ATT_NONE, TL_ATT_OPEN, TL_ATT_IN, TL_ATT_TRY, TL_ATT_AFTER };

/* Frees what tl_sshd_interpret keeps on r (tl_run_release calls it). */
void tl_sshd_run_free(struct tl_run *r);

/* sshd message interpretation for messages whose program is sshd, with
 * the patterns of r->meta->sshd (which must be set): sets actor, action,
 * outcome, src_ip and *att. Returns 1 when recognised. */
int tl_sshd_interpret(struct tl_run *r, struct cf_event *ev, const char *msg,
		      size_t n, enum tl_attempt *att);

/* Interprets the message of a program (syslog tag, journal identifier)
 * when a table row knows the program: sets actor, action, outcome, src_ip
 * and ev->source, and the attribute "attempt" on the lines of one login
 * attempt, grouped by the process id the caller put in the "pid"
 * attribute before the call (and ev->ts_us). Returns 1 when recognised,
 * else 0 (event unchanged but for attributes). */
int tl_program_interpret(struct tl_run *r, struct cf_event *ev,
			 const char *prog, size_t plen, const char *msg,
			 size_t n);
void tl_programs_free(struct tl_programs *p);
/* An address from a message: src_ip when it is a numeric IPv4 or IPv6
 * address, else the attribute "src_host" (a name from reverse DNS). */
void tl_set_addr(struct tl_run *r, struct cf_event *ev, const char *s,
		 size_t n);

/* JSON object handlers (also used for NDJSON lines and Bundle entries). */
int tl_fhir_object(struct tl_run *r, const cJSON *o, uint64_t lineno,
		   uint64_t off);
/* One entry of a Bundle (a nested Bundle is a reject). */
int tl_fhir_entry(struct tl_run *r, const cJSON *entry, uint64_t lineno,
		  uint64_t off);
int tl_cloudtrail_object(struct tl_run *r, const cJSON *o, uint64_t lineno,
			 uint64_t off);
int tl_decision_object(struct tl_run *r, const cJSON *o, uint64_t lineno,
		       uint64_t off);
/* At the end of a member: for each model version its decisions named,
 * events "model-in-service-first" and "model-in-service-last" at its
 * first and last decision (attribute inferred: true), citing them. */
int tl_decisions_end(struct tl_run *r);
void tl_inservice_free(struct tl_inservice *s);
int tl_mapped_object(struct tl_run *r, const cJSON *o, uint64_t lineno,
		     uint64_t off);
int tl_mapped_with(struct tl_run *r, const struct tl_mapping *m,
		   const cJSON *o, uint64_t lineno, uint64_t off);
/* RFC 3339 string or epoch number (seconds, or milliseconds above 1e11). */
int tl_json_time(const cJSON *v, int64_t *us, int *tz);

/* MLflow tracking store snapshot (SQLite file on disk, opened read-only on
 * a private copy). */
int tl_mlflow_sqlite(struct tl_run *r, const char *path);
/* A host's SQLite database (sqlitedb.c): one "database" event per row
 * naming a patient, from a private copy at path. *tables: the tables with
 * a patient column that were read (0: none, the member is not evidence of
 * patients; -1: the file is not usable, a reject says why). */
int tl_database_sqlite(struct tl_run *r, const char *path, int *tables);
extern const struct tl_parser tl_database;

/* ---- field mappings (YAML) ---------------------------------------------- */

enum tl_field {
	TL_F_TIME, TL_F_ACTOR, TL_F_ACTOR_ROLE, TL_F_ACTION, TL_F_OUTCOME,
	TL_F_PATIENT, TL_F_RESOURCE, TL_F_SRC_IP, TL_F_HOST, TL_F_MODEL,
	TL_F_MODEL_VERSION, TL_F_DECISION, TL_F_SCORE, TL_F_MESSAGE, TL_F_N
};

struct tl_mapping {
	char *name;               /* source name given to events */
	char *kind;               /* "events" or "decisions" */
	char *fields[TL_F_N][4];  /* up to 4 dotted paths tried in order */
	char *success;            /* outcome value meaning success, or NULL */
};

/* Loads a mapping file (errors as FILE:LINE:COL). */
int tl_mapping_load(struct cf_ctx *ctx, const char *path,
		    struct tl_mapping **out);
void tl_mapping_free(struct tl_mapping *m);
/* The built-in mapping for JSON lines without one. */
const struct tl_mapping *tl_mapping_default(void);
/* Looks up a dotted path ("a.b.c") in an object. */
const cJSON *tl_json_path(const cJSON *o, const char *path);

/* ---- detection ---------------------------------------------------------- */

/* Chooses a parser from the member name, category, MIME type and the first
 * bytes. NULL when the member holds nothing to parse (binary, config). */
const struct tl_parser *tl_detect(const char *member, const char *category,
				  const char *mime, const unsigned char *head,
				  size_t n);

/* Why tl_detect chose as it did (`timeline build --explain`): every
 * parser's bid in table order (0: none) with what it rests on, and why the
 * content could not choose when it could not. Pointers are static text or
 * point into `head`. */
#define TL_BIDS_MAX 32
struct tl_bid {
	const struct tl_parser *parser;
	int bid;            /* confidence; the highest wins, the first of equals */
	const char *why;    /* NULL when no bid */
};
struct tl_detect_info {
	struct tl_bid bids[TL_BIDS_MAX];
	size_t nbids;
	const struct tl_parser *winner;  /* NULL: not parsed */
	const char *content;  /* why the content may not choose, or NULL */
	const char *line;     /* the first non-empty line looked at, or NULL */
	size_t len;
};
/* tl_detect, filling *info (which may be NULL). */
const struct tl_parser *tl_detect_explain(const char *member,
					  const char *category, const char *mime,
					  const unsigned char *head, size_t n,
					  struct tl_detect_info *info);

#endif
