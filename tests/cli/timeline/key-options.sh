# SPDX-License-Identifier: Apache-2.0
# timeline build takes its trusted signers with --trust (SPEC section 1);
# --key PUB, the old spelling, still works with a deprecation warning, a
# private key given to --trust is refused and --key names a signing key.
source "$CLI_LIB"
casefile key generate k >/dev/null 2>&1 || die "key generate"
mkdir src && printf 'Mar  3 10:00:00 h sshd[1]: Accepted password for a from 192.0.2.1 port 22 ssh2\n' >src/auth.log
casefile collect -q -o a.tar.zst --key k.key src >/dev/null 2>&1 || die "collect"
expect_status 0 casefile timeline build --db t.db --trust k.pub a.tar.zst
grep -q deprecated err && die "--trust warned: $(cat err)"
expect_status 0 casefile timeline build --db t2.db --key k.pub a.tar.zst
expect_grep '^casefile timeline( build)?: warning: --key PUB is deprecated for a trusted public key; use --trust PUB$' err
[ "$(sqlite3 t.db 'select count(*) from events')" = "$(sqlite3 t2.db 'select count(*) from events')" ] ||
  die "the old spelling built another timeline"
expect_status 0 casefile timeline build --db t3.db --key k.key a.tar.zst
grep -q deprecated err && die "--key KEY warned: $(cat err)"
expect_status 3 casefile timeline build --db t4.db --trust k.key a.tar.zst
expect_grep "^casefile timeline( build)?: 'k.key' is a private key, not a trusted public key" err
[ ! -e t4.db ] || die "a refused key left a database"
expect_status 3 casefile timeline build --db t4.db --key nope.key a.tar.zst
expect_grep "cannot open key 'nope.key'" err
exit 0
