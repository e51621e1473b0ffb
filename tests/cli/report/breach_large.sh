# A breach of 2 600 individuals in two States: HHS with the notices (500 or
# more), media notice for the State with more than 500 residents only, and
# the HTML and Markdown tables capped at 2 000 rows with a pointer to the
# full list, which the CSV and JSON keep whole.
. "$CLI_LIB"
F=$FIXTURES/reports
jq -n '{patients: [range(2600) | {patient: "p\(.)", state: (if . < 2100 then "TX" else "OK" end),
  has_contact: (. % 100 != 0),
  evidence: [{archive: ("a" * 64), member: "evidence/ehr/audit.ndjson", line: (. + 1),
              time: "2026-03-02T01:00:00.000000Z", actor: "pract-0666", action: "read"}]}]}' >scope.json
expect_status 0 casefile report breach --scope scope.json --incident "$F/incident.yaml" -o pkg
jq -e '.obligations.hhs_notice.immediate and .obligations.hhs_notice.due == "2026-05-03"
  and .obligations.media_notice.states == [{"state": "TX", "count": 2100}]
  and .obligations.substitute_notice.kind == "conspicuous"
  and .obligations.substitute_notice.no_contact == 26
  and .obligations.substitute_notice.keep_until == "2026-08-01"' pkg/report.json >/dev/null \
  || die "obligations: $(jq -c .obligations pkg/report.json)"
[ "$(wc -l <pkg/affected.csv)" = 2601 ] || die "affected.csv is not whole"
expect_grep '600 more rows in affected.csv and report.json' pkg/report.html
expect_grep '600 more rows in report.json' pkg/report.html
expect_grep '^600 more rows in affected.csv and report.json' pkg/report.md
# the body shows the first 20 and points to the appendix, which is capped
[ "$(sed -n '/<div id="appendices">/,$p' pkg/report.html | grep -c '<tr><td>p[0-9]*</td><td>')" = 2000 ] || die "HTML list not capped at 2000"
[ "$(sed '/<div id="appendices">/,$d' pkg/report.html | grep -c '<tr><td>p[0-9]*</td><td>')" = 20 ] || die "the body lists more than 20"
expect_grep 'The first 20 of 2600; all of them in <a href="#all-affected">Appendix C</a> and affected.csv' pkg/report.html
expect_grep 'More than 500 residents of: TX \(2100\)' pkg/report.html
