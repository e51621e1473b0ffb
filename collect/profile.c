/* SPDX-License-Identifier: Apache-2.0
 *
 * Collection profiles: YAML files listing the sources to collect
 * (format in man/casefile-profile.5).
 *
 * A profile is written by a responder under pressure, so every mistake is
 * reported as FILE:LINE:COL with what is wrong, and unknown keys are errors
 * rather than silently ignored (a misspelt `exclude` must not collect PHI
 * the responder meant to leave out). Parsing is libfyaml's; this file only
 * checks the schema. It never touches the sources the profile names.
 *
 * The source types are one table (`types` below): each row is a type's
 * name, default category, accepted keys, the parser of its own keys and
 * its runner (walk.c, sources.c, system.c), which the run loop calls
 * through the row. Adding a source type is adding a row.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/array.h"
#include "casefile/buf.h"
#include "casefile/datadir.h"
#include "casefile/error.h"
#include "casefile/evidence.h"
#include "casefile/hash.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "casefile/yaml.h"
#include "profile.h"
#include "sources.h"
#include "system.h"
#include "walk.h"

#define MAX_SOURCES 1024
#define MAX_LIST 4096

static const char *const categories[] = {
	CF_CAT_ACCESS_LOG, CF_CAT_AUTH_LOG, CF_CAT_SYSTEM_LOG,
	CF_CAT_MODEL_DECISION, CF_CAT_MODEL_LINEAGE, CF_CAT_MODEL_ARTIFACT,
	CF_CAT_CONFIG, CF_CAT_DATABASE, CF_CAT_COMMAND_OUTPUT, CF_CAT_SYSTEM,
	NULL,
};

const char *cf_category_lookup(const char *s)
{
	for (const char *const *c = categories; *c; c++)
		if (!strcmp(*c, s))
			return *c;
	return NULL;
}

/* The node to point at for key's value: the value, or the key itself when
 * the value has no position (an empty [] or {}). */
static struct fy_node *where(struct fy_node *map, const char *key)
{
	struct fy_node *v = cf_yaml_get(map, key);
	int line, col;

	cf_yaml_mark(v, &line, &col);
	if (v && line)
		return v;
	return fy_node_mapping_lookup_key_by_string(map, key, FY_NT);
}

static void source_release(struct cf_source *s)
{
	free(s->id);
	cf_strv_free(s->paths, s->npaths);
	cf_strv_free(s->exclude, s->nexclude);
	cf_strv_free(s->argv, s->nargv + 1);
	free(s->store);
	free(s->artifacts);
	memset(s, 0, sizeof *s);
}

void cf_profile_release(struct cf_profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		source_release(&p->v[i]);
	free(p->v);
	free(p->name);
	free(p->path);
	memset(p, 0, sizeof *p);
}

static int valid_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789._-", s[i]))
			return 0;
	return 1;
}

/* A sequence of scalars (or one scalar) into a heap array; `extra` NULL
 * slots are left at the end. Absolute paths only when `absolute`. */
static int str_list(struct cf_ctx *ctx, const char *file, struct fy_node *map,
		    const char *key, int absolute, size_t extra, char ***out,
		    size_t *n)
{
	struct fy_node *seq = cf_yaml_get(map, key), *it;
	void *iter = NULL;
	size_t cnt, i = 0;
	char **v;

	if (!seq)
		return CF_EOF;
	if (fy_node_is_scalar(seq))
		cnt = 1;
	else if (fy_node_is_sequence(seq))
		cnt = (size_t)fy_node_sequence_item_count(seq);
	else
		return cf_yaml_error(ctx, file, seq, "'%s' must be a list of strings", key);
	if (cnt == 0 || cnt > MAX_LIST)
		return cf_yaml_error(ctx, file, where(map, key), "'%s' must list 1 to %d entries",
				     key, MAX_LIST);
	if (!(v = cf_calloc(cnt + extra, sizeof *v)))
		return cf_set_nomem(ctx, file);
	*out = v;
	*n = cnt;
	while (i < cnt) {
		it = fy_node_is_scalar(seq) ? seq : fy_node_sequence_iterate(seq, &iter);
		if (!it || !fy_node_is_scalar(it))
			return cf_yaml_error(ctx, file, it ? it : seq,
					     "'%s' entries must be strings", key);
		if (!(v[i] = cf_yaml_strdup(it)))
			return cf_set_nomem(ctx, file);
		if (!v[i][0] || strlen(v[i]) > 4000)
			return cf_yaml_error(ctx, file, it, "empty or too long entry in '%s'", key);
		if (absolute && v[i][0] != '/')
			return cf_yaml_error(ctx, file, it,
					     "'%s' entries must be absolute paths, not '%s'",
					     key, v[i]);
		i++;
	}
	return CF_OK;
}

