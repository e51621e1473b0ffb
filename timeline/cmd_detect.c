/* SPDX-License-Identifier: Apache-2.0
 *
 * `casefile timeline detect` (casefile-detect(5)): argument parsing and
 * printing only. Rules are loaded and evaluated by timeline/sigma.c and
 * sigma_eval.c over the events cf_db_query_events streams; findings print
 * as a table for people (by level, then time) or as one JSON object, and
 * with --store go into the store's findings table.
 *
 * Rules that cannot be used are named on stderr, one line each
 * ("FILE:LINE: rule 'TITLE': REASON"), and the others still run; exit 3
 * when no rule at all could be loaded, 2 on a usage error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/cli.h"
#include "casefile/datadir.h"
#include "casefile/db.h"
#include "casefile/json.h"
#include "casefile/progress.h"
#include "casefile/time.h"
#include "commands.h"
#include "sigma.h"

#define MAX_RULE_PATHS 64

struct detect_opts {
	const char *db;
	const char *rules[MAX_RULE_PATHS];
	size_t nrules;
	int json, store;
	struct cf_db_filter f;
};

/* Where the events go: the rule set, the context, the progress line. */
struct feed_to {
	struct sigma_set *set;
	struct cf_ctx *ctx;
	cf_progress *pg;
};

static int feed(void *arg, const struct cf_event *ev)
{
	struct feed_to *to = arg;

	cf_progress_add(to->pg, 0, 1);
	return sigma_feed(to->set, to->ctx, ev) == CF_OK ? 0 : CF_FAILED;
}

static cJSON *evidence_json(const struct sigma_evidence *e)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || cf_json_add_int(o, "id", e->id) ||
	    cf_json_add_time(o, "ts", e->ts_us) ||
	    cf_json_add_str(o, "archive", e->archive) ||
	    cf_json_add_str(o, "member", e->member) ||
	    cf_json_add_int(o, "line", (int64_t)e->line) ||
	    cf_json_add_str(o, "source", e->source) ||
	    cf_json_add_str(o, "host", e->host) ||
	    cf_json_add_str(o, "actor", e->actor) ||
	    cf_json_add_str(o, "src_ip", e->src_ip) ||
	    cf_json_add_str(o, "message", e->message)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *finding_json(const struct sigma_finding *f)
{
	cJSON *o = cJSON_CreateObject(), *evs = cJSON_CreateArray();

	if (!o || !evs || cf_json_add_str(o, "rule_id", sigma_rule_id(f->rule)) ||
	    cf_json_add_str(o, "title", sigma_rule_title(f->rule)) ||
	    cf_json_add_str(o, "level", sigma_level_name(sigma_rule_level(f->rule))) ||
	    cf_json_add_int(o, "count", (int64_t)f->count) ||
	    (f->group && cf_json_add_str(o, "group", f->group)) ||
	    cf_json_add_time(o, "first", f->first_us) ||
	    cf_json_add_time(o, "last", f->last_us) ||
	    cf_json_add_bool(o, "events_truncated", f->truncated))
		goto fail;
	for (size_t i = 0; i < f->nev; i++) {
		cJSON *e = evidence_json(&f->ev[i]);
		if (!e || !cJSON_AddItemToArray(evs, e)) {
			cJSON_Delete(e);
			goto fail;
		}
	}
	if (cf_json_add_item(o, "events", evs)) {
		evs = NULL;
		goto fail;
	}
	return o;
fail:
	cJSON_Delete(evs);
	cJSON_Delete(o);
	return NULL;
}

