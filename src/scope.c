/* SPDX-License-Identifier: Apache-2.0
 *
 * The breach scope behind include/casefile/scope.h (incident files are
 * read by src/incident.c).
 *
 * The rule is the one a privacy officer must be able to defend: an access
 * counts when it falls inside the window, is attributed to a suspect (its
 * actor, its source address or a credential it used), succeeded, and names
 * a patient. An access of unknown outcome (none recorded, or "unknown") is
 * presumed a breach (164.402(2)): it counts, and its row says
 * "outcome": "unknown" so that scope_count.c lists it "to confirm". A
 * failure is not counted; failures by suspects are listed apart, one row
 * per failed login
 * attempt however many lines the attempt logged (the parsers' "attempt"
 * attribute groups them). Every counted access keeps
 * its evidence (archive digest, member, line, offset), so that each patient
 * in a notification can be traced to signed bytes. Accesses are gathered in
 * an array and sorted by patient, which keeps memory linear and the work
 * O(n log n) for bulk exports of many thousand records. Evidence that was
 * not verified (archives the store's archives table does not record as
 * verified) never counts unless the caller asks for it, and is then
 * marked and listed apart.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/array.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/patient.h"
#include "casefile/scope.h"
#include "casefile/strset.h"
#include "casefile/time.h"
#include "casefile/yaml.h"
#include "scope_count.h"

/* ---- scope --------------------------------------------------------------- */

struct access {
	char *patient, *archive, *member, *actor, *action;
	char *src_ip, *resource; /* NULL when the event names none */
	uint64_t line, offset;
	int64_t ts;
	int unverified;    /* from an archive not recorded as verified */
	int unknown_outcome; /* outcome NULL or "unknown": presumed (164.402(2)) */
	int treatment;     /* purpose of use TREAT (scope_count.c) */
};

/* The store's archives by digest: those recorded as verified, and those
 * added with --allow-unverified (with their paths, for the JSON). */
struct bad_archive {
	char *digest, *path;
};

struct archives {
	char **ok;
	struct bad_archive *bad;
	size_t nok, capok, nbad, capbad;
	int nomem;
};

struct scope {
	const struct cf_incident *inc;
	const struct archives *arch;
	int include_unverified;
	struct access *v;
	size_t n, cap;
	cJSON *failed, *decisions, *cats;
	int nomem;
	uint64_t failed_count;
	uint64_t excluded;   /* unverified accesses left out */
	/* login attempts already counted, "archive\nmember\nattempt" keys */
	struct cf_strset attempts;
};

/* ---- verified and unverified archives ----------------------------------- */

static int on_archive(void *arg, const struct cf_db_archive *a)
{
	struct archives *ar = arg;
	void *v;

	if (a->verified) {
		if (!(v = cf_array_grow(ar->ok, &ar->capok, ar->nok + 1,
					sizeof *ar->ok, 16)))
			return ar->nomem = 1;
		ar->ok = v;
		if (!(ar->ok[ar->nok] = cf_strdup(a->sha256sums)))
			return ar->nomem = 1;
		ar->nok++;
		return 0;
	}
	if (!(v = cf_array_grow(ar->bad, &ar->capbad, ar->nbad + 1,
				sizeof *ar->bad, 4)))
		return ar->nomem = 1;
	ar->bad = v;
	ar->bad[ar->nbad].digest = cf_strdup(a->sha256sums);
	ar->bad[ar->nbad].path = a->path ? cf_strdup(a->path) : NULL;
	ar->nbad++;
	if (!ar->bad[ar->nbad - 1].digest || (a->path && !ar->bad[ar->nbad - 1].path))
		return ar->nomem = 1;
	return 0;
}

static void archives_release(struct archives *ar)
{
	cf_strv_free(ar->ok, ar->nok);
	for (size_t i = 0; i < ar->nbad; i++) {
		free(ar->bad[i].digest);
		free(ar->bad[i].path);
	}
	free(ar->bad);
}

static int cmp_pstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_bad(const void *a, const void *b)
{
	return strcmp(((const struct bad_archive *)a)->digest,
		      ((const struct bad_archive *)b)->digest);
}

