/* SPDX-License-Identifier: Apache-2.0
 *
 * Decision conditions: the small expression language of `condition:`.
 *
 *   expr    := or
 *   or      := and ( ("or" | "||") and )*
 *   and     := not ( ("and" | "&&") not )*
 *   not     := ("not" | "!") not | cmp
 *   cmp     := value ( ("==" | "!=" | "<" | "<=" | ">" | ">=") value )?
 *   value   := NUMBER | 'string' | "string" | true | false
 *            | NAME ( "." NAME )* | FUNC "(" NAME ")" | "(" expr ")"
 *   FUNC    := len | max | sum
 *
 * Names are looked up in the run's values (the JSON saved by run steps and
 * the answers of earlier decisions), e.g. `affected >= 500` or
 * `max(by_state) > 500`. The parser is recursive descent over the string
 * with a depth limit; it never allocates, so hostile conditions cost no
 * memory, and a name that is missing is an error rather than false: a
 * breach decision must not be taken on a value nobody computed.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "playbook.h"

#define MAX_DEPTH 32
#define NAME_MAX_LEN 256

enum vtype { V_NUM, V_BOOL, V_STR, V_JSON };

struct val {
	enum vtype t;
	double num;
	int b;
	const char *s; size_t slen; /* V_STR: points into the expression */
	const char *js;             /* V_STR from JSON */
	const cJSON *json;          /* V_JSON: an array or object */
};

struct P {
	const char *src, *p;
	const cJSON *values; /* NULL: syntax check only */
	int depth;
	char err[200];
	size_t errpos;
	int failed;
};

