# `timeline build -j N` verifies archives in parallel but must write exactly
# the store a sequential build writes: same events with the same ids, same
# rejects, same patients, same refusals and exit status.
source "$CLI_LIB"
expect_status 0 casefile key generate k
expect_status 0 casefile key generate other
mkdir -p h1/var/log h2/var/log h3/var/log
for h in 1 2 3; do
  for i in $(seq 1 300); do
    printf 'Mar  %d 10:%02d:%02d host%d sshd[%d]: Accepted password for u%d from 203.0.113.%d port 22 ssh2\n' \
      $h $((i / 60)) $((i % 60)) $h $i $((i % 7)) $((i % 250))
  done > h$h/var/log/auth.log
  echo "garbage line $h" >> h$h/var/log/auth.log
done
expect_status 0 casefile collect -o a1.tar.zst --key k.key --root h1 /var/log
expect_status 0 casefile collect -o a2.tar.zst --key k.key --root h2 /var/log
expect_status 0 casefile collect -o a3.tar.zst --key other.key --root h3 /var/log
expect_status 0 casefile collect -o a4.tar.zst --key k.key --root h3 /var/log
# a3 is signed by a key not trusted: refused (exit 1) in both runs.
expect_status 1 casefile timeline build --db seq.db --trust k.pub a1.tar.zst a2.tar.zst a3.tar.zst a4.tar.zst
expect_status 1 casefile timeline build -j 3 --db par.db --trust k.pub a1.tar.zst a2.tar.zst a3.tar.zst a4.tar.zst
expect_grep 'a3.tar.zst: refused' err
for t in events rejects patients; do
  a=$(sqlite3 seq.db "SELECT * FROM $t ORDER BY 1" | md5sum)
  b=$(sqlite3 par.db "SELECT * FROM $t ORDER BY 1" | md5sum)
  [ "$a" = "$b" ] || die "table $t differs between -j 1 and -j 3"
done
[ "$(sqlite3 par.db 'SELECT count(*) FROM events')" -gt 900 ] || die "too few events"
[ "$(sqlite3 par.db 'SELECT count(*) FROM archives')" -eq 3 ] || die "three archives expected"
# Building again in parallel adds nothing.
expect_status 0 casefile timeline build -j 2 --db par.db --trust k.pub a1.tar.zst a2.tar.zst a4.tar.zst
[ "$(sqlite3 par.db 'SELECT count(*) FROM events')" = "$(sqlite3 seq.db 'SELECT count(*) FROM events')" ] ||
  die "re-ingest added events"
expect_status 2 casefile timeline build -j 0 --db x.db --trust k.pub a1.tar.zst
