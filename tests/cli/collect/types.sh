# SPDX-License-Identifier: Apache-2.0
# Each item's MIME type and description in items.jsonl are libmagic's for
# that file, though items are typed on a thread of their own and their
# entries held back until typed: files of seven kinds, interleaved and more
# numerous than the typing slots, each compared with file(1) on the same
# bytes read from a pipe (all under 64 KiB, the typed window). The order of
# entries is the order of the walk.
. "$CLI_LIB"; . "$CASE_DIR/common.bash"
newkey k
mkdir src
for i in $(seq 1 6); do
  printf '#!/usr/bin/python3\nimport sys\nprint(%d)\n' "$i" >"src/$i-a.py"
  printf 'line %d\n' "$i" | gzip -n >"src/$i-b.gz"
  : >"src/$i-c.empty"
  printf '{"n":%d}\n{"n":%d}\n' "$i" "$i" >"src/$i-d.ndjson"
  printf 'Mar  1 10:00:0%d host sshd[1]: Accepted publickey for u%d\n' "$i" "$i" >"src/$i-e.log"
  head -c 3000 /dev/urandom >"src/$i-f.bin"
  printf '#include <stdio.h>\nint main(void)\n{\n\treturn %d;\n}\n' "$i" >"src/$i-g.c"
done
expect_status 0 casefile collect --quiet -o o.tar.zst --key k.key src
expect_status 0 casefile verify --trust k.pub o.tar.zst
member o.tar.zst casefile/items.jsonl >items
[ "$(jq -s 'length' items)" = 42 ] || die "expected 42 items: $(jq -s length items)"
jq -r '[.path, .mime, .description] | @tsv' items >got
while IFS="$(printf '\t')" read -r path mime desc; do
  want_mime=$(cat "$path" | file -b --mime-type -) want_desc=$(cat "$path" | file -b -)
  [ "$mime" = "$want_mime" ] || die "$path: mime '$mime', file(1) says '$want_mime'"
  [ "$desc" = "$want_desc" ] || die "$path: description '$desc', file(1) says '$want_desc'"
done <got
# the entries follow the walk's order (names sort)
jq -r .path items >order
sort order | cmp -s - order || die "items out of order: $(cat order)"
# kinds typed by a soft rule and by the cheap checks both present
grep -q 'text/x-script.python' got && grep -q 'application/gzip' got &&
  grep -q 'application/x-empty' got || die "kinds missing: $(cut -f2 got | sort -u)"
