# SPDX-License-Identifier: Apache-2.0
# wtmp, a rotated wtmp.1, btmp and lastlog collected with the shipped
# profile from a host tree become login, logout, boot, failed-login and
# last-login events, with actor, tty and address, and no reject. The files
# and the facts checked are those of tests/fixtures/timeline/utmp/SOURCE.md
# (read off last, lastb and lastlog).
source "$CLI_LIB"
u="$FIXTURES/timeline/utmp"
mkdir -p root/etc root/var/log
echo web01 > root/etc/hostname
cp "$u/wtmp" "$u/btmp" "$u/lastlog" root/var/log/
cp "$u/util-linux-wtmp-ipv6" root/var/log/wtmp.1
expect_status 0 casefile key generate k
expect_status 0 casefile collect -o c.tar.zst --key k.key --profile linux-ehr-ai-host --root root
expect_status 0 casefile timeline build --db c.db --trust k.pub --json c.tar.zst
q() { sqlite3 -separator '|' c.db "$1"; }
[ "$(q "select count(*) from events where source = 'wtmp' and member like '%/var/log/wtmp'")" = 13 ] || die "wtmp events: $(q "select source, member, count(*) from events group by 1, 2")"
[ "$(q "select count(*) from events where source = 'wtmp' and member like '%/var/log/wtmp.1'")" = 2 ] || die "wtmp.1 events"
[ "$(q "select count(*) from events where source = 'btmp' and action = 'login' and outcome = 'failure'")" = 6 ] || die "btmp events"
[ "$(q "select count(*) from events where source = 'lastlog' and action = 'last-login'")" = 4 ] || die "lastlog events"
[ "$(q "select count(*) from rejects where member like '%tmp%' or member like '%lastlog%'")" = 0 ] || die "rejects: $(q 'select * from rejects')"
# alice's logout at record 6 takes her login's user and address
[ "$(q "select actor, src_ip, ts_us from events where source = 'wtmp' and action = 'logout' and line = 6 and member like '%/wtmp'")" = "alice|203.0.113.50|1772361902000000" ] || die "logout of alice"
[ "$(q "select count(*) from events where source = 'btmp' and src_ip = '203.0.113.77' and actor = 'admin'")" = 2 ] || die "failed logins of admin"
[ "$(q "select actor, src_ip, offset from events where source = 'lastlog' and line = 1002")" = "uid:1001|2001:db8:4::17|292292" ] || die "lastlog of uid 1001"
[ "$(q "select count(*) from events where source = 'wtmp' and action = 'boot'")" = 2 ] || die boots
# A sparse lastlog with a large uid (nobody, 65534: 19 MB of holes) is
# stored as a pax sparse member (collect): the archive verifies (its holes
# once counted against verify's 1000:1 bound, and the profile only hashed
# such a lastlog) and the timeline has its one last login.
mkdir -p big/etc big/var/log
echo web02 > big/etc/hostname
truncate -s $((65534 * 292)) big/var/log/lastlog
head -c 292 "$u/lastlog" >> big/var/log/lastlog
expect_status 0 casefile collect -o big.tar.zst --key k.key --profile linux-ehr-ai-host --root big
expect_status 0 casefile verify --trust k.pub big.tar.zst
tar --zstd -xOf big.tar.zst casefile/items.jsonl > big.items
jq -se 'map(select(.path == "/var/log/lastlog")) | length == 1 and .[0].member != null
  and .[0].skip_reason == null and .[0].size == 65535 * 292' big.items >/dev/null \
  || die "large lastlog: $(grep lastlog big.items)"
expect_status 0 casefile timeline build --db big.db --trust k.pub --json big.tar.zst
[ "$(sqlite3 big.db "select count(*), min(line) from events where source = 'lastlog'")" = "1|65535" ] ||
  die "large lastlog events: $(sqlite3 big.db "select line, actor from events where source = 'lastlog'")"
