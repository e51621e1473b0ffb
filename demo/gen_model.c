/* SPDX-License-Identifier: Apache-2.0
 *
 * The AI side of the world: the inference service's decision logs and the
 * MLflow tracking store the served models came from.
 *
 * Decision log schema (one JSON object per line, the timeline's documented
 * default): time (RFC 3339 UTC, microseconds), model, model_version (string),
 * patient, input_ref, output, score, threshold, user, override (null or
 * {by, decision, reason}), request_id. sepsis-risk is asked when a clinician
 * views vital signs; readmission-risk runs as a nightly batch. In the
 * faulty-model scenario version 7 of sepsis-risk compresses its scores, so
 * it calls almost everyone low risk; clinicians override some of those calls,
 * which is the trail an investigator follows.
 *
 * The MLflow store is built from MLflow's own SQLite schema (shipped in
 * demo/schemas) so that it is what a collector finds on a real tracking
 * server: one run per registered version, with params, metrics and tags
 * (mlflow.source.git.commit among them), versions with stages and aliases
 * matching the versions the decision logs show, and artifacts of random
 * (incompressible) bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "casefile/alloc.h"
#include "casefile/atomic.h"
#include "casefile/buf.h"
#include "casefile/datadir.h"
#include "casefile/time.h"
#include "gen.h"

#define SCORE_SCALE 10000

static const char *const out_label[2] = {"low-risk", "high-risk"};
static const unsigned threshold[GEN_MODELS] = {5000, 3500};

int gen_model_decide(struct gen_world *w, int m, int64_t t, uint32_t patient,
		     const char *user, const char *input_ref)
{
	struct gen_rng *r = &w->rng_model;
	int v = gen_model_version_at(w, m, t);
	/* Product of two uniforms: most patients low risk, a tail of high. */
	unsigned real = gen_rng_below(r, SCORE_SCALE) *
			gen_rng_below(r, SCORE_SCALE) / SCORE_SCALE;
	unsigned score = real;
	int faulty = w->o->scenario == CF_DEMO_FAULTY && m == 0 && v == 7;
	char ts[CF_TIME_STR], req[17], ov[192] = "null", logts[32];
	struct gen_sink *s = m == 0 ? &w->dsep : &w->dread;
	int high;

	if (faulty)
		score = real * 3 / 10;
	high = score >= threshold[m];
	gen_rng_hex(r, req, 16);
	if (strncmp(user, "svc-", 4)) {
		if (high && gen_rng_chance(r, 200))
			snprintf(ov, sizeof ov, "{\"by\":\"%s\",\"decision\":\"%s\","
				 "\"reason\":\"clinical assessment does not support "
				 "the score\"}", user, out_label[0]);
		else if (!high && real >= threshold[m] && gen_rng_chance(r, 2500))
			snprintf(ov, sizeof ov, "{\"by\":\"%s\",\"decision\":\"%s\","
				 "\"reason\":\"score inconsistent with lactate and "
				 "vital signs\"}", user, out_label[1]);
	}
	cf_time_format(t, ts);
	if (gen_sink_printf(s, t,
		"{\"time\":\"%s\",\"model\":\"%s\",\"model_version\":\"%d\","
		"\"patient\":\"pat-%05u\",\"input_ref\":\"%s\",\"output\":\"%s\","
		"\"score\":%u.%04u,\"threshold\":0.%04u,\"user\":\"%s\","
		"\"override\":%s,\"request_id\":\"req-%s\"}",
		ts, w->models[m].name, v, patient + 1, input_ref, out_label[high],
		score / SCORE_SCALE, score % SCORE_SCALE, threshold[m], user, ov,
		req) < 0)
		return -1;
	gen_time_clf(t, logts);
	if (gen_sink_printf(&w->web, t,
		"127.0.0.1 - - [%s] \"POST /v1/models/%s/predict HTTP/1.1\" 200 %u "
		"\"-\" \"ehr-app/4.2 inference-client\"", logts, w->models[m].name,
		180 + score % 40) < 0)
		return -1;
	return gen_truth_decision(w, m, t, patient, v, high);
}

