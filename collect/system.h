/* SPDX-License-Identifier: Apache-2.0
 *
 * Host facts (system.c): collection.json's "host" object, and the `system`
 * source named by the table of source types in profile.c.
 */
#ifndef CASEFILE_COLLECT_SYSTEM_H
#define CASEFILE_COLLECT_SYSTEM_H

#include <cjson/cJSON.h>

struct cf_ctx;
struct cf_srcrun;

/* collection.json's "host" object for the host under root (NULL: "/"). */
int cf_host_facts(struct cf_ctx *ctx, const char *root, cJSON **out);
int cf_source_system(struct cf_srcrun *sr);

#endif
