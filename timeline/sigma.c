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
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/path.h"
#include "casefile/yaml.h"
#include "sigma_int.h"

#define SIGMA_MAX_FILE (4u << 20)

/* A rule being compiled: where refusals point. Functions return 0, 1
 * (refused: why/feature/at set) or -1 (out of memory). */
struct lp {
	struct sigma_set *set;
	const char *file;
	struct fy_node *at;     /* node the refusal names */
	char why[384], feature[96];
	struct sigma_rule *r;
};

static int refuse(struct lp *p, struct fy_node *at, const char *feature,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int refuse(struct lp *p, struct fy_node *at, const char *feature,
		  const char *fmt, ...)
{
	va_list ap;

	if (at)
		p->at = at;
	snprintf(p->feature, sizeof p->feature, "%s", feature);
	va_start(ap, fmt);
	vsnprintf(p->why, sizeof p->why, fmt, ap);
	va_end(ap);
	return 1;
}

static int add_refusal(struct sigma_set *s, const char *where, const char *rule,
		       const char *reason, const char *feature)
{
	struct sigma_refusal *x;

	if (s->nref == s->refcap) {
		size_t cap = s->refcap ? s->refcap * 2 : 16;
		if (!(x = cf_realloc(s->ref, cap * sizeof *x)))
			return -1;
		s->ref = x;
		s->refcap = cap;
	}
	x = &s->ref[s->nref];
	memset(x, 0, sizeof *x);
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

/* ---- values ---------------------------------------------------------------- */

static const char *scalar(struct fy_node *n, size_t *len)
{
	const char *t;

	if (!n || fy_node_get_type(n) != FYNT_SCALAR)
		return NULL;
	t = fy_node_get_scalar(n, len);
	return t ? t : "";
}

/* A wildcard pattern from Sigma text: \* \? \\ are literal, other
 * backslashes stay; pre/post add a wildcard '*' (contains, endswith...). */
static int set_pattern(struct sg_value *v, const char *s, size_t n, int pre,
		       int post, int plain)
{
	size_t k = 0;

	if (!(v->pat = cf_malloc(n + 3)) || !(v->lit = cf_calloc(n + 3, 1)))
		return -1;
	if (pre)
		v->pat[k++] = '*';
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!plain && c == '\\' && i + 1 < n &&
		    (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\')) {
			v->lit[k] = 1;
			v->pat[k++] = s[++i];
			continue;
		}
		v->lit[k] = plain || (c != '*' && c != '?');
		v->pat[k++] = c;
	}
	if (post)
		v->pat[k++] = '*';
	v->pat[k] = '\0';
	v->len = k;
	return 0;
}

static int b64(const unsigned char *in, size_t n, struct cf_buf *out)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	cf_buf_reset(out);
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		size_t left = n - i;
		if (left > 1)
			v |= (unsigned)in[i + 1] << 8;
		if (left > 2)
			v |= in[i + 2];
		cf_buf_putc(out, tab[(v >> 18) & 63]);
		cf_buf_putc(out, tab[(v >> 12) & 63]);
		cf_buf_putc(out, left > 1 ? tab[(v >> 6) & 63] : '=');
		cf_buf_putc(out, left > 2 ? tab[v & 63] : '=');
	}
	return cf_buf_putc(out, '\0') ? -1 : 0;
}

/* Texts a value stands for once windash and base64 apply (heap strings
 * into *out; count returned, -1 on memory). */
