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
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=${CASEFILE:-$top/build/casefile}
scale=${1:-70}
runs=${RUNS:-10}
data=$top/bench/data/timeline-clickhouse
[ -x "$bin" ] || { echo "build casefile first (Release): $bin" >&2; exit 2; }
for t in hyperfine jq curl; do
  command -v "$t" >/dev/null || { echo "missing $t" >&2; exit 2; }
done
rm -rf "$data"
mkdir -p "$data"
cleanup() {
  "$top/tests/clickhouse/cluster.sh" stop "$data/ch" || true
  [ "${KEEP:-0}" = 1 ] || rm -rf "$data"
}
trap cleanup EXIT
cd "$data"

echo "== generating (scale $scale)"
"$bin" -q demo d --generate-only --scale "$scale" >/dev/null
"$bin" -q key generate k >/dev/null
"$bin" -q collect -o a.tar.zst --key k.key --profile linux-ehr-ai-host --root d/host >/dev/null
du -sh d/host a.tar.zst

base=$((21000 + RANDOM % 10000))
"$top/tests/clickhouse/cluster.sh" start "$data/ch" "$base" >/dev/null
ch="clickhouse://127.0.0.1:$base/bench?cluster=casefile2&shards=127.0.0.1:$base,127.0.0.1:$((base + 10))"

secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); awk "BEGIN{print $t1 - $t0}"; }
calc() { awk "BEGIN{print $1}"; }

echo "== build"
s_sq=$(secs "$bin" -q timeline build --db t.db --trust k.pub a.tar.zst)
s_ch=$(secs "$bin" -q timeline build --db "$ch" --trust k.pub a.tar.zst)
n=$("$bin" timeline query --db t.db --format jsonl | wc -l)
n1=$(curl -s "http://127.0.0.1:$base/" --data-binary "SELECT count() FROM bench.events_local")
n2=$(curl -s "http://127.0.0.1:$((base + 10))/" --data-binary "SELECT count() FROM bench.events_local")

p=$("$bin" timeline query --db t.db --format jsonl | jq -r 'select(.patient != null) | .patient' | sort | uniq -c | sort -n | tail -1 | awk '{print $2}')
echo "== query --patient $p"
hyperfine -N -w 2 -r "$runs" --export-json q.json \
  "$bin timeline query --db t.db --patient $p --format csv" \
  "$bin timeline query --db $ch --patient $p --format csv" >/dev/null
q_sq=$(jq '.results[0].median * 1000' q.json)
q_ch=$(jq '.results[1].median * 1000' q.json)

printf '\nevents: %s (shard 1: %s, shard 2: %s)\n' "$n" "$n1" "$n2"
printf 'build   SQLite %8.1f s %10.0f ev/s\n' "$s_sq" "$(calc "$n / $s_sq")"
printf 'build   ClickHouse %4.1f s %10.0f ev/s  (ClickHouse/SQLite time: %.2f)\n' \
  "$s_ch" "$(calc "$n / $s_ch")" "$(calc "$s_ch / $s_sq")"
printf 'query --patient median: SQLite %.1f ms, ClickHouse %.1f ms\n' "$q_sq" "$q_ch"
