#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Runs libFuzzer targets for a given amount of CPU time each, not wall
# time: on a shared machine a target given "30 minutes" of wall clock may
# get a fraction of that on the CPU, and the hardening work asks for CPU
# time. A watcher reads the fuzzer's CPU time from /proc and interrupts it
# (SIGINT, so libFuzzer prints its final statistics) once the budget is
# spent. Targets run at a low priority, JOBS at a time.
#
#   tests/fuzz/campaign.sh [-j JOBS] [-s CPU_SECONDS] BUILD_DIR OUT_DIR TARGET...
#
# BUILD_DIR is a -DCASEFILE_FUZZ=ON build (tests/fuzz/README.md). For each
# TARGET (a name such as "sums" for fuzz_sums) the seed corpus
# tests/fuzz/corpus/TARGET is copied to OUT_DIR/corpus/TARGET, which the
# fuzzer grows; crashes, leaks and timeouts go to OUT_DIR/artifacts/TARGET/;
# libFuzzer's output to OUT_DIR/TARGET.log. One line per finished run is
# appended to OUT_DIR/summary.tsv:
#   target  wall_s  cpu_s  executions  new_corpus_files  exit  artifacts
# A run that stops early (a finding) says so in the exit column; fix the
# bug, add the input to the seed corpus, and run the target again.
#
# The targets wait in OUT_DIR/queue, one name a line; JOBS lanes take them
# from the top in turn, so names appended to that file while a campaign
# runs are fuzzed too.
set -eu

jobs=2
cpu=1800
while getopts j:s: opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	s) cpu=$OPTARG ;;
	*) echo "usage: $0 [-j JOBS] [-s CPU_SECONDS] BUILD_DIR OUT_DIR TARGET..." >&2
	   exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -lt 3 ]; then
	echo "usage: $0 [-j JOBS] [-s CPU_SECONDS] BUILD_DIR OUT_DIR TARGET..." >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
shift 2

for t in "$@"; do
	if [ ! -x "$build/tests/fuzz_$t" ]; then
		echo "$0: $build/tests/fuzz_$t: no such fuzz target (build with -DCASEFILE_FUZZ=ON)" >&2
		exit 2
	fi
done
[ -f "$out/summary.tsv" ] ||
	printf 'target\twall_s\tcpu_s\texecutions\tnew_corpus_files\texit\tartifacts\n' \
		>"$out/summary.tsv"

# One target: run it, watch its CPU time, record the result.
run_one() {
	t=$1
	corpus=$out/corpus/$t
	art=$out/artifacts/$t
	mkdir -p "$corpus" "$art"
	cp -n "$here/corpus/$t"/* "$corpus/" 2>/dev/null || true
	before=$(ls "$corpus" | wc -l)
	tick=$(getconf CLK_TCK)
	start=$(date +%s)
	LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0" \
	nice -n 15 "$build/tests/fuzz_$t" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$art/" "$corpus" \
		>"$out/$t.log" 2>&1 &
	pid=$!
	used=0
	while kill -0 "$pid" 2>/dev/null; do
		# fields 14 to 17 of /proc/PID/stat: user and system ticks of
		# the fuzzer and of the children it has reaped. YAML-reading
		# targets parse each input first in a forked child (src/yaml.c),
		# so half of their fuzzing work is done there.
		ticks=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pid/stat" 2>/dev/null || echo 0)
		used=$((ticks / tick))
		if [ "$used" -ge "$cpu" ]; then
			kill -INT "$pid" 2>/dev/null || true
			break
		fi
		sleep 5
	done
	rc=0
	wait "$pid" || rc=$?
	end=$(date +%s)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log" | tail -1)
	found=$(ls "$art" | tr '\n' ' ')
	if [ "$used" -ge "$cpu" ]; then
		status="budget-spent"
	else
		status="stopped-rc$rc"
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" $((end - start)) "$used" \
		"${execs:-?}" $(($(ls "$corpus" | wc -l) - before)) "$status" \
		"${found:-none}" >>"$out/summary.tsv"
}

# Takes the first name off the queue, under a lock; empty when none is left.
next_target() {
	flock "$out/queue.lock" sh -c '
		q=$1/queue
		[ -s "$q" ] || exit 0
		head -n 1 "$q"
		tail -n +2 "$q" >"$q.new" && mv "$q.new" "$q"' sh "$out"
}

lane() {
	while t=$(next_target) && [ -n "$t" ]; do
		if [ -x "$build/tests/fuzz_$t" ]; then
			run_one "$t"
		else
			echo "$0: fuzz_$t: no such target, skipped" >&2
		fi
	done
}

printf '%s\n' "$@" >>"$out/queue"
i=0
while [ "$i" -lt "$jobs" ]; do
	lane &
	i=$((i + 1))
done
wait
