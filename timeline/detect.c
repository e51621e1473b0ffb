/* SPDX-License-Identifier: Apache-2.0
 *
 * Choosing the parser for a member: by name (the collector's own members,
 * lineage.json), then by content (the first non-empty line), with the
 * category and MIME type from items.jsonl ruling out what is not a log
 * (model artifacts, binaries). Content wins over names because rotated logs
 * and exported files rarely keep a telling name. The caller decompresses
 * first: `head` is always the plain bytes.
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

const struct tl_parser *tl_detect(const char *member, const char *category,
				  const char *mime, const unsigned char *head,
				  size_t n)
{
	const char *l;
	size_t len;

	if (!strcmp(member, CF_MEMBER_ITEMS))
		return &tl_items;
	if (!strcmp(member, CF_MEMBER_LOG))
		return &tl_collector_log;
	if (!strncmp(member, "casefile/", 9) || !strcmp(member, CF_MEMBER_SUMS) ||
	    !strcmp(member, CF_MEMBER_SIG))
		return NULL;
	if (category && (!strcmp(category, CF_CAT_MODEL_ARTIFACT) ||
			 !strcmp(category, CF_CAT_CONFIG)))
		return NULL;
	if (ends_with(member, "lineage.json"))
		return &tl_mlflow_lineage;
	if (mime && (!strncmp(mime, "image/", 6) || !strncmp(mime, "audio/", 6) ||
		     !strncmp(mime, "video/", 6)))
		return NULL;
	if (!(l = first_line(head, n, &len)) || looks_binary(head, n))
		return NULL;
	if (len > 26 && l[0] == '[' && l[4] == ' ' && tl_month(l + 5))
		return &tl_apache_error;
	if (l[0] == '{' || l[0] == '[')
		return &tl_json;
	if (ends_with(member, ".csv") && is_roster_header(l, len))
		return &tl_roster;
	if (len > 12 && (memmem(l, len, "msg=audit(", 10)) &&
	    (!strncmp(l, "type=", 5) || !strncmp(l, "node=", 5)))
		return &tl_auditd;
	if (l[0] == '<' && len > 3 && isdigit((unsigned char)l[1]))
		return &tl_syslog;
	if (len > 15 && tl_month(l) && l[3] == ' ')
		return &tl_syslog;
	if (len > 20 && isdigit((unsigned char)l[0]) && l[4] == '-' && l[10] == 'T')
		return &tl_syslog;
	if (len > 26 && l[0] == '[' && l[4] == ' ' && tl_month(l + 5))
		return &tl_apache_error;
	if (memchr(l, '[', len) && memmem(l, len, "] \"", 3))
		return &tl_access_log;
	if (category && (!strcmp(category, CF_CAT_AUTH_LOG) ||
			 !strcmp(category, CF_CAT_SYSTEM_LOG)))
		return &tl_syslog;
	if (category && !strcmp(category, CF_CAT_ACCESS_LOG))
		return &tl_access_log;
	return NULL;
}
