# `playbook --help` prints the usage on stdout and succeeds; no argument
# and an unknown subcommand are usage errors.
. "$CLI_LIB"
expect_status 0 casefile playbook --help
expect_grep '^usage: casefile playbook list' out
expect_grep 'export --cacao' out
expect_status 2 casefile playbook
expect_status 2 casefile playbook frobnicate
expect_grep "casefile playbook: unknown subcommand 'frobnicate'" err
expect_status 2 casefile playbook export insider-snooping
expect_grep 'needs --cacao' err
expect_status 2 casefile playbook validate --bogus x
expect_status 0 casefile help playbook
expect_grep '^usage: casefile playbook' out
