/* SPDX-License-Identifier: Apache-2.0
 *
 * The demo generator: same seed gives a byte-identical tree and another
 * seed a different one; every FHIR AuditEvent and Patient is JSON with the
 * R4 elements the timeline relies on; the ground truth equals a recount done
 * here, independently, from the generated files (cJSON over the NDJSON and
 * the decision logs, the incident file read with the core's YAML loader) for
 * every scenario, and the traps that expose a counting bug (failed attempts,
 * suspect events outside the window) are present; the MLflow store passes
 * SQLite's integrity check and agrees with the decision logs' versions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "casefile/buf.h"
#include "casefile/core.h"
#include "casefile/error.h"
#include "casefile/json.h"
#include "casefile/path.h"
#include "casefile/time.h"
#include "casefile/yaml.h"
#include "demo.h"

/* ---- helpers ------------------------------------------------------------- */
static char *make_tmp(void)
{
	const char *t = getenv("TMPDIR");
	char *p = malloc(256);

	snprintf(p, 256, "%s/cf-demo-test.XXXXXX", t && *t ? t : "/tmp");
	assert_non_null(mkdtemp(p));
	return p;
}

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *f)
{
	(void)st; (void)flag; (void)f;
	return remove(p);
}

static void rm_tree(char *p)
{
	nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(p);
}

static char *generate(uint64_t seed, enum cf_demo_scenario s)
{
	char *dir = make_tmp(), *out = cf_path_join(dir, "d");
	struct cf_demo_opts o = {out, seed, 1, s, NULL};
	struct cf_ctx ctx;
	int rc;

	cf_ctx_init(&ctx);
	rc = cf_demo_generate(&ctx, &o, NULL);
	if (rc != CF_OK)
		fail_msg("generate: %s", cf_errmsg(&ctx));
	free(dir);
	return out;
}

static void rm_gen(char *out)
{
	char *parent = strdup(out);

	*strrchr(parent, '/') = '\0';
	rm_tree(parent);
	free(out);
}

static void read_all(const char *path, struct cf_buf *b)
{
	struct cf_ctx ctx;

	cf_ctx_init(&ctx);
	cf_buf_reset(b);
	if (cf_buf_read_file(&ctx, b, path, 0) != CF_OK)
		fail_msg("%s", cf_errmsg(&ctx));
}

/* Calls fn on each line of a file, parsed. */
static void each_json_line(const char *path,
			   void (*fn)(const cJSON *, const char *, void *),
			   void *arg)
{
	struct cf_buf b;
	char *line, *save = NULL;
	unsigned n = 0;

	cf_buf_init(&b);
	read_all(path, &b);
	for (line = strtok_r(b.data, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		cJSON *j = cJSON_Parse(line);
		n++;
		if (!j)
			fail_msg("%s:%u: not JSON", path, n);
		fn(j, path, arg);
		cJSON_Delete(j);
	}
	assert_true(n > 0);
	cf_buf_release(&b);
}

/* The files of a folder matching prefix/suffix, sorted. */
static int list(const char *dir, const char *prefix, const char *suffix,
		char names[][64], int max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) && n < max) {
		size_t l = strlen(e->d_name), sl = strlen(suffix);
		if (strncmp(e->d_name, prefix, strlen(prefix)) || l < sl ||
		    strcmp(e->d_name + l - sl, suffix))
			continue;
		snprintf(names[n++], 64, "%.63s", e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, 64, (int (*)(const void *, const void *))strcmp);
	return n;
}

/* ---- determinism ------------------------------------------------------- */
static int cmp_a_len;
static const char *cmp_b_root;

static int cmp_one(const char *p, const struct stat *st, int flag,
		   struct FTW *f)
{
	char other[4096];
	struct cf_buf x, y;

