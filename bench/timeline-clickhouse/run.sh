#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Benchmark of the timeline on ClickHouse against the embedded SQLite store:
# the same generated evidence (`casefile demo --generate-only --scale N`,
# collected into one signed archive) is built into a SQLite file and into a
# two-shard ClickHouse cluster on loopback (tests/clickhouse/cluster.sh), in
# one run; then `timeline query --patient` latency on both, process start
# included. Prints events, seconds, events per second, the ratio, and the
# median query latency of each backend.
#
# usage: bench/timeline-clickhouse/run.sh [SCALE]   (default 70: ~10M events)
#   RUNS=N   query runs per backend (default 10)
#   KEEP=1   keep bench/data/timeline-clickhouse afterwards
#   REUSE=DIR  take DIR/a.tar.zst, DIR/k.pub and DIR/t.db (what
#            `KEEP=1 bench/detect/run.sh` leaves) instead of generating,
#            collecting and building SQLite again (its build is then not
#            timed)
#   COMPARE=1  also copy the patients' table on each shard with the
#            default 8192 rows per granule and time the same lookup there
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
scale=${1:-70}
runs=${RUNS:-10}
data=$top/bench/data/timeline-clickhouse
bench_need hyperfine jq curl
rm -rf "$data"
mkdir -p "$data"
cleanup() {
  "$top/tests/clickhouse/cluster.sh" stop "$data/ch" || true
  [ "${KEEP:-0}" = 1 ] || rm -rf "$data"
}
trap cleanup EXIT
cd "$data"

if [ -n "${REUSE:-}" ]; then
  cp "$REUSE/a.tar.zst" "$REUSE/k.pub" .
  ln -s "$REUSE/t.db" t.db
else
  echo "== generating (scale $scale)"
  "$bin" -q demo d --generate-only --scale "$scale" >/dev/null
  "$bin" -q key generate k >/dev/null
  "$bin" -q collect -o a.tar.zst --key k.key --profile linux-ehr-ai-host --root d/host >/dev/null
  du -sh d/host a.tar.zst
fi

base=$((21000 + RANDOM % 10000))
"$top/tests/clickhouse/cluster.sh" start "$data/ch" "$base" >/dev/null
ch="clickhouse://127.0.0.1:$base/bench?cluster=casefile2&shards=127.0.0.1:$base,127.0.0.1:$((base + 10))"

secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); awk "BEGIN{print $t1 - $t0}"; }
calc() { awk "BEGIN{print $1}"; }

echo "== build"
s_sq=n/m
[ -n "${REUSE:-}" ] || s_sq=$(secs "$bin" -q timeline build --db t.db --trust k.pub a.tar.zst)
s_ch=$(secs "$bin" -q timeline build --db "$ch" --trust k.pub a.tar.zst)
n=$(sqlite3 t.db 'select count(*) from events')
n1=$(curl -s "http://127.0.0.1:$base/" --data-binary "SELECT count() FROM bench.events_local")
n2=$(curl -s "http://127.0.0.1:$((base + 10))/" --data-binary "SELECT count() FROM bench.events_local")
pn1=$(curl -s "http://127.0.0.1:$base/" --data-binary "SELECT count() FROM bench.events_by_patient_local")
pn2=$(curl -s "http://127.0.0.1:$((base + 10))/" --data-binary "SELECT count() FROM bench.events_by_patient_local")

p=$(sqlite3 t.db "select patient from events where patient is not null group by 1 order by count(*) desc limit 1")
echo "== query --patient $p"
"$bin" timeline query --db t.db --patient "$p" --format jsonl >sq.p
"$bin" timeline query --db "$ch" --patient "$p" --format jsonl >ch.p
cmp -s sq.p ch.p || { echo "answers for --patient $p differ" >&2; exit 1; }
hyperfine -N -w 2 -r "$runs" --export-json q.json \
  "$bin timeline query --db t.db --patient $p --format csv" \
  "$bin timeline query --db $ch --patient $p --format csv" >/dev/null
q_sq=$(jq '.results[0].median * 1000' q.json)
q_ch=$(jq '.results[1].median * 1000' q.json)
# the lookup alone, in the server (no process start, no client)
sql="SELECT * FROM bench.events_by_patient WHERE patient = '$p' ORDER BY ts_us, ins FORMAT Null"
for i in $(seq "$runs"); do
  curl -sS -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$base/" --data-binary "$sql"
