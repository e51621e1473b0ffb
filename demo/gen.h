/* SPDX-License-Identifier: Apache-2.0
 *
 * Internal interface between the generator's modules (demo/gen_*.c): the
 * PRNG, the output sinks, the simulated world and the ground-truth
 * accumulator. Nothing here is used outside demo/. The modules form layers
 * (README.md): a module calls only modules below it.
 *
 * The generator runs hour by hour over a fixed three-week period. Each module
 * appends the lines of the current hour to the sinks of the files it feeds;
 * at the end of the hour every sink sorts its lines by time (ties by the
 * order they were made, so the order is total and deterministic) and writes
 * them. Memory therefore grows with one hour of events, not with the run.
 */
#ifndef CASEFILE_DEMO_GEN_H
#define CASEFILE_DEMO_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "casefile/buf.h"
#include "casefile/error.h"
#include "demo.h"

/* ---- PRNG: xoshiro256** seeded by splitmix64 --------------------------- */
struct gen_rng {
	uint64_t s[4];
};
/* Independent streams from one seed: stream k never overlaps stream j in
 * practice, and adding a stream never changes the others. */
void gen_rng_seed(struct gen_rng *r, uint64_t seed, uint64_t stream);
uint64_t gen_rng_next(struct gen_rng *r);
/* Uniform in [0, n) (n > 0), by multiply-shift: integer-only, portable. */
uint32_t gen_rng_below(struct gen_rng *r, uint32_t n);
/* 1 with probability per10k / 10000. */
int gen_rng_chance(struct gen_rng *r, unsigned per10k);
/* Writes n lowercase hex digits and a NUL. */
void gen_rng_hex(struct gen_rng *r, char *out, size_t n);

/* Makes room for one more element in *arr (doubling, from `first`).
 * 0, or -1 on no memory with *arr untouched. */
int gen_grow(void *arr, size_t *cap, size_t n, size_t size, size_t first);

/* ---- sinks: one output file family ------------------------------------- */
struct gen_line {
	int64_t t;     /* µs since the epoch, the sort key */
	uint64_t seq;  /* tie-break: creation order */
	uint32_t off;  /* into the arena */
	uint32_t len;
};

struct gen_sink {
	const char *name;     /* for messages: "web access log" */
	char *path;           /* current file, NULL when closed */
	int fd;
	gzFile gz;            /* set when the current file is .gz */
	int64_t last_t;       /* time of the last line written, for mtime */
	struct cf_buf arena;  /* this hour's lines */
	struct gen_line *lines;
	size_t n, cap;
	uint64_t seq;
	struct cf_buf out;    /* write buffer */
	uint64_t events, bytes;
	unsigned files;
};

void gen_sink_init(struct gen_sink *s, const char *name);
/* Makes `path` the current file (closing the previous one) unless it already
 * is. A path ending in ".gz" is written through zlib. */
