/* SPDX-License-Identifier: Apache-2.0
 *
 * Compiling a Sigma rule's detection (for timeline/sigma.c): each
 * search identifier's field tests, their values with the modifiers into
 * wildcard patterns, PCRE2 expressions, CIDR networks and base64
 * variants, and the condition into a tree (and, or, not, parentheses,
 * "1 of X*", "all of them"). What the engine cannot honour refuses the
 * rule with the feature named (sg_refuse), never a silent non-match.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/yaml.h"
#include "sigma_load.h"

int sg_refuse(struct lp *p, struct fy_node *at, const char *feature,
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

/* ---- values ---------------------------------------------------------------- */

const char *sg_scalar(struct fy_node *n, size_t *len)
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

/* A zeroed value after t's last, not yet counted in t->nv (the caller
 * counts it once it holds what freeing it needs), or NULL: no memory. */
static struct sg_value *value_slot(struct sg_test *t)
{
	struct sg_value *v = cf_realloc(t->v, (t->nv + 1) * sizeof *v);

	if (!v)
		return NULL;
	t->v = v;
	memset(&v[t->nv], 0, sizeof *v);
	return &v[t->nv];
}

/* One scalar (or null) of a field test into values appended to t. */
static int add_value(struct lp *p, struct sg_test *t, struct fy_node *n)
{
	size_t len = 0, k = t->nv;
	const char *s = sg_scalar(n, &len);
	char **texts = NULL;
	int nt;
	struct sg_value *v;

	if (n && !s)
		return sg_refuse(p, n, "nested value", "field '%s': a value must be a "
			      "scalar or a list of scalars", t->field);
	if (!n || cf_yaml_is_null(n)) {
		if (t->mods & ~(SG_M_CASED | SG_M_KEYWORD))
			return sg_refuse(p, n, "null with modifier", "field '%s': null "
				      "cannot take modifiers", t->field);
		if (!(v = value_slot(t)))
			return -1;
		v->is_null = 1;
		t->nv++;
		return 0;
	}
	if (t->mods & SG_M_EXISTS) {
		if (strcmp(s, "true") && strcmp(s, "false"))
			return sg_refuse(p, n, "modifier exists", "field '%s|exists' "
				      "takes true or false", t->field);
		if (!(v = value_slot(t)))
			return -1;
		v->exists = !strcmp(s, "true");
		t->nv++;
		return 0;
	}
	if (t->mods & (SG_M_RE | SG_M_CIDR | SG_M_FIELDREF | SG_M_LT | SG_M_LTE |
		       SG_M_GT | SG_M_GTE)) {
		if (!(v = value_slot(t)))
			return -1;
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
				return sg_refuse(p, n, "modifier re", "field '%s|re': bad "
					      "regular expression at offset %zu: %s",
					      t->field, (size_t)eoff, (char *)msg);
			}
		} else if (t->mods & SG_M_CIDR) {
			if (parse_cidr(v->pat, v))
				return sg_refuse(p, n, "modifier cidr", "field '%s|cidr': "
					      "'%s' is not an IPv4 or IPv6 network",
					      t->field, v->pat);
		} else if (t->mods & SG_M_FIELDREF) {
			if (sigma_map_field(v->pat, &v->ref))
				return sg_refuse(p, n, "field", "field '%s|fieldref': "
					      "field '%s' is not in the timeline",
					      t->field, v->pat);
			if (!strncmp(v->pat, "attrs.", 6))
				v->ref.attr = v->pat + 6;
		} else {
			char *end;
			v->num = strtod(v->pat, &end);
			if (end == v->pat || *end)
				return sg_refuse(p, n, "numeric modifier", "field '%s': "
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
			return sg_refuse(p, kn, "modifier", "unsupported modifier '%.*s' "
				      "(field '%s')", (int)ml, m, t->field);
		if ((bit & (SG_M_RE_I | SG_M_RE_M | SG_M_RE_S)) && !(t->mods & SG_M_RE))
			return sg_refuse(p, kn, "modifier", "modifier '%.*s' goes after "
				      "'re' (field '%s')", (int)ml, m, t->field);
		t->mods |= bit;
		m += ml;
	}
	if (!fl) {
		t->mods |= SG_M_KEYWORD;
		t->map.col = SG_MESSAGE;
	} else if (sigma_map_field(t->field, &t->map)) {
		return sg_refuse(p, kn, "field", "field '%s' is not in the timeline "
			      "(casefile-detect(5) lists the fields)", t->field);
	}
	if (t->map.col == SG_ATTR && !strncmp(t->field, "attrs.", 6))
		t->map.attr = t->field + 6;
	if (val && fy_node_get_type(val) == FYNT_SEQUENCE) {
		void *it = NULL;
		struct fy_node *item;
		if (!fy_node_sequence_item_count(val))
			return sg_refuse(p, val, "empty list", "field '%s': empty list of "
				      "values", t->field);
		while ((item = fy_node_sequence_iterate(val, &it)))
			if ((rc = add_value(p, t, item)))
				return rc;
	} else if (val && fy_node_get_type(val) == FYNT_MAPPING) {
		return sg_refuse(p, val, "nested value", "field '%s': a value must be "
			      "a scalar or a list of scalars", t->field);
	} else if ((rc = add_value(p, t, val))) {
		return rc;
	}
	if ((t->mods & SG_M_EXISTS) && t->nv != 1)
		return sg_refuse(p, kn, "modifier exists", "field '%s|exists' takes one "
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
				return sg_refuse(p, item, "nested value", "identifier '%s': "
					      "a list of lists", id->name);
		}
		if (nmaps && nscal)
			return sg_refuse(p, v, "mixed list", "identifier '%s' mixes "
				      "keywords and field maps", id->name);
		if (!nmaps && !nscal)
			return sg_refuse(p, v, "empty list", "identifier '%s' is empty",
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
			return sg_refuse(p, map, "empty map", "identifier '%s' has an "
				      "empty map", id->name);
		if (!(al->t = cf_calloc(n, sizeof *al->t)))
			return -1;
		while ((pr = fy_node_mapping_iterate(map, &pit))) {
			struct fy_node *kn = fy_node_pair_key(pr);
			size_t kl;
			const char *k = sg_scalar(kn, &kl);
			char *key;
			if (!k)
				return sg_refuse(p, kn, "complex key", "identifier '%s': a "
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

static int cexpr(struct cparse *c, struct sg_node **out);

static int cof(struct cparse *c, int all, struct sg_node **out)
{
	struct sigma_rule *r = c->p->r;
	struct sg_node *n;
	int them;

	next_tok(c, 1);
	if (strcmp(c->tok, "of"))
		return sg_refuse(c->p, c->at, "condition", "condition: expected 'of' "
			      "after '%s'", all ? "all" : "1");
	if (!next_tok(c, 1))
		return sg_refuse(c->p, c->at, "condition", "condition: 'of' needs "
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
		return sg_refuse(c->p, c->at, "condition", "condition: '%s' names no "
			      "identifier", c->tok);
	return 0;
}

static int cfactor(struct cparse *c, struct sg_node **out)
{
	struct sigma_rule *r = c->p->r;
	int rc;

	if (++c->depth > SIGMA_MAX_DEPTH)
		return sg_refuse(c->p, c->at, "condition", "condition: nested deeper "
			      "than %d", SIGMA_MAX_DEPTH);
	if (!next_tok(c, 1))
		return sg_refuse(c->p, c->at, "condition", "condition: ends early");
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
			return sg_refuse(c->p, c->at, "condition", "condition: missing "
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
		return sg_refuse(c->p, c->at, "aggregation", "condition: '|' "
			      "aggregations (count() ... by) are Sigma v1; write a "
			      "correlation rule");
	if (!strcmp(c->tok, ")") || !strcasecmp(c->tok, "and") ||
	    !strcasecmp(c->tok, "or") || !strcasecmp(c->tok, "of"))
		return sg_refuse(c->p, c->at, "condition", "condition: unexpected '%s'",
			      c->tok);
	if (c->tok[0] >= '0' && c->tok[0] <= '9')
		return sg_refuse(c->p, c->at, "condition", "condition: '%s of' is "
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
	return sg_refuse(c->p, c->at, "condition", "condition: unknown identifier "
		      "'%s'", c->tok);
}

/* operand (op operand)*, left to right: "and" over factors, "or" over
 * terms, so that "and" binds tighter. */
static int cchain(struct cparse *c, struct sg_node **out, const char *op,
		  enum sg_node_kind kind,
		  int (*operand)(struct cparse *, struct sg_node **))
{
	int rc = operand(c, out);

	while (!rc) {
		struct sg_node *n;
		next_tok(c, 0);
		if (strcasecmp(c->tok, op))
			break;
		next_tok(c, 1);
		if (!(n = node(kind)))
			return -1;
		n->a = *out;
		*out = n;
		rc = operand(c, &n->b);
	}
	return rc;
}

static int cterm(struct cparse *c, struct sg_node **out)
{
	return cchain(c, out, "and", SG_N_AND, cfactor);
}

static int cexpr(struct cparse *c, struct sg_node **out)
{
	return cchain(c, out, "or", SG_N_OR, cterm);
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
		return sg_refuse(p, at, "condition", "condition: holds a NUL byte");
	}
	c.s = text;
	rc = cexpr(&c, &tree);
	if (!rc && next_tok(&c, 0))
		rc = !strcmp(c.tok, "|") ?
			sg_refuse(p, at, "aggregation", "condition: '|' aggregations "
			       "(count() ... by) are Sigma v1; write a correlation "
			       "rule") :
			sg_refuse(p, at, "condition", "condition: unexpected '%s'", c.tok);
	if (rc) {
		sg_nodes_free(tree);
	} else if (!p->r->cond) {
		p->r->cond = tree;
	} else {
		struct sg_node *n = node(SG_N_OR);
		if (!n) {
			sg_nodes_free(tree);
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

int sg_compile_detection(struct lp *p, struct fy_node *det)
{
	struct sigma_rule *r = p->r;
	struct fy_node_pair *pr;
	struct fy_node *cond = NULL;
	void *it = NULL;
	size_t n;

	if (!det || fy_node_get_type(det) != FYNT_MAPPING)
		return sg_refuse(p, det, "detection", "'detection' must be a mapping");
	n = (size_t)fy_node_mapping_item_count(det);
	if (!(r->ids = cf_calloc(n ? n : 1, sizeof *r->ids)))
		return -1;
	while ((pr = fy_node_mapping_iterate(det, &it))) {
		struct fy_node *kn = fy_node_pair_key(pr);
		size_t kl;
		const char *k = sg_scalar(kn, &kl);
		int rc;
		if (!k)
			return sg_refuse(p, kn, "detection", "detection: a key must be "
				      "a name");
		if (kl == 9 && !memcmp(k, "condition", 9)) {
			cond = fy_node_pair_value(pr);
			continue;
		}
		if (kl == 9 && !memcmp(k, "timeframe", 9))
			return sg_refuse(p, kn, "timeframe", "'timeframe' is Sigma v1 "
				      "aggregation; write a correlation rule");
		if (!(r->ids[r->nids].name = cf_strndup(k, kl)))
			return -1;
		r->nids++;
		if ((rc = compile_ident(p, &r->ids[r->nids - 1],
					fy_node_pair_value(pr))))
			return rc;
	}
	if (!cond)
		return sg_refuse(p, det, "condition", "detection without a condition");
	if (!(r->memo = cf_malloc(r->nids ? r->nids : 1)))
		return -1;
	if (fy_node_get_type(cond) == FYNT_SEQUENCE) {
		struct fy_node *item;
		it = NULL;
		while ((item = fy_node_sequence_iterate(cond, &it))) {
			size_t l;
			const char *s = sg_scalar(item, &l);
			int rc;
			if (!s)
				return sg_refuse(p, item, "condition", "condition: a list "
					      "of strings expected");
			if ((rc = compile_condition(p, item, s, l)))
				return rc;
		}
		if (!r->cond)
			return sg_refuse(p, cond, "condition", "empty condition list");
		return 0;
	} else {
		size_t l;
		const char *s = sg_scalar(cond, &l);
		if (!s || !l)
			return sg_refuse(p, cond, "condition", "condition must be a "
				      "string");
		return compile_condition(p, cond, s, l);
	}
}

