# SPDX-License-Identifier: Apache-2.0
# A log's identity: the first seal draws a log id that every checkpoint
# carries inside its signed head and that verify --log reports. A seal made
# before log ids still verifies, with the id derived from its first
# checkpoint; the next seal writes that id into a new checkpoint, and only
# then can lines be disclosed from it.
. "$CLI_LIB"
casefile key generate k >/dev/null 2>&1 || die "key"
seq 1 300 | sed 's/^/event /' >app.log
casefile seal --key k.key app.log >out || die "seal 1"
seq 301 310 | sed 's/^/event /' >>app.log
casefile seal --key k.key app.log --json >s.json || die "seal 2"
id=$(jq -r .log_id s.json)
[[ $id =~ ^[0-9a-f]{32}$ ]] || die "no log id from seal: $id"
grep -q "log id $id" out || die "seal does not print the log id"
# Every checkpoint carries the same id, first, and signs it in its head.
[ "$(jq -r .log_id app.log.seal | sort -u)" = "$id" ] || die "checkpoints differ in log id"
[ "$(head -c 10 app.log.seal)" = '{"log_id":' ] || die "log_id is not the first member"
casefile verify --trust k.pub --log app.log --json >v.json || die "verify"
jq -e --arg id "$id" '.ok and .log_id == $id and .log_id_derived == false' v.json >/dev/null ||
  { cat v.json; die "verify --log does not report the log id"; }
expect_status 0 casefile verify --trust k.pub --log app.log
expect_grep "OK, log id $id," out
# Another log, another id.
seq 1 3 >b.log; casefile seal --key k.key b.log --json >b.json || die "seal b"
[ "$(jq -r .log_id b.json)" != "$id" ] || die "two logs share a log id"
# The id is signed: changed in a checkpoint, that checkpoint is forged.
cp app.log c.log; sed "2s/\"log_id\":\"$id\"/\"log_id\":\"$(jq -r .log_id b.json)\"/" \
  app.log.seal >c.log.seal
cmp -s c.log.seal app.log.seal && die "mutation did not apply"
expect_status 1 casefile verify --trust k.pub --log c.log --json
jq -e '.problems[0].kind == "forged-checkpoint" and .problems[0].checkpoint == 2' out \
  >/dev/null || { cat out; die "changed log id not caught"; }

# A seal from before log ids (tests/fixtures/seal-v1).
cp "$FIXTURES"/seal-v1/app.log "$FIXTURES"/seal-v1/app.log.seal "$FIXTURES"/seal-v1/k.pub .
cp "$FIXTURES"/seal-v1/k.key old.key && chmod 600 old.key
old=$(head -n1 app.log.seal | tr -d '\n' | sha256sum | cut -c1-32)
casefile verify --trust k.pub --log app.log --json >v.json || { cat v.json; die "old seal fails"; }
jq -e --arg id "$old" '.ok and .log_id == $id and .log_id_derived and .checkpoints == 2' \
  v.json >/dev/null || { cat v.json; die "old seal: derived log id"; }
expect_status 0 casefile verify --trust k.pub --log app.log
expect_grep 'from the first checkpoint' out
# No proof from a checkpoint without the id.
expect_status 3 casefile disclose --log app.log --lines 3 --trust k.pub -o p.json
expect_grep 'carries no log id' err
[ ! -e p.json ] || die "a proof without a log id was written"
# The next seal adds it, even with no new line; the id does not change.
expect_status 0 casefile seal --key old.key app.log
expect_grep "checkpoint 3 adds the log id $old" out
[ "$(wc -l <app.log.seal)" = 3 ] || die "no checkpoint written for the log id"
[ "$(sed -n 3p app.log.seal | jq -r .log_id)" = "$old" ] || die "written id differs"
expect_status 0 casefile seal --key old.key app.log
expect_grep 'nothing new to seal' out
[ "$(wc -l <app.log.seal)" = 3 ] || die "a second id checkpoint"
casefile verify --trust k.pub --log app.log --json >v.json || { cat v.json; die "upgraded seal"; }
jq -e --arg id "$old" '.ok and .log_id == $id and .checkpoints == 3' v.json >/dev/null ||
  { cat v.json; die "upgraded seal: log id"; }
casefile disclose --log app.log --lines 3,305 --trust k.pub -o p.json >/dev/null || die "disclose"
casefile verify --trust k.pub --proof p.json --json >v.json || { cat v.json; die "proof"; }
jq -e --arg id "$old" '.ok and .log_id == $id and .items == 2' v.json >/dev/null ||
  { cat v.json; die "proof from the upgraded seal"; }
# A checkpoint signed by the key holder that names another log id, or
# drops it, is tested in tests/unit/test_seal.c (test_log_id_bound).
