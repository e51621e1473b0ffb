# Usage errors exit 2 and say what is wrong.
. "$CLI_LIB"
expect_status 2 casefile verify x.tar.zst
expect_grep '^casefile verify: --trust PUB is required' err
expect_status 2 casefile verify --trust k.pub
expect_grep 'no ARCHIVE' err
expect_status 2 casefile verify --bogus --trust k.pub x.tar.zst
expect_grep 'bogus' err
expect_status 2 casefile verify x.tar.zst --key
