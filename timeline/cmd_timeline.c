/* SPDX-License-Identifier: Apache-2.0
 *
 * `casefile timeline build|query|scope|detect` (SPEC section 6; detect is
 * in cmd_detect.c): argument parsing
 * and printing only. The work is in timeline/build_archives.c and build.c
 * (archives into the store, -j verifying ahead), timeline/query.c (output
 * formats), src/db.c (the store) and src/scope.c (breach scope, shared
 * with the breach report).
 *
 * build exits 1 when an archive failed verification and was refused (the
 * others are still added), 3 when the store cannot be written; a build that
 * fails is abandoned (cf_db_abandon): the store stays as it was, and one the
 * build created is removed.
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "casefile/archive.h"
#include "casefile/atomic.h"
#include "casefile/buf.h"
#include "casefile/cli.h"
#include "casefile/db.h"
#include "casefile/json.h"
#include "casefile/keyring.h"
#include "casefile/progress.h"
#include "casefile/scope.h"
#include "casefile/suspects.h"
#include "casefile/sign.h"
#include "casefile/time.h"
#include "build.h"
#include "commands.h"
#include "query.h"
#include "sigma.h"
#include "tl.h"

static const char usage_text[] =
	"usage: casefile timeline build --db FILE --trust PUB [--trust PUB...]\n"
	"                               [--allow-unverified] [--mapping FILE] [-j N] [--json]\n"
	"                               ARCHIVE...\n"
	"       casefile timeline build --explain PATTERN [--explain PATTERN...]\n"
	"                               --trust PUB [--allow-unverified] [--json] ARCHIVE...\n"
	"       casefile timeline query --db FILE [--patient ID] [--actor ID]\n"
	"                               [--model NAME[@VERSION]] [--action A] [--source PARSER]\n"
	"                               [--ip ADDR] [--host HOST] [--outcome O] [--text S]\n"
	"                               [--from TIME] [--to TIME] [--limit N] [--offset N]\n"
	"                               [--format table|csv|jsonl|l2tcsv|timesketch]\n"
	"       casefile timeline scope --db FILE --incident FILE [--include-unverified]\n"
	"                               [--from-findings RULE_ID...] [--cohort-csv FILE]\n"
	"                               [--json]\n"
	"       casefile timeline detect --db FILE [--rules PATH...] [--from TIME]\n"
	"                                [--to TIME] [--json] [--store]\n"
	"\n"
	"  build   verify evidence archives and parse their members into the timeline\n"
	"  query   print the events a filter selects, in time order\n"
	"  scope   compute who was affected by an incident, with the evidence\n"
	"  detect  run Sigma rules over the timeline (casefile-detect(5))\n"
	"\n"
	"  --db FILE             timeline database: SQLite file, or\n"
	"                        clickhouse://HOST:PORT/DATABASE[?cluster=NAME]\n"
	"  --trust PUB           trusted signer public key (repeatable)\n"
	"  --key KEY             trust the public half of this private key; a\n"
	"                        public key here is the deprecated spelling of --trust\n"
	"  --allow-unverified    add archives that fail verification, marking their events\n"
	"  --mapping FILE        YAML field mapping for JSON-lines logs\n"
	"  --explain PATTERN     build nothing: show which parser takes each member\n"
	"                        whose name or original path matches the glob, and why\n"
	"                        (bids, decompression, category, MIME type)\n"
	"  -j, --jobs N          verify up to N archives at once ahead of the build\n"
	"                        (the store is the same as with -j 1)\n"
	"  --from, --to TIME     query: RFC 3339, or a date alone (the whole day)\n"
	"  --text S              query: the message contains S (ASCII case ignored)\n"
	"  --limit, --offset N   query: at most N events, after skipping N\n"
	"  --incident FILE       incident file (casefile-incident(5))\n"
	"  --rules PATH          detect: a Sigma rule file or folder (repeatable;\n"
	"                        default: the rules shipped with casefile)\n"
	"  --store               detect: also keep the findings in the store\n"
	"  --include-unverified  scope: also count events of archives added with\n"
	"                        --allow-unverified, listed apart\n"
	"  --from-findings RULE_ID  scope: also take as suspects the actors, source\n"
	"                        addresses and model versions of the stored findings\n"
	"                        of this rule (`detect --store`; repeatable)\n"
	"  --cohort-csv FILE     scope: write the decision cohorts (one row per\n"
	"                        patient and model version) as CSV to FILE\n"
	"  --json                print one JSON object on stdout\n"
	"  -h, --help            show this help\n";

enum {
	OPT_KEY = 256, OPT_ALLOW, OPT_MAPPING, OPT_PATIENT, OPT_ACTOR, OPT_MODEL,
	OPT_ACTION, OPT_FROM, OPT_TO, OPT_SOURCE, OPT_JOBS, OPT_EXPLAIN, OPT_IP,
	OPT_HOST, OPT_OUTCOME, OPT_TEXT, OPT_LIMIT, OPT_OFFSET, OPT_COHORT_CSV,
	OPT_FROM_FINDINGS,
};

static const struct option options[] = {
	{"action", required_argument, NULL, OPT_ACTION},
	{"actor", required_argument, NULL, OPT_ACTOR},
	{"allow-unverified", no_argument, NULL, OPT_ALLOW},
	{"cohort-csv", required_argument, NULL, OPT_COHORT_CSV},
	CF_CLI_OPT_DB,
	{"explain", required_argument, NULL, OPT_EXPLAIN},
	CF_CLI_OPT_FORMAT,
	{"from", required_argument, NULL, OPT_FROM},
	{"from-findings", required_argument, NULL, OPT_FROM_FINDINGS},
	{"host", required_argument, NULL, OPT_HOST},
	CF_CLI_OPT_INCIDENT,
	CF_CLI_OPT_UNVERIFIED,
	{"ip", required_argument, NULL, OPT_IP},
	{"jobs", required_argument, NULL, OPT_JOBS},
	{"key", required_argument, NULL, OPT_KEY}, /* repeatable: its own row */
	{"limit", required_argument, NULL, OPT_LIMIT},
	{"mapping", required_argument, NULL, OPT_MAPPING},
	{"model", required_argument, NULL, OPT_MODEL},
	{"offset", required_argument, NULL, OPT_OFFSET},
	{"outcome", required_argument, NULL, OPT_OUTCOME},
	{"patient", required_argument, NULL, OPT_PATIENT},
	{"source", required_argument, NULL, OPT_SOURCE},
	{"text", required_argument, NULL, OPT_TEXT},
	{"to", required_argument, NULL, OPT_TO},
	CF_CLI_OPT_TRUST,
	CF_CLI_OPT_HELP, CF_CLI_OPT_JSON, CF_CLI_OPT_END,
};

