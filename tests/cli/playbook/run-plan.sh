# SPDX-License-Identifier: Apache-2.0
# `playbook run` does not surprise: it shows the plan (every step, and the
# command of each run step with the run's values) before anything runs;
# the collection takes the examiner and the case id from the case, never
# a role name; it never collects the machine it runs on unless told
# (--set root=/), so a run without root stops before collecting, with
# nothing written; each step's output is shown; and a collect step that
# names neither examiner nor case id is refused.
. "$CLI_LIB"
. "$CASE_DIR/case-setup.inc"
mkdir -p host/etc host/var/log/nginx
echo web01 > host/etc/hostname
printf '203.0.113.77 - - [01/Mar/2026:10:00:00 +0000] "GET /fhir/Patient/p1 HTTP/1.1" 200 12 "-" "curl"\n' \
  > host/var/log/nginx/access.log
pb=stolen-credentials-fhir-export
# no root: the plan is shown, then the run stops before collecting
expect_status 3 casefile playbook run --yes -C case --incident case/incident.yaml --non-interactive \
  --done triage --done contain --until verify-evidence $pb
expect_grep "^plan of $pb \([0-9]+ steps\), run [0-9a-f]+ in case:" err
expect_grep '^ +1\. triage +action +pending +Confirm the account takeover' err
expect_grep '^ +[0-9]+\. collect-evidence +run +pending ' err
expect_grep '^ +casefile collect -o collection-1\.tar\.zst --key /.*/keys/examiner\.key --profile linux-ehr-ai-host --root \$\{root\} --examiner Dana Examiner --case-id CASE-2026-014$' err
expect_grep "step 'collect-evidence' would collect this machine: set root to a mounted image or copied tree \(--set root=DIR\), or --set root=/" err
[ ! -e case/collection-1.tar.zst ] && [ ! -e case/collection-1.tar.zst.partial ] || die "something was collected"
grep -q 'step=collect-evidence' case/custody.jsonl && die "the refused step was logged as run"
# with root: the step's command is shown, then its output
expect_status 0 casefile playbook run --yes -C case --non-interactive --set root="$PWD/host" \
  --until verify-evidence $pb
expect_grep '^ +[0-9]+\. triage +action +done ' err
expect_grep "^collect-evidence: casefile collect -o collection-1\.tar\.zst .*--root $PWD/host --examiner Dana Examiner --case-id CASE-2026-014$" err
expect_grep '^--- collect-evidence (output|messages) ---$' err
expect_grep 'wrote collection-1\.tar\.zst' err
tar --zstd -xOf case/collection-1.tar.zst casefile/collection.json > coll.json
jq -e '.examiner == "Dana Examiner" and .case_id == "CASE-2026-014"' coll.json >/dev/null \
  || die "collection.json: $(jq -c '{examiner, case_id}' coll.json)"
# a collect step naming neither examiner nor case id is refused
cat > anon.yaml <<'Y'
id: anon-collect
title: Collect a file without naming anyone
roles: [forensic-examiner]
steps:
  - id: grab
    kind: run
    title: Collect the access log
    owner: forensic-examiner
    run: [collect, -o, anon.tar.zst, --key, "${key}", ../host/var/log/nginx/access.log]
Y
expect_status 3 casefile playbook run --yes -C case --incident case/incident.yaml --non-interactive ./anon.yaml
expect_grep "step 'grab' would collect evidence without an examiner or a case id" err
[ ! -e case/anon.tar.zst ] || die "the anonymous collection ran"