	(void)f;
	if (flag != FTW_F)
		return 0;
	snprintf(other, sizeof other, "%s%s", cmp_b_root, p + cmp_a_len);
	cf_buf_init(&x);
	cf_buf_init(&y);
	read_all(p, &x);
	read_all(other, &y);
	if (x.len != y.len || memcmp(x.data, y.data, x.len))
		fail_msg("%s differs between two runs with the same seed", p);
	assert_int_equal(x.len, (size_t)st->st_size);
	cf_buf_release(&x);
	cf_buf_release(&y);
	return 0;
}

static void test_same_seed_same_tree(void **state)
{
	char *a = generate(42, CF_DEMO_INSIDER), *b = generate(42, CF_DEMO_INSIDER);

	(void)state;
	cmp_a_len = (int)strlen(a);
	cmp_b_root = b;
	assert_int_equal(nftw(a, cmp_one, 16, FTW_PHYS), 0);
	/* and the other way, so a file only in b is found too */
	cmp_a_len = (int)strlen(b);
	cmp_b_root = a;
	assert_int_equal(nftw(b, cmp_one, 16, FTW_PHYS), 0);
	rm_gen(a);
	rm_gen(b);
}

static void test_other_seed_other_tree(void **state)
{
	char *a = generate(1, CF_DEMO_STOLEN), *b = generate(2, CF_DEMO_STOLEN);
	char pa[4096], pb[4096];
	struct cf_buf x, y;

	(void)state;
	cf_buf_init(&x);
	cf_buf_init(&y);
	snprintf(pa, sizeof pa, "%s/host/var/log/ehr/audit-2026-03-01.ndjson", a);
	snprintf(pb, sizeof pb, "%s/host/var/log/ehr/audit-2026-03-01.ndjson", b);
	read_all(pa, &x);
	read_all(pb, &y);
	assert_true(x.len != y.len || memcmp(x.data, y.data, x.len));
	snprintf(pa, sizeof pa, "%s/host/var/lib/ehr/export/Patient.ndjson", a);
	snprintf(pb, sizeof pb, "%s/host/var/lib/ehr/export/Patient.ndjson", b);
	read_all(pa, &x);
	read_all(pb, &y);
	assert_true(x.len != y.len || memcmp(x.data, y.data, x.len));
	cf_buf_release(&x);
	cf_buf_release(&y);
	rm_gen(a);
	rm_gen(b);
}

static void test_refuses_existing_host(void **state)
{
	char *a = generate(3, CF_DEMO_FAULTY);
	struct cf_demo_opts o = {a, 3, 1, CF_DEMO_FAULTY, NULL};
	struct cf_ctx ctx;

	(void)state;
	cf_ctx_init(&ctx);
	assert_int_not_equal(cf_demo_generate(&ctx, &o, NULL), CF_OK);
	assert_non_null(strstr(cf_errmsg(&ctx), "exists"));
	o.scale = 0;
	assert_int_not_equal(cf_demo_generate(&ctx, &o, NULL), CF_OK);
	rm_gen(a);
}

/* ---- FHIR validity ----------------------------------------------------- */
static const char *str_at(const cJSON *o, const char *a, const char *b)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);

	return b ? cf_json_str(x, b, NULL) : cJSON_IsString(x) ? x->valuestring
							       : NULL;
}

