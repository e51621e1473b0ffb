/* SPDX-License-Identifier: Apache-2.0
 *
 * Incident files and breach scope (SPEC section 6): who was affected, from
 * which evidence.
 *
 * The incident file (YAML, casefile-incident(5)) names the window of the
 * incident and its suspects (actors, source addresses, credentials, model
 * versions). cf_scope_compute() reads the timeline store and counts an
 * access when it is inside the window, attributed to a suspect, succeeded
 * and names a patient; failed attempts are listed apart and not counted.
 * It lives in the core because both `timeline scope` and the breach report
 * use it: they must never disagree on a number. Nothing here prints.
 */
#ifndef CASEFILE_SCOPE_H
#define CASEFILE_SCOPE_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "casefile/db.h"
#include "casefile/tz.h"

struct cf_ctx;
struct fy_document;

struct cf_suspect_model {
	char *name;
	char *version; /* NULL: every version */
};

/* law_enforcement.kind (45 CFR 164.412). */
enum { CF_LE_NONE = 0, CF_LE_WRITTEN = 1, CF_LE_ORAL = 2 };
#define CF_LE_ORAL_MAX_DAYS 30  /* 164.412(b) */

/* A law-enforcement delay. Days are local calendar days of the covered
 * entity (days since 1970-01-01), -1 when not known. `last_day` is the
 * LAST day of the delay, inclusive: notices may go out from the next day. */
struct cf_le_delay {
	int kind;                /* CF_LE_* */
	int legacy;              /* 1: from law_enforcement_delay_until */
	int64_t statement_day;   /* day of the statement */
	int64_t until_day;       /* the end as written (inclusive), or -1 */
	int64_t last_day;        /* in force: an oral one capped (164.412(b)) */
	int capped;              /* 1 when the 30-day cap cut until_day */
	char *agency, *official;
};

/* The business associate of a covered entity (164.410, 164.404(a)(2)). */
struct cf_ba_facts {
	int present;
	char *name, *contact;
	int has_discovered, has_notified;
	int64_t discovered_us;   /* when the BA discovered the breach */
	int64_t notified_us;     /* when the BA told the covered entity */
	int agent;               /* the BA acted as the entity's agent */
};

/* A covered entity a business associate must notify (164.410(a)). */
struct cf_named_entity {
	char *name, *contact;
};

/* The breach determination (164.402): decision is one of "breach",
 * "exception-good-faith", "exception-inadvertent",
 * "exception-cannot-retain", "secured", "de-identified",
 * "low-probability"; NULL when the file has no determination block. */
struct cf_determination {
	char *decision, *decided_by, *rationale;
	int64_t decided_day;     /* local day, -1 when not given */
	char *factors[4];        /* low-probability: the four factors of
				    164.402(2)(i)-(iv), in that order */
};

/* The last day of a law-enforcement delay (inclusive) from its kind, the
 * day of the statement and the end written (-1: none written): an oral
 * statement delays at most 30 days from the statement (164.412(b)); a
 * written one until the end it states (164.412(a)). -1 when there is no
 * delay. *capped (may be NULL) says whether the cap applied. */
int64_t cf_le_last_day(int kind, int64_t statement_day, int64_t until_day,
		       int *capped);
/* The local calendar day of utc_us in zone tz, or at the fixed offset
 * offset_s when tz is NULL. */
struct cf_tz;
int64_t cf_local_day(const struct cf_tz *tz, int offset_s, int64_t utc_us);

/* One piece of data at rest the incident exposed (`exposed_data`,
 * casefile-incident(5)): a training dataset, an export, a bucket, a model
 * artifact or a host's database. The patients in it are the affected
 * population (src/scope_data.c). At least one of path and mlflow_run. */
struct cf_exposed_data {
	char *path;        /* glob (fnmatch) on the original path, or NULL */
	char *what;        /* training-dataset | export | bucket |
			      model-artifact | database, or NULL */
	char *mlflow_run;  /* the MLflow run that took it as input, or NULL */
	char *dataset;     /* that input's name (NULL: every input of the run) */
	/* a host's SQLite database: only the rows of this table, and of this
	 * patient column (timeline/sqlitedb.c's rule picks the columns read;
	 * NULL: every table and column it read) */
	char *table, *patient_column;
};

