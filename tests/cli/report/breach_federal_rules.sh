# The federal rules in the package (45 CFR 164.402-164.414): a discovery at
# 20:00 on December 31 in Chicago is December 31 (notices and the annual
# HHS filing due March 1 of the next year, never a day or a year late, in
# the letter too); an oral law-enforcement statement delays at most 30
# days; a determination other than "breach" replaces the letters with the
# signed no-notification memorandum; a business associate drafts its
# notice to each covered entity, naming every individual, and no notices
# of its own; every package ends with a sign-off block.
. "$CLI_LIB"
F=$FIXTURES/reports
export SOURCE_DATE_EPOCH=1772712000 TZDIR=$FIXTURES/tz
head='id: INC-9
title: Year-end export
covered_entity: {name: Example Health, time_zone: America_Chicago}
discovered: 2027-01-01T02:00:00Z
window: {from: 2026-03-01T00:00:00Z, to: 2027-01-01T02:00:00Z}
suspects: {actors: [pract-0666]}'

printf '%s\n' "$head" >local.yaml
expect_status 0 casefile report breach --scope "$F/scope.json" \
  --incident local.yaml -o local --json
jq -e '.individual_due == "2027-03-01" and .hhs_due == "2027-03-01"' out >/dev/null \
  || die "Dec 31 in Chicago: wrong dates: $(cat out)"
jq -e '.obligations.discovered == "2026-12-31" and .obligations.time_zone == "America_Chicago"' \
  local/report.json >/dev/null || die "discovery is not the local day"
jq -e '(.hhs_portal[] | select(.field == "Discovery date") | .value) == "2026-12-31"' \
  local/report.json >/dev/null || die "portal discovery date is not local"
expect_grep 'discovered this on December 31, 2026' local/notice-individual.md
expect_grep 'Sign-off' local/report.md
jq -e '.determination.presumed and .sign_off.retain_until != null' local/report.json >/dev/null \
  || die "no presumed determination or sign-off"

# oral statement on Feb 1 "until Apr 30": capped at Mar 3 (164.412(b))
printf '%s\nlaw_enforcement: {kind: oral, statement: 2027-02-01, agency: FBI, until: 2027-04-30}\n' \
  "$head" >oral.yaml
expect_status 0 casefile report breach --scope "$F/scope.json" \
  --incident oral.yaml -o oral --json
jq -e '.individual_due == "2027-03-04"' out >/dev/null || die "oral cap: $(cat out)"
jq -e '.obligations.law_enforcement_delay.until == "2027-03-03" and .obligations.law_enforcement_delay.capped' \
  oral/report.json >/dev/null || die "oral cap not in the model"

# a documented exception: the memo replaces the letters
printf '%s\ndetermination: {decision: exception-good-faith, decided_by: Pat Officer, decided_on: 2027-01-04, rationale: "Nurse opened the wrong chart in good faith."}\n' \
  "$head" >memo.yaml
expect_status 0 casefile report breach --scope "$F/scope.json" \
  --incident memo.yaml -o memo --json
[ -s memo/determination-memo.md ] || die "no determination-memo.md"
[ ! -e memo/notice-individual.md ] || die "a letter for no breach"
[ ! -e memo/notice-media.md ] || die "a media letter for no breach"
expect_grep '164.402\(1\)\(i\)' memo/determination-memo.md
expect_grep 'Pat Officer' memo/determination-memo.md
expect_grep '2033-01-04' memo/determination-memo.md
jq -e '(.individual_due // "") == "" and (.hhs_due // "") == ""' out >/dev/null || die "deadlines for no breach: $(cat out)"
expect_grep 'Not required' memo/report.md
# the executive summary says no notice is owed, and why, with no deadline
expect_grep 'No breach notification is owed\*\* \(45 CFR 164.402\(1\)\(i\)\)' memo/report.md
expect_grep 'No breach notification is owed' memo/report.html
! grep -q 'to be confirmed\|are due by' memo/report.md memo/report.html ||
  die "a deadline in the summary of a package that owes no notice"

# a business associate: its notice to the covered entities only
sed 's/time_zone: America_Chicago}/time_zone: America_Chicago, type: business-associate}/' local.yaml >ba.yaml
printf 'covered_entities: [{name: Clinic A, contact: privacy@a.example}]\n' >>ba.yaml
expect_status 0 casefile report breach --scope "$F/scope.json" \
  --incident ba.yaml -o ba --json
[ -s ba/notice-covered-entity.md ] || die "no notice-covered-entity.md"
[ ! -e ba/notice-individual.md ] || die "a BA drafted individual notices"
expect_grep 'Clinic A' ba/notice-covered-entity.md
expect_grep 'p-1005' ba/notice-covered-entity.md
expect_grep 'due by 2027-03-01' ba/notice-covered-entity.md
jq -e '.obligations.ba_notice.due == "2027-03-01" and .obligations.individual_notice.due == null and .obligations.hhs_notice.due == null' \
  ba/report.json >/dev/null || die "BA obligations wrong"
