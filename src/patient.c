/* SPDX-License-Identifier: Apache-2.0
 *
 * Patient facts for the breach rule (see include/casefile/patient.h): the
 * one table of State names and codes, the contact bits, the birth date
 * kept beside them, and the age test for minors.
 *
 * The table holds the 50 States, the District of Columbia and the five
 * inhabited territories with their USPS codes (HHS counts media notice per
 * "State or jurisdiction", 164.406, and 160.103 defines State to include
 * DC, Puerto Rico, the Virgin Islands, Guam, American Samoa and the
 * Northern Mariana Islands). A value the table does not know is never
 * guessed at: the patient is of unknown residence.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "casefile/patient.h"
#include "casefile/time.h"

static const struct {
	const char *code, *name;
} states[] = {
	{"AL", "Alabama"}, {"AK", "Alaska"}, {"AZ", "Arizona"},
	{"AR", "Arkansas"}, {"CA", "California"}, {"CO", "Colorado"},
	{"CT", "Connecticut"}, {"DE", "Delaware"},
	{"DC", "District of Columbia"}, {"FL", "Florida"}, {"GA", "Georgia"},
	{"HI", "Hawaii"}, {"ID", "Idaho"}, {"IL", "Illinois"},
	{"IN", "Indiana"}, {"IA", "Iowa"}, {"KS", "Kansas"},
	{"KY", "Kentucky"}, {"LA", "Louisiana"}, {"ME", "Maine"},
	{"MD", "Maryland"}, {"MA", "Massachusetts"}, {"MI", "Michigan"},
	{"MN", "Minnesota"}, {"MS", "Mississippi"}, {"MO", "Missouri"},
	{"MT", "Montana"}, {"NE", "Nebraska"}, {"NV", "Nevada"},
	{"NH", "New Hampshire"}, {"NJ", "New Jersey"}, {"NM", "New Mexico"},
	{"NY", "New York"}, {"NC", "North Carolina"}, {"ND", "North Dakota"},
	{"OH", "Ohio"}, {"OK", "Oklahoma"}, {"OR", "Oregon"},
	{"PA", "Pennsylvania"}, {"RI", "Rhode Island"},
	{"SC", "South Carolina"}, {"SD", "South Dakota"}, {"TN", "Tennessee"},
	{"TX", "Texas"}, {"UT", "Utah"}, {"VT", "Vermont"},
	{"VA", "Virginia"}, {"WA", "Washington"}, {"WV", "West Virginia"},
	{"WI", "Wisconsin"}, {"WY", "Wyoming"},
	{"AS", "American Samoa"}, {"GU", "Guam"},
	{"MP", "Northern Mariana Islands"}, {"PR", "Puerto Rico"},
	{"VI", "U.S. Virgin Islands"}, {"VI", "Virgin Islands"},
};

const char *cf_state_code(const char *s)
{
	size_t n;

	if (!s)
		return NULL;
	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n > 2 && s[n - 1] == '.' && s[n - 2] != 'S') /* "Ohio." not "U.S." */
		n--;
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
		if ((n == 2 && !strncasecmp(s, states[i].code, 2)) ||
		    (n == strlen(states[i].name) && !strncasecmp(s, states[i].name, n)))
			return states[i].code;
	}
	return NULL;
}

/* ---- birth dates and minors ---------------------------------------------- */

int cf_patient_set_birth(int v, const char *d)
{
	unsigned y, m, dd;
	int64_t day;

	if (!d || strlen(d) < 10 || d[4] != '-' || d[7] != '-' ||
	    (d[10] && d[10] != 'T'))
		return v;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)d[i]))
			return v;
	y = (unsigned)((d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + d[3] - '0');
	m = (unsigned)((d[5] - '0') * 10 + d[6] - '0');
	dd = (unsigned)((d[8] - '0') * 10 + d[9] - '0');
	if (m < 1 || m > 12 || dd < 1 || dd > 31)
		return v;
	day = cf_days_from_civil(y, m, dd);
	{	/* a day the month does not have ("2009-02-30") is no date */
		int64_t yy;
		unsigned mm, d2;
		cf_civil_from_days(day, &yy, &mm, &d2);
		if (mm != m || d2 != dd)
			return v;
	}
	if (day + CF_BIRTH_BIAS <= 0 || day + CF_BIRTH_BIAS >= (1 << 18))
		return v;
	return (v & CF_PATIENT_FLAGS) | (int)((day + CF_BIRTH_BIAS) << CF_BIRTH_SHIFT);
}

