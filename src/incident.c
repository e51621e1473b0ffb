/* SPDX-License-Identifier: Apache-2.0
 *
 * Incident files (casefile-incident(5)) behind include/casefile/scope.h:
 * one reading of the YAML, shared by `timeline scope`, `report breach` and
 * the playbooks, so that a notice is never drafted from a file the count
 * refused or from a different reading of it. Times are RFC 3339 (a bare
 * date where the page allows one); lists and the covered entity are
 * checked here, and every error names the file and the key.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/scope.h"
#include "casefile/time.h"
#include "casefile/yaml.h"

/* ---- incident files ------------------------------------------------------ */

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void cf_incident_free(struct cf_incident *inc)
{
	if (!inc)
		return;
	free(inc->id);
	free(inc->title);
	free(inc->notes);
	free(inc->covered_entity.name);
	free(inc->covered_entity.type);
	free(inc->covered_entity.phone);
	free(inc->covered_entity.email);
	free(inc->covered_entity.web);
	free(inc->covered_entity.postal);
	strv_free(inc->actors, inc->nactors);
	strv_free(inc->ips, inc->nips);
	strv_free(inc->credentials, inc->ncredentials);
	for (size_t i = 0; i < inc->nmodels; i++) {
		free(inc->models[i].name);
		free(inc->models[i].version);
	}
	free(inc->models);
	free(inc);
}

/* A time (RFC 3339) at key; CF_EOF when absent or null. */
static int yaml_time(struct cf_ctx *ctx, const char *file, struct fy_node *map,
		     const char *key, int64_t *us)
{
	struct fy_node *n = cf_yaml_get(map, key);
	char *s;
	int rc = CF_OK;

	if (!n || cf_yaml_is_null(n))
		return CF_EOF;
	if (!fy_node_is_scalar(n) || !(s = cf_yaml_strdup(n)))
		return cf_yaml_error(ctx, file, n, "'%s' must be an RFC 3339 time", key);
	if (cf_time_parse(s, -1, us, NULL))
		rc = cf_yaml_error(ctx, file, n, "'%s' is not an RFC 3339 time: '%s'",
				   key, s);
	free(s);
	return rc;
}

/* The law-enforcement delay is often stated as a day ("until 2026-06-01");
 * a bare date stands for the start of that day, UTC, and is checked by the
 * same parser as a time. */
static int yaml_time_or_day(struct cf_ctx *ctx, const char *file,
			    struct fy_node *map, const char *key, int64_t *us)
{
	struct fy_node *n = cf_yaml_get(map, key);
	const char *s = NULL;
	size_t len = 0;
	char t[32];

	if (n && fy_node_is_scalar(n))
		s = fy_node_get_scalar(n, &len);
	if (s && len == 10) {
		memcpy(t, s, 10);
		memcpy(t + 10, "T00:00:00Z", 10);
		if (cf_time_parse(t, 20, us, NULL) == 0)
			return CF_OK;
	}
	return yaml_time(ctx, file, map, key, us);
}

/* A string at key; absent or null is CF_EOF. */
static int yaml_text(struct cf_ctx *ctx, const char *file, struct fy_node *map,
		     const char *key, char **out)
{
	struct fy_node *n = cf_yaml_get(map, key);

	return n && cf_yaml_is_null(n) ? CF_EOF : cf_yaml_str(ctx, file, map, key, out);
}