static int one_path(struct cf_ctx *ctx, const char *file, struct fy_node *map,
		    const char *key, char **out)
{
	struct fy_node *n = cf_yaml_get(map, key);
	int rc = cf_yaml_str(ctx, file, map, key, out);

	if (rc == CF_EOF)
		return cf_yaml_error(ctx, file, map, "missing '%s'", key);
	if (rc != CF_OK)
		return rc;
	if ((*out)[0] != '/')
		return cf_yaml_error(ctx, file, n, "'%s' must be an absolute path", key);
	return CF_OK;
}

static int parse_size(struct cf_ctx *ctx, const char *file, struct fy_node *map,
		      int64_t *out)
{
	int rc = cf_yaml_int(ctx, file, map, "max_size", out);

	if (rc == CF_OK && *out <= 0)
		return cf_yaml_error(ctx, file, cf_yaml_get(map, "max_size"),
				     "'max_size' must be positive");
	return rc == CF_EOF ? CF_OK : rc;
}

/* ==== the source types ==================================================== */

static int parse_files(struct cf_ctx *ctx, const char *file, struct fy_node *map,
		       struct cf_source *s)
{
	int rc = str_list(ctx, file, map, "paths", 1, 0, &s->paths, &s->npaths);

	if (rc == CF_EOF)
		rc = cf_yaml_error(ctx, file, map, "source '%s' lacks 'paths'", s->id);
	if (rc == CF_OK)
		rc = str_list(ctx, file, map, "exclude", 0, 0, &s->exclude, &s->nexclude);
	if (rc == CF_OK || rc == CF_EOF)
		rc = parse_size(ctx, file, map, &s->max_size);
	return rc;
}

static int parse_command(struct cf_ctx *ctx, const char *file, struct fy_node *map,
			 struct cf_source *s)
{
	int rc = str_list(ctx, file, map, "argv", 0, 1, &s->argv, &s->nargv);

	if (rc == CF_EOF)
		rc = cf_yaml_error(ctx, file, map, "source '%s' lacks 'argv'", s->id);
	s->timeout_s = 30;
	if (rc == CF_OK && (rc = cf_yaml_int(ctx, file, map, "timeout",
					     &s->timeout_s)) == CF_EOF)
		rc = CF_OK;
	if (rc == CF_OK && (s->timeout_s <= 0 || s->timeout_s > 86400))
		rc = cf_yaml_error(ctx, file, cf_yaml_get(map, "timeout"),
				   "'timeout' must be 1 to 86400 seconds");
	return rc;
}

static int parse_sqlite(struct cf_ctx *ctx, const char *file, struct fy_node *map,
			struct cf_source *s)
{
	if (!(s->paths = cf_calloc(1, sizeof *s->paths)))
		return cf_set_nomem(ctx, file);
	s->npaths = 1;
	return one_path(ctx, file, map, "path", &s->paths[0]);
}

static int parse_mlflow(struct cf_ctx *ctx, const char *file, struct fy_node *map,
			struct cf_source *s)
{
	int rc = one_path(ctx, file, map, "store", &s->store);

	if (rc == CF_OK)
		rc = one_path(ctx, file, map, "artifacts", &s->artifacts);
	if (rc == CF_OK)
		rc = parse_size(ctx, file, map, &s->max_size);
	return rc;
}

/* The source types (messages list them in this order). A new type is a
 * row here: its name, its default category (NULL: the entry must name
 * one), the keys its entry accepts, its parser and its runner. */
#define COMMON_KEYS "id", "type", "category", "description"
static const struct cf_source_type types[] = {
	{"files", NULL, {COMMON_KEYS, "paths", "exclude", "max_size", NULL},
	 parse_files, cf_source_files},
	{"command", CF_CAT_COMMAND_OUTPUT, {COMMON_KEYS, "argv", "timeout", NULL},
	 parse_command, cf_source_command},
	{"sqlite", CF_CAT_DATABASE, {COMMON_KEYS, "path", NULL},
	 parse_sqlite, cf_source_sqlite},
	{"mlflow", CF_CAT_MODEL_LINEAGE,
	 {COMMON_KEYS, "store", "artifacts", "max_size", NULL},
	 parse_mlflow, cf_source_mlflow},
	{"system", CF_CAT_SYSTEM, {COMMON_KEYS, NULL}, NULL, cf_source_system},
};
#define NTYPES (sizeof types / sizeof types[0])

const struct cf_source_type *cf_source_type_find(const char *name)
{
	for (size_t t = 0; t < NTYPES; t++)
		if (!strcmp(types[t].name, name))
			return &types[t];
	return NULL;
}

