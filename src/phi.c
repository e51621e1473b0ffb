/* SPDX-License-Identifier: Apache-2.0
 *
 * What kind of protected health information a record is: the PHI category
 * of a FHIR resource type, as the breach scope, the risk assessment
 * (factor 1) and the HHS portal's categories name it. One table, so that
 * every part of a report says the same of the same record.
 *
 * The portal's "Type of Protected Health Information Involved" offers four
 * boxes, Clinical, Demographic, Financial and Other, with items under the
 * first three (Clinical: Diagnosis/Conditions, Lab Results, Medications,
 * Other Treatment Information; Demographic: Address/ZIP, Date of Birth,
 * Driver's License, Name, SSN, Other; Financial: Claims Information, Credit
 * Card/Bank Acct #, Other). Each row gives the box and the item. An
 * Observation or DiagnosticReport is "lab results" only when its category
 * (laboratory, vital-signs, imaging...) says so: the scope looks the
 * category up as "Observation.CATEGORY"; without one the row says
 * "observations" and the portal item "Other Treatment Information".
 */
#include <string.h>

#include "casefile/scope.h"

static const struct cf_phi_type {
	const char *type, *cat, *portal, *item;
} map[] = {
	{"Patient", "demographics", "Demographic", "Other"},
	{"RelatedPerson", "demographics", "Demographic", "Other"},
	{"Person", "demographics", "Demographic", "Other"},
	{"Observation", "observations", "Clinical", "Other Treatment Information"},
	{"Observation.laboratory", "lab results", "Clinical", "Lab Results"},
	{"Observation.vital-signs", "vital signs", "Clinical", "Other Treatment Information"},
	{"Observation.imaging", "imaging", "Clinical", "Other Treatment Information"},
	{"Observation.social-history", "social history", "Clinical", "Other Treatment Information"},
	{"Observation.survey", "assessments", "Clinical", "Other Treatment Information"},
	{"Observation.exam", "examination findings", "Clinical", "Other Treatment Information"},
	{"Observation.procedure", "procedures", "Clinical", "Other Treatment Information"},
	{"Observation.therapy", "therapy", "Clinical", "Other Treatment Information"},
	{"DiagnosticReport", "diagnostic reports", "Clinical", "Other Treatment Information"},
	{"DiagnosticReport.LAB", "lab results", "Clinical", "Lab Results"},
	{"DiagnosticReport.laboratory", "lab results", "Clinical", "Lab Results"},
	{"DiagnosticReport.RAD", "imaging", "Clinical", "Other Treatment Information"},
	{"DiagnosticReport.imaging", "imaging", "Clinical", "Other Treatment Information"},
	{"Specimen", "lab results", "Clinical", "Lab Results"},
	{"MolecularSequence", "genetic information", "Clinical", "Lab Results"},
	{"ImagingStudy", "imaging", "Clinical", "Other Treatment Information"},
	{"Media", "imaging", "Clinical", "Other Treatment Information"},
	{"Medication", "medications", "Clinical", "Medications"},
	{"MedicationRequest", "medications", "Clinical", "Medications"},
	{"MedicationStatement", "medications", "Clinical", "Medications"},
	{"MedicationAdministration", "medications", "Clinical", "Medications"},
	{"MedicationDispense", "medications", "Clinical", "Medications"},
	{"Condition", "diagnoses", "Clinical", "Diagnosis/Conditions"},
	{"ClinicalImpression", "diagnoses", "Clinical", "Diagnosis/Conditions"},
	{"Procedure", "procedures", "Clinical", "Other Treatment Information"},
	{"ServiceRequest", "orders", "Clinical", "Other Treatment Information"},
	{"Encounter", "encounters", "Clinical", "Other Treatment Information"},
	{"EpisodeOfCare", "encounters", "Clinical", "Other Treatment Information"},
	{"Appointment", "appointments", "Clinical", "Other Treatment Information"},
	{"AllergyIntolerance", "allergies", "Clinical", "Diagnosis/Conditions"},
	{"Immunization", "immunizations", "Clinical", "Other Treatment Information"},
	{"DocumentReference", "clinical notes", "Clinical", "Other Treatment Information"},
	{"Composition", "clinical notes", "Clinical", "Other Treatment Information"},
	{"CarePlan", "care plans", "Clinical", "Other Treatment Information"},
	{"Goal", "care plans", "Clinical", "Other Treatment Information"},
	{"CareTeam", "care plans", "Clinical", "Other Treatment Information"},
	{"FamilyMemberHistory", "family history", "Clinical", "Other Treatment Information"},
	{"RiskAssessment", "risk assessments", "Clinical", "Other Treatment Information"},
	{"QuestionnaireResponse", "assessments", "Clinical", "Other Treatment Information"},
	{"Coverage", "insurance", "Financial", "Other"},
	{"Claim", "claims", "Financial", "Claims Information"},
	{"ClaimResponse", "claims", "Financial", "Claims Information"},
	{"ExplanationOfBenefit", "claims", "Financial", "Claims Information"},
	{"Account", "billing", "Financial", "Other"},
	{"Invoice", "billing", "Financial", "Other"},
	{"PaymentNotice", "billing", "Financial", "Other"},
};
#define NMAP (sizeof map / sizeof map[0])

const char *cf_phi_category(const char *t)
{
	for (size_t i = 0; t && i < NMAP; i++)
		if (!strcmp(map[i].type, t))
			return map[i].cat;
	return NULL;
}

const char *cf_phi_portal(const char *category, const char **item)
{
	for (size_t i = 0; category && i < NMAP; i++)
		if (!strcmp(map[i].cat, category)) {
			if (item)
				*item = map[i].item;
			return map[i].portal;
		}
	if (item)
		*item = NULL;
	return NULL;
}
