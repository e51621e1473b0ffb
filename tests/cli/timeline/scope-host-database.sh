# SPDX-License-Identifier: Apache-2.0
# A host's SQLite database as exposed data at rest, end to end: the
# database (Synthea-shaped, tests/fixtures/timeline/host-database) is
# collected by a `sqlite` source, the timeline reads its rows naming a
# patient (a table's patient_id/patient/... column, the Id of the table
# "patients"; organizations, with no such column, is not read), and an
# incident whose exposed_data names the database by path affects the
# patients in it, each cited to the member and the table and rowid of its
# rows. `table` and `patient_column` narrow the rows; a column the
# timeline does not read gives nobody and a note. The breach report
# counts the same population. Every expected figure is computed here with
# sqlite3 from the database itself.
source "$CLI_LIB"
F=$FIXTURES/timeline/host-database
mkdir -p host/var/lib/ehr
sqlite3 host/var/lib/ehr/ehr.db < "$F/ehr.sql" || die "sqlite3"
DB=host/var/lib/ehr/ehr.db
q() { sqlite3 -batch -noheader "$DB" "$1"; }
casefile key generate k >/dev/null 2>&1 || die "key generate"
cat > prof.yaml <<YAML
profile: ehr-db
sources:
  - id: ehrdb
    type: sqlite
    path: "$(pwd)/$DB"
YAML
expect_status 0 casefile collect -o a.tar.zst --key k.key --profile prof.yaml
expect_status 0 casefile timeline build --db t.db --trust k.pub a.tar.zst
M=evidence/ehrdb$(pwd)/$DB
# rows read: every table with a patient column, rows naming someone
ALL="SELECT Id AS p FROM patients UNION ALL SELECT PATIENT FROM encounters
     UNION ALL SELECT PATIENT FROM conditions UNION ALL SELECT patient_id FROM predictions"
want_rows=$(q "SELECT count(*) FROM ($ALL) WHERE p IS NOT NULL AND p <> ''")
want_pats=$(q "SELECT count(DISTINCT replace(p, 'Patient/', '')) FROM ($ALL) WHERE p IS NOT NULL AND p <> ''")
[ "$want_rows" = 9 ] && [ "$want_pats" = 4 ] || die "fixture changed: $want_rows rows, $want_pats patients"
[ "$(sqlite3 t.db "SELECT count(*) FROM events WHERE source = 'database' AND member = '$M'")" = "$want_rows" ] ||
  die "database rows: $(sqlite3 t.db "SELECT member, line, patient FROM events WHERE source = 'database'")"
[ "$(sqlite3 t.db "SELECT count(*) FROM events WHERE source = 'database' AND attrs LIKE '%organizations%'")" = 0 ] ||
  die "organizations read"
cat > inc.yaml <<'YAML'
id: INC-TEST-DB
title: EHR database copied off the application host
kind: unauthorised-access
covered_entity: {name: Example Health, contact: {phone: "1-800-555-0100"}}
discovered: 2026-03-05T11:00:00Z
window: {from: 2026-03-02T00:00:00Z, to: 2026-03-05T11:00:00Z}
suspects: {actors: [], ips: [], credentials: [], models: []}
exposed_data:
  - {path: "*/var/lib/ehr/ehr.db", what: database}
YAML
expect_status 0 casefile timeline scope --db t.db --incident inc.yaml --json
cp out scope.json
chk() { jq -e "$1" scope.json >/dev/null || die "$2: $(jq -c "$3" scope.json)"; }
want_ids=$(q "SELECT json_group_array(p) FROM (SELECT DISTINCT replace(p, 'Patient/', '') AS p
              FROM ($ALL) WHERE p IS NOT NULL AND p <> '' ORDER BY 1)")
chk ".affected == $want_pats and .patients == $want_ids" affected '{affected, patients}'
chk ".data_at_rest.patients == $want_pats and .data_at_rest.sources[0].records == $want_rows" \
  data_at_rest .data_at_rest
# each patient cited to the member, table and rowid of each row naming them
P=b9c610cd-28a6-4636-ccb6-c7a0d2a4cb85
want=$(q "SELECT json_group_array(json_array(t, r)) FROM (
  SELECT 'conditions' AS t, rowid AS r FROM conditions WHERE PATIENT = '$P' UNION ALL
  SELECT 'encounters', rowid FROM encounters WHERE PATIENT = '$P' UNION ALL
  SELECT 'patients', rowid FROM patients WHERE Id = '$P' ORDER BY 1, 2)")
