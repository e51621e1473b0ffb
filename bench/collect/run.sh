#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Benchmark of `casefile collect` against two baselines, in ONE hyperfine
# run (same machine state, median of several runs), on the tree gen.sh makes:
#   casefile  casefile collect (read once: hash, type, pax+zstd, sign, fsync)
#   (a)       find DIR -type f -exec sha256sum {} + > SUMS && tar --zstd -cf out DIR
#   (b)       bsdtar --zstd --options zstd:threads=2 -cf out DIR
#   (c)       bsdtar --zstd -cf out DIR (one thread)
# then each once under /usr/bin/time -v for the peak RSS. The load average
# is printed before and after: on a shared machine it is part of the result.
#
# Outputs go to a tmpfs folder (OUT, default /dev/shm/casefile-bench) so
# that the figures compare the tools and not the disk's write-back:
# casefile fsyncs its archive (SPEC section 2), the baselines do not.
# Usage: bench/collect/run.sh [RUNS]   (data in bench/data, removed at the
# end unless KEEP=1). CASEFILE_OLD=PATH adds another casefile binary (e.g.
# one built from the previous commit) to the same hyperfine run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=${CASEFILE:-$top/build/casefile}
data=$top/bench/data
out=${OUT:-/dev/shm/casefile-bench}
runs=${1:-5}
[ -x "$bin" ] || { echo "build casefile first ($bin)" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "hyperfine is needed" >&2; exit 2; }

[ -d "$data/host" ] || "$here/gen.sh" "$data/host"
mkdir -p "$out"
[ -f "$data/k.key" ] || "$bin" key generate "$data/k" >/dev/null 2>&1
files=$(find "$data/host" -type f | wc -l)
bytes=$(find "$data/host" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
echo "tree: $files files, $bytes bytes"

cd "$data"
cf="$bin collect --quiet -o $out/cf.tar.zst --key k.key host"
a="find host -type f -exec sha256sum {} + > $out/SUMS && tar --zstd -cf $out/a.tar.zst host"
b="bsdtar --zstd --options zstd:threads=2 -cf $out/b.tar.zst host"
c="bsdtar --zstd -cf $out/c.tar.zst host"
old=()
if [ -n "${CASEFILE_OLD:-}" ]; then
  [ -x "$CASEFILE_OLD" ] || { echo "CASEFILE_OLD is not executable" >&2; exit 2; }
  old=(-n casefile-old "$CASEFILE_OLD collect --quiet -o $out/old.tar.zst --key k.key host")
fi
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine --warmup 1 --runs "$runs" --prepare "rm -f $out/*" \
  --export-json "$data/hyperfine.json" \
  -n casefile "$cf" "${old[@]}" -n baseline-a "$a" -n baseline-b "$b" -n baseline-c "$c"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

rss() { rm -f "$out"/*; /usr/bin/time -v sh -c "$1" 2>&1 >/dev/null |
  awk -F': ' '/Maximum resident/ {print $2}'
  ls -l "$out"/*.tar.zst | awk '{print "archive size", $NF, $5}' >&2; }
rss_cf=$(rss "$cf"); rss_a=$(rss "$a"); rss_b=$(rss "$b"); rss_c=$(rss "$c")
[ -z "${CASEFILE_OLD:-}" ] || echo "peak RSS KiB casefile-old: $(rss "${old[2]}")"
jq -r --argjson bytes "$bytes" --arg rcf "$rss_cf" --arg ra "$rss_a" --arg rb "$rss_b" --arg rc "$rss_c" '
  (.results | map({(.command): .median}) | add) as $m |
  (.results | map({(.command): ((.user + .system) * 100 | floor / 100)}) | add) as $cpu |
  "median s: casefile \($m.casefile) baseline-a \($m["baseline-a"]) baseline-b \($m["baseline-b"]) baseline-c \($m["baseline-c"])",
  "mean CPU s (user+sys): casefile \($cpu.casefile) a \($cpu["baseline-a"]) b \($cpu["baseline-b"]) c \($cpu["baseline-c"])",
  "throughput MB/s: casefile \($bytes / $m.casefile / 1e6 | floor) a \($bytes / $m["baseline-a"] / 1e6 | floor) b \($bytes / $m["baseline-b"] / 1e6 | floor) c \($bytes / $m["baseline-c"] / 1e6 | floor)",
  "ratio casefile/a: \($m["baseline-a"] / $m.casefile * 100 | floor / 100)x (target >= 2.3x)",
  "ratio casefile/b: \($m["baseline-b"] / $m.casefile * 100 | floor / 100)x (target >= 0.75x)",
  "ratio casefile/c: \($m["baseline-c"] / $m.casefile * 100 | floor / 100)x",
  (if $m["casefile-old"] then "casefile-old: median \($m["casefile-old"]) s, CPU \($cpu["casefile-old"]) s; new/old speed-up \($m["casefile-old"] / $m.casefile * 100 | floor / 100)x" else empty end),
  "peak RSS KiB: casefile \($rcf) a \($ra) b \($rb) c \($rc) (target casefile < 65536)"' "$data/hyperfine.json"
rm -rf "$out"
[ "${KEEP:-0}" = 1 ] || rm -rf "$data"