#define MAX_KEYS 32
#define MAX_EXPLAIN 64
#define MAX_FINDINGS 64

struct opts {
	const char *db, *mapping, *incident, *format;
	const char *cohort_csv; /* scope: the cohort file */
	const char *findings[MAX_FINDINGS]; /* scope --from-findings */
	size_t nfindings;
	char *trust[MAX_KEYS], *keys[MAX_KEYS]; /* --trust, --key */
	size_t ntrust, nkeys;
	int allow_unverified, json;
	int include_unverified; /* scope: count events of unverified archives */
	int jobs;             /* archives verified at once (build -j) */
	const char *explain[MAX_EXPLAIN]; /* build --explain patterns */
	size_t nexplain;
	struct cf_db_filter f;
};

/* ---- build -------------------------------------------------------------- */

static const char *status_word(enum tl_archive_status s)
{
	switch (s) {
	case TL_ARCHIVE_ADDED: return "added";
	case TL_ARCHIVE_ADDED_UNVERIFIED: return "added-unverified";
	case TL_ARCHIVE_PRESENT: return "already-present";
	case TL_ARCHIVE_REFUSED: return "refused";
	}
	return "?";
}

/* What archive_done needs: it prints, counts and records each archive. */
struct build_run {
	const struct opts *o;
	struct cf_ctx *ctx;
	cJSON *archives;  /* build: the JSON of each archive; --explain: NULL */
	int refused;
};

/* tl_build_archives' callback: the archive's message and JSON. */
static int archive_done(void *arg, const char *path,
			const struct tl_archive_result *res)
{
	struct build_run *r = arg;
	cJSON *a;

	if (res->status == TL_ARCHIVE_REFUSED) {
		r->refused++;
		cf_cli_error("%s: refused, verification failed: %s", path,
			     res->problem);
	} else if (res->status == TL_ARCHIVE_PRESENT && !cf_cli_globals.quiet) {
		fprintf(stderr, "casefile timeline build: %s: already in %s, "
				"nothing added\n", path, r->o->db);
	} else if (res->status == TL_ARCHIVE_ADDED_UNVERIFIED) {
		cf_cli_error("%s: NOT VERIFIED (%s)%s", path, res->problem,
			     r->archives ? ": its events are marked \"unverified\"" : "");
	}
	if (!r->archives)
		return CF_OK;
	if (!(a = cJSON_CreateObject()) || !cJSON_AddItemToArray(r->archives, a) ||
	    cf_json_add_str(a, "path", path) ||
	    cf_json_add_str(a, "status", status_word(res->status)) ||
	    cf_json_add_str(a, "sha256sums", res->sha256sums[0] ? res->sha256sums : NULL) ||
	    cf_json_add_str(a, "signer", res->signer[0] ? res->signer : NULL) ||
	    cf_json_add_bool(a, "verified", res->verified) ||
	    cf_json_add_int(a, "events", (int64_t)res->events) ||
	    cf_json_add_int(a, "rejects", (int64_t)res->rejects))
		return cf_set_fatal(r->ctx, 0, "out of memory");
	return CF_OK;
}