/* A list of strings (flow or block sequence) at key; absent = empty. */
static int yaml_strv(struct cf_ctx *ctx, const char *file, struct fy_node *map,
		     const char *key, char ***out, size_t *n)
{
	struct fy_node *seq = cf_yaml_get(map, key), *e;
	void *it = NULL;
	size_t cap;

	*out = NULL;
	*n = 0;
	if (!seq || cf_yaml_is_null(seq))
		return CF_OK;
	if (!fy_node_is_sequence(seq))
		return cf_yaml_error(ctx, file, seq, "'%s' must be a list ([a, b] or - a)", key);
	cap = (size_t)fy_node_sequence_item_count(seq);
	if (cap && !(*out = cf_calloc(cap, sizeof **out)))
		return cf_set_nomem(ctx, "incident");
	while ((e = fy_node_sequence_iterate(seq, &it))) {
		if (!fy_node_is_scalar(e) || cf_yaml_is_null(e))
			return cf_yaml_error(ctx, file, e, "'%s': items must be strings", key);
		if (!((*out)[(*n)++] = cf_yaml_strdup(e)))
			return cf_set_nomem(ctx, "incident");
	}
	return CF_OK;
}

static int load_suspects(struct cf_ctx *ctx, const char *file,
			 struct fy_node *s, struct cf_incident *inc)
{
	static const char *const keys[] = {"actors", "ips", "credentials", "models",
					   NULL};
	char **models = NULL;
	size_t nm = 0;
	int rc;

	if (!fy_node_is_mapping(s))
		return cf_yaml_error(ctx, file, s, "suspects: expected a mapping");
	if ((rc = cf_yaml_check_keys(ctx, file, s, keys)) ||
	    (rc = yaml_strv(ctx, file, s, "actors", &inc->actors, &inc->nactors)) ||
	    (rc = yaml_strv(ctx, file, s, "ips", &inc->ips, &inc->nips)) ||
	    (rc = yaml_strv(ctx, file, s, "credentials", &inc->credentials,
			    &inc->ncredentials)) ||
	    (rc = yaml_strv(ctx, file, s, "models", &models, &nm))) {
		strv_free(models, nm);
		return rc;
	}
	if (nm && !(inc->models = cf_calloc(nm, sizeof *inc->models))) {
		strv_free(models, nm);
		return cf_set_nomem(ctx, "incident");
	}
	for (size_t i = 0; i < nm; i++) {
		char *at = strrchr(models[i], '@');
		inc->models[i].name = models[i];
		if (at) {
			*at = '\0';
			if (!(inc->models[i].version = cf_strdup(at + 1)))
				rc = cf_set_nomem(ctx, "incident");
		}
		inc->nmodels++;
	}
	free(models);
	return rc;
}

static int load_entity(struct cf_ctx *ctx, const char *file, struct fy_node *ce,
		       struct cf_incident *inc)
{
	static const char *const keys[] = {"name", "type", "contact", NULL};
	static const char *const ckeys[] = {"phone", "email", "web", "postal", NULL};
	static const char *const types[] = {"provider", "health-plan",
					    "clearinghouse", "business-associate",
					    NULL};
	struct fy_node *c;
	int rc, ok = 0;

	if (!fy_node_is_mapping(ce))
		return cf_yaml_error(ctx, file, ce, "covered_entity: expected a mapping");
	if ((rc = cf_yaml_check_keys(ctx, file, ce, keys)) ||
	    yaml_text(ctx, file, ce, "name", &inc->covered_entity.name) < 0 ||
	    yaml_text(ctx, file, ce, "type", &inc->covered_entity.type) < 0)
		return CF_FAILED;
	if (inc->covered_entity.type) {
		for (int i = 0; types[i]; i++)
			ok |= !strcmp(types[i], inc->covered_entity.type);
		if (!ok)
			return cf_yaml_error(ctx, file, cf_yaml_get(ce, "type"),
					     "covered_entity.type: '%s' is not provider, "
					     "health-plan, clearinghouse or business-associate",
					     inc->covered_entity.type);
	}
	if (!(c = cf_yaml_get(ce, "contact")))
		return CF_OK;
	if (!fy_node_is_mapping(c))
		return cf_yaml_error(ctx, file, c, "contact: expected a mapping");
	if (cf_yaml_check_keys(ctx, file, c, ckeys) ||
	    yaml_text(ctx, file, c, "phone", &inc->covered_entity.phone) < 0 ||
	    yaml_text(ctx, file, c, "email", &inc->covered_entity.email) < 0 ||
	    yaml_text(ctx, file, c, "web", &inc->covered_entity.web) < 0 ||
	    yaml_text(ctx, file, c, "postal", &inc->covered_entity.postal) < 0)
		return CF_FAILED;
	return CF_OK;
}

