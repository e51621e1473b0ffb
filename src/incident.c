/* SPDX-License-Identifier: Apache-2.0
 *
 * Incident files (casefile-incident(5)) behind include/casefile/scope.h:
 * one reading of the YAML, shared by `timeline scope`, `report breach` and
 * the playbooks, so that a notice is never drafted from a file the count
 * refused or from a different reading of it. Times are RFC 3339 (a bare
 * date where the page allows one); lists and the covered entity are
 * checked here, and every error names the file and the key.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/array.h"
#include "casefile/error.h"
#include "casefile/filing.h"
#include "casefile/json.h"
#include "casefile/scope.h"
#include "casefile/time.h"
#include "casefile/tz.h"
#include "casefile/yaml.h"
#include "incident_int.h"

/* ---- incident files ------------------------------------------------------ */

void cf_incident_free(struct cf_incident *inc)
{
	if (!inc)
		return;
	free(inc->id);
	free(inc->title);
	free(inc->notes);
	free(inc->covered_entity.name);
	free(inc->covered_entity.type);
	free(inc->covered_entity.phone);
	free(inc->covered_entity.email);
	free(inc->covered_entity.web);
	free(inc->covered_entity.postal);
	free(inc->covered_entity.time_zone);
	free(inc->le.agency);
	free(inc->le.official);
	free(inc->ba.name);
	free(inc->ba.contact);
	for (size_t i = 0; i < inc->nnotify; i++) {
		free(inc->notify[i].name);
		free(inc->notify[i].contact);
	}
	free(inc->notify);
	free(inc->determination.decision);
	free(inc->determination.decided_by);
	free(inc->determination.rationale);
	for (size_t i = 0; i < 4; i++)
		free(inc->determination.factors[i]);
	cf_strv_free(inc->actors, inc->nactors);
	cf_strv_free(inc->ips, inc->nips);
	cf_strv_free(inc->credentials, inc->ncredentials);
	for (size_t i = 0; i < inc->nmodels; i++) {
		free(inc->models[i].name);
		free(inc->models[i].version);
	}
	free(inc->models);
	cf_incident_exposure_release(&inc->exposure);
	free(inc);
}

/* A time (RFC 3339) at key; CF_EOF when absent or null. */
static int yaml_time(struct cf_ctx *ctx, const char *file, struct fy_node *map,
		     const char *key, int64_t *us)
{
	struct fy_node *n = cf_yaml_get(map, key);
	char *s;
	int rc = CF_OK;

	if (!n || cf_yaml_is_null(n))
		return CF_EOF;
	if (!fy_node_is_scalar(n))
		return cf_yaml_error(ctx, file, n, "'%s' must be an RFC 3339 time", key);
	if (!(s = cf_yaml_strdup(n)))
		return cf_set_nomem(ctx, file);
	if (cf_time_parse(s, -1, us, NULL))
		rc = cf_yaml_error(ctx, file, n, "'%s' is not an RFC 3339 time: '%s'",
				   key, s);
	free(s);
	return rc;
}

/* The law-enforcement delay is often stated as a day ("until 2026-06-01");
 * a bare date stands for the start of that day, UTC, and is checked by the
 * same parser as a time. */
static int yaml_time_or_day(struct cf_ctx *ctx, const char *file,
			    struct fy_node *map, const char *key, int64_t *us)
{
	struct fy_node *n = cf_yaml_get(map, key);
	const char *s = NULL;
	size_t len = 0;
	char t[32];

	if (n && fy_node_is_scalar(n))
		s = fy_node_get_scalar(n, &len);
	if (s && len == 10) {
		memcpy(t, s, 10);
		memcpy(t + 10, "T00:00:00Z", 10);
		if (cf_time_parse(t, 20, us, NULL) == 0)
			return CF_OK;
	}
	return yaml_time(ctx, file, map, key, us);
}

/* The UTC offset written in `discovered` (already checked). */
static int discovered_offset(struct fy_node *root)
{
	struct fy_node *n = cf_yaml_get(root, "discovered");
	size_t len = 0;
	const char *s = fy_node_get_scalar(n, &len);
	int64_t us;
	int off = 0;

	if (s)
		cf_time_parse(s, (long)len, &us, &off);
	return off;
}

