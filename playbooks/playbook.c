/* SPDX-License-Identifier: Apache-2.0
 *
 * Loading and validating playbook YAML (man casefile-playbook(5)).
 *
 * A playbook is read by people at the worst moment of their year, so the
 * validator finds every mistake at once and names its FILE:LINE:COL: unknown
 * keys and step kinds, missing owners, owners that are not declared roles,
 * bad durations, run steps naming a command casefile does not have,
 * references to unknown steps, steps nothing leads to, and loops that can
 * never reach the end. It never executes anything and never writes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/array.h"
#include "casefile/command.h"
#include "casefile/error.h"
#include "casefile/time.h"
#include "casefile/yaml.h"
#include "playbook.h"

/* ==== diagnostics ======================================================= */

void pb_diag_init(struct pb_diag *d)
{
	d->msg = NULL;
	d->n = 0;
}

void pb_diag_release(struct pb_diag *d)
{
	for (size_t i = 0; d && i < d->n; i++)
		free(d->msg[i]);
	if (d)
		free(d->msg);
	if (d)
		pb_diag_init(d);
}

int pb_diag_take(struct pb_diag *d, const struct cf_ctx *ctx)
{
	char **m, *s;

	if (!d)
		return 0;
	if (!(s = cf_strdup(cf_errmsg(ctx))))
		return -1;
	if (!(m = cf_realloc(d->msg, (d->n + 1) * sizeof *m))) {
		free(s);
		return -1;
	}
	d->msg = m;
	d->msg[d->n++] = s;
	return 0;
}

/* ==== model ============================================================= */

static const char *const kind_names[PB_KINDS] = {
	"action", "run", "decision", "parallel", "notify", "deadline",
};

const char *pb_kind_name(enum pb_kind k)
{
	return k < PB_KINDS ? kind_names[k] : "?";
}

void pb_free(struct pb_playbook *pb)
{
	if (!pb)
		return;
	for (size_t i = 0; i < pb->nsteps; i++) {
		struct pb_step *s = &pb->steps[i];
		free(s->id); free(s->title); free(s->description); free(s->owner);
		cf_strv_free(s->checklist, s->nchecklist);
		cf_strv_free(s->evidence, s->nevidence);
		cf_strv_free(s->argv, s->argc);
		free(s->save); free(s->question); free(s->condition);
		free(s->on_true); free(s->on_false); free(s->next);
		free(s->audience); free(s->template_name); free(s->deadline);
		free(s->children);
	}
	free(pb->steps);
	free(pb->path); free(pb->id); free(pb->title); free(pb->description);
	cf_strv_free(pb->roles, pb->nroles);
	cf_strv_free(pb->var_names, pb->nvars);
	cf_strv_free(pb->var_values, pb->nvars);
	free(pb);
}

size_t pb_find(const struct pb_playbook *pb, const char *id)
{
	for (size_t i = 0; id && i < pb->nsteps; i++)
		if (pb->steps[i].id && !strcmp(pb->steps[i].id, id))
			return i;
	return PB_NONE;
}

/* The top-level step after i in file order, skipping parallel members. */
static const char *following(const struct pb_playbook *pb, size_t i)
{
	for (size_t j = i + 1; j < pb->nsteps; j++)
		if (pb->steps[j].parent == PB_NONE)
			return pb->steps[j].id;
	return NULL;
}

const char *pb_successor(const struct pb_playbook *pb, size_t i, int answer)
{
	const struct pb_step *s = &pb->steps[i];
	const char *n;

	if (s->kind == PB_DECISION)
		n = answer ? s->on_true : s->on_false;
	else
		n = s->next ? s->next : following(pb, i);
	if (!n || !strcmp(n, PB_END))
		return NULL;
	return n;
}

/* The commands and subcommands a run step may name: the command table's
 * (cf_command_known). A run step naming anything else would fail in the
 * middle of an incident, so the validator refuses it beforehand. */
int pb_command_known(char *const *argv, size_t argc)
{
	return cf_command_known(argv, argc);
}

/* ==== loading =========================================================== */

/* Where each reference sits in the file, kept while validating. */
struct marks {
	struct fy_node *step, *next, *on_true, *on_false, *owner, *kind;
};

