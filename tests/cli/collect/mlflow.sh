# The MLflow store is snapshotted consistently while another process keeps
# writing runs and model versions in transactions (rollback journal and
# WAL): every snapshot passes PRAGMA integrity_check and holds whole
# transactions only; the live database is opened read-only (its bytes and
# mtime do not change through the collector); lineage.json links model
# versions (stage, alias) to their source runs (params, metrics, commit)
# and artifact digests; large artifacts are hashed, not stored.
. "$CLI_LIB"; . "$CASE_DIR/common.bash"
newkey k
root=$(pwd)/srv
for mode in delete wal; do
  rm -rf srv && mkdir -p srv/artifacts/1/0f1e2d3c4b5a69788796a5b4c3d2e1f0/artifacts/model
  art=srv/artifacts/1/0f1e2d3c4b5a69788796a5b4c3d2e1f0/artifacts/model
  head -c 3000000 /dev/urandom > $art/model.pkl
  echo 'flavors: {python_function: {}}' > $art/MLmodel
  { echo "PRAGMA journal_mode=$mode;"; cat "$FIXTURES/../../demo/schemas/mlflow-sqlite-core.sql" "$FIXTURES/mlflow/seed.sql"; } \
    | sqlite3 srv/mlflow.db >/dev/null || die "store"
  mlflow_profile "$root" "max_size: 1M"
  # The writer: one transaction per run = run + 3 params + 1 metric +
  # 1 model version; a snapshot must never see part of one.
  ( for i in $(seq 1 100000); do
      r=$(printf 'r%031d' $i)
      echo "BEGIN;
INSERT INTO runs (run_uuid, name, status, start_time, lifecycle_stage, artifact_uri, experiment_id) VALUES ('$r', 'run$i', 'FINISHED', $i, 'active', 'mlflow-artifacts:/1/$r/artifacts', 1);
INSERT INTO params VALUES ('a', '$i', '$r');
INSERT INTO params VALUES ('b', '$i', '$r');
INSERT INTO params VALUES ('c', '$i', '$r');
INSERT INTO latest_metrics VALUES ('auroc', 0.5, $i, 0, 0, '$r');
INSERT INTO model_versions (name, version, current_stage, source, run_id, status) VALUES ('sepsis-risk', $((i + 2)), 'None', 'mlflow-artifacts:/1/$r/artifacts/model', '$r', 'READY');
COMMIT;"
    done ) | sqlite3 -cmd ".timeout 10000" srv/mlflow.db >/dev/null 2>&1 &
  writer=$!
  sleep 0.3
  for n in 1 2 3; do
    expect_status 0 casefile collect -o $mode-$n.tar.zst --key k.key --profile p.yaml
    recipe $mode-$n.tar.zst k.pub
    d=x-$mode-$n; mkdir $d && tar --zstd -xf $mode-$n.tar.zst -C $d
    # Read the snapshot on its own: beside the raw -wal taken after it,
    # SQLite would replay that newer WAL on top of it.
    mkdir $d.snap && cp $d/evidence/mlflow$root/mlflow.db $d.snap/ && db=$d.snap/mlflow.db
    [ "$(sqlite3 "$db" 'PRAGMA integrity_check;')" = ok ] || die "$mode: integrity_check failed"
    runs=$(sqlite3 "$db" 'SELECT count(*) FROM runs;')
    [ "$runs" -gt 2 ] || die "$mode: the writer had not written yet ($runs runs)"
    [ "$(sqlite3 "$db" 'SELECT count(*) FROM model_versions;')" = "$runs" ] || die "$mode: partial transaction (versions)"
    [ "$(sqlite3 "$db" 'SELECT count(*) FROM params;')" = "$((3 * (runs - 2) + 3))" ] || die "$mode: partial transaction (params)"
    [ "$(sqlite3 "$db" 'SELECT count(*) FROM latest_metrics;')" = "$runs" ] || die "$mode: partial transaction (metrics)"
    jq -e --argjson n "$runs" '.registered_models[0].versions | length == $n' $d/evidence/mlflow/lineage.json >/dev/null \
      || die "$mode: lineage.json does not come from the snapshot: $runs runs, $(jq ".registered_models[0].versions | length" $d/evidence/mlflow/lineage.json) versions"
  done
  kill $writer 2>/dev/null; wait $writer 2>/dev/null
  if [ $mode = wal ]; then
    tar --zstd -tf wal-1.tar.zst > wal.names
    grep -q "^evidence/mlflow$root/mlflow.db-wal$" wal.names || die "-wal not taken raw: $(member wal-1.tar.zst casefile/items.jsonl | grep -v artifacts | cut -c1-400; member wal-1.tar.zst casefile/log.jsonl)"
  fi
