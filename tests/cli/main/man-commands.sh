# Every command of the dispatch table (as `casefile --help` lists it) is
# documented in man/casefile.1 and answers `casefile help COMMAND`.
source "$CLI_LIB"
man1="$FIXTURES/../../man/casefile.1"
[ -f "$man1" ] || die "no man/casefile.1"
expect_status 0 casefile --help
cmds=$(sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p' out)
[ -n "$cmds" ] || die "no commands in --help"
for c in $cmds; do
  grep -qx "\.B $c" "$man1" || die "man/casefile.1 does not list '$c'"
  casefile help "$c" >help.out 2>help.err || die "'casefile help $c' failed: $(cat help.err)"
  grep -Eq "^usage: casefile( $c)? " help.out || die "'casefile help $c' does not show its usage"
done