/* A deletion attestation (`deletion_attestations`, factor 4). */
struct cf_attestation {
	char *by, *note;
	int64_t day;       /* local day (days since 1970-01-01), -1: not given */
};

/* What the exposure of data at rest or to a vendor adds to the risk
 * assessment (45 CFR 164.402(2)): re-identification (factor 1), the
 * recipient (factor 2), deletion attestations (factor 4). */
struct cf_exposure {
	struct cf_exposed_data *data;
	size_t ndata;
	/* `reidentification.status`: identified | safe-harbor |
	 * expert-determination | limited-data-set | pseudonymised; NULL when
	 * not given */
	char *deidentification;
	int key_exposed;   /* the pseudonymisation key or crosswalk was
			      exposed too: 1, 0, or -1 when not given */
	int has_vendor;    /* a `vendor` block */
	char *recipient, *retention, *training;
	int baa;           /* a business associate agreement: 1, 0, -1 */
	struct cf_attestation *attest;
	size_t nattest;
};
/* The instant (UTC microseconds) local calendar day `day` begins in zone
 * tz, or at the fixed offset offset_s when tz is NULL; a deadline that is
 * a local day ends when the next day begins. */
int64_t cf_local_day_start(const struct cf_tz *tz, int offset_s, int64_t day);

struct cf_incident {
	char *id, *title, *notes;
	struct {
		char *name, *type; /* provider | health-plan | clearinghouse |
				      business-associate */
		char *phone, *email, *web, *postal;
		char *time_zone;   /* tz database name, or NULL */
	} covered_entity;
	int64_t discovered_us;
	/* The covered entity's local calendar (45 CFR 164.404(a)(2) counts
	 * days from discovery): the offset of time_zone at discovery, or the
	 * offset written in `discovered` when there is no time_zone. */
	int discovered_offset_s;         /* seconds east of UTC */
	int64_t discovered_day;          /* local day, days since 1970-01-01 */
	int64_t from_us, to_us;          /* the window, inclusive */
	char **actors, **ips, **credentials;
	size_t nactors, nips, ncredentials;
	struct cf_suspect_model *models;
	size_t nmodels;
	/* The legacy key: the time as written (a bare date: 00:00 UTC). */
	int64_t law_enforcement_delay_until_us;
	int has_law_enforcement_delay;   /* 0 when null */
	struct cf_le_delay le;           /* the delay, either key (164.412) */
	struct cf_ba_facts ba;           /* the covered entity's BA (164.410) */
	struct cf_named_entity *notify;  /* a BA's covered entities to notify */
	size_t nnotify;
	struct cf_determination determination;
	int imminent_misuse;             /* urgent telephone notice, 164.404(d)(3) */
	int exclude_treatment_access;    /* leave treatment-relationship accesses
					    out of `affected` (listed apart) */
	int kind;                        /* enum cf_incident_kind (`kind`) */
	int phi_disclosed;               /* `phi_disclosed`: the incident also
					    disclosed PHI (model-malfunction) */
	struct cf_exposure exposure;     /* data at rest, vendor facts */
	int part2;                       /* `part2`: the records include
					    substance-use-disorder records of
					    a 42 CFR Part 2 program */
};

/* What kind of incident a file describes (`kind`); a file without the key
 * is an unauthorised access, as every file was before the key existed. */
enum cf_incident_kind {
	CF_KIND_UNAUTHORISED_ACCESS = 0,
	CF_KIND_MODEL_MALFUNCTION,
	CF_KIND_TRAINING_DATA_EXPOSURE,
	CF_KIND_VENDOR_EXPOSURE,
	CF_KIND_LOST_DEVICE,
	CF_KIND_RANSOMWARE,
	CF_KIND_COUNT
};
/* The name of a kind as the file writes it ("model-malfunction"). */
const char *cf_incident_kind_name(int kind);

/* Loads and checks an incident file; errors are "FILE:LINE:COL: message".
 * Freed with cf_incident_free(). */
int cf_incident_load(struct cf_ctx *ctx, const char *path,
		     struct cf_incident **out);
/* The same on a document already loaded with cf_yaml_load() (doc stays the
 * caller's): the breach report checks the file it hands to its templates
 * with this, so that the notice and the count rest on one reading of one
 * file under one set of rules. */
