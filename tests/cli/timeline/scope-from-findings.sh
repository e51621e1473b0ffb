# SPDX-License-Identifier: Apache-2.0
# `timeline scope --from-findings` and `report breach --from-findings`:
# the suspects of an incident extended by those of a stored finding. loghub's
# real OpenSSH sample gives one "Accepted password" login; a made FHIR audit
# log (tests/fixtures/timeline/findings/SOURCE.md) holds reads by that
# account, from that address, and by others. Expected suspects are read off
# the sshd line with sed, expected patients off the audit log with jq.
source "$CLI_LIB"
F=$FIXTURES/timeline
mkdir -p root/var/log/ehr root/var/lib/inference
cp "$F/loghub/OpenSSH_2k.log" root/var/log/auth.log
cp "$F/made/root/var/lib/inference/decisions.jsonl" root/var/lib/inference/
cp "$F/findings/audit.ndjson" root/var/log/ehr/audit.ndjson
# the sample has no year: its mtime's (2026-01) makes the Dec lines 2025's
touch -d 2026-01-05T00:00:00Z root/var/log/auth.log
expect_status 0 casefile key generate k
expect_status 0 casefile collect -o a.tar.zst --key k.key --root root /var/log /var/lib/inference
expect_status 0 casefile timeline build --db t.db --trust k.pub a.tar.zst
cat > sshd.yml <<'YML'
title: sshd accepted password
id: t-sshd-accepted
logsource:
    product: linux
    service: sshd
detection:
    selection:
        message|startswith: 'Accepted password for'
    condition: selection
level: high
---
title: sshd root login refused
id: t-sshd-nothing
logsource:
    product: linux
    service: sshd
detection:
    keywords:
        - 'no such text in the sample'
    condition: keywords
level: low
---
title: high model score
id: t-model-high
logsource:
    product: casefile
    service: models
detection:
    selection:
        score|gte: 0.9
    condition: selection
level: medium
YML
INC=$F/findings/incident.yaml

# before any finding is stored: refused, naming the rule
expect_status 3 casefile timeline scope --db t.db --incident "$INC" --from-findings t-sshd-accepted
expect_grep "no finding of rule 't-sshd-accepted'" err
expect_status 0 casefile timeline detect --db t.db --store --rules sshd.yml
# a rule that ran and found nothing names no suspect: refused too
expect_status 3 casefile timeline scope --db t.db --incident "$INC" --from-findings t-sshd-nothing
expect_grep "no finding of rule 't-sshd-nothing'" err
expect_status 2 casefile timeline query --db t.db --from-findings t-sshd-accepted
expect_status 2 casefile report breach --scope x.json --incident "$INC" -o p --from-findings t-sshd-accepted

# hand counts
line=$(grep -n 'sshd\[[0-9]*\]: Accepted password for' root/var/log/auth.log)
[ "$(printf '%s\n' "$line" | wc -l)" = 1 ] || die "one accepted login expected"
lno=${line%%:*}
user=$(printf '%s\n' "$line" | sed 's/.*Accepted password for \([^ ]*\) from .*/\1/')
ip=$(printf '%s\n' "$line" | sed 's/.* from \([0-9.]*\) port .*/\1/')
A=$F/findings/audit.ndjson
# successful reads (outcome 0) in the window by a suspect: dr-2 (the file's),
# plus the finding's account and address
pats() { jq -r --arg u "$1" --arg ip "$2" 'select(.outcome == "0" and
  (.agent[0].who.identifier.value == "dr-2" or .agent[0].who.identifier.value == $u
   or .agent[0].network.address == $ip)) | .entity[0].what.reference | sub("Patient/"; "")' "$A" | sort -u; }
base=$(pats '' '' | jq -R . | jq -sc .)
want=$(pats "$user" "$ip" | jq -R . | jq -sc .)
failed=$(jq -r --arg u "$user" --arg ip "$ip" 'select(.outcome != "0" and
  (.agent[0].who.identifier.value == $u or .agent[0].network.address == $ip))' "$A" | jq -s length)

expect_status 0 casefile timeline scope --db t.db --incident "$INC" --json
jq -e --argjson p "$base" '.patients == $p and .affected == ($p | length)
  and (has("suspects_from_findings") | not)' out >/dev/null || die "without: $(jq -c .patients out)"
expect_status 0 casefile timeline scope --db t.db --incident "$INC" --json --from-findings t-sshd-accepted
cp out s.json
jq -e --argjson p "$want" '.patients == $p and .affected == ($p | length)' s.json >/dev/null \
  || die "with the finding: $(jq -c .patients s.json), want $want"
