/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of reports/model_risk.c and the PHI table (src/phi.c): factor 3
 * classes actions by meaning, every FHIR clinical resource maps to a portal
 * box, factor 1 lists only the data elements the evidence shows (with
 * citations), the letter states a claim only when the incident file does,
 * and deadlines are flagged against today at their boundaries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/scope.h"
#include "casefile/time.h"
#include "model.h"
#include "model_int.h"
#include "testutil.h"

static void actions_are_classed_by_meaning(void **state)
{
	static const char *const viewed[] = {"read", "vread", "search",
		"search-type", "search-system", "history", "history-instance",
		"history-type", "export", "$export", "GET", "get", NULL};
	static const char *const changed[] = {"create", "update", "patch",
		"delete", "PUT", "DELETE", NULL};

	(void)state;
	for (size_t i = 0; viewed[i]; i++)
		assert_int_equal(cf_model_access_meaning(viewed[i], "Patient/1"),
				 CF_ACCESS_VIEWED);
	for (size_t i = 0; changed[i]; i++)
		assert_int_equal(cf_model_access_meaning(changed[i], "Patient/1"),
				 CF_ACCESS_CHANGED);
	/* a POST is a search when it goes to _search, an export to $export */
	assert_int_equal(cf_model_access_meaning("POST", "/fhir/Patient/_search"),
			 CF_ACCESS_VIEWED);
	assert_int_equal(cf_model_access_meaning("POST", "/fhir/Patient"),
			 CF_ACCESS_CHANGED);
	assert_int_equal(cf_model_access_meaning("operation", "/fhir/Group/1/$export"),
			 CF_ACCESS_VIEWED);
	assert_int_equal(cf_model_access_meaning("HEAD", "/fhir/Patient/1"),
			 CF_ACCESS_UNCLEAR);
	assert_int_equal(cf_model_access_meaning("login", NULL), CF_ACCESS_UNCLEAR);
	assert_int_equal(cf_model_access_meaning(NULL, NULL), CF_ACCESS_UNCLEAR);
	/* "read" must match as a word, not a prefix */
	assert_int_equal(cf_model_access_meaning("readiness", NULL), CF_ACCESS_UNCLEAR);
}

