# `playbook status` and `report breach` give the same dates: both count the
# covered entity's local calendar days (covered_entity.time_zone), so a
# discovery at 20:00 on December 31 in Chicago is a December 31 discovery
# (individual notices due March 1), and both read an oral law-enforcement
# statement as a delay of at most 30 days (164.412(b)).
. "$CLI_LIB"
. "$CASE_DIR/case-setup.inc"
export SOURCE_DATE_EPOCH=1772712000 TZDIR=$FIXTURES/tz
same_dates() { # INCIDENT DIR: status and report agree on the individuals' day
  expect_status 0 casefile playbook run --yes -C "$2" --incident "$1" --non-interactive keys.yaml
  expect_status 0 casefile playbook status -C "$2" --now 2027-01-02T00:00:00Z --json keys.yaml
  cp out "$2.status"
  expect_status 0 casefile report breach --scope "$FIXTURES/reports/scope.json" \
    --incident "$1" -o "$2.report" --json
  pb=$(jq -r .hipaa.individuals.due_date "$2.status")
  rep=$(jq -r .individual_due out)
  [ "$pb" = "$rep" ] || die "$1: playbook says $pb, report says $rep"
  step=$(jq -r '.steps[] | select(.id == "notice-individuals") | .deadline_date' "$2.status")
  [ "$step" = "$rep" ] || die "$1: the notify step says $step, report says $rep"
}
cat >dec31.yaml <<'I'
id: INC-9
covered_entity: {name: Example Health, time_zone: America_Chicago}
discovered: 2027-01-01T02:00:00Z
window: {from: 2026-03-01T00:00:00Z, to: 2027-01-01T02:00:00Z}
suspects: {actors: [pract-0666]}
I
cp -r case case2
cp -r case case3
same_dates dec31.yaml case
jq -e '.hipaa.individuals.due_date == "2027-03-01" and
       .hipaa.individuals.due == "2027-03-02T06:00:00.000000Z"' case.status >/dev/null ||
  die "Dec 31 in Chicago: $(jq -c .hipaa case.status)"
# an oral statement of Feb 1 "until Apr 30" delays to Mar 3 at most:
# notices due by Mar 4, in both
sed '$a law_enforcement: {kind: oral, statement: 2027-02-01, agency: FBI, until: 2027-04-30}' \
  dec31.yaml >oral.yaml
same_dates oral.yaml case2
jq -e '.hipaa.individuals.due_date == "2027-03-04"' case2.status >/dev/null ||
  die "oral delay: $(jq -c .hipaa case2.status)"
# a business associate acting as the entity's agent discovered it on Dec 31
# (Chicago): both count from its discovery, not the entity's (164.404(a)(2))
sed 's/^discovered: .*/discovered: 2027-01-10T15:00:00Z/' dec31.yaml >agent.yaml
printf 'business_associate: {name: Vendor, discovered: 2027-01-01T02:00:00Z, notified: 2027-01-10, agent: true}\n' >>agent.yaml
same_dates agent.yaml case3
jq -e '.hipaa.individuals.due_date == "2027-03-01"' case3.status >/dev/null ||
  die "agent's discovery: $(jq -c .hipaa case3.status)"
