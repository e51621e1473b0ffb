# SPDX-License-Identifier: Apache-2.0
# The report's wording follows the archives' verified flags: when counted
# evidence comes from an archive added with --allow-unverified, it never
# says "from verified evidence", says so plainly, marks the individuals
# named only by that evidence, and the inventory shows each archive's
# verified state from the timeline's archives table.
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
good=$(sqlite3 t.db 'select sha256sums from archives where verified=1')
export SOURCE_DATE_EPOCH=1772900000

# counted with --include-unverified: said plainly, never "verified evidence"
expect_status 0 casefile report breach --db t.db --incident "$F/made/incident.yaml" \
  --include-unverified -o pkg --format html,md,json
expect_grep 'NOT ALL OF THIS EVIDENCE WAS VERIFIED' err
jq -e '.evidence_status.state == "unverified" and .evidence_status.individuals_only_unverified == 1' \
  pkg/report.json >/dev/null || die "status: $(jq -c .evidence_status pkg/report.json)"
jq -e --arg d "$bad" '.evidence_status.unverified_archives == [$d]' pkg/report.json >/dev/null || die "archives"
jq -e '.affected.patients[] | select(.id == "p8") | .unverified_only == true' pkg/report.json >/dev/null \
  || die "p8 not marked"
grep -q 'from verified evidence' pkg/report.html && die "html claims verified evidence"
grep -q 'from verified evidence' pkg/report.md && die "md claims verified evidence"
expect_grep 'NOT ALL OF THIS EVIDENCE WAS VERIFIED' pkg/report.html
expect_grep 'NOT ALL OF THIS EVIDENCE WAS VERIFIED' pkg/report.md
expect_grep '^\| p8 \(named only by \*\*UNVERIFIED\*\* evidence\)' pkg/report.md
# inventory: each archive of the store with the flag the build recorded
jq -e --arg b "$bad" --arg g "$good" '.evidence_inventory | map({(.sha256sums): .verified_state}) | add
  == {($b): "UNVERIFIED", ($g): "verified"}' pkg/report.json >/dev/null \
  || die "inventory: $(jq -c '.evidence_inventory' pkg/report.json)"
expect_grep "^\| $bad \| bad.tar.zst \| NOT VERIFIED \| UNVERIFIED \| 1 \|" pkg/report.md

# the same scope through a file says the same
expect_status 0 casefile timeline scope --db t.db --incident "$F/made/incident.yaml" --json --include-unverified
mv out scope.json
expect_status 0 casefile report breach --scope scope.json --incident "$F/made/incident.yaml" -o pkg2 --format html
grep -q 'from verified evidence' pkg2/report.html && die "scope file: html claims verified evidence"
expect_grep 'NOT ALL OF THIS EVIDENCE WAS VERIFIED' pkg2/report.html

# without the flag nothing unverified is counted: the verified claim stands
expect_status 0 casefile report breach --db t.db --incident "$F/made/incident.yaml" -o pkg3 --format html,json
jq -e '.evidence_status.state == "verified" and ([.affected.patients[].id] | index("p8") == null)' \
  pkg3/report.json >/dev/null || die "default: $(jq -c .evidence_status pkg3/report.json)"
expect_grep 'from verified evidence' pkg3/report.html
expect_status 2 casefile report breach --scope scope.json --include-unverified --incident "$F/made/incident.yaml" -o x
true
