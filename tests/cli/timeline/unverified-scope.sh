# SPDX-License-Identifier: Apache-2.0
# Events of an archive added with --allow-unverified never count in the
# scope unless --include-unverified is given; then they are listed apart
# (unverified_patients, rows marked "unverified") and the JSON names the
# unverified archive. Here p8 is named only by the unverified archive.
source "$CLI_LIB"
F=$FIXTURES/timeline
cp -r "$F/made/root" root
touch -d 2026-03-03T00:00:00.5Z root/var/log/ehr/audit.ndjson root/var/log/nginx/access.log.1.gz
openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null
openssl pkey -in k.pem -pubout -out k.pub
openssl genpkey -algorithm ed25519 -out other.pem 2>/dev/null
bash "$F/make-archive.sh" good.tar.zst k.pem root var/log/ehr/audit.ndjson:access-log || die make-archive
bash "$F/make-archive.sh" bad.tar.zst other.pem root var/log/nginx/access.log.1.gz:access-log || die make-archive
expect_status 0 casefile timeline build --db t.db --trust k.pub --allow-unverified good.tar.zst bad.tar.zst
bad=$(sqlite3 t.db 'select sha256sums from archives where verified=0')
[ -n "$bad" ] || die "no unverified archive recorded"

# default: p8 is not counted, nor listed; the JSON says what was left out
expect_status 0 casefile timeline scope --db t.db --incident "$F/made/incident.yaml" --json
jq -e '.patients | index("p8") == null' out >/dev/null || die "unverified patient counted: $(jq -c .patients out)"
jq -e '.affected == (.patients | length) and .include_unverified == false' out >/dev/null || die affected
jq -e '.unverified_excluded == 1 and .unverified_affected == 0 and .unverified_patients == []' out >/dev/null \
  || die "exclusion not reported: $(jq -c '{unverified_excluded,unverified_affected}' out)"
jq -e --arg d "$bad" '.unverified_archives == [{"sha256sums":$d,"path":"bad.tar.zst"}]' out >/dev/null \
  || die "unverified archives: $(jq -c .unverified_archives out)"
jq -e '[.. | objects | select(.unverified == true)] == []' out >/dev/null || die "unverified rows listed"
n=$(jq .affected out)
expect_status 0 casefile timeline scope --db t.db --incident "$F/made/incident.yaml"
expect_grep "^incident INC-2026-014: $n affected" out
expect_grep 'not counted: 1 access\(es\) from UNVERIFIED archives' out
expect_grep "^UNVERIFIED archive $bad bad.tar.zst" out
grep -q '^  p8$' out && die "p8 printed as a patient"

# --include-unverified: counted, and listed apart
expect_status 0 casefile timeline scope --db t.db --incident "$F/made/incident.yaml" --json --include-unverified
jq -e --argjson n "$n" '.affected == $n + 1 and .include_unverified == true' out >/dev/null || die "include: affected"
jq -e '.unverified_patients == ["p8"] and .unverified_affected == 1 and .unverified_excluded == 0' out >/dev/null \
  || die "not listed apart: $(jq -c .unverified_patients out)"
jq -e --arg d "$bad" '.evidence.p8 | length == 1 and .[0].unverified == true and .[0].archive == $d' out >/dev/null \
  || die "row not marked: $(jq -c .evidence.p8 out)"
expect_status 0 casefile timeline scope --db t.db --incident "$F/made/incident.yaml" --include-unverified
expect_grep 'of which 1 named only by UNVERIFIED evidence' out
sed -n '/^patients named only by UNVERIFIED evidence:/,$p' out | grep -q '^  p8$' || die "p8 not listed apart"
sed -n '/^patients:/,/^patients named only/p' out | grep -q '^  p8$' && die "p8 listed with verified patients"

# the flag belongs to scope
expect_status 2 casefile timeline query --db t.db --include-unverified
true
