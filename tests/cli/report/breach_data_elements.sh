# Factor 1 of the risk assessment (45 CFR 164.402(2)(i)) lists the data
# elements the evidence shows for the individuals counted, each cited by
# the archive, member and line of the Patient record that carried it, and
# names the usual identifiers not evidenced. The records are the FHIR
# specification's Patient examples (fixtures/timeline/fhir/SOURCE.md);
# the suspect read three of the four.
. "$CLI_LIB"
if ! casefile timeline --help >/dev/null 2>&1; then exit 0; fi
mkdir -p root/var/log/ehr root/var/lib/ehr/export
cp "$FIXTURES/timeline/fhir/patient-examples.ndjson" root/var/lib/ehr/export/Patient.ndjson
for p in mom f001 example; do
  printf '{"resourceType":"AuditEvent","recorded":"2026-03-02T10:00:00Z","outcome":"0","subtype":[{"code":"read"}],"agent":[{"requestor":true,"who":{"identifier":{"value":"pract-0666"}}}],"entity":[{"what":{"reference":"Patient/%s"}}]}\n' "$p"
done >root/var/log/ehr/audit.ndjson
cat >incident.yaml <<'I'
id: INC-7
covered_entity: {name: Example Health}
discovered: 2026-03-04T09:30:00Z
window: {from: 2026-03-01T00:00:00Z, to: 2026-03-04T09:30:00Z}
suspects: {actors: [pract-0666]}
I
openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null
openssl pkey -in k.pem -pubout -out k.pub
bash "$FIXTURES/timeline/make-archive.sh" a.tar.zst k.pem root \
  var/log/ehr/audit.ndjson:access-log var/lib/ehr/export/Patient.ndjson:database \
  || die "make-archive failed"
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
  expect_status 0 casefile timeline build --db t.db --trust k.pub a.tar.zst
expect_status 0 casefile report breach --db t.db --incident incident.yaml -o pkg --format json,md
f1='.risk_assessment.factors[] | select(.id == "nature_extent")'
el() { jq -r "$f1 | .data_elements[] | select(.element == \"$1\") | .individuals" pkg/report.json; }
[ "$(el name)" = 3 ] || die "name: $(el name) individuals"
[ "$(el 'date of birth')" = 3 ] || die "date of birth: $(el 'date of birth')"
[ "$(el 'Social Security number')" = 1 ] || die "SSN: $(el 'Social Security number')"
[ "$(el 'medical record number')" = 1 ] || die "MRN: $(el 'medical record number')"
[ "$(el 'e-mail address')" = 1 ] || die "e-mail: $(el 'e-mail address')"
# f201's photograph was not read: not listed
[ -z "$(el photograph)" ] || die "an element of a record nobody read"
# each element cites the line of the record that carried it: mom is line 1
jq -e "$f1 | .data_elements[] | select(.element == \"Social Security number\") | .cites[0]
  | .member == \"evidence/files/var/lib/ehr/export/Patient.ndjson\" and .line == 1" pkg/report.json \
  >/dev/null || die "SSN citation: $(jq -c "$f1 | .data_elements" pkg/report.json)"
jq -e "$f1 | .not_established == [\"health plan or insurance id\"]" pkg/report.json >/dev/null \
  || die "not established: $(jq -c "$f1 | .not_established" pkg/report.json)"
expect_grep 'Social Security number \(1 individual' pkg/report.md
expect_grep 'Not established from evidence \(to confirm\): health plan or insurance id' pkg/report.md
