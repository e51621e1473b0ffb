# `drill --help` prints the usage; a drill folder that holds no drill and a
# scenario naming a step the playbook lacks are refused with the place; a
# scenario or playbook that cannot be found is named.
. "$CLI_LIB"
expect_status 0 casefile drill --help
expect_grep '^usage: casefile drill list' out
expect_grep '^ +casefile drill start' out
expect_status 2 casefile drill
expect_status 2 casefile drill start
expect_status 3 casefile drill status -d nowhere
expect_grep "no drill in 'nowhere'" err
cat >bad.yaml <<'S'
id: bad
title: Bad scenario
playbook: insider-snooping
start: 2026-03-04T09:30:00Z
injects:
  - {id: a, at: PT1H, title: A}
  - {id: b, at: PT30M, title: B}
expected:
  - {step: no-such-step, within: PT1H}
  - {step: triage, within: P1X}
S
expect_status 3 casefile drill start -d d bad.yaml
expect_grep 'bad.yaml:7:' err
expect_grep 'bad.yaml:10:' err
expect_status 3 casefile drill start -d d2 no/such-scenario
expect_grep "cannot open scenario 'no/such-scenario'" err
expect_status 3 casefile drill start -d d3 --playbook no/such-playbook insider-snooping-celebrity
expect_grep "cannot open playbook 'no/such-playbook'" err