/* Prints the summary; *archives is attached to the JSON (and set to NULL)
 * only when it is printed. */
static int summary(const struct opts *o, const struct tl_builder *b,
		   cJSON **archives, int64_t total_events, int64_t total_rejects)
{
	const struct tl_build_stats *st = &b->stats;
	struct cf_ctx ctx;
	cJSON *j, *p, *arch;
	int rc;

	if (!cf_cli_globals.quiet) {
		fprintf(stderr, "casefile timeline build: %llu events, %llu rejects, "
				"%llu patients from %llu members (%llu not parsed)\n",
			(unsigned long long)st->events, (unsigned long long)st->rejects,
			(unsigned long long)st->patients, (unsigned long long)st->members,
			(unsigned long long)st->skipped);
		for (size_t i = 0; i < st->nparsers; i++)
			fprintf(stderr, "  %-18s %10llu events %8llu rejects\n",
				st->parsers[i].name,
				(unsigned long long)st->parsers[i].events,
				(unsigned long long)st->parsers[i].rejects);
		/* members not parsed, by type, in the order types first appear */
		for (size_t i = 0; i < st->nnot_parsed; i++) {
			size_t k, count = 0;
			for (k = 0; k < i; k++)
				if (!strcmp(st->not_parsed[k].type, st->not_parsed[i].type))
					break;
			if (k < i)
				continue;
			for (k = i; k < st->nnot_parsed; k++)
				count += !strcmp(st->not_parsed[k].type, st->not_parsed[i].type);
			fprintf(stderr, "  not parsed: %-30s %6zu member%s (%s)\n",
				st->not_parsed[i].type, count, count == 1 ? "" : "s",
				count == 1 ? st->not_parsed[i].member
					   : st->not_parsed[i].reason);
		}
	}
	if (!o->json)
		return CF_EXIT_OK;
	cf_ctx_init(&ctx);
	if (!(j = cJSON_CreateObject()) || cf_json_add_str(j, "db", o->db) ||
	    cf_json_add_int(j, "events", (int64_t)st->events) ||
	    cf_json_add_int(j, "rejects", (int64_t)st->rejects) ||
	    cf_json_add_int(j, "patients", (int64_t)st->patients) ||
	    cf_json_add_int(j, "members", (int64_t)st->members) ||
	    cf_json_add_int(j, "members_not_parsed", (int64_t)st->skipped) ||
	    cf_json_add_int(j, "total_events", total_events) ||
	    cf_json_add_int(j, "total_rejects", total_rejects) ||
	    !(p = cJSON_AddObjectToObject(j, "parsers")))
		goto nomem;
	{
		cJSON *np = cJSON_AddObjectToObject(j, "not_parsed"), *bt, *ml;
		if (!np || !(bt = cJSON_AddObjectToObject(np, "by_type")) ||
		    !(ml = cJSON_AddArrayToObject(np, "members")))
			goto nomem;
		for (size_t i = 0; i < st->nnot_parsed; i++) {
			const struct tl_not_parsed *x = &st->not_parsed[i];
			cJSON *c = cJSON_GetObjectItemCaseSensitive(bt, x->type), *m;
			if (c)
				cJSON_SetNumberValue(c, c->valuedouble + 1);
			else if (cf_json_add_int(bt, x->type, 1))
				goto nomem;
			if (!(m = cJSON_CreateObject()))
				goto nomem;
			if (!cJSON_AddItemToArray(ml, m)) {
				cJSON_Delete(m);
				goto nomem;
			}
			if (cf_json_add_str(m, "member", x->member) ||
			    cf_json_add_str(m, "type", x->type) ||
			    cf_json_add_str(m, "reason", x->reason))
				goto nomem;
		}
	}
	for (size_t i = 0; i < st->nparsers; i++) {
		cJSON *x = cJSON_AddObjectToObject(p, st->parsers[i].name);
		if (!x || cf_json_add_int(x, "events", (int64_t)st->parsers[i].events) ||
		    cf_json_add_int(x, "rejects", (int64_t)st->parsers[i].rejects))
			goto nomem;
	}
	arch = *archives;
	*archives = NULL;
	if (cf_json_add_item(j, "archives", arch))
		goto nomem;
	rc = cf_json_emit(&ctx, stdout, j);
	cJSON_Delete(j);
	return rc == CF_OK ? CF_EXIT_OK : cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
nomem:
	cJSON_Delete(j);
	cf_cli_error("out of memory");
	return CF_EXIT_RUNTIME;
}