static void check_auditevent(const cJSON *j, const char *path, void *arg)
{
	const cJSON *agent, *ag, *sub;
	const char *action = str_at(j, "action", NULL), *out = str_at(j, "outcome", NULL);
	int64_t us;
	int requestors = 0;

	(*(unsigned *)arg)++;
	if (strcmp(cf_json_str(j, "resourceType", ""), "AuditEvent"))
		fail_msg("%s: resourceType", path);
	/* R4 required: type (Coding), recorded (instant), agent 1..*, source */
	assert_non_null(str_at(j, "type", "system"));
	assert_non_null(str_at(j, "type", "code"));
	assert_int_equal(cf_time_parse(str_at(j, "recorded", NULL), -1, &us, NULL), 0);
	assert_non_null(action);
	assert_non_null(strchr("CRUDE", action[0]));
	assert_non_null(out);
	assert_true(!strcmp(out, "0") || !strcmp(out, "4") || !strcmp(out, "8"));
	sub = cJSON_GetObjectItemCaseSensitive(j, "subtype");
	assert_true(cJSON_IsArray(sub) && cJSON_GetArraySize(sub) == 1);
	assert_non_null(cf_json_str(cJSON_GetArrayItem(sub, 0), "code", NULL));
	agent = cJSON_GetObjectItemCaseSensitive(j, "agent");
	assert_true(cJSON_IsArray(agent) && cJSON_GetArraySize(agent) >= 1);
	cJSON_ArrayForEach(ag, agent) {
		const cJSON *who = cJSON_GetObjectItemCaseSensitive(ag, "who");
		assert_true(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(ag, "requestor")));
		if (!cf_json_bool(ag, "requestor", 0))
			continue;
		requestors++;
		assert_non_null(str_at(who, "identifier", "value"));
		assert_non_null(strstr(cf_json_str(who, "reference", ""), "Practitioner/"));
		assert_non_null(str_at(ag, "network", "address"));
	}
	assert_int_equal(requestors, 1);
	assert_non_null(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(j, "source"), "observer"));
}

static void check_patient(const cJSON *j, const char *path, void *arg)
{
	const cJSON *addr = cJSON_GetObjectItemCaseSensitive(j, "address"), *a;
	const char *bd = str_at(j, "birthDate", NULL);
	unsigned *n = arg;

	(void)path;
	assert_string_equal(cf_json_str(j, "resourceType", ""), "Patient");
	assert_non_null(str_at(j, "id", NULL));
	assert_true(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "name")));
	assert_true(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "identifier")));
	/* the medical record number is typed MR, as the report's factor 1 reads it */
	assert_string_equal(cf_json_str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
		j, "identifier"), 0), "type"), "coding"), 0), "code", ""), "MR");
	assert_non_null(bd);
	assert_int_equal(strlen(bd), 10);
	cJSON_ArrayForEach(a, addr)
		assert_int_equal(strlen(cf_json_str(a, "state", "")), 2);
	n[0]++;
	if (!addr && !cJSON_GetObjectItemCaseSensitive(j, "telecom"))
		n[1]++; /* nobody to write to */
}

static void test_fhir_valid(void **state)
{
	char *a = generate(7, CF_DEMO_STOLEN), p[4096], names[64][64];
	unsigned events = 0, pats[2] = {0, 0};
	int n;

	(void)state;
	snprintf(p, sizeof p, "%s/host/var/log/ehr", a);
	n = list(p, "audit-", ".ndjson", names, 64);
	assert_int_equal(n, 21); /* one file a day, three weeks */
	for (int i = 0; i < n; i++) {
		char f[4200];
		snprintf(f, sizeof f, "%.3000s/%.63s", p, names[i]);
		each_json_line(f, check_auditevent, &events);
	}
	assert_true(events > 10000);
	snprintf(p, sizeof p, "%s/host/var/lib/ehr/export/Patient.ndjson", a);
	each_json_line(p, check_patient, pats);
	assert_int_equal(pats[0], 500);
	assert_true(pats[1] > 0 && pats[1] < 100);
	rm_gen(a);
}

/* ---- independent recount of the ground truth ---------------------------- */
struct incident {
	int64_t from, to;
	char actors[4][32], ips[4][32], models[4][64];
	int na, ni, nm;
};

static void seq(struct fy_node *n, char out[][32], int *cnt)
{
	struct fy_node *it;
	void *iter = NULL;

	*cnt = 0;
	while ((it = fy_node_sequence_iterate(n, &iter))) {
		char *s = cf_yaml_strdup(it);
		snprintf(out[(*cnt)++], 32, "%s", s);
		free(s);
	}
}

