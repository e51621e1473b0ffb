# Usage errors exit 2 with a message naming the problem.
source "$CLI_LIB"
expect_status 2 casefile key
expect_grep '^usage: casefile key generate' err
expect_status 2 casefile key frob
expect_grep "^casefile key: unknown subcommand 'frob'" err
expect_status 2 casefile key generate
expect_grep '^casefile key generate: expected exactly one PREFIX' err
expect_grep "^Try 'casefile key generate --help'.$" err
expect_status 2 casefile key generate a b
expect_status 2 casefile key fingerprint
expect_grep 'expected exactly one KEYFILE' err
expect_status 2 casefile key generate --bogus k
expect_grep "option '--bogus' is unknown or lacks its argument" err
expect_status 2 casefile key generate k --passphrase-file
expect_grep "option '--passphrase-file' is unknown or lacks its argument" err
expect_status 2 casefile key fingerprint --force k.pub
expect_grep "^casefile key fingerprint: --force goes with 'generate'" err
[ -e k.key ] && die "a usage error wrote a key"
expect_status 0 casefile key generate --help
expect_grep '^usage: casefile key generate' out
exit 0