static int expand(const char *s, size_t n, unsigned mods, char ***out)
{
	static const char *const dashes[] = {"-", "/", "\xe2\x80\x93",
					     "\xe2\x80\x94", "\xe2\x80\x95"};
	char *texts[5] = {0};
	int nt = 0, no = 0;
	struct cf_buf b;
	char **o;

	cf_buf_init(&b);
	for (int d = 0; d < ((mods & SG_M_WINDASH) ? 5 : 1); d++) {
		cf_buf_reset(&b);
		for (size_t i = 0; i < n; i++)
			if (s[i] == '-' && (mods & SG_M_WINDASH))
				cf_buf_puts(&b, dashes[d]);
			else
				cf_buf_putc(&b, s[i]);
		if (cf_buf_putc(&b, '\0') || !(texts[nt++] = cf_strdup(b.data)))
			goto nomem;
	}
	if (!(o = cf_calloc((size_t)nt * 3, sizeof *o)))
		goto nomem;
	for (int t = 0; t < nt; t++) {
		size_t tl = strlen(texts[t]);
		if (!(mods & (SG_M_B64 | SG_M_B64OFF))) {
			o[no++] = texts[t];
			texts[t] = NULL;
			continue;
		}
		for (int off = 0; off < ((mods & SG_M_B64OFF) ? 3 : 1); off++) {
			/* base64offset: the value after 0, 1 or 2 unknown
			 * bytes; only the characters that do not depend on
			 * the bytes around it are kept (pySigma's slices) */
			static const size_t start[] = {0, 2, 3}, cut[] = {0, 3, 2};
			struct cf_buf raw;
			size_t el, from = 0, to;
			cf_buf_init(&raw);
			cf_buf_append(&raw, "  ", (size_t)off);
			cf_buf_append(&raw, texts[t], tl);
			if (cf_buf_error(&raw) ||
			    b64((unsigned char *)raw.data, raw.len, &b)) {
				cf_buf_release(&raw);
				for (int k = 0; k < no; k++)
					free(o[k]);
				free(o);
				goto nomem;
			}
			cf_buf_release(&raw);
			el = to = strlen(b.data);
			if (mods & SG_M_B64OFF) {
				size_t c = cut[(tl + (size_t)off) % 3];
				from = start[off];
				to = el > c ? el - c : 0;
			}
			if (to < from)
				to = from;
			if (!(o[no++] = cf_strndup(b.data + from, to - from))) {
				for (int k = 0; k < no - 1; k++)
					free(o[k]);
				free(o);
				goto nomem;
			}
		}
	}
	for (int t = 0; t < nt; t++)
		free(texts[t]);
	cf_buf_release(&b);
	*out = o;
	return no;
nomem:
	for (int t = 0; t < nt; t++)
		free(texts[t]);
	cf_buf_release(&b);
	return -1;
}

static int parse_cidr(const char *s, struct sg_value *v)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t al = slash ? (size_t)(slash - s) : strlen(s);
	char *end;
	long bits;

	if (al >= sizeof buf)
		return -1;
	memcpy(buf, s, al);
	buf[al] = '\0';
	if (inet_pton(AF_INET, buf, v->net) == 1)
		v->family = 4;
	else if (inet_pton(AF_INET6, buf, v->net) == 1)
		v->family = 6;
	else
		return -1;
	bits = v->family == 4 ? 32 : 128;
	if (slash) {
		errno = 0;
		bits = strtol(slash + 1, &end, 10);
		if (errno || *end || end == slash + 1 || bits < 0 ||
		    bits > (v->family == 4 ? 32 : 128))
			return -1;
	}
	v->prefix = (int)bits;
	return 0;
}

