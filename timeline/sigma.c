/* SPDX-License-Identifier: Apache-2.0
 *
 * Loading Sigma rules (specification v2) for `casefile timeline detect`:
 * YAML through the core's libfyaml helpers (src/yaml.c, which parses every
 * document in a child first), one rule per document, documents separated
 * by "---" lines in one file. Each document is parsed on its own with as
 * many blank lines before it as precede it in the file, so that libfyaml's
 * marks, and so every FILE:LINE, are the file's.
 *
 * The rule's detection is compiled here (sigma_int.h): values into
 * wildcard patterns, PCRE2 expressions, CIDR networks and base64 variants;
 * the condition into a tree. Whatever this engine cannot honour (a
 * modifier it lacks, a field the timeline never holds, a Sigma v1
 * aggregation, a Windows logsource) refuses the rule with the feature
 * named; it must never be loaded to match nothing. Only running out of
 * memory or an unreadable path fails the load.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "casefile/alloc.h"
#include "casefile/array.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/path.h"
#include "casefile/yaml.h"
#include "sigma_load.h"

#define SIGMA_MAX_FILE (4u << 20)

static int add_refusal(struct sigma_set *s, const char *where, const char *rule,
		       const char *reason, const char *feature)
{
	struct sigma_refusal *x;

	if (!(x = cf_array_add(s->ref, &s->refcap, s->nref, sizeof *x, 16)))
		return -1;
	s->ref = x;
	x += s->nref;
	x->where = cf_strdup(where);
	x->rule = rule ? cf_strdup(rule) : NULL;
	x->reason = cf_strdup(reason);
	x->feature = cf_strdup(feature);
	if (!x->where || (rule && !x->rule) || !x->reason || !x->feature) {
		free(x->where), free(x->rule), free(x->reason), free(x->feature);
		return -1;
	}
	s->nref++;
	return 0;
}

struct sigma_set *sigma_set_new(void)
{
	struct sigma_set *s = cf_calloc(1, sizeof *s);

	if (s && !(s->md = pcre2_match_data_create(32, NULL))) {
		free(s);
		return NULL;
	}
	return s;
}

void sigma_set_free(struct sigma_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nrules; i++)
		sg_rule_free(s->rules[i]);
	free(s->rules);
	for (size_t i = 0; i < s->nref; i++) {
		free(s->ref[i].where), free(s->ref[i].rule);
		free(s->ref[i].reason), free(s->ref[i].feature);
	}
	free(s->ref);
	for (size_t i = 0; i < s->nfound; i++)
		sg_finding_free(s->found[i]);
	free(s->found);
	pcre2_match_data_free(s->md);
	free(s);
}

size_t sigma_rule_count(const struct sigma_set *s)
{
	return s->nrules;
}

const struct sigma_refusal *sigma_refusals(const struct sigma_set *s, size_t *n)
{
	*n = s->nref;
	return s->ref;
}

const struct sigma_rule *sigma_rule_at(const struct sigma_set *s, size_t i)
{
	return i < s->nrules ? s->rules[i] : NULL;
}

/* ---- accessors ---------------------------------------------------------- */

const char *sigma_rule_id(const struct sigma_rule *r)
{
	return r->id ? r->id : r->name ? r->name : r->title;
}

const char *sigma_rule_title(const struct sigma_rule *r)
{
	return r->title;
}

enum sigma_level sigma_rule_level(const struct sigma_rule *r)
{
	return r->level;
}

int sigma_rule_reports(const struct sigma_rule *r)
{
	return r->reports;
}

const char *sigma_level_name(enum sigma_level l)
{
	static const char *const names[] = {"critical", "high", "medium", "low",
					    "informational"};
	return l < SIGMA_NLEVELS ? names[l] : "medium";
}

/* ---- correlations --------------------------------------------------------- */

static int parse_timespan(const char *s, int64_t *us)
{
	char *end;
	long long v;
	int64_t unit;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || v <= 0 || end[0] == '\0' || end[1] != '\0')
		return -1;
	switch (*end) {
	case 's': unit = 1000000LL; break;
	case 'm': unit = 60000000LL; break;
	case 'h': unit = 3600000000LL; break;
	case 'd': unit = 86400000000LL; break;
	case 'w': unit = 7 * 86400000000LL; break;
	default: return -1;
	}
	if (v > INT64_MAX / unit)
		return -1;
	*us = v * unit;
	return 0;
}

