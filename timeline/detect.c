/* SPDX-License-Identifier: Apache-2.0
 *
 * Choosing the parser for a member, as libarchive chooses a format: every
 * parser bids on what is known of the member (its name, the category and
 * MIME type from items.jsonl, its first non-empty line) and the highest bid
 * wins; no bid, no parser. A bid is a confidence: an exact name (the
 * collector's own members) beats a name suffix (lineage.json), a telling
 * first line beats a file's category, and a more specific first line beats
 * a looser one ("[Mon Jan" of an Apache error log over the '[' of JSON).
 * Content wins over names because rotated logs and exported files rarely
 * keep a telling name. What is not a log is ruled out before any bid on
 * content: casefile's own files, model artifacts and configuration, media,
 * binaries. A log category alone is no bid: the member must also have a
 * line of the format among its first lines, else it is "not parsed"
 * rather than rejected line by line. The caller decompresses first: `head`
 * is always the plain bytes. tl_detect_explain() returns every bid with
 * what it rests on (`timeline build --explain`). Adding a parser is one
 * bid function and one row.
 */
#include <ctype.h>
#include <string.h>

#include "casefile/evidence.h"
#include "tl.h"

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && !strcmp(s + a - b, suf);
}

/* First non-empty line within the head. */
static const char *first_line(const unsigned char *h, size_t n, size_t *len)
{
	size_t i = 0;

	while (i < n && (h[i] == '\n' || h[i] == '\r' || h[i] == ' ' || h[i] == '\t'))
		i++;
	if (i >= n)
		return NULL;
	{
		const unsigned char *nl = memchr(h + i, '\n', n - i);
		*len = nl ? (size_t)(nl - h) - i : n - i;
	}
	return (const char *)h + i;
}

/* A CSV header with an id column and a state column. */
static int is_roster_header(const char *l, size_t len)
{
	char h[512];
	size_t n = len < sizeof h - 3 ? len : sizeof h - 3;

	h[0] = ',';
	for (size_t i = 0; i < n; i++)
		h[i + 1] = (char)tolower((unsigned char)l[i]);
	h[n + 1] = '\0';
	if (n + 1 > 1 && h[n] == '\r')
		h[n] = '\0';
	strcat(h, ",");
	return strstr(h, ",state,") &&
	       (strstr(h, ",id,") || strstr(h, ",patient_id,") || strstr(h, ",patient,"));
}

static int looks_binary(const unsigned char *h, size_t n)
{
	size_t bad = 0;

	for (size_t i = 0; i < n && i < 4096; i++)
		if (h[i] == 0 || (h[i] < 0x20 && h[i] != '\n' && h[i] != '\r' &&
				  h[i] != '\t' && h[i] != 0x1d && h[i] != 0x1b))
			bad++;
	return bad * 20 > (n < 4096 ? n : 4096);
}

/* What the bids look at. */
struct probe {
	const char *member, *category;
	int named;        /* the name may choose: not casefile's own, not a
			     model artifact or configuration */
	const char *line; /* first non-empty line when the content may choose
			     (named, not media, not binary), else NULL */
	size_t len;
	/* the plain bytes the member starts with, for binary formats that
	 * are told by their magic or record shape (when named) */
	const unsigned char *head;
	size_t n;
};

/* Confidences, highest first; 0 is no bid. */
enum {
	BID_NONE = 0,
	BID_CATEGORY_ACCESS = 10, /* nothing but items.jsonl's category */
	BID_CATEGORY_SYSLOG = 20, /* the category and a syslog line in the head */
	BID_PACKAGES_NAME = 25,   /* dpkg.log*, apt/history.log*, apt/term.log* */
	BID_ACCESS_LINE = 30,     /* '[' ... '] "': common and combined */
	BID_SYSLOG_LINE = 40,     /* <PRI>, "Mmm dd ", RFC 3339 */
	BID_PACKAGES_LINE = 45,   /* dpkg.log line, "Start-Date:", "Log started:" */
	BID_AUDIT_LINE = 50,      /* type=/node= ... msg=audit( */
	BID_DATASET = 55,         /* .csv with a patient column */
	BID_ROSTER = 60,          /* .csv with id and state columns */
	BID_RECORD_SHAPE = 65,    /* binary records that look real (utmp) */
	BID_JSON_LINE = 70,       /* '{' or '[' */
	BID_APACHE_ERROR_LINE = 80, /* "[Ddd Mmm ": before JSON's '[' */
	BID_MAGIC = 85,           /* a binary format's magic ("LPKSHHRH") */
	BID_NAME_SUFFIX = 90,     /* lineage.json */
	BID_NAME = 100,           /* casefile's own items.jsonl, log.jsonl */
};

