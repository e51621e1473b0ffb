/* SPDX-License-Identifier: Apache-2.0
 *
 * `casefile playbook list|show|validate|run|status|export|import`
 * (SPEC section 7, man casefile-playbook(1)).
 *
 * Argument parsing and printing only: loading and validation are in
 * playbook.c, the run in engine.c, CACAO in cacao.c. `run` signs one custody
 * entry per step with the examiner's key through cf_custody_append, the
 * only place the engine meets the case.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/alloc.h"
#include "casefile/array.h"
#include "casefile/case.h"
#include "casefile/cli.h"
#include "casefile/signkey.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "casefile/sign.h"
#include "casefile/time.h"
#include "commands.h"
#include "playbook.h"

static const char usage_text[] =
	"usage: casefile playbook list [--json]\n"
	"       casefile playbook show [--json] PLAYBOOK\n"
	"       casefile playbook validate [--json] PLAYBOOK...\n"
	"       casefile playbook run [-C DIR] [--key KEY] [--passphrase-file FILE]\n"
	"                [--incident FILE | --discovered TIME] [--done STEP[=NOTE]]...\n"
	"                [--answer STEP=yes|no]... [--set NAME=VALUE]... [--until STEP]\n"
	"                [--non-interactive] [--yes]\n"
	"                [--json] PLAYBOOK\n"
	"       casefile playbook status [-C DIR] [--now TIME] [--json] PLAYBOOK\n"
	"       casefile playbook export --cacao [-o FILE] PLAYBOOK\n"
	"       casefile playbook import --cacao [-o FILE] CACAO.json\n"
	"\n"
	"PLAYBOOK is a shipped playbook's id (see 'list') or the path of a YAML file.\n"
	"\n"
	"  -C DIR                  the case folder (default: found from the current folder)\n"
	"  --key KEY               Ed25519 key signing the custody entries (default: the case's)\n"
	"  --passphrase-file FILE  passphrase of an encrypted key\n"
	"  --incident FILE         incident YAML giving 'discovered' (first run only)\n"
	"  --discovered TIME       discovery time, RFC 3339 (first run only)\n"
	"  --done STEP[=NOTE]      record a manual step as done (repeatable)\n"
	"  --answer STEP=yes|no    answer a decision question (repeatable)\n"
	"  --set NAME=VALUE        value for ${NAME} in run steps (first run only)\n"
	"  --until STEP            stop before STEP\n"
	"  --non-interactive       never prompt; stop at the first manual step not given\n"
	"  --yes                   run each run step without asking (it is still shown);\n"
	"                          needed when standard input is not a terminal\n"
	"  --now TIME              evaluate deadlines at TIME instead of now\n"
	"  --cacao                 exchange OASIS CACAO 2.0 JSON\n"
	"  -o FILE                 write to FILE instead of standard output\n"
	"  --json                  print one JSON object on stdout\n"
	"  -h, --help              show this help\n";

enum { OPT_DISCOVERED = 256, OPT_DONE, OPT_ANSWER, OPT_UNTIL,
       OPT_NONINT, OPT_NOW, OPT_CACAO, OPT_SET, OPT_YES };

static const struct option options[] = {
	{"answer", required_argument, NULL, OPT_ANSWER},
	{"cacao", no_argument, NULL, OPT_CACAO},
	{"discovered", required_argument, NULL, OPT_DISCOVERED},
	{"done", required_argument, NULL, OPT_DONE},
	CF_CLI_OPT_INCIDENT,
	{"non-interactive", no_argument, NULL, OPT_NONINT},
	{"now", required_argument, NULL, OPT_NOW},
	{"set", required_argument, NULL, OPT_SET},
	{"until", required_argument, NULL, OPT_UNTIL},
	{"yes", no_argument, NULL, OPT_YES},
	CF_CLI_OPT_HELP, CF_CLI_OPT_JSON, CF_CLI_OPT_KEY, CF_CLI_OPT_PASS,
	CF_CLI_OPT_END,
};

struct opts {
	int json, cacao, nonint, yes;
	const char *dir, *key, *pass, *incident, *discovered, *until, *now, *out;
	char **done; size_t ndone;
	char **answer; size_t nanswer;
	char **set; size_t nset;
};

/* Prints j (NULL: it could not be built) and frees it. */
static int emit(cJSON *j)
{
	return cf_cli_print_json(j, 0);
}

/* Loads PLAYBOOK (id or path), printing every validation error. */
static struct pb_playbook *load(const char *arg)
{
	struct pb_playbook *pb = NULL;
	struct pb_diag diag;
	struct cf_ctx ctx;
	char *path;

