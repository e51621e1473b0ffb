#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Benchmark: `casefile verify` on a ~1 GB evidence archive against
#   (a) the independent recipe: tar --zstd -xf A -C x && sha256sum -c SHA256SUMS
#   (b) zstd -dc A > /dev/null alone (the floor: decompression only)
# in one hyperfine run (median of several), plus peak memory of each with
# /usr/bin/time -v. Targets: >= 3x faster than (a), within 1.3x of (b),
# max RSS < 64 MiB. The archive is built by the reference builder
# (tests/fixtures/verify/make-archive.sh) from generated JSON-lines and
# syslog logs plus incompressible files. Data goes to bench/data/verify
# (git-ignored) and is removed afterwards unless KEEP=1.
#
# usage: bench/verify/run.sh [path/to/casefile]   (default build/casefile)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=$(cd "$(dirname "${1:-$top/build/casefile}")" && pwd)/$(basename "${1:-casefile}")
data=$top/bench/data/verify
RUNS=${RUNS:-5}
MB_JSON=${MB_JSON:-300} MB_SYSLOG=${MB_SYSLOG:-300} MB_RANDOM=${MB_RANDOM:-400}

cleanup() { [ "${KEEP:-0}" = 1 ] || rm -rf "$data"; }
trap cleanup EXIT
mkdir -p "$data/root/var/log/app" "$data/root/srv/models"
cd "$data"

if [ ! -f A.tar.zst ]; then
  echo "== generating ${MB_JSON} MB JSON lines, ${MB_SYSLOG} MB syslog, ${MB_RANDOM} MB incompressible"
  awk -v n=$((MB_JSON * 1024 * 1024 / 190)) 'BEGIN { srand(1);
    for (i = 0; i < n; i++)
      printf "{\"ts\":\"2026-03-01T%02d:%02d:%02d.%06dZ\",\"actor\":\"pract-%04d\",\"action\":\"read\",\"patient\":\"p-%06d\",\"model\":\"sepsis-risk@7\",\"score\":%.4f,\"outcome\":\"success\"}\n",
        (i / 3600000) % 24, (i / 60000) % 60, (i / 1000) % 60, i % 1000000,
        int(rand() * 2000), int(rand() * 900000), rand() }' \
    >root/var/log/app/decisions.jsonl
  awk -v n=$((MB_SYSLOG * 1024 * 1024 / 95)) 'BEGIN { srand(2);
    split("sshd cron kernel systemd nginx", p, " ");
    for (i = 0; i < n; i++)
      printf "Mar  1 %02d:%02d:%02d ehr01 %s[%d]: session opened for user u%04d from 10.%d.%d.%d\n",
        (i / 3600000) % 24, (i / 60000) % 60, (i / 1000) % 60, p[1 + i % 5],
        1000 + int(rand() * 30000), int(rand() * 5000), int(rand() * 255),
        int(rand() * 255), int(rand() * 255) }' \
    >root/var/log/syslog
  for i in 1 2 3 4; do
    head -c $((MB_RANDOM * 1024 * 1024 / 4)) /dev/urandom >root/srv/models/blob$i.bin
  done
  openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null
  openssl pkey -in k.pem -pubout -out k.pub
  "$top/tests/fixtures/verify/make-archive.sh" -o A.tar.zst -k k.pem -C root \
    var/log/app/decisions.jsonl var/log/syslog \
    srv/models/blob1.bin srv/models/blob2.bin srv/models/blob3.bin srv/models/blob4.bin
  rm -rf root
fi
echo "== archive: $(stat -c %s A.tar.zst) bytes compressed, $(zstd -lv A.tar.zst 2>/dev/null | sed -n 's/^Decompressed Size: *//p')"
"$bin" verify --trust k.pub --quiet A.tar.zst

verify="$bin verify --quiet --trust k.pub A.tar.zst"
recipe="rm -rf x && mkdir x && tar --zstd -xf A.tar.zst -C x && (cd x && sha256sum -c --quiet SHA256SUMS)"
floor="zstd -dcq A.tar.zst > /dev/null"
hyperfine --warmup 1 --runs "$RUNS" --export-json hf.json \
  -n verify "$verify" -n recipe "$recipe" -n zstd-dc "$floor" >/dev/null
rm -rf x

rss() { /usr/bin/time -v bash -c "$1" 2>&1 >/dev/null | sed -n 's/.*Maximum resident set size (kbytes): //p' | tail -1; }
rss_verify=$(rss "$verify")
rss_recipe=$(rss "$recipe"); rm -rf x
rss_floor=$(rss "$floor")

jq -r --arg rv "$rss_verify" --arg rr "$rss_recipe" --arg rf "$rss_floor" '
  def r3: . * 1000 | round / 1000;
  (.results | map({(.command): .}) | add) as $m |
  ($m.verify.median) as $v | ($m.recipe.median) as $a | ($m["zstd-dc"].median) as $b |
  ($m.verify.user + $m.verify.system) as $vc | ($m["zstd-dc"].user + $m["zstd-dc"].system) as $bc |
  "command   median s  mean CPU s (user+sys)  max RSS KiB",
  "verify    \($v|r3)  \($vc|r3)  \($rv)",
  "recipe    \($a|r3)  \(($m.recipe.user + $m.recipe.system)|r3)  \($rr)  (largest process)",
  "zstd -dc  \($b|r3)  \($bc|r3)  \($rf)",
  "recipe / verify = \(($a / $v)*100|round/100)  (target >= 3)",
  "verify / zstd-dc = \(($v / $b)*100|round/100)  (target <= 1.3; CPU-time ratio \(($vc / $bc)*100|round/100))"' hf.json
echo "load: $(cut -d' ' -f1-3 /proc/loadavg); nproc $(nproc); $(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -1)"
