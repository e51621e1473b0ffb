/* SPDX-License-Identifier: Apache-2.0
 *
 * State breach-notification overlays (states.h, casefile-states(5)): the
 * business-day calendar, the loader of the rules file and the evaluation
 * of the rules against the per-State resident counts.
 *
 * Business days skip Saturdays, Sundays and the US federal holidays of
 * 5 U.S.C. 6103, computed by rule for any year (third Monday of January,
 * fourth Thursday of November...) with the observed day of a holiday that
 * falls on a weekend, so that no table of dates runs out. A State's own
 * holidays differ (Cesar Chavez Day, Patriots' Day): every business-day
 * date is marked to confirm with its citation, and says so.
 *
 * The loader accepts only what it can read exactly: an unknown key, a
 * clock basis it does not know, a malformed date or a duplicate id fails
 * with FILE:LINE:COL before any report is drafted from the file. Nothing
 * here prints or reads the clock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/time.h"
#include "casefile/yaml.h"
#include "escape.h"
#include "model.h"
#include "states.h"

/* ---- the calendar ---------------------------------------------------------- */

int cf_weekday(int64_t day)
{
	int64_t w = (day + 4) % 7; /* 1970-01-01 was a Thursday */

	return (int)(w < 0 ? w + 7 : w);
}

/* The n-th (1-based) weekday wd of month m, or the last one when n is 0. */
static int64_t nth_weekday(int64_t y, unsigned m, int wd, int n)
{
	int64_t d;

	if (n > 0) {
		d = cf_days_from_civil(y, m, 1);
		return d + (wd - cf_weekday(d) + 7) % 7 + 7 * (n - 1);
	}
	d = cf_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1;
	return d - (cf_weekday(d) - wd + 7) % 7;
}

/* The day a fixed-date holiday is observed (Saturday -> Friday, Sunday ->
 * Monday). */
static int64_t observed(int64_t y, unsigned m, unsigned d)
{
	int64_t day = cf_days_from_civil(y, m, d);
	int w = cf_weekday(day);

	return w == 6 ? day - 1 : w == 0 ? day + 1 : day;
}

const char *cf_us_federal_holiday(int64_t day)
{
	int64_t y;
	unsigned m, d;

	cf_civil_from_days(day, &y, &m, &d);
	/* New Year's Day of the next year observed on December 31 */
	if (day == observed(y, 1, 1) || day == observed(y + 1, 1, 1))
		return "New Year's Day";
	if (day == nth_weekday(y, 1, 1, 3))
		return "Birthday of Martin Luther King, Jr.";
	if (day == nth_weekday(y, 2, 1, 3))
		return "Washington's Birthday";
	if (day == nth_weekday(y, 5, 1, 0))
		return "Memorial Day";
	if (y >= 2021 && day == observed(y, 6, 19))
		return "Juneteenth National Independence Day";
	if (day == observed(y, 7, 4))
		return "Independence Day";
	if (day == nth_weekday(y, 9, 1, 1))
		return "Labor Day";
	if (day == nth_weekday(y, 10, 1, 2))
		return "Columbus Day";
	if (day == observed(y, 11, 11))
		return "Veterans Day";
	if (day == nth_weekday(y, 11, 4, 4))
		return "Thanksgiving Day";
	if (day == observed(y, 12, 25))
		return "Christmas Day";
	return NULL;
}

int cf_business_day(int64_t day)
{
	int w = cf_weekday(day);

	return w != 0 && w != 6 && !cf_us_federal_holiday(day);
}

int64_t cf_business_days_add(int64_t day, int64_t n)
{
	while (n > 0)
		if (cf_business_day(++day))
			n--;
	return day;
}

/* ---- loading ------------------------------------------------------------------ */

static const char *const clock_bases[] = {"discovery", "determination", "hhs",
					  "notice", NULL};
static const char *const recipient_kinds[] = {"attorney-general", "agency",
	"consumer-reporting-agencies", "individuals", NULL};
static const char *const entity_types[] = {"provider", "health-plan",
	"clearinghouse", "business-associate", NULL};
static const char *const omissions[] = {"nature", "count", NULL};

static int one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

/* A rules file being read: errors name the file; the rules are added
 * through the sticky builder jb, checked before anything is read back from
 * what it built and once at the end. */
