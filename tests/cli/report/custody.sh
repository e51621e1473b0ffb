# The chain-of-custody report lists every entry and every archive of a
# case with its SHA-256, in HTML, Markdown and JSON; a custody line that
# does not parse is an error naming the file and line.
. "$CLI_LIB"
mkdir -p case/evidence
printf '{"case_id":"CASE-7","examiner":"J. Doe <jd@example.org>"}\n' >case/case.json
cat >case/custody.jsonl <<'JSONL'
{"seq":1,"time":"2026-03-04T10:00:00.000000Z","actor":"SHA256:aa","action":"init","subject":null,"note":"case opened","prev":null,"sig":"x"}
{"seq":2,"time":"2026-03-04T10:05:00.000000Z","actor":"SHA256:aa","action":"add","subject":"3f6a1c0e","note":"<b>ehr-1</b>","prev":"y","sig":"z"}
JSONL
printf 'archive bytes\n' >case/evidence/ehr-1.tar.zst
want=$(sha256sum case/evidence/ehr-1.tar.zst | cut -d' ' -f1)
expect_status 0 casefile report custody --case case -o custody.html
expect_grep 'Chain of custody: case CASE-7' custody.html
expect_grep 'J. Doe &lt;jd@example.org&gt;' custody.html
expect_grep '&lt;b&gt;ehr-1&lt;/b&gt;' custody.html
expect_grep "$want" custody.html
expect_grep '2 entries from 2026-03-04T10:00:00.000000Z to 2026-03-04T10:05:00.000000Z' custody.html
expect_status 0 casefile report custody --case case -o custody.json --json
jq -e '.custody.entries == 2 and .custody.actions.add == 1' out >/dev/null || die "bad --json: $(cat out)"
jq -e --arg h "$want" '.archives[0].file_sha256 == $h and (.entries | length) == 2' custody.json >/dev/null \
  || die "custody.json wrong"
expect_status 0 casefile report custody --case case -o custody.md
expect_grep '^\| 2 \| 2026-03-04T10:05:00.000000Z' custody.md
printf '{"seq":3,"time":\n' >>case/custody.jsonl
expect_status 3 casefile report custody --case case -o bad.html
expect_grep 'custody.jsonl:3' err
[ ! -e bad.html ] || die "a failed run wrote bad.html"
