/* SPDX-License-Identifier: Apache-2.0
 *
 * The breach report's AI section (issue "AI incidents" item 6): when an
 * AI model is involved (a suspect or deciding model version, or exposed
 * data that trained one), the lineage of each implicated version (its
 * registry entry, source run, parameters, data references, who promoted it
 * and when, what replaced it), the decision cohorts, the overridden
 * decisions, the exposed data and a plain-language paragraph for the
 * letter saying that an AI tool was involved and what it did with the
 * patients' data.
 *
 * It counts nothing: every figure is the scope's (src/scope_lineage.c,
 * src/scope_cohort.c, src/scope_data.c), copied with its citations, so the
 * section, `timeline scope` and the patient-safety review agree.
 */
#include <stdio.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "model_int.h"

/* At most this many overridden decisions listed (all are counted). */
#define MAX_OVERRIDES 50

static int copy(cJSON *o, const char *k, const cJSON *v)
{
	cJSON *d;

	if (!v)
		return cf_json_add_item(o, k, NULL);
	return !(d = cJSON_Duplicate(v, 1)) || cf_json_add_item(o, k, d);
}

/* "k=v, k=v" of an object of strings and numbers. */
static void pairs(struct cf_buf *b, const cJSON *o)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, o) {
		cf_buf_printf(b, "%s%s=", b->len ? ", " : "", e->string);
		if (cJSON_IsString(e))
			cf_buf_puts(b, e->valuestring);
		else if (cJSON_IsNumber(e))
			cf_buf_printf(b, "%g", e->valuedouble);
	}
}

static int add_text(cJSON *o, const char *k, struct cf_buf *b)
{
	int rc = cf_buf_error(b) || cf_json_add_str(o, k, b->len ? b->data : "");

	cf_buf_reset(b);
	return rc ? -1 : 0;
}

/* One version's row, its lineage flattened for the table. */
static int version(cJSON *arr, const cJSON *l, struct cf_buf *b)
{
	const cJSON *reg = obj_get(l, "registered"), *run = obj_get(l, "run");
	const cJSON *pro = obj_get(l, "promoted"), *rep = obj_get(l, "replaced_by"), *e;
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddItemToArray(arr, o)) {
		cJSON_Delete(o);
		return -1;
	}
	if (cf_json_add_str(o, "model", cf_json_str(l, "model", "")) ||
	    cf_json_add_str(o, "version", cf_json_str(l, "version", "")) ||
	    cf_json_add_str(o, "registered", cf_json_str(reg, "time", "not in the store")) ||
	    cf_json_add_str(o, "registered_by", cf_json_str(reg, "by", "not recorded")) ||
	    cf_json_add_str(o, "run_id", cf_json_str(reg, "run_id", "")) ||
	    cf_json_add_str(o, "run_name", cf_json_str(run, "name", "")) ||
	    cf_json_add_str(o, "artifacts", cf_json_str(reg, "source", "")))
		return -1;
	pairs(b, obj_get(run, "params"));
	if (add_text(o, "parameters", b))
		return -1;
	cJSON_ArrayForEach(e, obj_get(run, "datasets"))
		cf_buf_printf(b, "%s%s (digest %s, source %s)", b->len ? "; " : "",
			      cf_json_str(e, "name", "?"), cf_json_str(e, "digest", "?"),
			      cf_json_str(e, "source", "?"));
	if (cJSON_IsString(obj_get(obj_get(run, "tags"), "dataset")))
		cf_buf_printf(b, "%sdataset tag %s", b->len ? "; " : "",
			      obj_get(obj_get(run, "tags"), "dataset")->valuestring);
	if (cJSON_IsString(obj_get(obj_get(run, "tags"), "mlflow.source.git.commit")))
		cf_buf_printf(b, "%scode commit %s", b->len ? "; " : "",
			      obj_get(obj_get(run, "tags"), "mlflow.source.git.commit")->valuestring);
	if (add_text(o, "data", b))
		return -1;
	if (cJSON_IsObject(pro))
		cf_buf_printf(b, "%s, %s, registered by %s", cf_json_str(pro, "time", "?"),
			      cf_json_str(pro, "how", ""), cf_json_str(pro, "by", "no one recorded"));
	else
		cf_buf_puts(b, "no promotion in the store");
	if (add_text(o, "promoted", b))
		return -1;
	if (cJSON_IsObject(rep))
		cf_buf_printf(b, "version %s (created %s)", cf_json_str(rep, "version", "?"),
			      cf_json_str(rep, "created", "?"));
	else
		cf_buf_puts(b, "not replaced in the store");
	if (add_text(o, "replaced_by", b))
		return -1;
	cJSON_ArrayForEach(e, obj_get(l, "stages"))
		cf_buf_printf(b, "%s%s (%s)", b->len ? ", " : "", cf_json_str(e, "stage", "?"),
			      cf_json_str(e, "time", "?"));
	cJSON_ArrayForEach(e, obj_get(l, "aliases"))
		cf_buf_printf(b, "%salias %s", b->len ? ", " : "", cf_json_str(e, "alias", "?"));
	if (add_text(o, "stages", b))
		return -1;
	return copy(o, "lineage", l);
}

