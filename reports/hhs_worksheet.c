/* SPDX-License-Identifier: Apache-2.0
 *
 * The HHS breach portal worksheet: every item of OCR's form "Notice to the
 * Secretary of HHS of Breach of Unsecured Protected Health Information"
 * (45 CFR 164.408), in the form's order, pre-filled so that a privacy
 * officer can copy it into the portal field by field.
 *
 * The form has two questions before its five sections (whether the breach
 * affects 500 or more individuals, and whether this is an initial report
 * or an addendum to an earlier one, with that filing's transaction
 * number), then: 1 the covered entity, 2 the business associate, 3 the
 * breach (dates, discovery, number affected, type, location, types of PHI
 * with their elements, a description, the safeguards in place before), 4
 * notice of breach and actions taken, 5 attestation. Figures come from the
 * model already built (the portal fields of model_notices.c, the PHI
 * categories, the accesses, the obligations); what only a person knows
 * comes from the incident file's `hhs_filing` block (casefile/filing.h),
 * and whatever neither gives is an empty field marked to confirm. A
 * breach that involves substance-use-disorder records of a 42 CFR Part 2
 * program is flagged: OCR takes those as a separate Part 2 breach report.
 *
 * Model side (cf_model_worksheet) and the Markdown and HTML renderings of
 * the worksheet live here together so that the item names are written
 * once. Nothing here reads a file or prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/error.h"
#include "casefile/filing.h"
#include "casefile/json.h"
#include "escape.h"
#include "hhs_worksheet.h"
#include "model_int.h"
#include "render_int.h"

#define NARRATIVE_MAX 4000

/* ---- model ---------------------------------------------------------------- */

/* Appends a field {item, value, confirm, source} to the section's fields;
 * selected (may be NULL) is a multi-select's list of chosen labels, moved
 * into the field (or freed when the build has failed). */
static void field(struct cf_jb *jb, cJSON *fields, const char *item,
		  const char *value, int confirm, const char *source,
		  cJSON *selected)
{
	cJSON *o = cf_jb_object(jb, fields, NULL);

	cf_jb_str(jb, o, "item", item);
	cf_jb_str(jb, o, "value", value ? value : "");
	cf_jb_bool(jb, o, "confirm", confirm);
	cf_jb_str(jb, o, "source", source);
	if (selected)
		cf_jb_item(jb, o, "selected", selected);
}

/* A new section; its list of fields. */
static cJSON *section(struct cf_jb *jb, cJSON *sections, const char *id,
		      const char *title)
{
	cJSON *s = cf_jb_object(jb, sections, NULL);

	cf_jb_str(jb, s, "id", id);
	cf_jb_str(jb, s, "title", title);
	return cf_jb_array(jb, s, "fields");
}

/* The value of the portal field named `name` (model_notices.c). */
static const char *portal(const struct build *b, const char *name)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, obj_get(b->model, "hhs_portal"))
		if (!strcmp(cf_json_str(e, "field", ""), name))
			return cf_json_str(e, "value", "");
	return "";
}

/* The labels of the incident file's list at key of filing (the caller
 * frees them), or NULL when the file gives none or the build failed. */
static cJSON *chosen(struct cf_jb *jb, const cJSON *filing, const char *key,
		     const struct cf_portal_choice *list)
{
	const cJSON *e;
	cJSON *out;

	if (!cJSON_GetArraySize(obj_get(filing, key)))
		return NULL;
	if (!(out = cJSON_CreateArray()))
		jb->err = -1;
	cJSON_ArrayForEach(e, obj_get(filing, key)) {
		const char *l = cJSON_IsString(e) ? cf_portal_label(list, e->valuestring) : NULL;

		if (l)
			cf_jb_made(jb, out, NULL, cJSON_CreateString(l));
	}
	if (jb->err) {
		cJSON_Delete(out);
		return NULL;
	}
	return out;
}

/* Appends s to arr unless it is there already. */
static void add_unique(struct cf_jb *jb, cJSON *arr, const char *s)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, arr)
		if (!strcmp(e->valuestring, s))
			return;
	cf_jb_made(jb, arr, NULL, cJSON_CreateString(s));
}

