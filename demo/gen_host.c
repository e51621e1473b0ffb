/* SPDX-License-Identifier: Apache-2.0
 *
 * The operating system's side of the world: syslog (RFC 3164, year-less, as
 * rsyslog writes it on Debian), auth.log (sshd logins, brute force from the
 * Internet, sudo), auditd's audit.log (USER_AUTH/USER_LOGIN for sshd,
 * SYSCALL+EXECVE+CWD+PATH+PROCTITLE groups for commands, one serial per
 * group), and the configuration files an examiner reads first.
 *
 * The host keeps UTC (/etc/timezone), so the year-less syslog stamps and
 * auditd's epoch seconds name the same instants. Events are made minute by
 * minute so auditd serials rise with time as they do on a real host. Model
 * deployments show here too (an operator logs in, restarts the inference
 * service, which logs the version it loaded), which is how a timeline ties a
 * model version to a time independently of MLflow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/time.h"
#include "gen.h"

struct op { const char *user; unsigned uid; uint32_t ip; };
static const struct op ops[] = {
	{"jdoe", 1001, (10u << 24) | (20u << 16) | (9u << 8) | 15},
	{"asmith", 1002, (10u << 24) | (20u << 16) | (9u << 8) | 16},
	{"deploy", 1003, (10u << 24) | (20u << 16) | (9u << 8) | 40},
};

static void proctitle(const char *cmd, char *out, size_t n)
{
	/* auditd logs the command line hex-encoded with NULs between args. */
	size_t j = 0;

	for (const char *p = cmd; *p && j + 3 < n; p++, j += 2)
		snprintf(out + j, n - j, "%02X", *p == ' ' ? 0 : (unsigned char)*p);
	out[j] = '\0';
}

static int queue(struct gen_world *w, const struct gen_audit *a)
{
	if (gen_grow(&w->aud, &w->capaud, w->naud, sizeof *w->aud, 256) < 0)
		return -1;
	w->aud[w->naud] = *a;
	w->aud[w->naud].seq = w->naud;
	w->naud++;
	return 0;
}

static int audit_exec(struct gen_world *w, int64_t t, unsigned uid,
		      unsigned auid, unsigned ses, const char *exe,
		      const char *cmd, unsigned pid)
{
	struct gen_audit a = {t, 0, "EXECVE", exe, cmd, NULL, NULL, uid, auid,
			      ses, pid, 0, 1};
	return queue(w, &a);
}

static int audit_user(struct gen_world *w, int64_t t, const char *type,
		      unsigned pid, unsigned auid, unsigned ses, const char *op,
		      const char *acct, uint32_t ip, int ok)
{
	struct gen_audit a = {t, 0, type, NULL, NULL, op, acct, 0, auid, ses,
			      pid, ip, ok};
	return queue(w, &a);
}

/* One auditd execve group: SYSCALL, EXECVE, CWD, PATH, PROCTITLE. */
static int write_exec(struct gen_world *w, int64_t t, unsigned uid,
		      unsigned auid, unsigned ses, const char *exe,
		      const char *cmd, unsigned pid)
{
	char title[256], args[256] = "";
	unsigned argc = 0;
	long long s = t / 1000000;
	unsigned ms = (unsigned)(t / 1000 % 1000);
	unsigned long long n = ++w->audit_serial;
	const char *p = cmd;
	size_t j = 0;

	while (*p) {
		const char *e = strchr(p, ' ');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		j += (size_t)snprintf(args + j, sizeof args - j, " a%u=\"%.*s\"",
				      argc++, (int)len, p);
		if (j >= sizeof args)
			j = sizeof args - 1;
		p += len + (e ? 1 : 0);
	}
	proctitle(cmd, title, sizeof title);
	return gen_sink_printf(&w->audit, t,
		"type=SYSCALL msg=audit(%lld.%03u:%llu): arch=c000003e syscall=59 "
		"success=yes exit=0 a0=55d0c2a0 a1=55d0c2b8 a2=55d0c2d0 a3=0 items=2 "
		"ppid=%u pid=%u auid=%u uid=%u gid=%u euid=%u suid=%u fsuid=%u "
		"egid=%u sgid=%u fsgid=%u tty=pts0 ses=%u comm=\"%.15s\" exe=\"%s\" "
		"key=\"exec\"", s, ms, n, pid - 1, pid, auid, uid, uid, uid, uid, uid,
		uid, uid, uid, ses, strrchr(exe, '/') + 1, exe) < 0 ||
	       gen_sink_printf(&w->audit, t,
		"type=EXECVE msg=audit(%lld.%03u:%llu): argc=%u%s", s, ms, n, argc,
		args) < 0 ||
	       gen_sink_printf(&w->audit, t,
		"type=CWD msg=audit(%lld.%03u:%llu): cwd=\"/root\"", s, ms, n) < 0 ||
	       gen_sink_printf(&w->audit, t,
		"type=PATH msg=audit(%lld.%03u:%llu): item=0 name=\"%s\" inode=%u "
		"dev=fd:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL "
		"cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0", s, ms, n, exe,
		131000 + pid % 5000) < 0 ||
	       gen_sink_printf(&w->audit, t,
		"type=PATH msg=audit(%lld.%03u:%llu): item=1 name=\"/lib64/ld-linux-"
		"x86-64.so.2\" inode=1839 dev=fd:01 mode=0100755 ouid=0 ogid=0 "
		"rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 "
		"cap_frootid=0", s, ms, n) < 0 ||
	       gen_sink_printf(&w->audit, t,
		"type=PROCTITLE msg=audit(%lld.%03u:%llu): proctitle=%s", s, ms, n,
		title) < 0 ? -1 : 0;
}