static int overrides(struct build *b, cJSON *sec)
{
	const cJSON *d;
	cJSON *rows = cJSON_AddArrayToObject(sec, "overrides");
	int64_t n = 0;

	if (!rows)
		return -1;
	cJSON_ArrayForEach(d, obj_get(b->in->scope, "model_decisions")) {
		cJSON *o;
		if (strcmp(cf_json_str(d, "outcome", ""), "overridden"))
			continue;
		if (n++ >= MAX_OVERRIDES)
			continue;
		if (!(o = cJSON_CreateObject()) || !cJSON_AddItemToArray(rows, o)) {
			cJSON_Delete(o);
			return -1;
		}
		static const char *const keys[] = {"time", "patient", "model", "version",
			"output", "stage", "override_by", "override_reason", "archive",
			"member"};
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
			if (cf_json_add_str(o, keys[i], cf_json_str(d, keys[i], NULL)))
				return -1;
		if (cf_json_add_int(o, "line", cf_json_int(d, "line", 0)))
			return -1;
	}
	return cf_json_add_int(sec, "overridden", n);
}

/* The paragraph a person may put in the letter: plain words, no jargon. */
static int paragraph(struct build *b, cJSON *sec, const char *kind)
{
	const cJSON *c = cJSON_GetArrayItem(obj_get(b->in->scope, "cohorts"), 0);
	const cJSON *l = cJSON_GetArrayItem(obj_get(b->in->scope, "lineage"), 0);
	const cJSON *dat = obj_get(b->in->scope, "data_at_rest");
	const char *model = cf_json_str(c ? c : l, "model", NULL);
	struct cf_buf t;
	int rc;

	cf_buf_init(&t);
	cf_buf_printf(&t, "Our organisation uses a computer program that relies on "
		      "artificial intelligence (AI)%s%s to help our staff. ",
		      model ? ", called " : "", model ? model : "");
	if (!strcmp(kind, "training-data-exposure") || (dat && !c))
		cf_buf_puts(&t, "To build and test that program, we gave it a copy of "
			    "information from patients' medical records, and your "
			    "information was in that copy. That copy was stored in a way "
			    "that people outside our organisation could reach. The "
			    "program itself did not make decisions about your care with "
			    "this copy.");
	else if (c)
		cf_buf_printf(&t, "It read information from your medical record and "
			      "produced a risk estimate that your care team could see "
			      "between %s and %s. People on your care team reviewed these "
			      "estimates and could set them aside; %lld of the program's "
			      "%lld estimates in that period were set aside by a clinician.",
			      cf_json_str(obj_get(c, "first"), "time", "?"),
			      cf_json_str(obj_get(c, "last"), "time", "?"),
			      (long long)cf_json_int(c, "overridden", 0),
			      (long long)cf_json_int(c, "decisions", 0));
	else
		cf_buf_puts(&t, "The program was involved in this incident.");
	rc = cf_buf_error(&t) || cf_json_add_str(sec, "letter_paragraph", t.data) ||
	     cf_model_add_note(b->confirm, "ai", "letter_paragraph", "Review the "
			       "plain-language paragraph on the AI tool before it goes "
			       "into the letter.");
	cf_buf_release(&t);
	return rc ? -1 : 0;
}

int cf_model_ai(struct build *b)
{
	const cJSON *scope = b->in->scope, *e;
	const char *kind = cf_json_str(b->resolved, "kind", "");
	cJSON *sec, *arr;
	struct cf_buf t;
	int bad = 0;

	if (!cJSON_GetArraySize(obj_get(scope, "lineage")) &&
	    !cJSON_GetArraySize(obj_get(scope, "cohorts")) &&
	    strcmp(kind, "training-data-exposure") && strcmp(kind, "model-malfunction"))
		return CF_OK;
	cf_buf_init(&t);
	if (!(sec = cJSON_AddObjectToObject(b->model, "ai")) ||
	    cf_json_add_bool(sec, "involved", 1) ||
	    !(arr = cJSON_AddArrayToObject(sec, "versions")))
		goto nomem;
	cJSON_ArrayForEach(e, obj_get(scope, "lineage"))
		if (version(arr, e, &t))
			goto nomem;
	if (!(arr = cJSON_AddArrayToObject(sec, "cohorts")))
		goto nomem;
	cJSON_ArrayForEach(e, obj_get(scope, "cohorts")) {
		cJSON *o = cJSON_Duplicate(e, 1);
		cJSON_DeleteItemFromObjectCaseSensitive(o, "by_patient");
		if (!o || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			goto nomem;
		}
	}
	if (overrides(b, sec) ||
	    copy(sec, "data_at_rest", obj_get(obj_get(scope, "data_at_rest"), "sources")) ||
	    paragraph(b, sec, kind))
		goto nomem;
	bad = cf_buf_error(&t);
	cf_buf_release(&t);
	return bad ? cf_set_nomem(b->ctx, "ai") : CF_OK;
nomem:
	cf_buf_release(&t);
	return cf_set_nomem(b->ctx, "ai");
}
