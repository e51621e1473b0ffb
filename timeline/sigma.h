/* SPDX-License-Identifier: Apache-2.0
 *
 * Sigma detection over the timeline (`casefile timeline detect`), private
 * to timeline/: loading rules (sigma.c), matching events and correlating
 * matches (sigma_eval.c). The format is the Sigma specification v2 as
 * users write it; the field and logsource tables that say where a Sigma
 * field lives in the timeline are in sigma_map.c and man/casefile-detect.5.
 *
 * A rule set is loaded once, then fed the timeline event by event in time
 * order (sigma_feed), as cf_db_query_events streams it: nothing of the
 * timeline is held but the evidence of findings (at most SIGMA_MAX_EVIDENCE
 * events each) and the correlations' per-group windows, which drop groups
 * idle for longer than their timespan. A rule that uses what this engine
 * cannot do is refused at load with the feature named (struct
 * sigma_refusal), never kept to match nothing. This module never prints.
 */
#ifndef CASEFILE_TIMELINE_SIGMA_H
#define CASEFILE_TIMELINE_SIGMA_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/db.h"

struct cf_ctx;

#define SIGMA_MAX_EVIDENCE 1000   /* events kept per finding (count goes on) */
#define SIGMA_MAX_RULES 100000
#define SIGMA_MAX_DEPTH 64        /* condition nesting */

enum sigma_level { SIGMA_CRITICAL, SIGMA_HIGH, SIGMA_MEDIUM, SIGMA_LOW,
		   SIGMA_INFORMATIONAL, SIGMA_NLEVELS };

/* A rule that was not loaded, and why. */
struct sigma_refusal {
	char *where;   /* "FILE:LINE" (or "FILE" when no line is known) */
	char *rule;    /* the rule's title or id, NULL when not known */
	char *reason;  /* e.g. "unsupported modifier 'expand'" */
	char *feature; /* the feature named ("modifier expand", "field X",
			* "YAML"), for counting refusals by kind */
};

/* One event a finding points at. */
struct sigma_evidence {
	int64_t id, ts_us;
	char *archive, *member, *source, *actor, *src_ip, *host, *message;
	uint64_t line;
};

struct sigma_rule;

/* A finding: every match of a detection rule (one finding per rule), or one
 * firing of a correlation rule for one group within its timespan. */
struct sigma_finding {
	const struct sigma_rule *rule;
	char *group;             /* "field=value, ..." of group-by, or NULL */
	uint64_t count;          /* events (or distinct values for value_count) */
	int64_t first_us, last_us;
	struct sigma_evidence *ev;
	size_t nev;              /* <= SIGMA_MAX_EVIDENCE */
	int truncated;           /* more events matched than ev holds */
};

struct sigma_set;

/* An empty set. NULL when out of memory. */
struct sigma_set *sigma_set_new(void);
void sigma_set_free(struct sigma_set *s);

/* Loads a rule file (YAML, one or more documents separated by "---") or
 * every *.yml / *.yaml file under a folder, in name order. Rules that
 * cannot be used become refusals (sigma_refusals); a file that is not
 * YAML is one refusal naming FILE:LINE:COL. Returns CF_OK, or CF_FAILED /
 * CF_FATAL when the path cannot be read or memory runs out. */
int sigma_load_path(struct sigma_set *s, struct cf_ctx *ctx, const char *path);
/* Same for text in memory; `name` stands for the file in messages. */
int sigma_load_string(struct sigma_set *s, struct cf_ctx *ctx, const char *name,
		      const char *text, size_t len);
/* After loading: resolves correlation references (by name or id) and
 * refuses correlations whose rules are missing. Call once before feeding. */
int sigma_link(struct sigma_set *s, struct cf_ctx *ctx);

size_t sigma_rule_count(const struct sigma_set *s);
const struct sigma_refusal *sigma_refusals(const struct sigma_set *s,
					   size_t *n);

/* The filter to stream with: the sources the rules' logsources allow (when
 * they all name one, else any). Leaves from/to as the caller set them. */
void sigma_filter(const struct sigma_set *s, struct cf_db_filter *f);

/* Evaluates one event (callbacks of cf_db_query_events pass it on).
 * Events must come in time order. Returns CF_OK or CF_FAILED (memory). */
int sigma_feed(struct sigma_set *s, struct cf_ctx *ctx,
	       const struct cf_event *ev);
/* Ends the stream: closes correlation windows still open. */
int sigma_finish(struct sigma_set *s, struct cf_ctx *ctx);

/* The findings so far, ordered by level (critical first), then by first
 * event time, then rule id. Valid until the set is freed. */
const struct sigma_finding *const *sigma_findings(struct sigma_set *s,
						   size_t *n);

/* Accessors of a rule. */
const char *sigma_rule_id(const struct sigma_rule *r);    /* id, else name, else title */
const char *sigma_rule_title(const struct sigma_rule *r);
enum sigma_level sigma_rule_level(const struct sigma_rule *r);
const char *sigma_level_name(enum sigma_level l);
/* Every rule loaded, for "ran with no finding" records. */
const struct sigma_rule *sigma_rule_at(const struct sigma_set *s, size_t i);
/* 1 when the rule reports findings (not a base rule hidden by a
 * correlation whose generate is false). */
int sigma_rule_reports(const struct sigma_rule *r);

/* `casefile timeline detect` (cmd_detect.c), called by cmd_timeline with
 * argv[0] = "detect". */
int cmd_timeline_detect(int argc, char **argv);

/* ---- private to sigma*.c ------------------------------------------------- */

/* Where a Sigma field lives: a column of the event, or an attribute. */
enum sigma_col {
	SG_ATTR = 0, SG_TS, SG_TS_DESC, SG_SOURCE, SG_HOST, SG_ACTOR,
	SG_ACTOR_ROLE, SG_ACTION, SG_OUTCOME, SG_PATIENT, SG_RESOURCE, SG_SRC_IP,
	SG_MODEL, SG_MODEL_VERSION, SG_DECISION, SG_SCORE, SG_MESSAGE,
	SG_ARCHIVE, SG_MEMBER,
	SG_HOUR, SG_WEEKDAY,   /* derived from ts in the event's zone */
};
struct sigma_fieldmap {
	enum sigma_col col;
	const char *attr;  /* attribute key when col is SG_ATTR */
	char list_sep;     /* the value is a list joined by this ('\0': none) */
};
/* Resolves a Sigma field name (column name, "attrs.KEY" or a mapped Sigma
 * name). Returns 0 and fills *m, or -1 when the timeline never holds it. */
int sigma_map_field(const char *name, struct sigma_fieldmap *m);
/* Sources (NULL-ended, static) a logsource applies to, plus the syslog
 * program names it selects (NULL-ended, static, NULL for any). Returns 0,
 * or -1 when casefile parses no such log (reason in *why, static). */
int sigma_map_logsource(const char *product, const char *service,
			const char *category, const char *const **sources,
			const char *const **programs, const char **why);

#endif
