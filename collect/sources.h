/* SPDX-License-Identifier: Apache-2.0
 *
 * The `command`, `sqlite` and `mlflow` sources (sources.c): runners named
 * by the table of source types in profile.c.
 */
#ifndef CASEFILE_COLLECT_SOURCES_H
#define CASEFILE_COLLECT_SOURCES_H

struct cf_srcrun;

int cf_source_command(struct cf_srcrun *sr);
int cf_source_sqlite(struct cf_srcrun *sr);
int cf_source_mlflow(struct cf_srcrun *sr);

#endif