static void fhir_resources_map_to_portal_boxes(void **state)
{
	static const struct { const char *type, *box, *item; } want[] = {
		{"Patient", "Demographic", "Other"},
		{"ImagingStudy", "Clinical", "Other Treatment Information"},
		{"Media", "Clinical", "Other Treatment Information"},
		{"DiagnosticReport.RAD", "Clinical", "Other Treatment Information"},
		{"AllergyIntolerance", "Clinical", "Diagnosis/Conditions"},
		{"Immunization", "Clinical", "Other Treatment Information"},
		{"Encounter", "Clinical", "Other Treatment Information"},
		{"CarePlan", "Clinical", "Other Treatment Information"},
		{"Goal", "Clinical", "Other Treatment Information"},
		{"FamilyMemberHistory", "Clinical", "Other Treatment Information"},
		{"DocumentReference", "Clinical", "Other Treatment Information"},
		{"Procedure", "Clinical", "Other Treatment Information"},
		{"Condition", "Clinical", "Diagnosis/Conditions"},
		{"Observation", "Clinical", "Other Treatment Information"},
		{"Observation.laboratory", "Clinical", "Lab Results"},
		{"Observation.vital-signs", "Clinical", "Other Treatment Information"},
		{"MedicationRequest", "Clinical", "Medications"},
		{"Coverage", "Financial", "Other"},
		{"Claim", "Financial", "Claims Information"},
		{"ExplanationOfBenefit", "Financial", "Claims Information"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const char *cat = cf_phi_category(want[i].type), *item = NULL;

		assert_non_null(cat);
		assert_string_equal(cf_phi_portal(cat, &item), want[i].box);
		assert_string_equal(item, want[i].item);
	}
	assert_string_equal(cf_phi_category("Observation.laboratory"), "lab results");
	assert_string_equal(cf_phi_category("Observation.vital-signs"), "vital signs");
	assert_null(cf_phi_category("AuditEvent"));
	assert_null(cf_phi_portal("something written by hand", NULL));
}

/* ---- the model ------------------------------------------------------------ */

static const char incident_json[] =
	"{\"id\":\"INC-1\",\"covered_entity\":{\"name\":\"E\",\"type\":\"provider\","
	"\"contact\":{\"phone\":\"1-800-555-0100\"}},"
	"\"discovered\":\"2026-03-04T09:30:00Z\","
	"\"window\":{\"from\":\"2026-03-01T00:00:00Z\",\"to\":\"2026-03-04T09:30:00Z\"},"
	"\"suspects\":{\"actors\":[\"u1\"],\"ips\":[],\"credentials\":[],\"models\":[]}%s}";

/* Two patients: p1 read (with an address element cited by its Patient
 * record), p2 updated and searched-by-HEAD. */
static const char scope_json[] =
	"{\"patients\":[\"p1\",\"p2\"],\"failed_attempts\":[],"
	"\"patient_details\":["
	"{\"patient\":\"p1\",\"state\":\"MA\",\"has_contact\":true,"
	" \"record\":{\"archive\":\"aa\",\"member\":\"evidence/x/Patient.ndjson\",\"line\":7},"
	" \"elements\":[\"address (State of residence)\","
	"  {\"element\":\"name\",\"archive\":\"aa\",\"member\":\"evidence/x/Patient.ndjson\",\"line\":7}],"
	" \"evidence\":[{\"ts\":\"2026-03-02T01:00:00Z\",\"actor\":\"u1\",\"action\":\"read\","
	"  \"resource\":\"Patient/p1\",\"archive\":\"aa\",\"member\":\"evidence/x/audit\",\"line\":1}]},"
	"{\"patient\":\"p2\",\"state\":\"MA\",\"has_contact\":true,"
	" \"evidence\":[{\"ts\":\"2026-03-02T02:00:00Z\",\"actor\":\"u1\",\"action\":\"update\","
	"  \"resource\":\"Patient/p2\",\"archive\":\"aa\",\"member\":\"evidence/x/audit\",\"line\":2},"
	"  {\"ts\":\"2026-03-02T03:00:00Z\",\"actor\":\"u1\",\"action\":\"HEAD\","
	"  \"resource\":\"/fhir/Patient/p2\",\"archive\":\"aa\",\"member\":\"evidence/x/audit\",\"line\":3}]}]}";

static cJSON *build(const char *extra, const char *today)
{
	struct cf_ctx ctx;
	struct cf_report_input in;
	char inc_text[2048];
	cJSON *inc, *scope, *model = NULL;
	int64_t t;

	cf_ctx_init(&ctx);
	snprintf(inc_text, sizeof inc_text, incident_json, extra);
	assert_non_null(inc = cJSON_Parse(inc_text));
	assert_non_null(scope = cJSON_Parse(scope_json));
	assert_int_equal(cf_time_parse("2026-03-05T12:00:00Z", -1, &t, NULL), 0);
	memset(&in, 0, sizeof in);
	in.incident = inc;
	in.scope = scope;
	in.scope_name = "scope";
	in.generated_at = t;
	in.today = today;
	if (cf_report_build(&ctx, &in, &model) != CF_OK)
		fail_msg("%s", cf_errmsg(&ctx));
	cJSON_Delete(inc);
	cJSON_Delete(scope);
	return model;
}

static const cJSON *factor(const cJSON *model, const char *id)
{
	const cJSON *f;

	cJSON_ArrayForEach(f, obj_get(obj_get(model, "risk_assessment"), "factors"))
		if (!strcmp(cf_json_str(f, "id", ""), id))
			return f;
	fail_msg("no factor %s", id);
	return NULL;
}

static int has_note(const cJSON *model, const char *section, const char *field_part)
{
	const cJSON *n;

	cJSON_ArrayForEach(n, obj_get(model, "to_confirm"))
		if (!strcmp(cf_json_str(n, "section", ""), section) &&
		    strstr(cf_json_str(n, "field", ""), field_part))
			return 1;
	return 0;
}

static void factor3_counts_by_meaning(void **state)
{
	cJSON *m = build("", NULL);
	const cJSON *c = obj_get(factor(m, "acquired_viewed"), "counts");

	(void)state;
	assert_int_equal(cf_json_int(c, "viewed", -1), 1);
	assert_int_equal(cf_json_int(c, "changed", -1), 1);
	assert_int_equal(cf_json_int(c, "unclear", -1), 1);
	assert_int_equal(cf_json_int(obj_get(c, "viewed_by_action"), "read", -1), 1);
	assert_string_equal(cJSON_GetArrayItem(obj_get(c, "unclear_actions"), 0)->valuestring,
			    "HEAD");
	/* the viewed access is cited first */
	assert_int_equal(cf_json_int(cJSON_GetArrayItem(obj_get(factor(m, "acquired_viewed"),
					"cites"), 0), "line", 0), 1);
	assert_true(has_note(m, "risk_assessment", "acquired_viewed"));
	cJSON_Delete(m);
}

static void factor1_lists_elements_with_citations(void **state)
{
	cJSON *m = build("", NULL);
	const cJSON *f = factor(m, "nature_extent"), *e, *missing;
	int names = 0, addr = 0;

	(void)state;
	cJSON_ArrayForEach(e, obj_get(f, "data_elements")) {
		const cJSON *cite = cJSON_GetArrayItem(obj_get(e, "cites"), 0);

		assert_int_equal(cf_json_int(e, "individuals", 0), 1);
		assert_string_equal(cf_json_str(cite, "member", ""), "evidence/x/Patient.ndjson");
		assert_int_equal(cf_json_int(cite, "line", 0), 7);
		names += !strcmp(cf_json_str(e, "element", ""), "name");
		addr += !strcmp(cf_json_str(e, "element", ""), "address (State of residence)");
	}
	assert_int_equal(names, 1);
	assert_int_equal(addr, 1);
	/* not shown: listed as not established, never claimed */
	missing = obj_get(f, "not_established");
	assert_int_equal(cJSON_GetArraySize(missing), 6);
	cJSON_ArrayForEach(e, missing) {
		assert_string_not_equal(e->valuestring, "name");
		assert_string_not_equal(e->valuestring, "address");
	}
	assert_non_null(strstr(cf_json_str(f, "finding", ""), "Not established from "
			       "evidence (to confirm): date of birth, medical record number, "
			       "Social Security number"));
	assert_true(has_note(m, "risk_assessment", "data_elements"));
	cJSON_Delete(m);
}

static void letter_states_only_what_the_file_says(void **state)
{
	cJSON *m = build("", NULL);
	const cJSON *l = obj_get(m, "letter");

	(void)state;
	assert_non_null(strstr(cf_json_str(l, "phone_line", ""), "[To confirm: whether this number is toll-free]"));
	assert_null(strstr(cf_json_str(l, "phone_line", ""), "toll-free number"));
	assert_non_null(strstr(cf_json_str(l, "access_blocked", ""), "[To confirm:"));
	assert_non_null(strstr(cf_json_str(l, "law_enforcement", ""), "[To confirm:"));
	assert_true(has_note(m, "letter", "toll-free"));
	assert_true(has_note(m, "letter", "access stopped"));
	assert_true(has_note(m, "letter", "law enforcement"));
	assert_true(has_note(m, "letter", "services offered"));
	cJSON_Delete(m);

	m = build(",\"response\":{\"phone_toll_free\":\"true\","
		  "\"access_blocked\":\"We disabled the account on March 4, 2026.\","
		  "\"law_enforcement\":\"We reported the incident to the FBI.\","
		  "\"prevention\":\"We now review access weekly.\","
		  "\"credit_monitoring\":\"We offer 12 months of credit monitoring.\"}", NULL);
	l = obj_get(m, "letter");
	assert_string_equal(cf_json_str(l, "phone_line", ""), "call our toll-free number 1-800-555-0100");
	assert_string_equal(cf_json_str(l, "access_blocked", ""), "We disabled the account on March 4, 2026.");
	assert_string_equal(cf_json_str(l, "law_enforcement", ""), "We reported the incident to the FBI.");
	assert_false(has_note(m, "letter", ""));
	cJSON_Delete(m);
}

/* Individual notice: discovered 2026-03-04, due 2026-05-03 (60 days),
 * target 2026-04-23. */
static void overdue_flags_at_the_boundary(void **state)
{
	static const struct { const char *today, *status; long long left; int note; } c[] = {
		{"2026-04-23", "open", 10, 0},
		{"2026-04-24", "past target", 9, 0},
		{"2026-05-03", "due today", 0, 1},
		{"2026-05-04", "overdue", -1, 1},
	};

	(void)state;
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		cJSON *m = build("", c[i].today);
		const cJSON *ob = obj_get(m, "obligations");
		const cJSON *ind = obj_get(ob, "individual_notice");

		assert_string_equal(cf_json_str(ind, "due", ""), "2026-05-03");
		assert_string_equal(cf_json_str(ind, "target", ""), "2026-04-23");
		assert_string_equal(cf_json_str(ind, "status", ""), c[i].status);
		assert_int_equal(cf_json_int(ind, "days_left", 99), c[i].left);
		assert_string_equal(cf_json_str(ob, "today", ""), c[i].today);
		assert_int_equal(has_note(m, "obligations", "Individual"), c[i].note);
		cJSON_Delete(m);
	}
	/* without --today: the report's own date (2026-03-05) */
	{
		cJSON *m = build("", NULL);

		assert_string_equal(cf_json_str(obj_get(m, "obligations"), "today", ""), "2026-03-05");
		cJSON_Delete(m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(actions_are_classed_by_meaning),
		cmocka_unit_test(fhir_resources_map_to_portal_boxes),
		cmocka_unit_test(factor3_counts_by_meaning),
		cmocka_unit_test(factor1_lists_elements_with_citations),
		cmocka_unit_test(letter_states_only_what_the_file_says),
		cmocka_unit_test(overdue_flags_at_the_boundary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