/* The archives into the store, in order; exit 1 when one was refused. */
static int do_build(struct opts *o, int argc, char **argv)
{
	struct cf_ctx ctx;
	cf_keyring *kr = NULL;
	struct tl_mapping *mapping = NULL;
	struct tl_builder b;
	cf_db *db = NULL;
	struct build_run run = {o, &ctx, cJSON_CreateArray(), 0};
	struct stat sb;
	uint64_t total = 0;
	int64_t ne = 0, nr = 0;
	int rc = CF_EXIT_RUNTIME, brc;

	cf_ctx_init(&ctx);
	if (!o->db)
		return cJSON_Delete(run.archives), cf_cli_usage("build needs --db FILE");
	if (!o->ntrust && !o->nkeys && !o->allow_unverified)
		return cJSON_Delete(run.archives),
		       cf_cli_usage("build needs --trust PUB (a trusted signer)");
	if (optind >= argc)
		return cJSON_Delete(run.archives), cf_cli_usage("build needs an ARCHIVE");
	if (!run.archives) {
		cf_cli_error("out of memory");
		return CF_EXIT_RUNTIME;
	}
	if (!(kr = cf_cli_keyring(&ctx, o->trust, o->ntrust, o->keys, o->nkeys)))
		goto fail;
	if (o->mapping && tl_mapping_load(&ctx, o->mapping, &mapping) != CF_OK)
		goto fail;
	if (cf_db_open(&ctx, o->db, CF_DB_WRITE, &db) != CF_OK)
		goto fail;
	if (tl_builder_init(&b, &ctx, db) != CF_OK)
		goto fail;
	b.keys = cf_keyring_keys(kr);
	b.nkeys = cf_keyring_count(kr);
	b.allow_unverified = o->allow_unverified;
	b.mapping = mapping;
	for (int i = optind; i < argc; i++)
		if (!stat(argv[i], &sb))
			total += (uint64_t)sb.st_size;
	b.progress = cf_progress_new(stderr, "timeline build", cf_cli_globals.progress,
				     total, 0);
	brc = tl_build_archives(&b, argv + optind, (size_t)(argc - optind), o->jobs,
				archive_done, &run);
	cf_progress_free(b.progress);
	b.progress = NULL;
	if (brc != CF_OK ||
	    (b.stats.events && cf_db_link_lineage(db, &ctx) != CF_OK) ||
	    cf_db_counts(db, &ctx, &ne, &nr) != CF_OK) {
		cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		goto out_builder;
	}
	if (cf_db_close(db, &ctx) != CF_OK) {
		db = NULL;
		tl_builder_release(&b);
		goto fail;
	}
	db = NULL;
	rc = summary(o, &b, &run.archives, ne, nr);
	if (rc == CF_EXIT_OK && run.refused)
		rc = CF_EXIT_EVIDENCE;
out_builder:
	tl_builder_release(&b);
	goto out;
fail:
	rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
out:
	cf_db_abandon(db); /* NULL once kept */
	cJSON_Delete(run.archives);
	tl_mapping_free(mapping);
	cf_keyring_free(kr);
	return rc;
}

/* ---- build --explain ---------------------------------------------------- */

static void explain_text(const struct tl_explanation *x)
{
	printf("%s: %s\n", x->archive, x->member);
	if (x->path)
		printf("  original path: %s\n", x->path);
	printf("  category:      %s\n", x->category ? x->category : "(none in items.jsonl)");
	printf("  MIME type:     %s%s%s%s\n", x->mime ? x->mime : "(unknown)",
	       x->mime_from ? " (from " : "", x->mime_from ? x->mime_from : "",
	       x->mime_from ? ")" : "");
	if (x->compression)
		printf("  decompressed:  %s\n", x->compression);
	if (x->detected) {
		if (x->first_line)
			printf("  first line:    %s\n", x->first_line);
		if (x->info.content)
			printf("  content:       not looked at: %s\n", x->info.content);
		printf("  bids:\n");
		for (size_t i = 0; i < x->info.nbids; i++) {
			const struct tl_bid *bd = &x->info.bids[i];
			if (bd->bid)
				printf("    %-16s %3d  %s%s\n", bd->parser->name, bd->bid,
				       bd->why, bd->parser == x->info.winner ? "  <- wins" : "");
		}
		if (!x->info.winner)
			printf("    (none)\n");
	}
	if (x->parser)
		printf("  parser:        %s\n", x->parser);
	else
		printf("  not parsed:    %s\n", x->reason ? x->reason : "?");
}

