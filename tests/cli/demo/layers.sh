# The demo generator's files call only files of lower layers (the table in
# demo/README.md), so no dependency cycle between them can come back: every
# undefined symbol of a member of libcf_demo.a that another member defines is
# one call (or table read), and it must go strictly down the table.
source "$CLI_LIB"
readme="$FIXTURES/../../demo/README.md"
lib="$(dirname "$CASEFILE_BIN")/libcf_demo.a"
[ -f "$readme" ] || die "no demo/README.md"
[ -f "$lib" ] || die "no libcf_demo.a beside the casefile binary"
command -v nm >/dev/null || die "nm is needed"

# file -> layer, from the README's table rows "| N | a.c b.c | ... |".
sed -n 's/^| \([0-9][0-9]*\) | \([^|]*\) |.*/\1 \2/p' "$readme" |
  while read -r n files; do
    for f in $files; do echo "$f $n"; done
  done >layers
[ -s layers ] || die "no layer table in demo/README.md"

nm -A "$lib" 2>/dev/null |
  sed -n 's/^[^:]*:\([^:]*\)\.o: *\([0-9a-f]* \)\{0,1\}\([A-Za-z]\) \(.*\)$/\1 \3 \4/p' >syms
grep -q ' T ' syms || die "no symbols read from $lib"
awk '$2 ~ /^[TDRB]$/ {print $3, $1}' syms | sort -u >defs
awk '$2 == "U" {print $3, $1}' syms | sort -u >uses
join defs uses | awk '$2 != $3 {print $3, $2, $1}' | sort -u >edges
[ -s edges ] || die "no calls between the demo files found"

bad=0
for f in $(cut -d' ' -f2 defs | sort -u); do
  grep -q "^$f " layers || { echo "FAIL: $f is in no layer of demo/README.md" >&2; bad=1; }
done
while read -r from to sym; do
  lf=$(awk -v f="$from" '$1 == f {print $2}' layers)
  lt=$(awk -v f="$to" '$1 == f {print $2}' layers)
  [ -n "$lf" ] && [ -n "$lt" ] || continue
  if [ "$lf" -le "$lt" ]; then
    echo "FAIL: $from (layer $lf) uses $sym of $to (layer $lt)" >&2
    bad=1
  fi
done <edges
exit $bad
