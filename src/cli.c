/* SPDX-License-Identifier: Apache-2.0
 *
 * Command-layer helpers: the single way messages reach stderr
 * ("casefile CMD: message"), the usage-error convention (exit 2 with a hint)
 * and the final flush-and-check of stdout that turns a full disk into an
 * error instead of a silently truncated report; and the one meaning of the
 * key options (--key signs, --trust trusts) with its deprecation warning.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/cli.h"
#include "casefile/command.h"
#include "casefile/db.h"
#include "casefile/json.h"
#include "casefile/time.h"
#include "casefile/utf8.h"

struct cf_cli_globals cf_cli_globals = {CF_PROGRESS_AUTO, 0};
static const char *command = "";
void (*cf_cli_help_hook)(const struct option *longopts, const char *usage);

void cf_cli_set_command(const char *name)
{
	command = name ? name : "";
}

const char *cf_cli_command(void)
{
	return command;
}

static void vmsg(const char *fmt, va_list ap)
	__attribute__((format(printf, 1, 0)));

/* Messages name files, members and lines from the evidence: control
 * characters in them are shown as \xNN (cf_utf8_safe), newlines and tabs
 * kept. */
static void vmsg(const char *fmt, va_list ap)
{
	static const char warning_word[] = "warning:";
	char *text = NULL, *safe = NULL, prefix[128];
	int warn;
	va_list cp;
	int n;

	fflush(stdout);
	va_copy(cp, ap);
	n = vasprintf(&text, fmt, cp);
	va_end(cp);
	warn = n >= 0 && !strncmp(text, warning_word, sizeof warning_word - 1);
	/* on a terminal: an error's "casefile CMD:" in red, a warning's
	 * "warning:" in yellow */
	if (*command)
		snprintf(prefix, sizeof prefix, "casefile %s:", command);
	else
		snprintf(prefix, sizeof prefix, "casefile:");
	if (warn) {
		fprintf(stderr, "%s ", prefix);
		cf_cli_put_tone(stderr, CF_TONE_WARN, warning_word);
	} else {
		cf_cli_put_tone(stderr, CF_TONE_FAIL, prefix);
		fputc(' ', stderr);
	}
	if (n >= 0 && (safe = malloc(4 * (size_t)n + 1)))
		fputs(cf_utf8_safe(safe, text, (size_t)n, 1) + (warn ? sizeof warning_word - 1 : 0),
		      stderr);
	else if (n >= 0)
		fputs(text + (warn ? sizeof warning_word - 1 : 0), stderr); /* no memory to escape it */
	else
		vfprintf(stderr, fmt, ap);
	free(safe);
	if (n >= 0)
		free(text);
	fputc('\n', stderr);
}

void cf_cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

int cf_cli_fail(const struct cf_ctx *ctx, int exit_status)
{
	cf_cli_error("%s", cf_errmsg(ctx));
	if (ctx->code == CF_TAMPERED) /* an evidence check failed: SPEC 0 */
		return CF_EXIT_EVIDENCE;
	return exit_status ? exit_status : CF_EXIT_RUNTIME;
}

int cf_cli_print_json(struct cJSON *j, int nomem)
{
	struct cf_ctx ctx;
	int rc;

	if (nomem || !j) {
		cJSON_Delete(j);
		cf_cli_error("out of memory");
		return CF_EXIT_RUNTIME;
	}
	cf_ctx_init(&ctx);
	rc = cf_json_emit(&ctx, stdout, j);
	cJSON_Delete(j);
	return rc == CF_OK ? CF_EXIT_OK : cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
}

int cf_cli_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'casefile %s%s--help'.\n", command, *command ? " " : "");
	return CF_EXIT_USAGE;
}

int cf_cli_time_bound(struct cf_db_filter *f, int is_to, const char *arg)
{
	if (cf_time_parse_bound(arg, is_to, is_to ? &f->to_us : &f->from_us))
		return cf_cli_usage("%s: '%s' is not an RFC 3339 time or a date",
				    is_to ? "--to" : "--from", arg);
	if (is_to)
		f->has_to = 1;
	else
		f->has_from = 1;
	return 0;
}

int cf_cli_push(const char **v, size_t *n, size_t max, const char *option,
		const char *arg)
{
	if (*n >= max)
		return cf_cli_usage("at most %zu %s options", max, option);
	v[(*n)++] = arg;
	return 0;
}

int cf_cli_bad_option(char **argv)
{
	const char *arg = argv[optind - 1];

	if (optopt && optopt < 256 && arg && arg[0] == '-' && arg[1] != '-')
		return cf_cli_usage("option '-%c' is unknown or lacks its argument",
				    optopt);
	return cf_cli_usage("option '%s' is unknown or lacks its argument",
			    arg ? arg : "?");
}