/* A new list (the caller frees it) of the strings added to it. */
static cJSON *new_list(struct cf_jb *jb)
{
	cJSON *a = cJSON_CreateArray();

	if (!a)
		jb->err = -1;
	return a;
}

/* A list of the one string s. */
static cJSON *one(struct cf_jb *jb, const char *s)
{
	cJSON *a = new_list(jb);

	add_unique(jb, a, s);
	return a;
}

/* A multi-select field: the incident file's choices, else the guess (a
 * list of labels, taken; NULL when there is none to make), marked to
 * confirm. */
static void multi(struct cf_jb *jb, cJSON *fields, const char *item,
		  const cJSON *filing, const char *key,
		  const struct cf_portal_choice *list, cJSON *guess,
		  const char *other_key)
{
	const char *other = other_key ? cf_json_str(filing, other_key, NULL) : NULL;
	cJSON *sel = chosen(jb, filing, key, list);
	char *joined = NULL;
	int from_file = sel != NULL;

	if (from_file || jb->err)
		cJSON_Delete(guess);
	else
		sel = guess;
	if (!jb->err && !sel && !(sel = cJSON_CreateArray()))
		jb->err = -1;
	if (!jb->err && !(joined = cf_model_join(sel, NULL)))
		jb->err = -1;
	if (jb->err) {
		cJSON_Delete(sel);
		return;
	}
	field(jb, fields, item, joined, !from_file,
	      from_file ? "incident file (hhs_filing)"
	      : cJSON_GetArraySize(sel) ? "evidence (pre-filled)"
	      : "a person must select them", sel);
	free(joined);
	if (other)
		field(jb, fields, "Other (describe)", other, 0, "incident file (hhs_filing)", NULL);
}

/* The evidence's guess at the locations: the portal field's, plus the AI
 * inference service or model store when a model is a suspect, the
 * incident is of a model, or suspect models made decisions. */
static cJSON *guess_locations(struct cf_jb *jb, const struct build *b)
{
	const cJSON *inc = b->in->incident;
	const char *kind = cf_json_str(b->resolved, "kind", "");
	cJSON *g = one(jb, portal(b, "Location of breached information"));

	if (cJSON_GetArraySize(obj_get(obj_get(inc, "suspects"), "models")) ||
	    cJSON_GetArraySize(obj_get(b->model, "model_decisions")) ||
	    !strcmp(kind, "model-malfunction") || !strcmp(kind, "training-data-exposure"))
		add_unique(jb, g, cf_portal_label(cf_portal_locations, "ai-service"));
	return g;
}

/* "Clinical: Lab Results", ... from the PHI categories of the evidence. */
static cJSON *phi_elements(struct cf_jb *jb, const struct build *b)
{
	cJSON *g = new_list(jb);
	const cJSON *e;
	char s[160];

	cJSON_ArrayForEach(e, obj_get(b->model, "phi_categories")) {
		const char *t = cf_json_str(e, "portal_type", "Other");
		const char *item = cf_json_str(e, "portal_item", NULL);

		if (item && strcmp(t, "Other"))
			snprintf(s, sizeof s, "%s: %s", t, item);
		else
			snprintf(s, sizeof s, "%s: %s", t, cf_json_str(e, "category", ""));
		add_unique(jb, g, s);
	}
	return g;
}

