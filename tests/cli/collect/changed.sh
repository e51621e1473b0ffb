# A file that changes while it is read is flagged changed_during_read (and
# logged); the member holds exactly the bytes read, up to the size the
# file had when it was opened, and its digest is of those bytes.
. "$CLI_LIB"; . "$CASE_DIR/common.bash"
newkey k
mkdir src
head -c 60000000 /dev/zero | tr '\0' 'a' > src/growing.log
echo still > src/still.log
( while :; do echo "appended line" >> src/growing.log; done ) &
appender=$!
trap 'kill $appender 2>/dev/null' EXIT
sleep 0.2
expect_status 0 casefile collect -o out.tar.zst --key k.key --json src
kill $appender; wait $appender 2>/dev/null
jq -e '.changed_during_read == 1' out >/dev/null || die "summary: $(cat out)"
recipe out.tar.zst k.pub
member out.tar.zst casefile/items.jsonl > items
g=$(item items "$(pwd)/src/growing.log")
jq -e '.changed_during_read == true and .size == .stat.size and .size >= 60000000' <<<"$g" >/dev/null \
  || die "growing item: $g"
[ "$(member out.tar.zst "evidence/paths$(pwd)/src/growing.log" | sha256sum | cut -d' ' -f1)" = \
  "$(jq -r .sha256 <<<"$g")" ] || die "member bytes differ from the recorded digest"
item items "$(pwd)/src/still.log" | jq -e '.changed_during_read == false' >/dev/null || die "still.log flagged"
member out.tar.zst casefile/log.jsonl | grep -q '"event":"changed-during-read"' || die "no log warning"
