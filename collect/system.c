/* SPDX-License-Identifier: Apache-2.0
 *
 * Host facts: collection.json's "host" object and the `system` source
 * (os-release, uname, boot time, time synchronisation, logged-in users,
 * listening sockets, processes).
 *
 * Everything is read from files and system calls, never through a shell or
 * another program, so that a compromised `ps` or `ss` on the host cannot
 * shape the evidence. Under --root (a mounted disk image) only files are
 * read, from the image; facts that exist only on a running system (kernel,
 * boot id, clock, users, sockets, processes) are not taken from the
 * collecting host and say so.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timex.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <utmpx.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/evidence.h"
#include "casefile/json.h"
#include "casefile/time.h"
#include "collector.h"
#include "items.h"
#include "source.h"
#include "system.h"
#include "walk.h"

#define SMALL_MAX (64 * 1024)
#define PROC_FILE_MAX (256 * 1024)
#define FACTS_MAX (32u << 20) /* bound on a generated JSON member */

/* Reads a small file at host path `path` under root (NULL = "/"), following
 * no symlink on the way, into b (at most max bytes). 0 or -1. */
static int read_host_file(const char *root, const char *path, struct cf_buf *b,
			  size_t max)
{
	char *copy = cf_strdup(path), *p, *next, *save = NULL;
	int fd = open(root ? root : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC), nfd;
	uint8_t buf[8192];
	ssize_t n;

	cf_buf_reset(b);
	if (!copy || fd < 0) {
		free(copy);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (p = strtok_r(copy, "/", &save); p; p = next) {
		next = strtok_r(NULL, "/", &save);
		nfd = openat(fd, p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK |
					    (next ? O_DIRECTORY : 0));
		close(fd);
		fd = nfd;
		if (fd < 0)
			break;
	}
	free(copy);
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		if (b->len + (size_t)n > max || cf_buf_append(b, buf, (size_t)n) < 0)
			break;
	close(fd);
	return n < 0 ? -1 : 0;
}

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

/* os-release: KEY=value or KEY="value" lines into an object. */
static cJSON *os_release(const char *root)
{
	struct cf_buf b;
	cJSON *j = NULL;
	char *line, *save = NULL;

	cf_buf_init(&b);
	if ((read_host_file(root, "/etc/os-release", &b, SMALL_MAX) < 0 || !b.len) &&
	    (read_host_file(root, "/usr/lib/os-release", &b, SMALL_MAX) < 0 || !b.len))
		goto out;
	if (!(j = cJSON_CreateObject()))
		goto out;
	for (line = strtok_r(b.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '='), *v;
		size_t n;
		if (!eq || line[0] == '#')
			continue;
		*eq = '\0';
		v = eq + 1;
		n = strlen(v);
		if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
			v[n - 1] = '\0';
			v++;
		}
		if (cf_json_add_str(j, line, v)) {
			cJSON_Delete(j);
			j = NULL;
			break;
		}
	}
out:
	cf_buf_release(&b);
	return j;
}

static int first_line(const char *root, const char *path, char *out, size_t n)
{
	struct cf_buf b;
	int ok;

	cf_buf_init(&b);
	ok = read_host_file(root, path, &b, SMALL_MAX) == 0 && b.len;
	if (ok) {
		char *nl = strchr(b.data, '\n');
		if (nl)
			*nl = '\0';
		snprintf(out, n, "%s", b.data);
		chomp(out);
		ok = out[0] != '\0';
	}
	cf_buf_release(&b);
	return ok;
}

/* Time zone name from /etc/timezone or the /etc/localtime link. */
static int tz_name(const char *root, char *out, size_t n)
{
	char link[512], path[4096];
	const char *z;
	ssize_t k;

	if (first_line(root, "/etc/timezone", out, n))
		return 1;
	snprintf(path, sizeof path, "%s/etc/localtime", root ? root : "");
	k = readlink(path, link, sizeof link - 1);
	if (k <= 0)
		return 0;
	link[k] = '\0';
	if (!(z = strstr(link, "zoneinfo/")))
		return 0;
	snprintf(out, n, "%s", z + 9);
	return 1;
}