/* The description drafted from the timeline: who, when, how many, what. */
static int narrative(const struct build *b, char *out, size_t size)
{
	const cJSON *ce = obj_get(b->in->incident, "covered_entity"), *a;
	struct cf_jb jb = CF_JB_INIT;
	cJSON *actors = cJSON_CreateArray(), *actions = cJSON_CreateArray();
	char *who = NULL, *what = NULL, *phi = NULL;
	int n = 0, rc = -1;

	if (!actors || !actions)
		goto out;
	cJSON_ArrayForEach(a, b->accesses) {
		const char *actor = cf_json_str(a, "actor", NULL);
		const char *act = cf_json_str(a, "action", NULL);

		n++;
		if (actor && *actor)
			add_unique(&jb, actors, actor);
		if (act && *act)
			add_unique(&jb, actions, act);
	}
	if (jb.err || !(who = cf_model_join(actors, NULL)) || !(what = cf_model_join(actions, NULL)) ||
	    !(phi = cf_model_join(obj_get(b->model, "phi_categories"), "category")))
		goto out;
	snprintf(out, size,
		 "%s: %s. Between %s and %s, %s made %d access(es) (%s) that the "
		 "evidence attributes to the incident, naming %llu individual(s) "
		 "whose records were held by %s. The breach was discovered on %s. "
		 "Protected health information involved: %s.%s",
		 cf_json_str(b->in->incident, "id", ""),
		 cf_json_str(b->in->incident, "title", "incident"),
		 *portal(b, "Breach start date") ? portal(b, "Breach start date") : "(unknown)",
		 *portal(b, "Breach end date") ? portal(b, "Breach end date") : "(unknown)",
		 *who ? who : "(unattributed)", n, *what ? what : "unrecorded actions",
		 (unsigned long long)b->affected, cf_json_str(ce, "name", ""),
		 portal(b, "Discovery date"), *phi ? phi : "(none recorded)",
		 cJSON_GetArraySize(obj_get(b->model, "model_decisions"))
		 ? " Decisions of a suspect AI model version are among the records."
		 : "");
	rc = 0;
out:
	cJSON_Delete(actors);
	cJSON_Delete(actions);
	free(who);
	free(what);
	free(phi);
	return rc;
}

/* 1 when the text names substance-use-disorder records. */
static int names_sud(const char *s)
{
	static const char *const words[] = {"substance", "42 cfr part 2",
		"42cfrpart2", "alcohol use", "opioid use", "addiction", NULL};
	char low[256];
	size_t i;

	for (i = 0; s[i] && i + 1 < sizeof low; i++)
		low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	low[i] = 0;
	for (i = 0; words[i]; i++)
		if (strstr(low, words[i]))
			return 1;
	return 0;
}

/* The 42 CFR Part 2 flag: the incident file's `part2`, or a PHI category
 * of the evidence naming substance-use-disorder records. */
static void part2(struct cf_jb *jb, struct build *b, cJSON *ws, cJSON *fields)
{
	const cJSON *e;
	cJSON *p = cf_jb_object(jb, ws, "part2");
	const char *basis = NULL;

	if (cf_json_bool(b->resolved, "part2", 0))
		basis = "incident file (part2: true)";
	cJSON_ArrayForEach(e, obj_get(b->model, "phi_categories"))
		if (!basis && names_sud(cf_json_str(e, "category", "")))
			basis = "evidence: PHI category naming substance-use-disorder records";
	cf_jb_bool(jb, p, "flag", basis != NULL);
	cf_jb_str(jb, p, "basis", basis);
	cf_jb_str(jb, p, "rule", "42 CFR 2.16 (breach notification for Part 2 records)");
	if (!basis) {
		field(jb, fields, "Part 2 records involved", "No", 1,
		      "neither the incident file nor the evidence names them", NULL);
		return;
	}
	cf_jb_str(jb, p, "text", "The breach involves substance-use-disorder "
		  "records of a 42 CFR Part 2 program: OCR takes them as a "
		  "separate Part 2 breach report, filed apart from this HIPAA "
		  "notice.");
	field(jb, fields, "Part 2 records involved",
	      "Yes: file a separate 42 CFR Part 2 breach report", 1, basis, NULL);
	cf_model_note(jb, b->confirm, "hhs_worksheet", "42 CFR Part 2",
		      "Substance-use-disorder records are involved: a separate "
		      "Part 2 breach report is owed besides the HIPAA filing.");
}

