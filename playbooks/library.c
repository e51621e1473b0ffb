/* SPDX-License-Identifier: Apache-2.0
 *
 * The shipped playbook library and writing playbooks back as YAML.
 *
 * A PLAYBOOK argument is a path when such a file exists, otherwise the id
 * of a shipped playbook (playbooks/library/<id>.yaml, found with
 * cf_data_dir). Writing YAML goes through libfyaml's emitter so that any
 * text (colons, quotes, leading dashes) comes out quoted correctly; this is
 * what `playbook import --cacao` prints.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "casefile/alloc.h"
#include "casefile/datadir.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "casefile/yaml.h"
#include "playbook.h"

char *pb_resolve_file(struct cf_ctx *ctx, const char *folder, const char *what,
		      const char *arg)
{
	struct stat st;
	char name[256];

	if (stat(arg, &st) == 0 && S_ISREG(st.st_mode))
		return cf_strdup(arg);
	if (strchr(arg, '/') || strlen(arg) > 200) {
		cf_set_error(ctx, ENOENT, "cannot open %s '%s'", what, arg);
		return NULL;
	}
	snprintf(name, sizeof name, "%s.yaml", arg);
	return cf_data_file(ctx, folder, name);
}

char *pb_resolve(struct cf_ctx *ctx, const char *arg)
{
	return pb_resolve_file(ctx, "playbooks", "playbook", arg);
}

static int by_id(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	return strcmp(cf_json_str(x, "id", ""), cf_json_str(y, "id", ""));
}

int pb_list_data(struct cf_ctx *ctx, const char *kind, pb_describe_fn describe,
		 cJSON **out)
{
	char *dir = cf_data_dir(ctx, kind);
	struct dirent *de;
	cJSON **items = NULL, *arr = NULL;
	size_t n = 0;
	DIR *d;
	int rc = CF_FAILED;

	*out = NULL;
	if (!dir)
		return CF_FAILED;
	if (!(d = opendir(dir))) {
		cf_set_error(ctx, errno, "cannot read '%s'", dir);
		free(dir);
		return CF_FAILED;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		struct cf_ctx lctx;
		cJSON *e, **grown;
		char *path;
		int drc;

		if (len < 6 || strcmp(de->d_name + len - 5, ".yaml") || de->d_name[0] == '.')
			continue;
		if (!(path = cf_path_join(dir, de->d_name)) || !(e = cJSON_CreateObject())) {
			free(path);
			goto nomem;
		}
		cf_ctx_init(&lctx);
		drc = describe(&lctx, path, e);
		if (drc == CF_FATAL || cf_json_add_str(e, "path", path) ||
		    (drc != CF_OK && cf_json_add_str(e, "error", cf_errmsg(&lctx))) ||
		    !(grown = cf_realloc(items, (n + 1) * sizeof *items))) {
			free(path);
			cJSON_Delete(e);
			goto nomem;
		}
		if (drc != CF_OK) { /* keep broken files visible, sorted by file name */
			char *id = cf_strndup(de->d_name, len - 5);
			cJSON_DeleteItemFromObject(e, "id");
			if (!id || cf_json_add_str(e, "id", id)) {
				free(id);
				free(path);
				cJSON_Delete(e);
				items = grown;
				goto nomem;
			}
			free(id);
		}
		items = grown;
		items[n++] = e;
		free(path);
	}
	if (n)
		qsort(items, n, sizeof *items, by_id);
	if (!(arr = cJSON_CreateArray()))
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		cJSON_AddItemToArray(arr, items[i]);
		items[i] = NULL;
	}
	*out = arr;
	rc = CF_OK;
	goto out;
nomem:
	rc = cf_set_nomem(ctx, kind);
out:
	for (size_t i = 0; i < n; i++)
		cJSON_Delete(items[i]);
	free(items);
	closedir(d);
	free(dir);
	return rc;
}

/* A shipped playbook's id and title. */
static int describe_playbook(struct cf_ctx *ctx, const char *path, cJSON *e)
{
	struct pb_playbook *pb = NULL;
	int rc;

	if (pb_load(ctx, path, NULL, &pb) != CF_OK)
		return CF_FAILED;
	rc = cf_json_add_str(e, "id", pb->id) || cf_json_add_str(e, "title", pb->title)
		? CF_FATAL : CF_OK;
	pb_free(pb);
	return rc;
}

int pb_list_shipped(struct cf_ctx *ctx, cJSON **out)
{
	return pb_list_data(ctx, "playbooks", describe_playbook, out);
}

/* ---- YAML writer --------------------------------------------------------- */

static int put(struct fy_document *fyd, struct fy_node *map, const char *k,
	       const char *v)
{
	struct fy_node *kn, *vn;

	if (!v)
		return 0;
	kn = fy_node_create_scalar_copy(fyd, k, FY_NT);
	vn = fy_node_create_scalar_copy(fyd, v, FY_NT);
	return !kn || !vn || fy_node_mapping_append(map, kn, vn);
}

