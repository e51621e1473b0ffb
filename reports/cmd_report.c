/* SPDX-License-Identifier: Apache-2.0
 *
 * `casefile report breach|custody`: the notification package and the
 * chain-of-custody report (SPEC section 8).
 *
 * Argument parsing, reading the inputs and writing the files only; the
 * figures come from model.c and rules.c, the formats from render.c. The
 * package holds PHI: the folder is created 0700 and every file 0600. The
 * package is written whole or not at all (cf_atomic_dir_*, src/atomic.c):
 * its files go into a hidden staging folder inside the output folder and
 * are renamed into place only once every one of them is written and
 * synced, so a failed or interrupted run never leaves a half package, nor
 * a mix of a new package and an earlier one in the same folder. Inputs
 * (scope, incident, verification result, case) are only ever read.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/atomic.h"
#include "casefile/buf.h"
#include "casefile/case.h"
#include "casefile/cli.h"
#include "casefile/datadir.h"
#include "casefile/json.h"
#include "casefile/hash.h"
#include "casefile/keyring.h"
#include "casefile/path.h"
#include "casefile/scope.h"
#include "casefile/sign.h"
#include "casefile/signkey.h"
#include "casefile/time.h"
#include "commands.h"
#include "custody_report.h"
#include "dbscope.h"
#include "drill_report.h"
#include "escape.h"
#include "hhs_log.h"
#include "hhs_worksheet.h"
#include "model.h"
#include "render.h"
#include "report_inputs.h"
#include "states.h"

#define MAX_INPUT_BYTES (256u << 20) /* scope, verify result, custody log */

static const char usage_text[] =
	"usage: casefile report breach (--scope FILE.json | --db FILE) --incident FILE\n"
	"                              -o DIR [--include-unverified] [--format LIST]\n"
	"                              [--from-findings RULE_ID...]\n"
	"                              [--verify FILE.json] [--today YYYY-MM-DD]\n"
	"                              [--states FILE]\n"
	"                              [--case DIR] [--trust PUB]... [--key KEY] [--json]\n"
	"       casefile report custody --case DIR -o FILE [--format html|md|json]\n"
	"                              [--trust PUB]... [--key KEY] [--json]\n"
	"       casefile report drill --drill DIR -o FILE [--format html|md|json] [--json]\n"
	"       casefile report hhs-log --cases DIR... [--year YYYY]\n"
	"                              [--previous LOG.json] [-o FILE] [--json]\n"
	"       casefile report mailing --db FILE --incident FILE -o FILE.csv\n"
	"                              [--include-unverified] [--json]\n"
	"\n"
	"  breach    write the breach notification package into DIR\n"
	"  custody   write the chain-of-custody report of a case\n"
	"  drill     write the after-action report of an ended drill\n"
	"  hhs-log   list the breaches of fewer than 500 individuals discovered\n"
	"            in one calendar year, for the annual filing with HHS\n"
	"  mailing   write the mail-merge list of the affected individuals (PHI:\n"
	"            only inside a case folder)\n"
	"\n"
	"  --scope FILE     the affected scope (`casefile timeline scope --json`)\n"
	"  --db FILE        the timeline database to compute the scope from\n"
	"  --include-unverified  with --db: also count events of archives added\n"
	"                   with --allow-unverified (the report says so)\n"
	"  --from-findings RULE_ID  with --db: also take as suspects those of the\n"
	"                   stored findings of this rule (as `timeline scope`;\n"
	"                   repeatable); the report lists them with their evidence\n"
	"  --incident FILE  the incident file (YAML, casefile-incident(5))\n"
	"  --states FILE    the State notification rules (casefile-states(5));\n"
	"                   default: the shipped states.yaml\n"
	"  --today DATE     the day notice deadlines are checked against\n"
	"                   (default: the report's date, SOURCE_DATE_EPOCH or now)\n"
	"  --verify FILE    `casefile verify --json` of the archives, for the\n"
	"                   evidence inventory\n"
	"  --case DIR       the case folder, for the custody summary\n"
	"  --drill DIR      the drill folder (after `casefile drill end`)\n"
	"  --cases DIR...   hhs-log: breach packages (folders holding report.json,\n"
	"                   or folders of them); every operand after it is a case\n"
	"  --year YYYY      hhs-log: the calendar year of discovery (default: the\n"
	"                   latest year of a breach of fewer than 500 in the cases)\n"
	"  --previous LOG   hhs-log: the log filed before (`hhs-log --json`); a\n"
	"                   breach whose count changed since is marked for an\n"
	"                   addendum\n"
	"  --trust PUB      trusted public key to verify the custody log with\n"
	"                   (repeatable); without it (or --key) the log is not\n"
	"                   verified. With --db and no --verify, it also\n"
	"                   verifies the store's archives for the inventory\n"
	"  --key KEY        private key that signs the custody entry recording the\n"
	"                   report (default: $CASEFILE_KEY, else the case's key);\n"
	"                   without --trust, its public half verifies the log;\n"
	"                   --passphrase-file FILE if it is encrypted. Deprecated\n"
	"                   spellings: --key PUB for --trust, --sign KEY for --key\n"
	"  -o, --output P   output folder (breach) or file (custody, drill,\n"
	"                   hhs-log: Markdown; without it hhs-log prints the log)\n"
	"  --format LIST    breach: any of html,md,json,csv,xlsx (default\n"
	"                   html,md,json,csv);\n"
	"                   custody, drill: html, md or json (default from the\n"
	"                   file name)\n"
	"  --json           print a summary of what was written as one JSON object\n"
	"  -h, --help       show this help\n";

