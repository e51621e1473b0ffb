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

/* A deep copy of v under k, or a null when v is NULL. */
static void copy(struct cf_jb *jb, cJSON *o, const char *k, const cJSON *v)
{
	if (v)
		cf_jb_made(jb, o, k, cJSON_Duplicate(v, 1));
	else
		cf_jb_item(jb, o, k, NULL);
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

/* The text of b under k; b is emptied for the next one. */
static void add_text(struct cf_jb *jb, cJSON *o, const char *k, struct cf_buf *b)
{
	if (cf_buf_error(b))
		jb->err = -1;
	cf_jb_str(jb, o, k, b->len ? b->data : "");
	cf_buf_reset(b);
}

/* One version's row, its lineage flattened for the table. */
static void version(struct cf_jb *jb, cJSON *arr, const cJSON *l,
		    struct cf_buf *b)
{
	const cJSON *reg = obj_get(l, "registered"), *run = obj_get(l, "run");
	const cJSON *pro = obj_get(l, "promoted"), *rep = obj_get(l, "replaced_by"), *e;
	cJSON *o = cf_jb_object(jb, arr, NULL);

	cf_jb_str(jb, o, "model", cf_json_str(l, "model", ""));
	cf_jb_str(jb, o, "version", cf_json_str(l, "version", ""));
	cf_jb_str(jb, o, "registered", cf_json_str(reg, "time", "not in the store"));
	cf_jb_str(jb, o, "registered_by", cf_json_str(reg, "by", "not recorded"));
	cf_jb_str(jb, o, "run_id", cf_json_str(reg, "run_id", ""));
	cf_jb_str(jb, o, "run_name", cf_json_str(run, "name", ""));
	cf_jb_str(jb, o, "artifacts", cf_json_str(reg, "source", ""));
	pairs(b, obj_get(run, "params"));
	add_text(jb, o, "parameters", b);
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
	add_text(jb, o, "data", b);
	if (cJSON_IsObject(pro))
		cf_buf_printf(b, "%s, %s, registered by %s", cf_json_str(pro, "time", "?"),
			      cf_json_str(pro, "how", ""), cf_json_str(pro, "by", "no one recorded"));
	else
		cf_buf_puts(b, "no promotion in the store");
	add_text(jb, o, "promoted", b);
	if (cJSON_IsObject(rep))
		cf_buf_printf(b, "version %s (created %s)", cf_json_str(rep, "version", "?"),
			      cf_json_str(rep, "created", "?"));
	else
		cf_buf_puts(b, "not replaced in the store");
	add_text(jb, o, "replaced_by", b);
	cJSON_ArrayForEach(e, obj_get(l, "stages"))
		cf_buf_printf(b, "%s%s (%s)", b->len ? ", " : "", cf_json_str(e, "stage", "?"),
			      cf_json_str(e, "time", "?"));
	cJSON_ArrayForEach(e, obj_get(l, "aliases"))
		cf_buf_printf(b, "%salias %s", b->len ? ", " : "", cf_json_str(e, "alias", "?"));
	add_text(jb, o, "stages", b);
	copy(jb, o, "lineage", l);
}

static void overrides(struct cf_jb *jb, struct build *b, cJSON *sec)
{
	static const char *const keys[] = {"time", "patient", "model", "version",
		"output", "stage", "override_by", "override_reason", "archive",
		"member"};
	const cJSON *d;
	cJSON *rows = cf_jb_array(jb, sec, "overrides");
	int64_t n = 0;

	cJSON_ArrayForEach(d, obj_get(b->in->scope, "model_decisions")) {
		cJSON *o;
		if (strcmp(cf_json_str(d, "outcome", ""), "overridden"))
			continue;
		if (n++ >= MAX_OVERRIDES)
			continue;
		o = cf_jb_object(jb, rows, NULL);
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
			cf_jb_str(jb, o, keys[i], cf_json_str(d, keys[i], NULL));
		cf_jb_int(jb, o, "line", cf_json_int(d, "line", 0));
	}
	cf_jb_int(jb, sec, "overridden", n);
}

/* The paragraph a person may put in the letter: plain words, no jargon. */
static void paragraph(struct cf_jb *jb, struct build *b, cJSON *sec,
		      const char *kind)
{
	const cJSON *c = cJSON_GetArrayItem(obj_get(b->in->scope, "cohorts"), 0);
	const cJSON *l = cJSON_GetArrayItem(obj_get(b->in->scope, "lineage"), 0);
	const cJSON *dat = obj_get(b->in->scope, "data_at_rest");
	const char *model = cf_json_str(c ? c : l, "model", NULL);
	struct cf_buf t;

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
	add_text(jb, sec, "letter_paragraph", &t);
	cf_model_note(jb, b->confirm, "ai", "letter_paragraph", "Review the "
		      "plain-language paragraph on the AI tool before it goes "
		      "into the letter.");
	cf_buf_release(&t);
}

int cf_model_ai(struct build *b)
{
	const cJSON *scope = b->in->scope, *e;
	const char *kind = cf_json_str(b->resolved, "kind", "");
	struct cf_jb jb = CF_JB_INIT;
	cJSON *sec, *arr;
	struct cf_buf t;

	if (!cJSON_GetArraySize(obj_get(scope, "lineage")) &&
	    !cJSON_GetArraySize(obj_get(scope, "cohorts")) &&
	    strcmp(kind, "training-data-exposure") && strcmp(kind, "model-malfunction"))
		return CF_OK;
	cf_buf_init(&t);
	sec = cf_jb_object(&jb, b->model, "ai");
	cf_jb_bool(&jb, sec, "involved", 1);
	arr = cf_jb_array(&jb, sec, "versions");
	cJSON_ArrayForEach(e, obj_get(scope, "lineage"))
		version(&jb, arr, e, &t);
	arr = cf_jb_array(&jb, sec, "cohorts");
	cJSON_ArrayForEach(e, obj_get(scope, "cohorts")) {
		cJSON *o = cJSON_Duplicate(e, 1);

		cJSON_DeleteItemFromObjectCaseSensitive(o, "by_patient");
		cf_jb_made(&jb, arr, NULL, o);
	}
	overrides(&jb, b, sec);
	copy(&jb, sec, "data_at_rest", obj_get(obj_get(scope, "data_at_rest"), "sources"));
	paragraph(&jb, b, sec, kind);
	cf_buf_release(&t);
	return jb.err ? cf_set_nomem(b->ctx, "ai") : CF_OK;
}