[ "$(jq .failed_count s.json)" = "$failed" ] || die "failed: $(jq .failed_count s.json), want $failed"
jq -e --arg u "$user" --arg ip "$ip" --argjson l "$lno" '.suspects_from_findings | length == 1 and
  (.[0] | .rule_id == "t-sshd-accepted" and .level == "high" and .count == 1 and
   .actors == [$u] and .ips == [$ip] and .models == [] and
   (.events | length == 1 and .[0].line == $l and (.[0].member | endswith("/var/log/auth.log"))
    and (.[0].archive | test("^[0-9a-f]{64}$"))))' s.json >/dev/null \
  || die "provenance: $(jq -c .suspects_from_findings s.json)"
expect_status 0 casefile timeline scope --db t.db --incident "$INC" --from-findings t-sshd-accepted
expect_grep "^incident INC-2025-031: $(jq -n --argjson p "$want" '$p | length') affected" out
expect_grep "^suspects from finding t-sshd-accepted \(sshd accepted password, high, 1 event\(s\)\): actor $user ip $ip$" out
expect_grep "auth.log:$lno$" out

# the breach report: the same count, and the section with the evidence
expect_status 0 casefile report breach --db t.db --incident "$INC" --from-findings t-sshd-accepted \
  -o pkg --format json,md,html
jq -e --argjson p "$want" '.affected.count.value == ($p | length)' pkg/report.json >/dev/null \
  || die "report count: $(jq -c .affected.count pkg/report.json)"
jq -e --arg u "$user" --arg ip "$ip" --argjson l "$lno" '.findings.used and (.findings.rows |
  length == 1 and .[0].rule_id == "t-sshd-accepted" and .[0].named == "actor \($u), ip \($ip)"
  and .[0].events[0].line == $l)' pkg/report.json >/dev/null || die "report: $(jq -c .findings pkg/report.json)"
expect_grep 'Findings that named the suspects' pkg/report.md
expect_grep "t-sshd-accepted.*sshd accepted password \(level high, 1 event\(s\)\): actor $user, ip $ip" pkg/report.md
expect_grep "/var/log/auth.log:$lno " pkg/report.md
expect_grep "<td>t-sshd-accepted</td><td>sshd accepted password</td><td>high</td><td>1</td>" pkg/report.html
# a model rule: its events' model@version become suspect model versions
D=root/var/lib/inference/decisions.jsonl
cat > inc2.yaml <<'YML'
id: INC-2026-032
title: Decisions of a model version
covered_entity: {name: Example Health, type: provider}
discovered: 2026-03-04T09:30:00Z
window: {from: 2026-03-01T00:00:00Z, to: 2026-03-04T09:30:00Z}
suspects:
  actors: [nobody]
YML
mv=$(jq -r 'select(.score >= 0.9) | "\(.model)@\(.model_version)"' $D | sort -u | jq -R . | jq -sc .)
users=$(jq -r 'select(.score >= 0.9) | .user' $D | sort -u | jq -R . | jq -sc .)
ndec=$(jq -s --argjson mv "$mv" '[.[] | select((.time >= "2026-03-01") and
  ("\(.model)@\(.model_version)" as $k | $mv | index($k) != null))] | length' $D)
[ "$mv" = '["sepsis-risk@7"]' ] || die "fixture: $mv"
expect_status 0 casefile timeline scope --db t.db --incident inc2.yaml --json
[ "$(jq '.model_decisions | length' out)" = 0 ] || die "decisions without the finding"
expect_status 0 casefile timeline scope --db t.db --incident inc2.yaml --json --from-findings t-model-high
jq -e --argjson mv "$mv" --argjson u "$users" --argjson n "$ndec" '(.model_decisions | length) == $n and
  .suspects_from_findings[0].models == $mv and .suspects_from_findings[0].actors == $u' out >/dev/null \
  || die "model: $(jq -c '[.model_decisions, .suspects_from_findings]' out)"

# without --from-findings the section says none was used
expect_status 0 casefile report breach --db t.db --incident "$INC" -o pkg2 --format json,md
jq -e '.findings.used == false and .affected.count.value == '"$(jq -n --argjson p "$base" '$p | length')" pkg2/report.json >/dev/null \
  || die "report without: $(jq -c '[.findings, .affected.count]' pkg2/report.json)"
expect_grep 'No finding was used to name suspects' pkg2/report.md