	cf_ctx_init(&ctx);
	if (!(path = pb_resolve(&ctx, arg))) {
		cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		return NULL;
	}
	pb_diag_init(&diag);
	if (pb_load(&ctx, path, &diag, &pb) != CF_OK) {
		for (size_t i = 0; i < diag.n; i++)
			cf_cli_error("%s", diag.msg[i]);
		if (!diag.n)
			cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	}
	pb_diag_release(&diag);
	free(path);
	return pb;
}

/* ---- list / show / validate --------------------------------------------- */

static int do_list(const struct opts *o)
{
	struct cf_ctx ctx;
	cJSON *arr, *j, *e;

	cf_ctx_init(&ctx);
	if (pb_list_shipped(&ctx, &arr) != CF_OK)
		return cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	if (o->json) {
		if (!(j = cJSON_CreateObject()) || !cJSON_AddItemToObject(j, "playbooks", arr)) {
			cJSON_Delete(arr);
			cJSON_Delete(j);
			j = NULL;
		}
		return emit(j);
	}
	cJSON_ArrayForEach(e, arr)
		printf("%-32s %s%s\n", cf_json_str(e, "id", ""), cf_json_str(e, "title", ""),
		       cf_json_str(e, "error", NULL) ? " (invalid: run 'casefile playbook validate')" : "");
	cJSON_Delete(arr);
	return CF_EXIT_OK;
}

static void show_step(const struct pb_playbook *pb, size_t i, const char *indent)
{
	const struct pb_step *s = &pb->steps[i];
	const char *next;

	printf("%s%s [%s] %s\n", indent, s->id, pb_kind_name(s->kind), s->title);
	if (s->owner)
		printf("%s    owner: %s\n", indent, s->owner);
	if (s->deadline)
		printf("%s    deadline: %s after discovery\n", indent, s->deadline);
	if (s->description)
		printf("%s    %s\n", indent, s->description);
	for (size_t k = 0; k < s->nchecklist; k++)
		printf("%s    [ ] %s\n", indent, s->checklist[k]);
	for (size_t k = 0; k < s->nevidence; k++)
		printf("%s    evidence: %s\n", indent, s->evidence[k]);
	if (s->argc) {
		printf("%s    run: casefile", indent);
		for (size_t k = 0; k < s->argc; k++)
			printf(" %s", s->argv[k]);
		putchar('\n');
	}
	if (s->audience)
		printf("%s    notify: %s%s%s\n", indent, s->audience,
		       s->template_name ? ", template " : "", s->template_name ? s->template_name : "");
	if (s->kind == PB_DECISION)
		printf("%s    %s: %s\n%s    yes -> %s, no -> %s\n", indent,
		       s->condition ? "condition" : "question",
		       s->condition ? s->condition : s->question, indent, s->on_true, s->on_false);
	for (size_t c = 0; c < s->nchildren; c++)
		show_step(pb, s->children[c], "      ");
	if (s->parent == PB_NONE && s->kind != PB_DECISION && (next = pb_successor(pb, i, 0)) &&
	    s->next)
		printf("%s    then -> %s\n", indent, next);
}

static int do_show(const struct opts *o, const char *arg)
{
	struct pb_playbook *pb = load(arg);
	struct cf_ctx ctx;
	cJSON *j;
	int rc;

	if (!pb)
		return CF_EXIT_RUNTIME;
	cf_ctx_init(&ctx);
	if (o->json) {
		rc = pb_cacao_export(&ctx, pb, cf_time_now(), &j);
		pb_free(pb);
		return rc == CF_OK ? emit(j) : cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
	}
	printf("%s: %s\n", pb->id, pb->title);
	if (pb->description)
		printf("\n%s\n", pb->description);
	printf("\nroles:");
	for (size_t r = 0; r < pb->nroles; r++)
		printf(" %s", pb->roles[r]);
	printf("\n\nsteps:\n");
	for (size_t i = 0; i < pb->nsteps; i++)
		if (pb->steps[i].parent == PB_NONE)
			show_step(pb, i, "  ");
	pb_free(pb);
	return CF_EXIT_OK;
}

