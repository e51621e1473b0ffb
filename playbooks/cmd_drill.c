/* SPDX-License-Identifier: Apache-2.0
 *
 * `casefile drill list|start|inject|decide|status|end` (SPEC section 7, man
 * casefile-drill(1)): a tabletop exercise of a playbook against a scenario
 * on a simulated clock. Argument parsing and printing only; the drill
 * itself is in drill.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/cli.h"
#include "casefile/json.h"
#include "casefile/time.h"
#include "commands.h"
#include "playbook.h"

static const char usage_text[] =
	"usage: casefile drill list [--json]\n"
	"       casefile drill start [-d DIR] [--playbook PLAYBOOK] [--json] SCENARIO\n"
	"       casefile drill inject [-d DIR] [--advance DURATION] [--json]\n"
	"       casefile drill decide [-d DIR] [--answer yes|no] [--by NAME] [--note TEXT]\n"
	"                [--at OFFSET] [--json] STEP\n"
	"       casefile drill status [-d DIR] [--json]\n"
	"       casefile drill end [-d DIR] [--json]\n"
	"\n"
	"SCENARIO is a shipped scenario's id (see 'list') or the path of a scenario YAML file.\n"
	"\n"
	"  -d DIR               the drill folder (default: the current folder)\n"
	"  --playbook PLAYBOOK  play this playbook (default: the scenario's)\n"
	"  --advance DURATION   move the simulated clock on by DURATION (e.g. PT2H);\n"
	"                       without it, to the next inject\n"
	"  --answer yes|no      the answer to a decision step\n"
	"  --by NAME            the participant who acted\n"
	"  --note TEXT          a note for the report\n"
	"  --at OFFSET          when it happened, as an offset from the start (default: now)\n"
	"  --json               print one JSON object on stdout\n"
	"  -h, --help           show this help\n";

enum { OPT_PLAYBOOK = 256, OPT_ADVANCE, OPT_ANSWER, OPT_BY, OPT_NOTE, OPT_AT };

static const struct option options[] = {
	{"advance", required_argument, NULL, OPT_ADVANCE},
	{"answer", required_argument, NULL, OPT_ANSWER},
	{"at", required_argument, NULL, OPT_AT},
	{"by", required_argument, NULL, OPT_BY},
	{"note", required_argument, NULL, OPT_NOTE},
	{"playbook", required_argument, NULL, OPT_PLAYBOOK},
	CF_CLI_OPT_HELP, CF_CLI_OPT_JSON, CF_CLI_OPT_END,
};

static void print_injects(const cJSON *arr)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, arr) {
		printf("\n[%s %s] INJECT %s: %s\n", cf_json_str(e, "offset", ""),
		       cf_json_str(e, "time", ""), cf_json_str(e, "id", ""),
		       cf_json_str(e, "title", ""));
		if (cf_json_str(e, "text", NULL))
			printf("  %s\n", cf_json_str(e, "text", ""));
	}
}

static void print_table(const cJSON *j)
{
	const cJSON *e;

	printf("\n%-28s %-9s %-9s %-8s %s\n", "expected step", "due", "recorded", "result", "points");
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(j, "expected"))
		printf("%-28s %-9s %-9s %-8s %lld/%lld\n", cf_json_str(e, "step", ""),
		       cf_json_str(e, "due", ""), cf_json_str(e, "recorded", "-"),
		       cf_json_str(e, "result", ""), (long long)cf_json_int(e, "points", 0),
		       (long long)cf_json_int(e, "max_points", 0));
	printf("\nscore: %.1f / 100\n", cf_json_num(j, "score", 0));
}

static void print_human(const char *sub, const cJSON *j)
{
	if (!strcmp(sub, "start"))
		printf("drill '%s' started: %s, playbook %s\nsimulated time %s (%s)\n",
		       cf_json_str(j, "scenario", ""), cf_json_str(j, "title", ""),
		       cf_json_str(j, "playbook", ""), cf_json_str(j, "simulated_time", ""),
		       cf_json_str(j, "clock", ""));
	else
		printf("simulated time %s (%s)\n", cf_json_str(j, "simulated_time", ""),
		       cf_json_str(j, "clock", ""));
	if (!strcmp(sub, "start") || !strcmp(sub, "inject"))
		print_injects(cJSON_GetObjectItemCaseSensitive(j, "injects"));
	if (!strcmp(sub, "inject"))
		printf("\n%lld inject(s) still to come\n", (long long)cf_json_int(j, "remaining", 0));
	if (!strcmp(sub, "decide")) {
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(j, "recorded");
		printf("recorded %s%s%s at %s\n", cf_json_str(r, "step", ""),
		       cf_json_str(r, "answer", NULL) ? " = " : "", cf_json_str(r, "answer", ""),
		       cf_json_str(r, "offset", ""));
	}
	if (!strcmp(sub, "status") || !strcmp(sub, "end"))
		print_table(j);
	if (!strcmp(sub, "end"))
		printf("after-action report: %s\n", cf_json_str(j, "report", ""));
}

/* `drill list`: the shipped scenarios, with the playbook each drills. */
static int list(int json)
{
	struct cf_ctx ctx;
	cJSON *arr, *j = NULL, *e;
	int rc;

	cf_ctx_init(&ctx);
	if (pb_scenario_list(&ctx, &arr) != CF_OK)
		return cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	if (json) {
		if (!(j = cJSON_CreateObject()) || !cJSON_AddItemToObject(j, "scenarios", arr)) {
			cJSON_Delete(arr);
			cJSON_Delete(j);
			cf_set_nomem(&ctx, "drill list");
			return cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		}
		rc = cf_json_emit(&ctx, stdout, j) == CF_OK ? CF_EXIT_OK
							   : cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		cJSON_Delete(j);
		return rc;
	}
	cJSON_ArrayForEach(e, arr)
		printf("%-32s %s (playbook %s)%s\n", cf_json_str(e, "id", ""),
		       cf_json_str(e, "title", ""), cf_json_str(e, "playbook", "?"),
		       cf_json_str(e, "error", NULL) ? " (invalid: run 'casefile drill start' on it)"
						     : "");
	cJSON_Delete(arr);
	return CF_EXIT_OK;
}

