/* SPDX-License-Identifier: Apache-2.0
 *
 * The collector's own records: casefile/items.jsonl (the file times of every
 * collected item become mtime and ctime events) and casefile/log.jsonl
 * (what the collector did and when).
 *
 * File times matter to an investigation as much as log lines do: a
 * configuration changed an hour before the incident, a log rotated early.
 * A time may be RFC 3339 or a number of seconds since the epoch.
 */
#include <string.h>

#include "casefile/error.h"
#include "casefile/json.h"
#include "tl.h"

static int parse_line(struct tl_run *r, const char *s, size_t n, uint64_t ln,
		      uint64_t off, cJSON **o)
{
	struct cf_ctx jctx;

	*o = NULL;
	if (!n)
		return tl_reject(r, ln, off, "empty line");
	cf_ctx_init(&jctx);
	if (cf_json_parse(&jctx, s, n, o) != CF_OK || !cJSON_IsObject(*o)) {
		cJSON_Delete(*o);
		*o = NULL;
		return tl_reject(r, ln, off, "invalid JSON: %s",
				 jctx.msg[0] ? jctx.msg : "not an object");
	}
	return CF_OK;
}

static int stat_event(struct tl_run *r, const cJSON *o, const cJSON *st,
		      const char *key, const char *desc, uint64_t ln, uint64_t off)
{
	struct cf_event ev = {.ts_desc = desc, .source = "filestat",
			      .action = key};
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(st, key);
	const char *path = cf_json_str(o, "path", NULL);
	int tz;

	if (!t)
		return CF_OK;
	if (tl_json_time(t, &ev.ts_us, &tz))
		return tl_reject(r, ln, off, "items.jsonl: bad %s", key);
	ev.resource = tl_str(r, path, (size_t)-1);
	tl_attr_str(r, "item_member", cf_json_str(o, "member", NULL), (size_t)-1);
	tl_attr_str(r, "category", cf_json_str(o, "category", NULL), (size_t)-1);
	tl_attr_str(r, "sha256", cf_json_str(o, "sha256", NULL), (size_t)-1);
	tl_attr_json(r, "size", cJSON_GetObjectItemCaseSensitive(o, "size"));
	tl_attr_json(r, "inode", cJSON_GetObjectItemCaseSensitive(st, "inode"));
	tl_attr_json(r, "mode", cJSON_GetObjectItemCaseSensitive(st, "mode"));
	tl_attr_json(r, "uid", cJSON_GetObjectItemCaseSensitive(st, "uid"));
	ev.message = tl_strf(r, "%s of %s", key, ev.resource ? ev.resource : "?");
	return tl_emit(r, &ev, ln, off);
}

static int items_line(struct tl_run *r, const char *s, size_t n, uint64_t ln,
		      uint64_t off)
{
	cJSON *o;
	const cJSON *st;
	int rc;

	if ((rc = parse_line(r, s, n, ln, off, &o)) || !o)
		return rc;
	st = cJSON_GetObjectItemCaseSensitive(o, "stat");
	if (!st)
		st = o;
	if (!cJSON_HasObjectItem(st, "mtime") && !cJSON_HasObjectItem(st, "ctime") &&
	    st == o && strcmp(cf_json_str(o, "kind", "file"), "file"))
		/* An item that is not a file and has no stat (what the
		 * collector derived, a command's output) has no file times to
		 * give: nothing to parse, nothing rejected. */
		rc = CF_OK;
	else if (!cJSON_HasObjectItem(st, "mtime") && !cJSON_HasObjectItem(st, "ctime"))
		rc = tl_reject(r, ln, off, "items.jsonl: item without file times");
	else if (!(rc = stat_event(r, o, st, "mtime", "Content Modification Time",
				   ln, off)))
		rc = stat_event(r, o, st, "ctime", "Metadata Change Time", ln, off);
	cJSON_Delete(o);
	return rc;
}

const struct tl_parser tl_items = {
	.name = "filestat",
	.line = items_line,
};

static const struct tl_mapping collector_mapping = {
	.name = "collector",
	.kind = "events",
	.fields = {
		[TL_F_TIME] = {"time", "at", "ts", "finished_at"},
		[TL_F_ACTION] = {"event", "action", "kind", "level"},
		[TL_F_ACTOR] = {"examiner", "user"},
		[TL_F_RESOURCE] = {"path", "command", "member"},
		[TL_F_OUTCOME] = {"outcome", "status", "exit_status"},
		[TL_F_MESSAGE] = {"message", "msg", "detail", "error"},
	},
};

static int log_line(struct tl_run *r, const char *s, size_t n, uint64_t ln,
		    uint64_t off)
{
	cJSON *o;
	int rc;

	if ((rc = parse_line(r, s, n, ln, off, &o)) || !o)
		return rc;
	rc = tl_mapped_with(r, &collector_mapping, o, ln, off);
	cJSON_Delete(o);
	return rc;
}

const struct tl_parser tl_collector_log = {
	.name = "collector",
	.line = log_line,
};
