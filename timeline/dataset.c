/* SPDX-License-Identifier: Apache-2.0
 *
 * Datasets at rest: a CSV file whose header names a patient column (a
 * training-dataset export, a dataset manifest, a table dumped from a
 * host's database) gives one event per row, source "dataset", action
 * "record", with the patient the row names, so that an incident that
 * exposed the file can count the patients in it, each cited to the member
 * and line (`exposed_data`, casefile-incident(5); src/scope_data.c).
 *
 * The patient column is the first of "patient_id", "patient", "subject_id",
 * "person_id" or "mrn" (any case); a "Patient/" prefix is dropped. A row
 * has no time of its own: the event is dated by the file's modification
 * time (ts_desc "File Modified (record present)"), the last time the data
 * was written, or by the collection's start when the mtime is not known.
 * A roster (with a "state" column too) is roster.c's, not this parser's.
 * libcsv parses (quotes, embedded commas and newlines); a row it cannot
 * parse, or without a patient, is a reject.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "csv_rows.h"

static const char *const patient_cols[] = {"patient_id", "patient", "subject_id",
					   "person_id", "mrn", NULL};

int tl_dataset_patient_col(const char *name, size_t n)
{
	for (size_t i = 0; patient_cols[i]; i++)
		if (strlen(patient_cols[i]) == n && !strncasecmp(name, patient_cols[i], n))
			return 1;
	return 0;
}

struct dataset {
	struct tl_csv rows;      /* first: the line and end hooks are tl_csv's */
	int pcol, ncols;
	char *patient;
};

_Static_assert(offsetof(struct dataset, rows) == 0, "tl_csv first");

static void on_field(void *s, size_t n, void *arg);
static void on_row(int term, void *arg);

static int ds_start(struct tl_run *r)
{
	struct dataset *d = r->state;

	d->pcol = -1;
	return tl_csv_init(r, "dataset", on_field, on_row);
}

static void ds_free(struct tl_run *r)
{
	struct dataset *d = r->state;

	tl_csv_release(&d->rows);
	free(d->patient);
}

static void on_field(void *s, size_t n, void *arg)
{
	struct dataset *d = arg;
	int c = d->rows.col++;

	if (!d->rows.header_done) {
		if (d->pcol < 0 && tl_dataset_patient_col(s, n))
			d->pcol = c;
		d->ncols++;
		return;
	}
	if (c == d->pcol && n && !d->patient)
		d->patient = cf_strndup(s, n);
}

static int emit_row(struct dataset *d)
{
	struct tl_run *r = d->rows.r;
	struct cf_event ev = {.ts_us = r->meta->ref_us,
			      .ts_desc = "File Modified (record present)",
			      .source = "dataset", .action = "record"};
	const char *p = d->patient;

	if (!strncmp(p, "Patient/", 8))
		p += 8;
	tl_event_reset(r);
	if (!*p || !tl_utf8_ok(p, strlen(p)))
		return tl_reject(r, d->rows.row_line, d->rows.row_off,
				 "dataset: row without a patient");
	ev.patient = tl_str(r, p, (size_t)-1);
	ev.resource = r->meta->path ? tl_str(r, r->meta->path, (size_t)-1) : NULL;
	ev.message = tl_strf(r, "record of patient %s in %s", ev.patient,
			     r->meta->path ? r->meta->path : r->meta->member);
	tl_attr_int(r, "columns", d->ncols);
	return tl_emit(r, &ev, d->rows.row_line, d->rows.row_off);
}

static void on_row(int term, void *arg)
{
	struct dataset *d = arg;

	(void)term;
	if (!d->rows.header_done) {
		if (d->pcol < 0)
			tl_csv_reject_row(&d->rows, "no patient column in the header");
	} else if (d->pcol >= 0 && !d->rows.rc) {
		if (d->patient)
			d->rows.rc = emit_row(d);
		else
			tl_csv_reject_row(&d->rows, "row without a patient");
	}
	free(d->patient);
	d->patient = NULL;
	tl_csv_row_done(&d->rows);
}

const struct tl_parser tl_dataset = {
	.name = "dataset",
	.state_size = sizeof(struct dataset),
	.start = ds_start,
	.line = tl_csv_line,
	.end = tl_csv_end,
	.free = ds_free,
};
