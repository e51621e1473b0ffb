#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Runs one CLI test case, in the manner of zstd's tests/cli-tests: the case
# script runs in a fresh scratch folder with `casefile` first on PATH; its
# stdout, stderr and exit status are then compared with the files beside it
# when they exist:
#   NAME.sh.exit          expected exit status (default 0)
#   NAME.sh.stdout.exact  stdout, byte for byte
#   NAME.sh.stderr.exact  stderr, byte for byte
#   NAME.sh.stdout.grep   each line an extended regex that stdout must match
#   NAME.sh.stderr.grep   each line an extended regex that stderr must match
# The case may also check things itself with the helpers of lib.sh and fail
# by exiting non-zero. Usage: run.sh CASE.sh PATH/TO/casefile
set -u
case_file=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
bin=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
here=$(cd "$(dirname "$0")" && pwd)

# The scratch folder's name holds digits only: its path appears in events
# (the collector's file times), and a random letter pair in it would match a
# case's free-text search now and then.
umask_was=$(umask); umask 077
for _ in $(seq 100); do
  scratch="${TMPDIR:-/tmp}/casefile-cli.$$.$RANDOM"
  mkdir "$scratch" 2>/dev/null && break
  scratch=
done
umask "$umask_was"
[ -n "$scratch" ] || { echo "no scratch folder under ${TMPDIR:-/tmp}"; exit 1; }
trap 'chmod -R u+rwX "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
mkdir "$scratch/bin" "$scratch/work"
ln -s "$bin" "$scratch/bin/casefile"

export PATH="$scratch/bin:$PATH"
export CASEFILE_BIN="$bin"
export FIXTURES="$here/../fixtures"
export CLI_LIB="$here/lib.sh"
export CASE_DIR=$(dirname "$case_file")
export NO_COLOR=1 LC_ALL=C TZ=UTC
unset CASEFILE_FAULT

cd "$scratch/work"
bash "$case_file" >"$scratch/stdout" 2>"$scratch/stderr"
status=$?

want=0
[ -f "$case_file.exit" ] && want=$(cat "$case_file.exit")
bad=0
if [ "$status" != "$want" ]; then
  echo "exit status $status, expected $want"; bad=1
fi
if [ -f "$case_file.stdout.exact" ] && ! cmp -s "$case_file.stdout.exact" "$scratch/stdout"; then
  echo "stdout differs:"; diff -u "$case_file.stdout.exact" "$scratch/stdout" | head -40; bad=1
fi
if [ -f "$case_file.stderr.exact" ] && ! cmp -s "$case_file.stderr.exact" "$scratch/stderr"; then
  echo "stderr differs:"; diff -u "$case_file.stderr.exact" "$scratch/stderr" | head -40; bad=1
fi
for s in stdout stderr; do
  [ -f "$case_file.$s.grep" ] || continue
  while IFS= read -r re; do
    [ -n "$re" ] || continue
    if ! grep -Eq -- "$re" "$scratch/$s"; then echo "$s lacks /$re/"; bad=1; fi
  done <"$case_file.$s.grep"
done
if [ $bad -ne 0 ]; then
  echo "--- stdout"; head -c 4000 "$scratch/stdout"
  echo "--- stderr"; head -c 4000 "$scratch/stderr"
  exit 1
fi
exit 0
