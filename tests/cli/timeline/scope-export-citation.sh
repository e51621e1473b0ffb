# SPDX-License-Identifier: Apache-2.0
# The patients of an exposed FHIR NDJSON export are cited to the line of
# that export that names them, not to the first record that ever named
# them: p5 is named first by a roster of the EHR (an earlier member, which
# the patients table keeps as p5's first record), then by line 1 of the
# exposed export; p5 must be counted and cited to the export's member and
# line 1 (its "patient-record" event), like p6 on line 2. A Patient
# resource with no identifying element (p7, line 3: an id and a gender)
# has no record event and is cited through the patients table, which
# points at the export too. The roster itself was not exposed and cites
# nobody.
source "$CLI_LIB"
F=$FIXTURES/timeline/data-at-rest
mkdir -p root/var/lib/ehr/export root/srv/ehr
cp "$F/root/var/lib/ehr/export/patients.ndjson" root/var/lib/ehr/export/
echo '{"resourceType":"Patient","id":"p7","gender":"female"}' >> root/var/lib/ehr/export/patients.ndjson
printf 'patient_id,state\np5,CA\np9,NY\n' > root/srv/ehr/roster.csv
openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null
openssl pkey -in k.pem -pubout -out k.pub
bash "$FIXTURES/timeline/make-archive.sh" a.tar.zst k.pem root \
  srv/ehr/roster.csv:database var/lib/ehr/export/patients.ndjson:database || die make-archive
expect_status 0 casefile timeline build --db t.db --trust k.pub a.tar.zst
R=evidence/files/srv/ehr/roster.csv N=evidence/files/var/lib/ehr/export/patients.ndjson
[ "$(sqlite3 t.db "SELECT member || ':' || line FROM patients WHERE id = 'p5'")" = "$R:2" ] ||
  die "fixture: p5's first record is not the roster's"
grep -v -e '^  - {path: /srv' "$F/incident.yaml" > inc.yaml
expect_status 0 casefile timeline scope --db t.db --incident inc.yaml --json
cp out scope.json
chk() { jq -e "$1" scope.json >/dev/null || die "$2: $(jq -c "$3" scope.json)"; }
chk '.affected == 3 and .patients == ["p5","p6","p7"]' affected '{affected, patients}'
chk "[.evidence.p5[] | [.member, .line, .action]] == [[\"$N\",1,\"patient-record\"]]" p5 .evidence.p5
chk "[.evidence.p6[] | [.member, .line, .action]] == [[\"$N\",2,\"patient-record\"]]" p6 .evidence.p6
chk "[.evidence.p7[] | [.member, .line, .action]] == [[\"$N\",3,\"record\"]]" p7 .evidence.p7
chk '.by_state == {"CA":1,"TX":1,"unknown":1}' by_state .by_state
chk '[.data_at_rest.sources[] | [.records, .patients]] == [[3,3]]' data_at_rest .data_at_rest
