/* SPDX-License-Identifier: Apache-2.0
 *
 * Loading an incident file (YAML, SPEC section 6) for the reports.
 *
 * The file is written by a person during an incident: every mistake must be
 * pointed at with file:line:column before any report is drafted from it,
 * because a wrong discovery date silently moves every legal deadline. The
 * checks are the core's (cf_incident_from_yaml), the same that `timeline
 * scope` applies, so a file the count accepts is the file the notice is
 * drafted from; the report adds only what a notice needs (the covered
 * entity's name). The document, once checked, is converted to JSON so the
 * report model and the templates read one kind of tree, and the core's
 * reading of the rules' facts (local calendar days, the law-enforcement
 * delay in force, the determination) is added under "resolved" so that
 * the model never re-derives them differently.
 */
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/scope.h"
#include "casefile/time.h"
#include "casefile/yaml.h"
#include "escape.h"
#include "model.h"

/* An RFC 3339 time under key, or a null when there is none. */
static void add_opt_time(struct cf_jb *jb, cJSON *o, const char *key, int has,
			 int64_t us)
{
	if (has)
		cf_jb_time(jb, o, key, us);
	else
		cf_jb_item(jb, o, key, NULL);
}

/* The core's reading of the facts the rules run on, as JSON; NULL on no
 * memory. */
static cJSON *resolved_of(const struct cf_incident *inc)
{
	static const char *const fkeys[] = {"nature_extent", "unauthorized_person",
					    "acquired_viewed", "mitigation"};
	const struct cf_le_delay *le = &inc->le;
	const struct cf_ba_facts *ba = &inc->ba;
	const struct cf_determination *d = &inc->determination;
	struct cf_jb jb;
	cJSON *r = cf_jb_init(&jb), *o, *a;

	cf_jb_str(&jb, r, "kind", cf_incident_kind_name(inc->kind));
	cf_jb_bool(&jb, r, "phi_disclosed", inc->phi_disclosed);
	cf_jb_bool(&jb, r, "part2", inc->part2);
	cf_jb_str(&jb, r, "time_zone", inc->covered_entity.time_zone);
	cf_jb_int(&jb, r, "utc_offset_s", inc->discovered_offset_s);
	cf_report_jb_day(&jb, r, "discovered_date", inc->discovered_day);
	cf_jb_str(&jb, r, "discovery_basis", ba->agent &&
		  ba->discovered_us < inc->discovered_us
		  ? "business associate acting as agent (164.404(a)(2))"
		  : "covered entity");
	if (le->kind == CF_LE_NONE) {
		cf_jb_item(&jb, r, "law_enforcement", NULL);
	} else {
		o = cf_jb_object(&jb, r, "law_enforcement");
		cf_jb_str(&jb, o, "kind", le->kind == CF_LE_ORAL ? "oral" : "written");
		cf_jb_bool(&jb, o, "legacy_key", le->legacy);
		cf_report_jb_day(&jb, o, "statement", le->statement_day);
		cf_jb_str(&jb, o, "agency", le->agency);
		cf_jb_str(&jb, o, "official", le->official);
		cf_report_jb_day(&jb, o, "until", le->until_day);
		cf_report_jb_day(&jb, o, "last_day", le->last_day);
		cf_jb_bool(&jb, o, "capped", le->capped);
	}
	if (!ba->present) {
		cf_jb_item(&jb, r, "business_associate", NULL);
	} else {
		o = cf_jb_object(&jb, r, "business_associate");
		cf_jb_str(&jb, o, "name", ba->name);
		cf_jb_str(&jb, o, "contact", ba->contact);
		add_opt_time(&jb, o, "discovered", ba->has_discovered, ba->discovered_us);
		add_opt_time(&jb, o, "notified", ba->has_notified, ba->notified_us);
		cf_jb_bool(&jb, o, "agent", ba->agent);
	}
	a = cf_jb_array(&jb, r, "covered_entities");
	for (size_t i = 0; i < inc->nnotify; i++) {
		o = cf_jb_object(&jb, a, NULL);
		cf_jb_str(&jb, o, "name", inc->notify[i].name);
		cf_jb_str(&jb, o, "contact", inc->notify[i].contact);
	}
	if (!d->decision) {
		cf_jb_item(&jb, r, "determination", NULL);
	} else {
		o = cf_jb_object(&jb, r, "determination");
		cf_jb_str(&jb, o, "decision", d->decision);
		cf_jb_str(&jb, o, "decided_by", d->decided_by);
		cf_report_jb_day(&jb, o, "decided_on", d->decided_day);
		cf_jb_str(&jb, o, "rationale", d->rationale);
		a = cf_jb_object(&jb, o, "factors");
		for (int i = 0; i < 4; i++)
			cf_jb_str(&jb, a, fkeys[i], d->factors[i]);
	}
	return cf_jb_finish(&jb);
}

int cf_report_incident_load(struct cf_ctx *ctx, const char *path, cJSON **out)
{
	struct fy_document *doc = NULL;
	struct cf_incident *inc = NULL;
	int rc;

	*out = NULL;
	if ((rc = cf_yaml_load(ctx, path, &doc)) != CF_OK)
		return rc;
	if ((rc = cf_incident_from_yaml(ctx, path, doc, &inc)) != CF_OK)
		goto out;
	if (!inc->covered_entity.name) {
		struct fy_node *root = fy_document_root(doc);
		struct fy_node *ce = cf_yaml_get(root, "covered_entity");

		rc = cf_yaml_error(ctx, path, ce ? ce : root, "'covered_entity' "
				   "with a 'name' is required for the notices");
		goto out;
	}
	if (!(*out = cf_yaml_to_json(fy_document_root(doc), 0)) ||
	    cf_report_add(*out, "resolved", resolved_of(inc))) {
		cJSON_Delete(*out);
		*out = NULL;
		cf_set_nomem(ctx, path);
		rc = CF_FATAL;
	}
out:
	cf_incident_free(inc);
	fy_document_destroy(doc);
	return rc;
}
