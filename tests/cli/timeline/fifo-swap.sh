# SPDX-License-Identifier: Apache-2.0
# Verified bytes are parsed bytes: a FIFO that serves a good archive to the
# verification and then a forged one (signed by a key nobody trusts) must
# never get the forged one's events stored as verified. The build reads the
# archive twice from one open file, which a FIFO cannot give: it is refused
# (exit 3) and nothing is stored. The same file given as a regular file
# builds.
source "$CLI_LIB"
F=$FIXTURES/timeline
cp -r "$F/made/root" root
touch -d 2026-03-03T00:00:00.5Z root/var/log/auth.log
openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null
openssl pkey -in k.pem -pubout -out k.pub
openssl genpkey -algorithm ed25519 -out evil.pem 2>/dev/null
bash "$F/make-archive.sh" good.tar.zst k.pem root var/log/auth.log:auth-log || die make-archive
printf 'Mar  3 10:00:00 h sshd[1]: Accepted password for forged from 203.0.113.9 port 22 ssh2\n' \
  > root/var/log/auth.log
bash "$F/make-archive.sh" forged.tar.zst evil.pem root var/log/auth.log:auth-log || die make-archive
mkfifo p.tar.zst
# one writer after the other: the first open reads good, the next forged
# (the pause lets the reader see the end of the first before the second
# writer opens the FIFO)
( cat good.tar.zst > p.tar.zst; sleep 1; cat forged.tar.zst > p.tar.zst ) &
writer=$!
expect_status 3 casefile timeline build --db t.db --trust k.pub p.tar.zst
expect_grep 'cannot be read a second time' err
kill "$writer" 2>/dev/null; wait "$writer" 2>/dev/null
exec 3<>p.tar.zst; exec 3>&-   # unblock a writer still waiting, if any
if [ -f t.db ]; then
  n=$(sqlite3 t.db 'select count(*) from events' 2>/dev/null || echo 0)
  [ "$n" = 0 ] || die "events stored from a FIFO: $n"
  ! sqlite3 t.db "select actor from events" 2>/dev/null | grep -q forged || die "forged events stored"
fi
# the good archive as a file builds
expect_status 0 casefile timeline build --db t2.db --trust k.pub good.tar.zst
[ "$(sqlite3 t2.db 'select count(*) from events')" -gt 0 ] || die "no events from the good archive"
