# SPDX-License-Identifier: Apache-2.0
# A login record whose time fields are zero (a slot written without a
# time) is kept in the store, marked time_unknown, and left out of the
# Timesketch export with a count on stderr: Timesketch would show it as a
# login in 1970. The records with a time are all exported. The wtmp is the
# fixture of tests/fixtures/timeline/utmp (SOURCE.md) with the time of its
# third record (root's console login) set to zero by utmpdump -r.
source "$CLI_LIB"
command -v utmpdump >/dev/null || die "utmpdump (util-linux) is not installed"
u="$FIXTURES/timeline/utmp"
mkdir -p root/etc root/var/log
echo web01 > root/etc/hostname
awk 'NR == 3 { sub(/\[[0-9T:,+-]+\]$/, "[1970-01-01T00:00:00,000000+00:00]") } { print }' \
  "$u/wtmp.txt" > wtmp.txt
grep -q '^\[7\] \[00712\].*\[1970-01-01T00:00:00,000000+00:00\]$' wtmp.txt || die "fixture edit"
utmpdump -r < wtmp.txt > root/var/log/wtmp 2>/dev/null
expect_status 0 casefile key generate k
expect_status 0 casefile collect -o c.tar.zst --key k.key --profile linux-ehr-ai-host --root root
expect_status 0 casefile timeline build --db c.db --trust k.pub c.tar.zst
total=$(sqlite3 c.db "select count(*) from events where source = 'wtmp'")
[ "$total" = 13 ] || die "wtmp events: $total"
# the store keeps it, marked
[ "$(sqlite3 c.db "select count(*) from events where source = 'wtmp' and ts_us = 0 and json_extract(attrs, '$.time_unknown') = 1")" = 1 ] \
  || die "the untimed record is not marked: $(sqlite3 c.db "select ts_us, attrs from events where source = 'wtmp' and line = 3")"
expect_status 0 casefile timeline query --db c.db --format timesketch
mv out ts.jsonl
expect_grep '1 event\(s\) with no known time left out of the Timesketch export' err
epoch=$(jq -c 'select(.timestamp <= 0 or (.datetime | startswith("1970-01-01")))' ts.jsonl)
[ -z "$epoch" ] || die "an event at the epoch was exported: $epoch"
[ "$(jq -c 'select(.data_type == "wtmp")' ts.jsonl | wc -l)" = 12 ] || die "the timed wtmp records are not all exported"
# jsonl keeps every event, with its mark
expect_status 0 casefile timeline query --db c.db --format jsonl
[ "$(jq -c 'select(.attrs.time_unknown == true)' out | wc -l)" = 1 ] || die "jsonl lost the untimed event"
