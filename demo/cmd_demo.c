/* SPDX-License-Identifier: Apache-2.0
 *
 * `casefile demo`: a synthetic healthcare-AI host with an injected incident,
 * then the whole chain a responder would run on it (SPEC section 9).
 *
 * The chain runs the casefile binary itself (/proc/self/exe) once per step,
 * with the same arguments a user would type, so the demo exercises the real
 * commands and nothing else: key generate, init, collect with the shipped
 * profile, verify, add, timeline build, timeline scope, report breach. A
 * command missing from this build (`casefile help CMD` fails) is reported as
 * skipped with the reason, and so is every step that needs its output; the
 * demo never makes up what a step would have printed. Each step's stdout and
 * stderr are kept in DIR/logs/. Scope's answer is compared with the ground
 * truth the generator counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/cli.h"
#include "casefile/datadir.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "casefile/time.h"
#include "commands.h"
#include "demo.h"

static const char usage_text[] =
	"usage: casefile demo [DIR] [--seed N] [--scale N] [--scenario NAME]\n"
	"                     [--generate-only] [--json]\n"
	"\n"
	"Generates a synthetic EHR and AI inference host with an injected incident\n"
	"under DIR/host (default DIR: ./casefile-demo), writes DIR/ground-truth.json\n"
	"and DIR/incident.yaml, then runs key generate, init, collect, verify, add,\n"
	"timeline build, timeline scope and report breach on it.\n"
	"\n"
	"  --seed N           PRNG seed (default 1); same seed, same files\n"
	"  --scale N          volume factor 1..1000 (default 1: 40 clinicians,\n"
	"                     500 patients, about 144 000 events)\n"
	"  --scenario NAME    insider-snooping, stolen-credentials-bulk-export\n"
	"                     (default), faulty-model-version or\n"
	"                     training-data-exposure\n"
	"  --generate-only    write the files and stop (benchmark inputs)\n"
	"  --json             print one JSON object on stdout\n"
	"  -h, --help         show this help\n";

enum { OPT_SEED = 256, OPT_SCALE, OPT_SCENARIO, OPT_GENONLY };

static const struct option options[] = {
	{"generate-only", no_argument, NULL, OPT_GENONLY},
	{"scale", required_argument, NULL, OPT_SCALE},
	{"scenario", required_argument, NULL, OPT_SCENARIO},
	{"seed", required_argument, NULL, OPT_SEED},
	CF_CLI_OPT_HELP, CF_CLI_OPT_JSON, CF_CLI_OPT_END,
};

#define MAX_ARGS 16

struct step {
	const char *name;      /* "timeline build" */
	const char *command;   /* dispatch-table name: "timeline" */
	const char *argv[MAX_ARGS];
	int needs[3];          /* indexes of steps whose output it uses, -1 */
	const char *out_file;  /* where stdout goes when it is the product */
	/* results */
	enum { ST_PENDING, ST_OK, ST_FAILED, ST_SKIPPED } status;
	int exit_status;
	double seconds;
	char reason[PATH_MAX + 128];
};

enum { S_KEY, S_INIT, S_COLLECT, S_VERIFY, S_ADD, S_BUILD, S_SCOPE, S_REPORT,
       NSTEPS };

struct paths {
	char *dir, *logs, *key, *keypriv, *pub, *casedir, *archive, *db, *incident,
	     *truth, *scope, *report, *root, *profile;
};

static int parse_uint(const char *s, unsigned long long max,
		      unsigned long long *out)
{
	char *end;

	errno = 0;
	if (!*s || *s == '-')
		return -1;
	*out = strtoull(s, &end, 10);
	return errno || *end || *out > max ? -1 : 0;
}