struct loader {
	struct pb_diag_sink d;
	struct pb_playbook *pb;
	struct marks *marks;
	size_t cap;
};

void pb_diag_at(struct pb_diag_sink *k, struct fy_node *n, const char *fmt, ...)
{
	char msg[CF_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cf_yaml_error(k->ctx, k->file, n, "%s", msg);
	if (pb_diag_take(k->diag, k->ctx))
		k->nomem = 1;
	k->errors++;
}

/* Reports every unknown key of a mapping (cf_yaml_check_keys stops at the
 * first one; the validator must list them all). */
static void check_keys(struct loader *L, struct fy_node *map,
		       const char *const *known)
{
	struct fy_node_pair *pair;
	void *iter = NULL;

	while ((pair = fy_node_mapping_iterate(map, &iter))) {
		struct fy_node *k = fy_node_pair_key(pair);
		const char *s = NULL;
		size_t len = 0;
		int found = 0;

		if (k && fy_node_is_scalar(k))
			s = fy_node_get_scalar(k, &len);
		if (!s) {
			pb_diag_at(&L->d, k, "keys must be strings");
			continue;
		}
		for (const char *const *p = known; *p && !found; p++)
			found = strlen(*p) == len && !strncmp(*p, s, len);
		if (!found)
			pb_diag_at(&L->d, k, "unknown key '%.*s'", (int)len, s);
	}
}

/* A scalar member as a heap string; NULL when absent or wrong (reported). */
static char *get_str(struct loader *L, struct fy_node *map, const char *key)
{
	struct fy_node *n = cf_yaml_get(map, key);
	char *s;

	if (!n)
		return NULL;
	if (!fy_node_is_scalar(n)) {
		pb_diag_at(&L->d, n, "'%s' must be a string", key);
		return NULL;
	}
	if (!(s = cf_yaml_strdup(n)))
		L->d.nomem = 1;
	return s;
}

/* A sequence of scalars (a single scalar is taken as a list of one). */
static char **get_list(struct loader *L, struct fy_node *map, const char *key,
		       size_t *count)
{
	struct fy_node *n = cf_yaml_get(map, key), *item;
	void *iter = NULL;
	char **v = NULL;
	size_t k = 0;

	*count = 0;
	if (!n)
		return NULL;
	if (fy_node_is_scalar(n)) {
		if (!(v = cf_calloc(1, sizeof *v)) || !(v[0] = cf_yaml_strdup(n))) {
			free(v);
			L->d.nomem = 1;
			return NULL;
		}
		*count = 1;
		return v;
	}
	if (!fy_node_is_sequence(n)) {
		pb_diag_at(&L->d, n, "'%s' must be a list of strings", key);
		return NULL;
	}
	if (!(v = cf_calloc((size_t)fy_node_sequence_item_count(n) + 1, sizeof *v))) {
		L->d.nomem = 1;
		return NULL;
	}
	while ((item = fy_node_sequence_iterate(n, &iter))) {
		if (!fy_node_is_scalar(item)) {
			pb_diag_at(&L->d, item, "every item of '%s' must be a string", key);
			continue;
		}
		if (!(v[k] = cf_yaml_strdup(item))) {
			L->d.nomem = 1;
			break;
		}
		k++;
	}
	*count = k;
	return v;
}

static int has_role(const struct pb_playbook *pb, const char *r)
{
	for (size_t i = 0; i < pb->nroles; i++)
		if (!strcmp(pb->roles[i], r))
			return 1;
	return 0;
}

static size_t add_step(struct loader *L, struct fy_node *n)
{
	struct pb_playbook *pb = L->pb;

	if (pb->nsteps == L->cap) {
		size_t cap = L->cap ? L->cap * 2 : 16;
		struct pb_step *s = cf_realloc(pb->steps, cap * sizeof *s);
		struct marks *m;
		if (!s) {
			L->d.nomem = 1;
			return PB_NONE;
		}
		pb->steps = s;
		if (!(m = cf_realloc(L->marks, cap * sizeof *m))) {
			L->d.nomem = 1;
			return PB_NONE;
		}
		L->marks = m;
		L->cap = cap;
	}
	memset(&pb->steps[pb->nsteps], 0, sizeof pb->steps[0]);
	memset(&L->marks[pb->nsteps], 0, sizeof L->marks[0]);
	pb->steps[pb->nsteps].parent = PB_NONE;
	pb->steps[pb->nsteps].deadline_us = -1;
	L->marks[pb->nsteps].step = n;
	cf_yaml_mark(n, &pb->steps[pb->nsteps].line, &pb->steps[pb->nsteps].col);
	return pb->nsteps++;
}

static const char *const step_keys[] = {
	"id", "kind", "title", "description", "owner", "checklist", "evidence",
	"run", "save", "question", "condition", "on_true", "on_false", "next",
	"audience", "template", "deadline", "steps", "references", NULL,
};

static const char *const audiences[] = {
	"individuals", "hhs", "media", "business-associate", "covered-entity",
	"law-enforcement", NULL,
};

static void load_steps(struct loader *L, struct fy_node *seq, size_t parent);

/* Column of byte `pos` of a scalar's text (libfyaml's mark of a quoted
 * scalar is already past the opening quote). */
static int expr_col(struct fy_node *n, size_t pos)
{
	struct fy_token *t = fy_node_get_scalar_token(n);
	const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;

	return m ? m->column + 1 + (int)pos : 0;
}

static void load_step(struct loader *L, struct fy_node *n, size_t parent)
{
	struct pb_playbook *pb;
	struct pb_step *s;
	struct fy_node *kn;
	char *kind;
	size_t i;

	if (!fy_node_is_mapping(n)) {
		pb_diag_at(&L->d, n, "a step must be a mapping");
		return;
	}
	if ((i = add_step(L, n)) == PB_NONE)
		return;
	pb = L->pb;
	s = &pb->steps[i];
	s->parent = parent;
	check_keys(L, n, step_keys);
	s->id = get_str(L, n, "id");
	s->title = get_str(L, n, "title");
	s->description = get_str(L, n, "description");
	s->owner = get_str(L, n, "owner");
	s->next = get_str(L, n, "next");
	s->deadline = get_str(L, n, "deadline");
	L->marks[i].next = cf_yaml_get(n, "next");
	L->marks[i].owner = cf_yaml_get(n, "owner");
	if (!s->id)
		pb_diag_at(&L->d, n, "step has no 'id'");
	else if (!strcmp(s->id, PB_END))
		pb_diag_at(&L->d, cf_yaml_get(n, "id"),
			   "'%s' is reserved for the end of the playbook", PB_END);
	else {
		size_t j = pb_find(pb, s->id);
		if (j != i)
			pb_diag_at(&L->d, cf_yaml_get(n, "id"),
				   "duplicate step id '%s' (first at line %d)", s->id,
				   pb->steps[j].line);
	}
	if (!s->title)
		pb_diag_at(&L->d, n, "step '%s' has no 'title'", s->id ? s->id : "?");
	if (s->deadline && cf_duration_parse(s->deadline, &s->deadline_us))
		pb_diag_at(&L->d, cf_yaml_get(n, "deadline"),
			   "bad duration '%s' (ISO 8601 days/hours/minutes/weeks, e.g. P60D or PT4H)",
			   s->deadline);
	kn = cf_yaml_get(n, "kind");
	kind = get_str(L, n, "kind");
	s->kind = PB_KINDS;
	for (int k = 0; kind && k < PB_KINDS; k++)
		if (!strcmp(kind, kind_names[k]))
			s->kind = (enum pb_kind)k;
	if (!kn)
		pb_diag_at(&L->d, n, "step '%s' has no 'kind'", s->id ? s->id : "?");
	else if (kind && s->kind == PB_KINDS)
		pb_diag_at(&L->d, kn,
			   "unknown step kind '%s' (action, run, decision, parallel, notify, deadline)",
			   kind);
	free(kind);

	s->checklist = get_list(L, n, "checklist", &s->nchecklist);
	s->evidence = get_list(L, n, "evidence", &s->nevidence);

	switch (s->kind) {
	case PB_RUN: {
		struct fy_node *rn = cf_yaml_get(n, "run");
		s->argv = get_list(L, n, "run", &s->argc);
		s->save = get_str(L, n, "save");
		if (!rn)
			pb_diag_at(&L->d, n, "run step '%s' has no 'run' command line",
				   s->id ? s->id : "?");
		else if (!s->argc)
			pb_diag_at(&L->d, rn,
				   "'run' is empty: list the casefile command and its arguments");
		else if (s->argc && !strcmp(s->argv[0], "casefile"))
			pb_diag_at(&L->d, rn,
				   "'run' lists the arguments after 'casefile', without it");
		else if (s->argc && !pb_command_known(s->argv, s->argc))
			pb_diag_at(&L->d, rn, "unknown casefile command '%s%s%s'", s->argv[0],
				   s->argc > 1 ? " " : "", s->argc > 1 ? s->argv[1] : "");
		for (size_t k = 0; k < s->argc; k++) {
			char *x;
			if (pb_expand(L->d.ctx, s->argv[k], NULL, &x) != CF_OK)
				pb_diag_at(&L->d, rn, "%s", cf_errmsg(L->d.ctx));
			free(x);
		}
		break;
	}
	case PB_DECISION: {
		struct fy_node *cn = cf_yaml_get(n, "condition");
		s->question = get_str(L, n, "question");
		s->condition = get_str(L, n, "condition");
		s->on_true = get_str(L, n, "on_true");
		s->on_false = get_str(L, n, "on_false");
		L->marks[i].on_true = cf_yaml_get(n, "on_true");
		L->marks[i].on_false = cf_yaml_get(n, "on_false");
		if (!s->question == !s->condition)
			pb_diag_at(&L->d, n,
				   "decision '%s' needs exactly one of 'question' and 'condition'",
				   s->id ? s->id : "?");
		if (s->condition) {
			char e[200];
			size_t pos = 0;
			if (pb_expr_check(s->condition, &pos, e, sizeof e)) {
				int line, col;
				cf_yaml_mark(cn, &line, &col);
				cf_set_error(L->d.ctx, 0, "%s:%d:%d: bad condition: %s", L->d.file,
					     line, expr_col(cn, pos), e);
				if (pb_diag_take(L->d.diag, L->d.ctx))
					L->d.nomem = 1;
				L->d.errors++;
			}
		}
		if (!s->on_true || !s->on_false)
			pb_diag_at(&L->d, n, "decision '%s' needs both 'on_true' and 'on_false'",
				   s->id ? s->id : "?");
		if (cf_yaml_get(n, "next"))
			pb_diag_at(&L->d, cf_yaml_get(n, "next"),
				   "a decision continues through on_true/on_false, not 'next'");
		if (parent != PB_NONE)
			pb_diag_at(&L->d, n, "a decision cannot be a member of a parallel group");
		break;
	}
	case PB_NOTIFY: {
		struct fy_node *an = cf_yaml_get(n, "audience");
		int ok = 0;
		s->audience = get_str(L, n, "audience");
		s->template_name = get_str(L, n, "template");
		for (const char *const *a = audiences; s->audience && *a; a++)
			ok |= !strcmp(*a, s->audience);
		if (!an)
			pb_diag_at(&L->d, n, "notify step '%s' has no 'audience'",
				   s->id ? s->id : "?");
		else if (s->audience && !ok)
			pb_diag_at(&L->d, an,
				   "unknown audience '%s' (individuals, hhs, media, business-associate, covered-entity, law-enforcement)",
				   s->audience);
		break;
	}
	case PB_PARALLEL: {
		struct fy_node *sn = cf_yaml_get(n, "steps");
		if (parent != PB_NONE)
			pb_diag_at(&L->d, n, "parallel groups cannot be nested");
		else if (!sn || !fy_node_is_sequence(sn) ||
			 fy_node_sequence_item_count(sn) < 2)
			pb_diag_at(&L->d, sn ? sn : n,
				   "parallel step '%s' needs 'steps' with at least two steps",
				   s->id ? s->id : "?");
		else
			load_steps(L, sn, i);
		break;
	}
	case PB_DEADLINE:
		if (!s->deadline)
			pb_diag_at(&L->d, n, "deadline step '%s' has no 'deadline'",
				   s->id ? s->id : "?");
		break;
	default:
		break;
	}
	/* pointers may have moved while members were added */
	s = &L->pb->steps[i];
	if (s->kind != PB_PARALLEL && cf_yaml_get(n, "steps"))
		pb_diag_at(&L->d, cf_yaml_get(n, "steps"), "only a parallel step has 'steps'");
	if (parent != PB_NONE && cf_yaml_get(n, "next"))
		pb_diag_at(&L->d, cf_yaml_get(n, "next"),
			   "a member of a parallel group returns to the group; it has no 'next'");
	/* Who does it: people do actions, notices and answer questions; a
	 * run step is started by someone accountable for its output. */
	if ((s->kind == PB_ACTION || s->kind == PB_RUN || s->kind == PB_NOTIFY ||
	     (s->kind == PB_DECISION && s->question)) && !s->owner)
		pb_diag_at(&L->d, n, "step '%s' has no 'owner'", s->id ? s->id : "?");
	else if (s->owner && !has_role(L->pb, s->owner))
		pb_diag_at(&L->d, L->marks[i].owner,
			   "owner '%s' is not one of the playbook's roles", s->owner);
}

static void load_steps(struct loader *L, struct fy_node *seq, size_t parent)
{
	struct fy_node *item;
	void *iter = NULL;
	size_t before = L->pb->nsteps, count = 0;
	size_t *kids = NULL;

	if (parent != PB_NONE &&
	    !(kids = cf_calloc((size_t)fy_node_sequence_item_count(seq), sizeof *kids))) {
		L->d.nomem = 1;
		return;
	}
	while ((item = fy_node_sequence_iterate(seq, &iter)) && !L->d.nomem) {
		size_t at = L->pb->nsteps;
		load_step(L, item, parent);
		if (kids && L->pb->nsteps > at)
			kids[count++] = at;
	}
	(void)before;
	if (parent != PB_NONE) {
		L->pb->steps[parent].children = kids;
		L->pb->steps[parent].nchildren = count;
	}
}

/* ---- graph checks ------------------------------------------------------ */

static void check_ref(struct loader *L, size_t i, const char *ref,
		      struct fy_node *where)
{
	if (ref && strcmp(ref, PB_END) && pb_find(L->pb, ref) == PB_NONE)
		pb_diag_at(&L->d, where ? where : L->marks[i].step,
			   "reference to unknown step '%s'", ref);
}

/* Successor indices of top-level step i (PB_NONE for the end). */
static size_t succ(const struct pb_playbook *pb, size_t i, int which)
{
	const char *n;

	if (pb->steps[i].kind == PB_DECISION)
		n = which == 0 ? pb->steps[i].on_true : pb->steps[i].on_false;
	else if (which == 0)
		n = pb->steps[i].next ? pb->steps[i].next : following(pb, i);
	else
		return PB_NONE;
	if (!n || !strcmp(n, PB_END))
		return PB_NONE;
	return pb_find(pb, n);
}

static void check_graph(struct loader *L)
{
	struct pb_playbook *pb = L->pb;
	size_t n = pb->nsteps, *stack = NULL, top = 0;
	char *reach = NULL, *exits = NULL;
	int changed = 1;

	for (size_t i = 0; i < n; i++) {
		check_ref(L, i, pb->steps[i].next, L->marks[i].next);
		check_ref(L, i, pb->steps[i].on_true, L->marks[i].on_true);
		check_ref(L, i, pb->steps[i].on_false, L->marks[i].on_false);
		if (pb->steps[i].parent == PB_NONE &&
		    ((pb->steps[i].next && pb_find(pb, pb->steps[i].next) != PB_NONE &&
		      pb->steps[pb_find(pb, pb->steps[i].next)].parent != PB_NONE)))
			pb_diag_at(&L->d, L->marks[i].next,
				   "'next' cannot lead into a parallel group's member '%s'",
				   pb->steps[i].next);
	}
	if (n == 0 || pb->first == PB_NONE)
		return;
	reach = cf_calloc(n, 1);
	exits = cf_calloc(n, 1);
	stack = cf_calloc(n * 2 + 1, sizeof *stack);
	if (!reach || !exits || !stack) {
		L->d.nomem = 1;
		goto out;
	}
	/* Reachability from the first step; members of a reached group are
	 * reached with it. */
	stack[top++] = pb->first;
	reach[pb->first] = 1;
	while (top) {
		size_t i = stack[--top];
		for (int w = 0; w < 2; w++) {
			size_t j = succ(pb, i, w);
			if (j != PB_NONE && !reach[j] && pb->steps[j].parent == PB_NONE) {
				reach[j] = 1;
				stack[top++] = j;
			}
		}
		for (size_t c = 0; c < pb->steps[i].nchildren; c++)
			reach[pb->steps[i].children[c]] = 1;
	}
	/* Which top-level steps can reach the end: fixed point. */
	while (changed) {
		changed = 0;
		for (size_t i = 0; i < n; i++) {
			if (exits[i] || pb->steps[i].parent != PB_NONE)
				continue;
			for (int w = 0; w < 2; w++) {
				const char *ref = pb->steps[i].kind == PB_DECISION
					? (w ? pb->steps[i].on_false : pb->steps[i].on_true)
					: (w ? NULL : (pb->steps[i].next ? pb->steps[i].next
									 : following(pb, i)));
				size_t j = succ(pb, i, w);
				if (w && pb->steps[i].kind != PB_DECISION)
					continue;
				/* an unknown reference is reported once, not as a cycle too */
				if (!ref || !strcmp(ref, PB_END) || j == PB_NONE || exits[j]) {
					exits[i] = 1;
					changed = 1;
				}
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!reach[i])
			pb_diag_at(&L->d, L->marks[i].step,
				   "step '%s' is unreachable: no step leads to it",
				   pb->steps[i].id ? pb->steps[i].id : "?");
		if (pb->steps[i].parent == PB_NONE && !exits[i])
			pb_diag_at(&L->d, L->marks[i].step,
				   "step '%s' is in a cycle without exit: the end cannot be reached from it",
				   pb->steps[i].id ? pb->steps[i].id : "?");
	}
out:
	free(reach);
	free(exits);
	free(stack);
}

/* Line and column of a "FILE:LINE:COL: ..." message of this file. */
static long pos_of(const char *msg, size_t flen)
{
	char *end;
	long line, col;

	if (strlen(msg) <= flen)
		return 0;
	line = strtol(msg + flen + 1, &end, 10);
	col = *end == ':' ? strtol(end + 1, NULL, 10) : 0;
	return line * 10000 + col;
}

/* Orders this file's messages by position (stable: same place keeps the
 * order found), so an author reads them top to bottom. */
static void sort_diag(struct pb_diag *d, size_t from, const char *file)
{
	size_t flen = strlen(file);

	for (size_t i = from + 1; d && i < d->n; i++) {
		char *m = d->msg[i];
		long p = pos_of(m, flen);
		size_t j = i;
		while (j > from && pos_of(d->msg[j - 1], flen) > p) {
			d->msg[j] = d->msg[j - 1];
			j--;
		}
		d->msg[j] = m;
	}
}

/* `vars`: a mapping of names to default values for ${NAME} in run steps. */
static void load_vars(struct loader *L, struct fy_node *map)
{
	struct fy_node_pair *pair;
	void *iter = NULL;
	size_t n, k = 0;

	if (!map)
		return;
	if (!fy_node_is_mapping(map)) {
		pb_diag_at(&L->d, map, "'vars' must be a mapping of names to values");
		return;
	}
	n = (size_t)fy_node_mapping_item_count(map);
	if (!(L->pb->var_names = cf_calloc(n + 1, sizeof(char *))) ||
	    !(L->pb->var_values = cf_calloc(n + 1, sizeof(char *)))) {
		L->d.nomem = 1;
		return;
	}
	while ((pair = fy_node_mapping_iterate(map, &iter))) {
		struct fy_node *kn = fy_node_pair_key(pair), *vn = fy_node_pair_value(pair);
		if (!fy_node_is_scalar(kn) || !vn || !fy_node_is_scalar(vn)) {
			pb_diag_at(&L->d, kn, "every var is a name with a text value");
			continue;
		}
		if (!(L->pb->var_names[k] = cf_yaml_strdup(kn)) ||
		    !(L->pb->var_values[k] = cf_yaml_strdup(vn))) {
			free(L->pb->var_names[k]);
			L->pb->var_names[k] = NULL;
			L->d.nomem = 1;
			return;
		}
		L->pb->nvars = ++k;
	}
}

static const char *const top_keys[] = {
	"id", "title", "description", "roles", "vars", "steps", "version", "references",
	NULL,
};

static int load_doc(struct cf_ctx *ctx, const char *file, struct fy_document *doc,
		    struct pb_diag *diag, struct pb_playbook **out)
{
	struct loader L = {{ctx, file, diag, 0, 0}, NULL, NULL, 0};
	struct fy_node *root = fy_document_root(doc), *sn;
	int rc = CF_FAILED;

	*out = NULL;
	if (!(L.pb = cf_calloc(1, sizeof *L.pb)) || !(L.pb->path = cf_strdup(file))) {
		pb_free(L.pb);
		return cf_set_nomem(ctx, file);
	}
	L.pb->first = PB_NONE;
	if (!root || !fy_node_is_mapping(root)) {
		pb_diag_at(&L.d, root,
			   "a playbook must be a mapping with id, title, roles and steps");
		goto out;
	}
	check_keys(&L, root, top_keys);
	L.pb->id = get_str(&L, root, "id");
	L.pb->title = get_str(&L, root, "title");
	L.pb->description = get_str(&L, root, "description");
	L.pb->roles = get_list(&L, root, "roles", &L.pb->nroles);
	load_vars(&L, cf_yaml_get(root, "vars"));
	if (!L.pb->id)
		pb_diag_at(&L.d, root, "playbook has no 'id'");
	if (!L.pb->title)
		pb_diag_at(&L.d, root, "playbook has no 'title'");
	if (!L.pb->nroles)
		pb_diag_at(&L.d, root, "playbook has no 'roles'");
	sn = cf_yaml_get(root, "steps");
	if (!sn || !fy_node_is_sequence(sn) || fy_node_sequence_item_count(sn) == 0)
		pb_diag_at(&L.d, sn ? sn : root, "playbook has no 'steps' (a non-empty list)");
	else {
		load_steps(&L, sn, PB_NONE);
		if (L.pb->nsteps)
			L.pb->first = 0;
		if (!L.d.nomem)
			check_graph(&L);
	}
out:
	if (L.d.nomem)
		rc = cf_set_nomem(ctx, file);
	else if (L.d.errors) {
		sort_diag(diag, diag ? diag->n - (size_t)L.d.errors : 0, file);
		/* ctx holds the last; put the first back for one-line callers */
		if (diag && diag->n)
			cf_set_error(ctx, 0, "%s", diag->msg[diag->n - (size_t)L.d.errors]);
		rc = CF_FAILED;
	} else {
		*out = L.pb;
		L.pb = NULL;
		rc = CF_OK;
	}
	pb_free(L.pb);
	free(L.marks);
	return rc;
}

int pb_load_string(struct cf_ctx *ctx, const char *name, const char *text,
		   size_t len, struct pb_diag *diag, struct pb_playbook **out)
{
	struct fy_document *doc = NULL;
	int rc;

	*out = NULL;
	if (cf_yaml_load_string(ctx, name, text, len, &doc) != CF_OK) {
		pb_diag_take(diag, ctx);
		return CF_FAILED;
	}
	rc = load_doc(ctx, name, doc, diag, out);
	fy_document_destroy(doc);
	return rc;
}

int pb_load(struct cf_ctx *ctx, const char *path, struct pb_diag *diag,
	    struct pb_playbook **out)
{
	struct fy_document *doc = NULL;
	int rc;

	*out = NULL;
	if (cf_yaml_load(ctx, path, &doc) != CF_OK) {
		pb_diag_take(diag, ctx);
		return CF_FAILED;
	}
	rc = load_doc(ctx, path, doc, diag, out);
	fy_document_destroy(doc);
	return rc;
}
