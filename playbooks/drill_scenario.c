/* SPDX-License-Identifier: Apache-2.0
 *
 * Drill scenarios (man casefile-drill-scenario(5)): loading a scenario
 * file, with every problem reported at its line and column through a
 * pb_diag, and checking it against the playbook it drills (its id, the
 * steps expected, answers only for decisions, the participants' roles).
 *
 * Must never: accept a scenario that names a step or role its playbook
 * lacks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/path.h"
#include "casefile/time.h"
#include "casefile/yaml.h"
#include "drill_int.h"

void pb_scenario_free(struct pb_scenario *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ninj; i++) {
		free(s->inj[i].id); free(s->inj[i].title); free(s->inj[i].text);
	}
	for (size_t i = 0; i < s->nexp; i++)
		free(s->exp[i].step);
	for (size_t i = 0; i < s->nwho; i++) {
		free(s->who[i].name); free(s->who[i].role);
	}
	free(s->inj); free(s->exp); free(s->who); free(s->exp_line); free(s->exp_col);
	free(s->path); free(s->id); free(s->title); free(s->description); free(s->playbook);
	free(s);
}

const char *pb_scenario_playbook(const struct pb_scenario *s)
{
	return s->playbook;
}

/* A shipped scenario's id, title and playbook, for pb_scenario_list. */
static int describe_scenario(struct cf_ctx *ctx, const char *path, cJSON *e)
{
	struct pb_scenario *s = NULL;
	int rc;

	if (pb_scenario_load(ctx, path, NULL, &s) != CF_OK)
		return CF_FAILED;
	rc = cf_json_add_str(e, "id", s->id) || cf_json_add_str(e, "title", s->title) ||
	     cf_json_add_str(e, "playbook", s->playbook) ? CF_FATAL : CF_OK;
	pb_scenario_free(s);
	return rc;
}

int pb_scenario_list(struct cf_ctx *ctx, cJSON **out)
{
	return pb_list_data(ctx, "scenarios", describe_scenario, out);
}

/* ---- loading ------------------------------------------------------------ */

static char *sstr(struct pb_diag_sink *L, struct fy_node *map, const char *key, int required)
{
	struct fy_node *n = cf_yaml_get(map, key);
	char *s;

	if (!n) {
		if (required)
			pb_diag_at(L, map, "missing '%s'", key);
		return NULL;
	}
	if (!fy_node_is_scalar(n)) {
		pb_diag_at(L, n, "'%s' must be a string", key);
		return NULL;
	}
	if (!(s = cf_yaml_strdup(n)))
		L->nomem = 1;
	return s;
}

static int64_t sdur(struct pb_diag_sink *L, struct fy_node *map, const char *key, int required)
{
	char *s = sstr(L, map, key, required);
	int64_t us = -1;

	if (s && cf_duration_parse(s, &us)) {
		pb_diag_at(L, cf_yaml_get(map, key), "bad duration '%s' (e.g. PT2H, P1D)", s);
		us = -1;
	}
	free(s);
	return us;
}

static void *seq_alloc(struct pb_diag_sink *L, struct fy_node *seq, size_t size)
{
	void *p = cf_calloc((size_t)fy_node_sequence_item_count(seq) + 1, size);
	if (!p)
		L->nomem = 1;
	return p;
}

/* Whether item it of a list is a mapping whose fields can be read: when it
 * is not, the error says what an item must be (what); unknown keys (keys,
 * NULL-terminated) are reported and counted but the item is still read, so
 * that every mistake in it is listed in one pass. */
static int item_mapping(struct pb_diag_sink *L, struct fy_node *it, const char *const *keys,
			const char *what)
{
	if (!fy_node_is_mapping(it)) {
		pb_diag_at(L, it, "%s", what);
		return 0;
	}
	if (cf_yaml_check_keys(L->ctx, L->file, it, keys) != CF_OK) {
		pb_diag_take(L->diag, L->ctx);
		L->errors++;
	}
	return 1;
}

