/* SPDX-License-Identifier: Apache-2.0
 *
 * `timeline query` output: the events a filter selects, in time order, as a
 * table for people, CSV with a header, JSON lines, plaso's l2tcsv (17
 * columns) or Timesketch JSON lines (message, datetime, timestamp_desc).
 *
 * Every format carries the provenance (archive digest, member, line, byte
 * offset) so that a row can be checked against the signed evidence. Times
 * are RFC 3339 UTC with microseconds (l2tcsv's own date and time columns
 * cannot hold them: the full time is repeated in its extra column). This
 * file writes to the stream it is given and reports write errors; it
 * never decides what goes to stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/csv.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/time.h"
#include "casefile/utf8.h"
#include "query.h"

static const char *const csv_cols[] = {
	"time", "ts_desc", "source", "host", "actor", "actor_role", "action",
	"outcome", "patient", "resource", "src_ip", "model", "model_version",
	"decision", "score", "message", "attrs", "archive", "member", "line",
	"offset", NULL};

/* One CSV row through the core writer (casefile/csv.h: quoting, and cells
 * a spreadsheet would run as formulas neutralised). 1 on no memory. */
static int csv_row(struct tl_query_out *q, const char *const *v, size_t n)
{
	struct cf_buf b;
	int bad;

	cf_buf_init(&b);
	bad = cf_csv_row(&b, v, n, "\n");
	if (!bad && b.len)
		fwrite(b.data, 1, b.len, q->f);
	cf_buf_release(&b);
	return bad ? (q->nomem = 1) : 0;
}

/* ---- Timesketch ---------------------------------------------------------- */

/* Timesketch needs a non-empty message on every event; an event whose
 * source line gave none (the collector's own log, some audit records) is
 * described by its fields: "collector: started (actor=..., ...)". The
 * caller frees; NULL on no memory. */
static char *ts_message(const struct cf_event *e)
{
	const char *names[] = {"actor", "patient", "resource", "src_ip", "model",
			       "outcome"};
	const char *vals[] = {e->actor, e->patient, e->resource, e->src_ip,
			      e->model, e->outcome};
	struct cf_buf b;
	int bad, n = 0;

	if (e->message && *e->message)
		return cf_strdup(e->message);
	cf_buf_init(&b);
	bad = cf_buf_printf(&b, "%s: %s", e->source && *e->source ? e->source : "event",
			    e->action && *e->action ? e->action : "event");
	for (size_t i = 0; !bad && i < sizeof names / sizeof names[0]; i++)
		if (vals[i] && *vals[i])
			bad = cf_buf_printf(&b, "%s%s=%s", n++ ? ", " : " (",
					    names[i], vals[i]);
	if (!bad && n)
		bad = cf_buf_printf(&b, ")");
	if (bad) {
		cf_buf_release(&b);
		return NULL;
	}
	return cf_buf_detach(&b);
}

/* Timesketch indexes attributes in OpenSearch, where a field holds one type
 * across the sketch: the same attribute is a number in one source and a
 * string in another (an access log's status 200, an auditd status
 * "success"), and the second kind is refused as a mapping conflict. Every
 * attribute value is therefore exported as a string: strings as they are,
 * numbers, booleans, objects and arrays as their JSON text. 0, or 1 on no
 * memory. */
static int ts_attrs_as_strings(cJSON *attrs)
{
	cJSON *a;

	cJSON_ArrayForEach(a, attrs) {
		char *txt;
		cJSON *s;
		if (cJSON_IsString(a))
			continue;
		if (!(txt = cJSON_PrintUnformatted(a)))
			return 1;
		s = cJSON_CreateString(txt);
		free(txt);
		if (!s || !cJSON_ReplaceItemViaPointer(attrs, a, s)) {
			cJSON_Delete(s);
			return 1;
		}
		a = s;
	}
	return 0;
}

/* 1 when an event's time is not known: its parser marked it
 * ("time_unknown", a utmp slot or journal entry whose time is unset), or
 * it sits exactly at the epoch without coming from the file times, the one
 * source where 0 is what the file system holds. Timesketch would place it
 * in 1970 as if it were a fact; it is left out of the export and counted
 * (the other formats keep it, marked). */
static int ts_time_unknown(const struct cf_event *e, const cJSON *attrs)
{
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(attrs, "time_unknown")))
		return 1;
	return e->ts_us == 0 && !(e->source && !strcmp(e->source, "filestat"));
}

static int put_json(struct tl_query_out *q, cJSON *j)
{
	char *txt;

	if (!j)
		return q->nomem = 1, 1;
	txt = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (!txt)
		return q->nomem = 1, 1;
	fputs(txt, q->f);
	fputc('\n', q->f);
	free(txt);
	return 0;
}

/* A table cell (cf_utf8_safe): the table is for a terminal, and the
 * fields come from logs of a compromised host; an escape sequence in a log
 * line must not reach the examiner's terminal. */
static const char *cell(char *out, const char *s, size_t max)
{
	return cf_utf8_safe(out, s ? s : "-", max, 0);
}