static int str_list(struct lp *p, struct fy_node *n, const char *what,
		    char ***out, size_t *nout)
{
	struct fy_node *item;
	void *it = NULL;
	size_t len;
	const char *s;

	if (n && fy_node_get_type(n) == FYNT_SCALAR) {
		if (!(*out = cf_calloc(1, sizeof **out)) ||
		    !((*out)[0] = cf_strndup(sg_scalar(n, &len), len)))
			return -1;
		*nout = 1;
		return 0;
	}
	if (!n || fy_node_get_type(n) != FYNT_SEQUENCE)
		return sg_refuse(p, n, "correlation", "correlation: '%s' must be a "
			      "list of names", what);
	if (!(*out = cf_calloc((size_t)fy_node_sequence_item_count(n) + 1,
			       sizeof **out)))
		return -1;
	while ((item = fy_node_sequence_iterate(n, &it))) {
		if (!(s = sg_scalar(item, &len)))
			return sg_refuse(p, item, "correlation", "correlation: '%s' "
				      "must be a list of names", what);
		if (!((*out)[(*nout)++] = cf_strndup(s, len)))
			return -1;
	}
	return 0;
}

static int compile_correlation(struct lp *p, struct fy_node *root,
			       struct fy_node *c)
{
	static const char *const cmps[] = {"gt", "gte", "lt", "lte", "eq", "neq"};
	static const struct { const char *name; enum sg_corr_type t; } types[] = {
		{"event_count", SG_C_EVENT_COUNT}, {"value_count", SG_C_VALUE_COUNT},
		{"temporal", SG_C_TEMPORAL}, {"temporal_ordered", SG_C_TEMPORAL_ORDERED}};
	struct sigma_rule *r = p->r;
	struct fy_node *tn = cf_yaml_get(c, "type"), *cond, *g;
	const char *ty, *span;
	size_t len;
	int rc;

	if (fy_node_get_type(c) != FYNT_MAPPING)
		return sg_refuse(p, c, "correlation", "'correlation' must be a mapping");
	if (!(ty = sg_scalar(tn, &len)))
		return sg_refuse(p, c, "correlation", "correlation without a type");
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (!strcmp(ty, types[i].name))
			r->corr = types[i].t;
	if (r->corr == SG_C_NONE)
		return sg_refuse(p, tn, "correlation type", "unsupported correlation "
			      "type '%s' (event_count, value_count, temporal, "
			      "temporal_ordered)", ty);
	if (cf_yaml_get(c, "aliases"))
		return sg_refuse(p, cf_yaml_get(c, "aliases"), "correlation aliases",
			      "correlation 'aliases' are not supported");
	if ((rc = str_list(p, cf_yaml_get(c, "rules"), "rules", &r->refs, &r->nrefs)))
		return rc;
	if (!r->nrefs)
		return sg_refuse(p, c, "correlation", "correlation without rules");
	if ((g = cf_yaml_get(c, "group-by")) &&
	    (rc = str_list(p, g, "group-by", &r->group_by, &r->ngroup)))
		return rc;
	if (r->ngroup && !(r->group_map = cf_calloc(r->ngroup, sizeof *r->group_map)))
		return -1;
	for (size_t i = 0; i < r->ngroup; i++) {
		if (sigma_map_field(r->group_by[i], &r->group_map[i]))
			return sg_refuse(p, g, "field", "group-by field '%s' is not in "
				      "the timeline", r->group_by[i]);
		if (!strncmp(r->group_by[i], "attrs.", 6))
			r->group_map[i].attr = r->group_by[i] + 6;
	}
	if (!(span = sg_scalar(cf_yaml_get(c, "timespan"), &len)) ||
	    parse_timespan(span, &r->span_us))
		return sg_refuse(p, cf_yaml_get(c, "timespan") ? cf_yaml_get(c, "timespan")
							     : c, "timespan",
			      "correlation: timespan must be a number and s, m, h, "
			      "d or w (\"5m\")");
	cond = cf_yaml_get(c, "condition");
	if (cond && fy_node_get_type(cond) != FYNT_MAPPING)
		return sg_refuse(p, cond, "correlation", "correlation: condition must "
			      "be a mapping (gte: 10)");
	for (size_t i = 0; i < 6 && cond; i++) {
		struct fy_node *v = cf_yaml_get(cond, cmps[i]);
		const char *s = sg_scalar(v, &len);
		char *end;
		if (!v)
			continue;
		if (!s || (r->cmp[i] = strtoll(s, &end, 10), end == s || *end))
			return sg_refuse(p, v, "correlation", "correlation: '%s' takes "
				      "a whole number", cmps[i]);
		r->has_cmp |= 1u << i;
	}
	if (cond && (g = cf_yaml_get(cond, "field"))) {
		const char *s = sg_scalar(g, &len);
		if (!s || !(r->value_field = cf_strndup(s, len)))
			return s ? -1 : sg_refuse(p, g, "correlation", "condition field "
					       "must be a name");
		if (sigma_map_field(r->value_field, &r->value_map))
			return sg_refuse(p, g, "field", "condition field '%s' is not in "
				      "the timeline", r->value_field);
		if (!strncmp(r->value_field, "attrs.", 6))
			r->value_map.attr = r->value_field + 6;
	}
	if (r->corr == SG_C_VALUE_COUNT && !r->value_field)
		return sg_refuse(p, cond ? cond : c, "correlation", "value_count needs "
			      "condition: field");
	if ((r->corr == SG_C_EVENT_COUNT || r->corr == SG_C_VALUE_COUNT) &&
	    !r->has_cmp)
		return sg_refuse(p, c, "correlation", "correlation: condition needs "
			      "gt, gte, lt, lte, eq or neq");
	{
		int gen = 0;
		struct cf_ctx quiet;
		cf_ctx_init(&quiet);
		if ((rc = cf_yaml_bool(&quiet, p->file, c, "generate", &gen)) == CF_FAILED ||
		    (rc == CF_EOF &&
		     cf_yaml_bool(&quiet, p->file, root, "generate", &gen) == CF_FAILED))
			return sg_refuse(p, c, "correlation", "generate must be true or "
				      "false");
		r->generate = gen;
	}
	return 0;
}

