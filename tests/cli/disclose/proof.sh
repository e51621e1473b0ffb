# disclose exports chosen lines with inclusion proofs (and chosen archive
# members with the signed SHA256SUMS); verify --proof accepts them without
# the rest, and rejects every alteration. Lines longer than the sealer's
# read buffer are sealed and proven like the others.
. "$CLI_LIB"; . "$FIXTURES/verify/mutate.bash"
casefile key generate k >/dev/null 2>&1 && casefile key generate other >/dev/null 2>&1 ||
  die "keys"
seq 1 1000 | sed 's/^/event /' >app.log
head -c 9437184 /dev/zero | tr '\0' 'L' >>app.log; echo >>app.log   # line 1001
seq 1002 1300 | sed 's/^/event /' >>app.log
printf 'caf\303\251 \001 binary\n' >>app.log                          # line 1301
casefile seal --key k.key app.log >/dev/null || die "seal"
casefile verify --trust k.pub --log app.log --json >v.json || die "verify log"
jq -e '.sealed_lines == 1301' v.json >/dev/null || die "long line not sealed"

casefile disclose --log app.log --lines 1,12,40-45,1001,1301 --trust k.pub -o p.json \
  >out || die "disclose"
casefile verify --trust k.pub --proof p.json --json >v.json || { cat v.json; die "proof"; }
jq -e '.ok and .kind == "log" and .items == 10' v.json >/dev/null || die "proof report"
jq -e '.lines[1].text == "event 12" and (.lines[9].text == null)' p.json >/dev/null ||
  die "text shown only for UTF-8 lines without control bytes"
# Only the chosen lines travel.
[ "$(jq '.lines | length' p.json)" = 10 ] || die "extra lines"
grep -q 'event 13"' p.json && die "an undisclosed line leaked"

bad() { # bad NAME JQ-FILTER: the altered proof fails with status 1
  jq "$2" p.json >"$1.json" || die "jq $1"
  cmp -s "$1.json" p.json && die "$1: mutation did not apply"
  expect_status 1 casefile verify --trust k.pub --proof "$1.json"
}
bad text '.lines[1].text = "event 13"'
bad data '.lines[1].data_b64 = "ZXZlbnQgMTM=" | del(.lines[1].text)'
bad lineno '.lines[1].line = 13'
bad path '.lines[2].proof[0] |= (if startswith("0") then "1" else "0" end + .[1:])'
bad short '.lines[2].proof |= .[1:]'
bad size '.checkpoint.size = 1300'
bad root '.checkpoint.root |= (if startswith("0") then "1" else "0" end + .[1:])'
expect_status 1 casefile verify --trust other.pub --proof p.json
expect_grep 'not a trusted key' err

# Lines not sealed yet, and bad lists.
echo "late" >>app.log
expect_status 3 casefile disclose --log app.log --lines 1302 --trust k.pub -o x.json
expect_grep 'not sealed yet' err
for l in 0 5-3 a 1, ,1 1-; do
  expect_status 2 casefile disclose --log app.log --lines "$l" --trust k.pub -o x.json
done
[ ! -e x.json ] || die "a proof was written for a bad request"

# Archive members.
make_source root
"$MAKE_ARCHIVE" -o a.tar.zst -k k.key -C root $SOURCES || die "archive"
casefile disclose --archive a.tar.zst --members evidence/files/etc/hosts \
  --members casefile/collection.json --trust k.pub -o m.json >out || die "disclose archive"
casefile verify --trust k.pub --proof m.json --json >v.json || die "archive proof"
jq -e '.ok and .kind == "archive" and .items == 2' v.json >/dev/null || die "report"
# Checkable without casefile: openssl for the signature, sha256sum for bytes.
jq -r .sha256sums_b64 m.json | base64 -d >SHA256SUMS
jq -r .sha256sums_sig m.json | xxd -r -p >SHA256SUMS.sig
openssl pkeyutl -verify -pubin -inkey k.pub -rawin -in SHA256SUMS \
  -sigfile SHA256SUMS.sig >/dev/null || die "openssl rejects SHA256SUMS"
want=$(grep '  evidence/files/etc/hosts$' SHA256SUMS | cut -c1-64)
got=$(jq -r '.members[] | select(.name == "evidence/files/etc/hosts") | .data_b64' m.json | base64 -d | sha256sum | cut -c1-64)
[ "$want" = "$got" ] || die "member bytes do not match SHA256SUMS"
jq '.members[0].data_b64 = "eA=="' m.json >m2.json
expect_status 1 casefile verify --trust k.pub --proof m2.json
jq '.members[0].name = "evidence/files/etc/shadow"' m.json >m3.json
expect_status 1 casefile verify --trust k.pub --proof m3.json
expect_status 1 casefile verify --trust other.pub --proof m.json
expect_status 3 casefile disclose --archive a.tar.zst --members nope --trust k.pub -o n.json
expect_status 3 casefile disclose --archive a.tar.zst --members casefile/collection.json \
  --trust other.pub -o n.json
[ ! -e n.json ] || die "proof written for a missing member or untrusted archive"
