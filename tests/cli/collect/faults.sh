# Injected faults (CASEFILE_FAULT: the Nth allocation, spool write or fsync
# fails) end a collection with exit 3 and a message, never a crash, and
# never leave OUT or OUT.partial behind; a run that gets past the fault
# writes a valid archive.
. "$CLI_LIB"; . "$CASE_DIR/common.bash"
newkey k
mkdir src
for i in 1 2 3; do seq 1 $((i * 1000)) > src/f$i.log; done
head -c 5000000 /dev/urandom > src/big.bin   # spooled
check() {
  local fault=$1 st
  rm -f out.tar.zst
  CASEFILE_FAULT=$fault casefile collect --quiet -o out.tar.zst --key k.key src >/dev/null 2>err
  st=$?
  case $st in
    0) recipe out.tar.zst k.pub ;;
    3) [ ! -e out.tar.zst ] || die "$fault: exit 3 but out.tar.zst exists"
       [ -s err ] || die "$fault: exit 3 without a message" ;;
    *) cat err >&2; die "$fault: exit status $st" ;;
  esac
  [ ! -e out.tar.zst.partial ] || die "$fault: partial file left"
  echo $st
}
failed=0
for n in $(seq 1 70); do [ "$(check alloc:$n)" = 3 ] && failed=$((failed + 1)); done
[ $failed -gt 20 ] || die "only $failed allocation faults were noticed"
[ "$(check write:1)" = 3 ] || die "a failed spool write went unnoticed"
[ "$(check fsync:1)" = 3 ] || die "a failed fsync went unnoticed"