/* ---- rules ------------------------------------------------------------------ */

static enum sigma_level parse_level(const char *s)
{
	static const char *const names[] = {"critical", "high", "medium", "low",
					    "informational"};
	for (int i = 0; s && i < SIGMA_NLEVELS; i++)
		if (!strcasecmp(s, names[i]))
			return (enum sigma_level)i;
	return SIGMA_MEDIUM;
}

static char *get_str(struct fy_node *map, const char *key, int *bad)
{
	struct fy_node *n = cf_yaml_get(map, key);
	size_t len;
	const char *s;

	if (!n)
		return NULL;
	if (!(s = sg_scalar(n, &len)) || cf_yaml_is_null(n))
		return NULL;
	char *d = cf_strndup(s, len);
	if (!d)
		*bad = 1;
	return d;
}

static int compile_logsource(struct lp *p, struct fy_node *ls)
{
	const char *const *progs;
	const char *why;
	char *prod, *svc, *cat;
	int bad = 0, rc = 0;

	if (!ls)
		return 0;
	if (fy_node_get_type(ls) != FYNT_MAPPING)
		return sg_refuse(p, ls, "logsource", "'logsource' must be a mapping");
	prod = get_str(ls, "product", &bad);
	svc = get_str(ls, "service", &bad);
	cat = get_str(ls, "category", &bad);
	if (bad)
		rc = -1;
	else if (sigma_map_logsource(prod, svc, cat, &p->r->sources, &progs, &why))
		rc = sg_refuse(p, ls, why, "%s '%s' is not a log casefile parses "
			    "(casefile-detect(5))", why,
			    !strcmp(why, "logsource category") ? cat :
			    !strcmp(why, "logsource product") ? prod : svc);
	else if (progs) {
		size_t n = 0;
		while (progs[n])
			n++;
		if (!(p->r->programs = cf_calloc(n + 1, sizeof *p->r->programs)))
			rc = -1;
		for (size_t i = 0; !rc && i < n; i++)
			if (!(p->r->programs[i] = cf_strdup(progs[i])))
				rc = -1;
	}
	free(prod), free(svc), free(cat);
	return rc;
}

static int add_rule(struct sigma_set *s, struct sigma_rule *r)
{
	struct sigma_rule **v;

	if (s->nrules == SIGMA_MAX_RULES)
		return -1;
	if (!(v = cf_array_grow(s->rules, &s->cap, s->nrules + 1, sizeof *v, 32)))
		return -1;
	s->rules = v;
	s->rules[s->nrules++] = r;
	return 0;
}