static void s_breach(struct cf_jb *jb, struct build *b, cJSON *fields,
		     const cJSON *filing)
{
	char num[32], text[NARRATIVE_MAX];

	snprintf(num, sizeof num, "%llu", (unsigned long long)b->affected);
	if (jb->err || narrative(b, text, sizeof text)) {
		jb->err = -1;
		return;
	}
	field(jb, fields, "Breach Start Date", portal(b, "Breach start date"), 1,
	      "first counted access (local date)", NULL);
	field(jb, fields, "Breach End Date", portal(b, "Breach end date"), 1,
	      "last counted access (local date)", NULL);
	field(jb, fields, "Discovery Start Date", portal(b, "Discovery date"), 0,
	      "incident file (discovered, local date)", NULL);
	field(jb, fields, "Discovery End Date", portal(b, "Discovery date"), 1,
	      "incident file (discovered, local date)", NULL);
	field(jb, fields, "Approximate Number of Individuals Affected by the Breach",
	      num, 0, "evidence (affected count)", NULL);
	multi(jb, fields, "Type of Breach", filing, "breach_type",
	      cf_portal_breach_types, one(jb, portal(b, "Type of breach")),
	      "breach_type_other");
	multi(jb, fields, "Location of Breached Information", filing, "location",
	      cf_portal_locations, guess_locations(jb, b), "location_other");
	field(jb, fields, "Type of Protected Health Information Involved",
	      portal(b, "Type of PHI involved"), 1, "evidence (PHI categories)",
	      phi_elements(jb, b));
	field(jb, fields, "Brief Description of the Breach", text, 1,
	      "drafted from the timeline", NULL);
	multi(jb, fields, "Safeguards in Place Prior to Breach", filing, "safeguards",
	      cf_portal_safeguards, NULL, NULL);
}

static void s_notice(struct cf_jb *jb, struct build *b, cJSON *fields,
		     const cJSON *filing)
{
	const cJSON *ob = obj_get(b->model, "obligations");
	const char *start = cf_json_str(filing, "individual_notice_start", NULL);
	const char *end = cf_json_str(filing, "individual_notice_end", NULL);
	const char *due = cf_json_str(obj_get(ob, "individual_notice"), "due", "");
	int subst = strcmp(cf_json_str(obj_get(ob, "substitute_notice"), "kind", "none"), "none");
	int media = cf_json_bool(obj_get(ob, "media_notice"), "required", 0);
	const char *narr = cf_json_str(filing, "actions_narrative", NULL);

	field(jb, fields, "Individual Notice Provided Start Date", start ? start : due,
	      !start, start ? "incident file (hhs_filing)"
			    : "not yet sent: the due date (164.404(b))", NULL);
	field(jb, fields, "Individual Notice Provided Projected/Expected End Date",
	      end ? end : due, !end, end ? "incident file (hhs_filing)"
					 : "the due date (164.404(b))", NULL);
	field(jb, fields, "Was Substitute Notice Required?", subst ? "Yes" : "No", 1,
	      "obligations (164.404(d)(2))", NULL);
	if (subst)
		field(jb, fields, "Substitute Notice Date",
		      cf_json_str(filing, "substitute_notice_date", ""),
		      !cf_json_str(filing, "substitute_notice_date", NULL),
		      "incident file (hhs_filing)", NULL);
	field(jb, fields, "Was Media Notice Required?", media ? "Yes" : "No", 1,
	      "obligations (164.406)", NULL);
	if (media)
		field(jb, fields, "Media Notice Date",
		      cf_json_str(filing, "media_notice_date",
				  cf_json_str(obj_get(ob, "media_notice"), "due", "")),
		      !cf_json_str(filing, "media_notice_date", NULL),
		      "incident file (hhs_filing), else the due date", NULL);
	multi(jb, fields, "Actions Taken in Response to Breach", filing, "actions_taken",
	      cf_portal_actions, NULL, NULL);
	field(jb, fields, "Describe Other Actions Taken", narr ? narr : "", !narr,
	      narr ? "incident file (hhs_filing)" : "a person must describe them",
	      NULL);
}