done | sort -n | awk '{a[NR] = $1} END {printf "%.1f\n", a[int((NR + 1) / 2)] * 1000}' >srv.ms
printf '.timer on\nselect count(*) from (select * from events where patient = %s order by ts_us, id);\n' "'$p'" |
  sqlite3 t.db | awk '/Run Time/ {print $4 * 1000}' >sq.ms

# what the lookups cost in the servers (cluster.sh logs queries): rows and
# bytes read and the server's own duration, of the node asked (both shards)
for u in $base $((base + 10)); do curl -s "http://127.0.0.1:$u/" --data-binary "SYSTEM FLUSH LOGS"; done
ql() { curl -s "http://127.0.0.1:$base/" --data-binary "SELECT count(), median(query_duration_ms),
  max(read_rows), max(read_bytes) FROM system.query_log WHERE type = 2 AND is_initial_query
  AND query LIKE '%FROM bench.$1 %' AND query LIKE '%$p%' AND query NOT LIKE '%query_log%'"; }
ql events_by_patient >srv.log
parts() { curl -s "http://127.0.0.1:$1/" --data-binary "SELECT count() FROM system.parts
  WHERE database = 'bench' AND table = '$2' AND active"; }
pp="$(parts "$base" events_by_patient_local) + $(parts $((base + 10)) events_by_patient_local)"
ep="$(parts "$base" events_local) + $(parts $((base + 10)) events_local)"
if [ "${COMPARE:-0}" = 1 ]; then
  for u in $base $((base + 10)); do
    curl -sS "http://127.0.0.1:$u/" --data-binary "CREATE TABLE bench.p8192_local AS bench.events_by_patient_local
      ENGINE = MergeTree() ORDER BY (patient, ts_us, ins)"
    curl -sS "http://127.0.0.1:$u/" --data-binary "INSERT INTO bench.p8192_local SELECT * FROM bench.events_by_patient_local"
    curl -sS "http://127.0.0.1:$u/" --data-binary "OPTIMIZE TABLE bench.p8192_local FINAL"
    curl -sS "http://127.0.0.1:$u/" --data-binary "CREATE TABLE bench.p8192 AS bench.p8192_local
      ENGINE = Distributed(casefile2, bench, p8192_local, rand())"
  done
  sql8="SELECT * FROM bench.p8192 WHERE patient = '$p' ORDER BY ts_us, ins FORMAT Null"
  for i in $(seq "$runs"); do
    curl -sS -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$base/" --data-binary "$sql8"
  done | sort -n | awk '{a[NR] = $1} END {printf "%.1f\n", a[int((NR + 1) / 2)] * 1000}' >srv8.ms
  for u in $base $((base + 10)); do curl -s "http://127.0.0.1:$u/" --data-binary "SYSTEM FLUSH LOGS"; done
  ql p8192 >srv8.log
fi

printf '\nevents: %s (shard 1: %s, shard 2: %s; by patient: %s + %s)\n' "$n" "$n1" "$n2" "$pn1" "$pn2"
[ "$s_sq" = n/m ] || printf 'build   SQLite %8.1f s %10.0f ev/s\n' "$s_sq" "$(calc "$n / $s_sq")"
printf 'build   ClickHouse %4.1f s %10.0f ev/s\n' "$s_ch" "$(calc "$n / $s_ch")"
printf 'query --patient %s (%s events) median, process start included: SQLite %.1f ms, ClickHouse %.1f ms\n' \
  "$p" "$(wc -l <sq.p)" "$q_sq" "$q_ch"
printf 'the lookup alone: SQLite %s ms (sqlite3 .timer), ClickHouse %s ms (HTTP, median of %s)\n' \
  "$(cat sq.ms)" "$(cat srv.ms)" "$runs"
printf 'parts: events_local %s, events_by_patient_local %s\n' "$ep" "$pp"
printf 'in the server, the lookup from events_by_patient (queries, median ms, rows read, bytes read): %s\n' "$(cat srv.log)"
if [ "${COMPARE:-0}" = 1 ]; then
  printf 'the same lookup from a one-part copy at 8192 rows per granule: %s ms (HTTP, median of %s); in the server: %s\n' \
    "$(cat srv8.ms)" "$runs" "$(cat srv8.log)"
fi
printf 'load average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
