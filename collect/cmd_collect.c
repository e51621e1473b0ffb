/* SPDX-License-Identifier: Apache-2.0
 *
 * `casefile collect`: argv -> options, the signing key and the signal
 * handlers -> one cf_collect_run() (SPEC section 3), then the summary on
 * stderr or one JSON object on stdout.
 *
 * Exit 3 only when the archive could not be written (or a key, profile or
 * previous archive prevents the job); unreadable items are counted in the
 * summary, not failures.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/cli.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/progress.h"
#include "casefile/signkey.h"
#include "collect/collect.h"
#include "collect/profile.h"
#include "commands.h"

static const char usage_text[] =
	"usage: casefile collect -o OUT.tar.zst --key KEY [--profile PROFILE]\n"
	"                        [--previous PREV.tar.zst [--trust PUB]...]\n"
	"                        [--case-id ID] [--examiner NAME]\n"
	"                        [--root DIR] [--compress none|gzip|zstd]\n"
	"                        [--passphrase-file FILE] [--json] [PATH...]\n"
	"       casefile collect --list-profiles [--json]\n"
	"\n"
	"  -o, --output OUT         archive to write (OUT.partial until complete)\n"
	"  -k, --key KEY            Ed25519 private key that signs SHA256SUMS\n"
	"  -p, --profile PROFILE    profile file, or id of a shipped profile\n"
	"      --previous PREV      previous archive of the case (chains the archives);\n"
	"                           it must verify, signed by KEY or a --trust key\n"
	"      --trust PUB          public key that may have signed PREV (repeatable)\n"
	"      --case-id ID         case identifier recorded in collection.json\n"
	"      --examiner NAME      who collects, recorded in collection.json\n"
	"      --root DIR           read every path under DIR (mounted image, copied tree)\n"
	"      --compress METHOD    zstd (default), gzip or none\n"
	"      --passphrase-file F  passphrase of an encrypted key (first line of F)\n"
	"      --list-profiles      name the shipped profiles\n"
	"      --json               print one JSON object on stdout\n"
	"  -h, --help               show this help\n"
	"PATHs (files or folders, recursive) are collected as source 'paths'.\n";

enum {
	OPT_PREVIOUS = 256, OPT_CASE, OPT_EXAMINER, OPT_ROOT, OPT_COMPRESS,
	OPT_LIST,
};

#define MAX_TRUST 16

static const struct option options[] = {
	{"case-id", required_argument, NULL, OPT_CASE},
	{"compress", required_argument, NULL, OPT_COMPRESS},
	{"examiner", required_argument, NULL, OPT_EXAMINER},
	{"key", required_argument, NULL, 'k'},
	{"list-profiles", no_argument, NULL, OPT_LIST},
	CF_CLI_OPT_OUTPUT,
	{"previous", required_argument, NULL, OPT_PREVIOUS},
	{"profile", required_argument, NULL, 'p'},
	{"root", required_argument, NULL, OPT_ROOT},
	CF_CLI_OPT_TRUST,
	CF_CLI_OPT_HELP, CF_CLI_OPT_JSON, CF_CLI_OPT_PASS, CF_CLI_OPT_END,
};

static int list_profiles(int json)
{
	struct cf_ctx ctx;
	cJSON *arr, *o, *it;

	cf_ctx_init(&ctx);
	if (cf_profile_list(&ctx, &arr) != CF_OK)
		return cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	if (!json) {
		cJSON_ArrayForEach(it, arr) {
			const char *err = cf_json_str(it, "error", NULL);
			if (err)
				printf("%-28s (invalid: %s)\n", cf_json_str(it, "id", ""), err);
			else
				printf("%-28s %s\n", cf_json_str(it, "id", ""),
				       cf_json_str(it, "path", ""));
		}
		cJSON_Delete(arr);
		return CF_EXIT_OK;
	}
	if (!(o = cJSON_CreateObject()))
		cJSON_Delete(arr);
	return cf_cli_print_json(o, !o || cf_json_add_item(o, "profiles", arr));
}

/* ---- signals ------------------------------------------------------------
 * SIGINT, SIGTERM and SIGHUP stop a run between items, and the run removes
 * OUT.partial (SIGKILL leaves at most OUT.partial). Until the run arms the
 * stop there is nothing to remove: a signal then does what it did before
 * the handlers were installed (ends the process, or is ignored), so that a
 * long check of the previous archive can still be interrupted. */

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NSTOP (sizeof stop_signals / sizeof stop_signals[0])

static struct cf_collect_stop stop;
static struct sigaction old_sig[NSTOP];

static void on_signal(int sig)
{
	if (stop.armed) {
		stop.signal = sig;
		return;
	}
	for (size_t i = 0; i < NSTOP; i++)
		if (stop_signals[i] == sig && old_sig[i].sa_handler != SIG_IGN) {
			sigaction(sig, &old_sig[i], NULL);
			raise(sig); /* delivered when this handler returns */
		}
}

static void watch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	stop.armed = 0;
	stop.signal = 0;
	for (size_t i = 0; i < NSTOP; i++)
		sigaction(stop_signals[i], &sa, &old_sig[i]);
}

