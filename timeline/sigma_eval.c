/* SPDX-License-Identifier: Apache-2.0
 *
 * Evaluating Sigma rules (compiled by sigma.c) over timeline events as
 * they stream from the store, in time order: each event is tested against
 * every rule whose logsource allows its source; a detection rule's matches
 * become its one finding, and feed the correlations that reference it.
 *
 * Matching is case-insensitive unless `cased` (ASCII folding, as Sigma's
 * backends do); wildcards are '*' and '?'. A field the event lacks is
 * null. Correlations keep per-group state (a hash table of group-by
 * values), bounded by their timespan: groups idle for longer are dropped
 * (or closed) as time moves on.
 *
 * Windows, which man/casefile-detect.5 states for users:
 *  - event_count / value_count with gt or gte: a sliding window; the
 *    correlation fires as soon as the events (distinct values) in the last
 *    timespan satisfy the condition, and the window starts afresh. Only
 *    the last event of each value is kept for value_count.
 *  - with only lt, lte, eq or neq: a window opens at a group's first event
 *    and closes timespan later; the condition is tested at its close.
 *  - temporal: every referenced rule matched within the timespan (the
 *    last match of each is kept); temporal_ordered: in the order listed.
 * An event exactly timespan after the first is inside the window.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "casefile/alloc.h"
#include "casefile/array.h"
#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "sigma_int.h"

enum { CMP_GT, CMP_GTE, CMP_LT, CMP_LTE, CMP_EQ, CMP_NEQ };

/* ---- freeing ---------------------------------------------------------------- */

struct sg_hit {
	int64_t ts_us;
	int ref;                  /* index of the base rule in the correlation */
	char *value;              /* value_count: the value */
	struct sigma_evidence ev;
};

struct sg_group {
	struct sg_group *next;
	uint64_t hash;
	char *key;
	int64_t first_us, last_us; /* first: of the open window */
	uint64_t count;            /* window without lower bound: events */
	struct sg_hit *hits;
	size_t nhits, cap;
};

static void evidence_release(struct sigma_evidence *e)
{
	free(e->archive), free(e->member), free(e->source), free(e->actor);
	free(e->src_ip), free(e->host), free(e->message);
	memset(e, 0, sizeof *e);
}

static void hit_release(struct sg_hit *h)
{
	free(h->value);
	evidence_release(&h->ev);
	memset(h, 0, sizeof *h);
}

static void group_free(struct sg_group *g)
{
	for (size_t i = 0; i < g->nhits; i++)
		hit_release(&g->hits[i]);
	free(g->hits);
	free(g->key);
	free(g);
}

void sg_finding_free(struct sigma_finding *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nev; i++)
		evidence_release(&f->ev[i]);
	free(f->ev);
	free(f->group);
	free(f);
}

void sg_nodes_free(struct sg_node *n)
{
	if (!n)
		return;
	sg_nodes_free(n->a);
	sg_nodes_free(n->b);
	free(n->ids);
	free(n);
}

void sg_rule_free(struct sigma_rule *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nids; i++) {
		for (size_t a = 0; a < r->ids[i].nalt; a++) {
			struct sg_alt *al = &r->ids[i].alt[a];
			for (size_t t = 0; t < al->nt; t++) {
				for (size_t v = 0; v < al->t[t].nv; v++) {
					free(al->t[t].v[v].pat);
					free(al->t[t].v[v].lit);
					pcre2_code_free(al->t[t].v[v].re);
				}
				free(al->t[t].v);
				free(al->t[t].field);
			}
			free(al->t);
		}
		free(r->ids[i].alt);
		free(r->ids[i].name);
	}
	free(r->ids);
	sg_nodes_free(r->cond);
	for (size_t i = 0; r->programs && r->programs[i]; i++)
		free(r->programs[i]);
	free(r->programs);
	cf_strv_free(r->refs, r->nrefs);
	free(r->ref);
	cf_strv_free(r->group_by, r->ngroup);
	free(r->group_map);
	free(r->value_field);
	for (size_t i = 0; i < r->groups_cap; i++)
		for (struct sg_group *g = r->groups ? r->groups[i] : NULL, *n; g; g = n) {
			n = g->next;
			group_free(g);
		}
	free(r->groups);
	free(r->users);
	free(r->memo);
	free(r->id), free(r->name), free(r->title), free(r->file);
	free(r);
}

