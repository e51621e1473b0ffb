# SPDX-License-Identifier: Apache-2.0
# verify --proof is strict and bound to what is signed: duplicate, unknown
# and mistyped keys, a proof relabelled to another log or archive, and a
# sha256sums_digest that is not that of the SHA256SUMS the proof carries
# all fail with status 1, naming what is wrong. A proof that holds shows
# the proven lines and members themselves, escaped for the terminal.
. "$CLI_LIB"; . "$FIXTURES/verify/mutate.bash"
casefile key generate k >/dev/null 2>&1 || die "keys"
seq 1 20 | sed 's/^/event /' >a.log
printf 'esc \033[2J here\n' >>a.log                      # line 21
seq 1 5 | sed 's/^/other /' >b.log
casefile seal --key k.key a.log >/dev/null && casefile seal --key k.key b.log >/dev/null ||
  die "seal"
casefile disclose --log a.log --lines 3,21 --trust k.pub -o p.json >/dev/null || die "disclose a"
casefile disclose --log b.log --lines 1 --trust k.pub -o q.json >/dev/null || die "disclose b"

# The log id: one per log, signed in the checkpoint, what verify reports.
ida=$(jq -r .checkpoint.log_id p.json); idb=$(jq -r .checkpoint.log_id q.json)
[[ $ida =~ ^[0-9a-f]{32}$ && $ida != "$idb" ]] || die "log ids '$ida' '$idb'"
[ "$(jq -r .log_id p.json)" = "$ida" ] || die "the proof's log_id"
casefile verify --trust k.pub --log a.log --json >v.json || die "verify log"
[ "$(jq -r .log_id v.json)" = "$ida" ] || die "verify --log reports another log id"

# What was checked is what is shown: lines in the text output, escaped,
# and in --json.
expect_status 0 casefile verify --trust k.pub --proof p.json
expect_grep "log $ida" out
expect_grep '^  line 3: event 3$' out
grep -qF '  line 21: esc \x1b[2J here' out || { cat out; die "line 21 not shown escaped"; }
grep -q $'\033' out && die "a control character reached the terminal"
casefile verify --trust k.pub --proof p.json --json >v.json || die "proof --json"
jq -e --arg id "$ida" '.ok and .kind == "log" and .items == 2 and .log_id == $id and
  .lines == [{"n":3,"text":"event 3"},{"n":21,"text":"esc \u001b[2J here"}]' v.json \
  >/dev/null || { cat v.json; die "proven lines missing from --json"; }

# bad NAME FILE MESSAGE: FILE (the mutated proof) fails with status 1 and
# a message matching MESSAGE.
bad() {
  cmp -s "$2" p.json && die "$1: mutation did not apply"
  expect_status 1 casefile verify --trust k.pub --proof "$2"
  expect_grep "$3" err
  expect_grep 'FAILED' out
}
# mutate NAME SED-EXPRESSION MESSAGE: on the raw text (jq cannot write
# duplicate keys).
mutate() { sed "$2" p.json >"$1.json"; bad "$1" "$1.json" "$3"; }
# edit NAME JQ-FILTER MESSAGE
edit() { jq "$2" p.json >"$1.json" || die "jq $1"; bad "$1" "$1.json" "$3"; }

# Duplicate keys: cJSON keeps the first, another reader the last.
mutate dup-text 's/"text":\t"event 3",/"text":\t"event 3", "text": "event 4",/' \
  'line entry 1: duplicate key "text"'
mutate dup-size 's/"size":\t21,/"size":\t21, "size": 5,/' \
  'the checkpoint: duplicate key "size"'
mutate dup-top 's/"kind":\t"log",/"kind":\t"log", "kind": "archive",/' \
  'the proof: duplicate key "kind"'
