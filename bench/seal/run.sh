#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Sealing and verifying a 10-million-line log, against `sha256sum LOG` as
# the baseline for reading the same bytes once. Target: >= 3 million lines
# a second for seal and for verify --log. See bench/README.md.
#   LINES=N  lines to generate (default 10000000)   KEEP=1  keep the data
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${CASEFILE:-$root/build/casefile}
data=$root/bench/data/seal
lines=${LINES:-10000000}
mkdir -p "$data"
cleanup() { [ "${KEEP:-0}" = 1 ] || rm -rf "$data"; }
trap cleanup EXIT

log=$data/audit.log
if [ ! -f "$log" ] || [ "$(wc -l <"$log")" != "$lines" ]; then
  # Deterministic lines of 80-140 bytes, like an application's audit log.
  awk -v n="$lines" 'BEGIN { for (i = 1; i <= n; i++)
    printf "2026-03-01T%02d:%02d:%02d.%06dZ ehr01 fhir[%d]: user=pract-%04d action=read resource=Patient/p-%07d outcome=%s%s\n",
      (i / 3600) % 24, (i / 60) % 60, i % 60, i % 1000000, 1000 + i % 7, i % 997,
      (i * 7919) % 10000000, (i % 13 ? "success" : "denied"),
      substr("                              ", 1, i % 31) }' >"$log"
fi
"$bin" key generate "$data/k" --force >/dev/null 2>&1
bytes=$(stat -c %s "$log")
echo "log: $lines lines, $bytes bytes; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"

# One --prepare per command: only the seal starts from no seal file; verify
# checks the seal that the last seal run left.
hyperfine --warmup 1 --runs ${RUNS:-5} --export-json "$data/h.json" \
  --prepare "rm -f $log.seal" --prepare true --prepare true \
  -n seal "$bin seal --key $data/k.key $log" \
  -n verify "$bin verify --trust $data/k.pub --log $log" \
  -n sha256sum "sha256sum $log" >/dev/null
[ -f "$log.seal" ] || "$bin" seal --key "$data/k.key" "$log" >/dev/null

# Medians, line rate and ratio to sha256sum (hyperfine names the commands);
# CPU seconds (user + system, mean) too, since on a shared machine the wall
# clock mostly measures the neighbours.
jq -r --argjson n "$lines" '
  (.results | map({(.command): .median}) | add) as $m |
  .results[] | [.command, (.median * 1000 | round),
    ($n / .median / 1e6 * 100 | round / 100),
    ((.median / $m["sha256sum"]) * 100 | round / 100),
    ((.user + .system) * 100 | round / 100)] | @tsv' "$data/h.json" |
  awk 'BEGIN { printf "%-10s %10s %10s %12s %8s\n", "command", "median ms", "Mlines/s", "x sha256sum", "cpu s" }
       { printf "%-10s %10s %10s %12s %8s\n", $1, $2, $3, $4, $5 }'

for c in seal verify; do
  if [ $c = seal ]; then rm -f "$log.seal"; cmd=("$bin" seal --key "$data/k.key" "$log");
  else cmd=("$bin" verify --trust "$data/k.pub" --log "$log"); fi
  /usr/bin/time -v "${cmd[@]}" 2>"$data/time.txt" >/dev/null
  echo "$c peak RSS: $(awk -F: '/Maximum resident/ { gsub(/ /, "", $2); print $2 }' "$data/time.txt") KiB"
done
echo "seal file: $(stat -c %s "$log.seal") bytes"
