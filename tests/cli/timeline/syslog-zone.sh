# SPDX-License-Identifier: Apache-2.0
# Year-less syslog times are converted with the host's zone rules, named in
# collection.json (collect reads /etc/timezone), daylight saving time applied
# per line: lnav's real log of the night US clocks went back (2019-11-03,
# tests/fixtures/timeline/syslog/SOURCE.md). With the offset at collection
# time only (-08:00, PST), the first five lines (PDT) were an hour late.
source "$CLI_LIB"
# the zone's rules from the fixture, whatever this machine's tzdata
mkdir -p zi/America && cp "$FIXTURES/tz/America_Los_Angeles" zi/America/Los_Angeles
export TZDIR=$PWD/zi
expect_status 0 casefile key generate k
mkdir -p h/etc h/var/log
echo America/Los_Angeles > h/etc/timezone
cp "$FIXTURES/timeline/syslog/lnav_logfile_dst.0" h/var/log/syslog
touch -d '2019-11-03 10:30:00 UTC' h/var/log/syslog
expect_status 0 casefile collect -o a.tar.zst --key k.key --root h /var/log /etc/timezone
expect_status 0 casefile timeline build --db t.db --trust k.pub a.tar.zst
expect_status 0 casefile timeline query --db t.db --format jsonl
grep '"ASL Sender' out > ev.jsonl || die "no syslog events"
[ "$(wc -l < ev.jsonl)" = 10 ] || die "expected 10 events"
first=$(head -1 ev.jsonl | jq -r '.time')
sixth=$(sed -n 6p ev.jsonl | jq -r '.time')
[ "$first" = 2019-11-03T08:01:03.000000Z ] || die "first line at $first"
[ "$sixth" = 2019-11-03T09:24:56.000000Z ] || die "sixth line at $sixth"
head -1 ev.jsonl | grep -q 'America/Los_Angeles' || die "no tz_name"
