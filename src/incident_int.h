/* SPDX-License-Identifier: Apache-2.0
 *
 * Between the two files that read an incident file (src/incident.c, the
 * keys every incident has; src/incident_exposure.c, the keys of data at
 * rest and vendor exposure). Not for use outside the core.
 */
#ifndef CASEFILE_INCIDENT_INT_H
#define CASEFILE_INCIDENT_INT_H

struct cf_ctx;
struct cf_incident;
struct cf_exposure;
struct fy_node;

/* Reads exposed_data, reidentification, vendor and
 * deletion_attestations from the root mapping into inc->exposure (absent
 * keys leave it empty, with key_exposed and baa -1). CF_OK, or CF_FAILED
 * with "FILE:LINE:COL: message" on ctx; what was read is freed by
 * cf_incident_exposure_release(). */
int cf_incident_load_exposure(struct cf_ctx *ctx, const char *file,
			      struct fy_node *root, struct cf_incident *inc);
void cf_incident_exposure_release(struct cf_exposure *x);

#endif
