/* SPDX-License-Identifier: Apache-2.0
 *
 * Fuzz target for cf_yaml_load_string() and the schema helpers: profiles,
 * playbooks, incident files and scenarios are YAML that may come from
 * anyone. Walks the whole document (bounded depth) and calls the helpers
 * the parts use on every mapping key, as a schema check would.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/core.h"
#include "casefile/error.h"
#include "casefile/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(struct fy_node *n, int depth)
{
	static const char *const known[] = {"id", "title", "steps", NULL};
	struct cf_ctx ctx;
	void *iter = NULL;
	int line, col;

	if (!n || depth > 32)
		return;
	cf_ctx_init(&ctx);
	cf_yaml_mark(n, &line, &col);
	if (line < 0 || col < 0)
		abort();
	free(cf_yaml_strdup(n));
	if (fy_node_is_mapping(n)) {
		struct fy_node_pair *p;
		(void)cf_yaml_check_keys(&ctx, "f", n, known);
		while ((p = fy_node_mapping_iterate(n, &iter))) {
			struct fy_node *k = fy_node_pair_key(p);
			char *key = cf_yaml_strdup(k), *s = NULL;
			int64_t v;
			int b;
			if (key) {
				(void)cf_yaml_str(&ctx, "f", n, key, &s);
				(void)cf_yaml_int(&ctx, "f", n, key, &v);
				(void)cf_yaml_bool(&ctx, "f", n, key, &b);
				free(s);
				free(key);
			}
			walk(k, depth + 1);
			walk(fy_node_pair_value(p), depth + 1);
		}
	} else if (fy_node_is_sequence(n)) {
		struct fy_node *c;
		while ((c = fy_node_sequence_iterate(n, &iter)))
			walk(c, depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_ctx ctx;
	struct fy_document *doc = NULL;

	cf_core_init();
	cf_ctx_init(&ctx);
	if (cf_yaml_load_string(&ctx, "fuzz.yaml", (const char *)data, size,
				&doc) != CF_OK) {
		if (doc || strncmp(ctx.msg, "fuzz.yaml", 9))
			abort(); /* every error names the file */
		return 0;
	}
	walk(fy_document_root(doc), 0);
	fy_document_destroy(doc);
	return 0;
}