static void unwatch_signals(void)
{
	for (size_t i = 0; i < NSTOP; i++)
		sigaction(stop_signals[i], &old_sig[i], NULL);
}

static int report(const struct cf_collect_summary *s, int json)
{
	cJSON *o;
	int bad;

	if (!json) {
		if (!cf_cli_globals.quiet)
			fprintf(stderr,
				"casefile collect: wrote %s\n"
				"  items: %llu, bytes: %llu, unreadable items: %llu, "
				"changed while read: %llu, recorded only: %llu\n"
				"  duration: %.3f s, sequence: %llu\n"
				"  sha256sums digest: %s\n",
				s->out, (unsigned long long)s->items,
				(unsigned long long)s->bytes, (unsigned long long)s->unreadable,
				(unsigned long long)s->changed, (unsigned long long)s->skipped,
				(double)s->duration_us / 1e6, (unsigned long long)s->sequence,
				s->sums_hex);
		return CF_EXIT_OK;
	}
	bad = !(o = cJSON_CreateObject()) || cf_json_add_str(o, "archive", s->out) ||
	      cf_json_add_str(o, "collection_id", s->collection_id) ||
	      cf_json_add_int(o, "sequence", (int64_t)s->sequence) ||
	      cf_json_add_int(o, "items", (int64_t)s->items) ||
	      cf_json_add_int(o, "bytes", (int64_t)s->bytes) ||
	      cf_json_add_int(o, "unreadable", (int64_t)s->unreadable) ||
	      cf_json_add_int(o, "changed_during_read", (int64_t)s->changed) ||
	      cf_json_add_int(o, "recorded_only", (int64_t)s->skipped) ||
	      cf_json_add_num(o, "duration_s", (double)s->duration_us / 1e6) ||
	      cf_json_add_str(o, "sha256sums", s->sums_hex);
	return cf_cli_print_json(o, bad);
}

int cmd_collect(int argc, char **argv)
{
	struct cf_collect_opts o;
	struct cf_collect_summary s;
	struct cf_ctx ctx;
	struct cf_cli_args a = CF_CLI_ARGS(argc, argv, "hk:o:p:", options,
					   usage_text);
	const char *key_path = NULL, *passfile = NULL;
	int c, rc, json = 0, list = 0;
	char *trust[MAX_TRUST];

	memset(&o, 0, sizeof o);
	o.trust = trust;
	o.compress = CF_COMPRESS_ZSTD;
	while ((c = cf_cli_next(&a)) > 0) {
		switch (c) {
		case 'k': key_path = optarg; break;
		case 'o': o.out = optarg; break;
		case 'p': o.profile = optarg; break;
		case OPT_PREVIOUS: o.previous = optarg; break;
		case OPT_CASE: o.case_id = optarg; break;
		case OPT_EXAMINER: o.examiner = optarg; break;
		case OPT_ROOT: o.root = optarg; break;
		case OPT_LIST: list = 1; break;
		case CF_CLI_TRUST:
			if (o.ntrust == MAX_TRUST)
				return cf_cli_usage("at most %d --trust keys",
						    MAX_TRUST);
			trust[o.ntrust++] = optarg;
			break;
		case OPT_COMPRESS:
			if (!strcmp(optarg, "zstd"))
				o.compress = CF_COMPRESS_ZSTD;
			else if (!strcmp(optarg, "gzip"))
				o.compress = CF_COMPRESS_GZIP;
			else if (!strcmp(optarg, "none"))
				o.compress = CF_COMPRESS_NONE;
			else
				return cf_cli_usage("--compress takes none, gzip or zstd, not '%s'",
						    optarg);
			break;
		}
	}
	if (c != -1)
		return a.exit;
	json = a.json;
	passfile = a.passphrase;
	if (list) {
		if (o.out || key_path || optind < argc)
			return cf_cli_usage("--list-profiles takes no other arguments");
		return list_profiles(json);
	}
	if (!o.out)
		return cf_cli_usage("missing -o OUT.tar.zst");
	if (!key_path)
		return cf_cli_usage("missing --key KEY (the signing key)");
	if (!o.profile && optind >= argc)
		return cf_cli_usage("nothing to collect: give --profile or PATHs");
	if (o.ntrust && !o.previous)
		return cf_cli_usage("--trust goes with --previous");
	o.paths = argv + optind;
	o.npaths = (size_t)(argc - optind);
	cf_ctx_init(&ctx);
	if (!(o.key = cf_signkey_load_file(&ctx, key_path, passfile)))
		return cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	/* with --json, a progress line only when asked for */
	o.progress = cf_progress_new(stderr, "collect",
				     json && cf_cli_globals.progress != CF_PROGRESS_ON
					     ? CF_PROGRESS_OFF : cf_cli_globals.progress,
				     0, 0);
	o.stop = &stop;
	watch_signals();
	rc = cf_collect_run(&ctx, &o, &s);
	unwatch_signals();
	cf_progress_free(o.progress);
	cf_key_free(o.key);
	if (rc != CF_OK)
		return cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	return report(&s, json);
}
