# Usage errors exit 2 and name what is wrong; nothing is written.
. "$CLI_LIB"
expect_status 2 casefile collect --key k.key somefile
expect_grep "missing -o" err
expect_status 2 casefile collect -o out.tar.zst somefile
expect_grep "missing --key" err
expect_status 2 casefile collect -o out.tar.zst --key k.key
expect_grep "nothing to collect" err
expect_status 2 casefile collect -o out.tar.zst --key k.key --compress lz4 x
expect_grep "none, gzip or zstd" err
expect_status 2 casefile collect --bogus
expect_grep "'--bogus' is unknown" err
[ ! -e out.tar.zst ] && [ ! -e out.tar.zst.partial ] || die "usage error wrote a file"