/* One document: a rule, a correlation, or a refusal. -1: memory. */
static int load_doc(struct sigma_set *s, const char *file, struct fy_node *root)
{
	struct lp p = {.set = s, .file = file, .at = root};
	struct sigma_rule *r = cf_calloc(1, sizeof *r);
	struct fy_node *c;
	int bad = 0, rc, line = 0, col;
	char where[4200];

	if (!r)
		return -1;
	p.r = r;
	r->reports = 1;
	if (fy_node_get_type(root) != FYNT_MAPPING) {
		rc = sg_refuse(&p, root, "rule", "a rule must be a mapping");
		goto done;
	}
	r->title = get_str(root, "title", &bad);
	r->id = get_str(root, "id", &bad);
	r->name = get_str(root, "name", &bad);
	{
		char *lv = get_str(root, "level", &bad);
		r->level = parse_level(lv);
		free(lv);
	}
	if (bad || !(r->file = cf_strdup(file))) {
		rc = -1;
		goto done;
	}
	cf_yaml_mark(root, &r->line, &col);
	if (cf_yaml_get(root, "action")) {
		rc = sg_refuse(&p, cf_yaml_get(root, "action"), "rule collection",
			    "'action' (Sigma v1 rule collections) is not supported");
	} else if (!r->title) {
		rc = sg_refuse(&p, root, "rule", "a rule needs a title");
	} else if ((c = cf_yaml_get(root, "correlation"))) {
		rc = compile_correlation(&p, root, c);
	} else if ((rc = compile_logsource(&p, cf_yaml_get(root, "logsource"))) == 0) {
		rc = sg_compile_detection(&p, cf_yaml_get(root, "detection"));
	}
done:
	if (rc == 0)
		return add_rule(s, r) ? (sg_rule_free(r), -1) : 0;
	if (rc > 0) {
		cf_yaml_mark(p.at, &line, &col);
		if (line > 0)
			snprintf(where, sizeof where, "%s:%d", file, line);
		else
			snprintf(where, sizeof where, "%s", file);
		rc = add_refusal(s, where, r->title ? r->title : r->id, p.why,
				 p.feature);
	}
	sg_rule_free(r);
	return rc;
}

/* Splits text at "---" lines and loads each document. */
int sigma_load_string(struct sigma_set *s, struct cf_ctx *ctx, const char *name,
		      const char *text, size_t len)
{
	size_t start = 0, line = 1, start_line = 1;
	struct cf_buf doc;
	int rc = CF_OK;

	cf_buf_init(&doc);
	for (size_t i = 0; i <= len && rc == CF_OK; ) {
		size_t e = i;
		int sep;
		while (e < len && text[e] != '\n')
			e++;
		sep = i < len && e - i >= 3 && !memcmp(text + i, "---", 3) &&
		      (e - i == 3 || text[i + 3] == ' ' || text[i + 3] == '\t' ||
		       text[i + 3] == '\r');
		if (sep || i >= len) {
			size_t end = i >= len ? len : i;
			int blank = 1;
			for (size_t k = start; k < end && blank; k++) {
				if (text[k] == '#') {
					while (k < end && text[k] != '\n')
						k++;
				} else if (!strchr(" \t\r\n", text[k])) {
					blank = 0;
				}
			}
			if (!blank) {
				struct fy_document *d = NULL;
				struct cf_ctx one;
				cf_buf_reset(&doc);
				for (size_t k = 1; k < start_line; k++)
					cf_buf_putc(&doc, '\n');
				cf_buf_append(&doc, text + start, end - start);
				if (cf_buf_error(&doc)) {
					rc = cf_set_nomem(ctx, name);
					break;
				}
				cf_ctx_init(&one);
				int yr = cf_yaml_load_string(&one, name, doc.data,
							     doc.len, &d);
				if (yr == CF_FATAL) {
					rc = cf_set_fatal(ctx, 0, "%s", cf_errmsg(&one));
				} else if (yr != CF_OK) {
					if (add_refusal(s, name, NULL, cf_errmsg(&one), "YAML"))
						rc = cf_set_nomem(ctx, name);
				} else if (fy_document_root(d) &&
					   load_doc(s, name, fy_document_root(d)) < 0) {
					rc = cf_set_nomem(ctx, name);
				}
				fy_document_destroy(d);
			}
			start = e < len ? e + 1 : len;
			start_line = line + 1;
		}
		if (i >= len)
			break;
		i = e + 1;
		line++;
	}
	cf_buf_release(&doc);
	return rc;
}

static int load_file(struct sigma_set *s, struct cf_ctx *ctx, const char *path)
{
	struct cf_buf b;
	int rc;

	cf_buf_init(&b);
	rc = cf_buf_read_file(ctx, &b, path, SIGMA_MAX_FILE);
	if (rc == CF_OK)
		rc = sigma_load_string(s, ctx, path, b.data ? b.data : "", b.len);
	cf_buf_release(&b);
	return rc;
}