static void le_init(struct cf_le_delay *le)
{
	le->statement_day = le->until_day = le->last_day = -1;
}

/* A string at key; absent or null is CF_EOF. */
static int yaml_text(struct cf_ctx *ctx, const char *file, struct fy_node *map,
		     const char *key, char **out)
{
	struct fy_node *n = cf_yaml_get(map, key);

	return n && cf_yaml_is_null(n) ? CF_EOF : cf_yaml_str(ctx, file, map, key, out);
}

/* A list of strings (flow or block sequence) at key; absent = empty. */
static int yaml_strv(struct cf_ctx *ctx, const char *file, struct fy_node *map,
		     const char *key, char ***out, size_t *n)
{
	struct fy_node *seq = cf_yaml_get(map, key), *e;
	void *it = NULL;
	size_t cap;

	*out = NULL;
	*n = 0;
	if (!seq || cf_yaml_is_null(seq))
		return CF_OK;
	if (!fy_node_is_sequence(seq))
		return cf_yaml_error(ctx, file, seq, "'%s' must be a list ([a, b] or - a)", key);
	cap = (size_t)fy_node_sequence_item_count(seq);
	if (cap && !(*out = cf_calloc(cap, sizeof **out)))
		return cf_set_nomem(ctx, "incident");
	while ((e = fy_node_sequence_iterate(seq, &it))) {
		if (!fy_node_is_scalar(e) || cf_yaml_is_null(e))
			return cf_yaml_error(ctx, file, e, "'%s': items must be strings", key);
		if (!((*out)[(*n)++] = cf_yaml_strdup(e)))
			return cf_set_nomem(ctx, "incident");
	}
	return CF_OK;
}

static int load_suspects(struct cf_ctx *ctx, const char *file,
			 struct fy_node *s, struct cf_incident *inc)
{
	static const char *const keys[] = {"actors", "ips", "credentials", "models",
					   NULL};
	char **models = NULL;
	size_t nm = 0;
	int rc;

	if (!fy_node_is_mapping(s))
		return cf_yaml_error(ctx, file, s, "suspects: expected a mapping");
	if ((rc = cf_yaml_check_keys(ctx, file, s, keys)) ||
	    (rc = yaml_strv(ctx, file, s, "actors", &inc->actors, &inc->nactors)) ||
	    (rc = yaml_strv(ctx, file, s, "ips", &inc->ips, &inc->nips)) ||
	    (rc = yaml_strv(ctx, file, s, "credentials", &inc->credentials,
			    &inc->ncredentials)) ||
	    (rc = yaml_strv(ctx, file, s, "models", &models, &nm))) {
		cf_strv_free(models, nm);
		return rc;
	}
	if (nm && !(inc->models = cf_calloc(nm, sizeof *inc->models))) {
		cf_strv_free(models, nm);
		return cf_set_nomem(ctx, "incident");
	}
	for (size_t i = 0; i < nm; i++) {
		char *at = strrchr(models[i], '@');
		inc->models[i].name = models[i];
		if (at) {
			*at = '\0';
			if (!(inc->models[i].version = cf_strdup(at + 1)))
				rc = cf_set_nomem(ctx, "incident");
		}
		inc->nmodels++;
	}
	free(models);
	return rc;
}

static int load_entity(struct cf_ctx *ctx, const char *file, struct fy_node *ce,
		       struct cf_incident *inc)
{
	static const char *const keys[] = {"name", "type", "contact", "time_zone",
					   NULL};
	static const char *const ckeys[] = {"phone", "email", "web", "postal",
					    "person", NULL};
	static const char *const types[] = {"provider", "health-plan",
					    "clearinghouse", "business-associate",
					    NULL};
	struct fy_node *c;
	int rc, ok = 0;