int cf_model_worksheet(struct build *b)
{
	const cJSON *inc = b->in->incident, *ce = obj_get(inc, "covered_entity");
	const cJSON *c = obj_get(ce, "contact"), *ba = obj_get(b->resolved, "business_associate");
	const cJSON *filing = obj_get(inc, "hhs_filing");
	const char *rt = cf_json_str(filing, "report_type", "initial");
	const char *by = cf_json_str(filing, "attested_by", NULL);
	struct cf_jb jb = CF_JB_INIT;
	cJSON *ws = cf_jb_object(&jb, b->model, "hhs_worksheet"), *secs, *f;
	int add = !strcmp(rt, "addendum");

	cf_jb_str(&jb, ws, "form", "Notice to the Secretary of HHS of "
		  "Breach of Unsecured Protected Health Information");
	cf_jb_str(&jb, ws, "rule", "45 CFR 164.408");
	secs = cf_jb_array(&jb, ws, "sections");
	f = section(&jb, secs, "affecting", "Breach Affecting");
	field(&jb, f, "Breach Affecting", b->affected >= 500 ? "500 or More Individuals"
	      : "Fewer Than 500 Individuals", 0, "evidence (affected count)", NULL);
	f = section(&jb, secs, "report_type", "Report Type");
	field(&jb, f, "Report Type", add ? "Addendum to Previous Report" : "Initial Breach Report",
	      !filing, filing ? "incident file (hhs_filing)" : "no earlier filing recorded", NULL);
	if (add)
		field(&jb, f, "Previous Transaction Number",
		      cf_json_str(filing, "previous_transaction", ""), 0,
		      "incident file (hhs_filing)", NULL);
	f = section(&jb, secs, "covered_entity", "Section 1 - Covered Entity");
	field(&jb, f, "Name of Covered Entity", cf_json_str(ce, "name", ""), 0, "incident file", NULL);
	field(&jb, f, "Type of Covered Entity", portal(b, "Type of covered entity"), 0,
	      "incident file", NULL);
	field(&jb, f, "Street Address, City, State, ZIP", cf_json_str(c, "postal", ""),
	      !cf_json_str(c, "postal", NULL), "incident file (contact.postal)", NULL);
	field(&jb, f, "Contact Name", cf_json_str(c, "person", ""), !cf_json_str(c, "person", NULL),
	      "incident file (contact.person)", NULL);
	field(&jb, f, "Contact Phone Number", cf_json_str(c, "phone", ""),
	      !cf_json_str(c, "phone", NULL), "incident file (contact.phone)", NULL);
	field(&jb, f, "Contact Email", cf_json_str(c, "email", ""),
	      !cf_json_str(c, "email", NULL), "incident file (contact.email)", NULL);
	f = section(&jb, secs, "business_associate", "Section 2 - Business Associate");
	field(&jb, f, "Breach Occurred at or by a Business Associate",
	      cJSON_IsObject(ba) ? "Yes" : "No", 1, "incident file (business_associate)", NULL);
	if (cJSON_IsObject(ba)) {
		field(&jb, f, "Name of Business Associate", cf_json_str(ba, "name", ""), 0,
		      "incident file (business_associate)", NULL);
		field(&jb, f, "Business Associate Contact", cf_json_str(ba, "contact", ""),
		      !cf_json_str(ba, "contact", NULL), "incident file (business_associate)", NULL);
	}
	s_breach(&jb, b, section(&jb, secs, "breach", "Section 3 - Breach"), filing);
	s_notice(&jb, b, section(&jb, secs, "notice",
				 "Section 4 - Notice of Breach and Actions Taken"), filing);
	f = section(&jb, secs, "attestation", "Section 5 - Attestation");
	field(&jb, f, "Attestation", "The person filing attests that the information "
	      "in this notice is accurate to the best of their knowledge, and "
	      "acknowledges that OCR may be required to release it under the "
	      "Freedom of Information Act.", 1, "the portal's statement (paraphrased)", NULL);
	field(&jb, f, "Name of Person Attesting", by ? by : "", !by,
	      "incident file (hhs_filing.attested_by)", NULL);
	field(&jb, f, "Date", cf_json_str(filing, "attested_on", ""),
	      !cf_json_str(filing, "attested_on", NULL),
	      "incident file (hhs_filing.attested_on)", NULL);
	part2(&jb, b, ws, section(&jb, secs, "part2", "42 CFR Part 2 Records"));
	return jb.err ? cf_set_nomem(b->ctx, "hhs worksheet") : CF_OK;
}