int gen_model_batch_hour(struct cf_ctx *ctx, struct gen_world *w, int64_t t)
{
	struct gen_rng *r = &w->rng_model;
	char ref[48];

	/* 02:00: the nightly readmission batch over yesterday's discharges. */
	if (t % GEN_US_DAY / GEN_US_HOUR != 2)
		return CF_OK;
	for (uint32_t i = 0, k = 0; i < w->npat; i++) {
		if (!gen_rng_chance(r, 400))
			continue;
		snprintf(ref, sizeof ref, "Encounter/enc-%05u-%03u", i + 1,
			 gen_rng_below(r, 1000));
		if (gen_model_decide(w, 1, t + 60000000LL + k++ * 1500000LL, i,
				     "svc-ehr-batch", ref) < 0)
			return cf_set_nomem(ctx, "decisions");
	}
	return CF_OK;
}

/* ---- MLflow ---------------------------------------------------------------- */
static int exec(struct cf_ctx *ctx, sqlite3 *db, const char *path,
		const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		cf_set_error(ctx, 0, "%s: %s", path, err ? err : "SQLite error");
		sqlite3_free(err);
		return CF_FAILED;
	}
	return CF_OK;
}

/* Runs one INSERT with printf-style values (%Q quotes strings). */
static int insert(struct cf_ctx *ctx, sqlite3 *db, const char *path,
		  const char *fmt, ...)
{
	va_list ap;
	char *sql;
	int rc;

	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	if (!sql)
		return cf_set_nomem(ctx, path);
	rc = exec(ctx, db, path, sql);
	sqlite3_free(sql);
	return rc;
}

static int write_artifacts(struct cf_ctx *ctx, struct gen_world *w,
			   const struct gen_model *m,
			   const struct gen_model_version *v, int64_t created)
{
	enum { SIZE = 512 * 1024 };
	char rel[128], uuid[33], ts[CF_TIME_STR];
	struct cf_buf b;
	uint64_t *bytes = cf_malloc(SIZE);
	int rc;

	if (!bytes)
		return cf_set_nomem(ctx, "model artifact");
	for (size_t i = 0; i < SIZE / 8; i++)
		bytes[i] = gen_rng_next(&w->rng_model);
	snprintf(rel, sizeof rel, "srv/mlflow/artifacts/%s/model.bin", v->run_id);
	{
		char *p = gen_host_path(ctx, w, rel);
		rc = p ? cf_write_file_atomic(ctx, p, bytes, SIZE, 0644,
					      CF_ATOMIC_NO_REPLACE) : CF_FAILED;
		free(p);
	}
	free(bytes);
	if (rc != CF_OK)
		return rc;
	gen_rng_hex(&w->rng_model, uuid, 32);
	cf_time_format(created, ts);
	ts[10] = ' ';
	ts[26] = '\0';
	cf_buf_init(&b);
	if (cf_buf_printf(&b,
		"artifact_path: model\n"
		"flavors:\n"
		"  python_function:\n"
		"    env:\n"
		"      virtualenv: python_env.yaml\n"
		"    loader_module: mlflow.sklearn\n"
		"    model_path: model.bin\n"
		"    predict_fn: predict_proba\n"
		"    python_version: 3.11.8\n"
		"  sklearn:\n"
		"    code: null\n"
		"    pickled_model: model.bin\n"
		"    serialization_format: cloudpickle\n"
		"    sklearn_version: 1.4.1.post1\n"
		"mlflow_version: 2.11.1\n"
		"model_size_bytes: %d\n"
		"model_uuid: %s\n"
		"run_id: %s\n"
		"signature:\n"
		"  inputs: '[{\"type\": \"tensor\", \"tensor-spec\": {\"dtype\": "
		"\"float64\", \"shape\": [-1, 24]}}]'\n"
		"  outputs: '[{\"type\": \"tensor\", \"tensor-spec\": {\"dtype\": "
		"\"float64\", \"shape\": [-1, 2]}}]'\n"
		"utc_time_created: '%s'\n"
		"metadata:\n"
		"  model: %s\n"
		"  version: '%d'\n", SIZE, uuid, v->run_id, ts, m->name,
		v->version)) {
		cf_buf_release(&b);
		return cf_set_nomem(ctx, "MLmodel");
	}
	snprintf(rel, sizeof rel, "srv/mlflow/artifacts/%s/MLmodel", v->run_id);
	rc = gen_write_text(ctx, w, rel, b.data, created);
	cf_buf_release(&b);
	return rc;
}

