# Bad inputs fail with exit 3, naming the file (and line), and write nothing.
. "$CLI_LIB"
F=$FIXTURES/reports
cat >inc.yaml <<'YAML'
id: INC-1
covered_entity: {name: Example Health}
discovered: last tuesday
YAML
expect_status 3 casefile report breach --scope "$F/scope.json" --incident inc.yaml -o pkg
expect_grep "inc.yaml:3:[0-9]+: 'discovered' is not an RFC 3339 time" err
cat >inc.yaml <<'YAML'
id: INC-1
covered_entity: {name: Example Health}
discovered: 2026-03-04T09:30:00Z
law_enforcment_delay_until: 2026-06-01
YAML
expect_status 3 casefile report breach --scope "$F/scope.json" --incident inc.yaml -o pkg
expect_grep "inc.yaml:4:" err
expect_status 3 casefile report breach --scope nothere.json --incident "$F/incident.yaml" -o pkg
expect_grep "nothere.json" err
printf '{"patients": ["a", "a"]}' >dup.json
expect_status 3 casefile report breach --scope dup.json --incident "$F/incident.yaml" -o pkg
expect_grep "patient 'a' is listed twice" err
printf '{"patients": [' >trunc.json
expect_status 3 casefile report breach --scope trunc.json --incident "$F/incident.yaml" -o pkg
expect_grep "trunc.json" err
[ ! -e pkg ] || die "a failed run left pkg behind"