int64_t cf_patient_birth_day(int v)
{
	int64_t b = ((int64_t)(unsigned)v >> CF_BIRTH_SHIFT) & ((1 << 18) - 1);

	return b ? b - CF_BIRTH_BIAS : INT64_MIN;
}

int cf_patient_is_minor(int64_t birth_day, int64_t on)
{
	int64_t y, adult;
	unsigned m, d;

	if (birth_day == INT64_MIN)
		return 0;
	cf_civil_from_days(birth_day, &y, &m, &d);
	/* the 18th birthday; February 29 of a common year is March 1 */
	adult = cf_days_from_civil(y + 18, m, d);
	return on < adult;
}

/* ---- the stored columns ------------------------------------------------- */

void cf_patient_to_cols(int v, struct cf_patient_cols *c)
{
	int64_t day = cf_patient_birth_day(v), y;
	unsigned m, d;

	c->has_contact = !!(v & CF_CONTACT_ANY);
	c->reach = v & (CF_CONTACT_ANY | CF_CONTACT_POSTAL | CF_CONTACT_EMAIL |
			CF_CONTACT_EMAIL_CONSENT | CF_CONTACT_PHONE | CF_CONTACT_KINDS);
	c->deceased = !!(v & CF_PATIENT_DECEASED);
	c->next_of_kin = !!(v & CF_PATIENT_KIN_ADDRESS);
	c->birth_date[0] = '\0';
	if (day != INT64_MIN) {
		cf_civil_from_days(day, &y, &m, &d);
		snprintf(c->birth_date, sizeof c->birth_date, "%04d-%02u-%02u",
			 (int)y, m, d);
	}
}

int cf_patient_from_cols(int has_contact, int reach, int deceased,
			 int next_of_kin, const char *birth_date)
{
	int v;

	if (reach < 0)
		return has_contact < 0 ? 0 : has_contact;
	v = reach & (CF_PATIENT_FLAGS & ~(CF_PATIENT_DECEASED | CF_PATIENT_KIN_ADDRESS));
	if (has_contact > 0)
		v |= CF_CONTACT_ANY;
	if (deceased > 0)
		v |= CF_PATIENT_DECEASED;
	if (next_of_kin > 0)
		v |= CF_PATIENT_KIN_ADDRESS;
	return cf_patient_set_birth(v, birth_date);
}

/* ---- reach ----------------------------------------------------------------- */

enum cf_reach cf_patient_reach(int v, int known)
{
	if (!known)
		return CF_REACH_UNKNOWN;
	if (!(v & CF_CONTACT_KINDS))
		return v & CF_CONTACT_ANY ? CF_REACH_ANY : CF_REACH_NONE;
	if (v & CF_CONTACT_POSTAL)
		return CF_REACH_POSTAL;
	if ((v & CF_CONTACT_EMAIL) && (v & CF_CONTACT_EMAIL_CONSENT))
		return CF_REACH_EMAIL;
	if (v & CF_CONTACT_PHONE)
		return CF_REACH_PHONE_ONLY;
	return CF_REACH_NONE;
}

int cf_reach_written(enum cf_reach r)
{
	return r == CF_REACH_POSTAL || r == CF_REACH_EMAIL || r == CF_REACH_ANY;
}

const char *cf_reach_name(enum cf_reach r)
{
	switch (r) {
	case CF_REACH_POSTAL: return "postal";
	case CF_REACH_EMAIL: return "email";
	case CF_REACH_PHONE_ONLY: return "phone-only";
	case CF_REACH_NONE: return "none";
	case CF_REACH_ANY: return "contact";
	default: return "unknown";
	}
}