/* "unknown source type 'x' (files, command, ...)", the list from the table. */
static int unknown_type(struct cf_ctx *ctx, const char *file, struct fy_node *map,
			const char *type)
{
	struct cf_buf b;
	int rc;

	cf_buf_init(&b);
	for (size_t t = 0; t < NTYPES; t++)
		if (cf_buf_printf(&b, "%s%s", t ? ", " : "", types[t].name) < 0) {
			cf_buf_release(&b);
			return cf_set_nomem(ctx, file);
		}
	rc = cf_yaml_error(ctx, file, cf_yaml_get(map, "type"),
			   "unknown source type '%s' (%s)", type, b.data);
	cf_buf_release(&b);
	return rc;
}

/* ==== parsing ============================================================= */

static int parse_source(struct cf_ctx *ctx, const char *file,
			struct fy_node *map, struct cf_source *s)
{
	char *type = NULL, *cat = NULL;
	int rc;

	if (!fy_node_is_mapping(map))
		return cf_yaml_error(ctx, file, map, "a source must be a mapping");
	if ((rc = cf_yaml_str(ctx, file, map, "type", &type)) != CF_OK) {
		if (rc == CF_EOF)
			rc = cf_yaml_error(ctx, file, map, "source lacks 'type'");
		goto out;
	}
	if (!(s->type = cf_source_type_find(type))) {
		rc = unknown_type(ctx, file, map, type);
		goto out;
	}
	if ((rc = cf_yaml_check_keys(ctx, file, map, s->type->keys)) != CF_OK)
		goto out;
	if ((rc = cf_yaml_str(ctx, file, map, "id", &s->id)) != CF_OK) {
		if (rc == CF_EOF)
			rc = cf_yaml_error(ctx, file, map, "source lacks 'id'");
		goto out;
	}
	if (!valid_id(s->id)) {
		rc = cf_yaml_error(ctx, file, cf_yaml_get(map, "id"),
				   "source id '%s' must match [a-z0-9][a-z0-9._-]* (at most 64)",
				   s->id);
		goto out;
	}
	rc = cf_yaml_str(ctx, file, map, "category", &cat);
	if (rc == CF_EOF && !s->type->category) {
		rc = cf_yaml_error(ctx, file, map, "source '%s' lacks 'category'", s->id);
		goto out;
	}
	if (rc == CF_OK && !(s->category = cf_category_lookup(cat))) {
		rc = cf_yaml_error(ctx, file, cf_yaml_get(map, "category"),
				   "unknown category '%s'", cat);
		goto out;
	}
	if (rc == CF_EOF)
		s->category = s->type->category;
	else if (rc != CF_OK)
		goto out;
	rc = s->type->parse ? s->type->parse(ctx, file, map, s) : CF_OK;
out:
	free(type);
	free(cat);
	return rc;
}

static int parse_doc(struct cf_ctx *ctx, const char *file,
		     struct fy_document *doc, struct cf_profile *p)
{
	static const char *const top_keys[] = {"profile", "description", "sources", NULL};
	struct fy_node *root = fy_document_root(doc), *seq, *it;
	void *iter = NULL;
	size_t n;
	int rc;

	if (!root || !fy_node_is_mapping(root))
		return cf_yaml_error(ctx, file, root, "a profile must be a mapping");
	if ((rc = cf_yaml_check_keys(ctx, file, root, top_keys)) != CF_OK)
		return rc;
	if ((rc = cf_yaml_str(ctx, file, root, "profile", &p->name)) == CF_EOF)
		return cf_yaml_error(ctx, file, root, "missing 'profile' (its name)");
	if (rc != CF_OK)
		return rc;
	if (!valid_id(p->name))
		return cf_yaml_error(ctx, file, cf_yaml_get(root, "profile"),
				     "profile name '%s' must match [a-z0-9][a-z0-9._-]*",
				     p->name);
	seq = cf_yaml_get(root, "sources");
	if (!seq || !fy_node_is_sequence(seq))
		return cf_yaml_error(ctx, file, seq ? where(root, "sources") : root,
				     "'sources' must be a list of sources");
	n = (size_t)fy_node_sequence_item_count(seq);
	if (n == 0 || n > MAX_SOURCES)
		return cf_yaml_error(ctx, file, where(root, "sources"),
				     "'sources' must list 1 to %d sources",
				     MAX_SOURCES);
	if (!(p->v = cf_calloc(n, sizeof *p->v)))
		return cf_set_nomem(ctx, file);
	while ((it = fy_node_sequence_iterate(seq, &iter))) {
		struct cf_source *s = &p->v[p->n++];
		if ((rc = parse_source(ctx, file, it, s)) != CF_OK)
			return rc;
		for (size_t i = 0; i + 1 < p->n; i++)
			if (!strcmp(p->v[i].id, s->id))
				return cf_yaml_error(ctx, file, cf_yaml_get(it, "id"),
						     "duplicate source id '%s'", s->id);
	}
	return CF_OK;
}

