/* SPDX-License-Identifier: Apache-2.0
 *
 * What kind of protected health information a record is: the PHI category
 * of a FHIR resource type, as the breach scope, the risk assessment
 * (factor 1) and the HHS portal's categories name it. One table, so that
 * every part of a report says the same of the same record.
 */
#include <string.h>

#include "casefile/scope.h"

const char *cf_phi_category(const char *t)
{
	static const struct {
		const char *type, *cat;
	} map[] = {
		{"Patient", "demographics"},
		{"RelatedPerson", "demographics"},
		{"Observation", "lab results"},
		{"DiagnosticReport", "lab results"},
		{"Specimen", "lab results"},
		{"MedicationRequest", "medications"},
		{"MedicationStatement", "medications"},
		{"MedicationAdministration", "medications"},
		{"MedicationDispense", "medications"},
		{"Condition", "diagnoses"},
		{"Procedure", "procedures"},
		{"Encounter", "encounters"},
		{"AllergyIntolerance", "allergies"},
		{"Immunization", "immunizations"},
		{"ImagingStudy", "imaging"},
		{"DocumentReference", "clinical notes"},
		{"Composition", "clinical notes"},
		{"CarePlan", "care plans"},
		{"Coverage", "insurance"},
		{"Claim", "billing"},
		{"ExplanationOfBenefit", "billing"},
		{"Account", "billing"},
		{"FamilyMemberHistory", "family history"},
		{"RiskAssessment", "risk assessments"},
	};
	for (size_t i = 0; t && i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(map[i].type, t))
			return map[i].cat;
	return NULL;
}

