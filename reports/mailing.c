/* SPDX-License-Identifier: Apache-2.0
 *
 * The mailing list of a breach: one mail-merge row per affected
 * individual, from the FHIR Patient resource (or roster row) the evidence
 * holds for them, so that the letters of 45 CFR 164.404 can be printed and
 * sent: name, postal address or e-mail (only with the individual's
 * consent, 164.404(d)(1)), MRN, the delivery channel, who the letter goes
 * to (next of kin or personal representative of a decedent,
 * 164.404(d)(1)(ii); parent or guardian of a minor, 164.502(g)), the PHI
 * categories and dates of the accesses that count them, and the evidence
 * pointer of the record (archive digest, member, line).
 *
 * Who is counted and how each is reached is the scope's (dbscope.c and
 * the core's reach rules): this file adds only what the letter needs and
 * the store never keeps, read back from the evidence archive at the
 * patient record's member and line. The file holds PHI: its first lines
 * say so, and the buffers that held records are wiped before they are
 * freed. Nothing here prints; the command decides where the file goes.
 */
#include <csv.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "casefile/alloc.h"
#include "casefile/array.h"
#include "casefile/archive.h"
#include "casefile/buf.h"
#include "casefile/csv.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/scope.h"
#include "escape.h"
#include "mailing.h"

#define MAX_MEMBER_BYTES (256u << 20)
#define MAX_FIELD 4096

static const cJSON *get(const cJSON *o, const char *k)
{
	return o ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

/* ---- reading a record back from the evidence ---------------------------- */

/* One member held in memory (the last one read). */
struct member {
	char *archive, *name;
	struct cf_buf data;
	/* where lines 1, 1 + LINE_STEP, 1 + 2 * LINE_STEP... start: a line
	 * is found from the mark before it, not by counting from the top
	 * for each patient (bounded: a member of empty lines gets one mark
	 * for LINE_STEP bytes) */
	size_t *marks, nmarks, markcap;
};

#define LINE_STEP 64

static void member_drop(struct member *m)
{
	free(m->archive);
	free(m->name);
	m->archive = m->name = NULL;
	cf_buf_release_secret(&m->data);
	free(m->marks);
	m->marks = NULL;
	m->nmarks = m->markcap = 0;
}

static int member_index(struct member *m)
{
	const char *s = m->data.data, *end = s + m->data.len, *nl;
	size_t *v;

	for (uint64_t i = 0; s && s < end; i++) {
		if (i % LINE_STEP == 0) {
			if (!(v = cf_array_add(m->marks, &m->markcap, m->nmarks,
					       sizeof *v, 256)))
				return -1;
			m->marks = v;
			v[m->nmarks++] = (size_t)(s - m->data.data);
		}
		if (!(nl = memchr(s, '\n', (size_t)(end - s))))
			break;
		s = nl + 1;
	}
	return 0;
}

static const char *archive_path(const cJSON *scope, const char *digest)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, get(scope, "archives"))
		if (!strcmp(cf_json_str(a, "sha256sums", ""), digest))
			return cf_json_str(a, "path", NULL);
	return NULL;
}

/* Loads member `name` of the archive with sha256sums `digest`. */
static int member_load(struct cf_ctx *ctx, const cJSON *scope, struct member *m,
		       const char *digest, const char *name)
{
	const char *path = archive_path(scope, digest);
	struct cf_member mb;
	cf_archive *a = NULL;
	char buf[65536];
	long n;
	int rc, found = 0;

	if (m->archive && !strcmp(m->archive, digest) && !strcmp(m->name, name))
		return CF_OK;
	member_drop(m);
	cf_buf_init(&m->data);
	if (!path)
		return cf_set_error(ctx, 0, "archive %s is not in the store", digest);
	if ((rc = cf_archive_open(ctx, path, &a)) != CF_OK)
		return rc;
	while ((rc = cf_archive_next(a, ctx, &mb)) == CF_OK || rc == CF_WARN) {
		if (rc != CF_OK || strcmp(mb.name, name))
			continue;
		found = 1;
		while ((n = cf_archive_read(a, ctx, buf, sizeof buf)) > 0) {
			if (m->data.len + (size_t)n > MAX_MEMBER_BYTES) {
				n = -1;
				cf_set_error(ctx, 0, "%s: %s is larger than %u MiB", path,
					     name, MAX_MEMBER_BYTES >> 20);
				break;
			}
			cf_buf_append(&m->data, buf, (size_t)n);
		}
		rc = n < 0 ? CF_FAILED : cf_buf_error(&m->data) ? cf_set_nomem(ctx, name) : CF_OK;
		break;
	}
	cf_archive_close(a);
	OPENSSL_cleanse(buf, sizeof buf);
	if (rc == CF_EOF || (rc == CF_OK && !found))
		return cf_set_error(ctx, 0, "%s: no member %s", path, name);
	if (rc != CF_OK)
		return rc;
	if (!(m->archive = strdup(digest)) || !(m->name = strdup(name)) ||
	    member_index(m)) {
		member_drop(m);
		return cf_set_nomem(ctx, "mailing");
	}
	return CF_OK;
}

