# `report mailing` reads each record back by its line in a member that
# holds thousands of records: the same list as from the fixture of
# tests/cli/report/mailing.sh, with every record moved down 150 lines
# (other patients' records before it), so that each is found past the
# marks the reader keeps every 64 lines rather than by counting from the
# top. Rows must be the same but for the archive and the line, and each
# line must be the fixture's plus 150.
source "$CLI_LIB"
F=$FIXTURES/mailing
mailing_store
mkdir -p case/out && : >case/case.json
expect_status 0 casefile report mailing --db t.db --incident "$F/incident.yaml" \
  -o case/out/short.csv

# The same records after 150 others, in both the Patient file and the roster
# (whose header stays line 1).
P=root/var/log/ehr/patients.ndjson R=root/var/lib/ehr/roster.csv
for i in $(seq 1 150); do
  printf '{"resourceType":"Patient","id":"other-%d","name":[{"text":"Other %d"}]}\n' "$i" "$i"
done >pad.ndjson
cat pad.ndjson "$P" >p2 && mv p2 "$P"
{ head -1 "$R"; for i in $(seq 1 150); do echo "o$i,Other $i,O-$i,ny,,,no"; done
  tail -n +2 "$R"; } >r2 && mv r2 "$R"
rm -f t.db a.tar.zst
bash "$FIXTURES/timeline/make-archive.sh" a.tar.zst k.pem root \
  var/log/ehr/audit.ndjson:access-log var/log/ehr/patients.ndjson:database \
  var/lib/ehr/roster.csv:database || die make-archive
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
  expect_status 0 casefile timeline build --db t.db --trust k.pub a.tar.zst
expect_status 0 casefile report mailing --db t.db --incident "$F/incident.yaml" \
  -o case/out/long.csv

rows() { grep -v '^#' "$1" | tail -n +2 | sort; }
# all but the last three fields (archive, member, line)
body() { rows "$1" | rev | cut -d, -f4- | rev; }
diff -u <(body case/out/short.csv) <(body case/out/long.csv) || die "other rows"
[ "$(rows case/out/long.csv | wc -l)" = 7 ] || die "rows: $(cat case/out/long.csv)"
paste -d' ' <(rows case/out/short.csv | rev | cut -d, -f1 | rev) \
  <(rows case/out/long.csv | rev | cut -d, -f1 | rev) | while read -r a b; do
  if [ -z "$a" ]; then [ -z "$b" ] || die "a line where there was none: $b"
  else [ "$b" = $((a + 150)) ] || die "line $b, not $a + 150"; fi
done
n=$(rows case/out/long.csv | rev | cut -d, -f1 | rev | awk '$1 > 150' | wc -l)
[ "$n" -ge 5 ] || die "only $n records read past line 150"
exit 0