int pb_scenario_load(struct cf_ctx *ctx, const char *path, struct pb_diag *diag,
		     struct pb_scenario **out)
{
	static const char *const top[] = {"id", "title", "description", "playbook", "start",
					  "participants", "injects", "expected",
					  "improvement_due", NULL};
	static const char *const ik[] = {"id", "at", "title", "text", NULL};
	static const char *const ek[] = {"step", "within", "answer", "points", NULL};
	static const char *const pk[] = {"name", "role", NULL};
	struct pb_diag_sink L = {ctx, path, diag, 0, 0};
	struct fy_document *doc = NULL;
	struct fy_node *root, *seq, *it;
	struct pb_scenario *s;
	void *iter;
	char *t;
	int rc;

	*out = NULL;
	if (cf_yaml_load(ctx, path, &doc) != CF_OK) {
		pb_diag_take(diag, ctx);
		return CF_FAILED;
	}
	if (!(s = cf_calloc(1, sizeof *s)) || !(s->path = cf_strdup(path))) {
		free(s);
		fy_document_destroy(doc);
		return cf_set_nomem(ctx, path);
	}
	root = fy_document_root(doc);
	if (!root || !fy_node_is_mapping(root)) {
		pb_diag_at(&L, root, "a scenario must be a mapping");
		goto done;
	}
	{
		struct fy_node_pair *p;
		iter = NULL;
		while ((p = fy_node_mapping_iterate(root, &iter))) {
			char *k = cf_yaml_strdup(fy_node_pair_key(p));
			int ok = 0;
			for (const char *const *q = top; k && *q; q++)
				ok |= !strcmp(*q, k);
			if (!ok)
				pb_diag_at(&L, fy_node_pair_key(p), "unknown key '%s'", k);
			free(k);
		}
	}
	s->id = sstr(&L, root, "id", 1);
	s->title = sstr(&L, root, "title", 1);
	s->description = sstr(&L, root, "description", 0);
	s->playbook = sstr(&L, root, "playbook", 1);
	s->improvement_due = sdur(&L, root, "improvement_due", 0);
	if (s->improvement_due < 0)
		s->improvement_due = 30 * DAY_US;
	if ((t = sstr(&L, root, "start", 1)) && cf_time_parse(t, -1, &s->start, NULL))
		pb_diag_at(&L, cf_yaml_get(root, "start"),
			   "'start' must be an RFC 3339 time, not '%s'", t);
	free(t);
	seq = cf_yaml_get(root, "participants");
	if (seq && fy_node_is_sequence(seq) && (s->who = seq_alloc(&L, seq, sizeof *s->who))) {
		iter = NULL;
		while ((it = fy_node_sequence_iterate(seq, &iter))) {
			struct participant *w = &s->who[s->nwho++];
			if (!item_mapping(&L, it, pk, "a participant is a mapping with name and role"))
				continue;
			w->name = sstr(&L, it, "name", 1);
			w->role = sstr(&L, it, "role", 1);
		}
	} else if (seq)
		pb_diag_at(&L, seq, "'participants' must be a list");
	seq = cf_yaml_get(root, "injects");
	if (!seq || !fy_node_is_sequence(seq))
		pb_diag_at(&L, seq ? seq : root, "'injects' must be a list of timed injects");
	else if ((s->inj = seq_alloc(&L, seq, sizeof *s->inj))) {
		int64_t last = 0;
		iter = NULL;
		while ((it = fy_node_sequence_iterate(seq, &iter))) {
			struct inject *in = &s->inj[s->ninj++];
			if (!item_mapping(&L, it, ik, "an inject is a mapping"))
				continue;
			in->id = sstr(&L, it, "id", 1);
			in->title = sstr(&L, it, "title", 1);
			in->text = sstr(&L, it, "text", 0);
			in->at = sdur(&L, it, "at", 1);
			if (in->at >= 0 && in->at < last)
				pb_diag_at(&L, cf_yaml_get(it, "at"),
					   "injects must be in time order");
			if (in->at >= 0)
				last = in->at;
		}
	}
	seq = cf_yaml_get(root, "expected");
	if (!seq || !fy_node_is_sequence(seq) || !fy_node_sequence_item_count(seq))
		pb_diag_at(&L, seq ? seq : root, "'expected' must list the expected actions");
	else if ((s->exp = seq_alloc(&L, seq, sizeof *s->exp)) &&
		 (s->exp_line = seq_alloc(&L, seq, sizeof(int))) &&
		 (s->exp_col = seq_alloc(&L, seq, sizeof(int)))) {
		iter = NULL;
		while ((it = fy_node_sequence_iterate(seq, &iter))) {
			struct expect *e = &s->exp[s->nexp];
			int64_t pts = 10;
			cf_yaml_mark(it, &s->exp_line[s->nexp], &s->exp_col[s->nexp]);
			s->nexp++;
			e->answer = -1;
			if (!item_mapping(&L, it, ek, "an expected action is a mapping"))
				continue;
			e->step = sstr(&L, it, "step", 1);
			e->within = sdur(&L, it, "within", 1);
			if ((t = sstr(&L, it, "answer", 0))) {
				if (!strcmp(t, "yes") || !strcmp(t, "true"))
					e->answer = 1;
				else if (!strcmp(t, "no") || !strcmp(t, "false"))
					e->answer = 0;
				else
					pb_diag_at(&L, cf_yaml_get(it, "answer"),
						   "'answer' must be yes or no, not '%s'", t);
				free(t);
			}
			rc = cf_yaml_int(ctx, path, it, "points", &pts);
			if (rc == CF_FAILED || pts < 0 || pts > 1000) {
				if (rc != CF_FAILED)
					cf_yaml_error(ctx, path, cf_yaml_get(it, "points"),
						      "'points' must be 0-1000");
				pb_diag_take(diag, ctx);
				L.errors++;
			}
			e->points = (int)pts;
		}
	}
done:
	fy_document_destroy(doc);
	if (L.nomem) {
		pb_scenario_free(s);
		return cf_set_nomem(ctx, path);
	}
	if (L.errors) {
		if (diag && diag->n)
			cf_set_error(ctx, 0, "%s", diag->msg[diag->n - (size_t)L.errors]);
		pb_scenario_free(s);
		return CF_FAILED;
	}
	*out = s;
	return CF_OK;
}