static void print_table(const struct sigma_finding *const *fs, size_t n)
{
	char a[CF_TIME_STR];

	if (!n) {
		printf("no findings\n");
		return;
	}
	printf("%-13s  %-27s  %6s  %s\n", "LEVEL", "FIRST", "COUNT", "RULE");
	for (size_t i = 0; i < n; i++) {
		const struct sigma_finding *f = fs[i];
		printf("%-13s  %-27s  %6llu  %s (%s)%s%s\n",
		       sigma_level_name(sigma_rule_level(f->rule)),
		       cf_time_format(f->first_us, a), (unsigned long long)f->count,
		       sigma_rule_title(f->rule), sigma_rule_id(f->rule),
		       f->group ? " " : "", f->group ? f->group : "");
		for (size_t k = 0; k < f->nev && k < 5; k++)
			printf("    %s  %s:%llu  %s\n", cf_time_format(f->ev[k].ts_us, a),
			       f->ev[k].member ? f->ev[k].member : "?",
			       (unsigned long long)f->ev[k].line,
			       f->ev[k].message ? f->ev[k].message : "");
		if (f->nev > 5 || f->truncated)
			printf("    ... %llu event(s) in all\n",
			       (unsigned long long)f->count);
	}
}

/* Every rule that ran: its findings, or one row with count 0. */
static int store(struct cf_ctx *ctx, const char *loc, struct sigma_set *set,
		 const struct sigma_finding *const *fs, size_t n)
{
	int64_t now = cf_time_now();
	cf_db *db = NULL;
	int rc = CF_OK;

	if (cf_db_open(ctx, loc, CF_DB_WRITE, &db) != CF_OK)
		return CF_FAILED;
	for (size_t i = 0; rc == CF_OK && i < n; i++) {
		cJSON *j = finding_json(fs[i]);
		cJSON *ev = j ? cJSON_GetObjectItemCaseSensitive(j, "events") : NULL;
		char *text = ev ? cJSON_PrintUnformatted(ev) : NULL;
		struct cf_finding row = {
			.detected_at = now, .rule_id = sigma_rule_id(fs[i]->rule),
			.title = sigma_rule_title(fs[i]->rule),
			.level = sigma_level_name(sigma_rule_level(fs[i]->rule)),
			.group_key = fs[i]->group, .count = (int64_t)fs[i]->count,
			.first_us = fs[i]->first_us, .last_us = fs[i]->last_us,
			.events = text,
		};
		rc = text ? cf_db_insert_finding(db, ctx, &row) :
			    cf_set_nomem(ctx, "finding");
		free(text);
		cJSON_Delete(j);
	}
	for (size_t i = 0; rc == CF_OK && i < sigma_rule_count(set); i++) {
		const struct sigma_rule *r = sigma_rule_at(set, i);
		int found = 0;
		for (size_t k = 0; k < n && !found; k++)
			found = fs[k]->rule == r;
		if (found || !sigma_rule_reports(r))
			continue;
		struct cf_finding row = {
			.detected_at = now, .rule_id = sigma_rule_id(r),
			.title = sigma_rule_title(r),
			.level = sigma_level_name(sigma_rule_level(r)), .events = "[]",
		};
		rc = cf_db_insert_finding(db, ctx, &row);
	}
	if (rc != CF_OK) {
		cf_db_abandon(db);
		return rc;
	}
	return cf_db_close(db, ctx);
}