/* Runs `casefile help CMD` quietly: 0 when the command is in this build. */
static int have_command(const char *cmd)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return 0;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl("/proc/self/exe", "casefile", "help", cmd, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Runs one step with stdout and stderr in DIR/logs/NN-name.{out,err}. */
static void run_step(struct step *s, int idx, const struct paths *p)
{
	char out[PATH_MAX], err[PATH_MAX], base[64];
	int64_t t0 = cf_time_now();
	pid_t pid;
	int st;

	snprintf(base, sizeof base, "%02d-%s", idx + 1, s->name);
	for (char *c = base; *c; c++)
		if (*c == ' ')
			*c = '-';
	snprintf(out, sizeof out, "%s/%s.out", p->logs, base);
	snprintf(err, sizeof err, "%s/%s.err", p->logs, base);
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		s->status = ST_FAILED;
		s->exit_status = CF_EXIT_RUNTIME;
		snprintf(s->reason, sizeof s->reason, "cannot fork: %s",
			 strerror(errno));
		return;
	}
	if (pid == 0) {
		const char *o = s->out_file ? s->out_file : out;
		int fo = open(o, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
			_exit(CF_EXIT_RUNTIME);
		execv("/proc/self/exe", (char *const *)s->argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	s->seconds = (double)(cf_time_now() - t0) / 1e6;
	s->exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	s->status = s->exit_status == 0 ? ST_OK : ST_FAILED;
	if (s->status == ST_FAILED)
		snprintf(s->reason, sizeof s->reason, "exit status %d, see %s",
			 s->exit_status, err);
}

/* Compares scope's JSON with the ground truth: affected, the patient set,
 * the per-state counts and the number of implicated model decisions.
 * Returns 0 when they agree; the reason otherwise. */
static int check_scope(const struct paths *p, char *why, size_t n,
		       long long *affected)
{
	struct cf_ctx ctx;
	cJSON *scope = NULL, *truth = NULL, *sp, *tp, *e;
	int rc = -1;

	cf_ctx_init(&ctx);
	if (cf_json_parse_file(&ctx, p->scope, 64u << 20, &scope) != CF_OK ||
	    cf_json_parse_file(&ctx, p->truth, 256u << 20, &truth) != CF_OK) {
		snprintf(why, n, "%s", cf_errmsg(&ctx));
		goto out;
	}
	*affected = cf_json_int(truth, "affected", -1);
	if (cf_json_int(scope, "affected", -2) != *affected) {
		snprintf(why, n, "scope counts %lld affected patients, the ground "
			 "truth %lld", (long long)cf_json_int(scope, "affected", -1),
			 *affected);
		goto out;
	}
	sp = cJSON_GetObjectItemCaseSensitive(scope, "patients");
	tp = cJSON_GetObjectItemCaseSensitive(truth, "patients");
	if (!cJSON_IsArray(sp) || cJSON_GetArraySize(sp) != cJSON_GetArraySize(tp)) {
		snprintf(why, n, "scope's patient list differs from the ground truth");
		goto out;
	}
	cJSON_ArrayForEach(e, tp) {
		const cJSON *f;
		int found = 0;
		cJSON_ArrayForEach(f, sp)
			if (cJSON_IsString(f) && !strcmp(f->valuestring, e->valuestring))
				found = 1;
		if (!found) {
			snprintf(why, n, "scope misses patient %s", e->valuestring);
			goto out;
		}
	}
	if (!cJSON_Compare(cJSON_GetObjectItemCaseSensitive(scope, "by_state"),
			   cJSON_GetObjectItemCaseSensitive(truth, "by_state"), 1)) {
		snprintf(why, n, "scope's per-state counts differ from the ground truth");
		goto out;
	}
	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(scope, "model_decisions")) !=
	    cf_json_int(truth, "model_decisions_count", -1)) {
		snprintf(why, n, "scope lists %d model decisions, the ground truth %lld",
			 cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(scope,
									       "model_decisions")),
			 (long long)cf_json_int(truth, "model_decisions_count", -1));
		goto out;
	}
	rc = 0;
out:
	cJSON_Delete(scope);
	cJSON_Delete(truth);
	return rc;
}

static void paths_free(struct paths *p)
{
	char **f[] = {&p->dir, &p->logs, &p->key, &p->keypriv, &p->pub, &p->casedir,
		      &p->archive, &p->db, &p->incident, &p->truth, &p->scope,
		      &p->report, &p->root, &p->profile};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		free(*f[i]);
}

