# SPDX-License-Identifier: Apache-2.0
# An archive signed by an untrusted key is refused (exit 1) and adds nothing;
# with --allow-unverified its events are added and marked.
source "$CLI_LIB"
F=$FIXTURES/timeline
cp -r "$F/made/root" root
touch -d 2026-03-03T00:00:00.5Z root/var/log/auth.log
openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null
openssl genpkey -algorithm ed25519 -out other.pem 2>/dev/null
openssl pkey -in other.pem -pubout -out other.pub
bash "$F/make-archive.sh" a.tar.zst k.pem root var/log/auth.log:auth-log || die make-archive
expect_status 1 casefile timeline build --db t.db --trust other.pub a.tar.zst
expect_grep 'refused, verification failed' err
[ "$(sqlite3 t.db 'select count(*) from events')" = 0 ] || die "refused archive added events"
expect_status 0 casefile timeline build --db t.db --trust other.pub --allow-unverified a.tar.zst
expect_grep 'NOT VERIFIED' err
[ "$(sqlite3 t.db "select count(*) from events where json_extract(attrs,'\$.unverified')=1")" -gt 0 ] || die "not marked"
[ "$(sqlite3 t.db 'select verified from archives')" = 0 ] || die "archive row"