/* Line ln (1-based) of the member: *p and *len, or -1 when there is none. */
static int member_line(const struct member *m, uint64_t ln, const char **p, size_t *len)
{
	const char *s, *end = m->data.data + m->data.len, *nl;
	uint64_t i, k = ln ? (ln - 1) / LINE_STEP : 0;

	if (!ln || k >= m->nmarks)
		return -1;
	s = m->data.data + m->marks[k];
	for (i = k * LINE_STEP + 1; s && s < end; i++) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (i == ln) {
			*p = s;
			*len = (size_t)((nl ? nl : end) - s);
			return 0;
		}
		if (!nl)
			break;
		s = nl + 1;
	}
	return -1;
}

/* 1 when a list of FHIR Codings carries a 42 CFR Part 2 label: the HL7
 * v3 ActCode privacy law 42CFRPart2, or the sensitivity ETH (substance
 * abuse information). */
static int part2_label(const cJSON *codings)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, codings) {
		const char *code = cf_json_str(c, "code", "");

		if (!strcmp(code, "42CFRPart2") || !strcmp(code, "ETH"))
			return 1;
	}
	return 0;
}

/* ---- the letter's facts --------------------------------------------------- */

struct facts {
	char name[MAX_FIELD], postal[MAX_FIELD], email[MAX_FIELD], mrn[MAX_FIELD];
	char kin_name[MAX_FIELD], kin_postal[MAX_FIELD];
	int email_consent;
	int part2;          /* Patient.meta.security labels it Part 2 */
};

static void put(char *dst, const char *src)
{
	snprintf(dst, MAX_FIELD, "%s", src ? src : "");
}

static void append(char *dst, const char *sep, const char *s)
{
	size_t n = strlen(dst);

	if (!s || !*s)
		return;
	snprintf(dst + n, MAX_FIELD - n, "%s%s", n ? sep : "", s);
}

/* Appends each string of arr to out, after sep unless out is empty. */
static void append_all(char *out, const char *sep, const cJSON *arr)
{
	const cJSON *s;

	cJSON_ArrayForEach(s, arr)
		if (cJSON_IsString(s))
			append(out, sep, s->valuestring);
}

/* A FHIR HumanName: its text, else given names and family. */
static void human_name(const cJSON *n, char *out)
{
	put(out, cf_json_str(n, "text", NULL));
	if (*out)
		return;
	append_all(out, " ", get(n, "given"));
	append(out, " ", cf_json_str(n, "family", NULL));
}

/* A FHIR Address: its text, else lines, city, state, postal code; empty
 * without a text or a line (a State alone does not take a letter). */
static void address(const cJSON *a, char *out)
{
	put(out, cf_json_str(a, "text", NULL));
	if (!*out && !cJSON_GetArraySize(get(a, "line")))
		return;
	if (*out)
		return;
	append_all(out, ", ", get(a, "line"));
	append(out, ", ", cf_json_str(a, "city", NULL));
	append(out, ", ", cf_json_str(a, "state", NULL));
	append(out, " ", cf_json_str(a, "postalCode", NULL));
}

/* The first name of use "official" or "usual", else the first. */
static const cJSON *pick_name(const cJSON *names)
{
	const cJSON *n;

	cJSON_ArrayForEach(n, names) {
		const char *use = cf_json_str(n, "use", "");

		if (!strcmp(use, "official") || !strcmp(use, "usual"))
			return n;
	}
	return cJSON_GetArrayItem(names, 0);
}

