/* SPDX-License-Identifier: Apache-2.0
 *
 * Helpers for the command layer (src/main.c and the cmd_*.c files): the
 * only code allowed to print. Messages go to stderr as
 * "casefile CMD: message"; data goes to stdout and is flushed and checked
 * before a command reports success, so that a full disk is an error and not
 * a silently truncated report. Colour is never used when NO_COLOR is set.
 */
#ifndef CASEFILE_CLI_H
#define CASEFILE_CLI_H

#include <getopt.h>
#include <stdio.h>
#include "casefile/error.h"
#include "casefile/keyring.h"
#include "casefile/progress.h"

/* The name used in messages ("verify", "key generate"); set by main. */
void cf_cli_set_command(const char *name);
const char *cf_cli_command(void);

/* Prints "casefile CMD: message\n" to stderr. */
void cf_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the context's message; returns exit status 1 when the context
 * records CF_TAMPERED, else 3 (runtime) unless code says otherwise. */
int cf_cli_fail(const struct cf_ctx *ctx, int exit_status);
/* Prints a usage error plus "Try 'casefile CMD --help'." and returns 2. */
int cf_cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* --from (is_to 0) or --to (1) of a time filter: an RFC 3339 time, or a
 * date alone (YYYY-MM-DD, UTC) for its first or last microsecond; sets the
 * bound and its flag in f. 0, or cf_cli_usage's status. */
struct cf_db_filter;
int cf_cli_time_bound(struct cf_db_filter *f, int is_to, const char *arg);
/* Appends arg to the *n values of a repeatable option (v holds max):
 * 0, or cf_cli_usage's status ("at most MAX OPTION options") when full. */
int cf_cli_push(const char **v, size_t *n, size_t max, const char *option,
		const char *arg);
/* After getopt_long returned '?' or ':' on argv: names the option that was
 * unknown or lacks its argument; returns 2. */
int cf_cli_bad_option(char **argv);
/* Front of a command with subcommands ("casefile key generate ..."): no
 * subcommand prints usage to stderr and returns 2; -h/--help prints it to
 * stdout and returns 0; a word that is not one of the subcommands of
 * argv[0]'s row in the command table (src/commands.def) is a usage error
 * (2), naming the known ones. Otherwise names the command "CMD SUB" for
 * messages, resets getopt (the caller parses argc - 1, argv + 1) and
 * returns -1. */
int cf_cli_subcommand(int argc, char **argv, const char *usage);
/* ---- a command's options ---------------------------------------------------
 * What every command's getopt_long loop does the same way, done once:
 *
 *	static const struct option options[] = {
 *		{"seal", required_argument, NULL, OPT_SEAL},
 *		CF_CLI_OPT_HELP, CF_CLI_OPT_JSON, CF_CLI_OPT_END,
 *	};
 *	struct cf_cli_args a = CF_CLI_ARGS(argc, argv, "h", options, usage_text);
 *	while ((c = cf_cli_next(&a)) > 0)
 *		switch (c) { case OPT_SEAL: ...; }
 *	if (c != -1)
 *		return a.exit;
 *	... operands from argv[optind], a.json, a.key, a.passphrase ...
 *
 * The first call resets getopt (silently: the messages are ours). Rows of
 * the shared options are below; where --key means something else (the
 * repeatable trusted keys of verify and disclose) the command keeps its own
 * row and case.
 *
 * The options that many commands take with one meaning have one row each
 * here too, so that they are spelt, and take an argument, the same way
 * everywhere: --db FILE, --trust PUB (a trusted public key, repeatable),
 * --incident FILE, --format LIST, --include-unverified, -C/--case DIR and
 * -o/--output PATH. cf_cli_next returns their ids (the short letter where
 * there is one) for the command's own switch to store: each command keeps
 * them where it keeps the rest of its options. */
enum { CF_CLI_JSON = 0x1000, CF_CLI_KEY, CF_CLI_PASS, CF_CLI_DB, CF_CLI_TRUST,
       CF_CLI_INCIDENT, CF_CLI_FORMAT, CF_CLI_UNVERIFIED };
#define CF_CLI_OPT_HELP {"help", no_argument, NULL, 'h'}
#define CF_CLI_OPT_JSON {"json", no_argument, NULL, CF_CLI_JSON}
#define CF_CLI_OPT_KEY {"key", required_argument, NULL, CF_CLI_KEY}
#define CF_CLI_OPT_PASS {"passphrase-file", required_argument, NULL, CF_CLI_PASS}
#define CF_CLI_OPT_DB {"db", required_argument, NULL, CF_CLI_DB}
#define CF_CLI_OPT_TRUST {"trust", required_argument, NULL, CF_CLI_TRUST}
#define CF_CLI_OPT_INCIDENT {"incident", required_argument, NULL, CF_CLI_INCIDENT}
#define CF_CLI_OPT_FORMAT {"format", required_argument, NULL, CF_CLI_FORMAT}
#define CF_CLI_OPT_UNVERIFIED \
	{"include-unverified", no_argument, NULL, CF_CLI_UNVERIFIED}
