# Output that cannot be written is an error (exit 3), not a silent loss.
source "$CLI_LIB"
[ -w /dev/full ] || exit 0
casefile --version >/dev/full 2>err; st=$?
[ $st = 3 ] || die "exit $st, expected 3"
expect_grep '^casefile: cannot write to standard output: No space left on device' err
casefile help >/dev/full 2>err; st=$?
[ $st = 3 ] || die "help: exit $st, expected 3"
