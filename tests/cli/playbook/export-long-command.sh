# The CACAO export carries a step's command whole, however long: a run
# step with an argument of 5000 bytes (a long filter, a list of hosts)
# and an action with a title as long were once cut at 4095 bytes.
. "$CLI_LIB"
long=$(head -c 5000 /dev/zero | tr '\0' 'a')
cat >pb.yaml <<Y
id: long-command
title: A long command
roles: [ic]
steps:
  - id: fp
    kind: run
    title: Fingerprint
    owner: ic
    run: [key, fingerprint, "$long.pub"]
    next: note
  - id: note
    kind: action
    title: "T$long"
    owner: ic
Y
expect_status 0 casefile playbook validate pb.yaml
expect_status 0 casefile playbook export --cacao -o out.json pb.yaml
want_run="casefile key fingerprint $long.pub"
[ "$(jq -r '[.workflow[] | .commands[]?.command][0]' out.json)" = "$want_run" ] ||
  die "the run step's command is not whole"
[ "$(jq -r '[.workflow[] | .commands[]?.command][1]' out.json)" = "T$long" ] ||
  die "the action's command (its title) is not whole"
