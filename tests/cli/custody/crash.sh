# Crash safety of custody appends: `add` is killed with SIGKILL at random
# moments, and several run at once; the custody log always verifies, and
# re-running every add succeeds and leaves evidence/ matching the log (a
# kill may leave a partial copy or a file not yet recorded: the log alone
# is checked until the re-runs, the whole case after them).
. "$CLI_LIB"; . "$FIXTURES/verify/mutate.bash"
casefile key generate k >/dev/null 2>&1 || die "key"
make_source root
for i in 1 2 3 4 5 6; do
  "$MAKE_ARCHIVE" -o a$i.tar.zst -k k.key -C root $SOURCES || die "archive $i"
done
casefile init --key k.key case >/dev/null || die "init"
for round in $(seq 1 15); do
  i=$((round % 6 + 1))
  casefile add -C case a$i.tar.zst >/dev/null 2>&1 & pid=$!
  sleep "0.0$((RANDOM % 6))"
  kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  casefile verify --trust k.pub --custody case/custody.jsonl >out 2>err ||
    { cat out err; die "custody log broken after kill $round"; }
done
for i in 1 2 3 4 5 6; do
  casefile add -C case a$i.tar.zst >out 2>err || { cat err; die "re-run of add $i"; }
done
casefile verify --trust k.pub --custody case >out 2>err ||
  { cat out err; die "evidence/ does not match the log after the re-runs"; }
# Concurrent appenders serialise on the lock.
n0=$(wc -l <case/custody.jsonl)
for i in 1 2 3 4 5 6; do casefile add -C case a$i.tar.zst >/dev/null 2>&1 & done
wait
casefile verify --trust k.pub --custody case --json >v.json || { cat v.json; die "concurrent"; }
jq -e --argjson n $((n0 + 6)) '.entries == $n' v.json >/dev/null || die "entries lost"
# Faults injected into an append leave the log valid, with or without it.
for f in write:1 fsync:1 alloc:3 alloc:30 alloc:300; do
  CASEFILE_FAULT=$f casefile add -C case a1.tar.zst >/dev/null 2>&1
  casefile verify --trust k.pub --custody case >/dev/null || die "fault $f broke the log"
done