enum { OPT_SCOPE = 256, OPT_VERIFY, OPT_KEY, OPT_SIGN, OPT_DRILL,
       OPT_TODAY, OPT_FROM_FINDINGS, OPT_STATES };

#define MAX_KEYS 16

static const struct option options[] = {
	CF_CLI_OPT_CASE,
	CF_CLI_OPT_DB,
	{"drill", required_argument, NULL, OPT_DRILL},
	CF_CLI_OPT_FORMAT,
	{"from-findings", required_argument, NULL, OPT_FROM_FINDINGS},
	CF_CLI_OPT_INCIDENT,
	CF_CLI_OPT_UNVERIFIED,
	{"key", required_argument, NULL, OPT_KEY}, /* repeatable: its own row */
	CF_CLI_OPT_OUTPUT,
	{"scope", required_argument, NULL, OPT_SCOPE},
	{"sign", required_argument, NULL, OPT_SIGN},
	{"states", required_argument, NULL, OPT_STATES},
	{"today", required_argument, NULL, OPT_TODAY},
	CF_CLI_OPT_TRUST,
	{"verify", required_argument, NULL, OPT_VERIFY},
	CF_CLI_OPT_HELP, CF_CLI_OPT_JSON, CF_CLI_OPT_PASS, CF_CLI_OPT_END,
};

struct report_opts {
	const char *scope, *db, *incident, *verify, *casedir, *out, *format;
	const char *sign, *passfile, *drill;
	const char *states; /* --states FILE, or NULL: the shipped rules */
	const char *today; /* --today YYYY-MM-DD, checked */
	char *trust[MAX_KEYS], *keys[MAX_KEYS]; /* --trust, --key */
	size_t ntrust, nkeys;
	cf_keyring *trusted; /* verifies the custody log (sort_keys) */
	cf_key *signer;      /* --key KEY (or --sign), loaded by sort_keys */
	int json;
	int include_unverified; /* --db: count events of unverified archives */
	const char *findings[MAX_KEYS]; /* --from-findings RULE_ID */
	size_t nfindings;
	unsigned formats; /* FMT_* bits */
};

enum { FMT_HTML = 1, FMT_MD = 2, FMT_JSON = 4, FMT_CSV = 8, FMT_XLSX = 16 };

static int parse_formats(const char *list, unsigned *out)
{
	char *copy = strdup(list), *tok, *save = NULL;

	*out = 0;
	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "html")) *out |= FMT_HTML;
		else if (!strcmp(tok, "md")) *out |= FMT_MD;
		else if (!strcmp(tok, "json")) *out |= FMT_JSON;
		else if (!strcmp(tok, "csv")) *out |= FMT_CSV;
		else if (!strcmp(tok, "xlsx")) *out |= FMT_XLSX;
		else {
			int rc = cf_cli_usage("unknown format '%s' (html, md, json, csv, xlsx)", tok);

			free(copy);
			return rc;
		}
	}
	free(copy);
	return *out ? 0 : cf_cli_usage("--format lists no format");
}

/* Report time: SOURCE_DATE_EPOCH when set (reproducible reports), else now. */
static int64_t report_time(void)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	if (e && *e) {
		errno = 0;
		v = strtoll(e, &end, 10);
		if (!errno && !*end && v >= 0)
			return (int64_t)v * CF_US_PER_SEC;
	}
	return cf_time_now();
}

static char *read_template(struct cf_ctx *ctx, const char *name)
{
	char *path = cf_data_file(ctx, "templates", name);
	struct cf_buf b;

	if (!path)
		return NULL;
	cf_buf_init(&b);
	if (cf_buf_read_file(ctx, &b, path, 1u << 20) != CF_OK) {
		free(path);
		cf_buf_release(&b);
		return NULL;
	}
	free(path);
	return cf_buf_detach(&b);
}

