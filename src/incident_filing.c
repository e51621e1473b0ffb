/* SPDX-License-Identifier: Apache-2.0
 *
 * The incident file's `hhs_filing` block: what only a person knows of a
 * filing with the HHS breach portal (45 CFR 164.408) - the safeguards in
 * place before the breach, the actions taken since, the type and location
 * of the breach when the evidence's guess is wrong, whether this is an
 * addendum to an earlier filing and its transaction number, the notice
 * dates and who attests. The report's worksheet prints these as the
 * portal asks them; the lists below are the portal's own choices, so a
 * word the file accepts always has a box on the form.
 *
 * The block is optional and new: an incident file without it loads as
 * before and the worksheet marks those fields for a person to complete.
 * Nothing here prints or reads a file.
 */
#include <string.h>

#include "casefile/error.h"
#include "casefile/filing.h"
#include "casefile/time.h"
#include "casefile/yaml.h"

/* The portal's "Type of Breach" (its public breach report lists these). */
const struct cf_portal_choice cf_portal_breach_types[] = {
	{"hacking", "Hacking/IT Incident"},
	{"improper-disposal", "Improper Disposal"},
	{"loss", "Loss"},
	{"theft", "Theft"},
	{"unauthorized-access", "Unauthorized Access/Disclosure"},
	{"unknown", "Unknown"},
	{"other", "Other"},
	{NULL, NULL},
};

/* "Location of Breached Information"; an AI inference service or model
 * store has no box of its own and is entered as Other with that text. */
const struct cf_portal_choice cf_portal_locations[] = {
	{"desktop", "Desktop Computer"},
	{"emr", "Electronic Medical Record"},
	{"email", "Email"},
	{"laptop", "Laptop"},
	{"network-server", "Network Server"},
	{"portable-device", "Other Portable Electronic Device"},
	{"paper", "Paper/Films"},
	{"ai-service", "Other: AI inference service or model store"},
	{"other", "Other"},
	{NULL, NULL},
};

/* "Safeguards in Place Prior to Breach". */
const struct cf_portal_choice cf_portal_safeguards[] = {
	{"none", "None"},
	{"privacy-rule", "Privacy Rule Safeguards (Training, Policies and Procedures, etc.)"},
	{"security-administrative", "Security Rule Administrative Safeguards (Risk Analysis, Risk Management, etc.)"},
	{"security-physical", "Security Rule Physical Safeguards (Facility Access Controls, Workstation Security, etc.)"},
	{"security-technical", "Security Rule Technical Safeguards (Access Controls, Transmission Security, etc.)"},
	{NULL, NULL},
};

/* "Actions Taken in Response to Breach". */
const struct cf_portal_choice cf_portal_actions[] = {
	{"encryption", "Adopted encryption technologies"},
	{"passwords", "Changed password/strengthened password requirements"},
	{"risk-management-plan", "Created a new/updated Security Rule Risk Management Plan"},
	{"technical-safeguards", "Implemented new technical safeguards"},
	{"evaluations", "Implemented periodic technical and nontechnical evaluations"},
	{"physical-security", "Improved physical security"},
	{"risk-analysis", "Performed a new/updated Security Rule Risk Analysis"},
	{"ba-training", "Provided business associate with additional training on HIPAA requirements"},
	{"credit-monitoring", "Provided individuals with free credit monitoring"},
	{"ba-contracts", "Revised business associate contracts"},
	{"policies", "Revised policies and procedures"},
	{"sanctions", "Sanctioned workforce members involved (including termination)"},
	{"mitigation", "Took steps to mitigate harm"},
	{"training", "Trained or retrained workforce members"},
	{"other", "Other"},
	{NULL, NULL},
};

const char *cf_portal_label(const struct cf_portal_choice *list, const char *key)
{
	for (size_t i = 0; key && list[i].key; i++)
		if (!strcmp(list[i].key, key))
			return list[i].label;
	return NULL;
}

