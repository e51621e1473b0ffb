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

# counting_archive: the evidence of tests/fixtures/timeline/counting (its
# access log and roster) copied to ./root and signed into ./a.tar.zst with
# a key made here (k.pem, k.pub), as the scope-counting tests share it.
counting_archive() {
  cp -r "$FIXTURES/timeline/counting/root" root
  openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null
  openssl pkey -in k.pem -pubout -out k.pub
  bash "$FIXTURES/timeline/make-archive.sh" a.tar.zst k.pem root \
    var/log/ehr/audit.ndjson:access-log var/lib/ehr/roster.csv:database || die make-archive
}

# mailing_store: the evidence of tests/fixtures/mailing (access log, FHIR
# Patient records, roster) copied to ./root, signed into ./a.tar.zst with a
# key made here (k.pem, k.pub) and built into ./t.db, as the tests of
# `report mailing` share it.
mailing_store() {
  cp -r "$FIXTURES/mailing/root" root
  openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null
  openssl pkey -in k.pem -pubout -out k.pub
  bash "$FIXTURES/timeline/make-archive.sh" a.tar.zst k.pem root \
    var/log/ehr/audit.ndjson:access-log var/log/ehr/patients.ndjson:database \
    var/lib/ehr/roster.csv:database || die make-archive
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    expect_status 0 casefile timeline build --db t.db --trust k.pub a.tar.zst
}
