#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Benchmark of the privacy officer's end of the flow on a large incident:
# `casefile report breach` (the whole package from the store) and `casefile
# report mailing` (the mail-merge list, each record read back from the
# evidence), on the demo's stolen-credentials scenario at two scales, so
# that the growth with the number of affected patients shows (it was
# quadratic: each patient looked up by scanning all of them). There is no
# other tool that writes these documents: the baseline is an earlier
# casefile binary (CASEFILE_BASE), timed in the same hyperfine run, and
# `casefile timeline scope` (the counting alone, which the report redoes)
# for scale. The packages of both binaries are compared (generation time
# and rules path aside) so that a faster one is also the same one.
#
# usage: bench/report/run.sh [SCALE...]   (default 2 10: about 290,000 and
#        1.4 million events, 1,000 and 5,000 affected patients)
#   RUNS=N  hyperfine runs per command (default 3)
#   CASEFILE_BASE=path  the earlier binary (required)
#   KEEP=1  keep bench/data/report afterwards
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
[ -n "${CASEFILE_BASE:-}" ] || { echo "set CASEFILE_BASE to an earlier casefile" >&2; exit 2; }
bench_start report 3 hyperfine jq sqlite3
[ $# -gt 0 ] || set -- 2 10
for scale in "$@"; do
  echo "== scale $scale: casefile demo"
  "$bin" -q demo "s$scale" --scale "$scale" >/dev/null
  mkdir -p "s$scale/case/out"
  d=$PWD/s$scale
  echo "events: $(sqlite3 "$d/timeline.db" 'select count(*) from events');" \
       "affected: $(jq '.patients | length' "$d/scope.json")"
  args="--db $d/timeline.db --incident $d/incident.yaml"
  for b in new base; do
    exe=$bin; [ $b = base ] && exe=$CASEFILE_BASE
    "$exe" -q report breach $args --trust "$d/keys/examiner.pub" -o "pkg-$b-$scale"
  done
  diff -r -I 'generated_at\|Generated 20\|rules_source\|Rules: ' \
    "pkg-base-$scale" "pkg-new-$scale" >/dev/null && echo "packages: the same" ||
    echo "packages: DIFFER (diff -r pkg-base-$scale pkg-new-$scale)"
  hyperfine -r "$runs" -w 1 --export-json "s$scale.json" \
    -n "scope-$scale" "$bin -q timeline scope $args" \
    -n "breach-base-$scale" "rm -rf o; $CASEFILE_BASE -q report breach $args -o o" \
    -n "breach-$scale" "rm -rf o; $bin -q report breach $args -o o" \
    -n "mailing-base-$scale" "(cd $(dirname "$d") && rm -f $d/case/out/m.csv && $CASEFILE_BASE -q report mailing $args -o $d/case/out/m.csv)" \
    -n "mailing-$scale" "(cd $(dirname "$d") && rm -f $d/case/out/m.csv && $bin -q report mailing $args -o $d/case/out/m.csv)" \
    >/dev/null
  jq -r '.results[] | "\(.command)\tmedian \(.median*1000|round/1000) s\tCPU \((.user+.system)*1000|round/1000) s"' "s$scale.json" |
    column -t -s "$(printf '\t')"
done