/* The training-data-exposure scenario: the training set of the exposed
 * run, exported as CSV into the run's artifacts (one row per patient, the
 * features the model reads and the label), and recorded as the run's
 * input dataset (MLflow's datasets, inputs and input_tags tables) with the
 * file as its source. Every patient in it is affected (the ground truth). A
 * stream of its own keeps the other streams as they are. */
static int training_export(struct cf_ctx *ctx, struct gen_world *w, sqlite3 *db,
			   const char *path, int exp, const char *run_id,
			   int64_t mtime_us)
{
	struct gen_rng r;
	struct cf_buf b;
	char rel[160], src[192], digest[9];
	int rc;

	gen_rng_seed(&r, w->o->seed, 0x7d5e7);
	cf_buf_init(&b);
	cf_buf_puts(&b, "patient_id,age,sex,heart_rate,resp_rate,temp_c,lactate,wbc,label\n");
	for (uint32_t i = 0; i < w->npat; i++) {
		const struct gen_pat *p = &w->pat[i];
		if (gen_rng_below(&r, 100) >= 30)
			continue;
		cf_buf_printf(&b, "pat-%05u,%lld,%s,%u,%u,%u.%u,%u.%u,%u.%u,%u\n",
			      i + 1, (long long)((gen_at(2026, 3, 1, 0, 0) / GEN_US_DAY -
						  p->birth_days) / 365),
			      p->female ? "F" : "M", 60 + gen_rng_below(&r, 70),
			      12 + gen_rng_below(&r, 20), 36 + gen_rng_below(&r, 4),
			      gen_rng_below(&r, 10), 5 + gen_rng_below(&r, 40),
			      gen_rng_below(&r, 10), 3 + gen_rng_below(&r, 18),
			      gen_rng_below(&r, 10), gen_rng_below(&r, 100) < 12);
		gen_truth_dataset(w, i);
	}
	if (cf_buf_error(&b)) {
		cf_buf_release(&b);
		return cf_set_nomem(ctx, "training set");
	}
	snprintf(rel, sizeof rel, "srv/mlflow/artifacts/%s/datasets/training.csv", run_id);
	snprintf(src, sizeof src, "{\"uri\": \"/%s\"}", rel);
	gen_rng_hex(&r, digest, 8);
	rc = gen_write_text(ctx, w, rel, b.data, mtime_us);
	cf_buf_release(&b);
	if (rc == CF_OK)
		rc = insert(ctx, db, path, "INSERT INTO datasets VALUES('ds-%s',%d,%Q,%Q,"
			    "'local',%Q,NULL,NULL)", run_id, exp, w->exposed_dataset,
			    digest, src);
	if (rc == CF_OK)
		rc = insert(ctx, db, path, "INSERT INTO inputs VALUES('in-%s','DATASET',"
			    "'ds-%s','RUN',%Q,0)", run_id, run_id, run_id);
	if (rc == CF_OK)
		rc = insert(ctx, db, path, "INSERT INTO input_tags VALUES('in-%s',"
			    "'mlflow.data.context','training')", run_id);
	return rc;
}

