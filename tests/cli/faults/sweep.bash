# SPDX-License-Identifier: Apache-2.0
# The fault sweep shared by the tests/cli/faults cases, as SQLite's malloc
# tests do it: run a command once with CASEFILE_FAULT=count to learn how
# many allocations, writes and fsyncs it makes, then once more for every N,
# failing the Nth call of one kind. Each run must end in one of two ways:
#   exit 0: the fault was absorbed (a library retried, or the call was not
#           needed); the case's sweep_ok check must find a correct result;
#   exit 3: a message on stderr, and the case's sweep_failed check must find
#           nothing that looks complete and the previous state intact.
# Anything else fails the case: exit 1 (a verdict on evidence caused by our
# own failure), 2, a signal, or a sanitizer report. Leaks are checked on
# every run: by LeakSanitizer preloaded (liblsan) into an ordinary build, by
# ASan's own leak check in a sanitizer build.
#
# SWEEP_STATUS (default 0) is the status of a run without faults, e.g. 1
# when the evidence under test is altered on purpose.
#
# A case defines sweep_prepare (reset the state before each run), sweep_ok
# and sweep_failed (both get the fault, e.g. "alloc:17"), then calls
# `sweep CMD...`. Every write and fsync is failed in turn; allocations,
# by far the most calls, are sampled: every Kth one, K = FAULT_SWEEP_STEP,
# by default SWEEP_DEFAULT_STEP (or more, see SWEEP_MAX_RUNS), the fast
# loop's sample (the ctest
# cli/faults/<name>); the exhaustive group's exhaustive/faults/<name> sets
# FAULT_SWEEP_STEP=1, every allocation. A sample starts at a fixed offset
# (below K) made from the case's name and the sweep's number within the
# case, so that cases sample different calls of the code all commands share
# (start-up, key loading); the same run tests the same calls every time.
# FAULT_SWEEP_FROM=N starts at the Nth call, to look into one failure
# (a failure names its call, e.g. alloc:17: rerun with FAULT_SWEEP_FROM=17
# FAULT_SWEEP_STEP=1); FAULT_SWEEP_KEEP_GOING=1 lists every failing N (in
# sweep.failures) instead of stopping at the first. Source after
# "$CLI_LIB".
SWEEP_DEFAULT_STEP=16
# ...and at most SWEEP_MAX_RUNS allocation runs per sweep in that sample
# (the step grows for a command that allocates more), so that the fast
# loop's time does not grow with what the command does.
SWEEP_MAX_RUNS=150
SWEEP_NTH=0

# OpenSSL 3.0 leaks a few bytes in its own tables when one of its
# allocations fails during provider start-up; those are suppressed by the
# OpenSSL function on the stack (faults/lsan.supp), never casefile's.
sweep_env() {
  local supp=$CASE_DIR/lsan.supp
  if ldd "$CASEFILE_BIN" 2>/dev/null | grep -q libasan; then
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1"
    export LSAN_OPTIONS="suppressions=$supp:print_suppressions=0"
    SWEEP_PRELOAD=
  elif [ -e /usr/lib/x86_64-linux-gnu/liblsan.so.0 ] || ldconfig -p | grep -q liblsan.so.0; then
    export LSAN_OPTIONS="suppressions=$supp:print_suppressions=0:exitcode=23"
    SWEEP_PRELOAD=liblsan.so.0
  else
    die "no LeakSanitizer: install liblsan0 (gcc's runtime) or use a sanitizer build"
  fi
}

# sweep_counts CMD...: sets SWEEP_alloc, SWEEP_write, SWEEP_fsync.
sweep_counts() {
  local line
  sweep_prepare
  CASEFILE_FAULT=count "$@" >sweep.out 2>sweep.err
  [ $? = "${SWEEP_STATUS:-0}" ] ||
    { cat sweep.err >&2; die "the run without faults did not exit ${SWEEP_STATUS:-0}: $*"; }
  cp sweep.out sweep.ref
  line=$(grep -E '^casefile: fault counts: ' sweep.err) ||
    die "no fault counts printed by: $*"
  SWEEP_alloc=$(sed -E 's/.*alloc=([0-9]+).*/\1/' <<<"$line")
  SWEEP_write=$(sed -E 's/.*write=([0-9]+).*/\1/' <<<"$line")
  SWEEP_fsync=$(sed -E 's/.*fsync=([0-9]+).*/\1/' <<<"$line")
}

# The checks call die; with FAULT_SWEEP_KEEP_GOING they run in a subshell
# so that a failure is noted and the sweep goes on.
sweep_die() {
  if [ -n "${FAULT_SWEEP_KEEP_GOING:-}" ]; then
    echo "$*" >>sweep.failures
  else
    die "$*"
  fi
}

sweep_check() {
  local fn=$1 fault=$2 msg
  if [ -n "${FAULT_SWEEP_KEEP_GOING:-}" ]; then
    msg=$( ("$fn" "$fault") 2>&1) || echo "$fault: $msg" >>sweep.failures
  else
    "$fn" "$fault"
  fi
}

# sweep_first STEP: the first allocation a sweep fails, 1 when STEP is 1.
sweep_first() {
  local sum
  sum=$(printf '%s' "${0##*/}" | cksum)
  echo $(((${sum%% *} + SWEEP_NTH) % $1 + 1))
}

# sweep CMD...: the whole sweep; prints one line of figures per kind. The
# output of the run without faults is kept in sweep.ref.
sweep() {
  local kind n total step first st noticed runs
  sweep_env
  rm -f sweep.failures
  sweep_counts "$@"
  SWEEP_NTH=$((SWEEP_NTH + 1))
  for kind in alloc write fsync; do
    eval "total=\$SWEEP_$kind"
    step=1
    if [ "$kind" = alloc ]; then
      step=${FAULT_SWEEP_STEP:-$SWEEP_DEFAULT_STEP}
      [ -n "${FAULT_SWEEP_STEP:-}" ] || [ $((total / step)) -le $SWEEP_MAX_RUNS ] ||
        step=$(((total + SWEEP_MAX_RUNS - 1) / SWEEP_MAX_RUNS))
    fi
    first=${FAULT_SWEEP_FROM:-$(sweep_first "$step")}
    noticed=0 runs=0
    for ((n = first; n <= total; n += step)); do
      sweep_prepare
      CASEFILE_FAULT=$kind:$n LD_PRELOAD=$SWEEP_PRELOAD "$@" >sweep.out 2>sweep.err
      st=$?
      runs=$((runs + 1))
      case $st in
      "${SWEEP_STATUS:-0}") sweep_check sweep_ok "$kind:$n" ;;
      3) [ -s sweep.err ] || die "$kind:$n: exit 3 without a message"
         noticed=$((noticed + 1))
         sweep_check sweep_failed "$kind:$n" ;;
      *) [ -n "${FAULT_SWEEP_KEEP_GOING:-}" ] || head -c 3000 sweep.err >&2
         sweep_die "$kind:$n: exit status $st (${SWEEP_STATUS:-0} or 3 expected)" \
           "$(grep -m1 -E '^(SUMMARY|casefile)' sweep.err)" ;;
      esac
    done
    echo "$kind: $total calls, $runs runs (from $first, step $step)," \
      "$noticed ended in an error"
    # a kind whose every failure goes unnoticed means injection is broken
    if [ "$total" -gt 0 ] && [ "$noticed" = 0 ]; then
      die "no $kind fault was noticed"
    fi
  done
  if [ -s sweep.failures ]; then
    cat sweep.failures >&2
    die "$(wc -l <sweep.failures) faults handled wrongly"
  fi
}
