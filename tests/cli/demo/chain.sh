# The full demo: every step either ran and succeeded or is reported skipped
# with its reason; nothing is claimed for a step that did not run.
source "$CLI_LIB"
expect_status 0 casefile demo gen --json
jq -e '(.steps | length) == 8 and
       all(.steps[]; .status == "ok" or (.status == "skipped" and (.reason | length) > 0)) and
       .steps[0].name == "key generate" and .steps[0].status == "ok"' out >/dev/null || { cat out; die "steps"; }
[ -s gen/keys/examiner.key ] && [ -s gen/keys/examiner.pub ] || die "no keys"
[ "$(stat -c %a gen/keys/examiner.key)" = 600 ] || die "key mode"
# A report path is printed only when report breach ran.
jq -e '(.report == null) == (.steps[7].status != "ok")' out >/dev/null || die "report path"
# Text mode says which steps were skipped and why.
expect_status 0 casefile demo gen2 --seed 3
expect_grep '^  ok +key generate' out
if ! casefile help timeline >/dev/null 2>&1; then
  expect_grep "^  skipped +timeline build +'casefile timeline' is not in this build" out
fi
# The command that opens its timeline names the case, whose key the viewer
# trusts for raw lines and whose custody log records the view.
if casefile help timeline >/dev/null 2>&1; then
  expect_grep '^open the timeline: casefile view --db gen2/timeline.db --incident gen2/incident.yaml -C gen2/case$' out
fi
