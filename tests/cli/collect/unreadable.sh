# An item that cannot be read is recorded (path, offset, error) in
# items.jsonl and log.jsonl and counted, and the collection goes on: exit 0.
# Reading /proc/PID/mem at offset 0 fails with EIO even for root (page 0 is
# never mapped), an honest read error after a successful open; a FIFO is
# recorded as a special file and never opened (it would block); a PATH
# argument that does not exist is unreadable.
. "$CLI_LIB"; . "$CASE_DIR/common.bash"
newkey k
mkdir src && echo fine > src/ok.log && mkfifo src/pipe
ln -s /etc/shadow src/shadow-link
sleep 60 & pid=$!
trap 'kill $pid 2>/dev/null' EXIT
expect_status 0 casefile collect -o out.tar.zst --key k.key --json /proc/$pid/mem src nope.log
jq -e '.unreadable == 2 and .items == 1' out >/dev/null || die "summary: $(cat out)"
recipe out.tar.zst k.pub
member out.tar.zst casefile/items.jsonl > items
item items /proc/$pid/mem | jq -e '.member == null and .skip_reason == "unreadable"
  and .read_errors[0].offset == 0 and (.read_errors[0].error | test("Input/output error"))' \
  >/dev/null || die "mem item: $(item items /proc/$pid/mem)"
item items "$(pwd)/src/pipe" | jq -e '.skip_reason == "special-file" and .stat.type == "fifo"' \
  >/dev/null || die "fifo item"
item items "$(pwd)/src/shadow-link" | jq -e '.skip_reason == "symlink" and
  .symlink_target == "/etc/shadow" and .member == null' >/dev/null || die "symlink item"
item items "$(pwd)/src/ok.log" | jq -e '.member != null' >/dev/null || die "ok.log not stored"
# a PATH that does not exist is an unreadable item too (a profile pattern
# that matches nothing on a host is only logged)
item items "$(pwd)/nope.log" | jq -e '.skip_reason == "unreadable" and
  (.read_errors[0].error | test("No such file"))' >/dev/null || die "missing PATH: $(cat items)"
member out.tar.zst casefile/log.jsonl | jq -c 'select(.event == "read-error")' > errs
jq -e --arg p /proc/$pid/mem '.path == $p and .offset == 0 and .level == "error"' errs >/dev/null \
  || die "log.jsonl lacks the read error: $(cat errs)"
# the human summary counts it too
rm out.tar.zst
expect_status 0 casefile collect -o out.tar.zst --key k.key /proc/$pid/mem src
expect_grep 'unreadable items: 1' err
expect_grep 'sha256sums digest: [0-9a-f]{64}$' err
