#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Starts or stops a two-shard ClickHouse cluster on loopback for the tests:
# two clickhouse-server processes (Debian's package) whose data, logs and
# configuration all live in a scratch folder, each knowing the cluster
# `casefile2` made of both. Nothing is written outside that folder and the
# servers listen on 127.0.0.1 only. Queries are logged (system.query_log),
# so that tests can see what a query read.
#
#   cluster.sh start DIR [BASEPORT]   prints the HTTP URL of shard 1
#   cluster.sh stop DIR               stops both servers by their pids
set -euo pipefail
cmd=${1:?usage: cluster.sh start|stop DIR [BASEPORT]}
dir=${2:?usage: cluster.sh start|stop DIR [BASEPORT]}
base=${3:-18120}

server=$(command -v clickhouse-server || echo /usr/bin/clickhouse-server)

stop() {
  for n in 1 2; do
    f="$dir/s$n/pid"
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}

config() { # n http tcp inter
  local n=$1 http=$2 tcp=$3 inter=$4 d="$dir/s$1"
  mkdir -p "$d/data" "$d/tmp" "$d/user_files" "$d/log" "$d/format_schemas"
  cat >"$d/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage>
    <log_queries>1</log_queries></default></profiles>
  <users><default><password></password>
    <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>
  </interval></default></quotas>
</yandex>
XML
  cat >"$d/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$d/log/server.log</log><errorlog>$d/log/error.log</errorlog>
    <size>10M</size><count>2</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <interserver_http_port>$inter</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <max_concurrent_queries>50</max_concurrent_queries>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <path>$d/data/</path>
  <tmp_path>$d/tmp/</tmp_path>
  <user_files_path>$d/user_files/</user_files_path>
  <format_schema_path>$d/format_schemas/</format_schema_path>
  <users_config>$d/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
  <remote_servers>
    <casefile2>
      <shard><replica><host>127.0.0.1</host><port>$((base + 1))</port></replica></shard>
      <shard><replica><host>127.0.0.1</host><port>$((base + 11))</port></replica></shard>
    </casefile2>
  </remote_servers>
</yandex>
XML
}

case "$cmd" in
start)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  stop
  for port in "$base" $((base + 10)); do
    if curl -sf "http://127.0.0.1:$port/ping" >/dev/null 2>&1; then
      echo "port $port is already in use" >&2; exit 1
    fi
  done
  config 1 "$base" $((base + 1)) $((base + 2))
  config 2 $((base + 10)) $((base + 11)) $((base + 12))
  for n in 1 2; do
    "$server" --config-file="$dir/s$n/config.xml" --pid-file="$dir/s$n/pid" --daemon \
      >"$dir/s$n/log/stdout" 2>&1 || { cat "$dir/s$n/log/stdout" >&2; exit 1; }
  done
  for port in "$base" $((base + 10)); do
    ok=
    for _ in $(seq 1 200); do
      if curl -sf "http://127.0.0.1:$port/ping" >/dev/null 2>&1; then ok=1; break; fi
      sleep 0.1
    done
    [ -n "$ok" ] || { echo "clickhouse on port $port did not start" >&2; cat "$dir"/s*/log/error.log >&2 || true; stop; exit 1; }
  done
  for n in 1 2; do
    kill -0 "$(cat "$dir/s$n/pid" 2>/dev/null)" 2>/dev/null ||
      { echo "clickhouse server $n is not running" >&2; stop; exit 1; }
  done
  echo "http://127.0.0.1:$base"
  ;;
stop) stop ;;
*) echo "usage: cluster.sh start|stop DIR [BASEPORT]" >&2; exit 2 ;;
esac