#define CF_CLI_OPT_CASE {"case", required_argument, NULL, 'C'}
#define CF_CLI_OPT_OUTPUT {"output", required_argument, NULL, 'o'}
#define CF_CLI_OPT_END {NULL, 0, NULL, 0}

struct cf_cli_args {
	int argc;                      /* what getopt_long reads */
	char **argv;
	const char *shortopts;         /* with 'h' for -h */
	const struct option *longopts;
	const char *usage;             /* printed on stdout for -h/--help */
	int json;                      /* --json was given */
	const char *key;               /* --key FILE (the last one), or NULL */
	const char *passphrase;        /* --passphrase-file FILE, or NULL */
	int exit;                      /* see cf_cli_next */
	int started;
};
#define CF_CLI_ARGS(argc, argv, shortopts, longopts, usage) \
	{(argc), (argv), (shortopts), (longopts), (usage), 0, NULL, NULL, 0, 0}

/* The next option the command handles itself (> 0), with optarg set; -1
 * after the last option (the operands start at argv[optind]); or -2 when
 * the command must return a->exit: 0 after -h/--help printed the usage, 2
 * after an unknown option or a missing argument was reported. */
int cf_cli_next(struct cf_cli_args *a);
/* When set, -h/--help calls it instead of printing the usage: shell
 * completion (src/cmd_complete.c) lists the options of the command's table. */
extern void (*cf_cli_help_hook)(const struct option *longopts,
				const char *usage);

/* Flushes and checks stdout; returns 0 or 3 with a message. */
int cf_cli_finish_stdout(void);
/* A command's --json result: prints j (compact, one line) on stdout and
 * frees it. nomem is non-zero when j (possibly NULL) could not be built in
 * full: then nothing is printed. Returns 0, or 3 after "out of memory" or
 * the write error. */
struct cJSON;
int cf_cli_print_json(struct cJSON *j, int nomem);
/* 1 when colour may be used on f (a terminal, and NO_COLOR unset or
 * empty: https://no-color.org). */
int cf_cli_color(FILE *f);
/* The tones of a verdict word. */
enum cf_cli_tone { CF_TONE_OK, CF_TONE_FAIL, CF_TONE_WARN };
/* Prints word on f: green (OK), red (FAIL) or yellow (WARN) when
 * cf_cli_color(f), else exactly as it is. */
void cf_cli_put_tone(FILE *f, enum cf_cli_tone tone, const char *word);

/* Global options parsed by main before dispatch. */
struct cf_cli_globals {
	enum cf_progress_mode progress; /* --progress / --quiet */
	int quiet;
};
extern struct cf_cli_globals cf_cli_globals;

/* Options shared by many commands; returns 1 when argv[i] was one of them
 * (--progress, --quiet/-q), 0 otherwise. */
int cf_cli_common_option(const char *arg);
/* The progress line on stderr for work over one file (its size the total,
 * none when path is NULL), as --progress/--quiet say; NULL on no memory
 * (no progress). Freed with cf_progress_free. */
cf_progress *cf_cli_progress(const char *label, const char *path);

/* ---- keys (SPEC section 1) -------------------------------------------------
 * --key FILE is always a private signing key, --trust FILE (repeatable)
 * always a trusted public key. Where --key once named a trusted public key
 * (verify, timeline build, disclose, report), a public key given to it is
 * still trusted for one release, with a warning. */

/* cf_keyring_add_legacy() plus the warning, printed once per run:
 * "warning: --key PUB is deprecated for a trusted public key; use --trust
 * PUB". Returns 1 when path held a public key (now in kr), 0 when it holds
 * a private key (the caller's signing key), -1 with the message on ctx. */
int cf_cli_key_legacy(struct cf_ctx *ctx, cf_keyring *kr, const char *path);
/* The keyring of a command that checks signatures and signs nothing
 * (verify, timeline build, disclose): the ntrust --trust files, then the
 * nkeys --key files, each a public key (the old spelling, see above) or
 * the user's private signing key, whose public half is trusted. NULL with
 * the message on ctx when a file cannot be used. */
cf_keyring *cf_cli_keyring(struct cf_ctx *ctx, char *const *trust,
			   size_t ntrust, char *const *keys, size_t nkeys);

#endif