/* One scalar (or null) of a field test into values appended to t. */
static int add_value(struct lp *p, struct sg_test *t, struct fy_node *n)
{
	size_t len = 0, k = t->nv;
	const char *s = scalar(n, &len);
	char **texts = NULL;
	int nt;
	struct sg_value *v;

	if (n && !s)
		return refuse(p, n, "nested value", "field '%s': a value must be a "
			      "scalar or a list of scalars", t->field);
	if (!n || cf_yaml_is_null(n)) {
		if (t->mods & ~(SG_M_CASED | SG_M_KEYWORD))
			return refuse(p, n, "null with modifier", "field '%s': null "
				      "cannot take modifiers", t->field);
		if (!(v = cf_realloc(t->v, (t->nv + 1) * sizeof *v)))
			return -1;
		t->v = v;
		memset(&v[t->nv], 0, sizeof *v);
		v[t->nv++].is_null = 1;
		return 0;
	}
	if (t->mods & SG_M_EXISTS) {
		if (strcmp(s, "true") && strcmp(s, "false"))
			return refuse(p, n, "modifier exists", "field '%s|exists' "
				      "takes true or false", t->field);
		if (!(v = cf_realloc(t->v, (t->nv + 1) * sizeof *v)))
			return -1;
		t->v = v;
		memset(&v[t->nv], 0, sizeof *v);
		v[t->nv++].exists = !strcmp(s, "true");
		return 0;
	}
	if (t->mods & (SG_M_RE | SG_M_CIDR | SG_M_FIELDREF | SG_M_LT | SG_M_LTE |
		       SG_M_GT | SG_M_GTE)) {
		if (!(v = cf_realloc(t->v, (t->nv + 1) * sizeof *v)))
			return -1;
		t->v = v;
		v = &v[t->nv];
		memset(v, 0, sizeof *v);
		if (!(v->pat = cf_strndup(s, len)))
			return -1;
		t->nv++;
		v->len = len;
		if (t->mods & SG_M_RE) {
			int err;
			PCRE2_SIZE eoff;
			uint32_t fl = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
			if (t->mods & SG_M_RE_I)
				fl |= PCRE2_CASELESS;
			if (t->mods & SG_M_RE_M)
				fl |= PCRE2_MULTILINE;
			if (t->mods & SG_M_RE_S)
				fl |= PCRE2_DOTALL;
			v->re = pcre2_compile((PCRE2_SPTR)s, len, fl, &err, &eoff, NULL);
			if (!v->re) {
				PCRE2_UCHAR msg[160];
				pcre2_get_error_message(err, msg, sizeof msg);
				return refuse(p, n, "modifier re", "field '%s|re': bad "
					      "regular expression at offset %zu: %s",
					      t->field, (size_t)eoff, (char *)msg);
			}
		} else if (t->mods & SG_M_CIDR) {
			if (parse_cidr(v->pat, v))
				return refuse(p, n, "modifier cidr", "field '%s|cidr': "
					      "'%s' is not an IPv4 or IPv6 network",
					      t->field, v->pat);
		} else if (t->mods & SG_M_FIELDREF) {
			if (sigma_map_field(v->pat, &v->ref))
				return refuse(p, n, "field", "field '%s|fieldref': "
					      "field '%s' is not in the timeline",
					      t->field, v->pat);
			if (!strncmp(v->pat, "attrs.", 6))
				v->ref.attr = v->pat + 6;
		} else {
			char *end;
			v->num = strtod(v->pat, &end);
			if (end == v->pat || *end)
				return refuse(p, n, "numeric modifier", "field '%s': "
					      "'%s' is not a number", t->field, v->pat);
		}
		return 0;
	}
	if ((nt = expand(s, len, t->mods, &texts)) < 0)
		return -1;
	if (!(v = cf_realloc(t->v, (t->nv + (size_t)nt) * sizeof *v))) {
		for (int i = 0; i < nt; i++)
			free(texts[i]);
		free(texts);
		return -1;
	}
	t->v = v;
	for (int i = 0; i < nt; i++) {
		int contains = (t->mods & (SG_M_CONTAINS | SG_M_KEYWORD |
					   SG_M_B64OFF)) != 0;
		int plain = (t->mods & (SG_M_B64 | SG_M_B64OFF)) != 0;
		memset(&v[t->nv], 0, sizeof *v);
		if (set_pattern(&v[t->nv++], texts[i], strlen(texts[i]),
				contains || (t->mods & SG_M_ENDS),
				contains || (t->mods & SG_M_STARTS), plain)) {
			for (int j = i; j < nt; j++)
				free(texts[j]);
			free(texts);
			return -1;
		}
		free(texts[i]);
	}
	free(texts);
	(void)k;
	return 0;
}

static const struct {
	const char *name;
	unsigned bit;
} modifiers[] = {
	{"contains", SG_M_CONTAINS}, {"startswith", SG_M_STARTS},
	{"endswith", SG_M_ENDS},     {"all", SG_M_ALL},
	{"re", SG_M_RE},             {"i", SG_M_RE_I},
	{"m", SG_M_RE_M},            {"s", SG_M_RE_S},
	{"cidr", SG_M_CIDR},         {"exists", SG_M_EXISTS},
	{"cased", SG_M_CASED},       {"base64", SG_M_B64},
	{"base64offset", SG_M_B64OFF}, {"windash", SG_M_WINDASH},
	{"fieldref", SG_M_FIELDREF}, {"lt", SG_M_LT},
	{"lte", SG_M_LTE},           {"gt", SG_M_GT},
	{"gte", SG_M_GTE},
};