static int explain_json(cJSON *arr, const struct tl_explanation *x)
{
	cJSON *o = cJSON_CreateObject(), *bids;

	if (!o)
		return -1;
	if (!cJSON_AddItemToArray(arr, o)) {
		cJSON_Delete(o);
		return -1;
	}
	if (cf_json_add_str(o, "archive", x->archive) ||
	    cf_json_add_str(o, "member", x->member) ||
	    cf_json_add_str(o, "path", x->path) ||
	    cf_json_add_str(o, "category", x->category) ||
	    cf_json_add_str(o, "mime", x->mime) ||
	    cf_json_add_str(o, "mime_from", x->mime_from) ||
	    cf_json_add_str(o, "compression", x->compression) ||
	    cf_json_add_str(o, "first_line", x->first_line) ||
	    cf_json_add_str(o, "content", x->info.content) ||
	    cf_json_add_str(o, "parser", x->parser) ||
	    cf_json_add_str(o, "reason", x->reason) ||
	    !(bids = cJSON_AddArrayToObject(o, "bids")))
		return -1;
	for (size_t i = 0; i < x->info.nbids; i++) {
		const struct tl_bid *bd = &x->info.bids[i];
		cJSON *b;
		if (!bd->bid)
			continue;
		if (!(b = cJSON_CreateObject()))
			return -1;
		if (!cJSON_AddItemToArray(bids, b)) {
			cJSON_Delete(b);
			return -1;
		}
		if (cf_json_add_str(b, "parser", bd->parser->name) ||
		    cf_json_add_int(b, "bid", bd->bid) ||
		    cf_json_add_str(b, "why", bd->why) ||
		    cf_json_add_bool(b, "wins", bd->parser == x->info.winner))
			return -1;
	}
	return 0;
}

/* Explains the members --explain names in each archive: nothing is
 * written. Exit 1 when an archive was refused, as build. */
static int do_explain(struct opts *o, int argc, char **argv)
{
	struct cf_ctx ctx;
	cf_keyring *kr = NULL;
	struct tl_builder b;
	cJSON *j = NULL, *arr = NULL;
	int rc = CF_EXIT_RUNTIME, inited = 0;
	size_t *hits = NULL;
	struct build_run run = {o, &ctx, NULL, 0};

	cf_ctx_init(&ctx);
	if (!o->ntrust && !o->nkeys && !o->allow_unverified)
		return cf_cli_usage("build needs --trust PUB (a trusted signer)");
	if (optind >= argc)
		return cf_cli_usage("build needs an ARCHIVE");
	if (!(kr = cf_cli_keyring(&ctx, o->trust, o->ntrust, o->keys, o->nkeys)))
		goto fail;
	if (tl_builder_init(&b, &ctx, NULL) != CF_OK)
		goto fail;
	inited = 1;
	b.keys = cf_keyring_keys(kr);
	b.nkeys = cf_keyring_count(kr);
	b.allow_unverified = o->allow_unverified;
	b.explain = o->explain;
	b.nexplain = o->nexplain;
	if (tl_build_archives(&b, argv + optind, (size_t)(argc - optind), 1,
			      archive_done, &run) != CF_OK)
		goto fail;
	/* a pattern that names nothing is worth a word */
	if (!(hits = calloc(o->nexplain ? o->nexplain : 1, sizeof *hits))) {
		cf_cli_error("out of memory");
		goto out;
	}
	for (size_t i = 0; i < b.nex; i++)
		for (size_t k = 0; k < o->nexplain; k++)
			if (!fnmatch(o->explain[k], b.ex[i].member, 0) ||
			    (b.ex[i].path && !fnmatch(o->explain[k], b.ex[i].path, 0)))
				hits[k]++;
	for (size_t k = 0; k < o->nexplain; k++)
		if (!hits[k])
			cf_cli_error("--explain '%s': no member matches", o->explain[k]);
	if (o->json) {
		if (!(j = cJSON_CreateObject()) ||
		    !(arr = cJSON_AddArrayToObject(j, "explain"))) {
			cf_cli_error("out of memory");
			goto out;
		}
		for (size_t i = 0; i < b.nex; i++)
			if (explain_json(arr, &b.ex[i])) {
				cf_cli_error("out of memory");
				goto out;
			}
		if (cf_json_emit(&ctx, stdout, j) != CF_OK)
			goto fail;
	} else {
		for (size_t i = 0; i < b.nex; i++)
			explain_text(&b.ex[i]);
		if (fflush(stdout) || ferror(stdout)) {
			cf_cli_error("cannot write the explanation");
			goto out;
		}
	}
	rc = run.refused ? CF_EXIT_EVIDENCE : CF_EXIT_OK;
	goto out;
fail:
	rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
out:
	free(hits);
	cJSON_Delete(j);
	if (inited)
		tl_builder_release(&b);
	cf_keyring_free(kr);
	return rc;
}

/* ---- query -------------------------------------------------------------- */