static int do_validate(const struct opts *o, int n, char **args)
{
	cJSON *j = o->json ? cJSON_CreateObject() : NULL, *arr = NULL;
	int bad = 0;

	if (o->json && (!j || !(arr = cJSON_AddArrayToObject(j, "playbooks"))))
		return emit(NULL);
	for (int a = 0; a < n; a++) {
		struct pb_playbook *pb = NULL;
		struct pb_diag diag;
		struct cf_ctx ctx;
		char *path;
		cJSON *e = NULL, *errs = NULL;

		cf_ctx_init(&ctx);
		pb_diag_init(&diag);
		if (!(path = pb_resolve(&ctx, args[a])))
			pb_diag_take(&diag, &ctx);
		else if (pb_load(&ctx, path, &diag, &pb) != CF_OK && !diag.n)
			pb_diag_take(&diag, &ctx);
		bad |= pb == NULL;
		if (o->json) {
			if (!(e = cJSON_CreateObject()) || !cJSON_AddItemToArray(arr, e) ||
			    cf_json_add_str(e, "path", path ? path : args[a]) ||
			    cf_json_add_str(e, "id", pb ? pb->id : NULL) ||
			    cf_json_add_bool(e, "ok", pb != NULL) ||
			    !(errs = cJSON_AddArrayToObject(e, "errors"))) {
				cJSON_Delete(j);
				j = NULL;
			}
			for (size_t i = 0; j && i < diag.n; i++)
				cJSON_AddItemToArray(errs, cJSON_CreateString(diag.msg[i]));
		} else if (pb)
			printf("%s: OK (%s, %zu steps)\n", path, pb->id, pb->nsteps);
		else
			for (size_t i = 0; i < diag.n; i++)
				cf_cli_error("%s", diag.msg[i]);
		pb_diag_release(&diag);
		pb_free(pb);
		free(path);
		if (o->json && !j)
			return emit(NULL);
	}
	if (o->json) {
		if (cf_json_add_bool(j, "ok", !bad)) {
			cJSON_Delete(j);
			j = NULL;
		}
		int rc = emit(j);
		return rc ? rc : bad ? CF_EXIT_RUNTIME : CF_EXIT_OK;
	}
	return bad ? CF_EXIT_RUNTIME : CF_EXIT_OK;
}

/* ---- run / status ------------------------------------------------------------ */

struct signer {
	cf_case *c;
	cf_key *key;
};

static int append_custody(void *arg, struct cf_ctx *ctx, const char *action,
			  const char *subject_hex, const char *note)
{
	struct signer *s = arg;
	return cf_custody_append(ctx, s->c, s->key, action, subject_hex, note);
}

static int check_step_args(const struct pb_playbook *pb, char **list, size_t n,
			   const char *opt, int need_value)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strcspn(list[i], "=");
		char id[256];
		snprintf(id, sizeof id, "%.*s", (int)(len < 255 ? len : 255), list[i]);
		if (pb_find(pb, id) == PB_NONE)
			return cf_cli_usage("%s %s: playbook '%s' has no step '%s'", opt, list[i],
					    pb->id, id);
		if (need_value && (!list[i][len] || (strcmp(list[i] + len + 1, "yes") &&
						     strcmp(list[i] + len + 1, "no"))))
			return cf_cli_usage("%s takes STEP=yes or STEP=no, not '%s'", opt, list[i]);
	}
	return 0;
}

