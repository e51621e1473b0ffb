# The State notices (casefile-states(5)): the shipped rules evaluated
# against the residents counted in each State, each owed notice listed with
# its recipient, due date, citation and TO CONFIRM in report.md, report.html
# and report.json; the Massachusetts letter for MA residents, stating
# neither the number affected nor the nature of the breach; an
# organisation's own rules with --states; a malformed rules file stopping
# the report with FILE:LINE:COL. Due dates are counted by hand: discovery
# is Wednesday March 4, 2026 (no federal holiday before April).
. "$CLI_LIB"
F=$FIXTURES/reports
export SOURCE_DATE_EPOCH=1772712000

# the fixture: 2 MA residents (and NH, VT: no shipped rule)
expect_status 0 casefile report breach --scope "$F/scope.json" \
  --incident "$F/incident.yaml" -o pkg --json
jq -e '.files | index("pkg/notice-individual-MA.md")' out >/dev/null || die "no MA letter: $(cat out)"
jq -e '.state_notices.evaluated and
       ([.state_notices.notices[].id] == ["MA-GL-93H-3"]) and
       (.state_notices.notices[0] | .residents == 2 and .due == null and .to_confirm
         and (.citation | test("93H")))' pkg/report.json >/dev/null \
  || die "MA notice: $(jq -c .state_notices pkg/report.json)"
jq -e '[.to_confirm[] | select(.section == "state_notices" and .field == "MA-GL-93H-3")] | length == 1' \
  pkg/report.json >/dev/null || die "MA notice not to confirm"
expect_grep '^\| MA \| 2 \| Massachusetts Attorney General.*TO CONFIRM.*93H' pkg/report.md
expect_grep 'State notices' pkg/report.html
expect_grep 'police report' pkg/notice-individual-MA.md
grep -q 'What happened' pkg/notice-individual-MA.md && die "the MA letter states what happened"
grep -q 'Stolen clinician' pkg/notice-individual-MA.md && die "the MA letter states the nature"
grep -Eq '(^|[^0-9])[25]([^0-9]|$)' pkg/notice-individual-MA.md && die "the MA letter states a count"
grep -q 'What happened' pkg/notice-individual.md || die "the standard letter lost what happened"

# counts at and around the thresholds: TX 250 (from 250), FL 499 (from
# 500), NY 3, CA 20; 5 affected in all, so HHS is the annual filing due
# Monday March 1, 2027
jq '.by_state = {"NY": 3, "TX": 250, "FL": 499, "CA": 20}' "$F/scope.json" >scope.json
expect_status 0 casefile report breach --scope scope.json \
  --incident "$F/incident.yaml" -o counts --json
due() { jq -r --arg id "$1" '.state_notices.notices[] | select(.id == $id) | .due' counts/report.json; }
# 15 business days after March 4: March 25
[ "$(due CA-HSC-1280.15)" = 2026-03-25 ] || die "CA 1280.15: $(due CA-HSC-1280.15)"
# 30 days after discovery (no determination recorded): April 3
[ "$(due TX-BCC-521.053-AG)" = 2026-04-03 ] || die "TX: $(due TX-BCC-521.053-AG)"
# 5 business days after Monday March 1, 2027: Monday March 8
[ "$(due NY-GBL-899-aa-HHS)" = 2027-03-08 ] || die "NY: $(due NY-GBL-899-aa-HHS)"
jq -e '[.state_notices.notices[].id] | (index("FL-501.171-DEPT") == null and index("CA-CIV-1798.82-AG") == null)' \
  counts/report.json >/dev/null || die "a rule below its threshold was listed"
jq -e '[.state_notices.not_triggered[].id] | index("FL-501.171-DEPT") != null' \
  counts/report.json >/dev/null || die "FL 499 not said to be below the threshold"
expect_grep '^\| TX \| 250 \| Texas Attorney General.*\| 2026-04-03 \*\*TO CONFIRM\*\* \|.*521\.053' counts/report.md
[ ! -e counts/notice-individual-MA.md ] || die "an MA letter without MA residents"
# a recorded determination starts the Texas clock: March 10 + 30 days
cp "$F/incident.yaml" det.yaml
printf 'determination: {decision: breach, decided_by: Pat Officer, decided_on: 2026-03-10}\n' >>det.yaml
expect_status 0 casefile report breach --scope scope.json --incident det.yaml -o det
jq -e '.state_notices.notices[] | select(.id == "TX-BCC-521.053-AG")
       | .due == "2026-04-09" and .clock_start == "2026-03-10"' det/report.json >/dev/null \
  || die "TX from the determination: $(jq -c .state_notices.notices det/report.json)"

# an organisation's own rules
cat >own.yaml <<'EOF'
format: casefile-state-rules/1
rules:
  - id: ACME-NH
    state: NH
    trigger: Any New Hampshire resident.
    residents_at_least: 1
    clock: {from: discovery, days: 10, business_days: true}
    recipients: [{kind: attorney-general, name: New Hampshire Attorney General}]
    citation: N.H. Rev. Stat. 359-C:20
    last_verified: 2026-11-30
EOF
expect_status 0 casefile report breach --scope "$F/scope.json" \
  --incident "$F/incident.yaml" --states own.yaml -o own --json
jq -e '[.state_notices.notices[] | [.id, .due]] == [["ACME-NH", "2026-03-18"]] and
       (.state_notices.rules_source | endswith("own.yaml"))' own/report.json >/dev/null \
  || die "own rules: $(jq -c .state_notices own/report.json)"
[ ! -e own/notice-individual-MA.md ] || die "the shipped MA rule used with --states"

# a malformed file: nothing written, the line named
sed 's/business_days: true/business_days: maybe/' own.yaml >bad.yaml
expect_status 3 casefile report breach --scope "$F/scope.json" \
  --incident "$F/incident.yaml" --states bad.yaml -o bad
expect_grep "bad\.yaml:7:[0-9]+: 'business_days' must be true or false" err
[ ! -e bad/report.json ] || die "a package from a malformed rules file"
expect_status 2 casefile report custody --case . -o c.html --states own.yaml

# no notice under the federal rules (a documented exception): no State
# notice either, and the section says why
cp "$F/incident.yaml" memo.yaml
printf 'determination: {decision: exception-good-faith, decided_by: Pat Officer, decided_on: 2026-03-06, rationale: "Opened the wrong chart in good faith."}\n' >>memo.yaml
expect_status 0 casefile report breach --scope "$F/scope.json" --incident memo.yaml -o memo
jq -e '.state_notices.evaluated == false and (.state_notices.notices == null)' memo/report.json >/dev/null \
  || die "State notices for no breach: $(jq -c .state_notices memo/report.json)"
[ ! -e memo/notice-individual-MA.md ] || die "an MA letter for no breach"
expect_grep 'State rules were not evaluated' memo/report.md