static int store_version(struct cf_ctx *ctx, struct gen_world *w, sqlite3 *db,
			 const char *path, int exp, int mi, int vi,
			 const char *user)
{
	const struct gen_model *m = &w->models[mi];
	const struct gen_model_version *v = &m->v[vi];
	struct gen_rng *r = &w->rng_model;
	int64_t deploy = v->from / 1000, start = deploy - 3 * 86400000LL;
	int64_t end = start + 2 * 3600000LL, created = end + 3600000LL;
	int last = vi == m->nv - 1;
	char art[128], name[64], dtf[CF_TIME_STR];
	int rc;

	snprintf(art, sizeof art, "/srv/mlflow/artifacts/%s", v->run_id);
	snprintf(name, sizeof name, "%s-train-v%d", m->name, v->version);
	if ((rc = insert(ctx, db, path,
		"INSERT INTO runs VALUES(%Q,%Q,'JOB','train.py','main',%Q,'FINISHED',"
		"%lld,%lld,%Q,'active',%Q,%d,NULL)", v->run_id, name, user,
		(long long)start, (long long)end, v->commit, art, exp)) != CF_OK)
		return rc;
	static const char *const tags[][2] = {
		{"mlflow.source.git.commit", NULL}, {"mlflow.source.name", "train.py"},
		{"mlflow.source.type", "JOB"}, {"mlflow.user", NULL},
		{"mlflow.runName", NULL}, {"dataset", NULL}};
	for (unsigned i = 0; i < sizeof tags / sizeof tags[0]; i++) {
		char dataset[96];
		const char *val = tags[i][1];
		snprintf(dataset, sizeof dataset, "ehr-extract-%lld.parquet",
			 (long long)(start / 86400000LL));
		if (!val)
			val = i == 0 ? v->commit : i == 3 ? user : i == 4 ? name : dataset;
		if ((rc = insert(ctx, db, path, "INSERT INTO tags VALUES(%Q,%Q,%Q)",
				 tags[i][0], val, v->run_id)) != CF_OK)
			return rc;
	}
	if ((rc = insert(ctx, db, path,
		"INSERT INTO params VALUES('learning_rate','0.0%u',%Q),"
		"('max_depth','%u',%Q),('n_estimators','%u',%Q),"
		"('features','24',%Q),('decision_threshold','0.%04u',%Q)",
		1 + gen_rng_below(r, 9), v->run_id, 4 + gen_rng_below(r, 6),
		v->run_id, 100 * (2 + gen_rng_below(r, 8)), v->run_id, v->run_id,
		threshold[mi], v->run_id)) != CF_OK)
		return rc;
	for (int step = 0; step < 5; step++) {
		static const char *const keys[3] = {"auroc", "auprc", "brier"};
		for (int k = 0; k < 3; k++) {
			unsigned base[3] = {7800, 4100, 1500};
			unsigned val = k == 2 ? base[k] - step * 40 - gen_rng_below(r, 30)
					      : base[k] + step * 60 + gen_rng_below(r, 80);
			long long ts = (long long)(start + (step + 1) * 1200000LL);
			if ((rc = insert(ctx, db, path,
				"INSERT INTO metrics VALUES(%Q,0.%04u,%lld,%Q,%d,0)",
				keys[k], val, ts, v->run_id, step)) != CF_OK)
				return rc;
			if (step == 4 && (rc = insert(ctx, db, path,
				"INSERT INTO latest_metrics VALUES(%Q,0.%04u,%lld,%d,0,%Q)",
				keys[k], val, ts, step, v->run_id)) != CF_OK)
				return rc;
		}
	}
	if ((rc = insert(ctx, db, path,
		"INSERT INTO model_versions VALUES(%Q,%d,%lld,%lld,%Q,%Q,%Q,%Q,%Q,"
		"'READY',NULL,NULL,%Q)", m->name, v->version, (long long)created,
		(long long)(last ? deploy : m->v[vi + 1].from / 1000),
		"trained on the monthly EHR extract", user,
		last ? "Production" : "Archived", art, v->run_id, art)) != CF_OK)
		return rc;
	cf_time_format(v->from, dtf);
	if ((rc = insert(ctx, db, path,
		"INSERT INTO model_version_tags VALUES('deployed_at',%Q,%Q,%d),"
		"('validation','passed',%Q,%d)", dtf, m->name, v->version, m->name,
		v->version)) != CF_OK)
		return rc;
	if (last || vi == m->nv - 2)
		if ((rc = insert(ctx, db, path,
			"INSERT INTO registered_model_aliases VALUES(%Q,%d,%Q)",
			last ? "champion" : "previous", v->version, m->name)) != CF_OK)
			return rc;
	if (w->exposed_run[0] && !strcmp(v->run_id, w->exposed_run) &&
	    (rc = training_export(ctx, w, db, path, exp, v->run_id, end * 1000)) != CF_OK)
		return rc;
	return write_artifacts(ctx, w, m, v, created * 1000);
}

