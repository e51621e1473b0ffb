# SPDX-License-Identifier: Apache-2.0
# seal under every injected allocation, write and fsync failure
# (sweep.bash): a fault ends in exit 3 with a message and the seal file as
# it was (and still valid), or is absorbed and the new lines are sealed.
. "$CLI_LIB"; . "$CASE_DIR/sweep.bash"
casefile key generate k >/dev/null 2>&1 || die "key"
printf 'request id=%d\n' 1 2 3 >app.log
casefile seal --key k.key app.log >/dev/null || die "first seal"
printf 'request id=%d\n' 4 5 >>app.log
cp app.log.seal before.seal

sweep_prepare() { cp before.seal app.log.seal; rm -f app.log.seal.partial; }
sweep_ok() {
  casefile verify --trust k.pub --log app.log --json >v.json 2>/dev/null || die "$1: the seal does not verify"
  jq -e '.ok and .sealed_lines == 5 and .unsealed_lines == 0' v.json >/dev/null ||
    { cat v.json >&2; die "$1: not every line sealed"; }
}
sweep_failed() {
  cmp -s before.seal app.log.seal || die "$1: the seal changed although sealing failed"
  casefile verify --trust k.pub --log app.log >/dev/null 2>&1 || die "$1: the previous seal no longer verifies"
  [ -z "$(ls | grep -E '\.(partial|tmp)')" ] || { ls >&2; die "$1: a temporary file left behind"; }
}
sweep casefile seal --key k.key app.log
