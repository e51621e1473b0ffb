# SPDX-License-Identifier: Apache-2.0
# The filters' indexes of a SQLite store (src/db_sqlite_index.c): a new
# store has an index per equality filter and the FTS5 trigram index of the
# messages, and the planner uses them; a store that grows gets the new
# messages indexed (a word only the second archive has is found); a store
# from before the text index answers the same without it, and gets it on
# its next write; one whose text index folds case gets a case-sensitive one.
# Text answers are those of an exact scan (grep -ci), with
# short texts, quotes and case.
. "$CLI_LIB"
casefile key generate k >/dev/null 2>&1 || die "key"
mkdir a b
cp "$FIXTURES"/view/auth.log a/
printf 'Mar  5 10:00:00 web app[9]: zebracorn said "hi" to Zebracorn\nMar  5 10:00:01 web app[9]: ab\n' >b/syslog
# the Kelvin sign folds to "k" in Unicode, not in lower(): "kel" is in one message
printf 'Mar  5 10:00:02 web app[9]: \342\204\252elvin sign\nMar  5 10:00:03 web app[9]: kelvin\n' >>b/syslog
casefile collect --quiet -o a.tar.zst --key k.key a >/dev/null 2>&1 || die "collect a"
casefile collect --quiet -o b.tar.zst --key k.key b >/dev/null 2>&1 || die "collect b"
casefile timeline build --db t.db --trust k.pub a.tar.zst >/dev/null 2>&1 || die "build a"

for i in events_src_ip events_host events_source events_outcome events_model events_text; do
  [ "$(sqlite3 t.db "select count(*) from sqlite_schema where name = '$i'")" = 1 ] || die "no $i"
done
# the text index keeps case (the query asks for each case variant), and
# holds 64 MiB of terms in memory before it writes a segment
sqlite3 t.db "select sql from sqlite_schema where name = 'events_text'" |
  grep -q "trigram case_sensitive 1" || die "the text index folds case"
[ "$(sqlite3 t.db "select v from events_text_config where k = 'hashsize'")" = 67108864 ] ||
  die "text index hashsize"
sqlite3 t.db "explain query plan select ts_us from events where src_ip = 'x' and ts_us > 0" |
  grep -q 'USING COVERING INDEX events_src_ip' || die "src_ip index not used"
sqlite3 t.db "explain query plan select ts_us from events where host = 'x' and ts_us > 0" |
  grep -q 'USING COVERING INDEX events_host' || die "host index not used"

# counts: timeline query --text against grep -ci over every message in the
# store (the collector's own events name the scratch folder's random path,
# so the log file alone is not the whole answer)
count() { casefile timeline query --db t.db --format jsonl --text "$1" | wc -l; }
sqlite3 t.db "select coalesce(message, '') from events" >messages
grep -qi zz a/auth.log && die "the fixture holds 'zz'"
for t in accepted ACCEPTED 'Failed password' ssh 'for root from' zz '"'; do
  want=$(grep -ciF -- "$t" messages || true)
  [ "$(count "$t")" = "$want" ] || die "--text '$t': $(count "$t"), grep: $want"
done

# the store grows: the second archive's messages are indexed too
casefile timeline build --db t.db --trust k.pub b.tar.zst >/dev/null 2>&1 || die "build b"
[ "$(count zebracorn)" = 1 ] || die "a grown store misses new messages: $(count zebracorn)"
[ "$(count 'said "hi"')" = 1 ] || die "quoted text"
[ "$(count ab)" = 1 ] || die "two characters"
for t in kel KEL Kel; do
  [ "$(count "$t")" = 1 ] || die "--text $t: $(count "$t") (only ASCII letters fold)"
done
[ "$(sqlite3 t.db "select count(*) from events_text where events_text match '\"zeb\"'")" = 1 ] ||
  die "the new message is not in the text index"

# a store from before the text index: same answers, and the index on the next write
sqlite3 t.db 'drop table events_text'
[ "$(count zebracorn)" = 1 ] || die "without the text index"
[ "$(count accepted)" = "$(grep -ci accepted a/auth.log)" ] || die "without the text index: accepted"
casefile timeline build --db t.db --trust k.pub a.tar.zst >/dev/null 2>&1 || die "build again"
[ "$(sqlite3 t.db "select count(*) from events_text where events_text match '\"zeb\"'")" = 1 ] ||
  die "the text index was not rebuilt"
[ "$(count zebracorn)" = 1 ] || die "after the rebuild"

# a store whose text index folds case (from before): the same answers,
# and a case-sensitive index on its next write
sqlite3 t.db "drop table events_text;
  create virtual table events_text using fts5(message, content='events', content_rowid='id',
    tokenize='trigram', detail=none, columnsize=0);
  insert into events_text(events_text) values('rebuild')"
[ "$(count KEL)" = 1 ] || die "with a folding index: KEL $(count KEL)"
[ "$(count accepted)" = "$(grep -ci accepted a/auth.log)" ] || die "with a folding index: accepted"
casefile timeline build --db t.db --trust k.pub b.tar.zst >/dev/null 2>&1 || die "build b again"
sqlite3 t.db "select sql from sqlite_schema where name = 'events_text'" |
  grep -q "trigram case_sensitive 1" || die "the folding text index was not replaced"
[ "$(count KEL)" = 1 ] && [ "$(count zebracorn)" = 1 ] || die "after the new text index"

# a text that many messages hold: a page of it (read along the time index)
# is the same as the same events from the whole answer (the text index)
mkdir c
awk 'BEGIN { for (i = 0; i < 25000; i++) printf "Mar  6 %02d:%02d:%02d web app[1]: common %s %d\n", i / 3600 % 24, i / 60 % 60, i % 60, (i % 7 ? "x" : "zebra"), i }' >c/syslog
casefile collect --quiet -o c.tar.zst --key k.key c >/dev/null 2>&1 || die "collect c"
casefile timeline build --db t.db --trust k.pub c.tar.zst >/dev/null 2>&1 || die "build c"
[ "$(count common)" = 25000 ] || die "common: $(count common)"
casefile timeline query --db t.db --format jsonl --text common | sed -n '1001,1050p' >whole
casefile timeline query --db t.db --format jsonl --text common --offset 1000 --limit 50 >page
[ "$(wc -l <page)" = 50 ] && cmp -s whole page || die "a page of a common text differs"
casefile timeline query --db t.db --format jsonl --text 'common zebra' --offset 10 --limit 5 >page
casefile timeline query --db t.db --format jsonl --text 'common zebra' | sed -n '11,15p' >whole
[ "$(wc -l <page)" = 5 ] && cmp -s whole page || die "a page of a less common text differs"

# a text of three ASCII characters is answered by the text index alone (no
# message read): a message changed behind the index's back still answers
# for the trigram it had, where a longer text is checked against it
sqlite3 t.db "update events set message = 'gone' where message like '%zebracorn%'"
[ "$(count '"HI')" = 1 ] || die "three characters: a message was read"
[ "$(count '"hi"')" = 0 ] || die "four characters: the message was not checked"
