/* SPDX-License-Identifier: Apache-2.0
 *
 * What the breach rule needs to know about a patient, in one place: the
 * State of residence as a two-letter code (45 CFR 164.406 counts residents
 * "of a State or jurisdiction"), how the patient can be reached by written
 * notice (164.404(d)(1)), and whether the notice goes to someone else
 * (next of kin of a decedent, 164.404(d)(1)(ii); parent or guardian of a
 * minor, 164.502(g)).
 *
 * The parsers (FHIR Patient resources, roster CSV files) hand these facts
 * to the store in cf_patient.has_contact as the CF_CONTACT_* bits and the
 * birth date below; the stores keep them in columns of their own (see
 * struct cf_patient_cols) and the scope reads them back with the same
 * functions. The stored `has_contact` column keeps its old meaning, 0 or
 * 1 (some contact, CF_CONTACT_ANY), so a store built before the other
 * columns existed reads as "reachable" or not, kind unknown.
 * Nothing here reads the clock, the locale or a file.
 */
#ifndef CASEFILE_PATIENT_H
#define CASEFILE_PATIENT_H

#include <stdint.h>

/* Bits of cf_patient.has_contact. */
#define CF_CONTACT_ANY 0x01           /* some address or telecom (old stores) */
#define CF_CONTACT_POSTAL 0x02        /* a postal address */
#define CF_CONTACT_EMAIL 0x04         /* an e-mail address */
#define CF_CONTACT_EMAIL_CONSENT 0x08 /* agreed to electronic notice */
#define CF_CONTACT_PHONE 0x10         /* a telephone number */
#define CF_CONTACT_KINDS 0x20         /* the bits above were recorded */
#define CF_PATIENT_DECEASED 0x40      /* deceasedBoolean / deceasedDateTime */
#define CF_PATIENT_KIN_ADDRESS 0x80   /* next of kin or personal representative
					 with a postal address (Patient.contact) */
#define CF_PATIENT_FLAGS 0xff
/* Bits 8-25: the birth date as day number (days since 1970-01-01) plus
 * CF_BIRTH_BIAS; 0 when unknown. Covers 1611-2328. */
#define CF_BIRTH_SHIFT 8
#define CF_BIRTH_BIAS 131072

/* The patients table's columns for has_contact v (src/db_sqlite.c,
 * src/db_clickhouse*.c): has_contact 0/1 (CF_CONTACT_ANY), reach (the
 * CF_CONTACT_* bits, CF_CONTACT_KINDS included), deceased and next_of_kin
 * (0/1: CF_PATIENT_DECEASED, CF_PATIENT_KIN_ADDRESS), birth_date
 * ("YYYY-MM-DD", "" when unknown). */
struct cf_patient_cols {
	int has_contact, reach, deceased, next_of_kin;
	char birth_date[16];
};
void cf_patient_to_cols(int v, struct cf_patient_cols *c);
/* has_contact from the columns. reach < 0 means the row has no reach (a
 * store, or a row, written before the columns existed): has_contact is
 * then taken as stored (0 or 1; the low bits of a store that packed the
 * facts into it) and the other columns are unknown. deceased and
 * next_of_kin > 0 set their bits; birth_date may be NULL. */
int cf_patient_from_cols(int has_contact, int reach, int deceased,
			 int next_of_kin, const char *birth_date);

/* How a written notice reaches a patient (164.404(d)(1)). */
enum cf_reach {
	CF_REACH_UNKNOWN = 0,  /* no patient record, or a store without kinds */
	CF_REACH_POSTAL,       /* first-class mail */
	CF_REACH_EMAIL,        /* e-mail, the patient agreed to it */
	CF_REACH_PHONE_ONLY,   /* a telephone number only: not written notice */
	CF_REACH_NONE,         /* nothing usable (an e-mail without consent) */
	CF_REACH_ANY,          /* an old store: some contact, kind not kept */
};

/* The two-letter USPS code of a State, DC or territory written as a code
 * in any case ("ca", "CA") or a full name ("California", "district of
 * columbia", " Calif. " is not a name and gives NULL), with surrounding
 * blanks and a final period ignored. NULL for anything else. The result
 * is a static string. */
const char *cf_state_code(const char *s);

/* has_contact with a birth date (YYYY-MM-DD, the FHIR date; a partial
 * date is not recorded) added; v unchanged when date is NULL or not a
 * full date. */
int cf_patient_set_birth(int v, const char *date);
/* The birth day recorded in has_contact, or INT64_MIN when none. */
int64_t cf_patient_birth_day(int has_contact);
/* 1 when someone born on birth_day is under 18 on day `on` (the day of
 * the 18th birthday is no longer a minor; a birthday on February 29 falls
 * on March 1 in common years). 0 also when the birth day is unknown. */
int cf_patient_is_minor(int64_t birth_day, int64_t on);
/* The reach of a patient from has_contact (0 when the patient is not in
 * the patients table: CF_REACH_UNKNOWN). */
enum cf_reach cf_patient_reach(int has_contact, int known);
/* 1 when reach allows written notice (postal, consented e-mail, or an old
 * store's "some contact"). */
int cf_reach_written(enum cf_reach r);
/* "postal", "email", "phone-only", "none", "unknown", "contact" */
const char *cf_reach_name(enum cf_reach r);

#endif
