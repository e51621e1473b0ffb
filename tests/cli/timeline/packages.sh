# SPDX-License-Identifier: Apache-2.0
# Debian package logs collected from a host tree are parsed by their own
# parsers (never sent to syslog to be rejected line by line); members no
# parser reads are counted as not parsed, by type, in the summary and its
# JSON; --explain says which parser takes a member and why, writing nothing.
# Samples: tests/fixtures/timeline/packages/SOURCE.md. Expected counts are
# those of the files: 4 + 23 + 23 dpkg.log lines, 31 packages in the
# history stanzas (9 of them requested by jxs), one term.log stanza.
source "$CLI_LIB"
F="$FIXTURES/timeline/packages"
mkdir -p h/var/log/apt
cp "$F/plaso-dpkg.log" h/var/log/dpkg.log
cp "$F/ubuntu-base-dpkg.log" h/var/log/dpkg.log.1
gzip -nc "$F/ubuntu-base-dpkg.log" > h/var/log/dpkg.log.2.gz
cp "$F/plaso-apt-history.log" h/var/log/apt/history.log
cp "$F/ubuntu-base-term.log" h/var/log/apt/term.log
printf 'hello\nworld\n' > h/var/log/notes.txt         # text of no format
for i in $(seq 0 15); do printf '\x00\x01\x02\x03\x10\x11\x12\x13\xfe\xff'; done > h/var/log/blob.bin
expect_status 0 casefile key generate k
expect_status 0 casefile collect -o a.tar.zst --key k.key --root h /var/log

# --explain: nothing written, no --db needed
expect_status 0 casefile timeline build --explain '*/dpkg.log.2.gz' \
  --explain /var/log/notes.txt --explain '*nothing*' --trust k.pub a.tar.zst
[ ! -e t.db ] || die "--explain wrote a database"
expect_grep '^a.tar.zst: evidence/.*/var/log/dpkg.log.2.gz$' out
expect_grep '^  decompressed: +gzip$' out
expect_grep '^    dpkg +45 .*<- wins$' out
expect_grep '^  parser: +dpkg$' out
expect_grep '^  original path: /var/log/notes.txt$' out
expect_grep '^  not parsed: +no parser recognised its first lines$' out
expect_grep "--explain '\*nothing\*': no member matches" err
expect_status 0 casefile timeline build --explain '*apt/history.log' --trust k.pub \
  --json a.tar.zst
[ "$(jq -r '.explain | length' out)" = 1 ] || die "one member explained"
[ "$(jq -r '.explain[0].parser' out)" = apt ] || die "history.log is apt's"
[ "$(jq -r '.explain[0].category' out)" = system-log ] || die "category"
[ "$(jq -r '.explain[0].bids[0].wins' out)" = true ] || die "bids"
expect_status 2 casefile timeline query --explain x --db t.db

# the build: every line an event, the other members not parsed, by type
expect_status 0 casefile timeline build --db t.db --trust k.pub --json a.tar.zst
[ "$(jq -r '.parsers.dpkg.events' out)" = 50 ] || die "dpkg events"
[ "$(jq -r '.parsers.apt.events' out)" = 31 ] || die "apt events"
[ "$(jq -r '.parsers["apt-term"].events' out)" = 1 ] || die "term.log events"
[ "$(jq -r '.rejects' out)" = 0 ] || die "rejects: $(jq -c .parsers out)"
[ "$(jq -r '.members_not_parsed' out)" = 2 ] || die "members not parsed"
[ "$(jq -r '.not_parsed.by_type["text/plain"]' out)" = 1 ] || die "by type"
[ "$(jq -r '.not_parsed.by_type["application/octet-stream"]' out)" = 1 ] || die "by type"
jq -r '.not_parsed.members[].member' out | grep -q '/var/log/notes.txt$' ||
  die "notes.txt not listed"
expect_grep '^  not parsed: text/plain +1 member \(evidence/.*/var/log/notes.txt\)$' err
expect_status 0 casefile timeline query --db t.db --source apt --actor jxs --format csv
[ "$(tail -n +2 out | wc -l)" = 9 ] || die "jxs's package events"
expect_status 0 casefile timeline query --db t.db --source dpkg --action package-install \
  --format jsonl
[ "$(wc -l < out)" = 5 ] || die "dpkg installs"
