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
 * binaries. The caller decompresses first: `head` is always the plain
 * bytes. Adding a parser is one bid function and one row.
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
	BID_CATEGORY_SYSLOG = 20,
	BID_ACCESS_LINE = 30,     /* '[' ... '] "': common and combined */
	BID_SYSLOG_LINE = 40,     /* <PRI>, "Mmm dd ", RFC 3339 */
	BID_AUDIT_LINE = 50,      /* type=/node= ... msg=audit( */
	BID_ROSTER = 60,          /* .csv with id and state columns */
	BID_JSON_LINE = 70,       /* '{' or '[' */
	BID_APACHE_ERROR_LINE = 80, /* "[Ddd Mmm ": before JSON's '[' */
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

static int bid_auditd(const struct probe *p)
{
	const char *l = p->line;

	return l && p->len > 12 && memmem(l, p->len, "msg=audit(", 10) &&
		       (!strncmp(l, "type=", 5) || !strncmp(l, "node=", 5))
		       ? BID_AUDIT_LINE : BID_NONE;
}

static int bid_syslog(const struct probe *p)
{
	const char *l = p->line;
	size_t len = p->len;

	if (!l)
		return BID_NONE;
	if ((l[0] == '<' && len > 3 && isdigit((unsigned char)l[1])) ||   /* <PRI> */
	    (len > 15 && tl_month(l) && l[3] == ' ') ||                    /* RFC 3164 */
	    (len > 20 && isdigit((unsigned char)l[0]) && l[4] == '-' && l[10] == 'T'))
		return BID_SYSLOG_LINE;
	if (category_is(p, CF_CAT_AUTH_LOG) || category_is(p, CF_CAT_SYSTEM_LOG))
		return BID_CATEGORY_SYSLOG;
	return BID_NONE;
}

static int bid_access_log(const struct probe *p)
{
	if (!p->line)
		return BID_NONE;
	if (memchr(p->line, '[', p->len) && memmem(p->line, p->len, "] \"", 3))
		return BID_ACCESS_LINE;
	return category_is(p, CF_CAT_ACCESS_LOG) ? BID_CATEGORY_ACCESS : BID_NONE;
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
	{&tl_auditd, bid_auditd},
	{&tl_syslog, bid_syslog},
	{&tl_access_log, bid_access_log},
};

const struct tl_parser *tl_detect(const char *member, const char *category,
				  const char *mime, const unsigned char *head,
				  size_t n)
{
	struct probe p = {member, category, 0, NULL, 0, head, n};
	const struct tl_parser *best = NULL;
	int top = BID_NONE;

	p.named = strncmp(member, "casefile/", 9) && strcmp(member, CF_MEMBER_SUMS) &&
		  strcmp(member, CF_MEMBER_SIG) &&
		  !category_is(&p, CF_CAT_MODEL_ARTIFACT) && !category_is(&p, CF_CAT_CONFIG);
	if (p.named &&
	    !(mime && (!strncmp(mime, "image/", 6) || !strncmp(mime, "audio/", 6) ||
		       !strncmp(mime, "video/", 6))) &&
	    !looks_binary(head, n))
		p.line = first_line(head, n, &p.len);
	/* the first of equal bids wins */
	for (size_t i = 0; i < sizeof bidders / sizeof bidders[0]; i++) {
		int b = bidders[i].bid(&p);
		if (b > top) {
			top = b;
			best = bidders[i].parser;
		}
	}
	return best;
}