	if (!fy_node_is_mapping(ce))
		return cf_yaml_error(ctx, file, ce, "covered_entity: expected a mapping");
	if ((rc = cf_yaml_check_keys(ctx, file, ce, keys)) ||
	    yaml_text(ctx, file, ce, "name", &inc->covered_entity.name) < 0 ||
	    yaml_text(ctx, file, ce, "type", &inc->covered_entity.type) < 0 ||
	    yaml_text(ctx, file, ce, "time_zone", &inc->covered_entity.time_zone) < 0)
		return CF_FAILED;
	if (inc->covered_entity.type) {
		for (int i = 0; types[i]; i++)
			ok |= !strcmp(types[i], inc->covered_entity.type);
		if (!ok)
			return cf_yaml_error(ctx, file, cf_yaml_get(ce, "type"),
					     "covered_entity.type: '%s' is not provider, "
					     "health-plan, clearinghouse or business-associate",
					     inc->covered_entity.type);
	}
	if (!(c = cf_yaml_get(ce, "contact")))
		return CF_OK;
	if (!fy_node_is_mapping(c))
		return cf_yaml_error(ctx, file, c, "contact: expected a mapping");
	if (cf_yaml_check_keys(ctx, file, c, ckeys) ||
	    yaml_text(ctx, file, c, "phone", &inc->covered_entity.phone) < 0 ||
	    yaml_text(ctx, file, c, "email", &inc->covered_entity.email) < 0 ||
	    yaml_text(ctx, file, c, "web", &inc->covered_entity.web) < 0 ||
	    yaml_text(ctx, file, c, "postal", &inc->covered_entity.postal) < 0)
		return CF_FAILED;
	return CF_OK;
}

/* ---- local calendar, law enforcement, business associates, determination */

int64_t cf_local_day(const struct cf_tz *tz, int offset_s, int64_t utc_us)
{
	int64_t s = utc_us / CF_US_PER_SEC - (utc_us % CF_US_PER_SEC < 0);

	s += tz ? cf_tz_offset(tz, s) : offset_s;
	return s / 86400 - (s % 86400 < 0);
}

int64_t cf_local_day_start(const struct cf_tz *tz, int offset_s, int64_t day)
{
	int64_t utc;
	int off;

	if (!tz)
		return (day * 86400 - offset_s) * CF_US_PER_SEC;
	/* a midnight skipped by a clock change reads with the offset before
	 * it, which is the first instant of the day after the jump */
	cf_tz_local_to_utc(tz, day * 86400, &utc, &off, NULL);
	return utc * CF_US_PER_SEC;
}

int64_t cf_le_last_day(int kind, int64_t statement_day, int64_t until_day,
		       int *capped)
{
	int64_t cap;

	if (capped)
		*capped = 0;
	if (kind == CF_LE_WRITTEN)
		return until_day;
	if (kind != CF_LE_ORAL || statement_day < 0)
		return -1;
	cap = statement_day + CF_LE_ORAL_MAX_DAYS;
	if (until_day >= 0 && until_day <= cap)
		return until_day;
	if (capped)
		*capped = until_day > cap;
	return cap;
}

/* How the local calendar is read while loading: the covered entity's zone,
 * or the fixed offset written in `discovered`. */
struct local {
	const struct cf_tz *tz;
	int offset_s;
};

/* A local calendar day at key: a bare date (YYYY-MM-DD) is that day, a
 * time the local day it falls on. CF_EOF when absent or null. */
static int yaml_day(struct cf_ctx *ctx, const char *file, struct fy_node *map,
		    const char *key, const struct local *L, int64_t *day)
{
	struct fy_node *n = cf_yaml_get(map, key);
	const char *s = NULL;
	size_t len = 0;
	int64_t us;
	char t[32];
	int rc;

	if (n && fy_node_is_scalar(n))
		s = fy_node_get_scalar(n, &len);
	if (s && len == 10 && !cf_yaml_is_null(n)) {
		memcpy(t, s, 10);
		memcpy(t + 10, "T00:00:00Z", 10);
		if (cf_time_parse(t, 20, &us, NULL) == 0) {
			*day = cf_local_day(NULL, 0, us);
			return CF_OK;
		}
	}
	if ((rc = yaml_time(ctx, file, map, key, &us)) == CF_OK)
		*day = cf_local_day(L->tz, L->offset_s, us);
	return rc;
}

