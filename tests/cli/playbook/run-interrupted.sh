# kill -9 in the middle of a run step, then resume: the command that was
# running completes once, the resumed run takes its result instead of
# running it again (a second `key generate` would fail: the key exists),
# and every step is in the custody log exactly once.
. "$CLI_LIB"
. "$CASE_DIR/case-setup.inc"
mkfifo case/passphrase   # `key generate` blocks reading it until we write
casefile playbook run --yes -C case --incident case/incident.yaml --done triage \
  --non-interactive keys.yaml >run1.out 2>run1.err &
pid=$!
state=case/playbooks/cli-keys/state.json
for i in $(seq 1 300); do
  [ -f "$state" ] && [ "$(jq -r '.steps["gen-key"].status // ""' "$state")" = started ] && break
  sleep 0.1
done
[ "$(jq -r '.steps["gen-key"].status' "$state")" = started ] || die "gen-key never started"
kill -9 $pid
wait $pid 2>/dev/null
[ -f case/playbooks/cli-keys/gen-key.result ] && die "a result exists before the command could finish"
echo 'correct horse' >case/passphrase   # the orphaned command finishes now
expect_status 0 casefile playbook run --yes -C case --done notice-individuals --done log-it \
  --non-interactive keys.yaml
expect_grep '^gen-key: taking the result of the interrupted run$' err
expect_grep '^cli-keys: finished$' out
[ -f case/keys/collector.key ] || die "no key"
grep -q 'status=failed' case/custody.jsonl && die "a step failed: the command ran twice"
grep -q 'step=gen-key visit=1 attempt=2' case/custody.jsonl && die "gen-key ran again"
for s in triage gen-key fingerprint recorded notices notice-individuals log-it sixty-days; do
  [ "$(step_count $s)" = 1 ] || die "step $s logged $(step_count $s) times"
done
[ "$(grep -c '"action":"playbook-step"' case/custody.jsonl)" = 8 ] || die "expected 8 step entries"
custody_ok