static void read_incident(const char *dir, struct incident *inc)
{
	char p[4096], *s;
	struct fy_document *doc;
	struct fy_node *root, *win, *sus, *it;
	struct cf_ctx ctx;
	void *iter = NULL;

	memset(inc, 0, sizeof *inc);
	cf_ctx_init(&ctx);
	snprintf(p, sizeof p, "%s/incident.yaml", dir);
	if (cf_yaml_load(&ctx, p, &doc) != CF_OK)
		fail_msg("%s", cf_errmsg(&ctx));
	root = fy_document_root(doc);
	win = cf_yaml_get(root, "window");
	s = cf_yaml_strdup(cf_yaml_get(win, "from"));
	assert_int_equal(cf_time_parse(s, -1, &inc->from, NULL), 0);
	free(s);
	s = cf_yaml_strdup(cf_yaml_get(win, "to"));
	assert_int_equal(cf_time_parse(s, -1, &inc->to, NULL), 0);
	free(s);
	sus = cf_yaml_get(root, "suspects");
	seq(cf_yaml_get(sus, "actors"), inc->actors, &inc->na);
	seq(cf_yaml_get(sus, "ips"), inc->ips, &inc->ni);
	while ((it = fy_node_sequence_iterate(cf_yaml_get(sus, "models"), &iter))) {
		s = cf_yaml_strdup(it);
		snprintf(inc->models[inc->nm++], 64, "%s", s);
		free(s);
	}
	fy_document_destroy(doc);
}

struct recount {
	const struct incident *inc;
	unsigned char seen[600];
	char state[600][8];
	unsigned counted, failed, outside;
	unsigned decisions, dec_outside;
};

static int in_list(const char *v, char l[][32], int n)
{
	for (int i = 0; v && i < n; i++)
		if (!strcmp(v, l[i]))
			return 1;
	return 0;
}

static void recount_event(const cJSON *j, const char *path, void *arg)
{
	struct recount *r = arg;
	const struct incident *inc = r->inc;
	const cJSON *ag, *e;
	const char *actor = NULL, *ip = NULL;
	long patient = -1;
	int64_t t;

	(void)path;
	assert_int_equal(cf_time_parse(str_at(j, "recorded", NULL), -1, &t, NULL), 0);
	cJSON_ArrayForEach(ag, cJSON_GetObjectItemCaseSensitive(j, "agent"))
		if (cf_json_bool(ag, "requestor", 0)) {
			actor = str_at(cJSON_GetObjectItemCaseSensitive(ag, "who"),
				       "identifier", "value");
			ip = str_at(ag, "network", "address");
		}
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(j, "entity")) {
		const char *ref = str_at(e, "what", "reference");
		if (ref && !strncmp(ref, "Patient/pat-", 12))
			patient = strtol(ref + 12, NULL, 10) - 1;
	}
	if (!in_list(actor, (char (*)[32])inc->actors, inc->na) &&
	    !in_list(ip, (char (*)[32])inc->ips, inc->ni))
		return;
	if (t < inc->from || t > inc->to) {
		r->outside++;
		return;
	}
	if (strcmp(str_at(j, "outcome", NULL), "0")) {
		r->failed++;
		return;
	}
	if (patient >= 0) {
		assert_true(patient < 600);
		r->seen[patient] = 1;
		r->counted++;
	}
}

static void recount_patient(const cJSON *j, const char *path, void *arg)
{
	struct recount *r = arg;
	const cJSON *addr = cJSON_GetObjectItemCaseSensitive(j, "address");
	long id = strtol(cf_json_str(j, "id", "pat-0") + 4, NULL, 10) - 1;

	(void)path;
	assert_true(id >= 0 && id < 600);
	snprintf(r->state[id], 8, "%s",
		 addr ? cf_json_str(cJSON_GetArrayItem(addr, 0), "state", "unknown")
		      : "unknown");
}