int pb_scenario_check(struct cf_ctx *ctx, const struct pb_scenario *s,
		      const struct pb_playbook *pb, struct pb_diag *diag)
{
	int errors = 0;

	if (strcmp(s->playbook, pb->id)) {
		cf_set_error(ctx, 0, "%s: scenario is for playbook '%s', not '%s'", s->path,
			     s->playbook, pb->id);
		pb_diag_take(diag, ctx);
		errors++;
	}
	for (size_t i = 0; i < s->nexp; i++) {
		size_t k = pb_find(pb, s->exp[i].step);
		if (k == PB_NONE) {
			cf_set_error(ctx, 0, "%s:%d:%d: expected step '%s' is not in playbook '%s'",
				     s->path, s->exp_line[i], s->exp_col[i], s->exp[i].step, pb->id);
		} else if (s->exp[i].answer >= 0 && pb->steps[k].kind != PB_DECISION) {
			cf_set_error(ctx, 0, "%s:%d:%d: step '%s' is not a decision: it has no answer",
				     s->path, s->exp_line[i], s->exp_col[i], s->exp[i].step);
		} else
			continue;
		pb_diag_take(diag, ctx);
		errors++;
	}
	for (size_t i = 0; i < s->nwho; i++) {
		int ok = 0;
		for (size_t r = 0; r < pb->nroles; r++)
			ok |= s->who[i].role && !strcmp(s->who[i].role, pb->roles[r]);
		if (!ok) {
			cf_set_error(ctx, 0, "%s: participant '%s' has role '%s', which playbook '%s' lacks",
				     s->path, s->who[i].name, s->who[i].role, pb->id);
			pb_diag_take(diag, ctx);
			errors++;
		}
	}
	if (errors && diag && diag->n)
		cf_set_error(ctx, 0, "%s", diag->msg[diag->n - (size_t)errors]);
	return errors ? CF_FAILED : CF_OK;
}