/* ---- rendering -------------------------------------------------------------- */

/* One field's row of a table: the item, its value (each selected box
 * ticked), badge when a person must confirm it, and its source. */
static void field_row(struct cf_buf *out, const cJSON *f, int html, const char *badge)
{
	const cJSON *sel = cJSON_GetObjectItemCaseSensitive(f, "selected"), *v;
	cf_esc_fn esc = html ? cf_esc_html : cf_esc_md;
	const char *cell = html ? "</td><td>" : " | ";

	cf_esc_put(out, esc, f, html ? "<tr><td>" : "| ", "item", cell, NULL);
	if (cJSON_IsArray(sel)) {
		cJSON_ArrayForEach(v, sel) {
			cf_buf_puts(out, html ? "&#9745; " : "[x] ");
			esc(out, v->valuestring);
			cf_buf_puts(out, v->next ? "<br>" : "");
		}
	} else {
		esc(out, cf_json_str(f, "value", ""));
	}
	if (cf_json_bool(f, "confirm", 0))
		cf_buf_puts(out, badge);
	cf_esc_put(out, esc, f, cell, "source", html ? "</td></tr>\n" : " |\n", NULL);
}

int cf_report_worksheet_body_md(const cJSON *model, struct cf_buf *out)
{
	const cJSON *ws = cJSON_GetObjectItemCaseSensitive(model, "hhs_worksheet");
	const cJSON *s, *f;

	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(ws, "sections")) {
		cf_buf_puts(out, "\n**");
		cf_esc_md(out, cf_json_str(s, "title", ""));
		cf_buf_puts(out, "**\n\n| Item | Value | Source |\n|---|---|---|\n");
		cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(s, "fields"))
			field_row(out, f, 0, " **TO CONFIRM**");
	}
	return CF_OK;
}

int cf_report_worksheet_body_html(const cJSON *model, struct cf_buf *out,
				  const char *badge)
{
	const cJSON *ws = cJSON_GetObjectItemCaseSensitive(model, "hhs_worksheet");
	const cJSON *s, *f;

	cf_buf_puts(out, "<table><thead><tr><th>Item</th><th>Value</th><th>Source"
		    "</th></tr></thead><tbody>\n");
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(ws, "sections")) {
		cf_esc_put(out, cf_esc_html, s, "<tr><th colspan=\"3\">", "title",
			   "</th></tr>\n", NULL);
		cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(s, "fields"))
			field_row(out, f, 1, badge);
	}
	cf_buf_puts(out, "</tbody></table>\n");
	return CF_OK;
}

int cf_report_worksheet_md(struct cf_ctx *ctx, const cJSON *model, struct cf_buf *out)
{
	const cJSON *ws = cJSON_GetObjectItemCaseSensitive(model, "hhs_worksheet");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(ws, "part2");

	cf_buf_puts(out, "# HHS breach portal worksheet\n\n");
	cf_esc_put(out, cf_esc_md, ws, "For the form \"", "form", "\" (", "rule",
		   "), item by item in the portal's order. Fields marked TO CONFIRM "
		   "are pre-filled from the evidence, or empty, and need a person.\n",
		   NULL);
	if (!cf_report_section_applies(model, "hhs"))
		cf_buf_puts(out, "\n**Not owed on the figures of this report** (no breach, "
			    "nobody affected, or a business associate's incident); kept "
			    "for the record.\n");
	if (cf_json_bool(p, "flag", 0))
		cf_esc_put(out, cf_esc_md, p, "\n**42 CFR Part 2:** ", "text", "\n", NULL);
	cf_report_worksheet_body_md(model, out);
	return cf_buf_error(out) ? cf_set_nomem(ctx, "hhs-worksheet.md") : CF_OK;
}