static int load_le(struct cf_ctx *ctx, const char *file, struct fy_node *m,
		   const struct local *L, struct cf_incident *inc)
{
	static const char *const keys[] = {"kind", "statement", "agency",
					   "official", "until", NULL};
	struct cf_le_delay *le = &inc->le;
	char *kind = NULL;
	int r, rc = CF_FAILED;

	le->statement_day = le->until_day = le->last_day = -1;
	if (!fy_node_is_mapping(m))
		return cf_yaml_error(ctx, file, m, "law_enforcement: expected a mapping");
	if (cf_yaml_check_keys(ctx, file, m, keys) ||
	    yaml_text(ctx, file, m, "kind", &kind) < 0 ||
	    yaml_text(ctx, file, m, "agency", &le->agency) < 0 ||
	    yaml_text(ctx, file, m, "official", &le->official) < 0)
		goto out;
	if (!kind || (strcmp(kind, "written") && strcmp(kind, "oral"))) {
		cf_yaml_error(ctx, file, cf_yaml_get(m, "kind") ? cf_yaml_get(m, "kind") : m,
			      "law_enforcement.kind must be written or oral");
		goto out;
	}
	le->kind = !strcmp(kind, "written") ? CF_LE_WRITTEN : CF_LE_ORAL;
	if (!le->agency) {
		cf_yaml_error(ctx, file, m, "law_enforcement.agency is required "
			      "(164.412: the official's agency)");
		goto out;
	}
	if ((r = yaml_day(ctx, file, m, "statement", L, &le->statement_day)) < 0)
		goto out;
	if (r == CF_EOF) {
		cf_yaml_error(ctx, file, m, "law_enforcement.statement (the date "
			      "of the statement) is required");
		goto out;
	}
	if ((r = yaml_day(ctx, file, m, "until", L, &le->until_day)) < 0)
		goto out;
	if (r == CF_EOF && le->kind == CF_LE_WRITTEN) {
		cf_yaml_error(ctx, file, m, "law_enforcement.until is required for "
			      "a written statement: it specifies the period "
			      "(164.412(a))");
		goto out;
	}
	if (le->until_day >= 0 && le->until_day < le->statement_day) {
		cf_yaml_error(ctx, file, cf_yaml_get(m, "until"),
			      "law_enforcement.until is before the statement");
		goto out;
	}
	le->last_day = cf_le_last_day(le->kind, le->statement_day, le->until_day,
				      &le->capped);
	rc = CF_OK;
out:
	free(kind);
	return rc;
}

static int load_ba(struct cf_ctx *ctx, const char *file, struct fy_node *m,
		   struct cf_incident *inc)
{
	static const char *const keys[] = {"name", "contact", "discovered",
					   "notified", "agent", NULL};
	struct cf_ba_facts *ba = &inc->ba;
	int r;

	if (!fy_node_is_mapping(m))
		return cf_yaml_error(ctx, file, m, "business_associate: expected a mapping");
	ba->present = 1;
	if (cf_yaml_check_keys(ctx, file, m, keys) ||
	    yaml_text(ctx, file, m, "name", &ba->name) < 0 ||
	    yaml_text(ctx, file, m, "contact", &ba->contact) < 0 ||
	    cf_yaml_bool(ctx, file, m, "agent", &ba->agent) < 0)
		return CF_FAILED;
	if (!ba->name)
		return cf_yaml_error(ctx, file, m, "business_associate.name is required");
	if ((r = yaml_time_or_day(ctx, file, m, "discovered", &ba->discovered_us)) < 0)
		return CF_FAILED;
	ba->has_discovered = r == CF_OK;
	if ((r = yaml_time_or_day(ctx, file, m, "notified", &ba->notified_us)) < 0)
		return CF_FAILED;
	ba->has_notified = r == CF_OK;
	if (ba->agent && !ba->has_discovered)
		return cf_yaml_error(ctx, file, m, "business_associate: an agent's "
				     "'discovered' is required: it is the entity's "
				     "discovery (164.404(a)(2))");
	if (!strcmp(inc->covered_entity.type ? inc->covered_entity.type : "",
		    "business-associate"))
		return cf_yaml_error(ctx, file, m, "business_associate: the covered "
				     "entity is itself a business associate; name the "
				     "entities it serves in 'covered_entities'");
	return CF_OK;
}

/* covered_entities: a list of names or of {name, contact}. */
static int load_notify(struct cf_ctx *ctx, const char *file, struct fy_node *seq,
		       struct cf_incident *inc)
{
	static const char *const keys[] = {"name", "contact", NULL};
	struct fy_node *e;
	void *it = NULL;
	size_t cap;

