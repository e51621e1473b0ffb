/* SPDX-License-Identifier: Apache-2.0
 *
 * `casefile report hhs-log`: the annual log of the breaches affecting
 * fewer than 500 individuals that a covered entity files with HHS within
 * 60 days after the end of the calendar year of discovery (45 CFR
 * 164.408(c)), gathered from the breach packages of several cases.
 * `casefile report mailing`: the mail-merge list of the affected
 * individuals, read back from the patient records in evidence; it holds
 * PHI, so it is written only inside a case folder (mode 0600).
 *
 * Argument parsing, reading the packages (report.json, written by `report
 * breach`) and writing the log only; what goes in the log is hhs_log.c's.
 * A case is named by a folder: the package folder itself (it holds
 * report.json) or a folder holding package folders one level down (a case
 * folder with its package inside). The packages are only ever read.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "casefile/alloc.h"
#include "casefile/atomic.h"
#include "casefile/buf.h"
#include "casefile/cli.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "dbscope.h"
#include "hhs_log.h"
#include "mailing.h"
#include "casefile/scope.h"

#define MAX_MODEL_BYTES (256u << 20)
#define MAX_CASES 4096

enum { OPT_CASES = 256, OPT_YEAR, OPT_PREVIOUS };

static const struct option options[] = {
	{"cases", required_argument, NULL, OPT_CASES},
	CF_CLI_OPT_OUTPUT,
	{"previous", required_argument, NULL, OPT_PREVIOUS},
	{"year", required_argument, NULL, OPT_YEAR},
	CF_CLI_OPT_HELP, CF_CLI_OPT_JSON, CF_CLI_OPT_END,
};

struct loaded {
	struct cf_hhs_log_case *cases;
	cJSON **models;
	char **paths;
	size_t n;
};

static void loaded_free(struct loaded *l)
{
	for (size_t i = 0; i < l->n; i++) {
		cJSON_Delete(l->models[i]);
		free(l->paths[i]);
	}
	free(l->cases);
	free(l->models);
	free(l->paths);
}

static int is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Reads the model at path (taken) into l. */
static int load_one(struct cf_ctx *ctx, struct loaded *l, char *path)
{
	cJSON *m = NULL;

	if (l->n == MAX_CASES) {
		free(path);
		return cf_set_error(ctx, 0, "more than %d breach reports", MAX_CASES);
	}
	if (cf_json_parse_file(ctx, path, MAX_MODEL_BYTES, &m) != CF_OK) {
		free(path);
		return CF_FAILED;
	}
	l->models[l->n] = m;
	l->paths[l->n] = path;
	l->cases[l->n].model = m;
	l->cases[l->n].path = path;
	l->n++;
	return CF_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The packages of the folder dir: dir/report.json, else each
 * dir/SUB/report.json (in name order). None is an error naming dir. */
static int load_dir(struct cf_ctx *ctx, struct loaded *l, const char *dir)
{
	char *p = cf_path_join(dir, "report.json"), *names[256];
	size_t nn = 0, before = l->n;
	struct dirent *de;
	DIR *d;
	int rc = CF_OK;

	if (!p)
		return cf_set_nomem(ctx, dir);
	if (is_file(p))
		return load_one(ctx, l, p);
	free(p);
	if (!(d = opendir(dir)))
		return cf_set_error(ctx, errno, "cannot open '%s'", dir);
	while ((de = readdir(d)) && nn < sizeof names / sizeof names[0]) {
		char *sub, *rj;

		if (de->d_name[0] == '.')
			continue;
		if (!(sub = cf_path_join(dir, de->d_name)) ||
		    !(rj = cf_path_join(sub, "report.json"))) {
			free(sub);
			rc = cf_set_nomem(ctx, dir);
			break;
		}
		free(sub);
		if (is_file(rj))
			names[nn++] = rj;
		else
			free(rj);
	}
	closedir(d);
	qsort(names, nn, sizeof *names, cmp_str);
	for (size_t i = 0; i < nn; i++) {
		if (rc == CF_OK)
			rc = load_one(ctx, l, names[i]);
		else
			free(names[i]);
	}
	if (rc == CF_OK && l->n == before)
		rc = cf_set_error(ctx, 0, "%s: no breach package (report.json of "
				  "`casefile report breach --format json`) in it or "
				  "one folder down", dir);
	return rc;
}

/* argv: the usage text, then the whole command line from "report". */
int cf_report_cmd_hhs_log(int argc, char **argv, const char *usage)
{
	struct cf_cli_args a = CF_CLI_ARGS(argc - 1, argv + 1, "ho:", options, usage);
	const char *dirs[MAX_CASES], *out = NULL, *prevpath = NULL;
	size_t ndirs = 0;
	struct loaded l = {0};
	struct cf_ctx ctx;
	struct cf_buf b;
	cJSON *log = NULL, *prev = NULL;
	int c, year = 0, rc = CF_EXIT_RUNTIME;

	while ((c = cf_cli_next(&a)) > 0) {
		switch (c) {
		case 'o': out = optarg; break;
		case OPT_PREVIOUS: prevpath = optarg; break;
		case OPT_CASES:
			if (ndirs == MAX_CASES)
				return cf_cli_usage("at most %d cases", MAX_CASES);
			dirs[ndirs++] = optarg;
			break;
		case OPT_YEAR: {
			char *end;
			long y;

			errno = 0;
			y = strtol(optarg, &end, 10);
			if (errno || *end || end - optarg != 4 || y < 2009 || y > 9999)
				return cf_cli_usage("--year '%s' is not a year (YYYY, 2009 "
						    "or later)", optarg);
			year = (int)y;
			break;
		}
		}
	}
	if (c != -1)
		return a.exit;
	/* `--cases A B C`: the operands after the subcommand are cases too. */
	for (int i = optind + 1; i < argc; i++) {
		if (!ndirs)
			return cf_cli_usage("unexpected argument '%s'", argv[i]);
		if (ndirs == MAX_CASES)
			return cf_cli_usage("at most %d cases", MAX_CASES);
		dirs[ndirs++] = argv[i];
	}
	if (!ndirs)
		return cf_cli_usage("--cases DIR is required");
	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	if (!(l.cases = calloc(ndirs + 256 * ndirs, sizeof *l.cases)) ||
	    !(l.models = calloc(ndirs + 256 * ndirs, sizeof *l.models)) ||
	    !(l.paths = calloc(ndirs + 256 * ndirs, sizeof *l.paths))) {
		cf_set_nomem(&ctx, "hhs-log");
		goto fail;
	}
	for (size_t i = 0; i < ndirs; i++)
		if (load_dir(&ctx, &l, dirs[i]) != CF_OK)
			goto fail;
	if (prevpath && cf_json_parse_file(&ctx, prevpath, MAX_MODEL_BYTES, &prev) != CF_OK)
		goto fail;
	if (prevpath && strcmp(cf_json_str(prev, "format", ""), CF_HHS_LOG_FORMAT)) {
		cf_cli_error("%s: not an earlier log (`casefile report hhs-log --json`)",
			     prevpath);
		goto out;
	}
	if (cf_hhs_log_build(&ctx, l.cases, l.n, year, prev, &log) != CF_OK)
		goto fail;
	if ((out || !a.json) && cf_hhs_log_md(&ctx, log, &b) != CF_OK)
		goto fail;
	if (out) {
		if (cf_write_file_atomic(&ctx, out, b.data ? b.data : "", b.len, 0600, 0) != CF_OK)
			goto fail;
		if (!a.json && !cf_cli_globals.quiet)
			fprintf(stderr, "casefile report hhs-log: %lld breach(es) of %lld "
				"due %s; wrote %s\n", (long long)cf_json_int(log, "count", 0),
				(long long)cf_json_int(log, "year", 0),
				cf_json_str(log, "due", ""), out);
	}
	if (a.json) {
		if (cf_json_emit(&ctx, stdout, log) != CF_OK)
			goto fail;
	} else if (!out) {
		fwrite(b.data ? b.data : "", 1, b.len, stdout);
	}
	rc = cf_cli_finish_stdout();
	goto out;
fail:
	rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
out:
	cf_buf_release(&b);
	cJSON_Delete(log);
	cJSON_Delete(prev);
	loaded_free(&l);
	return rc;
}

/* ---- mailing ------------------------------------------------------------------ */

static const struct option mailing_options[] = {
	CF_CLI_OPT_DB,
	CF_CLI_OPT_UNVERIFIED,
	CF_CLI_OPT_INCIDENT,
	CF_CLI_OPT_OUTPUT,
	CF_CLI_OPT_HELP, CF_CLI_OPT_JSON, CF_CLI_OPT_END,
};

/* 1 when path's folder, or a folder above it, holds case.json; -1 when
 * memory ran out on the way (not an answer: the caller must not call that
 * a misplaced -o). */
static int in_case(const char *path)
{
	char *dir = realpath(".", NULL), *p, *slash;
	char *full = NULL;
	int found = 0;

	if (!dir)
		return errno == ENOMEM ? -1 : 0;
	if (path[0] == '/')
		full = cf_strdup(path);
	else
		full = cf_path_join(dir, path);
	free(dir);
	if (!full)
		return -1;
	while ((slash = strrchr(full, '/'))) {
		*slash = '\0';
		if (!(p = cf_path_join(*full ? full : "/", "case.json"))) {
			found = -1;
			break;
		}
		found = is_file(p);
		free(p);
		if (found || !*full)
			break;
	}
	free(full);
	return found;
}

int cf_report_cmd_mailing(int argc, char **argv, const char *usage)
{
	struct cf_cli_args a = CF_CLI_ARGS(argc - 1, argv + 1, "ho:", mailing_options, usage);
	const char *db = NULL, *incident = NULL, *out = NULL;
	unsigned flags = 0;
	struct cf_ctx ctx;
	struct cf_buf b;
	cJSON *scope = NULL;
	size_t rows = 0, part2 = 0;
	int c, rc = CF_EXIT_RUNTIME;

	while ((c = cf_cli_next(&a)) > 0) {
		switch (c) {
		case 'o': out = optarg; break;
		case CF_CLI_DB: db = optarg; break;
		case CF_CLI_INCIDENT: incident = optarg; break;
		case CF_CLI_UNVERIFIED: flags |= CF_SCOPE_INCLUDE_UNVERIFIED; break;
		}
	}
	if (c != -1)
		return a.exit;
	if (optind != argc - 1)
		return cf_cli_usage("unexpected argument '%s'", argv[optind + 1]);
	if (!db || !incident || !out)
		return cf_cli_usage("mailing needs --db FILE, --incident FILE and -o FILE");
	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	if ((c = in_case(out)) < 0) {
		cf_set_nomem(&ctx, out);
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		goto out;
	}
	if (!c)
		return cf_cli_usage("'%s': the mailing list holds PHI and stays in the case "
				    "folder: -o must name a file inside a folder holding "
				    "case.json", out);
	if (cf_report_scope_from_db(&ctx, db, incident, NULL, 0, flags, &scope) != CF_OK ||
	    cf_mailing_csv(&ctx, scope, &b, &rows, &part2) != CF_OK ||
	    cf_write_file_atomic(&ctx, out, b.data ? b.data : "", b.len, 0600, 0) != CF_OK) {
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		goto out;
	}
	if (a.json) {
		struct cf_jb jb;
		cJSON *j = cf_jb_init(&jb);

		cf_jb_str(&jb, j, "output", out);
		cf_jb_int(&jb, j, "rows", (int64_t)rows);
		cf_jb_int(&jb, j, "part2", (int64_t)part2);
		if ((rc = cf_cli_print_json(cf_jb_finish(&jb), 0)) != CF_EXIT_OK)
			goto out;
	} else if (!cf_cli_globals.quiet) {
		fprintf(stderr, "casefile report mailing: %zu individual(s); wrote %s "
			"(PHI: keep it in the case folder)\n", rows, out);
	}
	if (part2)
		cf_cli_error("warning: %zu individual(s) with 42 CFR Part 2 records: "
			     "a separate Part 2 breach report is owed", part2);
	rc = cf_cli_finish_stdout();
out:
	cf_buf_release_secret(&b);
	cJSON_Delete(scope);
	return rc;
}
