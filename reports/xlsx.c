/* SPDX-License-Identifier: Apache-2.0
 *
 * The affected-individuals list as an Excel workbook, through
 * libxlsxwriter: sheets "Affected individuals", "By State" and
 * "HHS portal", the same rows as the CSV files.
 *
 * Privacy officers and mail houses work in spreadsheets; a CSV opened in
 * one is exposed to formula injection and to ids re-typed as numbers, an
 * .xlsx written with every value as a string cell is not. The workbook is
 * PHI: it is created 0600 under a ".partial" name and renamed only once
 * complete, like every other file of the package.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "casefile/alloc.h"
#include "casefile/atomic.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "render.h"

static const char *s(const cJSON *o, const char *k)
{
	return cf_json_str(o, k, "");
}

/* Writes one header row in bold and sets column widths. */
static int header(lxw_worksheet *ws, lxw_format *bold, const char *const *cols,
		  const double *widths)
{
	for (lxw_col_t c = 0; cols[c]; c++)
		if (worksheet_write_string(ws, 0, c, cols[c], bold) != LXW_NO_ERROR ||
		    worksheet_set_column(ws, c, c, widths[c], NULL) != LXW_NO_ERROR)
			return -1;
	return worksheet_freeze_panes(ws, 1, 0), 0;
}

static int fill(lxw_workbook *wb, const cJSON *model)
{
	static const char *const pc[] = {"Patient", "State", "Contact information",
		"Archive (sha256sums)", "Member", "Line", NULL};
	static const double pw[] = {28, 8, 22, 66, 48, 8};
	static const char *const sc[] = {"State", "Count", "Media notice", NULL};
	static const double sw[] = {10, 10, 14};
	static const char *const hc[] = {"Field", "Value", "To confirm", NULL};
	static const double hw[] = {44, 60, 12};
	lxw_worksheet *pat = workbook_add_worksheet(wb, "Affected individuals");
	lxw_worksheet *st = workbook_add_worksheet(wb, "By State");
	lxw_worksheet *hhs = workbook_add_worksheet(wb, "HHS portal");
	lxw_format *bold = workbook_add_format(wb);
	const cJSON *aff = cJSON_GetObjectItem(model, "affected"), *e;
	lxw_row_t r;

	if (!pat || !st || !hhs || !bold)
		return -1;
	format_set_bold(bold);
	if (header(pat, bold, pc, pw) || header(st, bold, sc, sw) || header(hhs, bold, hc, hw))
		return -1;
	r = 1;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(aff, "patients")) {
		const cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(e, "evidence"), 0);
		const cJSON *h = cJSON_GetObjectItem(e, "has_contact");

		if (worksheet_write_string(pat, r, 0, s(e, "id"), NULL) ||
		    worksheet_write_string(pat, r, 1, s(e, "state"), NULL) ||
		    worksheet_write_string(pat, r, 2, cJSON_IsTrue(h) ? "sufficient"
					   : cJSON_IsFalse(h) ? "insufficient" : "unknown", NULL) ||
		    worksheet_write_string(pat, r, 3, s(c, "archive"), NULL) ||
		    worksheet_write_string(pat, r, 4, s(c, "member"), NULL) ||
		    worksheet_write_number(pat, r, 5, (double)cf_json_int(c, "line", 0), NULL))
			return -1;
		r++;
	}
	r = 1;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(aff, "by_state")) {
		if (worksheet_write_string(st, r, 0, s(e, "state"), NULL) ||
		    worksheet_write_number(st, r, 1, (double)cf_json_int(e, "count", 0), NULL) ||
		    worksheet_write_string(st, r, 2, cf_json_bool(e, "media_notice", 0)
					   ? "required" : "no", NULL))
			return -1;
		r++;
	}
	r = 1;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(model, "hhs_portal")) {
		if (worksheet_write_string(hhs, r, 0, s(e, "field"), NULL) ||
		    worksheet_write_string(hhs, r, 1, s(e, "value"), NULL) ||
		    worksheet_write_string(hhs, r, 2, cf_json_bool(e, "confirm", 0)
					   ? "yes" : "no", NULL))
			return -1;
		r++;
	}
	return 0;
}

int cf_report_xlsx(struct cf_ctx *ctx, const cJSON *model, const char *path)
{
	char *tmp = cf_malloc(strlen(path) + 9);
	lxw_workbook *wb = NULL;
	lxw_error err;
	int fd, rc = CF_FAILED;

	if (!tmp)
		return cf_set_nomem(ctx, path);
	sprintf(tmp, "%s.partial", path);
	/* Created 0600 first: libxlsxwriter's fopen keeps the mode. */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		rc = cf_set_error(ctx, errno, "cannot create '%s'", tmp);
		goto out;
	}
	close(fd);
	if (!(wb = workbook_new(tmp))) {
		rc = cf_set_error(ctx, 0, "%s: cannot start the workbook", tmp);
		goto out;
	}
	if (fill(wb, model)) {
		workbook_close(wb);
		rc = cf_set_error(ctx, 0, "%s: cannot fill the workbook", tmp);
		goto out;
	}
	if ((err = workbook_close(wb)) != LXW_NO_ERROR) {
		rc = cf_set_error(ctx, 0, "%s: %s", tmp, lxw_strerror(err));
		goto out;
	}
	/* libxlsxwriter does not sync: do it before the name becomes final. */
	if ((fd = open(tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0 || fsync(fd)) {
		rc = cf_set_error(ctx, errno, "cannot sync '%s'", tmp);
		if (fd >= 0)
			close(fd);
		goto out;
	}
	close(fd);
	if (rename(tmp, path)) {
		rc = cf_set_error(ctx, errno, "cannot rename '%s'", tmp);
		goto out;
	}
	rc = cf_fsync_parent(ctx, path);
out:
	if (rc != CF_OK)
		unlink(tmp);
	free(tmp);
	return rc;
}