done

# lineage of the seeded versions
L=x-wal-1/evidence/mlflow/lineage.json
jq -e '.registered_models[0] | .name == "sepsis-risk" and
  (.versions[] | select(.version == 2) | .stage == "Production" and .aliases == ["champion"]
     and .run_id == "0f1e2d3c4b5a69788796a5b4c3d2e1f0" and (.artifacts | length == 2))' $L >/dev/null || die "version 2 lineage"
jq -e '.registered_models[0].versions[] | select(.version == 1) | .stage == "Archived" and .aliases == []' $L >/dev/null || die "version 1"
jq -e '.runs[] | select(.run_id == "0f1e2d3c4b5a69788796a5b4c3d2e1f0") |
  .source_commit == "9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e" and .params.threshold == "0.42"
  and .metrics[0].key == "auroc" and .metrics[0].value == 0.87 and .experiment == "sepsis"' $L >/dev/null || die "run lineage"
want=$(sha256sum srv/artifacts/1/0f1e2d3c4b5a69788796a5b4c3d2e1f0/artifacts/model/model.pkl | cut -d' ' -f1)
jq -e --arg h "$want" '.registered_models[0].versions[] | select(.version == 2) | .artifacts[]
  | select(.path | endswith("model.pkl")) | .sha256 == $h and .stored == false and .size == 3000000' $L >/dev/null \
  || die "large artifact digest"
# the 3 MB model is larger than max_size: hashed and recorded, not stored
! tar --zstd -tf wal-1.tar.zst | grep -q 'model.pkl$' || die "large artifact stored"
member wal-1.tar.zst casefile/items.jsonl | jq -c 'select(.path | endswith("model.pkl"))' |
  jq -e --arg h "$want" '.skip_reason == "too-large" and .sha256 == $h and .category == "model-artifact"' >/dev/null \
  || die "too-large item"
member wal-1.tar.zst casefile/items.jsonl | jq -c 'select(.kind == "sqlite-snapshot")' |
  jq -e '.category == "database" and .details.method != null' >/dev/null || die "snapshot item"

# A quiet WAL database (no connection, no -wal file): nothing may appear
# beside it, and its bytes and mtime stay as they were.
rm -rf srv && mkdir -p srv/artifacts
{ echo "PRAGMA journal_mode=wal;"; cat "$FIXTURES/../../demo/schemas/mlflow-sqlite-core.sql" "$FIXTURES/mlflow/seed.sql"; } \
  | sqlite3 srv/mlflow.db >/dev/null
touch -d '2026-01-02 03:04:05' srv/mlflow.db
{ ls -lA --time-style=full-iso srv; stat -c %y srv; } > before
sha256sum srv/mlflow.db > sum.before
expect_status 0 casefile collect -o quiet.tar.zst --key k.key --profile p.yaml
{ ls -lA --time-style=full-iso srv; stat -c %y srv; } | diff before - || die "the store's folder changed"
sha256sum -c --quiet sum.before || die "the store changed"
member quiet.tar.zst "evidence/mlflow$root/mlflow.db" > q.db
[ "$(sqlite3 q.db 'PRAGMA integrity_check; SELECT count(*) FROM model_versions;' | tr '\n' ' ')" = "ok 2 " ] \
  || die "quiet snapshot"
if ls -a | grep -q '^\.casefile-'; then die "temporary files left in the output folder"; fi
