# SPDX-License-Identifier: Apache-2.0
# Sourced by the ClickHouse CLI tests (tests/cli/clickhouse) after the CLI
# library: use the two-shard cluster .ci/run started (its URL in
# CASEFILE_CLICKHOUSE, its shards in CASEFILE_CLICKHOUSE_SHARDS) or start
# one of this test's own on loopback, stopped by pid when the test exits.
# Sets first (host:port of shard 1), shards (both, comma-separated), db (a
# database name of this test's own), ch (the store URL for --db) and chq
# (chq HOST:PORT SQL: one query over HTTP).
ch_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -n "${CASEFILE_CLICKHOUSE:-}" ]; then
  shards=$CASEFILE_CLICKHOUSE_SHARDS
  first=${shards%%,*}
else
  port=$((20000 + RANDOM % 20000))
  "$ch_here/cluster.sh" start "$PWD/ch" "$port" >/dev/null || die "cannot start ClickHouse"
  trap '"$ch_here/cluster.sh" stop "$PWD/ch"' EXIT
  first=127.0.0.1:$port
  shards=127.0.0.1:$port,127.0.0.1:$((port + 10))
fi
db=cf_test_$$_$RANDOM
ch="clickhouse://$first/$db?cluster=casefile2&shards=$shards"
chq() { curl -sS "http://$1/" --data-binary "$2"; }
