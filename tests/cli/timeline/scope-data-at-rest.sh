# SPDX-License-Identifier: Apache-2.0
# Population scoping for data at rest: an incident that exposed a training
# export (CSV) and a FHIR Patient export (NDJSON), named by path in
# exposed_data, affects the patients in those files, with no suspect and
# whatever the window; each is cited to the member and line that names
# them (p2 twice; the export's Patient resources by their own record
# events, scope-export-citation.sh), a row without a patient is a reject, a dataset that was
# not exposed counts nobody. The same store with an incident file of the
# older keys counts no one and has no data_at_rest block. Wrong
# exposed_data, reidentification and vendor keys are refused naming the
# file and line. Expected figures: tests/fixtures/timeline/data-at-rest/SOURCE.md.
source "$CLI_LIB"
F=$FIXTURES/timeline/data-at-rest
cp -r "$F/root" root
openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null
openssl pkey -in k.pem -pubout -out k.pub
bash "$FIXTURES/timeline/make-archive.sh" a.tar.zst k.pem root \
  srv/exports/train.csv:database srv/exports/other.csv:database \
  var/lib/ehr/export/patients.ndjson:database || die make-archive
expect_status 0 casefile timeline build --db t.db --trust k.pub a.tar.zst
[ "$(sqlite3 t.db "SELECT count(*) FROM events WHERE source = 'dataset'")" = 6 ] || die "dataset rows"
[ "$(sqlite3 t.db "SELECT line || ' ' || reason FROM rejects")" = "6 dataset: row without a patient" ] ||
  die "reject: $(sqlite3 t.db 'SELECT * FROM rejects')"
expect_status 0 casefile timeline scope --db t.db --incident "$F/incident.yaml" --json
cp out scope.json
chk() { jq -e "$1" scope.json >/dev/null || die "$2: $(jq -c "$3" scope.json)"; }
chk '.affected == 6 and .patients == ["p1","p2","p3","p4","p5","p6"]' affected .patients
chk '.by_state == {"CA":1,"TX":1,"unknown":4}' by_state .by_state
T=evidence/files/srv/exports/train.csv N=evidence/files/var/lib/ehr/export/patients.ndjson
chk "[.evidence.p2[] | [.member, .line, .action]] == [[\"$T\",3,\"record\"],[\"$T\",5,\"record\"]]" p2 .evidence.p2
chk "[.evidence.p4[] | [.member, .line]] == [[\"$T\",7]]" p4 .evidence.p4
chk "[.evidence.p5[] | [.member, .line, .action]] == [[\"$N\",1,\"patient-record\"]]" p5 .evidence.p5
chk "[.evidence.p6[] | [.member, .line]] == [[\"$N\",2]]" p6 .evidence.p6
chk '.evidence | has("p9") | not' "not exposed" .evidence
chk '.data_at_rest.patients == 6 and ([.data_at_rest.sources[] | [.records, .patients]] == [[5,4],[2,2]])' \
  data_at_rest .data_at_rest
chk '[.evidence[][] | .outcome] | all(. == null)' "outcome unknown" .evidence
# the same store under an incident file of the older keys
grep -v -e '^exposed_data' -e '^  - ' -e '^reidentification' -e '^vendor' -e '^deletion' -e '^kind' \
  "$F/incident.yaml" > old.yaml
expect_status 0 casefile timeline scope --db t.db --incident old.yaml --json
jq -e '.affected == 0 and (has("data_at_rest") | not)' out >/dev/null || die "old incident file"
# wrong keys, each named with its file and line
bad() { # LINE-PATTERN YAML-TAIL
  { grep -v -e '^exposed_data' -e '^  - ' -e '^reidentification' -e '^vendor' -e '^deletion' "$F/incident.yaml"
    printf '%b' "$2"; } > bad.yaml
  expect_status 3 casefile timeline scope --db t.db --incident bad.yaml
  expect_grep "bad.yaml:$1" err
}
bad '[0-9]+:[0-9]+: exposed_data: an item needs' 'exposed_data:\n  - {what: bucket}\n'
bad '[0-9]+:[0-9]+: .what. must be one of training-dataset' 'exposed_data:\n  - {path: /x, what: floppy}\n'
bad '[0-9]+:[0-9]+: .*dataset. names an input' 'exposed_data:\n  - {path: /x, dataset: d}\n'
bad '[0-9]+:[0-9]+: .status. must be one of identified' 'reidentification: {status: anonymous}\n'
bad '[0-9]+:[0-9]+: .key_exposed. must be true or false' 'reidentification: {key_exposed: maybe}\n'
bad '[0-9]+:[0-9]+: vendor: .recipient. is required' 'vendor: {baa: true}\n'
bad '[0-9]+:[0-9]+: .date. must be a date' 'deletion_attestations:\n  - {by: X, date: soon}\n'
bad '[0-9]+:[0-9]+: unknown key' 'exposed_data:\n  - {path: /x, bucket: b}\n'
# the breach report: the exposure's facts in risk factors 1, 2 and 4, from
# the incident file's reidentification, vendor and deletion_attestations,
# and the AI section's exposed data and paragraph for the letter
expect_status 0 casefile report breach --db t.db --incident "$F/incident.yaml" -o rep --format json,md,html
R=rep/report.json
f() { jq -r ".risk_assessment.factors[] | select(.id == \"$1\") | .facts | join(\" \")" $R; }
f nature_extent | grep -q 'training-dataset /srv/exports/train.csv): 4 patient(s) named in 5 record(s)' ||
  die "factor 1: $(f nature_extent)"
f nature_extent | grep -q 'pseudonymised' || die "factor 1: pseudonymised"
f nature_extent | grep -q 'key or crosswalk was exposed as well' || die "factor 1: key exposed"
f unauthorized_person | grep -q '^Recipient: Example Cloud Storage Inc; no business associate agreement covers it; retention: 30 days' ||
  die "factor 2: $(f unauthorized_person)"
f mitigation | grep -q 'Deletion attested by Example Cloud Storage Inc on 2026-03-06: bucket objects deleted' ||
  die "factor 4: $(f mitigation)"
grep -q 'no business associate agreement covers it' rep/report.md || die "factor 2 not in report.md"
jq -e '.ai.involved and ([.ai.data_at_rest[].patients] == [4, 2])' $R >/dev/null || die "AI section"
jq -r .ai.letter_paragraph $R | grep -q 'your information was in that copy' || die "letter paragraph"
grep -q 'AI models involved' rep/report.md && grep -q 'AI models involved' rep/report.html || die "AI section rendered"
