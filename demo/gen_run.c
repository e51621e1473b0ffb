/* SPDX-License-Identifier: Apache-2.0
 *
 * The generator's driver: cf_demo_generate() sets the world up
 * (gen_world.c), then runs the log modules (gen_ehr.c, gen_model.c,
 * gen_host.c) hour by hour over the three weeks, switching each sink to the
 * file of the hour (daily FHIR files, weekly rotated web and syslog files),
 * flushing the sinks at the end of every hour, and finally writes the
 * whole-file outputs and the ground truth (gen_truth.c).
 *
 * It is the top of the generator's layers (see README.md): it calls every
 * module and no module calls it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "casefile/path.h"
#include "casefile/time.h"
#include "gen.h"

/* ---- main loop ------------------------------------------------------------ */
static int switch_files(struct cf_ctx *ctx, struct gen_world *w, int64_t t)
{
	int64_t y;
	unsigned m, d;
	char rel[96], *p;
	int rc = CF_OK;
	struct target { struct gen_sink *s; const char *rel; } fixed[6];
	int nf = 0;

	cf_civil_from_days(t / GEN_US_DAY, &y, &m, &d);
	snprintf(rel, sizeof rel, "var/log/ehr/audit-%04d-%02u-%02u.ndjson",
		 (int)y, m, d);
	/* Weekly rotation with delaycompress, as logrotate leaves it: the week
	 * before last compressed, last week plain, this week live. */
	fixed[nf++] = (struct target){&w->web,
		t < gen_at(2026, 2, 22, 0, 0) ? "var/log/nginx/access.log.2.gz"
		: t < gen_at(2026, 3, 1, 0, 0) ? "var/log/nginx/access.log.1"
		: "var/log/nginx/access.log"};
	fixed[nf++] = (struct target){&w->syslog,
		t < gen_at(2026, 3, 1, 0, 0) ? "var/log/syslog.1" : "var/log/syslog"};
	fixed[nf++] = (struct target){&w->auth, "var/log/auth.log"};
	fixed[nf++] = (struct target){&w->audit, "var/log/audit/audit.log"};
	fixed[nf++] = (struct target){&w->dsep,
		"var/log/inference/decisions-sepsis-risk.jsonl"};
	fixed[nf++] = (struct target){&w->dread,
		"var/log/inference/decisions-readmission-risk.jsonl"};
	if (!(p = gen_host_path(ctx, w, rel)))
		return CF_FAILED;
	rc = gen_sink_switch(ctx, &w->fhir, p);
	free(p);
	for (int i = 0; rc == CF_OK && i < nf; i++) {
		if (fixed[i].s->path) {
			size_t a = strlen(fixed[i].s->path), b = strlen(fixed[i].rel);
			if (a >= b && !strcmp(fixed[i].s->path + a - b, fixed[i].rel))
				continue;
		}
		if (!(p = gen_host_path(ctx, w, fixed[i].rel)))
			return CF_FAILED;
		rc = gen_sink_switch(ctx, fixed[i].s, p);
		free(p);
	}
	return rc;
}

int cf_demo_generate(struct cf_ctx *ctx, const struct cf_demo_opts *o,
		     struct cf_demo_stats *st)
{
	struct gen_world w;
	int rc = CF_FAILED;

	memset(&w, 0, sizeof w);
	w.o = o;
	if (o->scale < 1 || o->scale > CF_DEMO_MAX_SCALE)
		return cf_set_error(ctx, 0, "scale %u is outside 1..%u", o->scale,
				    CF_DEMO_MAX_SCALE);
	gen_rng_seed(&w.rng_setup, o->seed, 0);
	gen_rng_seed(&w.rng_ehr, o->seed, 1);
	gen_rng_seed(&w.rng_host, o->seed, 2);
	gen_rng_seed(&w.rng_model, o->seed, 3);
	w.t0 = gen_at(2026, 2, 15, 0, 0);
	w.t_end = gen_at(2026, 3, 8, 0, 0);
	w.ncl = 40 * o->scale;
	w.npat = 500 * o->scale;
	w.nteams = w.ncl / 8;
	snprintf(w.hostname, sizeof w.hostname, "ehr-app01");
	gen_sink_init(&w.fhir, "FHIR audit log");
	gen_sink_init(&w.web, "web access log");
	gen_sink_init(&w.syslog, "syslog");
	gen_sink_init(&w.auth, "auth log");
	gen_sink_init(&w.audit, "audit log");
	gen_sink_init(&w.dsep, "sepsis-risk decision log");
	gen_sink_init(&w.dread, "readmission-risk decision log");
	w.sinks[w.nsinks++] = &w.fhir;
	w.sinks[w.nsinks++] = &w.web;
	w.sinks[w.nsinks++] = &w.syslog;
	w.sinks[w.nsinks++] = &w.auth;
	w.sinks[w.nsinks++] = &w.audit;
	w.sinks[w.nsinks++] = &w.dsep;
	w.sinks[w.nsinks++] = &w.dread;

	if (cf_path_mkdirs(ctx, o->dir, 0755) != CF_OK)
		goto out;
	if (!(w.host = cf_path_join(o->dir, "host"))) {
		rc = cf_set_nomem(ctx, "path");
		goto out;
	}
	if (mkdir(w.host, 0755) < 0) {
		rc = cf_set_error(ctx, errno, errno == EEXIST
			? "'%s' exists: choose a new folder (a generated host is "
			  "never overwritten)" : "cannot create '%s'", w.host);
		goto out;
	}
	if ((rc = gen_world_make(ctx, &w)) != CF_OK)
		goto out;

	for (int64_t t = w.t0; t < w.t_end; t += GEN_US_HOUR) {
		if ((rc = switch_files(ctx, &w, t)) != CF_OK ||
		    (rc = gen_ehr_hour(ctx, &w, t)) != CF_OK ||
		    (rc = gen_model_batch_hour(ctx, &w, t)) != CF_OK ||
		    (rc = gen_host_hour(ctx, &w, t)) != CF_OK)
			goto out;
		uint64_t bytes = 0;
		for (int i = 0; i < w.nsinks; i++) {
			bytes += w.sinks[i]->arena.len;
			if ((rc = gen_sink_flush(ctx, w.sinks[i])) != CF_OK)
				goto out;
		}
		cf_progress_add(o->progress, bytes, 1);
	}
	for (int i = 0; i < w.nsinks; i++)
		if ((rc = gen_sink_close(ctx, w.sinks[i])) != CF_OK)
			goto out;
	if ((rc = gen_ehr_patients(ctx, &w)) != CF_OK ||
	    (rc = gen_host_configs(ctx, &w)) != CF_OK ||
	    (rc = gen_model_mlflow(ctx, &w)) != CF_OK ||
	    (rc = gen_truth_write(ctx, &w)) != CF_OK)
		goto out;
	if (st) {
		memset(st, 0, sizeof *st);
		for (int i = 0; i < w.nsinks; i++) {
			st->events += w.sinks[i]->events;
			st->bytes += w.sinks[i]->bytes;
			st->files += w.sinks[i]->files;
		}
		for (uint32_t i = 0; i < w.npat; i++)
			st->affected += w.counted[i];
		st->decisions = (unsigned)w.ndec;
	}
out:
	gen_world_release(&w);
	return rc;
}
