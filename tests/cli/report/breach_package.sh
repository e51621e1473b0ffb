# The full package from the fixture scope and incident: every file, private
# permissions, the JSON model equal to the expected one, the CSV lists, the
# individual notice with each element of 45 CFR 164.404(c)(1)(A)-(E), and a
# hostile patient id escaped in the HTML.
. "$CLI_LIB"
F=$FIXTURES/reports
export SOURCE_DATE_EPOCH=1772712000
expect_status 0 casefile report breach --scope "$F/scope.json" \
  --incident "$F/incident.yaml" --verify "$F/verify.json" -o pkg --json
for f in report.html report.md report.json notice-individual.md \
         notice-media.md notice-individual-MA.md affected.csv states.csv hhs-portal.csv \
         hhs-worksheet.md; do
  [ -s "pkg/$f" ] || die "pkg/$f missing or empty"
  [ "$(stat -c %a "pkg/$f")" = 600 ] || die "pkg/$f is not mode 0600"
done
[ "$(stat -c %a pkg)" = 700 ] || die "pkg is not mode 0700"
jq -e '.affected == 5 and .individual_due == "2026-05-03" and .hhs_due == "2027-03-01" and (.files | length) == 11' out >/dev/null \
  || die "--json summary wrong: $(cat out)"
jq -S . "$F/expected-report.json" >want.json
# The State notices (the shipped rules: the MA residents) are checked in
# breach_state_notices.sh; the rest of the model is the expected one.
jq -S 'del(.state_notices) | .to_confirm |= map(select(.section != "state_notices"))' \
  pkg/report.json >got.json
diff -u want.json got.json || die "report.json differs from expected-report.json"

# CSV: header, one row per patient, per-State counts, portal fields.
expect_grep '^patient,state,has_contact,archive,member,line' pkg/affected.csv
[ "$(wc -l <pkg/affected.csv)" = 6 ] || die "affected.csv should have 5 rows"
expect_grep '^MA,2,no' pkg/states.csv
expect_grep '^Approximate number of individuals affected,5,no' pkg/hhs-portal.csv
expect_grep '^Type of breach,Hacking/IT Incident,yes' pkg/hhs-portal.csv

# 164.404(c)(1): (A) what happened, with the date of the breach and the date
# of discovery; (B) the types of PHI; (C) steps individuals should take;
# (D) what the entity is doing; (E) contact procedures with a toll-free
# number, e-mail, web site and postal address. In the letter and the HTML.
for doc in pkg/notice-individual.md pkg/report.html; do
  expect_grep 'What happened' "$doc"
  expect_grep 'Between March 2, 2026 and March 4, 2026' "$doc"
  expect_grep 'discovered this on March 4, 2026' "$doc"
  expect_grep 'What information was involved' "$doc"
  expect_grep 'demographics \(name, address, date of birth\) and laboratory results' "$doc"
  expect_grep 'What you can do' "$doc"
  expect_grep 'credit reports' "$doc"
  expect_grep 'What we are doing' "$doc"
  expect_grep 'investigating what happened' "$doc"
  # the fixture's incident file does not say the number is toll-free
  expect_grep '1-800-555-0100 \\?\[To confirm: whether this number is toll-free' "$doc"
  expect_grep 'privacy@example.org' "$doc"
  expect_grep 'https://example.org/notice' "$doc"
  expect_grep '1 Main St, Springfield' "$doc"
done
expect_grep 'about 5 individuals' pkg/notice-media.md

# Escaping: the patient id "<script>alert(1)</script>" is text everywhere.
if grep -q '<script' pkg/report.html; then die "raw <script> in report.html"; fi
expect_grep '&lt;script&gt;alert\(1\)&lt;/script&gt;' pkg/report.html
expect_grep '\\<script\\>alert\(1\)\\</script\\>' pkg/report.md
# The HTML is self-contained: no external resource, no script.
if grep -Eq '(src|href)="(https?:|//)' pkg/report.html; then die "external resource in report.html"; fi
expect_grep '<svg xmlns="http://www.w3.org/2000/svg"' pkg/report.html
expect_grep '@media print' pkg/report.html

# Only the requested formats are written.
expect_status 0 casefile report breach --scope "$F/scope.json" \
  --incident "$F/incident.yaml" -o csvonly --format csv
[ "$(ls csvonly | tr '\n' ' ')" = "accesses.csv affected.csv hhs-portal.csv states.csv " ] \
  || die "csv only wrote: $(ls csvonly)"