/* Writes a one-file report at path; notes path in written (may be NULL). */
static int write_out(struct cf_ctx *ctx, const char *path,
		     const struct cf_buf *b, cJSON *written)
{
	int rc = cf_write_file_atomic(ctx, path, b->data ? b->data : "", b->len, 0600, 0);

	if (rc == CF_OK && written &&
	    !cJSON_AddItemToArray(written, cJSON_CreateString(path)))
		rc = cf_set_nomem(ctx, path);
	return rc;
}

/* The keys of the command line (SPEC section 1): the --trust files and
 * each --key FILE, a public key there being the old spelling of --trust
 * (cf_cli_key_legacy warns) and a private key the signing key, as --sign
 * was. The signing key is loaded now, so that a bad one stops the report
 * before anything is written; named with --key and without a trusted key,
 * its public half verifies the custody log (--sign alone, the old
 * spelling, keeps its old meaning: sign only). Returns -1 to go on, else
 * the exit status. */
static int sort_keys(struct report_opts *o)
{
	struct cf_ctx ctx;
	int pub, trusted = 0, named = 0; /* named: the signing key by --key */

	cf_ctx_init(&ctx);
	if (!(o->trusted = cf_keyring_new(&ctx)))
		return cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	for (size_t i = 0; i < o->ntrust; i++)
		if (cf_keyring_add_file(&ctx, o->trusted, o->trust[i]) != CF_OK)
			return cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	for (size_t i = 0; i < o->nkeys; i++) {
		if ((pub = cf_cli_key_legacy(&ctx, o->trusted, o->keys[i])) < 0)
			return cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		trusted |= pub;
		if (!pub && o->sign)
			return cf_cli_usage("one signing key: give --key KEY once");
		if (!pub) {
			o->sign = o->keys[i];
			named = 1;
		}
	}
	if (o->passfile && !o->sign)
		return cf_cli_usage("--passphrase-file goes with --key KEY");
	if (!o->sign)
		return -1;
	if (!(o->signer = cf_signkey_load(&ctx, o->sign, o->passfile, NULL, NULL)) ||
	    (named && !o->ntrust && !trusted &&
	     cf_keyring_add_key(&ctx, o->trusted, o->signer) != CF_OK))
		return cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	return -1;
}

/* Records the report in the case's custody log (SPEC 5: every command that
 * reads case data appends an entry): action, the SHA-256 of the file that
 * carries every figure, and where it was written. The key is --key, else
 * $CASEFILE_KEY, else the one recorded in the case; with none at all the
 * report is written and a warning says it was not recorded. Nor is it
 * recorded after an entry the check (the custody log's verification,
 * may be NULL) found bad: nothing is chained onto a forged entry. */
static int sign_custody(struct cf_ctx *ctx, const struct report_opts *o,
			const char *action, const char *file, const cJSON *check)
{
	uint8_t dg[CF_SHA256_LEN];
	char hex[CF_SHA256_HEX], *note = NULL;
	const char *used = NULL;
	cf_case *c = NULL;
	cf_key *k = NULL;
	uint64_t size;
	int rc = CF_FAILED;

	if (cJSON_IsObject(check) && cf_json_int(check, "first_bad", 0)) {
		cf_cli_error("the report is not recorded in %s/%s: entry %lld "
			     "failed verification", o->casedir, CF_CUSTODY_FILE,
			     (long long)cf_json_int(check, "first_bad", 0));
		return CF_OK;
	}
	if (cf_case_open(ctx, o->casedir, &c) != CF_OK)
		goto out;
	if (o->signer) {
		k = o->signer; /* borrowed: freed by cmd_report */
	} else if (!(k = cf_signkey_load(ctx, NULL, NULL, cf_case_key_path(c),
					 &used))) {
		if (!used) {
			/* Nothing names a key: not an error, but said. */
			cf_cli_error("warning: %s; the report is not recorded in %s/%s",
				     cf_errmsg(ctx), o->casedir, CF_CUSTODY_FILE);
			rc = CF_OK;
		}
		goto out;
	}
	if (cf_sha256_file(ctx, file, dg, &size) != CF_OK)
		goto out;
	cf_hex(dg, sizeof dg, hex);
	if (!(note = cf_malloc(strlen(file) + 16))) {
		rc = cf_set_nomem(ctx, "custody");
		goto out;
	}
	sprintf(note, "wrote %s", file);
	rc = cf_custody_append(ctx, c, k, action, hex, note);
out:
	free(note);
	if (k != o->signer)
		cf_key_free(k);
	cf_case_free(c);
	return rc;
}

/* 1 when the custody check v of the case in dir (NULL: unnamed) failed:
 * prints the bad entry, or each file of evidence/ that does not match its
 * add entry. */
