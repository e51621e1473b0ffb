/* SPDX-License-Identifier: Apache-2.0
 *
 * What a person tells the HHS breach portal that no evidence shows: the
 * incident file's `hhs_filing` block (man/casefile-incident.5) and the
 * portal's closed lists of choices it names. One table per list, read by
 * the incident file's check here and by the report's portal worksheet
 * (reports/hhs_worksheet.c), so that a choice the file accepts is a
 * choice the worksheet can print. Nothing here does I/O.
 */
#ifndef CASEFILE_FILING_H
#define CASEFILE_FILING_H

#include <stddef.h>

struct cf_ctx;
struct fy_node;

/* One choice of a portal list: the incident file's word and the portal's
 * label. */
struct cf_portal_choice {
	const char *key;    /* e.g. "hacking" */
	const char *label;  /* e.g. "Hacking/IT Incident" */
};

/* The portal's lists, each ended by a row with a NULL key. */
extern const struct cf_portal_choice cf_portal_breach_types[];
extern const struct cf_portal_choice cf_portal_locations[];
extern const struct cf_portal_choice cf_portal_safeguards[];
extern const struct cf_portal_choice cf_portal_actions[];

/* The label of key in list, or NULL. */
const char *cf_portal_label(const struct cf_portal_choice *list,
			    const char *key);

/* Checks the incident file's `hhs_filing` mapping (node, may be NULL:
 * nothing to check): known keys, each list's words, report_type initial
 * or addendum (an addendum names previous_transaction), dates as
 * YYYY-MM-DD. CF_OK, or CF_FAILED with "FILE:LINE:COL: message". */
int cf_incident_check_filing(struct cf_ctx *ctx, const char *file,
			     struct fy_node *node);

#endif