static void from_patient(const cJSON *p, struct facts *f)
{
	const cJSON *x, *c;

	f->part2 = part2_label(get(get(p, "meta"), "security"));
	human_name(pick_name(get(p, "name")), f->name);
	cJSON_ArrayForEach(x, get(p, "address"))
		if (strcmp(cf_json_str(x, "use", ""), "old")) {
			address(x, f->postal);
			if (*f->postal)
				break;
		}
	cJSON_ArrayForEach(x, get(p, "telecom"))
		if (!strcmp(cf_json_str(x, "system", ""), "email") && !*f->email)
			put(f->email, cf_json_str(x, "value", NULL));
	/* the medical record number: an identifier typed MR */
	cJSON_ArrayForEach(x, get(p, "identifier"))
		cJSON_ArrayForEach(c, get(get(x, "type"), "coding"))
			if (!strcmp(cf_json_str(c, "code", ""), "MR") && !*f->mrn)
				put(f->mrn, cf_json_str(x, "value", NULL));
	/* next of kin, personal representative, parent or guardian */
	cJSON_ArrayForEach(x, get(p, "contact")) {
		if (!cJSON_IsObject(get(x, "address")) && !get(x, "name"))
			continue;
		human_name(get(x, "name"), f->kin_name);
		address(get(x, "address"), f->kin_postal);
		break;
	}
}

/* The Patient resource `id` of a line: the line itself or a Bundle entry. */
static const cJSON *find_patient(const cJSON *o, const char *id)
{
	const cJSON *e;

	if (!strcmp(cf_json_str(o, "resourceType", ""), "Patient"))
		return !strcmp(cf_json_str(o, "id", ""), id) ? o : NULL;
	cJSON_ArrayForEach(e, get(o, "entry")) {
		const cJSON *r = get(e, "resource");

		if (!strcmp(cf_json_str(r, "resourceType", ""), "Patient") &&
		    !strcmp(cf_json_str(r, "id", ""), id))
			return r;
	}
	return NULL;
}

/* libcsv's fields of one row, copied (at most 64). */
struct row {
	char *f[64];
	size_t n;
	int nomem;
};

static void on_field(void *s, size_t len, void *arg)
{
	struct row *r = arg;

	if (r->n == 64)
		return;
	if (!(r->f[r->n] = cf_malloc(len + 1))) {
		r->nomem = 1;
		return;
	}
	memcpy(r->f[r->n], s, len);
	r->f[r->n][len] = '\0';
	r->n++;
}

static void row_free(struct row *r)
{
	for (size_t i = 0; i < r->n; i++) {
		if (r->f[i])
			OPENSSL_cleanse(r->f[i], strlen(r->f[i]));
		free(r->f[i]);
	}
}

/* 0, -1 for a row libcsv cannot read, -2 when memory ran out. */
static int split(const char *p, size_t len, struct row *r)
{
	struct csv_parser csv;
	int ok;

	memset(r, 0, sizeof *r);
	if (csv_init(&csv, CSV_APPEND_NULL) != 0)
		return -1;
	ok = csv_parse(&csv, p, len, on_field, NULL, r) == len &&
	     csv_fini(&csv, on_field, NULL, r) == 0 && !r->nomem;
	csv_free(&csv);
	if (!ok)
		row_free(r);
	return ok ? 0 : r->nomem ? -2 : -1;
}

/* A roster row (timeline/roster.c's columns, plus name and MRN); -1 when
 * it cannot be read, -2 when memory ran out. */
