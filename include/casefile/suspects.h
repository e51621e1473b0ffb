/* SPDX-License-Identifier: Apache-2.0
 *
 * Suspects from findings: `timeline scope --from-findings RULE_ID` and
 * `report breach --from-findings RULE_ID` extend an incident's suspects
 * with those the stored findings of chosen rules name (`timeline detect
 * --store`), and record which suspect came from which finding, with its
 * evidence. Both go through cf_scope_with_findings() so that they can
 * never disagree on a number. Nothing here prints.
 */
#ifndef CASEFILE_SUSPECTS_H
#define CASEFILE_SUSPECTS_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "casefile/db.h"

struct cf_ctx;
struct cf_incident;

/* Extends inc's suspects with those named by the events of the findings of
 * the latest run of each rule in rules[] (ids as `detect` stores them):
 * every event's actor and src_ip, and its model@model_version when it
 * names a model (read from the store by the event's id; an event no longer
 * in the store gives the actor and src_ip its evidence recorded). Only the
 * events a finding kept as evidence are read (at most 1000 per finding).
 * Suspects already listed are not repeated. *out (may be NULL) gets the
 * provenance: [{"rule_id","title","level","count","group","first","last",
 * "actors":[],"ips":[],"models":["NAME@VERSION"],"events":[{"id","ts",
 * "archive","member","line"}]}], one per finding, in rule id order. A rule
 * without a finding in the store is an error naming it. */
int cf_suspects_from_findings(struct cf_ctx *ctx, cf_db *db,
			      struct cf_incident *inc,
			      const char *const *rules, size_t nrules,
			      cJSON **out);

/* cf_scope_compute() after cf_suspects_from_findings() when nrules > 0, the
 * provenance added to the scope as "suspects_from_findings". */
int cf_scope_with_findings(struct cf_ctx *ctx, cf_db *db,
			   struct cf_incident *inc, const char *const *rules,
			   size_t nrules, unsigned flags, cJSON **out);

#endif
