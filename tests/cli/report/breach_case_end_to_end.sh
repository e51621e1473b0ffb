# End to end with real evidence: a signed archive collected, added to a
# case and verified; a scope citing its digest; the package lists the
# archive as verified, the custody log as verified by the examiner's key,
# and --key records the report in the custody log, which still verifies.
. "$CLI_LIB"
F=$FIXTURES/reports
expect_status 0 casefile key generate ex
mkdir src && printf 'GET /fhir/Patient/p-1 200\n' >src/access.log
expect_status 0 casefile collect -o a.tar.zst --key ex.key --case-id CASE-1 src/access.log
expect_status 0 casefile init --case-id CASE-1 --examiner "Dana Examiner" --key ex.key case
expect_status 0 casefile add -C case --key ex.key --trust ex.pub a.tar.zst
expect_status 0 casefile verify --trust ex.pub --json a.tar.zst
cp out verify.json
digest=$(jq -r '.archives[0].sha256sums' verify.json)
[ ${#digest} = 64 ] || die "no digest in verify --json"
jq --arg d "$digest" '(.. | objects | select(has("archive")) | .archive) |= $d' \
  "$F/scope.json" >scope.json

expect_status 0 casefile report breach --scope scope.json --incident "$F/incident.yaml" \
  --verify verify.json --case case --trust ex.pub --key ex.key -o pkg --format json,html
jq -e --arg d "$digest" '.evidence_inventory | length == 1 and .[0].sha256sums == $d
  and .[0].verification == "OK" and .[0].citations == 11' pkg/report.json >/dev/null \
  || die "inventory wrong: $(jq -c .evidence_inventory pkg/report.json)"
jq -e '.custody.verification.ok == true and .custody.entries == 2' pkg/report.json >/dev/null \
  || die "custody wrong: $(jq -c .custody pkg/report.json)"
expect_grep 'Verification: <span class="ok">OK</span>' pkg/report.html

# The report is now the last custody entry, naming report.json's digest.
want=$(sha256sum pkg/report.json | cut -d' ' -f1)
tail -n1 case/custody.jsonl | jq -e --arg h "$want" '.action == "report-breach" and .subject == $h' \
  >/dev/null || die "no report-breach entry: $(tail -n1 case/custody.jsonl)"
expect_status 0 casefile verify --trust ex.pub --custody case

# The custody report of the same case, verified; then a tampered log
# gives exit 1 with the report still written.
expect_status 0 casefile report custody --case case --trust ex.pub -o custody.html
expect_grep 'report-breach' custody.html
expect_grep 'signatures: OK\.' custody.html
sed -i '2s/"add"/"del"/' case/custody.jsonl
expect_status 1 casefile report custody --case case --trust ex.pub -o custody2.html
expect_grep 'custody.jsonl failed verification at entry 2' err
expect_grep 'FAILED at entry 2' custody2.html
expect_status 1 casefile report breach --scope scope.json --incident "$F/incident.yaml" \
  --case case --trust ex.pub -o pkg2 --format json
expect_grep 'custody log failed verification at entry 2' err
