# SPDX-License-Identifier: Apache-2.0
# -q works after the command as before it (and as --quiet always did).
source "$CLI_LIB"
expect_status 0 casefile key generate -q k
[ -s err ] && die "-q after the command still printed: $(cat err)"
expect_status 0 casefile -q key generate --force k
[ -s err ] && die "-q before the command still printed: $(cat err)"
mkdir src && echo hello >src/a.log
expect_status 0 casefile collect -o a.tar.zst -q --key k.key src
expect_status 0 casefile verify -q --trust k.pub a.tar.zst
expect_grep '^OK a.tar.zst' out
# After "--" it is an operand again.
expect_status 3 casefile verify --trust k.pub -- -q
exit 0
