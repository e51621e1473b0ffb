# A folder that already holds a generated host is never overwritten.
source "$CLI_LIB"
expect_status 0 casefile demo gen --generate-only --scenario faulty-model-version
sum1=$(cat gen/host/var/log/syslog | sha256sum)
expect_status 3 casefile demo gen --generate-only
expect_grep "exists" err
[ "$(cat gen/host/var/log/syslog | sha256sum)" = "$sum1" ] || die "syslog changed"
