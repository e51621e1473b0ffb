/* SPDX-License-Identifier: Apache-2.0
 *
 * The playbook step kinds that do work (see engine.c): manual steps and
 * questions asked of a person, drafted notices, and run steps, which run
 * `casefile ...` in the case folder through a helper process that records
 * the exit status even when the engine is killed. A run step is shown
 * (quoted so that no control byte reaches the terminal) and confirmed
 * before it runs, and may only reach ClickHouse servers on this machine
 * or named by the case.
 *
 * Must never: run a command through a shell, run a command unseen, or
 * overwrite a drafted notice.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "casefile/alloc.h"
#include "casefile/atomic.h"
#include "casefile/buf.h"
#include "casefile/datadir.h"
#include "casefile/error.h"
#include "casefile/hash.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "casefile/time.h"
#include "engine_int.h"

/* ---- manual steps ---------------------------------------------------------- */

/* Looks STEP or STEP=value up in a list; *val gets the value or "". */
static int given(char **list, size_t n, const char *id, const char **val)
{
	size_t len = strlen(id);

	for (size_t k = 0; k < n; k++)
		if (!strncmp(list[k], id, len) && (list[k][len] == '=' || !list[k][len])) {
			*val = list[k][len] ? list[k] + len + 1 : "";
			return 1;
		}
	return 0;
}

static void describe(const struct eng *E, const struct pb_step *s)
{
	FILE *f = E->o->out;

	fprintf(f, "\n== %s: %s%s%s%s\n", s->id, s->title ? s->title : "",
		s->owner ? " [" : "", s->owner ? s->owner : "", s->owner ? "]" : "");
	if (s->description)
		fprintf(f, "%s\n", s->description);
	for (size_t k = 0; k < s->nchecklist; k++)
		fprintf(f, "  [ ] %s\n", s->checklist[k]);
	for (size_t k = 0; k < s->nevidence; k++)
		fprintf(f, "  evidence: %s\n", s->evidence[k]);
	if (s->question)
		fprintf(f, "  question: %s\n", s->question);
}

/* Reads one line from the terminal into buf; 0, or -1 at end of input. */
static int ask(const struct eng *E, const char *prompt, char *buf, size_t n)
{
	fputs(prompt, E->o->out);
	fflush(E->o->out);
	if (!fgets(buf, (int)n, E->o->in))
		return -1;
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

/* Asks a person to complete (or answer) a step. 1 done, 0 waiting. */
int eng_manual(struct eng *E, const struct pb_step *s, const char **note,
		  int *answer, char *buf, size_t n)
{
	const char *v;

	*note = "";
	if (s->kind == PB_DECISION) {
		if (given(E->o->answer, E->o->nanswer, s->id, &v)) {
			*answer = !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "y");
			return 1;
		}
	} else if (given(E->o->done, E->o->ndone, s->id, &v)) {
		*note = v;
		return 1;
	}
	if (!E->o->interactive || !E->o->in)
		return 0;
	describe(E, s);
	for (;;) {
		if (ask(E, s->kind == PB_DECISION ? "Answer yes or no (empty: stop here): "
						  : "Done? yes or no (no: stop here): ",
			buf, n))
			return 0;
		if (!buf[0] || !strcmp(buf, "no") || !strcmp(buf, "n")) {
			if (s->kind != PB_DECISION || !buf[0])
				return 0;
			*answer = 0;
			break;
		}
		if (!strcmp(buf, "yes") || !strcmp(buf, "y")) {
			*answer = 1;
			break;
		}
	}
	if (ask(E, "Note for the custody log (optional): ", buf, n) == 0)
		*note = buf;
	return 1;
}

int eng_add_waiting(struct eng *E, const char *id)
{
	if (E->waiting.len)
		cf_buf_putc(&E->waiting, ' ');
	cf_buf_puts(&E->waiting, id);
	return cf_buf_error(&E->waiting) ? cf_set_nomem(E->ctx, "waiting list") : CF_OK;
}

/* ---- notices --------------------------------------------------------------- */