static int do_run(const struct opts *o, const char *arg)
{
	struct pb_run_opts ro;
	struct pb_custody cust;
	struct signer sg = {NULL, NULL};
	struct pb_playbook *pb = NULL;
	enum pb_run_result result;
	struct cf_ctx ctx;
	char exe[PATH_MAX], *waiting = NULL, *logp = NULL, **hosts = NULL;
	size_t nhosts = 0;
	const char *keyp;
	ssize_t n;
	int rc = CF_EXIT_RUNTIME;
	cJSON *j, *w = NULL;

	cf_ctx_init(&ctx);
	memset(&ro, 0, sizeof ro);
	/* every run step is shown and confirmed on the terminal: a script
	 * says --yes */
	if (!o->yes && (o->nonint || !isatty(0)))
		return cf_cli_usage("run asks before each run step and standard input "
				    "is %s: pass --yes to run the steps without asking",
				    o->nonint ? "not to be read (--non-interactive)"
					      : "not a terminal");
	if (!(pb = load(arg)))
		return CF_EXIT_RUNTIME;
	if ((rc = check_step_args(pb, o->done, o->ndone, "--done", 0)) ||
	    (rc = check_step_args(pb, o->answer, o->nanswer, "--answer", 1)))
		goto out;
	rc = CF_EXIT_RUNTIME;
	if (o->until && pb_find(pb, o->until) == PB_NONE) {
		rc = cf_cli_usage("--until: playbook '%s' has no step '%s'", pb->id, o->until);
		goto out;
	}
	for (size_t i = 0; i < o->nset; i++)
		if (!strchr(o->set[i], '=') || o->set[i][0] == '=') {
			rc = cf_cli_usage("--set takes NAME=VALUE, not '%s'", o->set[i]);
			goto out;
		}
	if (o->discovered && cf_time_parse(o->discovered, -1, &ro.discovered, NULL)) {
		rc = cf_cli_usage("--discovered takes an RFC 3339 time, not '%s'", o->discovered);
		goto out;
	}
	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) <= 0) {
		cf_cli_error("cannot find the casefile binary (/proc/self/exe)");
		goto out;
	}
	exe[n] = '\0';
	if (cf_case_open(&ctx, o->dir, &sg.c) != CF_OK ||
	    cf_case_clickhouse_hosts(&ctx, sg.c, &hosts, &nhosts) != CF_OK)
		goto fail;
	/* --key, $CASEFILE_KEY, then the case's key: as every command does. */
	if (!(sg.key = cf_signkey_load(&ctx, o->key, o->pass, cf_case_key_path(sg.c),
				       &keyp)))
		goto fail;
	if (!(logp = cf_path_join(cf_case_dir(sg.c), CF_CUSTODY_FILE))) {
		cf_cli_error("out of memory");
		goto out;
	}
	cust.append = append_custody;
	cust.arg = &sg;
	cust.log_path = logp;
	ro.case_dir = cf_case_dir(sg.c);
	ro.self_exe = exe;
	ro.incident_path = o->incident;
	ro.case_key = keyp;
	ro.case_id = cf_case_id(sg.c);
	ro.case_examiner = cf_case_examiner(sg.c);
	ro.set = o->set;
	ro.nset = o->nset;
	ro.done = o->done;
	ro.ndone = o->ndone;
	ro.answer = o->answer;
	ro.nanswer = o->nanswer;
	ro.until = o->until;
	ro.interactive = !o->nonint && isatty(0) && isatty(2);
	ro.confirm = !o->yes;
	ro.db_hosts = hosts;
	ro.ndb_hosts = nhosts;
	ro.in = stdin;
	/* progress lines (and prompts) on stderr, unless --quiet; a step to
	 * confirm is always shown */
	ro.out = cf_cli_globals.quiet && !ro.interactive && !ro.confirm ? NULL : stderr;
	if (pb_run(&ctx, pb, &ro, &cust, &result, &waiting) != CF_OK)
		goto fail;
	if (o->json) {
		j = cJSON_CreateObject();
		if (j && (cf_json_add_str(j, "playbook", pb->id) ||
			  cf_json_add_str(j, "case", ro.case_dir) ||
			  cf_json_add_str(j, "result", result == PB_RUN_FINISHED ? "finished"
						       : result == PB_RUN_STOPPED ? "stopped" : "waiting") ||
			  !(w = cJSON_AddArrayToObject(j, "waiting")))) {
			cJSON_Delete(j);
			j = NULL;
		}
		/* the waiting step ids, space-separated by the engine */
		for (char *t = waiting ? strtok(waiting, " ") : NULL; j && t; t = strtok(NULL, " "))
			if (!cJSON_AddItemToArray(w, cJSON_CreateString(t))) {
				cJSON_Delete(j);
				j = NULL;
			}
		rc = emit(j);
	} else {
		if (result == PB_RUN_FINISHED)
			printf("%s: finished\n", pb->id);
		else if (result == PB_RUN_STOPPED)
			printf("%s: stopped before %s\n", pb->id, o->until);
		else
			printf("%s: waiting for %s\n", pb->id, waiting ? waiting : "a person");
		rc = CF_EXIT_OK;
	}
	goto out;
fail:
	rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
out:
	cf_strv_free(hosts, nhosts);
	free(waiting);
	free(logp);
	cf_key_free(sg.key);
	cf_case_free(sg.c);
	pb_free(pb);
	return rc;
}

