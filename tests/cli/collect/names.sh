# File names are bytes on Linux; member names, pax path records and JSON are
# UTF-8. A name that is not UTF-8 (planted by an intruder or left by an old
# locale) must not stop a collection or be lost: its member name is the
# path with every invalid byte and every '%' written as %XX, items.jsonl
# keeps the exact bytes in path_hex, every JSON member stays valid UTF-8,
# and the archive still passes the independent check. Where an escaped name
# meets a real name that holds the same %XX text, the real file (first in
# the sorted walk) keeps the name and the other is hashed and recorded as
# name-taken. A UTF-8 name beyond ASCII is kept as it is, whatever the
# locale casefile runs in (the independent check needs a UTF-8 locale for
# bsdtar, as any tar of such names does).
. "$CLI_LIB"; . "$CASE_DIR/common.bash"
newkey k
mkdir src
d=$(pwd)/src
echo plain > src/ok.log
echo accent > 'src/café-données-病歷.log'
printf 'raw\n' > "$(printf 'src/x\377.log')"
echo percent > 'src/50%.log'
mkdir "$(printf 'src/d\303(')"
printf 'deep\n' > "$(printf 'src/d\303(/f%%20\342\202.log')"
ln -s "$(printf '/etc/\376')" src/link
echo literal > 'src/y%FF.log'
echo escaped > "$(printf 'src/y\377.log')"
LC_ALL=C LANG= expect_status 0 casefile collect -o out.tar.zst --key k.key --json src
jq -e '.items == 6' out >/dev/null || die "summary: $(cat out)"
LC_ALL=C.UTF-8 recipe out.tar.zst k.pub
LC_ALL=C LANG= expect_status 0 casefile verify --trust k.pub out.tar.zst
[ "$(member out.tar.zst "evidence/paths${d}/café-données-病歷.log")" = accent ] ||
  die "the UTF-8 name is not kept"
member out.tar.zst casefile/items.jsonl > items
for m in casefile/items.jsonl casefile/log.jsonl casefile/collection.json SHA256SUMS; do
  member out.tar.zst $m | iconv -f UTF-8 -t UTF-32LE >/dev/null || die "$m is not valid UTF-8"
done
hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }

# the escaped member holds the file's bytes; path_hex gives its real name
item items "$d/x%FF.log" | jq -e --arg m "evidence/paths${d}/x%FF.log" \
  --arg h "$(hex "$(printf '%s/x\377.log' "$d")")" \
  '.member == $m and .path_hex == $h and .skip_reason == null' >/dev/null ||
  die "x item: $(item items "$d/x%FF.log")"
[ "$(member out.tar.zst "evidence/paths${d}/x%FF.log")" = raw ] || die "x member content"
# '%' is escaped too in a name that is escaped, and not in one that is not
m="evidence/paths${d}/d%C3(/f%2520%E2%82.log"
[ "$(member out.tar.zst "$m")" = deep ] || die "deep member: $(tar --zstd -tf out.tar.zst)"
item items "$d/50%.log" | jq -e 'has("path_hex") | not' >/dev/null || die "50% item has path_hex"
[ "$(member out.tar.zst "evidence/paths${d}/50%.log")" = percent ] || die "50% member"
# a symlink target that is not UTF-8
item items "$d/link" | jq -e --arg h "$(hex "$(printf '/etc/\376')")" \
  '.symlink_target == "/etc/%FE" and .symlink_target_hex == $h' >/dev/null ||
  die "link item: $(item items "$d/link")"
# the meeting of y%FF.log and y\377.log
[ "$(member out.tar.zst "evidence/paths${d}/y%FF.log")" = literal ] || die "y%FF.log lost its name"
item items "$d/y%FF.log" | jq -c 'select(.path_hex != null)' > taken
jq -e --arg s "$(echo escaped | sha256sum | cut -c1-64)" \
  '.member == null and .skip_reason == "name-taken" and .sha256 == $s' taken >/dev/null ||
  die "name-taken item: $(cat taken)"

# the timeline reads the archive like any other
LC_ALL=C LANG= expect_status 0 casefile timeline build --db t.db --trust k.pub out.tar.zst

# Owner names come from the image's /etc/passwd and /etc/group and go into
# pax headers: one that is not UTF-8 is kept escaped, and the file of that
# owner is collected like any other.
mkdir -p img/etc img/var/log
echo owned >img/var/log/owned.log
uid=$(id -u) gid=$(id -g)
if [ "$uid" = 0 ]; then
  uid=4321 gid=4321
  chown 4321:4321 img/var/log/owned.log || die "chown"
fi
printf 'root:x:0:0::/root:/bin/sh\n\377evil:x:%s:%s::/:/bin/sh\n' $uid $gid >img/etc/passwd
printf 'root:x:0:\n\377grp:x:%s:\n' $gid >img/etc/group
LC_ALL=C LANG= expect_status 0 casefile collect --root img -o img.tar.zst --key k.key /var/log/owned.log
tar --zstd -tvf img.tar.zst evidence/paths/var/log/owned.log | grep -q ' %FFevil/%FFgrp ' ||
  die "owner names: $(tar --zstd -tvf img.tar.zst)"

# The same for a database snapshot, whose member name is the database's
# path: a name that cannot be a member name (a tab, here) is hashed and
# recorded, and the collection goes on.
sqlite3 "$(printf 'db\there.sqlite')" 'CREATE TABLE t(x); INSERT INTO t VALUES (1);' || die "db"
cat >db.yaml <<YAML
profile: odd
sources:
  - id: db
    type: sqlite
    path: "$(pwd)/db\there.sqlite"
YAML
expect_status 0 casefile collect -o db.tar.zst --key k.key --profile db.yaml --json
member db.tar.zst casefile/items.jsonl | jq -c 'select(.source == "db")' >dbitem
jq -e '.member == null and .skip_reason == "unstorable-name" and (.sha256 | length) == 64' dbitem \
  >/dev/null || die "snapshot item: $(cat dbitem)"
