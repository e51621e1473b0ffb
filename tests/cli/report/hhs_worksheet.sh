# The HHS portal worksheet (hhs-worksheet.md, report.json "hhs_worksheet")
# holds every section and item of the portal's form, in the form's order
# (tests/fixtures/hhs-portal/items.txt); what the incident file's
# hhs_filing block says is printed as chosen; an incident file without the
# block still loads and leaves those fields to confirm; the Part 2 flag
# shows in the worksheet and the report; a bad hhs_filing value fails
# naming its line.
. "$CLI_LIB"
F=$FIXTURES/reports
ITEMS=$FIXTURES/hhs-portal/items.txt
export SOURCE_DATE_EPOCH=1772712000

expect_status 0 casefile report breach --scope "$F/scope.json" \
  --incident "$F/incident-filing.yaml" -o pkg --format md,json
[ "$(stat -c %a pkg/hhs-worksheet.md)" = 600 ] || die "worksheet is not 0600"

# Every section of the portal, then every item within its section, in order.
grep -v '^#' "$ITEMS" | cut -d'|' -f1 | uniq >want-sections
jq -r '.hhs_worksheet.sections[].title' pkg/report.json | grep -vx '42 CFR Part 2 Records' >got-sections
diff -u want-sections got-sections || die "worksheet sections differ from the portal's"
grep -v '^#' "$ITEMS" | while IFS='|' read -r sec item; do
  jq -e --arg s "$sec" --arg i "$item" \
    '[.hhs_worksheet.sections[] | select(.title == $s) | .fields[].item] | index($i) != null' \
    pkg/report.json >/dev/null || die "worksheet lacks '$item' in '$sec'"
  grep -qF -- "| $item |" pkg/hhs-worksheet.md || die "hhs-worksheet.md lacks '$item'"
done || exit 1
# Items in the portal's order within each section.
grep -v '^#' "$ITEMS" | cut -d'|' -f2 >want-items
jq -r '.hhs_worksheet.sections[].fields[].item' pkg/report.json | grep -Fxf want-items >got-items
diff -u want-items got-items || die "worksheet items out of the portal's order"

v() { jq -r --arg i "$1" '[.hhs_worksheet.sections[].fields[] | select(.item == $i)][0] | '"$2" pkg/report.json; }
[ "$(v 'Report Type' .value)" = "Addendum to Previous Report" ] || die "report type"
[ "$(v 'Previous Transaction Number' .value)" = "T-2026-0412-77" ] || die "transaction number"
[ "$(v 'Contact Name' .value)" = "Dana Reyes, Privacy Officer" ] || die "contact person"
[ "$(v 'Name of Business Associate' .value)" = "Inference Hosting LLC" ] || die "business associate"
[ "$(v 'Location of Breached Information' '.selected | join(";")')" = \
  "Electronic Medical Record;Other: AI inference service or model store" ] || die "location"
[ "$(v 'Type of Breach' '.selected | join(";")')" = \
  "Hacking/IT Incident;Unauthorized Access/Disclosure" ] || die "type of breach"
[ "$(v 'Safeguards in Place Prior to Breach' '.selected | length')" = 2 ] || die "safeguards"
[ "$(v 'Safeguards in Place Prior to Breach' .confirm)" = false ] || die "safeguards from the file need no confirmation"
[ "$(v 'Actions Taken in Response to Breach' '.selected | join(";")')" = \
  "Changed password/strengthened password requirements;Sanctioned workforce members involved (including termination);Other" ] \
  || die "actions taken"
v 'Describe Other Actions Taken' .value | grep -q "rotated the inference service's keys" || die "actions narrative"
[ "$(v 'Individual Notice Provided Start Date' .value)" = 2026-03-20 ] || die "notice start"
[ "$(v 'Name of Person Attesting' .value)" = "Dana Reyes" ] || die "attestation"
[ "$(v 'Breach Affecting' .value)" = "Fewer Than 500 Individuals" ] || die "breach affecting"
[ "$(v 'Approximate Number of Individuals Affected by the Breach' .value)" = 5 ] || die "count"
# Type of PHI with its elements, from the evidence's categories.
v 'Type of Protected Health Information Involved' '.selected[]' | grep -qx 'Clinical: laboratory results' \
  || die "PHI elements: $(v 'Type of Protected Health Information Involved' .selected)"
# The narrative is drafted from the timeline: its actor, its dates, its count.
v 'Brief Description of the Breach' .value | grep -q 'Between 2026-03-02 and 2026-03-04, pract-0666' \
  || die "narrative: $(v 'Brief Description of the Breach' .value)"

# Part 2: flagged in the worksheet, in the report's HHS section and to confirm.
jq -e '.hhs_worksheet.part2.flag == true' pkg/report.json >/dev/null || die "part2 flag"
expect_grep '42 CFR Part 2:.*separate Part 2 breach report' pkg/hhs-worksheet.md
expect_grep '42 CFR Part 2:.*separate Part 2 breach report' pkg/report.md
jq -e '[.to_confirm[] | select(.field == "42 CFR Part 2")] | length == 1' pkg/report.json >/dev/null \
  || die "part2 not listed to confirm"

# The same incident without the new keys: loads, fields left to confirm.
expect_status 0 casefile report breach --scope "$F/scope.json" \
  --incident "$F/incident.yaml" -o old --format json
jq -e '.hhs_worksheet.part2.flag == false' old/report.json >/dev/null || die "part2 without key"
jq -e '[.hhs_worksheet.sections[].fields[] | select(.item == "Safeguards in Place Prior to Breach")][0] | .confirm and .value == ""' \
  old/report.json >/dev/null || die "safeguards without key"
jq -e '[.hhs_worksheet.sections[].fields[] | select(.item == "Report Type")][0].value == "Initial Breach Report"' \
  old/report.json >/dev/null || die "report type without key"

# Part 2 detected from the data: a PHI category naming SUD records.
jq '.phi_categories += [{"category": "substance use disorder treatment records", "count": 1}]' \
  "$F/scope.json" >sud.json
expect_status 0 casefile report breach --scope sud.json --incident "$F/incident.yaml" -o sud --format json
jq -e '.hhs_worksheet.part2.flag == true and (.hhs_worksheet.part2.basis | test("evidence"))' \
  sud/report.json >/dev/null || die "part2 not detected from the data"

# A word the portal does not offer fails, naming file and line.
sed 's/safeguards: \[privacy-rule, security-technical\]/safeguards: [firewall]/' \
  "$F/incident-filing.yaml" >bad.yaml
expect_status 3 casefile report breach --scope "$F/scope.json" --incident bad.yaml -o bad
grep -q "bad.yaml:23:16: hhs_filing.safeguards: 'firewall' is not one of" err || die "bad safeguard: $(cat err)"
[ ! -e bad ] || die "a package was written from a bad incident file"
sed 's/report_type: addendum/report_type: addendum\n  previous_transaction: null/; /previous_transaction: "T/d' \
  "$F/incident-filing.yaml" >bad2.yaml
casefile report breach --scope "$F/scope.json" --incident bad2.yaml -o bad2 2>err2 && die "addendum without number accepted"
grep -q "previous_transaction" err2 || die "addendum error: $(cat err2)"
exit 0
