# A shipped playbook run end to end on a synthetic host (casefile demo):
# collect, verify, add, timeline build and scope, the breach package, with
# the size decision computed from the scope's affected count, every step
# in the custody log once, and the custody log verifying afterwards.
. "$CLI_LIB"
casefile demo demo --generate-only --scenario stolen-credentials-bulk-export >demo.out 2>&1 ||
  { cat demo.out; die "demo failed"; }
affected=$(jq '.affected' demo/ground-truth.json)
mkdir -m 700 keys
casefile key generate keys/examiner >/dev/null 2>&1 || die "key generate"
casefile init --key keys/examiner.key --case-id CASE-E2E case >/dev/null 2>&1 || die "init"
pb=stolen-credentials-fhir-export
expect_status 0 casefile playbook run --yes -C case --incident demo/incident.yaml \
  --set root="$PWD/demo/host" --non-interactive --done triage --done contain \
  --answer law-enforcement=no --done risk-assessment='probability not low' \
  --answer is-breach=yes $pb
[ -f case/evidence/collection-1.tar.zst ] || die "the archive was not added to the case"
[ "$(jq '.values.scope.affected' case/playbooks/$pb/state.json)" = "$affected" ] ||
  die "the saved scope does not give the ground truth's affected count"
if [ "$affected" -ge 500 ]; then want=notify-large; else want=notify-small; fi
expect_grep "^$pb: waiting for notice-individuals" out
expect_status 0 casefile playbook status -C case --json $pb
jq -e '.steps[] | select(.id == "size") | .status == "done"' out >/dev/null ||
  die "size decision not taken"
jq -e '.hipaa.affected > 0' out >/dev/null || die "no affected count in the clocks"
# status and the package it drafted agree on the count and on the dates
jq -en --slurpfile s out --slurpfile r case/report/report.json '
  $s[0].hipaa as $h | $r[0] as $m
  | $h.affected == $m.affected.count.value
  and $h.individuals.due_date == $m.obligations.individual_notice.due
  and $h.hhs.due_date == $m.obligations.hhs_notice.due
  and (($h.media.status == "not-required") == ($m.obligations.media_notice.required | not))' >/dev/null \
  || die "status and report disagree: $(jq -c .hipaa out) vs $(jq -c '{a: .affected.count.value, o: .obligations | {i: .individual_notice.due, h: .hhs_notice.due, m: .media_notice.required}}' case/report/report.json)"
ls case/report/* >/dev/null 2>&1 || die "no notification package"
grep -q "step=size visit=1 attempt=1 kind=decision status=done answer=$([ "$affected" -ge 500 ] && echo yes || echo no)" \
  case/custody.jsonl || die "size decision not logged with its answer"
expect_status 0 casefile playbook run --yes -C case --non-interactive --done notice-individuals \
  --done notice-hhs --done notice-individuals-small --done log-for-hhs --done notice-media \
  --done notify-business-partners --done remediate --done lessons-learned $pb
expect_grep "^$pb: finished$" out
expect_status 0 casefile playbook status -C case --json $pb
jq -e --arg w "$want" '.steps[] | select(.id == $w) | .status == "done"' out >/dev/null ||
  die "the branch for $affected affected ($want) was not taken"
for s in collect-evidence verify-evidence add-evidence build-timeline scope breach-report; do
  [ "$(grep -c "step=$s visit=1 attempt=1 kind=run status=done exit=0" case/custody.jsonl)" = 1 ] ||
    die "run step $s not logged exactly once"
done
casefile verify --trust keys/examiner.pub --custody case >custody.out 2>&1 ||
  { cat custody.out; die "custody log does not verify"; }