/* "+01:00" for zone `name` now (or the process's zone when name is NULL). */
static void tz_offset(const char *name, char out[8])
{
	char *old = getenv("TZ") ? cf_strdup(getenv("TZ")) : NULL;
	time_t now = time(NULL);
	struct tm tm;
	long off;

	if (name) {
		setenv("TZ", name, 1);
		tzset();
	}
	localtime_r(&now, &tm);
	off = tm.tm_gmtoff;
	if (name) {
		if (old)
			setenv("TZ", old, 1);
		else
			unsetenv("TZ");
		tzset();
	}
	free(old);
	off = labs(off) % 86400;
	snprintf(out, 8, "%c%02d:%02d", tm.tm_gmtoff < 0 ? '-' : '+', (int)(off / 3600),
		 (int)(off % 3600 / 60));
}

static cJSON *clock_json(void)
{
	struct timex tx;
	struct cf_jb jb;
	cJSON *j = cf_jb_init(&jb);
	int st;

	memset(&tx, 0, sizeof tx);
	st = adjtimex(&tx);
	if (!j)
		return NULL;
	if (st < 0) {
		cf_json_add_str(j, "error", strerror(errno));
		return j;
	}
	cf_jb_bool(&jb, j, "synchronized",
		   !(tx.status & STA_UNSYNC) && st != TIME_ERROR);
	cf_jb_int(&jb, j, "maxerror_us", tx.maxerror);
	cf_jb_int(&jb, j, "esterror_us", tx.esterror);
	cf_jb_int(&jb, j, "status", tx.status);
	return cf_jb_finish(&jb);
}

static cJSON *uname_json(void)
{
	struct utsname u;
	struct cf_jb jb;
	cJSON *j;

	if (uname(&u) < 0 || !(j = cf_jb_init(&jb)))
		return NULL;
	cf_jb_str(&jb, j, "sysname", u.sysname);
	cf_jb_str(&jb, j, "nodename", u.nodename);
	cf_jb_str(&jb, j, "release", u.release);
	cf_jb_str(&jb, j, "version", u.version);
	cf_jb_str(&jb, j, "machine", u.machine);
	return cf_jb_finish(&jb);
}

/* Boot time in seconds since the epoch from /proc/stat's btime. */
static int64_t boot_time(void)
{
	struct cf_buf b;
	const char *p;
	int64_t v = -1;

	cf_buf_init(&b);
	if (read_host_file(NULL, "/proc/stat", &b, PROC_FILE_MAX) == 0 && b.data &&
	    (p = strstr(b.data, "\nbtime ")))
		v = strtoll(p + 7, NULL, 10);
	cf_buf_release(&b);
	return v;
}

int cf_host_facts(struct cf_ctx *ctx, const char *root, cJSON **out)
{
	unsigned long refused = cf_alloc_failures();
	struct cf_jb jb;
	cJSON *j = cf_jb_init(&jb), *x;
	char s[256], off[8];
	int have;

	*out = NULL;
	if (!j)
		return cf_set_nomem(ctx, "host facts");
	if (root)
		have = first_line(root, "/etc/hostname", s, sizeof s);
	else
		have = gethostname(s, sizeof s) == 0;
	cf_jb_str(&jb, j, "hostname", have ? s : NULL);
	cf_jb_str(&jb, j, "machine_id",
		  first_line(root, "/etc/machine-id", s, sizeof s) ? s : NULL);
	cf_jb_str(&jb, j, "boot_id",
		  !root && first_line(NULL, "/proc/sys/kernel/random/boot_id", s,
				      sizeof s) ? s : NULL);
	/* os_release, uname_json and clock_json give NULL when there is
	 * nothing to say or no memory: either way a null, which must fit */
	if (!jb.err)
		cf_jb_item(&jb, j, "os_release", os_release(root));
	if (!jb.err)
		cf_jb_item(&jb, j, "kernel", root ? NULL : uname_json());
	have = tz_name(root, s, sizeof s);
	x = cf_jb_object(&jb, j, "timezone");
	tz_offset(have ? s : NULL, off);
	cf_jb_str(&jb, x, "name", have ? s : NULL);
	cf_jb_str(&jb, x, "utc_offset", off);
	if (!jb.err)
		cf_jb_item(&jb, j, "clock", root ? NULL : clock_json());
	cf_jb_bool(&jb, j, "live", !root);
	/* a fact left out for lack of memory would read as "not there" */
	if (cf_alloc_failures() != refused)
		jb.err = -1;
	if (!(*out = cf_jb_finish(&jb)))
		return cf_set_nomem(ctx, "host facts");
	return CF_OK;
}

