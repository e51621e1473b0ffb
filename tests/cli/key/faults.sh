# Injected write, fsync and allocation failures (CASEFILE_FAULT) end with
# exit 3, a message, and no key file under its final name.
source "$CLI_LIB"
for f in write:1 write:2 fsync:1 fsync:2 fsync:3 fsync:4; do
  CASEFILE_FAULT=$f casefile key generate k >out 2>err; st=$?
  [ $st = 3 ] || die "$f: exit $st, expected 3"
  expect_grep '^casefile key generate: .+' err
  [ -z "$(ls | grep -v -e '^out$' -e '^err$')" ] || die "$f left: $(ls)"
done
n=1
while :; do
  CASEFILE_FAULT=alloc:$n casefile key generate k >out 2>err; st=$?
  if [ $st = 0 ]; then
    openssl pkey -in k.key -noout || die "alloc:$n: unreadable key written"
    rm -f k.key k.pub
    [ $n -gt 1000 ] && break
  else
    [ $st = 3 ] || die "alloc:$n: exit $st, expected 3"
    [ -s err ] || die "alloc:$n: no message"
    [ -e k.key ] || [ -e k.pub ] && die "alloc:$n: key file left"
  fi
  n=$((n + 97))
  [ $n -gt 20000 ] && break
done
exit 0