int gen_sink_switch(struct cf_ctx *ctx, struct gen_sink *s, const char *path);
/* Appends one line (the newline is added) stamped t. -1 on no memory. */
int gen_sink_printf(struct gen_sink *s, int64_t t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sorts the pending lines by time and writes them to the current file. */
int gen_sink_flush(struct cf_ctx *ctx, struct gen_sink *s);
/* Flushes and closes; sets the file's mtime to its last line. */
int gen_sink_close(struct cf_ctx *ctx, struct gen_sink *s);
void gen_sink_release(struct gen_sink *s);

/* ---- the world ----------------------------------------------------------- */
enum gen_role { ROLE_PHYSICIAN, ROLE_NURSE, ROLE_PHARMACIST, ROLE_ADMIN,
		ROLE_DATASCI, ROLE_N };

struct gen_clin {
	char id[24];        /* "pract-0042" */
	uint8_t role;       /* enum gen_role */
	uint8_t night;      /* works 19:00-07:00 */
	uint16_t first, last;  /* name table indexes */
	uint32_t team;
	uint32_t ip;        /* workstation, host order */
	int disabled_from_set;
	int64_t disabled_from; /* logins fail from then on (µs), when set */
};

struct gen_pat {
	uint16_t first, last;
	uint8_t female;
	int8_t state;       /* index in the state table, -1: no address */
	uint8_t telecom;    /* has a phone number */
	uint8_t vip;        /* restricted record: non-team reads are refused */
	int32_t birth_days; /* days since the epoch */
	uint32_t team;
	uint32_t house;     /* street number */
};

#define GEN_MODELS 2
struct gen_model_version {
	int version;
	int64_t from;       /* deployed at (µs) */
	char run_id[33];
	char commit[41];
};
struct gen_model {
	const char *name;
	struct gen_model_version v[4];
	int nv;
};

/* An auditd event waiting for its serial: serials rise with time, so they
 * are given when the hour's events are sorted (gen_host.c). */
struct gen_audit {
	int64_t t;
	uint64_t seq;
	const char *type;    /* "EXECVE" for a command group, else the record */
	const char *exe, *cmd, *op, *acct;
	unsigned uid, auid, ses, pid;
	uint32_t ip;
	int ok;
};

struct gen_decision {
	int64_t t;
	uint32_t patient;
	int version;
	int high;           /* output high-risk */
};

struct gen_world {
	const struct cf_demo_opts *o;
	struct gen_rng rng_setup, rng_ehr, rng_host, rng_model;
	int64_t t0, t_end;           /* generated period, µs */
	uint32_t ncl, npat, nteams;
	struct gen_clin *cl;
	struct gen_pat *pat;
	struct gen_model models[GEN_MODELS];
	uint64_t ae_seq, audit_serial;
	char hostname[32];

	/* scenario */
	int64_t discovered, win_from, win_to;
	int64_t v7_faulty_to;        /* faulty-model: rollback time */
	int32_t suspect_cl;          /* index, -1 none */
	uint32_t suspect_ip;         /* host order, 0 none */
	int suspect_model;           /* index, -1 none */
	int suspect_version;
	uint32_t *targets;           /* insider: patients snooped on */
	uint32_t ntargets;
	uint32_t export_next;        /* stolen: next patient to export */
	char exposed_run[33];        /* training: the run whose training set
					was exposed ("" in other scenarios) */
	char exposed_dataset[64];    /* training: that input's name */

	struct gen_audit *aud;       /* this hour's auditd events */
	size_t naud, capaud;

	/* ground truth, counted as events are written */
	uint8_t *counted;            /* per patient: counted access */
	uint8_t *model_hit;          /* per patient: implicated decision */
	uint64_t accesses, failed, failed_patient, outside, outside_failed;
	struct gen_decision *dec;
	size_t ndec, capdec;

	/* sinks */
	struct gen_sink fhir, web, syslog, auth, audit, dsep, dread;
	struct gen_sink *sinks[8];
	int nsinks;
	char *host;                  /* DIR/host */
};

#define GEN_US_HOUR (3600LL * 1000000)
#define GEN_US_DAY (24 * GEN_US_HOUR)

/* ---- gen_world.c: names, places, helpers, the world's setup ---------- */
/* Names and places. */
extern const char *const gen_first_names[];
extern const char *const gen_last_names[];
extern const unsigned gen_nfirst, gen_nlast;
struct gen_state { const char *code, *city, *zip3; unsigned weight; };
extern const struct gen_state gen_states[];
extern const unsigned gen_nstates;
extern const char *const gen_role_code[ROLE_N];
extern const char *const gen_role_name[ROLE_N];

/* µs since the epoch of y-m-d hh:mm UTC. */
int64_t gen_at(int y, unsigned m, unsigned d, unsigned hh, unsigned mm);
/* Allocates the world's tables (from o, ncl, npat, nteams, set by the
 * caller) and draws the people, the models and the incident. */
int gen_world_make(struct cf_ctx *ctx, struct gen_world *w);
/* Frees everything the world and its sinks hold. */
void gen_world_release(struct gen_world *w);
/* Version of model m serving at time t. */
int gen_model_version_at(const struct gen_world *w, int m, int64_t t);

/* Formatting helpers for the log formats the core does not produce. */
void gen_ip_str(uint32_t ip, char out[16]);
/* "01/Mar/2026:14:02:03 +0000" (web logs) */
void gen_time_clf(int64_t us, char out[32]);
/* "Mar  1 14:02:03" (RFC 3164) */
void gen_time_3164(int64_t us, char out[24]);
/* Builds DIR/host + rel and creates its folders. Heap string or NULL. */
char *gen_host_path(struct cf_ctx *ctx, struct gen_world *w, const char *rel);
int gen_write_text(struct cf_ctx *ctx, struct gen_world *w, const char *rel,
		   const char *text, int64_t mtime);

/* ---- the log modules (gen_ehr.c, gen_model.c, gen_host.c), driven by
 * gen_run.c ---------------------------------------------------------------- */
/* Each called once per hour (t = start of the hour). */
int gen_ehr_hour(struct cf_ctx *ctx, struct gen_world *w, int64_t t);
int gen_host_hour(struct cf_ctx *ctx, struct gen_world *w, int64_t t);
int gen_model_batch_hour(struct cf_ctx *ctx, struct gen_world *w, int64_t t);
/* Called by the EHR module when a chart view asks for a sepsis score. */
int gen_model_decide(struct gen_world *w, int model, int64_t t,
		     uint32_t patient, const char *user, const char *input_ref);

/* Whole files written once. */
int gen_ehr_patients(struct cf_ctx *ctx, struct gen_world *w);
int gen_host_configs(struct cf_ctx *ctx, struct gen_world *w);
int gen_model_mlflow(struct cf_ctx *ctx, struct gen_world *w);
int gen_truth_write(struct cf_ctx *ctx, struct gen_world *w);

/* ---- gen_truth.c ------------------------------------------------------ */
/* Ground truth: record one access or one decision as it is written. */
void gen_truth_access(struct gen_world *w, int64_t t, int32_t clin,
		      uint32_t ip, int64_t patient, int ok);
int gen_truth_decision(struct gen_world *w, int m, int64_t t,
		       uint32_t patient, int version, int high);
/* A patient whose record is in the exposed training set: affected. */
void gen_truth_dataset(struct gen_world *w, uint32_t patient);

#endif