static void recount_decision(const cJSON *j, const char *path, void *arg)
{
	struct recount *r = arg;
	char mv[96];
	int64_t t;

	(void)path;
	snprintf(mv, sizeof mv, "%s@%s", cf_json_str(j, "model", ""),
		 cf_json_str(j, "model_version", ""));
	assert_int_equal(cf_time_parse(cf_json_str(j, "time", ""), -1, &t, NULL), 0);
	assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(j, "score")));
	assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(j, "threshold")));
	assert_non_null(cJSON_GetObjectItemCaseSensitive(j, "override"));
	assert_non_null(cf_json_str(j, "request_id", NULL));
	for (int i = 0; i < r->inc->nm; i++)
		if (!strcmp(mv, r->inc->models[i])) {
			if (t >= r->inc->from && t <= r->inc->to)
				r->decisions++;
			else
				r->dec_outside++;
		}
}

static void recount(enum cf_demo_scenario s)
{
	char *a = generate(11, s), p[4096], names[64][64];
	struct incident inc;
	struct recount *r = calloc(1, sizeof *r);
	cJSON *truth, *bs, *x;
	struct cf_ctx ctx;
	unsigned affected = 0;
	int n;

	read_incident(a, &inc);
	r->inc = &inc;
	snprintf(p, sizeof p, "%s/host/var/log/ehr", a);
	n = list(p, "audit-", ".ndjson", names, 64);
	for (int i = 0; i < n; i++) {
		char f[4200];
		snprintf(f, sizeof f, "%.3000s/%.63s", p, names[i]);
		each_json_line(f, recount_event, r);
	}
	snprintf(p, sizeof p, "%s/host/var/lib/ehr/export/Patient.ndjson", a);
	each_json_line(p, recount_patient, r);
	snprintf(p, sizeof p, "%s/host/var/log/inference", a);
	n = list(p, "decisions-", ".jsonl", names, 64);
	assert_int_equal(n, 2);
	for (int i = 0; i < n; i++) {
		char f[4200];
		snprintf(f, sizeof f, "%.3000s/%.63s", p, names[i]);
		each_json_line(f, recount_decision, r);
	}

	cf_ctx_init(&ctx);
	snprintf(p, sizeof p, "%s/ground-truth.json", a);
	if (cf_json_parse_file(&ctx, p, 1 << 26, &truth) != CF_OK)
		fail_msg("%s", cf_errmsg(&ctx));
	for (int i = 0; i < 600; i++)
		affected += r->seen[i];
	assert_int_equal(cf_json_int(truth, "affected", -1), affected);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(truth, "patients")),
			 affected);
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(truth, "patients"))
		assert_true(r->seen[strtol(x->valuestring + 4, NULL, 10) - 1]);
	bs = cJSON_GetObjectItemCaseSensitive(truth, "by_state");
	cJSON_ArrayForEach(x, bs) {
		int c = 0;
		for (int i = 0; i < 600; i++)
			c += r->seen[i] && !strcmp(r->state[i], x->string);
		assert_int_equal(x->valueint, c);
		affected -= (unsigned)c;
	}
	assert_int_equal(affected, 0); /* every counted patient in some state */
	assert_int_equal(cf_json_int(truth, "accesses", -1), r->counted);
	assert_int_equal(cf_json_int(truth, "failed_attempts", -1), r->failed);
	assert_int_equal(cf_json_int(truth, "model_decisions_count", -1), r->decisions);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
				 truth, "model_decisions")), r->decisions);
	if (s == CF_DEMO_FAULTY) {
		assert_true(r->decisions > 0);
		assert_true(r->dec_outside > 0); /* v7 ran past discovery */
		assert_int_equal(r->counted, 0);
	} else {
		/* The traps: failed attempts and suspect events outside the
		 * window exist, and a patient was accessed. */
		assert_true(r->counted > 0);
		assert_true(r->failed > 0);
		assert_true(r->outside > 0);
		assert_int_equal(r->decisions, 0);
	}
	cJSON_Delete(truth);
	free(r);
	rm_gen(a);
}

