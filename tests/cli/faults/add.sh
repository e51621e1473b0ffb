# SPDX-License-Identifier: Apache-2.0
# add under every injected write and fsync failure and a sample of
# allocation failures (sweep.bash): a fault ends in exit 3 with a message
# and a case that verifies, or, when it struck between the rename into
# evidence/ and the custody entry, the verified archive in place and a
# repeated add that records it; or it is absorbed and the archive is in the
# case and recorded.
. "$CLI_LIB"; . "$CASE_DIR/sweep.bash"
casefile key generate k >/dev/null 2>&1 || die "key"
mkdir src && echo one >src/f
casefile collect -q -o a.tar.zst --key k.key src || die "collect"
casefile init --key k.key c >/dev/null 2>&1 || die "init"
cp c/custody.jsonl before.jsonl

sweep_prepare() { rm -f c/evidence/*; cp before.jsonl c/custody.jsonl; }
sweep_ok() {
  cmp -s a.tar.zst c/evidence/a.tar.zst || die "$1: the archive is not in the case"
  tail -n 1 c/custody.jsonl | jq -e '.action == "add"' >/dev/null || die "$1: not recorded"
  casefile verify --trust k.pub --custody c >/dev/null 2>&1 || die "$1: custody does not verify"
}
sweep_failed() {
  ls c/evidence | grep -q partial && die "$1: a partial file left in evidence/"
  if [ -n "$(ls c/evidence)" ]; then
    cmp -s a.tar.zst c/evidence/a.tar.zst || die "$1: another file in evidence/"
    casefile add -C c a.tar.zst >/dev/null 2>&1 || die "$1: repeating add failed"
  fi
  casefile verify --trust k.pub --custody c >/dev/null 2>&1 || die "$1: custody no longer verifies"
}
sweep casefile add -C c a.tar.zst
