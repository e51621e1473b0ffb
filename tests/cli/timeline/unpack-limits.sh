# SPDX-License-Identifier: Apache-2.0
# Rotated logs inside an archive get the archive's expansion bound: once
# 16 MiB are out, no more than 1000 times the compressed bytes. A zstd and
# a gzip bomb (a log line, then 200 MiB of spaces) are each stopped with a
# reject naming the limit, and the build goes on; a log of exactly 16 MiB that compresses far
# beyond 1000:1 parses whole, the same plus one line stops at the bound.
# Concatenated gzip streams (`cat a.gz b.gz`) are read to the end.
source "$CLI_LIB"
F=$FIXTURES/timeline
mkdir -p root/var/log
line=$(printf 'Mar  1 10:00:00 ehr01 app[1]: %0993d' 0)   # 1023 bytes
# a bomb reads as text, or it is not parsed (nor decompressed) at all
bomb() { echo "$line"; head -c 200M /dev/zero | tr '\0' ' '; }
bomb | zstd -q -1 >root/var/log/bomb.log.1.zst
bomb | gzip -9 >root/var/log/bomb.log.2.gz
yes "$line" | head -n 16384 | zstd -q -1 >root/var/log/under.log.1.zst
yes "$line" | head -n 16385 | zstd -q -1 >root/var/log/over.log.1.zst
{ echo 'Mar  1 10:00:01 ehr01 app[1]: first' | gzip
  echo 'Mar  1 10:00:02 ehr01 app[1]: second' | gzip; } >root/var/log/cat.log.1.gz
openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null
openssl pkey -in k.pem -pubout -out k.pub
bash "$F/make-archive.sh" a.tar.zst k.pem root var/log/bomb.log.1.zst:system-log \
  var/log/bomb.log.2.gz:system-log var/log/under.log.1.zst:system-log \
  var/log/over.log.1.zst:system-log var/log/cat.log.1.gz:system-log || die make-archive
expect_status 0 casefile timeline build --db t.db --trust k.pub a.tar.zst
q() { sqlite3 t.db "$1"; }
for m in bomb.log.1.zst bomb.log.2.gz over.log.1.zst; do
  q "select reason from rejects where member = 'evidence/files/var/log/$m'" |
    grep -q 'decompression stopped after [0-9]* bytes: expands beyond 1000:1' ||
    die "$m not stopped: $(q "select reason from rejects where member like '%$m'")"
done
[ "$(q "select count(*) from events where member like '%under.log.1.zst'")" = 16384 ] || die "under: events"
[ "$(q "select count(*) from rejects where member like '%under.log.1.zst'")" = 0 ] || die "under: rejects"
[ "$(q "select group_concat(message, ',') from events where member like '%cat.log.1.gz'")" = "first,second" ] \
  || die "concatenated gzip: $(q "select message from events where member like '%cat.log.1.gz'")"