struct loader {
	struct cf_ctx *ctx;
	const char *file;
	struct cf_jb jb;
	cJSON *ids; /* the rule ids so far, as a set */
};

/* Copies map[key], a string, into o[key] (null when absent and not
 * required). `allowed` (may be NULL) lists the values accepted. */
static int put_str(struct loader *L, struct fy_node *map, const char *key,
		   cJSON *o, int required, const char *const *allowed)
{
	struct fy_node *n = cf_yaml_get(map, key);
	char *s;
	int rc = CF_OK;

	if (!n || cf_yaml_is_null(n)) {
		if (required)
			return cf_yaml_error(L->ctx, L->file, n ? n : map, "'%s' is required", key);
		cf_jb_item(&L->jb, o, key, NULL);
		return CF_OK;
	}
	if (!fy_node_is_scalar(n))
		return cf_yaml_error(L->ctx, L->file, n, "'%s' must be a string", key);
	if (!(s = cf_yaml_strdup(n)))
		return cf_set_nomem(L->ctx, L->file);
	if (!*s || (allowed && !one_of(s, allowed)))
		rc = cf_yaml_error(L->ctx, L->file, n, "'%s' cannot be '%s'", key, s);
	else
		cf_jb_str(&L->jb, o, key, s);
	free(s);
	return rc;
}

/* A sequence of strings map[key] into o[key] (an empty array when absent). */
static int put_strs(struct loader *L, struct fy_node *map, const char *key,
		    cJSON *o, const char *const *allowed)
{
	struct fy_node *n = cf_yaml_get(map, key), *e;
	cJSON *arr = cf_jb_array(&L->jb, o, key);
	void *it = NULL;

	if (!n || cf_yaml_is_null(n))
		return CF_OK;
	if (!fy_node_is_sequence(n))
		return cf_yaml_error(L->ctx, L->file, n, "'%s' must be a list", key);
	while ((e = fy_node_sequence_iterate(n, &it))) {
		char *s = NULL;

		if (!cf_yaml_is_null(e) && fy_node_is_scalar(e) && !(s = cf_yaml_strdup(e)))
			return cf_set_nomem(L->ctx, L->file);
		if (!s || !*s || (allowed && !one_of(s, allowed))) {
			free(s);
			return cf_yaml_error(L->ctx, L->file, e, "'%s': not an accepted value", key);
		}
		cf_jb_made(&L->jb, arr, NULL, cJSON_CreateString(s));
		free(s);
	}
	return CF_OK;
}

/* An integer map[key] in [lo, hi] into o[key]; null when absent and
 * nullable, else an error. */
static int put_int(struct loader *L, struct fy_node *map, const char *key,
		   cJSON *o, int nullable, int64_t lo, int64_t hi)
{
	struct fy_node *n = cf_yaml_get(map, key);
	int64_t v;
	int rc;

	if (!n || cf_yaml_is_null(n)) {
		if (!nullable)
			return cf_yaml_error(L->ctx, L->file, n ? n : map, "'%s' is required", key);
		cf_jb_item(&L->jb, o, key, NULL);
		return CF_OK;
	}
	if ((rc = cf_yaml_int(L->ctx, L->file, map, key, &v)) != CF_OK)
		return rc;
	if (v < lo || v > hi)
		return cf_yaml_error(L->ctx, L->file, n, "'%s' must be from %lld to %lld", key,
				     (long long)lo, (long long)hi);
	cf_jb_int(&L->jb, o, key, v);
	return CF_OK;
}

