/* SPDX-License-Identifier: Apache-2.0
 *
 * The simulated world: the tables of names and places, the formatting
 * and file helpers every log module uses, and the drawing of the people,
 * the models and the incident (gen_run.c runs the modules over it).
 *
 * A three-week period (2026-02-15 to 2026-03-08 UTC) of a mid-sized
 * hospital: 40 clinicians and 500 patients per unit of --scale, care teams
 * of about eight clinicians each owning a panel of patients, two models
 * (sepsis-risk, readmission-risk) whose versions change during the period,
 * and one injected incident. Everything is drawn here, once, from the seed;
 * the modules then run hour by hour and the ground truth is counted while
 * they write. Fixed dates keep the incident windows and the log rotation
 * identical for every seed, so tests and documentation can name them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/atomic.h"
#include "casefile/path.h"
#include "casefile/time.h"
#include "gen.h"

/* ---- tables ------------------------------------------------------------ */
const char *const gen_first_names[] = {
	"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael",
	"Linda", "David", "Elizabeth", "William", "Barbara", "Richard", "Susan",
	"Joseph", "Jessica", "Thomas", "Sarah", "Carlos", "Karen", "Daniel",
	"Lisa", "Matthew", "Nancy", "Anthony", "Betty", "Mark", "Sandra",
	"Wei", "Ashley", "Ahmed", "Kimberly", "Jose", "Emily", "Kevin", "Donna",
	"Brian", "Michelle", "Hiroshi", "Ana",
};
const char *const gen_last_names[] = {
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller",
	"Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez",
	"Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
	"Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark",
	"Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King",
	"Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
};
const unsigned gen_nfirst = sizeof gen_first_names / sizeof gen_first_names[0];
const unsigned gen_nlast = sizeof gen_last_names / sizeof gen_last_names[0];

/* Patients live mostly in the hospital's state and its neighbours; the
 * weights are per cent of patients with an address. */
const struct gen_state gen_states[] = {
	{"IL", "Springfield", "627", 46}, {"MO", "St. Louis", "631", 16},
	{"IN", "Indianapolis", "462", 12}, {"WI", "Milwaukee", "532", 8},
	{"IA", "Des Moines", "503", 6}, {"KY", "Louisville", "402", 5},
	{"CA", "Sacramento", "958", 3}, {"TX", "Austin", "787", 2},
	{"FL", "Tampa", "336", 1}, {"NY", "Albany", "122", 1},
};
const unsigned gen_nstates = sizeof gen_states / sizeof gen_states[0];

const char *const gen_role_code[ROLE_N] = {"doctor", "nurse", "pharmacist",
					   "ict", "researcher"};
const char *const gen_role_name[ROLE_N] = {"physician", "nurse", "pharmacist",
					   "admin", "data scientist"};

static const char *const scenario_names[CF_DEMO_NSCENARIOS] = {
	"insider-snooping", "stolen-credentials-bulk-export",
	"faulty-model-version", "training-data-exposure",
};

const char *cf_demo_scenario_name(enum cf_demo_scenario s)
{
	return (unsigned)s < CF_DEMO_NSCENARIOS ? scenario_names[s] : NULL;
}

int cf_demo_scenario_parse(const char *name, enum cf_demo_scenario *out)
{
	for (unsigned i = 0; i < CF_DEMO_NSCENARIOS; i++)
		if (!strcmp(name, scenario_names[i])) {
			*out = (enum cf_demo_scenario)i;
			return 0;
		}
	return -1;
}

/* ---- formatting and files ---------------------------------------------- */
static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void gen_ip_str(uint32_t ip, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", ip >> 24, ip >> 16 & 255, ip >> 8 & 255,
		 ip & 255);
}

static void split(int64_t us, int64_t *y, unsigned *m, unsigned *d,
		  unsigned *sod)
{
	int64_t s = us / 1000000;

	cf_civil_from_days(s / 86400, y, m, d);
	*sod = (unsigned)(s % 86400);
}

void gen_time_clf(int64_t us, char out[32])
{
	int64_t y;
	unsigned m, d, sod;

	split(us, &y, &m, &d, &sod);
	snprintf(out, 32, "%02u/%s/%04d:%02u:%02u:%02u +0000", d, months[m - 1],
		 (int)y, sod / 3600, sod / 60 % 60, sod % 60);
}

void gen_time_3164(int64_t us, char out[24])
{
	int64_t y;
	unsigned m, d, sod;

	split(us, &y, &m, &d, &sod);
	snprintf(out, 24, "%s %2u %02u:%02u:%02u", months[m - 1], d, sod / 3600,
		 sod / 60 % 60, sod % 60);
}

char *gen_host_path(struct cf_ctx *ctx, struct gen_world *w, const char *rel)
{
	char *p = cf_path_join(w->host, rel), *slash;

	if (!p) {
		cf_set_nomem(ctx, rel);
		return NULL;
	}
	slash = strrchr(p, '/');
	*slash = '\0';
	if (cf_path_mkdirs(ctx, p, 0755) != CF_OK) {
		free(p);
		return NULL;
	}
	*slash = '/';
	return p;
}

