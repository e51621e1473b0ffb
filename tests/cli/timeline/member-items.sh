# SPDX-License-Identifier: Apache-2.0
# Each member is read with its own line of items.jsonl, found by name among
# hundreds (timeline/build.c sorts the items once and searches them): a
# year-less syslog line takes its year from its own file's mtime, which
# items.jsonl records. 300 logs, each with one sshd login by its own user,
# each file's mtime in another year; every event must carry its file's year.
source "$CLI_LIB"
expect_status 0 casefile key generate k
mkdir -p h/var/log/app
for i in $(seq 100 399); do
  printf 'Mar  3 10:00:01 h sshd[1]: Accepted password for u%s from 192.0.2.1 port 22 ssh2\n' \
    "$i" > "h/var/log/app/f-$i.log"
  touch -d "$((2001 + i % 20))-06-01 12:00:00 UTC" "h/var/log/app/f-$i.log"
done
expect_status 0 casefile collect -o a.tar.zst --key k.key --root h /var/log
expect_status 0 casefile timeline build --db t.db --trust k.pub a.tar.zst
expect_status 0 casefile timeline query --db t.db --format jsonl
jq -r 'select(.source == "sshd") | "\(.actor) \(.time[0:4])"' out | sort > got
for i in $(seq 100 399); do echo "u$i $((2001 + i % 20))"; done | sort > want
[ "$(wc -l < got)" = 300 ] || die "expected 300 sshd events, got $(wc -l < got)"
diff want got >/dev/null || die "events not dated by their own item: $(diff want got | head -5)"