static int load_clock(struct loader *L, struct fy_node *r, cJSON *rule)
{
	static const char *const keys[] = {"from", "days", "business_days", "text", NULL};
	struct fy_node *n = cf_yaml_get(r, "clock");
	cJSON *o = cf_jb_object(&L->jb, rule, "clock");
	int biz = 0, rc;

	if (!n)
		return cf_yaml_error(L->ctx, L->file, r, "'clock' is required");
	if ((rc = cf_yaml_check_keys(L->ctx, L->file, n, keys)) != CF_OK ||
	    (rc = put_str(L, n, "from", o, 1, clock_bases)) != CF_OK ||
	    (rc = put_int(L, n, "days", o, 1, 0, CF_STATES_MAX_DAYS)) != CF_OK ||
	    (rc = put_str(L, n, "text", o, 0, NULL)) != CF_OK)
		return rc;
	if (cf_yaml_bool(L->ctx, L->file, n, "business_days", &biz) == CF_FAILED)
		return CF_FAILED;
	/* after a failed add the nulls read here are missing: no false error */
	if (biz && cJSON_IsNull(cJSON_GetObjectItem(o, "days")))
		return cf_yaml_error(L->ctx, L->file, n, "business_days needs a number of days");
	if (cJSON_IsNull(cJSON_GetObjectItem(o, "days")) &&
	    cJSON_IsNull(cJSON_GetObjectItem(o, "text")))
		return cf_yaml_error(L->ctx, L->file, n, "a clock without days needs a 'text' "
				     "saying when the notice is due");
	cf_jb_bool(&L->jb, o, "business_days", biz);
	return CF_OK;
}

static int load_recipients(struct loader *L, struct fy_node *r, cJSON *rule)
{
	static const char *const keys[] = {"kind", "name", "how", NULL};
	struct fy_node *n = cf_yaml_get(r, "recipients"), *e;
	cJSON *arr = cf_jb_array(&L->jb, rule, "recipients");
	void *it = NULL;
	int rc;

	if (!n || !fy_node_is_sequence(n) || !fy_node_sequence_item_count(n))
		return cf_yaml_error(L->ctx, L->file, n ? n : r, "'recipients' must be a "
				     "non-empty list of {kind, name}");
	while ((e = fy_node_sequence_iterate(n, &it))) {
		cJSON *o = cf_jb_object(&L->jb, arr, NULL);

		if ((rc = cf_yaml_check_keys(L->ctx, L->file, e, keys)) != CF_OK ||
		    (rc = put_str(L, e, "kind", o, 1, recipient_kinds)) != CF_OK ||
		    (rc = put_str(L, e, "name", o, 1, NULL)) != CF_OK ||
		    (rc = put_str(L, e, "how", o, 0, NULL)) != CF_OK)
			return rc;
	}
	return CF_OK;
}