/* The status of a read of the store (cf_db_query_*) that returned rc, and
 * whose callback noted a lack of memory in nomem, having no ctx to say it
 * on: CF_OK, CF_FATAL said here, or CF_FAILED with the store's error. */
static int read_end(struct cf_ctx *ctx, int rc, int nomem)
{
	if (nomem)
		return cf_set_nomem(ctx, "computing the scope");
	return rc == CF_OK ? CF_OK : CF_FAILED;
}

/* The store's archives into ar, each list sorted for event_unverified(). */
static int archives_read(struct cf_ctx *ctx, cf_db *db, struct archives *ar)
{
	int rc = cf_db_query_archives(db, ctx, on_archive, ar);

	if ((rc = read_end(ctx, rc, ar->nomem)) != CF_OK)
		return rc;
	if (ar->nok)
		qsort(ar->ok, ar->nok, sizeof *ar->ok, cmp_pstr);
	if (ar->nbad)
		qsort(ar->bad, ar->nbad, sizeof *ar->bad, cmp_bad);
	return CF_OK;
}

/* 1 when s is in v (sorted with strcmp); a NULL s is in no list. */
static int sorted_has(char *const *v, size_t n, const char *s)
{
	size_t lo = 0, hi = n;

	while (s && lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(v[mid], s);
		if (!c)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* An event counts as verified only when its archive is recorded as
 * verified in the store's archives table and nowhere as unverified: an
 * event of an archive the store does not know is not taken on trust. The
 * "unverified" attribute the builder adds is not what decides: attributes
 * may carry fields copied from the evidence. */
static int event_unverified(const struct archives *ar, const struct cf_event *e)
{
	if (!sorted_has(ar->ok, ar->nok, e->archive))
		return 1;
	/* bsearch on a NULL array is undefined even for no element */
	return ar->nbad &&
	       bsearch(&(struct bad_archive){.digest = (char *)e->archive},
		       ar->bad, ar->nbad, sizeof *ar->bad, cmp_bad) != NULL;
}

static int in_list(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

/* A credential is used when it is the actor or a quoted attribute value. */
static int uses_credential(const struct cf_incident *inc, const struct cf_event *e)
{
	for (size_t i = 0; i < inc->ncredentials; i++) {
		const char *c = inc->credentials[i], *p;
		size_t n = strlen(c);
		if (e->actor && !strcmp(e->actor, c))
			return 1;
		for (p = e->attrs; p && (p = strstr(p, c)); p += n)
			if (p > e->attrs && p[-1] == '"' && p[n] == '"')
				return 1;
	}
	return 0;
}

/* How many occurrences one event stands for: its "repeat" attribute (a
 * syslog "message repeated N times" line), else 1. A failure repeated N
 * times counts N times. -1 when the attributes cannot be read (they are
 * always JSON written by the parsers: only memory can be lacking). */
static int64_t repeat_of(const struct cf_event *e)
{
	cJSON *a;
	int64_t n;

	if (!e->attrs || !strstr(e->attrs, "\"repeat\":"))
		return 1;
	if (!(a = cJSON_Parse(e->attrs)))
		return -1;
	n = cf_json_int(a, "repeat", 1);
	cJSON_Delete(a);
	return n >= 1 && n <= 1000000000 ? n : 1;
}

/* ---- one failed attempt, one count ---------------------------------------- */

/* 1 when the event belongs to a login attempt already counted: the
 * parsers give the lines of one attempt (sshd's "Invalid user", pam_unix's
 * "authentication failure", sshd's "Failed password", the disconnect) one
 * "attempt" attribute, unique within a member. 0 when not (and the
 * attempt, if any, is now counted), -1 out of memory. */
static int attempt_counted(struct scope *s, const struct cf_event *e)
{
	static const char k[] = "\"attempt\":\"";
	const char *p = e->attrs, *v = NULL;
	char *key;
	int rc;

	for (; p && (p = strstr(p, k)); p += sizeof k - 1)
		if (p > e->attrs && (p[-1] == ',' || p[-1] == '{')) {
			v = p + sizeof k - 1;
			break;
		}
	if (!v || !strchr(v, '"'))
		return 0;
	if (!(key = cf_malloc(strlen(e->archive ? e->archive : "") +
			      strlen(e->member ? e->member : "") +
			      (size_t)(strchr(v, '"') - v) + 3)))
		return -1;
	sprintf(key, "%s\n%s\n%.*s", e->archive ? e->archive : "",
		e->member ? e->member : "", (int)(strchr(v, '"') - v), v);
	rc = cf_strset_add(&s->attempts, key);
	free(key);
	return rc;
}

static int attributed(const struct cf_incident *inc, const struct cf_event *e)
{
	if (in_list(inc->actors, inc->nactors, e->actor) ||
	    in_list(inc->ips, inc->nips, e->src_ip))
		return 1;
	/* an actor recorded as a reference ("Practitioner/pract-0666") */
	if (e->actor && strchr(e->actor, '/')) {
		const char *id = strrchr(e->actor, '/') + 1;
		if (in_list(inc->actors, inc->nactors, id))
			return 1;
	}
	return uses_credential(inc, e);
}

static int suspect_model(const struct cf_incident *inc, const struct cf_event *e)
{
	for (size_t i = 0; e->model && i < inc->nmodels; i++)
		if (!strcmp(inc->models[i].name, e->model) &&
		    (!inc->models[i].version ||
		     (e->model_version && !strcmp(inc->models[i].version, e->model_version))))
			return 1;
	return 0;
}

static void add_category(struct scope *s, const char *type, size_t n)
{
	char t[64];
	const char *cat;
	const cJSON *c;

	if (!n || n >= sizeof t)
		return;
	memcpy(t, type, n);
	t[n] = '\0';
	if (!(cat = cf_phi_category(t)))
		return;
	cJSON_ArrayForEach(c, s->cats) if (!strcmp(c->valuestring, cat)) return;
	if (!cJSON_AddItemToArray(s->cats, cJSON_CreateString(cat)))
		s->nomem = 1;
}

/* An Observation or DiagnosticReport searched by category
 * ("Observation?patient=1&category=vital-signs"): the table's row for
 * "Observation.vital-signs" when it has one. 1 when added. */
static int typed_category(struct scope *s, const char *type, size_t n,
			  const char *resource)
{
	const char *q = strchr(resource, '?'), *c;
	char t[96];
	size_t cn;

	if (!q || !((n == 11 && !memcmp(type, "Observation", 11)) ||
		    (n == 16 && !memcmp(type, "DiagnosticReport", 16))))
		return 0;
	for (c = q; (c = strstr(c, "category=")); c++)
		if (c[-1] == '?' || c[-1] == '&')
			break;
	if (!c)
		return 0;
	c += 9;
	/* a token search may name the system: "category=SYSTEM|code" */
	cn = strcspn(c, "&#");
	if (memchr(c, '|', cn)) {
		const char *bar = memchr(c, '|', cn);
		cn -= (size_t)(bar + 1 - c);
		c = bar + 1;
	}
	if (!cn || n + 1 + cn >= sizeof t)
		return 0;
	memcpy(t, type, n);
	t[n] = '.';
	memcpy(t + n + 1, c, cn);
	t[n + 1 + cn] = '\0';
	if (!cf_phi_category(t))
		return 0;
	add_category(s, t, n + 1 + cn);
	return 1;
}

/* Resource types from the FHIR attribute or the resource path. */
static void categories(struct scope *s, const struct cf_event *e)
{
	const char *p;

	if (e->attrs && (p = strstr(e->attrs, "\"resource_types\":\""))) {
		p += 18;
		while (*p && *p != '"') {
			size_t n = strcspn(p, ",\"");
			add_category(s, p, n);
			p += n + (p[n] == ',');
		}
	}
	if ((p = e->resource)) {
		/* "Patient/1", "Patient/1/Observation", "/fhir/Observation?x" */
		while (*p) {
			size_t n;
			while (*p == '/')
				p++;
			n = strcspn(p, "/?");
			if (n && *p >= 'A' && *p <= 'Z' && !typed_category(s, p, n, e->resource))
				add_category(s, p, n);
			p += n;
			if (*p == '?')
				break;
		}
	}
}

/* An evidence row; one from an unverified archive says so. */
static cJSON *evidence_json(const struct cf_event *e, int unverified)
{
	struct cf_jb jb;
	cJSON *j = cf_jb_init(&jb);

	cf_jb_time(&jb, j, "time", e->ts_us);
	cf_jb_str(&jb, j, "actor", e->actor);
	cf_jb_str(&jb, j, "src_ip", e->src_ip);
	cf_jb_str(&jb, j, "action", e->action);
	cf_jb_str(&jb, j, "outcome", e->outcome);
	cf_jb_str(&jb, j, "patient", e->patient);
	if (e->resource)
		cf_jb_str(&jb, j, "resource", e->resource);
	cf_jb_str(&jb, j, "archive", e->archive);
	cf_jb_str(&jb, j, "member", e->member);
	cf_jb_int(&jb, j, "line", (int64_t)e->line);
	cf_jb_int(&jb, j, "offset", (int64_t)e->offset);
	if (unverified)
		cf_jb_bool(&jb, j, "unverified", 1);
	return cf_jb_finish(&jb);
}

static int add_access(struct scope *s, const struct cf_event *e, int unverified);

/* A decision's context from its attributes (timeline/mapping.c): the
 * version's stage at that moment, the inputs and their PHI categories, who
 * asked, and the override (who, why). -1 on no memory. */
static int decision_context(cJSON *d, const char *attrs)
{
	static const char *const keys[][2] = {
		{"model_stage", "stage"}, {"input_ref", "input_ref"},
		{"phi_categories", "phi_categories"}, {"requested_by", "requested_by"},
		{"threshold", "threshold"}, {"override_by", "override_by"},
		{"override_reason", "override_reason"}, {"model_run", "run_id"},
	};
	unsigned long refused = cf_alloc_failures();
	cJSON *a = attrs ? cJSON_Parse(attrs) : NULL;
	int rc = attrs && !a && cf_alloc_failures() != refused;

	for (size_t i = 0; a && !rc && i < sizeof keys / sizeof keys[0]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, keys[i][0]);
		cJSON *c;
		if (!v)
			continue;
		rc = !(c = cJSON_Duplicate(v, 1)) || cf_json_add_item(d, keys[i][1], c);
	}
	if (!rc && cf_json_bool(a, "model_stage_inferred", 0))
		rc = cf_json_add_bool(d, "stage_inferred", 1);
	cJSON_Delete(a);
	return rc ? -1 : 0;
}

static int on_event(void *arg, const struct cf_event *e)
{
	struct scope *s = arg;
	const struct cf_incident *inc = s->inc;
	int unverified = event_unverified(s->arch, e);

	if (unverified && !s->include_unverified) {
		/* never counted, never listed: only how many accesses it hid */
		if (attributed(inc, e) &&
		    (!e->outcome || !strcmp(e->outcome, "success") ||
		     !strcmp(e->outcome, "unknown")) &&
		    e->patient && *e->patient)
			s->excluded++;
		return 0;
	}
	if (e->action && !strncmp(e->action, "decision", 8) && suspect_model(inc, e)) {
		cJSON *d = evidence_json(e, unverified);
		if (!d || cf_json_add_str(d, "model", e->model) ||
		    cf_json_add_str(d, "version", e->model_version) ||
		    cf_json_add_str(d, "output", e->decision) ||
		    cf_json_add_str(d, "outcome", e->outcome) ||
		    (e->has_score && cf_json_add_num(d, "score", e->score)) ||
		    decision_context(d, e->attrs)) {
			cJSON_Delete(d);
			return s->nomem = 1;
		}
		cJSON_AddItemToArray(s->decisions, d);
	}
	if (!attributed(inc, e))
		return 0;
	if (e->outcome && strcmp(e->outcome, "success") && strcmp(e->outcome, "unknown")) {
		if (e->outcome && !strcmp(e->outcome, "failure")) {
			cJSON *f;
			int64_t times;
			int counted = attempt_counted(s, e);
			if (counted)
				return counted < 0 ? (s->nomem = 1) : 0;
			f = evidence_json(e, unverified);
			times = repeat_of(e);
			if (!f || times < 0 ||
			    (times > 1 && cf_json_add_int(f, "repeat", times))) {
				cJSON_Delete(f);
				return s->nomem = 1;
			}
			cJSON_AddItemToArray(s->failed, f);
			s->failed_count += (uint64_t)times;
		}
		return 0;
	}
	if (!e->patient || !*e->patient)
		return 0;
	return add_access(s, e, unverified);
}

/* A record of exposed data at rest (scope_data.c): counted like an
 * access, under the same rule for unverified archives. */
static int on_data_record(void *arg, const struct cf_event *e)
{
	struct scope *s = arg;
	struct cf_event r = *e;
	int unverified = event_unverified(s->arch, e);

	if (unverified && !s->include_unverified) {
		s->excluded++;
		return 0;
	}
	if (!r.outcome) /* data held, not an attempt of unknown outcome */
		r.outcome = "present";
	return add_access(s, &r, unverified) ? CF_FATAL : CF_OK;
}

static int add_access(struct scope *s, const struct cf_event *e, int unverified)
{
	struct access *a;

	if (!(a = cf_array_add(s->v, &s->cap, s->n, sizeof *a, 256)))
		return s->nomem = 1;
	s->v = a;
	a += s->n;
	a->patient = cf_strdup(e->patient);
	a->archive = cf_strdup(e->archive ? e->archive : "");
	a->member = cf_strdup(e->member ? e->member : "");
	a->actor = e->actor ? cf_strdup(e->actor) : NULL;
	a->action = e->action ? cf_strdup(e->action) : NULL;
	a->src_ip = e->src_ip ? cf_strdup(e->src_ip) : NULL;
	a->resource = e->resource ? cf_strdup(e->resource) : NULL;
	a->line = e->line;
	a->offset = e->offset;
	a->ts = e->ts_us;
	a->unverified = unverified;
	a->unknown_outcome = !e->outcome || !strcmp(e->outcome, "unknown");
	a->treatment = cf_scope_purpose_treatment(e->attrs);
	s->n++;
	if (!a->patient || !a->archive || !a->member || (e->actor && !a->actor) ||
	    (e->action && !a->action) || (e->src_ip && !a->src_ip) ||
	    (e->resource && !a->resource))
		return s->nomem = 1;
	categories(s, e);
	return 0;
}

static int by_patient(const void *x, const void *y)
{
	const struct access *a = x, *b = y;
	int c = strcmp(a->patient, b->patient);

	if (c)
		return c;
	return a->ts < b->ts ? -1 : a->ts > b->ts;
}

struct states {
	char **id, **st;
	size_t n, cap;
	int nomem;
};

static int on_patient(void *arg, const struct cf_patient *p)
{
	struct states *s = arg;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		char **a = cf_realloc(s->id, cap * sizeof *a);
		char **b = a ? cf_realloc(s->st, cap * sizeof *b) : NULL;
		if (a)
			s->id = a;
		if (!b)
			return s->nomem = 1;
		s->st = b;
		s->cap = cap;
	}
	s->id[s->n] = cf_strdup(p->id);
	s->st[s->n] = p->state ? cf_strdup(p->state) : NULL;
	s->n++;
	return s->id[s->n - 1] && (!p->state || s->st[s->n - 1]) ? 0 : (s->nomem = 1);
}

/* The patients come ordered by id (cf_db_query_patients). */
static const char *state_of(const struct states *s, const char *id)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->id[mid], id);
		if (!c)
			return s->st[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(((const cJSON *const *)a)[0]->valuestring,
		      ((const cJSON *const *)b)[0]->valuestring);
}

