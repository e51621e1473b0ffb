# SPDX-License-Identifier: Apache-2.0
# CSV injection: an actor, a patient id or an incident field that starts
# like a spreadsheet formula (= + - @ TAB CR, also after leading spaces)
# comes out of every CSV casefile writes neutralised as OWASP recommends:
# quoted, with a single quote in front. The events come from a small FHIR
# AuditEvent log collected into an archive like any other evidence.
# Plain numbers (line, offset) and l2tcsv's "-" placeholder stay as they are.
source "$CLI_LIB"
mkdir -p root/var/log/ehr
cat >root/var/log/ehr/audit.ndjson <<'NDJSON'
{"resourceType":"AuditEvent","recorded":"2026-03-02T10:00:00Z","type":{"code":"rest"},"subtype":[{"code":"read"}],"action":"R","outcome":"0","agent":[{"requestor":true,"who":{"identifier":{"value":"=HYPERLINK(\"http://evil.example/\",\"open\")"}},"network":{"address":"198.51.100.9"}}],"entity":[{"what":{"reference":"Patient/@SUM(1+1)"}}]}
{"resourceType":"AuditEvent","recorded":"2026-03-02T10:00:01Z","type":{"code":"rest"},"subtype":[{"code":"read"}],"action":"R","outcome":"0","agent":[{"requestor":true,"who":{"identifier":{"value":"  +1+1"}},"network":{"address":"198.51.100.9"}}],"entity":[{"what":{"reference":"Patient/\t-1+1"}}]}
NDJSON
expect_status 0 casefile key generate k
expect_status 0 casefile collect -o c.tar.zst --key k.key --root root /var/log
expect_status 0 casefile timeline build --db c.db --trust k.pub c.tar.zst
Q='"'"'"'=HYPERLINK(""http://evil.example/"",""open"")"'

# timeline query --format csv: actor column (5th), patient column (9th)
expect_status 0 casefile timeline query --db c.db --source fhir-auditevent --format csv
grep -qF ",$Q," out || die "csv: actor not neutralised: $(cat out)"
grep -qF ",\"'  +1+1\"," out || die "csv: actor after spaces not neutralised: $(cat out)"
grep -qF ",\"'@SUM(1+1)\"," out || die "csv: patient not neutralised: $(cat out)"
grep -qF "$(printf ',"'"'"'\t-1+1",')" out || die "csv: patient after TAB not neutralised: $(cat out)"
grep -qE ',=|,\+|,@|,  \+' out && die "csv: a bare formula cell: $(cat out)"
# provenance numbers are untouched: ...,member,line,offset
grep -qE ',evidence/paths/var/log/ehr/audit\.ndjson,1,0$' out || die "csv: line/offset: $(cat out)"

# l2tcsv: the user column (8th); "-" (no host) stays a bare "-"
expect_status 0 casefile timeline query --db c.db --source fhir-auditevent --format l2tcsv
grep -qF ",$Q,-," out || die "l2tcsv: user not neutralised: $(cat out)"
grep -qF ",\"'  +1+1\",-," out || die "l2tcsv: user after spaces not neutralised: $(cat out)"

# the breach report's CSVs: affected.csv (patient ids from the events) and
# hhs-portal.csv (the covered entity's name, from the incident file)
cat >inc.yaml <<'YAML'
id: INC-CSV
title: formulas in evidence
covered_entity:
  name: "  =HYPERLINK(\"http://evil.example/\",\"open\")"
  type: provider
  contact: {phone: "1-800-555-0100", email: privacy@example.org, web: "https://example.org", postal: "1 Main St"}
discovered: 2026-03-04T09:30:00Z
window: {from: 2026-03-01T00:00:00Z, to: 2026-03-04T09:30:00Z}
suspects:
  actors: ["=HYPERLINK(\"http://evil.example/\",\"open\")", "  +1+1"]
  ips: []
  credentials: []
  models: []
YAML
expect_status 0 casefile report breach --db c.db --incident inc.yaml -o pkg --format csv
grep -qF "\"'@SUM(1+1)\",unknown," pkg/affected.csv || die "affected.csv: $(cat pkg/affected.csv)"
grep -qF "$(printf '"'"'"'\t-1+1",unknown,')" pkg/affected.csv || die "affected.csv TAB: $(cat pkg/affected.csv)"
grep -qF "Covered entity name,\"'  =HYPERLINK(" pkg/hhs-portal.csv || die "hhs-portal.csv: $(cat pkg/hhs-portal.csv)"
grep -qE '(^|,)( *)[=+@-]|(^|,)	' pkg/affected.csv pkg/hhs-portal.csv pkg/states.csv &&
  die "a bare formula cell in the report CSVs: $(cat pkg/*.csv)"
exit 0
