/* SPDX-License-Identifier: Apache-2.0
 *
 * `casefile status [-C DIR] [--trust PUB]... [--now TIME] [--json]`: where
 * a case stands, on one screen: its archives and whether they match the
 * custody log, the log's head, the timeline, the reports written, the
 * playbook runs and the deadlines still open. Parsing and printing only;
 * the summary is pb_case_status (case_status.c). It reads the case and
 * records nothing: it changes no case data.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "casefile/case.h"
#include "casefile/cli.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/keyring.h"
#include "casefile/time.h"
#include "case_status.h"
#include "commands.h"

static const char usage_text[] =
	"usage: casefile status [-C DIR] [--trust PUB]... [--now TIME] [--json]\n"
	"\n"
	"  Summarises a case: its evidence archives and their verification, the\n"
	"  custody log's head, the timeline, the reports written, the playbook\n"
	"  runs and the deadlines still open.\n"
	"\n"
	"  -C DIR       the case folder (default: the case around the current\n"
	"               folder)\n"
	"  --trust PUB  public key trusted to have signed the custody log\n"
	"               (repeatable): the log and every file of evidence/ are\n"
	"               then checked; without it they are not\n"
	"  --now TIME   the time deadlines are checked against (RFC 3339;\n"
	"               default: now)\n"
	"  --json       print one JSON object on stdout\n"
	"  -h, --help   show this help\n";

enum { OPT_NOW = 256 };

static const struct option options[] = {
	{"now", required_argument, NULL, OPT_NOW},
	CF_CLI_OPT_TRUST,
	CF_CLI_OPT_HELP, CF_CLI_OPT_JSON, CF_CLI_OPT_END,
};

#define S(o, k) cf_json_str((o), (k), "")
#define I(o, k) ((long long)cf_json_int((o), (k), 0))

static void print_text(const cJSON *j)
{
	const cJSON *c = cJSON_GetObjectItem(j, "case"), *cu = cJSON_GetObjectItem(j, "custody");
	const cJSON *tl = cJSON_GetObjectItem(j, "timeline"), *v = cJSON_GetObjectItem(cu, "verified");
	const cJSON *e;

	printf("case %s (%s), examiner %s\n", S(c, "id"), S(c, "dir"), S(c, "examiner"));
	printf("custody: %lld entries, head %.16s, last %s %s; ", I(cu, "entries"),
	       S(cu, "head"), S(cu, "last_action"), S(cu, "last_time"));
	if (cJSON_IsTrue(v))
		cf_cli_put_tone(stdout, CF_TONE_OK, "verified");
	else if (cJSON_IsFalse(v)) {
		cf_cli_put_tone(stdout, CF_TONE_FAIL, "FAILED");
		printf(": %s", S(cu, "problem"));
	} else
		cf_cli_put_tone(stdout, CF_TONE_WARN, "not verified (give --trust PUB)");
	printf("\narchives: %d\n", cJSON_GetArraySize(cJSON_GetObjectItem(j, "archives")));
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "archives")) {
		const char *st = S(e, "state");

		printf("  %-30s %.16s  added %s  ", S(e, "file"), S(e, "sha256sums"), S(e, "added_at"));
		cf_cli_put_tone(stdout, !strcmp(st, "intact") ? CF_TONE_OK : !strcmp(st, "present")
				? CF_TONE_WARN : CF_TONE_FAIL, st);
		putchar('\n');
	}
	if (cJSON_IsObject(tl) && cJSON_GetObjectItem(tl, "error"))
		printf("timeline: %s: %s\n", S(tl, "db"), S(tl, "error"));
	else if (cJSON_IsObject(tl))
		printf("timeline: %s: %lld events, %lld rejects, %lld archives (%lld verified)\n",
		       S(tl, "db"), I(tl, "events"), I(tl, "rejects"), I(tl, "archives"),
		       I(tl, "verified_archives"));
	else
		printf("timeline: none in the case\n");
	printf("reports: %d\n", cJSON_GetArraySize(cJSON_GetObjectItem(j, "reports")));
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "reports"))
		printf("  %-8s %s  %s\n", S(e, "kind"), S(e, "time"), S(e, "file"));
	printf("playbook runs: %d\n", cJSON_GetArraySize(cJSON_GetObjectItem(j, "playbook_runs")));
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "playbook_runs"))
		if (cJSON_GetObjectItem(e, "error"))
			printf("  %-34s %s\n", S(e, "playbook"), S(e, "error"));
		else
			printf("  %-34s %lld/%lld steps done, %s%s\n", S(e, "playbook"), I(e, "steps_done"),
		       I(e, "steps"), cJSON_IsTrue(cJSON_GetObjectItem(e, "finished")) ? "finished"
		       : "at ", cJSON_IsTrue(cJSON_GetObjectItem(e, "finished")) ? "" : S(e, "current"));
	printf("open deadlines: %d\n", cJSON_GetArraySize(cJSON_GetObjectItem(j, "open_deadlines")));
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "open_deadlines")) {
		printf("  %-8s ", S(e, "status"));
		printf("%s  %s / %s: %s\n", S(e, "due"), S(e, "playbook"), S(e, "step"), S(e, "title"));
	}
}

int cmd_status(int argc, char **argv)
{
	struct cf_cli_args a = CF_CLI_ARGS(argc, argv, "hC:", options, usage_text);
	const char *dir = NULL, *nowarg = NULL;
	cf_keyring *kr = NULL;
	cf_case *c = NULL;
	struct cf_ctx ctx;
	int64_t now = cf_time_now();
	cJSON *j = NULL;
	int ch, rc = CF_EXIT_RUNTIME;

	cf_ctx_init(&ctx);
	if (!(kr = cf_keyring_new(&ctx)))
		return cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	while ((ch = cf_cli_next(&a)) > 0) {
		if (ch == 'C')
			dir = optarg;
		else if (ch == OPT_NOW)
			nowarg = optarg;
		else if (ch == CF_CLI_TRUST && cf_keyring_add_file(&ctx, kr, optarg) != CF_OK)
			goto fail;
	}
	if (ch != -1) {
		rc = a.exit;
		goto out;
	}
	if (optind < argc) {
		rc = cf_cli_usage("status takes no operands");
		goto out;
	}
	if (nowarg && cf_time_parse(nowarg, -1, &now, NULL)) {
		rc = cf_cli_usage("--now takes an RFC 3339 time, not '%s'", nowarg);
		goto out;
	}
	if (cf_case_open(&ctx, dir, &c) != CF_OK ||
	    pb_case_status(&ctx, c, cf_keyring_keys(kr), cf_keyring_count(kr), now, &j) != CF_OK)
		goto fail;
	if (a.json) {
		rc = cf_json_emit(&ctx, stdout, j) == CF_OK ? CF_EXIT_OK
							    : cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	} else {
		print_text(j);
		rc = CF_EXIT_OK;
	}
	/* a custody log or evidence file found altered is an evidence failure */
	if (rc == CF_EXIT_OK &&
	    cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "custody"), "verified")))
		rc = CF_EXIT_EVIDENCE;
	goto out;
fail:
	rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
out:
	cJSON_Delete(j);
	cf_case_free(c);
	cf_keyring_free(kr);
	return rc;
}