static int custody_failed(const char *dir, const cJSON *v)
{
	const char *d = dir ? dir : "case", *sep = dir ? "/" : " ";
	const cJSON *f;

	if (!cJSON_IsObject(v) || cf_json_bool(v, "ok", 0))
		return 0;
	if (cf_json_int(v, "first_bad", 0))
		cf_cli_error("%s%s%s failed verification at entry %lld: %s",
			     dir ? dir : "", dir ? "/" : "",
			     dir ? CF_CUSTODY_FILE : "custody log",
			     (long long)cf_json_int(v, "first_bad", 0),
			     cf_json_str(v, "detail", ""));
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(v, "files"))
		cf_cli_error("%s%s%s/%s: %s: %s", d, sep, CF_CASE_EVIDENCE,
			     cf_json_str(f, "file", ""), cf_json_str(f, "kind", ""),
			     cf_json_str(f, "detail", ""));
	return 1;
}

/* 1 when the model shows an evidence check that failed: an archive whose
 * verification failed, or a custody log that did not verify. */
static int evidence_failed(const cJSON *model)
{
	const cJSON *e, *v;
	int bad = 0;

	cJSON_ArrayForEach(e, cJSON_GetObjectItem(model, "evidence_inventory"))
		if (!strcmp(cf_json_str(e, "verification", ""), "FAILED")) {
			cf_cli_error("archive %s failed verification",
				     cf_json_str(e, "sha256sums", ""));
			bad = 1;
		}
	v = cJSON_GetObjectItem(cJSON_GetObjectItem(model, "custody"), "verification");
	if (custody_failed(NULL, v))
		bad = 1;
	return bad;
}

/* ---- breach --------------------------------------------------------------- */

struct inputs {
	cJSON *incident, *scope, *verify, *custody, *custody_check;
	cJSON *states; /* the State rules (states.h) */
	char *tpl[4];
};

static void inputs_free(struct inputs *in)
{
	cJSON_Delete(in->incident);
	cJSON_Delete(in->scope);
	cJSON_Delete(in->verify);
	cJSON_Delete(in->custody);
	cJSON_Delete(in->custody_check);
	cJSON_Delete(in->states);
	for (int i = 0; i < 4; i++)
		free(in->tpl[i]);
}

/* Notes the final path of a file written into the staging folder. */
static int note_written(struct cf_ctx *ctx, const struct report_opts *o,
			const char *name, cJSON *written)
{
	char *path = cf_path_join(o->out, name);
	int ok = path && cJSON_AddItemToArray(written, cJSON_CreateString(path));

	free(path);
	return ok ? CF_OK : cf_set_nomem(ctx, name);
}

/* The variant letters of the State notices (render_states.c), each from
 * its own shipped template. */
static int state_letters(struct cf_ctx *ctx, const struct report_opts *o,
			 struct cf_atomic_dir *pub, const cJSON *model,
			 struct cf_buf *b, cJSON *written)
{
	const cJSON *l = cJSON_GetObjectItem(cJSON_GetObjectItem(model, "state_notices"),
					     "letters");
	int rc = CF_OK;

	for (l = l ? l->child : NULL; l && rc == CF_OK; l = l->next) {
		const char *file = cf_json_str(l, "file", "");
		char *tpl = read_template(ctx, cf_json_str(l, "template", ""));

		cf_buf_reset(b);
		if (!tpl)
			return CF_FAILED;
		if ((rc = cf_report_state_letter_md(ctx, model, l, tpl, b)) == CF_OK &&
		    (rc = cf_atomic_dir_add(ctx, pub, file, b->data, b->len, 0600)) == CF_OK)
			rc = note_written(ctx, o, file, written);
		free(tpl);
	}
	return rc;
}