static int do_query(struct opts *o, int argc)
{
	struct cf_ctx ctx;
	struct tl_query_out q = {.f = stdout, .format = TL_FMT_TABLE};
	cf_db *db = NULL;
	int fmt, rc;

	if (!o->db)
		return cf_cli_usage("query needs --db FILE");
	if (optind < argc)
		return cf_cli_usage("query takes no operands");
	if (o->format) {
		if ((fmt = tl_query_format(o->format)) < 0)
			return cf_cli_usage("unknown format '%s' (table, csv, jsonl, "
					    "l2tcsv, timesketch)", o->format);
		q.format = (enum tl_format)fmt;
	}
	cf_ctx_init(&ctx);
	if (cf_db_open(&ctx, o->db, CF_DB_READ, &db) != CF_OK)
		return cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	rc = tl_query_run(&ctx, db, &o->f, &q);
	cf_db_close(db, &ctx);
	if (rc != CF_OK)
		return cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	if (q.untimed)
		cf_cli_error("%llu event(s) with no known time left out of the "
			     "Timesketch export (--format jsonl lists them)", (unsigned long long)q.untimed);
	return CF_EXIT_OK;
}

/* ---- scope -------------------------------------------------------------- */

/* The counting blocks of src/scope_count.c, one line each. */
static void print_counting(const cJSON *j)
{
	const cJSON *tc = cJSON_GetObjectItemCaseSensitive(j, "to_confirm");
	const cJSON *tr = cJSON_GetObjectItemCaseSensitive(j, "treatment_relationship");
	const cJSON *re = cJSON_GetObjectItemCaseSensitive(j, "reach");
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(j, "residence");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "discovery");

	if (tc)
		printf("unknown outcome (counted, to confirm, 164.402(2)): %lld access(es), "
		       "%lld patient(s)\n", (long long)cf_json_int(tc, "count", 0),
		       (long long)cf_json_int(tc, "affected", 0));
	if (tr)
		printf("treatment relationship (%s): %lld patient(s)\n",
		       cf_json_bool(tr, "excluded", 0) ? "excluded" : "counted",
		       (long long)cf_json_int(tr, "count", 0));
	if (re)
		printf("written notice (164.404(d)): %lld reachable, %lld phone only, "
		       "%lld no contact, %lld deceased, %lld minor(s)\n",
		       (long long)cf_json_int(re, "written_notice", 0),
		       (long long)cf_json_int(re, "phone_only", 0),
		       (long long)cf_json_int(re, "none", 0),
		       (long long)cf_json_int(cJSON_GetObjectItemCaseSensitive(re, "deceased"), "count", 0),
		       (long long)cf_json_int(cJSON_GetObjectItemCaseSensitive(re, "minors"), "count", 0));
	if (cf_json_bool(res, "media_could_change", 0))
		printf("residents of unknown State (%lld) could require media notice (164.406)\n",
		       (long long)cf_json_int(res, "unknown", 0));
	if (cf_json_bool(d, "knowable_earlier", 0))
		printf("discovery: %s on %s suggests the breach was knowable before "
		       "`discovered` (164.404(a)(2))\n", cf_json_str(d, "basis", "evidence"),
		       cf_json_str(d, "earliest_sign_day", "?"));
}

static void print_scope(const cJSON *j)
{
	const cJSON *x, *u, *unv = cJSON_GetObjectItemCaseSensitive(j, "unverified_patients");
	const char *sep = "";
	long long nunv = (long long)cf_json_int(j, "unverified_affected", 0);
	long long excluded = (long long)cf_json_int(j, "unverified_excluded", 0);

	printf("incident %s: %lld affected patient(s)\n", cf_json_str(j, "incident", "?"),
	       (long long)cf_json_int(j, "affected", 0));
	if (cf_json_bool(j, "include_unverified", 0))
		printf("         of which %lld named only by UNVERIFIED evidence "
		       "(--include-unverified), listed apart below\n", nunv);
	else if (excluded)
		printf("         not counted: %lld access(es) from UNVERIFIED archives "
		       "(--include-unverified lists them)\n", excluded);
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(j, "unverified_archives"))
		printf("UNVERIFIED archive %s %s\n", cf_json_str(x, "sha256sums", "?"),
		       cf_json_str(x, "path", ""));
	printf("window   %s .. %s\n",
	       cf_json_str(cJSON_GetObjectItemCaseSensitive(j, "window"), "from", "?"),
	       cf_json_str(cJSON_GetObjectItemCaseSensitive(j, "window"), "to", "?"));
	printf("by state ");
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(j, "by_state")) {
		printf("%s%s %d", sep, x->string, x->valueint);
		sep = ", ";
	}
	printf("\nphi      ");
	sep = "";
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(j, "phi_categories")) {
		printf("%s%s", sep, x->valuestring);
		sep = ", ";
	}
	printf("\nfailed attempts by suspects (not counted): %lld\n",
	       (long long)cf_json_int(j, "failed_count", 0));
	printf("model decisions by suspect model versions: %d\n",
	       cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "model_decisions")));
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(j, "cohorts"))
		printf("cohort %s@%s: %lld decision(s), %lld patient(s), %lld overridden, "
		       "%lld acted on, first %s (%s:%lld), last %s (%s:%lld)\n",
		       cf_json_str(x, "model", "?"), cf_json_str(x, "version", "?"),
		       (long long)cf_json_int(x, "decisions", 0),
		       (long long)cf_json_int(x, "patients", 0),
		       (long long)cf_json_int(x, "overridden", 0),
		       (long long)cf_json_int(x, "acted_on", 0),
		       cf_json_str(cJSON_GetObjectItemCaseSensitive(x, "first"), "time", "?"),
		       cf_json_str(cJSON_GetObjectItemCaseSensitive(x, "first"), "member", "?"),
		       (long long)cf_json_int(cJSON_GetObjectItemCaseSensitive(x, "first"), "line", 0),
		       cf_json_str(cJSON_GetObjectItemCaseSensitive(x, "last"), "time", "?"),
		       cf_json_str(cJSON_GetObjectItemCaseSensitive(x, "last"), "member", "?"),
		       (long long)cf_json_int(cJSON_GetObjectItemCaseSensitive(x, "last"), "line", 0));
	print_counting(j);
	printf("patients:\n");
	/* both lists are sorted the same way: walk them side by side */
	u = unv ? unv->child : NULL;
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(j, "patients")) {
		if (u && cJSON_IsString(u) && cJSON_IsString(x) &&
		    !strcmp(u->valuestring, x->valuestring)) {
			u = u->next;
			continue;
		}
		printf("  %s\n", cJSON_IsString(x) ? x->valuestring : "?");
	}
	if (nunv) {
		printf("patients named only by UNVERIFIED evidence:\n");
		cJSON_ArrayForEach(x, unv)
			printf("  %s\n", x->valuestring);
	}
}

