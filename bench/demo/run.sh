#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Benchmark of the demo generator (`casefile demo --generate-only`), which
# makes the inputs of the collect, verify and timeline benchmarks. Goal:
# 10 million events in under a minute on 2 cores. The baseline is `cp -a` of
# the tree it generated (the same bytes written by a tool that computes
# nothing), so the ratio shows what formatting, sorting and compressing
# cost over the disk alone. Peak memory is measured with /usr/bin/time -v.
#
# usage: bench/demo/run.sh [SCALE]   (default 70: about 10 million events)
#   RUNS=N   hyperfine runs per command (default 3)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
scale=${1:-70}
bench_start demo 3 hyperfine jq /usr/bin/time

echo "== one run for the counts and the peak memory (scale $scale)"
/usr/bin/time -v "$bin" -q demo ref --generate-only --scale "$scale" --json \
  >summary.json 2>time.txt
events=$(jq .generated.events summary.json)
bytes=$(jq .generated.bytes summary.json)
echo "events: $events, bytes: $bytes, peak RSS: $(awk -F': ' '/Maximum resident/ {print $2}' time.txt) KB"

hyperfine --runs "$runs" --export-json hyperfine.json \
  --prepare "rm -rf gen copy; sync" \
  -n generate "$bin -q demo gen --generate-only --scale $scale" \
  -n "cp -a (baseline)" "cp -a ref/host copy"

jq -r --argjson ev "$events" '
  (.results[0].median) as $g | (.results[1].median) as $c |
  "generate: median \($g * 100 | round / 100) s, \($ev / $g / 1e6 * 100 | round / 100) M events/s",
  "cp -a:    median \($c * 100 | round / 100) s",
  "ratio generate / cp -a: \($g / $c * 100 | round / 100)"' hyperfine.json
