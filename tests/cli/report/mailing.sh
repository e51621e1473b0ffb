# `report mailing`: the mail-merge list of the affected individuals read back
# from the FHIR Patient resources and the roster in evidence, with the
# channel and routing of the scope (decedent to next of kin, minor to
# guardian, phone-only to substitute notice), per-patient PHI categories and
# access days, and each record's evidence pointer. The expected rows are
# worked out from the fixture with jq here and by hand in
# tests/fixtures/mailing/SOURCE.md. PHI stays in the case folder.
source "$CLI_LIB"
F=$FIXTURES/mailing
mailing_store

# Outside a case folder: refused, nothing written.
expect_status 2 casefile report mailing --db t.db --incident "$F/incident.yaml" -o m.csv
expect_grep 'stays in the case folder' err
[ ! -e m.csv ] || die "mailing list written outside the case folder"

mkdir -p case/out && : >case/case.json
expect_status 0 casefile report mailing --db t.db --incident "$F/incident.yaml" \
  -o case/out/mailing.csv --json
M=case/out/mailing.csv
[ "$(stat -c %a $M)" = 600 ] || die "mailing list not 0600"
jq -e '.rows == 7 and .part2 == 2' out >/dev/null || die "summary: $(cat out)"
head -1 $M | grep -q '^# CONTAINS PROTECTED HEALTH INFORMATION.*Keep this file in the case folder' \
  || die "no PHI header: $(head -2 $M)"
expect_grep '^patient,name,postal_address,email,mrn,channel,notice_to,recipient_name,recipient_address,phi_categories,access_dates_utc,part2,archive,member,line$' $M

# The affected, counted from the fixture: patients the suspect read in the
# window (successful AuditEvents), each once.
jq -r 'select(.resourceType == "AuditEvent" and .agent[0].who.identifier.value == "pract-0666"
         and .recorded >= "2026-03-01" and .recorded <= "2026-03-04T09:30:00Z")
       | .entity[].what.reference | select(startswith("Patient/")) | ltrimstr("Patient/")' \
  "$F/root/var/log/ehr/audit.ndjson" | sort -u >want-ids
grep -v '^#' $M | tail -n +2 | cut -d, -f1 | sort >got-ids
diff -u want-ids got-ids || die "rows are not the affected individuals"

# Every FHIR patient of them: the official (else first) name, MRN and the
# line of its resource, from the fixture.
jq -r --slurpfile ids <(jq -R . want-ids | jq -s .) '
  [input_line_number] as [$ln]
  | (if .resourceType == "Bundle" then .entry[].resource else . end)
  | select(.resourceType == "Patient" and (.id as $i | $ids[0] | index($i)))
  | ((.name // []) | (map(select(.use == "official" or .use == "usual"))[0] // .[0])) as $n
  | [.id, ($n.text // (($n.given // []) + [$n.family] | join(" "))),
     ([.identifier[]? | select(.type.coding[]?.code == "MR") | .value][0] // ""),
     ($ln | tostring)] | join("|")' "$F/root/var/log/ehr/patients.ndjson" >want-fhir
[ "$(wc -l <want-fhir)" = 5 ] || die "fixture: $(cat want-fhir)"
while IFS='|' read -r id name mrn line; do
  row=$(grep "^$id," $M) || die "no row for $id"
  case $row in "$id,$name,"*) ;; *) die "$id: name: $row";; esac
  case $row in *",$mrn,"*) ;; *) die "$id: mrn $mrn: $row";; esac
  case $row in *",evidence/files/var/log/ehr/patients.ndjson,$line") ;; *) die "$id: pointer line $line: $row";; esac
done <want-fhir

# Routing and channels (tests/fixtures/mailing/SOURCE.md).
r() { grep "^$1," $M; }
r m1 | grep -qF 'Ana Maria Lima,"12 Oak St, Apt 3, Boston, MA 02101",,MRN-0001,first-class mail,the individual,' || die "m1: $(r m1)"
r m1 | grep -qF ',demographics; diagnoses,2026-03-02; 2026-03-03,' || die "m1 accesses: $(r m1)"
r m1 | grep -q 'ana@example.org' && die "m1: an e-mail without consent is printed"
r m2 | grep -qF ',next of kin or personal representative,Rui Lima,"40 Pine St, Reno, NV 89501",' || die "m2: $(r m2)"
r m3 | grep -qF ',parent or guardian,Carla Souza,"7 Elm St, Austin, TX 73301",' || die "m3: $(r m3)"
r m4 | grep -qF 'm4,Ivy Ng,,,,substitute notice (telephone number only),' || die "m4: $(r m4)"
r r1 | grep -qF 'r1,"Park, Dee",,dee@example.org,R-77,e-mail (the individual agreed to electronic notice),' || die "r1: $(r r1)"
r r1 | grep -qF ',evidence/files/var/lib/ehr/roster.csv,2' || die "r1 pointer: $(r r1)"
r u1 | grep -qF 'u1,,,,,unknown: no patient record in the evidence,the individual,,,demographics,2026-03-03,,,,' || die "u1: $(r u1)"
# 42 CFR Part 2: m4 by its Patient's security label, m5 by the label of
# the Condition its access named; nobody else.
[ "$(grep -c ',yes,' $M)" = 2 ] || die "part2 count"
r m4 | grep -qF ',yes,' || die "m4 part2"
r m5 | grep -qF ',demographics; diagnoses,2026-03-03,yes,' || die "m5 part2: $(r m5)"
expect_grep 'Part 2 breach report is owed' err
[ "$(grep -c ',first-class mail,' $M)" = 3 ] || die "first-class mail count"
grep -q '^x9,\|^r2,' $M && die "a patient not accessed is listed"
exit 0