/* Which finding named which suspects (--from-findings), with the first
 * events of its evidence. */
static void print_findings(const cJSON *j)
{
	const cJSON *f, *x;

	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(j, "suspects_from_findings")) {
		int n = 0;
		printf("suspects from finding %s (%s, %s, %lld event(s)):",
		       cf_json_str(f, "rule_id", "?"), cf_json_str(f, "title", "?"),
		       cf_json_str(f, "level", "?"), (long long)cf_json_int(f, "count", 0));
		cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(f, "actors"))
			printf(" actor %s", x->valuestring);
		cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(f, "ips"))
			printf(" ip %s", x->valuestring);
		cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(f, "models"))
			printf(" model %s", x->valuestring);
		printf("\n");
		cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(f, "events"))
			if (n++ < 5)
				printf("  %s %s:%lld\n", cf_json_str(x, "ts", "?"),
				       cf_json_str(x, "member", "?"),
				       (long long)cf_json_int(x, "line", 0));
	}
}

static int do_scope(struct opts *o, int argc)
{
	struct cf_ctx ctx;
	struct cf_incident *inc = NULL;
	cf_db *db = NULL;
	cJSON *j = NULL;
	int rc = CF_EXIT_RUNTIME;

	if (!o->db || !o->incident)
		return cf_cli_usage("scope needs --db FILE and --incident FILE");
	if (optind < argc)
		return cf_cli_usage("scope takes no operands");
	cf_ctx_init(&ctx);
	if (cf_incident_load(&ctx, o->incident, &inc) != CF_OK) {
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		goto out;
	}
	if (cf_db_open(&ctx, o->db, CF_DB_READ, &db) != CF_OK ||
	    cf_scope_with_findings(&ctx, db, inc, o->findings, o->nfindings,
				   o->include_unverified ?
				   CF_SCOPE_INCLUDE_UNVERIFIED : 0, &j) != CF_OK) {
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		goto out;
	}
	if (o->cohort_csv) {
		struct cf_buf b;
		cf_buf_init(&b);
		rc = cf_scope_cohort_csv(&ctx, j, &b) == CF_OK &&
		     cf_write_file_atomic(&ctx, o->cohort_csv, b.data ? b.data : "",
					  b.len, 0600, 0) == CF_OK; /* PHI */
		cf_buf_release(&b);
		if (!rc) {
			rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
			goto out;
		}
	}
	if (o->json) {
		rc = cf_json_emit(&ctx, stdout, j) == CF_OK ?
			     CF_EXIT_OK : cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	} else {
		print_scope(j);
		print_findings(j);
		rc = CF_EXIT_OK;
	}
out:
	cJSON_Delete(j);
	cf_db_close(db, &ctx);
	cf_incident_free(inc);
	return rc;
}

/* ---- dispatch ----------------------------------------------------------- */

static int parse_count(const char *what, const char *s, uint64_t *n)
{
	char *end;

	errno = 0;
	*n = strtoull(s, &end, 10);
	if (!*s || *end || errno || *s == '-')
		return cf_cli_usage("%s takes a number, not '%s'", what, s);
	return 0;
}

