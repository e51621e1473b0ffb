/* SPDX-License-Identifier: Apache-2.0
 *
 * Patient roster CSV: fills the patients table (state of residence, and
 * whether the patient can be reached) when the evidence holds a roster
 * export instead of, or besides, FHIR Patient resources.
 *
 * The file has a header row naming its columns: an id column ("id",
 * "patient_id" or "patient"), "state" (a USPS code in any case or a State
 * name, casefile/patient.h), and any contact columns: "address" or
 * "postal" (a postal address), "email", "phone" or "telecom" (a telephone
 * number), "email_consent" (yes/y/true/1: the patient agreed to notice by
 * e-mail, 164.404(d)(1)), "deceased" (yes/y/true/1) or "deceased_date"
 * (non-empty), "birth_date", "birthdate" or "dob" (YYYY-MM-DD),
 * "next_of_kin_address" or "representative_address" (non-empty). libcsv
 * parses (quoted fields, embedded commas and newlines); rows it cannot
 * parse, or without an id, are rejects. Each row gives a patient, not an
 * event.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "casefile/alloc.h"
#include "casefile/error.h"
#include "casefile/patient.h"
#include "csv_rows.h"

#define MAX_COLS 256

enum col { COL_OTHER, COL_POSTAL, COL_EMAIL, COL_PHONE, COL_CONSENT,
	   COL_DECEASED, COL_DECEASED_DATE, COL_BIRTH, COL_KIN };

static const struct {
	const char *name;
	enum col kind;
} columns[] = {
	{"address", COL_POSTAL}, {"postal", COL_POSTAL}, {"email", COL_EMAIL},
	{"phone", COL_PHONE}, {"telecom", COL_PHONE},
	{"email_consent", COL_CONSENT}, {"deceased", COL_DECEASED},
	{"deceased_date", COL_DECEASED_DATE}, {"birth_date", COL_BIRTH},
	{"birthdate", COL_BIRTH}, {"dob", COL_BIRTH},
	{"next_of_kin_address", COL_KIN}, {"representative_address", COL_KIN},
};

static int yes(const char *f)
{
	return !strcasecmp(f, "yes") || !strcasecmp(f, "y") ||
	       !strcasecmp(f, "true") || !strcmp(f, "1");
}

/* The facts a non-empty field of a column of this kind adds. */
static int field_facts(enum col k, const char *f, int v)
{
	switch (k) {
	case COL_POSTAL: return v | CF_CONTACT_POSTAL | CF_CONTACT_ANY;
	case COL_EMAIL: return v | CF_CONTACT_EMAIL | CF_CONTACT_ANY;
	case COL_PHONE: return v | CF_CONTACT_PHONE | CF_CONTACT_ANY;
	case COL_CONSENT: return yes(f) ? v | CF_CONTACT_EMAIL_CONSENT : v;
	case COL_DECEASED: return yes(f) ? v | CF_PATIENT_DECEASED : v;
	case COL_DECEASED_DATE: return v | CF_PATIENT_DECEASED;
	case COL_BIRTH: return cf_patient_set_birth(v, f);
	case COL_KIN: return v | CF_PATIENT_KIN_ADDRESS;
	default: return v;
	}
}

struct roster {
	struct tl_csv rows;      /* first: the line and end hooks are tl_csv's */
	int id_col, state_col;
	unsigned char kind[MAX_COLS]; /* what a column says (enum col) */
	char *id, *state;        /* of the current row */
	int has_contact;         /* CF_CONTACT_* bits and birth date */
};

_Static_assert(offsetof(struct roster, rows) == 0, "tl_csv first");

static void on_field(void *s, size_t n, void *arg);
static void on_row(int term, void *arg);

static int ro_start(struct tl_run *r)
{
	struct roster *ro = r->state;

	ro->id_col = ro->state_col = -1;
	return tl_csv_init(r, "roster", on_field, on_row);
}

static void ro_free(struct tl_run *r)
{
	struct roster *ro = r->state;

	tl_csv_release(&ro->rows);
	free(ro->id);
	free(ro->state);
}

static void on_field(void *s, size_t n, void *arg)
{
	struct roster *ro = arg;
	const char *f = s;
	int c = ro->rows.col++;

	if (!ro->rows.header_done) {
		if (c >= MAX_COLS)
			return;
		if (!strcasecmp(f, "id") || !strcasecmp(f, "patient_id") ||
		    !strcasecmp(f, "patient"))
			ro->id_col = c;
		else if (!strcasecmp(f, "state"))
			ro->state_col = c;
		else
			for (size_t i = 0; i < sizeof columns / sizeof columns[0]; i++)
				if (!strcasecmp(f, columns[i].name))
					ro->kind[c] = (unsigned char)columns[i].kind;
		return;
	}
	if (c == ro->id_col && n && !ro->id)
		ro->id = cf_strndup(f, n);
	else if (c == ro->state_col && n && !ro->state && cf_state_code(f))
		ro->state = cf_strndup(cf_state_code(f), 2);
	else if (c < MAX_COLS && ro->kind[c] && n)
		ro->has_contact = field_facts((enum col)ro->kind[c], f, ro->has_contact);
}

static void on_row(int term, void *arg)
{
	struct roster *ro = arg;
	struct tl_run *r = ro->rows.r;

	(void)term;
	if (!ro->rows.header_done) {
		if (ro->id_col < 0)
			tl_csv_reject_row(&ro->rows, "no id column in the header");
	} else if (!ro->rows.rc) {
		if (!ro->id || !tl_utf8_ok(ro->id, strlen(ro->id))) {
			tl_csv_reject_row(&ro->rows, "row without a patient id");
		} else {
			struct cf_patient p = {.has_contact = ro->has_contact | CF_CONTACT_KINDS};
			p.id = tl_patient_id(r, ro->id);
			p.state = ro->state && tl_utf8_ok(ro->state, 2) ?
					  tl_str(r, ro->state, 2) : NULL;
			if (p.id)
				ro->rows.rc = tl_patient(r, &p, ro->rows.row_line);
		}
	}
	free(ro->id);
	free(ro->state);
	ro->id = ro->state = NULL;
	ro->has_contact = 0;
	tl_csv_row_done(&ro->rows);
}

const struct tl_parser tl_roster = {
	.name = "roster",
	.state_size = sizeof(struct roster),
	.start = ro_start,
	.line = tl_csv_line,
	.end = tl_csv_end,
	.free = ro_free,
};