static int write_user(struct gen_world *w, int64_t t, const char *type,
		      unsigned pid, unsigned auid, unsigned ses, const char *op,
		      const char *acct, uint32_t ip, int ok)
{
	char a[16];

	gen_ip_str(ip, a);
	return gen_sink_printf(&w->audit, t,
		"type=%s msg=audit(%lld.%03u:%llu): pid=%u uid=0 auid=%u ses=%u "
		"subj=unconfined msg='op=%s acct=\"%s\" exe=\"/usr/sbin/sshd\" "
		"hostname=%s addr=%s terminal=ssh res=%s'", type,
		(long long)(t / 1000000), (unsigned)(t / 1000 % 1000),
		(unsigned long long)++w->audit_serial, pid, auid, ses, op, acct, a, a,
		ok ? "success" : "failed");
}

/* An operator's session: login, a sudo command, logout. */
static int session(struct gen_world *w, int64_t t, const struct op *o,
		   const char *cmd, const char *exe)
{
	struct gen_rng *r = &w->rng_host;
	char ts[24], ip[16], fp[44];
	unsigned pid = 20000 + gen_rng_below(r, 40000), ses = 1 + gen_rng_below(r, 900);
	unsigned port = 40000 + gen_rng_below(r, 25000);
	int64_t t2 = t + 35 * 1000000LL, t3 = t + 300 * 1000000LL;

	gen_ip_str(o->ip, ip);
	for (int i = 0; i < 43; i++)
		fp[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
			[(o->uid * 7 + i * 13) % 64];
	fp[43] = '\0';
	gen_time_3164(t, ts);
	if (gen_sink_printf(&w->auth, t, "%s %s sshd[%u]: Accepted publickey for %s "
			    "from %s port %u ssh2: ED25519 SHA256:%s", ts,
			    w->hostname, pid, o->user, ip, port, fp) < 0 ||
	    gen_sink_printf(&w->auth, t, "%s %s sshd[%u]: pam_unix(sshd:session): "
			    "session opened for user %s(uid=%u) by (uid=0)", ts,
			    w->hostname, pid, o->user, o->uid) < 0 ||
	    audit_user(w, t, "USER_AUTH", pid, 4294967295u, 4294967295u,
		       "PAM:authentication", o->user, o->ip, 1) < 0 ||
	    audit_user(w, t, "USER_LOGIN", pid, o->uid, ses, "login", o->user,
		       o->ip, 1) < 0)
		return -1;
	gen_time_3164(t2, ts);
	if (gen_sink_printf(&w->auth, t2, "%s %s sudo: %8s : TTY=pts/0 ; "
			    "PWD=/home/%s ; USER=root ; COMMAND=%s", ts, w->hostname,
			    o->user, o->user, cmd) < 0 ||
	    audit_exec(w, t2, 0, o->uid, ses, exe, cmd + (cmd[0] == '/' ? 0 : 0),
		       pid + 7) < 0)
		return -1;
	gen_time_3164(t3, ts);
	return gen_sink_printf(&w->auth, t3, "%s %s sshd[%u]: pam_unix(sshd:session): "
			       "session closed for user %s", ts, w->hostname, pid,
			       o->user);
}

static int brute_force(struct gen_world *w, int64_t t)
{
	static const char *const users[] = {"admin", "root", "test", "oracle",
					    "ubuntu", "postgres", "guest"};
	struct gen_rng *r = &w->rng_host;
	uint32_t ip = (45u << 24) | ((uint32_t)gen_rng_below(r, 256) << 16) |
		      ((uint32_t)gen_rng_below(r, 256) << 8) | (1 + gen_rng_below(r, 254));
	const char *u = users[gen_rng_below(r, 7)];
	unsigned pid = 20000 + gen_rng_below(r, 40000), port = 30000 + gen_rng_below(r, 30000);
	char ts[24], a[16];
	int root = !strcmp(u, "root");

	gen_ip_str(ip, a);
	gen_time_3164(t, ts);
	if (gen_sink_printf(&w->auth, t, "%s %s sshd[%u]: Failed password for %s%s "
			    "from %s port %u ssh2", ts, w->hostname, pid,
			    root ? "" : "invalid user ", u, a, port) < 0 ||
	    gen_sink_printf(&w->auth, t + 1000000, "%s %s sshd[%u]: Connection closed "
			    "by %s%s %s port %u [preauth]", ts, w->hostname, pid,
			    root ? "authenticating user " : "invalid user ", u, a,
			    port) < 0)
		return -1;
	return audit_user(w, t, "USER_LOGIN", pid, 4294967295u, 4294967295u,
			  "login", u, ip, 0);
}

static int cmp_audit(const void *a, const void *b)
{
	const struct gen_audit *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Gives the hour's auditd events their serials in time order and writes
 * them. */
static int write_audit(struct gen_world *w)
{
	if (w->naud)
		qsort(w->aud, w->naud, sizeof *w->aud, cmp_audit);
	for (size_t i = 0; i < w->naud; i++) {
		const struct gen_audit *a = &w->aud[i];
		if (a->exe ? write_exec(w, a->t, a->uid, a->auid, a->ses, a->exe,
					a->cmd, a->pid) < 0
			   : write_user(w, a->t, a->type, a->pid, a->auid, a->ses,
					a->op, a->acct, a->ip, a->ok) < 0)
			return -1;
	}
	w->naud = 0;
	return 0;
}

int gen_host_hour(struct cf_ctx *ctx, struct gen_world *w, int64_t t)
{
	struct gen_rng *r = &w->rng_host;
	unsigned h = (unsigned)(t % GEN_US_DAY / GEN_US_HOUR);
	unsigned noise = 1 + w->o->scale;
	char ts[24];
	int bad = 0;

	if (t == w->t0)
		w->audit_serial = 48000; /* a host that has been up a while */
	for (unsigned min = 0; min < 60 && !bad; min++) {
		int64_t m = t + min * 60000000LL;

		gen_time_3164(m + 1000000, ts);
		if (min == 17) { /* hourly cron, as /etc/crontab has it */
			bad |= gen_sink_printf(&w->syslog, m + 1000000,
				"%s %s CRON[%u]: (root) CMD (cd / && run-parts --report "
				"/etc/cron.hourly)", ts, w->hostname,
				10000 + gen_rng_below(r, 50000)) < 0;
			bad |= audit_exec(w, m + 1000000, 0, 4294967295u, 4294967295u,
					  "/usr/bin/run-parts",
					  "run-parts --report /etc/cron.hourly",
					  10000 + gen_rng_below(r, 50000)) < 0;
		}
		if (min % 5 == 0)
			bad |= gen_sink_printf(&w->syslog, m + 2000000,
				"%s %s inference-api[812]: health ok: sepsis-risk v%d, "
				"readmission-risk v%d, queue 0", ts, w->hostname,
				gen_model_version_at(w, 0, m), gen_model_version_at(w, 1, m)) < 0;
		/* The Internet knocks: blocked packets and ssh password guessing. */
		for (unsigned k = gen_rng_below(r, noise); k && !bad; k--) {
			int64_t e = m + gen_rng_below(r, 59000000);
			char es[24];
			gen_time_3164(e, es);
			if (gen_rng_chance(r, 6000))
				bad |= gen_sink_printf(&w->syslog, e,
					"%s %s kernel: [%llu.%06u] [UFW BLOCK] IN=eth0 OUT= "
					"MAC=52:54:00:12:34:56 SRC=%u.%u.%u.%u DST=10.20.0.5 "
					"LEN=44 TOS=0x00 PREC=0x00 TTL=%u ID=%u PROTO=TCP "
					"SPT=%u DPT=%u WINDOW=1024 RES=0x00 SYN URGP=0", es,
					w->hostname,
					(unsigned long long)((e - w->t0) / 1000000 + 86400),
					(unsigned)(e % 1000000), 80 + gen_rng_below(r, 120),
					gen_rng_below(r, 256), gen_rng_below(r, 256),
					1 + gen_rng_below(r, 254), 32 + gen_rng_below(r, 200),
					gen_rng_below(r, 65536), 1024 + gen_rng_below(r, 60000),
					gen_rng_below(r, 2) ? 3389 : 23) < 0;
			else
				bad |= brute_force(w, e) < 0;
		}
		/* Operators log in during office hours now and then. */
		if (h >= 9 && h < 17 && min == 40 && gen_rng_chance(r, 2500))
			bad |= session(w, m, &ops[gen_rng_below(r, 2)],
				       "/usr/bin/journalctl -u ehr-app --since today",
				       "/usr/bin/journalctl") < 0;
		/* Deployments of a model version inside this minute. */
		for (int mi = 0; mi < GEN_MODELS && !bad; mi++)
			for (int vi = 0; vi < w->models[mi].nv; vi++) {
				int64_t f = w->models[mi].v[vi].from;
				char fs[24];
				if (f < m || f >= m + 60000000LL)
					continue;
				/* The operator logs in shortly before, within
				 * this hour (earlier hours are written). */
				bad |= session(w, f - 120000000LL < t ? t : f - 120000000LL,
					       &ops[2],
					       "/usr/bin/systemctl restart inference-api",
					       "/usr/bin/systemctl") < 0;
				gen_time_3164(f, fs);
				bad |= gen_sink_printf(&w->syslog, f,
					"%s %s inference-api[812]: loaded model %s version %d "
					"from /srv/mlflow/artifacts/%s/model.bin", fs,
					w->hostname, w->models[mi].name,
					w->models[mi].v[vi].version,
					w->models[mi].v[vi].run_id) < 0;
			}
	}
	if (!bad && h == 6) {
		gen_time_3164(t + 25 * 60000000LL, ts);
		bad |= gen_sink_printf(&w->syslog, t + 25 * 60000000LL,
			"%s %s systemd[1]: Starting logrotate.service - Rotate log "
			"files...", ts, w->hostname) < 0;
	}
	if (!bad)
		bad |= write_audit(w) < 0;
	return bad ? cf_set_nomem(ctx, "host logs") : CF_OK;
}

/* ---- configuration files ------------------------------------------------- */
int gen_host_configs(struct cf_ctx *ctx, struct gen_world *w)
{
	int64_t when = w->t0 - 40 * GEN_US_DAY;
	char mid[33];
	struct cf_buf b;
	int rc;
	static const char nginx_conf[] =
		"user www-data;\nworker_processes auto;\npid /run/nginx.pid;\n\n"
		"events {\n\tworker_connections 768;\n}\n\nhttp {\n"
		"\tsendfile on;\n\ttcp_nopush on;\n\ttypes_hash_max_size 2048;\n"
		"\tserver_tokens off;\n\tinclude /etc/nginx/mime.types;\n"
		"\tdefault_type application/octet-stream;\n"
		"\tssl_protocols TLSv1.2 TLSv1.3;\n\tssl_prefer_server_ciphers on;\n"
		"\t# combined: $remote_addr - $remote_user [$time_local] \"$request\" "
		"$status $body_bytes_sent \"$http_referer\" \"$http_user_agent\"\n"
		"\taccess_log /var/log/nginx/access.log combined;\n"
		"\terror_log /var/log/nginx/error.log;\n\n"
		"\tserver {\n\t\tlisten 443 ssl;\n\t\tserver_name ehr.example.org;\n"
		"\t\tssl_certificate /etc/ssl/certs/ehr.example.org.pem;\n"
		"\t\tssl_certificate_key /etc/ssl/private/ehr.example.org.key;\n"
		"\t\tlocation /fhir/ { proxy_pass http://127.0.0.1:8080/fhir/; }\n"
		"\t\tlocation /auth/ { proxy_pass http://127.0.0.1:8080/auth/; }\n"
		"\t\tlocation /app/ { root /srv/ehr/www; }\n\t}\n\n"
		"\tserver {\n\t\tlisten 127.0.0.1:80;\n\t\tserver_name inference.internal;\n"
		"\t\tlocation /v1/ { proxy_pass http://127.0.0.1:9090/v1/; }\n\t}\n}\n";
	static const char ehr_yaml[] =
		"# EHR front end (FHIR R4 server)\n"
		"site: ehr-app01\n"
		"organization: Example Health\n"
		"fhir:\n  base_url: https://ehr.example.org/fhir\n  version: 4.0.1\n"
		"audit:\n  format: fhir-r4-auditevent-ndjson\n"
		"  path: /var/log/ehr/audit-%Y-%m-%d.ndjson\n"
		"  record_level_search_audit: true\n"
		"access_control:\n  care_team_scoping: true\n"
		"  restricted_records: require-break-the-glass\n"
		"  break_the_glass_purpose: ETREAT\n"
		"auth:\n  password_min_length: 12\n  lockout_after_failures: 5\n"
		"  mfa: optional\n"
		"export:\n  patients: /var/lib/ehr/export/Patient.ndjson\n"
		"  bulk_page_size: 50\n"
		"inference:\n  url: http://inference.internal/v1/models\n"
		"  sepsis_on_vitals_view: true\n";
	static const char sshd_conf[] =
		"Include /etc/ssh/sshd_config.d/*.conf\n"
		"Port 22\nPermitRootLogin no\nPubkeyAuthentication yes\n"
		"PasswordAuthentication yes\nKbdInteractiveAuthentication no\n"
		"UsePAM yes\nX11Forwarding no\nPrintMotd no\nLogLevel INFO\n"
		"AcceptEnv LANG LC_*\n"
		"Subsystem sftp /usr/lib/openssh/sftp-server\n";
	static const char os_release[] =
		"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
		"NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n"
		"VERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n"
		"HOME_URL=\"https://www.debian.org/\"\n"
		"SUPPORT_URL=\"https://www.debian.org/support\"\n"
		"BUG_REPORT_URL=\"https://bugs.debian.org/\"\n";
	static const char logrotate[] =
		"/var/log/nginx/*.log {\n\tweekly\n\tmissingok\n\trotate 14\n"
		"\tcompress\n\tdelaycompress\n\tnotifempty\n\tcreate 0640 www-data adm\n"
		"\tsharedscripts\n}\n";

	cf_buf_init(&b);
	gen_rng_hex(&w->rng_setup, mid, 32);
	rc = cf_buf_printf(&b,
		"# AI inference service\nlisten: 127.0.0.1:9090\n"
		"decision_log:\n  path: /var/log/inference/decisions-{model}.jsonl\n"
		"  fields: [time, model, model_version, patient, input_ref, output, "
		"score, threshold, user, override, request_id]\n"
		"registry:\n  tracking_uri: sqlite:////srv/mlflow/mlflow.db\n"
		"  artifact_root: /srv/mlflow/artifacts\n  alias: champion\n"
		"models:\n  - name: sepsis-risk\n    threshold: 0.5\n"
		"    trigger: vitals-view\n  - name: readmission-risk\n"
		"    threshold: 0.35\n    trigger: nightly-batch\n"
		"phi_logging: ids-only\n") ? CF_FAILED : CF_OK;
	if (rc != CF_OK) {
		cf_buf_release(&b);
		return cf_set_nomem(ctx, "configs");
	}
	if ((rc = gen_write_text(ctx, w, "etc/nginx/nginx.conf", nginx_conf, when)) ||
	    (rc = gen_write_text(ctx, w, "etc/ehr/ehr.yaml", ehr_yaml, when)) ||
	    (rc = gen_write_text(ctx, w, "etc/inference/service.yaml", b.data, when)) ||
	    (rc = gen_write_text(ctx, w, "etc/ssh/sshd_config", sshd_conf, when)) ||
	    (rc = gen_write_text(ctx, w, "etc/os-release", os_release, when)) ||
	    (rc = gen_write_text(ctx, w, "etc/logrotate.d/nginx", logrotate, when)) ||
	    (rc = gen_write_text(ctx, w, "etc/hostname", "ehr-app01\n", when)) ||
	    (rc = gen_write_text(ctx, w, "etc/timezone", "Etc/UTC\n", when)))
		goto out;
	cf_buf_reset(&b);
	if (cf_buf_printf(&b, "%s\n", mid)) {
		rc = cf_set_nomem(ctx, "configs");
		goto out;
	}
	rc = gen_write_text(ctx, w, "etc/machine-id", b.data, when);
out:
	cf_buf_release(&b);
	return rc;
}