int gen_write_text(struct cf_ctx *ctx, struct gen_world *w, const char *rel,
		   const char *text, int64_t mtime)
{
	char *p = gen_host_path(ctx, w, rel);
	struct timespec ts[2];
	int rc;

	if (!p)
		return CF_FAILED;
	rc = cf_write_file_atomic(ctx, p, text, strlen(text), 0644,
				  CF_ATOMIC_NO_REPLACE);
	ts[0].tv_sec = ts[1].tv_sec = (time_t)(mtime / 1000000);
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	if (rc == CF_OK && utimensat(AT_FDCWD, p, ts, 0) < 0)
		rc = cf_set_error(ctx, errno, "cannot set the times of '%s'", p);
	free(p);
	return rc;
}

/* ---- the world ----------------------------------------------------------- */
int64_t gen_at(int y, unsigned m, unsigned d, unsigned hh, unsigned mm)
{
	return (cf_days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60) *
	       1000000LL;
}

static void make_people(struct gen_world *w)
{
	struct gen_rng *r = &w->rng_setup;
	unsigned total = 0;

	for (unsigned i = 0; i < gen_nstates; i++)
		total += gen_states[i].weight;
	for (uint32_t i = 0; i < w->ncl; i++) {
		struct gen_clin *c = &w->cl[i];
		unsigned roll = gen_rng_below(r, 100);

		snprintf(c->id, sizeof c->id, "pract-%04u", i + 1);
		/* The first five cover every role at any scale. */
		c->role = i < ROLE_N ? (uint8_t)i
			: roll < 35 ? ROLE_PHYSICIAN : roll < 75 ? ROLE_NURSE
			: roll < 85 ? ROLE_PHARMACIST : roll < 93 ? ROLE_ADMIN
			: ROLE_DATASCI;
		c->night = c->role == ROLE_NURSE && gen_rng_chance(r, 3000);
		c->first = (uint16_t)gen_rng_below(r, gen_nfirst);
		c->last = (uint16_t)gen_rng_below(r, gen_nlast);
		c->team = i % w->nteams;
		c->ip = (10u << 24) | (20u << 16) | ((1 + i / 200) << 8) |
			(10 + i % 200);
	}
	for (uint32_t i = 0; i < w->npat; i++) {
		struct gen_pat *p = &w->pat[i];
		unsigned pick;

		p->first = (uint16_t)gen_rng_below(r, gen_nfirst);
		p->last = (uint16_t)gen_rng_below(r, gen_nlast);
		p->female = (uint8_t)gen_rng_below(r, 2);
		p->team = i % w->nteams;
		p->birth_days = (int32_t)(cf_days_from_civil(1930, 1, 1) +
					  gen_rng_below(r, 94 * 365));
		p->house = 1 + gen_rng_below(r, 9000);
		p->vip = gen_rng_chance(r, 200);
		/* About 8% have neither address nor telecom: the people a
		 * notification cannot reach (substitute notice). */
		if (gen_rng_chance(r, 800)) {
			p->state = -1;
			p->telecom = 0;
			continue;
		}
		pick = gen_rng_below(r, total);
		for (unsigned s = 0; s < gen_nstates; s++) {
			if (pick < gen_states[s].weight) {
				p->state = (int8_t)s;
				break;
			}
			pick -= gen_states[s].weight;
		}
		p->telecom = gen_rng_chance(r, 9000);
	}
}

static void make_models(struct gen_world *w)
{
	static const struct { int v; int64_t from; } sep[] = {
		{5, 0}, {6, 1}, {7, 2}, {8, 3}};
	int64_t sep_t[4] = {gen_at(2026, 1, 12, 15, 0), gen_at(2026, 2, 20, 14, 0),
			    gen_at(2026, 3, 1, 10, 0), gen_at(2026, 3, 4, 11, 30)};
	int64_t read_t[2] = {gen_at(2025, 12, 8, 9, 0), gen_at(2026, 2, 25, 9, 0)};
	struct gen_model *m = &w->models[0];

	m->name = "sepsis-risk";
	m->nv = 4;
	for (int i = 0; i < 4; i++) {
		m->v[i].version = sep[i].v;
		m->v[i].from = sep_t[sep[i].from];
	}
	m = &w->models[1];
	m->name = "readmission-risk";
	m->nv = 2;
	for (int i = 0; i < 2; i++) {
		m->v[i].version = 3 + i;
		m->v[i].from = read_t[i];
	}
	for (int k = 0; k < GEN_MODELS; k++)
		for (int i = 0; i < w->models[k].nv; i++) {
			gen_rng_hex(&w->rng_setup, w->models[k].v[i].run_id, 32);
			gen_rng_hex(&w->rng_setup, w->models[k].v[i].commit, 40);
		}
}