/* ---- the system source ------------------------------------------------- */

static int add_json(struct cf_srcrun *sr, const char *name, const char *what,
		    cJSON *j)
{
	char *text;
	int rc;

	if (!j)
		return cf_set_nomem(sr->ctx, name);
	text = cJSON_PrintBuffered(j, 65536, 1);
	cJSON_Delete(j);
	if (!text)
		return cf_set_nomem(sr->ctx, name);
	if (strlen(text) > FACTS_MAX) {
		free(text);
		return cf_collect_log(sr->c, "warning", "too-large", sr->src->id, what, NULL);
	}
	rc = cf_collect_generated(sr, name, what, "derived", NULL, NULL, -1, text,
				  strlen(text), NULL, NULL);
	free(text);
	return rc;
}

static cJSON *users_json(void)
{
	cJSON *arr = cJSON_CreateArray();
	struct utmpx *u;

	if (!arr)
		return NULL;
	setutxent();
	while ((u = getutxent())) {
		cJSON *o;
		char user[sizeof u->ut_user + 1], line[sizeof u->ut_line + 1],
			host[sizeof u->ut_host + 1];
		if (u->ut_type != USER_PROCESS)
			continue;
		snprintf(user, sizeof user, "%.*s", (int)sizeof u->ut_user, u->ut_user);
		snprintf(line, sizeof line, "%.*s", (int)sizeof u->ut_line, u->ut_line);
		snprintf(host, sizeof host, "%.*s", (int)sizeof u->ut_host, u->ut_host);
		if (!(o = cJSON_CreateObject()))
			break;
		cJSON_AddItemToArray(arr, o);
		if (cf_json_add_str(o, "user", user) || cf_json_add_str(o, "line", line) ||
		    cf_json_add_str(o, "host", host) || cf_json_add_int(o, "pid", u->ut_pid) ||
		    cf_json_add_time(o, "login_at", (int64_t)u->ut_tv.tv_sec * CF_US_PER_SEC +
							    u->ut_tv.tv_usec))
			break;
	}
	endutxent();
	return arr;
}

/* "0100007F:0035" (little-endian IPv4) or 32 hex digits (IPv6). */
static void hex_addr(const char *h, char *out, size_t n)
{
	unsigned a[4] = {0};
	size_t len = strcspn(h, ":");

	if (len == 8) {
		sscanf(h, "%8x", &a[0]);
		snprintf(out, n, "%u.%u.%u.%u", a[0] & 255, a[0] >> 8 & 255,
			 a[0] >> 16 & 255, a[0] >> 24);
	} else if (len == 32) {
		char tmp[9];
		size_t k = 0;
		for (int w = 0; w < 4; w++) {
			unsigned v;
			memcpy(tmp, h + 8 * w, 8);
			tmp[8] = '\0';
			sscanf(tmp, "%8x", &v);
			for (int byte = 0; byte < 4 && k + 3 < n; byte++)
				k += (size_t)snprintf(out + k, n - k, "%02x%s",
						      v >> (8 * byte) & 255,
						      (byte & 1) && !(w == 3 && byte == 3) ? ":" : "");
		}
	} else {
		snprintf(out, n, "?");
	}
}

