# The chain-of-custody report of a real case lists every entry and every
# archive with its SHA-256, in HTML, Markdown and JSON, and records itself
# in the custody log with the case's key. A custody line that does not
# parse is an error naming the file and line when the log is not verified.
. "$CLI_LIB"
expect_status 0 casefile key generate ex
mkdir src && printf 'line\n' >src/app.log
expect_status 0 casefile collect -o a.tar.zst --key ex.key src/app.log
expect_status 0 casefile init --case-id CASE-7 --examiner "J. Doe <jd@example.org>" --key ex.key case
expect_status 0 casefile add -C case --trust ex.pub a.tar.zst
want=$(sha256sum case/evidence/* | cut -d' ' -f1)
[ -n "$want" ] || die "add copied nothing into evidence/"
expect_status 0 casefile report custody --case case -o custody.html
expect_grep 'Chain of custody: case CASE-7' custody.html
expect_grep 'J. Doe &lt;jd@example.org&gt;' custody.html
expect_grep "$want" custody.html
expect_grep '<p>2 entries from ' custody.html
expect_grep 'not verified \(no trusted key given with --trust\)' custody.html
# the report itself is entry 3, signed with the key recorded at init
tail -n1 case/custody.jsonl | jq -e --arg h "$(sha256sum custody.html | cut -d' ' -f1)" \
  '.seq == 3 and .action == "report-custody" and .subject == $h' >/dev/null \
  || die "report not recorded: $(tail -n1 case/custody.jsonl)"
expect_status 0 casefile verify --trust ex.pub --custody case
expect_status 0 casefile report custody --case case --trust ex.pub -o custody.json --json
jq -e '.custody.entries == 3 and .custody.actions.init == 1 and .custody.verification.ok' out >/dev/null \
  || die "bad --json: $(cat out)"
jq -e --arg h "$want" '.archives[0].file_sha256 == $h and (.entries | length) == 3' custody.json \
  >/dev/null || die "custody.json wrong"
expect_status 0 casefile report custody --case case -o custody.md
expect_grep '^\| 1 \| [0-9T:.-]+Z \| .* \| init \|' custody.md
printf '{"seq":5,"time":\n' >>case/custody.jsonl
expect_status 3 casefile report custody --case case -o bad.html
expect_grep 'custody.jsonl:6' err
[ ! -e bad.html ] || die "a failed run wrote bad.html"