static int category_is(const struct probe *p, const char *c)
{
	return p->category && !strcmp(p->category, c);
}

static int bid_items(const struct probe *p)
{
	return !strcmp(p->member, CF_MEMBER_ITEMS) ? BID_NAME : BID_NONE;
}

static int bid_collector_log(const struct probe *p)
{
	return !strcmp(p->member, CF_MEMBER_LOG) ? BID_NAME : BID_NONE;
}

static int bid_mlflow_lineage(const struct probe *p)
{
	return p->named && ends_with(p->member, "lineage.json") ? BID_NAME_SUFFIX
							       : BID_NONE;
}

static int bid_apache_error(const struct probe *p)
{
	const char *l = p->line;

	return l && p->len > 26 && l[0] == '[' && l[4] == ' ' && tl_month(l + 5)
		       ? BID_APACHE_ERROR_LINE : BID_NONE;
}

static int bid_json(const struct probe *p)
{
	return p->line && (p->line[0] == '{' || p->line[0] == '[') ? BID_JSON_LINE
								   : BID_NONE;
}

static int bid_roster(const struct probe *p)
{
	return p->line && ends_with(p->member, ".csv") &&
		       is_roster_header(p->line, p->len) ? BID_ROSTER : BID_NONE;
}

/* A CSV header (the first line) with a patient column (dataset.c). */
static int is_dataset_header(const char *l, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t b = i, e;
		while (i < len && l[i] != ',')
			i++;
		e = i++;
		while (e > b && (l[e - 1] == '\r' || l[e - 1] == '"' || l[e - 1] == ' '))
			e--;
		while (b < e && (l[b] == '"' || l[b] == ' '))
			b++;
		if (tl_dataset_patient_col(l + b, e - b))
			return 1;
	}
	return 0;
}

static int bid_dataset(const struct probe *p)
{
	return p->line && ends_with(p->member, ".csv") &&
		       is_dataset_header(p->line, p->len) ? BID_DATASET : BID_NONE;
}

static int bid_auditd(const struct probe *p)
{
	const char *l = p->line;

	return l && p->len > 12 && memmem(l, p->len, "msg=audit(", 10) &&
		       (!strncmp(l, "type=", 5) || !strncmp(l, "node=", 5))
		       ? BID_AUDIT_LINE : BID_NONE;
}

static int syslog_shape(const char *l, size_t len)
{
	return (l[0] == '<' && len > 3 && isdigit((unsigned char)l[1])) ||   /* <PRI> */
	       (len > 15 && tl_month(l) && l[3] == ' ') ||                    /* RFC 3164 */
	       (len > 20 && isdigit((unsigned char)l[0]) && l[4] == '-' && l[10] == 'T');
}

static int access_shape(const char *l, size_t len)
{
	return memchr(l, '[', len) && memmem(l, len, "] \"", 3);
}

/* 1 when one of the first HEAD_LINES lines after the first (within the
 * head) has the shape: a log whose first line is odd (cut by rotation, a
 * continuation) still goes to its parser when its category says so, but
 * a member of the category holding something else is "not parsed" rather
 * than rejected line by line. */
#define HEAD_LINES 16
static int later_line(const struct probe *p, int (*shape)(const char *, size_t))
{
	const char *s = p->line + p->len, *end = (const char *)p->head + p->n;

	for (int k = 0; k < HEAD_LINES && s < end; k++) {
		const char *nl;
		size_t len;
		s++; /* the newline */
		nl = memchr(s, '\n', (size_t)(end - s));
		len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		if (len && shape(s, len))
			return 1;
		if (!nl)
			break;
		s = nl;
	}
	return 0;
}