static int do_status(const struct opts *o, const char *arg)
{
	struct pb_playbook *pb = load(arg);
	cf_case *c = NULL;
	struct cf_ctx ctx;
	int64_t now = cf_time_now();
	cJSON *state = NULL, *j = NULL, *e, *h;
	int rc = CF_EXIT_RUNTIME, r;

	cf_ctx_init(&ctx);
	if (!pb)
		return CF_EXIT_RUNTIME;
	if (o->now && cf_time_parse(o->now, -1, &now, NULL)) {
		rc = cf_cli_usage("--now takes an RFC 3339 time, not '%s'", o->now);
		goto out;
	}
	if (cf_case_open(&ctx, o->dir, &c) != CF_OK)
		goto fail;
	r = pb_state_load(&ctx, cf_case_dir(c), pb->id, &state);
	if (r == CF_EOF) {
		cf_cli_error("playbook '%s' has not been run in '%s'", pb->id, cf_case_dir(c));
		goto out;
	}
	if (r != CF_OK || pb_status(&ctx, pb, state, now, &j) != CF_OK)
		goto fail;
	if (o->json) {
		rc = emit(j);
		j = NULL;
		goto out;
	}
	printf("%s: %s\nrun %s, discovered %s, %s\n\n", pb->id, pb->title,
	       cf_json_str(j, "run_id", "?"), cf_json_str(j, "discovered", "?"),
	       cf_json_str(j, "finished", NULL) ? "finished" : "in progress");
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(j, "steps")) {
		char id[300]; /* members of a group are indented under it */
		snprintf(id, sizeof id, "%s%s", cf_json_str(e, "group", NULL) ? "  " : "",
			 cf_json_str(e, "id", ""));
		printf("  %-10s %-30s %-9s %s", cf_json_str(e, "status", ""), id,
		       cf_json_str(e, "kind", ""), cf_json_str(e, "title", ""));
		if (cf_json_str(e, "deadline", NULL))
			printf("  due %s (late from %s)", cf_json_str(e, "deadline_date", ""),
			       cf_json_str(e, "deadline", ""));
		putchar('\n');
	}
	h = cJSON_GetObjectItemCaseSensitive(j, "hipaa");
	printf("\nHIPAA clocks%s:\n", cf_json_int(h, "affected", -1) >= 0 ? "" : " (affected count not known yet)");
	for (const char *const *k = (const char *const[]){"individuals", "hhs", "media", NULL}; *k; k++) {
		const cJSON *c1 = cJSON_GetObjectItemCaseSensitive(h, *k);
		printf("  %-12s %-12s %s%s%s%s\n               %s\n", *k,
		       cf_json_str(c1, "status", ""), cf_json_str(c1, "due_date", ""),
		       cf_json_str(c1, "due", NULL) ? " (late from " : "",
		       cf_json_str(c1, "due", ""), cf_json_str(c1, "due", NULL) ? ")" : "",
		       cf_json_str(c1, "basis", ""));
	}
	rc = CF_EXIT_OK;
	goto out;
fail:
	rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
out:
	cJSON_Delete(j);
	cJSON_Delete(state);
	cf_case_free(c);
	pb_free(pb);
	return rc;
}

/* ---- export / import ------------------------------------------------------------ */

static FILE *open_out(const char *path)
{
	FILE *f;

	if (!path)
		return stdout;
	if (!(f = fopen(path, "we")))
		cf_cli_error("cannot create '%s': %m", path);
	return f;
}

static int close_out(FILE *f, const char *path)
{
	if (f == stdout)
		return CF_EXIT_OK;
	if (fclose(f)) {
		cf_cli_error("cannot write '%s': %m", path);
		return CF_EXIT_RUNTIME;
	}
	return CF_EXIT_OK;
}

static int do_export(const struct opts *o, const char *arg)
{
	struct pb_playbook *pb = load(arg);
	struct cf_ctx ctx;
	cJSON *j = NULL;
	char *text = NULL;
	FILE *f;
	int rc = CF_EXIT_RUNTIME;

	cf_ctx_init(&ctx);
	if (!pb)
		return CF_EXIT_RUNTIME;
	if (pb_cacao_export(&ctx, pb, cf_time_now(), &j) != CF_OK) {
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		goto out;
	}
	if (!(text = cJSON_Print(j))) {
		cf_cli_error("out of memory");
		goto out;
	}
	if (!(f = open_out(o->out)))
		goto out;
	fprintf(f, "%s\n", text);
	rc = close_out(f, o->out);
out:
	free(text);
	cJSON_Delete(j);
	pb_free(pb);
	return rc;
}

