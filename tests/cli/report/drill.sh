# The after-action report of an ended drill, from the drill engine's
# after-action.json: score, timeline, results, improvement plan; HTML, Markdown
# and JSON; participants' text escaped; a drill not yet ended is refused.
. "$CLI_LIB"
expect_status 0 casefile drill start -d d insider-snooping-celebrity
expect_status 0 casefile drill decide -d d triage --by 'Avery Lee' --note '<script>x</script> roles'
expect_status 3 casefile report drill --drill d -o aar.html
expect_grep 'has not ended' err
[ ! -e aar.html ] || die "a refused report was written"
expect_status 0 casefile drill inject -d d
expect_status 0 casefile drill inject -d d --advance PT5H
expect_status 0 casefile drill decide -d d contain --by 'Jo Park'
expect_status 0 casefile drill decide -d d law-enforcement --answer yes --by 'Dana Reyes'
expect_status 0 casefile drill end -d d
score=$(jq .score d/after-action.json)

expect_status 0 casefile report drill --drill d -o aar.html --json
jq -e --argjson s "$score" --arg n "$(jq ".improvement_plan | length" d/after-action.json)" '.score == $s and .improvement_items == ($n | tonumber) and .improvement_items > 0 and .output == "aar.html"' out \
  >/dev/null || die "--json: $(cat out)"
expect_grep "Score: <span class=\"score\">$score / 100</span>" aar.html
expect_grep '<svg xmlns="http://www.w3.org/2000/svg" role="img"' aar.html
expect_grep '<td class="r-late">late</td>' aar.html
expect_grep 'wrong \(right answer: no\)' aar.html
expect_grep 'Avery Lee \(incident-commander\): &lt;script&gt;x&lt;/script&gt; roles' aar.html
if grep -q '<script' aar.html; then die "raw markup in aar.html"; fi
expect_grep '<h2>Improvement plan</h2>' aar.html
expect_grep 'security-lead \(Jo Park\)' aar.html
expect_status 0 casefile report drill --drill d -o aar.md
expect_grep '^## Improvement plan$' aar.md
expect_grep '^\| 1 \| .* \| [0-9]{4}-[0-9]{2}-[0-9]{2} \|$' aar.md
expect_grep '\\<script\\>x\\</script\\> roles' aar.md
expect_status 0 casefile report drill --drill d -o aar.json
jq -e --argjson s "$score" '.score == $s and (.report_generated_at | test("Z$"))' aar.json >/dev/null \
  || die "aar.json"
expect_status 2 casefile report drill -o x.html
expect_grep '--drill DIR is required' err
expect_status 2 casefile report drill --drill d --case c -o x.html
expect_status 2 casefile report drill --drill d -o x.pdf --format pdf