/* ---- one event ------------------------------------------------------------- */

struct sg_ev {
	const struct cf_event *e;
	cJSON *attrs;
	int parsed;
	char num[2][48];
	int which;
};

/* Two buffers for numbers: a fieldref test holds two texts at once. */
static char *scratch(struct sg_ev *x)
{
	x->which ^= 1;
	return x->num[x->which];
}

/* The event's local time: ts shifted by its "tz" attribute ("+HH:MM",
 * as parsers record the zone a line was written in), else UTC. Returns
 * the hour (0..23) and the weekday (0 Monday .. 6 Sunday). */
static void local_time(const struct cf_event *e, const cJSON *attrs, int *hour,
		       int *wday)
{
	const cJSON *tz = attrs ? cJSON_GetObjectItemCaseSensitive(attrs, "tz")
				: NULL;
	int64_t s = e->ts_us / 1000000 - (e->ts_us % 1000000 < 0), day;
	int hh, mm;

	if (cJSON_IsString(tz) && strlen(tz->valuestring) == 6 &&
	    (tz->valuestring[0] == '+' || tz->valuestring[0] == '-') &&
	    sscanf(tz->valuestring + 1, "%2d:%2d", &hh, &mm) == 2)
		s += (tz->valuestring[0] == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
	day = s / 86400 - (s % 86400 < 0);
	*hour = (int)((s - day * 86400) / 3600);
	*wday = (int)(((day + 3) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
}

static const char *field_text(struct sg_ev *x, const struct sigma_fieldmap *m)
{
	char *b;

	const struct cf_event *e = x->e;
	const cJSON *v;

	switch (m->col) {
	case SG_TS:
		b = scratch(x);
		snprintf(b, sizeof x->num[0], "%lld", (long long)e->ts_us);
		return b;
	case SG_TS_DESC: return e->ts_desc;
	case SG_SOURCE: return e->source;
	case SG_HOST: return e->host;
	case SG_ACTOR: return e->actor;
	case SG_ACTOR_ROLE: return e->actor_role;
	case SG_ACTION: return e->action;
	case SG_OUTCOME: return e->outcome;
	case SG_PATIENT: return e->patient;
	case SG_RESOURCE: return e->resource;
	case SG_SRC_IP: return e->src_ip;
	case SG_MODEL: return e->model;
	case SG_MODEL_VERSION: return e->model_version;
	case SG_DECISION: return e->decision;
	case SG_SCORE:
		if (!e->has_score)
			return NULL;
		b = scratch(x);
		snprintf(b, sizeof x->num[0], "%.17g", e->score);
		return b;
	case SG_MESSAGE: return e->message;
	case SG_ARCHIVE: return e->archive;
	case SG_MEMBER: return e->member;
	case SG_ATTR: case SG_HOUR: case SG_WEEKDAY: break;
	}
	if (!x->parsed) {
		x->parsed = 1;
		x->attrs = e->attrs ? cJSON_Parse(e->attrs) : NULL;
	}
	if (m->col == SG_HOUR || m->col == SG_WEEKDAY) {
		static const char *const days[] = {"mon", "tue", "wed", "thu",
						   "fri", "sat", "sun"};
		int hour, wday;
		local_time(e, x->attrs, &hour, &wday);
		if (m->col == SG_WEEKDAY)
			return days[wday];
		b = scratch(x);
		snprintf(b, sizeof x->num[0], "%d", hour);
		return b;
	}
	v = x->attrs && m->attr ? cJSON_GetObjectItemCaseSensitive(x->attrs, m->attr)
				: NULL;
	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v) ? "true" : "false";
	if (cJSON_IsNumber(v)) {
		b = scratch(x);
		snprintf(b, sizeof x->num[0], "%.17g", v->valuedouble);
		return b;
	}
	return NULL;
}

static int fold(int c, int cased)
{
	return cased ? c : tolower(c);
}

/* Wildcard match ('*' any run, '?' one byte) with the classic single
 * backtrack point: linear for one '*', O(n*m) at worst. */
int sg_wild_match(const struct sg_value *v, const char *s, size_t n, int cased)
{
	size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;
	const char *p = v->pat;

	while (si < n) {
		if (pi < v->len && !v->lit[pi] && p[pi] == '*') {
			star_p = pi++;
			star_s = si;
		} else if (pi < v->len &&
			   ((!v->lit[pi] && p[pi] == '?') ||
			    fold((unsigned char)p[pi], cased) ==
				    fold((unsigned char)s[si], cased))) {
			pi++, si++;
		} else if (star_p != (size_t)-1) {
			pi = star_p + 1;
			si = ++star_s;
		} else {
			return 0;
		}
	}
	while (pi < v->len && !v->lit[pi] && p[pi] == '*')
		pi++;
	return pi == v->len;
}

static int cidr_match(const struct sg_value *v, const char *s)
{
	unsigned char a[16];
	int bits = v->prefix;

	if (inet_pton(v->family == 4 ? AF_INET : AF_INET6, s, a) != 1)
		return 0;
	for (int i = 0; bits > 0; i++, bits -= 8) {
		unsigned mask = bits >= 8 ? 0xffu : (0xffu << (8 - bits)) & 0xffu;
		if ((a[i] & mask) != (v->net[i] & mask))
			return 0;
	}
	return 1;
}

static int value_match(struct sigma_set *set, struct sg_ev *x,
		       const struct sg_test *t, const struct sg_value *v,
		       const char *s, size_t n)
{
	int cased = (t->mods & SG_M_CASED) != 0;

	if (v->is_null)
		return n == 0;
	if (t->mods & SG_M_RE)
		return pcre2_match(v->re, (PCRE2_SPTR)s, n, 0, 0, set->md, NULL) >= 0;
	if (t->mods & SG_M_CIDR)
		return cidr_match(v, s);
	if (t->mods & SG_M_FIELDREF) {
		const char *o = field_text(x, &v->ref);
		return o && strlen(o) == n &&
		       (cased ? !memcmp(o, s, n) : !strncasecmp(o, s, n));
	}
	if (t->mods & (SG_M_LT | SG_M_LTE | SG_M_GT | SG_M_GTE)) {
		char *end;
		double d = strtod(s, &end);
		if (end == s || *end)
			return 0;
		return (t->mods & SG_M_LT) ? d < v->num : (t->mods & SG_M_LTE) ?
		       d <= v->num : (t->mods & SG_M_GT) ? d > v->num : d >= v->num;
	}
	return sg_wild_match(v, s, n, cased);
}

/* The values of one element (a list field is split at its separator). */
static int element_match(struct sigma_set *set, struct sg_ev *x,
			 const struct sg_test *t, const char *s, size_t n)
{
	int all = (t->mods & SG_M_ALL) != 0;

	for (size_t i = 0; i < t->nv; i++) {
		int m = value_match(set, x, t, &t->v[i], s, n);
		if (all && !m)
			return 0;
		if (!all && m)
			return 1;
	}
	return all;
}

static int test_match(struct sigma_set *set, struct sg_ev *x,
		      const struct sg_test *t)
{
	const char *s = field_text(x, &t->map);

	if (t->mods & SG_M_EXISTS)
		return (s != NULL) == t->v[0].exists;
	if (!s) {
		for (size_t i = 0; i < t->nv; i++)
			if (t->v[i].is_null)
				return 1;
		return 0;
	}
	if (t->map.list_sep) {
		/* any element of the list */
		for (const char *p = s;;) {
			size_t n = strcspn(p, (char[]){t->map.list_sep, 0});
			if (element_match(set, x, t, p, n))
				return 1;
			if (!p[n])
				return 0;
			p += n + 1;
		}
	}
	return element_match(set, x, t, s, strlen(s));
}

static int ident_match(struct sigma_set *set, struct sg_ev *x,
		       struct sigma_rule *r, int id)
{
	const struct sg_ident *d = &r->ids[id];

	if (r->memo[id] >= 0)
		return r->memo[id];
	r->memo[id] = 0;
	for (size_t a = 0; a < d->nalt && !r->memo[id]; a++) {
		int all = 1;
		for (size_t t = 0; t < d->alt[a].nt && all; t++)
			all = test_match(set, x, &d->alt[a].t[t]);
		r->memo[id] = (char)all;
	}
	return r->memo[id];
}

static int eval(struct sigma_set *set, struct sg_ev *x, struct sigma_rule *r,
		const struct sg_node *n)
{
	switch (n->kind) {
	case SG_N_ID: return ident_match(set, x, r, n->id);
	case SG_N_AND: return eval(set, x, r, n->a) && eval(set, x, r, n->b);
	case SG_N_OR: return eval(set, x, r, n->a) || eval(set, x, r, n->b);
	case SG_N_NOT: return !eval(set, x, r, n->a);
	case SG_N_ONE_OF:
		for (size_t i = 0; i < n->nids; i++)
			if (ident_match(set, x, r, n->ids[i]))
				return 1;
		return 0;
	case SG_N_ALL_OF:
		for (size_t i = 0; i < n->nids; i++)
			if (!ident_match(set, x, r, n->ids[i]))
				return 0;
		return 1;
	}
	return 0;
}

static int applies(struct sg_ev *x, const struct sigma_rule *r)
{
	static const struct sigma_fieldmap prog = {SG_ATTR, "program", 0};
	const char *p;
	int ok = !r->sources || !r->sources[0];

	for (size_t i = 0; !ok && r->sources[i]; i++)
		ok = x->e->source && !strcmp(r->sources[i], x->e->source);
	if (!ok || !r->programs)
		return ok;
	if (!(p = field_text(x, &prog)))
		return 0;
	for (size_t i = 0; r->programs[i]; i++)
		if (!strcasecmp(r->programs[i], p))
			return 1;
	return 0;
}

/* ---- findings ------------------------------------------------------------ */

static char *dup0(const char *s)
{
	return s ? cf_strdup(s) : NULL;
}

static int evidence_of(struct sigma_evidence *d, const struct cf_event *e)
{
	memset(d, 0, sizeof *d);
	d->id = e->id;
	d->ts_us = e->ts_us;
	d->line = e->line;
	if ((e->archive && !(d->archive = dup0(e->archive))) ||
	    (e->member && !(d->member = dup0(e->member))) ||
	    (e->source && !(d->source = dup0(e->source))) ||
	    (e->actor && !(d->actor = dup0(e->actor))) ||
	    (e->src_ip && !(d->src_ip = dup0(e->src_ip))) ||
	    (e->host && !(d->host = dup0(e->host))) ||
	    (e->message && !(d->message = dup0(e->message)))) {
		evidence_release(d);
		return -1;
	}
	return 0;
}

static int add_found(struct sigma_set *s, struct sigma_finding *f)
{
	struct sigma_finding **v = cf_array_grow(s->found, &s->foundcap,
						 s->nfound + 1, sizeof *v, 16);

	if (!v)
		return -1;
	s->found = v;
	s->found[s->nfound++] = f;
	s->sorted = 0;
	return 0;
}

static int detection_hit(struct sigma_set *s, struct sigma_rule *r,
			 const struct cf_event *e)
{
	struct sigma_finding *f = r->finding;

	if (!f) {
		if (!(f = cf_calloc(1, sizeof *f)) ||
		    !(f->ev = cf_calloc(16, sizeof *f->ev)) || add_found(s, f)) {
			if (f)
				free(f->ev);
			free(f);
			return -1;
		}
		f->rule = r;
		f->first_us = e->ts_us;
		r->finding = f;
	}
	f->count++;
	f->last_us = e->ts_us;
	if (f->nev == SIGMA_MAX_EVIDENCE) {
		f->truncated = 1;
		return 0;
	}
	if (f->nev >= 16 && !(f->nev & (f->nev - 1))) {
		struct sigma_evidence *v = cf_realloc(f->ev, 2 * f->nev * sizeof *v);
		if (!v)
			return -1;
		f->ev = v;
	}
	if (evidence_of(&f->ev[f->nev], e))
		return -1;
	f->nev++;
	return 0;
}

/* ---- correlations -------------------------------------------------------------- */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The group key (values joined by 0x1f) and its display form. */
static int group_key(struct sg_ev *x, const struct sigma_rule *c,
		     struct cf_buf *key)
{
	cf_buf_reset(key);
	for (size_t i = 0; i < c->ngroup; i++) {
		const char *v = field_text(x, &c->group_map[i]);
		if (i)
			cf_buf_putc(key, '\x1f');
		cf_buf_puts(key, v ? v : "");
	}
	return cf_buf_putc(key, '\0') ? -1 : 0;
}

static int group_display(const struct sigma_rule *c, const char *key, char **out)
{
	struct cf_buf b;
	const char *p = key;

	*out = NULL;
	if (!c->ngroup)
		return 0;
	cf_buf_init(&b);
	for (size_t i = 0; i < c->ngroup; i++) {
		size_t n = strcspn(p, "\x1f");
		cf_buf_printf(&b, "%s%s=%.*s", i ? ", " : "", c->group_by[i], (int)n, p);
		p += n + (p[n] != '\0');
	}
	if (cf_buf_putc(&b, '\0')) {
		cf_buf_release(&b);
		return -1;
	}
	*out = cf_buf_detach(&b);
	return *out ? 0 : -1;
}

static int holds(const struct sigma_rule *c, int64_t n)
{
	static const int bits[] = {CMP_GT, CMP_GTE, CMP_LT, CMP_LTE, CMP_EQ, CMP_NEQ};
	for (size_t i = 0; i < 6; i++) {
		int64_t v = c->cmp[bits[i]];
		if (!(c->has_cmp & (1u << bits[i])))
			continue;
		if ((bits[i] == CMP_GT && !(n > v)) || (bits[i] == CMP_GTE && !(n >= v)) ||
		    (bits[i] == CMP_LT && !(n < v)) || (bits[i] == CMP_LTE && !(n <= v)) ||
		    (bits[i] == CMP_EQ && n != v) || (bits[i] == CMP_NEQ && n == v))
			return 0;
	}
	return 1;
}

static int sliding(const struct sigma_rule *c)
{
	return c->corr == SG_C_TEMPORAL || c->corr == SG_C_TEMPORAL_ORDERED ||
	       (c->has_cmp & ((1u << CMP_GT) | (1u << CMP_GTE)));
}

/* Fires: the group's hits (moved) become a finding; the window empties. */
static int fire(struct sigma_set *s, struct sigma_rule *c, struct sg_group *g,
		uint64_t count)
{
	struct sigma_finding *f = cf_calloc(1, sizeof *f);
	size_t n = g->nhits < SIGMA_MAX_EVIDENCE ? g->nhits : SIGMA_MAX_EVIDENCE;

	if (!f || (n && !(f->ev = cf_calloc(n, sizeof *f->ev))) ||
	    group_display(c, g->key, &f->group) || add_found(s, f)) {
		if (f)
			free(f->ev), free(f->group);
		free(f);
		return -1;
	}
	f->rule = c;
	f->count = count;
	f->first_us = g->nhits ? g->hits[0].ts_us : g->first_us;
	f->last_us = g->nhits ? g->hits[g->nhits - 1].ts_us : g->last_us;
	for (size_t i = 0; i < g->nhits; i++) {
		if (g->hits[i].ts_us < f->first_us)
			f->first_us = g->hits[i].ts_us;
		if (g->hits[i].ts_us > f->last_us)
			f->last_us = g->hits[i].ts_us;
		if (i < n) {
			f->ev[i] = g->hits[i].ev;
			memset(&g->hits[i].ev, 0, sizeof g->hits[i].ev);
		}
		hit_release(&g->hits[i]);
	}
	f->nev = n;
	f->truncated = count > n && c->corr == SG_C_EVENT_COUNT;
	g->nhits = 0;
	g->count = 0;
	return 0;
}

static void drop_hit(struct sg_group *g, size_t i)
{
	hit_release(&g->hits[i]);
	memmove(&g->hits[i], &g->hits[i + 1], (g->nhits - i - 1) * sizeof *g->hits);
	g->nhits--;
}

static int add_hit(struct sg_group *g, const struct cf_event *e, int ref,
		   const char *value)
{
	struct sg_hit *h;

	if (!(h = cf_array_add(g->hits, &g->cap, g->nhits, sizeof *h, 8)))
		return -1;
	g->hits = h;
	h += g->nhits;
	h->ts_us = e->ts_us;
	h->ref = ref;
	if ((value && !(h->value = cf_strdup(value))) || evidence_of(&h->ev, e)) {
		free(h->value);
		return -1;
	}
	g->nhits++;
	return 0;
}

/* Closes a tumbling window (no lower bound): test, fire or forget. */
static int close_window(struct sigma_set *s, struct sigma_rule *c,
			struct sg_group *g)
{
	uint64_t n = c->corr == SG_C_VALUE_COUNT ? g->nhits : g->count;

	if (!g->count)
		return 0;
	if (holds(c, (int64_t)n))
		return fire(s, c, g, n);
	for (size_t i = 0; i < g->nhits; i++)
		hit_release(&g->hits[i]);
	g->nhits = 0;
	g->count = 0;
	return 0;
}

static struct sg_group *group_get(struct sigma_rule *c, const char *key)
{
	uint64_t h = hash_str(key);
	struct sg_group *g;

	if (c->ngroups >= c->groups_cap * 2) {
		size_t cap = c->groups_cap ? c->groups_cap * 4 : 64;
		struct sg_group **t = cf_calloc(cap, sizeof *t);
		if (!t)
			return NULL;
		for (size_t i = 0; i < c->groups_cap; i++)
			for (struct sg_group *x = c->groups[i], *n; x; x = n) {
				n = x->next;
				x->next = t[x->hash % cap];
				t[x->hash % cap] = x;
			}
		free(c->groups);
		c->groups = t;
		c->groups_cap = cap;
	}
	for (g = c->groups[h % c->groups_cap]; g; g = g->next)
		if (g->hash == h && !strcmp(g->key, key))
			return g;
	if (!(g = cf_calloc(1, sizeof *g)) || !(g->key = cf_strdup(key))) {
		free(g);
		return NULL;
	}
	g->hash = h;
	g->next = c->groups[h % c->groups_cap];
	c->groups[h % c->groups_cap] = g;
	c->ngroups++;
	return g;
}

/* Drops the groups idle for longer than the timespan (closing tumbling
 * windows first); all of them when now is INT64_MAX. */
static int sweep(struct sigma_set *s, struct sigma_rule *c, int64_t now)
{
	for (size_t i = 0; i < c->groups_cap; i++) {
		struct sg_group **pp = &c->groups[i];
		while (*pp) {
			struct sg_group *g = *pp;
			int old = now == INT64_MAX || g->last_us < now - c->span_us;
			if (old && !sliding(c) && close_window(s, c, g))
				return -1;
			if (!old) {
				pp = &g->next;
				continue;
			}
			*pp = g->next;
			group_free(g);
			c->ngroups--;
		}
	}
	c->last_sweep_us = now;
	return 0;
}

static int corr_hit(struct sigma_set *s, struct sigma_rule *c, struct sg_ev *x,
		    int ref, struct cf_buf *key)
{
	const struct cf_event *e = x->e;
	const char *value = NULL;
	struct sg_group *g;

	if (c->corr == SG_C_VALUE_COUNT && !(value = field_text(x, &c->value_map)))
		return 0; /* no value to count */
	if (group_key(x, c, key) || !(g = group_get(c, key->data)))
		return -1;
	g->last_us = e->ts_us;
	if (!sliding(c)) {
		/* tumbling: a window from the group's first event */
		if (g->count && e->ts_us > g->first_us + c->span_us &&
		    close_window(s, c, g))
			return -1;
		if (!g->count)
			g->first_us = e->ts_us;
		g->count++;
		if (c->corr == SG_C_VALUE_COUNT) {
			for (size_t i = 0; i < g->nhits; i++)
				if (!strcmp(g->hits[i].value, value)) {
					drop_hit(g, i);
					break;
				}
		} else if (g->nhits >= SIGMA_MAX_EVIDENCE) {
			return 0;
		}
		return add_hit(g, e, ref, value);
	}
	/* sliding: forget what fell out of the window */
	while (g->nhits && g->hits[0].ts_us < e->ts_us - c->span_us)
		drop_hit(g, 0);
	if (c->corr == SG_C_TEMPORAL_ORDERED && g->nhits && g->hits[0].ref != 0)
		while (g->nhits)   /* the first step fell out: no chain */
			drop_hit(g, g->nhits - 1);
	switch (c->corr) {
	case SG_C_EVENT_COUNT:
		if (add_hit(g, e, ref, NULL))
			return -1;
		return holds(c, (int64_t)g->nhits) ? fire(s, c, g, g->nhits) : 0;
	case SG_C_VALUE_COUNT:
		for (size_t i = 0; i < g->nhits; i++)
			if (!strcmp(g->hits[i].value, value)) {
				drop_hit(g, i);
				break;
			}
		if (add_hit(g, e, ref, value))
			return -1;
		return holds(c, (int64_t)g->nhits) ? fire(s, c, g, g->nhits) : 0;
	case SG_C_TEMPORAL: {
		size_t distinct = 0;
		for (size_t i = 0; i < g->nhits; i++)
			if (g->hits[i].ref == ref) {
				drop_hit(g, i);
				break;
			}
		if (add_hit(g, e, ref, NULL))
			return -1;
		distinct = g->nhits;
		if (c->has_cmp ? holds(c, (int64_t)distinct) : distinct == c->nrefs)
			return fire(s, c, g, distinct);
		return 0;
	}
	case SG_C_TEMPORAL_ORDERED: {
		/* keep the chain: hit i joins when i-1 is there, in time */
		size_t have = 0;
		for (size_t i = 0; i < g->nhits; i++)
			have = (size_t)g->hits[i].ref + 1 > have ?
				       (size_t)g->hits[i].ref + 1 : have;
		if ((size_t)ref > have)
			return 0;          /* out of order: ignored */
		if ((size_t)ref < have) {
			if (ref != 0)
				return 0;  /* a step repeated: keep the chain */
			while (g->nhits)   /* a new first step: start again */
				drop_hit(g, g->nhits - 1);
		}
		if (add_hit(g, e, ref, NULL))
			return -1;
		if (g->nhits == c->nrefs)
			return fire(s, c, g, g->nhits);
		return 0;
	}
	case SG_C_NONE:
		break;
	}
	return 0;
}

/* ---- the stream ------------------------------------------------------------ */

int sigma_feed(struct sigma_set *s, struct cf_ctx *ctx, const struct cf_event *e)
{
	struct sg_ev x = {.e = e};
	struct cf_buf key;
	int rc = CF_OK;

	cf_buf_init(&key);
	for (size_t i = 0; i < s->nrules && rc == CF_OK; i++) {
		struct sigma_rule *r = s->rules[i];
		if (r->corr != SG_C_NONE) {
			if (r->groups_cap && e->ts_us - r->last_sweep_us > r->span_us &&
			    sweep(s, r, e->ts_us))
				rc = cf_set_nomem(ctx, "correlation");
			continue;
		}
		if (!applies(&x, r))
			continue;
		memset(r->memo, -1, r->nids ? r->nids : 1);
		if (!eval(s, &x, r, r->cond))
			continue;
		if (r->reports && detection_hit(s, r, e))
			rc = cf_set_nomem(ctx, "finding");
		for (size_t u = 0; rc == CF_OK && u < r->nusers; u++) {
			struct sigma_rule *c = r->users[u];
			for (size_t k = 0; k < c->nrefs && rc == CF_OK; k++)
				if (c->ref[k] == r && corr_hit(s, c, &x, (int)k, &key))
					rc = cf_set_nomem(ctx, "correlation");
		}
	}
	cJSON_Delete(x.attrs);
	cf_buf_release(&key);
	return rc;
}

int sigma_finish(struct sigma_set *s, struct cf_ctx *ctx)
{
	for (size_t i = 0; i < s->nrules; i++)
		if (s->rules[i]->corr != SG_C_NONE && s->rules[i]->groups_cap &&
		    sweep(s, s->rules[i], INT64_MAX))
			return cf_set_nomem(ctx, "correlation");
	return CF_OK;
}

static int by_level_time(const void *a, const void *b)
{
	const struct sigma_finding *x = *(struct sigma_finding *const *)a;
	const struct sigma_finding *y = *(struct sigma_finding *const *)b;

	if (x->rule->level != y->rule->level)
		return x->rule->level < y->rule->level ? -1 : 1;
	if (x->first_us != y->first_us)
		return x->first_us < y->first_us ? -1 : 1;
	return strcmp(sigma_rule_id(x->rule), sigma_rule_id(y->rule));
}

const struct sigma_finding *const *sigma_findings(struct sigma_set *s, size_t *n)
{
	if (!s->sorted && s->nfound)
		qsort(s->found, s->nfound, sizeof *s->found, by_level_time);
	s->sorted = 1;
	*n = s->nfound;
	return (const struct sigma_finding *const *)s->found;
}

void sigma_filter(const struct sigma_set *s, struct cf_db_filter *f)
{
	const char *one = NULL;

	for (size_t i = 0; i < s->nrules; i++) {
		const struct sigma_rule *r = s->rules[i];
		if (r->corr != SG_C_NONE)
			continue;
		if (!r->sources || !r->sources[0] || r->sources[1] ||
		    (one && strcmp(one, r->sources[0])))
			return;
		one = r->sources[0];
	}
	f->source = one;
}
