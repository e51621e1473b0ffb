# SPDX-License-Identifier: Apache-2.0
# Helpers for CLI test cases: source "$CLI_LIB".

# die MESSAGE: fail the case.
die() { echo "FAIL: $*" >&2; exit 1; }

# expect_status N CMD...: runs CMD, fails unless it exits with N. Its stdout
# and stderr are kept in ./out and ./err for later checks.
expect_status() {
  local want=$1; shift
  "$@" >out 2>err; local got=$?
  [ "$got" = "$want" ] || { cat err >&2; die "'$*' exited $got, expected $want"; }
}

# expect_grep REGEX FILE: fails unless FILE has a line matching REGEX.
expect_grep() { grep -Eq -- "$1" "$2" || { cat "$2" >&2; die "$2 lacks /$1/"; }; }