/* A template file name: letters, digits, '.', '_' and '-', not hidden. */
static int file_name_ok(const char *s)
{
	if (!*s || *s == '.')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

static int load_extras(struct loader *L, struct fy_node *r, cJSON *rule)
{
	static const char *const mkeys[] = {"when", "months", "text", NULL};
	static const char *const lkeys[] = {"variant", "template", "omit", NULL};
	struct fy_node *n;
	cJSON *o;
	int rc;

	if (!(n = cf_yaml_get(r, "monitoring")) || cf_yaml_is_null(n)) {
		cf_jb_item(&L->jb, rule, "monitoring", NULL);
	} else {
		o = cf_jb_object(&L->jb, rule, "monitoring");
		if ((rc = cf_yaml_check_keys(L->ctx, L->file, n, mkeys)) != CF_OK ||
		    (rc = put_str(L, n, "when", o, 1, NULL)) != CF_OK ||
		    (rc = put_int(L, n, "months", o, 0, 1, 120)) != CF_OK ||
		    (rc = put_str(L, n, "text", o, 0, NULL)) != CF_OK)
			return rc;
	}
	if (!(n = cf_yaml_get(r, "letter")) || cf_yaml_is_null(n)) {
		cf_jb_item(&L->jb, rule, "letter", NULL);
		return CF_OK;
	}
	o = cf_jb_object(&L->jb, rule, "letter");
	if ((rc = cf_yaml_check_keys(L->ctx, L->file, n, lkeys)) != CF_OK ||
	    (rc = put_str(L, n, "variant", o, 1, NULL)) != CF_OK ||
	    (rc = put_str(L, n, "template", o, 1, NULL)) != CF_OK ||
	    (rc = put_strs(L, n, "omit", o, omissions)) != CF_OK)
		return rc;
	if (L->jb.err)
		return cf_set_nomem(L->ctx, L->file);
	if (!file_name_ok(cf_json_str(o, "variant", "")) ||
	    !file_name_ok(cf_json_str(o, "template", "")))
		return cf_yaml_error(L->ctx, L->file, n, "a letter's variant and template are "
				     "plain file names (letters, digits, '.', '_', '-')");
	return CF_OK;
}

static int load_rule(struct loader *L, struct fy_node *r, cJSON *rule)
{
	static const char *const keys[] = {"id", "state", "title", "trigger",
		"entity_types", "residents_at_least", "clock", "recipients",
		"content", "monitoring", "letter", "citation", "last_verified",
		"notes", NULL};
	const char *id, *st, *lv;
	int line, col, rc, y;
	unsigned m, d;
	char tail;

	if (!fy_node_is_mapping(r))
		return cf_yaml_error(L->ctx, L->file, r, "a rule is a mapping");
	cf_yaml_mark(r, &line, &col);
	if ((rc = cf_yaml_check_keys(L->ctx, L->file, r, keys)) != CF_OK ||
	    (rc = put_str(L, r, "id", rule, 1, NULL)) != CF_OK ||
	    (rc = put_str(L, r, "state", rule, 1, NULL)) != CF_OK ||
	    (rc = put_str(L, r, "title", rule, 0, NULL)) != CF_OK ||
	    (rc = put_str(L, r, "trigger", rule, 1, NULL)) != CF_OK ||
	    (rc = put_strs(L, r, "entity_types", rule, entity_types)) != CF_OK ||
	    (rc = put_int(L, r, "residents_at_least", rule, 0, 1,
			  1000000000)) != CF_OK ||
	    (rc = load_clock(L, r, rule)) != CF_OK ||
	    (rc = load_recipients(L, r, rule)) != CF_OK ||
	    (rc = put_strs(L, r, "content", rule, NULL)) != CF_OK ||
	    (rc = load_extras(L, r, rule)) != CF_OK ||
	    (rc = put_str(L, r, "citation", rule, 1, NULL)) != CF_OK ||
	    (rc = put_str(L, r, "last_verified", rule, 1, NULL)) != CF_OK ||
	    (rc = put_str(L, r, "notes", rule, 0, NULL)) != CF_OK)
		return rc;
	if (L->jb.err)
		return cf_set_nomem(L->ctx, L->file);
	id = cf_json_str(rule, "id", "");
	st = cf_json_str(rule, "state", "");
	lv = cf_json_str(rule, "last_verified", "");
	if (strlen(st) != 2 || st[0] < 'A' || st[0] > 'Z' || st[1] < 'A' || st[1] > 'Z')
		return cf_yaml_error(L->ctx, L->file, cf_yaml_get(r, "state"), "'state' is a "
				     "two-letter code in capitals (CA, NY)");
	if (strlen(lv) != 10 || sscanf(lv, "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return cf_yaml_error(L->ctx, L->file, cf_yaml_get(r, "last_verified"),
				     "'last_verified' is a date (YYYY-MM-DD)");
	if (cJSON_GetObjectItemCaseSensitive(L->ids, id))
		return cf_yaml_error(L->ctx, L->file, cf_yaml_get(r, "id"), "rule id '%s' is "
				     "used twice", id);
	cf_jb_bool(&L->jb, L->ids, id, 1);
	cf_jb_int(&L->jb, rule, "line", line);
	return CF_OK;
}

int cf_state_rules_load(struct cf_ctx *ctx, const char *path, cJSON **out)
{
	static const char *const keys[] = {"format", "rules", NULL};
	struct loader L = {ctx, path, CF_JB_INIT, NULL};
	struct fy_document *doc = NULL;
	struct fy_node *root, *rules, *r;
	cJSON *o, *arr;
	char *fmt = NULL;
	void *it = NULL;
	int rc;

	*out = NULL;
	if ((rc = cf_yaml_load(ctx, path, &doc)) != CF_OK)
		return rc;
	root = fy_document_root(doc);
	if (!root || !fy_node_is_mapping(root)) {
		rc = cf_yaml_error(ctx, path, root, "a State rules file is a mapping "
				   "with 'format' and 'rules'");
		goto out;
	}
	if ((rc = cf_yaml_check_keys(ctx, path, root, keys)) != CF_OK)
		goto out;
	/* no memory for the value is no memory, not a wrong format */
	if ((rc = cf_yaml_str(ctx, path, root, "format", &fmt)) == CF_FATAL)
		goto out;
	if (rc != CF_OK || strcmp(fmt, CF_STATES_FORMAT)) {
		rc = cf_yaml_error(ctx, path, cf_yaml_get(root, "format") ?
				   cf_yaml_get(root, "format") : root,
				   "'format' must be %s", CF_STATES_FORMAT);
		goto out;
	}
	rules = cf_yaml_get(root, "rules");
	if (!rules || !fy_node_is_sequence(rules)) {
		rc = cf_yaml_error(ctx, path, rules ? rules : root, "'rules' must be a list");
		goto out;
	}
	if (fy_node_sequence_item_count(rules) > CF_STATES_MAX_RULES) {
		rc = cf_yaml_error(ctx, path, rules, "more than %d rules",
				   CF_STATES_MAX_RULES);
		goto out;
	}
	o = cf_jb_init(&L.jb);
	if (!(L.ids = cJSON_CreateObject()))
		L.jb.err = -1;
	cf_jb_str(&L.jb, o, "format", CF_STATES_FORMAT);
	cf_jb_path(&L.jb, o, "source", path);
	arr = cf_jb_array(&L.jb, o, "rules");
	while ((r = fy_node_sequence_iterate(rules, &it)))
		if ((rc = load_rule(&L, r, cf_jb_object(&L.jb, arr, NULL))) != CF_OK)
			goto out;
	rc = (*out = cf_jb_finish(&L.jb)) ? CF_OK : cf_set_nomem(ctx, path);
out:
	free(fmt);
	cJSON_Delete(L.ids);
	cJSON_Delete(L.jb.root);
	fy_document_destroy(doc);
	return rc;
}

/* ---- evaluation ----------------------------------------------------------------- */

static uint64_t residents(const cJSON *by_state, const char *st)
{
	const cJSON *e;
	uint64_t n = 0;

	cJSON_ArrayForEach(e, by_state)
		if (!strcmp(cf_json_str(e, "state", ""), st))
			n += (uint64_t)cf_json_int(e, "count", 0);
	return n;
}

/* The day a rule's clock runs from and what it is, into note. */
static int64_t basis_day(const struct cf_state_clocks *c, const char *from,
			 char *note, size_t len)
{
	if (!strcmp(from, "determination")) {
		if (c->determination >= 0) {
			snprintf(note, len, "the day the breach was determined");
			return c->determination;
		}
		snprintf(note, len, "the day of discovery: no determination date is "
			 "recorded, and a breach cannot be determined before it is "
			 "discovered");
		return c->discovery;
	}
	if (!strcmp(from, "hhs")) {
		snprintf(note, len, "the last day for the notice to the Secretary of "
			 "HHS; if HHS is notified earlier, count from that day");
		return c->hhs;
	}
	if (!strcmp(from, "notice")) {
		snprintf(note, len, "the last day for the notices to individuals "
			 "(sent with them)");
		return c->notice;
	}
	snprintf(note, len, "the day of discovery");
	return c->discovery;
}

static int type_applies(const cJSON *rule, const char *type)
{
	const cJSON *t, *arr = cJSON_GetObjectItem(rule, "entity_types");

	if (!cJSON_GetArraySize(arr))
		return 1;
	cJSON_ArrayForEach(t, arr)
		if (cJSON_IsString(t) && !strcmp(t->valuestring, type))
			return 1;
	return 0;
}

static char *join_names(const cJSON *recipients)
{
	size_t len = 1;
	const cJSON *e;
	char *s;

	cJSON_ArrayForEach(e, recipients)
		len += strlen(cf_json_str(e, "name", "")) + 2;
	if (!(s = cf_malloc(len)))
		return NULL;
	*s = 0;
	cJSON_ArrayForEach(e, recipients) {
		if (*s)
			strcat(s, "; ");
		strcat(s, cf_json_str(e, "name", ""));
	}
	return s;
}

static int add_notice(cJSON *arr, const cJSON *rule, uint64_t n,
		      const struct cf_state_clocks *c)
{
	const cJSON *clk = cJSON_GetObjectItem(rule, "clock");
	const char *from = cf_json_str(clk, "from", "discovery");
	int64_t days = cf_json_int(clk, "days", -1), base, due = -1;
	int biz = cf_json_bool(clk, "business_days", 0);
	char note[256], when[512], *names;
	struct cf_jb jb = CF_JB_INIT;
	cJSON *o;
	static const char *const copy[] = {"id", "state", "title", "trigger",
		"residents_at_least", "recipients", "content", "monitoring",
		"letter", "citation", "last_verified", "notes", "line", NULL};

	if (!cJSON_IsNumber(cJSON_GetObjectItem(clk, "days")))
		days = -1;
	base = basis_day(c, from, note, sizeof note);
	if (days >= 0 && base >= 0)
		due = biz ? cf_business_days_add(base, days) : base + days;
	if (days < 0)
		*when = 0; /* the rule's own text, below */
	else if (!days)
		snprintf(when, sizeof when, "On %s.", note);
	else
		snprintf(when, sizeof when, "%lld %s after %s%s", (long long)days,
			 biz ? "business days" : "calendar days", note,
			 biz ? " (weekends and US federal holidays skipped; State "
			       "holidays not counted)" : "");
	o = cf_jb_object(&jb, arr, NULL);
	if (!(names = join_names(cJSON_GetObjectItem(rule, "recipients"))))
		return -1;
	for (size_t i = 0; copy[i]; i++) {
		const cJSON *v = cJSON_GetObjectItem(rule, copy[i]);

		if (v)
			cf_jb_made(&jb, o, copy[i], cJSON_Duplicate(v, 1));
	}
	cf_jb_int(&jb, o, "residents", (int64_t)n);
	cf_jb_str(&jb, o, "recipient_names", names);
	cf_jb_str(&jb, o, "clock_from", from);
	cf_report_jb_day(&jb, o, "clock_start", base);
	cf_jb_str(&jb, o, "clock_start_is", note);
	if (days >= 0)
		cf_jb_int(&jb, o, "days", days);
	else
		cf_jb_item(&jb, o, "days", NULL);
	cf_jb_bool(&jb, o, "business_days", biz);
	cf_report_jb_day(&jb, o, "due", due);
	cf_jb_str(&jb, o, "when", days < 0 ? cf_json_str(clk, "text", "") : when);
	cf_jb_bool(&jb, o, "to_confirm", 1);
	free(names);
	return jb.err;
}

int cf_state_rules_eval(struct cf_ctx *ctx, const cJSON *rules,
			const cJSON *by_state, const struct cf_state_clocks *c,
			cJSON **out)
{
	cJSON *o = cJSON_CreateObject(), *notices, *skipped;
	const cJSON *r;
	const char *type = c->entity_type ? c->entity_type : "provider";

	*out = NULL;
	if (!o || !(notices = cJSON_AddArrayToObject(o, "notices")) ||
	    !(skipped = cJSON_AddArrayToObject(o, "not_triggered")))
		goto nomem;
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(rules, "rules")) {
		const char *st = cf_json_str(r, "state", "");
		uint64_t n = residents(by_state, st);
		uint64_t min = (uint64_t)cf_json_int(r, "residents_at_least", 1);
		char why[256];
		cJSON *s;

		if (!n)
			continue;
		if (n >= min && type_applies(r, type)) {
			if (add_notice(notices, r, n, c))
				goto nomem;
			continue;
		}
		if (n < min)
			snprintf(why, sizeof why, "%llu resident(s) of %s; the rule applies "
				 "from %llu", (unsigned long long)n, st,
				 (unsigned long long)min);
		else
			snprintf(why, sizeof why, "the rule applies to other kinds of "
				 "entity than a %s", type);
		if (!(s = cJSON_CreateObject()) || cf_report_add(skipped, NULL, s) ||
		    cf_json_add_str(s, "id", cf_json_str(r, "id", "")) ||
		    cf_json_add_str(s, "state", st) ||
		    cf_json_add_int(s, "residents", (int64_t)n) ||
		    cf_json_add_str(s, "why", why) ||
		    cf_json_add_str(s, "citation", cf_json_str(r, "citation", "")))
			goto nomem;
	}
	*out = o;
	return CF_OK;
nomem:
	cJSON_Delete(o);
	return cf_set_nomem(ctx, "State notices");
}