/* "field|mod|mod" and its value into a test. */
static int compile_test(struct lp *p, struct sg_test *t, const char *key,
			struct fy_node *kn, struct fy_node *val)
{
	const char *bar = strchr(key, '|');
	size_t fl = bar ? (size_t)(bar - key) : strlen(key);
	int rc;

	memset(t, 0, sizeof *t);
	if (!(t->field = cf_strndup(key, fl)))
		return -1;
	for (const char *m = bar; m && *m;) {
		size_t ml;
		unsigned bit = 0;
		m++;
		ml = strcspn(m, "|");
		for (size_t i = 0; i < sizeof modifiers / sizeof modifiers[0]; i++)
			if (strlen(modifiers[i].name) == ml &&
			    !memcmp(modifiers[i].name, m, ml))
				bit = modifiers[i].bit;
		if (!bit)
			return refuse(p, kn, "modifier", "unsupported modifier '%.*s' "
				      "(field '%s')", (int)ml, m, t->field);
		if ((bit & (SG_M_RE_I | SG_M_RE_M | SG_M_RE_S)) && !(t->mods & SG_M_RE))
			return refuse(p, kn, "modifier", "modifier '%.*s' goes after "
				      "'re' (field '%s')", (int)ml, m, t->field);
		t->mods |= bit;
		m += ml;
	}
	if (!fl) {
		t->mods |= SG_M_KEYWORD;
		t->map.col = SG_MESSAGE;
	} else if (sigma_map_field(t->field, &t->map)) {
		return refuse(p, kn, "field", "field '%s' is not in the timeline "
			      "(casefile-detect(5) lists the fields)", t->field);
	}
	if (t->map.col == SG_ATTR && !strncmp(t->field, "attrs.", 6))
		t->map.attr = t->field + 6;
	if (val && fy_node_get_type(val) == FYNT_SEQUENCE) {
		void *it = NULL;
		struct fy_node *item;
		if (!fy_node_sequence_item_count(val))
			return refuse(p, val, "empty list", "field '%s': empty list of "
				      "values", t->field);
		while ((item = fy_node_sequence_iterate(val, &it)))
			if ((rc = add_value(p, t, item)))
				return rc;
	} else if (val && fy_node_get_type(val) == FYNT_MAPPING) {
		return refuse(p, val, "nested value", "field '%s': a value must be "
			      "a scalar or a list of scalars", t->field);
	} else if ((rc = add_value(p, t, val))) {
		return rc;
	}
	if ((t->mods & SG_M_EXISTS) && t->nv != 1)
		return refuse(p, kn, "modifier exists", "field '%s|exists' takes one "
			      "value", t->field);
	return 0;
}