static cJSON *sockets_json(void)
{
	static const char *const files[] = {"tcp", "tcp6", "udp", "udp6"};
	cJSON *arr = cJSON_CreateArray();
	struct cf_buf b;

	if (!arr)
		return NULL;
	cf_buf_init(&b);
	for (int f = 0; f < 4; f++) {
		char path[64], *line, *save = NULL;
		int first = 1;
		/* /proc/net is a symlink to self/net; the path is walked
		 * without following symlinks, so name the process. */
		snprintf(path, sizeof path, "/proc/%d/net/%s", (int)getpid(), files[f]);
		if (read_host_file(NULL, path, &b, 16u << 20) < 0 || !b.data)
			continue;
		for (line = strtok_r(b.data, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			char local[128], remote[128], la[64];
			unsigned st, uid;
			unsigned long inode;
			cJSON *o;
			if (first) { /* header */
				first = 0;
				continue;
			}
			if (sscanf(line, " %*d: %127s %127s %x %*s %*s %*s %u %*d %lu", local,
				   remote, &st, &uid, &inode) != 5)
				continue;
			/* TCP: LISTEN (0x0A) only; UDP: every bound socket. */
			if (f < 2 && st != 0x0A)
				continue;
			hex_addr(local, la, sizeof la);
			if (!(o = cJSON_CreateObject()))
				goto out;
			cJSON_AddItemToArray(arr, o);
			if (cf_json_add_str(o, "protocol", files[f]) ||
			    cf_json_add_str(o, "address", la) ||
			    cf_json_add_int(o, "port",
					    strtol(strchr(local, ':') + 1, NULL, 16)) ||
			    cf_json_add_int(o, "uid", uid) || cf_json_add_int(o, "inode", (int64_t)inode))
				goto out;
		}
	}
out:
	cf_buf_release(&b);
	return arr;
}

static cJSON *process_json(int pid, int64_t btime, long hz)
{
	char path[64], exe[4096], comm[64] = "";
	struct cf_buf b;
	cJSON *o = cJSON_CreateObject(), *argv;
	long ppid = 0;
	unsigned long long start = 0;
	char state = '?';
	ssize_t n;

	if (!o)
		return NULL;
	cf_buf_init(&b);
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if (read_host_file(NULL, path, &b, SMALL_MAX) == 0 && b.data) {
		char *l = strchr(b.data, '('), *r = strrchr(b.data, ')');
		if (l && r && r > l) {
			snprintf(comm, sizeof comm, "%.*s", (int)(r - l - 1), l + 1);
			sscanf(r + 2, "%c %ld %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d "
				      "%*d %*d %*d %*d %*d %llu",
			       &state, &ppid, &start);
		}
	}
	if (cf_json_add_int(o, "pid", pid) || cf_json_add_int(o, "ppid", ppid) ||
	    cf_json_add_str(o, "comm", comm) ||
	    cf_json_add_str(o, "state", (char[]){state, 0}) ||
	    (btime > 0 && hz > 0 &&
	     cf_json_add_time(o, "started_at", btime * CF_US_PER_SEC +
						       (int64_t)(start * CF_US_PER_SEC / (unsigned long long)hz))))
		goto fail;
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	if (read_host_file(NULL, path, &b, SMALL_MAX) == 0 && b.data) {
		const char *u = strstr(b.data, "\nUid:");
		if (u && cf_json_add_int(o, "uid", strtol(u + 5, NULL, 10)))
			goto fail;
	}
	snprintf(path, sizeof path, "/proc/%d/exe", pid);
	n = readlink(path, exe, sizeof exe - 1);
	if (n >= 0)
		exe[n] = '\0';
	if (cf_json_add_str(o, "exe", n >= 0 ? exe : NULL) ||
	    !(argv = cJSON_AddArrayToObject(o, "cmdline")))
		goto fail;
	snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
	if (read_host_file(NULL, path, &b, SMALL_MAX) == 0 && b.len) {
		for (size_t k = 0; k < b.len; k += strlen(b.data + k) + 1) {
			cJSON *s = cJSON_CreateString(b.data + k);
			if (!s)
				goto fail;
			cJSON_AddItemToArray(argv, s);
		}
	}
	cf_buf_release(&b);
	return o;
fail:
	cf_buf_release(&b);
	cJSON_Delete(o);
	return NULL;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static cJSON *processes_json(void)
{
	cJSON *arr = cJSON_CreateArray();
	int64_t bt = boot_time();
	long hz = sysconf(_SC_CLK_TCK);
	int *pids = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	if (!arr || !(d = opendir("/proc")))
		return arr;
	while ((de = readdir(d))) {
		char *end;
		long v = strtol(de->d_name, &end, 10);
		if (*end || v <= 0)
			continue;
		if (n == cap) {
			int *np = cf_realloc(pids, (cap = cap ? cap * 2 : 256) * sizeof *np);
			if (!np)
				break;
			pids = np;
		}
		pids[n++] = (int)v;
	}
	closedir(d);
	if (n)
		qsort(pids, n, sizeof *pids, cmp_int);
	for (size_t i = 0; i < n; i++) {
		cJSON *p = process_json(pids[i], bt, hz);
		if (p) /* a process that exited meanwhile is simply absent */
			cJSON_AddItemToArray(arr, p);
	}
	free(pids);
	return arr;
}

static cJSON *boot_json(void)
{
	struct cf_jb jb;
	cJSON *j = cf_jb_init(&jb);
	char s[128];
	int64_t bt = boot_time();

	if (!j)
		return NULL;
	cf_jb_str(&jb, j, "boot_id",
		  first_line(NULL, "/proc/sys/kernel/random/boot_id", s, sizeof s)
			  ? s : NULL);
	if (bt > 0)
		cf_jb_time(&jb, j, "booted_at", bt * CF_US_PER_SEC);
	else
		cf_jb_str(&jb, j, "booted_at", NULL);
	cf_jb_str(&jb, j, "uptime",
		  first_line(NULL, "/proc/uptime", s, sizeof s) ? s : NULL);
	return cf_jb_finish(&jb);
}

static cJSON *timesync_json(void)
{
	struct cf_jb jb;
	cJSON *j = cf_jb_init(&jb), *c = clock_json();
	struct stat st;

	cf_jb_made(&jb, j, "kernel", c);
	cf_jb_bool(&jb, j, "systemd_timesyncd_synchronized",
		   stat("/run/systemd/timesync/synchronized", &st) == 0);
	return cf_jb_finish(&jb);
}

int cf_source_system(struct cf_srcrun *sr)
{
	static const char *const files[] = {
		"/etc/os-release", "/usr/lib/os-release", "/etc/hostname",
		"/etc/machine-id", "/etc/timezone", "/etc/localtime",
	};
	int rc = CF_OK;

	for (size_t i = 0; i < sizeof files / sizeof files[0] && rc == CF_OK; i++)
		rc = cf_collect_glob(sr, files[i], NULL, NULL, NULL);
	if (rc != CF_OK)
		return rc;
	if (cf_collector_root(sr->c))
		return cf_collect_log(sr->c, "warning", "not-live", sr->src->id,
				      "--root given: uname, boot, clock, users, sockets and "
				      "processes describe a running system and were not collected",
				      NULL);
	if ((rc = add_json(sr, "uname.json", "uname", uname_json())) != CF_OK ||
	    (rc = add_json(sr, "boot.json", "/proc/stat", boot_json())) != CF_OK ||
	    (rc = add_json(sr, "timesync.json", "adjtimex", timesync_json())) != CF_OK ||
	    (rc = add_json(sr, "users.json", "utmp", users_json())) != CF_OK ||
	    (rc = add_json(sr, "sockets.json", "/proc/net", sockets_json())) != CF_OK ||
	    (rc = add_json(sr, "processes.json", "/proc", processes_json())) != CF_OK)
		return rc;
	return CF_OK;
}