static int bid_syslog(const struct probe *p)
{
	if (!p->line)
		return BID_NONE;
	if (syslog_shape(p->line, p->len))
		return BID_SYSLOG_LINE;
	if ((category_is(p, CF_CAT_AUTH_LOG) || category_is(p, CF_CAT_SYSTEM_LOG)) &&
	    later_line(p, syslog_shape))
		return BID_CATEGORY_SYSLOG;
	return BID_NONE;
}

static int bid_access_log(const struct probe *p)
{
	if (!p->line)
		return BID_NONE;
	if (access_shape(p->line, p->len))
		return BID_ACCESS_LINE;
	return category_is(p, CF_CAT_ACCESS_LOG) && later_line(p, access_shape)
		       ? BID_CATEGORY_ACCESS : BID_NONE;
}

/* The member's base name starts with `name` (rotations: name.1, name.2.gz)
 * and, when `dir` is set, its folder is `dir`. */
static int named_like(const char *member, const char *dir, const char *name)
{
	const char *base = strrchr(member, '/');
	size_t dl = dir ? strlen(dir) : 0;

	base = base ? base + 1 : member;
	if (strncmp(base, name, strlen(name)) ||
	    (base[strlen(name)] && base[strlen(name)] != '.'))
		return 0;
	return !dir || ((size_t)(base - member) > dl &&
			!strncmp(base - 1 - dl, dir, dl) &&
			(base - 1 - dl == member || base[-2 - (ptrdiff_t)dl] == '/'));
}

/* Debian's package logs: by their first line, else by their name. */
static int packages_bid(const struct probe *p, const char *dir, const char *name,
			int line_ok)
{
	if (!p->line)
		return BID_NONE;
	if (line_ok)
		return BID_PACKAGES_LINE;
	return named_like(p->member, dir, name) ? BID_PACKAGES_NAME : BID_NONE;
}

static int bid_dpkg(const struct probe *p)
{
	const char *l = p->line;
	int ok = l && p->len > 20 && isdigit((unsigned char)l[0]) && l[4] == '-' &&
		 l[7] == '-' && l[10] == ' ' && l[13] == ':' && l[16] == ':' &&
		 l[19] == ' ' && tl_dpkg_verb(l + 20, p->len - 20) >= 0;

	return packages_bid(p, NULL, "dpkg.log", ok);
}

static int bid_apt_history(const struct probe *p)
{
	return packages_bid(p, "apt", "history.log",
			    p->line && p->len > 12 && !strncmp(p->line, "Start-Date: ", 12));
}

static int bid_apt_term(const struct probe *p)
{
	return packages_bid(p, "apt", "term.log",
			    p->line && p->len > 13 && !strncmp(p->line, "Log started: ", 13));
}

/* A systemd journal file starts with its signature, whatever its name
 * (*.journal, *.journal~ of a journald that did not close it). */
static int bid_journal(const struct probe *p)
{
	return p->named && p->n >= 8 && !memcmp(p->head, "LPKSHHRH", 8)
		       ? BID_MAGIC : BID_NONE;
}

/* wtmp, btmp, utmp and lastlog: by name when binary (rotated copies
 * included), else utmp records by their shape, which is read as wtmp. */
static int bid_utmp(const struct probe *p)
{
	if (!p->named || p->line)
		return BID_NONE;
	if (tl_utmp_named(p->member))
		return BID_NAME_SUFFIX;
	return tl_utmp_plausible(p->head, p->n) ? BID_RECORD_SHAPE : BID_NONE;
}

static const struct bidder {
	const struct tl_parser *parser;
	int (*bid)(const struct probe *p);
} bidders[] = {
	{&tl_items, bid_items},
	{&tl_collector_log, bid_collector_log},
	{&tl_mlflow_lineage, bid_mlflow_lineage},
	{&tl_apache_error, bid_apache_error},
	{&tl_json, bid_json},
	{&tl_roster, bid_roster},
	{&tl_dataset, bid_dataset},
	{&tl_auditd, bid_auditd},
	{&tl_syslog, bid_syslog},
	{&tl_access_log, bid_access_log},
	{&tl_dpkg_log, bid_dpkg},
	{&tl_apt_history, bid_apt_history},
	{&tl_apt_term, bid_apt_term},
	{&tl_utmp, bid_utmp},
	{&tl_journal, bid_journal},
};

