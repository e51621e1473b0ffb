# SPDX-License-Identifier: Apache-2.0
# --trust is always a public key (SPEC section 1): add and collect --previous
# refuse a private key file given to it, naming the file, and add nothing.
. "$CLI_LIB"
casefile key generate k >/dev/null 2>&1 || die "key"
mkdir src && echo one >src/f
casefile collect -q -o a.tar.zst --key k.key src || die "collect"
casefile init --key k.key c >/dev/null 2>&1 || die "init"
expect_status 3 casefile add -C c --trust k.key a.tar.zst
expect_grep "^casefile add: 'k.key' is a private key, not a trusted public key" err
[ -z "$(ls c/evidence)" ] || die "added with a private --trust"
expect_status 0 casefile add -C c --trust k.pub a.tar.zst
expect_status 3 casefile collect -o b.tar.zst --key k.key --previous a.tar.zst --trust k.key src
expect_grep "'k.key' is a private key, not a trusted public key" err
[ ! -e b.tar.zst ] || die "collected with a private --trust"
expect_status 0 casefile collect -q -o b.tar.zst --key k.key --previous a.tar.zst --trust k.pub src
exit 0