	if (!fy_node_is_sequence(seq))
		return cf_yaml_error(ctx, file, seq, "'covered_entities' must be a list");
	cap = (size_t)fy_node_sequence_item_count(seq);
	if (cap && !(inc->notify = cf_calloc(cap, sizeof *inc->notify)))
		return cf_set_nomem(ctx, "incident");
	while ((e = fy_node_sequence_iterate(seq, &it))) {
		struct cf_named_entity *n = &inc->notify[inc->nnotify++];

		if (fy_node_is_scalar(e) && !cf_yaml_is_null(e)) {
			if (!(n->name = cf_yaml_strdup(e)))
				return cf_set_nomem(ctx, "incident");
			continue;
		}
		if (!fy_node_is_mapping(e))
			return cf_yaml_error(ctx, file, e, "covered_entities: items "
					     "are names or {name, contact}");
		if (cf_yaml_check_keys(ctx, file, e, keys) ||
		    yaml_text(ctx, file, e, "name", &n->name) < 0 ||
		    yaml_text(ctx, file, e, "contact", &n->contact) < 0)
			return CF_FAILED;
		if (!n->name)
			return cf_yaml_error(ctx, file, e, "covered_entities: 'name' is required");
	}
	return CF_OK;
}

static const char *const decisions[] = {"breach", "exception-good-faith",
	"exception-inadvertent", "exception-cannot-retain", "secured",
	"de-identified", "low-probability", NULL};

static int load_determination(struct cf_ctx *ctx, const char *file,
			      struct fy_node *m, const struct local *L,
			      struct cf_incident *inc)
{
	static const char *const keys[] = {"decision", "decided_by", "decided_on",
					   "rationale", "factors", NULL};
	static const char *const fkeys[] = {"nature_extent", "unauthorized_person",
					    "acquired_viewed", "mitigation", NULL};
	struct cf_determination *d = &inc->determination;
	struct fy_node *f;
	int ok = 0, r;

	d->decided_day = -1;
	if (!fy_node_is_mapping(m))
		return cf_yaml_error(ctx, file, m, "determination: expected a mapping");
	if (cf_yaml_check_keys(ctx, file, m, keys) ||
	    yaml_text(ctx, file, m, "decision", &d->decision) < 0 ||
	    yaml_text(ctx, file, m, "decided_by", &d->decided_by) < 0 ||
	    yaml_text(ctx, file, m, "rationale", &d->rationale) < 0)
		return CF_FAILED;
	for (int i = 0; d->decision && decisions[i]; i++)
		ok |= !strcmp(decisions[i], d->decision);
	if (!ok)
		return cf_yaml_error(ctx, file, cf_yaml_get(m, "decision") ? cf_yaml_get(m, "decision") : m,
				     "determination.decision must be breach, "
				     "exception-good-faith, exception-inadvertent, "
				     "exception-cannot-retain, secured, de-identified "
				     "or low-probability");
	if (!d->decided_by)
		return cf_yaml_error(ctx, file, m, "determination.decided_by is required");
	if ((r = yaml_day(ctx, file, m, "decided_on", L, &d->decided_day)) < 0)
		return CF_FAILED;
	if (r == CF_EOF)
		return cf_yaml_error(ctx, file, m, "determination.decided_on is required");
	if (strcmp(d->decision, "breach") && !d->rationale)
		return cf_yaml_error(ctx, file, m, "determination.rationale is "
				     "required for '%s' (164.414(b): the burden of "
				     "proof)", d->decision);
	if ((f = cf_yaml_get(m, "factors")) && !cf_yaml_is_null(f)) {
		if (!fy_node_is_mapping(f))
			return cf_yaml_error(ctx, file, f, "determination.factors: expected a mapping");
		if (cf_yaml_check_keys(ctx, file, f, fkeys))
			return CF_FAILED;
		for (int i = 0; i < 4; i++)
			if (yaml_text(ctx, file, f, fkeys[i], &d->factors[i]) < 0)
				return CF_FAILED;
	}
	if (!strcmp(d->decision, "low-probability"))
		for (int i = 0; i < 4; i++)
			if (!d->factors[i] || !*d->factors[i])
				return cf_yaml_error(ctx, file, f ? f : m,
						     "determination: low-probability needs "
						     "factors.%s (164.402(2))", fkeys[i]);
	return CF_OK;
}

