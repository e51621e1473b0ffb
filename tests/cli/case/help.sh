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
# Usage errors exit 2 and name the problem.
: >x.log
expect_status 2 casefile seal
expect_status 2 casefile seal --key k x.log y.log
expect_status 2 casefile seal --interval 0 x.log
expect_status 2 casefile verify --log x.log
expect_grep 'give --trust PUB and --log LOG' err
expect_status 2 casefile verify --trust k.pub --proof p.json --log x.log
expect_status 2 casefile verify --custody --bogus
expect_status 2 casefile disclose --log x.log --lines 1
expect_status 2 casefile disclose --log x.log --archive a.tar --lines 1 -o p.json
expect_status 2 casefile add