/* Starts a drill. Scenario errors are all printed here (*printed = 1). */
static int start(struct cf_ctx *ctx, const char *dir, const char *arg,
		 const char *playbook, cJSON **out, int *printed)
{
	struct pb_scenario *sc = NULL;
	struct pb_diag diag;
	char *sp = NULL, *pp = NULL;
	int rc = CF_FAILED;

	pb_diag_init(&diag);
	if (!(sp = pb_resolve_file(ctx, "scenarios", "scenario", arg)))
		goto out;
	if (pb_scenario_load(ctx, sp, &diag, &sc) == CF_OK &&
	    (pp = pb_resolve(ctx, playbook ? playbook : pb_scenario_playbook(sc))))
		rc = pb_drill_start(ctx, dir, sp, pp, &diag, out);
	for (size_t i = 0; rc != CF_OK && i < diag.n; i++)
		cf_cli_error("%s", diag.msg[i]);
	*printed = rc != CF_OK && diag.n > 0;
out:
	pb_diag_release(&diag);
	pb_scenario_free(sc);
	free(sp);
	free(pp);
	return rc;
}

int cmd_drill(int argc, char **argv)
{
	static const char default_dir[] = ".";
	const char *sub, *dir = default_dir, *playbook = NULL, *advance = NULL, *answer = NULL;
	const char *by = NULL, *note = NULL, *at = NULL;
	struct cf_cli_args a = CF_CLI_ARGS(argc - 1, argv + 1, "hd:", options,
					   usage_text);
	struct cf_ctx ctx;
	cJSON *j = NULL;
	int c, json, nargs, rc, printed = 0;

	if ((c = cf_cli_subcommand(argc, argv, usage_text)) >= 0)
		return c;
	sub = argv[1];
	while ((c = cf_cli_next(&a)) > 0) {
		switch (c) {
		case 'd': dir = optarg; break;
		case OPT_PLAYBOOK: playbook = optarg; break;
		case OPT_ADVANCE: advance = optarg; break;
		case OPT_ANSWER: answer = optarg; break;
		case OPT_BY: by = optarg; break;
		case OPT_NOTE: note = optarg; break;
		case OPT_AT: at = optarg; break;
		}
	}
	if (c != -1)
		return a.exit;
	json = a.json;
	nargs = argc - 1 - optind;
	argv += 1 + optind;
	if (!strcmp(sub, "list")) {
		if (nargs || dir != default_dir || playbook || advance || answer || by || note || at)
			return cf_cli_usage("'list' takes only --json");
		return list(json);
	}
	if ((!strcmp(sub, "start") || !strcmp(sub, "decide")) ? nargs != 1 : nargs != 0)
		return cf_cli_usage(!strcmp(sub, "start") ? "expected one SCENARIO"
				    : !strcmp(sub, "decide") ? "expected one STEP"
							     : "'%s' takes no argument", sub);
	if (playbook && strcmp(sub, "start"))
		return cf_cli_usage("--playbook goes with 'start'");
	if (advance && strcmp(sub, "inject"))
		return cf_cli_usage("--advance goes with 'inject'");
	if ((answer || by || note || at) && strcmp(sub, "decide"))
		return cf_cli_usage("--answer, --by, --note and --at go with 'decide'");
	cf_ctx_init(&ctx);
	if (!strcmp(sub, "start"))
		rc = start(&ctx, dir, argv[0], playbook, &j, &printed);
	else if (!strcmp(sub, "inject"))
		rc = pb_drill_inject(&ctx, dir, advance, &j);
	else if (!strcmp(sub, "decide"))
		rc = pb_drill_decide(&ctx, dir, argv[0], answer, by, note, at, &j);
	else if (!strcmp(sub, "status"))
		rc = pb_drill_status(&ctx, dir, &j);
	else
		rc = pb_drill_end(&ctx, dir, cf_time_now(), &j);
	if (rc != CF_OK)
		return printed ? CF_EXIT_RUNTIME : cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	if (json)
		rc = cf_json_emit(&ctx, stdout, j) == CF_OK ? CF_EXIT_OK
							     : cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	else {
		print_human(sub, j);
		rc = CF_EXIT_OK;
	}
	cJSON_Delete(j);
	return rc;
}
