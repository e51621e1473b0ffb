# SPDX-License-Identifier: Apache-2.0
# A stock Debian 12 host, as a new user meets it: sshd, sudo, su and logind
# write to the systemd journal (no auth.log), logins are in wtmp and btmp,
# package changes in dpkg.log and apt's logs. Collected with the shipped
# profile and --root, every journal entry and every login record becomes an
# event, with actor, outcome and address where the source has them, and
# rejects stay under 1% of what was read. The expected figures are read off
# the fixtures with grep and utmpdump, not off casefile.
source "$CLI_LIB"
jr=$(command -v systemd-journal-remote || echo /lib/systemd/systemd-journal-remote)
[ -x "$jr" ] || die "systemd-journal-remote is not installed (debian-packages.txt [test])"
j="$FIXTURES/timeline/journal/debian12.export"
u="$FIXTURES/timeline/utmp"
p="$FIXTURES/timeline/packages"
mid=0f3c2a8e5b7d4c1e9a6b2d4f8e0c1a3b
mkdir -p h/etc h/var/log/journal/$mid h/var/log/apt
printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n' > h/etc/os-release
echo web01 > h/etc/hostname
echo Etc/UTC > h/etc/timezone
"$jr" -o h/var/log/journal/$mid/system.journal "$j" 2>jr.err || { cat jr.err >&2; die "systemd-journal-remote failed"; }
cp "$u/wtmp" "$u/btmp" h/var/log/
cp "$p/ubuntu-base-dpkg.log" h/var/log/dpkg.log
cp "$p/plaso-apt-history.log" h/var/log/apt/history.log
cp "$p/ubuntu-base-term.log" h/var/log/apt/term.log

expect_status 0 casefile key generate k
expect_status 0 casefile collect -o a.tar.zst --key k.key --profile linux-ehr-ai-host --root h
expect_status 0 casefile timeline build --db t.db --trust k.pub --json a.tar.zst
cp out build.json
q() { sqlite3 -separator '|' t.db "$1"; }
on() { q "select count(*) from events where member like '%$1' $2"; }

# every journal entry is an event
entries=$(grep -ac '^__REALTIME_TIMESTAMP=' "$j")
[ "$(on /system.journal)" = "$entries" ] || die "journal: $(on /system.journal) events for $entries entries"
# sshd failures and the login, from the journal, with actor, outcome and address
fails=$(grep -ac '^MESSAGE=Failed password for' "$j")
[ "$(on /system.journal "and message like 'Failed password for%' and outcome = 'failure' and actor is not null and src_ip is not null")" = "$fails" ] \
  || die "sshd failures: $(q "select actor, outcome, src_ip, message from events where member like '%journal' and message like 'Failed%'")"
[ "$(on /system.journal "and actor = 'fred' and outcome = 'success' and src_ip = '192.0.2.60' and message like 'Accepted publickey%'")" = 1 ] \
  || die "sshd login of fred"
# sudo: who ran what as whom, where
[ "$(on /system.journal "and actor = 'fred' and json_extract(attrs, '$.target_user') = 'root' and json_extract(attrs, '$.command') = '/usr/bin/systemctl restart nginx' and json_extract(attrs, '$.cwd') = '/home/fred'")" = 1 ] \
  || die "sudo: $(q "select actor, attrs from events where member like '%journal' and message like '%COMMAND=%'")"
# every wtmp and btmp record is an event; btmp records are failed logins
wrec=$(utmpdump "$u/wtmp" 2>/dev/null | wc -l)
brec=$(utmpdump "$u/btmp" 2>/dev/null | wc -l)
[ "$(on /var/log/wtmp)" = "$wrec" ] || die "wtmp: $(on /var/log/wtmp) events for $wrec records"
[ "$(on /var/log/btmp "and outcome = 'failure' and actor is not null")" = "$brec" ] || die "btmp: $(on /var/log/btmp) events for $brec records"
# a console login has no address; a remote one must have it
[ "$(on /var/log/wtmp "and action = 'login' and (actor is null or (coalesce(json_extract(attrs, '$.remote_host'), '') != '' and src_ip is null))")" = 0 ] \
  || die "wtmp logins without actor or address: $(q "select line, actor, src_ip from events where member like '%/wtmp' and action = 'login'")"
# package logs: each dpkg.log line is an event, none goes to syslog
[ "$(on /var/log/dpkg.log "and source = 'dpkg'")" = "$(grep -c . "$p/ubuntu-base-dpkg.log")" ] || die "dpkg.log events"
[ "$(on /var/log/apt/history.log "and source = 'apt' and actor is not null")" -gt 0 ] || die "apt history events"
[ "$(on /var/log/apt/term.log "and source = 'apt-term'")" = "$(grep -c '^Log started' "$p/ubuntu-base-term.log")" ] || die "apt term.log events"
[ "$(q "select count(*) from events where source = 'syslog' and member like '%/var/log/%'")" = 0 ] || die "a log went to syslog"
# rejects: at most 1% of what the parsers read
ev=$(q "select count(*) from events")
rj=$(q "select count(*) from rejects")
[ $((rj * 100)) -le $((ev + rj)) ] || die "$rj rejects for $ev events: $(q 'select member, line, reason from rejects limit 20')"
