/* SPDX-License-Identifier: Apache-2.0
 *
 * The annual HHS log (hhs_log.c): the breaches affecting fewer than 500
 * individuals discovered in one calendar year, each with its portal
 * items, due to the Secretary 60 days after the year ends (45 CFR
 * 164.408(c)), and the addenda owed when a count changed since an earlier
 * log was filed. Built from breach report models (report.json); not for
 * use outside reports/.
 */
#ifndef CF_REPORTS_HHS_LOG_H
#define CF_REPORTS_HHS_LOG_H

#include <stddef.h>
#include <cjson/cJSON.h>

struct cf_buf;
struct cf_ctx;

#define CF_HHS_LOG_FORMAT "casefile-hhs-log/1"

/* One breach report model and where it was read from. */
struct cf_hhs_log_case {
	const cJSON *model;    /* report.json */
	const char *path;      /* for messages and the log's citations */
};

/* Builds the log of `year` (0: the latest year of discovery among the
 * fewer-than-500 breaches of the cases) from n models; previous is an
 * earlier log (`report hhs-log --json`) or NULL. A model without a
 * discovery date or count is an error naming its path. Two models of one
 * incident id: the later generated_at is used. *out (cJSON_Delete)
 * {format, year, due, rule, breaches:[{incident, title, covered_entity,
 * discovered, affected, due, path, portal:[{section, item, value, confirm,
 * selected?}],
 * addendum?}], not_in_log:[{incident, affected, discovered, reason}],
 * addenda, removed}. */
int cf_hhs_log_build(struct cf_ctx *ctx, const struct cf_hhs_log_case *cases,
		     size_t n, int year, const cJSON *previous, cJSON **out);

/* The log as a Markdown document. CF_OK, or no memory on ctx. */
int cf_hhs_log_md(struct cf_ctx *ctx, const cJSON *log, struct cf_buf *out);

/* `casefile report hhs-log` (cmd_report_filing.c): argc/argv from
 * "report", usage the report command's usage text. The exit status. */
int cf_report_cmd_hhs_log(int argc, char **argv, const char *usage);
/* `casefile report mailing` (cmd_report_filing.c), likewise. */
int cf_report_cmd_mailing(int argc, char **argv, const char *usage);

#endif
