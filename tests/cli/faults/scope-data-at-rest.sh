# SPDX-License-Identifier: Apache-2.0
# timeline scope of data at rest and model lineage under injected allocation
# failures (sweep.bash): the store of tests/fixtures/timeline/data-at-rest
# (a training CSV and a FHIR export named in exposed_data) with the MLflow
# store of tests/cli/timeline/scope-lineage-mlflow.sh (a suspect version's
# lineage). A fault ends in exit 3 with a message and no scope printed, or
# is absorbed and the scope is exactly the one of a run without faults:
# never a patient, a record or a lineage fact missing.
. "$CLI_LIB"; . "$CASE_DIR/sweep.bash"
F=$FIXTURES/timeline/data-at-rest
cp -r "$F/root" root
mkdir -p root/srv/mlflow
cat "$FIXTURES/../../demo/schemas/mlflow-sqlite-core.sql" "$FIXTURES/timeline/mlflow/store.sql" |
  sqlite3 root/srv/mlflow/mlflow.db || die "store"
openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null
openssl pkey -in k.pem -pubout -out k.pub
bash "$FIXTURES/timeline/make-archive.sh" a.tar.zst k.pem root srv/exports/train.csv:database \
  var/lib/ehr/export/patients.ndjson:database srv/mlflow/mlflow.db:model-lineage >/dev/null ||
  die make-archive
casefile timeline build --db t.db --trust k.pub a.tar.zst >/dev/null 2>&1 || die "build"
sed 's/^suspects: .*/suspects: {models: [sepsis-risk@7]}/' "$F/incident.yaml" > inc.yaml
cp t.db t.db.ref
sweep_prepare() { :; }
sweep_ok() {
  cmp -s sweep.out sweep.ref || { diff sweep.ref sweep.out >&2; die "$1: a different scope"; }
  cmp -s t.db t.db.ref || die "$1: scope changed the store"
}
sweep_failed() {
  [ ! -s sweep.out ] || { head -c 500 sweep.out >&2; die "$1: a scope printed although scope failed"; }
  cmp -s t.db t.db.ref || die "$1: scope changed the store"
}
sweep casefile timeline scope --db t.db --incident inc.yaml --json
jq -e '.affected == 6 and .data_at_rest.patients == 6 and (.lineage | length) == 1
       and .lineage[0].run.params.max_depth == "9"' sweep.ref >/dev/null ||
  die "the reference scope is not the known one: $(head -c 600 sweep.ref)"
