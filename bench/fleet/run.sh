#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Benchmark of fleet collection (docs/fleet.md): three hosts, each a real
# OpenSSH server on loopback started by the tests' harness
# (tests/fleet/harness.sh) and holding the same generated host tree
# (`casefile demo --generate-only`), collected into a fresh case
#   (a) by docs/fleet/collect.yml with ansible-playbook --forks 3 (parallel),
#   (b) by the same playbook with --forks 1 (one host after another),
#   (c) by docs/fleet/collect-ssh.sh (one host after another),
# in one hyperfine run (median of RUNS after a warm-up). Each run makes the
# one-use keys, collects, copies back, verifies and adds all three archives.
# Prints the medians and the parallel speed-up (b)/(a). On this 2-core
# machine three collections compete for two cores: the speed-up is bounded
# by the CPU, not by the network.
#
# usage: bench/fleet/run.sh [SCALE]   (default 1: the demo's default size)
#   RUNS=N   runs per command (default 5)
#   KEEP=1   keep bench/data/fleet afterwards
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
scale=${1:-1}
runs=${RUNS:-5}
data=$top/bench/data/fleet
bench_need hyperfine jq ansible-playbook sshd ssh
rm -rf "$data"
mkdir -p "$data/bin"
cd "$data"
ln -s "$bin" bin/casefile
export PATH=$data/bin:$PATH CASEFILE_BIN=$bin LC_ALL=C.UTF-8
die() { echo "bench/fleet: $*" >&2; exit 3; }
# shellcheck source=../../tests/fleet/harness.sh
source "$top/tests/fleet/harness.sh"
trap 'fleet_stop; [ "${KEEP:-0}" = 1 ] || rm -rf "$data"' EXIT
fleet_ansible_env

echo "== generating (scale $scale)"
casefile -q demo d --generate-only --scale "$scale" >/dev/null
hosts="ehr-app01 ehr-app02 infer01"
fleet_start $hosts
for h in $hosts; do
  rmdir "$FLEET/hosts/$h/root"
  cp -a d/host "$FLEET/hosts/$h/root"
done
du -sh d/host
fleet_inventory inventory $hosts
mkdir -p "$FLEET/remote"
for h in $hosts; do echo "root@$h $FLEET/hosts/$h/root"; done > hosts.txt
casefile -q key generate examiner >/dev/null

fresh="rm -rf case && casefile -q init case --key examiner.key --examiner bench >/dev/null"
play="ansible-playbook -i inventory $top/docs/fleet/collect.yml -e case_dir=$data/case -e scratch=$FLEET/remote"
loop="SSH='$FLEET_SSH' SCP='$FLEET_SCP' REMOTE_TMP=$FLEET/remote $top/docs/fleet/collect-ssh.sh case hosts.txt"
hyperfine --warmup 1 --runs "$runs" --prepare "$fresh" --export-json hf.json \
  -n "ansible --forks 3" "$play --forks 3 >/dev/null" \
  -n "ansible --forks 1" "$play --forks 1 >/dev/null" \
  -n "collect-ssh.sh" "$loop 2>/dev/null" >/dev/null
[ "$(ls case/evidence | wc -l)" -eq 3 ] || die "the last run did not add three archives"

jq -r '
  def r2: . * 100 | round / 100;
  (.results | map({(.command): .}) | add) as $m |
  "command             median s  user+sys s",
  (.results[] | "\(.command)  \(.median|r2)  \((.user + .system)|r2)"),
  "forks 1 / forks 3 = \(($m["ansible --forks 1"].median / $m["ansible --forks 3"].median)|r2)",
  "loop / forks 3 = \(($m["collect-ssh.sh"].median / $m["ansible --forks 3"].median)|r2)"' hf.json
echo "archive: $(stat -c %s case/evidence/ehr-app01-*.tar.zst) bytes per host"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg); nproc $(nproc); $(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -1)"
