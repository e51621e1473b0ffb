# The seven shipped playbooks are listed, validate, export to CACAO 2.0
# with the required properties, and import back to a valid playbook with
# the same steps.
. "$CLI_LIB"
expect_status 0 casefile playbook list --json
[ "$(jq '.playbooks | length' out)" = 7 ] || die "expected 7 shipped playbooks"
jq -e '.playbooks | all(has("id") and has("title") and has("path"))' out >/dev/null ||
  die "list --json lacks id/title/path"
ids=$(jq -r '.playbooks[].id' out)
for want in insider-snooping stolen-credentials-fhir-export ransomware-ehr-inference \
            phi-exposed-ai-model misconfigured-training-storage business-associate-breach \
            model-malfunction-patient-harm; do
  echo "$ids" | grep -qx "$want" || die "missing shipped playbook $want"
done
expect_status 0 casefile playbook validate $ids
[ "$(grep -c ': OK (' out)" = 7 ] || die "not all seven validate"
for id in $ids; do
  expect_status 0 casefile playbook export --cacao -o "$id.json" "$id"
  jq -e '
    .type == "playbook" and .spec_version == "cacao-2.0" and
    (.id | test("^playbook--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")) and
    (.name | length > 0) and (.created_by | startswith("identity--")) and
    (.created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{3}Z$")) and
    .modified >= .created and
    (.workflow[.workflow_start].type == "start") and
    ([.workflow[] | .type] | all(. == "start" or . == "end" or . == "action" or
                                 . == "if-condition" or . == "parallel")) and
    ([.workflow | to_entries[] | select(.value.type as $t | .key | startswith($t + "--") | not)] | length == 0) and
    ([.workflow[] | select(.type == "action") |
      (.commands | length >= 1) and (.commands | all(.type == "manual")) and
      (.agent as $a | $a != null)] | all) and
    ([.workflow[] | select(.type == "if-condition") | has("condition") and has("on_true")] | all) and
    ([.workflow[] | select(.type == "parallel") | .next_steps | length >= 2] | all) and
    ([.workflow[] | select(.type != "end") |
      has("on_completion") or has("on_success")] | all) and
    ([.workflow[] | .on_completion // empty, .on_true // empty, .on_false // empty,
      (.next_steps // [] | .[])] as $refs | $refs | all(. as $r | $r != null)) and
    (. as $p | [.workflow[] | .on_completion // empty, .on_true // empty, .on_false // empty,
      (.next_steps // [] | .[])] | all(. as $r | $p.workflow | has($r))) and
    (. as $p | [.workflow[] | .agent // empty] | all(. as $a | $p.agent_definitions | has($a)))
  ' "$id.json" >/dev/null || die "$id.json is not a well-formed CACAO 2.0 playbook"
  expect_status 0 casefile playbook import --cacao -o "$id.yaml" "$id.json"
  expect_status 0 casefile playbook validate "$id.yaml"
  # same steps, kinds and owners as the shipped playbook
  expect_status 0 casefile playbook show "$id"
  sed -n '/^steps:/,$p' out | grep -E '^ +[a-z0-9-]+ \[' >orig.txt
  expect_status 0 casefile playbook show "$id.yaml"
  sed -n '/^steps:/,$p' out | grep -E '^ +[a-z0-9-]+ \[' >back.txt
  [ -s orig.txt ] || die "show printed no steps"
  sort orig.txt >a; sort back.txt >b
  diff -u a b || die "$id: steps differ after the CACAO round trip"
done
