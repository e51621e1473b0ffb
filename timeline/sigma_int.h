/* SPDX-License-Identifier: Apache-2.0
 *
 * The compiled form of Sigma rules, shared by the loader (sigma.c) and the
 * evaluator (sigma_eval.c) only. A detection is a list of named
 * identifiers (search identifiers), each a list of alternatives (OR), each
 * a list of field tests (AND); a field test holds its values (OR, or AND
 * with `all`) already prepared: wildcard patterns with escapes resolved,
 * compiled PCRE2 expressions, parsed CIDR networks, decoded base64
 * variants. The condition is a tree over identifier numbers.
 */
#ifndef CASEFILE_TIMELINE_SIGMA_INT_H
#define CASEFILE_TIMELINE_SIGMA_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "sigma.h"

/* Field test modifiers (bits). */
enum {
	SG_M_CONTAINS = 1 << 0, SG_M_STARTS = 1 << 1, SG_M_ENDS = 1 << 2,
	SG_M_ALL = 1 << 3, SG_M_RE = 1 << 4, SG_M_CIDR = 1 << 5,
	SG_M_EXISTS = 1 << 6, SG_M_CASED = 1 << 7, SG_M_B64 = 1 << 8,
	SG_M_B64OFF = 1 << 9, SG_M_WINDASH = 1 << 10, SG_M_FIELDREF = 1 << 11,
	SG_M_LT = 1 << 12, SG_M_LTE = 1 << 13, SG_M_GT = 1 << 14,
	SG_M_GTE = 1 << 15, SG_M_RE_I = 1 << 16, SG_M_RE_M = 1 << 17,
	SG_M_RE_S = 1 << 18, SG_M_KEYWORD = 1 << 19,
};

/* One value of a field test. A pattern is a wildcard text: '*' and '?'
 * are wildcards unless `lit` marks them literal (an escaped \* or \?). */
struct sg_value {
	char *pat;            /* resolved text (NUL-ended), NULL for null */
	unsigned char *lit;   /* per byte: 1 when literal; NULL when none */
	size_t len;
	int is_null;          /* YAML null: the field must be absent or empty */
	pcre2_code *re;       /* |re */
	unsigned char net[16];
	int family, prefix;   /* |cidr: 4 or 6, prefix bits */
	double num;           /* |lt |gt ... */
	struct sigma_fieldmap ref; /* |fieldref: the other field */
	int exists;           /* |exists: true or false */
};

struct sg_test {
	char *field;          /* the Sigma name, for messages */
	struct sigma_fieldmap map;
	unsigned mods;
	struct sg_value *v;
	size_t nv;
};

struct sg_alt {           /* AND of tests */
	struct sg_test *t;
	size_t nt;
};

struct sg_ident {         /* OR of alternatives */
	char *name;
	struct sg_alt *alt;
	size_t nalt;
};

enum sg_node_kind { SG_N_ID, SG_N_AND, SG_N_OR, SG_N_NOT, SG_N_ONE_OF,
		    SG_N_ALL_OF };
struct sg_node {
	enum sg_node_kind kind;
	int id;                 /* SG_N_ID */
	struct sg_node *a, *b;  /* AND, OR: both; NOT: a */
	int *ids;               /* ONE_OF, ALL_OF: identifiers */
	size_t nids;
};

enum sg_corr_type { SG_C_NONE, SG_C_EVENT_COUNT, SG_C_VALUE_COUNT,
		    SG_C_TEMPORAL, SG_C_TEMPORAL_ORDERED };

struct sg_group;

struct sigma_rule {
	char *id, *name, *title, *file;
	int line;
	enum sigma_level level;
	/* logsource */
	const char *const *sources; /* static, NULL-ended; {NULL}: any */
	char **programs;            /* NULL-ended, NULL: any */
	/* detection */
	struct sg_ident *ids;
	size_t nids;
	struct sg_node *cond;       /* OR of the condition list */
	/* correlation */
	enum sg_corr_type corr;
	char **refs;                /* rule names or ids */
	size_t nrefs;
	struct sigma_rule **ref;    /* resolved by sigma_link */
	char **group_by;
	struct sigma_fieldmap *group_map;
	size_t ngroup;
	char *value_field;          /* value_count */
	struct sigma_fieldmap value_map;
	int64_t span_us;
	int64_t cmp[6];             /* gt gte lt lte eq neq */
	unsigned has_cmp;           /* bits for cmp */
	int generate;               /* correlation: base rules report too */
	int reports;                /* this rule's own findings are reported */
	struct sigma_rule **users;  /* correlations that reference this rule */
	size_t nusers;
	char *memo;                 /* per event: identifier results (-1: not yet) */
	/* evaluation state */
	int matched;                /* detection: matched the current event */
	struct sigma_finding *finding;   /* detection: its one finding */
	struct sg_group **groups;        /* correlation: hash table */
	size_t ngroups, groups_cap;
	int64_t last_sweep_us;
};

struct sigma_set {
	struct sigma_rule **rules;
	size_t nrules, cap;
	struct sigma_refusal *ref;
	size_t nref, refcap;
	struct sigma_finding **found;
	size_t nfound, foundcap;
	int sorted;
	int linked;
	pcre2_match_data *md;
};

/* sigma_eval.c */
void sg_rule_free(struct sigma_rule *r);
void sg_finding_free(struct sigma_finding *f);
/* Frees a condition tree (the loader's, when it refuses a condition). */
void sg_nodes_free(struct sg_node *n);
/* 1 when the wildcard pattern of v matches s (n bytes). */
int sg_wild_match(const struct sg_value *v, const char *s, size_t n, int cased);

#endif
