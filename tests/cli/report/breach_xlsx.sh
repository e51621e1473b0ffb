# --format xlsx writes the affected-individuals workbook: private, complete,
# every patient as a string cell, the hostile id escaped as XML text.
. "$CLI_LIB"
F=$FIXTURES/reports
expect_status 0 casefile report breach --scope "$F/scope.json" \
  --incident "$F/incident.yaml" -o pkg --format xlsx
[ "$(ls pkg)" = affected.xlsx ] || die "wrote: $(ls pkg)"
[ "$(stat -c %a pkg/affected.xlsx)" = 600 ] || die "affected.xlsx is not mode 0600"
bsdtar -xOf pkg/affected.xlsx xl/workbook.xml >wb.xml || die "not a zip workbook"
expect_grep 'name="Affected individuals"' wb.xml
expect_grep 'name="By State"' wb.xml
expect_grep 'name="HHS portal"' wb.xml
bsdtar -xOf pkg/affected.xlsx xl/sharedStrings.xml >ss.xml
for p in p-1001 p-1002 p-1003 p-1005; do expect_grep "<t>$p</t>" ss.xml; done
expect_grep '<t>&lt;script&gt;alert\(1\)&lt;/script&gt;</t>' ss.xml
if grep -q '<script' ss.xml; then die "raw markup in the workbook"; fi
# 5 patient rows + header in the first sheet
[ "$(bsdtar -xOf pkg/affected.xlsx xl/worksheets/sheet1.xml | grep -o '<row ' | wc -l)" = 6 ] \
  || die "sheet 1 should have 6 rows"