int eng_draft_notice(struct eng *E, const struct pb_step *s, char hex[CF_SHA256_HEX])
{
	char *ndir = cf_path_join(E->dir, "notices"), *path = NULL, *tpl = NULL;
	char t1[CF_TIME_STR], t2[CF_TIME_STR], name[300], dday[PB_DATE_STR];
	struct cf_ctx tctx;
	struct pb_clocks c;
	struct pb_cal cal;
	struct cf_buf b, body;
	const cJSON *inc = cJSON_GetObjectItemCaseSensitive(E->values, "incident");
	int64_t disc = 0, delay = 0, due;
	struct stat st;
	int rc = CF_FAILED;

	cf_buf_init(&b);
	cf_buf_init(&body);
	snprintf(name, sizeof name, "%s.md", s->id);
	if (!ndir || !(path = cf_path_join(ndir, name))) {
		rc = cf_set_nomem(E->ctx, "notice");
		goto out;
	}
	if (stat(path, &st) == 0) /* drafted before an interruption: keep it */
		goto digest;
	if (cf_path_mkdirs(E->ctx, ndir, 0750) != CF_OK)
		goto out;
	cf_time_parse(cf_json_str(E->state, "discovered", ""), -1, &disc, NULL);
	cf_time_parse(cf_json_str(E->state, "law_enforcement_delay_until", ""), -1, &delay, NULL);
	if (pb_cal_from_state(E->ctx, E->state, &cal) != CF_OK)
		goto out;
	pb_clocks_compute(&c, &cal, disc, delay, E->values);
	due = !strcmp(s->audience, "hhs") ? c.hhs : !strcmp(s->audience, "media") && c.media
		? c.media : c.individuals;
	if (s->deadline_us >= 0)
		due = pb_step_due(s, &cal, disc, delay);
	pb_due_date(&cal, due, dday);
	pb_cal_release(&cal);
	cf_buf_printf(&b, "# DRAFT notice: %s\n\n"
		      "- Audience: %s\n- Incident: %s\n- Discovered: %s\n"
		      "- Due no later than: %s (the end of that day, local time; "
		      "late from %s)\n- Individuals affected: %ld%s\n"
		      "- Drafted by playbook %s, step %s\n\n",
		      s->title, s->audience, cf_json_str(inc, "id", "(no incident file)"),
		      cf_time_format(disc, t1), dday, cf_time_format(due, t2), c.affected,
		      c.affected < 0 ? " (not known yet: run the scoping step)" : "",
		      E->pb->id, s->id);
	if (s->template_name) {
		snprintf(name, sizeof name, "notices/%s.md", s->template_name);
		cf_ctx_init(&tctx);
		if ((tpl = cf_data_file(&tctx, "playbooks", name)) &&
		    cf_buf_read_file(&tctx, &body, tpl, 1u << 20) == CF_OK)
			cf_buf_append(&b, body.data, body.len);
		else
			cf_buf_printf(&b, "(template '%s' not found: %s)\n",
				      s->template_name, cf_errmsg(&tctx));
	}
	if (cf_buf_error(&b)) {
		rc = cf_set_nomem(E->ctx, "notice");
		goto out;
	}
	if (cf_write_file_atomic(E->ctx, path, b.data, b.len, 0640, CF_ATOMIC_NO_REPLACE) != CF_OK)
		goto out;
digest:
	rc = eng_file_digest(E->ctx, path, hex);
out:
	cf_buf_release(&b);
	cf_buf_release(&body);
	free(tpl);
	free(path);
	free(ndir);
	return rc;
}

/* ---- run steps ------------------------------------------------------------- */

/* Appends arg as a shell word a person can read and paste: bare when it
 * holds only safe characters, else quoted; control bytes are shown as
 * \xNN (in $'...') so that none can redraw the line on a terminal. A
 * failure stays on b (cf_buf_error). */