int cmd_timeline(int argc, char **argv)
{
	struct opts o = {0};
	struct cf_cli_args a = CF_CLI_ARGS(argc - 1, argv + 1, "hj:", options,
					   usage_text);
	const char *sub;
	int c, rc;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage_text, stdout);
		return CF_EXIT_OK;
	}
	if (argc < 2)
		return cf_cli_usage("timeline needs a subcommand: build, query, scope "
				    "or detect");
	sub = argv[1];
	if (!strcmp(sub, "detect"))
		return cmd_timeline_detect(argc - 1, argv + 1);
	if (strcmp(sub, "build") && strcmp(sub, "query") && strcmp(sub, "scope"))
		return cf_cli_usage("unknown timeline subcommand '%s'", sub);
	argc--;
	argv++;
	while ((c = cf_cli_next(&a)) > 0) {
		switch (c) {
		case CF_CLI_DB: o.db = optarg; break;
		case OPT_EXPLAIN:
			if ((rc = cf_cli_push(o.explain, &o.nexplain, MAX_EXPLAIN,
					      "--explain", optarg)))
				return rc;
			break;
		case 'j':
		case OPT_JOBS: {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > TL_MAX_JOBS)
				return cf_cli_usage("-j takes a number from 1 to %d",
						    TL_MAX_JOBS);
			o.jobs = (int)n;
			break;
		}
		case OPT_KEY:
		case CF_CLI_TRUST:
			if (o.nkeys + o.ntrust == MAX_KEYS)
				return cf_cli_usage("at most %d --trust "
						"and --key options", MAX_KEYS);
			if (c == OPT_KEY)
				o.keys[o.nkeys++] = optarg;
			else
				o.trust[o.ntrust++] = optarg;
			break;
		case OPT_ALLOW: o.allow_unverified = 1; break;
		case CF_CLI_UNVERIFIED: o.include_unverified = 1; break;
		case OPT_COHORT_CSV: o.cohort_csv = optarg; break;
		case OPT_FROM_FINDINGS:
			if ((rc = cf_cli_push(o.findings, &o.nfindings, MAX_FINDINGS,
					      "--from-findings", optarg)))
				return rc;
			break;
		case OPT_MAPPING: o.mapping = optarg; break;
		case CF_CLI_INCIDENT: o.incident = optarg; break;
		case CF_CLI_FORMAT: o.format = optarg; break;
		case OPT_PATIENT:
			o.f.patient = strncmp(optarg, "Patient/", 8) ? optarg : optarg + 8;
			break;
		case OPT_ACTOR: o.f.actor = optarg; break;
		case OPT_ACTION: o.f.action = optarg; break;
		case OPT_SOURCE: o.f.source = optarg; break;
		case OPT_IP: o.f.src_ip = optarg; break;
		case OPT_HOST: o.f.host = optarg; break;
		case OPT_OUTCOME: o.f.outcome = optarg; break;
		case OPT_TEXT: o.f.text = optarg; break;
		case OPT_LIMIT:
		case OPT_OFFSET:
			if ((rc = parse_count(c == OPT_LIMIT ? "--limit" : "--offset",
					      optarg, c == OPT_LIMIT ? &o.f.limit :
								   &o.f.offset)))
				return rc;
			break;
		case OPT_MODEL: {
			/* NAME@VERSION, split in place (argv is ours to change) */
			char *at = strrchr(optarg, '@');

			o.f.model = optarg;
			o.f.model_version = at ? at + 1 : NULL;
			if (at)
				*at = '\0';
			break;
		}
		case OPT_FROM:
		case OPT_TO:
			if ((rc = cf_cli_time_bound(&o.f, c == OPT_TO, optarg)))
				return rc;
			break;
		}
	}
	if (c != -1)
		return a.exit;
	o.json = a.json;
	{
		/* the options only one subcommand reads */
		const struct { int given; const char *option, *sub; } only[] = {
			{o.include_unverified, "--include-unverified", "scope"},
			{o.cohort_csv != NULL, "--cohort-csv", "scope"},
			{o.nfindings > 0, "--from-findings", "scope"},
			{o.nexplain > 0, "--explain", "build"},
		};
		for (size_t i = 0; i < sizeof only / sizeof *only; i++)
			if (only[i].given && strcmp(sub, only[i].sub))
				return cf_cli_usage("%s goes with '%s'", only[i].option,
						    only[i].sub);
	}
	if (!strcmp(sub, "build") && o.nexplain)
		rc = do_explain(&o, argc, argv);
	else if (!strcmp(sub, "build"))
		rc = do_build(&o, argc, argv);
	else if (!strcmp(sub, "query"))
		rc = do_query(&o, argc);
	else
		rc = do_scope(&o, argc);
	return rc;
}
