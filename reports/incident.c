/* SPDX-License-Identifier: Apache-2.0
 *
 * Loading an incident file (YAML, SPEC section 6) for the reports.
 *
 * The file is written by a person during an incident: every mistake must be
 * pointed at with file:line:column before any report is drafted from it,
 * because a wrong discovery date silently moves every legal deadline. The
 * YAML is converted to JSON once checked so the report model and the
 * templates read one kind of tree. Unknown keys are refused, as a misspelt
 * `law_enforcement_delay_until` must not be ignored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/time.h"
#include "casefile/yaml.h"
#include "model.h"

#define MAX_DEPTH 16

static cJSON *to_json(struct fy_node *n, int depth)
{
	void *it = NULL;
	cJSON *j;

	if (!n)
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
		size_t len;
		const char *s = fy_node_get_scalar(n, &len);
		char *c;

		if (fy_node_get_style(n) == FYNS_PLAIN &&
		    (len == 0 || (len == 4 && !memcmp(s, "null", 4)) ||
		     (len == 1 && *s == '~')))
			return cJSON_CreateNull();
		if (!(c = cf_strndup(s ? s : "", s ? len : 0)))
			return NULL;
		j = cJSON_CreateString(c);
		free(c);
		return j;
	}
}

/* A time value at key in map: absent is allowed unless `required`; null is
 * allowed when `nullable`. */
static int check_time(struct cf_ctx *ctx, const char *file,
		      struct fy_node *map, const char *key, int required,
		      int nullable)
{
	struct fy_node *n = cf_yaml_get(map, key);
	const char *s;
	size_t len;
	int64_t us;

	if (!n) {
		if (required)
			return cf_yaml_error(ctx, file, map, "'%s' is required", key);
		return CF_OK;
	}
	if (!fy_node_is_scalar(n))
		return cf_yaml_error(ctx, file, n, "'%s' must be a time", key);
	s = fy_node_get_scalar(n, &len);
	if (nullable && fy_node_get_style(n) == FYNS_PLAIN &&
	    (len == 0 || (len == 4 && !memcmp(s, "null", 4)) ||
	     (len == 1 && *s == '~')))
		return CF_OK;
	if (cf_time_parse(s, (long)len, &us, NULL) != 0) {
		/* A bare date ("2026-05-01") is also accepted for the delay. */
		int64_t y;
		unsigned m, d;
		char tail;

		if (nullable && len == 10 &&
		    sscanf(s, "%4ld-%2u-%2u%c", (long *)&y, &m, &d, &tail) == 3)
			return CF_OK;
		return cf_yaml_error(ctx, file, n,
				     "'%s' is not an RFC 3339 time", key);
	}
	return CF_OK;
}

int cf_report_incident_load(struct cf_ctx *ctx, const char *path, cJSON **out)
{
	static const char *const top[] = {"id", "title", "covered_entity",
		"discovered", "window", "suspects", "law_enforcement_delay_until",
		"notes", NULL};
	static const char *const ent[] = {"name", "type", "contact", NULL};
	static const char *const con[] = {"phone", "email", "web", "postal", NULL};
	static const char *const win[] = {"from", "to", NULL};
	static const char *const sus[] = {"actors", "ips", "credentials",
		"models", NULL};
	static const char *const types[] = {"provider", "health-plan",
		"clearinghouse", "business-associate", NULL};
	struct fy_document *doc = NULL;
	struct fy_node *root, *ce, *n;
	char *s = NULL;
	int rc;

	*out = NULL;
	if ((rc = cf_yaml_load(ctx, path, &doc)) != CF_OK)
		return rc;
	root = fy_document_root(doc);
	rc = CF_FAILED;
	if (!root || !fy_node_is_mapping(root)) {
		cf_set_error(ctx, 0, "%s: an incident file is a YAML mapping", path);
		goto out;
	}
	if (cf_yaml_check_keys(ctx, path, root, top) != CF_OK)
		goto out;
	switch (cf_yaml_str(ctx, path, root, "id", &s)) {
	case CF_OK: break;
	case CF_EOF:
		cf_yaml_error(ctx, path, root, "'id' is required");
		goto out;
	default:
		goto out;
	}
	if (!(ce = cf_yaml_get(root, "covered_entity")) || !fy_node_is_mapping(ce)) {
		cf_yaml_error(ctx, path, ce ? ce : root,
			      "'covered_entity' (a mapping with 'name') is required");
		goto out;
	}
	if (cf_yaml_check_keys(ctx, path, ce, ent) != CF_OK)
		goto out;
	if (!(n = cf_yaml_get(ce, "name")) || !fy_node_is_scalar(n)) {
		cf_yaml_error(ctx, path, ce, "'covered_entity.name' is required");
		goto out;
	}
	if ((n = cf_yaml_get(ce, "type"))) {
		char *t = cf_yaml_strdup(n);
		int ok = 0;

		for (size_t i = 0; t && types[i]; i++)
			ok |= !strcmp(t, types[i]);
		free(t);
		if (!ok) {
			cf_yaml_error(ctx, path, n, "'covered_entity.type' must be "
				      "provider, health-plan, clearinghouse or "
				      "business-associate");
			goto out;
		}
	}
	if ((n = cf_yaml_get(ce, "contact")) &&
	    (!fy_node_is_mapping(n) || cf_yaml_check_keys(ctx, path, n, con) != CF_OK)) {
		if (!fy_node_is_mapping(n))
			cf_yaml_error(ctx, path, n, "'contact' must be a mapping");
		goto out;
	}
	if (check_time(ctx, path, root, "discovered", 1, 0) != CF_OK ||
	    check_time(ctx, path, root, "law_enforcement_delay_until", 0, 1) != CF_OK)
		goto out;
	if ((n = cf_yaml_get(root, "window"))) {
		if (!fy_node_is_mapping(n)) {
			cf_yaml_error(ctx, path, n, "'window' must be a mapping");
			goto out;
		}
		if (cf_yaml_check_keys(ctx, path, n, win) != CF_OK ||
		    check_time(ctx, path, n, "from", 1, 0) != CF_OK ||
		    check_time(ctx, path, n, "to", 1, 0) != CF_OK)
			goto out;
	}
	if ((n = cf_yaml_get(root, "suspects"))) {
		void *it = NULL;
		struct fy_node_pair *p;

		if (!fy_node_is_mapping(n)) {
			cf_yaml_error(ctx, path, n, "'suspects' must be a mapping");
			goto out;
		}
		if (cf_yaml_check_keys(ctx, path, n, sus) != CF_OK)
			goto out;
		while ((p = fy_node_mapping_iterate(n, &it))) {
			struct fy_node *v = fy_node_pair_value(p);

			if (v && !fy_node_is_sequence(v) &&
			    !(fy_node_is_scalar(v) && fy_node_get_style(v) == FYNS_PLAIN &&
			      !strcmp(fy_node_get_scalar0(v) ? fy_node_get_scalar0(v) : "", "null"))) {
				cf_yaml_error(ctx, path, v, "suspect lists must be "
					      "sequences ([a, b] or - a)");
				goto out;
			}
		}
	}
	if (!(*out = to_json(root, 0))) {
		cf_set_nomem(ctx, path);
		rc = CF_FATAL;
		goto out;
	}
	rc = CF_OK;
out:
	free(s);
	fy_document_destroy(doc);
	return rc;
}
