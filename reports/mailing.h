/* SPDX-License-Identifier: Apache-2.0
 *
 * The mailing list of a breach (mailing.c): a mail-merge CSV of the
 * affected individuals read back from the patient records in evidence.
 * Not for use outside reports/.
 */
#ifndef CF_REPORTS_MAILING_H
#define CF_REPORTS_MAILING_H

#include <stddef.h>
#include <cjson/cJSON.h>

struct cf_buf;
struct cf_ctx;

/* Appends to out the mailing list of the scope (from cf_report_scope_from_db:
 * "patient_details" with each patient's record, reach and routing, and
 * "archives" with their paths): two comment lines saying the file holds
 * PHI, a header row, then one row per patient with its name, postal
 * address, e-mail (consented only), MRN, channel, notice_to, recipient,
 * PHI categories, access days, a 42 CFR Part 2 mark (the Patient's
 * meta.security or an access's AuditEvent entity.securityLabel carries the
 * HL7 code 42CFRPart2 or ETH) and evidence pointer. *nrows counts the
 * rows, *npart2 those marked Part 2. A record that cannot be read back from its archive is an error
 * naming the member and line. The caller wipes out (PHI). */
int cf_mailing_csv(struct cf_ctx *ctx, const cJSON *scope, struct cf_buf *out,
		   size_t *nrows, size_t *npart2);

#endif