static int run(struct detect_opts *o)
{
	struct cf_ctx ctx;
	struct sigma_set *set = sigma_set_new();
	const struct sigma_refusal *ref;
	const struct sigma_finding *const *fs;
	char *pack = NULL;
	cf_db *db = NULL;
	struct feed_to to = {set, NULL, NULL};
	int64_t total = 0, rejects;
	size_t nref, n;
	int rc = CF_EXIT_RUNTIME;

	cf_ctx_init(&ctx);
	if (!set) {
		cf_cli_error("out of memory");
		return CF_EXIT_RUNTIME;
	}
	if (!o->nrules) {
		if (!(pack = cf_data_dir(&ctx, "sigma")))
			goto fail;
		o->rules[o->nrules++] = pack;
	}
	for (size_t i = 0; i < o->nrules; i++)
		if (sigma_load_path(set, &ctx, o->rules[i]) != CF_OK)
			goto fail;
	if (sigma_link(set, &ctx) != CF_OK)
		goto fail;
	ref = sigma_refusals(set, &nref);
	for (size_t i = 0; i < nref; i++) {
		if (ref[i].rule)
			cf_cli_error("%s: rule '%s' not loaded: %s", ref[i].where,
				     ref[i].rule, ref[i].reason);
		else
			cf_cli_error("%s: not loaded: %s", ref[i].where, ref[i].reason);
	}
	if (!sigma_rule_count(set)) {
		cf_cli_error("no rule could be loaded");
		goto out;
	}
	sigma_filter(set, &o->f);
	if (cf_db_open(&ctx, o->db, CF_DB_READ, &db) != CF_OK)
		goto fail;
	/* a store of millions of events takes tens of seconds: a progress
	 * line, with an ETA when every event is read */
	if (!o->f.has_from && !o->f.has_to &&
	    cf_db_counts(db, &ctx, &total, &rejects) != CF_OK)
		goto fail;
	to.ctx = &ctx;
	to.pg = cf_progress_new(stderr, "timeline detect", cf_cli_globals.progress,
				0, total > 0 ? (uint64_t)total : 0);
	rc = cf_db_query_events(db, &ctx, &o->f, feed, &to);
	cf_progress_free(to.pg);
	if (rc != CF_OK || sigma_finish(set, &ctx) != CF_OK)
		goto fail;
	cf_db_close(db, &ctx);
	db = NULL;
	fs = sigma_findings(set, &n);
	if (o->store && store(&ctx, o->db, set, fs, n) != CF_OK)
		goto fail;
	if (o->json) {
		cJSON *j = cJSON_CreateObject(), *arr = cJSON_CreateArray();
		int nomem = !j || !arr;
		for (size_t i = 0; !nomem && i < n; i++) {
			cJSON *x = finding_json(fs[i]);
			nomem = !x || !cJSON_AddItemToArray(arr, x);
			if (nomem)
				cJSON_Delete(x);
		}
		if (!nomem && !cf_json_add_item(j, "findings", arr))
			arr = NULL;
		else
			nomem = 1;
		cJSON_Delete(arr);
		rc = cf_cli_print_json(j, nomem);
		goto out;
	}
	print_table(fs, n);
	rc = cf_cli_finish_stdout();
	goto out;
fail:
	rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
out:
	cf_db_close(db, &ctx);
	sigma_set_free(set);
	free(pack);
	return rc;
}

int cmd_timeline_detect(int argc, char **argv)
{
	enum { O_RULES = 256, O_FROM, O_TO, O_STORE };
	static const struct option options[] = {
		CF_CLI_OPT_DB,
		{"from", required_argument, NULL, O_FROM},
		CF_CLI_OPT_HELP,
		CF_CLI_OPT_JSON,
		{"rules", required_argument, NULL, O_RULES},
		{"store", no_argument, NULL, O_STORE},
		{"to", required_argument, NULL, O_TO},
		CF_CLI_OPT_END,
	};
	struct detect_opts o = {0};
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'h': return cmd_timeline(2, (char *[]){"timeline", "-h", NULL});
		case CF_CLI_DB: o.db = optarg; break;
		case CF_CLI_JSON: o.json = 1; break;
		case O_STORE: o.store = 1; break;
		case O_RULES:
			if ((rc = cf_cli_push(o.rules, &o.nrules, MAX_RULE_PATHS - 1,
					      "--rules", optarg)))
				return rc;
			break;
		case O_FROM:
		case O_TO:
			if ((rc = cf_cli_time_bound(&o.f, c == O_TO, optarg)))
				return rc;
			break;
		default:
			return cf_cli_bad_option(argv);
		}
	}
	if (!o.db)
		return cf_cli_usage("detect needs --db FILE");
	if (optind < argc)
		return cf_cli_usage("detect takes no operands (rules go with --rules)");
	return run(&o);
}