# Unknown keys, at every level.
edit unknown-line '.lines[0].note = "x"' 'line entry 1: unknown key "note"'
edit unknown-cp '.checkpoint.comment = "x"' 'the checkpoint: unknown key "comment"'
edit unknown-top '.extra = {}' 'the proof: unknown key "extra"'
# Wrong types: a "text" that is not a string was ignored, not refused.
edit text-number '.lines[0].text = 3' '"text" is not a string'
edit text-array '.lines[0].text = ["event 3"]' '"text" is not a string'
edit line-string '.lines[0].line = "3"' '"line" is not a number'
edit lines-object '.lines = {}' '"lines" is not an array'
# Each line once, in order.
edit line-twice '.lines += [.lines[0]]' 'listed once, in order'
# Relabelled to another log: the label, the signed id, or a name.
edit relabel-id ".log_id = \"$idb\"" 'relabelled'
edit relabel-cp ".checkpoint.log_id = \"$idb\"" 'signature does not verify'
edit relabel-name '.log = "b.log"' 'unknown key "log"'
# Proofs from before log ids carry an unsigned name: refused, with why.
expect_status 1 casefile verify --trust "$FIXTURES/seal-v1/k.pub" \
  --proof "$FIXTURES/seal-v1/old-proof.json"
expect_grep 'casefile-proof/1.*ask for a new proof' err

# Archive proofs: the digest is that of the signed SHA256SUMS carried.
make_source root
"$MAKE_ARCHIVE" -o a.tar.zst -k k.key -C root $SOURCES || die "archive a"
echo "another line" >>root/var/log/auth.log
"$MAKE_ARCHIVE" -o b.tar.zst -k k.key -C root $SOURCES || die "archive b"
casefile disclose --archive a.tar.zst --members evidence/files/etc/hosts \
  --trust k.pub -o m.json >/dev/null || die "disclose archive a"
casefile disclose --archive b.tar.zst --members evidence/files/etc/hosts \
  --trust k.pub -o n.json >/dev/null || die "disclose archive b"
da=$(jq -r .sha256sums_digest m.json); db=$(jq -r .sha256sums_digest n.json)
[ "$da" != "$db" ] || die "two archives, one digest"
[ "$(jq -r .sha256sums_b64 m.json | base64 -d | sha256sum | cut -c1-64)" = "$da" ] ||
  die "disclose wrote a digest that is not SHA256SUMS's"
expect_status 0 casefile verify --trust k.pub --proof m.json
expect_grep "$da" out
expect_grep '^  member evidence/files/etc/hosts \([0-9]+ bytes, sha256 [0-9a-f]{64}\):$' out
expect_grep "^    $(head -n1 root/etc/hosts)\$" out
casefile verify --trust k.pub --proof m.json --json >v.json || die "archive --json"
jq -e --arg d "$da" '.ok and .sha256sums == $d and (.members | length) == 1 and
  .members[0].name == "evidence/files/etc/hosts" and
  (.members[0].sha256 | test("^[0-9a-f]{64}$")) and
  .members[0].size == (.members[0].text | length)' v.json >/dev/null ||
  { cat v.json; die "proven members missing from --json"; }
[ "$(jq -j '.members[0].text' v.json | sha256sum | cut -c1-64)" = \
  "$(jq -r '.members[0].sha256' v.json)" ] || die "the member shown is not the one proven"
abad() { # abad NAME JQ-FILTER MESSAGE
  jq "$2" m.json >"$1.json" || die "jq $1"
  cmp -s "$1.json" m.json && die "$1: mutation did not apply"
  expect_status 1 casefile verify --trust k.pub --proof "$1.json"
  expect_grep "$3" err
}
abad relabel-digest ".sha256sums_digest = \"$db\"" 'relabelled'
abad digest-zero ".sha256sums_digest = \"$(printf '0%.0s' {1..64})\"" 'relabelled'
abad relabel-archive '.archive = "b.tar.zst"' 'unknown key "archive"'
abad member-twice '.members += [.members[0]]' 'listed twice'
abad member-extra '.members[0].size = 3' 'member entry 1: unknown key "size"'
abad member-data '.members[0].data_b64 = "eA=="' 'do not match SHA256SUMS'
# Another archive's SHA256SUMS under this label: its signature holds, its
# digest is not the label's.
jq --slurpfile o n.json '.sha256sums_b64 = $o[0].sha256sums_b64 |
  .sha256sums_sig = $o[0].sha256sums_sig' m.json >swap.json
expect_status 1 casefile verify --trust k.pub --proof swap.json
expect_grep 'relabelled' err
