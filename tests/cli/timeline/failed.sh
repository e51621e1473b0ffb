# SPDX-License-Identifier: Apache-2.0
# A build that fails (exit 3: an archive cannot be read) changes nothing: no
# new database appears, and an existing one keeps exactly what it had,
# without the archives the same run added before the failure.
source "$CLI_LIB"
expect_status 0 casefile key generate k
for h in 1 2; do
  mkdir -p h$h/var/log
  for i in $(seq 1 50); do
    printf 'Mar  %d 10:00:%02d host%d sshd[%d]: Accepted password for u%d from 203.0.113.%d port 22 ssh2\n' \
      $h $i $h $i $i $i
  done > h$h/var/log/auth.log
  expect_status 0 casefile collect -o a$h.tar.zst --key k.key --root h$h /var/log
done
expect_status 3 casefile timeline build --db new.db --trust k.pub a1.tar.zst missing.tar.zst
expect_grep 'missing.tar.zst' err
[ ! -e new.db ] && [ ! -e new.db.partial ] || die "the failed build left a database"

expect_status 0 casefile timeline build --db t.db --trust k.pub a1.tar.zst
expect_status 0 casefile timeline query --db t.db --format csv
mv out before.csv
for j in 1 2; do
  expect_status 3 casefile timeline build -j $j --db t.db --trust k.pub a2.tar.zst missing.tar.zst
  expect_status 0 casefile timeline query --db t.db --format csv
  cmp -s out before.csv || die "the failed build (-j $j) changed t.db"
done
expect_status 0 casefile timeline build --db t.db --trust k.pub --json a2.tar.zst
[ "$(jq -r '.archives[0].status' out)" = added ] || die "a2 was kept by a failed build"