static int render_all(struct cf_ctx *ctx, const struct report_opts *o,
		      struct cf_atomic_dir *pub, const cJSON *model,
		      const struct cf_report_templates *t, cJSON *written)
{
	struct cf_buf b;
	int rc = CF_OK;

	cf_buf_init(&b);
#define EMIT(fn, name) do { cf_buf_reset(&b); \
	if ((rc = (fn)) != CF_OK || (rc = cf_atomic_dir_add(ctx, pub, name, b.data, b.len, 0600)) != CF_OK || \
	    (rc = note_written(ctx, o, name, written)) != CF_OK) \
		goto out; } while (0)
	if (o->formats & FMT_HTML)
		EMIT(cf_report_html(ctx, model, t, &b), "report.html");
	if (o->formats & FMT_MD) {
		const cJSON *det = cJSON_GetObjectItemCaseSensitive(model, "determination");
		const cJSON *ba = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(model, "obligations"), "ba_notice");

		EMIT(cf_report_md(ctx, model, t, &b), "report.md");
		/* The letters only when notices are owed; otherwise what
		 * replaces them: the no-notification memorandum, or a business
		 * associate's notice to its covered entities (164.410). */
		if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(det, "memo")))
			EMIT(cf_report_memo_md(ctx, model, &b), "determination-memo.md");
		else if (cJSON_IsObject(ba))
			EMIT(cf_report_ba_notice_md(ctx, model, &b), "notice-covered-entity.md");
		if (cf_json_bool(det, "notification_required", 1) && !ba) {
			EMIT(cf_report_narrative(ctx, model, CF_TPL_NOTICE, t->notice, &b),
			     "notice-individual.md");
			EMIT(cf_report_narrative(ctx, model, CF_TPL_MEDIA, t->media, &b),
			     "notice-media.md");
			if ((rc = state_letters(ctx, o, pub, model, &b, written)) != CF_OK)
				goto out;
		}
		EMIT(cf_report_worksheet_md(ctx, model, &b), "hhs-worksheet.md");
	}
	if (o->formats & FMT_JSON) {
		char *s;

		cf_buf_reset(&b);
		if (!(s = cJSON_Print(model)) || cf_buf_puts(&b, s) || cf_buf_putc(&b, '\n')) {
			free(s);
			rc = cf_set_nomem(ctx, "report.json");
			goto out;
		}
		free(s);
		if ((rc = cf_atomic_dir_add(ctx, pub, "report.json", b.data, b.len, 0600)) != CF_OK ||
		    (rc = note_written(ctx, o, "report.json", written)) != CF_OK)
			goto out;
	}
	if (o->formats & FMT_CSV) {
		EMIT(cf_report_csv_patients(ctx, model, &b), "affected.csv");
		EMIT(cf_report_csv_states(ctx, model, &b), "states.csv");
		EMIT(cf_report_csv_accesses(ctx, model, &b), "accesses.csv");
		EMIT(cf_report_csv_portal(ctx, model, &b), "hhs-portal.csv");
	}
#undef EMIT
	if (o->formats & FMT_XLSX) {
		char *path = cf_atomic_dir_path(ctx, pub, "affected.xlsx");

		if (!path) {
			rc = CF_FAILED;
			goto out;
		}
		rc = cf_report_xlsx(ctx, model, path);
		if (rc == CF_OK)
			rc = note_written(ctx, o, "affected.xlsx", written);
		free(path);
	}
out:
	cf_buf_release_secret(&b);
	return rc;
}

static int print_summary(const struct report_opts *o, const cJSON *model,
			 cJSON *written)
{
	const cJSON *ob = cJSON_GetObjectItem(model, "obligations");
	long long n = (long long)cf_json_int(cJSON_GetObjectItem(
		cJSON_GetObjectItem(model, "affected"), "count"), "value", 0);
	const char *due = cf_json_str(cJSON_GetObjectItem(ob, "individual_notice"), "due", "");
	const char *hhs = cf_json_str(cJSON_GetObjectItem(ob, "hhs_notice"), "due", "");
	struct cf_jb jb;
	cJSON *j;

	if (!o->json) {
		if (cf_cli_globals.quiet)
			return CF_EXIT_OK;
		if (*due || *hhs)
			fprintf(stderr, "casefile report breach: %lld individual(s) affected; "
				"individual notices due %s, HHS %s; package in %s\n",
				n, *due ? due : "(none)", *hhs ? hhs : "(none)", o->out);
		else /* no notice is owed, or a business associate's own */
			fprintf(stderr, "casefile report breach: %lld individual(s) affected; "
				"no notice to individuals or HHS due; package in %s\n",
				n, o->out);
		return CF_EXIT_OK;
	}
	j = cf_jb_init(&jb);
	cf_jb_str(&jb, j, "output", o->out);
	cf_jb_int(&jb, j, "affected", n);
	cf_jb_str(&jb, j, "individual_due", due);
	cf_jb_str(&jb, j, "hhs_due", hhs);
	cf_jb_made(&jb, j, "files", cJSON_CreateArrayReference(written->child));
	return cf_cli_print_json(cf_jb_finish(&jb), 0);
}

/* The file the custody entry names: report.json (every figure) when it was
 * written, else the first file. */
static const char *primary(const cJSON *written)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, written) {
		size_t n = strlen(e->valuestring);

		if (n >= 11 && !strcmp(e->valuestring + n - 11, "report.json"))
			return e->valuestring;
	}
	return cJSON_GetArrayItem(written, 0)->valuestring;
}

