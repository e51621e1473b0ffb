# SPDX-License-Identifier: Apache-2.0
# The shipped rule pack (`timeline detect` without --rules) finds each demo
# scenario's culprit without being told who it is: some finding of level
# medium or above is grouped on the suspect account (insider snooping,
# stolen credentials) or on the faulty model version, and its events point
# at their evidence. The suspects are read from the generator's
# ground-truth.json, never given to casefile.
source "$CLI_LIB"
for s in insider-snooping stolen-credentials-bulk-export faulty-model-version; do
  expect_status 0 casefile demo d-$s --scenario $s --json
  expect_status 0 casefile timeline detect --db d-$s/timeline.db --json
  cp out $s.json
  gt=d-$s/ground-truth.json
  serious='.findings[] | select(.level == "critical" or .level == "high" or .level == "medium")'
  for a in $(jq -r '.suspects.actors[]' $gt); do
    jq -e --arg g "actor=$a" "[$serious | select(.group // \"\" | split(\", \") | index(\$g))] | length > 0" $s.json >/dev/null \
      || die "$s: no finding names $a: $(jq -c '[.findings[] | [.rule_id, .group]]' $s.json)"
  done
  for m in $(jq -r '.suspects.models[]' $gt); do
    jq -e --arg g "model=${m%@*}, model_version=${m#*@}" "[$serious | select(.group == \$g)] | length > 0" $s.json >/dev/null \
      || die "$s: no finding names $m: $(jq -c '[.findings[] | [.rule_id, .group]]' $s.json)"
  done
  [ "$(jq '.suspects.actors + .suspects.models | length' $gt)" -gt 0 ] || die "$s: no suspect in the ground truth"
  # every finding's events point at an archive member (and a line, but for
  # the MLflow store, a database)
  jq -e '[.findings[].events[] | (.archive | length == 64) and (.member | length > 0) and (.line > 0 or .source == "mlflow")] | all' $s.json >/dev/null || die "$s: evidence"
done
