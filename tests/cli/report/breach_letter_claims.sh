# The letter states only what the incident file states: without a
# `response` block every claim (toll-free number, access blocked, law
# enforcement, prevention, services offered) is a "[To confirm: ...]" and a
# to_confirm row; with one, its sentences are the letter's. --today flags a
# notice overdue the day after its due date (60 days after discovery).
. "$CLI_LIB"
F=$FIXTURES/reports
export SOURCE_DATE_EPOCH=1772712000
expect_status 0 casefile report breach --scope "$F/scope.json" \
  --incident "$F/incident.yaml" -o bare --format md,json --today 2026-05-04
expect_grep 'We are investigating what happened. \\\[To confirm: how and when the access was stopped' bare/notice-individual.md
expect_grep '\\\[To confirm: whether the incident was reported to law enforcement' bare/notice-individual.md
if grep -q 'toll-free number 1-800' bare/notice-individual.md; then die "toll-free claimed"; fi
if grep -q 'blocked the access' bare/notice-individual.md bare/notice-media.md; then die "blocked claimed"; fi
jq -e '[.to_confirm[] | select(.section == "letter")] | length == 5' bare/report.json >/dev/null \
  || die "letter claims not all to confirm"
jq -e '.obligations.individual_notice | .status == "overdue" and .target == "2026-04-23" and .days_left == -1' \
  bare/report.json >/dev/null || die "not overdue the day after: $(jq -c .obligations.individual_notice bare/report.json)"
expect_grep 'Individual notice was due 2026-05-03 \(today is 2026-05-04\)' bare/report.md

sed 's/^notes: free text$//' "$F/incident.yaml" >inc.yaml
cat >>inc.yaml <<'YAML'
response:
  phone_toll_free: true
  access_blocked: We disabled the account that was misused on March 4, 2026.
  law_enforcement: We reported the incident to the police on March 5, 2026.
  prevention: We now review access to patient records every week.
  credit_monitoring: We offer 12 months of free credit monitoring.
YAML
expect_status 0 casefile report breach --scope "$F/scope.json" \
  --incident inc.yaml -o said --format md,json --today 2026-05-03
expect_grep 'call our toll-free number 1-800-555-0100' said/notice-individual.md
expect_grep 'We disabled the account that was misused on March 4, 2026.' said/notice-individual.md
expect_grep 'We reported the incident to the police' said/notice-individual.md
if grep -q 'To confirm' said/notice-individual.md; then die "a stated claim left to confirm"; fi
jq -e '.obligations.individual_notice.status == "due today" and ([.to_confirm[] | select(.section == "letter")] | length == 0)' \
  said/report.json >/dev/null || die "due today / letter notes wrong"

# A response key the letter does not know, or a toll-free flag that is not
# a boolean, is refused naming the line.
sed 's/^notes: free text$//' "$F/incident.yaml" >bad.yaml
printf 'response:\n  phone_toll_free: maybe\n' >>bad.yaml
expect_status 3 casefile report breach --scope "$F/scope.json" --incident bad.yaml -o x
expect_grep "bad.yaml:[0-9]+:[0-9]+: 'phone_toll_free' must be true or false" err
expect_status 2 casefile report breach --scope "$F/scope.json" --incident "$F/incident.yaml" -o x --today 2026-13-01