/* A search identifier: a mapping, a list of mappings or a keyword list. */
static int compile_ident(struct lp *p, struct sg_ident *id, struct fy_node *v)
{
	enum fy_node_type ty = v ? fy_node_get_type(v) : FYNT_SCALAR;
	struct fy_node *item;
	void *it = NULL;
	size_t nmaps = 0, nscal = 0;
	int rc;

	if (ty == FYNT_SEQUENCE) {
		while ((item = fy_node_sequence_iterate(v, &it))) {
			if (fy_node_get_type(item) == FYNT_MAPPING)
				nmaps++;
			else if (fy_node_get_type(item) == FYNT_SCALAR)
				nscal++;
			else
				return refuse(p, item, "nested value", "identifier '%s': "
					      "a list of lists", id->name);
		}
		if (nmaps && nscal)
			return refuse(p, v, "mixed list", "identifier '%s' mixes "
				      "keywords and field maps", id->name);
		if (!nmaps && !nscal)
			return refuse(p, v, "empty list", "identifier '%s' is empty",
				      id->name);
	}
	if (ty == FYNT_SCALAR || nscal) {
		/* keywords: searched in the message */
		if (!(id->alt = cf_calloc(1, sizeof *id->alt)) ||
		    !(id->alt->t = cf_calloc(1, sizeof *id->alt->t)))
			return -1;
		id->nalt = 1;
		id->alt->nt = 1;
		return compile_test(p, id->alt->t, "", v, v);
	}
	if (!(id->alt = cf_calloc(ty == FYNT_MAPPING ? 1 : nmaps, sizeof *id->alt)))
		return -1;
	it = NULL;
	for (size_t a = 0; a < (ty == FYNT_MAPPING ? 1 : nmaps); a++) {
		struct fy_node *map = ty == FYNT_MAPPING ? v :
				      fy_node_sequence_iterate(v, &it);
		struct fy_node_pair *pr;
		void *pit = NULL;
		size_t n = (size_t)fy_node_mapping_item_count(map);
		struct sg_alt *al = &id->alt[id->nalt++];
		if (!n)
			return refuse(p, map, "empty map", "identifier '%s' has an "
				      "empty map", id->name);
		if (!(al->t = cf_calloc(n, sizeof *al->t)))
			return -1;
		while ((pr = fy_node_mapping_iterate(map, &pit))) {
			struct fy_node *kn = fy_node_pair_key(pr);
			size_t kl;
			const char *k = scalar(kn, &kl);
			char *key;
			if (!k)
				return refuse(p, kn, "complex key", "identifier '%s': a "
					      "key must be a field name", id->name);
			if (!(key = cf_strndup(k, kl)))
				return -1;
			rc = compile_test(p, &al->t[al->nt++], key, kn,
					  fy_node_pair_value(pr));
			free(key);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* ---- the condition ------------------------------------------------------------ */

struct cparse {
	struct lp *p;
	struct fy_node *at;
	const char *s;
	size_t pos;
	char tok[128];
	int depth;
};

/* Next token into c->tok ("" at the end); returns its length. */
static size_t next_tok(struct cparse *c, int consume)
{
	size_t i = c->pos, n;

	while (c->s[i] == ' ' || c->s[i] == '\t' || c->s[i] == '\n')
		i++;
	if (c->s[i] == '(' || c->s[i] == ')' || c->s[i] == '|') {
		n = 1;
	} else {
		n = 0;
		while (c->s[i + n] && !strchr(" \t\n()|", c->s[i + n]))
			n++;
	}
	if (n >= sizeof c->tok)
		n = sizeof c->tok - 1;
	memcpy(c->tok, c->s + i, n);
	c->tok[n] = '\0';
	if (consume)
		c->pos = i + n;
	return n;
}

static struct sg_node *node(enum sg_node_kind k)
{
	struct sg_node *n = cf_calloc(1, sizeof *n);

	if (n)
		n->kind = k;
	return n;
}

static void node_free(struct sg_node *n)
{
	if (!n)
		return;
	node_free(n->a);
	node_free(n->b);
	free(n->ids);
	free(n);
}

static int cexpr(struct cparse *c, struct sg_node **out);

static int cof(struct cparse *c, int all, struct sg_node **out)
{
	struct sigma_rule *r = c->p->r;
	struct sg_node *n;
	int them;

	next_tok(c, 1);
	if (strcmp(c->tok, "of"))
		return refuse(c->p, c->at, "condition", "condition: expected 'of' "
			      "after '%s'", all ? "all" : "1");
	if (!next_tok(c, 1))
		return refuse(c->p, c->at, "condition", "condition: 'of' needs "
			      "'them' or identifiers");
	them = !strcmp(c->tok, "them");
	if (!(n = node(all ? SG_N_ALL_OF : SG_N_ONE_OF)) ||
	    !(n->ids = cf_calloc(r->nids ? r->nids : 1, sizeof *n->ids))) {
		free(n);
		return -1;
	}
	*out = n;
	for (size_t i = 0; i < r->nids; i++) {
		if (them ? r->ids[i].name[0] == '_' :
			   fnmatch(c->tok, r->ids[i].name, 0))
			continue;
		n->ids[n->nids++] = (int)i;
	}
	if (!n->nids)
		return refuse(c->p, c->at, "condition", "condition: '%s' names no "
			      "identifier", c->tok);
	return 0;
}

static int cfactor(struct cparse *c, struct sg_node **out)
{
	struct sigma_rule *r = c->p->r;
	int rc;

	if (++c->depth > SIGMA_MAX_DEPTH)
		return refuse(c->p, c->at, "condition", "condition: nested deeper "
			      "than %d", SIGMA_MAX_DEPTH);
	if (!next_tok(c, 1))
		return refuse(c->p, c->at, "condition", "condition: ends early");
	if (!strcasecmp(c->tok, "not")) {
		struct sg_node *n = node(SG_N_NOT);
		if (!n)
			return -1;
		*out = n;
		rc = cfactor(c, &n->a);
		c->depth--;
		return rc;
	}
	if (!strcmp(c->tok, "(")) {
		if ((rc = cexpr(c, out)))
			return rc;
		next_tok(c, 1);
		if (strcmp(c->tok, ")"))
			return refuse(c->p, c->at, "condition", "condition: missing "
				      "')'");
		c->depth--;
		return 0;
	}
	if (!strcmp(c->tok, "1") || !strcasecmp(c->tok, "any") ||
	    !strcasecmp(c->tok, "all")) {
		rc = cof(c, !strcasecmp(c->tok, "all"), out);
		c->depth--;
		return rc;
	}
	if (!strcmp(c->tok, "|"))
		return refuse(c->p, c->at, "aggregation", "condition: '|' "
			      "aggregations (count() ... by) are Sigma v1; write a "
			      "correlation rule");
	if (!strcmp(c->tok, ")") || !strcasecmp(c->tok, "and") ||
	    !strcasecmp(c->tok, "or") || !strcasecmp(c->tok, "of"))
		return refuse(c->p, c->at, "condition", "condition: unexpected '%s'",
			      c->tok);
	if (c->tok[0] >= '0' && c->tok[0] <= '9')
		return refuse(c->p, c->at, "condition", "condition: '%s of' is "
			      "not supported (only '1 of' and 'all of')", c->tok);
	for (size_t i = 0; i < r->nids; i++)
		if (!strcmp(r->ids[i].name, c->tok)) {
			struct sg_node *n = node(SG_N_ID);
			if (!n)
				return -1;
			n->id = (int)i;
			*out = n;
			c->depth--;
			return 0;
		}
	return refuse(c->p, c->at, "condition", "condition: unknown identifier "
		      "'%s'", c->tok);
}

static int cterm(struct cparse *c, struct sg_node **out)
{
	int rc = cfactor(c, out);

	while (!rc) {
		struct sg_node *n;
		next_tok(c, 0);
		if (strcasecmp(c->tok, "and"))
			break;
		next_tok(c, 1);
		if (!(n = node(SG_N_AND)))
			return -1;
		n->a = *out;
		*out = n;
		rc = cfactor(c, &n->b);
	}
	return rc;
}

static int cexpr(struct cparse *c, struct sg_node **out)
{
	int rc = cterm(c, out);

	while (!rc) {
		struct sg_node *n;
		next_tok(c, 0);
		if (strcasecmp(c->tok, "or"))
			break;
		next_tok(c, 1);
		if (!(n = node(SG_N_OR)))
			return -1;
		n->a = *out;
		*out = n;
		rc = cterm(c, &n->b);
	}
	return rc;
}

/* One condition string into a tree, ORed into r->cond. */
static int compile_condition(struct lp *p, struct fy_node *at, const char *s,
			     size_t len)
{
	struct cparse c = {.p = p, .at = at};
	struct sg_node *tree = NULL;
	char *text = cf_strndup(s, len);
	int rc;

	if (!text)
		return -1;
	if (strlen(text) != len) {
		free(text);
		return refuse(p, at, "condition", "condition: holds a NUL byte");
	}
	c.s = text;
	rc = cexpr(&c, &tree);
	if (!rc && next_tok(&c, 0))
		rc = !strcmp(c.tok, "|") ?
			refuse(p, at, "aggregation", "condition: '|' aggregations "
			       "(count() ... by) are Sigma v1; write a correlation "
			       "rule") :
			refuse(p, at, "condition", "condition: unexpected '%s'", c.tok);
	if (rc) {
		node_free(tree);
	} else if (!p->r->cond) {
		p->r->cond = tree;
	} else {
		struct sg_node *n = node(SG_N_OR);
		if (!n) {
			node_free(tree);
			rc = -1;
		} else {
			n->a = p->r->cond;
			n->b = tree;
			p->r->cond = n;
		}
	}
	free(text);
	return rc;
}

static int compile_detection(struct lp *p, struct fy_node *det)
{
	struct sigma_rule *r = p->r;
	struct fy_node_pair *pr;
	struct fy_node *cond = NULL;
	void *it = NULL;
	size_t n;

	if (!det || fy_node_get_type(det) != FYNT_MAPPING)
		return refuse(p, det, "detection", "'detection' must be a mapping");
	n = (size_t)fy_node_mapping_item_count(det);
	if (!(r->ids = cf_calloc(n ? n : 1, sizeof *r->ids)))
		return -1;
	while ((pr = fy_node_mapping_iterate(det, &it))) {
		struct fy_node *kn = fy_node_pair_key(pr);
		size_t kl;
		const char *k = scalar(kn, &kl);
		int rc;
		if (!k)
			return refuse(p, kn, "detection", "detection: a key must be "
				      "a name");
		if (kl == 9 && !memcmp(k, "condition", 9)) {
			cond = fy_node_pair_value(pr);
			continue;
		}
		if (kl == 9 && !memcmp(k, "timeframe", 9))
			return refuse(p, kn, "timeframe", "'timeframe' is Sigma v1 "
				      "aggregation; write a correlation rule");
		if (!(r->ids[r->nids].name = cf_strndup(k, kl)))
			return -1;
		r->nids++;
		if ((rc = compile_ident(p, &r->ids[r->nids - 1],
					fy_node_pair_value(pr))))
			return rc;
	}
	if (!cond)
		return refuse(p, det, "condition", "detection without a condition");
	if (!(r->memo = cf_malloc(r->nids ? r->nids : 1)))
		return -1;
	if (fy_node_get_type(cond) == FYNT_SEQUENCE) {
		struct fy_node *item;
		it = NULL;
		while ((item = fy_node_sequence_iterate(cond, &it))) {
			size_t l;
			const char *s = scalar(item, &l);
			int rc;
			if (!s)
				return refuse(p, item, "condition", "condition: a list "
					      "of strings expected");
			if ((rc = compile_condition(p, item, s, l)))
				return rc;
		}
		if (!r->cond)
			return refuse(p, cond, "condition", "empty condition list");
		return 0;
	} else {
		size_t l;
		const char *s = scalar(cond, &l);
		if (!s || !l)
			return refuse(p, cond, "condition", "condition must be a "
				      "string");
		return compile_condition(p, cond, s, l);
	}
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
		    !((*out)[0] = cf_strndup(scalar(n, &len), len)))
			return -1;
		*nout = 1;
		return 0;
	}
	if (!n || fy_node_get_type(n) != FYNT_SEQUENCE)
		return refuse(p, n, "correlation", "correlation: '%s' must be a "
			      "list of names", what);
	if (!(*out = cf_calloc((size_t)fy_node_sequence_item_count(n) + 1,
			       sizeof **out)))
		return -1;
	while ((item = fy_node_sequence_iterate(n, &it))) {
		if (!(s = scalar(item, &len)))
			return refuse(p, item, "correlation", "correlation: '%s' "
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
		return refuse(p, c, "correlation", "'correlation' must be a mapping");
	if (!(ty = scalar(tn, &len)))
		return refuse(p, c, "correlation", "correlation without a type");
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (!strcmp(ty, types[i].name))
			r->corr = types[i].t;
	if (r->corr == SG_C_NONE)
		return refuse(p, tn, "correlation type", "unsupported correlation "
			      "type '%s' (event_count, value_count, temporal, "
			      "temporal_ordered)", ty);
	if (cf_yaml_get(c, "aliases"))
		return refuse(p, cf_yaml_get(c, "aliases"), "correlation aliases",
			      "correlation 'aliases' are not supported");
	if ((rc = str_list(p, cf_yaml_get(c, "rules"), "rules", &r->refs, &r->nrefs)))
		return rc;
	if (!r->nrefs)
		return refuse(p, c, "correlation", "correlation without rules");
	if ((g = cf_yaml_get(c, "group-by")) &&
	    (rc = str_list(p, g, "group-by", &r->group_by, &r->ngroup)))
		return rc;
	if (r->ngroup && !(r->group_map = cf_calloc(r->ngroup, sizeof *r->group_map)))
		return -1;
	for (size_t i = 0; i < r->ngroup; i++) {
		if (sigma_map_field(r->group_by[i], &r->group_map[i]))
			return refuse(p, g, "field", "group-by field '%s' is not in "
				      "the timeline", r->group_by[i]);
		if (!strncmp(r->group_by[i], "attrs.", 6))
			r->group_map[i].attr = r->group_by[i] + 6;
	}
	if (!(span = scalar(cf_yaml_get(c, "timespan"), &len)) ||
	    parse_timespan(span, &r->span_us))
		return refuse(p, cf_yaml_get(c, "timespan") ? cf_yaml_get(c, "timespan")
							     : c, "timespan",
			      "correlation: timespan must be a number and s, m, h, "
			      "d or w (\"5m\")");
	cond = cf_yaml_get(c, "condition");
	if (cond && fy_node_get_type(cond) != FYNT_MAPPING)
		return refuse(p, cond, "correlation", "correlation: condition must "
			      "be a mapping (gte: 10)");
	for (size_t i = 0; i < 6 && cond; i++) {
		struct fy_node *v = cf_yaml_get(cond, cmps[i]);
		const char *s = scalar(v, &len);
		char *end;
		if (!v)
			continue;
		if (!s || (r->cmp[i] = strtoll(s, &end, 10), end == s || *end))
			return refuse(p, v, "correlation", "correlation: '%s' takes "
				      "a whole number", cmps[i]);
		r->has_cmp |= 1u << i;
	}
	if (cond && (g = cf_yaml_get(cond, "field"))) {
		const char *s = scalar(g, &len);
		if (!s || !(r->value_field = cf_strndup(s, len)))
			return s ? -1 : refuse(p, g, "correlation", "condition field "
					       "must be a name");
		if (sigma_map_field(r->value_field, &r->value_map))
			return refuse(p, g, "field", "condition field '%s' is not in "
				      "the timeline", r->value_field);
		if (!strncmp(r->value_field, "attrs.", 6))
			r->value_map.attr = r->value_field + 6;
	}
	if (r->corr == SG_C_VALUE_COUNT && !r->value_field)
		return refuse(p, cond ? cond : c, "correlation", "value_count needs "
			      "condition: field");
	if ((r->corr == SG_C_EVENT_COUNT || r->corr == SG_C_VALUE_COUNT) &&
	    !r->has_cmp)
		return refuse(p, c, "correlation", "correlation: condition needs "
			      "gt, gte, lt, lte, eq or neq");
	{
		int gen = 0;
		struct cf_ctx quiet;
		cf_ctx_init(&quiet);
		if ((rc = cf_yaml_bool(&quiet, p->file, c, "generate", &gen)) == CF_FAILED ||
		    (rc == CF_EOF &&
		     cf_yaml_bool(&quiet, p->file, root, "generate", &gen) == CF_FAILED))
			return refuse(p, c, "correlation", "generate must be true or "
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
	if (!(s = scalar(n, &len)) || cf_yaml_is_null(n))
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
		return refuse(p, ls, "logsource", "'logsource' must be a mapping");
	prod = get_str(ls, "product", &bad);
	svc = get_str(ls, "service", &bad);
	cat = get_str(ls, "category", &bad);
	if (bad)
		rc = -1;
	else if (sigma_map_logsource(prod, svc, cat, &p->r->sources, &progs, &why))
		rc = refuse(p, ls, why, "%s '%s' is not a log casefile parses "
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
	if (s->nrules == SIGMA_MAX_RULES)
		return -1;
	if (s->nrules == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct sigma_rule **v = cf_realloc(s->rules, cap * sizeof *v);
		if (!v)
			return -1;
		s->rules = v;
		s->cap = cap;
	}
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
		rc = refuse(&p, root, "rule", "a rule must be a mapping");
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
		rc = refuse(&p, cf_yaml_get(root, "action"), "rule collection",
			    "'action' (Sigma v1 rule collections) is not supported");
	} else if (!r->title) {
		rc = refuse(&p, root, "rule", "a rule needs a title");
	} else if ((c = cf_yaml_get(root, "correlation"))) {
		rc = compile_correlation(&p, root, c);
	} else if ((rc = compile_logsource(&p, cf_yaml_get(root, "logsource"))) == 0) {
		rc = compile_detection(&p, cf_yaml_get(root, "detection"));
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
