# A run step's command and subcommand are whole words of the command
# table's row: one argument holding two subcommands ("generate
# fingerprint", a run of the row's list) is no subcommand, and the
# validator refuses the step instead of letting it fail mid-incident.
. "$CLI_LIB"
cat >pb.yaml <<'Y'
id: sub-words
title: Subcommands are whole words
roles: [ic]
steps:
  - id: fp
    kind: run
    title: Two subcommands in one word
    owner: ic
    run: [key, generate fingerprint, k.pub]
Y
expect_status 3 casefile playbook validate pb.yaml
expect_grep "^casefile playbook validate: pb.yaml:9:11: unknown casefile command 'key generate fingerprint'" err
# one word is fine
sed -i 's/\[key, generate fingerprint, k.pub\]/[key, fingerprint, k.pub]/' pb.yaml
expect_status 0 casefile playbook validate pb.yaml
