# Global options may come before the command or among its arguments.
source "$CLI_LIB"
expect_status 0 casefile --quiet key generate k
[ -s err ] && die "--quiet still printed: $(cat err)"
expect_status 0 casefile key generate --progress --force k
expect_grep '^casefile key generate: wrote k.key' err
exit 0
