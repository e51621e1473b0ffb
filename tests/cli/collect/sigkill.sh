# A collection killed with SIGKILL at a random moment never leaves a file
# under the output name (at most OUT.partial), 20 times over; SIGTERM
# removes even the partial file; a later run replaces a stale partial file.
. "$CLI_LIB"; . "$CASE_DIR/common.bash"
newkey k
mkdir src
for i in $(seq 1 12); do head -c 3000000 /dev/urandom > src/blob$i; done
for i in $(seq 1 200); do seq $i 5000 > src/log$i.txt; done
for i in $(seq 1 20); do
  casefile collect --quiet -o out.tar.zst --key k.key src &
  pid=$!
  sleep "0.$(( RANDOM % 40 ))"
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  if [ -e out.tar.zst ]; then
    # the run finished before the kill: that is a complete, valid archive
    recipe out.tar.zst k.pub
    rm out.tar.zst
  fi
done
# the last SIGKILL may have left a partial file: it is not this run's
rm -f out.tar.zst.partial
casefile collect --quiet -o out.tar.zst --key k.key src &
pid=$!
sleep 0.1
kill -TERM $pid 2>/dev/null
wait $pid; st=$?
if [ $st -ne 0 ]; then
  [ ! -e out.tar.zst ] || die "SIGTERM left out.tar.zst"
  [ ! -e out.tar.zst.partial ] || die "SIGTERM left out.tar.zst.partial"
else
  rm out.tar.zst
fi
: > out.tar.zst.partial
expect_status 0 casefile collect -o out.tar.zst --key k.key src
recipe out.tar.zst k.pub
[ ! -e out.tar.zst.partial ] || die "partial file left after success"
