# A drill ended before some expected actions are due scores those actions
# "pending", not "missed": they count neither for nor against the score and
# are no gap in the after-action report. One whose time has passed
# unrecorded is missed.
. "$CLI_LIB"
expect_status 0 casefile drill start -d d insider-snooping-celebrity
expect_status 0 casefile drill decide -d d triage --by 'Avery Lee'           # T+0:00, due T+2:00
expect_status 0 casefile drill inject -d d --advance PT5H                    # clock T+5:00
expect_status 0 casefile drill end -d d --json
# contain was due at T+4:00: missed; collect-evidence (T+8:00), law-enforcement
# (P2D), risk-assessment and is-breach (P10D) were not yet due.
jq -e '[.expected[] | .result] == ["on time","missed","pending","pending","pending","pending"]' out \
  >/dev/null || { cat out; die "an action not yet due was scored as missed"; }
# 10 earned of triage 10 + contain 20
jq -e '.points == 10 and .max_points == 30 and .score == 33.3' out >/dev/null || { cat out; die "score"; }
jq -e '[.improvement_plan[].step] == ["contain"]' out >/dev/null || die "plan lists a pending action"
expect_grep '^- \*\*Score: 33.3 / 100\*\* \(10 of 30 points\): 1 on time, 0 late, 0 wrong, 1 missed of 6 expected actions; 4 not yet due' d/after-action.md
expect_grep '^- `contain` .*never done' d/after-action.md
if grep -q 'collect-evidence.*never done' d/after-action.md; then die "pending action listed as a gap"; fi
expect_status 0 casefile drill status -d d
expect_grep '^collect-evidence +T\+8:00 +- +pending ' out
