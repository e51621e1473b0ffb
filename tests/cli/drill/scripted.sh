# A scripted drill of a shipped scenario: injects revealed on the simulated
# clock, decisions recorded with their simulated times, scoring (on time,
# late, wrong, missed) and the after-action report in Markdown and JSON.
. "$CLI_LIB"
expect_status 0 casefile drill start -d d insider-snooping-celebrity
expect_grep '^\[T\+0:00 2026-03-04T09:30:00.000000Z\] INJECT alert: ' out
expect_status 0 casefile drill decide -d d triage --by 'Avery Lee' --note 'roles assigned'
expect_status 0 casefile drill inject -d d
expect_grep 'INJECT more-records' out
expect_status 0 casefile drill inject -d d --advance PT5H
expect_grep 'INJECT press-call' out
expect_status 0 casefile drill decide -d d contain --by 'Jo Park'        # T+6:00, due T+4:00: late
expect_status 0 casefile drill decide -d d collect-evidence --by 'Kim Novak' --at PT5H30M  # on time
expect_status 0 casefile drill decide -d d law-enforcement --answer yes --by 'Dana Reyes'  # wrong
expect_status 0 casefile drill status -d d --json
jq -e '[.expected[] | .result] == ["on time","late","on time","wrong","pending","pending"]' out >/dev/null ||
  { cat out; die "unexpected interim scoring"; }
# usage and input errors
expect_status 3 casefile drill decide -d d is-breach            # a decision needs an answer
expect_grep 'is a decision' err
expect_status 3 casefile drill decide -d d no-such-step
expect_status 3 casefile drill decide -d d triage --by 'Mallory'
expect_status 3 casefile drill decide -d d triage --at P3D       # after the clock
expect_status 2 casefile drill inject -d d --answer yes
# past the last deadline (P10D), so what was never recorded is missed
expect_status 0 casefile drill inject -d d --advance P10D
expect_status 0 casefile drill end -d d --json
# 10 + 10 (late contain) + 20 + 0 + 0 + 0 = 40 of 100
jq -e '.score == 40 and .points == 40 and .max_points == 100' out >/dev/null || { cat out; die "score"; }
jq -e '[.expected[] | .result] == ["on time","late","on time","wrong","missed","missed"]' out >/dev/null ||
  die "final scoring"
jq -e '.improvement_plan | length == 4 and all(has("action") and has("owner") and has("due"))' out >/dev/null ||
  die "improvement plan"
jq -e '.improvement_plan[0].owner == "security-lead (Jo Park)"' out >/dev/null || die "plan owner"
md=d/after-action.md
for h in '^# After-action report: ' '^## Summary$' '^## Timeline of injects and decisions$' \
         '^## Score$' '^## Strengths$' '^## Gaps$' '^## Improvement plan$' \
         '^- \*\*Score: 40.0 / 100\*\*' '\| T\+6:00 \| decision: `contain` \|' \
         '^- `law-enforcement` .*answered yes, the right answer was no' \
         '^\| 1 \| Shorten the path to `contain`.* \| security-lead \(Jo Park\) \| [0-9]{4}-[0-9]{2}-[0-9]{2} \|$'; do
  expect_grep "$h" "$md"
done
jq -e '.score == 40' d/after-action.json >/dev/null || die "after-action.json"
# an ended drill takes no more decisions
expect_status 3 casefile drill decide -d d triage
expect_grep 'has ended' err
