# SPDX-License-Identifier: Apache-2.0
#
# The start every bench/<name>/run.sh shares, sourced after `set -euo
# pipefail` with `here` set to the script's folder: where the tree and the
# binary are (CASEFILE overrides the binary), the tools a benchmark needs,
# and its data folder under bench/data/, emptied first and removed on exit
# unless KEEP=1 (bench/README.md).
top=$(cd "$here/../.." && pwd)
bin=${CASEFILE:-$top/build/casefile}

# bench_need TOOL...: exits 2 naming the binary when it is not built, or the
# first tool missing (a daemon such as sshd may be in /usr/sbin, off PATH).
bench_need() {
  local t
  [ -x "$bin" ] || { echo "build casefile first (Release): $bin" >&2; exit 2; }
  for t in "$@"; do
    command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] ||
      { echo "missing $t" >&2; exit 2; }
  done
}

# bench_data DIR: DIR (the global $data) emptied, made the working folder,
# and removed on exit unless KEEP=1.
bench_data() {
  data=$1
  rm -rf "$data"
  mkdir -p "$data"
  [ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$data"' EXIT
  cd "$data"
}

# bench_start NAME RUNS TOOL...: the common start of a benchmark: $runs from
# the RUNS variable (default RUNS), the tools checked (bench_need) and
# bench/data/NAME made the working folder (bench_data).
bench_start() {
  runs=${RUNS:-$2}
  local name=$1
  shift 2
  bench_need "$@"
  bench_data "$top/bench/data/$name"
}