static int from_roster(const struct member *m, uint64_t ln, struct facts *f)
{
	const char *hp, *rp;
	size_t hl, rl;
	struct row h, r;
	int rc = -1;

	if (member_line(m, 1, &hp, &hl) || member_line(m, ln, &rp, &rl))
		return -1;
	if ((rc = split(hp, hl, &h)) != 0)
		return rc;
	if ((rc = split(rp, rl, &r)) != 0) {
		row_free(&h);
		return rc;
	}
	for (size_t i = 0; i < h.n && i < r.n; i++) {
		const char *k = h.f[i] ? h.f[i] : "", *v = r.f[i] ? r.f[i] : "";

		if (!strcasecmp(k, "name")) put(f->name, v);
		else if (!strcasecmp(k, "mrn")) put(f->mrn, v);
		else if (!strcasecmp(k, "address") || !strcasecmp(k, "postal")) put(f->postal, v);
		else if (!strcasecmp(k, "email")) put(f->email, v);
		else if (!strcasecmp(k, "email_consent"))
			f->email_consent = !strcasecmp(v, "yes") || !strcasecmp(v, "y") ||
					   !strcasecmp(v, "true") || !strcmp(v, "1");
		else if (!strcasecmp(k, "next_of_kin_address") ||
			 !strcasecmp(k, "representative_address")) put(f->kin_postal, v);
		else if (!strcasecmp(k, "next_of_kin") || !strcasecmp(k, "representative"))
			put(f->kin_name, v);
	}
	rc = 0;
	row_free(&h);
	row_free(&r);
	return rc;
}

/* ---- the rows --------------------------------------------------------------- */

static const char *channel(const cJSON *d, int *email_ok)
{
	const char *reach = cf_json_str(d, "reach", "unknown");

	*email_ok = 0;
	if (cf_json_bool(d, "deceased", 0))
		return cf_json_bool(d, "has_contact", 0)
			? "first-class mail to next of kin or personal representative"
			: "none owed: no address of next of kin (no substitute notice, 164.404(d)(2))";
	if (!strcmp(reach, "postal"))
		return "first-class mail";
	if (!strcmp(reach, "email")) {
		*email_ok = 1;
		return "e-mail (the individual agreed to electronic notice)";
	}
	if (!strcmp(reach, "contact"))
		return "first-class mail (contact kind not recorded: confirm)";
	if (!strcmp(reach, "phone-only"))
		return "substitute notice (telephone number only)";
	if (!strcmp(reach, "none"))
		return "substitute notice (no usable contact)";
	return "unknown: no patient record in the evidence";
}

/* Adds to cats the PHI category of a FHIR reference ("Condition/c1"). */
static void category_of(const char *ref, char *cats)
{
	char type[64];
	size_t n = strcspn(ref, "/?");
	const char *cat;

	snprintf(type, sizeof type, "%.*s", (int)(n < 63 ? n : 63), ref);
	cat = cf_phi_category(type);
	if (cat && !strstr(cats, cat))
		append(cats, "; ", cat);
}

static int load_cached(struct cf_ctx *ctx, const cJSON *scope, struct member *c,
		       unsigned *next, const cJSON *rec, struct member **out);

/* PHI categories (of the FHIR resources each access names, read back from
 * its line in the evidence) and access days (UTC) of the patient's
 * evidence rows (an array, may be NULL); *part2 set when an AuditEvent
 * labels an entity as Part 2 (entity.securityLabel). */
static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts a "; "-joined list in place, so that a row does not depend on the
 * order the evidence names its categories in. */
static void sort_list(char *list)
{
	char copy[MAX_FIELD], *item[64], *save = NULL, *t;
	size_t n = 0;

	snprintf(copy, sizeof copy, "%s", list);
	for (t = strtok_r(copy, ";", &save); t && n < 64; t = strtok_r(NULL, ";", &save))
		item[n++] = t + (*t == ' ');
	qsort(item, n, sizeof *item, by_str);
	*list = '\0';
	for (size_t i = 0; i < n; i++)
		append(list, "; ", item[i]);
}

