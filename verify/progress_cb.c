/* SPDX-License-Identifier: Apache-2.0
 *
 * Progress for sealing and checking long logs (see progress_cb.h). Lives in
 * the command layer: it draws on stderr.
 */
#include <sys/stat.h>

#include "casefile/cli.h"
#include "progress_cb.h"

void progress_cb_start(struct progress_cb *pc, const char *label,
		       const char *path, uint64_t from)
{
	struct stat st;
	uint64_t total = stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;

	pc->last = from;
	pc->p = cf_progress_new(stderr, label, cf_cli_globals.progress,
				total > from ? total - from : 0, 0);
}

void progress_cb_report(void *arg, uint64_t offset)
{
	struct progress_cb *pc = arg;

	if (offset > pc->last) {
		cf_progress_add(pc->p, offset - pc->last, 0);
		pc->last = offset;
	}
}

void progress_cb_end(struct progress_cb *pc)
{
	cf_progress_free(pc->p);
	pc->p = NULL;
}