int cf_incident_from_yaml(struct cf_ctx *ctx, const char *path,
			  struct fy_document *doc, struct cf_incident **out);
void cf_incident_free(struct cf_incident *inc);
/* The covered entity's calendar as an incident document that may hold
 * only some keys gives it (checked as cf_incident_delay_end does): its
 * covered_entity.time_zone ("" when none), the offset written in
 * `discovered` (used when there is no time zone) and the end of the
 * law-enforcement delay (0: none). Playbook clocks count days with it. */
struct cf_incident_calendar {
	char time_zone[CF_TZ_NAME_MAX + 1];
	int offset_s;
	int64_t delay_end_us;
	int64_t discovered_us;  /* `discovered`, or the business associate's
				   discovery when it acted as the entity's
				   agent (164.404(a)(2)); 0 when absent */
};
int cf_incident_calendar(struct cf_ctx *ctx, const char *path,
			 struct fy_document *doc, struct cf_incident_calendar *cal);

/* The end of the law-enforcement delay of an incident document that may
 * hold only some keys (a playbook's --incident): the instant the day after
 * the delay's last day begins on the covered entity's calendar, or 0 when
 * there is no delay. Checks the keys it reads as cf_incident_from_yaml
 * does (a bare date is accepted wherever a time is). */
int cf_incident_delay_end(struct cf_ctx *ctx, const char *path,
			  struct fy_document *doc, int64_t *end_us);

/* The FHIR resource type's PHI category ("Observation" -> "lab results"),
 * or NULL for a type that is not clinical data. */
const char *cf_phi_category(const char *resource_type);
/* The HHS breach portal's box for a category cf_phi_category() returns
 * ("Clinical", "Demographic", "Financial"; NULL for a category not in the
 * table: "Other"), with its item under the box ("Lab Results") in *item
 * when item is not NULL. */
const char *cf_phi_portal(const char *category, const char **item);

/* cf_scope_compute() flags. */
#define CF_SCOPE_INCLUDE_UNVERIFIED 1u /* count events of unverified archives */

/* Computes the scope as a JSON object:
 *   {"incident","window":{"from","to"},"discovered","affected","patients",
 *    "by_state","failed_attempts","failed_count","phi_categories",
 *    "model_decisions","evidence":{PATIENT:[{"archive","member","line",
 *    "offset","time","actor","action"}]},"include_unverified",
 *    "unverified_archives":[{"sha256sums","path"}],"unverified_affected",
 *    "unverified_patients","unverified_excluded"}
 * Patients are listed without a "Patient/" prefix, sorted. An event is
 * verified when the store's archives table records its archive as
 * verified. Without CF_SCOPE_INCLUDE_UNVERIFIED the other events count
 * nowhere ("unverified_excluded" says how many accesses they would have
 * added); with it they count, every row from them carries "unverified":
 * true, and the patients named only by them are listed apart in
 * "unverified_patients" ("unverified_affected" of them). Then (src/
 * scope_count.c) "treatment_relationship", "to_confirm" (accesses of
 * unknown outcome: counted, 164.402(2)), "residence", "reach", "urgent_
 * telephone" and "discovery"; "by_state" keys are USPS codes
 * (cf_state_code). *out is freed with cJSON_Delete. */
int cf_scope_compute(struct cf_ctx *ctx, cf_db *db,
		     const struct cf_incident *inc, unsigned flags, cJSON **out);

/* Decision cohorts (src/scope_cohort.c): adds to a scope "cohorts", one
 * per model version in its "model_decisions": {"model","version",
 * "decisions","overridden","acted_on","patients","first","last",
 * "by_patient":[{"patient","decisions","overridden","acted_on","first",
 * "last"}]}, first/last citing {"time","archive","member","line","offset",
 * "patient"}. cf_scope_compute() calls it. */
int cf_scope_cohorts(struct cf_ctx *ctx, cJSON *scope);
/* The cohort file for clinical review: a CSV header then one row per
 * patient and version (patient,model,version,decisions,overridden,
 * acted_on,first,last), appended to out. */
struct cf_buf;
int cf_scope_cohort_csv(struct cf_ctx *ctx, const cJSON *scope,
			struct cf_buf *out);

#endif
