# SPDX-License-Identifier: Apache-2.0
# The text index of a new store is built by a second connection on its own
# thread while the writer builds the other indexes, then copied into the
# store (src/db_sqlite_textbuild.c). It must be the index that FTS5's
# 'rebuild' makes: FTS5's integrity-check against the events passes, its
# shadow tables hold the same rows as a copy of the store rebuilt by
# sqlite3, MATCH answers the same there and agrees with a scan of the
# messages, and `timeline query --text` agrees with grep. Nothing is left
# beside the store. Events: loghub's OpenSSH and Linux samples (4,000 real
# lines, tests/fixtures/timeline/loghub).
. "$CLI_LIB"
L=$FIXTURES/timeline/loghub
casefile key generate k >/dev/null 2>&1 || die "key"
mkdir src
cp "$L/OpenSSH_2k.log" src/auth.log
cp "$L/Linux_2k.log" src/messages
casefile collect --quiet -o a.tar.zst --key k.key src >/dev/null 2>&1 || die "collect"
casefile timeline build --db t.db --trust k.pub a.tar.zst >/dev/null 2>err || { cat err >&2; die "build"; }
[ "$(ls | grep '^t\.db')" = t.db ] || { ls >&2; die "files beside the store"; }
n=$(sqlite3 t.db "select count(*) from events where message is not null")
[ "$n" -gt 3900 ] || die "only $n messages"

fts() { sqlite3 "$1" "insert into events_text(events_text, rank) values('integrity-check', 1)"; }
fts t.db || die "integrity-check of the text index"
# the check can fail: an index short of a page of terms
cp t.db broken.db
sqlite3 broken.db "delete from events_text_data where id = (select max(id) from events_text_data)" ||
  die "breaking a copy"
fts broken.db 2>/dev/null && die "integrity-check passes a broken index"

# the same shadow tables as sqlite3's own 'rebuild' of a copy
cp t.db ref.db
sqlite3 ref.db "insert into events_text(events_text) values('rebuild')" || die "rebuild"
for tb in events_text_data events_text_idx events_text_config; do
  d=$(sqlite3 t.db "attach 'ref.db' as r;
    select (select count(*) from main.$tb), (select count(*) from r.$tb),
      (select count(*) from (select * from main.$tb except select * from r.$tb)),
      (select count(*) from (select * from r.$tb except select * from main.$tb))")
  case $d in 0\|*) die "$tb is empty" ;; esac
  [ "${d#*|*|}" = "0|0" ] && [ "${d%%|*}" = "$(cut -d'|' -f2 <<<"$d")" ] ||
    die "$tb differs from a rebuild: $d"
done
[ "$(sqlite3 t.db "select v from events_text_config where k = 'hashsize'")" = 67108864 ] ||
  die "text index hashsize"
sqlite3 t.db "select sql from sqlite_schema where name = 'events_text'" |
  grep -q "trigram case_sensitive 1" || die "the text index folds case"

# MATCH: the same rows as after the rebuild; for a trigram alone, the
# messages that hold it
match() { sqlite3 "$1" "select rowid from events_text where events_text match '$2' order by rowid"; }
for q in Acc pam 'ro"' 173 'f=0' ' fo' Zq9; do
  match t.db "\"${q//\"/\"\"}\"" >got || die "MATCH $q"
  match ref.db "\"${q//\"/\"\"}\"" >want
  cmp -s got want || die "MATCH $q: other rows than after a rebuild"
  sqlite3 t.db "select id from events where instr(message, '$q') > 0 order by id" >scan
  cmp -s got scan || die "MATCH $q: other rows than the messages holding it"
done
for q in '"ssh" AND "shd"' '"Inv" AND "ali" AND "use"' '"ker" OR "nel"' '"roo" NOT "ssh"'; do
  match t.db "$q" >got || die "MATCH $q"
  match ref.db "$q" >want
  [ -s got ] && cmp -s got want || die "MATCH $q: other rows than after a rebuild"
done

# timeline query --text: grep's answer over the messages (case folded)
sqlite3 t.db "select coalesce(message, '') from events" >messages
for t in 'Failed password' sshd 'authentication failure' 'ro' 'ZZQ' 'session opened for user'; do
  want=$(grep -ciF -- "$t" messages || true)
  got=$(casefile timeline query --db t.db --format jsonl --text "$t" | wc -l)
  [ "$got" = "$want" ] || die "--text '$t': $got, grep: $want"
done
