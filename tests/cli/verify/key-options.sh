# SPDX-License-Identifier: Apache-2.0
# SPEC section 1: --trust FILE is a trusted public key, --key FILE a private
# signing key (whose public half verify trusts). The old spelling --key PUB
# still works, with one deprecation warning per run; a private key given to
# --trust and a --key file that does not exist are clear errors (exit 3).
. "$CLI_LIB"
casefile key generate k >/dev/null 2>&1 || die "key generate"
casefile key generate other >/dev/null 2>&1 || die "key generate other"
mkdir src && echo hello >src/a.log
casefile collect -q -o a.tar.zst --key k.key src >/dev/null 2>&1 || die "collect"
warning='^casefile verify: warning: --key PUB is deprecated for a trusted public key; use --trust PUB$'

# The new spelling: no warning.
expect_status 0 casefile verify --trust k.pub a.tar.zst
grep -q warning err && die "--trust warned: $(cat err)"
expect_status 0 casefile verify --trust other.pub --trust k.pub a.tar.zst

# The old spelling: the same verdict, and the warning once however many.
expect_status 0 casefile verify --key k.pub a.tar.zst
expect_grep "$warning" err
expect_grep '^OK a.tar.zst signer SHA256:' out
expect_status 0 casefile verify -k other.pub --key k.pub a.tar.zst
[ "$(grep -c 'deprecated' err)" = 1 ] || die "warned more than once: $(cat err)"
expect_status 1 casefile verify --key other.pub a.tar.zst
expect_grep "$warning" err

# --key names the signing key: its public half is trusted, without warning.
expect_status 0 casefile verify --key k.key a.tar.zst
grep -q warning err && die "--key KEY warned: $(cat err)"

# A private key is not a trusted key; a missing file is named.
expect_status 3 casefile verify --trust k.key a.tar.zst
expect_grep "^casefile verify: 'k.key' is a private key, not a trusted public key" err
expect_status 3 casefile verify --key missing.key a.tar.zst
expect_grep "^casefile verify: cannot open key 'missing.key': No such file" err
expect_status 3 casefile verify --trust missing.pub a.tar.zst
expect_grep "missing.pub" err

# The other modes read the same options (sealed logs, custody logs).
printf 'line %s\n' 1 2 3 >app.log
casefile seal --key k.key app.log >/dev/null 2>&1 || die "seal"
expect_status 0 casefile verify --trust k.pub --log app.log
expect_status 0 casefile verify --key k.pub --log app.log
expect_grep "$warning" err
expect_status 3 casefile verify --trust k.key --log app.log
expect_grep "'k.key' is a private key" err
exit 0