/* A list of words of `list` at key (absent or null: nothing). */
static int check_list(struct cf_ctx *ctx, const char *file, struct fy_node *m,
		      const char *key, const struct cf_portal_choice *list)
{
	struct fy_node *seq = cf_yaml_get(m, key), *e;
	void *it = NULL;

	if (!seq || cf_yaml_is_null(seq))
		return CF_OK;
	if (!fy_node_is_sequence(seq))
		return cf_yaml_error(ctx, file, seq, "hhs_filing.%s: expected a list", key);
	while ((e = fy_node_sequence_iterate(seq, &it))) {
		size_t len = 0;
		const char *s = fy_node_is_scalar(e) ? fy_node_get_scalar(e, &len) : NULL;
		char w[48];
		size_t i;

		if (!s || !len || len >= sizeof w)
			return cf_yaml_error(ctx, file, e, "hhs_filing.%s: expected a word "
					     "such as '%s'", key, list[0].key);
		memcpy(w, s, len);
		w[len] = '\0';
		if (!cf_portal_label(list, w)) {
			char known[600] = "";

			for (i = 0; list[i].key; i++) {
				if (i)
					strncat(known, ", ", sizeof known - strlen(known) - 1);
				strncat(known, list[i].key, sizeof known - strlen(known) - 1);
			}
			return cf_yaml_error(ctx, file, e, "hhs_filing.%s: '%s' is not one "
					     "of %s", key, w, known);
		}
	}
	return CF_OK;
}

/* A scalar at key, absent or null allowed; *out points into the node. */
static int scalar(struct cf_ctx *ctx, const char *file, struct fy_node *m,
		  const char *key, const char **out, size_t *len)
{
	struct fy_node *n = cf_yaml_get(m, key);

	*out = NULL;
	*len = 0;
	if (!n || cf_yaml_is_null(n))
		return CF_OK;
	if (!fy_node_is_scalar(n))
		return cf_yaml_error(ctx, file, n, "hhs_filing.%s: expected a value", key);
	*out = fy_node_get_scalar(n, len);
	return CF_OK;
}

static int check_date(struct cf_ctx *ctx, const char *file, struct fy_node *m,
		      const char *key)
{
	const char *s;
	size_t len;
	char t[24];
	int64_t us;

	if (scalar(ctx, file, m, key, &s, &len))
		return CF_FAILED;
	if (!s)
		return CF_OK;
	if (len == 10) {
		memcpy(t, s, 10);
		memcpy(t + 10, "T00:00:00Z", 10);
		if (cf_time_parse(t, 20, &us, NULL) == 0)
			return CF_OK;
	}
	return cf_yaml_error(ctx, file, cf_yaml_get(m, key),
			     "hhs_filing.%s: expected a date YYYY-MM-DD", key);
}

int cf_incident_check_filing(struct cf_ctx *ctx, const char *file,
			     struct fy_node *m)
{
	static const char *const keys[] = {"report_type", "previous_transaction",
		"breach_type", "breach_type_other", "location", "location_other",
		"safeguards", "actions_taken", "actions_narrative",
		"individual_notice_start", "individual_notice_end",
		"media_notice_date", "substitute_notice_date", "attested_by",
		"attested_on", NULL};
	static const char *const dates[] = {"individual_notice_start",
		"individual_notice_end", "media_notice_date",
		"substitute_notice_date", "attested_on", NULL};
	const char *rt, *prev;
	size_t rlen, plen;

	if (!m || cf_yaml_is_null(m))
		return CF_OK;
	if (!fy_node_is_mapping(m))
		return cf_yaml_error(ctx, file, m, "hhs_filing: expected a mapping");
	if (cf_yaml_check_keys(ctx, file, m, keys) ||
	    check_list(ctx, file, m, "breach_type", cf_portal_breach_types) ||
	    check_list(ctx, file, m, "location", cf_portal_locations) ||
	    check_list(ctx, file, m, "safeguards", cf_portal_safeguards) ||
	    check_list(ctx, file, m, "actions_taken", cf_portal_actions) ||
	    scalar(ctx, file, m, "report_type", &rt, &rlen) ||
	    scalar(ctx, file, m, "previous_transaction", &prev, &plen))
		return CF_FAILED;
	for (size_t i = 0; dates[i]; i++)
		if (check_date(ctx, file, m, dates[i]))
			return CF_FAILED;
	if (rt && !(rlen == 7 && !memcmp(rt, "initial", 7)) &&
	    !(rlen == 8 && !memcmp(rt, "addendum", 8)))
		return cf_yaml_error(ctx, file, cf_yaml_get(m, "report_type"),
				     "hhs_filing.report_type: initial or addendum");
	if (rt && rlen == 8 && !plen)
		return cf_yaml_error(ctx, file, m, "hhs_filing: an addendum names the "
				     "earlier filing's previous_transaction number");
	return CF_OK;
}
