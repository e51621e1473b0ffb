# `casefile demo --generate-only --scenario faulty-model-version`: every file in its format,
# the ground truth and the incident file consistent, nothing else run.
source "$CLI_LIB"
source "$CASE_DIR/check_generated.inc"
expect_status 0 casefile demo gen --generate-only --scenario faulty-model-version --seed 7 --json
jq -e '.scenario == "faulty-model-version" and .seed == 7 and .scale == 1 and
       .generated.events > 100000 and (.steps | length) == 0' out >/dev/null || die "bad JSON summary"
[ ! -e gen/logs ] || die "--generate-only ran steps"
check_generated gen
jq -e '.suspects.models == ["sepsis-risk@7"] and .model_decisions_count > 0 and
       ([.model_decisions[].version] | unique) == ["7"] and .affected == 0' \
  gen/ground-truth.json >/dev/null || die "faulty-model truth"
grep -q '^  models: \[sepsis-risk@7\]$' gen/incident.yaml || die "incident models"