static int put_list(struct fy_document *fyd, struct fy_node *map, const char *k,
		    char *const *v, size_t n)
{
	struct fy_node *seq, *kn;

	if (!n)
		return 0;
	if (!(seq = fy_node_create_sequence(fyd)) ||
	    !(kn = fy_node_create_scalar_copy(fyd, k, FY_NT)))
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct fy_node *it = fy_node_create_scalar_copy(fyd, v[i], FY_NT);
		if (!it || fy_node_sequence_append(seq, it))
			return -1;
	}
	return fy_node_mapping_append(map, kn, seq);
}

static int put_vars(struct fy_document *fyd, struct fy_node *map,
		    const struct pb_playbook *pb)
{
	struct fy_node *m, *kn;

	if (!pb->nvars)
		return 0;
	if (!(m = fy_node_create_mapping(fyd)) ||
	    !(kn = fy_node_create_scalar_copy(fyd, "vars", FY_NT)))
		return -1;
	for (size_t i = 0; i < pb->nvars; i++)
		if (put(fyd, m, pb->var_names[i], pb->var_values[i]))
			return -1;
	return fy_node_mapping_append(map, kn, m);
}

static struct fy_node *step_node(struct fy_document *fyd,
				 const struct pb_playbook *pb, size_t i)
{
	const struct pb_step *s = &pb->steps[i];
	struct fy_node *m = fy_node_create_mapping(fyd);

	if (!m || put(fyd, m, "id", s->id) || put(fyd, m, "kind", pb_kind_name(s->kind)) ||
	    put(fyd, m, "title", s->title) || put(fyd, m, "description", s->description) ||
	    put(fyd, m, "owner", s->owner) || put(fyd, m, "deadline", s->deadline) ||
	    put_list(fyd, m, "checklist", s->checklist, s->nchecklist) ||
	    put_list(fyd, m, "evidence", s->evidence, s->nevidence) ||
	    put_list(fyd, m, "run", s->argv, s->argc) || put(fyd, m, "save", s->save) ||
	    put(fyd, m, "question", s->question) || put(fyd, m, "condition", s->condition) ||
	    put(fyd, m, "on_true", s->on_true) || put(fyd, m, "on_false", s->on_false) ||
	    put(fyd, m, "audience", s->audience) ||
	    put(fyd, m, "template", s->template_name) || put(fyd, m, "next", s->next))
		return NULL;
	if (s->nchildren) {
		struct fy_node *seq = fy_node_create_sequence(fyd);
		struct fy_node *kn = fy_node_create_scalar_copy(fyd, "steps", FY_NT);
		if (!seq || !kn)
			return NULL;
		for (size_t c = 0; c < s->nchildren; c++) {
			struct fy_node *cn = step_node(fyd, pb, s->children[c]);
			if (!cn || fy_node_sequence_append(seq, cn))
				return NULL;
		}
		if (fy_node_mapping_append(m, kn, seq))
			return NULL;
	}
	return m;
}

int pb_write_yaml(struct cf_ctx *ctx, const struct pb_playbook *pb, FILE *f)
{
	struct fy_document *fyd = fy_document_create(NULL);
	struct fy_node *root, *seq, *kn;
	int rc = CF_FAILED;

	if (!fyd || !(root = fy_node_create_mapping(fyd)) ||
	    put(fyd, root, "id", pb->id) || put(fyd, root, "title", pb->title) ||
	    put(fyd, root, "description", pb->description) ||
	    put_list(fyd, root, "roles", pb->roles, pb->nroles) ||
	    put_vars(fyd, root, pb) ||
	    !(seq = fy_node_create_sequence(fyd)) ||
	    !(kn = fy_node_create_scalar_copy(fyd, "steps", FY_NT)))
		goto nomem;
	for (size_t i = 0; i < pb->nsteps; i++) {
		struct fy_node *sn;
		if (pb->steps[i].parent != PB_NONE)
			continue;
		if (!(sn = step_node(fyd, pb, i)) || fy_node_sequence_append(seq, sn))
			goto nomem;
	}
	if (fy_node_mapping_append(root, kn, seq) || fy_document_set_root(fyd, root))
		goto nomem;
	if (fy_emit_document_to_fp(fyd, FYECF_MODE_BLOCK | FYECF_WIDTH_INF, f) ||
	    fflush(f)) {
		rc = cf_set_error(ctx, errno, "cannot write the playbook");
		goto out;
	}
	rc = CF_OK;
	goto out;
nomem:
	rc = cf_set_nomem(ctx, "YAML document");
out:
	fy_document_destroy(fyd);
	return rc;
}