int gen_model_mlflow(struct cf_ctx *ctx, struct gen_world *w)
{
	char *schema_path = NULL, *path = NULL;
	struct cf_buf schema;
	sqlite3 *db = NULL;
	const char *user = w->cl[ROLE_DATASCI].id; /* the first data scientist */
	int64_t ct = w->models[1].v[0].from / 1000 - 30 * 86400000LL;
	int rc = CF_FAILED;

	cf_buf_init(&schema);
	if (!(schema_path = cf_data_file(ctx, "schemas", "mlflow-sqlite-core.sql")) ||
	    cf_buf_read_file(ctx, &schema, schema_path, 1 << 20) != CF_OK ||
	    !(path = gen_host_path(ctx, w, "srv/mlflow/mlflow.db")))
		goto out;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    NULL) != SQLITE_OK) {
		rc = cf_set_error(ctx, 0, "cannot create '%s': %s", path,
				  db ? sqlite3_errmsg(db) : "no memory");
		goto out;
	}
	/* A new file in a new tree: a crash leaves nothing worth keeping, so
	 * the journal's fsyncs buy nothing here. */
	if ((rc = exec(ctx, db, path, "PRAGMA synchronous=OFF")) != CF_OK ||
	    (rc = exec(ctx, db, path, schema.data)) != CF_OK ||
	    (rc = exec(ctx, db, path, "BEGIN")) != CF_OK)
		goto out;
	if ((rc = insert(ctx, db, path,
		"INSERT INTO experiments VALUES(0,'Default',"
		"'/srv/mlflow/artifacts/0','active',%lld,%lld),"
		"(1,'sepsis-risk','/srv/mlflow/artifacts','active',%lld,%lld),"
		"(2,'readmission-risk','/srv/mlflow/artifacts','active',%lld,%lld)",
		(long long)ct, (long long)ct, (long long)ct, (long long)ct,
		(long long)ct, (long long)ct)) != CF_OK)
		goto out;
	for (int mi = 0; mi < GEN_MODELS; mi++) {
		const struct gen_model *m = &w->models[mi];
		if ((rc = insert(ctx, db, path,
			"INSERT INTO registered_models VALUES(%Q,%lld,%lld,%Q)",
			m->name, (long long)ct,
			(long long)(m->v[m->nv - 1].from / 1000),
			mi == 0 ? "Early warning of sepsis from vital signs and labs"
				: "30-day readmission risk at discharge")) != CF_OK ||
		    (rc = insert(ctx, db, path,
			"INSERT INTO registered_model_tags VALUES('owner','clinical-ai',%Q)",
			m->name)) != CF_OK)
			goto out;
		for (int vi = 0; vi < m->nv; vi++)
			if ((rc = store_version(ctx, w, db, path, mi + 1, mi, vi,
						user)) != CF_OK)
				goto out;
	}
	rc = exec(ctx, db, path, "COMMIT");
out:
	if (db && sqlite3_close(db) != SQLITE_OK && rc == CF_OK)
		rc = cf_set_error(ctx, 0, "cannot close '%s'", path);
	if (rc == CF_OK) {
		struct timespec ts[2];
		ts[0].tv_sec = ts[1].tv_sec = (time_t)(w->models[0].v[3].from / 1000000);
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		if (utimensat(AT_FDCWD, path, ts, 0) < 0)
			rc = cf_set_error(ctx, errno, "cannot set the times of '%s'", path);
	}
	free(schema_path);
	free(path);
	cf_buf_release(&schema);
	return rc;
}