int cf_cli_next(struct cf_cli_args *a)
{
	int c;

	if (!a->started) {
		a->started = 1;
		optind = 1;
		opterr = 0;
	}
	for (;;) {
		c = getopt_long(a->argc, a->argv, a->shortopts, a->longopts, NULL);
		switch (c) {
		case CF_CLI_JSON: a->json = 1; break;
		case CF_CLI_KEY: a->key = optarg; break;
		case CF_CLI_PASS: a->passphrase = optarg; break;
		case 'h':
			if (cf_cli_help_hook)
				cf_cli_help_hook(a->longopts, a->usage);
			else
				fputs(a->usage, stdout);
			a->exit = CF_EXIT_OK;
			return -2;
		case '?':
		case ':':
			a->exit = cf_cli_bad_option(a->argv);
			return -2;
		default:
			return c;
		}
	}
}

int cf_cli_subcommand(int argc, char **argv, const char *usage)
{
	static char name[64];
	const struct cf_command_info *c = cf_command_find(argv[0]);
	char known[256] = "";
	size_t n = 0;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? CF_EXIT_USAGE : CF_EXIT_OK;
	}
	if (cf_command_has_sub(c, argv[1])) {
		snprintf(name, sizeof name, "%s %s", argv[0], argv[1]);
		cf_cli_set_command(name);
		optind = 1;
		opterr = 0;
		return -1;
	}
	/* the known ones as "a, b, c" */
	for (const char *s = c && c->subs ? c->subs : ""; *s && n + 3 < sizeof known; s++)
		if (*s == ' ') {
			known[n++] = ',';
			known[n++] = ' ';
		} else
			known[n++] = *s;
	known[n] = '\0';
	return cf_cli_usage("unknown subcommand '%s' (%s)", argv[1], known);
}

int cf_cli_finish_stdout(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		cf_cli_error("cannot write to standard output: %s", strerror(errno));
		return CF_EXIT_RUNTIME;
	}
	return CF_EXIT_OK;
}

int cf_cli_color(FILE *f)
{
	const char *nc = getenv("NO_COLOR");

	return (!nc || !*nc) && isatty(fileno(f));
}

/* SGR sequences of the tones (ECMA-48): bold green, bold red, yellow. */
static const char *const tone_sgr[] = {"\033[1;32m", "\033[1;31m", "\033[33m"};

void cf_cli_put_tone(FILE *f, enum cf_cli_tone tone, const char *word)
{
	if (cf_cli_color(f))
		fprintf(f, "%s%s\033[0m", tone_sgr[tone], word);
	else
		fputs(word, f);
}

int cf_cli_common_option(const char *arg)
{
	if (!strcmp(arg, "--progress")) {
		cf_cli_globals.progress = CF_PROGRESS_ON;
		return 1;
	}
	if (!strcmp(arg, "--quiet") || !strcmp(arg, "-q")) {
		cf_cli_globals.progress = CF_PROGRESS_OFF;
		cf_cli_globals.quiet = 1;
		return 1;
	}
	return 0;
}

cf_progress *cf_cli_progress(const char *label, const char *path)
{
	struct stat st;
	uint64_t total = path && stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;

	return cf_progress_new(stderr, label, cf_cli_globals.progress, total, 0);
}

/* ---- keys --------------------------------------------------------------- */

int cf_cli_key_legacy(struct cf_ctx *ctx, cf_keyring *kr, const char *path)
{
	static int warned;
	int pub;

	if (cf_keyring_add_legacy(ctx, kr, path, &pub) != CF_OK)
		return -1;
	if (pub && !warned) {
		warned = 1;
		cf_cli_error("warning: --key PUB is deprecated for a trusted "
			     "public key; use --trust PUB");
	}
	return pub;
}

cf_keyring *cf_cli_keyring(struct cf_ctx *ctx, char *const *trust,
			   size_t ntrust, char *const *keys, size_t nkeys)
{
	cf_keyring *kr = cf_keyring_new(ctx);
	size_t i;
	int pub = 0;

	for (i = 0; kr && i < ntrust; i++)
		if (cf_keyring_add_file(ctx, kr, trust[i]) != CF_OK)
			goto fail;
	for (i = 0; kr && i < nkeys; i++)
		if ((pub = cf_cli_key_legacy(ctx, kr, keys[i])) < 0 ||
		    (!pub && cf_keyring_add_signer(ctx, kr, keys[i]) != CF_OK))
			goto fail;
	return kr;
fail:
	cf_keyring_free(kr);
	return NULL;
}