static int do_import(const struct opts *o, const char *path)
{
	struct pb_playbook *pb = NULL, *check = NULL;
	struct pb_diag diag;
	struct cf_ctx ctx;
	cJSON *j = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = NULL, *f;
	int rc = CF_EXIT_RUNTIME;

	cf_ctx_init(&ctx);
	pb_diag_init(&diag);
	if (cf_json_parse_file(&ctx, path, 16u << 20, &j) != CF_OK ||
	    pb_cacao_import(&ctx, j, &pb) != CF_OK) {
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		goto out;
	}
	/* Write to memory, then load that text as any playbook: what is
	 * written is exactly what the validator accepts. */
	if (!(mem = open_memstream(&text, &len)) || pb_write_yaml(&ctx, pb, mem) != CF_OK ||
	    fclose(mem)) {
		mem = NULL;
		rc = cf_cli_fail(&ctx, CF_EXIT_RUNTIME);
		goto out;
	}
	mem = NULL;
	if (pb_load_string(&ctx, path, text, len, &diag, &check) != CF_OK) {
		cf_cli_error("the imported playbook does not validate:");
		for (size_t i = 0; i < diag.n; i++)
			cf_cli_error("%s", diag.msg[i]);
		goto out;
	}
	if (!(f = open_out(o->out)))
		goto out;
	fwrite(text, 1, len, f);
	rc = close_out(f, o->out);
out:
	if (mem)
		fclose(mem);
	pb_diag_release(&diag);
	free(text);
	cJSON_Delete(j);
	pb_free(pb);
	pb_free(check);
	return rc;
}

/* ---- dispatch ---------------------------------------------------------------------- */

static int add_arg(char ***list, size_t *n, char *v)
{
	char **l = cf_realloc(*list, (*n + 1) * sizeof *l);

	if (!l)
		return -1;
	l[(*n)++] = v;
	*list = l;
	return 0;
}

int cmd_playbook(int argc, char **argv)
{
	struct opts o;
	struct cf_cli_args a = CF_CLI_ARGS(argc - 1, argv + 1, "hC:o:", options,
					   usage_text);
	const char *sub;
	int c, nargs, rc;

	memset(&o, 0, sizeof o);
	if ((c = cf_cli_subcommand(argc, argv, usage_text)) >= 0)
		return c;
	sub = argv[1];
	while ((c = cf_cli_next(&a)) > 0) {
		switch (c) {
		case 'C': o.dir = optarg; break;
		case 'o': o.out = optarg; break;
		case CF_CLI_INCIDENT: o.incident = optarg; break;
		case OPT_DISCOVERED: o.discovered = optarg; break;
		case OPT_UNTIL: o.until = optarg; break;
		case OPT_NONINT: o.nonint = 1; break;
		case OPT_YES: o.yes = 1; break;
		case OPT_NOW: o.now = optarg; break;
		case OPT_CACAO: o.cacao = 1; break;
		case OPT_DONE:
		case OPT_ANSWER:
		case OPT_SET:
			if (c == OPT_DONE ? add_arg(&o.done, &o.ndone, optarg)
			    : c == OPT_SET ? add_arg(&o.set, &o.nset, optarg)
					   : add_arg(&o.answer, &o.nanswer, optarg)) {
				cf_cli_error("out of memory");
				rc = CF_EXIT_RUNTIME;
				goto out;
			}
			break;
		}
	}
	if (c != -1) {
		rc = a.exit;
		goto out;
	}
	o.json = a.json;
	o.key = a.key;
	o.pass = a.passphrase;
	nargs = argc - 1 - optind;
	argv += 1 + optind;
	rc = CF_EXIT_USAGE;
	if (!strcmp(sub, "list")) {
		rc = nargs ? cf_cli_usage("'list' takes no argument") : do_list(&o);
	} else if (!strcmp(sub, "validate")) {
		rc = nargs < 1 ? cf_cli_usage("expected at least one PLAYBOOK")
			       : do_validate(&o, nargs, argv);
	} else if (nargs != 1) {
		rc = cf_cli_usage("expected exactly one %s",
				  !strcmp(sub, "import") ? "CACAO file" : "PLAYBOOK");
	} else if ((!strcmp(sub, "export") || !strcmp(sub, "import")) && !o.cacao) {
		rc = cf_cli_usage("'%s' needs --cacao (the one exchange format)", sub);
	} else if (!strcmp(sub, "show"))
		rc = do_show(&o, argv[0]);
	else if (!strcmp(sub, "run"))
		rc = do_run(&o, argv[0]);
	else if (!strcmp(sub, "status"))
		rc = do_status(&o, argv[0]);
	else if (!strcmp(sub, "export"))
		rc = do_export(&o, argv[0]);
	else
		rc = do_import(&o, argv[0]);
out:
	free(o.done);
	free(o.answer);
	free(o.set);
	return rc;
}