static void quote_arg(struct cf_buf *b, const char *a)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789_@%+=:,./-";
	int ctl = 0;

	if (*a && strspn(a, safe) == strlen(a)) {
		cf_buf_puts(b, a);
		return;
	}
	for (const char *p = a; *p; p++)
		ctl |= (unsigned char)*p < 0x20 || *p == 0x7f;
	if (!ctl) {
		cf_buf_putc(b, '\'');
		for (const char *p = a; *p; p++)
			if (*p == '\'')
				cf_buf_puts(b, "'\\''");
			else
				cf_buf_putc(b, *p);
		cf_buf_putc(b, '\'');
		return;
	}
	cf_buf_puts(b, "$'");
	for (const char *p = a; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f)
			cf_buf_printf(b, "\\x%02x", c);
		else if (c == '\'' || c == '\\')
			cf_buf_printf(b, "\\%c", c);
		else
			cf_buf_putc(b, (char)c);
	}
	cf_buf_putc(b, '\'');
}

/* 1 when host (as in a clickhouse:// URL, "[::1]" for IPv6) is loopback:
 * localhost, 127.0.0.0/8 or ::1. */
static int loopback_host(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char h[64];
	size_t n = strlen(host);

	if (!strcmp(host, "localhost"))
		return 1;
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof h) {
		memcpy(h, host + 1, n - 2);
		h[n - 2] = '\0';
		return inet_pton(AF_INET6, h, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
	}
	return inet_pton(AF_INET, host, &a4) == 1 &&
	       (ntohl(a4.s_addr) >> 24) == 127;
}

/* Checks one HOST[:PORT] of a clickhouse:// URL against loopback and the
 * case's clickhouse_hosts. */
static int check_db_host(struct eng *E, const struct pb_step *s, const char *url,
			 const char *p, size_t n)
{
	char host[256];
	size_t hl = n;

	if (n && p[0] == '[') {               /* [v6]:port */
		const char *e = memchr(p, ']', n);
		hl = e ? (size_t)(e - p) + 1 : n;
	} else {
		const char *c = memchr(p, ':', n);
		hl = c ? (size_t)(c - p) : n;
	}
	if (!hl || hl >= sizeof host)
		return cf_set_error(E->ctx, 0, "step '%s': bad host in '%s'; not run",
				    s->id, url);
	memcpy(host, p, hl);
	host[hl] = '\0';
	if (loopback_host(host))
		return CF_OK;
	for (size_t i = 0; i < E->o->ndb_hosts; i++)
		if (!strcasecmp(E->o->db_hosts[i], host))
			return CF_OK;
	return cf_set_error(E->ctx, 0, "step '%s': '%s' names the database host "
			    "'%s', which is neither loopback nor listed in the case's "
			    "%s (clickhouse_hosts); not run", s->id, url, host,
			    "case.json");
}

/* A run step may only reach a ClickHouse server on this machine or one the
 * case names: every argument holding "clickhouse://" is checked, whatever
 * option carries it (--db, --db=, an abbreviation), shards included. */
static int check_db_urls(struct eng *E, const struct pb_step *s, char **args)
{
	for (size_t k = 0; k < s->argc; k++) {
		const char *u, *p, *end, *q;

		for (u = strstr(args[k], "clickhouse://"); u;
		     u = strstr(u + 13, "clickhouse://")) {
			p = u + 13;
			end = p + strcspn(p, "/?");
			if (check_db_host(E, s, args[k], p, (size_t)(end - p)) != CF_OK)
				return CF_FAILED;
			for (q = strstr(end, "shards="); q; q = strstr(q, "shards=")) {
				q += 7;
				while (*q && *q != '&') {
					size_t m = strcspn(q, ",&");
					if (check_db_host(E, s, args[k], q, m) != CF_OK)
						return CF_FAILED;
					q += m + (q[m] == ',');
				}
			}
		}
	}
	return CF_OK;
}

/* Shows a run step and what it will run, then, unless --yes, asks on the
 * terminal. 1 to run it, 0 when the person said no (or input ended). */