/* Adds *item to j under key unless an earlier step failed; the item is
 * j's (or freed) afterwards and *item cleared. */
static void hand_over(struct cf_jb *jb, cJSON *j, const char *key, cJSON **item)
{
	cf_jb_item(jb, j, key, *item);
	*item = NULL;
}

/* The unverified archives as [{"sha256sums","path"}], sorted by digest. */
static cJSON *unverified_archives_json(const struct archives *ar)
{
	cJSON *arr = cJSON_CreateArray(), *o = NULL;

	for (size_t i = 0; arr && i < ar->nbad; i++) {
		if (!(o = cJSON_CreateObject()) || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			break;
		}
		if (cf_json_add_str(o, "sha256sums", ar->bad[i].digest) ||
		    cf_json_add_str(o, "path", ar->bad[i].path))
			break;
		o = NULL;
	}
	if (o || !arr) {
		cJSON_Delete(arr);
		return NULL;
	}
	return arr;
}

int cf_scope_compute(struct cf_ctx *ctx, cf_db *db, const struct cf_incident *inc,
		     unsigned flags, cJSON **out)
{
	struct archives ar = {0};
	struct scope s = {.inc = inc, .arch = &ar,
			  .include_unverified = !!(flags & CF_SCOPE_INCLUDE_UNVERIFIED)};
	struct states st = {0};
	struct cf_db_filter f = {.from_us = inc->from_us, .to_us = inc->to_us,
				 .has_from = 1, .has_to = 1};
	cJSON *j = cJSON_CreateObject(), *w, *pats = NULL, *bys = NULL, *ev = NULL;
	cJSON *unv_pats = NULL, *unv_arch = NULL;
	struct cf_jb jb = CF_JB_INIT; /* adds to j */
	size_t affected = 0, unv_affected = 0;
	int rc;

	*out = NULL;
	s.failed = cJSON_CreateArray();
	s.decisions = cJSON_CreateArray();
	s.cats = cJSON_CreateArray();
	if (!j || !s.failed || !s.decisions || !s.cats)
		goto nomem;
	if ((rc = archives_read(ctx, db, &ar)) != CF_OK)
		goto out;
	if (!(unv_arch = unverified_archives_json(&ar)) ||
	    !(unv_pats = cJSON_CreateArray()))
		goto nomem;
	rc = cf_db_query_events(db, ctx, &f, on_event, &s);
	if ((rc = read_end(ctx, rc, s.nomem)) != CF_OK)
		goto out;
	/* the patients in exposed data at rest (scope_data.c) */
	rc = cf_scope_data_at_rest(ctx, db, inc, on_data_record, &s, j);
	if (s.nomem)
		goto nomem;
	if (rc != CF_OK)
		goto out;
	rc = cf_db_query_patients(db, ctx, on_patient, &st);
	if ((rc = read_end(ctx, rc, st.nomem)) != CF_OK)
		goto out;
	if (s.n)
		qsort(s.v, s.n, sizeof *s.v, by_patient);
	cf_jb_str(&jb, j, "incident", inc->id);
	w = cf_jb_object(&jb, j, "window");
	cf_jb_time(&jb, w, "from", inc->from_us);
	cf_jb_time(&jb, w, "to", inc->to_us);
	cf_jb_time(&jb, j, "discovered", inc->discovered_us);
	if (jb.err)
		goto nomem;
	if (!(pats = cJSON_CreateArray()) || !(bys = cJSON_CreateObject()) ||
	    !(ev = cJSON_CreateObject()))
		goto nomem;
	for (size_t i = 0; i < s.n;) {
		size_t k = i;
		const char *state = state_of(&st, s.v[i].patient);
		cJSON *list = cJSON_CreateArray(), *cnt;
		if (!list || !cJSON_AddItemToArray(pats, cJSON_CreateString(s.v[i].patient)))
			goto nomem_parts;
		if (!(state = cf_state_code(state)))
			state = "unknown";
		if ((cnt = cJSON_GetObjectItemCaseSensitive(bys, state)))
			cJSON_SetNumberValue(cnt, cnt->valuedouble + 1);
		else if (!cJSON_AddNumberToObject(bys, state, 1))
			goto nomem_parts;
		int only_unverified = 1;
		for (; k < s.n && !strcmp(s.v[k].patient, s.v[i].patient); k++) {
			cJSON *e = cf_jb_object(&jb, list, NULL);
			only_unverified &= s.v[k].unverified;
			cf_jb_str(&jb, e, "archive", s.v[k].archive);
			cf_jb_str(&jb, e, "member", s.v[k].member);
			cf_jb_int(&jb, e, "line", (int64_t)s.v[k].line);
			cf_jb_int(&jb, e, "offset", (int64_t)s.v[k].offset);
			if (s.v[k].ts != INT64_MIN) /* a patients-table row: no time */
				cf_jb_time(&jb, e, "time", s.v[k].ts);
			cf_jb_str(&jb, e, "actor", s.v[k].actor);
			cf_jb_str(&jb, e, "action", s.v[k].action);
			if (s.v[k].src_ip)
				cf_jb_str(&jb, e, "src_ip", s.v[k].src_ip);
			if (s.v[k].resource)
				cf_jb_str(&jb, e, "resource", s.v[k].resource);
			if (s.v[k].unverified)
				cf_jb_bool(&jb, e, "unverified", 1);
			if (s.v[k].unknown_outcome)
				cf_jb_str(&jb, e, "outcome", "unknown");
			if (s.v[k].treatment)
				cf_jb_bool(&jb, e, "purpose_treatment", 1);
			if (jb.err)
				goto nomem_parts;
		}
		if (only_unverified) {
			if (!cJSON_AddItemToArray(unv_pats, cJSON_CreateString(s.v[i].patient)))
				goto nomem_parts;
			unv_affected++;
		}
		if (cf_json_add_item(ev, s.v[i].patient, list))
			goto nomem; /* list freed */
		affected++;
		i = k;
		continue;
nomem_parts:
		cJSON_Delete(list);
		goto nomem;
	}
	{
		int n = cJSON_GetArraySize(s.cats);
		cJSON **v = n ? cf_calloc((size_t)n, sizeof *v) : NULL;
		if (n && !v)
			goto nomem;
		for (int i = n - 1; i >= 0; i--)
			v[i] = cJSON_DetachItemFromArray(s.cats, i);
		if (n)
			qsort(v, (size_t)n, sizeof *v, cmp_str);
		for (int i = 0; i < n; i++)
			cJSON_AddItemToArray(s.cats, v[i]);
		free(v);
	}
	cf_jb_int(&jb, j, "affected", (int64_t)affected);
	hand_over(&jb, j, "patients", &pats);
	hand_over(&jb, j, "by_state", &bys);
	hand_over(&jb, j, "failed_attempts", &s.failed);
	cf_jb_int(&jb, j, "failed_count", (int64_t)s.failed_count);
	hand_over(&jb, j, "phi_categories", &s.cats);
	hand_over(&jb, j, "model_decisions", &s.decisions);
	hand_over(&jb, j, "evidence", &ev);
	cf_jb_bool(&jb, j, "include_unverified", s.include_unverified);
	hand_over(&jb, j, "unverified_archives", &unv_arch);
	cf_jb_int(&jb, j, "unverified_affected", (int64_t)unv_affected);
	hand_over(&jb, j, "unverified_patients", &unv_pats);
	cf_jb_int(&jb, j, "unverified_excluded", (int64_t)s.excluded);
	if (jb.err)
		goto nomem;
	/* per model version: its decisions and patients (scope_cohort.c) */
	if ((rc = cf_scope_cohorts(ctx, j)) != CF_OK)
		goto out;
	/* each implicated version's registry history (scope_lineage.c) */
	if ((rc = cf_scope_lineage(ctx, db, inc, j)) != CF_OK)
		goto out;
	/* who is counted and how they are reached (scope_count.c) */
	if ((rc = cf_scope_count(ctx, db, inc, j)) != CF_OK)
		goto out;
	*out = j;
	j = NULL;
	rc = CF_OK;
	goto out;
nomem:
	rc = cf_set_nomem(ctx, "computing the scope");
out:
	for (size_t i = 0; i < s.n; i++) {
		free(s.v[i].patient);
		free(s.v[i].archive);
		free(s.v[i].member);
		free(s.v[i].actor);
		free(s.v[i].src_ip);
		free(s.v[i].resource);
		free(s.v[i].action);
	}
	free(s.v);
	cf_strset_release(&s.attempts);
	for (size_t i = 0; i < st.n; i++) {
		free(st.id[i]);
		free(st.st[i]);
	}
	free(st.id);
	free(st.st);
	cJSON_Delete(s.failed);
	cJSON_Delete(s.decisions);
	cJSON_Delete(s.cats);
	cJSON_Delete(pats);
	cJSON_Delete(bys);
	cJSON_Delete(ev);
	cJSON_Delete(unv_pats);
	cJSON_Delete(unv_arch);
	cJSON_Delete(j);
	archives_release(&ar);
	return rc;
}
