# `casefile help key` prints the same usage as `casefile key --help`; an
# unknown command in `help` is a usage error.
source "$CLI_LIB"
expect_status 0 casefile help key
expect_grep '^usage: casefile key generate \[--force\] \[--passphrase-file FILE\] \[--json\] PREFIX$' out
expect_grep '^       casefile key fingerprint \[--passphrase-file FILE\] \[--json\] KEYFILE$' out
cp out via_help
expect_status 0 casefile key --help
cmp -s out via_help || die "'casefile key --help' differs from 'casefile help key'"
expect_status 0 casefile key -h
cmp -s out via_help || die "'casefile key -h' differs"
expect_status 2 casefile help nosuch
expect_grep "^casefile help: no command 'nosuch'" err