static int confirm_step(struct eng *E, const struct pb_step *s, char **args)
{
	struct cf_buf b;
	char ans[64];
	int go = 0;

	cf_buf_init(&b);
	cf_buf_puts(&b, "casefile");
	for (size_t k = 0; k < s->argc; k++) {
		cf_buf_putc(&b, ' ');
		quote_arg(&b, args[k]);
	}
	if (cf_buf_error(&b)) {
		cf_buf_release(&b);
		return cf_set_nomem(E->ctx, s->id);
	}
	if (E->o->out) {
		fprintf(E->o->out, "step %s: %s\n  runs, in %s:\n  %s\n", s->id,
			s->title ? s->title : "", E->o->case_dir, b.data);
		fflush(E->o->out);
	}
	cf_buf_release(&b);
	if (!E->o->confirm)
		return 1;
	while (E->o->in && E->o->out &&
	       ask(E, "Run it? yes or no (no: stop here): ", ans, sizeof ans) == 0) {
		if (!strcmp(ans, "yes") || !strcmp(ans, "y")) {
			go = 1;
			break;
		}
		if (!ans[0] || !strcmp(ans, "no") || !strcmp(ans, "n"))
			break;
	}
	return go;
}

/* Shows what a finished step printed: the file itself up to SHOW_MAX
 * bytes, else where it is. */
#define SHOW_MAX (64u << 10)
static void show_output(const struct eng *E, const struct pb_step *s,
			const char *path, const char *what)
{
	struct cf_buf b;
	struct cf_ctx ctx;
	struct stat st;

	if (!E->o->out || stat(path, &st) != 0 || !st.st_size)
		return;
	cf_ctx_init(&ctx);
	cf_buf_init(&b);
	if ((uint64_t)st.st_size <= SHOW_MAX &&
	    cf_buf_read_file(&ctx, &b, path, SHOW_MAX) == CF_OK && b.len) {
		fprintf(E->o->out, "--- %s %s ---\n", s->id, what);
		fwrite(b.data, 1, b.len, E->o->out);
		if (b.data[b.len - 1] != '\n')
			fputc('\n', E->o->out);
	} else {
		fprintf(E->o->out, "--- %s %s: %llu bytes in %s ---\n", s->id, what,
			(unsigned long long)st.st_size, path);
	}
	fflush(E->o->out);
	cf_buf_release(&b);
}

/* The helper: runs the command, then records its exit status. Never
 * returns. Runs in the forked child with the step lock inherited. */
static void helper(const struct eng *E, const struct pb_step *s, char **args,
		   const char *outp, const char *errp, const char *resp)
{
	char **argv = cf_calloc(s->argc + 2, sizeof *argv);
	struct cf_ctx ctx;
	char text[128], t[CF_TIME_STR];
	int status = 0, code;
	pid_t pid;

	/* The helper may outlive the engine: it must not keep the run lock,
	 * or the resumed run would think this one still runs. It keeps the
	 * step lock, inherited, until the command's result is written. */
	if (E->run_lock >= 0)
		close(E->run_lock);
	if (!argv)
		_exit(127);
	argv[0] = "casefile";
	for (size_t k = 0; k < s->argc; k++)
		argv[k + 1] = args[k];
	pid = fork();
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int out = open(outp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0640);
		int err = open(errp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0640);
		if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
		    dup2(err, 2) < 0 || chdir(E->o->case_dir) < 0)
			_exit(127);
		execv(E->o->self_exe, argv);
		_exit(127);
	}
	if (pid < 0)
		_exit(126);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			_exit(126);
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	snprintf(text, sizeof text, "{\"exit\":%d,\"finished\":\"%s\"}\n", code,
		 cf_time_format(cf_time_now(), t));
	cf_ctx_init(&ctx);
	_exit(cf_write_file_atomic(&ctx, resp, text, strlen(text), 0640, 0) == CF_OK ? 0 : 125);
}

#define ROOT_HINT "set root to a mounted image or copied tree (--set root=DIR), " \
	"or --set root=/ to collect the machine the run is on"

