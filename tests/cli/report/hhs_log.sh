# `report hhs-log` across several cases: the breaches of fewer than 500
# discovered in one calendar year (of the covered entity's local calendar),
# each with its portal items, the year's due date 60 days after it ends
# (March 1, or February 29 before a leap year), breaches of 500 or more
# apart, the latest package of an incident used, and the addendum owed
# when a count changed since the log filed before.
. "$CLI_LIB"
F=$FIXTURES/reports

# inc ID DISCOVERED WINDOW_FROM [EXTRA_SED]: an incident file from the fixture.
inc() {
  local extra=(); [ -n "${4:-}" ] && extra=(-e "$4")
  sed -e "s/^id: .*/id: $1/" -e "s/^discovered: .*/discovered: \"$2\"/" \
      -e "s/^window: .*/window: {from: $3, to: \"$2\"}/" "${extra[@]}" "$F/incident.yaml" >"$1.yaml"
}
# pkg ID SCOPE DIR: the package of incident ID in DIR.
pkg() {
  mkdir -p "$(dirname "$3")"
  casefile report breach --scope "$2" --incident "$1.yaml" -o "$3" --format json \
    >/dev/null 2>&1 || die "package $1"
}
jq '.patients = [range(600) | "q-\(.)"] | .affected = 600 | .by_state = {"MA": 600}
    | del(.patient_details)' "$F/scope.json" >big.json
export SOURCE_DATE_EPOCH=1800000000
# A: 2026, 5 affected; in a case folder, the package one level down.
inc INC-A 2026-03-04T09:30:00Z 2026-03-01T00:00:00Z
pkg INC-A "$F/scope.json" case-a/package
# B: 20:00 on December 31, 2026 in Chicago (January 1, 2027 in UTC): 2026.
inc INC-B 2027-01-01T02:00:00Z 2026-12-30T00:00:00Z 's/^  type: provider.*/  type: provider\n  time_zone: America\/Chicago/'
pkg INC-B "$F/scope.json" b
# C: 2026, 600 affected: filed with the notices, not in the log.
inc INC-C 2026-06-01T12:00:00Z 2026-05-30T00:00:00Z
pkg INC-C big.json c
# D: 2027, 5 affected; E: January 1, 2027 in UTC (no time zone): 2027.
inc INC-D 2027-02-10T08:00:00Z 2027-02-01T00:00:00Z
pkg INC-D "$F/scope.json" d
inc INC-E 2027-01-01T02:00:00Z 2026-12-30T00:00:00Z
pkg INC-E "$F/scope.json" e

expect_status 0 casefile report hhs-log --year 2026 --json --cases case-a b c d e
cp out log2026.json
jq -e '.year == 2026 and .due == "2027-03-01" and .count == 2 and .addenda == 0' log2026.json >/dev/null \
  || die "2026 log: $(cat log2026.json)"
[ "$(jq -r '[.breaches[].incident] | join(",")' log2026.json)" = INC-A,INC-B ] || die "2026 breaches"
[ "$(jq -r '.breaches[1].discovered' log2026.json)" = 2026-12-31 ] || die "Chicago day"
[ "$(jq -r '[.not_in_log[] | "\(.incident):\(.affected)"] | join(",")' log2026.json)" = INC-C:600 ] \
  || die "500 or more not apart"
jq -e '.breaches[0].portal | map(select(.item == "Approximate Number of Individuals Affected by the Breach"))[0].value == "5"' \
  log2026.json >/dev/null || die "portal items"
jq -e '[.breaches[0].portal[].section] | index("Section 5 - Attestation") != null' log2026.json >/dev/null \
  || die "portal sections"

# The default year: the latest year with a breach of fewer than 500; due
# February 29, 2028 (60 days after December 31, 2027, 2028 being leap).
expect_status 0 casefile report hhs-log --json --cases case-a --cases b c d e
jq -e '.year == 2027 and .due == "2028-02-29" and .count == 2' out >/dev/null || die "2027 log: $(cat out)"
[ "$(jq -r '[.breaches[].incident] | join(",")' out)" = INC-E,INC-D ] || die "2027 breaches by discovery"

# Markdown, to stdout and to a file.
expect_status 0 casefile report hhs-log --year 2026 --cases case-a b c
expect_grep 'discovered in 2026' out
expect_grep 'by \*\*2027-03-01\*\*' out
expect_grep '^## INC-B: ' out
expect_grep '^\| Section 3 - Breach \| Discovery Start Date \| 2026-12-31 \|' out
expect_status 0 casefile report hhs-log --year 2026 --cases case-a b c -o log.md
[ "$(stat -c %a log.md)" = 600 ] || die "log.md not 0600"
expect_grep '^## INC-A: ' log.md

# An addendum: INC-A's count fell to 4 since the 2026 log, in a later
# package beside the earlier one; INC-B is no longer given.
inc INC-A 2026-03-04T09:30:00Z 2026-03-01T00:00:00Z \
  's/^notes: .*/hhs_filing: {report_type: addendum, previous_transaction: "T-2027-0042"}/'
jq '.patients = .patients[0:4] | .affected = 4' "$F/scope.json" >four.json
SOURCE_DATE_EPOCH=1800000100 pkg INC-A four.json case-a/package2
expect_status 0 casefile report hhs-log --year 2026 --previous log2026.json --json --cases case-a c
jq -e '.count == 1 and .addenda == 1 and .removed == ["INC-B"]' out >/dev/null || die "addendum log: $(cat out)"
jq -e '.breaches[0].addendum | .previous_affected == 5 and .affected == 4 and .previous_transaction == "T-2027-0042"' \
  out >/dev/null || die "addendum: $(jq .breaches[0].addendum out)"
jq -e '.breaches[0].portal | map(select(.item == "Report Type"))[0].value == "Addendum to Previous Report"' \
  out >/dev/null || die "addendum report type"

# Errors.
mkdir empty
expect_status 3 casefile report hhs-log --cases empty
expect_grep 'empty: no breach package' err
expect_status 2 casefile report hhs-log --year 26 --cases b
expect_status 2 casefile report hhs-log --year 2026
expect_status 3 casefile report hhs-log --year 2026 --cases b --previous "$F/scope.json"
expect_grep 'not an earlier log' err
exit 0