int gen_model_version_at(const struct gen_world *w, int m, int64_t t)
{
	const struct gen_model *mo = &w->models[m];
	int v = mo->v[0].version;

	for (int i = 0; i < mo->nv; i++)
		if (t >= mo->v[i].from)
			v = mo->v[i].version;
	return v;
}

/* Picks the suspect of each scenario from the world (deterministically) and
 * fixes the incident's dates. */
static int make_scenario(struct cf_ctx *ctx, struct gen_world *w)
{
	struct gen_rng *r = &w->rng_setup;
	uint32_t start = gen_rng_below(r, w->ncl);

	w->suspect_cl = -1;
	w->suspect_model = -1;
	switch (w->o->scenario) {
	case CF_DEMO_INSIDER:
		w->win_from = gen_at(2026, 2, 20, 0, 0);
		w->discovered = w->win_to = gen_at(2026, 3, 3, 16, 0);
		for (uint32_t k = 0; k < w->ncl; k++) {
			uint32_t i = (start + k) % w->ncl;
			if (w->cl[i].role == ROLE_NURSE && !w->cl[i].night) {
				w->suspect_cl = (int32_t)i;
				break;
			}
		}
		if (w->suspect_cl < 0)
			return cf_set_error(ctx, 0, "no day nurse to play the insider");
		/* Her account is disabled when the snooping is found. */
		w->cl[w->suspect_cl].disabled_from_set = 1;
		w->cl[w->suspect_cl].disabled_from = w->discovered;
		w->ntargets = 24 * w->o->scale;
		if (!(w->targets = cf_calloc(w->ntargets, sizeof *w->targets)))
			return cf_set_nomem(ctx, "targets");
		for (uint32_t k = 0; k < w->ntargets; k++) {
			uint32_t p;
			do /* outside her own panel: that is what makes it snooping */
				p = gen_rng_below(r, w->npat);
			while (w->pat[p].team == w->cl[w->suspect_cl].team);
			w->targets[k] = p;
			if (k % 3 == 0)
				w->pat[p].vip = 1;
		}
		break;
	case CF_DEMO_STOLEN:
		w->win_from = gen_at(2026, 3, 1, 0, 0);
		w->discovered = w->win_to = gen_at(2026, 3, 4, 9, 30);
		for (uint32_t k = 0; k < w->ncl; k++) {
			uint32_t i = (start + k) % w->ncl;
			if (w->cl[i].role == ROLE_PHYSICIAN) {
				w->suspect_cl = (int32_t)i;
				break;
			}
		}
		w->suspect_ip = (203u << 24) | (0u << 16) | (113u << 8) | 77u;
		break;
	case CF_DEMO_FAULTY:
		w->win_from = gen_at(2026, 3, 1, 10, 0);
		w->discovered = w->win_to = gen_at(2026, 3, 4, 9, 30);
		w->suspect_model = 0;
		w->suspect_version = 7;
		break;
	case CF_DEMO_TRAINING: {
		/* The artifact store was left readable from outside: the
		 * training-set export of sepsis-risk's last run was exposed. */
		const struct gen_model *m = &w->models[0];
		const struct gen_model_version *v = &m->v[m->nv - 1];
		w->win_from = gen_at(2026, 3, 2, 0, 0);
		w->discovered = w->win_to = gen_at(2026, 3, 5, 11, 0);
		memcpy(w->exposed_run, v->run_id, sizeof w->exposed_run);
		snprintf(w->exposed_dataset, sizeof w->exposed_dataset,
			 "%s-train-v%d", m->name, v->version);
		break;
	}
	default:
		return cf_set_error(ctx, 0, "unknown scenario");
	}
	return CF_OK;
}

/* Draws the people, the models and the incident from the seed: the
 * callers' counts (ncl, npat, nteams) and options must be set. CF_OK, or
 * CF_FAILED / CF_FATAL with the message on ctx; what was allocated is
 * freed by gen_world_release(). */
int gen_world_make(struct cf_ctx *ctx, struct gen_world *w)
{
	w->cl = cf_calloc(w->ncl, sizeof *w->cl);
	w->pat = cf_calloc(w->npat, sizeof *w->pat);
	w->counted = cf_calloc(w->npat, 1);
	w->model_hit = cf_calloc(w->npat, 1);
	if (!w->cl || !w->pat || !w->counted || !w->model_hit)
		return cf_set_nomem(ctx, "the world");
	make_people(w);
	make_models(w);
	return make_scenario(ctx, w);
}

void gen_world_release(struct gen_world *w)
{
	for (int i = 0; i < w->nsinks; i++)
		gen_sink_release(w->sinks[i]);
	free(w->cl);
	free(w->pat);
	free(w->targets);
	free(w->counted);
	free(w->model_hit);
	free(w->dec);
	free(w->aud);
	free(w->host);
}

