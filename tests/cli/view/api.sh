# SPDX-License-Identifier: Apache-2.0
# The JSON API of `casefile view` (man/casefile-view.1): the token is
# required on every path; each filter selects exactly the events `timeline
# query` prints for the same filter (counts checked by hand against
# tests/fixtures/view); pages are bounded; the histogram adds up; one event
# comes with its evidence pointer; findings of `timeline detect --store`;
# the security headers; and the store is not written.
. "$CLI_LIB"
. "$CASE_DIR/store.bash"
before=$(sha256sum t.db)

get() { curl -sS -o body -w '%{http_code}' "$@"; }

# no token, a wrong one, a token in the wrong place: 403 on every path
for p in / /view.js /api/events /api/event/1 /api/findings /nope; do
  [ "$(get "$BASE$p")" = 403 ] || die "$p without token: $(cat body)"
done
[ "$(get "$BASE/api/events?token=00000000000000000000000000000000")" = 403 ] || die "wrong token"
[ "$(get "$BASE/api/events?token=${TOKEN}0")" = 403 ] || die "longer token"
[ "$(get "$BASE/api/events?token=${TOKEN:0:31}")" = 403 ] || die "shorter token"
[ "$(get -X POST "$BASE/api/events?token=$TOKEN")" = 405 ] || die "POST"

# the same events as timeline query, filter by filter: URL query | CLI options | count
check() {
  local q=$1 n=$3; read -r -a opts <<<"$2"
  casefile timeline query --db t.db --format jsonl "${opts[@]}" >cli.jsonl || die "query $2"
  [ "$(get "$BASE/api/events?token=$TOKEN&limit=1000&$q")" = 200 ] || die "$q: $(cat body)"
  jq -c '.events[] | [.time, .member, .line, .message]' body >api.rows
  jq -c '[.time, .member, .line, .message]' cli.jsonl >cli.rows
  cmp -s api.rows cli.rows || { diff cli.rows api.rows >&2; die "$q differs from timeline query $2"; }
  [ "$(wc -l <api.rows)" = "$n" ] || die "$q: $(wc -l <api.rows) events, expected $n"
}
check "ip=203.0.113.77" "--ip 203.0.113.77" 7
check "host=web" "--host web" 3
check "q=ACCEPTED" "--text ACCEPTED" 5
check "q=%3Cscript%3E" "--text <script>" 1
# free text in mixed case: three characters (answered by the text index
# alone), and two (too short for it: scanned); ssh2 ends every auth.log line
check "q=SsH" "--text SsH" 8
check "q=fA" "--text fA" 3
check "actor=carol" "--actor carol" 2
check "outcome=failure&source=sshd" "--outcome failure --source sshd" 3
check "to=2026-03-03" "--to 2026-03-03" 5
check "from=2026-03-04&to=2026-03-04" "--from 2026-03-04 --to 2026-03-04" 7
check "from=2026-03-04T11:00:00Z&to=2026-03-04T11:05:00Z&ip=203.0.113.77" \
  "--from 2026-03-04T11:00:00Z --to 2026-03-04T11:05:00Z --ip 203.0.113.77" 3
check "patient=Patient/p1" "--patient p1" 2
check "ip=198.51.100.1" "--ip 198.51.100.1" 0
# a value that would break pasted SQL is only a value
check "actor=x'%20OR%20'1'='1" "--actor x'_OR_'1'='1" 0

# pages: offset and limit as timeline query's, bounded
casefile timeline query --db t.db --format jsonl --offset 3 --limit 4 | jq -c .time >cli.rows
[ "$(get "$BASE/api/events?token=$TOKEN&offset=3&limit=4")" = 200 ] || die "page"
jq -c '.events[].time' body >api.rows
cmp -s api.rows cli.rows || die "page differs"
[ "$(wc -l <api.rows)" = 4 ] || die "page size"
[ "$(get "$BASE/api/events?token=$TOKEN&limit=1001")" = 400 ] || die "limit 1001 accepted"
[ "$(get "$BASE/api/events?token=$TOKEN&limit=-1")" = 400 ] || die "limit -1 accepted"
[ "$(get "$BASE/api/events?token=$TOKEN")" = 200 ] || die "default page"
[ "$(jq .limit body)" = 100 ] || die "default limit: $(jq .limit body)"
[ "$(get "$BASE/api/events?token=$TOKEN&from=yesterday")" = 400 ] || die "bad time"
jq -e '.error | test("from")' body >/dev/null || die "error: $(cat body)"

