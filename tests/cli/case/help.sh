# Every command of this area answers --help on stdout with its synopsis.
. "$CLI_LIB"
for c in init add seal disclose; do
  casefile $c --help >out 2>err || die "$c --help failed"
  expect_grep "^usage: casefile $c" out
done
for m in "--log x" "--proof x" --custody; do
  casefile verify $m --help >out || die "verify $m --help failed"
  expect_grep "^usage: casefile verify" out
done
