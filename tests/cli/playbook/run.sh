# A playbook run end to end in a case: manual steps given on the command
# line, run steps executing casefile itself, a failed run step retried, a
# computed decision on saved JSON, a drafted notice, status with deadlines
# and HIPAA clocks, and one custody entry per step.
. "$CLI_LIB"
. "$CASE_DIR/case-setup.inc"
expect_status 0 casefile playbook run --yes -C case --incident case/incident.yaml --non-interactive keys.yaml
expect_grep '^cli-keys: waiting for triage$' out
expect_status 0 casefile playbook run --yes -C case --json --non-interactive keys.yaml
jq -e '.result == "waiting" and .waiting == ["triage"]' out >/dev/null || die "run --json"
# the run step fails (no passphrase file yet): the run stops there
expect_status 3 casefile playbook run --yes -C case --done triage=confirmed --non-interactive keys.yaml
expect_grep "step 'gen-key' failed \(exit 3\)" err
grep -q 'step=gen-key visit=1 attempt=1 kind=run status=failed exit=3' case/custody.jsonl ||
  die "the failed attempt is not in the custody log"
echo 'correct horse' >case/passphrase
expect_status 0 casefile playbook run --yes -C case --non-interactive keys.yaml
expect_grep '^cli-keys: waiting for notice-individuals log-it$' out
[ -f case/keys/collector.key ] || die "the run step did not generate the key"
grep -q 'step=gen-key visit=1 attempt=2 kind=run status=done exit=0' case/custody.jsonl ||
  die "the retried run step is not logged"
notice=case/playbooks/cli-keys/notices/notice-individuals.md
expect_grep '^- Due no later than: 2026-05-03 \(the end of that day, local time; late from 2026-05-04T00:00:00.000000Z\)$' "$notice"
expect_grep '^### What information was involved$' "$notice"
expect_status 0 casefile playbook status -C case --now 2026-03-05T00:00:00Z --json keys.yaml
jq -e '.steps[] | select(.id == "triage") | .status == "done-late" or .status == "done"' out >/dev/null ||
  die "triage not done in status"
jq -e '.steps[] | select(.id == "notice-individuals") | .status == "due" and .deadline == "2026-05-04T00:00:00.000000Z" and .deadline_date == "2026-05-03"' out >/dev/null ||
  die "notice-individuals not due with its deadline"
jq -e '.hipaa.individuals.due == "2026-05-04T00:00:00.000000Z" and .hipaa.individuals.due_date == "2026-05-03" and .hipaa.individuals.status == "due"' out >/dev/null ||
  die "individual-notice clock wrong"
jq -e '.steps[] | select(.id == "recorded") | .answer == true' out >/dev/null ||
  die "the computed decision did not use the saved fingerprint"
expect_status 0 casefile playbook status -C case --now 2026-06-01T00:00:00Z keys.yaml
expect_grep '^  overdue +notice-individuals' out
expect_grep '^  individuals +overdue +2026-05-03 \(late from 2026-05-04T00:00:00.000000Z\)' out
expect_status 0 casefile playbook run --yes -C case --done notice-individuals --done log-it --non-interactive keys.yaml
expect_grep '^cli-keys: finished$' out
expect_status 0 casefile playbook status -C case --json keys.yaml
jq -e '.hipaa.individuals.status == "done" and (.finished | length > 0)' out >/dev/null ||
  die "finished run not shown as done"
for s in triage fingerprint recorded notices notice-individuals log-it sixty-days gen-key; do
  [ "$(step_count $s)" = 1 ] || die "step $s logged $(step_count $s) times"
done
[ "$(grep -c '"action":"playbook-step"' case/custody.jsonl)" = 9 ] || die "expected 9 step entries (8 steps + 1 failure)"
[ "$(grep -c '"action":"playbook-start"' case/custody.jsonl)" = 1 ] || die "start not logged once"
[ "$(grep -c '"action":"playbook-end"' case/custody.jsonl)" = 1 ] || die "end not logged once"
custody_ok
# a finished run stays finished and logs nothing more
expect_status 0 casefile playbook run --yes -C case --non-interactive keys.yaml
[ "$(wc -l <case/custody.jsonl)" = 12 ] || die "a finished run wrote to the custody log"
# unknown step names are usage errors
expect_status 2 casefile playbook run --yes -C case --done no-such-step keys.yaml
expect_status 2 casefile playbook run --yes -C case --answer recorded=maybe keys.yaml
