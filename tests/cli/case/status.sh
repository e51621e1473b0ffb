# SPDX-License-Identifier: Apache-2.0
# `casefile status` summarises a case: the archives added and whether they
# still match the custody log, the log's head (the SHA-256 of its last
# line) and verification, the timeline of the case, the reports written,
# the playbook runs and their open deadlines. A replaced evidence file is
# named and exits 1; without --trust nothing is claimed verified.
. "$CLI_LIB"
. "$FIXTURES/../cli/playbook/case-setup.inc"
mkdir -p host/var/log
printf 'Mar  1 10:00:00 web01 sshd[1]: Accepted password for alice from 203.0.113.5 port 22 ssh2\n' \
  > host/var/log/auth.log
expect_status 0 casefile collect -o a1.tar.zst --key keys/examiner.key host/var/log/auth.log
expect_status 0 casefile add -C case --key keys/examiner.key a1.tar.zst
digest=$(jq -r 'select(.action == "add") | .subject' case/custody.jsonl)
expect_status 0 casefile timeline build --db case/timeline.db --trust keys/examiner.pub case/evidence/a1.tar.zst
expect_status 0 casefile playbook run --yes -C case --incident case/incident.yaml --non-interactive \
  "$FIXTURES/playbooks/keys.yaml"

expect_status 0 casefile status -C case --trust keys/examiner.pub --now 2026-03-05T00:00:00Z --json
mv out s.json
head=$(tail -n 1 case/custody.jsonl | tr -d '\n' | sha256sum | cut -c1-64)
jq -e --arg d "$digest" --arg h "$head" '
  .case.id == "CASE-2026-014" and .case.examiner == "Dana Examiner"
  and .custody.verified == true and .custody.head == $h
  and .custody.entries == (.custody.last_seq)
  and (.archives | length == 1) and .archives[0].file == "a1.tar.zst"
  and .archives[0].sha256sums == $d and .archives[0].state == "intact"
  and .timeline.events >= 1 and .timeline.archives == 1 and .timeline.verified_archives == 1
  and (.playbook_runs | length == 1) and .playbook_runs[0].playbook == "cli-keys"
  and .playbook_runs[0].finished == false and .playbook_runs[0].current == "triage"' s.json >/dev/null \
  || die "status: $(cat s.json)"
# the open deadlines are the run's, as playbook status reports them
expect_status 0 casefile playbook status -C case --now 2026-03-05T00:00:00Z --json "$FIXTURES/playbooks/keys.yaml"
jq -c '[.steps[] | select(.status != "done" and .deadline != null) | {step: .id, due: .deadline, status}]' out > want
jq -c '[.open_deadlines[] | {step, due, status}]' s.json > got
[ "$(cat want)" != "[]" ] || die "the fixture has no open deadline"
cmp -s want got || die "open deadlines differ from playbook status: $(cat got) vs $(cat want)"
# text form
expect_status 0 casefile status -C case --trust keys/examiner.pub --now 2026-03-05T00:00:00Z
expect_grep "^case CASE-2026-014 \(case\), examiner Dana Examiner$" out
expect_grep "^custody: [0-9]+ entries, head ${head:0:16}, .*; verified$" out
expect_grep "^  a1\.tar\.zst +${digest:0:16}  added .*  intact$" out
expect_grep '^timeline: case/timeline\.db: [0-9]+ events, 0 rejects, 1 archives \(1 verified\)$' out
expect_grep '^  cli-keys +[0-9]+/[0-9]+ steps done, at triage$' out
# without keys: shown, not verified
expect_status 0 casefile status -C case --json
jq -e '.custody.verified == null and .archives[0].state == "present"' out >/dev/null || die "without --trust: $(cat out)"
# a replaced evidence file is found and is an evidence failure
chmod u+w case/evidence/a1.tar.zst case/evidence
cp a1.tar.zst a1.bak && printf 'x' >> case/evidence/a1.tar.zst
expect_status 1 casefile status -C case --trust keys/examiner.pub --json
jq -e '.custody.verified == false and .archives[0].state == "replaced"' out >/dev/null || die "replaced: $(cat out)"
# usage
expect_status 2 casefile status -C case extra
expect_status 2 casefile status --now yesterday -C case