int cf_profile_load_string(struct cf_ctx *ctx, const char *name,
			   const char *text, size_t len, struct cf_profile *p)
{
	struct fy_document *doc = NULL;
	uint8_t d[CF_SHA256_LEN];
	int rc;

	memset(p, 0, sizeof *p);
	if ((rc = cf_sha256_buf(ctx, text, len, d)) != CF_OK)
		return rc;
	cf_hex(d, sizeof d, p->sha256);
	if ((rc = cf_yaml_load_string(ctx, name, text, len, &doc)) != CF_OK)
		return rc;
	rc = parse_doc(ctx, name, doc, p);
	fy_document_destroy(doc);
	if (rc == CF_OK && !(p->path = cf_strdup(name)))
		rc = cf_set_nomem(ctx, name);
	if (rc != CF_OK)
		cf_profile_release(p);
	return rc;
}

int cf_profile_load(struct cf_ctx *ctx, const char *path, struct cf_profile *p)
{
	struct cf_buf b;
	int rc;

	memset(p, 0, sizeof *p);
	cf_buf_init(&b);
	rc = cf_buf_read_file(ctx, &b, path, CF_YAML_MAX_BYTES);
	if (rc == CF_OK)
		rc = cf_profile_load_string(ctx, path, b.data ? b.data : "", b.len, p);
	cf_buf_release(&b);
	return rc;
}

static int has_yaml_suffix(const char *s)
{
	size_t n = strlen(s);

	return n > 5 && !strcmp(s + n - 5, ".yaml");
}

char *cf_profile_find(struct cf_ctx *ctx, const char *arg)
{
	struct cf_buf b;
	char *p;

	if (strchr(arg, '/') || has_yaml_suffix(arg)) {
		if (!(p = cf_strdup(arg)))
			cf_set_nomem(ctx, arg);
		return p;
	}
	if (!valid_id(arg)) {
		cf_set_error(ctx, 0, "'%s' is neither a profile file nor a profile id", arg);
		return NULL;
	}
	cf_buf_init(&b);
	if (cf_buf_printf(&b, "%s.yaml", arg) < 0) {
		cf_set_nomem(ctx, arg);
		return NULL;
	}
	p = cf_data_file(ctx, "profiles", b.data);
	if (!p)
		cf_error_prefix(ctx, "no profile '%s' (try --list-profiles)", arg);
	cf_buf_release(&b);
	return p;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cf_profile_list(struct cf_ctx *ctx, cJSON **out)
{
	char *dir = cf_data_dir(ctx, "profiles"), **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	cJSON *arr = NULL;
	DIR *d = NULL;
	int rc = CF_FATAL;

	*out = NULL;
	if (!dir)
		return CF_FAILED;
	if (!(d = opendir(dir))) {
		rc = cf_set_error(ctx, errno, "cannot list '%s'", dir);
		goto out;
	}
	while ((de = readdir(d))) {
		if (!has_yaml_suffix(de->d_name) || de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **v = cf_realloc(names, (cap = cap ? cap * 2 : 16) * sizeof *v);
			if (!v)
				goto nomem;
			names = v;
		}
		if (!(names[n] = cf_strdup(de->d_name)))
			goto nomem;
		n++;
	}
	if (n)
		qsort(names, n, sizeof *names, cmp_str);
	if (!(arr = cJSON_CreateArray()))
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		struct cf_profile p;
		struct cf_ctx pctx;
		char *path = cf_path_join(dir, names[i]);
		cJSON *o = cJSON_CreateObject();
		int ok;

		if (!path || !o) {
			free(path);
			cJSON_Delete(o);
			goto nomem;
		}
		cJSON_AddItemToArray(arr, o);
		names[i][strlen(names[i]) - 5] = '\0';
		cf_ctx_init(&pctx);
		ok = cf_profile_load(&pctx, path, &p) == CF_OK;
		if (cf_json_add_str(o, "id", names[i]) || cf_json_add_str(o, "path", path) ||
		    cf_json_add_int(o, "sources", ok ? (int64_t)p.n : 0) ||
		    cf_json_add_str(o, "error", ok ? NULL : cf_errmsg(&pctx))) {
			free(path);
			if (ok)
				cf_profile_release(&p);
			goto nomem;
		}
		free(path);
		if (ok)
			cf_profile_release(&p);
	}
	*out = arr;
	arr = NULL;
	rc = CF_OK;
	goto out;
nomem:
	rc = cf_set_nomem(ctx, "profile list");
out:
	cJSON_Delete(arr);
	if (d)
		closedir(d);
	cf_strv_free(names, n);
	free(dir);
	return rc;
}