static int accesses(struct cf_ctx *ctx, const cJSON *scope, struct member *cache,
		    unsigned *next, const cJSON *rows, char *cats, char *days,
		    int *part2)
{
	const cJSON *e, *x;
	struct member *m;
	const char *p;
	size_t len;
	unsigned long refused;
	int rc;

	*cats = *days = '\0';
	cJSON_ArrayForEach(e, rows) {
		const char *ts = cf_json_str(e, "ts", cf_json_str(e, "time", ""));
		char day[11];
		cJSON *o;

		if (strlen(ts) >= 10) {
			snprintf(day, sizeof day, "%.10s", ts);
			if (!strstr(days, day))
				append(days, "; ", day);
		}
		if (get(e, "resource"))
			category_of(cf_json_str(e, "resource", ""), cats);
		if (!cf_json_str(e, "archive", NULL) || !cf_json_str(e, "member", NULL))
			continue;
		if ((rc = load_cached(ctx, scope, cache, next, e, &m)) != CF_OK)
			return rc;
		if (member_line(m, (uint64_t)cf_json_int(e, "line", 0), &p, &len) ||
		    !len || *p != '{')
			continue;
		/* a line that is not JSON names no categories; running out of
		 * memory while parsing it is an error, not such a line */
		refused = cf_alloc_failures();
		if (!(o = cJSON_ParseWithLength(p, len))) {
			if (cf_alloc_failures() != refused)
				return cf_set_nomem(ctx, m->name);
			continue;
		}
		cJSON_ArrayForEach(x, get(o, "entity")) {
			category_of(cf_json_str(get(x, "what"), "reference", ""), cats);
			*part2 |= part2_label(get(x, "securityLabel"));
		}
		cJSON_Delete(o);
	}
	sort_list(cats);
	return CF_OK;
}

/* Fills f from the patient record of d; a record that cannot be read back
 * is an error (the evidence no longer matches the store). */
static int facts_of(struct cf_ctx *ctx, const cJSON *scope, struct member *cache,
		    unsigned *next, const cJSON *d, struct facts *f)
{
	const cJSON *rec = get(d, "record");
	const char *p;
	size_t len;
	uint64_t ln = (uint64_t)cf_json_int(rec, "line", 0);
	struct member *m;
	cJSON *o;
	int rc;

	memset(f, 0, sizeof *f);
	if (!rec)
		return CF_OK;
	if ((rc = load_cached(ctx, scope, cache, next, rec, &m)) != CF_OK)
		return rc;
	if (member_line(m, ln, &p, &len))
		return cf_set_error(ctx, 0, "%s: no line %llu for patient %s",
				    m->name, (unsigned long long)ln,
				    cf_json_str(d, "patient", ""));
	while (len && (*p == ' ' || *p == '\t'))
		p++, len--;
	if (len && *p == '{') {
		unsigned long refused = cf_alloc_failures();

		if (!(o = cJSON_ParseWithLength(p, len)) && cf_alloc_failures() != refused)
			return cf_set_nomem(ctx, m->name);
		if (!o)
			return cf_set_error(ctx, 0, "%s:%llu: the patient record is not "
					    "JSON", m->name, (unsigned long long)ln);
		from_patient(find_patient(o, cf_json_str(d, "patient", "")), f);
		cJSON_Delete(o);
		return CF_OK;
	}
	if ((rc = from_roster(m, ln, f)) == -2)
		return cf_set_nomem(ctx, m->name);
	if (rc)
		return cf_set_error(ctx, 0, "%s:%llu: the roster row cannot be read",
				    m->name, (unsigned long long)ln);
	return CF_OK;
}

static int cmp_detail(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;

	return strcmp(cf_json_str(x, "patient", ""), cf_json_str(y, "patient", ""));
}

/* The detail of patient id in the sorted v[n], or NULL. */
static const cJSON *detail_of(const cJSON **v, size_t n, const char *id)
{
	cJSON key = {0}, name = {0}, *k = &key;
	const cJSON **hit;

	name.type = cJSON_String;
	name.valuestring = (char *)id;
	name.string = (char *)"patient";
	key.type = cJSON_Object;
	key.child = &name;
	hit = n ? bsearch(&k, v, n, sizeof *v, cmp_detail) : NULL;
	return hit ? *hit : NULL;
}

/* The member a record (or evidence row) names, from a small cache: the
 * records of patients in id order come from a few members. */
#define CACHE 8
static int load_cached(struct cf_ctx *ctx, const cJSON *scope, struct member *c,
		       unsigned *next, const cJSON *rec, struct member **out)
{
	const char *a = cf_json_str(rec, "archive", ""), *n = cf_json_str(rec, "member", "");

	for (int i = 0; i < CACHE; i++)
		if (c[i].archive && !strcmp(c[i].archive, a) && !strcmp(c[i].name, n)) {
			*out = &c[i];
			return CF_OK;
		}
	*out = &c[(*next)++ % CACHE];
	return member_load(ctx, scope, *out, a, n);
}

