# The report reads a scope in the exact shape `timeline scope --json`
# prints: evidence keyed by patient with "time", failed attempts and model
# decisions with "time" and "output", PHI categories as strings.
. "$CLI_LIB"
F=$FIXTURES/reports
expect_status 0 casefile report breach --scope "$F/scope-timeline.json" \
  --incident "$F/incident.yaml" -o pkg --format json,md
jq -e '.affected.count.value == 2
  and ([.affected.patients[].id] == ["p-1001", "p-1002"])
  and (.affected.patients[0].evidence[0].line == 118)
  and (.timeline.accesses | length) == 2
  and .timeline.accesses[0].ts == "2026-03-02T01:12:09.000000Z"
  and .timeline.failed_attempts[0].ts == "2026-03-02T01:20:00.000000Z"
  and .timeline.failed_attempt_count == 1
  and .model_decisions[0].output == "alert"
  and .model_decisions[0].ts == "2026-03-02T06:00:00.000000Z"
  and ([.phi_categories[].portal_type] == ["Demographic", "Clinical"])
  and ([.affected.by_state[] | [.state, .count]] == [["MA", 1], ["unknown", 1]])
  and (.discrepancies | length) == 0' pkg/report.json >/dev/null \
  || die "model wrong: $(jq -c '{affected, timeline, model_decisions, discrepancies}' pkg/report.json)"
expect_grep 'sepsis\-risk@7: alert|sepsis-risk@7: alert' pkg/report.md