int cf_incident_from_yaml(struct cf_ctx *ctx, const char *path,
			  struct fy_document *doc, struct cf_incident **out)
{
	static const char *const keys[] = {"id", "title", "covered_entity",
					   "discovered", "window", "suspects",
					   "law_enforcement_delay_until", "notes",
					   NULL};
	struct fy_node *root, *w, *n;
	struct cf_incident *inc = NULL;
	int rc = CF_FAILED, r;

	*out = NULL;
	root = fy_document_root(doc);
	if (!root || !fy_node_is_mapping(root)) {
		cf_yaml_error(ctx, path, root, "an incident file is a YAML mapping");
		goto out;
	}
	if (cf_yaml_check_keys(ctx, path, root, keys))
		goto out;
	if (!(inc = cf_calloc(1, sizeof *inc))) {
		cf_set_nomem(ctx, "incident");
		goto out;
	}
	if (yaml_text(ctx, path, root, "id", &inc->id) < 0 ||
	    yaml_text(ctx, path, root, "title", &inc->title) < 0 ||
	    yaml_text(ctx, path, root, "notes", &inc->notes) < 0)
		goto out;
	if (!inc->id) {
		cf_yaml_error(ctx, path, root, "'id' is required");
		goto out;
	}
	if ((n = cf_yaml_get(root, "covered_entity")) && load_entity(ctx, path, n, inc))
		goto out;
	if ((r = yaml_time(ctx, path, root, "discovered", &inc->discovered_us)) < 0)
		goto out;
	if (r == CF_EOF) {
		cf_yaml_error(ctx, path, root, "'discovered' is required");
		goto out;
	}
	if (!(w = cf_yaml_get(root, "window")) || !fy_node_is_mapping(w)) {
		cf_yaml_error(ctx, path, w ? w : root,
			      "window: {from: TIME, to: TIME} is required");
		goto out;
	}
	{
		static const char *const wk[] = {"from", "to", NULL};
		if (cf_yaml_check_keys(ctx, path, w, wk) ||
		    yaml_time(ctx, path, w, "from", &inc->from_us) != CF_OK ||
		    yaml_time(ctx, path, w, "to", &inc->to_us) != CF_OK) {
			if (!ctx->msg[0])
				cf_yaml_error(ctx, path, w, "window needs from and to");
			goto out;
		}
		if (inc->from_us > inc->to_us) {
			cf_yaml_error(ctx, path, w, "window: from is after to");
			goto out;
		}
	}
	if (!(n = cf_yaml_get(root, "suspects"))) {
		cf_yaml_error(ctx, path, root, "'suspects' is required (its lists may be empty)");
		goto out;
	}
	if (load_suspects(ctx, path, n, inc))
		goto out;
	if ((r = yaml_time_or_day(ctx, path, root, "law_enforcement_delay_until",
			   &inc->law_enforcement_delay_until_us)) < 0)
		goto out;
	inc->has_law_enforcement_delay = r == CF_OK;
	*out = inc;
	inc = NULL;
	rc = CF_OK;
out:
	cf_incident_free(inc);
	return rc;
}

int cf_incident_load(struct cf_ctx *ctx, const char *path,
		     struct cf_incident **out)
{
	struct fy_document *doc = NULL;
	int rc;

	*out = NULL;
	if (cf_yaml_load(ctx, path, &doc) != CF_OK)
		return CF_FAILED;
	rc = cf_incident_from_yaml(ctx, path, doc, out);
	fy_document_destroy(doc);
	return rc;
}