chk "[.evidence[\"$P\"][] | select(.member == \"$M\") | [(.resource | split(\" rowid \"))[0], .line]] | sort == $want" \
  "citations of $P" ".evidence[\"$P\"]"
P=339144f8-50e1-633e-a013-f361391c4cff
want=$(q "SELECT json_group_array(json_array(t, r)) FROM (
  SELECT 'patients' AS t, rowid AS r FROM patients WHERE Id = '$P' UNION ALL
  SELECT 'predictions', rowid FROM predictions WHERE patient_id = 'Patient/$P' ORDER BY 1, 2)")
chk "[.evidence[\"$P\"][] | [(.resource | split(\" rowid \"))[0], .line]] | sort == $want" \
  "Patient/ prefix dropped" ".evidence[\"$P\"]"
# narrowed to the patients table and its Id column
sed 's/what: database}/what: database, table: patients, patient_column: Id}/' inc.yaml > narrow.yaml
expect_status 0 casefile timeline scope --db t.db --incident narrow.yaml --json
n=$(q "SELECT count(DISTINCT Id) FROM patients")
jq -e ".affected == $n and .data_at_rest.sources[0].records == $n and
       (.data_at_rest.sources[0] | has(\"note\") | not)" out >/dev/null || die "narrowed: $(jq -c .data_at_rest out)"
# a column the timeline does not read: nobody, and a note saying why
sed 's/what: database}/what: database, table: patients, patient_column: SSN}/' inc.yaml > ssn.yaml
expect_status 0 casefile timeline scope --db t.db --incident ssn.yaml --json
jq -e '.affected == 0 and (.data_at_rest.sources[0].note | test("timeline reads"))' out >/dev/null ||
  die "unread column: $(jq -c .data_at_rest out)"
# narrowing without a path is refused, naming the file and line
printf 'exposed_data:\n  - {mlflow_run: r1, table: patients}\n' > bad.yaml
grep -v -e '^exposed_data' -e '^  - ' inc.yaml >> bad.yaml
expect_status 3 casefile timeline scope --db t.db --incident bad.yaml
expect_grep "bad.yaml:2:[0-9]+: exposed_data: 'table' and 'patient_column'" err
# the breach report counts the same population
expect_status 0 casefile report breach --db t.db --incident inc.yaml -o rep --format json
jq -e ".affected.count.value == $want_pats and ([.affected.count.cites[].member] | unique == [\"$M\"])" \
  rep/report.json >/dev/null || die "report: $(jq -c .affected.count rep/report.json)"
jq -r '.risk_assessment.factors[] | select(.id == "nature_extent") | .facts[]' rep/report.json |
  grep -q "database \*/var/lib/ehr/ehr.db): $want_pats patient(s) named in $want_rows record(s)" ||
  die "factor 1: $(jq -c '.risk_assessment.factors[0]' rep/report.json)"
# hostile shapes in a second database: a WITHOUT ROWID table is a reject
# naming it, a virtual table named patients is never read, a patient value
# over 256 bytes is a reject with its rowid; the rest is still read
sqlite3 host/h.db "CREATE TABLE w (patient_id TEXT PRIMARY KEY) WITHOUT ROWID;
  INSERT INTO w VALUES ('x1');
  CREATE VIRTUAL TABLE patients USING fts5(id);
  INSERT INTO patients VALUES ('v1');
  CREATE TABLE predictions (patient_id TEXT);
  INSERT INTO predictions VALUES ('ok1'), (printf('%.300c', 'a'));" || die "sqlite3 h.db"
printf 'profile: hostile\nsources:\n  - id: h\n    type: sqlite\n    path: "%s"\n' "$(pwd)/host/h.db" > h.yaml
expect_status 0 casefile collect -o h.tar.zst --key k.key --profile h.yaml
expect_status 0 casefile timeline build --db h.db --trust k.pub h.tar.zst
[ "$(sqlite3 h.db "SELECT group_concat(patient) FROM events WHERE source = 'database'")" = ok1 ] ||
  die "hostile rows: $(sqlite3 h.db "SELECT patient, attrs FROM events WHERE source = 'database'")"
sqlite3 h.db "SELECT line || ' ' || reason FROM rejects ORDER BY reason" > rej
expect_grep '^0 database: table w cannot be read by rowid' rej
expect_grep '^2 database: table predictions rowid 2: the patient_id value is not a patient id' rej
[ "$(wc -l < rej)" = 2 ] || die "rejects: $(cat rej)"
