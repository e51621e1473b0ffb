# A cluster= URL to servers without ZooKeeper (no ON CLUSTER) and without
# shards= fails with a message that says which to add, naming the cluster,
# instead of the server's bare "no DistributedDDL configuration". Uses the
# cluster .ci/run started (its URL in CASEFILE_CLICKHOUSE) or starts one of
# its own on loopback; neither has ZooKeeper.
source "$CLI_LIB"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../clickhouse" && pwd)
if [ -n "${CASEFILE_CLICKHOUSE:-}" ]; then
  first=${CASEFILE_CLICKHOUSE_SHARDS%%,*}
else
  port=$((20000 + RANDOM % 20000))
  "$here/cluster.sh" start "$PWD/ch" "$port" >/dev/null || die "cannot start ClickHouse"
  trap '"$here/cluster.sh" stop "$PWD/ch"' EXIT
  first=127.0.0.1:$port
fi
expect_status 0 casefile key generate k
mkdir -p h/var/log && printf '<34>Oct 11 22:14:15 mymachine su: su root failed\n' > h/var/log/syslog
expect_status 0 casefile collect -o a.tar.zst --key k.key h/var/log/syslog
expect_status 3 casefile timeline build --db "clickhouse://$first/cf_nozk_$$?cluster=casefile2" --trust k.pub a.tar.zst
expect_grep 'cluster=casefile2 needs ZooKeeper' err
expect_grep 'add &shards=HOST:PORT' err
