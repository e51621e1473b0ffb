/* SPDX-License-Identifier: Apache-2.0
 *
 * The synthetic environment generator behind `casefile demo` (SPEC
 * section 9).
 *
 * cf_demo_generate() writes, under DIR/host/, the files a Linux host running
 * an EHR front end and an AI inference service would hold after three weeks
 * of work (FHIR AuditEvent and Patient NDJSON, web access logs with rotation,
 * syslog, auth.log, auditd, model decision logs, an MLflow tracking store with
 * artifacts, configs), with one injected incident, and writes
 * DIR/ground-truth.json and DIR/incident.yaml. The ground truth is counted
 * from the events as they are written, under the counting rule of SPEC
 * section 6, never asserted separately.
 *
 * Everything derives from (seed, scale, scenario) through a PRNG of our own
 * with integer arithmetic only, so the same inputs give byte-identical trees
 * on every machine with the same SQLite and zlib. It never writes outside
 * DIR and refuses a DIR that already holds a generated host.
 */
#ifndef CASEFILE_DEMO_H
#define CASEFILE_DEMO_H

#include <stdint.h>

#include "casefile/progress.h"

struct cf_ctx;

enum cf_demo_scenario {
	CF_DEMO_INSIDER = 0,  /* insider-snooping */
	CF_DEMO_STOLEN,       /* stolen-credentials-bulk-export */
	CF_DEMO_FAULTY,       /* faulty-model-version */
	CF_DEMO_TRAINING,     /* training-data-exposure */
	CF_DEMO_NSCENARIOS
};

#define CF_DEMO_MAX_SCALE 1000u

struct cf_demo_opts {
	const char *dir;               /* output folder, created if absent */
	uint64_t seed;
	unsigned scale;                /* 1..CF_DEMO_MAX_SCALE, volume factor */
	enum cf_demo_scenario scenario;
	cf_progress *progress;         /* may be NULL; counts generated hours */
};

struct cf_demo_stats {
	uint64_t events;      /* log lines and records written */
	uint64_t bytes;       /* bytes written (compressed size for .gz) */
	unsigned files;       /* files written under DIR/host */
	unsigned affected;    /* distinct patients counted in the ground truth */
	unsigned decisions;   /* model decisions implicated */
};

/* "insider-snooping", ... ; NULL for an out-of-range value. */
const char *cf_demo_scenario_name(enum cf_demo_scenario s);
/* 0 and *out set, or -1 when name is not a scenario. */
int cf_demo_scenario_parse(const char *name, enum cf_demo_scenario *out);

/* Generates the tree, the ground truth and the incident file. CF_OK, or
 * CF_FAILED / CF_FATAL with the message (naming the file) on ctx; on failure
 * the files written so far are left for inspection. *st may be NULL. */
int cf_demo_generate(struct cf_ctx *ctx, const struct cf_demo_opts *o,
		     struct cf_demo_stats *st);

#endif
