# --help and `help` list every command on stdout and exit 0.
source "$CLI_LIB"
expect_status 0 casefile --help
expect_grep '^usage: casefile ' out
expect_grep '^  help +show the commands' out
expect_grep '^  key +generate Ed25519 keys' out
expect_grep 'Exit status: 0 success, 1 evidence check failed, 2 usage error, 3 runtime error' out
[ -s err ] && die "stderr not empty"
cp out help1
expect_status 0 casefile help
cmp -s out help1 || die "'casefile help' differs from 'casefile --help'"
expect_status 0 casefile -h
cmp -s out help1 || die "'casefile -h' differs from 'casefile --help'"