/* The local calendar, the law-enforcement delay (either key), the business
 * associate facts and the determination, once `discovered` is known. */
/* `response`: the facts the breach report's notices may state (what was
 * done, what is offered); each is a sentence, phone_toll_free a boolean.
 * Only checked here: the report reads them from the document. */
static int check_response(struct cf_ctx *ctx, const char *file, struct fy_node *r)
{
	static const char *const keys[] = {"phone_toll_free", "access_blocked",
		"law_enforcement", "prevention", "credit_monitoring", NULL};
	char *text = NULL;
	int b;

	if (cf_yaml_is_null(r))
		return CF_OK;
	if (!fy_node_is_mapping(r))
		return cf_yaml_error(ctx, file, r, "response: expected a mapping");
	if (cf_yaml_check_keys(ctx, file, r, keys) ||
	    cf_yaml_bool(ctx, file, r, "phone_toll_free", &b) == CF_FAILED)
		return CF_FAILED;
	for (size_t i = 1; keys[i]; i++) {
		int rc = cf_yaml_str(ctx, file, r, keys[i], &text);

		free(text);
		text = NULL;
		if (rc != CF_OK && rc != CF_EOF)
			return rc;
	}
	return CF_OK;
}

static int load_rules(struct cf_ctx *ctx, const char *path, struct fy_node *root,
		      struct cf_incident *inc, int written_offset)
{
	struct cf_tz *tz = NULL;
	struct local L = {NULL, written_offset};
	struct fy_node *n = cf_yaml_get(root, "law_enforcement");
	int rc = CF_FAILED, r;
	int64_t disc;

	if (inc->covered_entity.time_zone) {
		struct fy_node *zn = cf_yaml_get(cf_yaml_get(root, "covered_entity"),
						 "time_zone");

		if (!cf_tz_name_ok(inc->covered_entity.time_zone) ||
		    (r = cf_tz_load(ctx, inc->covered_entity.time_zone, &tz)) == CF_FAILED)
			return cf_yaml_error(ctx, path, zn, "covered_entity.time_zone: "
					     "'%s' is not a time zone of the tz database",
					     inc->covered_entity.time_zone);
		if (r != CF_OK)
			return r;
		L.tz = tz;
	}
	le_init(&inc->le);
	if ((r = yaml_time_or_day(ctx, path, root, "law_enforcement_delay_until",
				  &inc->law_enforcement_delay_until_us)) < 0)
		goto out;
	inc->has_law_enforcement_delay = r == CF_OK;
	if (n && !cf_yaml_is_null(n)) {
		if (inc->has_law_enforcement_delay) {
			cf_yaml_error(ctx, path, n, "give law_enforcement or "
				      "law_enforcement_delay_until, not both");
			goto out;
		}
		if (load_le(ctx, path, n, &L, inc))
			goto out;
	} else if (inc->has_law_enforcement_delay) {
		/* The old key: a written delay ending on that day. */
		inc->le.kind = CF_LE_WRITTEN;
		inc->le.legacy = 1;
		if (yaml_day(ctx, path, root, "law_enforcement_delay_until", &L,
			     &inc->le.until_day) != CF_OK)
			goto out;
		inc->le.last_day = inc->le.until_day;
	}
	if ((n = cf_yaml_get(root, "business_associate")) && !cf_yaml_is_null(n) &&
	    load_ba(ctx, path, n, inc))
		goto out;
	if ((n = cf_yaml_get(root, "covered_entities")) && !cf_yaml_is_null(n) &&
	    load_notify(ctx, path, n, inc))
		goto out;
	if ((n = cf_yaml_get(root, "determination")) && !cf_yaml_is_null(n) &&
	    load_determination(ctx, path, n, &L, inc))
		goto out;
	/* Discovery by an agent is the entity's discovery (164.404(a)(2)). */
	disc = inc->discovered_us;
	if (inc->ba.agent && inc->ba.discovered_us < disc)
		disc = inc->ba.discovered_us;
	inc->discovered_offset_s = tz ? cf_tz_offset(tz, disc / CF_US_PER_SEC)
				      : written_offset;
	inc->discovered_day = cf_local_day(tz, written_offset, disc);
	rc = CF_OK;
out:
	cf_tz_free(tz);
	return rc;
}

