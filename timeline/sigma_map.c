/* SPDX-License-Identifier: Apache-2.0
 *
 * Where Sigma's fields and logsources live in the timeline: the two tables
 * man/casefile-detect.5 documents, in one place. A Sigma rule names fields
 * as its log source spells them (CloudTrail's eventName, auditd's exe and
 * a0, a Linux rule's User); casefile's parsers put them in columns (action,
 * actor...) or attributes (timeline/auditd.c, cloudtrail.c, syslog.c,
 * programs.c, sshd.c). A field in neither table is refused by the loader:
 * a rule must never quietly test a field the timeline cannot hold.
 */
#include <string.h>
#include <strings.h>

#include "sigma.h"

/* The timeline's own columns, by name. */
static const struct {
	const char *name;
	enum sigma_col col;
} columns[] = {
	{"ts", SG_TS},           {"ts_desc", SG_TS_DESC},
	{"source", SG_SOURCE},   {"host", SG_HOST},
	{"actor", SG_ACTOR},     {"actor_role", SG_ACTOR_ROLE},
	{"action", SG_ACTION},   {"outcome", SG_OUTCOME},
	{"patient", SG_PATIENT}, {"resource", SG_RESOURCE},
	{"src_ip", SG_SRC_IP},   {"model", SG_MODEL},
	{"model_version", SG_MODEL_VERSION}, {"decision", SG_DECISION},
	{"score", SG_SCORE},     {"message", SG_MESSAGE},
	{"archive", SG_ARCHIVE}, {"member", SG_MEMBER},
	/* derived from ts, in the zone the log was written in (its "tz"
	 * attribute, else UTC): hour 0..23, weekday mon..sun, for rules on
	 * working hours and change windows */
	{"hour", SG_HOUR},       {"weekday", SG_WEEKDAY},
};

/* Common Sigma names (Linux, auditd, CloudTrail) -> column or attribute.
 * Matched without regard to case, as Sigma backends map them. */
static const struct {
	const char *sigma;
	enum sigma_col col;
	const char *attr;
	char sep;
} aliases[] = {
	/* people and places */
	{"User", SG_ACTOR, NULL, 0},
	{"UserName", SG_ACTOR, NULL, 0},
	{"TargetUserName", SG_ACTOR, NULL, 0},
	{"SubjectUserName", SG_ACTOR, NULL, 0},
	{"acct", SG_ACTOR, NULL, 0},
	{"userIdentity.userName", SG_ACTOR, NULL, 0},
	{"userIdentity.type", SG_ACTOR_ROLE, NULL, 0},
	{"userIdentity.accountId", SG_ATTR, "account", 0},
	{"userIdentity.accessKeyId", SG_ATTR, "access_key_id", 0},
	{"SourceIp", SG_SRC_IP, NULL, 0},
	{"SourceAddress", SG_SRC_IP, NULL, 0},
	{"IpAddress", SG_SRC_IP, NULL, 0},
	{"ClientIP", SG_SRC_IP, NULL, 0},
	{"sourceIPAddress", SG_SRC_IP, NULL, 0},
	{"addr", SG_SRC_IP, NULL, 0},
	{"SourcePort", SG_ATTR, "src_port", 0},
	{"Hostname", SG_HOST, NULL, 0},
	{"ComputerName", SG_HOST, NULL, 0},
	{"Computer", SG_HOST, NULL, 0},
	{"node", SG_HOST, NULL, 0},
	{"Message", SG_MESSAGE, NULL, 0},
	{"msg", SG_MESSAGE, NULL, 0},
	/* CloudTrail (timeline/cloudtrail.c) */
	{"eventName", SG_ACTION, NULL, 0},
	{"eventSource", SG_RESOURCE, NULL, 0},
	{"errorCode", SG_ATTR, "error_code", 0},
	{"errorMessage", SG_ATTR, "error_message", 0},
	{"userAgent", SG_ATTR, "user_agent", 0},
	{"awsRegion", SG_ATTR, "region", 0},
	{"eventID", SG_ATTR, "event_id", 0},
	{"eventType", SG_ATTR, "event_type", 0},
	{"eventCategory", SG_ATTR, "event_category", 0},
	{"requestParameters.bucketName", SG_ATTR, "bucket", 0},
	/* auditd (timeline/auditd.c): an event is all the records of one
	 * serial, so `type` is true when any of its records has that type */
	{"type", SG_ATTR, "types", ','},
	{"SYSCALL", SG_ATTR, "syscall", 0},
	{"syscall", SG_ATTR, "syscall", 0},
	{"exe", SG_ATTR, "exe", 0},
	{"comm", SG_ATTR, "comm", 0},
	{"key", SG_ATTR, "key", 0},
	{"auid", SG_ATTR, "auid", 0},
	{"uid", SG_ATTR, "uid", 0},
	{"pid", SG_ATTR, "pid", 0},
	{"ses", SG_ATTR, "ses", 0},
	{"terminal", SG_ATTR, "terminal", 0},
	{"op", SG_ATTR, "op", 0},
	{"res", SG_OUTCOME, NULL, 0},
	{"a0", SG_ATTR, "a0", 0}, {"a1", SG_ATTR, "a1", 0},
	{"a2", SG_ATTR, "a2", 0}, {"a3", SG_ATTR, "a3", 0},
	{"a4", SG_ATTR, "a4", 0}, {"a5", SG_ATTR, "a5", 0},
	{"a6", SG_ATTR, "a6", 0}, {"a7", SG_ATTR, "a7", 0},
	{"a8", SG_ATTR, "a8", 0}, {"a9", SG_ATTR, "a9", 0},
	/* the PATH records of the event, '\n'-joined: any of them */
	{"name", SG_ATTR, "name", '\n'},
	{"nametype", SG_ATTR, "nametype", '\n'},
	/* syslog and journal (timeline/syslog.c, journal.c, programs.c) */
	{"program", SG_ATTR, "program", 0},
	{"ProcessName", SG_ATTR, "program", 0},
	{"TargetUser", SG_ATTR, "target_user", 0},
	{"tty", SG_ATTR, "tty", 0},
};