# the histogram counts the filtered events, all of them
all=$(casefile timeline query --db t.db --format jsonl | wc -l)
[ "$(get "$BASE/api/histogram?token=$TOKEN&buckets=7")" = 200 ] || die "histogram"
[ "$(jq '.buckets | length' body)" = 7 ] || die "buckets: $(cat body)"
[ "$(jq '.buckets | add' body)" = "$all" ] || die "histogram sum: $(cat body) vs $all"
[ "$(jq .total body)" = "$all" ] || die "total"
[ "$(get "$BASE/api/histogram?token=$TOKEN&ip=203.0.113.77&buckets=2")" = 200 ] || die "histogram ip"
[ "$(jq '[.total, (.buckets | add)]' -c body)" = "[7,7]" ] || die "histogram ip: $(cat body)"
[ "$(get "$BASE/api/histogram?token=$TOKEN&buckets=100000")" = 400 ] || die "buckets unbounded"
# each bucket against sqlite3's own grouping, with and without a filter
f=$(date -u -d 2026-03-04 +%s)000000 t=$(($(date -u -d 2026-03-05 +%s) * 1000000 - 1))
for q in "buckets=9" "buckets=4&outcome=failure" "buckets=3&q=password" \
         "buckets=6&from=2026-03-04&to=2026-03-04" "buckets=5&q=password&from=2026-03-04T11:00:00Z"; do
  [ "$(get "$BASE/api/histogram?token=$TOKEN&$q")" = 200 ] || die "histogram $q"
  s=$(jq .start_us body) w=$(jq .width_us body) n=$(jq '.buckets | length' body)
  case $q in
    *outcome*) where="outcome = 'failure'" ;;
    *q=*from=*) where="instr(lower(message), 'password') > 0 and ts_us >= $(date -u -d 2026-03-04T11:00:00Z +%s)000000" ;;
    *q=*) where="instr(lower(message), 'password') > 0" ;;
    *from=*) where="ts_us between $f and $t" ;;
    *) where=1 ;;
  esac
  want=$(sqlite3 t.db "with recursive b(i) as (select 0 union all select i + 1 from b where i + 1 < $n)
    select coalesce((select count(*) from events where $where and ts_us >= $s + i * $w
    and ts_us < $s + (i + 1) * $w), 0) from b" | paste -sd, -)
  [ "$(jq -c .buckets body)" = "[$want]" ] || die "histogram $q: $(jq -c .buckets body) vs [$want]"
done

# a text most events hold (ssh: 8 of 12) is counted from the text index's
# answer as a bitmap of event ids: alone, within a time range (bounds
# inclusive), beside another filter; buckets, total and first time against
# sqlite3's own
s3=$(date -u -d 2026-03-03T10:00:00Z +%s)000000 e3=$(date -u -d 2026-03-04T00:00:00Z +%s)000000
while IFS='|' read -r q where; do
  [ "$(get "$BASE/api/histogram?token=$TOKEN&$q")" = 200 ] || die "histogram $q"
  s=$(jq .start_us body) w=$(jq .width_us body) n=$(jq '.buckets | length' body)
  want=$(sqlite3 t.db "with recursive b(i) as (select 0 union all select i + 1 from b where i + 1 < $n)
    select coalesce((select count(*) from events where $where and ts_us >= $s + i * $w
    and ts_us < $s + (i + 1) * $w), 0) from b" | paste -sd, -)
  [ "$(jq -c .buckets body)" = "[$want]" ] || die "histogram $q: $(jq -c .buckets body) vs [$want]"
  [ "$(jq .total body)" = "$(sqlite3 t.db "select count(*) from events where $where")" ] ||
    die "histogram $q: total $(jq .total body)"
  case $q in *from=*) ;; *)
    [ "$s" = "$(sqlite3 t.db "select min(ts_us) from events where $where")" ] ||
      die "histogram $q: start $s" ;;
  esac
done <<EOF
buckets=5&q=sSh|instr(lower(message), 'ssh') > 0
buckets=3&q=SSH&from=2026-03-03T10:00:00Z&to=2026-03-04T00:00:00Z|instr(lower(message), 'ssh') > 0 and ts_us between $s3 and $e3
buckets=4&q=ssh&outcome=success|instr(lower(message), 'ssh') > 0 and outcome = 'success'
buckets=2&q=Ssh&to=2026-03-03|instr(lower(message), 'ssh') > 0 and ts_us < $e3
EOF

# one event: its evidence pointer (archive, member, line) and the archive
id=$(curl -sS "$BASE/api/events?token=$TOKEN&actor=root" | jq '.events[0].id')
[ "$(get "$BASE/api/event/$id?token=$TOKEN")" = 200 ] || die "event $id"
jq -e '.event.actor == "root" and .evidence.line == 8 and
       (.evidence.member | endswith("/src/auth.log")) and
       .evidence.archive_path == "a.tar.zst" and .evidence.archive_verified == true' \
  body >/dev/null || die "evidence: $(cat body)"
sums=$(tar --zstd -xOf a.tar.zst SHA256SUMS | sha256sum | cut -c1-64)
[ "$(jq -r .evidence.archive body)" = "$sums" ] || die "archive digest"
[ "$(get "$BASE/api/event/999999?token=$TOKEN")" = 404 ] || die "no such event"
[ "$(get "$BASE/api/event/1%20OR%201?token=$TOKEN")" = 400 ] || die "bad id"

# findings of timeline detect --store, with their events
[ "$(get "$BASE/api/findings?token=$TOKEN")" = 200 ] || die "findings"
jq -e '.findings[] | select(.rule_id == "casefile-ssh-root-login") |
       .count == 1 and .events[0].line == 8' body >/dev/null || die "findings: $(cat body)"

# headers: a strict policy, no sniffing, no referrer (the token is in the URL)
curl -sS -D headers -o /dev/null "$URL"
expect_grep "^Content-Security-Policy: default-src 'none'; script-src 'self'" headers
grep -qi "unsafe-inline" headers && die "unsafe-inline allowed"
expect_grep '^X-Content-Type-Options: nosniff' headers
expect_grep '^Referrer-Policy: no-referrer' headers
curl -sS -D headers -o /dev/null "$BASE/api/events?token=$TOKEN"
expect_grep '^Content-Type: application/json' headers

# read-only: the store is as it was
[ "$(sha256sum t.db)" = "$before" ] || die "the store changed"
kill "$VIEW_PID"; wait "$VIEW_PID"
[ $? = 0 ] || die "view did not stop cleanly on SIGTERM"