/* The State rules: FILE (--states), else the shipped file. */
static int load_states(struct cf_ctx *ctx, const char *file, cJSON **out)
{
	char *path = file ? NULL : cf_data_file(ctx, "states", CF_STATES_FILE);
	int rc;

	if (!file && !path)
		return CF_FAILED;
	rc = cf_state_rules_load(ctx, file ? file : path, out);
	free(path);
	return rc;
}

/* Verifying the store's archives reads all of their bytes: seconds for
 * millions of events, so a progress line per archive. */
static cf_progress *verify_progress(const char *path)
{
	return cf_cli_progress("report breach: verifying", path);
}

static int report_breach(const struct report_opts *o)
{
	static const char *const names[4] = {CF_TPL_SUMMARY, CF_TPL_NOTICE, CF_TPL_MEDIA,
					     CF_TPL_NO_NOTICE};
	struct cf_ctx ctx;
	struct inputs in;
	struct cf_report_input ri;
	struct cf_report_templates t;
	cJSON *model = NULL, *written = NULL;
	struct report_opts oc;
	char *found_case = NULL;
	int rc = CF_EXIT_RUNTIME;

	cf_ctx_init(&ctx);
	memset(&in, 0, sizeof in);
	if (cf_report_incident_load(&ctx, o->incident, &in.incident) != CF_OK ||
	    (o->scope ? cf_json_parse_file(&ctx, o->scope, MAX_INPUT_BYTES, &in.scope)
		      : cf_report_scope_from_db(&ctx, o->db, o->incident,
						o->findings, o->nfindings,
						o->include_unverified ?
						CF_SCOPE_INCLUDE_UNVERIFIED : 0,
						&in.scope)) != CF_OK ||
	    (o->verify && cf_json_parse_file(&ctx, o->verify, MAX_INPUT_BYTES, &in.verify) != CF_OK) ||
	    load_states(&ctx, o->states, &in.states) != CF_OK)
		goto fail;
	if (!cJSON_IsObject(in.scope)) {
		cf_cli_error("%s: a scope is a JSON object", o->scope ? o->scope : o->db);
		goto out;
	}
	/* Without --verify, trusted keys verify the store's archives here;
	 * without --case, the case the store's archives were added to is the
	 * one summarised (report_inputs.c). */
	if (!o->verify && o->db && cf_keyring_count(o->trusted) &&
	    cf_report_verify_store(&ctx, in.scope, cf_keyring_keys(o->trusted),
				   cf_keyring_count(o->trusted), verify_progress,
				   &in.verify) != CF_OK)
		goto fail;
	if (!o->casedir && o->db && cf_report_case_of(&ctx, in.scope, &found_case) != CF_OK)
		goto fail;
	if (found_case) {
		oc = *o;
		oc.casedir = found_case;
		o = &oc;
		if (!cf_cli_globals.quiet && !o->json)
			fprintf(stderr, "casefile report breach: the custody summary is "
				"that of the case %s, whose evidence/ holds the archives\n",
				found_case);
	}
	if (o->casedir && cf_custody_load(&ctx, o->casedir, cf_keyring_keys(o->trusted),
					  cf_keyring_count(o->trusted), &in.custody,
					  &in.custody_check) != CF_OK)
		goto fail;
	for (int i = 0; i < 4; i++)
		if (!(in.tpl[i] = read_template(&ctx, names[i])))
			goto fail;
	t.summary = in.tpl[0];
	t.notice = in.tpl[1];
	t.media = in.tpl[2];
	t.no_notice = in.tpl[3];
	ri.incident = in.incident;
	ri.scope = in.scope;
	ri.scope_name = o->scope ? o->scope : o->db;
	ri.verify = in.verify;
	ri.custody = in.custody;
	ri.custody_check = in.custody_check;
	ri.generated_at = report_time();
	ri.today = o->today;
	ri.state_rules = in.states;
	if (cf_report_build(&ctx, &ri, &model) != CF_OK)
		goto fail;
	if (!(written = cJSON_CreateArray())) {
		cf_cli_error("out of memory");
		goto out;
	}
	{
		struct cf_atomic_dir pub;
		int ok, unsynced = 0;

		if (cf_atomic_dir_begin(&ctx, &pub, o->out, 0700, "report") != CF_OK)
			goto fail;
		ok = render_all(&ctx, o, &pub, model, &t, written) == CF_OK &&
		     cf_atomic_dir_commit(&ctx, &pub, &unsynced) == CF_OK;
		cf_atomic_dir_abort(&pub);
		if (!ok)
			goto fail;
		if (unsynced)
			cf_cli_error("warning: the package is in '%s' but the folder could "
				     "not be synced (%s): a power cut now could lose it",
				     o->out, strerror(unsynced));
	}
	if (o->casedir && sign_custody(&ctx, o, "report-breach", primary(written),
					 in.custody_check) != CF_OK)
		goto fail;
	{
		const cJSON *es = cJSON_GetObjectItem(model, "evidence_status");

		if (!strcmp(cf_json_str(es, "state", ""), "unverified"))
			cf_cli_error("warning: %s", cf_json_str(es, "statement", ""));
	}
	rc = print_summary(o, model, written);
	if (rc == CF_EXIT_OK && evidence_failed(model))
		rc = CF_EXIT_EVIDENCE;
	goto out;
fail:
	rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
out:
	cJSON_Delete(written);
	cJSON_Delete(model);
	inputs_free(&in);
	free(found_case);
	return rc;
}