int sigma_map_field(const char *name, struct sigma_fieldmap *m)
{
	memset(m, 0, sizeof *m);
	if (!strncmp(name, "attrs.", 6) && name[6]) {
		m->col = SG_ATTR;
		m->attr = name + 6;
		return 0;
	}
	for (size_t i = 0; i < sizeof columns / sizeof columns[0]; i++)
		if (!strcmp(name, columns[i].name)) {
			m->col = columns[i].col;
			return 0;
		}
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		if (!strcasecmp(name, aliases[i].sigma)) {
			m->col = aliases[i].col;
			m->attr = aliases[i].attr;
			m->list_sep = aliases[i].sep;
			return 0;
		}
	return -1;
}

/* ---- logsources ---------------------------------------------------------- */

static const char *const src_any[] = {NULL};
/* Syslog and journal lines of the programs timeline/programs.c interprets
 * take the program's source (sshd, sudo...); the others stay syslog or
 * journal. A program's rule selects by the program attribute after. */
static const char *const src_linux[] = {"syslog", "journal", "sshd", "sudo", "su",
					"systemd-logind", "kernel", "auditd",
					"lastlog", "wtmp", "btmp", "dpkg", "apt",
					"apt-term", NULL};
static const char *const src_syslog[] = {"syslog", "journal", "sshd", "sudo",
					 "su", "systemd-logind", "kernel", NULL};
static const char *const src_auditd[] = {"auditd", NULL};
static const char *const src_cloudtrail[] = {"cloudtrail", NULL};
static const char *const src_fhir[] = {"fhir-auditevent", NULL};
static const char *const src_models[] = {"model-decision", "mlflow", NULL};
static const char *const prog_sshd[] = {"sshd", NULL};
static const char *const prog_auth[] = {"sshd", "sudo", "su", "login", "passwd",
					"useradd", "usermod", "userdel",
					"groupadd", "chpasswd", "systemd-logind",
					"polkitd", "pkexec", "gdm-password", NULL};
static const char *const prog_cron[] = {"cron", "CRON", "crond", "anacron", NULL};
static const char *const prog_sudo[] = {"sudo", NULL};

/* product/service (or category) -> sources and syslog programs. A Linux
 * service not listed is a syslog program of that name (vsftpd, clamav,
 * guacamole...): see sigma_map_logsource. */
static const struct {
	const char *product, *service, *category;
	const char *const *sources, *const *programs;
} logsources[] = {
	{"linux", "auditd", NULL, src_auditd, NULL},
	{"linux", "sshd", NULL, src_syslog, prog_sshd},
	{"linux", "auth", NULL, src_syslog, prog_auth},
	{"linux", "sudo", NULL, src_syslog, prog_sudo},
	{"linux", "cron", NULL, src_syslog, prog_cron},
	{"linux", "syslog", NULL, src_syslog, NULL},
	{"linux", NULL, NULL, src_linux, NULL},
	{"aws", "cloudtrail", NULL, src_cloudtrail, NULL},
	{"aws", NULL, NULL, src_cloudtrail, NULL},
	{"fhir", NULL, NULL, src_fhir, NULL},
	{"casefile", "fhir", NULL, src_fhir, NULL},
	{"casefile", "models", NULL, src_models, NULL},
	{"casefile", "timeline", NULL, src_any, NULL},
	{"casefile", NULL, NULL, src_any, NULL},
};

/* Services whose program name is the service (a syslog program). */
static int plain_program(const char *s)
{
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.'))
			return 0;
	return *s != '\0';
}

int sigma_map_logsource(const char *product, const char *service,
			const char *category, const char *const **sources,
			const char *const **programs, const char **why)
{
	static const char *one[2];

	*sources = src_any;
	*programs = NULL;
	*why = NULL;
	if (category && !service) {
		/* categories are Windows/EDR telemetry (process_creation...)
		 * that no casefile parser produces */
		*why = "logsource category";
		return -1;
	}
	if (!product && !service)
		return 0;
	for (size_t i = 0; i < sizeof logsources / sizeof logsources[0]; i++) {
		if (product && strcmp(product, logsources[i].product))
			continue;
		if (!product && (!logsources[i].service || !service ||
				 strcmp(service, logsources[i].service)))
			continue;
		if (logsources[i].service &&
		    (!service || strcmp(service, logsources[i].service)))
			continue;
		if (!logsources[i].service && service &&
		    !(product && !strcmp(product, "linux")) &&
		    !(product && !strcmp(product, "casefile")))
			continue;
		if (!logsources[i].service && service && !strcmp(product, "linux")) {
			if (!plain_program(service))
				break;
			/* linux/<service>: the syslog lines of that program;
			 * `one` is static, but each rule copies the name */
			one[0] = service;
			one[1] = NULL;
			*sources = src_syslog;
			*programs = one;
			return 0;
		}
		*sources = logsources[i].sources;
		*programs = logsources[i].programs;
		return 0;
	}
	*why = product ? "logsource product" : "logsource service";
	return -1;
}
