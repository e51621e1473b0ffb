/* SPDX-License-Identifier: Apache-2.0
 *
 * A YAML node as a cJSON tree.
 *
 * Incident files are YAML, but the playbook engine's state and the report
 * model are JSON: both parts convert the checked document once and then
 * read one kind of tree. The conversion lives here so that both read a
 * mapping, a list and a null the same way. Two readings of a scalar are
 * offered, because the two callers need different ones: the engine keeps
 * plain numbers and booleans typed (a condition compares them), the report
 * keeps every scalar as the text the person wrote (a notice quotes it).
 * Recursion is bounded (CF_YAML_JSON_DEPTH): nesting below it is a null,
 * never a deeper call, whatever a hostile file holds.
 */
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "casefile/alloc.h"
#include "casefile/yaml.h"

/* 1 when a plain scalar reads as null, a boolean or a number, with *out
 * that value (NULL without memory); 0 when it is a string. Only the
 * spellings "null", "~", "", "true" and "false", and what strtod reads
 * whole, count: the engine's conditions have always read them so. */
static int typed_scalar(struct fy_node *n, cJSON **out)
{
	size_t len;
	const char *s = fy_node_get_scalar(n, &len);
	char buf[64], *end;
	double d;

	if (!s || fy_node_get_style(n) != FYNS_PLAIN || len >= sizeof buf)
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (!strcmp(buf, "null") || !strcmp(buf, "~") || !len)
		*out = cJSON_CreateNull();
	else if (!strcmp(buf, "true") || !strcmp(buf, "false"))
		*out = cJSON_CreateBool(buf[0] == 't');
	else if (d = strtod(buf, &end), end != buf && !*end)
		*out = cJSON_CreateNumber(d);
	else
		return 0;
	return 1;
}

static cJSON *scalar(struct fy_node *n, unsigned flags)
{
	char *c;
	cJSON *j;

	if (flags & CF_YAML_JSON_TYPED) {
		if (typed_scalar(n, &j))
			return j;
	} else if (cf_yaml_is_null(n))
		return cJSON_CreateNull();
	if (!(c = cf_yaml_strdup(n)))
		return NULL;
	j = cJSON_CreateString(c);
	free(c);
	return j;
}

static cJSON *to_json(struct fy_node *n, unsigned flags, int depth)
{
	void *iter = NULL;
	cJSON *j;

	if (!n || depth > CF_YAML_JSON_DEPTH)
		return cJSON_CreateNull();
	if (fy_node_is_scalar(n))
		return scalar(n, flags);
	if (fy_node_is_sequence(n)) {
		struct fy_node *it;

		if (!(j = cJSON_CreateArray()))
			return NULL;
		while ((it = fy_node_sequence_iterate(n, &iter))) {
			cJSON *c = to_json(it, flags, depth + 1);

			if (!c || !cJSON_AddItemToArray(j, c)) {
				cJSON_Delete(c);
				cJSON_Delete(j);
				return NULL;
			}
		}
		return j;
	}
	if (!(j = cJSON_CreateObject()))
		return NULL;
	struct fy_node_pair *p;
	while ((p = fy_node_mapping_iterate(n, &iter))) {
		char *k = cf_yaml_strdup(fy_node_pair_key(p));
		cJSON *c = k ? to_json(fy_node_pair_value(p), flags, depth + 1) : NULL;

		if (!c || !cJSON_AddItemToObject(j, k, c)) {
			free(k);
			cJSON_Delete(c);
			cJSON_Delete(j);
			return NULL;
		}
		free(k);
	}
	return j;
}

cJSON *cf_yaml_to_json(struct fy_node *n, unsigned flags)
{
	return to_json(n, flags, 0);
}
