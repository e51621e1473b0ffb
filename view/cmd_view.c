/* SPDX-License-Identifier: Apache-2.0
 *
 * `casefile view --db DB [--port N] [--listen ADDR] [--incident FILE]`
 * (man/casefile-view.1): serves the timeline, the findings and the
 * evidence pointers of a store to a browser, read-only, until SIGINT or
 * SIGTERM.
 *
 * The URL, with its random token, is the first line of stdout, flushed at
 * once, so that a script (or a test) can read it and go on. The server
 * listens on 127.0.0.1 unless told otherwise; any other address needs
 * --allow-remote, and even then a warning says that the timeline's PHI is
 * reachable from the network with only the token to guard it (plain HTTP:
 * anyone on the path can read the token). The store is opened with
 * CF_DB_READ: nothing is written to it or to a case.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/cli.h"
#include "casefile/db.h"
#include "casefile/error.h"
#include "casefile/scope.h"
#include "commands.h"
#include "http.h"
#include "view.h"

static const char usage_text[] =
	"usage: casefile view --db FILE [--port N] [--listen ADDR] [--allow-remote]\n"
	"                     [--incident FILE]\n"
	"\n"
	"Serve the timeline, findings and evidence pointers to a browser, read-only,\n"
	"until interrupted. The first line of stdout is the URL to open; it carries\n"
	"a random token, without which every request is refused.\n"
	"\n"
	"  --db FILE         timeline database: SQLite file, or\n"
	"                    clickhouse://HOST:PORT/DATABASE[?cluster=NAME]\n"
	"  --port N          port to listen on (default 8642; 0: any free port)\n"
	"  --listen ADDR     address to listen on (default 127.0.0.1)\n"
	"  --allow-remote    allow an ADDR other than loopback (warns: plain HTTP)\n"
	"  --incident FILE   show the scope of this incident (casefile-incident(5))\n"
	"  -h, --help        show this help\n";

enum { OPT_DB = 256, OPT_PORT, OPT_LISTEN, OPT_REMOTE, OPT_INCIDENT };

static const struct option options[] = {
	{"allow-remote", no_argument, NULL, OPT_REMOTE},
	{"db", required_argument, NULL, OPT_DB},
	{"incident", required_argument, NULL, OPT_INCIDENT},
	{"listen", required_argument, NULL, OPT_LISTEN},
	{"port", required_argument, NULL, OPT_PORT},
	CF_CLI_OPT_HELP,
	CF_CLI_OPT_END,
};

#define DEFAULT_PORT 8642

/* 127.0.0.0/8 and ::1. */
static int is_loopback(const char *addr)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}

/* Serves until SIGINT or SIGTERM: they are blocked before the server's
 * thread starts (it inherits the mask), so only sigwait() receives them. */
static int serve(const char *db_path, cf_db *db, const struct cf_incident *inc,
		 const char *incident_path, const char *listen, unsigned port)
{
	struct view_src src = {.db = db, .inc = inc,
			       .incident_path = incident_path};
	struct view_server *s = NULL;
	struct cf_ctx ctx;
	sigset_t set;
	int sig = 0, v6 = strchr(listen, ':') != NULL;

	cf_ctx_init(&ctx);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (view_server_start(&ctx, &src, listen, port, &s) != CF_OK)
		return cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	printf("http://%s%s%s:%u/?token=%s\n", v6 ? "[" : "", listen,
	       v6 ? "]" : "", view_server_port(s), view_server_token(s));
	if (fflush(stdout) != 0) {
		view_server_stop(s);
		return cf_cli_finish_stdout();
	}
	if (!cf_cli_globals.quiet)
		cf_cli_error("serving %s read-only; interrupt (Ctrl-C) to stop",
			     db_path);
	while (sigwait(&set, &sig) != 0)
		;
	view_server_stop(s);
	return CF_EXIT_OK;
}

int cmd_view(int argc, char **argv)
{
	struct cf_cli_args a = CF_CLI_ARGS(argc, argv, "h", options, usage_text);
	const char *db_path = NULL, *listen = "127.0.0.1", *incident = NULL;
	struct cf_incident *inc = NULL;
	unsigned long port = DEFAULT_PORT;
	int c, remote = 0, rc;
	struct cf_ctx ctx;
	cf_db *db = NULL;
	char *end;

	while ((c = cf_cli_next(&a)) > 0) {
		switch (c) {
		case OPT_DB: db_path = optarg; break;
		case OPT_LISTEN: listen = optarg; break;
		case OPT_REMOTE: remote = 1; break;
		case OPT_INCIDENT: incident = optarg; break;
		case OPT_PORT:
			errno = 0;
			port = strtoul(optarg, &end, 10);
			if (!*optarg || *end || errno || port > 65535 ||
			    *optarg == '-')
				return cf_cli_usage("--port takes a number from 0 to "
						    "65535, not '%s'", optarg);
			break;
		}
	}
	if (c != -1)
		return a.exit;
	if (optind < argc)
		return cf_cli_usage("view takes no operands");
	if (!db_path)
		return cf_cli_usage("view needs --db FILE");
	if (!is_loopback(listen)) {
		if (!remote)
			return cf_cli_usage("--listen %s is not a loopback address: "
					    "add --allow-remote to serve the "
					    "timeline to the network", listen);
		cf_cli_error("warning: serving on %s: anyone who can reach it and "
			     "learns the URL (plain HTTP, readable on the way) "
			     "reads the timeline", listen);
	}
	cf_ctx_init(&ctx);
	if (incident && cf_incident_load(&ctx, incident, &inc) != CF_OK)
		return cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	if (cf_db_open(&ctx, db_path, CF_DB_READ, &db) != CF_OK) {
		cf_incident_free(inc);
		return cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	}
	rc = serve(db_path, db, inc, incident, listen, (unsigned)port);
	cf_db_close(db, &ctx);
	cf_incident_free(inc);
	return rc;
}
