# `timeline detect --progress` over a store of the demo (about 140,000
# events, half a second of rules): a progress line that counts the events
# read against the store's total, from sqlite3, with their rate; the
# findings on stdout are the same as without it, and no line is left on
# stderr when it is off.
source "$CLI_LIB"
expect_status 0 casefile -q demo d
total=$(sqlite3 d/timeline.db 'select count(*) from events')
[ "$total" -gt 100000 ] || die "demo store too small: $total events"
expect_status 0 casefile --progress timeline detect --db d/timeline.db
cp out with.txt
tr '\r' '\n' < err > lines
grep -Eq "^.*timeline detect: [0-9]+/$total items, [0-9]+ items/s" lines ||
  { cat lines >&2; die "no progress line counting $total events"; }
expect_status 0 casefile timeline detect --db d/timeline.db
cmp -s out with.txt || die "findings differ with --progress"
[ -s err ] && die "progress shown while stderr is not a terminal: $(cat err)"
exit 0
