# A tracking store from a compromised host can be shaped to hide lineage:
# here model_versions is a view (which the collector's untrusted open does
# not run) over the real table. The store is still collected; lineage.json
# keeps what could be read and says it is incomplete and why
# ("complete": false, "read_error"), and log.jsonl has a
# lineage-incomplete warning, instead of a lineage with no model versions
# that looks whole. A store that merely lacks a table of later MLflow
# versions (registered_model_aliases) is complete.
. "$CLI_LIB"; . "$CASE_DIR/common.bash"
newkey k
root=$(pwd)/srv
mkdir -p srv/artifacts
schema=$FIXTURES/../../demo/schemas/mlflow-sqlite-core.sql
mlflow_profile "$root"
# 1. without registered_model_aliases: complete
{ cat "$schema" "$FIXTURES/mlflow/seed.sql"; echo 'DROP TABLE registered_model_aliases;'; } |
  sqlite3 srv/mlflow.db >/dev/null || die "store"
expect_status 0 casefile collect -o a.tar.zst --key k.key --profile p.yaml
member a.tar.zst evidence/mlflow/lineage.json > lin.json || die "no lineage.json: $(tar --zstd -tf a.tar.zst)"
jq -e 'has("complete") | not' lin.json >/dev/null || die "complete store marked: $(jq -c '{complete,read_error}' lin.json)"
jq -e '.registered_models[0].versions | length > 0' lin.json >/dev/null || die "no versions"

# 2. model_versions replaced by a view
rm srv/mlflow.db
{ cat "$schema" "$FIXTURES/mlflow/seed.sql"
  echo 'ALTER TABLE model_versions RENAME TO mv_real;'
  echo 'CREATE VIEW model_versions AS SELECT * FROM mv_real;'; } |
  sqlite3 srv/mlflow.db >/dev/null || die "hostile store"
expect_status 0 casefile collect -o b.tar.zst --key k.key --profile p.yaml
member b.tar.zst evidence/mlflow/lineage.json > lin.json || die "no lineage.json"
jq -e '.complete == false and (.read_error | test("view"))' lin.json >/dev/null ||
  die "incomplete lineage not marked: $(jq -c '{complete,read_error}' lin.json)"
member b.tar.zst casefile/log.jsonl | jq -c 'select(.event == "lineage-incomplete")' > w
[ -s w ] || die "no lineage-incomplete warning"
# the timeline reads the store itself and rejects it with the same reason
expect_status 0 casefile timeline build --db t.db --trust k.pub --json b.tar.zst
# (lineage.json is the snapshot's summary: not counted again, so one
# reject, the snapshot's; the collector's warning stays in log.jsonl)
jq -e '.parsers.mlflow.rejects == 1' out >/dev/null || die "rejects: $(cat out)"
jq -e '.not_parsed.by_type["mlflow-lineage-summary"] == 1' out >/dev/null || die "lineage.json counted: $(cat out)"
sqlite3 t.db .tables | grep -qw rejects || die "no rejects table"
sqlite3 t.db 'SELECT reason FROM rejects' | grep -q 'could not be read to the end (access to view "model_versions" prohibited)' ||
  die "reject reason: $(sqlite3 t.db 'SELECT reason FROM rejects')"
