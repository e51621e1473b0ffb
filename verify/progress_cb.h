/* SPDX-License-Identifier: Apache-2.0
 *
 * Turns the scanner's "offset reached" reports into the progress line of
 * include/casefile/progress.h, for the seal and verify --log commands.
 */
#ifndef CASEFILE_VERIFY_PROGRESS_CB_H
#define CASEFILE_VERIFY_PROGRESS_CB_H

#include <stdint.h>
#include "casefile/progress.h"

struct progress_cb {
	cf_progress *p;   /* NULL: no progress shown */
	uint64_t last;    /* offset already reported */
};

/* Starts a progress line labelled label for the file at path (its size is
 * the total), honouring --progress/--quiet. */
void progress_cb_start(struct progress_cb *pc, const char *label,
		       const char *path, uint64_t from);
/* A seal_progress_fn: arg is a struct progress_cb. */
void progress_cb_report(void *arg, uint64_t offset);
void progress_cb_end(struct progress_cb *pc);

#endif
