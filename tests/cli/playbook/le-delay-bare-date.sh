# The playbook clocks read the law-enforcement delay as the breach report
# does (casefile-incident(5)): bare dates accepted, an oral statement capped
# at 30 days (164.412(b)), `until` the last day of the delay, inclusive, so
# a deadline it covers is due by the end of the day after.
. "$CLI_LIB"
. "$CASE_DIR/case-setup.inc"
cat >case/incident.yaml <<'I'
id: INC-2026-014
discovered: 2026-03-04T09:30:00Z
law_enforcement: {kind: oral, statement: 2026-04-20, agency: FBI, until: 2026-06-30}
I
expect_status 0 casefile playbook run --yes -C case --incident case/incident.yaml --non-interactive keys.yaml
expect_status 0 casefile playbook status -C case --now 2026-03-05T00:00:00Z --json keys.yaml
# last day May 20 (Apr 20 + 30): over at 00:00 May 21; notices due by the end of May 21
jq -e '.hipaa.law_enforcement_delay_until == "2026-05-21T00:00:00.000000Z" and
       .hipaa.individuals.due == "2026-05-22T00:00:00.000000Z"' out >/dev/null ||
  die "delay not honoured: $(jq -c .hipaa out)"
jq -e '.steps[] | select(.id == "notice-individuals") | .deadline == "2026-05-22T00:00:00.000000Z"' out >/dev/null ||
  die "the step deadline ignores the delay"
