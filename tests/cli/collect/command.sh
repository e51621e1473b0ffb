# A command source runs argv without a shell and stores stdout, stderr and
# status.json (exit status, signal, timeout, duration); a command past its
# timeout is killed; a missing program is recorded, not fatal. The system
# source reads host facts without running anything.
. "$CLI_LIB"; . "$CASE_DIR/common.bash"
newkey k
cat > p.yaml <<'YAML'
profile: cmds
sources:
  - id: echo
    type: command
    argv: [sh, -c, 'echo "to out"; echo "to err" >&2; exit 3']
  - id: literal
    type: command
    argv: [echo, '$HOME; rm -rf /']
  - id: slow
    type: command
    argv: [sleep, '30']
    timeout: 1
  - id: missing
    type: command
    argv: [/nonexistent/program]
  - id: host
    type: system
YAML
expect_status 0 casefile collect -o out.tar.zst --key k.key --profile p.yaml --json
jq -e '.unreadable == 1' out >/dev/null || die "summary: $(cat out)"
recipe out.tar.zst k.pub
[ "$(member out.tar.zst evidence/echo/stdout)" = "to out" ] || die "stdout"
[ "$(member out.tar.zst evidence/echo/stderr)" = "to err" ] || die "stderr"
member out.tar.zst evidence/echo/status.json | jq -e '.exit_status == 3 and .timed_out == false and .argv[0] == "sh"' >/dev/null || die "status"
[ "$(member out.tar.zst evidence/literal/stdout)" = '$HOME; rm -rf /' ] || die "argv went through a shell"
member out.tar.zst evidence/slow/status.json | jq -e '.timed_out == true and .signal == 9 and .exit_status == null' >/dev/null || die "timeout"
member out.tar.zst casefile/items.jsonl | grep -q '"path":"/nonexistent/program".*"skip_reason":"unreadable"' || die "missing program not recorded"
member out.tar.zst casefile/log.jsonl | jq -c 'select(.event == "command")' > cmds
[ "$(wc -l < cmds)" = 4 ] || die "log.jsonl commands: $(cat cmds)"
grep -q '"exit_status":3' cmds || die "exit status not logged"
tar --zstd -tf out.tar.zst > names
for f in uname.json boot.json timesync.json users.json sockets.json processes.json; do
  grep -qx "evidence/host/$f" names || die "system fact $f missing"
done
member out.tar.zst evidence/host/processes.json | jq -e --arg pid $$ 'map(select(.pid == ($pid|tonumber))) | length == 1' >/dev/null \
  || die "this shell is not among the processes"
member out.tar.zst evidence/host/uname.json | jq -e '.sysname == "Linux"' >/dev/null || die "uname"
