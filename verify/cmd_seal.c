/* SPDX-License-Identifier: Apache-2.0
 *
 * `casefile seal`: make an application's audit log tamper-evident without
 * changing it (SPEC section 5). Argument parsing, the --follow loop and
 * printing; main loads the signing key (the row's CF_CMD_SIGNKEY), the
 * sealing is in seal.c.
 *
 * --follow re-seals every --interval seconds until SIGINT or SIGTERM, then
 * seals once more and exits 0: a signal never interrupts a checkpoint
 * half-way (the handler only sets a flag that the loop reads between
 * seals).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casefile/cli.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "commands.h"
#include "seal.h"

static const char usage_text[] =
	"usage: casefile seal [--key KEY] [--passphrase-file FILE] [--seal FILE]\n"
	"                     [--follow [--interval SECONDS]] [--json] LOG\n"
	"\n"
	"  Appends a signed checkpoint of an RFC 6962 Merkle tree over LOG's lines\n"
	"  to LOG.seal, sealing the complete lines added since the last checkpoint.\n"
	"  LOG is never written.\n"
	"\n"
	"  --key KEY               Ed25519 private key (default: $CASEFILE_KEY)\n"
	"  --passphrase-file FILE  passphrase of an encrypted key\n"
	"                          (default: $CASEFILE_PASSPHRASE_FILE)\n"
	"  --seal FILE             seal file (default: LOG.seal)\n"
	"  --follow                keep sealing until SIGINT or SIGTERM\n"
	"  --interval SECONDS      time between seals with --follow (default 10)\n"
	"  --json                  print one JSON object on stdout\n"
	"  -h, --help              show this help\n";

enum { OPT_SEAL = 256, OPT_FOLLOW, OPT_INTERVAL };

static const struct option options[] = {
	{"follow", no_argument, NULL, OPT_FOLLOW},
	{"interval", required_argument, NULL, OPT_INTERVAL},
	{"seal", required_argument, NULL, OPT_SEAL},
	CF_CLI_OPT_HELP, CF_CLI_OPT_JSON, CF_CLI_OPT_KEY, CF_CLI_OPT_PASS,
	CF_CLI_OPT_END,
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Sleeps up to secs seconds, waking early when a signal arrives. */
static void pause_for(double secs)
{
	struct timespec ts;

	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
	while (!stop && nanosleep(&ts, &ts) != 0)
		;
}

static int report(const char *log, const struct seal_result *r, uint64_t total,
		  int json)
{
	struct cf_jb jb;
	cJSON *j;

	if (!json) {
		if (cf_cli_globals.quiet)
			return CF_EXIT_OK;
		if (r->new_lines)
			printf("%s: sealed %llu new line(s); checkpoint %llu covers "
			       "%llu lines, root %s, log id %s\n",
			       log, (unsigned long long)r->new_lines,
			       (unsigned long long)r->checkpoint,
			       (unsigned long long)r->size, r->root_hex, r->log_id);
		else if (r->id_added)
			printf("%s: nothing new to seal; checkpoint %llu adds the "
			       "log id %s to a seal made before log ids\n", log,
			       (unsigned long long)r->checkpoint, r->log_id);
		else
			printf("%s: nothing new to seal; checkpoint %llu covers "
			       "%llu lines%s%s\n",
			       log, (unsigned long long)r->checkpoint,
			       (unsigned long long)r->size,
			       r->log_id[0] ? ", log id " : "", r->log_id);
		fflush(stdout);
		return CF_EXIT_OK;
	}
	j = cf_jb_init(&jb);
	cf_jb_str(&jb, j, "log", log);
	cf_jb_int(&jb, j, "checkpoint", (int64_t)r->checkpoint);
	cf_jb_int(&jb, j, "sealed_lines", (int64_t)r->size);
	cf_jb_int(&jb, j, "sealed_bytes", (int64_t)r->bytes);
	cf_jb_int(&jb, j, "new_lines", (int64_t)total);
	cf_jb_str(&jb, j, "root", r->root_hex);
	cf_jb_str(&jb, j, "log_id", r->log_id[0] ? r->log_id : NULL);
	return cf_cli_print_json(cf_jb_finish(&jb), 0);
}

/* What the parser read; one command runs per process. */
static struct {
	const char *log, *seal;
	double interval;
	int follow, json;
} o;

/* Seals LOG with the key main loaded (CF_CMD_SIGNKEY), once or, with
 * --follow, until a signal. */
static int run(struct cf_cmd_env *env)
{
	struct seal_result r;
	struct sigaction sa;
	struct cf_ctx ctx;
	int rc = CF_EXIT_OK;
	uint64_t total = 0;

	cf_ctx_init(&ctx);
	if (o.follow) {
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	for (;;) {
		int last = stop, src;
		/* Progress for one-shot seals; --follow is a daemon. */
		cf_progress *pg = o.follow ? NULL : cf_cli_progress("seal", o.log);
		src = seal_log(&ctx, o.log, o.seal, env->signkey, pg, &r);
		cf_progress_free(pg);
		if (src != CF_OK) {
			rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
			break;
		}
		if (r.repaired && !cf_cli_globals.quiet)
			cf_cli_error("cut off an incomplete last checkpoint line "
				     "(left by an interrupted seal)");
		total += r.new_lines;
		if (!o.follow) {
			rc = report(o.log, &r, total, o.json);
			break;
		}
		if (!o.json && (r.new_lines || r.id_added) &&
		    (rc = report(o.log, &r, total, 0)))
			break;
		if (last) {
			/* The final seal after the signal is done. */
			rc = o.json ? report(o.log, &r, total, 1) : CF_EXIT_OK;
			break;
		}
		pause_for(o.interval);
	}
	return rc;
}

int cmd_seal(int argc, char **argv, struct cf_cmd_env *env)
{
	struct cf_cli_args a = CF_CLI_ARGS(argc, argv, "h", options, usage_text);
	int c;
	char *end;

	memset(&o, 0, sizeof o);
	o.interval = 10;
	while ((c = cf_cli_next(&a)) > 0) {
		switch (c) {
		case OPT_SEAL: o.seal = optarg; break;
		case OPT_FOLLOW: o.follow = 1; break;
		case OPT_INTERVAL:
			o.interval = strtod(optarg, &end);
			if (*end || !(o.interval >= 0.01 && o.interval <= 86400))
				return cf_cli_usage("--interval wants 0.01 to 86400 seconds, "
						    "not '%s'", optarg);
			break;
		}
	}
	if ((c = cf_cmd_env_args(env, &a, c, "LOG")) >= 0)
		return c;
	o.json = a.json;
	o.log = argv[optind];
	env->run = run;
	return CF_CMD_RUN;
}