static int yaml_name(const char *n)
{
	size_t l = strlen(n);
	return (l > 4 && !strcmp(n + l - 4, ".yml")) ||
	       (l > 5 && !strcmp(n + l - 5, ".yaml"));
}

static int load_dir(struct sigma_set *s, struct cf_ctx *ctx, const char *dir,
		    int depth)
{
	struct dirent **ents = NULL;
	int n, rc = CF_OK;

	if (depth > 32)
		return cf_set_error(ctx, 0, "%s: folders nested too deep", dir);
	if ((n = scandir(dir, &ents, NULL, alphasort)) < 0)
		return cf_set_error(ctx, errno, "cannot read folder '%s'", dir);
	for (int i = 0; i < n; i++) {
		char *p = NULL;
		struct stat st;
		if (rc == CF_OK && ents[i]->d_name[0] != '.' &&
		    !(p = cf_path_join(dir, ents[i]->d_name)))
			rc = cf_set_nomem(ctx, dir);
		if (rc == CF_OK && p && stat(p, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				rc = load_dir(s, ctx, p, depth + 1);
			else if (S_ISREG(st.st_mode) && yaml_name(ents[i]->d_name))
				rc = load_file(s, ctx, p);
		}
		free(p);
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int sigma_load_path(struct sigma_set *s, struct cf_ctx *ctx, const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return cf_set_error(ctx, errno, "cannot read rules '%s'", path);
	return S_ISDIR(st.st_mode) ? load_dir(s, ctx, path, 0) :
				     load_file(s, ctx, path);
}

/* ---- linking ------------------------------------------------------------- */

static struct sigma_rule *find_rule(struct sigma_set *s, const char *ref)
{
	for (size_t i = 0; i < s->nrules; i++)
		if ((s->rules[i]->name && !strcmp(s->rules[i]->name, ref)) ||
		    (s->rules[i]->id && !strcmp(s->rules[i]->id, ref)))
			return s->rules[i];
	return NULL;
}

int sigma_link(struct sigma_set *s, struct cf_ctx *ctx)
{
	for (size_t i = 0; i < s->nrules;) {
		struct sigma_rule *r = s->rules[i];
		const char *missing = NULL, *feature = "correlation";
		char where[4200];
		if (r->corr == SG_C_NONE || r->ref) {
			i++;
			continue;
		}
		if (!(r->ref = cf_calloc(r->nrefs, sizeof *r->ref)))
			return cf_set_nomem(ctx, "rules");
		for (size_t k = 0; k < r->nrefs && !missing; k++) {
			r->ref[k] = find_rule(s, r->refs[k]);
			if (!r->ref[k])
				missing = r->refs[k];
			else if (r->ref[k]->corr != SG_C_NONE)
				missing = r->refs[k], feature = "correlation of a "
								 "correlation";
		}
		if (missing) {
			char why[512];
			snprintf(where, sizeof where, "%s:%d", r->file, r->line);
			snprintf(why, sizeof why, !strcmp(feature, "correlation") ?
				 "correlation: no rule named '%s' was loaded" :
				 "correlation: '%s' is itself a correlation (not "
				 "supported)", missing);
			if (add_refusal(s, where, r->title, why, feature))
				return cf_set_nomem(ctx, "rules");
			sg_rule_free(r);
			memmove(&s->rules[i], &s->rules[i + 1],
				(s->nrules - i - 1) * sizeof *s->rules);
			s->nrules--;
			continue;
		}
		i++;
	}
	/* users, and which base rules report on their own */
	for (size_t i = 0; i < s->nrules; i++) {
		struct sigma_rule *r = s->rules[i];
		for (size_t k = 0; r->corr != SG_C_NONE && k < r->nrefs; k++) {
			struct sigma_rule *b = r->ref[k];
			struct sigma_rule **u;
			int seen = 0;
			for (size_t j = 0; j < b->nusers; j++)
				seen |= b->users[j] == r;
			if (seen)
				continue;
			if (!(u = cf_realloc(b->users, (b->nusers + 1) * sizeof *u)))
				return cf_set_nomem(ctx, "rules");
			b->users = u;
			b->users[b->nusers++] = r;
		}
	}
	for (size_t i = 0; i < s->nrules; i++) {
		struct sigma_rule *b = s->rules[i];
		if (b->corr != SG_C_NONE || !b->nusers)
			continue;
		b->reports = 0;
		for (size_t j = 0; j < b->nusers; j++)
			b->reports |= b->users[j]->generate;
	}
	s->linked = 1;
	return CF_OK;
}