static const char *const kind_names[CF_KIND_COUNT] = {
	"unauthorised-access", "model-malfunction", "training-data-exposure",
	"vendor-exposure", "lost-device", "ransomware"};

const char *cf_incident_kind_name(int kind)
{
	return kind >= 0 && kind < CF_KIND_COUNT ? kind_names[kind]
						 : kind_names[0];
}

/* `kind` (absent or null: unauthorised-access) and `phi_disclosed`
 * (absent: false), which routes a model malfunction to the
 * patient-safety review alone or to it and the breach notices. */
static int load_kind(struct cf_ctx *ctx, const char *path, struct fy_node *root,
		     struct cf_incident *inc)
{
	char *k = NULL;
	int r;

	if ((r = yaml_text(ctx, path, root, "kind", &k)) < 0 ||
	    cf_yaml_bool(ctx, path, root, "phi_disclosed", &inc->phi_disclosed) < 0) {
		free(k);
		return CF_FAILED;
	}
	if (r == CF_EOF)
		return CF_OK;
	for (inc->kind = 0; inc->kind < CF_KIND_COUNT; inc->kind++)
		if (!strcmp(k, kind_names[inc->kind]))
			break;
	free(k);
	if (inc->kind == CF_KIND_COUNT)
		return cf_yaml_error(ctx, path, cf_yaml_get(root, "kind"),
				     "kind must be unauthorised-access, "
				     "model-malfunction, training-data-exposure, "
				     "vendor-exposure, lost-device or ransomware");
	return CF_OK;
}

int cf_incident_from_yaml(struct cf_ctx *ctx, const char *path,
			  struct fy_document *doc, struct cf_incident **out)
{
	static const char *const keys[] = {"id", "title", "covered_entity",
					   "discovered", "window", "suspects",
					   "law_enforcement_delay_until", "notes",
					   "law_enforcement", "business_associate",
					   "covered_entities", "determination",
					   "imminent_misuse", "exclude_treatment_access",
					   "response", "kind", "phi_disclosed",
					   "exposed_data", "reidentification", "vendor",
					   "deletion_attestations", "hhs_filing", "part2",
					   NULL};
	struct fy_node *root, *w, *n;
	struct cf_incident *inc = NULL;
	int rc = CF_FAILED, r, written_offset = 0;

	*out = NULL;
	root = fy_document_root(doc);
	if (!root || !fy_node_is_mapping(root)) {
		cf_yaml_error(ctx, path, root, "an incident file is a YAML mapping");
		goto out;
	}
	if (cf_yaml_check_keys(ctx, path, root, keys))
		goto out;
	if (!(inc = cf_calloc(1, sizeof *inc))) {
		cf_set_nomem(ctx, "incident");
		goto out;
	}
	if (yaml_text(ctx, path, root, "id", &inc->id) < 0 ||
	    yaml_text(ctx, path, root, "title", &inc->title) < 0 ||
	    yaml_text(ctx, path, root, "notes", &inc->notes) < 0 ||
	    cf_yaml_bool(ctx, path, root, "imminent_misuse", &inc->imminent_misuse) < 0 ||
	    cf_yaml_bool(ctx, path, root, "exclude_treatment_access",
			 &inc->exclude_treatment_access) < 0)
		goto out;
	if (!inc->id) {
		cf_yaml_error(ctx, path, root, "'id' is required");
		goto out;
	}
	if (load_kind(ctx, path, root, inc))
		goto out;
	if ((n = cf_yaml_get(root, "covered_entity")) && load_entity(ctx, path, n, inc))
		goto out;
	if (cf_incident_check_filing(ctx, path, cf_yaml_get(root, "hhs_filing")) ||
	    cf_yaml_bool(ctx, path, root, "part2", &inc->part2) < 0)
		goto out;
	if ((r = yaml_time(ctx, path, root, "discovered", &inc->discovered_us)) < 0)
		goto out;
	if (r == CF_OK)
		written_offset = discovered_offset(root);
	if (r == CF_EOF) {
		cf_yaml_error(ctx, path, root, "'discovered' is required");
		goto out;
	}
	if (!(w = cf_yaml_get(root, "window")) || !fy_node_is_mapping(w)) {
		cf_yaml_error(ctx, path, w ? w : root,
			      "window: {from: TIME, to: TIME} is required");
		goto out;
	}
	{
		static const char *const wk[] = {"from", "to", NULL};
		if (cf_yaml_check_keys(ctx, path, w, wk) ||
		    yaml_time(ctx, path, w, "from", &inc->from_us) != CF_OK ||
		    yaml_time(ctx, path, w, "to", &inc->to_us) != CF_OK) {
			if (!ctx->msg[0])
				cf_yaml_error(ctx, path, w, "window needs from and to");
			goto out;
		}
		if (inc->from_us > inc->to_us) {
			cf_yaml_error(ctx, path, w, "window: from is after to");
			goto out;
		}
	}
	if (!(n = cf_yaml_get(root, "suspects"))) {
		cf_yaml_error(ctx, path, root, "'suspects' is required (its lists may be empty)");
		goto out;
	}
	if (load_suspects(ctx, path, n, inc))
		goto out;
	if ((n = cf_yaml_get(root, "response")) && check_response(ctx, path, n))
		goto out;
	if (load_rules(ctx, path, root, inc, written_offset))
		goto out;
	if (cf_incident_load_exposure(ctx, path, root, inc))
		goto out;
	*out = inc;
	inc = NULL;
	rc = CF_OK;
out:
	cf_incident_free(inc);
	return rc;
}