/* The format of a one-file report: --format, else the file's extension. */
static const char *single_format(const struct report_opts *o)
{
	size_t n = strlen(o->out);

	if (o->format)
		return o->format;
	if (n > 5 && !strcmp(o->out + n - 5, ".json"))
		return "json";
	return n > 3 && !strcmp(o->out + n - 3, ".md") ? "md" : "html";
}

/* ---- drill ------------------------------------------------------------------- */

static int report_drill(const struct report_opts *o)
{
	const char *fmt = single_format(o);
	struct cf_ctx ctx;
	struct cf_buf b;
	cJSON *aa = NULL;
	int rc = CF_EXIT_RUNTIME;

	if (strcmp(fmt, "html") && strcmp(fmt, "md") && strcmp(fmt, "json"))
		return cf_cli_usage("drill reports are html, md or json, not '%s'", fmt);
	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	if (cf_drill_report_load(&ctx, o->drill, &aa) != CF_OK ||
	    cf_drill_report_render(&ctx, aa, fmt, report_time(), &b) != CF_OK ||
	    write_out(&ctx, o->out, &b, NULL) != CF_OK) {
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		goto out;
	}
	if (o->json) {
		struct cf_jb jb;
		cJSON *j = cf_jb_init(&jb);

		cf_jb_str(&jb, j, "output", o->out);
		cf_jb_num(&jb, j, "score", cf_json_num(aa, "score", 0));
		cf_jb_int(&jb, j, "improvement_items",
			  cJSON_GetArraySize(cJSON_GetObjectItem(aa, "improvement_plan")));
		if ((rc = cf_cli_print_json(cf_jb_finish(&jb), 0)) != CF_EXIT_OK)
			goto out;
	} else if (!cf_cli_globals.quiet) {
		fprintf(stderr, "casefile report drill: wrote %s\n", o->out);
	}
	rc = CF_EXIT_OK;
out:
	cJSON_Delete(aa);
	cf_buf_release(&b);
	return rc;
}

/* ---- custody ---------------------------------------------------------------- */

static int report_custody(const struct report_opts *o)
{
	struct cf_ctx ctx;
	struct cf_buf b;
	cJSON *rep = NULL, *written = NULL;
	const cJSON *v;
	const char *fmt = single_format(o);
	int rc = CF_EXIT_RUNTIME;

	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	if (strcmp(fmt, "html") && strcmp(fmt, "md") && strcmp(fmt, "json"))
		return cf_cli_usage("custody reports are html, md or json, not '%s'", fmt);
	if (cf_custody_report_build(&ctx, o->casedir, cf_keyring_keys(o->trusted),
				    cf_keyring_count(o->trusted),
				    report_time(), &rep) != CF_OK ||
	    cf_custody_report_render(&ctx, rep, fmt, &b) != CF_OK ||
	    !(written = cJSON_CreateArray()) ||
	    write_out(&ctx, o->out, &b, written) != CF_OK ||
	    sign_custody(&ctx, o, "report-custody", o->out,
			 cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "summary"),
					     "verification")) != CF_OK)
		goto fail;
	if (o->json) {
		struct cf_jb jb;
		cJSON *j = cf_jb_init(&jb);

		cf_jb_str(&jb, j, "output", o->out);
		cf_jb_made(&jb, j, "custody",
			   cJSON_Duplicate(cJSON_GetObjectItem(rep, "summary"), 1));
		if ((rc = cf_cli_print_json(cf_jb_finish(&jb), 0)) != CF_EXIT_OK)
			goto out;
	} else if (!cf_cli_globals.quiet) {
		fprintf(stderr, "casefile report custody: wrote %s\n", o->out);
	}
	rc = CF_EXIT_OK;
	v = cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "summary"), "verification");
	if (custody_failed(o->casedir, v))
		rc = CF_EXIT_EVIDENCE;
	goto out;
fail:
	rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