static void fail(struct P *P, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(struct P *P, const char *at, const char *fmt, ...)
{
	va_list ap;

	if (P->failed)
		return;
	P->failed = 1;
	P->errpos = (size_t)(at - P->src);
	va_start(ap, fmt);
	vsnprintf(P->err, sizeof P->err, fmt, ap);
	va_end(ap);
}

static void ws(struct P *P)
{
	while (*P->p == ' ' || *P->p == '\t')
		P->p++;
}

/* Matches a keyword or operator at the cursor (keywords must end there). */
static int accept(struct P *P, const char *tok)
{
	size_t n = strlen(tok);

	ws(P);
	if (strncmp(P->p, tok, n))
		return 0;
	if (isalpha((unsigned char)tok[0]) &&
	    (isalnum((unsigned char)P->p[n]) || P->p[n] == '_'))
		return 0;
	P->p += n;
	return 1;
}

/* Follows a dotted path from obj; NULL when a part is missing. */
static const cJSON *lookup_direct(const cJSON *obj, const char *name)
{
	const cJSON *cur = obj;
	char part[NAME_MAX_LEN];
	const char *s = name;

	while (cur && *s) {
		size_t n = strcspn(s, ".");
		if (n >= sizeof part || n == 0)
			return NULL;
		memcpy(part, s, n);
		part[n] = '\0';
		cur = cJSON_IsObject(cur) ? cJSON_GetObjectItemCaseSensitive(cur, part) : NULL;
		s += n;
		if (*s == '.')
			s++;
	}
	return cur;
}

const cJSON *pb_value_lookup(const cJSON *values, const char *name)
{
	const cJSON *child, *r;

	if (!values || !name)
		return NULL;
	if ((r = lookup_direct(values, name)))
		return r;
	/* Not at the root: inside each saved object, in order. */
	cJSON_ArrayForEach(child, values)
		if (cJSON_IsObject(child) && (r = lookup_direct(child, name)))
			return r;
	return NULL;
}

static void from_json(struct P *P, const char *at, const char *name,
		      const cJSON *j, struct val *v)
{
	memset(v, 0, sizeof *v);
	if (cJSON_IsNumber(j)) {
		v->t = V_NUM;
		v->num = j->valuedouble;
	} else if (cJSON_IsBool(j)) {
		v->t = V_BOOL;
		v->b = cJSON_IsTrue(j);
	} else if (cJSON_IsString(j)) {
		v->t = V_STR;
		v->js = j->valuestring;
	} else if (cJSON_IsArray(j) || cJSON_IsObject(j)) {
		v->t = V_JSON;
		v->json = j;
	} else
		fail(P, at, "'%s' is null", name);
}

static void expr_or(struct P *P, struct val *v);

/* NAME ( "." NAME )* into buf; 0 or -1. */
static int name(struct P *P, char *buf, size_t n)
{
	const char *s = P->p;
	size_t len;

	if (!isalpha((unsigned char)*s) && *s != '_')
		return -1;
	while (isalnum((unsigned char)*s) || *s == '_' || *s == '-' || *s == '.')
		s++;
	len = (size_t)(s - P->p);
	if (len >= n || P->p[len - 1] == '.') {
		fail(P, P->p, "name too long or ends with '.'");
		return -1;
	}
	memcpy(buf, P->p, len);
	buf[len] = '\0';
	P->p = s;
	return 0;
}

static void func(struct P *P, const char *fn, const char *at, struct val *v)
{
	char nm[NAME_MAX_LEN];
	const cJSON *j, *e;
	const char *nat;

	ws(P);
	nat = P->p;
	if (name(P, nm, sizeof nm)) {
		fail(P, nat, "%s() takes a name", fn);
		return;
	}
	if (!accept(P, ")")) {
		fail(P, P->p, "expected ')'");
		return;
	}
	memset(v, 0, sizeof *v);
	v->t = V_NUM;
	if (!P->values)
		return;
	if (!(j = pb_value_lookup(P->values, nm))) {
		fail(P, nat, "no value named '%s'", nm);
		return;
	}
	if (!cJSON_IsArray(j) && !cJSON_IsObject(j)) {
		fail(P, at, "%s() needs a list or a mapping", fn);
		return;
	}
	if (!strcmp(fn, "len")) {
		v->num = cJSON_GetArraySize(j);
		return;
	}
	v->num = !strcmp(fn, "max") ? -INFINITY : 0;
	cJSON_ArrayForEach(e, j) {
		if (!cJSON_IsNumber(e))
			continue;
		if (!strcmp(fn, "max"))
			v->num = e->valuedouble > v->num ? e->valuedouble : v->num;
		else
			v->num += e->valuedouble;
	}
	if (!strcmp(fn, "max") && isinf(v->num))
		v->num = 0; /* max of nothing: no one counted */
}

static void value(struct P *P, struct val *v)
{
	char nm[NAME_MAX_LEN];
	const char *at;

	memset(v, 0, sizeof *v);
	ws(P);
	at = P->p;
	if (accept(P, "(")) {
		expr_or(P, v);
		if (!P->failed && !accept(P, ")"))
			fail(P, P->p, "expected ')'");
		return;
	}
	if (*P->p == '\'' || *P->p == '"') {
		char q = *P->p++;
		const char *e = strchr(P->p, q);
		if (!e) {
			fail(P, at, "unterminated string");
			return;
		}
		v->t = V_STR;
		v->s = P->p;
		v->slen = (size_t)(e - P->p);
		P->p = e + 1;
		return;
	}
	if (isdigit((unsigned char)*P->p) || (*P->p == '-' && isdigit((unsigned char)P->p[1]))) {
		char *end;
		v->t = V_NUM;
		v->num = strtod(P->p, &end);
		P->p = end;
		return;
	}
	if (accept(P, "true") || accept(P, "yes")) {
		v->t = V_BOOL;
		v->b = 1;
		return;
	}
	if (accept(P, "false") || accept(P, "no")) {
		v->t = V_BOOL;
		return;
	}
	for (const char *const *f = (const char *const[]){"len", "max", "sum", NULL}; *f; f++) {
		size_t n = strlen(*f);
		if (!strncmp(P->p, *f, n) && P->p[n] == '(') {
			P->p += n + 1;
			func(P, *f, at, v);
			return;
		}
	}
	if (name(P, nm, sizeof nm)) {
		if (*P->p)
			fail(P, at, "unexpected '%.1s'", P->p);
		else
			fail(P, at, "expected a value at the end");
		return;
	}
	v->t = V_BOOL;
	if (P->values) {
		const cJSON *j = pb_value_lookup(P->values, nm);
		if (!j)
			fail(P, at, "no value named '%s'", nm);
		else
			from_json(P, at, nm, j, v);
	}
}

static int truthy(struct P *P, const char *at, const struct val *v)
{
	if (v->t == V_BOOL)
		return v->b;
	if (P->values)
		fail(P, at, "a condition must be true or false, not a %s",
		     v->t == V_NUM ? "number" : v->t == V_STR ? "string" : "list");
	return 0;
}

static int str_cmp(const struct val *a, const struct val *b)
{
	const char *x = a->s ? a->s : a->js, *y = b->s ? b->s : b->js;
	size_t xl = a->s ? a->slen : strlen(a->js), yl = b->s ? b->slen : strlen(b->js);
	int c = strncmp(x, y, xl < yl ? xl : yl);

	return c ? c : (xl > yl) - (xl < yl);
}

static void cmp(struct P *P, struct val *v)
{
	static const char *const ops[] = {"==", "!=", "<=", ">=", "<", ">", NULL};
	struct val r;
	const char *at;
	int op = -1, c = 0;

	value(P, v);
	if (P->failed)
		return;
	ws(P);
	at = P->p;
	for (int i = 0; ops[i]; i++)
		if (accept(P, ops[i])) {
			op = i;
			break;
		}
	if (op < 0)
		return;
	value(P, &r);
	if (P->failed || !P->values) {
		v->t = V_BOOL;
		return;
	}
	if (v->t != r.t || v->t == V_JSON) {
		fail(P, at, "cannot compare values of different types");
		return;
	}
	if (v->t == V_NUM)
		c = (v->num > r.num) - (v->num < r.num);
	else if (v->t == V_BOOL)
		c = v->b - r.b;
	else
		c = str_cmp(v, &r);
	if (v->t != V_NUM && op >= 2) {
		fail(P, at, "only numbers are ordered");
		return;
	}
	v->t = V_BOOL;
	switch (op) {
	case 0: v->b = c == 0; break;
	case 1: v->b = c != 0; break;
	case 2: v->b = c <= 0; break;
	case 3: v->b = c >= 0; break;
	case 4: v->b = c < 0; break;
	default: v->b = c > 0; break;
	}
}

static void expr_not(struct P *P, struct val *v)
{
	const char *at;

	if (++P->depth > MAX_DEPTH) {
		fail(P, P->p, "expression nested too deeply");
		return;
	}
	ws(P);
	at = P->p;
	if (accept(P, "not") || (*P->p == '!' && P->p[1] != '=' && accept(P, "!"))) {
		expr_not(P, v);
		if (!P->failed) {
			v->b = !truthy(P, at, v);
			v->t = V_BOOL;
		}
	} else
		cmp(P, v);
	P->depth--;
}

/* A left-associative chain of operands parsed by sub and joined by word
 * or sym ("and"/"&&", "or"/"||"): the result is a boolean. Each operand is
 * checked for a truth value at its own position, so that a type error
 * points at the operand that has the wrong type. */
static void bool_chain(struct P *P, struct val *v, void (*sub)(struct P *, struct val *),
		       const char *word, const char *sym, int is_or)
{
	const char *at = P->p;

	sub(P, v);
	while (!P->failed && (accept(P, word) || accept(P, sym))) {
		struct val r;
		const char *rat = P->p;
		int l = truthy(P, at, v), rt;
		sub(P, &r);
		if (P->failed)
			return;
		rt = truthy(P, rat, &r);
		v->b = is_or ? rt || l : rt && l;
		v->t = V_BOOL;
	}
}

static void expr_and(struct P *P, struct val *v)
{
	bool_chain(P, v, expr_not, "and", "&&", 0);
}

static void expr_or(struct P *P, struct val *v)
{
	if (++P->depth > MAX_DEPTH) {
		fail(P, P->p, "expression nested too deeply");
		return;
	}
	bool_chain(P, v, expr_and, "or", "||", 1);
	P->depth--;
}

static void parse_all(struct P *P, struct val *v)
{
	ws(P);
	if (!*P->p) {
		fail(P, P->p, "empty condition");
		return;
	}
	expr_or(P, v);
	ws(P);
	if (!P->failed && *P->p)
		fail(P, P->p, "unexpected '%.1s'", P->p);
}

int pb_expr_check(const char *expr, size_t *pos, char *err, size_t errlen)
{
	struct P P = {expr, expr, NULL, 0, "", 0, 0};
	struct val v;

	parse_all(&P, &v);
	if (!P.failed)
		return 0;
	*pos = P.errpos;
	snprintf(err, errlen, "%s (at column %zu of the condition)", P.err, P.errpos + 1);
	return -1;
}

int pb_expr_eval(struct cf_ctx *ctx, const char *expr, const cJSON *values,
		 int *result)
{
	static const cJSON empty = {0};
	struct P P = {expr, expr, values ? values : &empty, 0, "", 0, 0};
	struct val v;

	parse_all(&P, &v);
	if (!P.failed)
		*result = truthy(&P, expr, &v);
	if (P.failed)
		return cf_set_error(ctx, 0, "condition '%s': %s", expr, P.err);
	return CF_OK;
}

/* ==== ${NAME} in run arguments ========================================== */

int pb_expand(struct cf_ctx *ctx, const char *s, const cJSON *values,
	      char **out)
{
	struct cf_buf b;
	const char *p = s;

	*out = NULL;
	cf_buf_init(&b);
	while (*p) {
		const char *open = strstr(p, "${"), *close;
		char name[NAME_MAX_LEN], num[64];
		const cJSON *v;
		const char *text;
		size_t n;

		if (!open) {
			cf_buf_puts(&b, p);
			break;
		}
		cf_buf_append(&b, p, (size_t)(open - p));
		if (!(close = strchr(open + 2, '}')) || close == open + 2 ||
		    (n = (size_t)(close - open - 2)) >= sizeof name) {
			cf_buf_release(&b);
			return cf_set_error(ctx, 0, "'%s': '${' without a name and '}'", s);
		}
		memcpy(name, open + 2, n);
		name[n] = '\0';
		p = close + 1;
		if (!values)
			continue;
		if (!(v = pb_value_lookup(values, name))) {
			cf_buf_release(&b);
			return cf_set_error(ctx, 0, "'%s': no value named '%s' (set it with --set %s=VALUE)",
					    s, name, name);
		}
		if (cJSON_IsString(v))
			text = v->valuestring;
		else if (cJSON_IsNumber(v)) {
			snprintf(num, sizeof num, "%.17g", v->valuedouble);
			text = num;
		} else if (cJSON_IsBool(v))
			text = cJSON_IsTrue(v) ? "true" : "false";
		else {
			cf_buf_release(&b);
			return cf_set_error(ctx, 0, "'%s': the value '%s' is not text", s, name);
		}
		cf_buf_puts(&b, text);
	}
	if (cf_buf_error(&b) || !(*out = cf_buf_detach(&b))) {
		cf_buf_release(&b);
		return cf_set_nomem(ctx, "argument");
	}
	return CF_OK;
}