static int on_event(void *arg, const struct cf_event *e)
{
	struct tl_query_out *q = arg;
	char t[CF_TIME_STR], score[32] = "", line[24], off[24];

	cf_time_format(e->ts_us, t);
	if (e->has_score)
		snprintf(score, sizeof score, "%.17g", e->score);
	snprintf(line, sizeof line, "%llu", (unsigned long long)e->line);
	snprintf(off, sizeof off, "%llu", (unsigned long long)e->offset);
	q->rows++;
	switch (q->format) {
	case TL_FMT_TABLE: {
		char c[6][4 * 16 + 1], msg[4 * 80 + 1];
		fprintf(q->f, "%-27s %-16s %-16s %-14s %-8s %-12s %-15s %s\n", t,
			cell(c[0], e->source, 16), cell(c[1], e->actor, 16),
			cell(c[2], e->action, 14), cell(c[3], e->outcome, 8),
			cell(c[4], e->patient, 12), cell(c[5], e->src_ip, 15),
			cell(msg, e->message ? e->message : "", 80));
		break;
	}
	case TL_FMT_CSV: {
		const char *v[] = {t, e->ts_desc, e->source, e->host, e->actor,
				   e->actor_role, e->action, e->outcome, e->patient,
				   e->resource, e->src_ip, e->model, e->model_version,
				   e->decision, score, e->message, e->attrs, e->archive,
				   e->member, line, off};
		if (csv_row(q, v, sizeof v / sizeof v[0]))
			return 1;
		break;
	}
	case TL_FMT_JSONL:
		return put_json(q, cf_event_json(e, 0));
	case TL_FMT_L2TCSV: {
		char date[11], tm[9], notes[160], extra[96], shrt[81];
		const char *macb = "....";
		snprintf(date, sizeof date, "%.2s/%.2s/%.4s", t + 5, t + 8, t);
		snprintf(tm, sizeof tm, "%.8s", t + 11);
		if (e->action && !strcmp(e->action, "mtime"))
			macb = "M...";
		else if (e->action && !strcmp(e->action, "ctime"))
			macb = "..C.";
		snprintf(notes, sizeof notes, "archive=%s line=%s offset=%s",
			 e->archive ? e->archive : "", line, off);
		snprintf(extra, sizeof extra, "datetime=%s", t);
		snprintf(shrt, sizeof shrt, "%s", e->message ? e->message : "");
		{
			const char *v[] = {date, tm, "UTC", macb, "LOG", e->source,
					   e->ts_desc, e->actor ? e->actor : "-",
					   e->host ? e->host : "-", shrt, e->message,
					   "2", e->member, "-", notes,
					   "casefile", extra};
			if (csv_row(q, v, sizeof v / sizeof v[0]))
				return 1;
		}
		break;
	}
	case TL_FMT_TIMESKETCH: {
		cJSON *j = cf_event_json(e, 0);
		char us[24], *msg = NULL;
		if (j && ts_time_unknown(e, cJSON_GetObjectItemCaseSensitive(j, "attrs"))) {
			cJSON_Delete(j);
			q->rows--;
			q->untimed++;
			return 0;
		}
		snprintf(us, sizeof us, "%lld", (long long)e->ts_us);
		if (j) { /* message first-class; integer microseconds, not a double */
			cJSON_DeleteItemFromObject(j, "message");
			cJSON_DeleteItemFromObject(j, "time");
		}
		if (j && (ts_attrs_as_strings(cJSON_GetObjectItemCaseSensitive(j, "attrs")) ||
			  !(msg = ts_message(e)) ||
			  cf_json_add_str(j, "message", msg) ||
			  cf_json_add_time(j, "datetime", e->ts_us) ||
			  !cJSON_AddRawToObject(j, "timestamp", us) ||
			  cf_json_add_str(j, "timestamp_desc",
					  e->ts_desc ? e->ts_desc : "Event Recorded") ||
			  cf_json_add_str(j, "data_type",
					  e->source ? e->source : "casefile"))) {
			cJSON_Delete(j);
			j = NULL;
		}
		free(msg);
		return put_json(q, j);
	}
	}
	return ferror(q->f) ? 1 : 0;
}

int tl_query_format(const char *name)
{
	static const char *const names[] = {"table", "csv", "jsonl", "l2tcsv",
					    "timesketch", NULL};
	for (int i = 0; names[i]; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

int tl_query_run(struct cf_ctx *ctx, cf_db *db, const struct cf_db_filter *f,
		 struct tl_query_out *q)
{
	int rc;

	if (q->format == TL_FMT_CSV &&
	    csv_row(q, csv_cols, sizeof csv_cols / sizeof csv_cols[0] - 1))
		return cf_set_nomem(ctx, "writing events");
	else if (q->format == TL_FMT_L2TCSV)
		fputs("date,time,timezone,MACB,source,sourcetype,type,user,host,short,"
		      "desc,version,filename,inode,notes,format,extra\n", q->f);
	else if (q->format == TL_FMT_TABLE)
		fprintf(q->f, "%-27s %-16s %-16s %-14s %-8s %-12s %-15s %s\n", "TIME",
			"SOURCE", "ACTOR", "ACTION", "OUTCOME", "PATIENT", "SRC_IP",
			"MESSAGE");
	rc = cf_db_query_events(db, ctx, f, on_event, q);
	if (q->nomem)
		return cf_set_nomem(ctx, "writing events");
	if (rc > 0 || ferror(q->f))
		return cf_set_error(ctx, 0, "cannot write the events");
	return rc;
}