/* The value of option opt in a step's arguments, or NULL. */
static const char *arg_value(const struct pb_step *s, char **args, const char *opt)
{
	size_t n = strlen(opt);

	for (size_t k = 1; k < s->argc; k++) {
		if (!strcmp(args[k], opt) && k + 1 < s->argc)
			return args[k + 1];
		if (!strncmp(args[k], opt, n) && args[k][n] == '=')
			return args[k] + n + 1;
	}
	return NULL;
}

/* A collect step names who collects and for which case (an archive with
 * neither cannot be tied to the case), and collects the machine the run
 * is on only when the run's inputs say so: a profile collected with a
 * --root of "/", or with no --root at all, needs the value `root` given
 * as "/" (--set root=/, or the playbook's vars). Paths named without a
 * profile are what the step names, and are taken as they are. */
static int check_collect(struct eng *E, const struct pb_step *s, char **args)
{
	const char *ex, *id, *root, *asked;

	if (!s->argc || strcmp(args[0], "collect"))
		return CF_OK;
	ex = arg_value(s, args, "--examiner");
	id = arg_value(s, args, "--case-id");
	if ((!ex || !*ex) && (!id || !*id))
		return cf_set_error(E->ctx, 0, "step '%s' would collect evidence without an "
				    "examiner or a case id: give the case both (casefile init "
				    "--examiner NAME --case-id ID) or the step --examiner and "
				    "--case-id", s->id);
	root = arg_value(s, args, "--root");
	asked = cf_json_str(cJSON_GetObjectItemCaseSensitive(E->values, "vars"), "root", NULL);
	if (((root && !strcmp(root, "/")) || (!root && arg_value(s, args, "--profile"))) &&
	    !(asked && !strcmp(asked, "/")))
		return cf_set_error(E->ctx, 0, "step '%s' would collect this machine: "
				    ROOT_HINT, s->id);
	return CF_OK;
}

int eng_run_step(struct eng *E, size_t i, int *outcome)
{
	const struct pb_step *s = &E->pb->steps[i];
	char *outp = eng_in_dir(E, s->id, ".out"), *errp = eng_in_dir(E, s->id, ".err");
	char *resp = eng_in_dir(E, s->id, ".result"), *lockp = eng_in_dir(E, s->id, ".lock");
	char hex[CF_SHA256_HEX];
	cJSON *st = eng_step_state(E, s->id), *res = NULL, *saved = NULL;
	char **args = cf_calloc(s->argc + 1, sizeof *args);
	struct cf_buf cmd;
	struct stat sb;
	int lock = -1, rc = CF_FAILED, code;
	pid_t pid;

	*outcome = STEP_ERROR;
	cf_buf_init(&cmd);
	if (!outp || !errp || !resp || !lockp || !st || !args) {
		rc = cf_set_nomem(E->ctx, s->id);
		goto out;
	}
	/* ${NAME} from the run's values, before anything is started */
	for (size_t k = 0; k < s->argc; k++) {
		if (pb_expand(E->ctx, s->argv[k], E->values, &args[k]) != CF_OK) {
			/* a collection's root is never guessed (check_collect) */
			if (!strcmp(s->argv[0], "collect") && strstr(s->argv[k], "${root}"))
				rc = cf_set_error(E->ctx, 0, "step '%s' would collect this "
						  "machine: " ROOT_HINT, s->id);
			else
				rc = cf_error_prefix(E->ctx, "step '%s'", s->id);
			goto out;
		}
		cf_buf_puts(&cmd, k ? " " : "casefile ");
		cf_buf_puts(&cmd, args[k]);
	}
	if (cf_buf_error(&cmd)) {
		rc = cf_set_nomem(E->ctx, s->id);
		goto out;
	}
	lock = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (lock < 0) {
		rc = cf_set_error(E->ctx, errno, "cannot open '%s'", lockp);
		goto out;
	}
	/* Blocks while a helper from an interrupted run is still working. */
	while (flock(lock, LOCK_EX) < 0)
		if (errno != EINTR) {
			rc = cf_set_error(E->ctx, errno, "cannot lock '%s'", lockp);
			goto out;
		}
	if (!strcmp(cf_json_str(st, "status", ""), "started") && stat(resp, &sb) == 0) {
		if (E->o->out)
			fprintf(E->o->out, "%s: taking the result of the interrupted run\n", s->id);
		goto finished;
	}
	/* Nothing runs unseen: the host check, the collection check, the exact
	 * command, and (unless --yes) the person's yes. */
	if (check_db_urls(E, s, args) != CF_OK || check_collect(E, s, args) != CF_OK)
		goto out;
	if ((code = confirm_step(E, s, args)) != 1) {
		if (code == 0) {
			*outcome = STEP_WAIT;
			rc = eng_add_waiting(E, s->id);
		}
		goto out;
	}
	unlink(resp);
	if (eng_set_str(st, "kind", "run") || eng_set_str(st, "status", "started") ||
	    eng_set_str(st, "command", cmd.data) ||
	    eng_set_int(st, "attempt", cf_json_int(st, "attempt", 0) + 1) ||
	    eng_set_time(st, "started", now_us(E))) {
		rc = cf_set_nomem(E->ctx, "state");
		goto out;
	}
	if (eng_save(E) != CF_OK)
		goto out;
	if (E->o->out) {
		fprintf(E->o->out, "%s: %s\n", s->id, cmd.data);
		fflush(E->o->out);
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		rc = cf_set_error(E->ctx, errno, "cannot fork");
		goto out;
	}
	if (pid == 0)
		helper(E, s, args, outp, errp, resp);
	{
		int status;
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR) {
				rc = cf_set_error(E->ctx, errno, "waiting for step '%s'", s->id);
				goto out;
			}
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			rc = cf_set_error(E->ctx, 0, "step '%s': could not run '%s' (helper status %d)",
					  s->id, E->o->self_exe, status);
			goto out;
		}
	}
