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
 * report model and the templates read one kind of tree.
 */
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/scope.h"
#include "casefile/yaml.h"
#include "model.h"

/* The checked document is at most three levels deep; the bound only keeps
 * the recursion safe should the checks ever allow more. */
#define MAX_DEPTH 16

static cJSON *to_json(struct fy_node *n, int depth)
{
	void *it = NULL;
	cJSON *j;

	if (!n || cf_yaml_is_null(n))
		return cJSON_CreateNull();
	if (depth > MAX_DEPTH)
		return NULL;
	if (fy_node_is_mapping(n)) {
		struct fy_node_pair *p;

		if (!(j = cJSON_CreateObject()))
			return NULL;
		while ((p = fy_node_mapping_iterate(n, &it))) {
			char *k = cf_yaml_strdup(fy_node_pair_key(p));
			cJSON *v = to_json(fy_node_pair_value(p), depth + 1);

			if (!k || !v || !cJSON_AddItemToObject(j, k, v)) {
				free(k);
				cJSON_Delete(v);
				cJSON_Delete(j);
				return NULL;
			}
			free(k);
		}
		return j;
	}
	if (fy_node_is_sequence(n)) {
		struct fy_node *e;

		if (!(j = cJSON_CreateArray()))
			return NULL;
		while ((e = fy_node_sequence_iterate(n, &it))) {
			cJSON *v = to_json(e, depth + 1);

			if (!v || !cJSON_AddItemToArray(j, v)) {
				cJSON_Delete(v);
				cJSON_Delete(j);
				return NULL;
			}
		}
		return j;
	}
	{
		char *c = cf_yaml_strdup(n);

		if (!c)
			return NULL;
		j = cJSON_CreateString(c);
		free(c);
		return j;
	}
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
	if (!(*out = to_json(fy_document_root(doc), 0))) {
		cf_set_nomem(ctx, path);
		rc = CF_FATAL;
	}
out:
	cf_incident_free(inc);
	fy_document_destroy(doc);
	return rc;
}
