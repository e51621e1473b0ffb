# `report breach --trust` verifies every archive of the store again, which
# reads all of its bytes (seconds at millions of events): with --progress,
# a line per archive counts what is read of it, and the package is the
# same as without it. Without --progress and with stderr not a terminal,
# no line is drawn. The archive holds a large file no parser reads (300 MB
# that compress to almost nothing) so that verifying it takes a while.
source "$CLI_LIB"
expect_status 0 casefile demo d --generate-only
mkdir -p h/var/log/ehr h/srv
cp d/host/var/log/ehr/*.ndjson h/var/log/ehr/
yes 'padding of a large collected file that no parser reads' | head -c 300M > h/srv/blob.dat
expect_status 0 casefile key generate k
expect_status 0 casefile collect -o a.tar.zst --key k.key h/var/log/ehr h/srv/blob.dat
rm -rf h
expect_status 0 casefile timeline build --db t.db --trust k.pub a.tar.zst
expect_status 0 casefile --progress report breach --db t.db --trust k.pub \
  --incident d/incident.yaml -o with
tr '\r' '\n' < err > lines
grep -Eq 'report breach: verifying: [0-9]+ items, [0-9.]+ [KM]iB' lines ||
  { cat lines >&2; die "no progress line while verifying the store's archive"; }
expect_status 0 casefile report breach --db t.db --trust k.pub \
  --incident d/incident.yaml -o without
grep -q $'\r' err && die "a progress line while stderr is not a terminal"
for f in with/*; do
  cmp -s <(grep -Ev 'Generated 20|"generated_at"' "$f") \
    <(grep -Ev 'Generated 20|"generated_at"' "without/${f##*/}") ||
    die "${f##*/} differs with --progress"
done
jq -e '.evidence_status.state == "verified"' with/report.json >/dev/null ||
  die "the archive was not verified: $(jq -c .evidence_status with/report.json)"
exit 0