/* What a confidence rests on, for --explain. */
static const char *bid_why(int b)
{
	switch (b) {
	case BID_CATEGORY_ACCESS:
		return "items.jsonl category access-log, and an access-log line in the first lines";
	case BID_CATEGORY_SYSLOG:
		return "items.jsonl category auth-log or system-log, and a syslog line in the first lines";
	case BID_PACKAGES_NAME: return "its name (dpkg.log, apt/history.log, apt/term.log)";
	case BID_ACCESS_LINE: return "first line: '[...] \"' of a common or combined access log";
	case BID_SYSLOG_LINE: return "first line: <PRI>, \"Mmm dd hh:mm:ss\" or an RFC 3339 time";
	case BID_PACKAGES_LINE:
		return "first line: a dpkg.log action, \"Start-Date:\" or \"Log started:\"";
	case BID_AUDIT_LINE: return "first line: type= or node= with msg=audit(";
	case BID_ROSTER: return "a .csv name and a header with id and state columns";
	case BID_DATASET: return "a .csv name and a header with a patient column";
	case BID_RECORD_SHAPE: return "binary records of its shape";
	case BID_JSON_LINE: return "first line starts with '{' or '['";
	case BID_APACHE_ERROR_LINE: return "first line: \"[Ddd Mmm \" of an Apache error log";
	case BID_MAGIC: return "the format's magic bytes";
	case BID_NAME_SUFFIX: return "the end of its name";
	case BID_NAME: return "casefile's own member, by its exact name";
	}
	return "a bid of its own";
}

const struct tl_parser *tl_detect(const char *member, const char *category,
				  const char *mime, const unsigned char *head,
				  size_t n)
{
	return tl_detect_explain(member, category, mime, head, n, NULL);
}

const struct tl_parser *tl_detect_explain(const char *member, const char *category,
					  const char *mime, const unsigned char *head,
					  size_t n, struct tl_detect_info *info)
{
	struct probe p = {member, category, 0, NULL, 0, head, n};
	const struct tl_parser *best = NULL;
	int top = BID_NONE, media, data_csv;

	p.named = strncmp(member, "casefile/", 9) && strcmp(member, CF_MEMBER_SUMS) &&
		  strcmp(member, CF_MEMBER_SIG) &&
		  !category_is(&p, CF_CAT_MODEL_ARTIFACT) && !category_is(&p, CF_CAT_CONFIG);
	media = mime && (!strncmp(mime, "image/", 6) || !strncmp(mime, "audio/", 6) ||
			 !strncmp(mime, "video/", 6));
	/* A CSV among model artifacts is data at rest (a training set
	 * exported beside its run): only the dataset parser may read it. */
	data_csv = !p.named && category_is(&p, CF_CAT_MODEL_ARTIFACT) &&
		   ends_with(member, ".csv");
	if ((p.named || data_csv) && !media && !looks_binary(head, n))
		p.line = first_line(head, n, &p.len);
	if (info) {
		memset(info, 0, sizeof *info);
		info->line = p.line;
		info->len = p.len;
		if (!p.named)
			info->content = !strncmp(member, "casefile/", 9) ||
						!strcmp(member, CF_MEMBER_SUMS) ||
						!strcmp(member, CF_MEMBER_SIG)
					? "casefile's own member: only its name may choose"
					: data_csv ? "a CSV among model artifacts: data "
						     "at rest, read only as a dataset"
					: "a model artifact or configuration (items.jsonl "
					  "category): never a log";
		else if (media)
			info->content = "media (MIME type image/, audio/ or video/)";
		else if (!n)
			info->content = "empty";
		else if (!p.line)
			info->content = looks_binary(head, n) ? "binary content"
							      : "only blank lines";
	}
	/* the first of equal bids wins */
	for (size_t i = 0; i < sizeof bidders / sizeof bidders[0]; i++) {
		int b = data_csv && bidders[i].parser != &tl_dataset ? BID_NONE
								     : bidders[i].bid(&p);
		if (info && info->nbids < TL_BIDS_MAX) {
			struct tl_bid *x = &info->bids[info->nbids++];
			x->parser = bidders[i].parser;
			x->bid = b;
			x->why = b ? bid_why(b) : NULL;
		}
		if (b > top) {
			top = b;
			best = bidders[i].parser;
		}
	}
	if (info)
		info->winner = best;
	return best;
}