/* The files and folders of the run, under DIR. */
static const struct { size_t off; const char *rel; } path_rel[] = {
	{offsetof(struct paths, logs), "logs"},
	{offsetof(struct paths, key), "keys/examiner"},
	{offsetof(struct paths, keypriv), "keys/examiner.key"},
	{offsetof(struct paths, pub), "keys/examiner.pub"},
	{offsetof(struct paths, casedir), "case"},
	{offsetof(struct paths, archive), "ehr-app01.tar.zst"},
	{offsetof(struct paths, db), "timeline.db"},
	{offsetof(struct paths, incident), "incident.yaml"},
	{offsetof(struct paths, truth), "ground-truth.json"},
	{offsetof(struct paths, scope), "scope.json"},
	{offsetof(struct paths, report), "report"},
	{offsetof(struct paths, root), "host"},
};

static int paths_make(struct paths *p, const char *dir)
{
	memset(p, 0, sizeof *p);
	if (!(p->dir = cf_strdup(dir)))
		return -1;
	for (size_t i = 0; i < sizeof path_rel / sizeof path_rel[0]; i++) {
		char **f = (char **)((char *)p + path_rel[i].off);
		if (!(*f = cf_path_join(dir, path_rel[i].rel)))
			return -1;
	}
	return 0;
}

static void define_steps(struct step *s, const struct paths *p)
{
	const struct step d[NSTEPS] = {
		[S_KEY] = {"key generate", "key", {"casefile", "key", "generate",
			p->key}, {-1, -1, -1}, NULL, 0, 0, 0, ""},
		[S_INIT] = {"init", "init", {"casefile", "init", "--key", p->keypriv,
			"--examiner", "casefile demo", p->casedir},
			{S_KEY, -1, -1}, NULL, 0, 0, 0, ""},
		[S_COLLECT] = {"collect", "collect", {"casefile", "collect", "-o",
			p->archive, "--key", p->keypriv, "--profile", p->profile,
			"--root", p->root, "--examiner", "casefile demo"},
			{S_KEY, -1, -1}, NULL, 0, 0, 0, ""},
		[S_VERIFY] = {"verify", "verify", {"casefile", "verify", "--trust",
			p->pub, p->archive}, {S_COLLECT, -1, -1}, NULL, 0, 0, 0, ""},
		[S_ADD] = {"add", "add", {"casefile", "add", "-C", p->casedir,
			p->archive}, {S_INIT, S_COLLECT, -1}, NULL, 0, 0, 0, ""},
		[S_BUILD] = {"timeline build", "timeline", {"casefile", "timeline",
			"build", "--db", p->db, "--trust", p->pub, p->archive},
			{S_COLLECT, -1, -1}, NULL, 0, 0, 0, ""},
		[S_SCOPE] = {"timeline scope", "timeline", {"casefile", "timeline",
			"scope", "--db", p->db, "--incident", p->incident, "--json"},
			{S_BUILD, -1, -1}, p->scope, 0, 0, 0, ""},
		[S_REPORT] = {"report breach", "report", {"casefile", "report",
			"breach", "--db", p->db, "--incident", p->incident, "-o",
			p->report, "--case", p->casedir, "--trust", p->pub},
			{S_BUILD, S_ADD, -1}, NULL, 0, 0, 0, ""},
	};
	memcpy(s, d, sizeof d);
}

static const char *status_word(int st)
{
	return st == ST_OK ? "ok" : st == ST_FAILED ? "failed"
	       : st == ST_SKIPPED ? "skipped" : "pending";
}

