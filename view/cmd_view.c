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
 * CF_DB_READ: nothing is written to it. Inside a case (-C DIR, else the
 * case around the current folder), one custody entry records that the
 * timeline was served, signed with the case's key (--key overrides), and
 * nothing else is written. Raw lines are read only from archives signed by
 * a trusted key (--trust PUB, else the public half of the case's key).
 */
#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/case.h"
#include "casefile/cli.h"
#include "casefile/keyring.h"
#include "casefile/path.h"
#include "casefile/signkey.h"
#include "casefile/db.h"
#include "casefile/error.h"
#include "casefile/scope.h"
#include "commands.h"
#include "http.h"
#include "view.h"

static const char usage_text[] =
	"usage: casefile view --db FILE [--port N] [--listen ADDR] [--allow-remote]\n"
	"                     [--incident FILE] [--trust PUB...] [-C DIR] [--key KEY]\n"
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
	"  --trust PUB       trusted signer: raw lines are read only from archives\n"
	"                    it signed, once verified (repeatable; default in a\n"
	"                    case: the public half of the case's key)\n"
	"  -C, --case DIR    the case (default: the case around the current\n"
	"                    folder, if any): one custody entry records the view\n"
	"  --key KEY         signing key of that entry (default: the case's key)\n"
	"  -h, --help        show this help\n";

enum { OPT_PORT = 256, OPT_LISTEN, OPT_REMOTE };

static const struct option options[] = {
	{"allow-remote", no_argument, NULL, OPT_REMOTE},
	CF_CLI_OPT_CASE,
	CF_CLI_OPT_DB,
	CF_CLI_OPT_INCIDENT,
	CF_CLI_OPT_KEY,
	{"listen", required_argument, NULL, OPT_LISTEN},
	{"port", required_argument, NULL, OPT_PORT},
	CF_CLI_OPT_TRUST,
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

/* The folder of the case around the current one (holding case.json), or
 * NULL when there is none (or no memory: then no case is assumed only if
 * none is found; a failure to read the folder is no case). */
static char *case_around(void)
{
	char *cwd = getcwd(NULL, 0), *slash;
	struct stat st;

	while (cwd) {
		char *cand = cf_path_join(cwd, CF_CASE_FILE);
		int here = cand && lstat(cand, &st) == 0 && S_ISREG(st.st_mode);

		free(cand);
		if (here)
			return cwd;
		slash = strrchr(cwd, '/');
		if (!slash || slash == cwd)
			break;
		*slash = '\0';
	}
	free(cwd);
	return NULL;
}

struct view_opts {
	const char *db_path, *listen, *incident, *case_dir, *key;
	const char **trust;
	size_t ntrust;
	unsigned port;
};

/* Serves until SIGINT or SIGTERM: they are blocked before the server's
 * thread starts (it inherits the mask), so only sigwait() receives them.
 * In a case, the custody entry is written before the URL is printed: a
 * view that cannot be recorded is not served. */
static int serve(const struct view_opts *o, cf_db *db,
		 const struct cf_incident *inc, cf_case *c, const cf_key *key,
		 const cf_keyring *kr)
{
	struct view_src src = {.db = db, .inc = inc,
			       .incident_path = o->incident,
			       .trusted = kr ? cf_keyring_keys(kr) : NULL,
			       .ntrusted = kr ? cf_keyring_count(kr) : 0,
			       .case_dir = c ? cf_case_dir(c) : NULL};
	struct view_server *s = NULL;
	struct cf_ctx ctx;
	sigset_t set;
	int sig = 0, v6 = strchr(o->listen, ':') != NULL;
	char note[512];

	cf_ctx_init(&ctx);
	if (!(src.archives = view_archives_new())) {
		cf_set_nomem(&ctx, "view");
		return cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (view_server_start(&ctx, &src, o->listen, o->port, &s) != CF_OK) {
		view_archives_free(src.archives);
		return cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	}
	/* the token stays out of the log: it is the key to the PHI */
	snprintf(note, sizeof note, "timeline %.300s served read-only on "
		 "http://%s%.64s%s:%u/", o->db_path, v6 ? "[" : "", o->listen,
		 v6 ? "]" : "", view_server_port(s));
	if (c && cf_custody_append(&ctx, c, key, "view", NULL, note) != CF_OK) {
		view_server_stop(s);
		view_archives_free(src.archives);
		return cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	}
	printf("http://%s%s%s:%u/?token=%s\n", v6 ? "[" : "", o->listen,
	       v6 ? "]" : "", view_server_port(s), view_server_token(s));
	if (fflush(stdout) != 0) {
		view_server_stop(s);
		view_archives_free(src.archives);
		return cf_cli_finish_stdout();
	}
	if (!cf_cli_globals.quiet)
		cf_cli_error("serving %s read-only; interrupt (Ctrl-C) to stop",
			     o->db_path);
	while (sigwait(&set, &sig) != 0)
		;
	view_server_stop(s);
	view_archives_free(src.archives);
	return CF_EXIT_OK;
}

/* The case (when there is one), its signing key, and the trusted keys;
 * 0, or the exit status of a failure (its message printed). */
static int setup(const struct view_opts *o, cf_case **c, cf_key **key,
		 cf_keyring **kr)
{
	char *around = o->case_dir ? NULL : case_around();
	const char *dir = o->case_dir ? o->case_dir : around;
	struct cf_ctx ctx;
	int rc = 0;

	cf_ctx_init(&ctx);
	if (dir && (cf_case_open(&ctx, dir, c) != CF_OK ||
		    !(*key = cf_signkey_load(&ctx, o->key, NULL,
					     cf_case_key_path(*c), NULL))))
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	else if (!dir && o->key)
		rc = cf_cli_usage("--key signs a custody entry: it needs a case "
				  "(-C DIR)");
	else if (!(*kr = cf_keyring_new(&ctx)))
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	for (size_t i = 0; !rc && i < o->ntrust; i++)
		if (cf_keyring_add_file(&ctx, *kr, o->trust[i]) != CF_OK)
			rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	if (!rc && !o->ntrust && *key &&
	    cf_keyring_add_key(&ctx, *kr, *key) != CF_OK)
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	free(around);
	return rc;
}

int cmd_view(int argc, char **argv)
{
	struct cf_cli_args a = CF_CLI_ARGS(argc, argv, "hC:", options, usage_text);
	struct view_opts o = {.listen = "127.0.0.1", .port = DEFAULT_PORT};
	struct cf_incident *inc = NULL;
	unsigned long port = DEFAULT_PORT;
	int c, remote = 0, rc;
	struct cf_ctx ctx;
	cf_db *db = NULL;
	cf_case *cs = NULL;
	cf_key *key = NULL;
	cf_keyring *kr = NULL;
	char *end;

	if (!(o.trust = cf_calloc((size_t)argc + 1, sizeof *o.trust))) {
		cf_cli_error("out of memory");
		return CF_EXIT_RUNTIME;
	}
	while ((c = cf_cli_next(&a)) > 0) {
		switch (c) {
		case CF_CLI_DB: o.db_path = optarg; break;
		case OPT_LISTEN: o.listen = optarg; break;
		case OPT_REMOTE: remote = 1; break;
		case CF_CLI_INCIDENT: o.incident = optarg; break;
		case CF_CLI_TRUST: o.trust[o.ntrust++] = optarg; break;
		case 'C': o.case_dir = optarg; break;
		case OPT_PORT:
			errno = 0;
			port = strtoul(optarg, &end, 10);
			if (!*optarg || *end || errno || port > 65535 ||
			    *optarg == '-') {
				free(o.trust);
				return cf_cli_usage("--port takes a number from 0 to "
						    "65535, not '%s'", optarg);
			}
			o.port = (unsigned)port;
			break;
		}
	}
	if (c != -1) {
		free(o.trust);
		return a.exit;
	}
	o.key = a.key;
	rc = optind < argc ? cf_cli_usage("view takes no operands") :
	     !o.db_path ? cf_cli_usage("view needs --db FILE") : 0;
	if (!rc && !is_loopback(o.listen)) {
		if (!remote)
			rc = cf_cli_usage("--listen %s is not a loopback address: "
					  "add --allow-remote to serve the "
					  "timeline to the network", o.listen);
		else
			cf_cli_error("warning: serving on %s: anyone who can reach "
				     "it and learns the URL (plain HTTP, readable "
				     "on the way) reads the timeline", o.listen);
	}
	if (rc || (rc = setup(&o, &cs, &key, &kr)))
		goto out;
	cf_ctx_init(&ctx);
	if (o.incident && cf_incident_load(&ctx, o.incident, &inc) != CF_OK) {
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		goto out;
	}
	if (cf_db_open(&ctx, o.db_path, CF_DB_READ, &db) != CF_OK) {
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		goto out;
	}
	rc = serve(&o, db, inc, cs, key, kr);
	cf_db_close(db, &ctx);
out:
	cf_incident_free(inc);
	cf_keyring_free(kr);
	cf_key_free(key);
	cf_case_free(cs);
	free(o.trust);
	return rc;
}