int cf_mailing_csv(struct cf_ctx *ctx, const cJSON *scope, struct cf_buf *out,
		   size_t *nrows, size_t *npart2)
{
	static const char *const head[] = {"patient", "name", "postal_address",
		"email", "mrn", "channel", "notice_to", "recipient_name",
		"recipient_address", "phi_categories", "access_dates_utc",
		"part2", "archive", "member", "line"};
	const cJSON *d, *p, **v = NULL;
	struct member m[CACHE];
	struct facts *f = NULL;
	char *cats = NULL, *days = NULL;
	size_t n = 0, cap = (size_t)cJSON_GetArraySize(get(scope, "patient_details"));
	unsigned next = 0;
	int rc = CF_OK;

	*nrows = *npart2 = 0;
	memset(m, 0, sizeof m);
	for (int i = 0; i < CACHE; i++)
		cf_buf_init(&m[i].data);
	if ((cap && !(v = cf_calloc(cap, sizeof *v))) || !(f = cf_malloc(sizeof *f)) ||
	    !(cats = cf_malloc(MAX_FIELD)) || !(days = cf_malloc(MAX_FIELD))) {
		rc = cf_set_nomem(ctx, "mailing");
		goto out;
	}
	cJSON_ArrayForEach(d, get(scope, "patient_details"))
		if (n < cap)
			v[n++] = d;
	qsort(v, n, sizeof *v, cmp_detail);
	cf_buf_printf(out, "# CONTAINS PROTECTED HEALTH INFORMATION of the individuals of "
		      "incident %s. Keep this file in the case folder; do not e-mail it "
		      "or copy it elsewhere.\n# One row per affected individual; archive, "
		      "member and line point at the patient record in the evidence.\n",
		      cf_json_str(get(scope, "incident"), "id",
				  cf_json_str(scope, "incident", "")));
	cf_csv_row(out, head, sizeof head / sizeof head[0], "\n");
	cJSON_ArrayForEach(p, get(scope, "patients")) {
		const char *id = cJSON_IsString(p) ? p->valuestring : "";
		const cJSON *rec, *ev = get(get(scope, "evidence"), id);
		const char *to, *ch, *row[15];
		int email_ok, other, p2 = 0;
		char line[24];

		d = detail_of(v, n, id);
		rec = get(d, "record");
		to = cf_json_str(d, "notice_to", "the individual");
		other = cf_json_bool(d, "deceased", 0) || cf_json_bool(d, "minor", 0);
		ch = channel(d, &email_ok);
		if ((rc = facts_of(ctx, scope, m, &next, d, f)) != CF_OK ||
		    (rc = accesses(ctx, scope, m, &next,
				   get(d, "evidence") ? get(d, "evidence") : ev,
				   cats, days, &p2)) != CF_OK)
			break;
		snprintf(line, sizeof line, "%lld", (long long)cf_json_int(rec, "line", 0));
		row[0] = id;
		row[1] = f->name;
		row[2] = f->postal;
		row[3] = email_ok ? f->email : "";
		row[4] = f->mrn;
		row[5] = ch;
		row[6] = to;
		row[7] = other ? f->kin_name : f->name;
		row[8] = other ? f->kin_postal : (email_ok && !*f->postal ? f->email : f->postal);
		row[9] = cats;
		row[10] = days;
		row[11] = p2 || f->part2 ? "yes" : "";
		row[12] = rec ? cf_json_str(rec, "archive", "") : "";
		row[13] = rec ? cf_json_str(rec, "member", "") : "";
		row[14] = rec ? line : "";
		*npart2 += p2 || f->part2;
		if (cf_csv_row(out, row, 15, "\n"))
			rc = cf_set_nomem(ctx, "mailing");
		OPENSSL_cleanse(f, sizeof *f);
		(*nrows)++;
		if (rc != CF_OK)
			break;
	}
	if (rc == CF_OK && cf_buf_error(out))
		rc = cf_set_nomem(ctx, "mailing");
out:
	for (int i = 0; i < CACHE; i++)
		member_drop(&m[i]);
	if (f)
		OPENSSL_cleanse(f, sizeof *f);
	free(f);
	free(cats);
	free(days);
	free(v);
	return rc;
}