static int run_chain(struct step *steps, struct paths *p)
{
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	p->profile = cf_data_file(&ctx, "profiles", "linux-ehr-ai-host.yaml");
	define_steps(steps, p);
	if (mkdir(p->logs, 0755) < 0 && errno != EEXIST) {
		cf_cli_error("cannot create '%s': %s", p->logs, strerror(errno));
		return -1;
	}
	/* The examiner's keys: a folder only its owner can read. */
	*strrchr(p->key, '/') = '\0';
	if (mkdir(p->key, 0700) < 0 && errno != EEXIST) {
		cf_cli_error("cannot create '%s': %s", p->key, strerror(errno));
		return -1;
	}
	p->key[strlen(p->key)] = '/';
	for (int i = 0; i < NSTEPS; i++) {
		struct step *s = &steps[i];
		s->status = ST_PENDING;
		if (!have_command(s->command)) {
			s->status = ST_SKIPPED;
			snprintf(s->reason, sizeof s->reason,
				 "'casefile %s' is not in this build", s->command);
			continue;
		}
		if (i == S_COLLECT && !p->profile) {
			s->status = ST_SKIPPED;
			snprintf(s->reason, sizeof s->reason,
				 "the shipped profile linux-ehr-ai-host.yaml is missing");
			continue;
		}
		for (int k = 0; k < 3 && s->needs[k] >= 0; k++) {
			const struct step *n = &steps[s->needs[k]];
			if (n->status != ST_OK) {
				s->status = ST_SKIPPED;
				snprintf(s->reason, sizeof s->reason, "needs the output of "
					 "'%s', which %s", n->name,
					 n->status == ST_FAILED ? "failed" : "was skipped");
				break;
			}
		}
		if (s->status == ST_SKIPPED)
			continue;
		run_step(s, i, p);
	}
	return 0;
}

static int print_text(const struct cf_demo_opts *o, const struct cf_demo_stats *st,
		      const struct paths *p, const struct step *steps, int ran,
		      const char *scope_note)
{
	printf("generated %s (seed %llu, scale %u) in %s/host: %llu events in "
	       "%u log files, %.1f MB\n", cf_demo_scenario_name(o->scenario),
	       (unsigned long long)o->seed, o->scale, p->dir,
	       (unsigned long long)st->events, st->files, (double)st->bytes / 1e6);
	printf("ground truth: %s (%u patients affected, %u model decisions)\n",
	       p->truth, st->affected, st->decisions);
	printf("incident:     %s\n", p->incident);
	if (!ran)
		return 0;
	puts("steps:");
	for (int i = 0; i < NSTEPS; i++) {
		const struct step *s = &steps[i];
		if (s->status == ST_OK)
			printf("  %-8s %-15s %6.1f s\n", status_word(s->status), s->name,
			       s->seconds);
		else
			printf("  %-8s %-15s %s\n", status_word(s->status), s->name,
			       s->reason);
	}
	if (*scope_note)
		printf("scope: %s\n", scope_note);
	if (steps[S_REPORT].status == ST_OK)
		printf("report: %s\n", p->report);
	else
		printf("report: not written (report breach %s)\n",
		       steps[S_REPORT].status == ST_FAILED ? "failed" : "was skipped");
	if (steps[S_BUILD].status == ST_OK)
		printf("open the timeline: casefile view --db %s --incident %s"
		       " -C %s\n", p->db, p->incident, p->casedir);
	return 0;
}

static int print_json(const struct cf_demo_opts *o, const struct cf_demo_stats *st,
		      const struct paths *p, const struct step *steps, int ran,
		      const char *scope_note)
{
	cJSON *j = cJSON_CreateObject(), *g, *a, *x;
	int bad;

	bad = !j || cf_json_add_str(j, "dir", p->dir) ||
	      cf_json_add_str(j, "scenario", cf_demo_scenario_name(o->scenario)) ||
	      cf_json_add_int(j, "seed", (int64_t)o->seed) ||
	      cf_json_add_int(j, "scale", o->scale) ||
	      !(g = cJSON_AddObjectToObject(j, "generated")) ||
	      cf_json_add_int(g, "events", (int64_t)st->events) ||
	      cf_json_add_int(g, "files", st->files) ||
	      cf_json_add_int(g, "bytes", (int64_t)st->bytes) ||
	      cf_json_add_int(g, "affected", st->affected) ||
	      cf_json_add_int(g, "model_decisions", st->decisions) ||
	      cf_json_add_str(j, "ground_truth", p->truth) ||
	      cf_json_add_str(j, "incident", p->incident) ||
	      !(a = cJSON_AddArrayToObject(j, "steps"));
	for (int i = 0; ran && !bad && i < NSTEPS; i++) {
		const struct step *s = &steps[i];
		bad = !(x = cJSON_CreateObject()) || !cJSON_AddItemToArray(a, x) ||
		      cf_json_add_str(x, "name", s->name) ||
		      cf_json_add_str(x, "status", status_word(s->status)) ||
		      (s->status == ST_OK || s->status == ST_FAILED
			       ? cf_json_add_int(x, "exit", s->exit_status) ||
					 cf_json_add_num(x, "seconds", s->seconds)
			       : 0) ||
		      cf_json_add_str(x, "reason", *s->reason ? s->reason : NULL);
	}
	bad = bad || cf_json_add_str(j, "scope", *scope_note ? scope_note : NULL) ||
	      cf_json_add_str(j, "report", ran && steps[S_REPORT].status == ST_OK
						   ? p->report : NULL);
	return cf_cli_print_json(j, bad);
}

