# SPDX-License-Identifier: Apache-2.0
# disclose and verify --proof take the trusted key with --trust (SPEC
# section 1); --key PUB, the old spelling, still works with a deprecation
# warning; --key KEY (the signing key) trusts its public half; a private
# key given to --trust is refused.
. "$CLI_LIB"
casefile key generate k >/dev/null 2>&1 || die "key"
seq 1 20 | sed 's/^/event /' >app.log
casefile seal --key k.key app.log >/dev/null 2>&1 || die "seal"
warning='^casefile (disclose|verify): warning: --key PUB is deprecated for a trusted public key; use --trust PUB$'
expect_status 0 casefile disclose --log app.log --lines 3 --trust k.pub -o p.json
grep -q deprecated err && die "--trust warned: $(cat err)"
expect_status 0 casefile disclose --log app.log --lines 3 --key k.pub -o q.json
expect_grep "$warning" err
expect_status 0 casefile disclose --log app.log --lines 3 --key k.key -o r.json
grep -q deprecated err && die "--key KEY warned: $(cat err)"
expect_status 0 casefile verify --trust k.pub --proof q.json
expect_status 0 casefile verify --key k.pub --proof q.json
expect_grep "$warning" err
expect_status 3 casefile disclose --log app.log --lines 3 --trust k.key -o s.json
expect_grep "'k.key' is a private key, not a trusted public key" err
[ ! -e s.json ] || die "wrote a proof"
expect_status 3 casefile verify --trust k.key --proof p.json
expect_grep "'k.key' is a private key" err
exit 0
