# SPDX-License-Identifier: Apache-2.0
# The demo's breach report, as a new user meets it, says what is true of
# its evidence and can be read and printed:
# - its header says "from verified evidence" and no archive is called
#   "NOT VERIFIED" (the demo's archive is verified); the custody summary is
#   there; report breach --db alone finds the case from the store and says
#   what timeline build verified; with a key that did not sign the
#   archive, it verifies the archive itself and never claims verification;
# - no table column is empty in every row (HTML and Markdown), and the
#   accesses show Source IP and Resource, which the counted events carry;
# - a one-page summary, a table of contents, the States sorted by count,
#   the long lists in appendices and accesses.csv / affected.csv;
# - printed to PDF by headless Chromium, the body (everything before the
#   appendices) is under 15 pages (pdfinfo counts them when poppler-utils
#   is installed, else the PDF's page objects are counted).
. "$CLI_LIB"
here=$CASE_DIR
command -v chromium >/dev/null || die "chromium is not installed (debian-packages.txt, test section)"
expect_status 0 casefile demo d
R=d/report

# ---- verification and custody ------------------------------------------------
expect_grep 'Generated [^<]* by casefile from verified evidence' $R/report.html
expect_grep 'by casefile from verified evidence' $R/report.md
! grep -q 'NOT VERIFIED' $R/report.html $R/report.md || die "a verified archive is called NOT VERIFIED"
jq -e '.evidence_inventory | length == 1 and .[0].verification == "OK"' $R/report.json >/dev/null \
  || die "inventory: $(jq -c .evidence_inventory $R/report.json)"
jq -e '.custody.entries >= 2 and .custody.verification.ok == true' $R/report.json >/dev/null \
  || die "no verified custody summary: $(jq -c '.custody | {entries, verification}' $R/report.json)"
expect_grep '<span class="ok">OK</span>' $R/report.html
# a timeline built from the case's evidence: the case is found, and the
# inventory says what timeline build verified
expect_status 0 casefile timeline build --db c.db --trust d/keys/examiner.pub d/case/evidence/*.tar.zst
expect_status 0 casefile report breach --db c.db --incident d/incident.yaml -o r2
expect_grep "custody summary is that of the case d/case" err
jq -e '.custody.entries >= 2 and (.evidence_inventory | length == 1)
  and .evidence_inventory[0].verification == "OK (at timeline build)"
  and .evidence_status.state == "verified"' r2/report.json >/dev/null \
  || die "--db alone: $(jq -c '{c: .custody.entries, i: .evidence_inventory, s: .evidence_status}' r2/report.json)"
! grep -q 'NOT VERIFIED' r2/report.html r2/report.md || die "--db alone: NOT VERIFIED"
# a key that did not sign the archive: verified here, found failing
expect_status 0 casefile key generate other
expect_status 1 casefile report breach --db c.db --incident d/incident.yaml -o r3 --trust other.pub
jq -e '.evidence_inventory[0].verification == "FAILED" and .evidence_status.state == "unverified"' \
  r3/report.json >/dev/null || die "wrong key: $(jq -c '{i: .evidence_inventory, s: .evidence_status}' r3/report.json)"
! grep -q 'from verified evidence' r3/report.html r3/report.md || die "claims verified evidence with a failed check"

# ---- every column filled -------------------------------------------------------
for f in $R/report.html $R/report.md r2/report.html; do
  awk -f "$here/empty-columns.awk" "$f" > empty
  [ ! -s empty ] || { cat empty >&2; die "columns empty in every row"; }
done
# the counted accesses carry a source address and a resource...
[ "$(sqlite3 d/timeline.db "select count(*) from events where source = 'fhir-auditevent'
  and actor = 'pract-0011' and src_ip is not null and resource is not null")" -gt 0 ] || die "fixture"
# ...so the report's table of accesses shows them
expect_grep '<th>Time \(UTC\)</th><th>Actor</th><th>Source IP</th><th>Action</th><th>Patient</th><th>Resource</th><th>Evidence</th>' $R/report.html
expect_grep '^\| Time \(UTC\) \| Actor \| Source IP \| Action \| Patient \| Resource \| Evidence \|' $R/report.md
jq -e '[.timeline.accesses[] | select(.src_ip != null and .resource != null)] | length > 0' $R/report.json >/dev/null \
  || die "accesses without source address or resource"

# ---- layout ---------------------------------------------------------------------
expect_grep '<nav class="toc">' $R/report.html
expect_grep '<a href="#all-affected">Appendix C\. Affected individuals, in full</a>' $R/report.html
expect_grep '^## Contents' $R/report.md
expect_grep '<h3>Duties and dates</h3>' $R/report.html
expect_grep '<h3>What to confirm</h3>' $R/report.html
# States by count, most first; "unknown" (no State in the evidence) last
jq -e '.affected.by_state | [.[] | select(.state != "unknown") | .count] as $c
  | $c == ($c | sort | reverse) and (map(.state) | index("unknown")) == length - 1' $R/report.json >/dev/null \
  || die "States not sorted by count: $(jq -c '[.affected.by_state[] | [.state, .count]]' $R/report.json)"
expect_grep '^state,count,media_notice.?$' $R/states.csv
[ "$(sed -n 2p $R/states.csv | cut -d, -f1)" = "$(jq -r '.affected.by_state[0].state' $R/report.json)" ] || die "states.csv order"
[ "$(sed 1d $R/accesses.csv | wc -l)" = "$(jq '.timeline.accesses | length' $R/report.json)" ] || die "accesses.csv is not whole"
[ "$(sed 1d $R/affected.csv | wc -l)" = 500 ] || die "affected.csv is not whole"
sed '/<div id="appendices">/,$d' $R/report.html > body.html
echo '</body></html>' >> body.html
[ "$(grep -c '<tr><td>pat-' body.html)" -le 20 ] || die "the body lists every individual"

# ---- printed ----------------------------------------------------------------------
pages() { # HTML PDF: prints the page count of HTML printed to PDF
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$PWD/prof-$2" --no-pdf-header-footer --print-to-pdf="$PWD/$2" \
    "file://$PWD/$1" >/dev/null 2>&1 || die "chromium --print-to-pdf $1 failed"
  if command -v pdfinfo >/dev/null; then
    pdfinfo "$2" | awk '/^Pages:/ {print $2}'
  else
    grep -ao '/Type /Page\b' "$2" | wc -l
  fi
}
body=$(pages body.html body.pdf)
echo "the body prints to $body pages" >&2
[ "$body" -ge 3 ] || die "the body printed to $body page(s): not a report"
[ "$body" -lt 15 ] || die "the body prints to $body pages (15 or more)"