out:
	cJSON_Delete(written);
	cJSON_Delete(rep);
	cf_buf_release(&b);
	return rc;
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o;
	struct cf_cli_args a = CF_CLI_ARGS(argc - 1, argv + 1, "ho:", options,
					   usage_text);
	const char *sub;
	int c, rc;

	memset(&o, 0, sizeof o);
	if ((c = cf_cli_subcommand(argc, argv, usage_text)) >= 0)
		return c;
	sub = argv[1];
	if (!strcmp(sub, "hhs-log"))
		return cf_report_cmd_hhs_log(argc, argv, usage_text);
	if (!strcmp(sub, "mailing"))
		return cf_report_cmd_mailing(argc, argv, usage_text);
	while ((c = cf_cli_next(&a)) > 0) {
		switch (c) {
		case 'o': o.out = optarg; break;
		case OPT_SCOPE: o.scope = optarg; break;
		case CF_CLI_DB: o.db = optarg; break;
		case CF_CLI_INCIDENT: o.incident = optarg; break;
		case OPT_VERIFY: o.verify = optarg; break;
		case 'C': o.casedir = optarg; break;
		case CF_CLI_FORMAT: o.format = optarg; break;
		case CF_CLI_UNVERIFIED: o.include_unverified = 1; break;
		case OPT_FROM_FINDINGS:
			if ((rc = cf_cli_push(o.findings, &o.nfindings, MAX_KEYS,
					      "--from-findings", optarg)))
				return rc;
			break;
		case OPT_TODAY: {
			int y;
			unsigned m, d;
			char tail;

			if (strlen(optarg) != 10 ||
			    sscanf(optarg, "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3 ||
			    m < 1 || m > 12 || d < 1 || d > 31)
				return cf_cli_usage("--today '%s' is not a date (YYYY-MM-DD)", optarg);
			o.today = optarg;
			break;
		}
		case OPT_SIGN:
			cf_cli_error("warning: --sign KEY is deprecated; use --key KEY");
			if (o.sign)
				return cf_cli_usage("one signing key: give --key KEY once");
			o.sign = optarg;
			break;
		case OPT_DRILL: o.drill = optarg; break;
		case OPT_STATES: o.states = optarg; break;
		case OPT_KEY:
		case CF_CLI_TRUST:
			if (o.nkeys + o.ntrust == MAX_KEYS)
				return cf_cli_usage("at most %d --trust and --key options",
						    MAX_KEYS);
			if (c == OPT_KEY)
				o.keys[o.nkeys++] = optarg;
			else
				o.trust[o.ntrust++] = optarg;
			break;
		}
	}
	if (c != -1)
		return a.exit;
	o.json = a.json;
	o.passfile = a.passphrase;
	if (optind != argc - 1)
		return cf_cli_usage("unexpected argument '%s'", argv[optind + 1]);
	if (!o.out)
		return cf_cli_usage("-o is required");
	if ((o.ntrust || o.nkeys || o.sign) && !o.casedir && !o.db)
		return cf_cli_usage("--trust and --key go with --case or --db");
	if (o.passfile && !o.sign && !o.nkeys)
		return cf_cli_usage("--passphrase-file goes with --key KEY");
	if (!strcmp(sub, "drill")) {
		if (!o.drill)
			return cf_cli_usage("--drill DIR is required");
		if (o.scope || o.db || o.incident || o.verify || o.casedir || o.ntrust || o.nkeys || o.sign ||
		    o.include_unverified || o.today || o.nfindings || o.states)
			return cf_cli_usage("only --drill, -o, --format and --json go with 'drill'");
		return report_drill(&o);
	}
	if (o.drill)
		return cf_cli_usage("--drill goes with 'drill'");
	if (!strcmp(sub, "custody")) {
		if (!o.casedir)
			return cf_cli_usage("--case DIR is required");
		if (o.scope || o.db || o.incident || o.verify || o.include_unverified ||
		    o.today || o.nfindings || o.states)
			return cf_cli_usage("--scope, --db, --incident, --verify, --today, "
					    "--states and --include-unverified go with 'breach'");
	} else {
		if (!o.incident)
			return cf_cli_usage("--incident FILE is required");
		if (!!o.scope + !!o.db != 1)
			return cf_cli_usage("give exactly one of --scope and --db");
		if (o.nfindings && !o.db)
			return cf_cli_usage("--from-findings goes with --db (the findings "
					    "are in the store)");
		if (o.include_unverified && !o.db)
			return cf_cli_usage("--include-unverified goes with --db (a scope file "
					    "says itself whether it includes unverified events)");
		if (parse_formats(o.format ? o.format : "html,md,json,csv", &o.formats))
			return CF_EXIT_USAGE;
	}
	if ((c = sort_keys(&o)) < 0)
		c = !strcmp(sub, "custody") ? report_custody(&o) : report_breach(&o);
	cf_keyring_free(o.trusted);
	cf_key_free(o.signer);
	return c;
}