finished:
	show_output(E, s, outp, "output");
	show_output(E, s, errp, "messages");
	if (cf_json_parse_file(E->ctx, resp, 4096, &res) != CF_OK)
		goto out;
	code = (int)cf_json_int(res, "exit", -1);
	if (eng_set_int(st, "exit", code) || eng_file_digest(E->ctx, outp, hex) != CF_OK ||
	    eng_set_str(st, "subject", hex)) {
		rc = CF_FAILED;
		goto out;
	}
	if (code != 0) {
		struct cf_buf eb;
		cf_buf_init(&eb);
		cf_buf_read_file(E->ctx, &eb, errp, 4096);
		if (eng_set_str(st, "status", "failed") ||
		    (cJSON_DeleteItemFromObjectCaseSensitive(st, "owed"),
		     !cJSON_AddTrueToObject(st, "owed")) || eng_save(E) != CF_OK ||
		    eng_log_owed(E, s->id, "playbook-step") != CF_OK) {
			cf_buf_release(&eb);
			goto out;
		}
		if (eb.len && eb.data[eb.len - 1] == '\n')
			eb.data[--eb.len] = '\0';
		rc = cf_set_error(E->ctx, 0, "step '%s' failed (exit %d)%s%s", s->id, code,
				  eb.len ? ": " : "", eb.len ? eb.data : "");
		cf_buf_release(&eb);
		goto out;
	}
	if (s->save) {
		if (cf_json_parse_file(E->ctx, outp, MAX_OUTPUT, &saved) != CF_OK) {
			cf_error_prefix(E->ctx, "step '%s': output to save as '%s' is not JSON",
					s->id, s->save);
			goto out;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(E->values, s->save);
		if (!cJSON_AddItemToObject(E->values, s->save, saved)) {
			cJSON_Delete(saved);
			rc = cf_set_nomem(E->ctx, "values");
			goto out;
		}
	}
	rc = eng_complete(E, i, 0);
	if (rc == CF_OK)
		*outcome = STEP_ADVANCE;
out:
	if (lock >= 0)
		close(lock);
	for (size_t k = 0; args && k < s->argc; k++)
		free(args[k]);
	free(args);
	cf_buf_release(&cmd);
	cJSON_Delete(res);
	free(outp);
	free(errp);
	free(resp);
	free(lockp);
	return rc;
}