int cmd_demo(int argc, char **argv)
{
	struct cf_demo_opts o = {"casefile-demo", 1, 1, CF_DEMO_STOLEN, NULL};
	struct cf_demo_stats st;
	struct step steps[NSTEPS];
	struct paths p;
	struct cf_ctx ctx;
	unsigned long long v;
	int c, json = 0, genonly = 0, rc = CF_EXIT_OK, ran = 0;
	char scope_note[512] = "";
	struct cf_cli_args a = CF_CLI_ARGS(argc, argv, "h", options, usage_text);

	while ((c = cf_cli_next(&a)) > 0) {
		switch (c) {
		case OPT_SEED:
			if (parse_uint(optarg, UINT64_MAX, &v))
				return cf_cli_usage("--seed wants a number, not '%s'", optarg);
			o.seed = v;
			break;
		case OPT_SCALE:
			if (parse_uint(optarg, CF_DEMO_MAX_SCALE, &v) || v < 1)
				return cf_cli_usage("--scale wants 1..%u, not '%s'",
						    CF_DEMO_MAX_SCALE, optarg);
			o.scale = (unsigned)v;
			break;
		case OPT_SCENARIO:
			if (cf_demo_scenario_parse(optarg, &o.scenario))
				return cf_cli_usage("unknown scenario '%s' (insider-snooping, "
						    "stolen-credentials-bulk-export, "
						    "faulty-model-version, "
						    "training-data-exposure)", optarg);
			break;
		case OPT_GENONLY: genonly = 1; break;
		}
	}
	if (c != -1)
		return a.exit;
	json = a.json;
	if (argc - optind > 1)
		return cf_cli_usage("expected at most one DIR");
	if (optind < argc)
		o.dir = argv[optind];
	if (paths_make(&p, o.dir)) {
		paths_free(&p);
		cf_cli_error("out of memory");
		return CF_EXIT_RUNTIME;
	}
	cf_ctx_init(&ctx);
	o.progress = cf_progress_new(stderr, "generating", cf_cli_globals.progress,
				     0, 21 * 24);
	rc = cf_demo_generate(&ctx, &o, &st);
	cf_progress_free(o.progress);
	if (rc != CF_OK) {
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		goto out;
	}
	rc = CF_EXIT_OK;
	if (!genonly) {
		ran = 1;
		if (run_chain(steps, &p) < 0) {
			rc = CF_EXIT_RUNTIME;
			goto out;
		}
		if (steps[S_SCOPE].status == ST_OK) {
			long long affected = 0;
			char why[300];
			if (check_scope(&p, why, sizeof why, &affected) == 0) {
				snprintf(scope_note, sizeof scope_note, "matches the ground "
					 "truth (%lld patients affected)", affected);
			} else {
				snprintf(scope_note, sizeof scope_note,
					 "differs from the ground truth: %s", why);
				steps[S_SCOPE].status = ST_FAILED;
				snprintf(steps[S_SCOPE].reason, sizeof steps[S_SCOPE].reason,
					 "%s", why);
			}
		}
		for (int i = 0; i < NSTEPS && rc == CF_EXIT_OK; i++)
			if (steps[i].status == ST_FAILED)
				rc = steps[i].exit_status == CF_EXIT_EVIDENCE
					     ? CF_EXIT_EVIDENCE : CF_EXIT_RUNTIME;
	}
	if (json ? print_json(&o, &st, &p, steps, ran, scope_note)
		 : print_text(&o, &st, &p, steps, ran, scope_note))
		rc = CF_EXIT_RUNTIME;
out:
	paths_free(&p);
	return rc;
}