static void test_truth_insider(void **state) { (void)state; recount(CF_DEMO_INSIDER); }
static void test_truth_stolen(void **state) { (void)state; recount(CF_DEMO_STOLEN); }
static void test_truth_faulty(void **state) { (void)state; recount(CF_DEMO_FAULTY); }

/* ---- MLflow store --------------------------------------------------------- */
static long long q1(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void test_mlflow_store(void **state)
{
	char *a = generate(5, CF_DEMO_STOLEN), p[4096];
	sqlite3 *db;
	sqlite3_stmt *st;

	(void)state;
	snprintf(p, sizeof p, "%s/host/srv/mlflow/mlflow.db", a);
	assert_int_equal(sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st,
					    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	assert_int_equal(q1(db, "SELECT count(*) FROM registered_models"), 2);
	assert_int_equal(q1(db, "SELECT count(*) FROM model_versions"), 6);
	assert_int_equal(q1(db, "SELECT count(*) FROM model_versions WHERE "
			 "name='sepsis-risk' AND version IN (5,6,7,8)"), 4);
	assert_int_equal(q1(db, "SELECT count(*) FROM model_versions WHERE "
			 "current_stage='Production'"), 2);
	assert_int_equal(q1(db, "SELECT count(*) FROM model_versions v LEFT JOIN "
			 "runs r ON r.run_uuid=v.run_id WHERE r.run_uuid IS NULL"), 0);
	assert_int_equal(q1(db, "SELECT count(*) FROM runs r WHERE NOT EXISTS "
			 "(SELECT 1 FROM tags t WHERE t.run_uuid=r.run_uuid AND "
			 "t.key='mlflow.source.git.commit' AND t.value=r.source_version)"), 0);
	assert_int_equal(q1(db, "SELECT version FROM registered_model_aliases "
			 "WHERE name='sepsis-risk' AND alias='champion'"), 8);
	/* every artifact the registry names is on disk */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT run_id FROM model_versions",
					    -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char f[4400];
		struct stat sb;
		snprintf(f, sizeof f, "%s/host/srv/mlflow/artifacts/%s/model.bin", a,
			 (const char *)sqlite3_column_text(st, 0));
		assert_int_equal(stat(f, &sb), 0);
		assert_true(sb.st_size >= 65536);
		/* incompressible: deflate gains nothing */
		struct cf_buf b;
		cf_buf_init(&b);
		read_all(f, &b);
		uLongf zl = compressBound(b.len);
		Bytef *z = malloc(zl);
		assert_int_equal(compress(z, &zl, (const Bytef *)b.data, b.len), Z_OK);
		assert_true(zl > b.len * 99 / 100);
		free(z);
		cf_buf_release(&b);
		snprintf(f, sizeof f, "%s/host/srv/mlflow/artifacts/%s/MLmodel", a,
			 (const char *)sqlite3_column_text(st, 0));
		assert_int_equal(stat(f, &sb), 0);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	rm_gen(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_seed_same_tree),
		cmocka_unit_test(test_other_seed_other_tree),
		cmocka_unit_test(test_refuses_existing_host),
		cmocka_unit_test(test_fhir_valid),
		cmocka_unit_test(test_truth_insider),
		cmocka_unit_test(test_truth_stolen),
		cmocka_unit_test(test_truth_faulty),
		cmocka_unit_test(test_mlflow_store),
	};

	/* Under valgrind (about 30 times slower) two generations, of two
	 * scenarios, with a recount and the store check; the plain and the
	 * sanitizer builds run the whole set. */
	const struct CMUnitTest light[] = {
		cmocka_unit_test(test_truth_faulty),
		cmocka_unit_test(test_mlflow_store),
	};

	cf_core_init();
	if (getenv("CASEFILE_MEMCHECK"))
		return cmocka_run_group_tests(light, NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
