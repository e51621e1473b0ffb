# Crash safety of sealing: seal --follow is killed with SIGKILL again and
# again while the log grows; write and fsync faults are injected into
# seals. Afterwards the seal verifies, and one more seal covers every line.
# SIGTERM ends --follow cleanly with a final seal.
. "$CLI_LIB"
casefile key generate k >/dev/null 2>&1 || die "key"
seq 1 10 | sed 's/^/request id=/' >app.log
casefile seal --key k.key app.log >/dev/null || die "first seal"
writer() {
  local i=10
  while :; do
    seq $((i + 1)) $((i + 500)) | sed 's/^/request id=/' >>app.log
    i=$((i + 500))
    sleep 0.01
  done
}
writer & wpid=$!
for round in $(seq 1 12); do
  casefile seal --key k.key --follow --interval 0.01 app.log >/dev/null 2>&1 & spid=$!
  sleep "0.0$((RANDOM % 9 + 1))"
  kill -9 $spid 2>/dev/null; wait $spid 2>/dev/null
  casefile verify --trust k.pub --log app.log >out 2>err ||
    { cat out err; kill $wpid; die "verify failed after kill $round"; }
done
kill $wpid; wait $wpid 2>/dev/null
casefile seal --key k.key app.log >/dev/null || die "re-run after kills"
casefile verify --trust k.pub --log app.log --json >v.json || die "final verify"
jq -e --argjson n "$(wc -l <app.log)" '.ok and .sealed_lines == $n and .unsealed_lines == 0' \
  v.json >/dev/null || { cat v.json; die "not everything sealed"; }

# Faults: a failing write or fsync leaves the seal as it was.
seq 1 100 | sed 's/^/more /' >>app.log
cp app.log.seal before.seal
for f in write:1 fsync:1 alloc:5 alloc:50; do
  CASEFILE_FAULT=$f casefile seal --key k.key app.log >out 2>err && continue
  cmp -s before.seal app.log.seal || die "$f changed the seal after failing"
  casefile verify --trust k.pub --log app.log >/dev/null || die "$f broke the seal"
done
casefile seal --key k.key app.log >/dev/null || die "seal after faults"

# SIGTERM: a clean exit after a last seal.
seq 1 10 | sed 's/^/last /' >>app.log
casefile seal --key k.key --follow --interval 30 app.log >out 2>err & spid=$!
sleep 0.5; kill -TERM $spid; wait $spid; rc=$?
[ $rc = 0 ] || die "seal --follow exited $rc on SIGTERM"
casefile verify --trust k.pub --log app.log --json >v.json || die "verify after TERM"
jq -e '.unsealed_lines == 0' v.json >/dev/null || die "last lines not sealed"