int cf_incident_calendar(struct cf_ctx *ctx, const char *path,
			 struct fy_document *doc, struct cf_incident_calendar *cal)
{
	struct fy_node *root = fy_document_root(doc), *n;
	struct cf_incident *inc;
	struct cf_tz *tz = NULL;
	int rc = CF_FAILED, off = 0;

	memset(cal, 0, sizeof *cal);
	if (!root || !fy_node_is_mapping(root))
		return cf_yaml_error(ctx, path, root, "an incident file is a YAML mapping");
	if (!(inc = cf_calloc(1, sizeof *inc)))
		return cf_set_nomem(ctx, "incident");
	if ((n = cf_yaml_get(root, "covered_entity")) && load_entity(ctx, path, n, inc))
		goto out;
	if (yaml_time(ctx, path, root, "discovered", &inc->discovered_us) < 0)
		goto out;
	off = discovered_offset(root);
	if (load_rules(ctx, path, root, inc, off))
		goto out;
	cal->offset_s = off;
	/* discovery by an agent is the entity's discovery (164.404(a)(2)) */
	cal->discovered_us = inc->ba.agent && inc->ba.has_discovered &&
			     inc->ba.discovered_us < inc->discovered_us
		? inc->ba.discovered_us : inc->discovered_us;
	if (inc->covered_entity.time_zone)
		snprintf(cal->time_zone, sizeof cal->time_zone, "%s",
			 inc->covered_entity.time_zone);
	rc = CF_OK;
	if (inc->le.last_day < 0)
		goto out;
	/* 00:00 local on the day after the last day of the delay */
	if (inc->covered_entity.time_zone &&
	    (rc = cf_tz_load(ctx, inc->covered_entity.time_zone, &tz)) != CF_OK)
		goto out;
	cal->delay_end_us = cf_local_day_start(tz, off, inc->le.last_day + 1);
out:
	cf_tz_free(tz);
	cf_incident_free(inc);
	return rc;
}

int cf_incident_delay_end(struct cf_ctx *ctx, const char *path,
			  struct fy_document *doc, int64_t *end_us)
{
	struct cf_incident_calendar cal;
	int rc = cf_incident_calendar(ctx, path, doc, &cal);

	*end_us = rc == CF_OK ? cal.delay_end_us : 0;
	return rc;
}

int cf_incident_load(struct cf_ctx *ctx, const char *path,
		     struct cf_incident **out)
{
	struct fy_document *doc = NULL;
	int rc;

	*out = NULL;
	if (cf_yaml_load(ctx, path, &doc) != CF_OK)
		return CF_FAILED;
	rc = cf_incident_from_yaml(ctx, path, doc, out);
	fy_document_destroy(doc);
	return rc;
}

